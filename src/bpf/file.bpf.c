// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * file.bpf.c - file events in watched directories, reported at syscall exit.
 *
 * Design: exit-only per-syscall tracepoints. At sys_exit_X the return value
 * is known, and the arguments are still in the task's saved user registers
 * (bpf_task_pt_regs), so no entry hook and no per-thread map are needed to
 * pair entry with exit. Success-only is a test of the return value; with
 * --failed the failed attempts are resolved the same way.
 *
 * Filtering happens before any ring space is used:
 *   1. the event's watch bit must be in the policy's union of masks;
 *   2. the object's directory must be inside a watch (path.bpf.h), and the
 *      deepest watch must ask for this event.
 * Only then are paths built and the record copied to ring_bulk, without a
 * wakeup: user space polls.
 *
 * fd-based operations (open, creat, fchmod, fchown, ftruncate, close) are
 * resolved from the struct file itself, so they are exact. Path strings
 * (unlink, mkdir, rename, link, symlink, chmod, chown, truncate, mknod) are
 * resolved by pstr_resolve().
 */
#include "common.bpf.h"
#include "path.bpf.h"
#include "gpu.bpf.h"	/* gpu: GPU device opens, checked on the open path */

/*
 * The records of syscalls/sys_{enter,exit}_* tracepoints (see their
 * "format" files): the syscall number is an int, not the long of
 * raw_syscalls' struct trace_event_raw_sys_exit.
 */
struct sys_exit_ctx {
	__u64 common;
	int id;
	int pad;
	long ret;
};

struct sys_enter_ctx {
	__u64 common;
	int id;
	int pad;
	unsigned long args[6];
};

#define O_CREAT_ 0100
#define O_WRONLY_ 01
#define O_TRUNC_ 01000
#define AT_REMOVEDIR_ 0x200
#define AT_EMPTY_PATH_ 0x1000
#define FMODE_WRITE_ 0x2
#define FMODE_CREATED_ 0x100000
#define S_IFMT_ 0170000
#define S_IFREG_ 0100000
#define S_IFDIR_ 0040000
#define S_IFCHR_ 0020000

static __always_inline __u32 ev_bit(__u32 type)
{
	switch (type) {
	case LT_EV_OPEN:
		return LT_W_OPEN;
	case LT_EV_CREATE:
		return LT_W_CREATE;
	case LT_EV_MKDIR:
		return LT_W_MKDIR;
	case LT_EV_MKNOD:
		return LT_W_MKNOD;
	case LT_EV_DELETE:
		return LT_W_DELETE;
	case LT_EV_RMDIR:
		return LT_W_RMDIR;
	case LT_EV_RENAME:
		return LT_W_RENAME;
	case LT_EV_ATTRIB:
		return LT_W_ATTRIB;
	case LT_EV_SYMLINK:
		return LT_W_SYMLINK;
	case LT_EV_LINK:
		return LT_W_LINK;
	case LT_EV_MODIFY:
		return LT_W_MODIFY;
	}
	return 0;
}

/* the fields of a file event that are not paths */
struct fargs {
	__u32 type;
	__s32 nr;
	__s64 ret;
	__u32 mode;
	__u32 open_flags;
	__u32 rdev;
	__u32 uid;
	__u32 gid;
	__u32 attr;
};

static __always_inline struct lt_file_ev *fev_init(struct fargs *a)
{
	struct lt_file_ev *e = evbuf_get();

	if (!e)
		return NULL;

	hdr_fill(&e->hdr, a->type, bpf_get_current_task_btf());
	e->hdr.syscall_nr = a->nr;
	e->hdr.ret = a->ret;
	e->hdr.flags = LT_HF_REPORT;
	e->ino = 0;
	e->dev = 0;
	e->mode = a->mode;
	e->open_flags = a->open_flags;
	e->rdev = a->rdev;
	e->uid = a->uid;
	e->gid = a->gid;
	e->attr = a->attr;
	e->watch_id = 0;
	e->len[0] = e->len[1] = 0;
	e->pflags[0] = e->pflags[1] = 0;
	return e;
}

static __always_inline void fev_send(struct lt_file_ev *e)
{
	__u32 n = (sizeof(*e) + e->len[0] + e->len[1]) & (LT_EVBUF - 1);

	e->hdr.size = n;
	if (bpf_ringbuf_output(&ring_bulk, e, n, BPF_RB_NO_WAKEUP))
		drop_count(LT_DROP_FILE);
}

/* ---- fd-based operations ----------------------------------------------------- */

/*
 * fd_event - report an operation on open file @fptr (a struct file *) if it
 * lies in a watch that asks for @a->type. @mode_from_inode: take the mode
 * from the inode. A global function: verified once per program, however
 * many callers it has.
 */
__noinline int fd_event(__u64 fptr, struct fargs *a, __u32 gen, __u32 mode_from_inode)
{
	struct file *f = KPTR(file, fptr);
	struct lt_policy *pol = policy_get(gen);
	struct lt_scratch *s;
	struct lt_file_ev *e;
	struct lt_watch_val w;
	struct lt_loc l, dir;
	struct inode *ino;
	__u16 pf;
	int pos;

	/* ctx: --events/--pid/--uid, before any path work or ring space */
	if (!f || !a || !pol || !ev_gate(pol, a->type))
		return 0;
	loc_of_file(&l, f);
	dir = l;
	if (!loc_up(&dir))
		return 0;
	if (!watch_of_dir(&dir, gen, &w) || !(w.mask & ev_bit(a->type)))
		return 0;
	s = scratch_get();
	if (!s)
		return 0;
	e = fev_init(a);
	if (!e)
		return 0;
	ino = KR(f, f_inode);
	e->ino = KR(ino, i_ino);
	e->dev = KR(ino, i_sb, s_dev);
	if (mode_from_inode)
		e->mode = KR(ino, i_mode);
	e->watch_id = w.id;
	/* the usual case: the cached directory path, then the name */
	e->len[0] = file_path_put(s, e->str, &l);
	if (e->len[0]) {
		e->pflags[0] = 0;
		fev_send(e);
		return 0;
	}
	pos = loc_build(s, &l, &pf);
	e->len[0] = str_put_path(e->str, 0, s, pos);
	e->pflags[0] = pf;
	fev_send(e);
	return 0;
}

