/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * path.bpf.h - absolute paths and watch matching without bpf_d_path.
 *
 * Paths: walk dentry->d_parent upward, crossing mounts through
 * mount->mnt_mountpoint / mnt_parent, and write the components backwards
 * into a scratch buffer (bpf_loop, so depth is bounded only by
 * LT_PATH_MAX). The walk stops at the task's root, so a chrooted or
 * containerised process sees its own paths. A path that does not fit is
 * flagged LT_PF_TRUNC and holds the deepest suffix; it is never reported as
 * whole.
 *
 * Watches: a watch is a directory's (dev, ino). An object is inside a watch
 * when its parent directory or one of that directory's ancestors is the
 * watched directory; the deepest such watch decides (child overrides
 * parent). The ancestry walk works on dentries, so it survives renames of
 * the watched directory and never confuses /a/dir with /a/dir2. Verdicts
 * per directory are cached in lt_dircache, tagged with lt_epoch.
 *
 * Path strings (unlink, mkdir, rename, ...): the kernel-resolved start
 * directory (dirfd, cwd or root) plus the lexically normalised remainder.
 * Leading ".." climb the real dentry tree. Intermediate components descend
 * by name through lt_edges, the name graph along every watch's ancestry
 * that user space maintains; where a component is not in that graph the
 * path is marked inexact (it may go through a symlink).
 */
#ifndef LTRACK_PATH_BPF_H
#define LTRACK_PATH_BPF_H

#include "common.bpf.h"

#define PATH_MASK (LT_PATH_MAX - 1)
#define NAME_MASK (LT_NAME_MAX - 1)
#define AT_FDCWD_ -100

/*
 * lt_dircache: a directory, as reached through one mount, -> the deepest
 * watch containing it. Keyed by the dentry and mount addresses, so a
 * directory seen through two bind mounts gets two verdicts; the inode
 * number in the value catches a dentry that was freed and reused. Entries
 * of an older lt_epoch or policy generation are ignored.
 */
/* struct lt_dc_key, struct lt_dc_val: common.bpf.h (the scratch map keeps one) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct lt_dc_key);
	__type(value, struct lt_dc_val);
} lt_dircache SEC(".maps") __weak;

/* struct lt_loc, struct lt_pres: common.bpf.h (the scratch map keeps them) */

static __always_inline struct mount *real_mount_of(struct vfsmount *vm)
{
	return KPTR(mount, (unsigned long)vm - bpf_core_field_offset(struct mount, mnt));
}

static __always_inline void loc_from_path(struct lt_loc *l, const struct path *p)
{
	l->d = p->dentry;
	l->m = real_mount_of(p->mnt);
}

/* the location of an open file */
static __always_inline void loc_of_file(struct lt_loc *l, struct file *file)
{
	l->d = KR(file, f_path.dentry);
	l->m = real_mount_of(KR(file, f_path.mnt));
}

/*
 * loc_up - move to the parent directory, crossing mount points the way
 * follow_dotdot does. Returns false at the global root (or a detached mount).
 */
static __always_inline bool loc_up(struct lt_loc *l)
{
	struct dentry *d = l->d, *mroot, *p;
	struct mount *m = l->m;

	mroot = KR(m, mnt.mnt_root);
	if (d == mroot) {
		struct mount *mp = KR(m, mnt_parent);

		if (mp == m)
			return false;
		d = KR(m, mnt_mountpoint);
		m = mp;
		l->d = d;
		l->m = m;
		/* a mountpoint may itself be a mount root: the next call handles it */
		if (d == KR(m, mnt.mnt_root))
			return true;
	}
	p = KR(d, d_parent);
	if (p == d)
		return false;
	l->d = p;
	return true;
}

static __always_inline void loc_ident(struct lt_loc *l, __u32 *dev, __u64 *ino)
{
	struct dentry *d = l->d;
	__u32 dv = KR(d, d_sb, s_dev);
	__u64 iv = KR(d, d_inode, i_ino);

	/*
	 * Load now, as values: otherwise clang may merge these loads with a
	 * later load from map memory into one instruction reading through a
	 * pointer chosen at run time, which the verifier refuses.
	 */
	asm volatile("" : "+r"(dv));
	asm volatile("" : "+r"(iv));
	*dev = dv;
	*ino = iv;
}

