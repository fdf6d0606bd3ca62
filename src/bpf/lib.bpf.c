// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lib.bpf.c - library loads: every file mapped executable into a process
 * (lib_load) and glibc's dlopen() calls (dlopen).
 *
 * lib_load comes from three places:
 *   - sys_exit_mmap: a successful mmap with PROT_EXEC of a file. The test
 *     order keeps the common case cheap: the return value, then prot, then
 *     MAP_ANONYMOUS and the fd, all from registers, before any map lookup.
 *     The dynamic loader maps each library's text with one such mmap.
 *   - sys_exit_mprotect: PROT_EXEC requested on a file-backed mapping whose
 *     VMA was not executable before. The entry hook notes the VMA's exec
 *     bit per thread only when PROT_EXEC is asked for (rare: JITs work on
 *     anonymous memory, which is rejected at exit).
 *   - sched_process_exec: the kernel maps the program interpreter (ld.so)
 *     itself, without an mmap call. Its base address is AT_BASE in the
 *     auxiliary vector saved in mm->saved_auxv; the VMA there (found with
 *     bpf_find_vma) gives the file. Its vm_start/vm_end are that first VMA.
 *
 * dlopen: a uprobe on glibc's dlopen notes (filename pointer, flags) per
 * thread; the uretprobe reads the name and reports it with the handle.
 * User space attaches both per libc inode (src/libmon.c).
 */
#include "common.bpf.h"
#include "path.bpf.h"

#define PROT_EXEC_ 0x4
#define MAP_ANONYMOUS_ 0x20
#define VM_EXEC_ 0x4
#define AT_BASE_ 7
#define AT_NULL_ 0
#define PAGE_SIZE_ 4096ULL

/* dlopen calls in flight: tid -> arguments */
struct lt_dlopen_args {
	__u64 name;		/* user pointer */
	__u32 flags;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct lt_dlopen_args);
} lt_dlopen_inflight SEC(".maps") __weak;

/* mprotect(PROT_EXEC) in flight: tid -> 1 when the VMA was file-backed and not exec */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} lt_lib_mprot SEC(".maps") __weak;

/* entries in lt_lib_mprot: exit of mprotect skips the lookup while 0 */
volatile __s64 lt_lib_mprot_pending __weak = 0;

/* lib_gate - lib events on in generation @gen, and @type selected */
static __always_inline bool lib_gate(__u32 gen, __u32 type)
{
	struct lt_policy *pol = policy_get(gen);

	if (!pol || !(pol->lib & LT_LIBP_ENABLED) || !ev_gate(pol, type))
		return false;
	if (type == LT_EV_DLOPEN && !(pol->lib & LT_LIBP_DLOPEN))
		return false;
	return !is_self();
}

extern int LINUX_KERNEL_VERSION __kconfig;

/*
 * file_user_loc - where file @f is as its user sees it. A VMA of a file on
 * overlayfs (containers) holds a backing file whose f_path is the layer's
 * real file on an internal mount; the path the process opened is its
 * user_path (the kernel's file_user_path()). FMODE_BACKING is bit 25 from
 * its introduction (6.6) and bit 24 since 6.14 (fsnotify pre-content
 * series, "fsnotify: opt-in for permission events at file open time").
 * Returns the inode that path names.
 */
static __always_inline struct inode *file_user_loc(struct lt_loc *l, struct file *f)
{
	__u32 backing = LINUX_KERNEL_VERSION >= KERNEL_VERSION(6, 14, 0) ? 1u << 24 : 1u << 25;

	if (bpf_core_type_exists(struct backing_file) && (KR(f, f_mode) & backing)) {
		struct path p = KR((struct backing_file *)f, user_path);

		if (p.dentry && p.mnt) {
			loc_from_path(l, &p);
			return KR(p.dentry, d_inode);
		}
	}
	loc_of_file(l, f);
	return KR(f, f_inode);
}

/*
 * lib_send - build and send a lib_load record for file @f mapped at
 * [@start, @end) in the current task.
 */
