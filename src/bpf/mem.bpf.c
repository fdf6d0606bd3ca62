// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mem.bpf.c - memory that becomes executable, memfd_create, credential
 * changes, ptrace, signals to other processes, kernel modules.
 *
 * All are exit-only syscall tracepoints (arguments from the saved user
 * registers, as in file.bpf.c), except cred_change, which needs the creds
 * from before the call: a sys_enter program keeps them per thread in
 * lt_mem_creds (these syscalls are rare, so the map stays tiny).
 *
 * Cost: mmap and mprotect are hot. Their programs read prot first and
 * return unless it has PROT_EXEC; nothing else (no map, no policy) is
 * touched on that path. A file-backed PROT_EXEC mapping without PROT_WRITE
 * (a library) is not ours either (lib_load).
 *
 * Every program checks its [security_monitor] group (lt_policy.mem_groups) and
 * the event-type gate before it takes ring space; events go to ring_bulk
 * without wakeups, and a failed reservation counts in LT_DROP_MEM.
 */
#include "common.bpf.h"
#include "path.bpf.h"
#include "mem.bpf.h"

#define MEM_PROT_WRITE 0x2
#define MEM_PROT_EXEC 0x4
#define MEM_MAP_ANONYMOUS 0x20

#define MEM_NR_MMAP 9
#define MEM_NR_PTRACE 101
#define MEM_NR_SETFSUID 122
#define MEM_NR_SETFSGID 123
#define MEM_NR_CAPSET 126
#define MEM_NR_PKEY_MPROTECT 329

extern struct task_struct *bpf_task_from_vpid(s32 vpid) __ksym __weak;
extern void bpf_task_release(struct task_struct *p) __ksym __weak;

/* the syscalls/sys_{enter,exit}_* records (see file.bpf.c) */
struct mem_exit_ctx {
	__u64 common;
	int id;
	int pad;
	long ret;
};

struct mem_enter_ctx {
	__u64 common;
	int id;
	int pad;
	unsigned long args[6];
};

/* the common checks: not ourselves, the group on, the type selected, success unless --failed */
static __always_inline bool mem_want(__u32 group, __u32 type, long ret)
{
	__u32 gen = gen_active();
	struct lt_policy *pol = policy_get(gen);

	if (!pol || is_self() || !(mem_groups() & group) || !ev_gate(pol, type))
		return false;
	return ret >= 0 || pol->failed;
}

static __always_inline void mem_hdr(struct lt_hdr *h, __u32 type, __u32 size, int nr, long ret)
{
	hdr_fill(h, type, bpf_get_current_task_btf());
	h->size = size;
	h->syscall_nr = nr;
	h->ret = ret;
	h->flags = LT_HF_REPORT;
}

/* ---- mem_exec: mmap / mprotect ------------------------------------------------- */

struct mem_vma {
	__u64 start, end, file;
	int found;
};

static long mem_vma_cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct mem_vma *v = data;

	v->start = vma->vm_start;
	v->end = vma->vm_end;
	v->file = (__u64)vma->vm_file;
	v->found = 1;
	return 0;
}

/*
 * mem_exec_emit - the mem_exec record of a call that made [addr, addr+len)
 * executable. @reason 0: decide from the mapping (anonymous: anon_exec;
 * file-backed without PROT_WRITE: not reported).
 */
