// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * evade.bpf.c - evasion and escalation paths: timestomping, xattrs and file
 * capabilities, truncation, namespaces, mounts and root changes, BPF and
 * perf use, cross-process memory writes, comm masquerading, sockets put on
 * stdin/stdout/stderr (reverse shells), and io_uring (which performs file
 * and network operations without the syscalls the other hooks watch).
 *
 * Design: as file.bpf.c, exit-only syscall tracepoints that read their
 * arguments from the saved user registers. Two calls need the state
 * before the syscall: ftruncate (the old size, to report only shrinking:
 * an entry hook stashes it per thread for the exit) and prctl(PR_SET_NAME)
 * (the old comm: reported from its entry hook alone, see there). io_uring uses its own tracepoints:
 * ring creation is an event; submissions are only counted per process in
 * lt_iou_ops, which user space turns into io_uring_ops summaries.
 *
 * Selection: each program belongs to one group of [security_monitor]
 * (lt_policy.evade_groups, per generation). Paths are reported wherever the
 * object is (no watch needed): these calls are rare. Every gate runs before
 * any ring space is taken; failed calls only with --failed.
 */
#include "common.bpf.h"
#include "path.bpf.h"

/* per-thread state between sys_enter and sys_exit (ftruncate) */
struct lt_evade_stash {
	__u64 old_size;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct lt_evade_stash);
} lt_evade_stash SEC(".maps") __weak;

/* io_uring submissions per process: (tgid, start) -> counts by opcode */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 2048);
	__type(key, struct lt_iou_key);
	__type(value, struct lt_iou_ops);
} lt_iou_ops SEC(".maps") __weak;

/* syscall tracepoint records (see file.bpf.c) */
struct evade_exit_ctx {
	__u64 common;
	int id;
	int pad;
	long ret;
};

struct evade_enter_ctx {
	__u64 common;
	int id;
	int pad;
	unsigned long args[6];
};

#define EV_AT_EMPTY_PATH 0x1000
#define EV_S_IFMT 0170000
#define EV_S_IFREG 0100000
#define EV_S_IFSOCK 0140000
#define EV_NSFS_MAGIC 0x6e736673
#define EV_PIDFS_MAGIC 0x50494446
#define EV_PR_SET_NAME 15
#define EV_BPF_PROG_LOAD 5
#define EV_AF_INET 2
#define EV_AF_INET6 10
#define EV_IORING_SETUP_SQPOLL (1u << 1)
#define EV_NR_IO_URING_SETUP 425
#define EV_STR_ROOM 4096	/* the most one string may take */

/*
 * evade_on - the gates every evade event passes: its group is on in the
 * active generation, the type is selected, it is not ltrack itself, and
 * it succeeded unless --failed.
 */
static __always_inline bool evade_on(__u32 group, __u32 type, long ret)
{
	__u32 gen = gen_active();
	struct lt_policy *pol = policy_get(gen);

	if (!pol || !(pol->evade_groups & group) || is_self())
		return false;
	if (ret < 0 && !pol->failed)
		return false;
	return ev_gate(pol, type);
}

static __always_inline struct lt_evade_ev *xev_init(__u32 type, int nr, long ret)
{
	struct lt_evade_ev *e = evbuf_get();

	if (!e)
		return NULL;
	hdr_fill(&e->hdr, type, bpf_get_current_task_btf());
	e->hdr.syscall_nr = nr;
	e->hdr.ret = ret;
	e->hdr.flags = LT_HF_REPORT;
	for (int i = 0; i < 8; i++)
		e->v[i] = 0;
	for (int i = 0; i < 3; i++) {
		e->len[i] = 0;
		e->pflags[i] = 0;
	}
	e->pad = 0;
	return e;
}

/* where the next string goes: strings are appended in order */
static __always_inline __u32 xev_off(struct lt_evade_ev *e)
{
	return (__u32)e->len[0] + e->len[1] + e->len[2];
}

/* string @i from user memory, at most @max bytes with its NUL; absent when unreadable */
static __always_inline void xev_ustr(struct lt_evade_ev *e, int i, const void *u, __u32 max,
				     __u16 pf)
{
	__u32 off = xev_off(e);
	long n;

	if (!u || off >= LT_STR_CAP)
		return;
	n = bpf_probe_read_user_str(&e->str[off & LT_STR_MASK], max > EV_STR_ROOM ? EV_STR_ROOM : max,
				    u);
	if (n > 0) {
		e->len[i] = n;
		e->pflags[i] = pf;
	}
}

