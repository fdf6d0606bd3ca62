// SPDX-License-Identifier: MIT
/*
 * sink - event record destinations.
 *
 * stdout: a flat buffer flushed with write(2) when full or on sink_flush().
 * A short write keeps the unwritten tail at the front of the buffer.
 *
 * file: rotfile does the buffering; sink_tick() reports its rotation,
 * compression and pruning failures to the log.
 *
 * socket: a byte ring of queue_max bytes (allocated once; the start is
 * reused whenever it drains, so an idle or keeping-up queue touches only a
 * few pages) sent with sendmsg() of its two segments, MSG_DONTWAIT |
 * MSG_NOSIGNAL. Connection states:
 *
 *	DOWN --(tick, now >= next_try: resolve, connect())--> CONNECTING
 *	CONNECTING --(writable, SO_ERROR == 0)--> UP
 *	CONNECTING --(error or 5 s timeout)--> next address, or DOWN (backoff)
 *	UP --(send/recv error, peer closed)--> DOWN (backoff)
 *
 * Backoff starts at 1 s, doubles to 30 s, and resets on a connection.
 * Record integrity: `mid_record` says the bytes already sent end inside a
 * record. When the connection breaks then, the rest of that record (up to
 * its '\n') is discarded and counted, so the next connection starts with a
 * whole record. This relies on the record contract: '\n' only at the end.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "output/sink.h"
#include "output/rotate.h"

#define STDOUT_BUF (256 * 1024)
/* a run of records this long is written without copying it into the buffer */
#define SINK_DIRECT_MIN (32 * 1024)
#define QUEUE_DEFAULT (8u * 1024 * 1024)
#define SEND_BATCH (64 * 1024)		/* sink_write sends once this much is queued */
#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 30000
#define CONNECT_TIMEOUT_MS 5000
#define DRAIN_MS 1000

enum conn_state { C_DOWN, C_CONNECTING, C_UP };

struct sink {
	enum lt_storage_type type;
	struct sink_stats stats;

	/* stdout */
	char *buf;
	size_t blen, bcap;

	/* file */
	struct rotfile *rf;
	char *path;
	uint64_t rot_failures;		/* already reported */

	/* socket */
	char *host;
	char port[8];
	int fd;
	enum conn_state state;
	char *q;			/* ring of qcap bytes */
	size_t qcap, qhead, qlen;
	bool mid_record;
	struct addrinfo *ai_list, *ai_next;	/* addresses left to try */
	int last_err;			/* of the current connection cycle */
	uint64_t now;			/* last tick (CLOCK_MONOTONIC ms) */
	uint64_t next_try, conn_deadline;
	unsigned int backoff_ms;
	uint64_t cycles;		/* connection cycles started */
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* --- stdout --- */

/* write all of @p; waits (poll) if the fd is non-blocking and full */
static int write_all(int fd, const char *p, size_t n, size_t *done)
{
	*done = 0;
	while (*done < n) {
		ssize_t w = write(fd, p + *done, n - *done);

		if (w < 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				poll(&pfd, 1, -1);
				continue;
			}
			return -errno;
		}
		*done += (size_t)w;
	}
	return 0;
}

static int out_flush(struct sink *s)
{
	size_t done;
	int err;

	err = write_all(STDOUT_FILENO, s->buf, s->blen, &done);
	if (done && done < s->blen)
		memmove(s->buf, s->buf + done, s->blen - done);
	s->blen -= done;
	return err;
}

static int out_write(struct sink *s, const char *line, size_t len)
{
	int err;

	if (!s->blen && len >= SINK_DIRECT_MIN) {	/* a batch of records: no copy */
		size_t done;

		err = write_all(STDOUT_FILENO, line, len, &done);
		if (err && !done)
			return err;
		line += done;
		len -= done;
		if (!len)
			return 0;
	}

	if (s->blen + len > s->bcap) {
		err = out_flush(s);
		if (err)
			return err;
		if (len > s->bcap) {	/* a huge record: grow rather than split it */
			char *nb = realloc(s->buf, len);

			if (!nb)
				return -ENOMEM;
			s->buf = nb;
			s->bcap = len;
		}
	}
	memcpy(s->buf + s->blen, line, len);
	s->blen += len;
	return 0;
}

/* --- socket queue --- */

static size_t count_lines(const char *p, size_t n)
{
	const char *end = p + n;
	size_t c = 0;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
		c++;
		p++;
	}
	return c;
}