/*
 * Loop state lives in the per-CPU scratch map, not on the stack: the
 * verifier does not track map memory, so each bpf_loop callback is checked
 * once instead of once per concrete value of its counters. Pointers kept
 * there come back as plain numbers and are only used through CO-RE reads
 * (bpf_probe_read_kernel), which accept them.
 */

/* ---- building paths backwards ------------------------------------------------ */

/* prepend "/" + @len bytes of kernel memory @src */
static __always_inline int pb_prepend(struct lt_scratch *s, const void *src, __u32 len)
{
	struct lt_pbstate *b = &s->pb;
	int np;

	len &= NAME_MASK;
	np = b->pos - (int)len - 1;
	if (np < 0) {
		b->trunc = 1;
		return -1;
	}
	bpf_probe_read_kernel(&s->path[(np + 1) & PATH_MASK], len, src);
	s->path[np & PATH_MASK] = '/';
	b->pos = np;
	return 0;
}

static long pb_walk_cb(__u32 i, void *arg)
{
	struct lt_scratch *s = scratch_get();
	struct lt_pbstate *b;
	struct dentry *d, *mroot, *parent;
	struct mount *m;
	struct qstr q;

	if (!s)
		return 1;
	b = &s->pb;
	if (b->d == b->root_d && b->m == b->root_m)
		return 1;
	d = KPTR(dentry, b->d);
	m = KPTR(mount, b->m);
	mroot = KR(m, mnt.mnt_root);
	parent = KR(d, d_parent);
	if (d == mroot || d == parent) {
		struct mount *mp = KR(m, mnt_parent);

		if (d != mroot || mp == m)
			return 1;
		b->d = (__u64)KR(m, mnt_mountpoint);
		b->m = (__u64)mp;
		return 0;
	}
	q = KR(d, d_name);
	if (pb_prepend(s, q.name, q.len) < 0)
		return 1;
	b->d = (__u64)parent;
	return 0;
}

static __always_inline void pb_init_task(struct lt_scratch *s, struct task_struct *t)
{
	struct path root = TR(t, fs, root);

	s->pb.pos = LT_PATH_MAX - 1;
	s->pb.trunc = 0;
	s->path[LT_PATH_MAX - 1] = 0;
	s->pb.root_d = (__u64)root.dentry;
	s->pb.root_m = (__u64)real_mount_of(root.mnt);
}

/* pb_finish - walk from @l up to the root; returns the string's start offset */
static __always_inline int pb_finish(struct lt_scratch *s, struct lt_loc *l)
{
	s->pb.d = (__u64)l->d;
	s->pb.m = (__u64)l->m;
	bpf_loop(LT_PATH_MAX / 2, pb_walk_cb, NULL, 0);
	if (s->pb.pos == LT_PATH_MAX - 1) {
		s->pb.pos = LT_PATH_MAX - 2;
		s->path[(LT_PATH_MAX - 2) & PATH_MASK] = '/';
	}
	return s->pb.pos & PATH_MASK;
}

/* ---- watch matching ---------------------------------------------------------- */

static long wm_walk_cb(__u32 i, void *arg)
{
	struct lt_scratch *s = scratch_get();
	struct lt_wmstate *c;
	struct lt_watch_key k = {};
	struct lt_watch_val *w;
	struct lt_loc l;

	if (!s)
		return 1;
	c = &s->wm;
	l.d = (struct dentry *)c->d;
	l.m = (struct mount *)c->m;
	k.gen = c->gen;
	loc_ident(&l, &k.dev, &k.ino);
	if (!c->first) {
		struct lt_dc_key dk = { .dentry = c->d, .mnt = c->m };
		struct lt_dc_val *dv = bpf_map_lookup_elem(&lt_dircache, &dk);

		if (dv && dv->epoch == c->epoch && dv->gen == c->gen && dv->ino == k.ino) {
			c->found = dv->found;
			c->w = dv->w;
			return 1;
		}
	}
	c->first = 0;
	w = bpf_map_lookup_elem(&lt_watches, &k);
	if (w) {
		c->found = 1;
		c->w = *w;
		return 1;
	}
	if (!loc_up(&l))
		return 1;
	c->d = (__u64)l.d;
	c->m = (__u64)l.m;
	return 0;
}