/* string @i from kernel memory */
static __always_inline void xev_kstr(struct lt_evade_ev *e, int i, const void *k, __u32 max)
{
	__u32 off = xev_off(e);
	long n;

	if (!k || off >= LT_STR_CAP)
		return;
	n = bpf_probe_read_kernel_str(&e->str[off & LT_STR_MASK],
				      max > EV_STR_ROOM ? EV_STR_ROOM : max, k);
	if (n > 0)
		e->len[i] = n;
}

/* string @i: the absolute path of user path @upath relative to @dfd (lexical, path.bpf.h) */
static __always_inline void xev_upath(struct lt_evade_ev *e, int i, int dfd, const char *upath)
{
	struct lt_scratch *s = scratch_get();
	struct lt_pres r = {};
	__u32 off = xev_off(e);
	__u16 pf = 0;
	int pos;

	if (!s || !upath)
		return;
	if (pstr_resolve(s, dfd, upath, 0, gen_active(), &r) < 0)
		return;
	pos = pstr_build(s, &r, &pf);
	e->len[i] = str_put_path(e->str, off, s, pos);
	e->pflags[i] = pf;
}

/* string @i: the exact path of open file @f */
static __always_inline void xev_fpath(struct lt_evade_ev *e, int i, struct file *f)
{
	struct lt_scratch *s = scratch_get();
	__u32 off = xev_off(e);
	struct lt_loc l;
	__u16 pf = 0;
	int pos;

	if (!s || !f)
		return;
	loc_of_file(&l, f);
	pos = loc_build(s, &l, &pf);
	e->len[i] = str_put_path(e->str, off, s, pos);
	e->pflags[i] = pf;
}

/*
 * string @i: a user path with the *at() conventions: NULL (utimensat) or ""
 * with AT_EMPTY_PATH name the open file @dfd itself
 */
static __always_inline void xev_atpath(struct lt_evade_ev *e, int i, int dfd, const char *upath,
				       __u32 at_flags)
{
	char c0 = 0;

	if (upath && (at_flags & EV_AT_EMPTY_PATH))
		bpf_probe_read_user(&c0, 1, upath);
	if (!upath || ((at_flags & EV_AT_EMPTY_PATH) && !c0)) {
		xev_fpath(e, i, fd_file(dfd));
		return;
	}
	xev_upath(e, i, dfd, upath);
}

static __always_inline void xev_send(struct lt_evade_ev *e)
{
	__u32 n = (sizeof(*e) + e->len[0] + e->len[1] + e->len[2]) & (LT_EVBUF - 1);

	e->hdr.size = n;
	if (bpf_ringbuf_output(&ring_bulk, e, n, BPF_RB_NO_WAKEUP))
		drop_count(LT_DROP_EVADE);
}

/* ---- utimes: timestomping ---------------------------------------------------- */

struct ev_ts {
	__s64 sec;
	__s64 nsec;
};

/*
 * utimes_event - @ts: the user's two times (NULL: both now); @usec: they are
 * timevals (microseconds); @utimbuf: struct utimbuf (seconds only)
 */