static size_t q_lines(const struct sink *s)
{
	size_t first = s->qlen < s->qcap - s->qhead ? s->qlen : s->qcap - s->qhead;

	return count_lines(s->q + s->qhead, first) + count_lines(s->q, s->qlen - first);
}

static void q_append(struct sink *s, const char *p, size_t n)
{
	size_t tail = s->qhead + s->qlen, first;

	if (tail >= s->qcap)
		tail -= s->qcap;
	first = n < s->qcap - tail ? n : s->qcap - tail;
	memcpy(s->q + tail, p, first);
	if (n > first)
		memcpy(s->q, p + first, n - first);
	s->qlen += n;
}

static void q_consume(struct sink *s, size_t n)
{
	size_t last = s->qhead + n - 1;

	if (last >= s->qcap)
		last -= s->qcap;
	s->mid_record = s->q[last] != '\n';
	s->qhead += n;
	if (s->qhead >= s->qcap)
		s->qhead -= s->qcap;
	s->qlen -= n;
	if (!s->qlen)
		s->qhead = 0;
}

/* drop the unsent rest of a record whose start went out on a dead connection */
static void q_drop_partial(struct sink *s)
{
	size_t first, skip;
	char *nl;

	if (!s->mid_record)
		return;
	s->mid_record = false;
	s->stats.dropped++;
	first = s->qlen < s->qcap - s->qhead ? s->qlen : s->qcap - s->qhead;
	nl = memchr(s->q + s->qhead, '\n', first);
	if (nl) {
		skip = (size_t)(nl - (s->q + s->qhead)) + 1;
	} else {
		nl = memchr(s->q, '\n', s->qlen - first);
		skip = nl ? first + (size_t)(nl - s->q) + 1 : s->qlen;
	}
	s->qhead += skip;
	if (s->qhead >= s->qcap)
		s->qhead -= s->qcap;
	s->qlen -= skip;
	if (!s->qlen)
		s->qhead = 0;
}

/* --- socket connection --- */

/* go DOWN and schedule the next attempt, doubling the backoff for the one after */
static void sock_backoff(struct sink *s)
{
	s->state = C_DOWN;
	s->next_try = s->now + s->backoff_ms;
	s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2;
}

static void sock_schedule_retry(struct sink *s, const char *why)
{
	log_warn("sink: cannot connect to %s:%s: %s (retrying in %u s)", s->host, s->port, why,
		 s->backoff_ms / 1000);
	sock_backoff(s);
}

static void sock_connected(struct sink *s)
{
	int one = 1;

	if (s->ai_list) {
		freeaddrinfo(s->ai_list);
		s->ai_list = s->ai_next = NULL;
	}
	setsockopt(s->fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	s->state = C_UP;
	s->backoff_ms = BACKOFF_MIN_MS;
	s->mid_record = false;
	if (s->cycles > 1)
		s->stats.reconnects++;
	log_info("sink: connected to %s:%s", s->host, s->port);
}

/* start a connect() to the next address; DOWN with a retry when none is left */
static void sock_try_next(struct sink *s)
{
	while (s->ai_next) {
		struct addrinfo *ai = s->ai_next;
		int fd;

		s->ai_next = ai->ai_next;
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			s->last_err = errno;
			continue;
		}
		if (!connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			s->fd = fd;
			sock_connected(s);
			return;
		}
		if (errno == EINPROGRESS) {
			s->fd = fd;
			s->state = C_CONNECTING;
			s->conn_deadline = s->now + CONNECT_TIMEOUT_MS;
			return;
		}
		s->last_err = errno;
		close(fd);
	}
	if (s->ai_list) {
		freeaddrinfo(s->ai_list);
		s->ai_list = NULL;
	}
	sock_schedule_retry(s, strerror(s->last_err));
}

static void sock_start(struct sink *s)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICSERV,
	};
	int rc;

	s->cycles++;
	rc = getaddrinfo(s->host, s->port, &hints, &s->ai_list);
	if (rc) {
		s->ai_list = NULL;
		s->last_err = rc == EAI_SYSTEM ? errno : EHOSTUNREACH;
		sock_schedule_retry(s, rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return;
	}
	s->ai_next = s->ai_list;
	sock_try_next(s);
}

