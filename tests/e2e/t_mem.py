# SPDX-License-Identifier: MIT
# t_mem.py - mem's end-to-end tests: executable memory, memfd_create and
# fileless exec, privilege gain at exec, cred_change, ptrace, kill, kernel
# modules, and the [security_monitor] keys. Runs in run.py's namespace.

TYPES.update({"mem_exec": 24, "memfd_create": 25, "cred_change": 26, "ptrace": 27,
              "kill": 28, "module_load": 29, "module_delete": 30})
NR.update({"mmap": 9, "mprotect": 10, "kill": 62, "ptrace": 101, "setuid": 105,
           "setresuid": 117, "setresgid": 119, "tkill": 200, "tgkill": 234,
           "init_module": 175, "delete_module": 176, "finit_module": 313,
           "memfd_create": 319, "execveat": 322})

PROT_R, PROT_W, PROT_X = 1, 2, 4
MAP_PRIVATE, MAP_ANONYMOUS = 0x02, 0x20
MFD_CLOEXEC, MFD_ALLOW_SEALING = 1, 2
MEM_KEYS = ("memory", "fileless", "credentials", "ptrace", "kill", "modules")
MEM_POLICY = EXEC_POLICY + "[security_monitor]\n"


def mem_policy(**off):
    """a policy with process events and every [security_monitor] group but @off"""
    return MEM_POLICY + "".join("%s = %s\n" % (k, "false" if k in off else "true")
                                for k in MEM_KEYS)


def mev(ev_name, nr, ret=0, **kw):
    d = {"event_name": ev_name, "event_type": TYPES[ev_name],
         "syscall_nr": NR[nr] if isinstance(nr, str) else nr, "ret_code": ret}
    d.update(kw)
    return d


def drop_to(uid, gid):
    def fn():
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    return fn


def cap_bnd():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapBnd:"):
                return int(line.split()[1], 16)
    return 0


@test
def mem_mprotect_wx(t):
    """mprotect to W+X: exact addr, len, prot; the RW mmap before it is not reported"""
    lt = t.ltrack([], policy=mem_policy())
    h = t.helper(["mmap", 0, 8192, PROT_R | PROT_W, MAP_PRIVATE | MAP_ANONYMOUS, "none",
                  "mprotect", 0, 4096, PROT_R | PROT_W | PROT_X])
    evs = lt.stop()
    expect_seq(select(evs, pid=h.pid, event_name="mem_exec"), [
        mev("mem_exec", "mprotect", 0, syscall="mprotect", addr=h.results[0], len=4096,
            prot=7, prot_str="PROT_READ|PROT_WRITE|PROT_EXEC", reason="wx"),
    ])
    for ev in select(evs, pid=h.pid, event_name="mem_exec"):
        match(ev, ident(h))


@test
def mem_anon_exec(t):
    """anonymous executable memory: mmap PROT_EXEC|MAP_ANONYMOUS, mmap W+X, mprotect RW -> RX"""
    lt = t.ltrack([], policy=mem_policy())
    h = t.helper(["mmap", 0, 4096, PROT_R | PROT_X, MAP_PRIVATE | MAP_ANONYMOUS, "none",
                  "mmap", 1, 12288, PROT_R | PROT_W | PROT_X, MAP_PRIVATE | MAP_ANONYMOUS, "none",
                  "mmap", 2, 4096, PROT_R | PROT_W, MAP_PRIVATE | MAP_ANONYMOUS, "none",
                  "mprotect", 2, 4096, PROT_R | PROT_X])
    evs = lt.stop()
    r = [None] + h.results     # r[i]: the i-th operation after "wait"
    anon = {"flags": MAP_PRIVATE | MAP_ANONYMOUS, "flags_str": "MAP_PRIVATE|MAP_ANONYMOUS"}
    expect_seq(select(evs, pid=h.pid, event_name="mem_exec"), [
        mev("mem_exec", "mmap", r[1], syscall="mmap", addr=r[1], len=4096, prot=5,
            prot_str="PROT_READ|PROT_EXEC", reason="anon_exec", **anon),
        mev("mem_exec", "mmap", r[2], syscall="mmap", addr=r[2], len=12288, prot=7,
            prot_str="PROT_READ|PROT_WRITE|PROT_EXEC", reason="wx", **anon),
        mev("mem_exec", "mprotect", 0, syscall="mprotect", addr=r[3], len=4096, prot=5,
            prot_str="PROT_READ|PROT_EXEC", reason="anon_exec"),
    ])


