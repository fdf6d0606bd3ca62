# SPDX-License-Identifier: MIT
# t_evade.py - end-to-end tests of the evade events (types 36..50): each
# call is made by tests/e2e/evade-helper.c as a raw syscall, and every field
# of the event is checked exactly. Runs in run.py's namespace (see
# load_test_modules there).

import errno

EVADE_HELPER = os.path.join(os.path.dirname(HELPER), "evade-helper")
EVADE_COMM = "evade-helper"

TYPES.update({
    "utimes": 36, "setxattr": 37, "truncate": 38, "unshare": 39, "setns": 40, "mount": 41,
    "pivot_root": 42, "chroot": 43, "bpf_load": 44, "perf_event_open": 45,
    "process_vm_writev": 46, "prctl_set_name": 47, "fd_redirect": 48, "io_uring_setup": 49,
    "io_uring_ops": 50,
})

EVADE_NR = {
    "utimensat": 280, "futimesat": 261, "utimes": 235, "utime": 132, "setxattr": 188,
    "lsetxattr": 189, "fsetxattr": 190, "removexattr": 197, "fremovexattr": 199,
    "truncate": 76, "ftruncate": 77, "unshare": 272, "setns": 308, "mount": 165,
    "umount2": 166, "open_tree": 428, "move_mount": 429, "pivot_root": 155, "chroot": 161, "bpf": 321, "perf_event_open": 298,
    "process_vm_writev": 311, "prctl": 157, "dup2": 33, "dup3": 292, "io_uring_setup": 425,
}

# the policy every evade test runs: a policy file (evade events need one), no process events
EVADE_POLICY = NO_EXEC_POLICY

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWNET = 0x20000, 0x4000000, 0x40000000
MS_REC, MS_PRIVATE = 0x4000, 0x40000
MNT_DETACH = 2
UTIME_NOW, UTIME_OMIT = (1 << 30) - 1, (1 << 30) - 2


def espawn(t, ops, **kw):
    """a run of evade-helper (Helper with the other binary)"""
    g = globals()
    saved = g["HELPER"]
    g["HELPER"] = EVADE_HELPER
    try:
        return Helper(t, ops, **kw)
    finally:
        g["HELPER"] = saved


def ehelper(t, ops, expect_rc=0, **kw):
    return espawn(t, ops, **kw).finish(expect_rc)


def eident(h, comm=EVADE_COMM):
    return ident(h, comm=comm, exe=EVADE_HELPER)


def xev(name, nr, ret=0, **kw):
    """the expected fields of an evade event"""
    d = {"event_name": name, "event_type": TYPES[name], "syscall_nr": EVADE_NR[nr],
         "ret_code": ret}
    d.update(kw)
    return d


def evade_lt(t, args=(), policy=EVADE_POLICY, **kw):
    return t.ltrack(list(args), policy=policy, **kw)


def mine(evs, h, names=None):
    """the evade events of helper @h, in order"""
    return [e for e in evs if e.get("pid") == h.pid and TYPES.get(e["event_name"], 0) >= 36 and
            TYPES[e["event_name"]] <= 50 and (names is None or e["event_name"] in names)]


