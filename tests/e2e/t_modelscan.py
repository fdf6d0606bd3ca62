# SPDX-License-Identifier: MIT
"""
t_modelscan.py - the scanner's verdict on model_load (src/model/modelscan.c), the
scan_update that follows a verdict slower than [model_monitor] scan_wait_ms,
the inventory the agent keeps, and a malicious PyTorch file loaded by real
torch: its model_load says dangerous and names the global, and the shell
its pickle spawns is an exec whose ancestry leads back to the loading
python. Runs in run.py's namespace after t_model.py (MODEL_PY, torch_save,
model_sha, model_fields, model_py, model_evs).
"""

TYPES.update({"scan_update": 59})

EVIL_PT = r"""
import os, sys, torch
class Payload:
    def __reduce__(self):
        return (os.system, (sys.argv[2],))
torch.save({"weights": torch.zeros(2), "x": Payload()}, sys.argv[1])
"""

SCAN_POLICY = """
[exec_monitor]
enabled = true
ancestors = 3
[agent]
stats_interval = 0
[hashing]
wait_ms = %(hash_wait)d
[model_monitor]
enabled = true
inventory_file = "%(dir)s/models.json"
control_socket = "%(dir)s/control.sock"
%(extra)s
""" + SECURITY_OFF + LIB_OFF


def scan_policy(t, extra="", hash_wait=5000):
    return SCAN_POLICY % {"dir": t.dir, "extra": extra, "hash_wait": hash_wait}


def evil_pt(t, name, cmd):
    path = t.path(name)
    subprocess.run([MODEL_PY, "-c", EVIL_PT, path, cmd], check=True)
    return path


@test
def modelscan_malicious_torch_load(t):
    """a .pt whose pickle runs os.system: scan says dangerous; torch.load's model_load too; the shell's ancestry is python"""
    marker = t.path("pwned")
    m = evil_pt(t, "evil.pt", "echo pwned > " + marker)
    # the CLI first: exit 1, the global named
    p = subprocess.run([LTRACK, "scan", "--format", "json", m], stdout=subprocess.PIPE)
    eq(p.returncode, 1, "ltrack scan exit status (dangerous)")
    rep = json.loads(p.stdout)
    match(rep, {"path": m, "verdict": "dangerous", "format": "pytorch-zip"})
    eq([(f["severity"], f["global"], f["member"]) for f in rep["findings"]],
       [("dangerous", "posix.system", "evil/data.pkl")], "findings of ltrack scan")

    lt = t.ltrack([], policy=scan_policy(t))
    pid, _ = model_py("import torch,sys\ntorch.load(sys.argv[1])\n", m)
    check(os.path.exists(marker), "the payload ran (torch.load is not weights_only here)")
    lt.wait_event(event_name="model_access", pid=pid, filename=m)
    evs = lt.stop()
    loads = model_evs(evs, "model_load", m)
    eq(len(loads), 1, "model_load events of %s" % m)
    want = model_fields(m)
    want.update({"pid": pid, "comm": "python3", "format": "pytorch-zip"})
    match(loads[0], want)
    scan = loads[0]["scan"]
    match(scan, {"verdict": "dangerous", "format": "pytorch-zip", "incomplete": False,
                 "size": want["size"]})
    eq([(f["severity"], f["global"], f["member"]) for f in scan["findings"]],
       [("dangerous", "posix.system", "evil/data.pkl")], "findings in model_load")
    eq(scan["findings"][0]["offset"], rep["findings"][0]["offset"], "same offset as ltrack scan")
    # os.system -> sh -c "echo pwned > ..." whose parent is the loading python
    sh = [e for e in evs if e["event_name"] == "exec" and e["ppid"] == pid and
          e.get("argv", [])[:2] == ["sh", "-c"]]
    eq(len(sh), 1, "the payload's shell exec")
    eq(sh[0]["argv"], ["sh", "-c", "echo pwned > " + marker], "its argv")
    eq(sh[0]["ancestors"][0]["pid"], pid, "its first ancestor is the loading python")
    eq(sh[0]["ancestors"][0]["exe"], os.path.realpath(MODEL_PY), "that ancestor's image")
    # no model_load from ltrack's own scan workers
    eq([e for e in evs if e["event_name"] == "model_load" and e["pid"] != pid
        and e.get("filename") == m], [], "model_load by other processes (scan workers)")


