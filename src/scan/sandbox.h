/* SPDX-License-Identifier: MIT */
/*
 * sandbox - model scans in pre-forked, unprivileged, seccomp-confined
 * worker processes. The agent never parses a model file itself.
 *
 * scanner_new forks the workers (call it before any thread starts). Each
 * worker drops to an unprivileged user (setresuid/setresgid, no
 * supplementary groups), sets no_new_privs, applies resource limits (CPU
 * time, address space except in sanitizer builds) and a libseccomp filter,
 * then serves one request: it receives an already-open file descriptor over
 * a unix socket (SCM_RIGHTS), never a path, lowers its CPU and address-space
 * limits for that file, runs scan_fd() on it, writes the struct scan_report
 * back and exits (the next worker is already forked: nothing one file did
 * to a worker can touch the scan of another). A worker that crashes, is killed or runs out
 * of time yields a SCAN_ERROR report ("worker crashed: SIGSEGV", "timed
 * out") and is replaced. Results are cached by SHA-256.
 */
#ifndef LTRACK_SCAN_SANDBOX_H
#define LTRACK_SCAN_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "scan/scan.h"

struct scanner;

struct scanner_opts {
	unsigned workers;		/* worker processes (default 1) */
	unsigned timeout_ms;		/* wall-clock limit per file (default 10000) */
	uint64_t mem_limit;		/* RLIMIT_AS per worker in bytes (default 512 MiB; ignored under ASan) */
	const char *user;		/* unprivileged user to run as (default: SCANNER_WORKER_ID) */
	unsigned cache_entries;		/* verdicts cached by sha256 (default 4096) */
	unsigned queue_max;		/* requests outstanding at once (default 256), see scanner_submit */
};

/*
 * the uid and gid of the workers when no user is configured (as root): a
 * high id no account has (or the next lower one without a passwd or group
 * entry), so that no other process shares it
 */
#define SCANNER_WORKER_ID 4294900000u

/* a file name passed to the worker as a sniffing hint is cut to this (with its NUL) */
#define SCANNER_NAME_MAX 256

/* counters of a scanner (scanner_get_stats) */
struct scanner_stats {
	uint64_t submitted;		/* scanner_submit and scanner_scan_sync calls */
	uint64_t scanned;		/* requests a worker finished (any verdict, errors included) */
	uint64_t queue_full;		/* scanner_submit refused with -EAGAIN */
	uint64_t user_full;		/* ...of which for the user's share (queue_max / 4) */
	uint64_t cache_hits, cache_misses;
	uint64_t cache_evicted;		/* least recently used verdicts pushed out */
	uint64_t timeouts;		/* workers killed at the wall-clock deadline */
	uint64_t crashes;		/* workers that died during a scan (signal or exit) */
	uint64_t malformed;		/* reports refused by scanner_report_valid (worker killed) */
	uint64_t changed;		/* files that changed between submission and report */
	uint64_t spawned;		/* workers started, the first ones included */
	uint64_t respawns;		/* workers started to replace a dead one */
	uint64_t lost;			/* results dropped for want of memory */
	uint64_t wake_errors;		/* eventfd writes or reads that failed */
	uint32_t cache_entries, cache_max;
	uint32_t outstanding, queue_max;
};

/* scanner_new - fork the workers. NULL with errno set on failure. */
struct scanner *scanner_new(const struct scanner_opts *o);

/* scanner_free - stop and reap the workers */
void scanner_free(struct scanner *s);

/* scanner_fd - readable when results are waiting (for the event loop) */
int scanner_fd(const struct scanner *s);

/*
 * scanner_submit - queue a scan of @fd (the caller keeps its descriptor;
 * the scanner dups it) for user @uid (whose load it is). @sha256 (hex, may
 * be NULL) keys the cache: a cached verdict is queued as a result at once.
 * @cookie comes back with the result. Returns 0 or -errno (-EAGAIN: queue
 * full, counted).
 *
 * The bound is on requests outstanding: accepted and not yet taken by
 * scanner_next (waiting, being scanned, or finished). A caller that stops
 * reading results therefore gets -EAGAIN instead of growing memory.
 *
 * Fair share: one user may have at most a quarter of queue_max outstanding
 * (-EAGAIN beyond, counted in user_full too) and run on every worker but
 * one at a time; the next request scanned is the oldest of the user with
 * the fewest scans running. A user's backlog of slow files therefore never
 * delays another user's load by more than one worker's availability.
 * Only reports the worker made are cached (a parse error included: it
 * depends on the bytes alone); timeouts and crashes are not, they may not
 * recur;
 * -EINVAL when @sha256 is not 64 hex digits.
 */
int scanner_submit(struct scanner *s, int fd, const char *name, const char *sha256, uint64_t cookie,
		   uint32_t uid);

/*
 * scanner_next - take one finished result: fills *@cookie and @r and
 * returns 1, or returns 0 when none is waiting.
 */
int scanner_next(struct scanner *s, uint64_t *cookie, struct scan_report *r);

/*
 * scanner_scan_sync - scan @fd now in a worker and wait (ltrack scan). 0 or
 * -errno; @r is filled either way (SCAN_ERROR with its reason on failure:
 * -ETIMEDOUT "timed out after N ms", -ECHILD "worker crashed: SIGSEGV",
 * -ESTALE when the file changed during the scan: the report then has a
 * suspicious finding saying so and the error "changed during the scan").
 * Every scan ends with that check (fstat of the descriptor against the
 * submission: size, mtime, ctime); a changed file's report is never cached.
 * Not cached and not counted in the queue bound. Thread-safe.
 */
int scanner_scan_sync(struct scanner *s, int fd, const char *name, struct scan_report *r);

/* scanner_get_stats - a consistent copy of the counters */
void scanner_get_stats(struct scanner *s, struct scanner_stats *st);

/*
 * scanner_worker_pids - the pids of the live workers (diagnostics: their
 * /proc/PID/status shows Uid, NoNewPrivs and Seccomp). Fills up to @n and
 * returns how many were filled.
 */
unsigned scanner_worker_pids(struct scanner *s, pid_t *pids, unsigned n);

/* scanner_zygote_pid - the process that forks the workers (diagnostics) */
pid_t scanner_zygote_pid(const struct scanner *s);

/*
 * scanner_report_valid - a report from a worker is in range: verdicts and
 * format known, nfindings within the array, every string NUL-terminated.
 * The agent refuses (and counts) any other report.
 */
bool scanner_report_valid(const struct scan_report *r);

/*
 * scanner_seccomp_apply - load the worker's seccomp filter into the calling
 * process (KILL_PROCESS on anything else; docs/models.md lists the
 * allow-list): recvmsg and sendmsg on @sock only, fstat of descriptors,
 * memory calls without PROT_EXEC, the CPU timer, exit, and abort() on
 * itself. No open, no socket, no fork, no exec. Workers call it last in
 * their set-up; it is public so a test can prove in a child what it
 * denies. 0 or -errno. Irreversible.
 */
int scanner_seccomp_apply(int sock);

#endif
