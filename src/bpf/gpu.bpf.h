/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * gpu.bpf.h - gpu_access: opens of GPU device nodes, found on the open path.
 *
 * The open programs of file.bpf.c call gpu_open() for every successful
 * open they see (and gpu_open_failed() for failed ones under --failed),
 * before any watch work. A GPU is named by its device node's path:
 * /dev/nvidia* (nvidia0.., nvidiactl, nvidia-uvm, nvidia-uvm-tools,
 * nvidia-modeset), /dev/dri/NAME (card0.., renderD128..) and /dev/kfd. Majors do
 * not work: nvidia-uvm and kfd get dynamic ones.
 *
 * Cost, cheapest test first:
 *   1. the inode is a character device (one load through the file): every
 *      regular file, directory, pipe and socket stops here;
 *   2. not an O_PATH descriptor (it cannot reach the driver);
 *   3. the policy generation has gpu on (one array lookup);
 *   4. the name: "nvidia*" or "kfd", or a parent directory named "dri"
 *      (two loads and a few byte compares): /dev/null, /dev/tty, /dev/pts/N
 *      and the other common devices stop here;
 *   5. only then the path is built (the dentry walk of path.bpf.h, to the
 *      opener's root, so a container's /dev counts) and must be exactly
 *      /dev/NAME or /dev/dri/NAME;
 *   6. one event per (process image, device): lt_gpu_seen, an LRU set keyed
 *      by (tgid, start, self_exec_id, rdev). A CUDA program opens its
 *      devices dozens of times at start-up; the first open of each is what
 *      a detection needs, and an exec (a new image in the same process) is
 *      reported again.
 * The allow-list ([model_monitor] gpu_allow) is applied in user space
 * (src/gpu.c): it matches image paths, which the kernel side does not have
 * as strings. Records go to ring_crit, the never-drop class of model
 * events; the deduplication keeps their volume bounded.
 */
#ifndef LTRACK_GPU_BPF_H
#define LTRACK_GPU_BPF_H

#include "common.bpf.h"
#include "path.bpf.h"

#define GPU_S_IFMT 0170000
#define GPU_S_IFCHR 0020000
#define GPU_FMODE_PATH 0x4000
#define GPU_UPATH_MAX 64	/* a failed open's path: longer ones are no GPU node */

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct lt_gpu_seen_key);
	__type(value, __u64);	/* when it was first reported (boot ns) */
} lt_gpu_seen SEC(".maps") __weak;

static __always_inline bool gpu_on(__u32 gen)
{
	struct lt_policy *pol = policy_get(gen);

	return pol && pol->gpu;
}

/* "nvidia*" (@n: the first 8 bytes of a name of @len bytes) */
static __always_inline bool gpu_is_nvidia(const char *n, __u32 len)
{
	return len >= 6 && n[0] == 'n' && n[1] == 'v' && n[2] == 'i' && n[3] == 'd' &&
	       n[4] == 'i' && n[5] == 'a';
}

static __always_inline bool gpu_is_3(const char *n, __u32 len, char a, char b, char c)
{
	return len == 3 && n[0] == a && n[1] == b && n[2] == c;
}

/*
 * gpu_kind_of - by its name (and its directory's): the LT_GPU_* a device
 * node @d would be if it lies in /dev, or 0. *@namelen: its name's length.
 */
static __always_inline __u32 gpu_kind_of(struct dentry *d, __u32 *namelen)
{
	struct qstr q = KR(d, d_name);
	struct dentry *p;
	char n[8] = {};
	__u32 len = q.len;

	*namelen = len;
	bpf_probe_read_kernel(n, sizeof(n), q.name);
	if (gpu_is_nvidia(n, len))
		return LT_GPU_NVIDIA;
	if (gpu_is_3(n, len, 'k', 'f', 'd'))
		return LT_GPU_KFD;
	p = KR(d, d_parent);
	q = KR(p, d_name);
	len = q.len;
	bpf_probe_read_kernel(n, 4, q.name);
	if (gpu_is_3(n, len, 'd', 'r', 'i'))
		return LT_GPU_DRI;
	return 0;
}

/* s->path[@pos..] (a built path of @len bytes) is "/dev/" + (dri/ for DRI) + a @namelen name */
static __always_inline bool gpu_path_ok(struct lt_scratch *s, int pos, int len, __u32 kind,
					__u32 namelen)
{
	const char *p = s->path;
	int pre = kind == LT_GPU_DRI ? 9 : 5;

	if (len != pre + (int)namelen)
		return false;
	if (p[pos & PATH_MASK] != '/' || p[(pos + 1) & PATH_MASK] != 'd' ||
	    p[(pos + 2) & PATH_MASK] != 'e' || p[(pos + 3) & PATH_MASK] != 'v' ||
	    p[(pos + 4) & PATH_MASK] != '/')
		return false;
	return kind != LT_GPU_DRI ||
	       (p[(pos + 5) & PATH_MASK] == 'd' && p[(pos + 6) & PATH_MASK] == 'r' &&
		p[(pos + 7) & PATH_MASK] == 'i' && p[(pos + 8) & PATH_MASK] == '/');
}

static __always_inline void gpu_send(struct lt_gpu_ev *e)
{
	__u32 n = (sizeof(*e) + e->path_len) & (LT_EVBUF - 1);

	e->hdr.size = n;
	if (bpf_ringbuf_output(&ring_crit, e, n, 0))
		drop_count(LT_DROP_GPU);
}

