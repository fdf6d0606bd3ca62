# tests/e2e/t_formats.py - `ltrack scan` on every non-pickle model format
# (src/scan/sniff.c, zip.c, torch.c, formats.c; docs/scanner-formats.md).
# Runs in run.py's namespace (see load_test_modules): T, eq, check, fail, ...
#
# The corpus comes from tests/corpus/gen_models.py, run once per e2e run
# with Debian's /usr/bin/python3 (real torch, numpy, sklearn, joblib saves;
# GGUF, ONNX, safetensors, Keras written byte by byte). Its EXPECT.json
# names each file's verdict and format; the tests below also pin the exact
# findings of the files that show each attack class.

import atexit
import struct
import zlib

FORMATS_GEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus",
                           "gen_models.py")
_formats_corpus = {}


def formats_corpus():
    """the generated corpus directory and its expectations (built once)"""
    if not _formats_corpus:
        d = tempfile.mkdtemp(prefix="ltrack-models-")
        atexit.register(shutil.rmtree, d, True)
        subprocess.run(["/usr/bin/python3", FORMATS_GEN, d], check=True,
                       stdout=subprocess.DEVNULL)
        with open(os.path.join(d, "EXPECT.json")) as f:
            _formats_corpus["dir"] = d
            _formats_corpus["expect"] = json.load(f)
    return _formats_corpus["dir"], _formats_corpus["expect"]


