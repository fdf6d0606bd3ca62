/* SPDX-License-Identifier: MIT */
/*
 * rotate - an append-only log file with size-based rotation, compatible with
 * the naming of Go's lumberjack (which the Go ltrack used):
 *
 *	/var/log/ltrack/events.json                          the live file
 *	/var/log/ltrack/events-2026-11-22T01-02-03.123.json  a backup (UTC)
 *	/var/log/ltrack/events-2026-11-22T01-02-03.123.json.gz  compressed
 *
 * The stem and extension split at the last '.' of the basename. Only files
 * that match this file's own backup pattern are ever compressed or deleted.
 *
 * Not thread safe: one writer (callers that share one, like log.c, lock).
 * Compression and pruning run on a short-lived background thread so that a
 * rotation never stalls the writer for the seconds a large gzip takes.
 */
#ifndef LTRACK_ROTATE_H
#define LTRACK_ROTATE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct rotfile;

struct rotfile_stats {
	uint64_t rotations;		/* backups made */
	uint64_t rotate_errors;		/* rotations that failed (writing went on) */
	uint64_t mill_errors;		/* backups that could not be compressed or deleted */
	int last_error;			/* -errno of the latest failure of either kind */
};

/*
 * rotfile_open - open (create) @path for appending, creating missing parent
 * directories with mode 0750. The agent runs as root next to users who may
 * plant names, so: a symlink is never followed, a new file is created
 * exclusively with mode 0600, and an existing one is used only when it is a
 * regular file with one link, owned by the effective uid and not writable
 * by others; the directory must be owned by root or the effective uid and,
 * when others may write in it, sticky. Rotation and reopen apply the same.
 * @r is copied; NULL means never rotate. Returns NULL with errno set on
 * failure (EPERM for a refused file: rotfile_last_error() says why).
 */
struct rotfile *rotfile_open(const char *path, const struct lt_rotate *r);

/* rotfile_last_error - why this thread's last open refused a file, or "" */
const char *rotfile_last_error(void);

/*
 * rotfile_write - append one record of @len bytes, or a run of whole
 * records. Records are buffered (64 KiB) and never split across files: when
 * the file would grow beyond max_size_mb MiB, it is rotated first (a record
 * or run larger than the limit gets a file of its own). A run of at least
 * half the buffer, with nothing buffered, is written without a copy.
 * Returns 0 when the data was accepted, or -errno when it was not (e.g.
 * -ENOSPC while the buffer is full of unwritten data).
 */
int rotfile_write(struct rotfile *f, const char *buf, size_t len);

/* rotfile_flush - write out the buffer. Returns 0 or -errno (data stays buffered) */
int rotfile_flush(struct rotfile *f);

/*
 * rotfile_unwritten_records - records (lines) still in the buffer: after a
 * failed last flush, the ones lost
 */
size_t rotfile_unwritten_records(const struct rotfile *f);

/*
 * rotfile_reopen - flush, close and reopen the path (after an external tool
 * such as logrotate moved the file). Returns 0 or -errno; on failure the old
 * descriptor stays in use.
 */
int rotfile_reopen(struct rotfile *f);

/* rotfile_settle - wait until background compression and pruning are done */
void rotfile_settle(struct rotfile *f);

/* rotfile_get_stats - counters since open */
void rotfile_get_stats(struct rotfile *f, struct rotfile_stats *st);

/* rotfile_free - flush, wait for the background work, close; NULL is a no-op */
void rotfile_free(struct rotfile *f);

#endif
