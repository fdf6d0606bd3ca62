# SPDX-License-Identifier: MIT
"""
t_kfeat.py - kernel feature probes (src/kfeat.c) and the fallbacks they
select (src/bpf/core_fixes.bpf.h). Runs in run.py's namespace.

  kfeat_probes_match_btf   the variants the agent announces are what the
                           kernel's own BTF says it has;
  kfeat_off_unknown        LTRACK_KFEAT_OFF with a name it does not know;
  kfeat_fallback__NAME     every test of core-tests.txt once more with every
                           probed feature forced off (LTRACK_KFEAT_OFF), the
                           way Debian 12's 6.1 runs them: probe reads instead
                           of bpf_rdonly_cast, exits without group_dead. Each
                           also checks that each of its agents ran the
                           fallbacks. On a kernel that lacks the features
                           anyway they are the same as the plain tests and
                           are not registered.
"""

import struct

KFEAT_ALL_OFF = "rdonly_cast,exit_group_dead,task_from_vpid"
KFEAT_RE = re.compile(r'kernel: reads (\w+) \(([^)]*)\), exit (\w+), signal targets '
                      r'(by pid|from signal_generate)')

# BTF kinds (include/uapi/linux/btf.h) and the bytes that follow each type
BTF_PTR, BTF_TYPEDEF, BTF_FUNC, BTF_FUNC_PROTO = 2, 8, 12, 13


def btf_extra(kind, vlen):
    return {1: 4, 3: 12, 4: 12 * vlen, 5: 12 * vlen, 6: 8 * vlen, 13: 8 * vlen, 14: 4,
            15: 12 * vlen, 17: 4, 19: 12 * vlen}.get(kind, 0)


BTF_FACTS = {}


def btf_facts(path="/sys/kernel/btf/vmlinux"):
    """from the kernel's raw BTF: (is there a FUNC bpf_rdonly_cast, the number of
    parameters of btf_trace_sched_process_exit's prototype, 0 when none)"""
    facts = btf_scan(path)
    return facts["cast"], facts["exit_params"]


def btf_scan(path="/sys/kernel/btf/vmlinux"):
    """what the tests need of the kernel's raw BTF, read once: cast (a FUNC
    bpf_rdonly_cast), exit_params (parameters of btf_trace_sched_process_exit's
    prototype, 0 when none), touched (a typedef btf_trace_inode_set_ctime_to_ts)"""
    if path in BTF_FACTS:
        return BTF_FACTS[path]
    with open(path, "rb") as f:
        data = f.read()
    magic, _, _, hdr_len, type_off, type_len, str_off, _ = struct.unpack_from("<HBBIIIII", data)
    check(magic == 0xeb9f, "BTF magic of %s" % path)
    strs = hdr_len + str_off

    def name(off):
        return data[strs + off:data.index(b"\0", strs + off)].decode()

    types = [None]     # ids start at 1
    pos, end = hdr_len + type_off, hdr_len + type_off + type_len
    while pos < end:
        name_off, info, size_type = struct.unpack_from("<III", data, pos)
        kind, vlen = (info >> 24) & 0x1f, info & 0xffff
        types.append((name_off, kind, vlen, size_type))
        pos += 12 + btf_extra(kind, vlen)
    cast = any(k == BTF_FUNC and name(n) == "bpf_rdonly_cast" for n, k, _, _ in types[1:])
    vpid = any(k == BTF_FUNC and name(n) == "bpf_task_from_vpid" for n, k, _, _ in types[1:])
    nparams, touched = 0, False
    for n, k, _, ref in types[1:]:
        if k != BTF_TYPEDEF:
            continue
        tname = name(n)
        if tname == "btf_trace_sched_process_exit":
            ptr = types[ref]
            if ptr[1] == BTF_PTR and types[ptr[3]][1] == BTF_FUNC_PROTO:
                nparams = types[ptr[3]][2]
        elif tname == "btf_trace_inode_set_ctime_to_ts":
            touched = True
    BTF_FACTS[path] = {"cast": cast, "exit_params": nparams, "touched": touched, "vpid": vpid}
    return BTF_FACTS[path]