static void sock_close(struct sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static void sock_lost(struct sink *s, int err)
{
	sock_close(s);
	q_drop_partial(s);
	log_warn("sink: connection to %s:%s lost: %s", s->host, s->port, strerror(err));
	s->last_err = err;
	sock_backoff(s);
}

/* CONNECTING: has connect() finished? */
static void sock_check_connect(struct sink *s)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLOUT };
	socklen_t sl = sizeof(int);
	int soerr = 0;

	if (poll(&pfd, 1, 0) <= 0) {
		if (s->now < s->conn_deadline)
			return;
		soerr = ETIMEDOUT;
	} else if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl)) {
		soerr = errno;
	}
	if (!soerr) {
		sock_connected(s);
		return;
	}
	s->last_err = soerr;
	sock_close(s);
	sock_try_next(s);
}

/* send what the socket takes now */
static void sock_send(struct sink *s)
{
	while (s->state == C_UP && s->qlen) {
		size_t first = s->qlen < s->qcap - s->qhead ? s->qlen : s->qcap - s->qhead;
		struct iovec iov[2] = {
			{ .iov_base = s->q + s->qhead, .iov_len = first },
			{ .iov_base = s->q, .iov_len = s->qlen - first },
		};
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = s->qlen > first ? 2 : 1 };
		ssize_t n = sendmsg(s->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				sock_lost(s, errno);
			return;
		}
		q_consume(s, (size_t)n);
	}
}

/* UP: notice a peer that closed or reset, discarding anything it sent us */
static void sock_check_peer(struct sink *s)
{
	char junk[512];

	for (;;) {
		ssize_t n = recv(s->fd, junk, sizeof(junk), MSG_DONTWAIT);

		if (n > 0)
			continue;
		if (n == 0)
			sock_lost(s, ECONNRESET);
		else if (errno == EINTR)
			continue;
		else if (errno != EAGAIN)
			sock_lost(s, errno);
		return;
	}
}

/* --- public --- */

struct sink *sink_open(const struct sink_opts *o)
{
	struct sink *s;
	const char *host;
	size_t hlen;
	int err = 0;

	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->type = o->type;
	s->fd = -1;
	switch (o->type) {
	case LT_STORE_STDOUT:
		s->buf = malloc(STDOUT_BUF);
		s->bcap = STDOUT_BUF;
		if (!s->buf)
			err = -ENOMEM;
		break;
	case LT_STORE_FILE:
		if (!o->file_path || !*o->file_path) {
			err = -EINVAL;
			break;
		}
		s->path = strdup(o->file_path);
		if (!s->path) {
			err = -ENOMEM;
			break;
		}
		s->rf = rotfile_open(o->file_path, o->rot);
		if (!s->rf)
			err = -errno;
		break;
	case LT_STORE_SOCKET:
		host = o->remote_addr;
		if (!host || !*host || o->remote_port < 1 || o->remote_port > 65535) {
			err = -EINVAL;
			break;
		}
		hlen = strlen(host);
		if (host[0] == '[' && hlen > 2 && host[hlen - 1] == ']') {
			host++;
			hlen -= 2;
		}
		s->host = strndup(host, hlen);
		snprintf(s->port, sizeof(s->port), "%d", o->remote_port);
		s->qcap = o->queue_max ? o->queue_max : QUEUE_DEFAULT;
		s->q = malloc(s->qcap);
		if (!s->host || !s->q) {
			err = -ENOMEM;
			break;
		}
		s->backoff_ms = BACKOFF_MIN_MS;
		s->now = mono_ms();
		sock_start(s);
		break;
	default:
		err = -EINVAL;
		break;
	}
	if (err) {
		sink_free(s);
		errno = -err;
		return NULL;
	}
	return s;
}

int sink_write(struct sink *s, const char *line, size_t len)
{
	return sink_write_n(s, line, len, 1);
}

int sink_write_n(struct sink *s, const char *line, size_t len, size_t nrec)
{
	int err = 0;

	if (__builtin_expect(!len || line[len - 1] != '\n', 0)) {
		err = -EINVAL;
		goto out_drop;
	}
	switch (s->type) {
	case LT_STORE_STDOUT:
		err = out_write(s, line, len);
		break;
	case LT_STORE_FILE:
		err = rotfile_write(s->rf, line, len);
		break;
	case LT_STORE_SOCKET:
		if (len > s->qcap - s->qlen) {
			/* a run that does not fit: the whole records that do go in */
			size_t room = s->qcap - s->qlen, n = 0, k = 0;
			const char *nl;

			while (nrec > 1 && n < room &&
			       (nl = memchr(line + n, '\n', room - n))) {
				n = (size_t)(nl - line) + 1;
				k++;
			}
			if (k) {
				q_append(s, line, n);
				s->stats.records += k;
				s->stats.bytes += n;
				nrec -= k;
			}
			err = -ENOBUFS;
			break;
		}
		q_append(s, line, len);
		if (s->state == C_UP && s->qlen >= SEND_BATCH)
			sock_send(s);
		break;
	}
	if (err)
		goto out_drop;
	s->stats.records += nrec;
	s->stats.bytes += len;
	return 0;

out_drop:
	s->stats.dropped += nrec;
	return err;
}