static __always_inline int utimes_event(struct evade_exit_ctx *ctx, int dfd, const char *path,
					const void *ts, bool usec, bool utimbuf, __u32 flags)
{
	struct lt_evade_ev *e;
	struct ev_ts t[2] = {};

	if (!evade_on(LT_EG_TIMESTOMP, LT_EV_UTIMES, ctx->ret))
		return 0;
	e = xev_init(LT_EV_UTIMES, ctx->id, ctx->ret);
	if (!e)
		return 0;
	if (!ts) {
		t[0].nsec = t[1].nsec = LT_UTIME_NOW;
	} else if (utimbuf) {
		__s64 u[2] = {};

		bpf_probe_read_user(u, sizeof(u), ts);
		t[0].sec = u[0];
		t[1].sec = u[1];
	} else {
		bpf_probe_read_user(t, sizeof(t), ts);
		if (usec) {
			t[0].nsec *= 1000;
			t[1].nsec *= 1000;
		}
	}
	e->v[0] = t[0].sec;
	e->v[1] = t[0].nsec;
	e->v[2] = t[1].sec;
	e->v[3] = t[1].nsec;
	e->v[4] = flags;
	xev_atpath(e, 0, dfd, path, flags);
	if (!e->len[0])
		return 0;	/* nothing to name: the path could not be read */
	xev_send(e);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_utimensat")
int lt_evade_utimensat(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();

	return utimes_event(ctx, sys_arg(r, 0), (const char *)sys_arg(r, 1),
			    (const void *)sys_arg(r, 2), false, false, sys_arg(r, 3));
}

SEC("tracepoint/syscalls/sys_exit_futimesat")
int lt_evade_futimesat(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();

	return utimes_event(ctx, sys_arg(r, 0), (const char *)sys_arg(r, 1),
			    (const void *)sys_arg(r, 2), true, false, 0);
}

SEC("tracepoint/syscalls/sys_exit_utimes")
int lt_evade_utimes(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();

	return utimes_event(ctx, AT_FDCWD_, (const char *)sys_arg(r, 0),
			    (const void *)sys_arg(r, 1), true, false, 0);
}

SEC("tracepoint/syscalls/sys_exit_utime")
int lt_evade_utime(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();

	return utimes_event(ctx, AT_FDCWD_, (const char *)sys_arg(r, 0),
			    (const void *)sys_arg(r, 1), false, true, 0);
}

/* ---- xattrs and file capabilities ------------------------------------------- */

/*
 * the record's string 1 is "security.capability": compared as three
 * little-endian words (a string constant would need a .rodata.str map)
 */
static __always_inline bool is_caps_name(struct lt_evade_ev *e)
{
	__u64 w[3] = {};

	if (e->len[1] != 20)
		return false;
	bpf_probe_read_kernel(w, 20, &e->str[e->len[0] & LT_STR_MASK]);
	return w[0] == 0x7974697275636573ULL && w[1] == 0x6c6962617061632eULL &&
	       w[2] == 0x797469ULL;
}

/* decode a vfs_cap_data / vfs_ns_cap_data value (linux/capability.h) */
static __always_inline void caps_decode(struct lt_evade_ev *e, const void *value, __u64 size)
{
	__u32 c[6] = {};
	__u32 rev;

	e->v[3] = LT_CAPF_FILE_CAPS;
	if (!value || size < 12)
		return;
	bpf_probe_read_user(c, size >= 24 ? 24 : size >= 20 ? 20 : 12, value);
	rev = c[0] & 0xff000000u;
	if (c[0] & 1)
		e->v[3] |= LT_CAPF_EFFECTIVE;
	if (rev == 0x01000000u && size >= 12) {
		e->v[4] = c[1];
		e->v[5] = c[2];
	} else if ((rev == 0x02000000u && size >= 20) || (rev == 0x03000000u && size >= 24)) {
		e->v[4] = c[1] | (__u64)c[3] << 32;
		e->v[5] = c[2] | (__u64)c[4] << 32;
		if (rev == 0x03000000u) {
			e->v[3] |= LT_CAPF_V3;
			e->v[6] = c[5];
		}
	} else {
		return;
	}
	e->v[3] |= LT_CAPF_DECODED;
}

/*
 * xattr_event - @fd >= 0 and !@path: f*xattr on @fd; otherwise @path
 * relative to @dfd (with *at flags @atf). @remove: the removexattr family.
 */
static __always_inline int xattr_event(struct evade_exit_ctx *ctx, int dfd, const char *path,
				       int fd, __u32 atf, const char *name, const void *value,
				       __u64 size, __u32 flags, bool remove)
{
	struct lt_evade_ev *e;

	if (!evade_on(LT_EG_XATTR, LT_EV_SETXATTR, ctx->ret))
		return 0;
	e = xev_init(LT_EV_SETXATTR, ctx->id, ctx->ret);
	if (!e)
		return 0;
	e->v[0] = remove ? LT_XATTR_REMOVE : LT_XATTR_SET;
	e->v[1] = remove ? 0 : size;
	e->v[2] = flags;
	if (fd >= 0)
		xev_fpath(e, 0, fd_file(fd));
	else
		xev_atpath(e, 0, dfd, path, atf);
	if (!e->len[0])
		return 0;
	xev_ustr(e, 1, name, LT_NAME_MAX, 0);
	if (is_caps_name(e)) {
		if (remove)
			e->v[3] = LT_CAPF_FILE_CAPS;
		else
			caps_decode(e, value, size);
	}
	xev_send(e);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_setxattr")
int lt_evade_setxattr(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();

	return xattr_event(ctx, AT_FDCWD_, (const char *)sys_arg(r, 0), -1, 0,
			   (const char *)sys_arg(r, 1), (const void *)sys_arg(r, 2), sys_arg(r, 3),
			   sys_arg(r, 4), false);
}

SEC("tracepoint/syscalls/sys_exit_lsetxattr")
int lt_evade_lsetxattr(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();

	return xattr_event(ctx, AT_FDCWD_, (const char *)sys_arg(r, 0), -1, 0,
			   (const char *)sys_arg(r, 1), (const void *)sys_arg(r, 2), sys_arg(r, 3),
			   sys_arg(r, 4), false);
}

SEC("tracepoint/syscalls/sys_exit_fsetxattr")
int lt_evade_fsetxattr(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();

	return xattr_event(ctx, 0, NULL, sys_arg(r, 0), 0, (const char *)sys_arg(r, 1),
			   (const void *)sys_arg(r, 2), sys_arg(r, 3), sys_arg(r, 4), false);
}

/* setxattrat(dfd, path, at_flags, name, struct xattr_args *, size) (6.13) */
SEC("tracepoint/syscalls/sys_exit_setxattrat")
int lt_evade_setxattrat(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();
	struct {
		__u64 value;
		__u32 size;
		__u32 flags;
	} xa = {};

	bpf_probe_read_user(&xa, sizeof(xa), (const void *)sys_arg(r, 4));
	return xattr_event(ctx, sys_arg(r, 0), (const char *)sys_arg(r, 1), -1, sys_arg(r, 2),
			   (const char *)sys_arg(r, 3), (const void *)xa.value, xa.size, xa.flags,
			   false);
}

SEC("tracepoint/syscalls/sys_exit_removexattr")
int lt_evade_removexattr(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();

	return xattr_event(ctx, AT_FDCWD_, (const char *)sys_arg(r, 0), -1, 0,
			   (const char *)sys_arg(r, 1), NULL, 0, 0, true);
}

SEC("tracepoint/syscalls/sys_exit_lremovexattr")
int lt_evade_lremovexattr(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();

	return xattr_event(ctx, AT_FDCWD_, (const char *)sys_arg(r, 0), -1, 0,
			   (const char *)sys_arg(r, 1), NULL, 0, 0, true);
}

SEC("tracepoint/syscalls/sys_exit_fremovexattr")
int lt_evade_fremovexattr(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();

	return xattr_event(ctx, 0, NULL, sys_arg(r, 0), 0, (const char *)sys_arg(r, 1), NULL, 0, 0,
			   true);
}

SEC("tracepoint/syscalls/sys_exit_removexattrat")
int lt_evade_removexattrat(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();

	return xattr_event(ctx, sys_arg(r, 0), (const char *)sys_arg(r, 1), -1, sys_arg(r, 2),
			   (const char *)sys_arg(r, 3), NULL, 0, 0, true);
}

/* ---- truncate ------------------------------------------------------------------ */

/* truncate(2) of a path: every call (rare; the old size is not known at exit) */
SEC("tracepoint/syscalls/sys_exit_truncate")
int lt_evade_truncate(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();
	struct lt_evade_ev *e;

	if (!evade_on(LT_EG_TRUNCATE, LT_EV_TRUNCATE, ctx->ret))
		return 0;
	e = xev_init(LT_EV_TRUNCATE, ctx->id, ctx->ret);
	if (!e)
		return 0;
	e->v[0] = sys_arg(r, 1);
	e->v[1] = (__u64)-1;
	e->v[2] = (__u64)-1;
	xev_upath(e, 0, AT_FDCWD_, (const char *)sys_arg(r, 0));
	if (e->len[0])
		xev_send(e);
	return 0;
}

/*
 * ftruncate(2): only a regular file made smaller (databases grow and
 * shrink files all the time; wiping a log is making it smaller). The size
 * before is taken at entry.
 */
SEC("tracepoint/syscalls/sys_enter_ftruncate")
int lt_evade_enter_ftruncate(struct evade_enter_ctx *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct lt_evade_stash st = {};
	struct file *f;
	struct inode *ino;

	if (!evade_on(LT_EG_TRUNCATE, LT_EV_TRUNCATE, 0))
		return 0;
	f = fd_file(ctx->args[0]);
	if (!f)
		return 0;
	ino = KR(f, f_inode);
	st.old_size = KR(ino, i_size);
	if ((KR(ino, i_mode) & EV_S_IFMT) != EV_S_IFREG || (__s64)ctx->args[1] >= st.old_size)
		return 0;
	bpf_map_update_elem(&lt_evade_stash, &tid, &st, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_ftruncate")
int lt_evade_ftruncate(struct evade_exit_ctx *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct lt_evade_stash *st = bpf_map_lookup_elem(&lt_evade_stash, &tid);
	struct pt_regs *r = cur_regs();
	struct lt_evade_ev *e;
	__u64 old;

	if (!st)
		return 0;
	old = st->old_size;
	bpf_map_delete_elem(&lt_evade_stash, &tid);
	if (!evade_on(LT_EG_TRUNCATE, LT_EV_TRUNCATE, ctx->ret))
		return 0;
	e = xev_init(LT_EV_TRUNCATE, ctx->id, ctx->ret);
	if (!e)
		return 0;
	e->v[0] = sys_arg(r, 1);
	e->v[1] = old;
	e->v[2] = (int)sys_arg(r, 0);
	xev_fpath(e, 0, fd_file(sys_arg(r, 0)));
	if (e->len[0])
		xev_send(e);
	return 0;
}

/* ---- namespaces ------------------------------------------------------------------ */

SEC("tracepoint/syscalls/sys_exit_unshare")
int lt_evade_unshare(struct evade_exit_ctx *ctx)
{
	struct lt_evade_ev *e;

	if (!evade_on(LT_EG_NAMESPACES, LT_EV_UNSHARE, ctx->ret))
		return 0;
	e = xev_init(LT_EV_UNSHARE, ctx->id, ctx->ret);
	if (!e)
		return 0;
	e->v[0] = sys_arg(cur_regs(), 0);
	xev_send(e);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_setns")
int lt_evade_setns(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();
	struct lt_evade_ev *e;
	struct file *f;

	if (!evade_on(LT_EG_NAMESPACES, LT_EV_SETNS, ctx->ret))
		return 0;
	e = xev_init(LT_EV_SETNS, ctx->id, ctx->ret);
	if (!e)
		return 0;
	e->v[0] = (int)sys_arg(r, 0);
	e->v[1] = (int)sys_arg(r, 1);
	f = fd_file(sys_arg(r, 0));
	if (f) {
		struct inode *ino = KR(f, f_inode);
		unsigned long magic = KR(ino, i_sb, s_magic);

		if (magic == EV_NSFS_MAGIC) {
			struct ns_common *ns = KR(ino, i_private);

			e->v[2] = ns_type_of(ns);
			e->v[3] = KR(ns, inum);
		} else if (magic == EV_PIDFS_MAGIC) {
			e->v[4] = LT_SETNS_PIDFD;
		}
	}
	xev_send(e);
	return 0;
}

/* ---- mounts and root changes -------------------------------------------------- */

SEC("tracepoint/syscalls/sys_exit_mount")
int lt_evade_mount(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();
	struct lt_evade_ev *e;

	if (!evade_on(LT_EG_MOUNTS, LT_EV_MOUNT, ctx->ret))
		return 0;
	e = xev_init(LT_EV_MOUNT, ctx->id, ctx->ret);
	if (!e)
		return 0;
	e->v[0] = LT_MOUNT_MOUNT;
	e->v[1] = sys_arg(r, 3);
	xev_ustr(e, 0, (const void *)sys_arg(r, 0), LT_PATH_MAX, LT_PF_RAW);
	xev_upath(e, 1, AT_FDCWD_, (const char *)sys_arg(r, 1));
	xev_ustr(e, 2, (const void *)sys_arg(r, 2), LT_NAME_MAX, LT_PF_RAW);
	xev_send(e);
	return 0;
}

/* umount2(target, flags): the tracepoint is named after the kernel's sys_umount */
SEC("tracepoint/syscalls/sys_exit_umount")
int lt_evade_umount(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();
	struct lt_evade_ev *e;

	if (!evade_on(LT_EG_MOUNTS, LT_EV_MOUNT, ctx->ret))
		return 0;
	e = xev_init(LT_EV_MOUNT, ctx->id, ctx->ret);
	if (!e)
		return 0;
	e->v[0] = LT_MOUNT_UMOUNT;
	e->v[1] = sys_arg(r, 1);
	xev_upath(e, 1, AT_FDCWD_, (const char *)sys_arg(r, 0));
	xev_send(e);
	return 0;
}

/*
 * the new mount API (util-linux 2.39's mount uses it): open_tree(dfd, path,
 * OPEN_TREE_CLONE) clones a tree (a bind mount's source), move_mount()
 * attaches it, or moves a mount, at its target. Only clones are reported
 * from open_tree: without OPEN_TREE_CLONE it only opens a mount.
 */
SEC("tracepoint/syscalls/sys_exit_open_tree")
int lt_evade_open_tree(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();
	__u32 flags = (__u32)sys_arg(r, 2);
	struct lt_evade_ev *e;

	if (!(flags & 1 /* OPEN_TREE_CLONE */) || !evade_on(LT_EG_MOUNTS, LT_EV_MOUNT, ctx->ret))
		return 0;
	e = xev_init(LT_EV_MOUNT, ctx->id, ctx->ret);
	if (!e)
		return 0;
	e->v[0] = LT_MOUNT_OPEN_TREE;
	e->v[1] = flags;
	xev_atpath(e, 0, (int)sys_arg(r, 0), (const char *)sys_arg(r, 1), flags);
	xev_send(e);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_move_mount")
int lt_evade_move_mount(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();
	__u32 flags = (__u32)sys_arg(r, 4);
	struct lt_evade_ev *e;

	if (!evade_on(LT_EG_MOUNTS, LT_EV_MOUNT, ctx->ret))
		return 0;
	e = xev_init(LT_EV_MOUNT, ctx->id, ctx->ret);
	if (!e)
		return 0;
	e->v[0] = LT_MOUNT_MOVE;
	e->v[1] = flags;
	/* from a path (a mount moved); from a descriptor (open_tree, fsmount): none */
	if (!(flags & 0x4 /* MOVE_MOUNT_F_EMPTY_PATH */))
		xev_upath(e, 0, (int)sys_arg(r, 0), (const char *)sys_arg(r, 1));
	xev_atpath(e, 1, (int)sys_arg(r, 2), (const char *)sys_arg(r, 3),
		   flags & 0x40 /* MOVE_MOUNT_T_EMPTY_PATH */ ? EV_AT_EMPTY_PATH : 0);
	xev_send(e);
	return 0;
}

/* pivot_root: the paths as given (the caller's root moved under it; see docs) */
SEC("tracepoint/syscalls/sys_exit_pivot_root")
int lt_evade_pivot_root(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();
	struct lt_evade_ev *e;

	if (!evade_on(LT_EG_MOUNTS, LT_EV_PIVOT_ROOT, ctx->ret))
		return 0;
	e = xev_init(LT_EV_PIVOT_ROOT, ctx->id, ctx->ret);
	if (!e)
		return 0;
	xev_ustr(e, 0, (const void *)sys_arg(r, 0), LT_PATH_MAX, LT_PF_RAW);
	xev_ustr(e, 1, (const void *)sys_arg(r, 1), LT_PATH_MAX, LT_PF_RAW);
	xev_send(e);
	return 0;
}

/*
 * chroot: the new root's absolute path in the caller's mount namespace,
 * walked from task->fs->root up to the namespace's root (not to the task's
 * root, which is now the new root itself). A failed call: the lexical path.
 */
SEC("tracepoint/syscalls/sys_exit_chroot")
int lt_evade_chroot(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();
	const char *upath = (const char *)sys_arg(r, 0);
	struct lt_evade_ev *e;

	if (!evade_on(LT_EG_MOUNTS, LT_EV_CHROOT, ctx->ret))
		return 0;
	e = xev_init(LT_EV_CHROOT, ctx->id, ctx->ret);
	if (!e)
		return 0;
	if (ctx->ret == 0) {
		struct lt_scratch *s = scratch_get();
		struct task_struct *t = bpf_get_current_task_btf();
		struct path root = KR(t, fs, root);
		struct lt_loc l;
		int pos;

		if (!s)
			return 0;
		loc_from_path(&l, &root);
		pb_init_task(s, t);
		s->pb.root_d = s->pb.root_m = 0;	/* up to the namespace's root */
		pos = pb_finish(s, &l);
		e->len[0] = str_put_path(e->str, 0, s, pos);
		e->pflags[0] = s->pb.trunc ? LT_PF_TRUNC : 0;
	} else {
		xev_upath(e, 0, AT_FDCWD_, upath);
	}
	if (!e->len[0])
		return 0;
	xev_ustr(e, 1, upath, LT_PATH_MAX, LT_PF_RAW);
	xev_send(e);
	return 0;
}

/* ---- BPF and perf -------------------------------------------------------------- */

/* the first 72 bytes of union bpf_attr for BPF_PROG_LOAD (linux/bpf.h) */
struct ev_prog_load {
	__u32 prog_type;
	__u32 insn_cnt;
	__u64 insns;
	__u64 license;
	__u32 log_level;
	__u32 log_size;
	__u64 log_buf;
	__u32 kern_version;
	__u32 prog_flags;
	char prog_name[16];
	__u32 prog_ifindex;
	__u32 expected_attach_type;
};

SEC("tracepoint/syscalls/sys_exit_bpf")
int lt_evade_bpf(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();
	struct ev_prog_load a = {};
	struct lt_evade_ev *e;
	__u32 size;

	if (sys_arg(r, 0) != EV_BPF_PROG_LOAD)
		return 0;
	if (!evade_on(LT_EG_BPF, LT_EV_BPF_LOAD, ctx->ret))
		return 0;
	e = xev_init(LT_EV_BPF_LOAD, ctx->id, ctx->ret);
	if (!e)
		return 0;
	/* what the caller passed: the fields past a short attr are zero for the kernel too */
	size = sys_arg(r, 2);
	if (size >= sizeof(a))
		bpf_probe_read_user(&a, sizeof(a), (const void *)sys_arg(r, 1));
	else if (size >= 64)
		bpf_probe_read_user(&a, 64, (const void *)sys_arg(r, 1));
	else if (size >= 48)
		bpf_probe_read_user(&a, 48, (const void *)sys_arg(r, 1));
	else if (size >= 8)
		bpf_probe_read_user(&a, 8, (const void *)sys_arg(r, 1));
	e->v[0] = a.prog_type;
	e->v[1] = a.insn_cnt;
	e->v[2] = a.expected_attach_type;
	e->v[3] = a.prog_flags;
	a.prog_name[15] = 0;
	xev_kstr(e, 0, a.prog_name, sizeof(a.prog_name));
	if (!e->len[0]) {
		/* an empty name still takes its NUL, so string 1 keeps its place */
		e->str[0] = 0;
		e->len[0] = 1;
	}
	xev_ustr(e, 1, (const void *)a.license, 128, LT_PF_RAW);
	xev_send(e);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_perf_event_open")
int lt_evade_perf_event_open(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();
	struct lt_evade_ev *e;
	struct {
		__u32 type;
		__u32 size;
		__u64 config;
	} a = {};

	if (!evade_on(LT_EG_PERF, LT_EV_PERF_EVENT_OPEN, ctx->ret))
		return 0;
	e = xev_init(LT_EV_PERF_EVENT_OPEN, ctx->id, ctx->ret);
	if (!e)
		return 0;
	bpf_probe_read_user(&a, sizeof(a), (const void *)sys_arg(r, 0));
	e->v[0] = a.type;
	e->v[1] = a.config;
	e->v[2] = (int)sys_arg(r, 1);
	e->v[3] = (int)sys_arg(r, 2);
	e->v[4] = (int)sys_arg(r, 3);
	e->v[5] = sys_arg(r, 4);
	xev_send(e);
	return 0;
}

/* ---- cross-process memory writes ------------------------------------------------ */

SEC("tracepoint/syscalls/sys_exit_process_vm_writev")
int lt_evade_process_vm_writev(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();
	struct lt_evade_ev *e;

	if (!evade_on(LT_EG_PROCESS_VM, LT_EV_PROCESS_VM_WRITEV, ctx->ret))
		return 0;
	e = xev_init(LT_EV_PROCESS_VM_WRITEV, ctx->id, ctx->ret);
	if (!e)
		return 0;
	e->v[0] = (int)sys_arg(r, 0);
	e->v[1] = sys_arg(r, 2);
	e->v[2] = sys_arg(r, 4);
	e->v[3] = sys_arg(r, 5);
	xev_send(e);
	return 0;
}

/* ---- comm masquerading ------------------------------------------------------------ */

/*
 * prctl(PR_SET_NAME) by a thread-group leader (the comm ps shows for the
 * process; worker threads naming themselves are routine and not reported).
 * One entry hook, no exit hook: the old comm only exists before the call,
 * and the call's outcome is known there too - it fails (EFAULT) exactly
 * when the name cannot be read from user memory, which the hook tries
 * first. (An exit hook doubled the cost of every prctl call.)
 */
SEC("tracepoint/syscalls/sys_enter_prctl")
int lt_evade_prctl(struct evade_enter_ctx *ctx)
{
	__u64 pidtgid = bpf_get_current_pid_tgid();
	struct lt_evade_ev *e;
	char name[16] = {};
	long n, ret;

	if (ctx->args[0] != EV_PR_SET_NAME || (__u32)pidtgid != pidtgid >> 32)
		return 0;
	/* the kernel copies at most 15 bytes and terminates them */
	n = bpf_probe_read_user_str(name, 16, (const void *)ctx->args[1]);
	ret = n < 0 ? -14 /* EFAULT */ : 0;
	if (!evade_on(LT_EG_PRCTL, LT_EV_PRCTL_SET_NAME, ret))
		return 0;
	e = xev_init(LT_EV_PRCTL_SET_NAME, ctx->id, ret);
	if (!e)
		return 0;
	name[15] = 0;
	xev_kstr(e, 0, e->hdr.comm, 16);
	if (!e->len[0])
		return 0;
	if (n >= 0) {
		xev_kstr(e, 1, name, 16);
	} else {
		e->str[e->len[0] & LT_STR_MASK] = 0;	/* unreadable: "" */
		e->len[1] = 1;
	}
	e->pflags[1] = LT_PF_RAW;
	xev_send(e);
	return 0;
}

/* ---- sockets onto stdin/stdout/stderr ------------------------------------------- */

static __always_inline int redirect_event(struct evade_exit_ctx *ctx, long oldfd, long newfd)
{
	struct lt_evade_ev *e;
	struct file *f;
	struct inode *ino;
	struct socket *so;
	struct sock *sk;
	__u16 fam;

	if (newfd < 0 || newfd > 2 || oldfd == newfd)
		return 0;
	/* after a successful dup both descriptors are the file; oldfd also when it failed */
	f = fd_file(oldfd);
	if (!f)
		return 0;
	ino = KR(f, f_inode);
	if ((KR(ino, i_mode) & EV_S_IFMT) != EV_S_IFSOCK)
		return 0;
	if (!evade_on(LT_EG_FD_REDIRECT, LT_EV_FD_REDIRECT, ctx->ret))
		return 0;
	e = xev_init(LT_EV_FD_REDIRECT, ctx->id, ctx->ret);
	if (!e)
		return 0;
	e->v[0] = newfd;
	e->v[1] = oldfd;
	so = KR(f, private_data);
	sk = so ? KR(so, sk) : NULL;
	if (sk) {
		fam = KR(sk, __sk_common.skc_family);
		e->v[2] = fam;
		e->v[3] = KR(sk, sk_type);
		e->v[4] = KR(sk, sk_protocol);
		if (fam == EV_AF_INET || fam == EV_AF_INET6) {
			__u16 port = KR(sk, __sk_common.skc_dport);

			e->v[5] = (__u16)((port >> 8) | (port << 8));
			if (fam == EV_AF_INET)
				e->v[6] = KR(sk, __sk_common.skc_daddr);
			else
				bpf_probe_read_kernel(&e->v[6], 16,
						      KADDR(sk, __sk_common.skc_v6_daddr));
		}
	}
	xev_send(e);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_dup2")
int lt_evade_dup2(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();

	return redirect_event(ctx, (int)sys_arg(r, 0), (int)sys_arg(r, 1));
}

SEC("tracepoint/syscalls/sys_exit_dup3")
int lt_evade_dup3(struct evade_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();

	return redirect_event(ctx, (int)sys_arg(r, 0), (int)sys_arg(r, 1));
}

/* ---- io_uring ---------------------------------------------------------------------- */

SEC("tp_btf/io_uring_create")
int BPF_PROG(lt_evade_iou_create, int fd, void *ring, u32 sq_entries, u32 cq_entries, u32 flags)
{
	struct lt_evade_ev *e;

	if (!evade_on(LT_EG_IO_URING, LT_EV_IO_URING_SETUP, 0))
		return 0;
	e = xev_init(LT_EV_IO_URING_SETUP, EV_NR_IO_URING_SETUP, fd);
	if (!e)
		return 0;
	e->v[0] = sq_entries;
	e->v[1] = cq_entries;
	e->v[2] = flags;
	e->v[3] = fd;
	xev_send(e);
	return 0;
}

/* count request @req's opcode for the current process (io_uring_ops) */
static __always_inline int iou_count(struct io_kiocb *req)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct lt_iou_key k = {};
	struct lt_iou_ops *v;
	__u32 op = KR(req, opcode);
	__u32 cflags = KR(req, ctx, flags);

	if (!evade_on(LT_EG_IO_URING, LT_EV_IO_URING_OPS, 0))
		return 0;
	k.tgid = bpf_get_current_pid_tgid() >> 32;
	k.start_ns = task_start_ns(t);
	v = bpf_map_lookup_elem(&lt_iou_ops, &k);
	if (!v) {
		struct lt_iou_ops *nv = evbuf_get();

		if (!nv)
			return 0;
		__builtin_memset(nv, 0, sizeof(*nv));
		hdr_fill(&nv->hdr, LT_EV_IO_URING_OPS, t);
		nv->hdr.flags = LT_HF_REPORT;
		if (bpf_map_update_elem(&lt_iou_ops, &k, nv, BPF_NOEXIST) &&
		    !bpf_map_lookup_elem(&lt_iou_ops, &k))
			drop_count(LT_DROP_EVADE);
		v = bpf_map_lookup_elem(&lt_iou_ops, &k);
		if (!v)
			return 0;
	}
	__sync_fetch_and_add(&v->total, 1);
	if (cflags & EV_IORING_SETUP_SQPOLL)
		__sync_fetch_and_add(&v->sqpoll, 1);
	__sync_fetch_and_add(&v->counts[op & (LT_IOU_NOPS - 1)], 1);
	return 0;
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(lt_evade_iou_submit, struct io_kiocb *req)
{
	return iou_count(req);
}

/*
 * The same tracepoint under its older name, with a second argument (Debian
 * 12's 6.1 has this one; newer kernels renamed it io_uring_submit_req):
 * loaded where it exists.
 */
SEC("tp_btf/io_uring_submit_sqe")
int BPF_PROG(lt_evade_iou_submit_sqe, struct io_kiocb *req, bool force_nonblock)
{
	return iou_count(req);
}