@test
def evade_utimes(t):
    """utimes: utimensat (path, NULL path = the fd, relative, NULL times), futimesat, utimes, utime"""
    f = t.write("f", "x")
    lt = evade_lt(t)
    h = ehelper(t, [
        "utimensat", "cwd", f, 1000000000, 123456789, 1000000001, 987654321, 0,
        "utimensat", "cwd", f, 0, "now", 0, "omit", 0x100,
        "open", 0, f, O_RDONLY, 0,
        "utimensat", 0, "-", 5, 6, 7, 8, 0,
        "utimensat-null", "cwd", "f", 0,
        "utimes", f, 11, 22, 33, 44,
        "futimesat", "cwd", "f", 11, 1, 12, 2,
        "utime", f, 100, 200,
    ])
    evs = lt.stop()
    exact = {"filename": f, "path_exact": True}
    expect_seq(mine(evs, h), [
        xev("utimes", "utimensat", atime_sec=1000000000, atime_nsec=123456789,
            mtime_sec=1000000001, mtime_nsec=987654321, at_flags=0, **exact),
        xev("utimes", "utimensat", atime="UTIME_NOW", mtime="UTIME_OMIT", at_flags=0x100,
            **exact),
        xev("utimes", "utimensat", atime_sec=5, atime_nsec=6, mtime_sec=7, mtime_nsec=8,
            at_flags=0, **exact),
        xev("utimes", "utimensat", atime="UTIME_NOW", mtime="UTIME_NOW", at_flags=0, **exact),
        xev("utimes", "utimes", atime_sec=11, atime_nsec=22000, mtime_sec=33, mtime_nsec=44000,
            at_flags=0, **exact),
        xev("utimes", "futimesat", atime_sec=11, atime_nsec=1000, mtime_sec=12,
            mtime_nsec=2000, at_flags=0, **exact),
        xev("utimes", "utime", atime_sec=100, atime_nsec=0, mtime_sec=200, mtime_nsec=0,
            at_flags=0, **exact),
    ])
    for ev in mine(evs, h):
        match(ev, eident(h))
        check_ids(ev, h)
    eq(os.stat(f).st_mtime_ns, 200 * 10**9, "the file's mtime after utime")


@test
def evade_setxattr(t):
    """setxattr family and removexattr family; security.capability decoded"""
    f = t.write("f", "x")
    # user.* where the file system has them; trusted.* (root) where it has not
    # (tmpfs before 6.6: the kernels VM's /tmp)
    try:
        os.setxattr(f, "user.probe", b"1")
        os.removexattr(f, "user.probe")
        ns = "user"
    except OSError:
        ns = "trusted"
    x1, x2 = ns + ".evade", ns + ".evade2"
    lt = evade_lt(t)
    h = ehelper(t, [
        "setxattr", f, x1, "hello", 0,
        "lsetxattr", f, x2, "hi", 1,
        "open", 0, f, O_RDONLY, 0,
        "fsetxattr", 0, x1, "world!", 2,
        "removexattr", f, x2,
        "fremovexattr", 0, x1,
        "setcaps", f, 0x2000 | (1 << 38), 0x1, 1,
        "removexattr", f, "security.capability",
    ])
    evs = lt.stop()
    p = {"filename": f, "path_exact": True}
    expect_seq(mine(evs, h), [
        xev("setxattr", "setxattr", op="set", xattr_name=x1, value_size=5,
            xattr_flags=0, file_caps=False, **p),
        xev("setxattr", "lsetxattr", op="set", xattr_name=x2, value_size=2,
            xattr_flags=1, file_caps=False, **p),
        xev("setxattr", "fsetxattr", op="set", xattr_name=x1, value_size=6,
            xattr_flags=2, file_caps=False, **p),
        xev("setxattr", "removexattr", op="remove", xattr_name=x2, file_caps=False,
            **p),
        xev("setxattr", "fremovexattr", op="remove", xattr_name=x1, file_caps=False,
            **p),
        xev("setxattr", "setxattr", op="set", xattr_name="security.capability", value_size=20,
            xattr_flags=0, file_caps=True, cap_permitted=["CAP_NET_RAW", "CAP_PERFMON"],
            cap_inheritable=["CAP_CHOWN"], cap_effective=True, **p),
        xev("setxattr", "removexattr", op="remove", xattr_name="security.capability",
            file_caps=True, **p),
    ])


