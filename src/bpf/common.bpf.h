/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * common.bpf.h - maps, globals, scratch space and the event header, shared
 * by every BPF object of ltrack.
 *
 * Each src/bpf/<concern>.bpf.c is compiled on its own and the objects are
 * linked into one skeleton by `bpftool gen object`. Maps and globals are
 * therefore defined here as __weak: the linker merges the identical
 * definitions into one.
 *
 * Transport: two rings. ring_crit carries process lifecycle (exec, fork,
 * exit), is small and is never shared with bulk traffic, so a flood of file
 * events cannot push an exec out. ring_bulk carries everything else. Both
 * are written without wakeups (user space polls them every 5 ms), because a
 * wakeup per event costs more than the event: on a paravirtualised guest an
 * exec, fork and exit each paid ~40 us for their wakeups, 18% of a
 * fork+exec+exit cycle (see docs/benchmarks.md, run J). ring_crit still
 * wakes the reader when it is a quarter full (crit_wakeup).
 * Every failed reservation is counted in lt_drops by category.
 */
#ifndef LTRACK_COMMON_BPF_H
#define LTRACK_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <ltrack/event.h>
#include "core_fixes.bpf.h"

#define LT_RING_CRIT_SIZE (1u << 20)
#define LT_RING_BULK_SIZE (4u << 20)

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, LT_RING_CRIT_SIZE);
} ring_crit SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, LT_RING_BULK_SIZE);
} ring_bulk SEC(".maps") __weak;

/* crit_wakeup - flags for a ring_crit submit: no wakeup unless a quarter full */
static __always_inline __u64 crit_wakeup(void)
{
	return bpf_ringbuf_query(&ring_crit, BPF_RB_AVAIL_DATA) > LT_RING_CRIT_SIZE / 4 ?
		       BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LT_DROP_NCAT);
	__type(key, __u32);
	__type(value, __u64);
} lt_drops SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LT_GENS);
	__type(key, __u32);
	__type(value, struct lt_policy);
} lt_policy SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * 1024);
	__type(key, struct lt_watch_key);
	__type(value, struct lt_watch_val);
} lt_watches SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * 16384);
	__type(key, struct lt_edge_key);
	__type(value, struct lt_edge_val);
} lt_edges SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LT_GENS * LT_CMD_MAX);
	__type(key, __u32);
	__type(value, struct lt_cmd);
} lt_cmds SEC(".maps") __weak;

/* kernel process table: tgid -> selection; bounded, LRU so it can never fill */
struct lt_proc_val {
	__u64 start_ns;
	__u32 selected;
	__u32 gen;		/* policy generation the selection was computed for */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct lt_proc_val);
} lt_proc SEC(".maps") __weak;

/* open-for-write files awaiting their close: struct file * -> owner */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct lt_modify_val);
} lt_modify SEC(".maps") __weak;

/* ---- globals ----------------------------------------------------------------- */

/* set before load */
const volatile __u32 lt_self_tgid __weak = 0;
/* the agent's scan zygote (src/scan/sandbox.h): it and the workers it forks are ltrack too */
const volatile __u32 lt_helper_tgid __weak = 0;
/*
 * and its start, in clock ticks since boot as /proc/PID/stat's field 22
 * gives it (lt_tick_ns each): with the tgid, so that a process reusing
 * the zygote's pid once it is gone is not taken for it (security review,
 * finding 15)
 */
const volatile __u64 lt_helper_start __weak = 0;
const volatile __u64 lt_tick_ns __weak = 10000000;

/* active policy generation (0 or 1); user space flips it on reload */
volatile __u32 lt_active_gen __weak = 0;
/*
 * Directory-cache epoch. A successful rename between two directories, and
 * every policy or edge change from user space, bumps it: cached directory
 * verdicts from an older epoch are ignored. (A rename within one directory
 * changes no ancestry; a removed directory's entry is caught by the inode
 * number check.) User space also reads it to learn that some directory
 * may have moved and watch paths may need re-resolving.
 */
volatile __u64 lt_epoch __weak = 1;
/* entries in lt_modify (approximate, never negative in practice) */
volatile __s64 lt_modify_pending __weak = 0;

/* ---- scratch ------------------------------------------------------------------ */

