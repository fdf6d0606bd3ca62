/* SPDX-License-Identifier: MIT */
/*
 * kfeat - what the running kernel offers the BPF side, found by probing
 * (its BTF, and test loads), never by its version number. The answers
 * select the variants of src/bpf/core_fixes.bpf.h through rodata knobs set
 * before load, and which hooks exist at all.
 *
 * LTRACK_KFEAT_OFF (a comma-separated list of feature names, see
 * kfeat_names) makes ltrack act as if the kernel lacked them: the tests
 * run the fallbacks on a kernel that has everything.
 */
#ifndef LTRACK_KFEAT_H
#define LTRACK_KFEAT_H

#include <stdbool.h>
#include <stddef.h>

struct btf;
struct ltrack_bpf;

/* the probed features; each false means its fallback runs */
struct kfeat {
	struct btf *vmlinux;	/* the kernel's BTF (NULL: none, nothing else is probed) */
	bool rdonly_cast;	/* kfunc bpf_rdonly_cast callable from a tracepoint program */
	bool exit_group_dead;	/* tp_btf/sched_process_exit passes group_dead */
	bool task_from_vpid;	/* kfunc bpf_task_from_vpid (the target of ptrace and kill) */
	bool forced;		/* some feature was turned off by LTRACK_KFEAT_OFF */
};

/*
 * kfeat_probe - probe the running kernel into @kf (which kfeat_release
 * frees). Honours LTRACK_KFEAT_OFF. Returns 0, or -errno when the kernel
 * has no BTF (ltrack cannot run) or LTRACK_KFEAT_OFF names an unknown
 * feature (message in @err).
 */
int kfeat_probe(struct kfeat *kf, char *err, size_t errlen);

/* kfeat_apply - set the rodata knobs of @skel (opened, not loaded) from @kf */
void kfeat_apply(const struct kfeat *kf, struct ltrack_bpf *skel);

/*
 * kfeat_tp_btf_exists - does the kernel have the BTF-enabled tracepoint
 * @name (what a tp_btf/@name program attaches to)?
 */
bool kfeat_tp_btf_exists(const struct kfeat *kf, const char *name);

/* kfeat_reads - the kernel-read variant in use: "direct" or "probe" */
const char *kfeat_reads(const struct kfeat *kf);

/* kfeat_exit - the process-exit variant in use: "group_dead" or "signal_live" */
const char *kfeat_exit(const struct kfeat *kf);

/*
 * kfeat_get - the features of the running agent's kernel, as its loader
 * probed them (src/loader.c sets them once), or NULL before
 */
const struct kfeat *kfeat_get(void);
void kfeat_set(const struct kfeat *kf);

/*
 * kfeat_drop_btf - free the kernel's BTF (several MiB) once the programs are
 * loaded: the feature flags stay, kfeat_tp_btf_exists() says false from then
 */
void kfeat_drop_btf(struct kfeat *kf);

/* kfeat_release - free what kfeat_probe allocated; a zeroed @kf is fine */
void kfeat_release(struct kfeat *kf);

#endif
