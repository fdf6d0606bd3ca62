// SPDX-License-Identifier: MIT
/*
 * enrich.c - the asynchronous enrichment stage. See enrich.h.
 *
 * State of an event with an identity:
 *   cache hit ---------------------------------------------> out ("ok")
 *   too large ---------------------------------------------> out ("skipped")
 *   miss --job--> held --result within wait_ms-------------> out (final state)
 *                   \--wait_ms elapsed--> out ("pending") --result--> hash_update
 * A job is made once per identity in flight; every event waiting for the
 * same identity takes the same result. Jobs the pool refuses (queue full)
 * make the event "unavailable" at once.
 *
 * An exec's job reads fanotify's descriptor of the image when one is held
 * (hooks.take_fd); the witness's early look is taken as the job starts. A
 * result with `witness` set (the file's ctime moved after the exec) waits
 * in `wit` until the witness answers (a late look if the early one does
 * not cover the read, then confirm), and is applied as "ok" or as
 * "unavailable" (changed); its identity stays in flight meanwhile, so no
 * second job starts.
 *
 * Everything here runs on the event loop's thread; the pool's workers
 * only see struct hash_job copies.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "enrich.h"
#include "hash.h"
#include "scan/scan.h"	/* model: scan verdicts */

struct held {
	struct held *next;
	uint64_t deadline_ns;		/* CLOCK_MONOTONIC */
	bool waiting;			/* its digest or its scan verdict is still being made */
	char *watch, *exe;
	struct scan_report *scan;	/* model: its verdict, copied (ev.model.scan) */
	void *rec;			/* the ring record, copied */
	struct event ev;		/* last: large */
};

/* an event that went out "pending": what its hash_update repeats */
struct awaiting {
	struct awaiting *next;
	struct ev_file_id id;
	uint64_t ref_seq;
	const char *ref_name;
	uint32_t pid, tid, ppid, uid, gid, euid, loginuid, sessionid, pid_ns, mnt_ns, net_ns, tty;
	uint64_t cgroup_id, start_ns, parent_start_ns;
	bool has_ctx;
	char comm[17];
	char *exe, *filename;
	uint64_t scan_cookie;		/* model: awaits this scan (a scan_update), not a digest */
	char sha256[65];		/* model: the event's digest, "" if it had none */
};

struct inflight {
	struct inflight *next;
	struct ev_file_id id;
	/* hash: the exec whose process may vouch for a descriptor's bytes */
	bool is_exec;
	bool looked;			/* w.mark is the early look's */
	struct enrich_witness w;
};

/* a digest from a descriptor that waits for the exec's witness */
struct witnessing {
	struct witnessing *next;
	uint64_t deadline_ns;		/* CLOCK_MONOTONIC */
	bool looked;			/* w.mark holds a look that covers the read */
	struct enrich_witness w;
	struct hash_result r;
};

struct enrich {
	struct enrich_opts o;
	enrich_emit_fn emit;
	void *ctx;
	struct hash_pool *pool;
	struct hash_cache *cache;
	struct held *head, *tail;
	size_t nheld;
	struct awaiting *aw;
	size_t naw;
	struct inflight *infl;
	struct witnessing *wit;		/* hash: results waiting for their witness */
	uint64_t next_cookie;
	struct ev_hash_stats st;
	struct hash_job job;		/* large: built here, copied by the pool */
	struct event scratch;		/* re-decoding a copied record; hash_update */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static bool id_eq(const struct ev_file_id *a, const struct ev_file_id *b)
{
	return a->ino == b->ino && a->dev == b->dev && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

struct enrich *enrich_new(const struct enrich_opts *o, enrich_emit_fn emit, void *ctx)
{
	struct enrich *e = calloc(1, sizeof(*e));
	int err;