@test
def modelscan_verdict_cache_and_inventory(t):
    """clean verdict; a second process hits the cache; the inventory lists the model with its verdict, also after a restart"""
    m = t.path("net.pt")
    torch_save(m)
    pol = scan_policy(t)
    lt = t.ltrack([], policy=pol)
    p1, _ = model_py("import torch,sys\ntorch.load(sys.argv[1])\n", m)
    p2, _ = model_py("import torch,sys\ntorch.load(sys.argv[1])\n", m)
    lt.wait_event(event_name="model_access", pid=p2, filename=m)
    out = subprocess.run([LTRACK, "models", "--format", "json", "--socket",
                          t.path("control.sock")], stdout=subprocess.PIPE, check=True).stdout
    evs = lt.stop()
    loads = model_evs(evs, "model_load", m)
    eq([e["pid"] for e in loads], [p1, p2], "model_load pids")
    for e in loads:
        eq(e["scan"]["verdict"], "clean", "verdict of a real torch.save")
        eq(e["scan"]["findings"], [], "findings")
    stats = [e for e in evs if e["event_name"] == "stats" and e.get("final")]
    eq(len(stats), 1, "final stats")
    match(stats[0]["scan"], {"enabled": True, "submitted": 1, "cache_hits": 1, "verdicts": 1,
                             "refused": 0, "emitted_pending": 0, "updates": 0})
    sha = model_sha(m)
    inv = [x for x in json.loads(out) if x["path"] == m]
    eq(len(inv), 1, "inventory entries for the model")
    match(inv[0], {"sha256": sha, "format": "pytorch-zip", "verdict": "clean", "load_count": 2})
    eq(sorted(x["pid"] for x in inv[0]["loaders"]), sorted([p1, p2]), "loaders")
    # restarted, the agent still knows it (its inventory file)
    lt = t.ltrack([], policy=pol)
    out = subprocess.run([LTRACK, "models", "--format", "json", "--socket",
                          t.path("control.sock")], stdout=subprocess.PIPE, check=True).stdout
    lt.stop()
    inv2 = [x for x in json.loads(out) if x["path"] == m]
    eq([(x["sha256"], x["verdict"], x["load_count"]) for x in inv2], [(sha, "clean", 2)],
       "inventory after a restart")


@test
def modelscan_pending_then_scan_update(t):
    """scan_wait_ms = 0 (and no wait for the digest): model_load goes out with verdict pending, a scan_update follows"""
    m = evil_pt(t, "late.pt", "true")
    lt = t.ltrack([], policy=scan_policy(t, "scan_wait_ms = 0", hash_wait=0))
    pid, _ = model_py("import torch,sys\ntorch.load(sys.argv[1])\n", m)
    lt.wait_event(event_name="scan_update", filename=m)
    evs = lt.stop()
    loads = model_evs(evs, "model_load", m)
    eq(len(loads), 1, "model_load events")
    eq(loads[0]["scan"], {"verdict": "pending"}, "verdict at load time")
    ups = [e for e in evs if e["event_name"] == "scan_update"]
    eq(len(ups), 1, "scan_update events")
    st = os.stat(m)
    match(ups[0], {"pid": pid, "filename": m, "inode": st.st_ino, "ref_seq": loads[0]["seq"],
                   "ref_event_name": "model_load", "event_type": 59})
    eq(ups[0]["scan"]["verdict"], "dangerous", "verdict in the update")
    eq([f["global"] for f in ups[0]["scan"]["findings"]], ["posix.system"], "global named")
    check(ups[0]["seq"] > loads[0]["seq"], "the update comes after its model_load")