/*
 * watch_of_dir - the deepest watch containing directory @dir (itself
 * included). Returns 1 and fills @out when there is one, 0 otherwise.
 */
static __always_inline int watch_of_dir(struct lt_loc *dir, __u32 gen, struct lt_watch_val *out)
{
	struct lt_scratch *s = scratch_get();
	struct lt_dc_key dk = { .dentry = (__u64)dir->d, .mnt = (__u64)dir->m };
	struct lt_dc_val *dv, nv = {};
	__u64 epoch = lt_epoch;
	__u64 ino = KR(dir->d, d_inode, i_ino);

	if (!s)
		return 0;
	/* the last directory seen on this CPU: bursts stay in one directory */
	if (s->lastdir.dentry == dk.dentry && s->lastdir.mnt == dk.mnt &&
	    s->lastdir.v.epoch == epoch && s->lastdir.v.gen == gen && s->lastdir.v.ino == ino) {
		*out = s->lastdir.v.w;
		return s->lastdir.v.found;
	}
	dv = bpf_map_lookup_elem(&lt_dircache, &dk);
	if (dv && dv->epoch == epoch && dv->gen == gen && dv->ino == ino) {
		s->lastdir.dentry = dk.dentry;
		s->lastdir.mnt = dk.mnt;
		s->lastdir.v = *dv;
		*out = dv->w;
		return dv->found;
	}
	s->wm.d = (__u64)dir->d;
	s->wm.m = (__u64)dir->m;
	s->wm.gen = gen;
	s->wm.epoch = epoch;
	s->wm.first = 1;
	s->wm.found = 0;
	bpf_loop(LT_PATH_MAX / 2, wm_walk_cb, NULL, 0);
	nv.epoch = epoch;
	nv.ino = ino;
	nv.gen = gen;
	nv.found = s->wm.found;
	nv.w = s->wm.w;
	bpf_map_update_elem(&lt_dircache, &dk, &nv, BPF_ANY);
	s->lastdir.dentry = dk.dentry;
	s->lastdir.mnt = dk.mnt;
	s->lastdir.v = nv;
	*out = nv.w;
	return nv.found;
}

/* ---- path strings ------------------------------------------------------------ */


#define USTR_MASK (2 * LT_PATH_MAX - 1)

