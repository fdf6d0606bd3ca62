# SPDX-License-Identifier: MIT
"""
t_concerns.py - a BPF program the kernel refuses turns off its concern,
never the whole agent (src/concern.h). Runs in run.py's namespace (see
load_test_modules there).

LTRACK_FAULT_CONCERN=NAME (docs/cli.md) appends an unreachable tail to the
first program of concern NAME, so the kernel's own verifier refuses it
("unreachable insn N") at once. The tests fault file-modify: on a kernel
build where its programs hit the verifier's instruction limit anyway, the
fault is met first and the outcome is the same.

Loading can take several attempts (one per concern refused), so these
tests wait longer than READY_TIMEOUT for `ready:`.
"""

CONCERN_NAMES = [
    "process", "snapshot", "file", "file-open", "file-modify",
    "evade.timestomp", "evade.xattr", "evade.truncate", "evade.namespaces", "evade.mounts",
    "evade.bpf", "evade.perf", "evade.process_vm", "evade.prctl", "evade.fd_redirect",
    "evade.io_uring",
    "mem.memory", "mem.fileless", "mem.credentials", "mem.ptrace", "mem.kill", "mem.modules",
    "lib", "lib.dlopen", "net", "model", "gpu",
]
FILE_MODIFY_PROGS = {"lt_enter_close", "lt_exit_modify", "lt_enter_close_range", "lt_enter_dup2",
                     "lt_enter_dup3", "lt_enter_execve", "lt_enter_execveat",
                     "lt_truncate_exit"}
CONCERN_READY_TIMEOUT = 120.0
FAULT_RE = re.compile(r"verifier: unreachable insn (\d+)")


def check_concerns(s):
    """the concerns of a stats event: every one, in table order, each well formed"""
    names = [c.get("name") for c in s["concerns"]]
    eq(names, CONCERN_NAMES, "concern names")
    for c in s["concerns"]:
        check(c["state"] in ("on", "off"), "concern state %r" % c)
        check(type(c["variant"]) is str and c["variant"], "concern variant %r" % c)
        if c["state"] == "on":
            eq(set(c), {"name", "state", "variant"}, "keys of a concern on")
        else:
            check(set(c) - {"program", "errno"} == {"name", "state", "variant", "reason"} and
                  type(c["reason"]) is str and c["reason"], "concern off %r" % c)


def absent_here(s):
    """the concerns off because their hooks are missing on this kernel (mem.modules
    without CONFIG_MODULES): not failures"""
    return {c["name"] for c in s["concerns"]
            if c["state"] == "off" and c["reason"] == "absent on this kernel"}


@test
def concern_refused_turns_off_only_its_concern(t):
    """LTRACK_FAULT_CONCERN=file-modify: ltrack starts, creates are reported, modify is
    not; the log names the concern, the program and the verifier's reason; the final
    stats event lists file-modify as off"""
    w = t.mkdir("w")
    lt = t.ltrack(["--watch", "all=" + w], env={"LTRACK_FAULT_CONCERN": "file-modify"},
                  ready=False)
    lt.wait_log("ready:", timeout=CONCERN_READY_TIMEOUT)
    h = t.helper(["umask", "022", "open", 0, w + "/f", O_WRONLY | O_CREAT | O_EXCL, 0o666,
                  "write", 0, 3, "close", 0])
    evs = lt.stop()
    err = lt.stderr()

    # the file event: exactly the create, and no modify (its concern is off)
    expect_seq(select(evs, pid=h.pid), [
        fev("create", w + "/f", "openat", h.results[1], watch=w, flags=O_WRONLY | O_CREAT | O_EXCL,
            flags_str="O_WRONLY|O_CREAT|O_EXCL", mode="0644", file_type="file", **ino(w + "/f")),
    ])
    for ev in select(evs, pid=h.pid):
        match(ev, ident(h))

    # one warning for the concern: the program, the errno, the verifier's last lines
    warns = [l for l in err.splitlines() if "concern file-modify off" in l]
    eq(len(warns), 1, "warnings for file-modify:\n%s" % err)
    m = re.search(r'level=warn msg="concern file-modify off \(verifier: unreachable insn (\d+)\): '
                  r'the kernel refused program (\w+) \(EINVAL: Invalid argument\): verifier: '
                  r'unreachable insn (\d+) \| verification time \d+ usec \| stack depth [0-9+]+ \| '
                  r'processed 0 insns \(limit 1000000\) max_states_per_insn 0 total_states 0 '
                  r'peak_states 0 mark_read 0; not reported: modify"$', warns[0])
    check(m is not None, "the warning: %s" % warns[0])
    insn, prog = m.group(1), m.group(2)
    eq(m.group(3), insn, "the instruction in the reason and in the verifier's lines")
    check(prog in FILE_MODIFY_PROGS, "the refused program %s is one of file-modify's" % prog)
    check("BEGIN PROG LOAD LOG" not in err, "no verifier log dump")
    check("level=warn msg=\"libbpf:" not in err, "libbpf's own warnings stay at debug level")
    # the startup summary, once; the policy asks for modify: said once
    summary = [l for l in err.splitlines() if 'msg="concerns: ' in l]
    eq(len(summary), 1, "startup summary lines")
    check("file-modify (verifier: unreachable insn %s)" % insn in summary[0],
          "the summary names file-modify off: %s" % summary[0])
    groups = re.findall(r"on \(([a-z,\-]+)\): ([a-z0-9_. \-]+?)(?:;|\")", summary[0])
    on = {c: v for v, names in groups for c in names.split()}
    for c in ("process", "snapshot", "file", "file-open", "evade.timestomp", "net", "gpu"):
        eq(on.get(c), kfeat_variant(c), "%s on, with its variant, in the summary: %s" % (
            c, summary[0]))
    asks = [l for l in err.splitlines() if "the policy asks for modify" in l]
    eq(len(asks), 1, "'the policy asks for modify' lines")
    check('concern file-modify is off (verifier: unreachable insn %s): not reported"' % insn
          in asks[0], asks[0])

    # the final stats event: file-modify off with its program and errno, the rest on
    st = evs[-1]
    check_stats(st)
    check_concerns(st)
    absent = absent_here(st)
    for c in st["concerns"]:
        if c["name"] == "file-modify":
            eq(c, {"name": "file-modify", "state": "off", "variant": kfeat_variant(c["name"]),
                   "reason": "verifier: unreachable insn " + insn, "program": prog,
                   "errno": "EINVAL"}, "file-modify in stats")
        elif c["name"] not in absent:
            eq(c, {"name": c["name"], "state": "on", "variant": kfeat_variant(c["name"])},
               "concern %s in stats" % c["name"])
    check(absent <= {"mem.modules"}, "concerns absent here: %s" % absent)