def fmt_scan_json(*paths):
    """run `ltrack scan --format json`: the reports by path, the exit status, stderr"""
    p = subprocess.run([LTRACK, "scan", "--format", "json"] + list(paths),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    reps = {}
    for line in p.stdout.decode().splitlines():
        r = json.loads(line)
        reps[r["path"]] = r
    return reps, p.returncode, p.stderr.decode()


def fmt_findings(rep):
    return [(f["severity"], f["member"], f["global"], f["why"]) for f in rep["findings"]]


FMT_EXIT = {"clean": 0, "suspicious": 1, "dangerous": 1, "error": 2}


@test
def formats_corpus_verdicts(t):
    """every generated file: the verdict and format EXPECT.json names, and the exit status"""
    d, expect = formats_corpus()
    for name, (verdict, fmt) in sorted(expect.items()):
        path = os.path.join(d, name)
        reps, rc, err = fmt_scan_json(path)
        eq(sorted(reps), [path], "reports for " + name)
        r = reps[path]
        eq((r["verdict"], r["format"]), (verdict, fmt), name)
        eq(rc, FMT_EXIT[verdict], "exit status for " + name)
        eq(r["size"], os.path.getsize(path), "size of " + name)


@test
def formats_benign_clean(t):
    """real saves (torch zip, legacy, TorchScript, numpy, sklearn joblib) and clean
    hand-built files: no finding at all, nothing incomplete"""
    d, expect = formats_corpus()
    names = ["torch_zip.pt", "torch_legacy.pt", "torchscript.pt", "array.npy", "arrays.npz",
             "arrays_z.npz", "sklearn.joblib", "sklearn_z.joblib", "ok.safetensors", "ok.gguf",
             "ok.onnx", "ok.keras", "ok.h5", "model.tflite"]
    paths = [os.path.join(d, n) for n in names]
    reps, rc, err = fmt_scan_json(*paths)
    eq(rc, 0, "exit status")
    for n, p in zip(names, paths):
        eq((reps[p]["verdict"], reps[p]["findings"], reps[p]["incomplete"]), ("clean", [], False), n)
    # every pickle of each torch save was interpreted: zip 1, legacy 5 stacked, TorchScript
    # data.pkl + constants.pkl + the per-module pickles
    eq(reps[paths[0]]["pickles"], 1, "torch zip pickles")
    eq(reps[paths[1]]["pickles"], 5, "legacy torch: magic, protocol, sys_info, object, keys")
    check(reps[paths[2]]["pickles"] >= 2, "TorchScript pickles: %d" % reps[paths[2]]["pickles"])
    eq(reps[paths[6]]["pickles"], 1, "joblib: one pickle, arrays skipped")


FMT_POSIX = "module posix is denied; called (REDUCE at 32)"


@test
def formats_container_tricks(t):
    """zips and tars that fool other scanners: a bad entry before data.pkl, an oddly
    named member, no central directory, a zip in a zip, tar era torch, 7z, .mar"""
    d, _ = formats_corpus()
    want = {
        # data.pkl first: the loader's entry point is scanned before the other members
        "zip_bad_entry.pt": [("dangerous", "archive/data.pkl", "posix.system", FMT_POSIX),
                             ("suspicious", "archive/aaa.bin", "", "damaged zip entry: no local header at its offset")],
        "odd_member.pt": [("dangerous", "archive/extra/notes.txt", "posix.system", FMT_POSIX)],
        "zip_no_cd.pt": [("dangerous", "archive/data.pkl", "posix.system", FMT_POSIX),
                         ("suspicious", "", "", "damaged zip central directory: entries read from local headers")],
        "nested.zip": [("dangerous", "inner.pt!model/data.pkl", "posix.system", FMT_POSIX)],
        "torch_tar.pt": [("dangerous", "pickle", "posix.system", FMT_POSIX)],
        "wrapped.tar": [("dangerous", "models/model.pkl", "posix.system", FMT_POSIX)],
        "wrapped.7z": [("suspicious", "", "", "wrapped in 7z: contents not scanned")],
        "model.mar": [("suspicious", "handler.py", "", "TorchServe archive ships Python handler code (run on load)")],
    }
    paths = {os.path.join(d, n): n for n in want}
    reps, rc, err = fmt_scan_json(*sorted(paths))
    eq(rc, 1, "exit status")
    for p, n in paths.items():
        eq(fmt_findings(reps[p]), want[n], n)
    eq(reps[os.path.join(d, "wrapped.7z")]["incomplete"], True, "7z incomplete")


@test
def formats_numpy_joblib(t):
    """object arrays are pickles, scanned: their verdict is the pickle's (a payload is
    dangerous, np.save of plain Python data is clean); joblib payloads found past arrays"""
    d, _ = formats_corpus()
    reps, rc, err = fmt_scan_json(os.path.join(d, "objects.npy"), os.path.join(d, "objects_benign.npy"),
                              os.path.join(d, "evil.joblib"))
    r = reps[os.path.join(d, "objects.npy")]
    eq([(f["severity"], f["offset"], f["global"]) for f in r["findings"]],
       [("dangerous", 276, "posix.system")], "objects.npy")
    r = reps[os.path.join(d, "objects_benign.npy")]
    eq((r["verdict"], r["format"], fmt_findings(r)), ("clean", "numpy", []), "benign objects")
    r = reps[os.path.join(d, "evil.joblib")]
    eq([(f["severity"], f["global"]) for f in r["findings"]], [("dangerous", "posix.system")], "joblib")


@test
def formats_headers(t):
    """safetensors validation, GGUF chat templates, ONNX external data and domains, Keras"""
    d, _ = formats_corpus()
    want = {
        "bad_size.safetensors": [("suspicious", "", "", "safetensors: tensor 'w' byte size does not match its shape and dtype")],
        "dup.safetensors": [("suspicious", "", "", "safetensors: duplicate key 'w'")],
        "gap.safetensors": [("suspicious", "", "", "safetensors: tensor 'b' data is not contiguous (gap or overlap)")],
        "ssti.gguf": [("dangerous", "", "", "GGUF tokenizer.chat_template: template injection marker '__globals__'")],
        "traversal.onnx": [("dangerous", "", "", "ONNX external data location escapes the model directory: ../../../etc/passwd")],
        "custom_op.onnx": [("suspicious", "", "", "ONNX custom operator domain 'com.evil' (op Backdoor): needs a host library")],
        "lambda.keras": [("dangerous", "config.json", "", "Keras Lambda layer runs serialized code (no code)"),
                         ("dangerous", "config.json", "", "Keras __lambda__ layer runs serialized code (4wEAAAAAAAAA)")],
        "module.keras": [("dangerous", "config.json", "subprocess", "Keras config imports module 'subprocess' (CVE-2025-1550)")],
        "unsafe.keras": [("dangerous", "config.json", "", "Keras config references enable_unsafe_deserialization")],
        "lambda.h5": [("dangerous", "", "", "Keras Lambda layer runs serialized code (4wEAAAAAAAAA)")],
        "savedmodel/saved_model.pb": [("suspicious", "", "", "TensorFlow graph uses the ReadFile op (file access)")],
    }
    paths = {os.path.join(d, n): n for n in want}
    reps, rc, err = fmt_scan_json(*sorted(paths))
    for p, n in paths.items():
        eq(fmt_findings(reps[p]), want[n], n)
    reps, rc, err = fmt_scan_json(os.path.join(d, "huge_header.safetensors"))
    eq(rc, 2, "exit status of an unreadable safetensors")
    r = list(reps.values())[0]
    eq((r["verdict"], r["format"]), ("error", "safetensors"), "huge header")


@test
def formats_big_sparse_zip(t):
    """a 2 GiB PyTorch zip (its storage a hole): clean, the storage never read, in well
    under a second of wall time and 64 MB of peak memory for the whole process"""
    d = t.mkdir("big")
    subprocess.run(["/usr/bin/python3", FORMATS_GEN, d, "--big"], check=True,
                   stdout=subprocess.DEVNULL)
    path = os.path.join(d, "torch_2g_sparse.pt")
    eq(os.path.getsize(path) > 2 << 30, True, "size over 2 GiB")
    # /usr/bin/time measures the scanner alone: a child's maxrss starts from the
    # image it was exec'd from, so rusage seen from this (large) Python is its own size
    rss = t.path("maxrss")
    t0 = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss, LTRACK, "scan", "--format", "json",
                        d], stdout=subprocess.PIPE, timeout=120)
    took = time.monotonic() - t0
    out = p.stdout
    with open(rss) as f:
        maxrss_kib = int(f.read().split()[-1])
    reps = {json.loads(l)["path"]: json.loads(l) for l in out.decode().splitlines()}
    r = reps[path]
    eq((r["verdict"], r["format"], r["findings"], r["pickles"]), ("clean", "pytorch-zip", [], 1),
       "2 GiB zip")
    check(took < 1.0, "2 GiB zip (and the rest of the corpus) scanned in %.3f s" % took)
    check(maxrss_kib < 64 * 1024, "peak RSS %d KiB over the whole corpus" % maxrss_kib)
    if VERBOSE:
        print("    big zip: %.3f s for the directory, peak RSS %d KiB" % (took, maxrss_kib))