@test
def evade_truncate(t):
    """truncate(2) always; ftruncate only when it makes a regular file smaller"""
    f = t.write("f", "x" * 100)
    lt = evade_lt(t)
    h = ehelper(t, [
        "truncate", f, 10,
        "open", 0, f, O_RDWR, 0,
        "ftruncate", 0, 5,
        "ftruncate", 0, 50,     # grows: not reported
        "ftruncate", 0, 50,     # same size: not reported
        "ftruncate", 0, 0,
    ])
    fd = h.results[1]
    evs = lt.stop()
    p = {"filename": f, "path_exact": True}
    expect_seq(mine(evs, h), [
        xev("truncate", "truncate", length=10, **p),
        xev("truncate", "ftruncate", length=5, fd=fd, old_size=10, **p),
        xev("truncate", "ftruncate", length=0, fd=fd, old_size=50, **p),
    ])


@test
def evade_namespaces(t):
    """unshare flags decoded; setns: the fd's namespace type and inode"""
    lt = evade_lt(t)
    h = ehelper(t, [
        "unshare", CLONE_NEWNS | CLONE_NEWUTS,
        "open", 0, "/proc/self/ns/net", O_RDONLY, 0,
        "setns", 0, CLONE_NEWNET,
        "setns", 0, 0,
    ])
    fd = h.results[1]
    netns = os.stat("/proc/self/ns/net").st_ino
    evs = lt.stop()
    expect_seq(mine(evs, h), [
        xev("unshare", "unshare", flags=CLONE_NEWNS | CLONE_NEWUTS,
            flags_str="CLONE_NEWNS|CLONE_NEWUTS"),
        xev("setns", "setns", fd=fd, nstype=CLONE_NEWNET, nstype_str="CLONE_NEWNET",
            ns_type="net", ns_inode=netns),
        xev("setns", "setns", fd=fd, nstype=0, nstype_str="0", ns_type="net",
            ns_inode=netns),
    ])
    for ev in mine(evs, h):
        match(ev, eident(h))


@test
def evade_mount_umount_chroot(t):
    """in a private mount namespace: mount (flags, tmpfs), umount2, then chroot"""
    m = t.mkdir("m")
    c = t.mkdir("c")
    lt = evade_lt(t)
    h = ehelper(t, [
        "unshare", CLONE_NEWNS,
        "mount", "-", "/", "-", MS_REC | MS_PRIVATE,
        "mount", "evade-src", m, "tmpfs", 0,
        "umount2", m, MNT_DETACH,
    ])
    # chroot in a run of its own: a process's changed root stops user space from
    # canonicalising its lexical paths (the mount target above)
    h2 = ehelper(t, ["unshare", CLONE_NEWNS, "chdir", t.dir, "chroot", "c"])
    evs = lt.stop()
    expect_seq(mine(evs, h), [
        xev("unshare", "unshare", flags=CLONE_NEWNS, flags_str="CLONE_NEWNS"),
        xev("mount", "mount", op="mount", source=None, fstype=None, target="/",
            target_exact=True, flags=MS_REC | MS_PRIVATE, flags_str="MS_REC|MS_PRIVATE"),
        xev("mount", "mount", op="mount", source="evade-src", fstype="tmpfs", target=m,
            target_exact=True, flags=0, flags_str="0"),
        xev("mount", "umount2", op="umount", target=m, target_exact=True, flags=MNT_DETACH,
            flags_str="MNT_DETACH"),
    ])
    expect_seq(mine(evs, h2), [
        xev("unshare", "unshare", flags=CLONE_NEWNS, flags_str="CLONE_NEWNS"),
        xev("chroot", "chroot", filename=c, path_exact=True, requested="c"),
    ])


OPEN_TREE_CLONE, OPEN_TREE_CLOEXEC, AT_RECURSIVE = 1, 0x80000, 0x8000
MOVE_MOUNT_F_EMPTY_PATH = 4