@test
def modelscan_no_downgrade(t):
    """security review 2a/2b through the agent: a member cut short beside the payload, seven decoys of 8 M opcodes ahead of it: dangerous, the payload named"""
    corpus, expect = formats_corpus()
    lt = t.ltrack([], policy=scan_policy(t, "scan_wait_ms = 0", hash_wait=0))
    paths = {}
    for name in ("errmask.pt", "hide.pt"):
        eq(expect[name], ["dangerous", "pytorch-zip"], "the corpus's expectation for " + name)
        m = paths[name] = t.path(name)
        shutil.copyfile(os.path.join(corpus, name), m)
        subprocess.run(["cat", m], stdout=subprocess.DEVNULL, check=True)
    for m in paths.values():
        lt.wait_event(event_name="scan_update", filename=m, timeout=30.0)
    evs = lt.stop()
    for name, m in paths.items():
        ups = [e for e in evs if e["event_name"] == "scan_update" and e["filename"] == m]
        eq(len(ups), 1, "scan_update events of " + name)
        scan = ups[0]["scan"]
        eq(scan["verdict"], "dangerous", name + ": verdict")
        eq(scan["incomplete"], False, name + ": incomplete")
        eq([(f["global"], f["member"]) for f in scan["findings"] if f["severity"] == "dangerous"],
           [("posix.system", "x/data.pkl")], name + ": the payload found")
    eq(ups[0]["scan"]["pickles"], 8, "hide.pt: every member interpreted")
    errm = [e for e in evs if e["event_name"] == "scan_update" and e["filename"] == paths["errmask.pt"]]
    eq(errm[0]["scan"]["error"], "pickle at offset 3: data ends without STOP", "errmask.pt: the error kept beside the verdict")


def slow_pickle(iters):
    """os.system at the start, then @iters STACK_GLOBALs of a 241-byte dotted name (about 1 us each)"""
    def su(s):
        return b"\x8c" + bytes([len(s)]) + s.encode()
    dotted = "".join("." if i % 11 == 10 else chr(ord("a") + i % 11) for i in range(241))
    return (b"\x80\x04" + su("os") + b"\x94" + su("system") + b"\x94\x93" + su("true") + b"\x85R0" +
            su(dotted) + b"\x94" + b"h\x00h\x02\x930" * iters + b"N.")


@test
def modelscan_one_user_cannot_starve_another(t):
    """security review 3 as run: uid 4242 loads one slow model 300 times and twelve slow copies; root then loads a dangerous model: its model_load carries the verdict, not pending, and the 300 loads of one file are one scan"""
    in_shared_dir(t, "ltrack-starve-", starve)


def in_shared_dir(t, prefix, body):
    """body(t, d) in a directory other uids can read (the test directory's parents are root's alone)"""
    d = tempfile.mkdtemp(prefix=prefix)
    try:
        os.chmod(d, 0o755)
        body(t, d)
    finally:
        shutil.rmtree(d)


