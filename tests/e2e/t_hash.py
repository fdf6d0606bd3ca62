# tests/e2e/t_hash.py - SHA-256 of executed images ([hashing], src/enrich.c).
# Runs in run.py's namespace (see load_test_modules): T, one, match, ... are the harness's.
#
# Every program a test execs is a copy of /usr/bin/true under a name unique to
# the run (watch_commands selects only it), so the cache counters in the final
# stats count only this test's execs. The ELF loader ignores bytes after the
# last segment, so appended bytes give copies with other contents that still run.

import hashlib

TYPES["hash_update"] = 58
STATS_KEYS.add("hash")

HASH_STATS_KEYS = {"enabled", "cache_entries", "cache_max", "cache_hits", "cache_misses",
                   "cache_evictions", "jobs_queued", "jobs_dropped", "queue_depth", "held",
                   "held_full", "emitted_pending", "updates", "updates_dropped", "unavailable",
                   "skipped", "workers_prio_failed", "fd_jobs", "witnessed", "witness_refused"}
FANOTIFY_STATS_KEYS = {"enabled", "filesystems", "mark_failed", "events", "used", "released",
                       "expired", "ignored", "overflows", "fd_errors", "evicted", "lost", "held",
                       "held_max"}

with open("/usr/bin/true", "rb") as _f:
    TRUE_BYTES = _f.read()
with open("/usr/bin/sleep", "rb") as _f:
    SLEEP_BYTES = _f.read()      # hash: a dropped program that keeps running a while


def hash_name(tag):
    """a command name no other process on the host uses"""
    return "hx%d%s" % (os.getpid(), tag)


def hash_prog(t, name, trailer=b"", base=TRUE_BYTES):
    t.mkdir("bin")
    p = t.path("bin", name)
    with open(p, "wb") as f:
        f.write(base + trailer)
    os.chmod(p, 0o755)
    return p


def sha_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def hash_policy(pattern, extra=""):
    return ('[exec_monitor]\nenabled = true\nwatch_commands = ["%s"]\n'
            "[agent]\nstats_interval = 0\n[hashing]\n%s\n" % (pattern, extra))


def hash_stats(evs, **want):
    s = evs[-1]
    eq(set(s["hash"]), HASH_STATS_KEYS, "hash stats keys")
    match(s["hash"], want)
    return s["hash"]


def fan_stats(evs, **want):
    s = evs[-1]
    eq(set(s["fanotify"]), FANOTIFY_STATS_KEYS, "fanotify stats keys")
    match(s["fanotify"], want)
    return s["fanotify"]


def run_prog(t, prog):
    name = os.path.basename(prog)
    return t.helper(["exec", prog, 1, name])


@test
def hash_exec_digest_rewrite_and_cache(t):
    """exact sha256 on exec; a second exec is a cache hit; rewrites give the new digest"""
    name = hash_name("r")
    prog = hash_prog(t, name, b"\0" * 16 + b"v1")
    lt = t.ltrack([], policy=hash_policy(name, "wait_ms = 5000"))
    want = [sha_of(prog)]
    hs = [run_prog(t, prog)]
    lt.wait_event(pid=hs[0].pid, event_name="exec")
    hs.append(run_prog(t, prog))                       # unchanged: from the cache
    lt.wait_event(pid=hs[1].pid, event_name="exec")
    inode = os.stat(prog).st_ino
    with open(prog, "r+b") as f:                       # same size, same inode, new content
        f.seek(-2, os.SEEK_END)
        f.write(b"v2")
    eq(os.stat(prog).st_ino, inode, "rewritten in place")
    want.append(sha_of(prog))
    hs.append(run_prog(t, prog))
    lt.wait_event(pid=hs[2].pid, event_name="exec")
    with open(prog, "ab") as f:                        # longer
        f.write(b"v3")
    want.append(sha_of(prog))
    hs.append(run_prog(t, prog))
    lt.wait_event(pid=hs[3].pid, event_name="exec")   # done before the SIGINT
    evs = lt.stop()
    check(len(set(want)) == 3, "three different contents")
    for h, digest in zip(hs, [want[0], want[0], want[1], want[2]]):
        mine = select(evs, pid=h.pid)
        eq([e["event_name"] for e in mine], ["exec", "exit"], "events of pid %d" % h.pid)
        match(mine[0], dict(ident(h, comm=name, exe=prog), event_name="exec", filename=prog,
                            sha256=digest, hash_state="ok", hash_error=MISSING, **ino(prog)))
    none(evs, event_name="hash_update")
    hash_stats(evs, enabled=True, cache_hits=1, cache_misses=3, cache_entries=3,
               cache_evictions=0, jobs_queued=3, jobs_dropped=0, unavailable=0, skipped=0,
               emitted_pending=0, updates=0, held=0, held_full=0, queue_depth=0)