static __always_inline int mem_exec_emit(struct mem_exit_ctx *ctx, __u64 addr, __u64 len,
					 __u32 prot, __u32 flags, int fd, int pkey, __u32 reason)
{
	struct mem_vma v = {};
	struct lt_mem_exec_ev *e;
	struct lt_scratch *s;
	__u32 n;

	if (!mem_want(LT_MEMG_MEMORY, LT_EV_MEM_EXEC, ctx->ret))
		return 0;
	if (ctx->id == MEM_NR_MMAP && ctx->ret >= 0)
		addr = ctx->ret;
	bpf_find_vma(bpf_get_current_task_btf(), addr, mem_vma_cb, &v, 0);
	if (!reason) {
		if (v.found && v.file)
			return 0;	/* a file's code: lib_load's */
		reason = LT_MEMX_ANON_EXEC;
	}
	s = scratch_get();
	e = evbuf_get();
	if (!s || !e)
		return 0;
	mem_hdr(&e->hdr, LT_EV_MEM_EXEC, 0, ctx->id, ctx->ret);
	e->addr = addr;
	e->len = len;
	e->vm_start = v.found ? v.start : 0;
	e->vm_end = v.found ? v.end : 0;
	e->prot = prot;
	e->flags = flags;
	e->fd = fd;
	e->reason = reason;
	e->pkey = pkey;
	e->filename_len = 0;
	e->filename_flags = 0;
	if (v.found && v.file) {
		struct lt_loc l;
		__u16 pf;
		int pos;

		loc_of_file(&l, (struct file *)v.file);
		pos = loc_build(s, &l, &pf);
		e->filename_len = str_put_path(e->str, 0, s, pos);
		e->filename_flags = pf;
	}
	n = (sizeof(*e) + e->filename_len) & (LT_EVBUF - 1);
	e->hdr.size = n;
	if (bpf_ringbuf_output(&ring_bulk, e, n, BPF_RB_NO_WAKEUP))
		drop_count(LT_DROP_MEM);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_mmap")
int lt_mem_mmap(struct mem_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();
	__u32 prot = sys_arg(r, 2), flags;

	if (!(prot & MEM_PROT_EXEC))
		return 0;	/* the hot path: one register read */
	flags = sys_arg(r, 3);
	if (!(prot & MEM_PROT_WRITE) && !(flags & MEM_MAP_ANONYMOUS))
		return 0;
	return mem_exec_emit(ctx, sys_arg(r, 0), sys_arg(r, 1), prot, flags,
			     (int)sys_arg(r, 4), -1,
			     prot & MEM_PROT_WRITE ? LT_MEMX_WX : LT_MEMX_ANON_EXEC);
}

static __always_inline int mem_mprotect(struct mem_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();
	__u32 prot = sys_arg(r, 2);

	if (!(prot & MEM_PROT_EXEC))
		return 0;
	return mem_exec_emit(ctx, sys_arg(r, 0), sys_arg(r, 1), prot, 0, -1,
			     ctx->id == MEM_NR_PKEY_MPROTECT ? (int)sys_arg(r, 3) : -1,
			     prot & MEM_PROT_WRITE ? LT_MEMX_WX : 0);
}

SEC("tracepoint/syscalls/sys_exit_mprotect")
int lt_mem_mprotect(struct mem_exit_ctx *ctx)
{
	return mem_mprotect(ctx);
}

SEC("tracepoint/syscalls/sys_exit_pkey_mprotect")
int lt_mem_pkey_mprotect(struct mem_exit_ctx *ctx)
{
	return mem_mprotect(ctx);
}

/* ---- memfd_create -------------------------------------------------------------- */

SEC("tracepoint/syscalls/sys_exit_memfd_create")
int lt_mem_memfd(struct mem_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();
	struct lt_memfd_ev *e;
	long n = 0;

	if (!mem_want(LT_MEMG_FILELESS, LT_EV_MEMFD_CREATE, ctx->ret))
		return 0;
	e = evbuf_get();
	if (!e)
		return 0;
	mem_hdr(&e->hdr, LT_EV_MEMFD_CREATE, 0, ctx->id, ctx->ret);
	e->flags = sys_arg(r, 1);
	if (ctx->ret >= 0) {
		/* the kernel's copy: "memfd:NAME" */
		struct file *f = fd_file(ctx->ret);

		if (f) {
			const unsigned char *name = KR(f, f_path.dentry, d_name.name);

			n = bpf_probe_read_kernel_str(e->str, LT_NAME_MAX, name + 6);
		}
	} else {
		n = bpf_probe_read_user_str(e->str, LT_NAME_MAX, (void *)sys_arg(r, 0));
	}
	e->name_len = n > 0 ? n : 0;
	n = (sizeof(*e) + e->name_len) & (LT_EVBUF - 1);
	e->hdr.size = n;
	if (bpf_ringbuf_output(&ring_bulk, e, n, BPF_RB_NO_WAKEUP))
		drop_count(LT_DROP_MEM);
	return 0;
}

/* ---- cred_change ------------------------------------------------------------------ */

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct lt_creds);
} lt_mem_creds SEC(".maps") __weak;