@test
def mem_file_exec_mapping(t):
    """a file's R+X mapping (a library's) is not mem_exec; a file mapped W+X is, with its path"""
    data = t.write("code.bin", "x" * 8192)
    lt = t.ltrack([], policy=mem_policy())
    h = t.helper(["open", 0, data, O_RDONLY, 0,
                  "mmap", 0, 8192, PROT_R | PROT_X, MAP_PRIVATE, 0,
                  "mprotect", 0, 4096, PROT_R | PROT_X,
                  "mmap", 1, 4096, PROT_R | PROT_W | PROT_X, MAP_PRIVATE, 0,
                  "close", 0])
    evs = lt.stop()
    r = [None] + h.results
    expect_seq(select(evs, pid=h.pid, event_name="mem_exec"), [
        mev("mem_exec", "mmap", r[4], syscall="mmap", addr=r[4], len=4096, prot=7,
            prot_str="PROT_READ|PROT_WRITE|PROT_EXEC", flags=MAP_PRIVATE,
            flags_str="MAP_PRIVATE", fd=r[1], reason="wx", filename=data),
    ])


@test
def mem_memfd_exec_fileless(t):
    """memfd_create (name, flags, fd), then fexecve of the memfd: exec flagged fileless memfd"""
    lt = t.ltrack([], policy=mem_policy())
    h = t.helper(["memfd", 3, "payload", MFD_CLOEXEC | MFD_ALLOW_SEALING,
                  "copy-into", 3, HELPER,
                  "fexec", 3, 2, "payload", "true"])
    evs = lt.stop()
    fd = h.results[0]
    expect_seq(select(evs, pid=h.pid, event_name="memfd_create"), [
        mev("memfd_create", "memfd_create", fd, name="payload", flags=3,
            flags_str="MFD_CLOEXEC|MFD_ALLOW_SEALING", fd=fd),
    ])
    ex = one(evs, pid=h.pid, event_name="exec", requested="/dev/fd/%d" % fd)
    match(ex, {"filename": "memfd:payload", "requested": "/dev/fd/%d" % fd,
               "argv": ["payload", "true"], "fileless": True, "fileless_reason": "memfd",
               "privilege_gain": MISSING, "comm": "memfd:payload", "exe": "memfd:payload"})
    # the helper's own exec (before this test's ltrack or not) is never fileless
    for ev in select(evs, event_name="exec", filename=HELPER):
        match(ev, {"fileless": MISSING, "fileless_reason": MISSING})


@test
def mem_deleted_exec_fileless(t):
    """exec of a deleted file (open, unlink, fexecve): fileless deleted, its old path"""
    gone = t.path("gone")
    shutil.copy(HELPER, gone)
    os.chmod(gone, 0o755)
    st = os.stat(gone)
    lt = t.ltrack([], policy=mem_policy())
    h = t.helper(["open", 0, gone, O_RDONLY, 0, "unlink", gone, "fexec", 0, 2, "gone", "true"])
    evs = lt.stop()
    ex = one(evs, pid=h.pid, event_name="exec", filename=gone)
    match(ex, {"filename": gone, "fileless": True, "fileless_reason": "deleted",
               "inode": st.st_ino, "requested": "/dev/fd/%d" % h.results[0],
               "argv": ["gone", "true"]})


@test
def mem_privilege_gain_setuid(t):
    """a setuid-root copy exec'd by uid 65534: privilege_gain with setuid_bit, euid 0, caps"""
    d = t.mkdir("suid", mode=0o755)
    suid = os.path.join(d, "suidhelper")
    shutil.copy(HELPER, suid)
    os.chown(suid, 0, 0)
    os.chmod(suid, 0o4755)
    lt = t.ltrack([], policy=mem_policy())
    h = t.spawn(["exec", suid, 2, "suidhelper", "true"],
                preexec_fn=drop_to(65534, 65534)).release().finish()
    evs = lt.stop()
    ex = one(evs, pid=h.pid, event_name="exec", filename=suid)
    caps = "0x%016x" % cap_bnd()
    match(ex, {"filename": suid, "uid": 65534, "euid": 0, "gid": 65534, "egid": 65534,
               "privilege_gain": True, "privilege_reasons": ["setuid_bit"],
               "cap_effective": caps, "cap_permitted": caps, "fileless": MISSING})


