# SPDX-License-Identifier: MIT
"""
t_gpu.py - gpu_access: opens of GPU device nodes. Runs in run.py's namespace
(see load_test_modules there).

The test makes device nodes at the real paths, only those that do not exist
yet, and removes them afterwards. This host has no GPU driver, so a node
with NVIDIA's major (195) or DRM's (226) cannot be opened (ENXIO): those
serve the failed-open cases. Nodes whose major is a dynamic one on real
hosts (nvidia-uvm, kfd) and one DRI node get the numbers of mem's
/dev/null, /dev/zero and /dev/full here, so their opens succeed: ltrack
matches by path, as it must for those dynamic majors.
"""

TYPES.update({"gpu_access": 67})

O_CLOEXEC, O_PATH = os.O_CLOEXEC, 0o10000000
ENXIO = 6

# path -> (major, minor); the "open succeeds" ones borrow mem's devices
GPU_NODES = {
    "/dev/nvidia0": (195, 0),
    "/dev/nvidiactl": (195, 255),
    "/dev/nvidia-uvm": (1, 3),
    "/dev/kfd": (1, 5),
    "/dev/dri/renderD128": (226, 128),
    "/dev/dri/card7": (1, 7),
}

GPU_POLICY = NO_EXEC_POLICY + SECURITY_OFF + """
[model_monitor]
gpu_allow = [%s]
"""


class GpuNodes:
    """the nodes of GPU_NODES that are missing, made for one test and removed after"""

    def __init__(self):
        self.made, self.dirs = [], []

    def __enter__(self):
        if not os.path.isdir("/dev/dri"):
            os.mkdir("/dev/dri", 0o755)
            self.dirs.append("/dev/dri")
        for path, (ma, mi) in GPU_NODES.items():
            if os.path.lexists(path):
                continue
            os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(ma, mi))
            os.chmod(path, 0o666)
            self.made.append(path)
        return self

    def __exit__(self, *exc):
        for path in self.made:
            os.unlink(path)
        for d in self.dirs:
            os.rmdir(d)

    def usable(self, path):
        """@path is one of ours (a node that already existed may be a real device)"""
        return path in self.made


def gpu_policy(allow=()):
    return GPU_POLICY % ", ".join('"%s"' % a for a in allow)


def gpu_want(path, flags, flags_str, kind, ret=0, failed=False):
    """the exact fields of a gpu_access event of the helper's openat"""
    d = {"event_name": "gpu_access", "event_type": 67, "filename": path, "flags": flags,
         "flags_str": flags_str, "gpu_kind": kind, "syscall_nr": NR["openat"], "ret_code": ret}
    if failed:
        d["ret_code"] = -ENXIO
    else:
        st = os.stat(path)
        d.update({"device": "%d:%d" % GPU_NODES[path], "major": GPU_NODES[path][0],
                  "minor": GPU_NODES[path][1],
                  "dev": "%d:%d" % (os.major(st.st_dev), os.minor(st.st_dev)),
                  "inode": st.st_ino})
    return d


def need_ours(nodes, paths):
    for p in paths:
        if not nodes.usable(p):
            fail("%s existed before the test (a real GPU?): not touching it" % p)