/* a '/' among the eight bytes of @w (a '/' becomes a zero byte, found as zero bytes are) */
static __always_inline bool word_has_slash(__u64 w)
{
	__u64 x = w ^ 0x2f2f2f2f2f2f2f2fULL;

	return (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
}

/*
 * tok_cb - the next bytes of the user string per call: split components,
 * drop "." and empty ones, apply "..", and hash each name (FNV-1a 64, as
 * user space does for lt_edges) on the way. Eight bytes without a '/' are
 * hashed in one call (a name's bytes are most of a path's); a '/' and the
 * bytes around it go one per call.
 */
static long tok_cb(__u32 i, void *arg)
{
	struct lt_scratch *s = scratch_get();
	struct lt_tokstate *c;
	int len, pos;
	char ch;

	if (!s)
		return 1;
	c = &s->tok;
	pos = c->pos;
	if (pos < 0 || pos > c->ulen)
		return 1;
	if (pos + 8 <= c->ulen) {
		/* ustr has LT_NAME_MAX bytes beyond the mask: eight bytes stay inside */
		__u64 w = *(__u64 *)&s->ustr[(c->ubase + pos) & USTR_MASK];

		if (!word_has_slash(w)) {
			__u64 h = c->h;

#pragma unroll
			for (int k = 0; k < 8; k++) {
				h ^= (w >> (8 * k)) & 0xff;
				h *= 0x100000001b3ULL;
			}
			c->h = h;
			c->pos = pos + 8;
			return 0;
		}
	}
	c->pos = pos + 1;
	ch = pos == c->ulen ? '/' : s->ustr[(c->ubase + pos) & USTR_MASK];
	if (ch != '/') {
		c->h ^= (unsigned char)ch;
		c->h *= 0x100000001b3ULL;
		return 0;
	}
	len = pos - c->cstart;
	if (len == 0 || (len == 1 && s->ustr[(c->ubase + c->cstart) & USTR_MASK] == '.'))
		goto next;
	if (len == 2 && s->ustr[(c->ubase + c->cstart) & USTR_MASK] == '.' &&
	    s->ustr[(c->ubase + c->cstart + 1) & USTR_MASK] == '.') {
		if (c->ncomp > 0) {
			c->ncomp--;
		} else if (!(c->d == c->root_d && c->m == c->root_m)) {
			struct lt_loc l = { .d = (struct dentry *)c->d, .m = (struct mount *)c->m };

			loc_up(&l);
			c->d = (__u64)l.d;
			c->m = (__u64)l.m;
		}
		goto next;
	}
	if (c->ncomp >= LT_COMPS_MAX) {
		c->overflow = 1;
		return 1;
	}
	s->coff[c->ncomp & (LT_COMPS_MAX - 1)] = c->ubase + c->cstart;
	s->clen[c->ncomp & (LT_COMPS_MAX - 1)] = len > NAME_MASK ? NAME_MASK : len;
	s->chash[c->ncomp & (LT_COMPS_MAX - 1)] = c->h;
	c->ncomp++;
next:
	c->cstart = pos + 1;
	c->h = 0xcbf29ce484222325ULL;
	return 0;
}

/* descend through intermediate components by name, looking for deeper watches */
static long desc_cb(__u32 i, void *arg)
{
	struct lt_scratch *s = scratch_get();
	struct lt_descstate *c;
	struct lt_edge_key ek = {};
	struct lt_edge_val *ev;
	struct lt_watch_key wk = {};
	struct lt_watch_val *w;

	if (!s)
		return 1;
	c = &s->desc;
	if ((int)i >= c->ncomp - 1)
		return 1;
	ek.gen = c->gen;
	ek.dev = c->dev;
	ek.ino = c->ino;
	ek.name_hash = s->chash[i & (LT_COMPS_MAX - 1)];
	ev = bpf_map_lookup_elem(&lt_edges, &ek);
	if (!ev) {
		c->inexact = 1;
		return 1;
	}
	c->dev = ev->dev;
	c->ino = ev->ino;
	wk.gen = c->gen;
	wk.dev = ev->dev;
	wk.ino = ev->ino;
	w = bpf_map_lookup_elem(&lt_watches, &wk);
	if (w) {
		c->found = 1;
		c->w = *w;
	}
	return 0;
}

/* fd_loc - the location of open file @fd of the current task; false when not open */
static __always_inline bool fd_loc(int fd, struct lt_loc *l)
{
	struct file *f = fd_file(fd);

	if (!f)
		return false;
	loc_of_file(l, f);
	return true;
}

/*
 * pstr_resolve - resolve user path @upath relative to @dfd into @r, and match
 * it against the watches of generation @gen. The string is copied into
 * s->ustr at offset @ubase (0 or LT_PATH_MAX, so two paths can coexist).
 * Returns 0, or -1 when the string cannot be read or the dirfd is bad.
 */
static __always_inline int pstr_resolve(struct lt_scratch *s, int dfd, const char *upath,
					__u32 ubase, __u32 gen, struct lt_pres *r)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct lt_tokstate *tc = &s->tok;
	struct lt_descstate *dc = &s->desc;
	struct path root;
	__u32 pdev;
	__u64 pino;
	long n;

	ubase &= LT_PATH_MAX;
	n = bpf_probe_read_user_str(&s->ustr[ubase], LT_PATH_MAX, upath);
	if (n <= 0)
		return -1;
	r->ulen = n - 1;
	root = TR(t, fs, root);
	if (s->ustr[ubase] == '/') {
		loc_from_path(&r->start, &root);
	} else if (dfd == AT_FDCWD_) {
		struct path pwd = TR(t, fs, pwd);

		loc_from_path(&r->start, &pwd);
	} else if (!fd_loc(dfd, &r->start)) {
		return -1;
	}
	tc->d = (__u64)r->start.d;
	tc->m = (__u64)r->start.m;
	tc->root_d = (__u64)root.dentry;
	tc->root_m = (__u64)real_mount_of(root.mnt);
	tc->ulen = r->ulen;
	tc->ubase = ubase;
	tc->cstart = 0;
	tc->pos = 0;
	tc->ncomp = 0;
	tc->overflow = 0;
	tc->h = 0xcbf29ce484222325ULL;
	bpf_loop(LT_PATH_MAX + 1, tok_cb, NULL, 0);
	r->start.d = (struct dentry *)tc->d;
	r->start.m = (struct mount *)tc->m;
	r->ncomp = tc->ncomp;
	r->overflow = tc->overflow;

	/* watches containing the start directory, then deeper ones by name */
	r->found = watch_of_dir(&r->start, gen, &r->w);
	r->inexact = 0;
	loc_ident(&r->start, &pdev, &pino);
	if (r->ncomp > 1) {
		dc->gen = gen;
		loc_ident(&r->start, &dc->dev, &dc->ino);
		dc->ncomp = r->ncomp;
		dc->inexact = 0;
		dc->found = 0;
		bpf_loop(LT_COMPS_MAX, desc_cb, NULL, 0);
		r->inexact = dc->inexact;
		pdev = dc->dev;
		pino = dc->ino;
		if (dc->found) {
			r->found = 1;
			r->w = dc->w;
		}
	}
	/* values, not a pointer chosen between kernel and map memory (the verifier refuses that) */
	asm volatile("" : "+r"(pdev));
	asm volatile("" : "+r"(pino));
	r->pdev = pdev;
	r->pino = pino;
	return 0;
}

