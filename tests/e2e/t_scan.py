# SPDX-License-Identifier: MIT
"""
t_scan.py - `ltrack scan` (src/scan/): verdicts, findings, output formats and
exit codes on the generated pickle corpus. Runs in run.py's namespace (see
load_test_modules there).

The corpus comes from tests/corpus/gen_pickles.py, run once per e2e run
with /usr/bin/python3 (Debian's, with numpy, torch, sklearn and joblib).
The hand-built files have their offsets written out here; for the files
pickle.dumps wrote, the offset of the import is found with pickletools,
an implementation independent of ours. Nothing is ever unpickled.
"""

import pickletools

SCAN_CORPUS_GEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus",
                               "gen_pickles.py")
SCAN_PY = "/usr/bin/python3"
SCAN_KEYS = {"path", "verdict", "format", "incomplete", "size", "opcodes", "pickles",
             "findings_dropped", "findings"}
FINDING_KEYS = {"severity", "offset", "member", "global", "why"}
_scan_corpus = {}


def scan_corpus(t):
    """the generated corpus, once per run (in the first test's directory)"""
    if "dir" not in _scan_corpus:
        d = t.mkdir("corpus")
        r = subprocess.run([SCAN_PY, SCAN_CORPUS_GEN, d], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=600)
        if r.returncode:
            fail("gen_pickles.py failed:\n%s" % r.stdout.decode(errors="replace"))
        _scan_corpus["dir"] = d
    return _scan_corpus["dir"]