@test
def hash_pending_then_update(t):
    """wait_ms = 0: the exec goes out at once, pending; a hash_update carries the digest"""
    name = hash_name("p")
    prog = hash_prog(t, name)
    lt = t.ltrack([], policy=hash_policy(name, "wait_ms = 0"))
    h = run_prog(t, prog)
    u = lt.wait_event(pid=h.pid, event_name="hash_update")
    h2 = run_prog(t, prog)                             # now cached: ok at once, no update
    lt.wait_event(pid=h2.pid, event_name="exec")
    evs = lt.stop()
    e = one(evs, pid=h.pid, event_name="exec")
    match(e, {"filename": prog, "sha256": None, "hash_state": "pending",
              "hash_error": MISSING})
    check(u["seq"] > e["seq"], "the update follows the event")
    match(u, dict(ident(h, comm=name, exe=prog), event_name="hash_update", event_type=58,
                  filename=prog, ref_seq=e["seq"], ref_event_name="exec", sha256=sha_of(prog),
                  hash_state="ok", **ino(prog)), exact=True)
    eq(u["exec_id"], e["exec_id"], "exec_id of the update")
    eq({k: u[k] for k in CTX_KEYS}, {k: e[k] for k in CTX_KEYS}, "context of the update")
    eq(one(evs, pid=h.pid, event_name="hash_update")["seq"], u["seq"], "one update")
    match(one(evs, pid=h2.pid, event_name="exec"), {"sha256": sha_of(prog), "hash_state": "ok"})
    none(evs, event_name="hash_update", pid=h2.pid)
    hash_stats(evs, cache_hits=1, cache_misses=1, emitted_pending=1, updates=1,
               updates_dropped=0, jobs_queued=1)


@test
def hash_unavailable_when_changed_or_gone(t):
    """the file changed or vanished before it was hashed: unavailable, never a digest"""
    pre = hash_name("u")
    progs = {k: hash_prog(t, pre + k) for k in ("a", "b", "c")}
    lt = t.ltrack([], policy=hash_policy(pre + "*", "wait_ms = 5000"))
    old = {k: sha_of(p) for k, p in progs.items()}
    # ltrack stopped: the exec records wait in the ring while the files change
    os.kill(lt.pid, signal.SIGSTOP)
    try:
        hs = {k: run_prog(t, p) for k, p in progs.items()}
        os.utime(progs["a"], ns=(10**18, 10**18))      # same bytes, other times
        os.unlink(progs["b"])                          # gone: no process, no name
        with open(progs["c"], "r+b") as f:             # rewritten in place, same size
            f.seek(-1, os.SEEK_END)
            f.write(b"\x01")
    finally:
        os.kill(lt.pid, signal.SIGCONT)
    # the exec events come out once their workers are done (a SIGINT now would
    # write them "pending")
    for h in hs.values():
        lt.wait_event(pid=h.pid, event_name="exec")
    evs = lt.stop()
    # b: fanotify holds the deleted file, but its exec ended before anyone could vouch
    # that nothing wrote it since (see hash_rewrite_after_exit_never_ok): "changed"
    for k, why in (("a", "changed"), ("b", "changed"), ("c", "changed")):
        e = one(evs, pid=hs[k].pid, event_name="exec")
        match(e, {"filename": progs[k], "sha256": None, "hash_state": "unavailable",
                  "hash_error": why})
    for e in evs:
        check(e.get("sha256") not in set(old.values()) | {sha_of(progs["c"])},
              "a digest of a changed file: %s" % json.dumps(e))
    none(evs, event_name="hash_update")
    hash_stats(evs, unavailable=3, cache_entries=0, jobs_queued=3)