static __always_inline struct lt_gpu_ev *gpu_ev_init(__u32 kind, long nr, long ret, __u32 flags)
{
	struct lt_gpu_ev *e = evbuf_get();

	if (!e)
		return NULL;
	hdr_fill(&e->hdr, LT_EV_GPU_ACCESS, bpf_get_current_task_btf());
	e->hdr.syscall_nr = nr;
	e->hdr.ret = ret;
	e->hdr.flags = LT_HF_REPORT;
	e->ino = 0;
	e->dev = 0;
	e->rdev = 0;
	e->open_flags = flags;
	e->kind = kind;
	e->path_len = 0;
	e->path_flags = 0;
	e->pad[0] = e->pad[1] = e->pad[2] = 0;
	return e;
}

/*
 * gpu_open - report the successful open of @f (syscall @nr returned @ret,
 * flags as passed @flags) when it is a GPU device node (see the top).
 */
__noinline int gpu_open(__u64 fptr, __u32 gen, long nr, long ret, __u32 flags)
{
	struct lt_policy *pol = policy_get(gen);
	struct file *f = KPTR(file, fptr);
	struct inode *ino = KR(f, f_inode);
	struct lt_gpu_seen_key key = {};
	struct lt_scratch *s;
	struct lt_gpu_ev *e;
	struct lt_loc l;
	__u32 kind, namelen, rdev;
	__u64 now;
	__u16 pf;
	int pos, len;

	if (!f || !pol)
		return 0;
	if ((KR(ino, i_mode) & GPU_S_IFMT) != GPU_S_IFCHR || (KR(f, f_mode) & GPU_FMODE_PATH))
		return 0;
	if (!gpu_on(gen) || !ev_gate(pol, LT_EV_GPU_ACCESS))
		return 0;
	kind = gpu_kind_of(KR(f, f_path.dentry), &namelen);
	if (!kind)
		return 0;
	s = scratch_get();
	if (!s)
		return 0;
	loc_of_file(&l, f);
	pos = loc_build(s, &l, &pf);
	len = LT_PATH_MAX - 1 - pos;
	if ((pf & LT_PF_TRUNC) || !gpu_path_ok(s, pos, len, kind, namelen))
		return 0;
	rdev = KR(ino, i_rdev);
	key.start_ns = task_start_ns(bpf_get_current_task_btf());
	key.exec_id = KR(bpf_get_current_task_btf(), self_exec_id);
	key.tgid = bpf_get_current_pid_tgid() >> 32;
	key.rdev = rdev;
	now = bpf_ktime_get_boot_ns();
	if (bpf_map_update_elem(&lt_gpu_seen, &key, &now, BPF_NOEXIST))
		return 0;	/* this image has opened this device before */
	e = gpu_ev_init(kind, nr, ret, flags);
	if (!e)
		return 0;
	e->ino = KR(ino, i_ino);
	e->dev = KR(ino, i_sb, s_dev);
	e->rdev = rdev;
	e->path_len = str_put_path(e->str, 0, s, pos);
	gpu_send(e);
	return 0;
}

/*
 * gpu_open_failed - with --failed: report a failed open whose path, as
 * passed (@upath), is literally /dev/nvidia*, /dev/kfd or /dev/dri/NAME.
 * The kernel resolved nothing, so there is no inode or device number, and
 * a relative or unnormalised path ("/dev//kfd") is not recognised. Not
 * deduplicated: --failed asks for every attempt.
 */
__noinline int gpu_open_failed(__u32 gen, long nr, long ret, __u64 upath_u, __u32 flags)
{
	struct lt_policy *pol = policy_get(gen);
	const char *upath = (const char *)upath_u;
	struct lt_scratch *s;
	struct lt_gpu_ev *e;
	const char *n;
	__u32 kind = 0, rest;
	long len;

	if (!pol || !gpu_on(gen) || !ev_gate(pol, LT_EV_GPU_ACCESS))
		return 0;
	s = scratch_get();
	if (!s)
		return 0;
	len = bpf_probe_read_user_str(s->name, GPU_UPATH_MAX, upath);
	if (len < 7 || len >= GPU_UPATH_MAX)	/* "/dev/X" and its NUL; longer: no GPU node */
		return 0;
	n = s->name;
	if (n[0] != '/' || n[1] != 'd' || n[2] != 'e' || n[3] != 'v' || n[4] != '/')
		return 0;
	rest = len - 1 - 5;	/* the bytes after "/dev/" */
	if (gpu_is_nvidia(n + 5, rest))
		kind = LT_GPU_NVIDIA;
	else if (gpu_is_3(n + 5, rest, 'k', 'f', 'd'))
		kind = LT_GPU_KFD;
	else if (rest > 4 && n[5] == 'd' && n[6] == 'r' && n[7] == 'i' && n[8] == '/')
		kind = LT_GPU_DRI;
	if (!kind)
		return 0;
	/* one component below /dev (or /dev/dri) */
	for (int i = kind == LT_GPU_DRI ? 9 : 5; i < GPU_UPATH_MAX; i++) {
		if (i >= len - 1)
			break;
		if (n[i] == '/')
			return 0;
	}
	e = gpu_ev_init(kind, nr, ret, flags);
	if (!e)
		return 0;
	bound_mask(len, 0x3f);
	bpf_probe_read_kernel(e->str, len, s->name);
	e->path_len = len;
	gpu_send(e);
	return 0;
}

#endif
