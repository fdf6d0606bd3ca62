// SPDX-License-Identifier: MIT
/*
 * proctree.c - chained hash on (tgid, start_ns) plus an LRU list.
 * See proctree.h for the invariants.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "proctree.h"

struct proctree {
	struct proc **buckets;
	size_t nbuckets;	/* power of two */
	size_t n, max;
	struct proc lru;	/* sentinel: lru.lru_next is the most recently used */
	uint64_t evicted, misses;
	uint64_t expired;	/* ctx */
	size_t args_bytes;	/* ctx: argv and prev_args bytes held */
	uint64_t args_cut;
};

static size_t bucket_of(const struct proctree *t, uint32_t tgid, uint64_t start)
{
	uint64_t h = (uint64_t)tgid * 0x9e3779b97f4a7c15ULL ^ start * 0xc2b2ae3d27d4eb4fULL;

	return (h ^ (h >> 29)) & (t->nbuckets - 1);
}

static void lru_unlink(struct proc *p)
{
	p->lru_prev->lru_next = p->lru_next;
	p->lru_next->lru_prev = p->lru_prev;
}

static void lru_push_front(struct proctree *t, struct proc *p)
{
	p->lru_next = t->lru.lru_next;
	p->lru_prev = &t->lru;
	t->lru.lru_next->lru_prev = p;
	t->lru.lru_next = p;
}

struct proctree *proctree_new(size_t max)
{
	struct proctree *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->max = max ? max : 1;
	t->nbuckets = 1;
	while (t->nbuckets < t->max)
		t->nbuckets <<= 1;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->lru.lru_next = t->lru.lru_prev = &t->lru;
	return t;
}

static void proc_remove(struct proctree *t, struct proc *p)
{
	struct proc **pp = &t->buckets[bucket_of(t, p->tgid, p->start_ns)];

	while (*pp && *pp != p)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = p->hnext;
	lru_unlink(p);
	free(p->exe);
	free(p->prev_exe);
	/* ctx */
	t->args_bytes -= p->args_len + p->prev_args_len;
	free(p->args);
	free(p->prev_args);
	cg_entry_put(p->cg);
	cg_v1_free(p->v1);
	free(p);
	t->n--;
}

void proctree_free(struct proctree *t)
{
	if (!t)
		return;
	while (t->lru.lru_next != &t->lru)
		proc_remove(t, t->lru.lru_next);
	free(t->buckets);
	free(t);
}

struct proc *proctree_get(struct proctree *t, uint32_t tgid, uint64_t start_ns)
{
	struct proc *p = t->lru.lru_next;

	/* the one asked for last: events come in runs of one process */
	if (p != &t->lru && p->tgid == tgid && p->start_ns == start_ns)
		return p;
	for (p = t->buckets[bucket_of(t, tgid, start_ns)]; p; p = p->hnext) {
		if (p->tgid == tgid && p->start_ns == start_ns) {
			lru_unlink(p);
			lru_push_front(t, p);
			return p;
		}
	}
	t->misses++;
	return NULL;
}

/* make room for one more: the least recently used exited entry, else the LRU tail */
static void evict_one(struct proctree *t)
{
	struct proc *p, *victim = NULL;
	int scanned = 0;

	for (p = t->lru.lru_prev; p != &t->lru && scanned < 64; p = p->lru_prev, scanned++) {
		if (p->exited_ns) {
			victim = p;
			break;
		}
	}
	if (!victim)
		victim = t->lru.lru_prev;
	if (victim != &t->lru) {
		proc_remove(t, victim);
		t->evicted++;
	}
}

struct proc *proctree_put(struct proctree *t, uint32_t tgid, uint64_t start_ns, uint32_t ppid,
			  uint64_t parent_start_ns, const char *exe)
{
	struct proc *p;
	size_t b = bucket_of(t, tgid, start_ns);

	for (p = t->buckets[b]; p; p = p->hnext)
		if (p->tgid == tgid && p->start_ns == start_ns)
			break;
	if (!p) {
		if (t->n >= t->max)
			evict_one(t);
		p = calloc(1, sizeof(*p));
		if (!p)
			return NULL;
		p->tgid = tgid;
		p->start_ns = start_ns;
		p->hnext = t->buckets[b];
		t->buckets[b] = p;
		t->n++;
	} else {
		lru_unlink(p);
	}
	lru_push_front(t, p);
	p->ppid = ppid;
	p->parent_start_ns = parent_start_ns;
	if (exe && (!p->exe || strcmp(p->exe, exe))) {
		char *dup = strdup(exe);

		if (!dup)
			return NULL;
		free(p->exe);
		p->exe = dup;
	}
	return p;
}

