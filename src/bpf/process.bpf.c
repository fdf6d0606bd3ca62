// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * process.bpf.c - process lifecycle: exec, fork (processes, not threads)
 * and exit (once per process).
 *
 * Every exec and every exit crosses to user space, because the process
 * table there needs the image path and the end of each process to enrich
 * all other events. Only those selected by [exec_monitor] carry the full
 * record (argv, cwd, requested path) and are printed; the others are slim.
 * Forks are sent only when selected: an unselected child is found from its
 * parent's key, which every event header carries.
 */
#include "common.bpf.h"
#include "path.bpf.h"
#include "filter.bpf.h"
#include "mem.bpf.h"	/* mem: fileless and privilege-gain flags */

#define SIGNAL_GROUP_EXIT_ 0x00000004

/* copy a dentry's name into s->name; returns its length */
static __always_inline int dentry_name(struct lt_scratch *s, struct dentry *d)
{
	struct qstr q = BPF_CORE_READ(d, d_name);
	__u32 len = q.len;

	if (len > LT_NAME_MAX - 1)
		len = LT_NAME_MAX - 1;
	bpf_probe_read_kernel(s->name, len & (LT_NAME_MAX - 1), q.name);
	s->name[len & (LT_NAME_MAX - 1)] = 0;
	return len;
}

static __always_inline int comm_name(struct lt_scratch *s)
{
	int n = 0;

	bpf_get_current_comm(s->name2, 16);
	for (int i = 0; i < 16; i++) {
		if (!s->name2[i])
			break;
		n++;
	}
	return n;
}

/*
 * proc_selected - the [exec_monitor] verdict for the current process,
 * computed from its image and comm when the table has none for this
 * process and policy generation.
 */
