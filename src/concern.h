/* SPDX-License-Identifier: MIT */
/*
 * concern - the units ltrack turns on or off as a whole: every BPF program
 * belongs to exactly one concern (the column of the program tables in
 * loader.c), and a concern is loaded with all its programs or
 * not at all.
 *
 * When the kernel refuses a program (the verifier, a missing attach
 * target), the loader turns that program's whole concern off and loads the
 * rest (src/loader.c). Only the process concern is essential: without the
 * process table nothing else is worth reporting. A concern may need
 * another: it is off when that one is. file-open and file-modify need
 * file, whose rename and rmdir programs keep the directory caches of
 * watched paths right; gpu rides on the open programs of file-open.
 *
 * The state of each concern is kept by the loader and reported in the
 * startup log and in every `stats` event (docs/events.md). This module is
 * the table and its state only (no logging), so the encoders of the stats
 * event link it alone.
 */
#ifndef LTRACK_CONCERN_H
#define LTRACK_CONCERN_H

#include <stdbool.h>
#include <stddef.h>

enum lt_concern {
	LT_C_PROCESS,		/* exec, fork, exit */
	LT_C_SNAPSHOT,		/* the startup task iterator */
	LT_C_FILE,		/* namespace operations and attributes in watched dirs */
	LT_C_FILE_OPEN,		/* the open family: open, create (and model, gpu on top); needs file */
	LT_C_FILE_MODIFY,	/* modify: close tracking, truncate; needs file */
	/* evade: one per [security_monitor] group (LT_EG_*) */
	LT_C_EVADE_TIMESTOMP,
	LT_C_EVADE_XATTR,
	LT_C_EVADE_TRUNCATE,
	LT_C_EVADE_NAMESPACES,
	LT_C_EVADE_MOUNTS,
	LT_C_EVADE_BPF,
	LT_C_EVADE_PERF,
	LT_C_EVADE_PROCESS_VM,
	LT_C_EVADE_PRCTL,
	LT_C_EVADE_FD_REDIRECT,
	LT_C_EVADE_IO_URING,
	/* mem: one per [security_monitor] group (LT_MEMG_*) */
	LT_C_MEM_MEMORY,
	LT_C_MEM_FILELESS,
	LT_C_MEM_CREDENTIALS,
	LT_C_MEM_PTRACE,
	LT_C_MEM_KILL,
	LT_C_MEM_MODULES,
	LT_C_LIB,		/* lib_load */
	LT_C_LIB_DLOPEN,	/* the dlopen uprobes */
	LT_C_NET,
	LT_C_MODEL,
	LT_C_GPU,		/* no program of its own: needs file-open */
	LT_NCONCERNS
};

struct concern_def {
	const char *name;	/* as in logs, `stats` and LTRACK_FAULT_CONCERN */
	bool essential;		/* cannot load: the agent exits 2 */
	int needs;		/* another concern this one is useless without, or -1 */
	const char *what;	/* what is lost when it is off (docs, logs) */
};

extern const struct concern_def concern_defs[LT_NCONCERNS];

#define CONCERN_REASON_LEN 96
#define CONCERN_VARIANT_LEN 32
#define CONCERN_PROG_LEN 64

struct concern_state {
	bool off;
	bool absent;				/* off: its hooks do not exist on this kernel */
	char reason[CONCERN_REASON_LEN];	/* why it is off: "verifier: too large", ... */
	char program[CONCERN_PROG_LEN];		/* the program the kernel refused, or "" */
	int err;				/* that refusal's errno, or 0 */
	/*
	 * which flavour of the concern's programs runs, chosen from feature
	 * probes before the load (loader_prepare); "default" when there is
	 * only one
	 */
	char variant[CONCERN_VARIANT_LEN];
};

/* concern_by_name - the concern called @name, or -ENOENT */
int concern_by_name(const char *name);

/* concern_names - every name, comma-separated, into @out (for messages) */
void concern_names(char *out, size_t outlen);

/* concern_init - every concern on, variant "default" */
void concern_init(struct concern_state cs[LT_NCONCERNS]);

/*
 * concern_set_off - turn @c off because of @reason (and, when a program
 * was refused, its name and errno: @prog NULL, @err 0 otherwise). Keeps
 * the first reason when @c is off already.
 */
void concern_set_off(struct concern_state cs[LT_NCONCERNS], int c, const char *reason,
		     const char *prog, int err);

/*
 * concern_propagate - turn off every concern whose needed concern is off
 * ("needs file-open"). Returns the number of concerns it turned off.
 */
int concern_propagate(struct concern_state cs[LT_NCONCERNS]);

/*
 * concern_summary - one line for the startup log: the concerns on, grouped
 * by variant, then each one off with its reason, e.g.
 * "on (default): process snapshot file ...; off: file-modify (verifier: too large)"
 */
void concern_summary(const struct concern_state cs[LT_NCONCERNS], char *out, size_t outlen);

#endif