def kfeat_variant(concern, env=None):
    """the variant the agent must announce for @concern on this kernel (with the
    features LTRACK_KFEAT_OFF in @env, or the environment, turns off)"""
    f = btf_scan()
    off = ((env or {}).get("LTRACK_KFEAT_OFF", os.environ.get("LTRACK_KFEAT_OFF", "")) or "")
    off = off.split(",")
    v = "direct" if f["cast"] and "rdonly_cast" not in off else "probe"
    if concern in ("process", "file-modify", "model") and (
            f["exit_params"] < 3 or "exit_group_dead" in off):
        v += ",exit-live"
    if concern == "file" and not f["touched"]:
        v += ",no-touched"
    if concern in ("mem.kill", "mem.ptrace") and (not f["vpid"] or "task_from_vpid" in off):
        v += ",no-task-vpid"
    return v


def kfeat_line(lt):
    m = KFEAT_RE.search(lt.stderr())
    if not m:
        fail("no 'kernel: reads ..., exit ...' line in ltrack's log:\n%s" % lt.stderr())
    return m


@test
def kfeat_probes_match_btf(t):
    """the announced variants are what the kernel's BTF says it has"""
    cast, nparams = btf_facts()
    check(nparams in (2, 3), "btf_trace_sched_process_exit has %d parameters" % nparams)
    lt = t.ltrack([], policy=NO_EXEC_POLICY, env={"LTRACK_KFEAT_OFF": ""})
    lt.stop()
    m = kfeat_line(lt)
    eq(m.group(1), "direct" if cast else "probe", "kernel reads variant")
    eq(m.group(2), "bpf_rdonly_cast" if cast else "bpf_probe_read_kernel", "read helper")
    eq(m.group(3), "group_dead" if nparams == 3 else "signal_live", "exit variant")
    eq(m.group(4), "by pid" if btf_scan()["vpid"] else "from signal_generate",
       "signal target variant")
    check("LTRACK_KFEAT_OFF" not in m.group(0), "no feature was forced off")


@test
def kfeat_off_unknown(t):
    """LTRACK_KFEAT_OFF naming an unknown feature: a clear error, exit status 2"""
    lt = t.ltrack([], policy=NO_EXEC_POLICY, env={"LTRACK_KFEAT_OFF": "rdonly_cast,warp"},
                  ready=False)
    lt.stopped = True
    lt.expect_rc = 2
    lt.wait_exit()
    check("LTRACK_KFEAT_OFF: unknown feature 'warp'" in lt.stderr(),
          "the error names the feature:\n" + lt.stderr())


def kfeat_fallback(inner):
    def run(t):
        old = os.environ.get("LTRACK_KFEAT_OFF")
        os.environ["LTRACK_KFEAT_OFF"] = KFEAT_ALL_OFF
        try:
            inner(t)
        finally:
            if old is None:
                del os.environ["LTRACK_KFEAT_OFF"]
            else:
                os.environ["LTRACK_KFEAT_OFF"] = old
        check(t.ltracks, "the test started ltrack")
        for lt in t.ltracks:
            m = kfeat_line(lt)
            eq((m.group(1), m.group(3), m.group(4)),
               ("probe", "signal_live", "from signal_generate"),
               "variants of ltrack pid %d" % lt.pid)
    run.__name__ = "kfeat_fallback__" + inner.__name__
    run.__doc__ = "with every probed feature off: " + (inner.__doc__ or inner.__name__)
    return run


def core_tests():
    """the names listed in core-tests.txt"""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "core-tests.txt")) as f:
        return [l.split("#")[0].strip() for l in f if l.split("#")[0].strip()]


def register_fallbacks():
    if os.geteuid() != 0:
        return
    cast, nparams = btf_facts()
    if not cast and nparams < 3 and not btf_scan()["vpid"]:
        return          # this kernel runs the fallbacks in the plain tests already
    by_name = {f.__name__: f for f in TESTS}
    for name in core_tests():
        if name not in by_name:
            raise SystemExit("core-tests.txt names an unknown test: %s" % name)
        test(kfeat_fallback(by_name[name]))


# after the other t_*.py modules (sorted: t_kfeat comes before some of them)
LATE_REGISTRATIONS.append(register_fallbacks)
