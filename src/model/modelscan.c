// SPDX-License-Identifier: MIT
/* modelscan - the scan verdict of every model_load. See modelscan.h. */
#include "model/modelscan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "enrich.h"
#include "scan/sandbox.h"
#include "scan/scan.h"

struct vcache {
	struct ev_file_id id;
	uint64_t used;			/* LRU tick */
	uint64_t expires_ms;		/* CLOCK_MONOTONIC ms; 0: kept until evicted */
	struct scan_report *r;		/* heap, scan_report_size bytes */
};

struct inflight {
	uint64_t cookie;
	struct ev_file_id id;
};

struct modelscan {
	struct scanner *s;
	struct vcache cache[MODELSCAN_CACHE_MAX];
	size_t ncache;
	uint64_t tick;
	struct inflight infl[MODELSCAN_INFLIGHT_MAX];
	size_t ninfl;
	uint64_t next_cookie;
	struct scan_report *res;	/* a result is read here (large: heap) */
	struct scan_report refused;	/* the verdict of a file that could not be scanned */
	struct scan_report unopened;	/* of a file the agent does not open (FUSE) */
	struct modelscan_stats st;
};

static bool id_eq(const struct ev_file_id *a, const struct ev_file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

struct modelscan *modelscan_new(struct scanner *s)
{
	struct modelscan *ms = calloc(1, sizeof(*ms));

	if (!ms)
		return NULL;
	ms->s = s;
	ms->res = malloc(sizeof(*ms->res));
	if (!ms->res) {
		free(ms);
		errno = ENOMEM;
		return NULL;
	}
	scan_report_init(&ms->refused);
	scan_set_error(&ms->refused, "not scanned: the scanner's queue is full");
	scan_report_init(&ms->unopened);
	scan_set_error(&ms->unopened, "not scanned: the file is on FUSE, whose daemon answers "
		       "every open: the agent does not open it");
	return ms;
}

void modelscan_free(struct modelscan *ms)
{
	if (!ms)
		return;
	for (size_t i = 0; i < ms->ncache; i++)
		free(ms->cache[i].r);
	free(ms->res);
	free(ms);
}

int modelscan_fd(const struct modelscan *ms)
{
	return ms && ms->s ? scanner_fd(ms->s) : -1;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct vcache *cache_find(struct modelscan *ms, const struct ev_file_id *id)
{
	for (size_t i = 0; i < ms->ncache; i++)
		if (id_eq(&ms->cache[i].id, id)) {
			if (ms->cache[i].expires_ms && mono_ms() >= ms->cache[i].expires_ms)
				return NULL;	/* a failure of the sandbox: tried again now */
			ms->cache[i].used = ++ms->tick;
			return &ms->cache[i];
		}
	return NULL;
}

/*
 * cache_put - remember @r for @id (the least recently used entry goes when
 * full), for @ttl_ms (0: until evicted)
 */
static const struct scan_report *cache_put(struct modelscan *ms, const struct ev_file_id *id,
					   const struct scan_report *r, uint64_t ttl_ms)
{
	struct vcache *v = NULL;
	struct scan_report *c = scan_report_dup(r);

	for (size_t i = 0; i < ms->ncache && !v; i++)	/* an expired entry too */
		if (id_eq(&ms->cache[i].id, id))
			v = &ms->cache[i];

	if (!c)
		return NULL;
	if (!v && ms->ncache < MODELSCAN_CACHE_MAX) {
		v = &ms->cache[ms->ncache++];
	} else if (!v) {
		v = &ms->cache[0];
		for (size_t i = 1; i < ms->ncache; i++)
			if (ms->cache[i].used < v->used)
				v = &ms->cache[i];
	}
	free(v->r);
	v->id = *id;
	v->r = c;
	v->used = ++ms->tick;
	v->expires_ms = ttl_ms ? mono_ms() + ttl_ms : 0;
	return c;
}

void modelscan_on_load(struct modelscan *ms, struct event *ev, int fd)
{
	struct vcache *v;
	uint64_t cookie;

	if (!ms || !ms->s || ev->type != LT_EV_MODEL_LOAD || !ev->has_fid)
		return;
	if (fd < 0) {
		ev->model.scan = &ms->unopened;
		ev->model.scan_state = EV_SCAN_DONE;
		return;
	}
	v = cache_find(ms, &ev->fid);
	if (v) {
		ms->st.cache_hits++;
		ev->model.scan = v->r;
		ev->model.scan_state = EV_SCAN_DONE;
		return;
	}
	/*
	 * the same file (same identity) already being scanned: this load waits
	 * for that verdict. 300 opens of one slow file are one scan.
	 */
	for (size_t i = 0; i < ms->ninfl; i++) {
		if (!id_eq(&ms->infl[i].id, &ev->fid))
			continue;
		ms->st.joined++;
		ev->model.scan_cookie = ms->infl[i].cookie;
		ev->model.scan_state = EV_SCAN_WAITING;
		return;
	}
	cookie = ++ms->next_cookie;
	if (ms->ninfl >= MODELSCAN_INFLIGHT_MAX ||
	    scanner_submit(ms->s, fd, ev->filename, NULL, cookie, ev->uid)) {
		ms->st.refused++;
		ev->model.scan = &ms->refused;
		ev->model.scan_state = EV_SCAN_DONE;
		return;
	}
	ms->infl[ms->ninfl].cookie = cookie;
	ms->infl[ms->ninfl].id = ev->fid;
	ms->ninfl++;
	ms->st.submitted++;
	ev->model.scan_cookie = cookie;
	ev->model.scan_state = EV_SCAN_WAITING;
}

/*
 * transient - a failure of the sandbox, not a verdict on the bytes: cached
 * for MODELSCAN_RETRY_MS only (the same slow file does not take a worker
 * again on every load, and is tried again later)
 */
static bool transient(const struct scan_report *r)
{
	static const char *const why[] = { "timed out", "worker", "no scan worker", "scan cancelled" };

	if (r->verdict != SCAN_ERROR)
		return false;
	for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++)
		if (!strncmp(r->error, why[i], strlen(why[i])))
			return true;
	return false;
}

void modelscan_poll(struct modelscan *ms, struct enrich *e)
{
	uint64_t cookie;

	if (!ms || !ms->s)
		return;
	while (scanner_next(ms->s, &cookie, ms->res) == 1) {
		const struct scan_report *r = ms->res;

		ms->st.results++;
		for (size_t i = 0; i < ms->ninfl; i++) {
			if (ms->infl[i].cookie != cookie)
				continue;
			{
				const struct scan_report *c =
					cache_put(ms, &ms->infl[i].id, ms->res,
						  transient(ms->res) ? MODELSCAN_RETRY_MS : 0);

				if (c)
					r = c;
			}
			ms->infl[i] = ms->infl[--ms->ninfl];
			break;
		}
		enrich_scan_done(e, cookie, r);
	}
}

size_t modelscan_inflight(const struct modelscan *ms)
{
	return ms ? ms->ninfl : 0;
}

void modelscan_get_stats(const struct modelscan *ms, struct modelscan_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!ms)
		return;
	*st = ms->st;
	st->cache_entries = ms->ncache;
}