static __always_inline void lib_send(struct file *f, __u64 start, __u64 end, __u32 prot,
				     __u32 lflags, __s32 nr, __s64 ret, struct task_struct *t)
{
	struct lt_scratch *s = scratch_get();
	struct lt_lib_ev *e = evbuf_get();
	struct lt_loc l;
	__u16 pf = 0;
	__u32 n;
	int pos;

	if (!s || !e)
		return;
	hdr_fill(&e->hdr, LT_EV_LIB_LOAD, t);
	e->hdr.syscall_nr = nr;
	e->hdr.ret = ret;
	e->hdr.flags = LT_HF_REPORT;
	file_id(&e->fid, file_user_loc(&l, f));
	e->vm_start = start;
	e->vm_end = end;
	e->prot = prot;
	/* a mount namespace an unprivileged user namespace owns: a path any user could stage */
	if (TR(t, nsproxy, mnt_ns, user_ns, level))
		lflags |= LT_LF_USERNS;
	if (KR(f, f_inode, i_sb, s_magic) == 0x65735546)	/* FUSE_SUPER_MAGIC */
		lflags |= LT_LF_FUSE;
	e->lflags = lflags;
	e->pad = 0;
	/* the usual case: the cached directory path, then the name (as file events) */
	n = file_path_put(s, e->str, &l);
	if (!n) {
		pos = loc_build(s, &l, &pf);
		n = str_put_path(e->str, 0, s, pos);
	}
	e->path_len = n;
	e->path_flags = pf;
	n = (sizeof(*e) + n) & (LT_EVBUF - 1);
	e->hdr.size = n;
	if (bpf_ringbuf_output(&ring_bulk, e, n, BPF_RB_NO_WAKEUP))
		drop_count(LT_DROP_LIB);
}

struct sys_exit_ctx_lib {
	__u64 common;
	int id;
	int pad;
	long ret;
};

SEC("tracepoint/syscalls/sys_exit_mmap")
int lt_lib_mmap(struct sys_exit_ctx_lib *ctx)
{
	struct pt_regs *regs;
	unsigned long prot, flags, len;
	struct file *f;
	long ret = ctx->ret;
	int fd;

	if (ret < 0 && ret >= -4095)
		return 0;	/* a failed mmap maps nothing: never a lib_load */
	regs = cur_regs();
	prot = sys_arg(regs, 2);
	if (!(prot & PROT_EXEC_))
		return 0;
	flags = sys_arg(regs, 3);
	fd = (int)sys_arg(regs, 4);
	if ((flags & MAP_ANONYMOUS_) || fd < 0)
		return 0;
	if (!lib_gate(gen_active(), LT_EV_LIB_LOAD))
		return 0;
	f = fd_file(fd);
	if (!f)
		return 0;
	len = sys_arg(regs, 1);
	lib_send(f, (__u64)ret, (__u64)ret + ((len + PAGE_SIZE_ - 1) & ~(PAGE_SIZE_ - 1)),
		 (__u32)prot, 0, ctx->id, ret, bpf_get_current_task_btf());
	return 0;
}

/* ---- mprotect ------------------------------------------------------------------ */

struct vma_probe {
	__u64 file;
	__u64 start;
	__u64 end;
	__u64 flags;
};

static long vma_probe_cb(struct task_struct *t, struct vm_area_struct *vma, void *data)
{
	struct vma_probe *p = data;

	p->file = (__u64)vma->vm_file;
	p->start = vma->vm_start;
	p->end = vma->vm_end;
	p->flags = vma->vm_flags;
	return 0;
}

struct sys_enter_ctx_lib {
	__u64 common;
	int id;
	int pad;
	unsigned long args[6];
};

