# SPDX-License-Identifier: MIT
"""
t_model.py - ML model files (model): model_load, model_access, model_exfil,
model_modified. Runs in run.py's namespace (see load_test_modules there).

Real PyTorch: Debian's /usr/bin/python3 with python3-torch saves a small
real model before ltrack starts, then loads it while ltrack runs. Every
Python process the tests start is /usr/bin/python3 (comm "python3", a
[model_monitor] loader by default).

format: what src/scan/sniff.c says of the file's first bytes.
"""

import hashlib
import socket
import threading

TYPES.update({"model_load": 64, "model_modified": 65, "model_exfil": 66, "model_access": 70})

MODEL_PY = "/usr/bin/python3"

TORCH_FMT = "pytorch-zip"

MODEL_POLICY = """
[exec_monitor]
enabled = false
[agent]
stats_interval = 0
[hashing]
wait_ms = 5000
[model_monitor]
enabled = true
inventory_file = ""
control_socket = ""
%s
""" + SECURITY_OFF


def model_sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def torch_save(path, width=4):
    """a real model saved by torch (a zip); @width changes its content"""
    code = ("import torch,sys\ntorch.manual_seed(1)\n"
            "torch.save(torch.nn.Linear(%d, 2).state_dict(), sys.argv[1])\n" % width)
    subprocess.run([MODEL_PY, "-c", code, path], check=True)


def model_py(code, *args, stdin=None):
    """run /usr/bin/python3 -c @code @args; returns (pid, stdout)"""
    p = subprocess.Popen([MODEL_PY, "-c", code] + [str(a) for a in args], stdout=subprocess.PIPE,
                         stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL)
    out, _ = p.communicate(stdin)
    eq(p.returncode, 0, "exit status of python %r" % code[:60])
    return p.pid, out.decode()


def model_listener():
    """a loopback TCP listener that drains every connection; returns (port, byte counts)"""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    got = []

    def run():
        while True:
            c, _ = s.accept()
            n = 0
            while True:
                b = c.recv(65536)
                if not b:
                    break
                n += len(b)
            got.append(n)
            c.close()

    threading.Thread(target=run, daemon=True).start()
    return s.getsockname()[1], got


def model_fields(path):
    st = os.stat(path)
    return {"filename": path, "dev": "%d:%d" % (os.major(st.st_dev), os.minor(st.st_dev)),
            "inode": st.st_ino, "size": st.st_size, "mtime": st.st_mtime_ns,
            "ctime": st.st_ctime_ns, "sha256": model_sha(path), "hash_state": "ok"}


HOOKS_ON = "model monitor: a model is held: read and send hooks attached"
HOOKS_OFF = "read and send hooks detached"


class WarmHolder:
    """a python process holding a model, so that the read and send hooks are attached (the
    kernel counts reads and sends from their attach: a load while no model is held is cold,
    see model_hooks_follow_holders); stop() lets it exit"""

    def __init__(self, t, lt):
        self.path = t.path("warm.safetensors")
        safetensors_write(self.path, bytes(16))
        self.p = subprocess.Popen([MODEL_PY, "-c", "import sys\nf = open(sys.argv[1], 'rb')\n"
                                   "sys.stdin.read()\n", self.path], stdin=subprocess.PIPE)
        lt.wait_log(HOOKS_ON)

    def stop(self):
        self.p.stdin.close()
        self.p.wait()


def model_evs(evs, name, path, pid=None):
    return [e for e in evs if e["event_name"] == name and e.get("filename") == path and
            (pid is None or e["pid"] == pid)]


@test
def model_load_torch(t):
    """torch.load of a real model: one model_load with sha256, format, inode, size, pid"""
    m = t.path("net.pt")
    torch_save(m)
    lt = t.ltrack([], policy=MODEL_POLICY % "")
    warm = WarmHolder(t, lt)
    pid, _ = model_py("import torch,sys\ntorch.load(sys.argv[1])\ntorch.load(sys.argv[1])\n", m)
    lt.wait_event(event_name="model_access", pid=pid, filename=m)
    warm.stop()
    evs = lt.stop()
    loads = model_evs(evs, "model_load", m)
    eq(len(loads), 1, "model_load events of %s (two torch.load calls, one process)" % m)
    want = model_fields(m)
    want.update({"pid": pid, "comm": "python3", "exe": os.path.realpath(MODEL_PY),
                 "format": TORCH_FMT, "access": ["open"], "found_by": "name",
                 "event_type": 64})
    match(loads[0], want)
    acc = model_evs(evs, "model_access", m, pid)
    eq(len(acc), 1, "model_access events")
    match(acc[0], {"access": ["open", "read"], "found_by": "name", "mapped": False,
                   "sha256": want["sha256"], "inode": want["inode"]})
    check("read_bytes_partial" not in acc[0], "a load while the hooks are attached is counted whole")
    check(acc[0]["read_bytes"] >= want["size"],
          "torch read the whole file at least once: %d < %d" % (acc[0]["read_bytes"], want["size"]))


