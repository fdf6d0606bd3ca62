#!/usr/bin/env python3
"""Helpers for run.sh: count an agent's events for one run, and print the
tables over all runs.

  benchlib.py count --peer NAME --dir RUNDIR   -> one JSON object on stdout
  benchlib.py table RESULTS.jsonl [--idle IDLE.json] [--env ENV.txt] [--csv FILE]

A run directory holds wl.json (the workload's JSON line), mon.json (monitor
CPU/RSS figures written by run.sh) and the monitor's raw output files.

What counts as "seen" (an event of the run):
  openat/rename/unlink  an event of that class that names the workload's
                        unique temp dir
  execve                an exec event that names "<tmpdir>/e/x" (argv[1])
  connect               a connect from the workload pid to its listener port
  fork/exit (ltrack)    a fork event of the workload pid / an exit event of
                        one of its children (issued = execve issued)
loss = 1 - seen/issued, per class the agent covers.
"""
import argparse
import json
import os
import re
import statistics

CLASSES = ["openat", "execve", "connect", "rename", "unlink", "fork", "exit", "mmap_exec"]
PHASES = ["open", "exec", "connect", "rename", "mmap", "mmapx", "getppid", "pread"]
FIXED_PHASES = ["getppid", "pread"]      # syscalls no agent reports
LOST_RE = re.compile(rb"lost (\d+) (?:events|samples)", re.I)

# Which workload events each agent reports, per phase. Agents are compared
# with ltrack only on phases where both report the same workload events.
REPORTS = {
    "ltrack-watch": {"open": "openat", "exec": "execve+fork+exit",
                     "rename": "create+rename+unlink"},
    "ltrack-unwatched": {},
    "ltrack-raw": {},
    "ltrack-nofan": {"open": "openat", "exec": "execve+fork+exit",
                     "rename": "create+rename+unlink"},
    "bpftrace-count": {},
    "bpftrace-pair": {},
    "bpftrace": {"open": "openat", "exec": "execve", "connect": "connect",
                 "rename": "openat only"},
    "libbpf-tools": {"open": "openat", "exec": "execve", "connect": "tcp states",
                     "rename": "openat only"},
    "auditd": {"open": "openat", "exec": "execve", "connect": "connect",
               "rename": "openat+rename+unlink"},
}
# ltrack-watch's events of a phase, and what a peer must report to compare
SAME = {"open": {"openat"}, "exec": {"execve", "execve+fork+exit"},
        "rename": {"create+rename+unlink", "openat+rename+unlink"}}

TARGETS = {"watch_open": 1.5, "unwatched_open": 1.15, "user_cpu_per_100k": 0.06,
           "watch_mmap": 1.1, "watch_mmapx": 1.1, "watch_rename": 1.5, "fixed_ns": 30}


def _read_lines(path):
    if not os.path.exists(path):
        return
    with open(path, "rb") as f:
        for line in f:
            yield line


def _tool_drops(*paths):
    n = 0
    for p in paths:
        for line in _read_lines(p):
            m = LOST_RE.search(line)
            if m:
                n += int(m.group(1))
    return n


# ------------------------------------------------------------ counters ----

EV_NAME_RE = re.compile(rb'"event_name":"(\w+)"')
LT_KERNEL_LOST_RE = re.compile(rb"(\d+) lost in the kernel")