@test
def mem_no_privilege_gain(t):
    """no gain: root running the setuid-root copy, and uid != euid running a plain binary"""
    d = t.mkdir("suid", mode=0o755)
    suid = os.path.join(d, "suidhelper")
    shutil.copy(HELPER, suid)
    os.chmod(suid, 0o4755)

    def mixed():
        os.setgroups([])
        os.setresgid(65534, 65534, 65534)
        os.setresuid(65534, 1234, 0)     # secureexec for any image, yet no gain

    lt = t.ltrack([], policy=mem_policy())
    h1 = t.helper(["exec", suid, 2, "suidhelper", "true"])
    h2 = t.spawn(["exec", HELPER, 2, "plain", "true"], preexec_fn=mixed).release().finish()
    evs = lt.stop()
    for h, fn in ((h1, suid), (h2, HELPER)):
        match(one(evs, pid=h.pid, event_name="exec", filename=fn, argv=[os.path.basename(fn) if
                                                                    fn == suid else "plain",
                                                                    "true"]),
              {"filename": fn, "privilege_gain": MISSING, "privilege_reasons": MISSING,
               "egid": MISSING})


@test
def mem_cred_change(t):
    """setuid in a forked child (old/new exact); a no-op setresgid: changed false"""
    lt = t.ltrack([], policy=mem_policy())
    h = t.helper(["fork-setuid", 1234, "setresgid", -1, -1, -1])
    evs = lt.stop()
    child = h.results[0]
    zero4 = lambda p, fam: {p + k: 0 for k in fam}
    uids, gids = ("uid", "euid", "suid", "fsuid"), ("gid", "egid", "sgid", "fsgid")
    ev = one(evs, pid=child, event_name="cred_change")
    match(ev, dict(mev("cred_change", "setuid", 0, syscall="setuid", syscall_args=[1234],
                       changed=True, **zero4("old_", uids)),
                   **{"new_" + k: 1234 for k in uids}), exact=True)
    match(ev, {"uid": 1234, "euid": 1234, "ppid": h.pid})
    ev = one(evs, pid=h.pid, event_name="cred_change")
    match(ev, dict(mev("cred_change", "setresgid", 0, syscall="setresgid",
                       syscall_args=[-1, -1, -1], changed=False, **zero4("old_", gids)),
                   **zero4("new_", gids)), exact=True)


@test
def mem_cred_change_failed(t):
    """a refused setuid(0) by uid 65534: only with --failed, ret_code -EPERM, nothing changed"""
    ops = ["?setuid", 0]
    lt1 = t.ltrack([], policy=mem_policy())
    h1 = t.spawn(ops, preexec_fn=drop_to(65534, 65534)).release().finish()
    evs1 = lt1.stop()
    lt2 = t.ltrack(["--failed"], policy=mem_policy())
    h2 = t.spawn(ops, preexec_fn=drop_to(65534, 65534)).release().finish()
    evs2 = lt2.stop()
    eq(h1.results[0], -1, "setuid(0) as uid 65534")
    none(evs1, pid=h1.pid, event_name="cred_change", syscall="setuid")
    ids = {p + k: 65534 for p in ("old_", "new_") for k in ("uid", "euid", "suid", "fsuid")}
    match(one(evs2, pid=h2.pid, event_name="cred_change", syscall="setuid"),
          dict(mev("cred_change", "setuid", -1, syscall="setuid", syscall_args=[0],
                   changed=False), **ids), exact=True)


@test
def mem_ptrace_attach(t):
    """ptrace: ATTACH and POKEDATA on a child (request, target pid/tid/comm, addr, data);
    waiting and DETACH are not reported"""
    lt = t.ltrack([], policy=mem_policy())
    h = t.helper(["child", "ptrace", 16, 0, 0, "ptrace-wait", "poke-addr",
                  "ptrace", 5, "poke", 0x41, "ptrace", 17, 0, 0, "kill", 9, "reap"])
    evs = lt.stop()
    child, addr = h.results[0], h.results[3]
    tgt = {"target_pid": child, "target_tid": child, "target_comm": HELPER_COMM}
    expect_seq(select(evs, pid=h.pid, event_name="ptrace"), [
        mev("ptrace", "ptrace", 0, request=16, request_name="PTRACE_ATTACH", addr=0, data=0,
            **tgt),
        mev("ptrace", "ptrace", 0, request=5, request_name="PTRACE_POKEDATA", addr=addr,
            data=0x41, **tgt),
    ])
    for ev in select(evs, pid=h.pid, event_name="ptrace"):
        match(ev, ident(h))


