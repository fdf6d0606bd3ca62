// SPDX-License-Identifier: MIT
/* tests for src/output/sink.c: stdout, file and TCP socket destinations */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "output/sink.h"

#define FMT(buf, ...) assert_true((size_t)snprintf(buf, sizeof(buf), __VA_ARGS__) < sizeof(buf))
#define MiB (1024 * 1024)

/* the clock handed to sink_tick(): real time plus a skip for backoff waits */
static uint64_t clock_skip;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 + clock_skip;
}

/* record @seq: "rec <seq> <filler>\n", @len bytes (>= 16) */
static size_t make_record(char *buf, size_t len, unsigned int seq)
{
	int n = snprintf(buf, len, "rec %08u ", seq);

	memset(buf + n, 'a' + seq % 26, len - (size_t)n - 1);
	buf[len - 1] = '\n';
	return len;
}

static size_t record_len(unsigned int seq)
{
	return 16 + (seq * 7919u) % 180;
}

/* --- growable receive buffer --- */

struct rx {
	int fd;
	char *buf;
	size_t len, cap;
	int eof;
};

static void rx_init(struct rx *rx, int fd)
{
	memset(rx, 0, sizeof(*rx));
	rx->fd = fd;
}

/* read what is available now (waits up to @ms for the first bytes) */
static void rx_read(struct rx *rx, int ms)
{
	struct pollfd pfd = { .fd = rx->fd, .events = POLLIN };

	if (poll(&pfd, 1, ms) <= 0)
		return;
	for (;;) {
		ssize_t n;

		if (rx->cap - rx->len < 65536) {
			rx->cap = rx->cap ? rx->cap * 2 : 1 << 20;
			rx->buf = realloc(rx->buf, rx->cap);
			assert_non_null(rx->buf);
		}
		n = recv(rx->fd, rx->buf + rx->len, rx->cap - rx->len, MSG_DONTWAIT);
		if (n > 0) {
			rx->len += (size_t)n;
			continue;
		}
		if (n == 0)
			rx->eof = 1;
		return;
	}
}

/* flush/tick the sink and read until @want bytes arrived (or 10 s) */
static void pump_until(struct sink *s, struct rx *rx, size_t want)
{
	uint64_t deadline = now_ms() + 10000;

	while (rx->len < want && now_ms() < deadline) {
		sink_flush(s);
		sink_tick(s, now_ms());
		rx_read(rx, 5);
	}
	assert_int_equal(rx->len, want);
}

static void rx_free(struct rx *rx)
{
	if (rx->fd >= 0)
		close(rx->fd);
	free(rx->buf);
}

/* --- sockets --- */

static int listen_on(int family, uint16_t port, int rcvbuf, uint16_t *bound)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	int fd, one = 1;

	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
	if (rcvbuf)
		assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)), 0);
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		a->sin6_addr = in6addr_loopback;
		sl = sizeof(*a);
	}
	if (bind(fd, (struct sockaddr *)&ss, sl)) {
		close(fd);
		return -1;
	}
	assert_int_equal(listen(fd, 8), 0);
	sl = sizeof(ss);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &sl), 0);
	*bound = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					 : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

/* a loopback port that nothing listens on */
static uint16_t unused_port(void)
{
	uint16_t port;
	int fd = listen_on(AF_INET, 0, 0, &port);

	close(fd);
	return port;
}

/* tick the sink (skipping backoff waits) until @lfd has a connection to accept */
static int accept_sink(struct sink *s, int lfd)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	int i, fd;

	for (i = 0; i < 200; i++) {
		sink_tick(s, now_ms());
		if (poll(&pfd, 1, 10) == 1)
			break;
		clock_skip += 1000;	/* at most 30 s of backoff is skipped in 30 rounds */
	}
	assert_int_equal(pfd.revents & POLLIN, POLLIN);
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(fd >= 0);
	/* let the sink see its connect() complete */
	sink_tick(s, now_ms());
	return fd;
}