struct proc *proctree_exec(struct proctree *t, uint32_t tgid, uint64_t start_ns, uint32_t ppid,
			   uint64_t parent_start_ns, const char *exe, uint64_t ts_ns)
{
	struct proc *p = proctree_get(t, tgid, start_ns);
	char *old = NULL;

	if (p && p->exe) {
		old = strdup(p->exe);
		if (!old)
			return NULL;
	}
	p = proctree_put(t, tgid, start_ns, ppid, parent_start_ns, exe);
	if (!p) {
		free(old);
		return NULL;
	}
	free(p->prev_exe);
	p->prev_exe = old;
	p->exec_ns = ts_ns;
	/* ctx: the argv of the old image stays for late events; the context is re-read */
	t->args_bytes -= p->prev_args_len;
	free(p->prev_args);
	p->prev_args = p->args;
	p->prev_args_len = p->args_len;
	p->args = NULL;
	p->args_len = 0;
	p->cg_id = 0;
	p->v1_valid = false;
	return p;
}

const char *proctree_exe_at(const struct proc *p, uint64_t ts_ns)
{
	if (p->exec_ns && ts_ns < p->exec_ns && p->prev_exe)
		return p->prev_exe;
	return p->exe;
}

void proctree_exit(struct proctree *t, uint32_t tgid, uint64_t start_ns, uint64_t now_ns)
{
	struct proc *p = t->buckets[bucket_of(t, tgid, start_ns)];

	for (; p; p = p->hnext)
		if (p->tgid == tgid && p->start_ns == start_ns)
			p->exited_ns = now_ns ? now_ns : 1;
}

void proctree_expire(struct proctree *t, uint64_t now_ns, uint64_t grace_ns)
{
	struct proc *p = t->lru.lru_prev, *prev;

	/* exited entries are rarely touched again, so they drift to the tail */
	for (; p != &t->lru; p = prev) {
		prev = p->lru_prev;
		if (p->exited_ns && now_ns > p->exited_ns + grace_ns) {
			proc_remove(t, p);
			t->expired++;
		}
	}
}

void proctree_get_stats(const struct proctree *t, struct proctree_stats *st)
{
	st->entries = t->n;
	st->max = t->max;
	st->evicted = t->evicted;
	st->misses = t->misses;
	st->expired = t->expired;
	st->args_bytes = t->args_bytes;
	st->args_cut = t->args_cut;
	st->bytes = sizeof(*t) + t->nbuckets * sizeof(*t->buckets) + t->n * sizeof(struct proc) +
		    t->args_bytes;
}

int proctree_set_args(struct proctree *t, struct proc *p, const char *args, size_t len)
{
	char *dup;

	if (len > PROC_ARGS_MAX)
		len = PROC_ARGS_MAX;
	if (len > PROC_ARGS_SHORT && t->args_bytes - p->args_len + len > PROC_ARGS_BUDGET) {
		len = PROC_ARGS_SHORT;
		t->args_cut++;
	}
	if (!args || !len) {
		t->args_bytes -= p->args_len;
		free(p->args);
		p->args = NULL;
		p->args_len = 0;
		return 0;
	}
	if (p->args && p->args_len == len && !memcmp(p->args, args, len))
		return 0;
	dup = malloc(len);
	if (!dup)
		return -ENOMEM;
	memcpy(dup, args, len);
	t->args_bytes += len - p->args_len;
	free(p->args);
	p->args = dup;
	p->args_len = len;
	return 0;
}

const char *proctree_args_at(const struct proc *p, uint64_t ts_ns, size_t *len)
{
	if (p->exec_ns && ts_ns < p->exec_ns && p->prev_args) {
		*len = p->prev_args_len;
		return p->prev_args;
	}
	*len = p->args_len;
	return p->args;
}