def count_ltrack(d, wl, watched):
    """ltrack's JSON lines. Returns (seen, total, drops, extra): extra holds
    the final stats event's drop counters, and, for the unwatched agents, the
    events that name the workload dir (there should be none)."""
    tmp = wl["tmpdir"].encode()
    tag = (wl["tmpdir"] + "/e/x").encode()
    pid_key = b'"pid":%d,' % wl["pid"]
    ppid_key = b'"ppid":%d,' % wl["pid"]
    seen = dict.fromkeys(["openat", "execve", "rename", "unlink", "fork", "exit", "connect",
                          "mmap_exec"], 0)
    port_key = b'"remote_port":%d,' % wl["port"]
    total = 0
    by_name = {}
    stats = None
    leaked = 0
    n_stats = 0
    for line in _read_lines(os.path.join(d, "ltrack.out")):
        m = EV_NAME_RE.search(line)
        if not m:
            continue
        name = m.group(1)
        if name == b"stats":
            n_stats += 1
            try:
                stats = json.loads(line)
            except ValueError:
                pass
            continue
        total += 1
        by_name[name.decode()] = by_name.get(name.decode(), 0) + 1
        if name in (b"open", b"create"):
            if tmp in line:
                seen["openat"] += 1
        elif name == b"exec":
            if tag in line:
                seen["execve"] += 1
        elif name == b"rename":
            if tmp in line:
                seen["rename"] += 1
        elif name == b"delete":
            if tmp in line:
                seen["unlink"] += 1
        elif name == b"fork":
            if pid_key in line:
                seen["fork"] += 1
        elif name == b"exit":
            if ppid_key in line:
                seen["exit"] += 1
        elif name == b"connect":
            if pid_key in line and port_key in line:
                seen["connect"] += 1
        elif name == b"lib_load":
            if pid_key in line and tmp in line:
                seen["mmap_exec"] += 1
        if not watched and tmp in line and name not in (b"exec", b"fork", b"exit"):
            leaked += 1
    extra = {"by_name": by_name}
    if stats:
        drops = stats.get("drops_total", 0)
        extra["drops"] = stats.get("drops", {})
        extra["sink_dropped"] = stats.get("sink_dropped", 0)
        extra["decode_errors"] = stats.get("decode_errors", 0)
        # "events" counts every line written before the final stats line
        extra["written"] = stats.get("events")
        extra["read"] = total + n_stats - 1
    else:
        # no final stats event (crash?): fall back on the exit log line
        drops = 0
        for line in _read_lines(os.path.join(d, "ltrack.err")):
            m = LT_KERNEL_LOST_RE.search(line)
            if m:
                drops = int(m.group(1))
        extra["no_final_stats"] = True
    if watched:
        seen["execve_expected"] = wl["issued"]["execve"]
    else:
        extra["leaked"] = leaked
        seen = {}
    return seen, total, drops, extra


def count_bpftrace(d, wl):
    tmp = wl["tmpdir"].encode()
    tag = (wl["tmpdir"] + "/e/x").encode()
    pid, port = str(wl["pid"]).encode(), str(wl["port"]).encode()
    seen = dict.fromkeys(["openat", "execve", "connect"], 0)
    total = 0
    for line in _read_lines(os.path.join(d, "bpftrace.out")):
        c = line[:2]
        if c not in (b"O ", b"E ", b"C "):
            continue
        total += 1
        if c == b"O " and tmp in line:
            seen["openat"] += 1
        elif c == b"E " and tag in line:
            seen["execve"] += 1
        elif c == b"C ":
            f = line.split()
            if len(f) >= 4 and f[1] == pid and f[-1] == port:
                seen["connect"] += 1
    drops = _tool_drops(os.path.join(d, "bpftrace.out"), os.path.join(d, "bpftrace.err"))
    return seen, total, drops, {}


def count_bpftrace_count(d, wl):
    """bpftrace-count.bt prints its maps at exit: '@all: N', '@wl_<class>: N'
    (matched by comm == "workload", not by path)."""
    seen = dict.fromkeys(["openat", "execve", "connect"], 0)
    total = 0
    for line in _read_lines(os.path.join(d, "bpftrace.out")):
        m = re.match(rb"@(\w+): (\d+)", line)
        if not m:
            continue
        k, v = m.group(1).decode(), int(m.group(2))
        if k == "all":
            total = v
        elif k.startswith("wl_") and k[3:] in seen:
            seen[k[3:]] = v
    drops = _tool_drops(os.path.join(d, "bpftrace.err"))
    return seen, total, drops, {}


SYN_RE = re.compile(rb"\s(\d+)\s+CLOSE\s+->\s+SYN_SENT\s")


def count_libbpf_tools(d, wl):
    tmp = wl["tmpdir"].encode()
    tag = (wl["tmpdir"] + "/e/x").encode()
    port = str(wl["port"]).encode()
    seen = dict.fromkeys(["openat", "execve", "connect"], 0)
    total = 0
    headers = (b"PID ", b"PCOMM ", b"SKADDR ")
    for name, cls in (("opensnoop", "openat"), ("execsnoop", "execve"), ("tcpstates", "connect")):
        for line in _read_lines(os.path.join(d, name + ".out")):
            if line.startswith(headers) or LOST_RE.search(line) or not line.strip():
                continue
            total += 1
            if cls == "openat" and tmp in line:
                seen["openat"] += 1
            elif cls == "execve" and tag in line:
                seen["execve"] += 1
            elif cls == "connect":
                m = SYN_RE.search(line)
                if m and m.group(1) == port:
                    seen["connect"] += 1
    drops = _tool_drops(*[os.path.join(d, n + ".err") for n in ("opensnoop", "execsnoop", "tcpstates")])
    return seen, total, drops, {}