@test
def hash_skipped_over_max_file_mb(t):
    """a file larger than max_file_mb is not read: skipped, too_large"""
    name = hash_name("s")
    prog = hash_prog(t, name, b"\0" * (2 << 20))
    lt = t.ltrack([], policy=hash_policy(name, "max_file_mb = 1"))
    h = run_prog(t, prog)
    evs = lt.stop()
    match(one(evs, pid=h.pid, event_name="exec"),
          {"filename": prog, "sha256": None, "hash_state": "skipped", "hash_error": "too_large"})
    hash_stats(evs, skipped=1, jobs_queued=0, cache_misses=0)


@test
def hash_holds_only_its_process(t):
    """a process's exit waits behind its exec being hashed; other processes do not"""
    name = hash_name("o")
    prog = hash_prog(t, name, b"\0" * (128 << 20))     # long enough to hash for a while
    w = t.mkdir("w")
    lt = t.ltrack(["--watch", "mkdir=" + w], policy=hash_policy(name, "wait_ms = 10000"))
    h = run_prog(t, prog)
    h2 = t.helper(["mkdir", w + "/d", 0o755])
    lt.wait_event(timeout=30, pid=h.pid, event_name="exit")
    evs = lt.stop()
    mine = select(evs, pid=h.pid)
    eq([e["event_name"] for e in mine], ["exec", "exit"], "exec, then its exit")
    match(mine[0], {"sha256": sha_of(prog), "hash_state": "ok"})
    d = one(evs, pid=h2.pid, event_name="mkdir")
    check(d["seq"] < mine[0]["seq"],
          "the mkdir of another process was not held behind the exec being hashed")


@test
def hash_off(t):
    """[hashing] enabled = false, or only --watch: no hash fields, no workers"""
    name = hash_name("n")
    prog = hash_prog(t, name)
    lt = t.ltrack([], policy=hash_policy(name, "enabled = false"))
    h = run_prog(t, prog)
    evs = lt.stop()
    e = one(evs, pid=h.pid, event_name="exec")
    match(e, {"sha256": MISSING, "hash_state": MISSING, "hash_error": MISSING})
    hash_stats(evs, enabled=False, cache_max=0, jobs_queued=0)
    w = t.mkdir("w")
    lt2 = t.ltrack(["--watch", "mkdir=" + w])
    evs = lt2.stop()
    hash_stats(evs, enabled=False)
    check("hashing:" not in lt2.stderr(), "no hashing workers without a policy")


@test
def hash_bad_policy_values(t):
    """[hashing] values are checked: exit 2 with FILE:LINE:COL"""
    cases = [
        ("[hashing]\nwait_ms = -1\n", "policy.toml:2:11: [hashing] wait_ms: -1 is out of range"),
        ("[hashing]\n\nworkers = 0\n", "policy.toml:3:11: [hashing] workers: 0 is out of range"),
        ("[hashing]\ncache_entries = 0\n", "policy.toml:2:17: [hashing] cache_entries: 0 is out"),
        ('[hashing]\nmax_file_mb = "big"\n',
         "policy.toml:2:15: [hashing] max_file_mb must be an integer"),
        ("[hashing]\nenabled = 1\n", "policy.toml:2:11: [hashing] enabled must be a boolean"),
        ("[hashing]\nwait = 5\n", "policy.toml:2:1: unknown key 'wait' in [hashing]"),
    ]
    for text, want in cases:
        t.write("policy.toml", text)
        rc, out, err = run_ltrack_cli(t, ["--check", "--config", "policy.toml"])
        eq(rc, 2, "exit status for %r" % text)
        check(("ltrack: " + want) in err, "stderr for %r: %r lacks %r" % (text, err, want))
    t.write("policy.toml", "[hashing]\nenabled = true\nwait_ms = 0\ncache_entries = 1\n"
            "workers = 64\nmax_file_mb = 1048576\n")
    rc, out, err = run_ltrack_cli(t, ["--check", "--config", "policy.toml"])
    eq(rc, 0, "exit status of a good [hashing]: %s" % err)


