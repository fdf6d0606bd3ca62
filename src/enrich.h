/* SPDX-License-Identifier: MIT */
/*
 * enrich - the asynchronous enrichment stage between decoding and output:
 * today, the SHA-256 of the object an event names with a file identity
 * (struct event has_fid/fid: the exec image, a loaded library).
 *
 * Every reported event passes through enrich_event(). One with an identity
 * gets its digest from the cache at once (hash_state "ok"), or is held back
 * while a worker hashes it (src/hash.h), for at most wait_ms. When the time
 * is up it goes out with hash_state "pending", and a hash_update event
 * (made here) follows when the worker is done.
 *
 * An exec's worker reads, where it can, the descriptor of the very file
 * that fanotify handed over at the exec (hooks.take_fd, src/fanexec.h).
 * When that file's ctime moved after the exec (an unlink or a rename over
 * it), the digest stands only if a witness shows that no write can have
 * reached the file between the exec and the end of the read
 * (hash_fd_rule in src/hash.h): the exec's process was seen running the
 * image (hooks.look) after the file last had the identity it has after
 * the read, and made no other exec in between (hooks.confirm). The look
 * is taken twice if needed: when the job starts (the process most likely
 * still runs), and after the read.
 *
 * Order: events of one process (pid, start time) leave in the order they
 * came; an event of a process that has an event held back is held behind
 * it. Events of other processes are not held (no head-of-line blocking of
 * the stream).
 *
 * Bounds: at most ENRICH_HELD_MAX events are held and ENRICH_AWAIT_MAX
 * emitted-pending events wait for their update; beyond that an event goes
 * out at once (pending) and the overflow is counted in the stats.
 *
 * Held events are deep copies: the ring record is copied, the pointers that
 * decoding made into it are moved to the copy (found by decoding the copy
 * again, so a field added to event_decode later is covered without change)
 * and `exe` is duplicated. Any other pointer an earlier stage stores in a
 * struct event must point to storage that outlives the event.
 */
#ifndef LTRACK_ENRICH_H
#define LTRACK_ENRICH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"

#define ENRICH_HELD_MAX 1024
#define ENRICH_AWAIT_MAX 4096
#define ENRICH_QUEUE_MAX 256	/* hash jobs waiting for a worker */

/* hash: what a witness is about: one exec (enrich_hooks.look, .confirm) */
struct enrich_witness {
	uint32_t pid;
	uint64_t start_ns;		/* with pid: the process */
	uint64_t exec_ns;		/* boot ns of its exec event */
	struct ev_file_id id;		/* the image as the kernel saw it then */
	uint64_t mark;			/* set by look: its moment, as the hooks measure it */
};

/* hash: the agent's services for exec images; each may be NULL */
struct enrich_hooks {
	void *ctx;
	/*
	 * take_fd - a descriptor of the very file of exec @w (w->id; the
	 * caller owns it now) and its identity when first seen. 0, or 1 when
	 * a look at @w's process was taken then (w->mark set) just after the
	 * descriptor had identity *@look_id, or -ENOENT (none held).
	 */
	int (*take_fd)(void *ctx, struct enrich_witness *w, int *fd, struct ev_file_id *seen,
		       struct ev_file_id *look_id);
	/*
	 * look - does the process of @w run the image now (so writers are
	 * refused now)? 1 (w->mark set), or 0 (no, or cannot tell). Cheap and
	 * safe anywhere, even inside the caller's ring callbacks.
	 */
	int (*look)(void *ctx, struct enrich_witness *w);
	/*
	 * confirm - after a look at @w: did the process make no other exec
	 * between its exec and the look (so it ran the image all along)?
	 * 1, 0, or -EAGAIN (ask again, for at most ENRICH_WITNESS_MS). Called
	 * from enrich_poll and enrich_flush only.
	 */
	int (*confirm)(void *ctx, const struct enrich_witness *w);
};

#define ENRICH_WITNESS_MS 1000