@test
def concern_refused_with_strict_exits_2(t):
    """--strict: the refused concern is fatal, exit 2 with the program, concern and reason"""
    w = t.mkdir("w")
    rc, out, err = run_ltrack_cli(t, ["--strict", "--watch", "all=" + w, "--output",
                                      t.path("e.json")],
                                  env={"LTRACK_FAULT_CONCERN": "file-modify"},
                                  timeout=CONCERN_READY_TIMEOUT)
    eq(rc, 2, "exit status; stderr:\n%s" % err)
    m = re.search(r'level=error msg="--strict: the kernel refused program (\w+) of concern '
                  r'file-modify \(verifier: unreachable insn \d+\); not starting with '
                  r'file-modify off"', err)
    check(m is not None and m.group(1) in FILE_MODIFY_PROGS, "the error: %s" % err)
    check("ready:" not in err, "it did not start")
    check(not os.path.exists(t.path("e.json")) or os.path.getsize(t.path("e.json")) == 0,
          "no events written")
    # [agent] strict = true does the same
    pol = t.write("strict.toml", NO_EXEC_POLICY + SECURITY_OFF + LIB_OFF + MODEL_OFF +
                  "\n[agent]\nstrict = true\n")
    rc, out, err = run_ltrack_cli(t, ["--config", pol, "--watch", "all=" + w, "--output",
                                      t.path("e2.json")],
                                  env={"LTRACK_FAULT_CONCERN": "file-modify"},
                                  timeout=CONCERN_READY_TIMEOUT)
    eq(rc, 2, "exit status with [agent] strict; stderr:\n%s" % err)
    check("--strict: the kernel refused program" in err, "the error: %s" % err)


@test
def concern_process_refused_exits_2(t):
    """the process concern is essential: refused, nothing useful can run, exit 2"""
    w = t.mkdir("w")
    rc, out, err = run_ltrack_cli(t, ["--watch", "all=" + w, "--output", t.path("e.json")],
                                  env={"LTRACK_FAULT_CONCERN": "process"},
                                  timeout=CONCERN_READY_TIMEOUT)
    eq(rc, 2, "exit status; stderr:\n%s" % err)
    check(re.search(r'level=warn msg="concern process off \(verifier: unreachable insn \d+\): '
                    r'the kernel refused program lt_(exec|fork|exit) \(EINVAL: Invalid argument\)',
                    err), "the warning: %s" % err)
    check(re.search(r'level=error msg="nothing useful can load: the kernel refused program '
                    r'lt_(exec|fork|exit) of concern process \(verifier: unreachable insn \d+\), '
                    r'which every other one needs"', err), "the error: %s" % err)
    check("ready:" not in err, "it did not start")


@test
def concern_fault_names_checked(t):
    """LTRACK_FAULT_CONCERN must name a concern with programs: else exit 2 before loading;
    `ltrack verify` refuses bad usage with 2 without loading anything"""
    w = t.mkdir("w")
    args = ["--watch", "all=" + w, "--output", t.path("e.json")]
    rc, out, err = run_ltrack_cli(t, args, env={"LTRACK_FAULT_CONCERN": "nosuch"})
    eq(rc, 2, "exit status of an unknown concern")
    check("LTRACK_FAULT_CONCERN: no concern 'nosuch' (one of: process, snapshot, file, "
          "file-open, file-modify, " in err, "stderr: %s" % err)
    rc, out, err = run_ltrack_cli(t, args, env={"LTRACK_FAULT_CONCERN": "gpu"})
    eq(rc, 2, "exit status of a concern without programs")
    check("LTRACK_FAULT_CONCERN=gpu: gpu has no program to make invalid" in err, err)
    for bad in (["--budget", "0"], ["--budget", "x"], ["--format", "yaml"], ["extra"]):
        rc, out, err = run_ltrack_cli(t, ["verify"] + bad)
        eq(rc, 2, "ltrack verify %s" % " ".join(bad))
        eq(out, "", "no table for ltrack verify %s" % " ".join(bad))
        check(err.startswith("ltrack verify: ") and "usage: ltrack verify" in err, err)
    rc, out, err = run_ltrack_cli(t, ["verify"], env={"LTRACK_FAULT_CONCERN": "nosuch"})
    eq(rc, 2, "ltrack verify with an unknown LTRACK_FAULT_CONCERN")
