/* SPDX-License-Identifier: MIT */
/*
 * sink - where encoded event records go: [storage] type stdout, file or
 * socket (the CLI may override the policy).
 *
 * A record is one complete line: the bytes of one event ending in its only
 * '\n'. Records are never split: not across rotated files, and not across
 * TCP connections (after a reconnect the stream resumes at a record start).
 *
 *   stdout  buffered (256 KiB), written with write(2) loops. The process must
 *           ignore SIGPIPE for a closed reader to show up as -EPIPE.
 *   file    through rotate.h: size rotation, backups, gzip.
 *   socket  TCP (IPv4, IPv6 or a host name) in newline-delimited form, as
 *           logstash/fluentd/graylog tcp inputs read it. Non-blocking; while
 *           the peer is away, records wait in a bounded queue; the
 *           connection is retried by sink_tick() with backoff 1 s .. 30 s.
 *           Host names are resolved (blocking) at each connection attempt.
 *
 * Nothing is lost silently: a record the sink cannot take, or one it loses
 * later (the unsent rest of a record cut by a broken connection, data still
 * queued at sink_free()), is counted in stats.dropped.
 *
 * Not thread safe: the event loop owns the sink.
 */
#ifndef LTRACK_OUTPUT_SINK_H
#define LTRACK_OUTPUT_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct sink_opts {
	enum lt_storage_type type;
	const char *file_path;		/* LT_STORE_FILE */
	const struct lt_rotate *rot;	/* LT_STORE_FILE; NULL = never rotate */
	const char *remote_addr;	/* LT_STORE_SOCKET: host name or address ([v6] ok) */
	int remote_port;		/* LT_STORE_SOCKET: 1..65535 */
	size_t queue_max;		/* socket queue in bytes; 0 = 8 MiB */
};

struct sink_stats {
	uint64_t records;	/* records accepted by sink_write() */
	uint64_t bytes;		/* their bytes */
	uint64_t dropped;	/* records refused by sink_write() or lost after it */
	uint64_t reconnects;	/* socket: connections made after a failed or lost one */
};

struct sink;

/*
 * sink_open - open the sink @o describes. A socket sink opens even when the
 * peer is not reachable yet (it starts connecting and retries). Returns NULL
 * with errno set: EINVAL for bad options, or the error opening the file.
 */
struct sink *sink_open(const struct sink_opts *o);

/*
 * sink_write - hand over one record of @len bytes ending in '\n'. No system
 * call in the common case (buffered/queued). Returns 0 when the record was
 * accepted; otherwise it was dropped and already counted in stats.dropped:
 * -ENOBUFS (socket queue full), -EPIPE (stdout reader gone), -EINVAL (not a
 * line), or the -errno of a failed write.
 */
int sink_write(struct sink *s, const char *line, size_t len);

/*
 * sink_write_n - sink_write() of @nrec whole records at once (@len bytes,
 * the last one ending in '\n'): a file or stdout takes a large run without
 * copying it; counted, accepted or dropped, as @nrec records
 */
int sink_write_n(struct sink *s, const char *line, size_t len, size_t nrec);

/*
 * sink_flush - push buffered data out. stdout/file: everything, 0 or -errno
 * (the data stays buffered). socket: as much as the socket takes without
 * blocking; always 0 (a broken connection is handled by the retry logic).
 */
int sink_flush(struct sink *s);

/*
 * sink_tick - periodic work (every ~100 ms): socket connection attempts,
 * connect timeouts, noticing a peer that closed, sending queued data.
 * @now_ms is CLOCK_MONOTONIC in milliseconds.
 */
void sink_tick(struct sink *s, uint64_t now_ms);

void sink_get_stats(const struct sink *s, struct sink_stats *st);

/*
 * sink_reopen - file: reopen the path (logrotate, SIGHUP); stdout: flush;
 * socket: nothing. Returns 0 or -errno.
 */
int sink_reopen(struct sink *s);

/*
 * sink_free - flush and close; a socket sink tries for up to 1 s to deliver
 * its queue (and logs what it could not). NULL is a no-op.
 */
void sink_free(struct sink *s);

#endif