@test
def hash_text_format(t):
    """text lines: sha256=pending on the exec, then hash_update(..., sha256=DIGEST)"""
    name = hash_name("t")
    prog = hash_prog(t, name)
    lt = t.ltrack(["--format", "text"], text=True, policy=hash_policy(name, "wait_ms = 0"))
    h = run_prog(t, prog)

    def lines():
        with open(lt.out) as f:
            return f.read().splitlines()

    deadline = time.monotonic() + 20
    while not any("hash_update(" in l for l in lines()):
        check(time.monotonic() < deadline, "no hash_update line in 20 s:\n" + "\n".join(lines()))
        check(lt.alive(), "ltrack exited")
        time.sleep(0.01)
    h2 = run_prog(t, prog)
    lt.stop()
    digest = sha_of(prog)
    mine = [l.split(" ", 1)[1] for l in lines() if ('"%s"[%d] ' % (name, h.pid)) in l]
    # the exit and the update race (the update is not held): exec first, then both
    eq(mine[0], '"%s"[%d] exec("%s", ["%s"], cwd="%s", sha256=pending)' % (
        name, h.pid, prog, name, t.dir), "the exec line")
    eq(sorted(mine[1:]), sorted(['"%s"[%d] exit(code=0)' % (name, h.pid),
                                 '"%s"[%d] hash_update("%s", ref_seq=1, sha256=%s)' % (
                                     name, h.pid, prog, digest)]), "exit and update lines")
    mine2 = [l.split(" ", 1)[1] for l in lines() if ('"%s"[%d] ' % (name, h2.pid)) in l]
    eq(mine2[0], '"%s"[%d] exec("%s", ["%s"], cwd="%s", sha256=%s)' % (
        name, h2.pid, prog, name, t.dir, digest), "the cached exec's line")


# ---- hash: the dropper pattern (fanotify's descriptors, src/fanexec.h) -----------------

def run_dropper(t, how, prog, other, args):
    """
    the helper vforks; the child execs @prog; the moment vfork returns the
    parent renames @other over @prog (how="rename") or unlinks it ("unlink").
    Returns the helper, the ns between the exec and the replacement, the child's pid.
    """
    name = os.path.basename(prog)
    h = t.helper(["dropper", how, prog, other or "-", len(args) + 1, name] + list(args))
    return h, h.results[-2], h.results[-1]


def dropper_case(t, how, tag):
    """
    the dropper pattern with copies of sleep (0.3 s): the exec has the digest
    of what ran. A replacement later than 1 ms after the exec (a loaded host)
    is not the case under test: another copy is tried, at most 3 in all.
    """
    name = hash_name(tag)
    lt = t.ltrack([], policy=hash_policy(name + "*", "wait_ms = 5000"))
    runs = []
    for i in range(3):
        prog = hash_prog(t, "%s%d" % (name, i), b"\0" * 16 + b"dropped %s %d" % (tag.encode(), i),
                         base=SLEEP_BYTES)
        other = None
        if how == "rename":
            other = hash_prog(t, "%s%dx" % (name, i), b"decoy")
        want, st = sha_of(prog), ino(prog)
        h, elapsed, pid = run_dropper(t, how, prog, other, ["0.3"])
        if how == "rename":
            check(sha_of(prog) != want, "another file is at the path now")
        else:
            check(not os.path.exists(prog), "the file is gone")
        runs.append((h, pid, prog, want, st, elapsed))
        if elapsed < 1000000:
            break
    check(runs[-1][5] < 1000000, "never replaced within 1 ms of the exec: %r" %
          [r[5] for r in runs])
    for h, pid, _, _, _, _ in runs:
        lt.wait_event(timeout=20, pid=pid, event_name="exit")
    evs = lt.stop()
    for h, pid, prog, want, st, _ in runs:
        name = os.path.basename(prog)
        mine = [e for e in select(evs, pid=pid) if e["event_name"] != "lib_load"]
        eq([e["event_name"] for e in mine], ["exec", "exit"], "events of pid %d" % pid)
        match(mine[0], dict(pid=pid, tid=pid, ppid=h.pid, comm=name, exe=prog, filename=prog,
                            argv=[name, "0.3"], sha256=want, hash_state="ok",
                            hash_error=MISSING, **st))
    none(evs, event_name="hash_update")
    s = hash_stats(evs, unavailable=0, jobs_dropped=0, witness_refused=0)
    check(s["fd_jobs"] >= len(runs), "exec images read through fanotify's descriptor: %r" % s)
    f = fan_stats(evs, enabled=True, lost=0, overflows=0, fd_errors=0, evicted=0)
    check(f["filesystems"] >= 1 and f["events"] >= 1 and f["used"] >= len(runs),
          "fanotify %r" % f)