static struct sink *open_socket_sink(const char *addr, uint16_t port, size_t qmax)
{
	struct sink_opts o = {
		.type = LT_STORE_SOCKET,
		.remote_addr = addr,
		.remote_port = port,
		.queue_max = qmax,
	};
	struct sink *s = sink_open(&o);

	assert_non_null(s);
	return s;
}

/* --- stdout --- */

struct saved_fd {
	int saved;
};

static void redirect_stdout(struct saved_fd *sv, int fd)
{
	fflush(stdout);
	sv->saved = dup(STDOUT_FILENO);
	assert_true(sv->saved >= 0);
	assert_int_equal(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
}

static void restore_stdout(struct saved_fd *sv)
{
	fflush(stdout);
	dup2(sv->saved, STDOUT_FILENO);
	close(sv->saved);
}

static off_t fd_size(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_size;
}

static void test_stdout_buffers_until_flush_then_writes_exact_bytes(void **state)
{
	struct sink_opts o = { .type = LT_STORE_STDOUT };
	char tmpl[] = "/tmp/lt-sink-out-XXXXXX", rec[256], *got, *want;
	size_t wlen = 0, total = 0;
	struct sink_stats st;
	struct saved_fd sv;
	struct sink *s;
	unsigned int i;
	int fd;

	(void)state;
	fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	unlink(tmpl);
	want = malloc(4 * MiB);
	assert_non_null(want);
	redirect_stdout(&sv, fd);
	s = sink_open(&o);
	assert_non_null(s);
	for (i = 0; i < 1000; i++) {
		size_t n = make_record(rec, record_len(i), i);

		assert_int_equal(sink_write(s, rec, n), 0);
		memcpy(want + wlen, rec, n);
		wlen += n;
	}
	/* no write(2) per record: nothing reached the file yet */
	assert_int_equal(fd_size(fd), 0);
	assert_int_equal(sink_flush(s), 0);
	assert_int_equal(fd_size(fd), (off_t)wlen);
	/* more than the buffer holds: written as it fills, complete after free */
	for (; i < 20000; i++) {
		size_t n = make_record(rec, record_len(i), i);

		assert_int_equal(sink_write(s, rec, n), 0);
		memcpy(want + wlen, rec, n);
		wlen += n;
	}
	assert_true(fd_size(fd) > 0);
	/* a run of records as large as the event loop's batches: written at once, no copy */
	assert_int_equal(sink_flush(s), 0);
	{
		size_t start = wlen;
		unsigned int n0 = i;
		off_t before = fd_size(fd);

		for (; wlen - start < 40 * 1024; i++)
			wlen += make_record(want + wlen, record_len(i), i);
		assert_int_equal(sink_write_n(s, want + start, wlen - start, i - n0), 0);
		assert_int_equal(fd_size(fd), before + (off_t)(wlen - start));
	}
	sink_get_stats(s, &st);
	sink_free(s);
	restore_stdout(&sv);

	assert_int_equal(st.records, i);
	assert_int_equal(st.bytes, wlen);
	assert_int_equal(st.dropped, 0);
	total = (size_t)fd_size(fd);
	assert_int_equal(total, wlen);
	got = malloc(total);
	assert_non_null(got);
	assert_int_equal(pread(fd, got, total, 0), (ssize_t)total);
	assert_memory_equal(got, want, wlen);
	free(got);
	free(want);
	close(fd);
}

static void test_stdout_closed_reader_reports_epipe_and_counts_drops(void **state)
{
	struct sink_opts o = { .type = LT_STORE_STDOUT };
	struct sink_stats st;
	struct saved_fd sv;
	struct sink *s;
	char rec[1000];
	int p[2], i, rc = 0;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	redirect_stdout(&sv, p[1]);
	s = sink_open(&o);
	assert_non_null(s);
	make_record(rec, sizeof(rec), 1);
	assert_int_equal(sink_write(s, rec, sizeof(rec)), 0);
	assert_int_equal(sink_flush(s), -EPIPE);
	/* the buffer fills, then each further record is refused and counted */
	for (i = 0; i < 400 && !rc; i++)
		rc = sink_write(s, rec, sizeof(rec));
	assert_int_equal(rc, -EPIPE);
	sink_get_stats(s, &st);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.records, (uint64_t)i);	/* all calls but the failing one */
	sink_free(s);
	restore_stdout(&sv);
	close(p[1]);
}