#define LT_COMPS_MAX 64
/*
 * Records are built in ev[] and copied out with bpf_ringbuf_output. Strings
 * are appended at offsets masked with LT_STR_MASK, and a record's size is
 * masked with LT_EVBUF - 1, so the verifier can bound every access.
 */
#define LT_EVBUF 32768
#define LT_STR_CAP 16384
#define LT_STR_MASK (LT_STR_CAP - 1)

/* state of the watch_commands matcher (filter.bpf.h) */
struct lt_gm {
	int nlens[2];		/* lengths of scratch name (image basename) and name2 (comm) */
	__u32 gen;
	__u32 ncmds;
	__u32 pi;
	int which;
	int p, n, star, mark;
	int cls, cls_literal, cj, cneg, chit, cfirst;	/* inside a [...] class */
	int matched;
};

/* loop states of path.bpf.h (see there why they are not on the stack) */
struct lt_pbstate {
	__u64 d, m, root_d, root_m;
	int pos, trunc, ncomp, pad;
};

struct lt_wmstate {
	__u64 d, m, epoch;
	__u32 gen;
	int first, found, pad;
	struct lt_watch_val w;
};

struct lt_tokstate {
	__u64 d, m, root_d, root_m, h;
	int ulen, cstart, ncomp, overflow;
	__u32 ubase;
	int pos;	/* next byte of the string (tok_cb may take eight at once) */
};

struct lt_descstate {
	__u64 ino;
	__u32 dev, gen;
	int ncomp, inexact, found, pad;
	struct lt_watch_val w;
};

struct lt_spstate {
	int len1, len2, ls1, ls2, diff, pos;
};

/* lt_dircache (path.bpf.h): a directory through one mount -> its watch verdict */
struct lt_dc_key {
	__u64 dentry;
	__u64 mnt;
};

struct lt_dc_val {
	__u64 epoch;
	__u64 ino;
	__u32 found;
	__u32 gen;
	struct lt_watch_val w;
};

/* a per-CPU copy of the last lt_dircache verdict used */
struct lt_lastdir {
	__u64 dentry;
	__u64 mnt;
	struct lt_dc_val v;
};

/* an lt_pathcache entry (path.bpf.h) */
#define LT_PC_LEN 256
struct lt_pc_val {
	__u64 epoch;
	__u64 ino;
	__u64 root;		/* the root dentry of the task that built it */
	__u32 len;		/* bytes of path, no NUL */
	__u32 pad;
	char path[LT_PC_LEN];
};

/* a position in the dentry tree */
struct lt_loc {
	struct dentry *d;
	struct mount *m;
};

/* the result of resolving a path string */
struct lt_pres {
	struct lt_loc start;	/* kernel-resolved directory after leading ".." */
	int ncomp;		/* components below start, the last being the object */
	int ulen;
	int inexact;		/* an intermediate component may be a symlink */
	int overflow;		/* too many components */
	int found;		/* a watch contains the object */
	struct lt_watch_val w;
	__u32 pdev;		/* the object's directory, when !inexact */
	__u64 pino;
};

struct lt_scratch {
	char path[2 * LT_PATH_MAX];	/* backward path builder, masked writes */
	char ustr[2 * LT_PATH_MAX + LT_NAME_MAX];	/* up to two user strings */
	char name[LT_NAME_MAX];		/* one component */
	char name2[LT_NAME_MAX];
	__u16 coff[LT_COMPS_MAX];	/* components of ustr after normalisation */
	__u16 clen[LT_COMPS_MAX];
	__u64 chash[LT_COMPS_MAX];	/* FNV-1a 64 of each component */
	struct lt_gm gm;
	struct lt_pbstate pb;
	struct lt_wmstate wm;
	struct lt_tokstate tok;
	struct lt_descstate desc;
	struct lt_spstate sp;
	struct lt_pc_val pcv;
	struct lt_lastdir lastdir;
	struct lt_pres pres[2];		/* path_event's two resolved paths */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lt_scratch);
} lt_scratch_map SEC(".maps") __weak;

/* the record being built (a separate map: per-CPU values are limited to 32 KiB) */
struct lt_evbuf {
	char ev[LT_EVBUF];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lt_evbuf);
} lt_evbuf_map SEC(".maps") __weak;

static __always_inline struct lt_scratch *scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lt_scratch_map, &zero);
}

static __always_inline void *evbuf_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lt_evbuf_map, &zero);
}

/* ---- helpers ------------------------------------------------------------------ */