@test
def formats_bomb_bounded(t):
    """a zip bomb (30 deflated pickle-looking members of 40 MiB each, 1.2 MB on disk): the
    inflation budget ends it, suspicious and incomplete, under 64 MB of peak memory"""
    bomb = t.path("bomb.zip")
    # one raw deflate stream, written as 30 members (deflating 1.2 GB here would be slow)
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    blob = co.compress(b"\x80\x02" + b"N" * (40 << 20)) + co.flush()
    usize = 2 + (40 << 20)
    locs, cd = b"", b""
    for i in range(30):
        name = b"m%d.pkl" % i
        hdr = struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, 0, 8, 0, 0, 0, len(blob), usize,
                          len(name), 0)
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 20, 20, 0, 8, 0, 0, 0, len(blob),
                          usize, len(name), 0, 0, 0, 0, 0, len(locs)) + name
        locs += hdr + name + blob
    end = struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 30, 30, len(cd), len(locs), 0)
    with open(bomb, "wb") as f:
        f.write(locs + cd + end)
    rss = t.path("maxrss")
    p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss, LTRACK, "scan", "--format", "json",
                        bomb], stdout=subprocess.PIPE, timeout=120)
    with open(rss) as f:
        maxrss_kib = int(f.read().split()[-1])
    r = json.loads(p.stdout)
    eq((r["verdict"], r["format"], r["incomplete"], p.returncode), ("suspicious", "zip", True, 1), "bomb")
    eq(r["findings"][0]["why"], "member inflates past 16777216 bytes: scanned only in part", "first cut")
    check(maxrss_kib < 64 * 1024, "peak RSS %d KiB on a zip bomb" % maxrss_kib)


def proven_corpus(t, gen):
    """a generator's samples proven live (its --prove, in a directory of its own), then
    generated afresh for the scan: the corpus directory and its EXPECT.json"""
    proof = t.mkdir("proof")
    r = subprocess.run(["/usr/bin/python3", gen, "--prove", proof], capture_output=True,
                       timeout=300)
    eq(r.returncode, 0, "%s --prove: %s" % (os.path.basename(gen),
                                           r.stderr.decode(errors="replace")))
    d = t.mkdir("corpus")
    subprocess.run(["/usr/bin/python3", gen, d], check=True, timeout=300)
    with open(os.path.join(d, "EXPECT.json")) as f:
        return d, json.load(f)


NPY_GEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus", "gen_npy.py")