@test
def evade_new_mount_api_bind(t):
    """a bind mount made with the new mount API (open_tree with OPEN_TREE_CLONE, then
    move_mount), as util-linux 2.39's mount makes them: two mount events, the tree cloned
    (source) and where it was attached (target). Before, such a mount was not reported"""
    src = t.mkdir("src")
    dst = t.mkdir("dst")
    lt = evade_lt(t)
    h = ehelper(t, [
        "unshare", CLONE_NEWNS,
        "mount", "-", "/", "-", MS_REC | MS_PRIVATE,
        "open_tree", 0, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE,
        "move_mount", 0, dst, MOVE_MOUNT_F_EMPTY_PATH,
    ])
    evs = lt.stop()
    expect_seq(mine(evs, h, names={"mount"}), [
        xev("mount", "mount", op="mount", source=None, fstype=None, target="/",
            target_exact=True, flags=MS_REC | MS_PRIVATE, flags_str="MS_REC|MS_PRIVATE"),
        xev("mount", "open_tree", op="open_tree", source=src, target=None,
            flags=OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE,
            flags_str="OPEN_TREE_CLONE|AT_RECURSIVE|OPEN_TREE_CLOEXEC", ret_code=3),
        xev("mount", "move_mount", op="move_mount", source=None, target=dst, target_exact=True,
            flags=MOVE_MOUNT_F_EMPTY_PATH, flags_str="MOVE_MOUNT_F_EMPTY_PATH"),
    ])


@test
def evade_pivot_root(t):
    """pivot_root in a new mount namespace onto a tmpfs: both paths as given"""
    r = t.mkdir("r")
    lt = evade_lt(t)
    h = ehelper(t, [
        "unshare", CLONE_NEWNS,
        "mount", "-", "/", "-", MS_REC | MS_PRIVATE,
        "mount", "none", r, "tmpfs", 0,
        "mkdir", r + "/old",
        "pivot_root", r, r + "/old",
    ])
    evs = lt.stop()
    got = mine(evs, h, names={"pivot_root"})
    expect_seq(got, [xev("pivot_root", "pivot_root", new_root=r, put_old=r + "/old")])
    match(got[0], eident(h))


@test
def evade_bpf_and_perf(t):
    """bpf(BPF_PROG_LOAD) and perf_event_open by another process; ltrack's own never"""
    lt = evade_lt(t)
    h = ehelper(t, ["bpf-load", "evade_prog", "perf-open", 1, 0, 0, -1])
    prog_fd, perf_fd = h.results
    evs = lt.stop()
    expect_seq(mine(evs, h), [
        xev("bpf_load", "bpf", prog_fd, prog_type=1, prog_type_str="socket_filter",
            prog_name="evade_prog", insn_cnt=2, license="GPL", expected_attach_type=0,
            prog_flags=0, prog_fd=prog_fd),
        xev("perf_event_open", "perf_event_open", perf_fd, perf_type=1,
            perf_type_str="software", config=0, target_pid=0, cpu=-1, group_fd=-1, flags=0),
    ])
    none(evs, pid=lt.pid, event_name="bpf_load")
    none(evs, pid=lt.pid, event_name="perf_event_open")


@test
def evade_process_vm_writev(t):
    """process_vm_writev into a child: target pid and comm, iovec counts, bytes"""
    lt = evade_lt(t)
    h = espawn(t, ["sleeper", "vmwrite", "wait", "reap"])
    h.p.stdin.write(b"g")
    h.p.stdin.flush()
    h.read_results(3)
    ev = lt.wait_event(event_name="process_vm_writev", pid=h.pid)
    h.finish()
    child, nbytes, _, reaped = h.results
    eq(nbytes, 8, "bytes written")
    eq(reaped, 0, "the child saw the write")
    evs = lt.stop()
    expect_seq(mine(evs, h), [
        xev("process_vm_writev", "process_vm_writev", 8, target_pid=child,
            target_comm="evade-target", liovcnt=2, riovcnt=1, flags=0, bytes=8),
    ])
    match(ev, eident(h))


