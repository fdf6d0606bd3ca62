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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct proctree;
struct cg_entry;
struct cg_v1;

#define PROC_ARGS_MAX 4096	/* argv bytes kept per process (as LT_ARGS_MAX) */
#define PROC_ARGS_BUDGET (16u << 20)	/* argv bytes of the whole table */
#define PROC_ARGS_SHORT 256	/* per process once the budget is spent */

struct proc {
	uint32_t tgid;
	uint64_t start_ns;
	uint32_t ppid;
	uint64_t parent_start_ns;
	char *exe;		/* absolute image path, or NULL when unknown */
	char *prev_exe;		/* the image before the last exec */
	uint64_t exec_ns;	/* boot ns of the last exec seen, 0 if none */
	uint64_t exited_ns;	/* boot ns of the exit, 0 while alive */
	/* ctx: argv for ancestry, and the context cache (container.h) */
	char *args;		/* NUL-separated argv, at most PROC_ARGS_MAX bytes, or NULL */
	size_t args_len;
	char *prev_args;	/* argv before the last exec */
	size_t prev_args_len;
	uint64_t cg_id;		/* the cgroup_id cg and v1 were computed for; 0 = stale */
	struct cg_entry *cg;	/* a reference (cgcache_ref), released with the entry */
	struct cg_v1 *v1;	/* owned: v1 paths on hybrid hosts, or NULL */
	bool v1_valid;		/* v1 was read for the current image (exec clears it) */
	/* internal */
	struct proc *hnext;
	struct proc *lru_prev, *lru_next;
};

struct proctree_stats {
	size_t entries;
	size_t max;
	uint64_t evicted;	/* removed to make room before their grace ended */
	uint64_t misses;	/* lookups of unknown processes */
	uint64_t expired;	/* ctx: exited entries freed after their grace */
	size_t args_bytes;	/* ctx: argv bytes held */
	uint64_t args_cut;	/* ctx: argv kept short because of the budget */
	size_t bytes;		/* the table, its entries and argv (not the paths they name) */
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

/*
 * ctx: proctree_set_args - keep argv @args (@len bytes, NUL-separated) as
 * @p's, cut at PROC_ARGS_MAX, or at PROC_ARGS_SHORT while the table holds
 * more than PROC_ARGS_BUDGET bytes of argv (memory stays bounded: at most
 * about budget + entries * PROC_ARGS_SHORT * 2). proctree_exec moves the
 * current argv to prev_args first. Returns 0 or -ENOMEM (the old stays).
 */
int proctree_set_args(struct proctree *t, struct proc *p, const char *args, size_t len);

/* ctx: proctree_args_at - @p's argv at boot time @ts_ns (NULL when unknown) */
const char *proctree_args_at(const struct proc *p, uint64_t ts_ns, size_t *len);

#endif
