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
 *     stale. A job may instead carry a descriptor of the very file (fanotify
 *     hands one over at exec, src/fanexec.h): nothing is opened by name, and
 *     hash_fd_rule says whether what was read is what was executed;
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
	/*
	 * has_fd: fd is a descriptor of the very file (fanotify's), read
	 * instead of opening anything; the job owns it (the worker, or
	 * hash_pool_free, closes it). seen: its identity when ltrack first
	 * looked at it. Without has_fd the object is opened as above.
	 * looked: the exec's process was seen running this image just after
	 * the descriptor had identity look_id (a witness's early look).
	 */
	bool has_fd;
	int fd;
	struct ev_file_id seen;
	bool looked;
	struct ev_file_id look_id;
};

struct hash_result {
	uint64_t cookie;
	struct ev_file_id id;
	int state;			/* HASH_OK, HASH_UNAVAILABLE or HASH_SKIPPED */
	const char *why;		/* static reason when not HASH_OK ("changed", "gone", ...) */
	/*
	 * HASH_OK from a descriptor whose ctime moved after the exec (a link
	 * count change: unlink, rename over it): the digest stands only if the
	 * exec's process is shown to still run this image (HASH_FD_WITNESS)
	 */
	bool witness;
	bool early;			/* witness: the file is as at the early look (job.looked) */
	char hex[HASH_HEX_LEN + 1];
};

/*
 * hash_same_id - does the file open at @fd have exactly identity @id (the
 * device compared in the kernel's encoding)? Also requires a regular file.
 * Returns 1, 0, or -errno when it cannot be asked.
 */
int hash_same_id(int fd, const struct ev_file_id *id);

/*
 * hash_fd_id - the identity of the regular file open at @fd, the device in
 * the kernel's encoding. Returns 0, -EINVAL when it is not a regular file,
 * or -errno.
 */
int hash_fd_id(int fd, struct ev_file_id *id);

/* hash_fd_rule's verdicts */
enum hash_fd_verdict {
	HASH_FD_CHANGED = 0,	/* not the executed content, or not provably: no digest */
	HASH_FD_SAME,		/* no change at all: the digest stands */
	HASH_FD_WITNESS,	/* the digest stands if the exec's process still runs the image */
};

/*
 * hash_fd_rule - may @nread bytes read from a descriptor of a file stand
 * for the object the kernel saw at exec as @k? @seen is the descriptor's
 * identity when ltrack first looked at it (as fanotify's event was read),
 * @after its identity once read. @denies: the file's filesystem enforces
 * ETXTBSY (hash_fs_denies_write).
 *
 *   - the very file, whole, with its content time: dev, ino, size and mtime
 *     of @seen and @after equal @k's, and @nread == size; else CHANGED;
 *   - ctime too equal to @k's in @seen and @after: SAME. Nothing changed
 *     between the exec and the end of the read (the rule of
 *     hash_check_file: a write moves ctime, and no one can set ctime);
 *   - else WITNESS when @denies, CHANGED otherwise. Only ctime moved: an
 *     unlink or a rename over the file does that (the link count), and so
 *     does a write followed by utimes() putting mtime back. Identities
 *     cannot tell these apart; a witness can (src/enrich.h): a writer gets
 *     ETXTBSY while an exec'd image runs, so if the exec's process was seen
 *     still running that image, and no other since, after the file last
 *     had the identity @after, nothing wrote it between the exec and the
 *     end of the read.
 * Pure; see docs/events.md (Hashes).
 */
int hash_fd_rule(const struct ev_file_id *k, const struct ev_file_id *seen,
		 const struct ev_file_id *after, uint64_t nread, bool denies);

/*
 * hash_fs_denies_write - does the filesystem of statfs f_type @magic keep a
 * running executable's content from changing (ETXTBSY on every writer)?
 * True for local filesystems (ext2/3/4, xfs, btrfs, f2fs, tmpfs) and
 * read-only images (squashfs, erofs, iso9660). False for network and FUSE
 * filesystems (another machine or a user's server decides the bytes) and
 * overlayfs (its layers can be written beside it), and for any other.
 */
bool hash_fs_denies_write(uint64_t magic);

/*
 * hash_check_file - hash job @j into @r: open the object (see the top of
 * this file), refuse anything whose identity differs from j->id, hash at
 * most @max_bytes (a larger object is HASH_SKIPPED without being read),
 * and refuse the digest if the identity changed while reading. @stop as in
 * hash_fd_sha256. r->why is one of "too_large", "gone" (nothing with that
 * name or process), "changed" (identity differs before or after reading),
 * "io" (a read error), "stopped" (shutdown). Never fails:
 * the outcome is in r->state.
 *
 * With j->has_fd nothing is opened: the descriptor is read from its start
 * and closed, and hash_fd_rule(j->id, j->seen, identity after reading)
 * decides; HASH_FD_WITNESS gives HASH_OK with r->witness set, and
 * r->early when j->looked and the identity after reading is j->look_id.
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

/* hash_cache_has - is a digest of exactly @id cached? Counts nothing, moves nothing. */
bool hash_cache_has(const struct hash_cache *c, const struct ev_file_id *id);

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

/*
 * hash_pool_submit - queue a copy of @j; 0 (the pool owns j->fd now), or
 * -EAGAIN when the queue is full (the caller still owns j->fd)
 */
int hash_pool_submit(struct hash_pool *p, const struct hash_job *j);

/*
 * hash_pool_take - move up to @max finished results into @out; returns
 * how many. Never blocks.
 */
size_t hash_pool_take(struct hash_pool *p, struct hash_result *out, size_t max);

void hash_pool_get_stats(struct hash_pool *p, struct hash_pool_stats *st);

#endif