struct enrich_opts {
	bool hashing;			/* [hashing] enabled (and a policy is in use) */
	uint64_t wait_ms;		/* how long an event waits for its digest */
	size_t cache_entries;
	unsigned workers;
	uint64_t max_file_bytes;	/* larger objects: hash_state "skipped" */
	int nice;			/* of the hashing workers (hash_pool_new) */
	uint64_t model_max_file_bytes;	/* model: the same for model files (model_* events) */
	uint64_t scan_wait_ms;		/* model: how long a model_load waits for its scan verdict */
	struct enrich_hooks hooks;	/* hash: exec descriptors and their witness */
};

/*
 * the output: format and write @ev (whose `watch` is @watch); returns the
 * seq the record got
 */
typedef uint64_t (*enrich_emit_fn)(void *ctx, struct event *ev, const char *watch);

/*
 * The counters, in struct ev_hash_stats (events.h) for the stats event:
 *   cache_*          the digest cache: entries now, its bound, hits, misses,
 *                    evictions;
 *   jobs_queued      hash jobs given to the workers;
 *   jobs_dropped     jobs refused because the queue was full (the event's
 *                    hash is "unavailable", hash_error "queue_full");
 *   queue_depth      jobs waiting for a worker now;
 *   held             events held back now; held_full: events that could not
 *                    be held (the queue was full) and went out at once;
 *   emitted_pending  events written with hash_state "pending";
 *   updates          hash_update events written; updates_dropped: pending
 *                    events whose update could not be tracked (bound);
 *   unavailable      objects that could not be hashed as the kernel saw them;
 *   skipped          objects larger than max_file_mb;
 *   fd_jobs          jobs that read fanotify's descriptor of an exec image;
 *   witnessed        digests that stood because the exec's process still ran
 *                    the image; witness_refused: digests dropped because it
 *                    could not be shown (the object is "unavailable").
 */

struct enrich;

/*
 * enrich_new - the stage; with o->hashing false it only passes events
 * through (no threads). Returns NULL + errno on failure.
 */
struct enrich *enrich_new(const struct enrich_opts *o, enrich_emit_fn emit, void *ctx);

/* enrich_free - NULL is a no-op; held events are dropped (call enrich_flush first) */
void enrich_free(struct enrich *e);

/* enrich_fd - readable when workers have results (-1 without hashing) */
int enrich_fd(const struct enrich *e);

/*
 * enrich_event - enrich @ev (decoded from ring record @rec of @len bytes;
 * both valid only during the call) and write it now or later. @watch is
 * the watch path or NULL.
 */
void enrich_event(struct enrich *e, struct event *ev, const char *watch, const void *rec,
		  size_t len);

/*
 * enrich_poll - take workers' results, ask the witness about those that
 * need it, write what is due. @woke: the loop saw enrich_fd readable (it
 * must be read, or epoll reports it again). Cheap when idle. Must not be
 * called from inside a hook or an emit.
 */
void enrich_poll(struct enrich *e, bool woke);

/* at shutdown, how long jobs in flight may still take (ms) */
#define ENRICH_FLUSH_MS 2000

/*
 * enrich_flush - at shutdown: wait up to ENRICH_FLUSH_MS for the jobs in
 * flight, take their results (hash_update records for events already out
 * as "pending"), then write every held event (with "pending" when its
 * digest is still not known).
 */
void enrich_flush(struct enrich *e);

/*
 * enrich_scan_done - model: the scan verdict @r for @cookie (ev->model.scan_cookie
 * of a model_load). A held event takes it (a copy) and goes out when its
 * digest is known too; an event already out "pending" gets a scan_update.
 */
struct scan_report;
void enrich_scan_done(struct enrich *e, uint64_t cookie, const struct scan_report *r);

void enrich_get_stats(const struct enrich *e, struct ev_hash_stats *st);

/*
 * enrich_has_digest - is the digest of exactly @id known (cached)? Counts
 * no cache hit or miss. False without hashing.
 */
bool enrich_has_digest(const struct enrich *e, const struct ev_file_id *id);

#endif
