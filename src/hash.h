/* SPDX-License-Identifier: MIT */
/*
 * hash - SHA-256 of executed images and loaded libraries, off the event path.
 *
 * Three parts, each usable alone:
 *   - a digest of a file descriptor (OpenSSL EVP);
 *   - hash_check_file: open the object the kernel reported (through
 *     /proc/PID/exe or /proc/PID/map_files/START-END, else by name), check
 *     that its identity (dev, ino, size, mtime ns, ctime ns) is exactly the
 *     one the kernel captured, hash it, and check the identity again. Any
 *     difference gives HASH_UNAVAILABLE: a digest is never a guess and never
 *     stale;
 *   - a bounded LRU cache keyed by the whole identity, so an unchanged file
 *     is hashed once and a rewritten one (new ctime) misses;
 *   - a pool of worker threads with a bounded job queue. Results come back
 *     as messages on a queue the event loop drains when the pool's eventfd
 *     is readable; workers never touch events, the cache or the output.
 */
#ifndef LTRACK_HASH_H
#define LTRACK_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"

/* struct event.hash_state */
enum hash_state {
	HASH_NONE = 0,		/* nothing to hash, or hashing is off: no fields */
	HASH_OK,		/* sha256 holds the digest */
	HASH_PENDING,		/* not known when the event went out: a hash_update follows */
	HASH_UNAVAILABLE,	/* the object could not be hashed as the kernel saw it */
	HASH_SKIPPED,		/* larger than [hashing] max_file_mb */
};

#define HASH_HEX_LEN 64

/* hash_state_name - "ok", "pending", "unavailable", "skipped", or NULL for HASH_NONE */
static inline const char *hash_state_name(int state)
{
	switch (state) {
	case HASH_OK:
		return "ok";
	case HASH_PENDING:
		return "pending";
	case HASH_UNAVAILABLE:
		return "unavailable";
	case HASH_SKIPPED:
		return "skipped";
	}
	return NULL;
}

/* ---- digest ------------------------------------------------------------------ */

/*
 * hash_fd_sha256 - the SHA-256 of what remains to be read from @fd, as
 * lowercase hex into @hex (65 bytes). Stops early, returning -ECANCELED,
 * when *@stop becomes true (@stop may be NULL). Returns the number of bytes
 * read (>= 0) or -errno.
 */
int64_t hash_fd_sha256(int fd, char hex[HASH_HEX_LEN + 1], const volatile bool *stop);

/* ---- one object, checked ----------------------------------------------------- */

/* what to hash: the kernel's view of one object */
struct hash_job {
	uint64_t cookie;		/* the caller's, returned in the result */
	struct ev_file_id id;		/* identity the kernel captured */
	uint32_t pid;			/* process that has it open or mapped */
	uint64_t vm_start, vm_end;	/* a mapping of it (lib_load); 0, 0: the process image */
	char path[LT_PATH_MAX];		/* its name, for when the process is gone; "" = none */
};

struct hash_result {
	uint64_t cookie;
	struct ev_file_id id;
	int state;			/* HASH_OK, HASH_UNAVAILABLE or HASH_SKIPPED */
	const char *why;		/* static reason when not HASH_OK ("changed", "gone", ...) */
	char hex[HASH_HEX_LEN + 1];
};

/*
 * hash_same_id - does the file open at @fd have exactly identity @id (the
 * device compared in the kernel's encoding)? Also requires a regular file.
 * Returns 1, 0, or -errno when it cannot be asked.
 */
int hash_same_id(int fd, const struct ev_file_id *id);

/*
 * hash_check_file - hash job @j into @r: open the object (see the top of
 * this file), refuse anything whose identity differs from j->id, hash at
 * most @max_bytes (a larger object is HASH_SKIPPED without being read),
 * and refuse the digest if the identity changed while reading. @stop as in
 * hash_fd_sha256. r->why is one of "too_large", "gone" (nothing with that
 * name or process), "changed" (identity differs before or after reading),
 * "io" (a read error), "stopped" (shutdown). Never fails:
 * the outcome is in r->state.
 */
void hash_check_file(const struct hash_job *j, uint64_t max_bytes, struct hash_result *r,
		     const volatile bool *stop);

/* ---- cache ------------------------------------------------------------------- */

struct hash_cache;

struct hash_cache_stats {
	size_t entries;
	size_t max;
	uint64_t hits, misses, evictions;
};

/* hash_cache_new - a cache of at most @max (>= 1) digests; NULL + errno on failure */
struct hash_cache *hash_cache_new(size_t max);

/* hash_cache_free - NULL is a no-op */
void hash_cache_free(struct hash_cache *c);

/*
 * hash_cache_get - copy the digest of exactly @id into @hex and mark it
 * used; false when none (every field of @id is part of the key). Counts a
 * hit or a miss.
 */
bool hash_cache_get(struct hash_cache *c, const struct ev_file_id *id,
		    char hex[HASH_HEX_LEN + 1]);

/*
 * hash_cache_put - remember @hex for @id (replacing an older digest of the
 * same id); when full, the least recently used entry goes first (counted
 * as an eviction). Returns 0 or -ENOMEM.
 */
int hash_cache_put(struct hash_cache *c, const struct ev_file_id *id, const char *hex);

void hash_cache_get_stats(const struct hash_cache *c, struct hash_cache_stats *st);

/* ---- worker pool ------------------------------------------------------------- */

struct hash_pool;

struct hash_pool_stats {
	uint64_t submitted;		/* jobs accepted */
	uint64_t rejected;		/* jobs refused: the queue was full */
	size_t queued;			/* jobs waiting for a worker now */
	size_t queue_max;
	unsigned workers;
	unsigned prio_failed;		/* workers that could not lower their priority */
};

/*
 * hash_pool_new - start @workers threads sharing a queue of at most
 * @queue_max jobs; each hashes at most @max_bytes per object. Each worker
 * runs SCHED_BATCH at nice @nice (0..19) with best-effort I/O priority 7,
 * so hashing takes CPU only where nothing else wants it (hash.c). NULL +
 * errno on failure (EINVAL: no worker, no queue, @nice out of range;
 * nothing left running).
 */
struct hash_pool *hash_pool_new(unsigned workers, size_t queue_max, uint64_t max_bytes, int nice);

/*
 * hash_pool_free - stop the workers (a hash in progress is abandoned at its
 * next read) and free everything, including undelivered results. NULL is a
 * no-op.
 */
void hash_pool_free(struct hash_pool *p);

/* hash_pool_fd - an eventfd, readable while results wait to be taken */
int hash_pool_fd(const struct hash_pool *p);

/* hash_pool_submit - queue a copy of @j; 0, or -EAGAIN when the queue is full */
int hash_pool_submit(struct hash_pool *p, const struct hash_job *j);

/*
 * hash_pool_take - move up to @max finished results into @out; returns
 * how many. Never blocks.
 */
size_t hash_pool_take(struct hash_pool *p, struct hash_result *out, size_t max);

void hash_pool_get_stats(struct hash_pool *p, struct hash_pool_stats *st);

#endif