@test
def formats_numpy_header_literal_grammar(t):
    """numpy reads an .npy header with ast.literal_eval: every spelling of an object dtype
    that grammar allows (escapes, adjacent strings, comments, a repeated key, aliases,
    structured and subarray dtypes, an escaped header inside a deflated .npz) is an object
    array whose pickle is scanned: dangerous, posix.system. Each sample is first proven live
    (np.load with allow_pickle ran its payload, in a directory of its own); the benign twins
    (floats, a field named O) are clean"""
    d, expect = proven_corpus(t, NPY_GEN)
    check(sum(1 for k in expect.values() if k == "object") >= 20, "the object samples")
    paths = [os.path.join(d, n) for n in sorted(expect)]
    reps, rc, err = fmt_scan_json(*paths)
    eq(rc, 1, "exit status (dangerous files): %s" % err)
    for name, kind in sorted(expect.items()):
        rep = reps[os.path.join(d, name)]
        if kind == "object":
            eq(rep["verdict"], "dangerous", name)
            eq([f["global"] for f in rep["findings"] if f["global"]], ["posix.system"], name)
        else:
            eq((rep["verdict"], rep["findings"]), ("clean", []), name)
    check(not [n for n in os.listdir(d) if n.endswith(".marker")], "nothing ran while scanning")


COMPRESSED_GEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus",
                              "gen_compressed.py")


@test
def formats_compressed_pickles_by_content(t):
    """pickles compressed with zlib, gzip, bz2, xz and lzma, named as joblib, .sav, .bin,
    .pkl.<method> or nothing, and bz2/xz files of two streams: each is scanned by its
    content (dangerous, posix.system), each first proven live with joblib.load in a
    directory of its own; joblib.dump's own files at compress levels 1, 3 and 9 of every
    method (scikit-learn estimators, plain data) are scanned as joblib and clean; a cut
    stream is an error, never clean"""
    d, expect = proven_corpus(t, COMPRESSED_GEN)
    check(sum(1 for k in expect.values() if k == "payload") >= 25, "the payload samples")
    check(sum(1 for k in expect.values() if k == "benign") >= 45, "the benign twins")
    paths = [os.path.join(d, n) for n in sorted(expect)]
    reps, rc, err = fmt_scan_json(*paths)
    eq(rc, 1, "exit status (dangerous files): %s" % err)
    for name, kind in sorted(expect.items()):
        rep = reps[os.path.join(d, name)]
        eq(rep["format"], "joblib", name)
        if kind == "payload":
            eq(rep["verdict"], "dangerous", name)
            eq([f["global"] for f in rep["findings"] if f["global"]], ["posix.system"], name)
        else:
            eq((rep["verdict"], rep["findings"]), ("clean", []), name)
    check(not [n for n in os.listdir(d) if n.endswith(".marker")], "nothing ran while scanning")
    # cut in half: what decompressed is scanned, the rest is an error
    for name in ("bz2.bin", "xz_noext", "model_lzma.sav", "gzip.joblib"):
        with open(os.path.join(d, name), "rb") as f:
            data = f.read()
        cut = os.path.join(d, "cut_" + name)
        with open(cut, "wb") as f:
            f.write(data[:len(data) // 2])
        reps, rc, err = fmt_scan_json(cut)
        eq(reps[cut]["verdict"], "error", "cut " + name)
        eq(rc, 2, "exit status of cut " + name)


STDLIB_GEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus",
                          "gen_stdlib.py")


@test
def formats_stdlib_data_holders_are_clean(t):
    """checkpoints that pickle argparse.Namespace (fairseq's args), types.SimpleNamespace,
    uuid.UUID and pathlib paths, written by pickle at protocols 2 to 5, are clean; their
    modules' other names used as gadgets (argparse.FileType opening a file,
    uuid._get_command_stdout running a command, pathlib.Path.touch through a dotted
    name), each proven live with pickle.load, are dangerous"""
    d, expect = proven_corpus(t, STDLIB_GEN)
    check(sum(1 for k in expect.values() if k == "benign") >= 20, "the benign files")
    paths = [os.path.join(d, n) for n in sorted(expect)]
    reps, rc, err = fmt_scan_json(*paths)
    eq(rc, 1, "exit status (dangerous files): %s" % err)
    want = {"filetype_gadget.pkl": "argparse.FileType",
            "uuid_gadget.pkl": "uuid._get_command_stdout",
            "path_touch_dotted.pkl": "pathlib.Path.touch"}
    for name, kind in sorted(expect.items()):
        rep = reps[os.path.join(d, name)]
        if kind == "payload":
            eq(rep["verdict"], "dangerous", name)
            check(want[name] in [f["global"] for f in rep["findings"]], name + ": its gadget")
        else:
            eq((rep["verdict"], rep["findings"]), ("clean", []), name)
    check(not [n for n in os.listdir(d) if n.endswith(".marker")], "nothing ran while scanning")
