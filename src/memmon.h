/* SPDX-License-Identifier: MIT */
/*
 * memmon - the user-space side of mem's BPF programs (src/bpf/mem.bpf.c):
 * which of them are attached, and mem's per-generation policy map.
 *
 * Each [security_monitor] key is one group (LT_MEMG_*). A group is on when
 * a policy file is in use and its key is true; with only --watch
 * (SysTracer mode) every group is off. A program is attached only while a
 * group it serves is on, so a group turned off costs nothing. The groups
 * are also written to lt_mem_policy for the generation being built, so a
 * program still attached across a reload stops at once.
 *
 * The loader calls memmon_prepare() while it fills the inactive
 * generation, and memmon_commit() after the flip, as it does for its own
 * programs.
 */
#ifndef LTRACK_MEMMON_H
#define LTRACK_MEMMON_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct memmon;
struct ltrack_bpf;

/* memmon_groups - the LT_MEMG_* groups @c turns on */
uint32_t memmon_groups(const struct lt_config *c);

/*
 * memmon_new - find mem's programs in the loaded skeleton @sk. A program
 * that was not loaded (its syscall tracepoint is absent here, e.g. the
 * module syscalls without CONFIG_MODULES, or its concern is off in the
 * loader's @cs) is never attached; when the policy asks for it, that is
 * logged once. Returns NULL with errno on failure.
 */
struct concern_state;
struct memmon *memmon_new(struct ltrack_bpf *sk, const struct concern_state *cs);

/* memmon_prog_concern - the concern of mem's program @name, or -ENOENT */
int memmon_prog_concern(const char *name);

/*
 * memmon_prepare - write the groups of @c into lt_mem_policy[@gen] and
 * attach every program they need. Returns 0, or -errno with @err filled.
 */
int memmon_prepare(struct memmon *m, uint32_t gen, const struct lt_config *c, char *err,
		   size_t errlen);

/* memmon_commit - after the flip: detach the programs @c no longer needs */
void memmon_commit(struct memmon *m, const struct lt_config *c);

/* memmon_attached - the number of mem programs attached */
int memmon_attached(const struct memmon *m);

/* memmon_free - detach everything and free; NULL is a no-op */
void memmon_free(struct memmon *m);

#endif