static __always_inline void mem_creds_read(struct lt_creds *o)
{
	struct cred *c = (struct cred *)KR(bpf_get_current_task_btf(), cred);

	o->uid = KR(c, uid.val);
	o->euid = KR(c, euid.val);
	o->suid = KR(c, suid.val);
	o->fsuid = KR(c, fsuid.val);
	o->gid = KR(c, gid.val);
	o->egid = KR(c, egid.val);
	o->sgid = KR(c, sgid.val);
	o->fsgid = KR(c, fsgid.val);
	o->cap_effective = CRED_CAP(c, cap_effective);
	o->cap_permitted = CRED_CAP(c, cap_permitted);
	o->cap_inheritable = CRED_CAP(c, cap_inheritable);
}

static __always_inline int mem_cred_enter(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct lt_creds o;

	if (is_self() || !(mem_groups() & LT_MEMG_CREDS))
		return 0;
	mem_creds_read(&o);
	bpf_map_update_elem(&lt_mem_creds, &tid, &o, BPF_ANY);
	return 0;
}

static __always_inline int mem_cred_exit(struct mem_exit_ctx *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct lt_creds *o = bpf_map_lookup_elem(&lt_mem_creds, &tid);
	struct pt_regs *r = cur_regs();
	struct lt_cred_ev *e;
	struct lt_creds nc;
	long ret = ctx->ret;

	if (!o)
		return 0;
	mem_creds_read(&nc);
	if (ctx->id == MEM_NR_SETFSUID || ctx->id == MEM_NR_SETFSGID) {
		/* they return the old id and fail silently: failed = not applied */
		__u32 want = (__u32)sys_arg(r, 0);

		if (want != (ctx->id == MEM_NR_SETFSUID ? nc.fsuid : nc.fsgid))
			ret = -1;
	}
	if (!mem_want(LT_MEMG_CREDS, LT_EV_CRED_CHANGE, ret))
		goto out_delete;
	e = bpf_ringbuf_reserve(&ring_bulk, sizeof(*e), 0);
	if (!e) {
		drop_count(LT_DROP_MEM);
		goto out_delete;
	}
	e->old_c = *o;
	e->new_c = nc;
	mem_hdr(&e->hdr, LT_EV_CRED_CHANGE, sizeof(*e), ctx->id, ctx->ret);
	if (ctx->id == MEM_NR_CAPSET) {
		e->args[0] = e->args[1] = e->args[2] = 0;
	} else {
		e->args[0] = (long)sys_arg(r, 0);
		e->args[1] = (long)sys_arg(r, 1);
		e->args[2] = (long)sys_arg(r, 2);
	}
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
out_delete:
	bpf_map_delete_elem(&lt_mem_creds, &tid);
	return 0;
}