/* write the components of the resolved string backwards, last first */
static long pcomp_cb(__u32 i, void *arg)
{
	struct lt_scratch *s = scratch_get();
	int k, np;
	__u32 idx, len, off;

	if (!s)
		return 1;
	k = s->pb.ncomp - 1 - (int)i;
	if (k < 0)
		return 1;
	idx = k & (LT_COMPS_MAX - 1);
	len = s->clen[idx] & NAME_MASK;
	off = s->coff[idx] & USTR_MASK;
	np = s->pb.pos - (int)len - 1;
	if (np < 0) {
		s->pb.trunc = 1;
		return 1;
	}
	/* scratch to scratch: both are map memory, read through the helper */
	bpf_probe_read_kernel(&s->path[(np + 1) & PATH_MASK], len, &s->ustr[off]);
	s->path[np & PATH_MASK] = '/';
	s->pb.pos = np;
	return 0;
}

/*
 * pstr_build - write the absolute path of a resolved path string into
 * s->path. Returns the start offset; *flags gets LT_PF_*.
 */
static __always_inline int pstr_build(struct lt_scratch *s, struct lt_pres *r, __u16 *flags)
{
	int pos;

	pb_init_task(s, bpf_get_current_task_btf());
	s->pb.ncomp = r->ncomp;
	bpf_loop(LT_COMPS_MAX, pcomp_cb, NULL, 0);
	pos = s->pb.trunc ? (s->pb.pos & PATH_MASK) : pb_finish(s, &r->start);
	*flags = (s->pb.trunc || r->overflow ? LT_PF_TRUNC : 0) | (r->inexact ? LT_PF_INEXACT : 0);
	return pos;
}

/*
 * loc_build_task - path of a location (an open file, a cwd) as task @t sees
 * it, into s->path. Returns the start offset.
 */
static __always_inline int loc_build_task(struct lt_scratch *s, struct lt_loc *l, __u16 *flags,
					  struct task_struct *t)
{
	int pos;