/* mask @x in a way the compiler cannot fold away, so the verifier sees the bound */
#define bound_mask(x, mask) asm volatile("%[v] &= " #mask : [v] "+r"(x))

static __always_inline void drop_count(__u32 cat)
{
	__u64 *c = bpf_map_lookup_elem(&lt_drops, &cat);

	if (c)
		*c += 1;
}

static __always_inline __u32 gen_active(void)
{
	return lt_active_gen & 1;
}

static __always_inline struct lt_policy *policy_get(__u32 gen)
{
	return bpf_map_lookup_elem(&lt_policy, &gen);
}

/* ctx: is @v inside one of the first @n of @r (inclusive ranges)? */
static __always_inline bool range_hit(const struct lt_range *r, __u32 n, __u32 v)
{
#pragma unroll
	for (int i = 0; i < LT_RANGES_MAX; i++) {
		if (i >= n)
			break;
		if (v >= r[i].lo && v <= r[i].hi)
			return true;
	}
	return false;
}

/* ctx: the pid (tgid) and real-uid range filters for @tgid and @uid */
static __always_inline bool ev_gate_ranges(const struct lt_policy *p, __u32 tgid, __u32 uid)
{
	if ((p->filt & LT_FILT_PID) && !range_hit(p->pids, p->npids, tgid))
		return false;
	if ((p->filt & LT_FILT_UID) && !range_hit(p->uids, p->nuids, uid))
		return false;
	return true;
}

/* ctx: the event-type selection alone (--events, [filter] events) */
static __always_inline bool ev_type_selected(const struct lt_policy *p, __u32 type)
{
	return p->ev_mask[(type >> 5) & (LT_EV_MAX / 32 - 1)] & (1u << (type & 31));
}

/*
 * ev_gate - the selection every event passes before it takes ring space:
 * its type is selected (--events, [filter] events), and, when the policy
 * has range filters (--pid, --uid, [filter] pids/uids), the current task's
 * tgid and real uid are inside them. Without range filters the cost is one
 * load and test of p->filt. Every program calls it with the policy of the
 * active generation, in the context of the task the event is about.
 * It calls bpf_get_current_pid_tgid() and bpf_get_current_uid_gid(): a
 * program type that lacks one of them must use ev_gate_ids() instead (the
 * verifier checks the calls even when no filter is set).
 */
static __always_inline bool ev_gate(const struct lt_policy *p, __u32 type)
{
	if (!ev_type_selected(p, type))
		return false;
	if (__builtin_expect(!p->filt, 1))
		return true;
	return ev_gate_ranges(p, bpf_get_current_pid_tgid() >> 32,
			      (__u32)bpf_get_current_uid_gid());
}

/* ev_gate_ids - ev_gate for the process @tgid with real uid @uid, given by the caller */
static __always_inline bool ev_gate_ids(const struct lt_policy *p, __u32 type, __u32 tgid,
					__u32 uid)
{
	if (!ev_type_selected(p, type))
		return false;
	if (__builtin_expect(!p->filt, 1))
		return true;
	return ev_gate_ranges(p, tgid, uid);
}

/*
 * the scan zygote or one of its workers: @tgid or its parent's is the
 * zygote's, with the start the agent recorded (a recycled pid is not it).
 * Not inlined: its kernel reads would widen the stack frame of every
 * program that asks is_self(), and 6.1's verifier counts those frames
 * against 512 bytes.
 */
static __noinline bool is_helper(__u32 tgid)
{
	struct task_struct *t = bpf_get_current_task_btf();

	if (tgid != lt_helper_tgid) {
		if (TR(t, real_parent, tgid) != lt_helper_tgid)
			return false;
		t = TR(t, real_parent);	/* a scan worker */
	}
	return TR(t, group_leader, start_boottime) / lt_tick_ns == lt_helper_start;
}

static __always_inline bool is_self(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (tgid == lt_self_tgid)
		return true;
	if (!lt_helper_tgid)
		return false;
	return is_helper(tgid);
}

/* the kernel's dev_t encoding of a superblock */
static __always_inline __u32 sb_dev(struct super_block *sb)
{
	return KR(sb, s_dev);
}