@test
def evade_prctl_set_name(t):
    """prctl(PR_SET_NAME): old comm and new name (cut to 15 bytes as the kernel does);
    not for another thread, and a bad pointer only with --failed (EFAULT)"""
    lt = evade_lt(t)
    h = ehelper(t, ["prctl-name", "masq-name", "prctl-name", "averyveryverylongname",
                    "prctl-thread", "worker", "?prctl-bad"])
    eq(h.results, [0, 0, 0, -errno.EFAULT], "helper results")
    evs = lt.stop()
    got = mine(evs, h)
    expect_seq(got, [
        xev("prctl_set_name", "prctl", old_name=EVADE_COMM, new_name="masq-name"),
        xev("prctl_set_name", "prctl", old_name="masq-name", new_name="averyveryverylo"),
    ])
    # reported at syscall entry: the event's comm is the name before
    match(got[0], eident(h))
    match(got[1], eident(h, comm="masq-name"))
    lt = evade_lt(t, ["--failed"])
    h = ehelper(t, ["?prctl-bad"])
    evs = lt.stop()
    expect_seq(mine(evs, h), [
        xev("prctl_set_name", "prctl", -errno.EFAULT, old_name=EVADE_COMM, new_name=""),
    ])


@test
def evade_fd_redirect(t):
    """dup2/dup3 of a connected TCP socket onto stdout/stderr in a child (reverse shell)"""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    port = srv.getsockname()[1]
    lt = evade_lt(t)
    try:
        h = ehelper(t, ["connect", 0, port, "fork-dup", 0, 1, 0, "fork-dup", 0, 2, 1])
    finally:
        srv.close()
    sock, c1, c2 = h.results
    evs = lt.stop()
    peer = {"family": "AF_INET", "sock_type": "SOCK_STREAM", "protocol": 6,
            "remote_addr": "127.0.0.1", "remote_port": port}
    e1 = one(evs, pid=c1, event_name="fd_redirect")
    match(e1, xev("fd_redirect", "dup2", 1, newfd=1, oldfd=sock, **peer), exact=True)
    match(e1, {"ppid": h.pid, "comm": EVADE_COMM, "exe": EVADE_HELPER})
    e2 = one(evs, pid=c2, event_name="fd_redirect")
    match(e2, xev("fd_redirect", "dup3", 2, newfd=2, oldfd=sock, **peer), exact=True)
    # the harness's own dup2s of pipes onto 0/1/2 (Popen) are not sockets: nothing
    none(evs, pid=h.pid, event_name="fd_redirect")


@test
def evade_io_uring(t):
    """io_uring_setup per ring; opcode counts summarised when the process exits"""
    f = t.write("f", "x")
    lt = evade_lt(t)
    h = ehelper(t, ["iouring", f])
    ring = h.results[0]
    evs = lt.stop()
    got = mine(evs, h)
    expect_seq(got, [
        xev("io_uring_setup", "io_uring_setup", ring, ring_fd=ring, sq_entries=8,
            cq_entries=16, setup_flags=0, setup_flags_str="0"),
        {"event_name": "io_uring_ops", "event_type": 50, "total": 2, "sqpoll": 0,
         "ops": {"IORING_OP_NOP": 1, "IORING_OP_OPENAT": 1}, "final": True,
         "syscall_nr": MISSING, "ret_code": MISSING},
    ])
    for ev in got:
        match(ev, eident(h))
        check_ids(ev, h)


@test
def evade_io_uring_periodic(t):
    """with --stats-interval, a running process's counts are summarised (final: false)"""
    f = t.write("f", "x")
    lt = evade_lt(t, ["--stats-interval", "1"])
    h = espawn(t, ["iouring", f, "wait", "iouring", f])
    h.p.stdin.write(b"g")
    h.p.stdin.flush()
    h.read_results(2)
    ev = lt.wait_event(event_name="io_uring_ops", pid=h.pid)
    h.finish()
    evs = lt.stop()
    match(ev, {"total": 2, "ops": {"IORING_OP_NOP": 1, "IORING_OP_OPENAT": 1},
               "final": False})
    last = [e for e in mine(evs, h, names={"io_uring_ops"})][-1]
    match(last, {"total": 4, "ops": {"IORING_OP_NOP": 2, "IORING_OP_OPENAT": 2},
                 "final": True})