@test
def mem_kill_child(t):
    """kill, tgkill, tkill of a child: signal, target pid/tid/comm; signal 0 not reported"""
    lt = t.ltrack([], policy=mem_policy())
    h = t.helper(["child", "kill", 0, "tgkill", 19, "kill", 18, "tkill", 9, "reap"])
    evs = lt.stop()
    child = h.results[0]
    tgt = {"target_pid": child, "target_comm": HELPER_COMM}
    expect_seq(select(evs, pid=h.pid, event_name="kill"), [
        mev("kill", "tgkill", 0, syscall="tgkill", signal=19, signal_name="SIGSTOP",
            target_tid=child, **tgt),
        mev("kill", "kill", 0, syscall="kill", signal=18, signal_name="SIGCONT", **tgt),
        mev("kill", "tkill", 0, syscall="tkill", signal=9, signal_name="SIGKILL",
            target_tid=child, **tgt),
    ], exact=True)
    eq(h.results[-1], 9, "the child died of SIGKILL")


@test
def mem_modules(t):
    """finit_module of a non-module and delete_module of an unknown name, with --failed"""
    junk = t.write("not-a-module.ko", "junk")
    lt = t.ltrack(["--failed"], policy=mem_policy())
    h = t.helper(["open", 0, junk, O_RDONLY, 0, "?finit_module", 0, 0,
                  "?delete_module", "ltrack_no_such_module", 0x800, "?init_module", 64])
    evs = lt.stop()
    r = [None] + h.results
    mods = select(evs, pid=h.pid, event_name="module_load") + \
        select(evs, pid=h.pid, event_name="module_delete")
    if not os.path.exists("/sys/kernel/tracing/events/syscalls/sys_exit_finit_module"):
        # CONFIG_MODULES=n: the syscalls are ENOSYS stubs without tracepoints
        eq(r[2:], [-38, -38, -38], "module syscalls without CONFIG_MODULES")
        for prog in ("lt_mem_init_module", "lt_mem_finit_module", "lt_mem_delete_module"):
            check(prog + ": this kernel has no tracepoint" in lt.stderr(),
                  "the log names %s as not attached" % prog)
        eq(mods, [], "module events")
        return
    expect_seq(sorted(mods, key=lambda e: e["seq"]), [
        mev("module_load", "finit_module", r[2], syscall="finit_module", fd=r[1],
            filename=junk, flags=0),
        mev("module_delete", "delete_module", r[3], name="ltrack_no_such_module", flags=0x800),
        mev("module_load", "init_module", r[4], syscall="init_module", len=64),
    ], exact=True)


MEM_WORKLOAD = ["mmap", 0, 4096, PROT_R | PROT_W | PROT_X, MAP_PRIVATE | MAP_ANONYMOUS, "none",
                "memfd", 3, "m", 0, "setresuid", -1, -1, -1,
                "child", "ptrace", 16, 0, 0, "ptrace-wait", "kill", 9, "reap"]
MEM_GROUP_EVENTS = {"memory": ["mem_exec"], "fileless": ["memfd_create"],
                    "credentials": ["cred_change"], "ptrace": ["ptrace"], "kill": ["kill"],
                    "modules": []}


@test
def mem_groups_off(t):
    """each [security_monitor] key turns its group off and leaves the others on"""
    runs = []
    for key in MEM_KEYS:
        lt = t.ltrack([], policy=mem_policy(**{key: True}))
        h = t.helper(MEM_WORKLOAD)
        runs.append((key, h, lt.stop()))
    for key, h, evs in runs:
        for k2, names in MEM_GROUP_EVENTS.items():
            for name in names:
                got = select(evs, pid=h.pid, event_name=name)
                if k2 == key:
                    eq(got, [], "%s events with %s = false" % (name, key))
                else:
                    eq(len(got), 1, "%s events with only %s = false" % (name, key))


@test
def mem_off_without_policy(t):
    """SysTracer mode (--watch only): no mem events, no mem programs attached"""
    w = t.mkdir("w")
    lt = t.ltrack(["--watch", "create=" + w])
    h = t.helper(MEM_WORKLOAD)
    evs = lt.stop()
    for names in MEM_GROUP_EVENTS.values():
        for name in names:
            none(evs, event_name=name)
    check(h.results[0] > 0, "the workload ran")