AUD_SERIAL_RE = re.compile(rb"msg=audit\([0-9.]+:(\d+)\)")
AUD_KEY_RE = re.compile(rb' key="(wl_[a-z]+)"')
AUD_PID_RE = re.compile(rb" pid=(\d+) ")
AUD_KEYS = {b"wl_open": "openat", b"wl_exec": "execve", b"wl_conn": "connect",
            b"wl_ren": "rename", b"wl_unl": "unlink"}


def count_auditd(d, wl):
    """Group audit records by event serial; classify by the rule key on the
    SYSCALL record; match by temp dir (or pid for connect)."""
    tmp = wl["tmpdir"].encode()
    tag = (wl["tmpdir"] + "/e/x").encode()
    pid = str(wl["pid"]).encode()
    ev = {}  # serial -> [cls, pid_match, has_tmp, has_tag]
    for line in _read_lines(os.path.join(d, "audit.log")):
        m = AUD_SERIAL_RE.search(line, 0, 80)
        if not m:
            continue
        s = m.group(1)
        e = ev.get(s)
        if line.startswith(b"type=SYSCALL "):
            k = AUD_KEY_RE.search(line)
            if not k:
                continue
            if e is None:
                e = ev[s] = [None, False, False, False]
            e[0] = AUD_KEYS.get(k.group(1))
            p = AUD_PID_RE.search(line)
            e[1] = bool(p and p.group(1) == pid)
        if tmp in line:
            if e is None:
                e = ev[s] = [None, False, False, False]
            e[2] = True
            if tag in line:
                e[3] = True
    seen = dict.fromkeys(["openat", "execve", "connect", "rename", "unlink"], 0)
    keyed = 0
    for cls, pm, ht, htag in ev.values():
        if cls is None:
            continue
        keyed += 1
        if cls == "connect":
            seen[cls] += pm
        elif cls == "execve":
            seen[cls] += htag
        else:
            seen[cls] += ht
    mon = _load(os.path.join(d, "mon.json")) or {}
    drops = mon.get("kernel_lost_delta", 0)
    return seen, keyed, drops, {}


COUNTERS = {
    "ltrack-watch": lambda d, wl: count_ltrack(d, wl, True),
    "ltrack-unwatched": lambda d, wl: count_ltrack(d, wl, False),
    "ltrack-raw": lambda d, wl: count_ltrack(d, wl, False),
    "ltrack-nofan": lambda d, wl: count_ltrack(d, wl, True),
    "bpftrace": count_bpftrace,
    "bpftrace-count": count_bpftrace_count,
    "bpftrace-pair": count_bpftrace_count,
    "libbpf-tools": count_libbpf_tools,
    "auditd": count_auditd,
}


def _load(p):
    try:
        with open(p) as f:
            return json.loads(f.read().strip().splitlines()[-1])
    except Exception:
        return None


def _issued(wl, c):
    if c in ("fork", "exit"):
        return wl["issued"]["execve"]
    return wl["issued"][c]


def cmd_count(a):
    wl = _load(os.path.join(a.dir, "wl.json"))
    mon = _load(os.path.join(a.dir, "mon.json")) or {}
    out = {"peer": a.peer, "round": a.round, "pair": a.pair, "wl": wl, "mon": mon,
           "status": mon.get("status", "ok")}
    try:
        with open(os.path.join(a.dir, "foreign.txt")) as f:
            out["foreign"] = sorted(set(l.strip() for l in f if l.strip()))
    except OSError:
        out["foreign"] = []
    if wl is None and out["status"] == "ok":
        out["status"] = "workload-failed"
    elif wl is not None and wl.get("errors"):
        out["status"] = "workload-errors"
    elif a.peer != "baseline" and out["status"] == "ok":
        seen, total, drops, extra = COUNTERS[a.peer](a.dir, wl)
        seen.pop("execve_expected", None)
        out["seen"] = seen
        out["events_total"] = total
        out["tool_drops"] = drops
        out["extra"] = extra
    print(json.dumps(out, sort_keys=True))