/* file_id - the content identity of inode @ino (see struct lt_file_id) */
static __always_inline void file_id(struct lt_file_id *id, struct inode *ino)
{
	if (!ino) {
		__builtin_memset(id, 0, sizeof(*id));
		return;
	}
	id->ino = KR(ino, i_ino);
	id->size = KR(ino, i_size);
	id->mtime_ns = inode_mtime_ns(ino);
	id->ctime_ns = inode_ctime_ns(ino);
	id->dev = KR(ino, i_sb, s_dev);
	id->pad = 0;
}

static __always_inline __u64 task_start_ns(struct task_struct *t)
{
	return TR(t, group_leader, start_boottime);
}

/*
 * hdr_ctx - the context part of the header for task @t: session, cgroup,
 * namespaces and controlling tty. Works for any task (the snapshot iterator
 * uses it on tasks that are not current).
 */
static __always_inline void hdr_ctx(struct lt_hdr *h, struct task_struct *t)
{
	struct nsproxy *nsp = TR(t, nsproxy);
	struct pid *pid = TR(t, thread_pid);
	struct tty_struct *tty = TR(t, signal, tty);
	unsigned int lvl = pid ? TR(pid, level) : 0;
	struct pid_namespace *pns = NULL;

	h->sessionid = TR(t, sessionid);
	h->cgroup_id = TR(t, cgroups, dfl_cgrp, kn, id);
	h->mnt_ns = nsp ? TR(nsp, mnt_ns, ns.inum) : 0;
	h->net_ns = nsp ? TR(nsp, net_ns, ns.inum) : 0;
	/* task_active_pid_ns(): the namespace at the pid's own level */
	if (pid)
		bpf_probe_read_kernel(&pns, sizeof(pns), KADDR(pid, numbers[lvl & 31].ns));
	h->pid_ns = pns ? KR(pns, ns.inum) : 0;
	h->tty = 0;
	if (tty) {
		struct tty_driver *drv = TR(tty, driver);

		h->tty = (__u32)TR(drv, major) << 20 |
			 ((TR(drv, minor_start) + TR(tty, index)) & 0xfffff);
	}
	h->reserved = 0;
}

/*
 * ---- ctx: cgroup v1 ---------------------------------------------------------
 * cg_v1_fill - @t's cgroups in the v1 hierarchies of cpu, memory, pids and
 * name=systemd, as kernfs ids (the directory's inode), into @ids
 * (lt_exec_ev.cg_v1). User space used to read /proc/PID/cgroup when it
 * handled the exec, up to a poll period later: a short-lived process (a
 * container's `exec` of one command) was gone by then and lost its
 * container. Plain probe reads (BPF_CORE_READ), no kfunc: any kernel.
 */
#define LT_CG_LINKS_MAX 16	/* hierarchies walked: v2, each v1 controller, a few named */

/* the cgroup of controller @ssid (enum cgroup_subsys_id of this kernel): its kernfs id */
static __always_inline __u64 cg_v1_subsys(struct css_set *cs, __u32 ssid)
{
	unsigned long slot = (unsigned long)cs + bpf_core_field_offset(struct css_set, subsys);
	struct cgroup_subsys_state *css = NULL;

	/* cs->subsys[ssid]: the index is a load-time constant, not a compile-time one */
	slot += (ssid & 63) * sizeof(css);
	bpf_probe_read_kernel(&css, sizeof(css), (void *)slot);
	return css ? BPF_CORE_READ(css, cgroup, kn, id) : 0;
}

/*
 * the cgroup in the named hierarchy "systemd", which has no controller to
 * index subsys[] with: one cgrp_cset_link per hierarchy hangs off
 * css_set.cgrp_links, as in the kernel's cset_cgroup_from_root()
 */
static __always_inline __u64 cg_v1_systemd(struct css_set *cs)
{
	unsigned long head = (unsigned long)cs + bpf_core_field_offset(struct css_set, cgrp_links);
	unsigned long loff = bpf_core_field_offset(struct cgrp_cset_link, cgrp_link);
	struct list_head *pos = BPF_CORE_READ(cs, cgrp_links.next);

	for (int i = 0; i < LT_CG_LINKS_MAX; i++) {
		struct cgrp_cset_link *l = (void *)((unsigned long)pos - loff);
		struct cgroup *cg;
		char name[8] = {};

		if (!pos || (unsigned long)pos == head)
			break;
		cg = BPF_CORE_READ(l, cgrp);
		BPF_CORE_READ_INTO(&name, cg, root, name);	/* the first 8 of char[64] */
		if (name[0] == 's' && name[1] == 'y' && name[2] == 's' && name[3] == 't' &&
		    name[4] == 'e' && name[5] == 'm' && name[6] == 'd' && name[7] == '\0')
			return BPF_CORE_READ(cg, kn, id);
		pos = BPF_CORE_READ(pos, next);
	}
	return 0;
}