static __always_inline bool proc_selected(struct task_struct *t, struct lt_policy *pol, __u32 gen)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct lt_proc_val *pv = bpf_map_lookup_elem(&lt_proc, &tgid);
	__u64 start = task_start_ns(t);
	struct lt_proc_val nv = {};
	struct lt_scratch *s;
	int ilen = 0, clen;

	if (!pol->exec_report)
		return false;
	if (pv && pv->start_ns == start && pv->gen == gen)
		return pv->selected;
	s = scratch_get();
	if (!s)
		return false;
	{
		struct dentry *d = BPF_CORE_READ(t, mm, exe_file, f_path.dentry);

		if (d)
			ilen = dentry_name(s, d);
	}
	clen = comm_name(s);
	nv.start_ns = start;
	nv.gen = gen;
	nv.selected = cmd_selected(pol, gen, ilen, clen);
	bpf_map_update_elem(&lt_proc, &tgid, &nv, BPF_ANY);
	return nv.selected;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(lt_exec, struct task_struct *t, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 gen = gen_active();
	struct lt_policy *pol = policy_get(gen);
	struct lt_scratch *s = scratch_get();
	struct lt_exec_ev *e;
	struct lt_proc_val pv = {};
	struct lt_loc l;
	struct file *f;
	const char *fname, *interp;
	__u32 tgid, off = 0, n;
	__u16 pf;
	int pos, ilen, clen;
	bool sel, report;

	if (!s || !pol || is_self())
		return 0;
	e = evbuf_get();
	if (!e)
		return 0;
	hdr_fill(&e->hdr, LT_EV_EXEC, t);
	e->hdr.syscall_nr = BPF_CORE_READ(cur_regs(), orig_ax);

	f = BPF_CORE_READ(bprm, file);
	loc_of_file(&l, f);
	file_id(&e->exe, BPF_CORE_READ(f, f_inode));
	e->argc = 0;
	e->pad = 0;
	e->filename_len = e->requested_len = e->interp_len = e->cwd_len = e->args_len = 0;
	e->filename_flags = e->cwd_flags = e->eflags = 0;
	cg_v1_fill(e->cg_v1, t);	/* ctx: for every exec, the process table keeps it */

	/* selection: image basename or comm */
	ilen = dentry_name(s, l.d);
	clen = comm_name(s);
	sel = pol->exec_report && cmd_selected(pol, gen, ilen, clen);
	tgid = e->hdr.tgid;
	pv.start_ns = e->hdr.start_ns;
	pv.selected = sel;
	pv.gen = gen;
	bpf_map_update_elem(&lt_proc, &tgid, &pv, BPF_ANY);
	/* ctx: --events/--pid/--uid gate the report, never the process table */
	report = sel && ev_gate(pol, LT_EV_EXEC);

	pos = loc_build(s, &l, &pf);
	n = str_put_path(e->str, off, s, pos);
	/* mem: fileless image (a memfd gets its name) and privilege gain */
	n = mem_exec_check(e, bprm, t, n);
	e->filename_len = n;
	e->filename_flags = pf;
	off += n;

	if (!report) {
		e->hdr.flags = LT_HF_SLIM;
		/* ctx: ancestry (--ancestors) needs the argv of unreported processes too */
		if (pol->exec_args)
			goto args;
		goto out;
	}
	e->hdr.flags = LT_HF_REPORT;

	fname = BPF_CORE_READ(bprm, filename);
	interp = BPF_CORE_READ(bprm, interp);
	{
		long r = bpf_probe_read_kernel_str(&e->str[off & LT_STR_MASK], LT_PATH_MAX, fname);

		if (r > 0) {
			e->requested_len = r;
			off += r;
		}
	}
	if (interp != fname) {
		long r = bpf_probe_read_kernel_str(&e->str[off & LT_STR_MASK], LT_PATH_MAX, interp);

		e->eflags |= LT_XF_SCRIPT;
		if (r > 0) {
			e->interp_len = r;
			off += r;
		}
	}
	{
		struct path pwd = BPF_CORE_READ(t, fs, pwd);

		loc_from_path(&l, &pwd);
		pos = loc_build(s, &l, &pf);
		n = str_put_path(e->str, off, s, pos);
		e->cwd_len = n;
		e->cwd_flags = pf;
		off += n;
	}
args:
	{
		unsigned long as = BPF_CORE_READ(t, mm, arg_start);
		unsigned long ae = BPF_CORE_READ(t, mm, arg_end);
		__u32 alen = ae > as ? ae - as : 0;

		if (alen > LT_ARGS_MAX) {
			alen = LT_ARGS_MAX;
			e->eflags |= LT_XF_ARGS_TRUNC;
		}
		if (off > LT_STR_CAP - LT_ARGS_MAX)
			alen = 0;
		bound_mask(alen, 0x1fff);
		if (alen && !bpf_probe_read_user(&e->str[off & LT_STR_MASK], alen, (void *)as)) {
			e->args_len = alen;
			off += alen;
		}
	}
out:
	n = (sizeof(*e) + off) & (LT_EVBUF - 1);
	e->hdr.size = n;
	if (bpf_ringbuf_output(&ring_crit, e, n, crit_wakeup()))
		drop_count(LT_DROP_EXEC);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(lt_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 gen = gen_active();
	struct lt_policy *pol = policy_get(gen);
	struct task_struct *t = bpf_get_current_task_btf();
	struct lt_proc_val cv = {};
	struct lt_fork_ev *e;
	__u32 ctgid;
	bool sel;

	if (!pol || is_self())
		return 0;
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;	/* a thread */
	sel = proc_selected(t, pol, gen);
	ctgid = BPF_CORE_READ(child, tgid);
	cv.start_ns = BPF_CORE_READ(child, start_boottime);
	cv.selected = sel;
	cv.gen = gen;
	bpf_map_update_elem(&lt_proc, &ctgid, &cv, BPF_ANY);
	if (!sel || !ev_gate(pol, LT_EV_FORK))
		return 0;
	e = bpf_ringbuf_reserve(&ring_crit, sizeof(*e), 0);
	if (!e) {
		drop_count(LT_DROP_FORK);
		return 0;
	}
	hdr_fill(&e->hdr, LT_EV_FORK, t);
	e->hdr.size = sizeof(*e);
	e->hdr.flags = LT_HF_REPORT;
	e->hdr.syscall_nr = BPF_CORE_READ(cur_regs(), orig_ax);
	e->hdr.ret = ctgid;
	e->child_tgid = ctgid;
	e->child_start_ns = cv.start_ns;
	e->pad = 0;
	bpf_ringbuf_submit(e, crit_wakeup());
	return 0;
}

SEC("tp_btf/sched_process_exit")
int lt_exit(__u64 *ctx)
{
	struct task_struct *t = (struct task_struct *)ctx[0];
	__u32 gen = gen_active();
	struct lt_policy *pol = policy_get(gen);
	struct lt_exit_ev *e;
	__u32 tgid;
	bool sel;

	if (!pol || is_self() || !exit_group_dead(ctx, t, LT_EXIT_PROC))
		return 0;
	sel = proc_selected(t, pol, gen);
	tgid = bpf_get_current_pid_tgid() >> 32;
	bpf_map_delete_elem(&lt_proc, &tgid);
	e = bpf_ringbuf_reserve(&ring_crit, sizeof(*e), 0);
	if (!e) {
		drop_count(LT_DROP_EXIT);
		return 0;
	}
	hdr_fill(&e->hdr, LT_EV_EXIT, t);
	e->hdr.size = sizeof(*e);
	e->hdr.flags = sel && ev_gate(pol, LT_EV_EXIT) ? LT_HF_REPORT : LT_HF_SLIM;
	if (BPF_CORE_READ(t, signal, flags) & SIGNAL_GROUP_EXIT_)
		e->status = BPF_CORE_READ(t, signal, group_exit_code);
	else
		e->status = BPF_CORE_READ(t, exit_code);
	e->pad = 0;
	bpf_ringbuf_submit(e, crit_wakeup());
	return 0;
}