static void test_write_rejects_records_that_are_not_lines(void **state)
{
	struct sink_opts o = { .type = LT_STORE_STDOUT };
	struct sink_stats st;
	struct sink *s;

	(void)state;
	s = sink_open(&o);
	assert_non_null(s);
	assert_int_equal(sink_write(s, "no newline", 10), -EINVAL);
	assert_int_equal(sink_write(s, "", 0), -EINVAL);
	sink_get_stats(s, &st);
	assert_int_equal(st.dropped, 2);
	assert_int_equal(st.records, 0);
	sink_free(s);
}

static void test_open_rejects_bad_options(void **state)
{
	struct sink_opts o = { .type = LT_STORE_SOCKET, .remote_addr = "127.0.0.1" };

	(void)state;
	o.remote_port = 0;
	errno = 0;
	assert_null(sink_open(&o));
	assert_int_equal(errno, EINVAL);
	o.remote_port = 65536;
	assert_null(sink_open(&o));
	assert_int_equal(errno, EINVAL);
	o.remote_port = 80;
	o.remote_addr = "";
	assert_null(sink_open(&o));
	assert_int_equal(errno, EINVAL);
	o.type = LT_STORE_FILE;
	o.file_path = NULL;
	assert_null(sink_open(&o));
	assert_int_equal(errno, EINVAL);
	o.type = (enum lt_storage_type)9;
	assert_null(sink_open(&o));
	assert_int_equal(errno, EINVAL);
	sink_free(NULL);
}

/* --- file --- */

/*
 * 3000 records of 1000 bytes through a file sink rotating at 1 MiB: one by
 * one, or (@runs) in runs of 1 to 66 records, the event loop's batches,
 * under and over the size written without a copy. Every record is in the
 * files once, in order, whole.
 */