#define MEM_CRED_PROGS(sc)                                             \
	SEC("tracepoint/syscalls/sys_enter_" #sc)                      \
	int lt_mem_enter_##sc(struct mem_enter_ctx *ctx)               \
	{                                                              \
		return mem_cred_enter();                               \
	}                                                              \
	SEC("tracepoint/syscalls/sys_exit_" #sc)                       \
	int lt_mem_exit_##sc(struct mem_exit_ctx *ctx)                 \
	{                                                              \
		return mem_cred_exit(ctx);                             \
	}

MEM_CRED_PROGS(setuid)
MEM_CRED_PROGS(setgid)
MEM_CRED_PROGS(setreuid)
MEM_CRED_PROGS(setregid)
MEM_CRED_PROGS(setresuid)
MEM_CRED_PROGS(setresgid)
MEM_CRED_PROGS(setfsuid)
MEM_CRED_PROGS(setfsgid)
MEM_CRED_PROGS(capset)

/* ---- ptrace, kill ------------------------------------------------------------------ */

/*
 * Kernels without bpf_task_from_vpid (Debian 12's 6.1): the task a signal of
 * the current kill, tkill or tgkill went to, seen by signal_generate, which
 * passes the target task itself; the syscall's exit program takes it
 * (mem_target). (ptrace's target is found on the tracer's own list of
 * tracees: mem_tracee.)
 */
struct lt_sig_tgt {
	__u64 ts;		/* bpf_ktime_get_ns() when the signal was generated */
	__u32 tgid, tid;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);	/* the sender's tid */
	__type(value, struct lt_sig_tgt);
} lt_mem_sigtgt SEC(".maps") __weak;

#define MEM_NR_KILL 62
#define MEM_NR_TKILL 200
#define MEM_NR_TGKILL 234

SEC("tp_btf/signal_generate")
int BPF_PROG(lt_mem_signal, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct lt_sig_tgt v = {};
	long nr;

	if (lt_kf_task_vpid || !task)
		return 0;
	nr = KR(cur_regs(), orig_ax);
	if (nr != MEM_NR_KILL && nr != MEM_NR_TKILL && nr != MEM_NR_TGKILL)
		return 0;
	v.ts = bpf_ktime_get_ns();
	v.tgid = KR(task, tgid);
	v.tid = KR(task, pid);
	bpf_probe_read_kernel_str(v.comm, sizeof(v.comm), KADDR(task, comm));
	bpf_map_update_elem(&lt_mem_sigtgt, &tid, &v, BPF_ANY);
	return 0;
}

/* mem_target - fill the target fields from the task with pid @vpid (the caller's namespace) */
static __always_inline void mem_target(struct lt_target_ev *e, int vpid)
{
	struct task_struct *t;

	e->target_tgid = 0;
	e->target_tid = 0;
	__builtin_memset(e->target_comm, 0, sizeof(e->target_comm));
	if (vpid <= 0)
		return;
	if (!lt_kf_task_vpid) {
		__u32 tid = (__u32)bpf_get_current_pid_tgid();
		struct lt_sig_tgt *v = bpf_map_lookup_elem(&lt_mem_sigtgt, &tid);

		/* this syscall's signal (a second's margin: an older one is another's) */
		if (v && bpf_ktime_get_ns() - v->ts < 1000000000ULL) {
			e->target_tgid = v->tgid;
			e->target_tid = v->tid;
			__builtin_memcpy(e->target_comm, v->comm, sizeof(e->target_comm));
		}
		if (v)
			bpf_map_delete_elem(&lt_mem_sigtgt, &tid);
		return;
	}
	if (!bpf_task_from_vpid)
		return;
	t = bpf_task_from_vpid(vpid);
	if (!t)
		return;
	e->target_tgid = t->tgid;
	e->target_tid = t->pid;
	bpf_probe_read_kernel_str(e->target_comm, sizeof(e->target_comm), t->comm);
	bpf_task_release(t);
}

/*
 * mem_tracee - kernels without bpf_task_from_vpid: fill the target fields
 * from the tracee @vpid (the caller's pid namespace) on the current task's
 * list of tracees (task->ptraced), where every request but PTRACE_TRACEME
 * after a successful attach or seize finds it. Looks at the first 16.
 */
static __always_inline void mem_tracee(struct lt_target_ev *e, int vpid)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct list_head *head = KADDR(cur, ptraced);
	struct list_head *pos = KR(cur, ptraced.next);
	unsigned int lvl = KR(cur, thread_pid, level);

#pragma unroll
	for (int i = 0; i < 16; i++) {
		struct task_struct *t;
		struct pid *p;
		int nr = 0;

		if (!pos || pos == head)
			return;
		t = KPTR(task_struct,
			 (unsigned long)pos - bpf_core_field_offset(struct task_struct, ptrace_entry));
		p = KR(t, thread_pid);
		bpf_probe_read_kernel(&nr, sizeof(nr), KADDR(p, numbers[lvl & 31].nr));
		if (nr == vpid) {
			e->target_tgid = KR(t, tgid);
			e->target_tid = KR(t, pid);
			bpf_probe_read_kernel_str(e->target_comm, sizeof(e->target_comm),
						  KADDR(t, comm));
			return;
		}
		pos = KR(pos, next);
	}
}