	pb_init_task(s, t);
	pos = pb_finish(s, l);
	*flags = s->pb.trunc ? LT_PF_TRUNC : 0;
	return pos;
}

static __always_inline int loc_build(struct lt_scratch *s, struct lt_loc *l, __u16 *flags)
{
	return loc_build_task(s, l, flags, bpf_get_current_task_btf());
}

/*
 * lt_pathcache: the path of a directory (as reached through one mount), so
 * the hot path of a file event is a lookup and two copies instead of a
 * dentry walk. Any successful rename moves lt_path_epoch (a rename within
 * one directory changes paths below it even though no ancestry changes);
 * the inode number catches a reused dentry. Paths longer than LT_PC_LEN
 * are not cached. The path is as the reading task sees it: a process with
 * another root does not use an entry made by a process with this root.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct lt_dc_key);
	__type(value, struct lt_pc_val);
} lt_pathcache SEC(".maps") __weak;

volatile __u64 lt_path_epoch __weak = 1;

/*
 * dir_path_put - append the path of directory @dir to @str at offset 0,
 * without a trailing '/' (the root is ""). Returns its length (no NUL),
 * or -1 when it is LT_PC_LEN or longer (then the caller builds the whole
 * path).
 */
static __always_inline int dir_path_put(struct lt_scratch *s, char *str, struct lt_loc *dir,
					__u16 *flags)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct lt_dc_key key = { .dentry = (__u64)dir->d, .mnt = (__u64)dir->m };
	__u64 ino = KR(dir->d, d_inode, i_ino);
	__u64 root = (__u64)TR(t, fs, root.dentry);
	__u64 epoch = lt_path_epoch;
	struct lt_pc_val *pc = bpf_map_lookup_elem(&lt_pathcache, &key);
	int pos, len;

	if (pc && pc->epoch == epoch && pc->ino == ino && pc->root == root) {
		len = pc->len;
		bound_mask(len, 0xff);
		bpf_probe_read_kernel(str, len, pc->path);
		return len;
	}
	pos = loc_build(s, dir, flags);
	if (*flags & LT_PF_TRUNC)
		return -1;
	len = LT_PATH_MAX - 1 - pos;
	if (len == 1)
		len = 0;	/* the root: "" + "/" + name */
	if (len < 0 || len >= LT_PC_LEN)
		return -1;	/* long paths are built whole by the caller */
	bound_mask(len, 0xff);
	s->pcv.epoch = epoch;
	s->pcv.ino = ino;
	s->pcv.root = root;
	s->pcv.len = len;
	bpf_probe_read_kernel(s->pcv.path, len, &s->path[pos & (LT_PATH_MAX - 1)]);
	bpf_map_update_elem(&lt_pathcache, &key, &s->pcv, BPF_ANY);
	bpf_probe_read_kernel(str, len, s->pcv.path);
	return len;
}

/*
 * file_path_put - write the path of file location @l to @str at offset 0:
 * its directory's cached path (dir_path_put), '/', its name, a NUL. Returns
 * the bytes written, NUL included; 0 when this short way does not apply
 * (the file is a mount's root, or the path is long): then the caller
 * builds the path whole (loc_build).
 */
static __always_inline __u32 file_path_put(struct lt_scratch *s, char *str, struct lt_loc *l)
{
	struct lt_loc dir = *l;
	struct qstr q;
	__u16 pf = 0;
	__u32 nlen;
	int n;

	if (!loc_up(&dir) || dir.d != KR(l->d, d_parent))
		return 0;
	q = KR(l->d, d_name);
	n = dir_path_put(s, str, &dir, &pf);
	nlen = q.len;
	if (n < 0 || nlen >= LT_NAME_MAX || n + 2 + nlen > LT_PATH_MAX)
		return 0;
	str[n & LT_STR_MASK] = '/';
	bound_mask(nlen, 0xff);
	bpf_probe_read_kernel(&str[(n + 1) & LT_STR_MASK], nlen, q.name);
	str[(n + 1 + nlen) & LT_STR_MASK] = 0;
	return n + 2 + nlen;
}

#endif