static void file_sink_keeps_every_record(bool runs)
{
	struct lt_rotate r = { .max_size_mb = 1 };
	struct sink_opts o = { .type = LT_STORE_FILE, .rot = &r };
	char dir[] = "/tmp/lt-sink-file-XXXXXX", path[256], cmd[512];
	char *run, *all, *p;
	struct sink_stats st;
	struct sink *s;
	unsigned int i = 0, seq, k;
	size_t len, rlen;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	FMT(path, "%s/out/events.json", dir);
	o.file_path = path;
	s = sink_open(&o);
	assert_non_null(s);
	run = malloc(70 * 1000);
	assert_non_null(run);
	for (k = 1; i < 3000; k = runs ? k % 60 + 7 : 1) {
		unsigned int n = k;

		for (rlen = 0; n && i < 3000; n--, i++, rlen += 1000)
			make_record(run + rlen, 1000, i);
		if (runs)
			assert_int_equal(sink_write_n(s, run, rlen, rlen / 1000), 0);
		else
			assert_int_equal(sink_write(s, run, rlen), 0);
	}
	assert_int_equal(sink_reopen(s), 0);
	sink_get_stats(s, &st);
	sink_free(s);
	free(run);
	assert_int_equal(st.records, 3000);
	assert_int_equal(st.bytes, 3000 * 1000);
	assert_int_equal(st.dropped, 0);

	/* backups sort by name in time order; the live file comes last */
	FMT(cmd, "cd '%s/out' && ls | grep -c -- '^events-' && cat $(ls events-*) events.json",
	    dir);
	f = popen(cmd, "r");
	assert_non_null(f);
	all = malloc(4 * MiB);
	assert_non_null(all);
	assert_non_null(fgets(all, 64, f));
	assert_int_equal(atoi(all), 2);	/* 3 000 000 bytes in 1 MiB files */
	len = fread(all, 1, 4 * MiB, f);
	pclose(f);
	assert_int_equal(len, 3000 * 1000);
	for (i = 0, p = all; i < 3000; i++, p += 1000) {
		assert_int_equal(sscanf(p, "rec %08u ", &seq), 1);
		assert_int_equal(seq, i);
		assert_int_equal(p[999], '\n');
	}
	free(all);
	FMT(cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_file_sink_rotates_and_keeps_every_record(void **state)
{
	(void)state;
	file_sink_keeps_every_record(false);
}

static void test_file_sink_reports_rotation_failures_in_the_log(void **state)
{
	struct lt_rotate r = { .max_size_mb = 1 };
	struct sink_opts o = { .type = LT_STORE_FILE, .rot = &r };
	char dir[] = "/tmp/lt-sink-rot-XXXXXX", path[512], logp[512], name[251], rec[1000];
	char cmd[600], line[1024];
	struct sink *s;
	FILE *f;
	int i, found = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	memset(name, 'n', sizeof(name) - 1);	/* too long for any backup name */
	name[sizeof(name) - 1] = '\0';
	FMT(path, "%s/%s", dir, name);
	FMT(logp, "%s/ltrack.log", dir);
	assert_int_equal(log_setup(LT_LOG_ERROR, LT_FMT_TEXT, logp, NULL), 0);
	o.file_path = path;
	s = sink_open(&o);
	assert_non_null(s);
	for (i = 0; i < 1500; i++) {
		make_record(rec, sizeof(rec), (unsigned int)i);
		assert_int_equal(sink_write(s, rec, sizeof(rec)), 0);
	}
	sink_tick(s, now_ms());
	sink_free(s);
	log_setup(LT_LOG_ERROR, LT_FMT_TEXT, NULL, NULL);
	f = fopen(logp, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		found += strstr(line, " level=error msg=\"sink: rotating or pruning ") &&
			 strstr(line, "File name too long (1 failures so far)\"");
	fclose(f);
	assert_int_equal(found, 1);
	FMT(cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* --- socket --- */

static void test_socket_delivers_exact_records_in_order(void **state)
{
	unsigned int i, n = 100000;
	struct sink_stats st;
	size_t wlen = 0;
	struct sink *s;
	uint16_t port;
	char *want, rec[256];
	struct rx rx;
	int lfd;

	(void)state;
	lfd = listen_on(AF_INET, 0, 0, &port);
	s = open_socket_sink("127.0.0.1", port, 0);
	rx_init(&rx, accept_sink(s, lfd));
	want = malloc(32 * MiB);
	assert_non_null(want);
	for (i = 0; i < n; i++) {
		size_t len = make_record(rec, record_len(i), i);

		assert_int_equal(sink_write(s, rec, len), 0);
		memcpy(want + wlen, rec, len);
		wlen += len;
		if (i % 1000 == 999) {
			sink_flush(s);
			rx_read(&rx, 0);
		}
	}
	pump_until(s, &rx, wlen);
	assert_memory_equal(rx.buf, want, wlen);
	sink_get_stats(s, &st);
	assert_int_equal(st.records, n);
	assert_int_equal(st.bytes, wlen);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.reconnects, 0);
	sink_free(s);
	rx_read(&rx, 100);
	assert_int_equal(rx.len, wlen);	/* nothing extra at close */
	free(want);
	rx_free(&rx);
	close(lfd);
}

/*
 * A small queue against a slow reader: the ring wraps, sends are partial,
 * and every refused record is exactly the one missing from the stream.
 */
/* runs of records (the event loop's batches), written without a copy, rotate as records do */
static void test_file_sink_takes_runs_of_records_whole(void **state)
{
	(void)state;
	file_sink_keeps_every_record(true);
}

/* a run that does not fit the socket queue: its whole records that do go in, the rest counted */
static void test_socket_run_partly_fitting_keeps_whole_records(void **state)
{
	unsigned int i = 0, accepted = 0, dropped = 0, k;
	struct sink_stats st;
	size_t wlen = 0;
	struct sink *s;
	uint16_t port;
	char *want, *run;
	struct rx rx;
	int lfd, rc;

	(void)state;
	lfd = listen_on(AF_INET, 0, 8192, &port);
	s = open_socket_sink("127.0.0.1", port, 100 * 1024);
	rx_init(&rx, accept_sink(s, lfd));
	want = malloc(48 * MiB);
	run = malloc(64 * 1024);
	assert_non_null(want);
	assert_non_null(run);
	/* no reading: the kernel's buffers and the queue fill, runs get cut */
	for (k = 0; k < 3000 && dropped < 2000; k++) {
		size_t rlen = 0, rec_off[50];
		unsigned int n;
		struct sink_stats before;

		for (n = 0; n < 50; n++, i++) {
			rec_off[n] = rlen;
			rlen += make_record(run + rlen, record_len(i), i);
		}
		sink_get_stats(s, &before);
		rc = sink_write_n(s, run, rlen, 50);
		sink_get_stats(s, &st);
		if (rc) {
			assert_int_equal(rc, -ENOBUFS);
			n = (unsigned int)(st.records - before.records);
			assert_int_equal(st.dropped - before.dropped, 50 - n);
			/* what went in is exactly the first n whole records */
			assert_int_equal(st.bytes - before.bytes, n < 50 ? rec_off[n] : rlen);
			dropped += 50 - n;
		} else {
			n = 50;
		}
		memcpy(want + wlen, run, n < 50 ? rec_off[n] : rlen);
		wlen += n < 50 ? rec_off[n] : rlen;
		accepted += n;
		if (k % 10 == 9)
			sink_flush(s);
	}
	assert_true(dropped > 0);
	pump_until(s, &rx, wlen);
	assert_memory_equal(rx.buf, want, wlen);
	sink_get_stats(s, &st);
	assert_int_equal(st.records, accepted);
	assert_int_equal(st.dropped, dropped);
	assert_int_equal(st.bytes, wlen);
	sink_free(s);
	free(want);
	free(run);
	rx_free(&rx);
	close(lfd);
}

static void test_socket_small_queue_wraps_and_drops_are_exact(void **state)
{
	unsigned int i, end = 300000, refused = 0;
	struct sink_stats st;
	size_t wlen = 0;
	struct sink *s;
	uint16_t port;
	char *want, rec[256];
	struct rx rx;
	int lfd, rc;

	(void)state;
	lfd = listen_on(AF_INET, 0, 8192, &port);
	s = open_socket_sink("127.0.0.1", port, 100 * 1024);
	rx_init(&rx, accept_sink(s, lfd));
	want = malloc(48 * MiB);
	assert_non_null(want);
	/*
	 * no reading until the kernel buffers and the queue are full and a
	 * record is refused; then 20 000 more records, reading now and then
	 */
	for (i = 0; i < end; i++) {
		size_t len = make_record(rec, record_len(i), i);

		rc = sink_write(s, rec, len);
		if (rc == -ENOBUFS) {
			if (!refused++)
				end = i + 20000;
		} else {
			assert_int_equal(rc, 0);
			memcpy(want + wlen, rec, len);
			wlen += len;
		}
		if (i % 500 == 499) {
			sink_flush(s);
			if (refused)
				rx_read(&rx, 0);
		}
	}
	assert_true(refused > 0);
	pump_until(s, &rx, wlen);
	assert_memory_equal(rx.buf, want, wlen);
	sink_get_stats(s, &st);
	assert_int_equal(st.dropped, refused);
	assert_int_equal(st.records, end - refused);
	assert_int_equal(st.bytes, wlen);
	sink_free(s);
	free(want);
	rx_free(&rx);
	close(lfd);
}

static void test_socket_queue_overflow_while_down_counts_drops_exactly(void **state)
{
	struct sink_stats st;
	uint16_t port = unused_port(), bound;
	struct sink *s;
	char rec[100];
	struct rx rx;
	int i, lfd, rc;

	(void)state;
	s = open_socket_sink("127.0.0.1", port, 1000);
	for (i = 0; i < 25; i++) {
		make_record(rec, sizeof(rec), (unsigned int)i);
		rc = sink_write(s, rec, sizeof(rec));
		assert_int_equal(rc, i < 10 ? 0 : -ENOBUFS);
	}
	sink_flush(s);
	sink_tick(s, now_ms());
	sink_get_stats(s, &st);
	assert_int_equal(st.records, 10);
	assert_int_equal(st.bytes, 1000);
	assert_int_equal(st.dropped, 15);

	/* the peer comes up: the 10 queued records arrive, nothing else */
	lfd = listen_on(AF_INET, port, 0, &bound);
	assert_true(lfd >= 0);
	rx_init(&rx, accept_sink(s, lfd));
	pump_until(s, &rx, 1000);
	for (i = 0; i < 10; i++) {
		make_record(rec, sizeof(rec), (unsigned int)i);
		assert_memory_equal(rx.buf + i * 100, rec, 100);
	}
	sink_get_stats(s, &st);
	assert_int_equal(st.dropped, 15);
	assert_int_equal(st.reconnects, 1);
	sink_free(s);
	rx_free(&rx);
	close(lfd);
}

static void test_socket_listener_appearing_later_gets_queued_records(void **state)
{
	uint16_t port = unused_port(), bound;
	struct sink_stats st;
	struct sink *s;
	struct rx rx;
	int lfd, k;

	(void)state;
	s = open_socket_sink("127.0.0.1", port, 0);
	assert_int_equal(sink_write(s, "one\n", 4), 0);
	/* several failed attempts with growing backoff */
	for (k = 0; k < 5; k++) {
		clock_skip += 31000;
		sink_tick(s, now_ms());
		usleep(2000);
		sink_tick(s, now_ms());
	}
	assert_int_equal(sink_write(s, "two\n", 4), 0);
	lfd = listen_on(AF_INET, port, 0, &bound);
	assert_true(lfd >= 0);
	rx_init(&rx, accept_sink(s, lfd));
	assert_int_equal(sink_write(s, "three\n", 6), 0);
	pump_until(s, &rx, 14);
	assert_memory_equal(rx.buf, "one\ntwo\nthree\n", 14);
	sink_get_stats(s, &st);
	assert_int_equal(st.reconnects, 1);
	assert_int_equal(st.dropped, 0);
	sink_free(s);
	rx_free(&rx);
	close(lfd);
}

/*
 * The peer dies while a record is half sent: the rest of that record is
 * dropped and counted, and the next connection starts at a record boundary.
 */
static void test_socket_record_cut_by_disconnect_is_dropped_not_split(void **state)
{
	size_t big = 12 * MiB;
	struct sink_stats st;
	struct sink *s;
	struct rx rx1, rx2;
	uint16_t port;
	char *rec;
	int lfd, i;

	(void)state;
	lfd = listen_on(AF_INET, 0, 4096, &port);
	s = open_socket_sink("127.0.0.1", port, 16 * MiB);
	rx_init(&rx1, accept_sink(s, lfd));
	rec = malloc(big);
	assert_non_null(rec);
	make_record(rec, big, 7);
	assert_int_equal(sink_write(s, "first\n", 6), 0);
	assert_int_equal(sink_write(s, rec, big), 0);
	assert_int_equal(sink_write(s, "after\n", 6), 0);
	for (i = 0; i < 20; i++)
		sink_flush(s);		/* fills the kernel buffers, no more */
	rx_read(&rx1, 50);
	assert_true(rx1.len >= 6 && rx1.len < big);
	assert_memory_equal(rx1.buf, "first\n", 6);
	/* close with unread data: the sink gets a reset */
	rx_free(&rx1);
	for (i = 0; i < 50; i++) {
		sink_flush(s);
		sink_tick(s, now_ms());
		sink_get_stats(s, &st);
		if (st.dropped)
			break;
		usleep(10000);
	}
	assert_int_equal(st.dropped, 1);
	rx_init(&rx2, accept_sink(s, lfd));
	pump_until(s, &rx2, 6);
	assert_memory_equal(rx2.buf, "after\n", 6);
	sink_get_stats(s, &st);
	assert_int_equal(st.reconnects, 1);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.records, 3);
	sink_free(s);
	rx_read(&rx2, 50);
	assert_int_equal(rx2.len, 6);
	free(rec);
	rx_free(&rx2);
	close(lfd);
}

static void test_socket_free_drains_the_queue(void **state)
{
	struct sink *s;
	uint16_t port;
	struct rx rx;
	int lfd, i;
	char rec[64];

	(void)state;
	lfd = listen_on(AF_INET, 0, 0, &port);
	s = open_socket_sink("127.0.0.1", port, 0);
	rx_init(&rx, accept_sink(s, lfd));
	for (i = 0; i < 1000; i++) {
		make_record(rec, sizeof(rec), (unsigned int)i);
		assert_int_equal(sink_write(s, rec, sizeof(rec)), 0);
	}
	sink_free(s);		/* no flush before: free delivers */
	while (!rx.eof)
		rx_read(&rx, 1000);
	assert_int_equal(rx.len, 1000 * sizeof(rec));
	for (i = 0; i < 1000; i++) {
		make_record(rec, sizeof(rec), (unsigned int)i);
		assert_memory_equal(rx.buf + i * sizeof(rec), rec, sizeof(rec));
	}
	rx_free(&rx);
	close(lfd);
}

static void test_socket_host_names_and_ipv6(void **state)
{
	static const struct {
		const char *addr;
		int family;
	} cases[] = {
		{ "localhost", AF_INET },
		{ "::1", AF_INET6 },
		{ "[::1]", AF_INET6 },
	};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct sink *s;
		uint16_t port;
		struct rx rx;
		int lfd = listen_on(cases[k].family, 0, 0, &port);

		if (lfd < 0) {
			assert_int_equal(cases[k].family, AF_INET6);
			continue;	/* no IPv6 loopback here */
		}
		s = open_socket_sink(cases[k].addr, port, 0);
		rx_init(&rx, accept_sink(s, lfd));
		assert_int_equal(sink_write(s, "hello\n", 6), 0);
		pump_until(s, &rx, 6);
		assert_memory_equal(rx.buf, "hello\n", 6);
		sink_free(s);
		rx_free(&rx);
		close(lfd);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stdout_buffers_until_flush_then_writes_exact_bytes),
		cmocka_unit_test(test_stdout_closed_reader_reports_epipe_and_counts_drops),
		cmocka_unit_test(test_write_rejects_records_that_are_not_lines),
		cmocka_unit_test(test_open_rejects_bad_options),
		cmocka_unit_test(test_file_sink_rotates_and_keeps_every_record),
		cmocka_unit_test(test_file_sink_reports_rotation_failures_in_the_log),
		cmocka_unit_test(test_socket_delivers_exact_records_in_order),
		cmocka_unit_test(test_socket_small_queue_wraps_and_drops_are_exact),
		cmocka_unit_test(test_file_sink_takes_runs_of_records_whole),
		cmocka_unit_test(test_socket_run_partly_fitting_keeps_whole_records),
		cmocka_unit_test(test_socket_queue_overflow_while_down_counts_drops_exactly),
		cmocka_unit_test(test_socket_listener_appearing_later_gets_queued_records),
		cmocka_unit_test(test_socket_record_cut_by_disconnect_is_dropped_not_split),
		cmocka_unit_test(test_socket_free_drains_the_queue),
		cmocka_unit_test(test_socket_host_names_and_ipv6),
	};

	/* the sink reports connection trouble through the log; keep the output clean */
	log_setup(LT_LOG_ERROR, LT_FMT_TEXT, NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
