// SPDX-License-Identifier: MIT
/*
 * memmon.c - attach mem's programs by [security_monitor] group. See memmon.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "concern.h"
#include "loader.h"
#include "log.h"
#include "memmon.h"
#include "ltrack.skel.h"

#define CRED_PAIR(sc)                                                         \
	{ "lt_mem_enter_" #sc, LT_MEMG_CREDS, LT_C_MEM_CREDENTIALS },          \
	{ "lt_mem_exit_" #sc, LT_MEMG_CREDS, LT_C_MEM_CREDENTIALS }

static const struct {
	const char *name;
	uint32_t groups;
	int concern;		/* enum lt_concern (src/concern.h) */
} mem_progs[] = {
	{ "lt_mem_mmap", LT_MEMG_MEMORY, LT_C_MEM_MEMORY },
	{ "lt_mem_mprotect", LT_MEMG_MEMORY, LT_C_MEM_MEMORY },
	{ "lt_mem_pkey_mprotect", LT_MEMG_MEMORY, LT_C_MEM_MEMORY },
	{ "lt_mem_memfd", LT_MEMG_FILELESS, LT_C_MEM_FILELESS },
	CRED_PAIR(setuid),
	CRED_PAIR(setgid),
	CRED_PAIR(setreuid),
	CRED_PAIR(setregid),
	CRED_PAIR(setresuid),
	CRED_PAIR(setresgid),
	CRED_PAIR(setfsuid),
	CRED_PAIR(setfsgid),
	CRED_PAIR(capset),
	{ "lt_mem_ptrace", LT_MEMG_PTRACE, LT_C_MEM_PTRACE },
	{ "lt_mem_kill", LT_MEMG_KILL, LT_C_MEM_KILL },
	{ "lt_mem_tkill", LT_MEMG_KILL, LT_C_MEM_KILL },
	{ "lt_mem_tgkill", LT_MEMG_KILL, LT_C_MEM_KILL },
	/* without bpf_task_from_vpid: the target of kill */
	{ "lt_mem_signal", LT_MEMG_KILL, LT_C_MEM_KILL },
	{ "lt_mem_init_module", LT_MEMG_MODULES, LT_C_MEM_MODULES },
	{ "lt_mem_finit_module", LT_MEMG_MODULES, LT_C_MEM_MODULES },
	{ "lt_mem_delete_module", LT_MEMG_MODULES, LT_C_MEM_MODULES },
};
#define N_MEM_PROGS (sizeof(mem_progs) / sizeof(mem_progs[0]))

struct memmon {
	struct ltrack_bpf *sk;
	const struct concern_state *cs;		/* the loader's */
	struct bpf_program *progs[N_MEM_PROGS];	/* NULL: not loaded (absent here, concern off) */
	struct bpf_link *links[N_MEM_PROGS];
	uint64_t warned_off;			/* loader_warn_wanted() */
};

int memmon_prog_concern(const char *name)
{
	for (size_t i = 0; i < N_MEM_PROGS; i++)
		if (!strcmp(mem_progs[i].name, name))
			return mem_progs[i].concern;
	return -ENOENT;
}

uint32_t memmon_groups(const struct lt_config *c)
{
	uint32_t g = 0;

	if (!c->have_policy)
		return 0;
	g |= c->sec_memory ? LT_MEMG_MEMORY : 0;
	g |= c->sec_fileless ? LT_MEMG_FILELESS : 0;
	g |= c->sec_credentials ? LT_MEMG_CREDS : 0;
	g |= c->sec_ptrace ? LT_MEMG_PTRACE : 0;
	g |= c->sec_kill ? LT_MEMG_KILL : 0;
	g |= c->sec_modules ? LT_MEMG_MODULES : 0;
	return g;
}

struct memmon *memmon_new(struct ltrack_bpf *sk, const struct concern_state *cs)
{
	struct memmon *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->sk = sk;
	m->cs = cs;
	for (size_t i = 0; i < N_MEM_PROGS; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(sk->obj, mem_progs[i].name);

		if (!p) {
			log_warn("BPF program %s missing from the object", mem_progs[i].name);
			continue;
		}
		/* not loaded: the loader said why (no tracepoint here, its concern off) */
		if (bpf_program__fd(p) >= 0)
			m->progs[i] = p;
	}
	return m;
}

int memmon_prepare(struct memmon *m, uint32_t gen, const struct lt_config *c, char *err,
		   size_t errlen)
{
	struct lt_mem_policy pol = { .groups = memmon_groups(c) };

	if (bpf_map_update_elem(bpf_map__fd(m->sk->maps.lt_mem_policy), &gen, &pol, BPF_ANY)) {
		int e = errno;

		snprintf(err, errlen, "cannot set the [security_monitor] policy: %s", strerror(e));
		return -e;
	}
	for (size_t i = 0; i < N_MEM_PROGS; i++) {
		if (m->links[i] || !(mem_progs[i].groups & pol.groups))
			continue;
		if (!m->progs[i]) {
			loader_warn_wanted(m->cs, mem_progs[i].concern, &m->warned_off);
			continue;
		}
		m->links[i] = bpf_program__attach(m->progs[i]);
		if (!m->links[i]) {
			int e = errno;

			snprintf(err, errlen, "cannot attach %s: %s", mem_progs[i].name, strerror(e));
			return -e;
		}
	}
	return 0;
}

void memmon_commit(struct memmon *m, const struct lt_config *c)
{
	uint32_t groups = memmon_groups(c);

	for (size_t i = 0; i < N_MEM_PROGS; i++) {
		if (m->links[i] && !(mem_progs[i].groups & groups)) {
			bpf_link__destroy(m->links[i]);
			m->links[i] = NULL;
		}
	}
}

int memmon_attached(const struct memmon *m)
{
	int n = 0;

	for (size_t i = 0; m && i < N_MEM_PROGS; i++)
		n += m->links[i] != NULL;
	return n;
}

void memmon_free(struct memmon *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < N_MEM_PROGS; i++)
		bpf_link__destroy(m->links[i]);
	free(m);
}
