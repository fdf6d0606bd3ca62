# SPDX-License-Identifier: MIT
"""
t_lib.py - library loads (lib): lib_load and dlopen events. Runs in
run.py's namespace (see load_test_modules there).

A tiny shared library and a loader program (lib-hack.c, lib-loader.c) are
built by make beside the helper and copied once per run into the run's
directory. The loader waits for a byte on
stdin before it acts and for another before it exits, so the test reads its
/proc/PID/maps and auxv while the mappings exist and compares them with the
events exactly.
"""

import struct as _struct

TYPES.update({"lib_load": 56, "dlopen": 57})

LIB_POLICY = """
[exec_monitor]
enabled = false
[library_monitor]
"""

NR_MMAP, NR_MPROTECT, NR_EXECVE = 9, 10, 59
RTLD_LAZY, RTLD_NOW, RTLD_GLOBAL = 1, 2, 0x100
PAGE = 4096


_built = {}


def lib_build(t):
    """the loader (lib-loader.c) and libhack.so (lib-hack.c), as make built them
    beside the helper (build/tests/lt-loader, build/tests/libhack.so), copied once
    per run under the run's directory (a path no trusted directory contains)"""
    if not _built:
        d = os.path.join(os.path.dirname(t.dir), "lib-build")
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o755)
        for name in ("lt-loader", "libhack.so"):
            src = os.path.join(os.path.dirname(HELPER), name)
            if not os.access(src, os.X_OK):
                fail("%s is missing: make builds it" % src)
            shutil.copy2(src, os.path.join(d, name))
        _built["loader"] = os.path.join(d, "lt-loader")
        _built["lib"] = os.path.join(d, "libhack.so")
    return _built["loader"], _built["lib"]


class Loader:
    """one run of the loader program; go() runs its ops, end() lets it exit"""

    def __init__(self, t, ops, env=None):
        self.exe, _ = lib_build(t)
        self.nops = len(ops)
        self.p = subprocess.Popen([self.exe] + ops, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=t.dir,
                                  env=env)
        t.procs.append(self.p)
        self.pid = self.p.pid
        self.loginuid = proc_loginuid(self.pid)
        self.start_ns = proc_start_ns(self.pid)
        self.results = []

    def go(self):
        self.p.stdin.write(b"g")
        self.p.stdin.flush()
        for _ in range(self.nops):
            line = self.p.stdout.readline()
            if not line:
                fail("loader exited early: %s" % self.p.stderr.read().decode(errors="replace"))
            self.results.append([int(x) for x in line.split()])
        return self

    def maps(self):
        """(start, end, perms, path) of each mapping, while the loader runs"""
        out = []
        with open("/proc/%d/maps" % self.pid) as f:
            for line in f:
                parts = line.split(None, 5)
                lo, hi = (int(x, 16) for x in parts[0].split("-"))
                out.append((lo, hi, parts[1], parts[5].strip() if len(parts) > 5 else ""))
        return out

    def at_base(self):
        with open("/proc/%d/auxv" % self.pid, "rb") as f:
            data = f.read()
        for i in range(0, len(data) - 15, 16):
            k, v = _struct.unpack("<QQ", data[i:i + 16])
            if k == 7:
                return v
        return 0

    def end(self):
        self.p.stdin.write(b"g")
        self.p.stdin.close()
        self.p.stdin = None
        self.p.communicate(timeout=30)
        eq(self.p.returncode, 0, "loader exit status")


def lident(ld):
    return {"pid": ld.pid, "tid": ld.pid, "ppid": RUNNER_PID, "uid": 0, "gid": 0, "euid": 0,
            "loginuid": ld.loginuid, "comm": "lt-loader", "exe": ld.exe}


def file_fields(path):
    st = os.stat(path)
    return {"filename": path, "path_exact": True,
            "dev": "%d:%d" % (os.major(st.st_dev), os.minor(st.st_dev)),
            "inode": st.st_ino, "size": st.st_size}


def exec_mapping(ld, path):
    """the one executable mapping of @path in the loader"""
    got = [m for m in ld.maps() if m[3] == path and "x" in m[2]]
    eq(len(got), 1, "executable mappings of %s in the loader" % path)
    return got[0]


def lib_load_want(ld, path, lo, hi, prot, source, untrusted, nr, ret):
    d = dict(lident(ld), event_name="lib_load", event_type=56, syscall_nr=nr, ret_code=ret,
             vm_start=lo, vm_end=hi, prot=prot, source=source, untrusted=untrusted)
    d.update(file_fields(path))
    return d