# ---------------------------------------------------------------- table ----

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def _f(x, nd=2):
    if x is None:
        return "-"
    if abs(x) >= 100:
        return "%.0f" % x
    if abs(x) >= 10:
        return "%.1f" % x
    return ("%%.%df" % nd) % x


def mm(xs, nd=2, sign=False):
    """'median [min-max]' of the non-None values (with sign: '+1.2 [-0.3..+2.0]')"""
    xs = [x for x in xs if x is not None]
    if not xs:
        return "-"
    if sign:
        return "%+.*f [%+.*f..%+.*f]" % (nd, med(xs), nd, min(xs), nd, max(xs))
    return "%s [%s-%s]" % (_f(med(xs), nd), _f(min(xs), nd), _f(max(xs), nd))


def _wl_cpu(wl):
    return sum(p["cpu_self_s"] + p["cpu_children_s"] for p in wl["phases"].values())


class Runs:
    def __init__(self, path):
        self.all = [json.loads(l) for l in open(path) if l.strip()]
        self.base = {r["pair"]: r for r in self.all if r["peer"] == "baseline" and r["status"] == "ok"}
        self.peers = []
        for r in self.all:
            if r["peer"] != "baseline" and r["peer"] not in self.peers:
                self.peers.append(r["peer"])

    def ok(self, peer):
        return [r for r in self.all if r["peer"] == peer and r["status"] == "ok"]

    def paired(self, peer):
        return [(self.base[r["pair"]], r) for r in self.ok(peer) if r["pair"] in self.base]

    def ratios(self, peer, phase):
        return [b["wl"]["phases"][phase]["ops_per_s"] / r["wl"]["phases"][phase]["ops_per_s"]
                for b, r in self.paired(peer)
                if phase in r["wl"]["phases"] and r["wl"]["phases"][phase]["ops_per_s"] > 0]

    def ns_added(self, peer, phase):
        return [r["wl"]["phases"][phase]["ns_per_op"] - b["wl"]["phases"][phase]["ns_per_op"]
                for b, r in self.paired(peer)
                if phase in r["wl"]["phases"] and "ns_per_op" in r["wl"]["phases"][phase]]