/* the ptrace requests that take control of a task or change it; reads and resumes are not */
static __always_inline bool mem_ptrace_wanted(long req)
{
	switch (req) {
	case 0:		/* PTRACE_TRACEME */
	case 4:		/* PTRACE_POKETEXT */
	case 5:		/* PTRACE_POKEDATA */
	case 6:		/* PTRACE_POKEUSER */
	case 13:	/* PTRACE_SETREGS */
	case 15:	/* PTRACE_SETFPREGS */
	case 16:	/* PTRACE_ATTACH */
	case 19:	/* PTRACE_SETFPXREGS */
	case 0x4203:	/* PTRACE_SETSIGINFO */
	case 0x4205:	/* PTRACE_SETREGSET */
	case 0x4206:	/* PTRACE_SEIZE */
	case 0x4212:	/* PTRACE_SET_SYSCALL_INFO */
		return true;
	}
	return false;
}

SEC("tracepoint/syscalls/sys_exit_ptrace")
int lt_mem_ptrace(struct mem_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();
	long req = sys_arg(r, 0);
	struct lt_target_ev *e;

	if (!mem_ptrace_wanted(req) || !mem_want(LT_MEMG_PTRACE, LT_EV_PTRACE, ctx->ret))
		return 0;
	e = bpf_ringbuf_reserve(&ring_bulk, sizeof(*e), 0);
	if (!e) {
		drop_count(LT_DROP_MEM);
		return 0;
	}
	mem_hdr(&e->hdr, LT_EV_PTRACE, sizeof(*e), ctx->id, ctx->ret);
	e->request = req;
	e->addr = sys_arg(r, 2);
	e->data = sys_arg(r, 3);
	e->pid_arg = req == 0 ? 0 : (int)sys_arg(r, 1);
	e->tid_arg = 0;
	if (req == 0) {
		/* the tracee is the caller */
		e->target_tgid = e->hdr.tgid;
		e->target_tid = e->hdr.tid;
		__builtin_memcpy(e->target_comm, e->hdr.comm, sizeof(e->target_comm));
	} else if (!lt_kf_task_vpid) {
		mem_target(e, 0);	/* clears the fields */
		if (ctx->ret == 0)
			mem_tracee(e, e->pid_arg);
	} else {
		mem_target(e, e->pid_arg);
	}
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}

/*
 * mem_kill - kill(pid, sig), tkill(tid, sig), tgkill(tgid, tid, sig).
 * Signal 0 (an existence probe), signals to the caller's own process and
 * signals to ltrack are not reported.
 */