def starve(t, d):
    slow = slow_pickle(1500000)
    names = ["bomb.pkl"] + ["copy%d.pkl" % i for i in range(12)]
    for n in names:
        with open(os.path.join(d, n), "wb") as f:
            f.write(slow)
        os.chmod(os.path.join(d, n), 0o644)
    victim = os.path.join(d, "victim.pkl")
    with open(victim, "wb") as f:
        f.write(b"\x80\x02cposix\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03.")
    lt = t.ltrack([], policy=scan_policy(t, "scan_wait_ms = 5000"))
    script = ("cd %s; for i in $(seq 300); do head -c1 bomb.pkl >/dev/null; done; "
              "for i in $(seq 0 11); do head -c1 copy$i.pkl >/dev/null; done" % d)
    subprocess.run(["setpriv", "--reuid=4242", "--regid=4242", "--clear-groups", "sh", "-c", script],
                   check=True, timeout=120 * TIME_SCALE)
    subprocess.run(["cat", victim], stdout=subprocess.DEVNULL, check=True)
    lt.wait_event(event_name="model_load", filename=victim, timeout=30.0)
    evs = lt.stop()
    loads = model_evs(evs, "model_load", victim)
    eq(len(loads), 1, "model_load events of the victim")
    eq(loads[0]["uid"], 0, "the victim's loader")
    eq(loads[0]["scan"]["verdict"], "dangerous", "the victim's verdict, in its model_load")
    bomb = model_evs(evs, "model_load", os.path.join(d, "bomb.pkl"))
    eq(len(bomb), 300, "model_load events of the bomb")
    eq(set(e["uid"] for e in bomb), {4242}, "their loader")
    sc = [e for e in evs if e["event_name"] == "stats"][-1]["scan"]
    check(sc["workers"] >= 2, "at least two scan workers: %s" % sc)
    check(sc["joined"] + sc["cache_hits"] >= 299,
          "299 of the bomb's loads joined its one scan or its cached verdict: %s" % sc)
    check(sc["submitted"] <= 14, "one scan per distinct file (bomb, 12 copies, victim): %s" % sc)


TOCTOU_PY = r"""
import os, sys, time
d, benign = sys.argv[1], bytes.fromhex(sys.argv[2])
with open(d + "/slow.pkl", "rb") as f:      # the user's own slow load: its worker is busy
    f.read(1)
w = os.open(d + "/evil.pkl", os.O_WRONLY)  # opened for writing before the load
with open(d + "/evil.pkl", "rb") as f:      # the load
    f.read()
time.sleep(0.3)
os.pwrite(w, benign, 0)                     # benign bytes of the same length, after the load
os.close(w)
"""


@test
def modelscan_rewrite_after_load(t):
    """security review 1 as run: a writer opens the model before the load, the load reads it, 300 ms later the writer puts benign bytes of the same length over it: the model_load says writers_at_load, the verdict is never clean, and a model_modified follows"""
    in_shared_dir(t, "ltrack-toctou-", rewrite_after_load)


def rewrite_after_load(t, d):
    evil = b"\x80\x02cposix\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03."
    benign = (b"\x80\x02}q\x00X\x01\x00\x00\x00aq\x01K\x01s.").ljust(len(evil), b"\x00")
    for name, data in (("slow.pkl", slow_pickle(1500000)), ("evil.pkl", evil)):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        os.chown(os.path.join(d, name), 4242, 4242)
    m = os.path.join(d, "evil.pkl")
    lt = t.ltrack([], policy=scan_policy(t, "scan_wait_ms = 5000"))
    subprocess.run(["setpriv", "--reuid=4242", "--regid=4242", "--clear-groups", MODEL_PY, "-c",
                    TOCTOU_PY, d, benign.hex()], check=True, timeout=60 * TIME_SCALE)
    lt.wait_event(event_name="model_modified", filename=m, timeout=30.0)
    evs = lt.stop()
    loads = model_evs(evs, "model_load", m)
    eq(len(loads), 1, "model_load events of the model")
    eq(loads[0].get("writers_at_load"), True, "writers_at_load")
    verdict = loads[0]["scan"]["verdict"]
    if verdict == "pending":
        ups = [e for e in evs if e["event_name"] == "scan_update" and e["filename"] == m]
        eq(len(ups), 1, "its scan_update")
        verdict = ups[0]["scan"]["verdict"]
        scan = ups[0]["scan"]
    else:
        scan = loads[0]["scan"]
    # dangerous when scanned before the write; suspicious ("changed during the scan") after it
    check(verdict in ("dangerous", "suspicious"), "verdict %r, never clean: %s" % (verdict, scan))
    if verdict == "suspicious":
        eq(scan["error"], "changed during the scan", "why")
    mods = model_evs(evs, "model_modified", m)
    eq(len(mods), 1, "model_modified events")
    match(mods[0], {"writer": False, "size": len(evil)})
    check(mods[0]["mtime"] != loads[0]["mtime"], "the new mtime in model_modified")
