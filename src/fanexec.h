/* SPDX-License-Identifier: MIT */
/*
 * fanexec - a descriptor of the very file of every exec, handed over by
 * fanotify, for the hashing stage (src/enrich.h, src/hash.h).
 *
 * Why: an exec event carries its image's identity (dev, ino, size, mtime,
 * ctime) and a worker hashes the file a little later. A dropper that
 * replaces or deletes the file right after the exec leaves nothing with
 * that identity to open by then. A FAN_OPEN_EXEC notification holds the
 * file itself: reading the event opens a descriptor of that very inode,
 * deleted or renamed over or not, and the worker reads it at leisure.
 *
 * How:
 *   - one fanotify group: FAN_CLASS_NOTIF (the exec never waits for us),
 *     non-blocking, close-on-exec, descriptors O_RDONLY | O_LARGEFILE |
 *     O_CLOEXEC | O_NOATIME, FAN_REPORT_FD_ERROR where the kernel has it
 *     (6.13+). The queue is the kernel's bounded one
 *     (fs.fanotify.max_queued_events, 16384 by default): a full queue gives
 *     FAN_Q_OVERFLOW, counted;
 *   - a FAN_MARK_FILESYSTEM mark with FAN_OPEN_EXEC on every filesystem of
 *     /proc/self/mountinfo but the pseudo ones (fanexec_fs_wanted), made by
 *     a marker thread, because a path lookup on a dead network filesystem
 *     can hang and the event loop must not. A change of the mount table
 *     (POLLPRI on mountinfo) makes it mark every filesystem again: a mark
 *     is idempotent, and a new filesystem may reuse a gone one's device
 *     number. A filesystem whose mark fails is logged once;
 *   - each event's descriptor is fstat'ed as the event is read (its
 *     identity "seen"); one whose digest is known already is closed at once
 *     (opts.wanted), the others are held in a bounded table with a look at
 *     the exec's process (opts.look: the earliest look a witness can take),
 *     until the kernel's exec event of that identity claims it
 *     (fanexec_take), says it needs none (fanexec_release), or it ages out
 *     (fanexec_expire). A descriptor is never reopened by name and never
 *     written.
 *   - events of the agent's own processes (opts.ignore) are dropped. ltrack
 *     never execs, and every descriptor fanotify opens for it carries
 *     FMODE_NONOTIFY, so there is no feedback loop.
 *
 * Bounds: at most FANEXEC_HELD_MAX descriptors (when full the oldest is
 * closed, counted "evicted"), each held at most FANEXEC_HOLD_MS; at most
 * FANEXEC_READ_MAX events per fanexec_read. Lost (stats "fanotify.lost"):
 * overflows + fd_errors + evicted.
 *
 * Threads: everything runs on the event loop's thread except the marker,
 * which only makes marks and updates its own counters under a mutex.
 */
#ifndef LTRACK_FANEXEC_H
#define LTRACK_FANEXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "events.h"

#define FANEXEC_HELD_MAX 512
#define FANEXEC_HOLD_MS 10000
#define FANEXEC_READ_MAX 2048
#define FANEXEC_START_WAIT_MS 2000	/* fanexec_new waits this long for the first marks */

/*
 * a witness's look at the process that exec'd a file (src/enrich.h): it
 * ran the file at the moment `mark`, just after the descriptor had
 * identity `id`
 */
struct fanexec_look {
	bool ok;			/* it did (else nothing below counts) */
	uint32_t pid;
	long long start_ticks;		/* its start time then (/proc/PID/stat, clock ticks) */
	uint64_t mark;			/* the moment, as the caller measures it */
	struct ev_file_id id;
};

struct fanexec_opts {
	pid_t ignore[2];		/* events of these processes are dropped; 0 = none */
	size_t held_max;		/* 0: FANEXEC_HELD_MAX */
	uint64_t hold_ms;		/* 0: FANEXEC_HOLD_MS */
	void *ctx;			/* of the callbacks, which may be NULL: */
	/* wanted - is a digest of the file seen as @seen still to be made? */
	bool (*wanted)(void *ctx, const struct ev_file_id *seen);
	/* look - look at process @pid for a descriptor just seen as l->id (sets the rest) */
	void (*look)(void *ctx, uint32_t pid, struct fanexec_look *l);
};