def dlopen_want(ld, name, flags, failed, flags_str):
    return dict(lident(ld), event_name="dlopen", event_type=57, filename=name, flags=flags,
                flags_str=flags_str, failed=failed, syscall_nr=MISSING, ret_code=MISSING)


@test
def lib_dlopen_untrusted(t):
    """dlopen of a library in /tmp: lib_load (exact path, identity, mapping) untrusted, and dlopen"""
    _, lib = lib_build(t)
    lt = t.ltrack([], policy=LIB_POLICY)
    ld = Loader(t, ["dl:%d:%s" % (RTLD_NOW | RTLD_GLOBAL, lib)]).go()
    eq(ld.results, [[1]], "dlopen results")
    lo, hi, _, _ = exec_mapping(ld, lib)
    ld.end()
    evs = lt.stop()
    mine = [e for e in select(evs, pid=ld.pid) if e["event_name"] in ("lib_load", "dlopen")
            and lib in (e.get("filename") or "")]
    expect_seq(mine, [
        lib_load_want(ld, lib, lo, hi, 5, "mmap", True, NR_MMAP, lo),
        dlopen_want(ld, lib, RTLD_NOW | RTLD_GLOBAL, False, "RTLD_NOW|RTLD_GLOBAL"),
    ])
    for ev in mine:
        match(ev, proc_ctx(RUNNER_PID))
        check_exec_id(ev["exec_id"], ld.pid, ld.start_ns)
        check_exec_id(ev["parent_exec_id"], RUNNER_PID, RUNNER_START_NS, "parent_exec_id")
    # hashing: the library's SHA-256, on the event or (pending) on its hash_update
    import hashlib
    with open(lib, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if mine[0]["hash_state"] == "pending":
        upd = one(evs, event_name="hash_update", ref_seq=mine[0]["seq"])
        match(upd, {"sha256": digest, "hash_state": "ok"})
    else:
        match(mine[0], {"sha256": digest, "hash_state": "ok"})


@test
def lib_dlopen_system_trusted(t):
    """dlopen("libz.so.1"): the lib_load carries the canonical path, untrusted false"""
    lt = t.ltrack([], policy=LIB_POLICY)
    ld = Loader(t, ["dl:%d:libz.so.1" % RTLD_LAZY]).go()
    eq(ld.results, [[1]], "dlopen results")
    m = [m for m in ld.maps() if os.path.basename(m[3]).startswith("libz.so") and "x" in m[2]]
    eq(len(m), 1, "libz executable mappings")
    lo, hi, _, path = m[0]
    real = os.path.realpath(path)
    eq(path, real, "the kernel's map path is canonical")
    ld.end()
    evs = lt.stop()
    got = [e for e in select(evs, pid=ld.pid, event_name="lib_load")
           if "libz.so" in e["filename"]]
    expect_seq(got, [lib_load_want(ld, real, lo, hi, 5, "mmap", False, NR_MMAP, lo)])
    match(one(evs, pid=ld.pid, event_name="dlopen"),
          dlopen_want(ld, "libz.so.1", RTLD_LAZY, False, "RTLD_LAZY"), exact=True)


@test
def lib_dlopen_missing(t):
    """dlopen of a name that does not exist: dlopen failed true (reported by default), no lib_load"""
    lt = t.ltrack([], policy=LIB_POLICY)
    ld = Loader(t, ["dl:%d:libltrack-nonexistent.so.7" % RTLD_NOW]).go()
    eq(ld.results, [[0]], "dlopen results")
    ld.end()
    evs = lt.stop()
    match(one(evs, pid=ld.pid, event_name="dlopen"),
          dlopen_want(ld, "libltrack-nonexistent.so.7", RTLD_NOW, True, "RTLD_NOW"), exact=True)
    none([e for e in select(evs, pid=ld.pid, event_name="lib_load")
          if "nonexistent" in e["filename"]])


@test
def lib_interpreter_at_exec(t):
    """exec: ld.so's lib_load is synthesised (exact path, inode, AT_BASE VMA); libc follows"""
    lt = t.ltrack([], policy=LIB_POLICY)
    ld = Loader(t, ["nop"]).go()
    interp = os.path.realpath("/lib64/ld-linux-x86-64.so.2")
    base = ld.at_base()
    vma = [m for m in ld.maps() if m[0] == base]
    eq(len(vma), 1, "the VMA at AT_BASE")
    eq(vma[0][3], interp, "the file at AT_BASE")
    libc = [m for m in ld.maps() if os.path.basename(m[3]) == "libc.so.6" and "x" in m[2]]
    eq(len(libc), 1, "libc executable mappings")
    ld.end()
    evs = lt.stop()
    loads = select(evs, pid=ld.pid, event_name="lib_load")
    expect_seq(loads, [
        lib_load_want(ld, interp, base, vma[0][1], 0, "interpreter", False, NR_EXECVE, 0),
        lib_load_want(ld, libc[0][3], libc[0][0], libc[0][1], 5, "mmap", False, NR_MMAP,
                      libc[0][0]),
    ], exact=False)
    # the image itself is the exec, not a lib_load
    none(loads, filename=ld.exe)


@test
def lib_hand_rolled_mmap_and_mprotect(t):
    """a file mapped r-x by hand, and one made executable by mprotect: both lib_load"""
    _, lib = lib_build(t)
    copy = t.path("libcopy.so")
    shutil.copyfile(lib, copy)
    lt = t.ltrack([], policy=LIB_POLICY)
    ld = Loader(t, ["mmapx:" + lib, "mprot:" + copy]).go()
    (a1, s1), (a2, s2) = ld.results
    ld.end()
    evs = lt.stop()
    pg = lambda n: (n + PAGE - 1) // PAGE * PAGE
    got = [e for e in select(evs, pid=ld.pid, event_name="lib_load")
           if e["filename"] in (lib, copy)]
    expect_seq(got, [
        lib_load_want(ld, lib, a1, a1 + pg(s1), 5, "mmap", True, NR_MMAP, a1),
        lib_load_want(ld, copy, a2, a2 + pg(s2), 5, "mprotect", True, NR_MPROTECT, 0),
    ])


@test
def lib_trusted_dirs_policy(t):
    """trusted_dirs adds a directory; default_trusted_dirs = false drops the defaults"""
    _, lib = lib_build(t)
    d = os.path.dirname(lib)
    lt = t.ltrack([], policy=LIB_POLICY + 'trusted_dirs = ["%s/"]\n'
                  'default_trusted_dirs = false\n' % d)
    ld = Loader(t, ["dl:%d:%s" % (RTLD_NOW, lib), "dl:%d:libz.so.1" % RTLD_NOW]).go()
    ld.end()
    evs = lt.stop()
    loads = select(evs, pid=ld.pid, event_name="lib_load")
    match(one(loads, filename=lib), {"untrusted": False})
    z = [e for e in loads if "libz.so" in e["filename"]]
    eq([e["untrusted"] for e in z], [True], "libz untrusted without the defaults")


@test
def lib_section_off(t):
    """[library_monitor] enabled = false: no lib events; dlopen = false: lib_load only"""
    _, lib = lib_build(t)
    lt = t.ltrack([], policy=LIB_POLICY + "enabled = false\n")
    lt2 = t.ltrack([], policy=LIB_POLICY + "dlopen = false\n")
    ld = Loader(t, ["dl:%d:%s" % (RTLD_NOW, lib)]).go()
    ld.end()
    evs = lt.stop()
    evs2 = lt2.stop()
    none(evs, pid=ld.pid, event_name="lib_load")
    none(evs, pid=ld.pid, event_name="dlopen")
    check("dlopen: watching" not in lt.stderr(), "no dlopen uprobes when the section is off")
    check("dlopen: watching" not in lt2.stderr(), "no dlopen uprobes with dlopen = false")
    none(evs2, pid=ld.pid, event_name="dlopen")
    one(evs2, pid=ld.pid, event_name="lib_load", filename=lib)


@test
def lib_off_without_policy(t):
    """with only --watch (no policy file) there are no library events"""
    _, lib = lib_build(t)
    w = t.mkdir("w")
    lt = t.ltrack(["--watch", "all=" + w])
    ld = Loader(t, ["dl:%d:%s" % (RTLD_NOW, lib)]).go()
    ld.end()
    evs = lt.stop()
    eq([e["event_name"] for e in evs], ["stats"], "events")


@test
def lib_text_output(t):
    """text lines: lib_load("PATH", START-END, untrusted) and dlopen("NAME", FLAGS) = ..."""
    _, lib = lib_build(t)
    out = t.path("events.txt")
    lt = t.ltrack(["--format", "text", "--output", out], policy=LIB_POLICY, output=False,
                  read_from=out, text=True)
    ld = Loader(t, ["dl:%d:%s" % (RTLD_NOW, lib), "dl:%d:libltrack-none.so" % RTLD_LAZY]).go()
    lo, hi, _, _ = exec_mapping(ld, lib)
    ld.end()
    lt.stop()
    with open(out) as f:
        lines = [l for l in f if "lt-loader\"[%d]" % ld.pid in l]
    import hashlib
    with open(lib, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    # (the digest, or "pending" when the hash took longer than wait_ms)
    lines = [l.replace("sha256=pending)", "sha256=%s)" % digest) for l in lines]
    want = ['lib_load("%s", 0x%x-0x%x, untrusted, sha256=%s)' % (lib, lo, hi, digest),
            'dlopen("%s", RTLD_NOW) = handle' % lib,
            'dlopen("libltrack-none.so", RTLD_LAZY) = NULL (failed)']
    for w_ in want:
        eq(sum(1 for l in lines if l.rstrip("\n").endswith(w_)), 1, "text lines ending %r" % w_)


@test
def lib_bad_policy(t):
    """[library_monitor] trusted_dirs must be absolute: exit 2 with file:line:col"""
    t.write("policy.toml", '[library_monitor]\ntrusted_dirs = ["/ok", "rel/dir"]\n')
    rc, out, err = run_ltrack_cli(t, ["--config", "policy.toml", "--check"])
    eq(rc, 2, "exit status")
    check("policy.toml:2:24: [library_monitor] trusted_dirs: 'rel/dir' is not an absolute path"
          in err, "stderr: %r" % err)


@test
def lib_dlopen_new_libc_attached(t):
    """a libc first seen after start (a copy, as a container brings its own) gets the uprobes"""
    _, lib = lib_build(t)
    d = t.mkdir("libc-copy")
    host_libc = os.path.realpath(ctypes_libc_path())
    copy = os.path.join(d, "libc.so.6")
    shutil.copyfile(host_libc, copy)
    os.chmod(copy, 0o755)
    lt = t.ltrack([], policy=LIB_POLICY)
    env = dict(os.environ, LD_LIBRARY_PATH=d)
    first = Loader(t, ["nop"], env=env).go()
    eq(exec_mapping(first, copy)[3], copy, "the first loader runs on the copy")
    first.end()
    lt.wait_log("dlopen: watching %s " % copy)
    ld = Loader(t, ["dl:%d:%s" % (RTLD_NOW, lib)], env=env).go()
    eq(exec_mapping(ld, copy)[3], copy, "the second loader runs on the copy")
    ld.end()
    evs = lt.stop()
    match(one(evs, pid=ld.pid, event_name="dlopen"),
          dlopen_want(ld, lib, RTLD_NOW, False, "RTLD_NOW"), exact=True)
    match(one(evs, pid=first.pid, event_name="lib_load", filename=copy),
          {"untrusted": True, "inode": os.stat(copy).st_ino})
    eq(lt.stderr().count("dlopen: watching %s " % copy), 1, "attached once")


def ctypes_libc_path():
    """the libc.so.6 this runner maps"""
    with open("/proc/self/maps") as f:
        for line in f:
            p = line.split(None, 5)[-1].strip()
            if os.path.basename(p) == "libc.so.6":
                return p
    fail("no libc.so.6 in the runner's maps")


@test
def lib_sighup_turns_off(t):
    """SIGHUP to enabled = false: no library events after the reload, uprobes detached"""
    _, lib = lib_build(t)
    lt = t.ltrack([], policy=LIB_POLICY)
    before = Loader(t, ["dl:%d:%s" % (RTLD_NOW, lib)]).go()
    before.end()
    lt.wait_event(pid=before.pid, event_name="dlopen")
    with open(lt.policy_path, "w") as f:
        f.write(LIB_POLICY + "enabled = false\n")
    off = len(lt.stderr())
    os.kill(lt.pid, signal.SIGHUP)
    lt.wait_log("policy reloaded", after=off)
    check("dlopen: uprobes detached" in lt.stderr()[off:], "the reload detaches the uprobes")
    after = Loader(t, ["dl:%d:%s" % (RTLD_NOW, lib)]).go()
    after.end()
    evs = lt.stop()
    one(evs, pid=before.pid, event_name="lib_load", filename=lib)
    none(evs, pid=after.pid, event_name="lib_load")
    none(evs, pid=after.pid, event_name="dlopen")


@test
def lib_overlayfs_user_path(t):
    """on overlayfs (containers) the mapping's backing file is reported by the path the process used"""
    _, lib = lib_build(t)
    for d in ("lower", "upper", "work", "merged"):
        t.mkdir(d)
    shutil.copyfile(lib, t.path("lower", "libov.so"))
    r = subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                        "lowerdir=%s,upperdir=%s,workdir=%s" % (
                            t.path("lower"), t.path("upper"), t.path("work")),
                        t.path("merged")], capture_output=True)
    check(r.returncode == 0, "mount overlay: %s" % r.stderr.decode(errors="replace"))
    try:
        merged = t.path("merged", "libov.so")
        want_id = file_fields(merged)
        lt = t.ltrack([], policy=LIB_POLICY)
        ld = Loader(t, ["mprot:" + merged, "mmapx:" + merged]).go()
        (a1, s1), (a2, s2) = ld.results
        ld.end()
        evs = lt.stop()
    finally:
        subprocess.run(["umount", t.path("merged")])
    pg = lambda n: (n + PAGE - 1) // PAGE * PAGE
    got = [e for e in select(evs, pid=ld.pid, event_name="lib_load") if "libov" in e["filename"]]
    ov = want_id      # the overlay's path, device and inode, not the layer's
    expect_seq(got, [
        dict(ov, source="mprotect", vm_start=a1, vm_end=a1 + pg(s1)),
        dict(ov, source="mmap", vm_start=a2, vm_end=a2 + pg(s2)),
    ], exact=False)