	if (!e)
		return NULL;
	e->o = *o;
	e->emit = emit;
	e->ctx = ctx;
	if (o->hashing) {
		e->cache = hash_cache_new(o->cache_entries);
		if (!e->cache)
			goto out_err;
		/* the pool's bound is the larger one: enrich_event applies each per event */
		e->pool = hash_pool_new(o->workers, ENRICH_QUEUE_MAX,
					o->model_max_file_bytes > o->max_file_bytes ?
						o->model_max_file_bytes : o->max_file_bytes,
					o->nice);
		if (!e->pool)
			goto out_err;
	}
	e->st.enabled = o->hashing;
	return e;
out_err:
	err = errno;
	enrich_free(e);
	errno = err;
	return NULL;
}

static void held_free(struct held *h)
{
	free(h->watch);
	free(h->exe);
	free(h->rec);
	free(h->scan);
	free(h);
}

static void awaiting_free(struct awaiting *a)
{
	free(a->exe);
	free(a->filename);
	free(a);
}

void enrich_free(struct enrich *e)
{
	if (!e)
		return;
	/* workers first: nothing may run while the rest goes */
	hash_pool_free(e->pool);
	hash_cache_free(e->cache);
	while (e->head) {
		struct held *h = e->head;

		e->head = h->next;
		held_free(h);
	}
	while (e->aw) {
		struct awaiting *a = e->aw;

		e->aw = a->next;
		awaiting_free(a);
	}
	while (e->infl) {
		struct inflight *f = e->infl;

		e->infl = f->next;
		free(f);
	}
	while (e->wit) {
		struct witnessing *w = e->wit;

		e->wit = w->next;
		free(w);
	}
	free(e);
}

int enrich_fd(const struct enrich *e)
{
	return e->pool ? hash_pool_fd(e->pool) : -1;
}

/* ---- output ------------------------------------------------------------------- */

/* remember what the hash_update (or scan_update) of @ev (written as @seq) needs */
static struct awaiting *awaiting_add(struct enrich *e, const struct event *ev, uint64_t seq)
{
	struct awaiting *a;

	if (e->naw >= ENRICH_AWAIT_MAX || !(a = calloc(1, sizeof(*a)))) {
		e->st.updates_dropped++;
		return NULL;
	}
	a->id = ev->fid;
	a->ref_seq = seq;
	a->ref_name = ev->name;
	a->pid = ev->pid;
	a->tid = ev->tid;
	a->ppid = ev->ppid;
	a->uid = ev->uid;
	a->gid = ev->gid;
	a->euid = ev->euid;
	a->loginuid = ev->loginuid;
	a->has_ctx = ev->has_ctx;
	a->sessionid = ev->sessionid;
	a->pid_ns = ev->pid_ns;
	a->mnt_ns = ev->mnt_ns;
	a->net_ns = ev->net_ns;
	a->tty = ev->tty;
	a->cgroup_id = ev->cgroup_id;
	a->start_ns = ev->start_ns;
	a->parent_start_ns = ev->parent_start_ns;
	memcpy(a->comm, ev->comm, sizeof(a->comm));
	a->exe = ev->exe ? strdup(ev->exe) : NULL;
	a->filename = ev->filename ? strdup(ev->filename) : NULL;
	a->next = e->aw;
	e->aw = a;
	e->naw++;
	return a;
}

static void out(struct enrich *e, struct event *ev, const char *watch)
{
	uint64_t seq;

	if (ev->model.scan_state == EV_SCAN_WAITING)	/* model: its verdict comes later */
		ev->model.scan_state = EV_SCAN_PENDING;
	seq = e->emit(e->ctx, ev, watch);
	if (ev->hash_state == HASH_PENDING) {
		e->st.emitted_pending++;
		awaiting_add(e, ev, seq);
	}
	if (ev->model.scan_state == EV_SCAN_PENDING) {
		struct awaiting *a = awaiting_add(e, ev, seq);

		e->st.scan_pending++;
		if (a) {
			a->scan_cookie = ev->model.scan_cookie;
			if (ev->hash_state == HASH_OK)
				memcpy(a->sha256, ev->sha256, sizeof(a->sha256));
		}
	}
}

/* update_head - e->scratch as an update of type @type about @a's event */
static struct event *update_head(struct enrich *e, const struct awaiting *a, uint32_t type)
{
	struct event *u = &e->scratch;
	struct timespec ts;