@test
def hash_dropper_rename_over(t):
    """exec a file, rename another over it within 1 ms: the exec has the digest of what ran"""
    dropper_case(t, "rename", "dr")


@test
def hash_dropper_unlink(t):
    """exec a file, unlink it within 1 ms: the exec has the digest of what ran"""
    dropper_case(t, "unlink", "du")


@test
def hash_dropper_short_lived_never_wrong(t):
    """
    an image that ends within a millisecond and is renamed over: its digest
    when ltrack could still see it run, else unavailable; never another file's
    """
    name = hash_name("ds")
    lt = t.ltrack([], policy=hash_policy(name + "*", "wait_ms = 5000"))
    runs = []
    for i in range(5):
        prog = hash_prog(t, "%s%d" % (name, i), b"short %d" % i)
        other = hash_prog(t, "%s%dx" % (name, i), b"decoy %d" % i)
        want, bad = sha_of(prog), sha_of(other)
        h, elapsed, pid = run_dropper(t, "rename", prog, other, [])
        runs.append((pid, prog, want, bad))
    for pid, _, _, _ in runs:
        lt.wait_event(timeout=20, pid=pid, event_name="exit")
    evs = lt.stop()
    for pid, prog, want, bad in runs:
        e = one(evs, pid=pid, event_name="exec")
        check((e["hash_state"], e["sha256"]) in (("ok", want), ("unavailable", None)),
              "exec of %s: %s" % (prog, json.dumps(e)))
        if e["hash_state"] != "ok":
            eq(e["hash_error"], "changed", "why")
        for u in select(evs, pid=pid, event_name="hash_update"):
            check(u["sha256"] in (want, None), "update %s" % json.dumps(u))
    fan_stats(evs, enabled=True, lost=0)


@test
def hash_rewrite_after_exit_never_ok(t):
    """
    new content written after the exec's process ended, mtime put back with
    utimes (then the file unlinked, or not): the exec never gets its digest
    """
    pre = hash_name("w")
    progs = {k: hash_prog(t, pre + k, b"\0" * 8 + b"evil " + k.encode()) for k in ("a", "b")}
    lt = t.ltrack([], policy=hash_policy(pre + "*", "wait_ms = 5000"))
    evil = {k: sha_of(p) for k, p in progs.items()}
    benign = {}
    # ltrack stopped: fanotify's events and the exec records wait while the files change
    os.kill(lt.pid, signal.SIGSTOP)
    try:
        hs = {k: run_prog(t, p) for k, p in progs.items()}
        for k, p in progs.items():
            st = os.stat(p)
            with open(p, "r+b") as f:                  # same size, new bytes
                f.seek(-6, os.SEEK_END)
                f.write(b"benign")
            os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
            eq(os.stat(p).st_mtime_ns, st.st_mtime_ns, "mtime put back")
            benign[k] = sha_of(p)
        os.unlink(progs["b"])
    finally:
        os.kill(lt.pid, signal.SIGCONT)
    for h in hs.values():
        lt.wait_event(timeout=20, pid=h.pid, event_name="exec")
    evs = lt.stop()
    for k, h in hs.items():
        e = one(evs, pid=h.pid, event_name="exec")
        match(e, {"filename": progs[k], "sha256": None, "hash_state": "unavailable",
                  "hash_error": "changed"})
    for e in evs:
        check(e.get("sha256") not in set(benign.values()) | set(evil.values()),
              "a digest for a rewritten file: %s" % json.dumps(e))
    s = hash_stats(evs, unavailable=2)
    check(s["witness_refused"] >= 1, "no witness for an ended process: %r" % s)


@test
def hash_fanotify_off(t):
    """[hashing] fanotify = false: no descriptors, reported so; execs hashed as before"""
    name = hash_name("f")
    prog = hash_prog(t, name, b"off")
    lt = t.ltrack([], policy=hash_policy(name, "wait_ms = 5000\nfanotify = false"))
    h = run_prog(t, prog)
    evs = lt.stop()
    match(one(evs, pid=h.pid, event_name="exec"), {"sha256": sha_of(prog), "hash_state": "ok"})
    hash_stats(evs, fd_jobs=0, witnessed=0, witness_refused=0)
    fan_stats(evs, enabled=False, filesystems=0, events=0, lost=0, held=0, held_max=0)
    check("exec images through fanotify" not in lt.stderr(), "no fanotify without the key")