@test
def gpu_access_opens(t):
    """first successful open per (process, device) of /dev/nvidia*, /dev/kfd, /dev/dri/*;
    not: a repeat, a failed open, O_PATH, /dev/null, a GPU-named node outside /dev"""
    with GpuNodes() as nodes:
        need_ours(nodes, ["/dev/nvidia-uvm", "/dev/kfd", "/dev/dri/card7", "/dev/nvidia0"])
        os.mknod(t.path("nvidia0"), 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        wants = [gpu_want("/dev/nvidia-uvm", O_RDWR | O_CLOEXEC, "O_RDWR|O_CLOEXEC", "nvidia"),
                 gpu_want("/dev/kfd", O_RDWR, "O_RDWR", "kfd"),
                 gpu_want("/dev/dri/card7", O_RDWR | O_CLOEXEC, "O_RDWR|O_CLOEXEC", "dri")]
        pywant = gpu_want("/dev/kfd", O_RDONLY | O_CLOEXEC, "O_RDONLY|O_CLOEXEC", "kfd")
        lt = t.ltrack([], policy=gpu_policy())
        h = t.spawn(["open", 0, "/dev/nvidia-uvm", O_RDWR | O_CLOEXEC, 0,
                     "open", 1, "/dev/nvidia-uvm", O_RDONLY, 0,           # a repeat
                     "open", 2, "/dev/kfd", O_RDWR, 0,
                     "open", 3, "/dev/dri/card7", O_RDWR | O_CLOEXEC, 0,
                     "?open", 4, "/dev/nvidia0", O_RDWR, 0,                # ENXIO
                     "open", 5, "/dev/null", O_RDONLY, 0,
                     "open", 6, t.path("nvidia0"), O_RDONLY, 0,           # not in /dev
                     "open", 7, "/dev/kfd", O_PATH, 0])                   # no access
        h.finish()
        res = h.results
        check(all(r >= 0 for r in res[:4]) and res[4] == -ENXIO and res[5] >= 0 and
              res[6] >= 0 and res[7] >= 0, "helper results %r" % res)
        # another process: its own first open is reported (python adds O_CLOEXEC)
        py = subprocess.Popen([sys.executable, "-c",
                               "import os; print(os.open('/dev/kfd', os.O_RDONLY)); "
                               "os.open('/dev/kfd', os.O_RDONLY)"], cwd=t.dir,
                              stdout=subprocess.PIPE)
        t.procs.append(py)
        pyfd = int(py.communicate(timeout=30)[0])
        evs = lt.stop()
    for w, r in zip(wants, (res[0], res[2], res[3])):
        w["ret_code"] = r
    mine = select(evs, event_name="gpu_access", pid=h.pid)
    expect_seq(mine, wants, what="gpu_access events of the helper")
    for e in mine:
        eq(e["comm"], HELPER_COMM, "comm")
        eq(e["exe"], HELPER, "exe")
        check_ids(e, h)
    pywant["ret_code"] = pyfd
    match(one(evs, event_name="gpu_access", pid=py.pid), pywant, exact=True)
    eq(len(select(evs, event_name="gpu_access")), 4, "gpu_access events in all")


@test
def gpu_access_allow_list(t):
    """an image in gpu_allow (by name or by path) gives nothing; another image does"""
    with GpuNodes() as nodes:
        need_ours(nodes, ["/dev/nvidia-uvm", "/dev/kfd"])
        for allow in (["e2e-helper"], [HELPER], ["e2e-*"], ["/nowhere", os.path.dirname(HELPER) + "/*"]):
            lt = t.ltrack([], policy=gpu_policy(allow))
            h = t.helper(["open", 0, "/dev/nvidia-uvm", O_RDWR, 0, "open", 1, "/dev/kfd", O_RDWR, 0])
            check(min(h.results) >= 0, "helper results %r" % h.results)
            py = subprocess.Popen([sys.executable, "-c", "import os; os.open('/dev/kfd', 0)"],
                                  cwd=t.dir)
            t.procs.append(py)
            eq(py.wait(timeout=30), 0, "python's exit status")
            evs = lt.stop()
            none(evs, " (allowed by %r)" % allow, event_name="gpu_access", pid=h.pid)
            match(one(evs, event_name="gpu_access", pid=py.pid),
                  {"filename": "/dev/kfd", "gpu_kind": "kfd"})


@test
def gpu_access_failed_and_off(t):
    """--failed reports failed opens by the path as given (no device fields); gpu = false
    reports nothing"""
    with GpuNodes() as nodes:
        need_ours(nodes, ["/dev/nvidia0", "/dev/nvidiactl", "/dev/dri/renderD128",
                          "/dev/kfd"])
        lt = t.ltrack(["--failed"], policy=gpu_policy())
        h = t.helper(["?open", 0, "/dev/nvidia0", O_RDWR, 0,
                      "?open", 1, "/dev/nvidiactl", O_RDWR | O_CLOEXEC, 0,
                      "?open", 2, "/dev/dri/renderD128", O_RDWR, 0,
                      "?open", 3, "/dev/dri/nope/x", O_RDONLY, 0,          # not one level
                      "?open", 4, "/dev/nvidia0", O_RDWR, 0])              # not deduplicated
        eq(h.results, [-ENXIO, -ENXIO, -ENXIO, -2, -ENXIO], "helper results")
        evs = lt.stop()
        expect_seq(select(evs, event_name="gpu_access", pid=h.pid), [
            gpu_want("/dev/nvidia0", O_RDWR, "O_RDWR", "nvidia", failed=True),
            gpu_want("/dev/nvidiactl", O_RDWR | O_CLOEXEC, "O_RDWR|O_CLOEXEC", "nvidia",
                     failed=True),
            gpu_want("/dev/dri/renderD128", O_RDWR, "O_RDWR", "dri", failed=True),
            gpu_want("/dev/nvidia0", O_RDWR, "O_RDWR", "nvidia", failed=True),
        ], what="failed gpu_access events")

        lt = t.ltrack([], policy=NO_EXEC_POLICY + SECURITY_OFF + "[model_monitor]\ngpu = false\n")
        h = t.helper(["open", 0, "/dev/kfd", O_RDWR, 0])
        check(h.results[0] >= 0, "helper results %r" % h.results)
        none(lt.stop(), " (gpu = false)", event_name="gpu_access")