@test
def lib_bind_mount_over_trusted_dir(t):
    """security review finding 8 as it was run: uid 1000, in user and mount namespaces of its
    own (unshare -Urm), bind-mounts its directory over /usr/local/lib and preloads a library
    from there. The lib_load shows the path as the process sees it, with path_userns, and is
    untrusted (the host's /usr/local/lib holds no such file); the libc it maps from the
    host's own /usr/lib stays trusted"""
    _, lib = lib_build(t)
    d = os.path.dirname(lib)
    lt = t.ltrack([], policy=LIB_POLICY)
    script = ('mount --bind "$1" /usr/local/lib && LD_PRELOAD=/usr/local/lib/libhack.so '
              'exec /bin/true')
    r = subprocess.run(["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups",
                        "unshare", "-Urm", "sh", "-c", script, "sh", d],
                       capture_output=True, timeout=60)
    eq(r.returncode, 0, "unshare -Urm as uid 1000: %s" % r.stderr.decode(errors="replace"))
    ev = lt.wait_event(event_name="lib_load", filename="/usr/local/lib/libhack.so")
    evs = lt.stop()
    st = os.stat(lib)
    match(ev, {"uid": 1000, "untrusted": True, "path_userns": True, "inode": st.st_ino,
               "dev": "%d:%d" % (os.major(st.st_dev), os.minor(st.st_dev))})
    # the bind mount itself is an event, with its source and target
    # (by the mount command, a child of the shell; unshare's own mount first: "/" private)
    mnt = [e for e in evs if e["event_name"] == "mount" and e["mnt_ns"] == ev["mnt_ns"] and
           e.get("target") == "/usr/local/lib"]
    eq(len(mnt), 1, "the bind mount's event: %r" % mnt)
    match(mnt[0], {"op": "mount", "source": d, "uid": 1000, "mnt_ns": ev["mnt_ns"]})
    check("MS_BIND" in mnt[0]["flags_str"], "MS_BIND: %r" % mnt[0]["flags_str"])
    # the pid ran setpriv, unshare, sh and true in turn: its loads in the new namespace
    libs = select(evs, pid=ev["pid"], event_name="lib_load")
    libc = [e for e in libs if os.path.basename(e["filename"]).startswith("libc.so") and
            e["mnt_ns"] == ev["mnt_ns"]]
    check(libc, "the libc of the same process in its namespace: %r" % libs)
    for e in libc:
        match(e, {"untrusted": False, "path_userns": True})
    # before unshare, in the host's namespaces: the same libc, no path_userns
    host = [e for e in libs if e["mnt_ns"] == os.stat("/proc/self/ns/mnt").st_ino]
    check(host, "setpriv's loads in the host's namespace")
    for e in host:
        match(e, {"untrusted": False, "path_userns": MISSING})