#define cg_ssid(name) bpf_core_enum_value(enum cgroup_subsys_id, name)

static __always_inline void cg_v1_fill(__u64 ids[LT_CG_V1_N], struct task_struct *t)
{
	struct css_set *cs = BPF_CORE_READ(t, cgroups);

	ids[LT_CG_V1_CPU] = ids[LT_CG_V1_MEMORY] = ids[LT_CG_V1_PIDS] = ids[LT_CG_V1_SYSTEMD] = 0;
	if (!cs)
		return;
	/* a controller this kernel is built without has no enum value: it stays 0 */
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpu_cgrp_id))
		ids[LT_CG_V1_CPU] = cg_v1_subsys(cs, cg_ssid(cpu_cgrp_id));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		ids[LT_CG_V1_MEMORY] = cg_v1_subsys(cs, cg_ssid(memory_cgrp_id));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, pids_cgrp_id))
		ids[LT_CG_V1_PIDS] = cg_v1_subsys(cs, cg_ssid(pids_cgrp_id));
	ids[LT_CG_V1_SYSTEMD] = cg_v1_systemd(cs);
}

/*
 * hdr_fill - the common header for @task (the current task), in the
 * context where the event happens.
 */
static __always_inline void hdr_fill(struct lt_hdr *h, __u32 type, struct task_struct *t)
{
	__u64 pidtgid = bpf_get_current_pid_tgid();
	__u64 uidgid = bpf_get_current_uid_gid();
	struct task_struct *parent = TR(t, real_parent);

	h->ts_boot_ns = bpf_ktime_get_boot_ns();
	h->start_ns = TR(t, group_leader, start_boottime);
	h->parent_start_ns = TR(parent, group_leader, start_boottime);
	h->type = type;
	h->size = 0;
	h->tgid = pidtgid >> 32;
	h->tid = (__u32)pidtgid;
	h->ppid = TR(parent, tgid);
	h->uid = (__u32)uidgid;
	h->gid = uidgid >> 32;
	h->euid = TR(t, cred, euid.val);
	h->loginuid = TR(t, loginuid.val);
	h->syscall_nr = -1;
	h->ret = 0;
	h->flags = 0;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
	hdr_ctx(h, t);
}

/* x86-64 syscall argument @n of the current task, read from its saved registers */
static __always_inline unsigned long sys_arg(struct pt_regs *regs, int n)
{
	switch (n) {
	case 0:
		return TR(regs, di);
	case 1:
		return TR(regs, si);
	case 2:
		return TR(regs, dx);
	case 3:
		return TR(regs, r10);
	case 4:
		return TR(regs, r8);
	default:
		return TR(regs, r9);
	}
}

/* fd_file - the open file @fd of the current task, or NULL */
static __always_inline struct file *fd_file(int fd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct fdtable *fdt = TR(t, files, fdt);
	struct file **fds, *f = NULL;

	if (fd < 0 || (unsigned int)fd >= TR(fdt, max_fds))
		return NULL;
	/* fd[] is an array of pointers: not typed for the verifier, so one helper read */
	fds = TR(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/*
 * str_put_path - append the path built at s->path[pos..] to a record's
 * string area @str at @off. Returns the bytes appended (NUL included), or
 * 0 when it does not fit.
 */
#define str_put_path(str, off, s, pos)                                                      \
	({                                                                                  \
		__u32 __len = (LT_PATH_MAX - (pos)) & (2 * LT_PATH_MAX - 1);                 \
		__u32 __ret = 0;                                                            \
		if (__len <= LT_PATH_MAX && (off) + __len <= LT_STR_CAP) {                   \
			bpf_probe_read_kernel(&(str)[(off) & LT_STR_MASK], __len & (2 * LT_PATH_MAX - 1), \
					      &(s)->path[(pos) & (LT_PATH_MAX - 1)]);       \
			__ret = __len;                                                      \
		}                                                                           \
		__ret;                                                                      \
	})

static __always_inline struct pt_regs *cur_regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

#endif
