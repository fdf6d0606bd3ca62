# SPDX-License-Identifier: MIT
# t_ctx.py - container and process context, ancestry, and eTracee's filters.
# Runs in run.py's namespace (T, one, match, ident, ... and @test).

def ctx_unescape(field):
    """a mountinfo field with its octal escapes (\\040 ...) decoded"""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def ctx_cg_mounts():
    """
    the cgroup2 mount point, and the first mount of each v1 hierarchy
    {controller: (mount point, the cgroup mounted there)}: "/" on a host, a
    subtree in a container without a cgroup namespace
    """
    v2, v1 = None, {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, right = line.split(" - ", 1)
            root, mnt = [ctx_unescape(x) for x in left.split()[3:5]]
            fstype, _, opts = right.split()[:3]
            if fstype == "cgroup2" and v2 is None:
                v2 = mnt
            elif fstype == "cgroup":
                for o in opts.split(","):
                    if o in ("cpu", "memory", "pids", "name=systemd") and o not in v1:
                        v1[o] = (mnt, root)
    return v2, v1


CTX_V2, CTX_V1 = ctx_cg_mounts()
CTX_HEX = "0123456789abcdef" * 4            # a 64-hex container id
CTX_HEX2 = "fedcba9876543210" * 4
CTX_UID = "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9"


def ctx_v1_of(pid):
    """the cgroup_v1 object ltrack must print for @pid (non-"/" cpu/memory/pids/systemd)"""
    keys = {"cpu": "cpu", "memory": "memory", "pids": "pids", "name=systemd": "systemd"}
    out = {}
    with open("/proc/%d/cgroup" % pid) as f:
        for line in f:
            _, ctls, path = line.rstrip("\n").split(":", 2)
            for c in ctls.split(","):
                if c in keys and path != "/":
                    out[keys[c]] = path
    return out or MISSING


class CtxCgroup:
    """
    a cgroup directory tree @rel made for one test below the cgroup @base
    (default: the root) of the hierarchy mounted at @mount, where the cgroup
    @root is mounted; removed at the end. .rel is its path as
    /proc/PID/cgroup shows it.
    """

    def __init__(self, mount, rel, root="/", base=None):
        base = base or root
        below = base[len(root):] if root != "/" else base
        where = os.path.join(mount, below.strip("/"))
        self.mount = mount
        self.top = os.path.join(where, rel.strip("/").split("/")[0])
        self.path = os.path.join(where, rel.strip("/"))
        self.rel = base.rstrip("/") + "/" + rel.strip("/")
        os.makedirs(self.path)

    def enter(self):
        """a preexec_fn: the child moves itself in before it execs"""
        path = self.path

        def mv():
            with open(os.path.join(path, "cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))
        return mv

    def remove(self):
        # deepest first; the processes have exited (a dead task leaves at once)
        for d, _, _ in sorted(os.walk(self.top), key=lambda x: -x[0].count("/")):
            deadline = time.monotonic() + 5
            while True:
                try:
                    os.rmdir(d)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.01)


def ctx_ns(pid):
    return {k: os.stat("/proc/%d/ns/%s" % (pid, k[:-3])).st_ino
            for k in ("pid_ns", "mnt_ns", "net_ns")}


@test
def ctx_container_docker_v2_pidns_netns(t):
    """a process in new pid+net namespaces in a docker-named v2 cgroup: exact context"""
    check(CTX_V2 is not None, "no cgroup2 mount")
    w = t.mkdir("w")
    cg = CtxCgroup(CTX_V2, "ltrack-t-%d/docker-%s.scope" % (os.getpid(), CTX_HEX))
    try:
        lt = t.ltrack(["--watch", "mkdir=" + w])
        p = subprocess.Popen(["unshare", "--pid", "--net", "--fork", HELPER, "wait",
                              "mkdir", w + "/in-ns", "0755"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, preexec_fn=cg.enter(), cwd=t.dir)
        t.procs.append(p)
        hpid, deadline = None, time.monotonic() + 10
        while hpid is None:
            try:
                with open("/proc/%d/task/%d/children" % (p.pid, p.pid)) as f:
                    kids = [int(x) for x in f.read().split()]
                if kids and proc_comm(kids[0]) == HELPER_COMM:
                    hpid = kids[0]
            except OSError:
                pass
            check(time.monotonic() < deadline, "the helper did not start under unshare")
            time.sleep(0.01)
        ns = ctx_ns(hpid)
        v1 = ctx_v1_of(hpid)
        check(ns["pid_ns"] != ctx_ns(RUNNER_PID)["pid_ns"], "a new pid namespace")
        check(ns["net_ns"] != ctx_ns(RUNNER_PID)["net_ns"], "a new net namespace")
        out, err = p.communicate(b"g", timeout=30)
        eq(p.returncode, 0, "helper under unshare: %s" % err.decode(errors="replace"))
        evs = lt.stop()
        ev = one(evs, pid=hpid)
        match(ev, dict(ns, event_name="mkdir", filename=w + "/in-ns", ppid=p.pid,
                       cgroup=cg.rel, cgroup_id=os.stat(cg.path).st_ino,
                       container_id=CTX_HEX, container_runtime="docker", cgroup_v1=v1,
                       pod_uid=MISSING, ancestors=MISSING))
    finally:
        cg.remove()


@test
def ctx_kubepods_pod_uid(t):
    """kubelet cgroups: systemd-style slices (uid with '_') and cgroupfs-style /kubepods"""
    check(CTX_V2 is not None, "no cgroup2 mount")
    w = t.mkdir("w")
    us = CTX_UID.replace("-", "_")
    top = "ltrack-t-%d" % os.getpid()
    cases = [
        ("%s/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%s.slice/"
         "cri-containerd-%s.scope" % (top, us, CTX_HEX), CTX_HEX, "containerd"),
        ("%s/kubepods/besteffort/pod%s/%s" % (top, CTX_UID, CTX_HEX2), CTX_HEX2, MISSING),
        ("%s/kubepods.slice/kubepods-pod%s.slice/crio-%s.scope" % (top, us, CTX_HEX2),
         CTX_HEX2, "cri-o"),
    ]
    for i, (rel, cid, rt) in enumerate(cases):
        cg = CtxCgroup(CTX_V2, rel)
        try:
            lt = t.ltrack(["--watch", "mkdir=" + w])
            h = t.helper(["mkdir", "%s/k%d" % (w, i), 0o755], preexec_fn=cg.enter())
            evs = lt.stop()
            match(one(evs, pid=h.pid), {"cgroup": "/" + rel, "pod_uid": CTX_UID,
                                        "container_id": cid, "container_runtime": rt,
                                        "cgroup_id": os.stat(cg.path).st_ino})
        finally:
            cg.remove()


# kubelet's pod cgroups: systemd driver (uid with '_') and cgroupfs driver
CTX_POD_RE = re.compile(
    r"/kubepods[^/]*-pod([0-9a-f]{8}(?:_[0-9a-f]{4}){3}_[0-9a-f]{12})\.slice(?=/|$)"
    r"|/kubepods(?:/[^/]+)*?/pod([0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})(?=/|$)")


def ctx_pod_uid(path):
    """the pod uid kubelet's naming puts in @path (the CI's own pod, if any), or MISSING"""
    found = [m.group(1) or m.group(2) for m in CTX_POD_RE.finditer(path)]
    return found[-1].replace("_", "-") if found else MISSING


def ctx_v1_libpod():
    """
    (controller, CtxCgroup) of a podman container libpod-ID.scope in the v1
    cpu hierarchy (else pids), or (None, None) on a host without them.
    It is made below the runner's own cgroup of that hierarchy, as an engine
    in the runner's sandbox would do: on a CI host whose sandbox is itself a
    container (/docker/ID/...), the test's container is the inner one.
    """
    ctl = "cpu" if "cpu" in CTX_V1 else "pids" if "pids" in CTX_V1 else None
    if not ctl:
        return None, None
    mnt, root = CTX_V1[ctl]
    own = ctx_v1_of(RUNNER_PID)
    base = own.get(ctl, root) if own is not MISSING else root
    if not (base + "/").startswith(root.rstrip("/") + "/"):
        base = root     # not below the mount: next to it, at its root
    return ctl, CtxCgroup(mnt, "ltrack-t-%d/libpod-%s.scope" % (os.getpid(), CTX_HEX2),
                          root=root, base=base)


def ctx_v2_of(pid):
    with open("/proc/%d/cgroup" % pid) as f:
        return [l.split(":", 2)[2].strip() for l in f if l.startswith("0::")][0]


@test
def ctx_podman_v1_hybrid(t):
    """hybrid host: a container named only in a v1 hierarchy (cpu) is found there"""
    ctl, cg = ctx_v1_libpod()
    if not cg:
        return      # a pure v2 host: nothing to test here
    w = t.mkdir("w")
    try:
        lt = t.ltrack(["--watch", "mkdir=" + w])
        h = t.spawn(["mkdir", w + "/v1", 0o755], preexec_fn=cg.enter())
        v1 = ctx_v1_of(h.pid)
        eq(v1.get(ctl), cg.rel, "the helper's %s cgroup" % ctl)
        v2 = ctx_v2_of(h.pid)
        h.release().finish()
        evs = lt.stop()
        match(one(evs, pid=h.pid), {"cgroup": v2, "cgroup_v1": v1, "container_id": CTX_HEX2,
                                    "container_runtime": "podman",
                                    "pod_uid": ctx_pod_uid(cg.rel)})
        # a process outside any container has no container fields
        mine = select(evs, pid=RUNNER_PID)
        none(mine, container_id=CTX_HEX2)
    finally:
        cg.remove()


@test
def ctx_v1_gone_before_read(t):
    """the v1 cgroups and container of a process gone before ltrack handled its exec"""
    ctl, cg = ctx_v1_libpod()
    if not cg:
        return
    w = t.mkdir("w")
    try:
        lt = t.ltrack(["--watch", "mkdir=" + w])
        # ltrack reads nothing until the helper has exec'd, made its directory and exited:
        # what it reports can only come from what the kernel recorded at the exec
        os.kill(lt.pid, signal.SIGSTOP)
        try:
            h = t.spawn(["mkdir", w + "/gone", 0o755], preexec_fn=cg.enter())
            v1, v2 = ctx_v1_of(h.pid), ctx_v2_of(h.pid)
            eq(v1.get(ctl), cg.rel, "the helper's %s cgroup" % ctl)
            h.release().finish()
            check(not os.path.exists("/proc/%d" % h.pid), "the helper is gone")
        finally:
            os.kill(lt.pid, signal.SIGCONT)
        evs = lt.stop()
        match(one(evs, pid=h.pid), {"cgroup": v2, "cgroup_v1": v1, "container_id": CTX_HEX2,
                                    "container_runtime": "podman",
                                    "pod_uid": ctx_pod_uid(cg.rel)})
    finally:
        cg.remove()


def ctx_cmdline(pid):
    with open("/proc/%d/cmdline" % pid, "rb") as f:
        return [a.decode() for a in f.read().split(b"\0")[:-1]]


@test
def ctx_ancestors_exec_chain(t):
    """--ancestors 2: parent and grandparent with exact pid, exe, argv and exec_id"""
    w = t.mkdir("w")
    sh = os.path.realpath("/bin/sh")
    inner = "%s mkdir %s/deep 0755; true" % (HELPER, w)
    lt = t.ltrack(["--watch", "mkdir=" + w, "--ancestors", "2"], policy=EXEC_POLICY)
    h = t.helper(["exec", "/bin/sh", 3, "sh", "-c", inner])
    evs = lt.stop()
    ev = one(evs, event_name="mkdir", filename=w + "/deep")
    eq(ev["ppid"], h.pid, "the mkdir's parent is the shell")
    sh_exec = one(evs, pid=h.pid, event_name="exec", comm="sh")
    runner_id = "%d-%s" % (RUNNER_PID, ev["ancestors"][1]["exec_id"].split("-")[1])
    check_exec_id(runner_id, RUNNER_PID, RUNNER_START_NS)
    eq(ev["ancestors"], [
        {"pid": h.pid, "exe": sh, "args": ["sh", "-c", inner], "exec_id": sh_exec["exec_id"]},
        {"pid": RUNNER_PID, "exe": RUNNER_EXE, "args": ctx_cmdline(RUNNER_PID),
         "exec_id": runner_id},
    ], "ancestors of the mkdir")
    # the exec of the innermost helper carries the same chain
    ex = one(evs, pid=ev["pid"], event_name="exec")
    eq(ex["ancestors"], ev["ancestors"], "ancestors of its exec")
    # the shell's own exec: the runner, then the runner's parent
    eq([a["pid"] for a in sh_exec["ancestors"]], [RUNNER_PID, RUNNER_PPID], "shell ancestors")


@test
def ctx_ancestors_policy_key_and_off(t):
    """[exec_monitor] ancestors = 1 gives one level; by default there are none"""
    w = t.mkdir("w")
    lt = t.ltrack(["--watch", "mkdir=" + w], policy="[exec_monitor]\nancestors = 1\n")
    h = t.helper(["mkdir", w + "/a", 0o755])
    evs = lt.stop()
    anc = one(evs, pid=h.pid, event_name="mkdir")["ancestors"]
    eq(len(anc), 1, "one level")
    match(anc[0], {"pid": RUNNER_PID, "exe": RUNNER_EXE, "args": ctx_cmdline(RUNNER_PID)})
    lt = t.ltrack(["--watch", "mkdir=" + w])
    h = t.helper(["mkdir", w + "/b", 0o755])
    evs = lt.stop()
    match(one(evs, pid=h.pid), {"ancestors": MISSING})


def ctx_mkdirs(t, w, n, preexec=None):
    """n helpers blocked before a mkdir each (pids known before ltrack starts)"""
    return [t.spawn(["mkdir", "%s/m%d" % (w, i), 0o755],
                    preexec_fn=preexec[i] if preexec else None) for i in range(n)]


@test
def ctx_filter_pid_ranges_cli(t):
    """--pid LO-HI,N: events of pids inside are reported, the others are not"""
    w = t.mkdir("w")
    hs = ctx_mkdirs(t, w, 3)
    spec = "%d-%d,%d" % (hs[0].pid, hs[0].pid, hs[2].pid)
    lt = t.ltrack(["--watch", "mkdir=" + w, "--pid", spec, "--ancestors", "1"])
    for h in hs:
        h.release().finish()
    evs = lt.stop()
    for i in (0, 2):
        ev = one(evs, pid=hs[i].pid)
        match(ev, {"filename": "%s/m%d" % (w, i)})
        # the parent is filtered out, but the process table still knows it
        match(ev["ancestors"][0], {"pid": RUNNER_PID, "exe": RUNNER_EXE})
    none(evs, pid=hs[1].pid)
    none(evs, pid=RUNNER_PID, event_name="mkdir")


@test
def ctx_filter_uid_and_events_cli(t):
    """--uid 1000-2000 keeps uid 1234 only; --events selects types (exec yes, exit no)"""
    w = t.mkdir("w", mode=0o777)

    def as1234():
        os.setgroups([])
        os.setresgid(1234, 1234, 1234)
        os.setresuid(1234, 1234, 1234)
    hs = ctx_mkdirs(t, w, 2, preexec=[as1234, None])
    lt = t.ltrack(["--watch", "mkdir=" + w, "--uid", "1000-2000"])
    for h in hs:
        h.release().finish()
    evs = lt.stop()
    match(one(evs, pid=hs[0].pid), {"uid": 1234, "filename": w + "/m0"})
    none(evs, pid=hs[1].pid)

    lt = t.ltrack(["--watch", "all=" + w, "--events", "mkdir,exec"], policy=EXEC_POLICY)
    h = t.helper(["mkdir", w + "/d", 0o755, "open", 0, w + "/f", O_WRONLY | O_CREAT, 0o644])
    evs = lt.stop()
    eq([e["event_name"] for e in select(evs, pid=h.pid)], ["exec", "mkdir"], "selected events")
    none(evs, event_name="create")
    none(evs, event_name="exit")
    none(evs, event_name="fork")


@test
def ctx_filter_from_policy(t):
    """[filter] pids (strings and ints), uids and events, applied like the flags"""
    w = t.mkdir("w")
    hs = ctx_mkdirs(t, w, 3)
    pol = ("[exec_monitor]\nenabled = false\n[filter]\npids = [\"%d-%d\", %d]\n"
           "uids = [0]\nevents = [\"mkdir\", \"openat\"]\n" %
           (hs[1].pid, hs[1].pid, hs[2].pid))
    lt = t.ltrack(["--watch", "all=" + w], policy=pol)
    for h in hs:
        h.release().finish()
    h4 = t.helper(["open", 0, w + "/x", O_WRONLY | O_CREAT, 0o644])
    evs = lt.stop()
    none(evs, pid=hs[0].pid)
    for i in (1, 2):
        match(one(evs, pid=hs[i].pid), {"event_name": "mkdir", "filename": "%s/m%d" % (w, i)})
    none(evs, pid=h4.pid)
    # the CLI replaces the policy's ranges
    lt = t.ltrack(["--watch", "all=" + w, "--pid", "1-%d" % (2**32 - 1)], policy=pol)
    h5 = t.helper(["mkdir", w + "/y", 0o755, "open", 0, w + "/y/f", O_WRONLY | O_CREAT, 0o644])
    evs = lt.stop()
    eq([e["event_name"] for e in select(evs, pid=h5.pid)], ["mkdir"],
       "create is not selected by [filter] events")


@test
def ctx_filter_bad_values(t):
    """bad filters: exit 2 with file:line:col or the flag, did-you-mean for event names"""
    cases = [
        ('[filter]\npids = ["5-3"]\n', "policy.toml:2:9: [filter] pids: '5-3': LO is above HI"),
        ('[filter]\nuids = [1, "x"]\n', "policy.toml:2:12: [filter] uids: 'x': expected N or"),
        ('[filter]\nuids = [-1]\n', "policy.toml:2:9: [filter] uids: -1 is out of range"),
        ('[filter]\nevents = ["exec", "opne"]\n',
         "policy.toml:2:19: [filter] events: unknown event 'opne'; did you mean 'open'?"),
        ('[filter]\npids = [1,2,3,4,5,6,7,8,9]\n', "policy.toml:2:25: [filter] pids: more than 8"),
        ('[exec_monitor]\nancestors = 17\n', "policy.toml:2:13: [exec_monitor] ancestors: 17"),
    ]
    for text, want in cases:
        t.write("policy.toml", text)
        rc, out, err = run_ltrack_cli(t, ["--config", "policy.toml", "--check"])
        eq(rc, 2, "exit status for %r" % text)
        check(("ltrack: " + want) in err, "stderr for %r: %r lacks %r" % (text, err, want))
    t.write("policy.toml", "")
    for args, want in ((["--events", "exec,conect"], "unknown event 'conect'; did you mean "
                        "'connect'?"),
                       (["--pid", "100-"], "--pid '100-': '100-': "),
                       (["--uid", "1,,2"], "--uid '1,,2': "),
                       (["--ancestors", "99"], "--ancestors: '99' is not 0..16")):
        rc, out, err = run_ltrack_cli(t, args + ["--check"])
        eq(rc, 2, "exit status of %s" % args)
        check(want in err, "stderr of %s: %r lacks %r" % (args, err, want))


@test
def ctx_filter_sighup_reload(t):
    """SIGHUP swaps [filter] and ancestors with the policy: new ranges and types at once"""
    w = t.mkdir("w")
    h0 = t.spawn(["mkdir", w + "/a", 0o755])
    h1 = t.spawn(["mkdir", w + "/b", 0o755, "rmdir", w + "/b"])
    pol = "[exec_monitor]\nenabled = false\n%s\n[filter]\npids = [%d]\nevents = [\"%s\"]\n"
    lt = t.ltrack(["--watch", "all=" + w], policy=pol % ("", h0.pid, "mkdir"))
    h0.release().finish()
    lt.wait_event(pid=h0.pid, event_name="mkdir")
    with open(lt.policy_path, "w") as f:
        f.write(pol % ("ancestors = 1", h1.pid, "rmdir"))
    off = len(lt.stderr())
    os.kill(lt.pid, signal.SIGHUP)
    lt.wait_log("policy reloaded", after=off)
    h1.release().finish()                      # its mkdir is no longer selected, its rmdir is
    h2 = t.helper(["rmdir", w + "/a"])         # a selected event, but not a selected pid
    evs = lt.stop()
    match(one(evs, pid=h0.pid), {"event_name": "mkdir", "ancestors": MISSING})
    match(one(evs, pid=h1.pid), {"event_name": "rmdir", "filename": w + "/b"})
    eq([a["pid"] for a in one(evs, pid=h1.pid)["ancestors"]], [RUNNER_PID], "ancestors")
    none(evs, pid=h2.pid)


@test
def ctx_container_named_in_a_delegated_cgroup(t):
    """security review finding 11 as it was run: a cgroup delegated to uid 1000 (chowned, as
    systemd does for user@1000.service); uid 1000 makes docker-<64 f>.scope in it and moves
    itself there. Its events carry that container_id marked container_delegated: true; a
    process in a docker cgroup root made carries no mark"""
    check(CTX_V2 is not None, "no cgroup2 mount")
    w = t.mkdir("w")
    os.chmod(w, 0o777)
    fake = "f" * 64
    top = "ltrack-t-%d" % os.getpid()
    deleg = CtxCgroup(CTX_V2, top + "/deleg")
    real = CtxCgroup(CTX_V2, top + "/docker-%s.scope" % CTX_HEX)
    for f in ("", "cgroup.procs", "cgroup.threads", "cgroup.subtree_control"):
        os.chown(os.path.join(deleg.path, f), 1000, 1000)
    try:
        lt = t.ltrack(["--watch", "mkdir=" + w])
        dpath = deleg.path

        def into_deleg_as_1000():
            with open(os.path.join(dpath, "cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))
            os.setgroups([])
            os.setresgid(1000, 1000, 1000)
            os.setresuid(1000, 1000, 1000)
        script = ('mkdir "$1/docker-%s.scope" && echo $$ > "$1/docker-%s.scope/cgroup.procs" '
                  '&& exec mkdir "$2"' % (fake, fake))
        p = subprocess.run(["sh", "-c", script, "sh", dpath, w + "/fake"],
                           preexec_fn=into_deleg_as_1000, capture_output=True, timeout=30)
        eq(p.returncode, 0, "uid 1000 in its delegated cgroup: %s" % p.stderr.decode())
        r = subprocess.Popen(["mkdir", w + "/real"], preexec_fn=real.enter())
        eq(r.wait(timeout=30), 0, "mkdir in root's docker cgroup")
        lt.wait_event(event_name="mkdir", filename=w + "/real")
        lt.wait_event(event_name="mkdir", filename=w + "/fake")
        evs = lt.stop()
        ev = one(evs, event_name="mkdir", filename=w + "/fake")
        match(ev, dict(uid=1000, cgroup="/%s/deleg/docker-%s.scope" % (top, fake),
                       container_id=fake, container_runtime="docker",
                       container_delegated=True))
        ev = one(evs, event_name="mkdir", filename=w + "/real")
        match(ev, dict(uid=0, cgroup=real.rel, container_id=CTX_HEX,
                       container_runtime="docker", container_delegated=MISSING))
    finally:
        deleg.remove()
        real.remove()