def ready_programs(lt):
    m = re.search(r"ready: (\d+) programs attached", lt.stderr())
    check(m is not None, "no ready line")
    return int(m.group(1))


@test
def evade_group_off(t):
    """[security_monitor] timestomp = false: no utimes, its 4 programs not attached"""
    f = t.write("f", "x")
    lt_on = evade_lt(t)
    n_on = ready_programs(lt_on)
    lt_on.stop()
    lt = evade_lt(t, policy=EVADE_POLICY + "[security_monitor]\ntimestomp = false\n")
    n_off = ready_programs(lt)
    h = ehelper(t, ["utimensat", "cwd", f, 1, 2, 3, 4, 0, "unshare", CLONE_NEWUTS])
    evs = lt.stop()
    eq(n_on - n_off, 4, "programs attached with timestomp on minus off")
    expect_seq(mine(evs, h), [
        xev("unshare", "unshare", flags=CLONE_NEWUTS, flags_str="CLONE_NEWUTS"),
    ])


@test
def evade_off_without_policy(t):
    """with only --watch (no policy file) no evade event is reported"""
    w = t.mkdir("w")
    f = t.write("f", "x")
    lt = t.ltrack(["--watch", "all=" + w])
    h = ehelper(t, ["utimensat", "cwd", f, 1, 2, 3, 4, 0, "unshare", CLONE_NEWUTS,
                    "prctl-name", "x"])
    evs = lt.stop()
    eq(mine(evs, h), [], "evade events")


@test
def evade_failed(t):
    """failed calls: only with --failed, path lexical, ret_code -errno"""
    missing = t.path("missing")
    ops = ["?chroot", missing, "?utimensat", "cwd", missing, 1, 2, 3, 4, 0]
    lt = evade_lt(t)
    h1 = ehelper(t, ops)
    evs = lt.stop()
    eq(mine(evs, h1), [], "failed calls without --failed")
    lt = evade_lt(t, ["--failed"])
    h2 = ehelper(t, ops)
    eq(h2.results, [-errno.ENOENT, -errno.ENOENT], "helper results")
    evs = lt.stop()
    expect_seq(mine(evs, h2), [
        xev("chroot", "chroot", -errno.ENOENT, filename=missing, path_exact=True,
            requested=missing),
        xev("utimes", "utimensat", -errno.ENOENT, filename=missing, path_exact=True,
            atime_sec=1, atime_nsec=2, mtime_sec=3, mtime_nsec=4, at_flags=0),
    ])


@test
def evade_text_format(t):
    """--format text: one strace-like line per evade event"""
    lt = evade_lt(t, ["--format", "text"], text=True)
    h = ehelper(t, ["unshare", CLONE_NEWUTS, "prctl-name", "txt-name"])
    lt.stop()
    with open(lt.out) as fh:
        lines = [l for l in fh.read().splitlines() if "[%d] " % h.pid in l]
    eq(len(lines), 2, "text lines of the helper: %r" % lines)
    check(lines[0].endswith(' "evade-helper"[%d] unshare(CLONE_NEWUTS)' % h.pid),
          "unshare line %r" % lines[0])
    check(lines[1].endswith(' "evade-helper"[%d] prctl_set_name("evade-helper", "txt-name")' %
                            h.pid),
          "prctl line %r" % lines[1])


@test
def evade_bad_policy_value(t):
    """[security_monitor] with a non-boolean value: exit 2, FILE:LINE:COL"""
    p = t.write("bad.toml", "[security_monitor]\nio_uring = true\ntimestomp = \"yes\"\n")
    rc, out, err = run_ltrack_cli(t, ["--check", "--config", p])
    eq(rc, 2, "exit status")
    check(err.startswith("ltrack: %s:3:13: " % p), "stderr %r" % err)
    rc, out, err = run_ltrack_cli(t, ["--check", "--config", t.write(
        "typo.toml", "[security_monitor]\nio_urin = false\n")])
    eq(rc, 2, "exit status of a misspelt key")
    check("io_uring" in err, "did you mean: %r" % err)
