// SPDX-License-Identifier: MIT
/*
 * concern.c - the concern table and its state. See concern.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "concern.h"

const struct concern_def concern_defs[LT_NCONCERNS] = {
	[LT_C_PROCESS] = { "process", true, -1, "exec, fork and exit: the process table" },
	[LT_C_SNAPSHOT] = { "snapshot", false, -1,
			    "the processes running at start (read from /proc instead)" },
	[LT_C_FILE] = { "file", false, -1, "delete, rmdir, mkdir, mknod, rename, link, symlink "
			"and attrib in watched directories" },
	/*
	 * file's rename and rmdir programs keep the directory caches right
	 * that the paths of watched files are built from (path.bpf.h): without
	 * them a path below a renamed directory could be stale
	 */
	[LT_C_FILE_OPEN] = { "file-open", false, LT_C_FILE, "open and create (and model loads by "
			     "open, gpu_access)" },
	[LT_C_FILE_MODIFY] = { "file-modify", false, LT_C_FILE, "modify" },
	[LT_C_EVADE_TIMESTOMP] = { "evade.timestomp", false, -1, "timestomp" },
	[LT_C_EVADE_XATTR] = { "evade.xattr", false, -1, "xattr_change" },
	[LT_C_EVADE_TRUNCATE] = { "evade.truncate", false, -1, "truncate" },
	[LT_C_EVADE_NAMESPACES] = { "evade.namespaces", false, -1, "unshare and setns" },
	[LT_C_EVADE_MOUNTS] = { "evade.mounts", false, -1, "mount, umount, pivot_root, chroot" },
	[LT_C_EVADE_BPF] = { "evade.bpf", false, -1, "bpf" },
	[LT_C_EVADE_PERF] = { "evade.perf", false, -1, "perf_event_open" },
	[LT_C_EVADE_PROCESS_VM] = { "evade.process_vm", false, -1, "process_vm_writev" },
	[LT_C_EVADE_PRCTL] = { "evade.prctl", false, -1, "prctl_set_name" },
	[LT_C_EVADE_FD_REDIRECT] = { "evade.fd_redirect", false, -1, "fd_redirect" },
	[LT_C_EVADE_IO_URING] = { "evade.io_uring", false, -1, "io_uring_setup, io_uring_ops" },
	[LT_C_MEM_MEMORY] = { "mem.memory", false, -1, "mem_exec" },
	[LT_C_MEM_FILELESS] = { "mem.fileless", false, -1, "memfd_create" },
	[LT_C_MEM_CREDENTIALS] = { "mem.credentials", false, -1, "cred_change" },
	[LT_C_MEM_PTRACE] = { "mem.ptrace", false, -1, "ptrace" },
	[LT_C_MEM_KILL] = { "mem.kill", false, -1, "kill" },
	[LT_C_MEM_MODULES] = { "mem.modules", false, -1, "module_load, module_delete" },
	[LT_C_LIB] = { "lib", false, -1, "lib_load" },
	[LT_C_LIB_DLOPEN] = { "lib.dlopen", false, -1, "dlopen" },
	[LT_C_NET] = { "net", false, -1, "connect, connect_result, bind, listen, accept, "
		       "udp_send" },
	[LT_C_MODEL] = { "model", false, -1, "model_load by mapping, model_access, "
			 "model_exfil, model_modified" },
	[LT_C_GPU] = { "gpu", false, LT_C_FILE_OPEN, "gpu_access" },
};

int concern_by_name(const char *name)
{
	for (int i = 0; i < LT_NCONCERNS; i++)
		if (!strcmp(concern_defs[i].name, name))
			return i;
	return -ENOENT;
}

/* append to @out at *@o, never past @outlen; *@o stops at the end when cut */
static void appendf(char *out, size_t outlen, size_t *o, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void appendf(char *out, size_t outlen, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*o >= outlen)
		return;
	va_start(ap, fmt);
	n = vsnprintf(out + *o, outlen - *o, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*o = (size_t)n >= outlen - *o ? outlen - 1 : *o + (size_t)n;
}

void concern_names(char *out, size_t outlen)
{
	size_t o = 0;

	if (!outlen)
		return;
	out[0] = '\0';
	for (int i = 0; i < LT_NCONCERNS; i++)
		appendf(out, outlen, &o, "%s%s", i ? ", " : "", concern_defs[i].name);
}

void concern_init(struct concern_state cs[LT_NCONCERNS])
{
	memset(cs, 0, LT_NCONCERNS * sizeof(*cs));
	for (int i = 0; i < LT_NCONCERNS; i++)
		snprintf(cs[i].variant, sizeof(cs[i].variant), "default");
}

void concern_set_off(struct concern_state cs[LT_NCONCERNS], int c, const char *reason,
		     const char *prog, int err)
{
	struct concern_state *s;

	if (c < 0 || c >= LT_NCONCERNS || cs[c].off)
		return;
	s = &cs[c];
	s->off = true;
	snprintf(s->reason, sizeof(s->reason), "%s", reason);
	snprintf(s->program, sizeof(s->program), "%s", prog ? prog : "");
	s->err = err;
}

int concern_propagate(struct concern_state cs[LT_NCONCERNS])
{
	int n = 0;
	bool again = true;

	/* a chain of needs settles in at most LT_NCONCERNS rounds */
	for (int round = 0; again && round < LT_NCONCERNS; round++) {
		again = false;
		for (int i = 0; i < LT_NCONCERNS; i++) {
			int dep = concern_defs[i].needs;
			char why[CONCERN_REASON_LEN];

			if (cs[i].off || dep < 0 || !cs[dep].off)
				continue;
			snprintf(why, sizeof(why), "needs %s", concern_defs[dep].name);
			concern_set_off(cs, i, why, NULL, 0);
			n++;
			again = true;
		}
	}
	return n;
}

void concern_summary(const struct concern_state cs[LT_NCONCERNS], char *out, size_t outlen)
{
	size_t o = 0;
	bool any_off = false;

	if (!outlen)
		return;
	out[0] = '\0';
	/* the concerns on, one group per variant, in table order of first appearance */
	for (int i = 0; i < LT_NCONCERNS; i++) {
		bool first_of_variant = !cs[i].off;

		for (int j = 0; j < i && first_of_variant; j++)
			if (!cs[j].off && !strcmp(cs[j].variant, cs[i].variant))
				first_of_variant = false;
		if (!first_of_variant)
			continue;
		appendf(out, outlen, &o, "%son (%s):", o ? "; " : "", cs[i].variant);
		for (int j = i; j < LT_NCONCERNS; j++)
			if (!cs[j].off && !strcmp(cs[j].variant, cs[i].variant))
				appendf(out, outlen, &o, " %s", concern_defs[j].name);
	}
	for (int i = 0; i < LT_NCONCERNS; i++) {
		if (!cs[i].off)
			continue;
		appendf(out, outlen, &o, "%s %s (%s)", any_off ? "," : o ? "; off:" : "off:",
			concern_defs[i].name, cs[i].reason);
		any_off = true;
	}
}