/* ---- path-string operations -------------------------------------------------- */

struct pargs {
	int dfd;
	const char *path;
	int dfd2;
	const char *path2;	/* rename/link: second path; symlink: raw target */
	int two;		/* path2 is a path to resolve */
	int raw2;		/* path2 is raw content */
	int have0;		/* path is resolved in scratch (pres[0] and its components) */
};

/* resolve path @which (0: path, 1: path2) into @r, matching it against the watches */
static __always_inline int pev_resolve(struct lt_scratch *s, struct pargs *p, int which, __u32 gen,
				       struct lt_pres *r)
{
	__builtin_memset(r, 0, sizeof(*r));
	if (which == 0)
		return pstr_resolve(s, p->dfd, p->path, 0, gen, r);
	return pstr_resolve(s, p->dfd2, p->path2, LT_PATH_MAX, gen, r);
}

/* append the absolute form of the path just resolved into @r (components are in scratch) */
static __always_inline void pev_put(struct lt_scratch *s, struct lt_file_ev *e, int which,
				    struct lt_pres *r)
{
	__u16 pf = 0;
	__u32 off = which ? e->len[0] : 0;
	int pos = pstr_build(s, r, &pf);
	__u32 n = str_put_path(e->str, off, s, pos);

	if (which) {
		e->len[1] = n;
		e->pflags[1] = pf;
	} else {
		e->len[0] = n;
		e->pflags[0] = pf;
	}
}

/*
 * Inodes whose ctime the kernel changed during the current path-string
 * syscall (tp_btf timestamp tracepoints). They are the directories (and
 * objects) the kernel really resolved, symlinks and /proc magic links
 * included, so a path the lexical resolution could not match is matched
 * through them. Kept per thread, tagged with the syscall number and time.
 */
struct lt_touch {
	__u64 inode[4];
	__u64 ts;
	__u32 nr;
	__u32 n;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct lt_touch);
} lt_touch SEC(".maps") __weak;

static __always_inline bool touch_syscall(long nr)
{
	switch (nr) {
	case 87:	/* unlink */
	case 263:	/* unlinkat */
	case 84:	/* rmdir */
	case 83:	/* mkdir */
	case 258:	/* mkdirat */
	case 133:	/* mknod */
	case 259:	/* mknodat */
	case 88:	/* symlink */
	case 266:	/* symlinkat */
	case 90:	/* chmod */
	case 268:	/* fchmodat */
	case 452:	/* fchmodat2 */
	case 92:	/* chown */
	case 94:	/* lchown */
	case 260:	/* fchownat */
	case 76:	/* truncate */
		return true;
	}
	return false;
}

static __always_inline void touch_record(struct inode *inode)
{
	long nr = KR(cur_regs(), orig_ax);
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct lt_touch *v, nv = {};
	__u64 now;

	/* most calls are of other syscalls (open, rename, write): decided first */
	if (!touch_syscall(nr) || is_self())
		return;
	now = bpf_ktime_get_ns();
	v = bpf_map_lookup_elem(&lt_touch, &tid);
	if (!v || v->nr != nr || now - v->ts > 1000000000ULL) {
		nv.inode[0] = (__u64)inode;
		nv.ts = now;
		nv.nr = nr;
		nv.n = 1;
		bpf_map_update_elem(&lt_touch, &tid, &nv, BPF_ANY);
		return;
	}
	if (v->n < 4) {
		v->inode[v->n & 3] = (__u64)inode;
		v->n++;
	}
}

SEC("tp_btf/ctime_ns_xchg")
int BPF_PROG(lt_touch_xchg, struct inode *inode, u32 old, u32 new, u32 cur)
{
	touch_record(inode);
	return 0;
}

SEC("tp_btf/ctime_xchg_skip")
int BPF_PROG(lt_touch_skip, struct inode *inode, struct timespec64 *ctime)
{
	touch_record(inode);
	return 0;
}

SEC("tp_btf/inode_set_ctime_to_ts")
int BPF_PROG(lt_touch_set, struct inode *inode, struct timespec64 *ts)
{
	touch_record(inode);
	return 0;
}

/* the first dentry of an inode, or NULL */
static __always_inline struct dentry *inode_dentry(__u64 ino_ptr)
{
	struct hlist_node *first;

	if (!ino_ptr)
		return NULL;
	first = KR(KPTR(inode, ino_ptr), i_dentry.first);
	if (!first)
		return NULL;
	return KPTR(dentry, (__u64)first - bpf_core_field_offset(struct dentry, d_u.d_alias));
}

/*
 * touched_dir - for a single-path operation whose lexical path matched no
 * watch: the directory the kernel really worked in, from the inodes it
 * touched. Attribute changes and truncate touched the object: its parent.
 * Namespace operations touched the parent (and a new directory for mkdir,
 * skipped as the child of another touched one). Returns false if none.
 */
