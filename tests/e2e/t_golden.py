# t_golden.py - the output, byte for byte: one workload that makes an event
# of most families (process, file, net, mem, evade, gpu-less), its JSON lines
# compared byte for byte with tests/e2e/golden/workload.jsonl once the values
# that differ from run to run are replaced by placeholders (times, ids, pids,
# inodes, ports, addresses of memory, the test's directory, the host). A
# change of the encoders (a field renamed, moved, added, formatted otherwise)
# fails it; LTRACK_GOLDEN_UPDATE=1 rewrites the file after a deliberate change.
# Loaded by run.py into its namespace.

import difflib

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden", "workload.jsonl")
GOLDEN_TEXT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden", "workload.txt")

# keys whose values differ between runs: "key":value -> "key":"<key>"
GOLDEN_VOLATILE = (
    "timestamp", "ts", "seq", "pid", "tid", "ppid", "uid_real", "start_time", "parent_start_time",
    "process_key", "parent_key", "ino", "inode", "dev", "mnt_ns", "pid_ns", "net_ns", "cgroup_id",
    "cgroup", "boot_id", "hostname", "lport", "local_port", "addr", "ret_code", "fd",
    "child_pid", "child_start_time", "exec_id", "mtime", "ctime", "watch_id", "sock_ino",
    "duration_ns", "id", "ref_seq", "tty", "sessionid", "loginuid", "time_str", "parent_exec_id",
    "sha256", "handshake_ns",
)
# keys a host has or has not (v1 hierarchies, a container around the test): dropped
GOLDEN_HOST = ("cgroup_v1", "container_id", "container_runtime", "pod_uid")


def golden_normalise(line, subs):
    """@line (bytes of one JSON line) with the run's own values replaced"""
    s = line.decode()
    for old, new in subs:
        s = s.replace(old, new)
    s = re.sub(r"127\.0\.0\.1:[0-9]+", "127.0.0.1:<port>", s)  # the listener's port, in argv
    s = re.sub(r'"remote_port":[0-9]+', '"remote_port":"<port>"', s)
    for k in GOLDEN_HOST:
        s = re.sub(r',"%s":(\{[^{}]*\}|"(?:[^"\\]|\\.)*"|null)' % k, "", s)
    for k in GOLDEN_VOLATILE:
        s = re.sub(r'"%s":(null|-?[0-9]+|"(?:[^"\\]|\\.)*")' % re.escape(k), '"%s":"<%s>"' % (k, k), s)
    return s


@test
def golden_workload_output(t):
    """one workload's JSON, byte for byte against tests/e2e/golden/workload.jsonl (values that
    differ between runs replaced); LTRACK_GOLDEN_UPDATE=1 rewrites it"""
    w = t.mkdir("w")
    t.write("w/old", "x")
    socks = Socks()
    try:
        _, l4 = socks.listener(socket.AF_INET)
        args = ["--watch", "create,modify,delete,rename,attrib,mkdir,symlink=" + w, "--connect"]
        lt = t.ltrack(args, policy=mem_policy())
        ltt = t.ltrack(args + ["--format", "text"], text=True, policy=mem_policy())
        h = t.helper(["umask", "022", "open", 0, w + "/a", O_WRONLY | O_CREAT | O_EXCL, 0o666,
                      "write", 0, 5, "close", 0,
                      "mkdir", w + "/d", 0o755,
                      "rename", w + "/old", w + "/d/new",
                      "chmod", w + "/a", 0o600,
                      "truncate", w + "/a", 2,
                      "memfd", 3, "m", 0,
                      "symlink", "a", w + "/s",
                      "unlink", w + "/s",
                      "socket", 1, "inet", "stream", "connect", 1, ep(socket.AF_INET, l4),
                      "mmap", 2, 8192, PROT_R | PROT_W, MAP_PRIVATE | MAP_ANONYMOUS, "none",
                      "mprotect", 2, 4096, PROT_R | PROT_W | PROT_X])
        lt.stop()
        ltt.stop()
    finally:
        socks.close()
    with open(lt.out, "rb") as f:
        lines = [l for l in f.read().split(b"\n") if l]
    subs = [(t.dir, "<dir>"), (HELPER, "<helper>")]
    mine = []
    for l in lines:
        ev = json.loads(l)
        if ev.get("pid") == h.pid and ev.get("event_name") != "stats":
            mine.append((ev["timestamp"], l))
    # the rings are read one after the other: in the kernel's order, not the reading's
    got = [golden_normalise(l, subs) for _, l in sorted(mine)]
    # the text lines of the same workload: its process's, in the kernel's order
    with open(ltt.out, "rb") as f:
        tlines = [l.decode() for l in f.read().split(b"\n") if l]
    tag = '"e2e-helper"[%d] ' % h.pid
    tmine = sorted((l for l in tlines if tag in l), key=lambda l: l.split(" ", 1)[0])
    tgot = [golden_normalise_text(l, subs, h.pid) for l in tmine]
    golden_compare(GOLDEN, got)
    golden_compare(GOLDEN_TEXT, tgot)


def golden_normalise_text(line, subs, pid):
    """a text line with the run's own values replaced: the time, the pid, numbers after '='"""
    for old, new in subs:
        line = line.replace(old, new)
    line = re.sub(r"^\S+ ", "<time> ", line)
    line = line.replace("[%d]" % pid, "[<pid>]")
    line = re.sub(r"(sha256|inode|child|fd|local|addr|ino|dev)=[^,) ]+", r"\1=<\1>", line)
    line = re.sub(r" = (0x[0-9a-f]+|-?[0-9]+)$", " = <ret>", line)
    line = re.sub(r"\b0x[0-9a-f]{8,}\b", "<addr>", line)     # addresses (ASLR)
    line = re.sub(r"127\.0\.0\.1:[0-9]+", "127.0.0.1:<port>", line)
    return line


def golden_compare(path, got):
    """@got (lines) against the golden file @path, or into it with LTRACK_GOLDEN_UPDATE=1"""
    if os.environ.get("LTRACK_GOLDEN_UPDATE") == "1":
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("".join(g + "\n" for g in got))
        return
    with open(path) as f:
        want = [l for l in f.read().split("\n") if l]
    if got != want:
        diff = "\n".join(difflib.unified_diff(want, got, "golden", "this run", lineterm="", n=0))
        fail("the output differs from %s (LTRACK_GOLDEN_UPDATE=1 rewrites it after a deliberate "
             "change):\n%s" % (path, diff))