int sink_flush(struct sink *s)
{
	switch (s->type) {
	case LT_STORE_STDOUT:
		return out_flush(s);
	case LT_STORE_FILE:
		return rotfile_flush(s->rf);
	case LT_STORE_SOCKET:
		if (s->state == C_CONNECTING)
			sock_check_connect(s);
		sock_send(s);
		return 0;
	}
	return 0;
}

/* file: log rotation failures that happened since the last look */
static void file_check_rotation(struct sink *s)
{
	struct rotfile_stats rs;

	rotfile_get_stats(s->rf, &rs);
	if (rs.rotate_errors + rs.mill_errors <= s->rot_failures)
		return;
	s->rot_failures = rs.rotate_errors + rs.mill_errors;
	log_error("sink: rotating or pruning %s failed: %s (%llu failures so far)", s->path,
		  strerror(-rs.last_error), (unsigned long long)s->rot_failures);
}

void sink_tick(struct sink *s, uint64_t now_ms)
{
	if (s->type == LT_STORE_FILE)
		file_check_rotation(s);
	if (s->type != LT_STORE_SOCKET)
		return;
	s->now = now_ms;
	if (s->state == C_DOWN && now_ms >= s->next_try)
		sock_start(s);
	if (s->state == C_CONNECTING)
		sock_check_connect(s);
	if (s->state == C_UP)
		sock_check_peer(s);
	sock_send(s);
}

void sink_get_stats(const struct sink *s, struct sink_stats *st)
{
	*st = s->stats;
}

int sink_reopen(struct sink *s)
{
	switch (s->type) {
	case LT_STORE_STDOUT:
		return out_flush(s);
	case LT_STORE_FILE:
		return rotfile_reopen(s->rf);
	case LT_STORE_SOCKET:
		return 0;
	}
	return 0;
}

/* socket: deliver the queue for up to DRAIN_MS; count and report the rest */
static void sock_drain(struct sink *s)
{
	uint64_t deadline = mono_ms() + DRAIN_MS;
	size_t lost;

	s->now = mono_ms();
	if (s->state == C_DOWN && s->qlen)
		sock_start(s);		/* one last attempt, backoff or not */
	while (s->qlen && s->state != C_DOWN) {
		struct pollfd pfd = { .fd = s->fd, .events = POLLOUT };

		s->now = mono_ms();
		if (s->now >= deadline)
			break;
		poll(&pfd, 1, (int)(deadline - s->now));
		s->now = mono_ms();
		if (s->state == C_CONNECTING)
			sock_check_connect(s);
		sock_send(s);
	}
	lost = s->qlen ? q_lines(s) : 0;
	if (lost) {
		s->stats.dropped += lost;
		log_warn("sink: lost %zu queued record(s) for %s:%s at exit", lost, s->host,
			 s->port);
	}
}

void sink_free(struct sink *s)
{
	size_t lost;

	if (!s)
		return;
	switch (s->type) {
	case LT_STORE_STDOUT:
		if (s->buf && s->blen && out_flush(s)) {
			lost = count_lines(s->buf, s->blen);
			log_warn("sink: lost %zu record(s) that could not be written to stdout", lost);
		}
		break;
	case LT_STORE_FILE:
		if (s->rf && rotfile_flush(s->rf)) {
			lost = rotfile_unwritten_records(s->rf);
			log_warn("sink: lost %zu record(s) that could not be written to %s", lost,
				 s->path);
		}
		rotfile_free(s->rf);	/* also waits for compression to finish */
		break;
	case LT_STORE_SOCKET:
		if (s->q && s->host)
			sock_drain(s);
		sock_close(s);
		if (s->ai_list)
			freeaddrinfo(s->ai_list);
		break;
	}
	free(s->buf);
	free(s->q);
	free(s->host);
	free(s->path);
	free(s);
}