def cmd_table(a):
    R = Runs(a.results)
    base = list(R.base.values())
    lines = []
    P = lines.append
    if a.env and os.path.exists(a.env):
        P("Environment")
        P("".join("  " + l for l in open(a.env)).rstrip())
        P("")
    if not base:
        P("no successful baseline run")
        print("\n".join(lines))
        return
    phases = [p for p in PHASES if p in base[0]["wl"]["phases"]]
    W = 20

    P("Workload with no monitor: ops/s, median of %d runs [min-max], spread = (max-min)/median"
      % len(base))
    P("%-18s" % "" + "".join("%-30s" % p for p in phases) + "total s")
    row = "%-18s" % "baseline"
    for p in phases:
        xs = [r["wl"]["phases"][p]["ops_per_s"] for r in base]
        m = med(xs)
        row += "%-30s" % ("%.0f [%.0f-%.0f] %.0f%% " % (m, min(xs), max(xs), 100 * (max(xs) - min(xs)) / m))
    ts = [r["wl"]["total_s"] for r in base]
    row += "%.2f [%.2f-%.2f]" % (med(ts), min(ts), max(ts))
    P(row)
    P("")

    P("1. Slowdown per phase vs the baseline run just before it (baseline ops/s / agent ops/s;")
    P("   1.00 = no overhead), median of paired ratios [min-max]. 'wl CPU x' = workload CPU ratio.")
    P("%-18s" % "agent" + "".join("%-*s" % (W, p) for p in phases) + "%-*s%-*s" % (W, "total (wall)", W, "wl CPU x"))
    failed = []
    for peer in R.peers:
        if not R.ok(peer):
            rs = [r for r in R.all if r["peer"] == peer]
            failed.append("%-18s%s" % (peer, "FAILED: " + (rs[0]["mon"].get("error", rs[0]["status"]) if rs else "?")))
            continue
        row = "%-18s" % peer
        for p in phases:
            row += "%-*s" % (W, mm(R.ratios(peer, p)) + " ")
        pr = R.paired(peer)
        tr = [r["wl"]["total_s"] / b["wl"]["total_s"] for b, r in pr]
        cr = [_wl_cpu(r["wl"]) / _wl_cpu(b["wl"]) for b, r in pr]
        row += "%-*s%-*s" % (W, mm(tr) + " ", W, mm(cr) + " ")
        P(row)
    lines.extend(failed)
    P("")

    fixed = [p for p in FIXED_PHASES if p in phases]
    if fixed:
        P("2. Fixed cost on syscalls no agent reports: ns per call added (agent - paired baseline),")
        P("   median [min-max]; the baseline's own ns/call first")
        P("%-18s" % "" + "".join("%-*s" % (W + 6, p + " ns/call") for p in fixed))
        P("%-18s" % "baseline" + "".join("%-*s" % (W + 6, mm([r["wl"]["phases"][p]["ns_per_op"] for r in base], 1))
                                         for p in fixed))
        for peer in R.peers:
            if R.ok(peer):
                P("%-18s" % peer + "".join("%-*s" % (W + 6, mm(R.ns_added(peer, p), 1, True)) for p in fixed))
        P("")

    P("3. Monitor cost and event loss, median over runs [min-max]")
    P("   mon CPU = utime+stime of the monitor from ready to drained; user = utime only;")
    P("   per 100k ev divides by every event it emitted (all processes, not only the workload);")
    P("   RSS = VmRSS after the drain, peak = VmHWM; drops = the tool's own lost-event count")
    P("%-18s%-20s%-20s%-20s%-10s%-16s%-8s" % ("agent", "mon CPU s", "CPU s/100k ev", "user s/100k ev",
                                              "events", "RSS/peak MiB", "drops"))
    loss_lines = []
    for peer in R.peers:
        ok = R.ok(peer)
        if not ok:
            continue
        cpu = [r["mon"].get("cpu_s") for r in ok]
        usr = [r["mon"].get("cpu_user_s") for r in ok]
        ev = [r.get("events_total") for r in ok]
        per = [(c / e * 1e5) if (c is not None and e) else None for c, e in zip(cpu, ev)]
        uper = [(c / e * 1e5) if (c is not None and e) else None for c, e in zip(usr, ev)]
        rss = med([r["mon"].get("rss_kb", 0) / 1024 for r in ok])
        hwm = med([r["mon"].get("hwm_kb", 0) / 1024 for r in ok])
        drops = [r.get("tool_drops", 0) for r in ok]
        P("%-18s%-20s%-20s%-20s%-10s%-16s%-8s" % (
            peer, mm(cpu) + " ", mm(per, 3) + " ", mm(uper, 3) + " ", "%d" % med(ev),
            "%s/%s" % (_f(rss, 1), _f(hwm, 1)), "%d [%d-%d]" % (med(drops), min(drops), max(drops))))
        extra = [r["mon"].get("kthread_cpu_s") for r in ok if r["mon"].get("kthread_cpu_s") is not None]
        if extra:
            P("%-18s  (+ kauditd kernel thread CPU s: %s)" % ("", mm(extra)))
        loss = []
        for c in CLASSES:
            if c not in ok[0].get("seen", {}):
                continue
            s = [r["seen"][c] for r in ok]
            i = [_issued(r["wl"], c) for r in ok]
            lp = [100.0 * max(0, ii - ss) / ii if ii else 0.0 for ss, ii in zip(s, i)]
            lost = [max(0, ii - ss) for ss, ii in zip(s, i)]
            loss.append("%s %d/%d lost %d%s (%s%%)" % (
                c, med(s), med(i), med(lost), "" if max(lost) == min(lost) else " [%d-%d]" % (min(lost), max(lost)),
                _f(med(lp), 1)))
        if peer.startswith("ltrack"):
            lk = [r.get("extra", {}).get("leaked") for r in ok]
            if any(x is not None for x in lk):
                loss.append("events naming the workload dir (expect 0): %s" % mm(lk, 0))
            dr = {}
            for r in ok:
                for k, v in (r.get("extra", {}).get("drops") or {}).items():
                    dr[k] = max(dr.get(k, 0), v)
            if dr:
                loss.append("kernel drops by ring class (max over runs): " +
                            ", ".join("%s %d" % kv for kv in dr.items()))
            if any(r.get("extra", {}).get("no_final_stats") for r in ok):
                loss.append("WARNING: no final stats event in some run")
            short = [r["pair"] for r in ok if r.get("extra", {}).get("written") not in
                     (None, r.get("extra", {}).get("read"))]
            if short:
                loss.append("WARNING: output holds fewer events than ltrack says it wrote "
                            "(rotated away?) in %s" % " ".join(short))
        loss_lines.append("  %-16s %s" % (peer, "; ".join(loss) if loss else "-"))
    P("")
    P("4. Events per class: seen/issued, lost = issued - seen (median [min-max]), loss %")
    lines.extend(loss_lines)
    P("")

    idle = _load(a.idle) if a.idle else None
    if idle:
        P("5. ltrack at rest: %s" % idle.get("policy", "?"))
        if idle.get("status") == "ok":
            P("   after %s s idle: VmRSS %.1f MiB (peak %.1f MiB), CPU %.3f s (user %.3f s) over the idle period"
              % (idle["idle_s"], idle["rss_kb"] / 1024, idle["hwm_kb"] / 1024, idle["cpu_s"], idle["cpu_user_s"]))
        else:
            P("   FAILED: %s %s" % (idle.get("status"), idle.get("error", "")))
        P("")

    lt = [p for p in R.peers if p.startswith("ltrack") and R.ok(p)]
    others = [p for p in R.peers if not p.startswith("ltrack") and R.ok(p)]
    if lt and others:
        P("6. ltrack vs peers: slowdown medians, ONLY on phases where the peer reports the same")
        P("   workload events as the ltrack agent ('-': not the same events, not compared).")
        P("   ltrack-watch reports open+create / exec+fork+exit / create+rename+delete in the")
        P("   workload dir. Agents that report none of the workload's events (ltrack-unwatched,")
        P("   ltrack-raw) are set against bpftrace-count, which hooks openat/execve/connect and")
        P("   only counts in the kernel; on getppid/pread (reported by nobody) all are compared.")
        for l in lt:
            silent = not REPORTS.get(l)
            cols = ["bpftrace-count"] if silent else others
            cols = [c for c in cols if c in others]
            P("%-10s%-24s%-18s" % ("phase", "ltrack reports", l) + "".join("%-16s" % c for c in cols))
            for ph in phases:
                ev = REPORTS.get(l, {}).get(ph)
                if ev is None and not silent and ph not in FIXED_PHASES + ["mmap"]:
                    continue    # peers report events here, this agent none
                row = "%-10s%-24s%-18s" % (ph, ev or "none", _f(med(R.ratios(l, ph))))
                for c in cols:
                    pe = REPORTS.get(c, {}).get(ph)
                    same = pe in SAME.get(ph, set()) if ev else pe is None or silent
                    row += "%-16s" % (_f(med(R.ratios(c, ph))) if same else "-")
                P(row)
            P("")

    P("7. Targets (median of paired runs; min-max shown so a median pass can be judged)")
    tg = []

    def verdict(ok_):
        return "MET" if ok_ else "NOT MET"
    if R.ok("ltrack-watch"):
        r = R.ratios("ltrack-watch", "open")
        if r:
            tg.append("ltrack-watch open slowdown <= %.2fx: %s -> %s%s" % (
                TARGETS["watch_open"], mm(r), verdict(med(r) <= TARGETS["watch_open"]),
                "" if max(r) <= TARGETS["watch_open"] else " (max above target)"))
        ok = R.ok("ltrack-watch")
        lost = [max(0, r["wl"]["issued"]["execve"] - r["seen"].get("execve", 0)) for r in ok]
        tg.append("ltrack-watch exec events lost == 0: lost %s in %d runs -> %s" % (
            "/".join(str(x) for x in lost), len(lost), verdict(max(lost) == 0)))
        for c in ("rename", "unlink", "openat"):
            lc = [max(0, _issued(r["wl"], c) - r["seen"].get(c, 0)) for r in ok]
            tg.append("ltrack-watch %s events lost (reported, no target): %s" % (
                c, "/".join(str(x) for x in lc)))
        for ph in ("rename", "mmap", "mmapx"):
            r = R.ratios("ltrack-watch", ph)
            if r:
                tg.append("ltrack-watch %s slowdown <= %.2fx: %s -> %s" % (
                    ph, TARGETS["watch_" + ph], mm(r), verdict(med(r) <= TARGETS["watch_" + ph])))
        for p in fixed:
            a_ = R.ns_added("ltrack-watch", p)
            if a_:
                tg.append("ltrack-watch fixed cost on %s <= +%d ns/call: %s -> %s" % (
                    p, TARGETS["fixed_ns"], mm(a_, 1, True), verdict(med(a_) <= TARGETS["fixed_ns"])))
        usr = [r["mon"].get("cpu_user_s") / r["events_total"] * 1e5 for r in ok
               if r.get("events_total") and r["mon"].get("cpu_user_s") is not None]
        if usr:
            tg.append("ltrack-watch user CPU s per 100k events <= %.2f: %s -> %s" % (
                TARGETS["user_cpu_per_100k"], mm(usr, 3), verdict(med(usr) <= TARGETS["user_cpu_per_100k"])))
    if R.ok("ltrack-unwatched"):
        r = R.ratios("ltrack-unwatched", "open")
        if r:
            tg.append("ltrack-unwatched open slowdown <= %.2fx: %s -> %s%s" % (
                TARGETS["unwatched_open"], mm(r), verdict(med(r) <= TARGETS["unwatched_open"]),
                "" if max(r) <= TARGETS["unwatched_open"] else " (max above target)"))
        for p in fixed:
            tg.append("ltrack-unwatched fixed cost on %s (no target): %s ns/call" % (
                p, mm(R.ns_added("ltrack-unwatched", p), 1, True)))
    for ref in ("ltrack-nofan", "bpftrace-pair", "bpftrace-count"):
        for p in fixed if R.ok(ref) else ():
            a_ = R.ns_added(ref, p)
            if a_:
                tg.append("reference: %s fixed cost on %s: %s ns/call" % (ref, p, mm(a_, 1, True)))
    if idle and idle.get("status") == "ok":
        tg.append("ltrack idle VmRSS after %s s (no target): %.1f MiB" % (idle["idle_s"], idle["rss_kb"] / 1024))
    lines.extend("   " + t for t in tg)
    P("")

    fr = [(r["pair"], r["peer"], r["foreign"]) for r in R.all if r.get("foreign")]
    if fr:
        P("WARNING: other monitors were running during %d runs (their cost is in both sides of a pair"
          " only if present in both):" % len(fr))
        for pair, peer, f in fr[:12]:
            P("   %s %s: %s" % (pair, peer, " ".join(f)))
        P("")
    bad = [r for r in R.all if r["status"] != "ok"]
    for r in bad:
        P("run %s %s: %s %s" % (r["pair"], r["peer"], r["status"], r["mon"].get("error", "")))
    print("\n".join(lines).rstrip())

    if a.csv:
        import csv
        with open(a.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["peer", "pair", "round", "status"] + ["%s_ops_per_s" % p for p in phases] +
                       ["total_s", "wl_cpu_s", "mon_cpu_s", "mon_user_s", "events_total", "rss_kb", "hwm_kb",
                        "tool_drops"] + ["seen_" + c for c in CLASSES] + ["issued_" + c for c in CLASSES])
            for r in R.all:
                wl = r.get("wl") or {"phases": {}, "issued": {}}
                w.writerow([r["peer"], r["pair"], r["round"], r["status"]] +
                           [wl["phases"].get(p, {}).get("ops_per_s") for p in phases] +
                           [wl.get("total_s"), _wl_cpu(wl) if wl["phases"] else None,
                            r["mon"].get("cpu_s"), r["mon"].get("cpu_user_s"), r.get("events_total"),
                            r["mon"].get("rss_kb"), r["mon"].get("hwm_kb"), r.get("tool_drops")] +
                           [r.get("seen", {}).get(c) for c in CLASSES] +
                           [(_issued(wl, c) if wl["issued"] else None) for c in CLASSES])


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("count")
    c.add_argument("--peer", required=True)
    c.add_argument("--dir", required=True)
    c.add_argument("--round", type=int, default=0)
    c.add_argument("--pair", default="")
    t = sub.add_parser("table")
    t.add_argument("results")
    t.add_argument("--idle")
    t.add_argument("--env")
    t.add_argument("--csv")
    a = ap.parse_args()
    {"count": cmd_count, "table": cmd_table}[a.cmd](a)


if __name__ == "__main__":
    main()