static __always_inline int mem_kill(struct mem_exit_ctx *ctx, int pid, int tid, int sig)
{
	struct lt_target_ev *e;

	if (sig == 0 || !mem_want(LT_MEMG_KILL, LT_EV_KILL, ctx->ret))
		return 0;
	e = bpf_ringbuf_reserve(&ring_bulk, sizeof(*e), 0);
	if (!e) {
		drop_count(LT_DROP_MEM);
		return 0;
	}
	mem_target(e, tid ? tid : pid);
	/* not to the caller's own process, nor to ltrack (every stop and reload would show) */
	if (e->target_tgid == (__u32)(bpf_get_current_pid_tgid() >> 32) ||
	    (e->target_tgid && e->target_tgid == lt_self_tgid)) {
		bpf_ringbuf_discard(e, BPF_RB_NO_WAKEUP);
		return 0;
	}
	mem_hdr(&e->hdr, LT_EV_KILL, sizeof(*e), ctx->id, ctx->ret);
	e->request = sig;
	e->addr = 0;
	e->data = 0;
	e->pid_arg = pid;
	e->tid_arg = tid;
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_kill")
int lt_mem_kill(struct mem_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();

	return mem_kill(ctx, (int)sys_arg(r, 0), 0, (int)sys_arg(r, 1));
}

SEC("tracepoint/syscalls/sys_exit_tkill")
int lt_mem_tkill(struct mem_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();

	return mem_kill(ctx, 0, (int)sys_arg(r, 0), (int)sys_arg(r, 1));
}

SEC("tracepoint/syscalls/sys_exit_tgkill")
int lt_mem_tgkill(struct mem_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();

	return mem_kill(ctx, (int)sys_arg(r, 0), (int)sys_arg(r, 1), (int)sys_arg(r, 2));
}

/* ---- kernel modules ---------------------------------------------------------------- */

/*
 * Kernels without CONFIG_MODULES have no tracepoints for these syscalls
 * (they are sys_ni_syscall): the programs are then loaded (verified) but
 * not attached (src/loader.c, its program table).
 */
static __always_inline int mem_module(struct mem_exit_ctx *ctx, __u32 type, __u64 len, int fd,
				      __u32 flags, const char *uname)
{
	struct lt_module_ev *e;
	struct lt_scratch *s;
	__u32 n;

	if (!mem_want(LT_MEMG_MODULES, type, ctx->ret))
		return 0;
	s = scratch_get();
	e = evbuf_get();
	if (!s || !e)
		return 0;
	mem_hdr(&e->hdr, type, 0, ctx->id, ctx->ret);
	e->len = len;
	e->fd = fd;
	e->flags = flags;
	e->str_len = 0;
	e->str_flags = 0;
	e->pad = 0;
	if (fd >= 0) {
		struct file *f = fd_file(fd);

		if (f) {
			struct lt_loc l;
			__u16 pf;
			int pos;

			loc_of_file(&l, f);
			pos = loc_build(s, &l, &pf);
			e->str_len = str_put_path(e->str, 0, s, pos);
			e->str_flags = pf;
		}
	} else if (uname) {
		long r = bpf_probe_read_user_str(e->str, LT_NAME_MAX, uname);

		e->str_len = r > 0 ? r : 0;
	}
	n = (sizeof(*e) + e->str_len) & (LT_EVBUF - 1);
	e->hdr.size = n;
	if (bpf_ringbuf_output(&ring_bulk, e, n, BPF_RB_NO_WAKEUP))
		drop_count(LT_DROP_MEM);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_init_module")
int lt_mem_init_module(struct mem_exit_ctx *ctx)
{
	return mem_module(ctx, LT_EV_MODULE_LOAD, sys_arg(cur_regs(), 1), -1, 0, NULL);
}

SEC("tracepoint/syscalls/sys_exit_finit_module")
int lt_mem_finit_module(struct mem_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();

	return mem_module(ctx, LT_EV_MODULE_LOAD, 0, (int)sys_arg(r, 0), sys_arg(r, 2), NULL);
}

SEC("tracepoint/syscalls/sys_exit_delete_module")
int lt_mem_delete_module(struct mem_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();

	return mem_module(ctx, LT_EV_MODULE_DELETE, 0, -1, sys_arg(r, 1),
			  (const char *)sys_arg(r, 0));
}