SEC("tracepoint/syscalls/sys_enter_mprotect")
int lt_lib_mprot_enter(struct sys_enter_ctx_lib *ctx)
{
	struct vma_probe p = {};
	__u32 tid;
	__u64 one = 1;

	if (!(ctx->args[2] & PROT_EXEC_))
		return 0;
	if (!lib_gate(gen_active(), LT_EV_LIB_LOAD))
		return 0;
	if (bpf_find_vma(bpf_get_current_task_btf(), ctx->args[0], vma_probe_cb, &p, 0))
		return 0;
	if (!p.file || (p.flags & VM_EXEC_))
		return 0;	/* anonymous (mem's concern) or already executable */
	tid = (__u32)bpf_get_current_pid_tgid();
	if (!bpf_map_update_elem(&lt_lib_mprot, &tid, &one, BPF_NOEXIST))
		__sync_fetch_and_add(&lt_lib_mprot_pending, 1);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_mprotect")
int lt_lib_mprot_exit(struct sys_exit_ctx_lib *ctx)
{
	struct vma_probe p = {};
	struct pt_regs *regs;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	unsigned long addr;
	__u64 *v;

	if (!lt_lib_mprot_pending)
		return 0;
	v = bpf_map_lookup_elem(&lt_lib_mprot, &tid);
	if (!v)
		return 0;
	if (!bpf_map_delete_elem(&lt_lib_mprot, &tid))
		__sync_fetch_and_add(&lt_lib_mprot_pending, -1);
	if (ctx->ret != 0)
		return 0;
	regs = cur_regs();
	addr = sys_arg(regs, 0);
	if (bpf_find_vma(bpf_get_current_task_btf(), addr, vma_probe_cb, &p, 0) || !p.file)
		return 0;
	lib_send((struct file *)p.file, p.start, p.end, (__u32)sys_arg(regs, 2), LT_LF_MPROTECT,
		 ctx->id, 0, bpf_get_current_task_btf());
	return 0;
}

/* ---- the program interpreter at exec ----------------------------------------- */

/* a copy of mm->saved_auxv (AT_VECTOR_SIZE words): too large for the stack */
#define LT_AUXV_WORDS 56
struct lt_auxv {
	unsigned long w[LT_AUXV_WORDS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lt_auxv);
} lt_lib_auxv SEC(".maps") __weak;

/* auxv_base - AT_BASE of @mm (the interpreter's load address), 0 when none */
static __always_inline __u64 auxv_base(struct mm_struct *mm)
{
	__u32 zero = 0;
	struct lt_auxv *v = bpf_map_lookup_elem(&lt_lib_auxv, &zero);

	if (!v || bpf_probe_read_kernel(v->w, sizeof(v->w), KADDR(mm, saved_auxv)))
		return 0;
	for (int i = 0; i + 1 < LT_AUXV_WORDS; i += 2) {
		if (v->w[i] == AT_NULL_)
			return 0;
		if (v->w[i] == AT_BASE_)
			return v->w[i + 1];
	}
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(lt_lib_exec, struct task_struct *t, pid_t old_pid, struct linux_binprm *bprm)
{
	struct vma_probe p = {};
	struct mm_struct *mm;
	__u64 base;

	if (!lib_gate(gen_active(), LT_EV_LIB_LOAD))
		return 0;
	mm = KR(t, mm);
	if (!mm)
		return 0;
	base = auxv_base(mm);
	if (!base)
		return 0;	/* static: no interpreter */
	if (bpf_find_vma(t, base, vma_probe_cb, &p, 0) || !p.file)
		return 0;
	lib_send((struct file *)p.file, p.start, p.end, 0, LT_LF_INTERP,
		 BPF_CORE_READ(cur_regs(), orig_ax), 0, t);
	return 0;
}

/* ---- dlopen ---------------------------------------------------------------- */

SEC("uprobe")
int BPF_KPROBE(lt_dlopen_enter, const char *name, int flags)
{
	struct lt_dlopen_args a = {};
	__u32 tid;

	if (!name || !lib_gate(gen_active(), LT_EV_DLOPEN))
		return 0;	/* dlopen(NULL) asks for the main program: not a load */
	tid = (__u32)bpf_get_current_pid_tgid();
	a.name = (__u64)name;
	a.flags = flags;
	bpf_map_update_elem(&lt_dlopen_inflight, &tid, &a, BPF_ANY);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(lt_dlopen_exit, void *handle)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct lt_dlopen_args *a = bpf_map_lookup_elem(&lt_dlopen_inflight, &tid);
	struct lt_dlopen_ev *e;
	long r;
	__u32 n;

	if (!a)
		return 0;
	e = evbuf_get();
	if (!e)
		goto out;
	hdr_fill(&e->hdr, LT_EV_DLOPEN, bpf_get_current_task_btf());
	e->hdr.flags = LT_HF_REPORT;
	e->handle = (__u64)handle;
	e->dl_flags = a->flags;
	e->pad = 0;
	r = bpf_probe_read_user_str(e->str, LT_PATH_MAX, (const void *)a->name);
	e->name_len = r > 0 ? r : 0;
	n = (sizeof(*e) + e->name_len) & (LT_EVBUF - 1);
	e->hdr.size = n;
	if (bpf_ringbuf_output(&ring_bulk, e, n, BPF_RB_NO_WAKEUP))
		drop_count(LT_DROP_LIB);
out:
	bpf_map_delete_elem(&lt_dlopen_inflight, &tid);
	return 0;
}
