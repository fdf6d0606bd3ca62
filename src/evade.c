// SPDX-License-Identifier: MIT
/*
 * evade.c - io_uring_ops summaries and process_vm_writev enrichment. See
 * evade.h.
 *
 * The kernel only counts (lt_iou_ops, LRU, one entry per process); this
 * module remembers the total it last reported per process so an idle
 * process is not reported again, and deletes a process's entry after its
 * final summary. Its table is bounded by the map's size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "evade.h"
#include "hooks.h"
#include "loader.h"
#include "ltrack.skel.h"

struct iou_seen {
	struct lt_iou_key k;
	uint64_t total;		/* at the last summary */
};

struct evade {
	int fd;			/* lt_iou_ops */
	struct iou_seen *seen;
	size_t nseen, cap;
	size_t max;		/* the map's size: the table never needs more */
	struct lt_iou_key *ended;	/* processes that exited, summary not yet emitted */
	size_t nended, ended_cap;
};

struct evade *evade_new(struct loader *L)
{
	struct evade *x = calloc(1, sizeof(*x));
	struct ltrack_bpf *sk = loader_skel(L);

	if (!x)
		return NULL;
	x->fd = bpf_map__fd(sk->maps.lt_iou_ops);
	x->max = bpf_map__max_entries(sk->maps.lt_iou_ops);
	return x;
}

void evade_free(struct evade *x)
{
	if (!x)
		return;
	free(x->seen);
	free(x->ended);
	free(x);
}

static struct iou_seen *seen_find(struct evade *x, const struct lt_iou_key *k)
{
	for (size_t i = 0; i < x->nseen; i++)
		if (x->seen[i].k.tgid == k->tgid && x->seen[i].k.start_ns == k->start_ns)
			return &x->seen[i];
	return NULL;
}

static void seen_drop(struct evade *x, const struct lt_iou_key *k)
{
	struct iou_seen *s = seen_find(x, k);

	if (s)
		*s = x->seen[--x->nseen];
}

/* remember @total for @k; when the table is full (entries the LRU evicted), start over */
static void seen_put(struct evade *x, const struct lt_iou_key *k, uint64_t total)
{
	struct iou_seen *s = seen_find(x, k);

	if (!s) {
		if (x->nseen == x->cap) {
			size_t nc = x->cap ? x->cap * 2 : 16;
			void *p;

			if (nc > x->max)
				nc = x->max;
			if (x->nseen >= nc) {
				x->nseen = 0;	/* stale entries of evicted processes */
			} else {
				p = realloc(x->seen, nc * sizeof(*x->seen));
				if (!p)
					return;
				x->seen = p;
				x->cap = nc;
			}
		}
		s = &x->seen[x->nseen++];
		s->k = *k;
	}
	s->total = total;
}

static void emit_one(struct lt_iou_ops *v, bool final, evade_emit_fn fn, void *ctx)
{
	v->hdr.type = LT_EV_IO_URING_OPS;
	v->hdr.size = sizeof(*v);
	v->hdr.flags |= LT_HF_REPORT;
	fn(ctx, v, sizeof(*v), final);
}

void evade_iou_flush(struct evade *x, bool final, evade_emit_fn fn, void *ctx)
{
	struct lt_iou_key key, next, *prev = NULL;
	struct lt_iou_ops v;

	if (!x)
		return;
	while (bpf_map_get_next_key(x->fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(x->fd, &key, &v))
			continue;
		if (!final) {
			struct iou_seen *s = seen_find(x, &key);

			if (s && s->total == v.total)
				continue;
			seen_put(x, &key, v.total);
		}
		emit_one(&v, final, fn, ctx);
	}
}

void evade_iou_exit(struct evade *x, uint32_t tgid, uint64_t start_ns)
{
	struct lt_iou_key k = { .tgid = tgid, .start_ns = start_ns };
	struct lt_iou_ops v;

	if (!x || bpf_map_lookup_elem(x->fd, &k, &v))
		return;
	if (x->nended == x->ended_cap) {
		size_t nc = x->ended_cap ? x->ended_cap * 2 : 16;
		void *p = realloc(x->ended, nc * sizeof(*x->ended));

		if (!p)
			return;	/* its summary comes with the next flush, not final */
		x->ended = p;
		x->ended_cap = nc;
	}
	x->ended[x->nended++] = k;
}

void evade_iou_reap(struct evade *x, evade_emit_fn fn, void *ctx)
{
	struct lt_iou_ops v;

	if (!x)
		return;
	for (size_t i = 0; i < x->nended; i++) {
		struct lt_iou_key *k = &x->ended[i];

		if (bpf_map_lookup_elem(x->fd, k, &v))
			continue;
		bpf_map_delete_elem(x->fd, k);
		seen_drop(x, k);
		emit_one(&v, true, fn, ctx);
	}
	x->nended = 0;
}

void evade_enrich(struct event *ev)
{
	static uint32_t own_pidns;
	char path[64];
	struct stat st;
	ssize_t n;
	int fd;

	ev->xcomm[0] = '\0';
	if (ev->type != LT_EV_PROCESS_VM_WRITEV || (int32_t)ev->xv[0] <= 0)
		return;
	if (!own_pidns && stat("/proc/self/ns/pid", &st) == 0)
		own_pidns = st.st_ino;
	if (ev->pid_ns != own_pidns)
		return;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int32_t)ev->xv[0]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, ev->xcomm, sizeof(ev->xcomm) - 1);
	close(fd);
	if (n <= 0) {
		ev->xcomm[0] = '\0';
		return;
	}
	ev->xcomm[n] = '\0';
	ev->xcomm[strcspn(ev->xcomm, "\n")] = '\0';
}

static void hook_exit(void *x, struct event *ev)
{
	evade_iou_exit(x, ev->pid, ev->start_ns);
}

static void hook_vm_writev(void *x, struct event *ev)
{
	(void)x;
	evade_enrich(ev);
}

int evade_subscribe(struct evade *x, struct hooks *h)
{
	int rc = x ? hooks_add(h, HOOK_DECODED, LT_EV_EXIT, hook_exit, x) : 0;

	return rc ? rc : hooks_add(h, HOOK_DECODED, LT_EV_PROCESS_VM_WRITEV, hook_vm_writev, NULL);
}
