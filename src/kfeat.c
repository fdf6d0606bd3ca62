// SPDX-License-Identifier: MIT
/*
 * kfeat.c - kernel feature probes. See kfeat.h.
 *
 * Each feature is asked of the kernel itself: a kfunc by loading a tiny
 * program that calls it (present in BTF is not enough: it must also be
 * registered for tracepoint programs), a tracepoint's arguments by the
 * prototype of its btf_trace_<name> typedef, a hook by that typedef's
 * existence. None of it depends on the kernel's version number, so a
 * distribution kernel with backports gets what it really has.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "kfeat.h"
#include "log.h"
#include "ltrack.skel.h"

/* the names LTRACK_KFEAT_OFF accepts */
static const struct {
	const char *name;
	size_t off;
} kfeat_names[] = {
	{ "rdonly_cast", offsetof(struct kfeat, rdonly_cast) },
	{ "exit_group_dead", offsetof(struct kfeat, exit_group_dead) },
	{ "task_from_vpid", offsetof(struct kfeat, task_from_vpid) },
};

static const struct kfeat *kfeat_current;

const struct kfeat *kfeat_get(void)
{
	return kfeat_current;
}

void kfeat_set(const struct kfeat *kf)
{
	kfeat_current = kf;
}

/* can a tracepoint program call bpf_rdonly_cast (6.2)? Loads a 5-instruction program */
static bool probe_rdonly_cast(const struct btf *vmlinux)
{
	int fn = btf__find_by_name_kind(vmlinux, "bpf_rdonly_cast", BTF_KIND_FUNC);
	int ts = btf__find_by_name_kind(vmlinux, "task_struct", BTF_KIND_STRUCT);
	struct bpf_insn insns[] = {
		/* r1 = 0; r2 = btf id of task_struct; call bpf_rdonly_cast; r0 = 0; exit */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1, .imm = 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2, .imm = ts },
		{ .code = BPF_JMP | BPF_CALL, .src_reg = BPF_PSEUDO_KFUNC_CALL, .imm = fn },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd;

	if (fn < 0 || ts < 0)
		return false;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "lt_probe_cast", "GPL", insns,
			   sizeof(insns) / sizeof(insns[0]), NULL);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* the prototype behind btf_trace_@name, or NULL */
static const struct btf_type *tp_proto(const struct btf *vmlinux, const char *name)
{
	char tname[128];
	const struct btf_type *t;
	int id;

	if (!vmlinux || snprintf(tname, sizeof(tname), "btf_trace_%s", name) >= (int)sizeof(tname))
		return NULL;
	id = btf__find_by_name_kind(vmlinux, tname, BTF_KIND_TYPEDEF);
	if (id < 0)
		return NULL;
	t = btf__type_by_id(vmlinux, id);
	t = t ? btf__type_by_id(vmlinux, t->type) : NULL;	/* the pointer */
	t = t && btf_is_ptr(t) ? btf__type_by_id(vmlinux, t->type) : NULL;
	return t && btf_is_func_proto(t) ? t : NULL;
}

bool kfeat_tp_btf_exists(const struct kfeat *kf, const char *name)
{
	return tp_proto(kf->vmlinux, name) != NULL;
}

/* LTRACK_KFEAT_OFF: turn the listed features off */
static int apply_off(struct kfeat *kf, const char *list, char *err, size_t errlen)
{
	char *copy = strdup(list), *save = NULL, *tok;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(kfeat_names) / sizeof(kfeat_names[0]); i++)
			if (!strcmp(tok, kfeat_names[i].name))
				break;
		if (i == sizeof(kfeat_names) / sizeof(kfeat_names[0])) {
			snprintf(err, errlen, "LTRACK_KFEAT_OFF: unknown feature '%s'", tok);
			rc = -EINVAL;
			goto out_free;
		}
		*(bool *)((char *)kf + kfeat_names[i].off) = false;
		kf->forced = true;
	}
out_free:
	free(copy);
	return rc;
}

int kfeat_probe(struct kfeat *kf, char *err, size_t errlen)
{
	const struct btf_type *exit_tp;
	const char *off = getenv("LTRACK_KFEAT_OFF");
	int rc;

	memset(kf, 0, sizeof(*kf));
	kf->vmlinux = btf__load_vmlinux_btf();
	if (!kf->vmlinux) {
		rc = -errno;
		snprintf(err, errlen, "this kernel has no BTF (/sys/kernel/btf/vmlinux): %s",
			 strerror(-rc));
		return rc;
	}
	kf->rdonly_cast = probe_rdonly_cast(kf->vmlinux);
	/* (void *__data, struct task_struct *p, bool group_dead) */
	exit_tp = tp_proto(kf->vmlinux, "sched_process_exit");
	kf->exit_group_dead = exit_tp && btf_vlen(exit_tp) >= 3;
	/*
	 * a kfunc the BPF side calls only when libbpf resolved it (src/bpf/mem.bpf.c):
	 * its presence in BTF is what libbpf checks too
	 */
	kf->task_from_vpid =
		btf__find_by_name_kind(kf->vmlinux, "bpf_task_from_vpid", BTF_KIND_FUNC) >= 0;
	if (off && *off) {
		rc = apply_off(kf, off, err, errlen);
		if (rc) {
			kfeat_release(kf);
			return rc;
		}
	}
	return 0;
}

void kfeat_apply(const struct kfeat *kf, struct ltrack_bpf *skel)
{
	skel->rodata->lt_kf_cast = kf->rdonly_cast;
	skel->rodata->lt_kf_exit_gd = kf->exit_group_dead;
	skel->rodata->lt_kf_task_vpid = kf->task_from_vpid;
}

const char *kfeat_reads(const struct kfeat *kf)
{
	return kf->rdonly_cast ? "direct" : "probe";
}

const char *kfeat_exit(const struct kfeat *kf)
{
	return kf->exit_group_dead ? "group_dead" : "signal_live";
}

void kfeat_drop_btf(struct kfeat *kf)
{
	btf__free(kf->vmlinux);
	kf->vmlinux = NULL;
}

void kfeat_release(struct kfeat *kf)
{
	if (kfeat_current == kf)
		kfeat_current = NULL;
	btf__free(kf->vmlinux);
	kf->vmlinux = NULL;
}