def safetensors_write(path, payload=b"\0\0\0\0"):
    """a small valid safetensors file (header length, JSON header, data)"""
    hdr = b'{"a":{"dtype":"F32","shape":[%d],"data_offsets":[0,%d]}}' % (
        len(payload) // 4, len(payload))
    with open(path, "wb") as f:
        f.write(len(hdr).to_bytes(8, "little") + hdr + payload)


@test
def model_load_without_torch(t):
    """open, read, mmap and sendfile of a safetensors file by a plain process (no torch:
    the kernels VM runs it): model_load, model_access and model_exfil with exact fields"""
    m = t.path("tiny.safetensors")
    safetensors_write(m, bytes(range(64)))
    port, got = model_listener()
    lt = t.ltrack([], policy=MODEL_POLICY % "")
    warm = WarmHolder(t, lt)
    pid, _ = model_py("import sys,os,mmap,socket\n"
                      "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
                      "n = len(os.read(fd, 1 << 20))\n"
                      "m = mmap.mmap(fd, 0, prot=mmap.PROT_READ); m.close()\n"
                      "s = socket.create_connection(('127.0.0.1', int(sys.argv[2])))\n"
                      "os.sendfile(s.fileno(), fd, 0, n); s.close(); os.close(fd)\n", m, port)
    lt.wait_event(event_name="model_access", pid=pid, filename=m)
    warm.stop()
    evs = lt.stop()
    want = model_fields(m)
    loads = model_evs(evs, "model_load", m)
    eq(len(loads), 1, "model_load events of %s" % m)
    match(loads[0], dict(want, pid=pid, comm="python3", exe=os.path.realpath(MODEL_PY),
                         format="safetensors", access=["open"], found_by="name",
                         event_type=64))
    acc = model_evs(evs, "model_access", m, pid)
    eq(len(acc), 1, "model_access events")
    match(acc[0], {"access": ["open", "mmap", "read"], "mapped": True,
                   "read_bytes": os.path.getsize(m), "inode": want["inode"]})
    check("read_bytes_partial" not in acc[0], "read_bytes_partial absent: %r" % acc[0])
    ex = model_evs(evs, "model_exfil", m, pid)
    eq(len(ex), 1, "model_exfil events")
    match(ex[0], dict(want, method="sendfile", remote_addr="127.0.0.1", remote_port=port,
                      protocol="tcp", bytes=os.path.getsize(m), comm="python3"))
    # the monitor's counters: python (a loader) hands over what it opens to be
    # sniffed (its own modules too: how many depends on the interpreter); the
    # .safetensors name needs no sniffing; nothing lost
    stats = [e for e in evs if e["event_name"] == "stats" and e.get("final")]
    eq(len(stats), 1, "final stats")
    mm = stats[0]["model_monitor"]
    check(mm["candidates"] >= 1, "stats.model_monitor.candidates counts python's opens: %r" % mm)
    match(mm, {"enabled": True, "sniffed_models": 0, "modified": 0, "table_evicted": 0,
               "access_dropped": 0, "writes_dropped": 0, "confirm_failed": 0,
               "hooks_attached": True, "hook_attaches": 1, "cold_holds": 1})


@test
def model_content_and_access(t):
    """an innocent name found by content, whoever reads it (cat too); read bytes exact; mmap
    reported"""
    w = t.path("weights.dat")
    torch_save(w)
    st = t.path("tiny.safetensors")
    with open(st, "wb") as f:                      # header length, JSON header, data
        hdr = b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'
        f.write(len(hdr).to_bytes(8, "little") + hdr + b"\0\0\0\0")
    plain = t.path("plain.pt")
    torch_save(plain, width=3)
    lt = t.ltrack([], policy=MODEL_POLICY % "")
    warm = WarmHolder(t, lt)
    cat = subprocess.Popen(["/bin/cat", w], stdout=subprocess.DEVNULL)
    cat.wait()
    pid, _ = model_py("import torch,sys,os,mmap\n"
                "torch.load(sys.argv[1])\n"
                "fd = os.open(sys.argv[2], os.O_RDONLY)\n"
                "m = mmap.mmap(fd, 0, prot=mmap.PROT_READ); m.close(); os.close(fd)\n"
                "open(sys.argv[3], 'rb').read()\n", w, st, plain)
    lt.wait_event(event_name="model_access", pid=pid, filename=plain)
    warm.stop()
    evs = lt.stop()
    # by content, whoever reads it: cat (no loader, past sniff_min_size) and python
    eq(len(model_evs(evs, "model_load", w)), 2, "model_load events of %s" % w)
    match(model_evs(evs, "model_load", w, pid)[0],
          dict(model_fields(w), pid=pid, format=TORCH_FMT, access=["open"], found_by="content"))
    match(model_evs(evs, "model_load", w, cat.pid)[0],
          dict(model_fields(w), comm="cat", format=TORCH_FMT, access=["open"],
               found_by="content"))
    # mmap: the load is the open; the mapping shows in model_access at exit
    match(model_evs(evs, "model_load", st, pid)[0],
          dict(model_fields(st), access=["open"], found_by="name", format="safetensors"))
    match(model_evs(evs, "model_access", st, pid)[0],
          {"access": ["open", "mmap"], "mapped": True, "read_bytes": 0})
    # a plain read(): Python reads the size, then hits EOF: exactly the file's bytes
    match(model_evs(evs, "model_access", plain, pid)[0],
          dict(model_fields(plain), access=["open", "read"], read_bytes=os.path.getsize(plain)))
    check("read_bytes_partial" not in model_evs(evs, "model_access", plain, pid)[0],
          "plain.pt counted whole")
    # found by content: counted from user space's confirmation, and says so
    match(model_evs(evs, "model_access", w, pid)[0], {"found_by": "content",
                                                      "read_bytes_partial": True})
    # weights.dat was sniffed as a model for cat, then for python
    stats = [e for e in evs if e["event_name"] == "stats" and e.get("final")]
    eq(len(stats), 1, "final stats")
    match(stats[0]["model_monitor"], {"enabled": True, "sniffed_models": 2, "access_dropped": 0,
                                      "writes_dropped": 0, "confirm_failed": 0})


EVIL_PICKLE = r"""
import os, pickle, sys
class P:
    def __reduce__(self):
        return (os.system, ("true",))
open(sys.argv[1], "wb").write(pickle.dumps({"w": b"x" * int(sys.argv[2]), "p": P()}, 2))
"""


@test
def model_renamed_interpreter_found_by_content(t):
    """security review finding 12 as it was run: a copy of the python interpreter under
    another name ("runner", no loader by its name) reads a malicious pickle named weights.dat:
    a model_load found by content, format pickle, scan dangerous; then cat's read of it is a
    model_load too. A pickle under sniff_min_size is not sniffed, and a text file is no
    model"""
    runner = t.path("runner")
    shutil.copy2("/usr/bin/python3.11", runner)
    big, small, text = t.path("weights.dat"), t.path("tiny.dat"), t.path("notes")
    subprocess.run([MODEL_PY, "-c", EVIL_PICKLE, big, "2000"], check=True)
    subprocess.run([MODEL_PY, "-c", EVIL_PICKLE, small, "10"], check=True)
    check(os.path.getsize(big) >= 1024 > os.path.getsize(small), "sizes around 1024")
    with open(text, "w") as f:
        f.write("not a model\n" * 200)
    lt = t.ltrack([], policy=MODEL_POLICY % "scan = true\nscan_wait_ms = 20000")
    r = subprocess.run([runner, "-c", "import sys\nfor p in sys.argv[1:]: open(p, 'rb').read()",
                        big, small, text, text], capture_output=True, timeout=60)
    eq(r.returncode, 0, "runner: %s" % r.stderr.decode())
    lt.wait_event(event_name="model_load", filename=big)
    # then any reader of that content: known in the kernel now, a model_load at once
    cat = subprocess.Popen(["/bin/cat", big], stdout=subprocess.DEVNULL)
    cat.wait()
    lt.wait_event(event_name="model_load", filename=big, pid=cat.pid)
    evs = lt.stop()
    loads = model_evs(evs, "model_load", big)
    eq(len(loads), 2, "model_load of weights.dat")
    match(loads[0], dict(model_fields(big), comm="runner", format="pickle", access=["open"],
                         found_by="content"))
    match(loads[1], dict(model_fields(big), comm="cat", format="pickle", access=["open"],
                         found_by="content"))
    eq(loads[0]["scan"]["verdict"], "dangerous", "its verdict")
    eq([f["global"] for f in loads[0]["scan"]["findings"]], ["posix.system"], "the global")
    eq(model_evs(evs, "model_load", small), [], "under sniff_min_size: not sniffed")
    eq(model_evs(evs, "model_load", text), [], "text: no model")
    stats = [e for e in evs if e["event_name"] == "stats" and e.get("final")][0]
    check(stats["model_monitor"]["sniffed_models"] == 2, "sniffed_models: %r" %
          stats["model_monitor"])


@test
def model_exfil_sendfile_splice_send(t):
    """model_exfil by sendfile, splice (via a pipe) and send, with the loopback destination"""
    m = t.path("secret.pt")
    torch_save(m, width=64)
    size = os.path.getsize(m)
    port, got = model_listener()
    lt = t.ltrack([], policy=MODEL_POLICY % "")
    warm = WarmHolder(t, lt)
    sf, _ = model_py("import os,socket,sys\nc = socket.create_connection(('127.0.0.1', %d))\n"
               "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
               "n = os.sendfile(c.fileno(), fd, 0, os.fstat(fd).st_size)\n"
               "assert n == os.fstat(fd).st_size\n" % port, m)
    sp, _ = model_py("import os,socket,sys\nc = socket.create_connection(('127.0.0.1', %d))\n"
               "fd = os.open(sys.argv[1], os.O_RDONLY); r, w = os.pipe()\n"
               "n = os.splice(fd, w, %d)\nassert os.splice(r, c.fileno(), n) == n\n"
               % (port, size), m)
    sd, _ = model_py("import socket,sys\nd = open(sys.argv[1], 'rb').read()\n"
               "c = socket.create_connection(('127.0.0.1', %d))\nc.sendall(d)\n" % port, m)
    for pid in (sf, sp, sd):
        lt.wait_event(event_name="model_exfil", pid=pid)
    warm.stop()
    evs = lt.stop()
    base = dict(model_fields(m), remote_addr="127.0.0.1", remote_port=port, protocol="tcp",
                bytes=size)
    for pid, method in ((sf, "sendfile"), (sp, "splice"), (sd, "send")):
        ex = [e for e in evs if e["event_name"] == "model_exfil" and e["pid"] == pid]
        eq(len(ex), 1, "model_exfil events of the %s process" % method)
        match(ex[0], dict(base, method=method, comm="python3"))
    deadline = time.monotonic() + 10
    while len(got) < 3 and time.monotonic() < deadline:   # the listener drains in a thread
        time.sleep(0.01)
    eq(sorted(got), [size, size, size], "bytes the listener received")


@test
def model_modified_by_writer_and_digest(t):
    """a non-trainer's write gives model_modified (old, new, writer); a trainer's does not"""
    m = t.path("m.pt")
    torch_save(m)
    other = t.path("other.bin")
    torch_save(other, width=5)
    third = t.path("third.bin")
    torch_save(third, width=6)
    lt = t.ltrack([], policy=MODEL_POLICY % 'trainers = ["cp"]')
    load = "import torch,sys\ntorch.load(sys.argv[1])\n"
    p1, _ = model_py(load, m)
    old = model_sha(m)
    lt.wait_event(event_name="model_load", pid=p1, sha256=old)
    # a python process (not a trainer) rewrites the loaded model in place
    wpid, _ = model_py("import sys\nd = open(sys.argv[2], 'rb').read()\n"
                 "f = open(sys.argv[1], 'r+b'); f.truncate(0); f.write(d); f.close()\n", m, other)
    new = model_sha(m)
    mod = lt.wait_event(event_name="model_modified", pid=wpid)
    match(mod, dict(model_fields(m), old_sha256=old, writer=True, comm="python3"))
    # cp is a trainer: its rewrite is expected; the next load's new digest is no model_modified
    p2, _ = model_py(load, m)
    lt.wait_event(event_name="model_load", pid=p2, sha256=new)
    subprocess.run(["/bin/cp", third, m], check=True)
    p3, _ = model_py(load, m)
    lt.wait_event(event_name="model_load", pid=p3, sha256=model_sha(m))
    # a replacement by rename (a new inode, no write to the loaded one): the digest tells
    repl = t.path("repl.tmp")
    torch_save(repl, width=7)
    os.rename(repl, m)
    p4, _ = model_py(load, m)
    lt.wait_event(event_name="model_modified", pid=p4)
    evs = lt.stop()
    mods = model_evs(evs, "model_modified", m)
    eq(len(mods), 2, "model_modified events (python's write, the replacement)")
    match(mods[1], dict(model_fields(m), old_sha256=model_sha(third), writer=False, pid=p4))


HOT_PROGS = ("lt_model_read", "lt_model_pread", "lt_model_readv", "lt_model_sendto",
             "lt_model_sendmsg", "lt_model_write", "lt_model_writev")


def attached_progs(pid):
    """names of the BPF programs process @pid holds a link of, counted (link_progs, run.py;
    named by bpftool, from deps.sh)"""
    progs = json.loads(subprocess.run(["bpftool", "-j", "prog", "show"], check=True,
                                      capture_output=True).stdout)
    names = {p["id"]: p.get("name", "") for p in progs}
    out = {}
    for i in link_progs(pid):
        out[names.get(i, "")] = out.get(names.get(i, ""), 0) + 1
    return out


@test
def model_hooks_follow_holders(t):
    """the read and send hooks (every read/write of the host) are attached only while a model is
    held: a load while none is held is cold (read_bytes_partial), a load while they are attached
    is counted whole, and they go 10 s after the last holder exits"""
    a = t.path("a.safetensors")
    safetensors_write(a, bytes(range(200)))
    b = t.path("b.safetensors")
    safetensors_write(b, bytes(range(100)))
    lt = t.ltrack([], policy=MODEL_POLICY % "")
    on = attached_progs(lt.pid)
    check(on.get("lt_model_exec") == 1 and on.get("lt_model_sendfile") == 1,
          "the model monitor's other programs are attached: %r" % on)
    eq({n: on.get(n, 0) for n in HOT_PROGS}, {n: 0 for n in HOT_PROGS}, "hot hooks before a hold")
    # a cold load: python reads the model at once and keeps it open
    pa = subprocess.Popen([MODEL_PY, "-c", "import sys\nf = open(sys.argv[1], 'rb')\n"
                           "assert len(f.read()) == %d\nsys.stdin.read()\n" % os.path.getsize(a),
                           a], stdin=subprocess.PIPE)
    lt.wait_log(HOOKS_ON)
    on = attached_progs(lt.pid)
    eq({n: on.get(n, 0) for n in HOT_PROGS}, {n: 1 for n in HOT_PROGS}, "hot hooks while held")
    # while they are attached: counted whole
    pb, _ = model_py("import sys\nassert len(open(sys.argv[1], 'rb').read()) == %d\n"
                     % os.path.getsize(b), b)
    accb = lt.wait_event(event_name="model_access", pid=pb, filename=b)
    match(accb, {"access": ["open", "read"], "read_bytes": os.path.getsize(b)})
    check("read_bytes_partial" not in accb, "a warm load is not partial: %r" % accb)
    pa.stdin.close()
    eq(pa.wait(), 0, "exit status of the cold holder")
    acca = lt.wait_event(event_name="model_access", pid=pa.pid, filename=a)
    # what it read before the attach is not counted (nor is "read" in access, then)
    match(acca, {"read_bytes_partial": True})
    check(acca["access"][0] == "open" and acca["read_bytes"] <= os.path.getsize(a),
          "cold access %r, read_bytes %d" % (acca["access"], acca["read_bytes"]))
    # no holder left: detached after 10 s
    lt.wait_log(HOOKS_OFF, timeout=20)
    on = attached_progs(lt.pid)
    eq({n: on.get(n, 0) for n in HOT_PROGS}, {n: 0 for n in HOT_PROGS}, "hot hooks after")
    eq(on.get("lt_model_exec"), 1, "lt_model_exec stays")
    evs = lt.stop()
    stats = [e for e in evs if e["event_name"] == "stats" and e.get("final")]
    eq(len(stats), 1, "final stats")
    match(stats[0]["model_monitor"], {"hooks_attached": False, "hook_attaches": 1,
                                      "cold_holds": 1, "access_dropped": 0})


@test
def model_reload_longest_extension_lists(t):
    """the longest extension lists (128 + 128) apply at start and on every reload: the kernel's
    table holds two generations of them and the built-in skip list"""
    exts = ", ".join('".x%03d"' % i for i in range(128))
    conf = ", ".join('".c%03d"' % i for i in range(128))
    lt = t.ltrack([], policy=MODEL_POLICY % ("extensions = [%s]\nconfirm_extensions = [%s]"
                                             % (exts, conf)))
    for _ in range(3):
        off = len(lt.stderr())
        os.kill(lt.pid, signal.SIGHUP)
        end = lt.wait_log("SIGHUP: reloading", after=off)
        end = lt.wait_log("policy reloaded", after=end)
        check("reload rejected" not in lt.stderr()[off:end], "reload: %s" % lt.stderr()[off:end])
    m = t.path("weights.x127")
    safetensors_write(m)
    pid, _ = model_py("import sys\nopen(sys.argv[1], 'rb').read()\n", m)
    lt.wait_event(event_name="model_load", pid=pid, filename=m)
    lt.stop()


@test
def model_monitor_off_counts_nothing(t):
    """[model_monitor] enabled = false: a model load is not reported, stats.model_monitor is off and zero"""
    m = t.path("tiny.safetensors")
    safetensors_write(m, bytes(range(64)))
    lt = t.ltrack([], policy=(MODEL_POLICY % "").replace("enabled = true", "enabled = false"))
    pid, _ = model_py("import sys\nopen(sys.argv[1], 'rb').read()\n", m)
    evs = lt.stop()
    eq([e for e in evs if e["event_name"].startswith("model_")], [], "model events")
    stats = [e for e in evs if e["event_name"] == "stats" and e.get("final")]
    eq(len(stats), 1, "final stats")
    eq(stats[0]["model_monitor"], {"enabled": False, "candidates": 0, "sniffed_models": 0,
                                   "sniff_errors": 0, "modified": 0, "table_evicted": 0,
                                   "access_dropped": 0, "writes_dropped": 0,
                                   "confirm_failed": 0, "hooks_attached": False,
                                   "hook_attaches": 0, "cold_holds": 0},
       "stats.model_monitor")


@test
def model_on_fuse_never_opened_by_the_loop(t):
    """security review finding 5, its open half: a model on a FUSE file system (bindfs, whose
    daemon logs every request with its caller's thread id) is loaded by python. The model_load
    is reported, its scan says the agent does not open FUSE files, and the daemon saw no
    request from the agent's event loop (its main thread): a daemon that stalls every request
    would have held every event of the host"""
    src, mnt = t.mkdir("src"), t.mkdir("mnt")
    with open(os.path.join(src, "net.pt"), "wb") as f:
        f.write(b"\x80\x02}q\x00X\x01\x00\x00\x00aq\x01K\x01s.")
    log = open(t.path("bindfs.log"), "w")
    fs = subprocess.Popen(["bindfs", "-d", src, mnt], stdout=log, stderr=subprocess.STDOUT)
    t.procs.append(fs)
    try:
        for _ in range(500):
            if os.path.ismount(mnt):
                break
            time.sleep(0.01)
        check(os.path.ismount(mnt), "bindfs mounted")
        m = os.path.join(mnt, "net.pt")
        lt = t.ltrack([], policy=MODEL_POLICY % "scan = true\nscan_wait_ms = 5000")
        pid, _ = model_py("import sys\nopen(sys.argv[1], 'rb').read()\n", m)
        ev = lt.wait_event(event_name="model_load", filename=m)
        agent = lt.p.pid
        evs = lt.stop()
    finally:
        subprocess.run(["umount", "-l", mnt])
        fs.wait(timeout=10)
        log.close()
    eq(ev["pid"], pid, "the loader")
    eq(ev["scan"]["verdict"], "error", "not scanned")
    eq(ev["scan"]["error"], "not scanned: the file is on FUSE, whose daemon answers every open: "
       "the agent does not open it", "why")
    with open(t.path("bindfs.log")) as f:
        callers = set(int(x) for x in re.findall(r"opcode: \w+ \(\d+\), .*pid: (\d+)", f.read()))
    check(pid in callers, "the daemon logs its callers (the loader's requests): %r" % callers)
    check(agent not in callers, "a request from the agent's event loop (pid %d): %r" % (
        agent, callers))
    del evs
