/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * core_fixes.bpf.h - what differs between the kernels ltrack runs on, and
 * how each difference is bridged. Every variant is chosen at load time by
 * user space from what it probed on the running kernel (src/kfeat.c), never
 * from a version number, and handed over as a `const volatile` knob: the
 * verifier sees the knob as a constant, walks only the branch it selects,
 * and removes the other one (with any kfunc call the kernel lacks) as dead
 * code. So a variant costs no verifier budget and no run time where it is
 * not used.
 *
 * 1. Kernel memory reads (KR, KADDR).
 *    direct: the bpf_rdonly_cast kfunc (Linux 6.2, commit "bpf: Add a kfunc
 *            for generic type cast") turns any kernel address into a typed,
 *            read-only pointer; fields are then plain loads that the
 *            verifier makes fault-safe (PROBE_MEM), about one instruction
 *            each. The verifier replaces the call itself with a move.
 *    probe:  without it (Debian 12's 6.1), a scalar holding a kernel
 *            address cannot be dereferenced: every hop is a CO-RE
 *            bpf_probe_read_kernel() (BPF_CORE_READ).
 *    KR(p, a, b) reads p->a->b in whichever variant lt_kf_cast selects;
 *    @p must be a typed, non-const pointer (a BTF pointer or a cast number).
 *
 * 2. Inode timestamps (inode_mtime_ns, inode_ctime_ns): struct timespec64
 *    i_mtime/i_ctime up to 6.5, __i_ctime from 6.6 ("fs: rename i_ctime
 *    field to __i_ctime"), __i_mtime from 6.7 ("fs: rename inode i_atime
 *    and i_mtime fields"), discrete i_{m,c}time_sec/_nsec from 6.11 ("fs:
 *    switch timespec64 fields in inode to discrete integers"). CO-RE field
 *    existence checks pick the layout; the flavour structs below describe
 *    the old ones.
 *
 * 3. Namespace type (ns_type_of): ns_common.ns_type from 6.18 (the nstree
 *    series moved it out of struct proc_ns_operations, whose `type` it
 *    replaced); before, ns->ops->type.
 *
 * 4. Capability sets (CRED_CAP): kernel_cap_t is one u64 `val` from 6.3
 *    ("capability: just use a 'u64' instead of a 'u32[2]' array"); before,
 *    u32 cap[2].
 *
 * 5. Process exit (exit_group_dead): tp_btf/sched_process_exit has a second
 *    argument, group_dead, on recent kernels (present on 6.18); Debian's 6.1
 *    passes the task only ("func 'sched_process_exit' doesn't have 2-th
 *    argument"). Without it, the group is dead when signal->live has
 *    reached 0: do_exit() decrements it before the tracepoint. Two threads
 *    of a group can both see 0 there, so the fallback also claims the exit
 *    once per (process, caller) in lt_exit_once.
 */
#ifndef LTRACK_CORE_FIXES_BPF_H
#define LTRACK_CORE_FIXES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* ---- knobs, set by user space before load (src/kfeat.c) ----------------------- */

/* bpf_rdonly_cast is callable: kernel reads are direct loads (1), else probe reads */
const volatile __u32 lt_kf_cast __weak = 1;
/* tp_btf/sched_process_exit passes group_dead */
const volatile __u32 lt_kf_exit_gd __weak = 1;
/*
 * the bpf_task_from_vpid kfunc (newer than 6.1) may be called; without it the
 * target of ptrace and kill is named by user space from /proc (src/mem_events.c)
 */
const volatile __u32 lt_kf_task_vpid __weak = 1;

/* ---- 1. kernel reads ------------------------------------------------------------ */

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

/* kcast - @p as a typed read-only pointer the verifier lets us load through (direct variant) */
#define kcast(p)                                                                            \
	((typeof(p))bpf_rdonly_cast((const void *)(unsigned long)(p),                       \
				    bpf_core_type_id_kernel(typeof(*(p)))))

/* KR - read the chain p->a->b->... of kernel memory (either variant); 0 on a fault */
#define KR(p, ...)                                                                          \
	({                                                                                  \
		/* a value first: CO-RE must not record how @p itself was reached */        \
		typeof(p) __kr_p = (p);                                                     \
		lt_kf_cast ? ___arrow(kcast(__kr_p), __VA_ARGS__) :                         \
			     BPF_CORE_READ(__kr_p, __VA_ARGS__);                            \
	})

/*
 * TR - read p->a->b->... where @p is a pointer the verifier itself knows as
 * typed (bpf_get_current_task_btf(), bpf_task_pt_regs(), a tp_btf or
 * iterator argument) and every hop is a pointer field: plain loads, fault-
 * safe on every kernel ltrack supports (5.11+), so no helper call even in
 * the probe variant. (With bpf_rdonly_cast the pointer goes through kcast
 * all the same: the same loads, and the verifier of 6.18 checks a cast,
 * untrusted pointer several times faster than a trusted one.) Anything read
 * as a number (a map, a probe read, arithmetic) must go through KR.
 */
#define TR(p, ...)                                                                          \
	({                                                                                  \
		typeof(p) __tr_p = (p);                                                     \
		/* direct: through kcast, which the verifier checks faster (6.18: 5x) */   \
		lt_kf_cast ? ___arrow(kcast(__tr_p), __VA_ARGS__) :                         \
			     ___arrow(__tr_p, __VA_ARGS__);                                 \
	})

/* KADDR - the address of field @f of kernel object @p, for bpf_probe_read_kernel */
#define KADDR(p, f) ((void *)__builtin_preserve_access_index(&(p)->f))

/* KPTR - a kernel address held as a number, typed again */
#define KPTR(type, v) ((struct type *)(unsigned long)(v))

/* ---- 2. inode timestamps ---------------------------------------------------------- */

struct inode___pre611 {
	struct timespec64 __i_mtime;	/* 6.7 .. 6.10 */
	struct timespec64 __i_ctime;	/* 6.6 .. 6.10 */
	struct timespec64 i_mtime;	/* .. 6.6 */
	struct timespec64 i_ctime;	/* .. 6.5 */
} __attribute__((preserve_access_index));

static __always_inline __u64 ts_ns(__s64 sec, __u64 nsec)
{
	/* the top bits of a ctime's nsec are multigrain flags (I_CTIME_QUERIED, 6.13) */
	return (__u64)sec * 1000000000ULL + (nsec & 0x3fffffff);
}

static __always_inline __u64 inode_mtime_ns(struct inode *i)
{
	struct inode___pre611 *o = (void *)i;

	if (bpf_core_field_exists(i->i_mtime_sec))
		return ts_ns(KR(i, i_mtime_sec), KR(i, i_mtime_nsec));
	if (bpf_core_field_exists(o->__i_mtime))
		return ts_ns(KR(o, __i_mtime.tv_sec), KR(o, __i_mtime.tv_nsec));
	return ts_ns(KR(o, i_mtime.tv_sec), KR(o, i_mtime.tv_nsec));
}

static __always_inline __u64 inode_ctime_ns(struct inode *i)
{
	struct inode___pre611 *o = (void *)i;

	if (bpf_core_field_exists(i->i_ctime_sec))
		return ts_ns(KR(i, i_ctime_sec), KR(i, i_ctime_nsec));
	if (bpf_core_field_exists(o->__i_ctime))
		return ts_ns(KR(o, __i_ctime.tv_sec), KR(o, __i_ctime.tv_nsec));
	return ts_ns(KR(o, i_ctime.tv_sec), KR(o, i_ctime.tv_nsec));
}

/* ---- 3. namespace type ---------------------------------------------------------- */

struct proc_ns_operations___pre618 {
	int type;
} __attribute__((preserve_access_index));

struct ns_common___pre618 {
	const struct proc_ns_operations___pre618 *ops;
} __attribute__((preserve_access_index));

static __always_inline __u32 ns_type_of(struct ns_common *ns)
{
	struct ns_common___pre618 *o = (void *)ns;

	if (bpf_core_field_exists(ns->ns_type))
		return KR(ns, ns_type);
	return KR(o, ops, type);
}

/* ---- 4. capability sets -------------------------------------------------------- */

struct kernel_cap_struct___pre63 {
	__u32 cap[2];
} __attribute__((preserve_access_index));

struct cred___pre63 {
	struct kernel_cap_struct___pre63 cap_inheritable;
	struct kernel_cap_struct___pre63 cap_permitted;
	struct kernel_cap_struct___pre63 cap_effective;
	struct kernel_cap_struct___pre63 cap_ambient;
} __attribute__((preserve_access_index));

/* CRED_CAP - capability set @set (cap_effective, ...) of struct cred @c as 64 bits */
#define CRED_CAP(c, set)                                                                    \
	({                                                                                  \
		struct cred *__cc = (c);                                                    \
		struct cred___pre63 *__co = (void *)__cc;                                   \
		bpf_core_field_exists(__cc->set.val) ?                                      \
			(__u64)KR(__cc, set.val) :                                          \
			((__u64)KR(__co, set.cap[0]) | (__u64)KR(__co, set.cap[1]) << 32); \
	})

/* ---- 5. process exit ---------------------------------------------------------- */

/* lt_exit_once: (tgid, start) -> the callers (LT_EXIT_*) that handled its exit */
struct lt_exit_key {
	__u64 start_ns;
	__u32 tgid;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct lt_exit_key);
	__type(value, __u64);
} lt_exit_once SEC(".maps") __weak;

#define LT_EXIT_PROC 1	/* process.bpf.c */
#define LT_EXIT_MODIFY 2	/* file.bpf.c: files awaiting their modify */
#define LT_EXIT_MODEL 4	/* model.bpf.c */

/*
 * exit_group_dead - is the exit of task @t (tp_btf/sched_process_exit, raw
 * arguments @ctx) the end of its thread group? True at most once per
 * process for each @caller bit.
 */
static __always_inline bool exit_group_dead(__u64 *ctx, struct task_struct *t, __u64 caller)
{
	struct lt_exit_key k = {};
	__u64 zero = 0, *done;

	if (lt_kf_exit_gd)
		return (__u8)*(volatile __u64 *)&ctx[1] != 0;
	if (TR(t, signal, live.counter) != 0)
		return false;
	k.tgid = TR(t, tgid);
	k.start_ns = TR(t, group_leader, start_boottime);
	bpf_map_update_elem(&lt_exit_once, &k, &zero, BPF_NOEXIST);
	done = bpf_map_lookup_elem(&lt_exit_once, &k);
	if (!done)
		return true;	/* evicted at once: report rather than lose the exit */
	return !(__sync_fetch_and_or(done, caller) & caller);
}

#endif