@test
def mem_text_format(t):
    """text lines of mem events: strace-like name(args) = ret"""
    lt = t.ltrack(["--format", "text"], policy=mem_policy(), text=True)
    h = t.helper(["mmap", 0, 4096, PROT_R | PROT_W | PROT_X, MAP_PRIVATE | MAP_ANONYMOUS, "none",
                  "memfd", 3, "tx", MFD_CLOEXEC, "child", "kill", 9, "reap"])
    lt.stop()
    with open(lt.out) as f:
        lines = [l for l in f if "[%d] " % h.pid in l]
    r = h.results
    want = [
        'mem_exec(mmap, 0x%x, 4096, PROT_READ|PROT_WRITE|PROT_EXEC, '
        'MAP_PRIVATE|MAP_ANONYMOUS, -1, wx) = 0x%x' % (r[0], r[0]),
        'memfd_create("tx", MFD_CLOEXEC) = %d' % r[1],
        'kill(kill, %d, SIGKILL, "%s")' % (r[2], HELPER_COMM),
    ]
    got = [l.split("] ", 1)[1].rstrip("\n") for l in lines
           if any(l.split("] ", 1)[1].startswith(w.split("(")[0] + "(") for w in want)]
    eq(got, want, "text lines")


@test
def mem_policy_keys_checked(t):
    """[security_monitor] values are validated: exit 2 with FILE:LINE:COL"""
    cases = [
        ('[security_monitor]\nmemory = "yes"\n',
         "policy.toml:2:10: [security_monitor] memory must be a boolean, not string"),
        ("[security_monitor]\nkil = false\n",
         "policy.toml:2:1: unknown key 'kil' in [security_monitor]; did you mean 'kill'?"),
    ]
    for text, want in cases:
        t.write("policy.toml", text)
        rc, out, err = run_ltrack_cli(t, ["--config", "policy.toml", "--check"])
        eq(rc, 2, "exit status for %r" % text)
        check(("ltrack: " + want) in err, "stderr for %r: %r lacks %r" % (text, err, want))
    t.write("policy.toml", "[security_monitor]\n" + "".join("%s = false\n" % k for k in MEM_KEYS))
    rc, out, err = run_ltrack_cli(t, ["--config", "policy.toml", "--check"])
    eq((rc, err), (0, ""), "a valid [security_monitor]")


@test
def mem_capset(t):
    """capset dropping CAP_SYS_ADMIN from the effective set: old/new sets exact"""
    lt = t.ltrack([], policy=mem_policy())
    h = t.helper(["capset-drop", 21])
    evs = lt.stop()
    full = cap_bnd()        # a root helper starts with every capability of the bounding set
    hexs = lambda v: "0x%016x" % v
    match(one(evs, pid=h.pid, event_name="cred_change"),
          mev("cred_change", 126, 0, syscall="capset", changed=True,
              old_cap_effective=hexs(full), old_cap_permitted=hexs(full),
              old_cap_inheritable=hexs(0), new_cap_effective=hexs(full & ~(1 << 21)),
              new_cap_permitted=hexs(full), new_cap_inheritable=hexs(0)), exact=True)


@test
def mem_failed_calls(t):
    """with --failed: a refused memfd_create (name from user memory) and mprotect of nothing"""
    ops = ["?memfd", 4, "bad", 0x1000, "?mprotect", 5, 4096, PROT_R | PROT_X]
    lt1 = t.ltrack([], policy=mem_policy())
    h1 = t.helper(ops)
    evs1 = lt1.stop()
    lt2 = t.ltrack(["--failed"], policy=mem_policy())
    h2 = t.helper(ops)
    evs2 = lt2.stop()
    eq(h2.results, [-22, -12], "memfd_create(0x1000) and mprotect(NULL)")
    for name in ("memfd_create", "mem_exec"):
        none(evs1, pid=h1.pid, event_name=name)
    expect_seq(select(evs2, pid=h2.pid, event_name="memfd_create") +
               select(evs2, pid=h2.pid, event_name="mem_exec"), [
        mev("memfd_create", "memfd_create", -22, name="bad", flags=0x1000, flags_str="0x1000"),
        mev("mem_exec", "mprotect", -12, syscall="mprotect", addr=0, len=4096, prot=5,
            prot_str="PROT_READ|PROT_EXEC", reason="anon_exec"),
    ], exact=True)