static __always_inline bool touched_dir(struct fargs *a, struct lt_pres *r, struct lt_loc *dir)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct lt_touch *v = bpf_map_lookup_elem(&lt_touch, &tid);
	struct dentry *cand[4] = {};
	struct mount *m = r->start.m;
	struct super_block *sb = KR(m, mnt.mnt_sb);
	bool obj = a->type == LT_EV_ATTRIB || a->type == LT_EV_MODIFY;

	if (!v || v->nr != (__u32)a->nr)
		return false;
	for (int i = 0; i < 4; i++) {
		struct dentry *d = inode_dentry(v->inode[i]);

		if (!d || KR(d, d_sb) != sb)
			continue;
		if (obj) {
			dir->d = KR(d, d_parent);
			dir->m = m;
			return true;
		}
		if ((KR(d, d_inode, i_mode) & S_IFMT_) == S_IFDIR_)
			cand[i] = d;
	}
	for (int i = 0; i < 4; i++) {
		bool child = false;

		if (!cand[i])
			continue;
		for (int j = 0; j < 4; j++)
			if (j != i && cand[j] && KR(cand[i], d_parent) == cand[j])
				child = true;
		if (child)
			continue;
		dir->d = cand[i];
		dir->m = m;
		return true;
	}
	return false;
}

/*
 * touched_event - report a single-path operation through the directory the
 * kernel touched: exact even when the path went through a symlink.
 */
static __always_inline int touched_event(struct lt_scratch *s, struct lt_file_ev *e,
					 struct fargs *a, struct lt_pres *r, __u32 gen, __u32 bit)
{
	struct lt_watch_val w;
	struct lt_loc dir;
	__u32 idx, len, off, n;
	__u16 pf;
	int pos;

	if (r->ncomp < 1 || !touched_dir(a, r, &dir))
		return 0;
	if (!watch_of_dir(&dir, gen, &w) || !(w.mask & bit))
		return 0;
	pos = loc_build(s, &dir, &pf);
	if (pf & LT_PF_TRUNC)
		return 0;
	n = LT_PATH_MAX - 1 - pos;
	if (n == 1)
		n = 0;	/* the root */
	bound_mask(n, 0xfff);
	bpf_probe_read_kernel(e->str, n, &s->path[pos & (LT_PATH_MAX - 1)]);
	idx = (r->ncomp - 1) & (LT_COMPS_MAX - 1);
	len = s->clen[idx] & (LT_NAME_MAX - 1);
	off = s->coff[idx] & (2 * LT_PATH_MAX - 1);
	if (n + 2 + len > LT_PATH_MAX)
		return 0;
	e->str[n & LT_STR_MASK] = '/';
	bound_mask(len, 0xff);
	bpf_probe_read_kernel(&e->str[(n + 1) & LT_STR_MASK], len, &s->ustr[off]);
	e->str[(n + 1 + len) & LT_STR_MASK] = 0;
	e->len[0] = n + 2 + len;
	e->pflags[0] = 0;
	e->watch_id = w.id;
	return 1;
}

static __always_inline int path_event_once(struct fargs *a, struct pargs *p)
{
	__u32 gen = gen_active();
	struct lt_policy *pol = policy_get(gen);
	__u32 bit = ev_bit(a->type);
	struct lt_scratch *s;
	struct lt_file_ev *e;
	struct lt_pres *r1, *r2;
	bool m1, m2 = false;

	if (!pol || is_self())
		return 0;
	if (a->ret < 0 && !pol->failed)
		return 0;
	if (!(pol->watch_union & bit))
		return 0;
	/* ctx: --events/--pid/--uid, before any path work or ring space */
	if (!ev_gate(pol, a->type))
		return 0;
	s = scratch_get();
	if (!s)
		return 0;
	/* in scratch, not on the stack: a global function's frame adds to its callers' */
	r1 = &s->pres[0];
	r2 = &s->pres[1];
	e = fev_init(a);
	if (!e)
		return 0;
	/* rename: edge_follow_rename may have resolved it already */
	if (!p->have0 && pev_resolve(s, p, 0, gen, r1) < 0)
		return 0;
	m1 = r1->found && (r1->w.mask & bit);
	if (!p->two) {
		if (!m1) {
			/* the lexical path may hide a symlink: ask what the kernel touched */
			if (!r1->inexact || !touched_event(s, e, a, r1, gen, bit))
				return 0;
			goto send;
		}
		e->watch_id = r1->w.id;
		pev_put(s, e, 0, r1);
	} else if (m1) {
		/* the components live in scratch: build each path right after resolving it */
		e->watch_id = r1->w.id;
		pev_put(s, e, 0, r1);
		if (pev_resolve(s, p, 1, gen, r2) < 0)
			return 0;
		pev_put(s, e, 1, r2);
	} else {
		if (pev_resolve(s, p, 1, gen, r2) < 0)
			return 0;
		m2 = r2->found && (r2->w.mask & bit);
		if (!m2)
			return 0;
		e->watch_id = r2->w.id;
		if (pev_resolve(s, p, 0, gen, r1) < 0)
			return 0;
		pev_put(s, e, 0, r1);
		if (pev_resolve(s, p, 1, gen, r2) < 0)
			return 0;
		pev_put(s, e, 1, r2);
	}
send:
	if (p->raw2) {
		long n = bpf_probe_read_user_str(&e->str[e->len[0] & LT_STR_MASK], LT_PATH_MAX,
						 p->path2);

		if (n > 0) {
			e->len[1] = n;
			e->pflags[1] = LT_PF_RAW;
		}
	}
	fev_send(e);
	return 0;
}

/* path_event - report a path-string operation (a global function, see fd_event) */
__noinline int path_event(struct fargs *a, struct pargs *p)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (!a || !p)
		return 0;
	path_event_once(a, p);
	/* what this syscall touched is used up */
	bpf_map_delete_elem(&lt_touch, &tid);
	return 0;
}

/* ---- open family --------------------------------------------------------------- */

static __always_inline __u32 umask_apply(__u32 mode)
{
	__u32 um = BPF_CORE_READ(bpf_get_current_task_btf(), fs, umask);

	return mode & ~um & 07777;
}

