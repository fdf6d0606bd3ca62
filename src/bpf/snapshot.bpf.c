// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * snapshot.bpf.c - the processes already running when ltrack starts.
 *
 * A task iterator writes one LT_EV_PROC_SNAP record per thread-group leader
 * into the iterator's seq_file. It carries the same key fields as the
 * header of a live event (tgid, group leader start_boottime, the parent's
 * key), so a process that started before ltrack is keyed exactly like one
 * seen at exec. /proc start times (clock ticks) would not match the
 * nanosecond key.
 */
#include "common.bpf.h"
#include "path.bpf.h"

static __always_inline void hdr_fill_task(struct lt_hdr *h, struct task_struct *t)
{
	struct task_struct *parent = TR(t, real_parent);

	h->ts_boot_ns = bpf_ktime_get_boot_ns();
	h->start_ns = BPF_CORE_READ(t, start_boottime);
	h->parent_start_ns = task_start_ns(parent);
	h->type = LT_EV_PROC_SNAP;
	h->size = 0;
	h->tgid = BPF_CORE_READ(t, tgid);
	h->tid = BPF_CORE_READ(t, pid);
	h->ppid = BPF_CORE_READ(parent, tgid);
	h->uid = BPF_CORE_READ(t, cred, uid.val);
	h->gid = BPF_CORE_READ(t, cred, gid.val);
	h->euid = BPF_CORE_READ(t, cred, euid.val);
	h->loginuid = BPF_CORE_READ(t, loginuid.val);
	h->syscall_nr = -1;
	h->ret = 0;
	h->flags = 0;
	BPF_CORE_READ_STR_INTO(&h->comm, t, comm);
	hdr_ctx(h, t);
}

SEC("iter/task")
int lt_snapshot(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *t = ctx->task;
	struct lt_scratch *s = scratch_get();
	struct lt_exec_ev *e;
	struct file *exe;
	struct lt_loc l;
	__u32 off = 0, n;
	__u16 pf;
	int pos;

	if (!t || !s || t->pid != t->tgid)
		return 0;
	e = evbuf_get();
	if (!e)
		return 0;
	hdr_fill_task(&e->hdr, t);
	e->argc = 0;
	e->pad = 0;
	file_id(&e->exe, NULL);
	e->filename_len = e->requested_len = e->interp_len = e->cwd_len = e->args_len = 0;
	e->filename_flags = e->cwd_flags = e->eflags = 0;
	e->egid = e->mem_pad = 0;	/* mem */
	e->cap_effective = e->cap_permitted = 0;
	cg_v1_fill(e->cg_v1, t);	/* ctx */

	exe = BPF_CORE_READ(t, mm, exe_file);
	if (exe) {	/* kernel threads have no image */
		loc_of_file(&l, exe);
		file_id(&e->exe, BPF_CORE_READ(exe, f_inode));
		pos = loc_build_task(s, &l, &pf, t);
		n = str_put_path(e->str, off, s, pos);
		e->filename_len = n;
		e->filename_flags = pf;
		off += n;
	}
	if (BPF_CORE_READ(t, fs)) {
		struct path pwd = BPF_CORE_READ(t, fs, pwd);

		loc_from_path(&l, &pwd);
		pos = loc_build_task(s, &l, &pf, t);
		n = str_put_path(e->str, off, s, pos);
		e->cwd_len = n;
		e->cwd_flags = pf;
		off += n;
	}
	n = (sizeof(*e) + off) & (LT_EVBUF - 1);
	e->hdr.size = n;
	bpf_seq_write(seq, e, n);
	return 0;
}
