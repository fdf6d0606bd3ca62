/* SPDX-License-Identifier: MIT */
/*
 * sandbox - model scans in pre-forked, unprivileged, seccomp-confined
 * worker processes. The agent never parses a model file itself.
 *
 * scanner_new forks the workers (call it before any thread starts). Each
 * worker drops to an unprivileged user (setresuid/setresgid, no
 * supplementary groups), sets no_new_privs, applies resource limits (CPU
 * time, address space except in sanitizer builds) and a libseccomp filter,
 * then serves requests: it receives an already-open file descriptor over a
 * unix socket (SCM_RIGHTS), never a path, runs scan_fd() on it and writes
 * the struct scan_report back. A worker that crashes, is killed or runs out
 * of time yields a SCAN_ERROR report ("worker crashed: SIGSEGV", "timed
 * out") and is replaced. Results are cached by SHA-256.
 */
#ifndef LTRACK_SCAN_SANDBOX_H
#define LTRACK_SCAN_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "scan/scan.h"

struct scanner;

struct scanner_opts {
	unsigned workers;		/* worker processes (default 1) */
	unsigned timeout_ms;		/* wall-clock limit per file (default 10000) */
	uint64_t mem_limit;		/* RLIMIT_AS per worker in bytes (default 512 MiB; ignored under ASan) */
	const char *user;		/* unprivileged user to run as (default "nobody") */
	unsigned cache_entries;		/* verdicts cached by sha256 (default 4096) */
};

/* scanner_new - fork the workers. NULL with errno set on failure. */
struct scanner *scanner_new(const struct scanner_opts *o);

/* scanner_free - stop and reap the workers */
void scanner_free(struct scanner *s);

/* scanner_fd - readable when results are waiting (for the event loop) */
int scanner_fd(const struct scanner *s);

/*
 * scanner_submit - queue a scan of @fd (the caller keeps its descriptor;
 * the scanner dups it). @sha256 (hex, may be NULL) keys the cache: a
 * cached verdict is queued as a result at once. @cookie comes back with
 * the result. Returns 0 or -errno (-EAGAIN: queue full, counted).
 */
int scanner_submit(struct scanner *s, int fd, const char *name, const char *sha256, uint64_t cookie);

/*
 * scanner_next - take one finished result: fills *@cookie and @r and
 * returns 1, or returns 0 when none is waiting.
 */
int scanner_next(struct scanner *s, uint64_t *cookie, struct scan_report *r);

/* scanner_scan_sync - scan @fd now in a worker and wait (ltrack scan). 0 or -errno. */
int scanner_scan_sync(struct scanner *s, int fd, const char *name, struct scan_report *r);

#endif