/* model: every successful open of a regular file (src/bpf/model.bpf.c) */
int model_on_open(__u64 fptr, long nr, long fd, __u32 oflags);

/* an open-family syscall as it returned */
struct open_args {
	__s64 nr;
	__s64 ret;
	__u64 upath;		/* const char __user * */
	__s32 dfd;
	__u32 flags;
	__u32 mode;
	__u32 fmode;		/* success: the file's f_mode */
	__u64 file;		/* success: the struct file * the descriptor names */
};

/*
 * open_failed - a failed open (reported only with --failed): resolved from
 * its path string (a global function, see fd_event)
 */
__noinline int open_failed(struct open_args *oa)
{
	__u32 gen = gen_active();
	struct lt_policy *pol = policy_get(gen);
	struct fargs a = {};
	struct pargs p = {};

	if (!oa || !pol || !pol->failed || is_self())
		return 0;
	a.nr = oa->nr;
	a.ret = oa->ret;
	a.open_flags = oa->flags;
	a.mode = oa->mode;
	p.dfd = oa->dfd;
	p.path = (const char *)oa->upath;
	gpu_open_failed(gen, a.nr, a.ret, oa->upath, oa->flags);	/* gpu */
	a.type = (oa->flags & O_CREAT_) ? LT_EV_CREATE : LT_EV_OPEN;
	if (oa->flags & O_CREAT_)
		a.mode = S_IFREG_ | umask_apply(oa->mode);	/* as it would have been */
	return path_event(&a, &p);
}

/*
 * open_exit - a successful open, creat or openat(2): files opened for
 * writing. Returns the file event it makes (LT_EV_OPEN or LT_EV_CREATE)
 * when a watch may want it, else 0; the caller then calls fd_event itself
 * (a global function, see fd_event).
 */
__noinline int open_exit(struct open_args *oa)
{
	__u32 gen = gen_active();
	struct lt_policy *pol = policy_get(gen);
	__u32 type;
	struct file *f;
	__u32 fmode, need;

	if (!oa || !pol)
		return 0;
	f = KPTR(file, oa->file);
	fmode = oa->fmode;
	if (!f)
		return 0;
	need = (fmode & FMODE_CREATED_) ? LT_W_CREATE : LT_W_OPEN;
	if (fmode & FMODE_WRITE_)
		need |= LT_W_MODIFY;
	if (!(pol->watch_union & need))
		return 0;

	if (fmode & FMODE_WRITE_) {
		struct lt_watch_val w;
		struct lt_loc dir;

		loc_of_file(&dir, f);
		if (loc_up(&dir) && watch_of_dir(&dir, gen, &w) && (w.mask & LT_W_MODIFY)) {
			__u64 key = (__u64)f;
			struct lt_modify_val mv = {
				.start_ns = task_start_ns(bpf_get_current_task_btf()),
				.tgid = bpf_get_current_pid_tgid() >> 32,
				.watch_id = w.id,
				.ino = KR(f, f_inode, i_ino),
			};

			if (bpf_map_update_elem(&lt_modify, &key, &mv, BPF_NOEXIST) == 0)
				__sync_fetch_and_add(&lt_modify_pending, 1);
			else if (!bpf_map_lookup_elem(&lt_modify, &key))
				drop_count(LT_DROP_MODIFY_TRACK);
		}
	}
	type = (fmode & FMODE_CREATED_) ? LT_EV_CREATE : LT_EV_OPEN;
	return (pol->watch_union & ev_bit(type)) ? type : 0;
}

#define NR_open 2
#define NR_creat 85
#define NR_openat 257
#define NR_openat2 437

/* the arguments of open-family syscall @nr from the saved registers @r, then open_exit */
static __always_inline int open_dispatch(long nr, long ret, struct pt_regs *r)
{
	struct open_args oa = { .nr = nr, .ret = ret, .dfd = AT_FDCWD_ };
	struct fargs a = {};
	struct file *f;
	__u32 imode;
	int type;

	switch (nr) {
	case NR_openat:
		oa.dfd = sys_arg(r, 0);
		oa.upath = sys_arg(r, 1);
		oa.flags = sys_arg(r, 2);
		oa.mode = sys_arg(r, 3);
		break;
	case NR_open:
		oa.upath = sys_arg(r, 0);
		oa.flags = sys_arg(r, 1);
		oa.mode = sys_arg(r, 2);
		break;
	case NR_creat:
		oa.upath = sys_arg(r, 0);
		oa.flags = O_CREAT_ | O_WRONLY_ | O_TRUNC_;
		oa.mode = sys_arg(r, 1);
		break;
	case NR_openat2: {
		struct open_how how = {};

		bpf_probe_read_user(&how, sizeof(how), (void *)sys_arg(r, 2));
		oa.dfd = sys_arg(r, 0);
		oa.upath = sys_arg(r, 1);
		oa.flags = how.flags;
		oa.mode = how.mode;
		break;
	}
	default:
		return 0;
	}
	if (ret < 0)
		return open_failed(&oa);
	if (is_self())
		return 0;
	/*
	 * The file, its f_mode and its inode's type are read once, here: they
	 * decide which of the global functions have anything to do (where
	 * kernel reads are helper calls, 6.1, each one counts). Those are
	 * called from here, one after the other, not from each other: a call
	 * chain's frames add up against the verifier's 512-byte stack, on 6.1
	 * rounded up to 32 bytes each.
	 */
	f = fd_file(ret);
	if (!f)
		return 0;
	oa.file = (__u64)f;
	oa.fmode = KR(f, f_mode);
	imode = KR(f, f_inode, i_mode) & S_IFMT_;
	if (imode == S_IFCHR_ && !(oa.fmode & GPU_FMODE_PATH))
		gpu_open(oa.file, gen_active(), nr, ret, oa.flags);	/* gpu: device nodes */
	if (imode == S_IFREG_)
		model_on_open(oa.file, nr, ret, oa.flags);	/* model: regular files */
	type = open_exit(&oa);
	if (type != LT_EV_OPEN && type != LT_EV_CREATE)
		return 0;
	a.type = type;
	a.nr = nr;
	a.ret = ret;
	a.open_flags = oa.flags;
	a.mode = oa.mode;
	return fd_event(oa.file, &a, gen_active(), type == LT_EV_CREATE);
}