def run_scan(args, rc):
    r = subprocess.run([LTRACK, "scan"] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    if r.returncode != rc:
        fail("ltrack scan %s: exit %d, expected %d\nstdout: %s\nstderr: %s" % (
            " ".join(args), r.returncode, rc, r.stdout.decode(errors="replace")[-3000:],
            r.stderr.decode(errors="replace")[-3000:]))
    return r.stdout.decode()


def scan_json(paths, rc):
    """{path: report} from --format json, every report's keys checked"""
    out = run_scan(["--format", "json"] + paths, rc)
    reps = {}
    for line in out.splitlines():
        rep = json.loads(line)
        keys = SCAN_KEYS | ({"error"} if "error" in rep else set())
        eq(set(rep), keys, "report keys of %s" % rep.get("path"))
        for f in rep["findings"]:
            eq(set(f), FINDING_KEYS, "finding keys")
        check(rep["path"] not in reps, "%s reported twice" % rep["path"])
        reps[rep["path"]] = rep
    return reps


def first_import_offset(path):
    """offset of the first GLOBAL/STACK_GLOBAL/INST, by pickletools"""
    with open(path, "rb") as f:
        data = f.read()
    for op, _arg, pos in pickletools.genops(data):
        if op.name in ("GLOBAL", "STACK_GLOBAL", "INST"):
            return pos
    fail("%s: no import" % path)


def check_findings(rep, want):
    got = [(f["severity"], f["offset"], f["global"]) for f in rep["findings"]]
    eq(got, want, "findings of %s" % os.path.basename(rep["path"]))


# hand-built: (verdict, [(severity, offset, global)], pickles)
SCAN_HAND = {
    "memo_stack_global.pkl": ("dangerous", [("dangerous", 28, "os.system")], 1),
    "broken_after_payload.pkl": ("dangerous", [("dangerous", 2, "os.system"),
                                               ("dangerous", 19, "")], 0),
    "frame_hide.pkl": ("dangerous", [("dangerous", 11, ""), ("dangerous", 13, "os.system")], 2),
    "dotted_pathlib_os_system.pkl": ("dangerous", [("dangerous", 22, "pathlib.os.system")], 1),
    "dotted_builtins_getattr.pkl": ("dangerous", [("dangerous", 21, "builtins.getattr"),
                                                  ("dangerous", 44, "builtins.__import__"),
                                                  ("suspicious", 66, "")], 1),
    "nested_pickle_loads.pkl": ("dangerous", [("dangerous", 17, "pickle.loads"),
                                              ("dangerous", 22, "os.system")], 2),
    "string_ops_stack_global.pkl": ("dangerous", [("dangerous", 16, "os.system")], 1),
    "obj_pop.pkl": ("dangerous", [("dangerous", 3, "os.system")], 1),
    "ext1.pkl": ("suspicious", [("suspicious", 2, "")], 1),
    "memo_miss.pkl": ("dangerous", [("dangerous", 2, ""), ("dangerous", 12, "?.system")], 1),
}

# pickle.dumps of reduce objects: (global, why)
SCAN_REDUCE = {
    "reduce_os_system_p2.pkl": "posix.system",
    "reduce_os_system_p3.pkl": "posix.system",
    "reduce_os_system_p4.pkl": "posix.system",
    "reduce_os_system_p5.pkl": "posix.system",
    "reduce_exec.pkl": "builtins.exec",
    "reduce_runpy.pkl": "runpy.run_path",
    "reduce_pkgutil_resolve_name.pkl": "pkgutil.resolve_name",
}

SCAN_BENIGN_PICKLES = ["benign_data_p%d.pkl" % p for p in range(2, 6)] + \
    ["benign_numpy_p%d.pkl" % p for p in range(2, 6)] + \
    ["benign_torch_data.pkl", "benign_torchscript_data.pkl"]


@test
def scan_bypass_classes(t):
    """every hand-built bypass: exact verdict, findings (severity, offset, global), exit 1"""
    d = scan_corpus(t)
    paths = [os.path.join(d, n) for n in sorted(SCAN_HAND)]
    reps = scan_json(paths, 1)
    eq(sorted(reps), paths, "reported paths")
    for name, (verdict, findings, pickles) in SCAN_HAND.items():
        rep = reps[os.path.join(d, name)]
        match(rep, {"verdict": verdict, "format": "pickle", "incomplete": False,
                    "size": os.path.getsize(os.path.join(d, name)), "pickles": pickles,
                    "findings_dropped": 0})
        check_findings(rep, findings)
    why = {os.path.basename(p): [f["why"] for f in r["findings"]] for p, r in reps.items()}
    eq(why["frame_hide.pkl"][0],
       "opcode crosses the end of its frame (parser differential that hides opcodes)", "why")
    eq(why["broken_after_payload.pkl"][1],
       "pickle breaks after calling a non-allow-listed global: opcode 0x58: 65535 bytes past "
       "the end", "why")
    eq(why["obj_pop.pkl"][0], "module os is denied; called (OBJ at 18)", "why")


@test
def scan_reduce_payloads(t):
    """real pickle.dumps of os.system/exec/runpy/pkgutil reducers: dangerous, the global named"""
    d = scan_corpus(t)
    paths = [os.path.join(d, n) for n in sorted(SCAN_REDUCE)]
    reps = scan_json(paths, 1)
    for name, glob in SCAN_REDUCE.items():
        p = os.path.join(d, name)
        rep = reps[p]
        match(rep, {"verdict": "dangerous", "format": "pickle", "pickles": 1})
        eq(len(rep["findings"]), 1, "findings of %s" % name)
        f = rep["findings"][0]
        mod = glob.split(".")[0]
        match(f, {"severity": "dangerous", "offset": first_import_offset(p), "global": glob,
                  "member": ""})
        check(f["why"].startswith("module %s is denied; called (REDUCE at " % mod),
              "why of %s: %s" % (name, f["why"]))


@test
def scan_benign_real_files(t):
    """real torch, TorchScript, numpy, sklearn+joblib, legacy torch pickles: clean, exit 0"""
    d = scan_corpus(t)
    paths = [os.path.join(d, n) for n in SCAN_BENIGN_PICKLES]
    reps = scan_json(paths, 0)
    for p in paths:
        match(reps[p], {"verdict": "clean", "format": "pickle", "incomplete": False,
                        "findings": [], "pickles": 1})
    # formats another parser may claim later: the verdict is what counts here
    more = [os.path.join(d, n) for n in ("benign_torch_legacy.pt",
                                         "benign_sklearn_pipeline.joblib",
                                         "benign_sklearn_forest.joblib")]
    reps = scan_json(more, 0)
    for p in more:
        match(reps[p], {"verdict": "clean", "incomplete": False, "findings": []})
    check(reps[more[0]]["pickles"] >= 5, "legacy torch: 5 stacked pickles scanned")


@test
def scan_joblib_inline_arrays(t):
    """joblib array bytes are skipped by the size numpy and joblib will use (dtype state,
    dict changed through a memo copy); object arrays are pickles"""
    d = scan_corpus(t)
    names = ["joblib_object_flag_payload.joblib", "joblib_elsize_hide.joblib",
             "joblib_dict_alias_hide.joblib"]
    reps = scan_json([os.path.join(d, n) for n in names], 1)
    for n, pickles, nested in ((names[0], 2, " (nested pickle)"), (names[1], 1, ""),
                               (names[2], 1, "")):
        p = os.path.join(d, n)
        with open(p, "rb") as f:
            data = f.read()
        at = data.index(b"cos\nsystem\n")
        rep = reps[p]
        match(rep, {"verdict": "dangerous", "pickles": pickles, "incomplete": False})
        check_findings(rep, [("dangerous", at, "os.system")])
        eq(rep["findings"][0]["why"], "module os is denied%s; called (REDUCE at %d)" % (
            nested, data.index(b"\x85R", at) + 1), "why of %s" % n)


@test
def scan_limit_is_incomplete(t):
    """a bound hit makes the report incomplete and suspicious, with the limit named"""
    d = scan_corpus(t)
    p = os.path.join(d, "limit_marks.pkl")
    rep = scan_json([p], 1)[p]
    match(rep, {"verdict": "suspicious", "incomplete": True, "opcodes": 100002, "pickles": 0})
    check_findings(rep, [("suspicious", 100002, "")])
    eq(rep["findings"][0]["why"], "mark stack limit (100000) reached", "why")


@test
def scan_errors_and_exit_codes(t):
    """an unparsable pickle and a missing file are errors (exit 2, even next to a finding)"""
    d = scan_corpus(t)
    garbage = os.path.join(d, "garbage.pkl")
    reps = scan_json([garbage], 2)
    rep = reps[garbage]
    match(rep, {"verdict": "error", "format": "pickle", "pickles": 0,
                "error": "pickle at offset 2: unknown opcode 0xff"})
    check_findings(rep, [("error", 2, "")])
    missing = t.path("nope.pkl")
    reps = scan_json([missing, os.path.join(d, "obj_pop.pkl")], 2)
    match(reps[missing], {"verdict": "error", "format": "unknown",
                          "error": "No such file or directory", "findings": []})
    eq(reps[os.path.join(d, "obj_pop.pkl")]["verdict"], "dangerous", "verdict next to it")
    out = run_scan(["--format", "yaml", garbage], 2)
    eq(out, "", "stdout of a usage error")
    run_scan([], 2)


@test
def scan_directory_recursive(t):
    """directories are walked; symlinks inside are not followed (a loop is harmless)"""
    d = scan_corpus(t)
    top = t.mkdir("tree")
    sub = t.mkdir("tree", "a", "b")
    shutil.copy(os.path.join(d, "benign_torch_data.pkl"), os.path.join(top, "ok.pkl"))
    shutil.copy(os.path.join(d, "memo_stack_global.pkl"), os.path.join(sub, "bad.bin"))
    os.symlink(top, os.path.join(sub, "loop"))
    os.symlink(os.path.join(d, "garbage.pkl"), os.path.join(top, "link.pkl"))
    reps = scan_json([top], 1)
    eq(sorted(reps), [os.path.join(sub, "bad.bin"), os.path.join(top, "ok.pkl")], "files")
    eq(reps[os.path.join(sub, "bad.bin")]["verdict"], "dangerous", "bad.bin")
    eq(reps[os.path.join(top, "ok.pkl")]["verdict"], "clean", "ok.pkl")


@test
def scan_text_output(t):
    """the text format: one line per file, one per finding, a summary line"""
    d = scan_corpus(t)
    p = os.path.join(d, "nested_pickle_loads.pkl")
    q = os.path.join(d, "benign_data_p4.pkl")
    out = run_scan([p, q], 1)
    eq(out,
       "%s: dangerous (pickle, 14 opcodes, 2 pickles)\n"
       "  dangerous at 17 pickle.loads: module pickle is denied; called (REDUCE at 41)\n"
       "  dangerous at 22 os.system: module os is denied (nested pickle); called (REDUCE at 38)\n"
       "%s: clean (pickle, %d opcodes, 1 pickle)\n"
       "scanned 2 files: 1 clean, 0 suspicious, 1 dangerous, 0 errors\n" % (
           p, q, sum(1 for _ in pickletools.genops(open(q, "rb").read()))),
       "text output")


@test
def scan_protocol0_headerless(t):
    """protocol 0 and 1 pickles have no magic: sniffed by content, still dangerous"""
    d = scan_corpus(t)
    names = ["proto0_no_header.pkl", "reduce_os_system_p0.pkl", "reduce_os_system_p1.pkl"]
    reps = scan_json([os.path.join(d, n) for n in names], 1)
    check_findings(reps[os.path.join(d, names[0])], [("dangerous", 0, "os.system")])
    for n in names[1:]:
        p = os.path.join(d, n)
        check_findings(reps[p], [("dangerous", first_import_offset(p), "posix.system")])