struct fanexec;

/*
 * fanexec_new - the fanotify group, its marks (waits up to
 * FANEXEC_START_WAIT_MS for the first round) and the descriptor table.
 * Probed, not version-checked: NULL + errno (and a reason in @err) when
 * fanotify is unavailable (ENOSYS, EPERM, EINVAL) or no filesystem could be
 * marked. Raises the soft RLIMIT_NOFILE by what the table may hold.
 */
struct fanexec *fanexec_new(const struct fanexec_opts *o, char *err, size_t errlen);

/*
 * fanexec_table_new - the descriptor table alone, without a group or marks
 * (what fanexec_new builds on; the unit tests feed it with fanexec_process).
 * NULL + errno on failure.
 */
struct fanexec *fanexec_table_new(const struct fanexec_opts *o);

/* fanexec_free - stop the marker, close every descriptor; NULL is a no-op */
void fanexec_free(struct fanexec *fx);

/* fanexec_fd - the fanotify group: readable (EPOLLIN) while events wait; -1 without */
int fanexec_fd(const struct fanexec *fx);

/* fanexec_mounts_fd - /proc/self/mountinfo, EPOLLPRI when the mount table changed; -1 without */
int fanexec_mounts_fd(const struct fanexec *fx);

/* fanexec_mounts_changed - the mount table changed: mark again (in the background) */
void fanexec_mounts_changed(struct fanexec *fx);

/*
 * fanexec_read - read waiting events (at most FANEXEC_READ_MAX), hold their
 * descriptors. Never blocks. Returns the number of events taken.
 */
int fanexec_read(struct fanexec *fx, uint64_t now_ms);

/*
 * fanexec_process - take the @len bytes of fanotify events in @buf (as
 * read(2) returns them): count overflows and events without a descriptor,
 * drop the ignored processes', fstat and hold the rest (at @now_ms).
 * Returns the number of records.
 */
int fanexec_process(struct fanexec *fx, void *buf, size_t len, uint64_t now_ms);

/*
 * fanexec_take - claim a held descriptor of the file the kernel saw as @k:
 * same device, inode, size and mtime, the nearest ctime (an unlink or a
 * rename over the file moves it, before or after the kernel looked). The
 * descriptor goes to the caller (*@fd, with *@seen, its identity when read,
 * and *@look, the look taken then; @look may be NULL). Returns 0 or -ENOENT.
 */
int fanexec_take(struct fanexec *fx, const struct ev_file_id *k, int *fd, struct ev_file_id *seen,
		 struct fanexec_look *look);

/*
 * fanexec_release - the exec of @k needs no descriptor (its digest is known,
 * it is not reported, or one is claimed already): close those seen exactly
 * as @k
 */
void fanexec_release(struct fanexec *fx, const struct ev_file_id *k);

struct hooks;

/*
 * fanexec_subscribe - once an exec went out (hooks.h, HOOK_DONE), its
 * image's descriptor goes, unless the digest took it already. 0 or -errno.
 */
int fanexec_subscribe(struct fanexec *fx, struct hooks *h);

/* fanexec_expire - close descriptors held FANEXEC_HOLD_MS (counted "expired") */
void fanexec_expire(struct fanexec *fx, uint64_t now_ms);

void fanexec_get_stats(struct fanexec *fx, struct ev_fanotify_stats *st);

/* ---- mount table (pure; the marker uses them) -------------------------------- */

struct fanexec_mount {
	uint32_t dev;			/* kernel encoding, MAJOR << 20 | MINOR */
	const char *mountpoint;		/* unescaped, points into the line */
	const char *fstype;		/* points into the line */
};

/*
 * fanexec_mountinfo_line - parse one line of /proc/self/mountinfo (modified
 * in place: the mount point's \\ooo escapes are decoded, fields are cut).
 * Returns 0 or -EINVAL.
 */
int fanexec_mountinfo_line(char *line, struct fanexec_mount *m);

/*
 * fanexec_fs_wanted - is @fstype worth a mark: false for the pseudo
 * filesystems no executable lives on (proc, sysfs, cgroup, devpts, tracefs,
 * bpf, ...), true for every other (local, network, FUSE, overlay, unknown)
 */
bool fanexec_fs_wanted(const char *fstype);

#endif