	memset(u, 0, offsetof(struct event, canon));
	u->canon[0] = u->canon2[0] = '\0';
	u->type = type;
	u->name = event_name(type);
	clock_gettime(CLOCK_REALTIME, &ts);
	u->ts_ns = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	u->pid = a->pid;
	u->tid = a->tid;
	u->ppid = a->ppid;
	u->uid = a->uid;
	u->gid = a->gid;
	u->euid = a->euid;
	u->loginuid = a->loginuid;
	u->syscall_nr = -1;
	memcpy(u->comm, a->comm, sizeof(u->comm));
	u->start_ns = a->start_ns;
	u->parent_start_ns = a->parent_start_ns;
	u->exe = a->exe;
	/* the context of the process as of the event it completes */
	u->has_ctx = a->has_ctx;
	u->sessionid = a->sessionid;
	u->cgroup_id = a->cgroup_id;
	u->pid_ns = a->pid_ns;
	u->mnt_ns = a->mnt_ns;
	u->net_ns = a->net_ns;
	u->tty = a->tty;
	u->filename = a->filename;
	u->fid = a->id;
	u->has_fid = true;
	u->hash_ref_seq = a->ref_seq;
	u->hash_ref_name = a->ref_name;
	return u;
}

/* the hash_update of @a, with the result @r */
static void out_update(struct enrich *e, const struct awaiting *a, const struct hash_result *r)
{
	struct event *u = update_head(e, a, LT_EV_HASH_UPDATE);

	u->hash_state = r->state;
	u->hash_error = r->state == HASH_OK ? NULL : r->why;
	memcpy(u->sha256, r->hex, sizeof(u->sha256));
	e->emit(e->ctx, u, NULL);
	e->st.updates++;
}

/* model: the scan_update of @a, with the verdict @r */
static void out_scan_update(struct enrich *e, const struct awaiting *a, const struct scan_report *r)
{
	struct event *u = update_head(e, a, LT_EV_SCAN_UPDATE);

	if (a->sha256[0]) {
		u->hash_state = HASH_OK;
		memcpy(u->sha256, a->sha256, sizeof(u->sha256));
	}
	u->model.scan = r;
	u->model.scan_state = EV_SCAN_DONE;
	e->emit(e->ctx, u, NULL);
	e->st.scan_updates++;
}

/* ---- held events --------------------------------------------------------------- */

/*
 * held_new - a deep copy of @ev: the record is copied, and each word of
 * the event that decoding set to a pointer into the record (the same word
 * of a decode of the copy points at the same offset of the copy) is moved
 * to the copy.
 */
static struct held *held_new(struct enrich *e, const struct event *ev, const char *watch,
			     const void *rec, size_t len)
{
	struct held *h = calloc(1, sizeof(*h));
	uintptr_t r0 = (uintptr_t)rec, c0;

	if (!h)
		return NULL;
	h->rec = malloc(len ? len : 1);
	h->watch = watch ? strdup(watch) : NULL;
	h->exe = ev->exe ? strdup(ev->exe) : NULL;
	if (!h->rec || (watch && !h->watch) || (ev->exe && !h->exe))
		goto out_free;
	memcpy(h->rec, rec, len);
	memcpy(&h->ev, ev, sizeof(*ev));
	c0 = (uintptr_t)h->rec;
	if (event_decode(h->rec, len, &e->scratch))
		goto out_free;
	for (size_t off = 0; off + sizeof(uintptr_t) <= offsetof(struct event, canon);
	     off += sizeof(uintptr_t)) {
		uintptr_t w, t;

		memcpy(&w, (const char *)ev + off, sizeof(w));
		memcpy(&t, (const char *)&e->scratch + off, sizeof(t));
		if (w >= r0 && w < r0 + len && t == c0 + (w - r0))
			memcpy((char *)&h->ev + off, &t, sizeof(t));
	}
	h->ev.exe = h->exe;
	if (ev->model.scan) {	/* model: the verdict may live in a cache that moves on */
		h->scan = scan_report_dup(ev->model.scan);
		if (!h->scan)
			goto out_free;
		h->ev.model.scan = h->scan;
	}
	return h;
out_free:
	held_free(h);
	return NULL;
}

static bool is_held(const struct enrich *e, uint32_t pid, uint64_t start_ns)
{
	for (const struct held *h = e->head; h; h = h->next)
		if (h->ev.pid == pid && h->ev.start_ns == start_ns)
			return true;
	return false;
}

/*
 * run - write the held events that are due, in order: one is due when its
 * digest is known or its time is up, and no earlier held event of its
 * process is still waiting. With @all, every one is due.
 */
static void run(struct enrich *e, bool all)
{
	struct {
		uint32_t pid;
		uint64_t start_ns;
	} blocked[64];
	size_t nb = 0;
	struct held *prev = NULL, *h = e->head, *next;
	uint64_t now = 0;

	for (; h; h = next) {
		bool listed = false, block;

		next = h->next;
		for (size_t i = 0; i < nb && !listed; i++)
			listed = blocked[i].pid == h->ev.pid && blocked[i].start_ns == h->ev.start_ns;
		block = listed;
		if (!block && h->waiting && !all) {
			if (!now)
				now = mono_ns();
			block = now < h->deadline_ns;
		}
		if (block) {
			if (!listed) {
				if (nb == sizeof(blocked) / sizeof(blocked[0]))
					return;	/* too many waiting processes to track: the rest stays */
				blocked[nb].pid = h->ev.pid;
				blocked[nb].start_ns = h->ev.start_ns;
				nb++;
			}
			prev = h;
			continue;
		}
		if (prev)
			prev->next = next;
		else
			e->head = next;
		if (e->tail == h)
			e->tail = prev;
		e->nheld--;
		out(e, &h->ev, h->watch);
		held_free(h);
	}
}

/* ---- results ------------------------------------------------------------------- */

static struct inflight *inflight_find(struct enrich *e, const struct ev_file_id *id)
{
	for (struct inflight *f = e->infl; f; f = f->next)
		if (id_eq(&f->id, id))
			return f;
	return NULL;
}

/*
 * witness_wait - @r needs the witness of its exec: park it in e->wit (its
 * identity stays in flight). False when it cannot: no exec, no witness, no
 * memory; the caller then takes it as "changed".
 */
static bool witness_wait(struct enrich *e, const struct hash_result *r)
{
	struct inflight *f = inflight_find(e, &r->id);
	struct witnessing *w;

	if (!f || !f->is_exec || !e->o.hooks.look || !e->o.hooks.confirm ||
	    !(w = calloc(1, sizeof(*w))))
		return false;
	w->deadline_ns = mono_ns() + ENRICH_WITNESS_MS * 1000000ULL;
	w->w = f->w;
	w->looked = r->early && f->looked;	/* else a look now, after the read */
	w->r = *r;
	w->next = e->wit;
	e->wit = w;
	return true;
}

static void apply(struct enrich *e, const struct hash_result *r);

/*
 * witness_run - ask the witness about each parked result, apply the ones
 * answered. The list is detached first: the hook may read the critical
 * ring, which calls enrich_event (never apply, so e->wit only grows here).
 */
static void witness_run(struct enrich *e)
{
	struct witnessing *list = e->wit, *w;

	e->wit = NULL;
	while ((w = list)) {
		int rc;

		list = w->next;
		rc = w->looked ? 1 : e->o.hooks.look(e->o.hooks.ctx, &w->w);
		w->looked = rc == 1;
		if (rc == 1)
			rc = e->o.hooks.confirm(e->o.hooks.ctx, &w->w);
		if (rc == -EAGAIN && mono_ns() < w->deadline_ns) {
			w->next = e->wit;
			e->wit = w;
			continue;
		}
		w->r.witness = false;
		if (rc == 1) {
			e->st.witnessed++;
		} else {
			e->st.witness_refused++;
			w->r.state = HASH_UNAVAILABLE;
			w->r.why = "changed";
			w->r.hex[0] = '\0';
		}
		apply(e, &w->r);
		free(w);
	}
}

static void apply(struct enrich *e, const struct hash_result *r)
{
	struct inflight **fp = &e->infl;
	struct awaiting **ap = &e->aw;

	if (r->state == HASH_OK && r->witness) {
		struct hash_result c;

		if (witness_wait(e, r))
			return;
		c = *r;	/* no one can vouch: the bytes read may not be the ones executed */
		c.witness = false;
		c.state = HASH_UNAVAILABLE;
		c.why = "changed";
		c.hex[0] = '\0';
		e->st.witness_refused++;
		apply(e, &c);
		return;
	}
	while (*fp) {
		if (id_eq(&(*fp)->id, &r->id)) {
			struct inflight *f = *fp;

			*fp = f->next;
			free(f);
			break;
		}
		fp = &(*fp)->next;
	}
	if (r->state == HASH_OK)
		hash_cache_put(e->cache, &r->id, r->hex);
	else if (r->state == HASH_SKIPPED)
		e->st.skipped++;
	else
		e->st.unavailable++;
	/* every held event still without its digest, waiting or queued behind another */
	for (struct held *h = e->head; h; h = h->next) {
		if (h->ev.hash_state != HASH_PENDING || !id_eq(&h->ev.fid, &r->id))
			continue;
		h->waiting = h->ev.model.scan_state == EV_SCAN_WAITING;
		h->ev.hash_state = r->state;
		h->ev.hash_error = r->state == HASH_OK ? NULL : r->why;
		memcpy(h->ev.sha256, r->hex, sizeof(h->ev.sha256));
	}
	while (*ap) {
		struct awaiting *a = *ap;

		if (a->scan_cookie || !id_eq(&a->id, &r->id)) {
			ap = &a->next;
			continue;
		}
		*ap = a->next;
		e->naw--;
		out_update(e, a, r);
		awaiting_free(a);
	}
}

static void take_results(struct enrich *e)
{
	struct hash_result rs[16];
	size_t n;

	if (!e->pool)
		return;
	while ((n = hash_pool_take(e->pool, rs, 16)) > 0)
		for (size_t i = 0; i < n; i++)
			apply(e, &rs[i]);
}

/* ---- public -------------------------------------------------------------------- */

/* start hashing @ev's object; false when the pool refused */
static bool submit(struct enrich *e, const struct event *ev)
{
	struct hash_job *j = &e->job;
	struct inflight *f;
	int rc;

	for (f = e->infl; f; f = f->next)
		if (id_eq(&f->id, &ev->fid))
			return true;
	f = calloc(1, sizeof(*f));
	if (!f)
		return false;
	j->cookie = ++e->next_cookie;
	j->id = ev->fid;
	j->pid = ev->pid;
	j->vm_start = ev->vm_start;
	j->vm_end = ev->vm_end;
	j->path[0] = '\0';
	if (ev->filename && strlen(ev->filename) < sizeof(j->path))
		memcpy(j->path, ev->filename, strlen(ev->filename) + 1);
	f->is_exec = ev->type == LT_EV_EXEC;
	f->w.pid = ev->pid;
	f->w.start_ns = ev->start_ns;
	f->w.exec_ns = ev->ts_boot_ns;
	f->w.id = ev->fid;
	/* an exec image: the very file, from fanotify, when one is held */
	rc = f->is_exec && e->o.hooks.take_fd ?
		     e->o.hooks.take_fd(e->o.hooks.ctx, &f->w, &j->fd, &j->seen, &j->look_id) :
		     -ENOENT;
	j->has_fd = rc >= 0;
	j->looked = rc == 1;
	/*
	 * else the witness's early look now, while the process most likely
	 * still runs the image: the descriptor's identity first, then the look
	 */
	if (j->has_fd && !j->looked && e->o.hooks.look)
		j->looked = !hash_fd_id(j->fd, &j->look_id) &&
			    e->o.hooks.look(e->o.hooks.ctx, &f->w) == 1;
	f->looked = j->looked;
	if (hash_pool_submit(e->pool, j)) {
		if (j->has_fd)
			close(j->fd);
		free(f);
		e->st.jobs_dropped++;
		return false;
	}
	e->st.jobs_queued++;
	e->st.fd_jobs += j->has_fd;
	f->id = ev->fid;
	f->next = e->infl;
	e->infl = f;
	return true;
}

void enrich_event(struct enrich *e, struct event *ev, const char *watch, const void *rec,
		  size_t len)
{
	bool wait = false;
	uint64_t deadline = 0;
	struct held *h;

	if (e->pool && ev->has_fid) {
		/* model: model files have their own bound ([model_monitor] model_max_mb) */
		uint64_t max = ev->type >= LT_EV_MODEL_LOAD && ev->type <= LT_EV_MODEL_ACCESS ?
				       e->o.model_max_file_bytes : e->o.max_file_bytes;

		ev->hash_error = NULL;
		ev->sha256[0] = '\0';
		if (ev->fid.size > max) {
			ev->hash_state = HASH_SKIPPED;
			ev->hash_error = "too_large";
			e->st.skipped++;
		} else if (hash_cache_get(e->cache, &ev->fid, ev->sha256)) {
			ev->hash_state = HASH_OK;
		} else if (!submit(e, ev)) {
			ev->hash_state = HASH_UNAVAILABLE;
			ev->hash_error = "queue_full";
			e->st.unavailable++;
		} else {
			ev->hash_state = HASH_PENDING;
			wait = e->o.wait_ms > 0;
		}
	}
	/* model: a model_load waits for its scan verdict too, for scan_wait_ms */
	if (ev->model.scan_state == EV_SCAN_WAITING && e->o.scan_wait_ms > 0) {
		uint64_t ms = wait && e->o.wait_ms > e->o.scan_wait_ms ? e->o.wait_ms : e->o.scan_wait_ms;

		wait = true;
		deadline = mono_ns() + ms * 1000000ULL;
	} else if (wait) {
		deadline = mono_ns() + e->o.wait_ms * 1000000ULL;
	}
	if (!wait && (!e->head || !is_held(e, ev->pid, ev->start_ns))) {
		out(e, ev, watch);
		return;
	}
	if (e->nheld >= ENRICH_HELD_MAX || !(h = held_new(e, ev, watch, rec, len))) {
		/* cannot hold it: out now, and its process's order may break */
		e->st.held_full++;
		out(e, ev, watch);
		return;
	}
	h->waiting = wait;
	h->deadline_ns = deadline;
	if (e->tail)
		e->tail->next = h;
	else
		e->head = h;
	e->tail = h;
	e->nheld++;
}

void enrich_poll(struct enrich *e, bool woke)
{
	/* results exist only for jobs in flight; a wake-up clears the eventfd */
	if (e->pool && (woke || e->infl))
		take_results(e);
	if (e->wit)
		witness_run(e);
	if (e->head)
		run(e, false);
}

void enrich_flush(struct enrich *e)
{
	/*
	 * The jobs in flight get a bounded time (ENRICH_FLUSH_MS) to finish,
	 * so what happened just before the stop still goes out with its
	 * digest or its hash_update instead of "pending" alone.
	 */
	uint64_t end = mono_ns() + ENRICH_FLUSH_MS * 1000000ULL;

	while (e->pool && e->infl && mono_ns() < end) {
		struct pollfd pfd = { .fd = enrich_fd(e), .events = POLLIN };

		if (poll(&pfd, 1, e->wit ? 1 : 20) < 0 && errno != EINTR)
			break;
		take_results(e);
		if (e->wit)
			witness_run(e);
	}
	take_results(e);
	/* the last answers; what is still not known goes as "changed" */
	for (struct witnessing *w = e->wit; w; w = w->next)
		w->deadline_ns = 0;
	if (e->wit)
		witness_run(e);
	run(e, true);
}

void enrich_scan_done(struct enrich *e, uint64_t cookie, const struct scan_report *r)
{
	struct awaiting **ap = &e->aw;
	bool held = false;

	for (struct held *h = e->head; h; h = h->next) {
		struct scan_report *c;

		if (h->ev.model.scan_state != EV_SCAN_WAITING || h->ev.model.scan_cookie != cookie)
			continue;
		c = scan_report_dup(r);
		if (!c)
			continue;	/* out of memory: it goes out pending, at its deadline */
		free(h->scan);
		h->scan = c;
		h->ev.model.scan = c;
		h->ev.model.scan_state = EV_SCAN_DONE;
		h->waiting = h->ev.hash_state == HASH_PENDING;
		held = true;
	}
	/* loads of one file share a scan: some held, others already out pending */
	while (*ap) {
		struct awaiting *a = *ap;

		if (a->scan_cookie != cookie) {
			ap = &a->next;
			continue;
		}
		*ap = a->next;
		e->naw--;
		out_scan_update(e, a, r);
		awaiting_free(a);
	}
	if (held)
		run(e, false);
}

bool enrich_has_digest(const struct enrich *e, const struct ev_file_id *id)
{
	return e->cache && hash_cache_has(e->cache, id);
}

void enrich_get_stats(const struct enrich *e, struct ev_hash_stats *st)
{
	struct hash_cache_stats cs = {};
	struct hash_pool_stats ps = {};

	*st = e->st;
	if (e->cache)
		hash_cache_get_stats(e->cache, &cs);
	if (e->pool)
		hash_pool_get_stats(e->pool, &ps);
	st->cache_entries = cs.entries;
	st->cache_max = cs.max;
	st->cache_hits = cs.hits;
	st->cache_misses = cs.misses;
	st->cache_evictions = cs.evictions;
	st->queue_depth = ps.queued;
	st->prio_failed = ps.prio_failed;
	st->held = e->nheld;
}