/*
 * One program for the whole family, attached to the exit tracepoint of
 * each (open, creat, openat, openat2; the loader's table, src/loader.c):
 * it is verified once instead of once per syscall, and dispatches on the
 * syscall number the tracepoint records.
 */
SEC("tracepoint")
int lt_open_exit(struct sys_exit_ctx *ctx)
{
	return open_dispatch(ctx->id, ctx->ret, cur_regs());
}

/*
 * The alternative design, kept for the benchmark (LTRACK_DISPATCH=raw):
 * one raw sys_exit program that runs on every syscall of the system and
 * dispatches the open family itself. docs/benchmarks.md compares the two;
 * the per-syscall tracepoints above are the default because they were
 * faster on the syscalls nobody watches.
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(lt_raw_exit, struct pt_regs *regs, long ret)
{
	long nr = regs->orig_ax;

	if (nr != NR_openat && nr != NR_open && nr != NR_creat && nr != NR_openat2)
		return 0;
	return open_dispatch(nr, ret, regs);
}

/* ---- modify: close of a file opened for writing, truncate ----------------------- */

/*
 * modify_close - file @fptr (a struct file *) is being closed: report the
 * modify it was awaiting, if any (a global function, see fd_event)
 */
__noinline int modify_close(__u64 fptr, int nr)
{
	struct file *f = KPTR(file, fptr);
	struct lt_modify_val *mv;
	struct fargs a = {};
	__u64 key = fptr;
	bool stale;

	if (!f)
		return 0;
	mv = bpf_map_lookup_elem(&lt_modify, &key);
	if (!mv)
		return 0;
	stale = mv->ino != KR(f, f_inode, i_ino);
	if (bpf_map_delete_elem(&lt_modify, &key) == 0)
		__sync_fetch_and_add(&lt_modify_pending, -1);
	if (stale)
		return 0;	/* the struct file was reused since: its entry was lost */
	a.type = LT_EV_MODIFY;
	a.nr = nr;
	return fd_event(fptr, &a, gen_active(), false);
}

SEC("tracepoint/syscalls/sys_enter_close")
int lt_enter_close(struct sys_enter_ctx *ctx)
{
	if (lt_modify_pending <= 0)
		return 0;
	return modify_close((__u64)fd_file(ctx->args[0]), ctx->id);
}

/*
 * Files can also be closed without close(2): by the exit of their process,
 * by close_range(2), by dup2/dup3 onto their descriptor, and at exec when
 * they are close-on-exec. Each of those scans the descriptors concerned for
 * files awaiting their modify (only while some are pending), at most 8 a
 * time (more are reported at their process's exit or counted stale).
 */
struct xm_ctx {
	struct file **fdarr;
	unsigned long *cloexec;	/* only descriptors with close-on-exec, when set */
	__u32 lo, hi;
	__u32 n;
	__u32 pad;
	__u64 files[8];
};

static long xm_cb(__u32 i, void *arg)
{
	struct xm_ctx *c = arg;
	struct file *f = NULL;
	__u32 fd = c->lo + i;
	__u64 key;

	if (fd >= c->hi || c->n >= 8)
		return 1;
	if (c->cloexec) {
		unsigned long word = 0;

		bpf_probe_read_kernel(&word, sizeof(word), &c->cloexec[fd / 64]);
		if (!(word & (1UL << (fd % 64))))
			return 0;
	}
	bpf_probe_read_kernel(&f, sizeof(f), &c->fdarr[fd]);
	if (!f)
		return 0;
	key = (__u64)f;
	if (bpf_map_lookup_elem(&lt_modify, &key))
		c->files[c->n++ & 7] = key;
	return 0;
}

/* report the pending files among descriptors [lo, hi) of task @t */
static __always_inline void modify_scan(struct task_struct *t, __u32 lo, __u32 hi, bool cloexec,
					int nr)
{
	struct fdtable *fdt = KR(t, files, fdt);
	__u32 max_fds = KR(fdt, max_fds);
	struct xm_ctx c = {};

	c.fdarr = KR(fdt, fd);
	c.cloexec = cloexec ? KR(fdt, close_on_exec) : NULL;
	c.lo = lo;
	c.hi = hi < max_fds ? hi : max_fds;
	if (c.lo >= c.hi)
		return;
	bpf_loop(65536, xm_cb, &c, 0);
	for (int i = 0; i < 8; i++) {
		if (i >= c.n)
			break;
		modify_close(c.files[i], nr);
	}
}

