/* SPDX-License-Identifier: MIT */
/*
 * proctree - the user-space process table: (tgid, start time) -> image path
 * and parent key.
 *
 * Invariants:
 *   - the key is (tgid, start_ns), start_ns being the group leader's
 *     start_boottime in ns, so a reused PID never merges two processes;
 *   - the table holds at most `max` entries; when full, the least recently
 *     used entry goes first (exited ones are preferred), so memory is bounded;
 *   - an exited process stays for a grace period, because events it made
 *     may still be queued in the bulk ring behind its exit record.
 * State of an entry: live --exit--> exited --grace elapsed--> freed.
 */
#ifndef LTRACK_PROCTREE_H
#define LTRACK_PROCTREE_H

#include <stddef.h>
#include <stdint.h>

struct proctree;

struct proc {
	uint32_t tgid;
	uint64_t start_ns;
	uint32_t ppid;
	uint64_t parent_start_ns;
	char *exe;		/* absolute image path, or NULL when unknown */
	char *prev_exe;		/* the image before the last exec */
	uint64_t exec_ns;	/* boot ns of the last exec seen, 0 if none */
	uint64_t exited_ns;	/* boot ns of the exit, 0 while alive */
	/* internal */
	struct proc *hnext;
	struct proc *lru_prev, *lru_next;
};

struct proctree_stats {
	size_t entries;
	size_t max;
	uint64_t evicted;	/* removed to make room before their grace ended */
	uint64_t misses;	/* lookups of unknown processes */
};

/* proctree_new - a table of at most @max entries; NULL + errno on failure */
struct proctree *proctree_new(size_t max);

/* proctree_free - free the table; NULL is a no-op */
void proctree_free(struct proctree *t);

/* proctree_get - the entry of (tgid, start_ns), or NULL; marks it used */
struct proc *proctree_get(struct proctree *t, uint32_t tgid, uint64_t start_ns);

/*
 * proctree_put - insert or update (tgid, start_ns). @exe may be NULL
 * (keeps the old one). Returns the entry, or NULL with errno on failure.
 */
struct proc *proctree_put(struct proctree *t, uint32_t tgid, uint64_t start_ns, uint32_t ppid,
			  uint64_t parent_start_ns, const char *exe);

/*
 * proctree_exec - record an exec of (tgid, start_ns) at @ts_ns (boot clock):
 * the image changes to @exe, and the old one is kept for events that
 * happened before @ts_ns but are read after the exec (the rings are
 * consumed one after the other). Returns the entry or NULL with errno.
 */
struct proc *proctree_exec(struct proctree *t, uint32_t tgid, uint64_t start_ns, uint32_t ppid,
			   uint64_t parent_start_ns, const char *exe, uint64_t ts_ns);

/* proctree_exe_at - the image of @p at boot time @ts_ns */
const char *proctree_exe_at(const struct proc *p, uint64_t ts_ns);

/* proctree_exit - mark (tgid, start_ns) exited at @now_ns (boot clock) */
void proctree_exit(struct proctree *t, uint32_t tgid, uint64_t start_ns, uint64_t now_ns);

/* proctree_expire - free exited entries whose grace of @grace_ns ended by @now_ns */
void proctree_expire(struct proctree *t, uint64_t now_ns, uint64_t grace_ns);

void proctree_get_stats(const struct proctree *t, struct proctree_stats *st);

#endif