SEC("tp_btf/sched_process_exit")
int lt_exit_modify(__u64 *ctx)
{
	struct task_struct *t = (struct task_struct *)ctx[0];

	if (lt_modify_pending <= 0 || is_self() || !exit_group_dead(ctx, t, LT_EXIT_MODIFY))
		return 0;
	modify_scan(t, 0, ~0u, false, -1);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_close_range")
int lt_enter_close_range(struct sys_enter_ctx *ctx)
{
	if (lt_modify_pending <= 0)
		return 0;
	/* CLOSE_RANGE_CLOEXEC only marks them: they close at exec, seen there */
	if (ctx->args[2] & 4)
		return 0;
	modify_scan(bpf_get_current_task_btf(), ctx->args[0],
		    ctx->args[1] >= 0xffffffffUL ? ~0u : ctx->args[1] + 1, false, ctx->id);
	return 0;
}

/* dup2/dup3(old, new): the file open on new is closed first */
static __always_inline int dup_over(struct sys_enter_ctx *ctx)
{
	if (lt_modify_pending <= 0 || ctx->args[0] == ctx->args[1])
		return 0;
	return modify_close((__u64)fd_file(ctx->args[1]), ctx->id);
}

SEC("tracepoint/syscalls/sys_enter_dup2")
int lt_enter_dup2(struct sys_enter_ctx *ctx)
{
	return dup_over(ctx);
}

SEC("tracepoint/syscalls/sys_enter_dup3")
int lt_enter_dup3(struct sys_enter_ctx *ctx)
{
	return dup_over(ctx);
}

/* close-on-exec files: reported when exec starts (the exec may still fail) */
static __always_inline int exec_cloexec(struct sys_enter_ctx *ctx)
{
	if (lt_modify_pending > 0)
		modify_scan(bpf_get_current_task_btf(), 0, ~0u, true, ctx->id);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int lt_enter_execve(struct sys_enter_ctx *ctx)
{
	return exec_cloexec(ctx);
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int lt_enter_execveat(struct sys_enter_ctx *ctx)
{
	return exec_cloexec(ctx);
}

/* ---- namespace operations --------------------------------------------------- */


static __always_inline int unlink_common(struct sys_exit_ctx *ctx, int dfd,
					 const char *path, bool rmdir)
{
	struct fargs a = { .type = rmdir ? LT_EV_RMDIR : LT_EV_DELETE, .nr = ctx->id,
			   .ret = ctx->ret };
	struct pargs p = { .dfd = dfd, .path = path };

	return path_event(&a, &p);
}

static __always_inline int mkdir_common(struct sys_exit_ctx *ctx, int dfd,
					const char *path, __u32 mode)
{
	struct fargs a = { .type = LT_EV_MKDIR, .nr = ctx->id, .ret = ctx->ret };
	struct pargs p = { .dfd = dfd, .path = path };

	a.mode = S_IFDIR_ | umask_apply(mode);
	return path_event(&a, &p);
}

static __always_inline int mknod_common(struct sys_exit_ctx *ctx, int dfd,
					const char *path, __u32 mode, __u32 dev)
{
	struct fargs a = { .type = LT_EV_MKNOD, .nr = ctx->id, .ret = ctx->ret };
	struct pargs p = { .dfd = dfd, .path = path };
	__u32 type = mode & S_IFMT_;

	a.mode = (type ? type : S_IFREG_) | umask_apply(mode);
	/* user space dev_t (huge encoding) to the kernel's MAJOR<<20|MINOR */
	a.rdev = ((dev >> 8) & 0xfff) << 20 | ((dev & 0xff) | ((dev >> 12) & 0xfff00));
	return path_event(&a, &p);
}

/*
 * the next bytes of both names per call: last '/' of each, first
 * difference. Eight bytes of each without a '/' go at once: a difference
 * among them is recorded at their first byte, which decides the same as
 * its exact place, since no '/' lies between the two.
 */
static long sp_cb(__u32 i, void *arg)
{
	struct lt_scratch *s = scratch_get();
	struct lt_spstate *c;
	int pos;
	char a, b;

	if (!s)
		return 1;
	c = &s->sp;
	pos = c->pos;
	if (pos < 0 || (pos >= c->len1 && pos >= c->len2))
		return 1;
	if (pos + 8 <= c->len1 && pos + 8 <= c->len2) {
		/* ustr has LT_NAME_MAX bytes beyond each mask: eight bytes stay inside */
		__u64 w1 = *(__u64 *)&s->ustr[pos & (LT_PATH_MAX - 1)];
		__u64 w2 = *(__u64 *)&s->ustr[(LT_PATH_MAX + pos) & (2 * LT_PATH_MAX - 1)];

		if (!word_has_slash(w1) && !word_has_slash(w2)) {
			if (w1 != w2 && c->diff < 0)
				c->diff = pos;
			c->pos = pos + 8;
			return 0;
		}
	}
	c->pos = pos + 1;
	a = pos < c->len1 ? s->ustr[pos & (LT_PATH_MAX - 1)] : 0;
	b = pos < c->len2 ? s->ustr[(LT_PATH_MAX + pos) & (2 * LT_PATH_MAX - 1)] : 0;
	if (a == '/')
		c->ls1 = pos;
	if (b == '/')
		c->ls2 = pos;
	if (a != b && c->diff < 0)
		c->diff = pos;
	return 0;
}

/*
 * same_parent - do the two names of a rename share their directory
 * (same dirfd, same text up to the last '/')? Then no directory changed
 * its ancestry, and cached watch verdicts stay valid.
 */
static __always_inline bool same_parent(int odfd, const char *op, int ndfd, const char *np)
{
	struct lt_scratch *s = scratch_get();
	long n1, n2;

	if (!s || odfd != ndfd)
		return false;
	n1 = bpf_probe_read_user_str(&s->ustr[0], LT_PATH_MAX, op);
	n2 = bpf_probe_read_user_str(&s->ustr[LT_PATH_MAX], LT_PATH_MAX, np);
	if (n1 <= 0 || n2 <= 0)
		return false;
	s->sp.len1 = n1 - 1;
	s->sp.len2 = n2 - 1;
	s->sp.ls1 = s->sp.ls2 = s->sp.diff = -1;
	s->sp.pos = 0;
	bpf_loop(LT_PATH_MAX, sp_cb, NULL, 0);
	return s->sp.ls1 == s->sp.ls2 && (s->sp.diff < 0 || s->sp.diff > s->sp.ls1);
}

/*
 * edge_follow_rename - when the renamed object is a directory on the way to
 * a watch (an edge of lt_edges), move its edge to the new name at once, so
 * path strings through the new name match before user space refreshes the
 * graph (within 100 ms), and the old name no longer leads there.
 * Returns 1 when the old path's resolution is left in scratch (pres[0] and
 * its components) for path_event, 0 when it must resolve it again (no
 * resolution, or the edge moved and the new path's components replaced it).
 */
__noinline int edge_follow_rename(struct pargs *p)
{
	__u32 gen = gen_active();
	struct lt_scratch *s = scratch_get();
	struct lt_edge_key ok = {}, nk = {};
	struct lt_edge_val *ev, child;
	struct lt_pres *r1, r2;

	if (!p || !s)
		return 0;
	r1 = &s->pres[0];
	if (pev_resolve(s, p, 0, gen, r1) < 0)
		return 0;
	if (r1->inexact || r1->ncomp < 1)
		return 1;
	ok.gen = gen;
	ok.dev = r1->pdev;
	ok.ino = r1->pino;
	ok.name_hash = s->chash[(r1->ncomp - 1) & (LT_COMPS_MAX - 1)];
	ev = bpf_map_lookup_elem(&lt_edges, &ok);
	if (!ev)
		return 1;
	child = *ev;
	/* keep clang from merging loads of the two results (the verifier refuses that) */
	asm volatile("" ::: "memory");
	if (pev_resolve(s, p, 1, gen, &r2) < 0 || r2.inexact || r2.ncomp < 1)
		return 0;
	nk.gen = gen;
	nk.dev = r2.pdev;
	nk.ino = r2.pino;
	nk.name_hash = s->chash[(r2.ncomp - 1) & (LT_COMPS_MAX - 1)];
	bpf_map_delete_elem(&lt_edges, &ok);
	/*
	 * the entry just deleted makes room; should another CPU take it, the
	 * moved directory's events are missed until loader_refresh rebuilds
	 * the graph (within a second): counted with the file drops
	 */
	if (bpf_map_update_elem(&lt_edges, &nk, &child, BPF_ANY))
		drop_count(LT_DROP_FILE);
	return 0;
}

static __always_inline int rename_common(struct sys_exit_ctx *ctx, int odfd,
					 const char *op, int ndfd, const char *np)
{
	struct fargs a = { .type = LT_EV_RENAME, .nr = ctx->id, .ret = ctx->ret };
	struct pargs p = { .dfd = odfd, .path = op, .dfd2 = ndfd, .path2 = np, .two = 1 };

	if (ctx->ret == 0) {
		/* any rename may rename a directory: cached paths below it change */
		__sync_fetch_and_add(&lt_path_epoch, 1);
		/* one that moved to another parent changes the ancestry of its subtree */
		if (!same_parent(odfd, op, ndfd, np))
			__sync_fetch_and_add(&lt_epoch, 1);
		p.have0 = edge_follow_rename(&p);
	}
	return path_event(&a, &p);
}

static __always_inline int link_common(struct sys_exit_ctx *ctx, int odfd,
				       const char *op, int ndfd, const char *np)
{
	struct fargs a = { .type = LT_EV_LINK, .nr = ctx->id, .ret = ctx->ret };
	/* filename is the new link, target the existing file */
	struct pargs p = { .dfd = ndfd, .path = np, .dfd2 = odfd, .path2 = op, .two = 1 };

	return path_event(&a, &p);
}

static __always_inline int symlink_common(struct sys_exit_ctx *ctx,
					  const char *target, int ndfd, const char *np)
{
	struct fargs a = { .type = LT_EV_SYMLINK, .nr = ctx->id, .ret = ctx->ret };
	struct pargs p = { .dfd = ndfd, .path = np, .path2 = target, .raw2 = 1 };

	return path_event(&a, &p);
}

/* ---- attributes ------------------------------------------------------------------ */

static __always_inline int attr_fd(struct sys_exit_ctx *ctx, int fd, struct fargs *a)
{
	__u32 gen = gen_active();
	struct lt_policy *pol = policy_get(gen);

	if (!pol || is_self() || !(pol->watch_union & LT_W_ATTRIB))
		return 0;
	if (ctx->ret < 0 && !pol->failed)
		return 0;
	return fd_event((__u64)fd_file(fd), a, gen, false);
}

static __always_inline int chmod_common(struct sys_exit_ctx *ctx, int dfd,
					const char *path, __u32 mode, __u32 flags)
{
	struct fargs a = { .type = LT_EV_ATTRIB, .nr = ctx->id, .ret = ctx->ret,
			   .mode = mode & 07777, .attr = LT_ATTR_MODE };
	struct pargs p = { .dfd = dfd, .path = path };
	char c0 = 0;

	if (flags & AT_EMPTY_PATH_) {
		bpf_probe_read_user(&c0, 1, path);
		if (!c0)
			return attr_fd(ctx, dfd, &a);
	}
	return path_event(&a, &p);
}

static __always_inline int chown_common(struct sys_exit_ctx *ctx, int dfd,
					const char *path, __u32 uid, __u32 gid, __u32 flags)
{
	struct fargs a = { .type = LT_EV_ATTRIB, .nr = ctx->id, .ret = ctx->ret,
			   .uid = uid, .gid = gid, .attr = LT_ATTR_OWNER };
	struct pargs p = { .dfd = dfd, .path = path };
	char c0 = 0;

	if (flags & AT_EMPTY_PATH_) {
		bpf_probe_read_user(&c0, 1, path);
		if (!c0)
			return attr_fd(ctx, dfd, &a);
	}
	return path_event(&a, &p);
}


/* ---- the programs: one per concern's family of syscalls ----------------------- */

#define NR_truncate 76
#define NR_ftruncate 77
#define NR_rename 82
#define NR_mkdir 83
#define NR_rmdir 84
#define NR_link 86
#define NR_unlink 87
#define NR_symlink 88
#define NR_chmod 90
#define NR_fchmod 91
#define NR_chown 92
#define NR_fchown 93
#define NR_lchown 94
#define NR_mknod 133
#define NR_mkdirat 258
#define NR_mknodat 259
#define NR_fchownat 260
#define NR_unlinkat 263
#define NR_renameat 264
#define NR_linkat 265
#define NR_symlinkat 266
#define NR_fchmodat 268
#define NR_renameat2 316
#define NR_fchmodat2 452

#define UARG(r, n) ((const char *)sys_arg(r, n))

/*
 * lt_file_exit - the namespace and attribute operations: unlink, rmdir,
 * mkdir, mknod, rename, link, symlink, chmod and chown in all their forms.
 * One program attached to the exit tracepoint of each (src/loader.c's
 * table says which event each one serves), so the verifier checks it once
 * rather than once per syscall; it dispatches on the syscall number the
 * tracepoint records.
 */
SEC("tracepoint")
int lt_file_exit(struct sys_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();

	switch (ctx->id) {
	case NR_unlink:
		return unlink_common(ctx, AT_FDCWD_, UARG(r, 0), false);
	case NR_unlinkat:
		return unlink_common(ctx, sys_arg(r, 0), UARG(r, 1), sys_arg(r, 2) & AT_REMOVEDIR_);
	case NR_rmdir:
		return unlink_common(ctx, AT_FDCWD_, UARG(r, 0), true);
	case NR_mkdir:
		return mkdir_common(ctx, AT_FDCWD_, UARG(r, 0), sys_arg(r, 1));
	case NR_mkdirat:
		return mkdir_common(ctx, sys_arg(r, 0), UARG(r, 1), sys_arg(r, 2));
	case NR_mknod:
		return mknod_common(ctx, AT_FDCWD_, UARG(r, 0), sys_arg(r, 1), sys_arg(r, 2));
	case NR_mknodat:
		return mknod_common(ctx, sys_arg(r, 0), UARG(r, 1), sys_arg(r, 2), sys_arg(r, 3));
	case NR_rename:
		return rename_common(ctx, AT_FDCWD_, UARG(r, 0), AT_FDCWD_, UARG(r, 1));
	case NR_renameat:
	case NR_renameat2:
		return rename_common(ctx, sys_arg(r, 0), UARG(r, 1), sys_arg(r, 2), UARG(r, 3));
	case NR_link:
		return link_common(ctx, AT_FDCWD_, UARG(r, 0), AT_FDCWD_, UARG(r, 1));
	case NR_linkat:
		return link_common(ctx, sys_arg(r, 0), UARG(r, 1), sys_arg(r, 2), UARG(r, 3));
	case NR_symlink:
		return symlink_common(ctx, UARG(r, 0), AT_FDCWD_, UARG(r, 1));
	case NR_symlinkat:
		return symlink_common(ctx, UARG(r, 0), sys_arg(r, 1), UARG(r, 2));
	case NR_chmod:
		return chmod_common(ctx, AT_FDCWD_, UARG(r, 0), sys_arg(r, 1), 0);
	case NR_fchmodat:
		return chmod_common(ctx, sys_arg(r, 0), UARG(r, 1), sys_arg(r, 2), 0);
	case NR_fchmodat2:
		return chmod_common(ctx, sys_arg(r, 0), UARG(r, 1), sys_arg(r, 2), sys_arg(r, 3));
	case NR_fchmod: {
		struct fargs a = { .type = LT_EV_ATTRIB, .nr = ctx->id, .ret = ctx->ret,
				   .mode = sys_arg(r, 1) & 07777, .attr = LT_ATTR_MODE };

		return attr_fd(ctx, sys_arg(r, 0), &a);
	}
	case NR_chown:
	case NR_lchown:
		return chown_common(ctx, AT_FDCWD_, UARG(r, 0), sys_arg(r, 1), sys_arg(r, 2), 0);
	case NR_fchownat:
		return chown_common(ctx, sys_arg(r, 0), UARG(r, 1), sys_arg(r, 2), sys_arg(r, 3),
				    sys_arg(r, 4));
	case NR_fchown: {
		struct fargs a = { .type = LT_EV_ATTRIB, .nr = ctx->id, .ret = ctx->ret,
				   .uid = sys_arg(r, 1), .gid = sys_arg(r, 2),
				   .attr = LT_ATTR_OWNER };

		return attr_fd(ctx, sys_arg(r, 0), &a);
	}
	}
	return 0;
}

/* ftruncate: on the open file itself */
static __always_inline int ftruncate_exit(struct sys_exit_ctx *ctx, struct pt_regs *r)
{
	__u32 gen = gen_active();
	struct lt_policy *pol = policy_get(gen);
	struct fargs a = { .type = LT_EV_MODIFY, .nr = ctx->id, .ret = ctx->ret };
	__u64 key;

	if (!pol || is_self() || !(pol->watch_union & LT_W_MODIFY))
		return 0;
	if (ctx->ret < 0 && !pol->failed)
		return 0;
	key = (__u64)fd_file(sys_arg(r, 0));
	if (ctx->ret == 0 && bpf_map_lookup_elem(&lt_modify, &key))
		return 0;	/* its close will report it */
	return fd_event(key, &a, gen, false);
}

/* lt_truncate_exit - truncate and ftruncate: modify (one program, see lt_file_exit) */
SEC("tracepoint")
int lt_truncate_exit(struct sys_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();

	if (ctx->id == NR_ftruncate)
		return ftruncate_exit(ctx, r);
	if (ctx->id == NR_truncate) {
		struct fargs a = { .type = LT_EV_MODIFY, .nr = ctx->id, .ret = ctx->ret };
		struct pargs p = { .dfd = AT_FDCWD_, .path = UARG(r, 0) };

		return path_event(&a, &p);
	}
	return 0;
}
