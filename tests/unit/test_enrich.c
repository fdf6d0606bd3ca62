// SPDX-License-Identifier: MIT
/*
 * test_enrich.c - the enrichment stage: a held event is a deep copy (the
 * ring record may be overwritten at once), a cache hit goes out at once,
 * a process's later events wait behind its held one while other processes'
 * do not, and wait_ms = 0 gives "pending" then a hash_update. The same for a
 * model_load's scan verdict (enrich_scan_done): held, or "pending" then a
 * scan_update.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "enrich.h"
#include "hash.h"
#include "scan/scan.h"

static const char D_ABC[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
#define NO_PID 0x3ffffff0u	/* above pid_max: no /proc entry, hashing goes by name */

struct seen {
	uint32_t type, pid;
	int state, scan_state, verdict;
	uint64_t seq, ref_seq;
	char filename[256], args[64], exe[64], sha[65];
};

struct sink_log {
	struct seen ev[16];
	size_t n;
};

static uint64_t record(void *ctx, struct event *ev, const char *watch)
{
	struct sink_log *l = ctx;
	struct seen *s = &l->ev[l->n];

	(void)watch;
	assert_true(l->n < 16);
	memset(s, 0, sizeof(*s));
	s->type = ev->type;
	s->pid = ev->pid;
	s->state = ev->hash_state;
	s->seq = ++l->n;
	s->ref_seq = ev->hash_ref_seq;
	s->scan_state = ev->model.scan_state;
	s->verdict = ev->model.scan ? (int)ev->model.scan->verdict : -1;
	snprintf(s->filename, sizeof(s->filename), "%s", ev->filename ? ev->filename : "");
	if (ev->args)
		memcpy(s->args, ev->args, ev->args_len < sizeof(s->args) ? ev->args_len : 0);
	snprintf(s->exe, sizeof(s->exe), "%s", ev->exe ? ev->exe : "");
	snprintf(s->sha, sizeof(s->sha), "%s", ev->sha256);
	return s->seq;
}

struct rec {
	size_t len;
	union {
		struct lt_hdr hdr;
		struct lt_exec_ev exec;
		struct lt_exit_ev exit;
		char bytes[8192];
	} u;
};

static void hdr_init(struct lt_hdr *h, uint32_t type, uint32_t pid)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->tgid = h->tid = pid;
	h->start_ns = 1000 + pid;
	h->syscall_nr = -1;
	h->flags = LT_HF_REPORT;
}

/* an exec record of @path with argv "prog\0arg\0" and the identity of the file */
static void exec_rec(struct rec *r, uint32_t pid, const char *path)
{
	static const char args[] = "prog\0arg";
	size_t fl = strlen(path) + 1, off = sizeof(struct lt_exec_ev);
	struct statx sx;

	memset(r, 0, sizeof(*r));
	hdr_init(&r->u.hdr, LT_EV_EXEC, pid);
	assert_int_equal(statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &sx), 0);
	r->u.exec.exe.ino = sx.stx_ino;
	r->u.exec.exe.size = sx.stx_size;
	r->u.exec.exe.mtime_ns = (uint64_t)sx.stx_mtime.tv_sec * 1000000000ULL +
				 sx.stx_mtime.tv_nsec;
	r->u.exec.exe.ctime_ns = (uint64_t)sx.stx_ctime.tv_sec * 1000000000ULL +
				 sx.stx_ctime.tv_nsec;
	r->u.exec.exe.dev = kdev_from_user(makedev(sx.stx_dev_major, sx.stx_dev_minor));
	memcpy(r->u.bytes + off, path, fl);
	r->u.exec.filename_len = fl;
	memcpy(r->u.bytes + off + fl, args, sizeof(args));
	r->u.exec.args_len = sizeof(args);
	r->len = off + fl + sizeof(args);
	r->u.hdr.size = r->len;
}

static void exit_rec(struct rec *r, uint32_t pid)
{
	memset(r, 0, sizeof(*r));
	hdr_init(&r->u.hdr, LT_EV_EXIT, pid);
	r->len = sizeof(struct lt_exit_ev);
	r->u.hdr.size = r->len;
}

/* decode @r, pass it in as main.c does, then scribble over the record */
static void feed(struct enrich *e, struct rec *r, struct event *ev, const char *exe)
{
	assert_int_equal(event_decode(&r->u, r->len, ev), 0);
	ev->exe = exe;
	enrich_event(e, ev, NULL, &r->u, r->len);
	memset(&r->u, 0xaa, r->len);
}

/* poll until @log has @n events (5 s at most) */
static void wait_for(struct enrich *e, struct sink_log *log, size_t n)
{
	struct pollfd pfd = { .fd = enrich_fd(e), .events = POLLIN };

	for (int i = 0; i < 500 && log->n < n; i++) {
		int r = poll(&pfd, 1, 10);

		enrich_poll(e, r > 0);
	}
	assert_int_equal(log->n, n);
}

static char tmp_path[64];

static int setup(void **state)
{
	int fd;

	(void)state;
	snprintf(tmp_path, sizeof(tmp_path), "/tmp/test_enrich.XXXXXX");
	fd = mkstemp(tmp_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(tmp_path);
	return 0;
}

static struct enrich *stage(struct sink_log *log, uint64_t wait_ms)
{
	struct enrich_opts o = { .hashing = true, .wait_ms = wait_ms, .cache_entries = 8,
				 .workers = 1, .max_file_bytes = 1 << 20 };
	struct enrich *e = enrich_new(&o, record, log);

	assert_non_null(e);
	memset(log, 0, sizeof(*log));
	return e;
}

static void test_held_copy_order_and_cache(void **state)
{
	struct event *ev = calloc(1, sizeof(*ev));
	struct rec *r = calloc(1, sizeof(*r));
	struct sink_log log;
	struct enrich *e = stage(&log, 5000);
	char exe[32];
	struct ev_hash_stats st;

	(void)state;
	snprintf(exe, sizeof(exe), "/usr/bin/prog");
	exec_rec(r, NO_PID, tmp_path);
	feed(e, r, ev, exe);
	memset(exe, 'x', sizeof(exe) - 1);	/* the process table's string changes too */
	assert_int_equal(log.n, 0);		/* held for its digest */
	exit_rec(r, NO_PID);
	feed(e, r, ev, NULL);			/* its process's exit waits behind it */
	exit_rec(r, NO_PID + 1);
	feed(e, r, ev, NULL);			/* another process's does not */
	assert_int_equal(log.n, 1);
	assert_int_equal(log.ev[0].pid, NO_PID + 1);
	wait_for(e, &log, 3);
	assert_int_equal(log.ev[1].type, LT_EV_EXEC);
	assert_int_equal(log.ev[1].state, HASH_OK);
	assert_string_equal(log.ev[1].sha, D_ABC);
	assert_string_equal(log.ev[1].filename, tmp_path);	/* from the copied record */
	assert_memory_equal(log.ev[1].args, "prog\0arg", 9);
	assert_string_equal(log.ev[1].exe, "/usr/bin/prog");
	assert_int_equal(log.ev[2].type, LT_EV_EXIT);
	assert_int_equal(log.ev[2].pid, NO_PID);

	/* the same file again: from the cache, at once */
	exec_rec(r, NO_PID + 2, tmp_path);
	feed(e, r, ev, NULL);
	assert_int_equal(log.n, 4);
	assert_int_equal(log.ev[3].state, HASH_OK);
	assert_string_equal(log.ev[3].sha, D_ABC);
	enrich_get_stats(e, &st);
	assert_true(st.enabled);
	assert_int_equal(st.cache_hits, 1);
	assert_int_equal(st.cache_misses, 1);
	assert_int_equal(st.cache_entries, 1);
	assert_int_equal(st.jobs_queued, 1);
	assert_int_equal(st.held, 0);
	assert_int_equal(st.emitted_pending, 0);
	enrich_flush(e);
	enrich_free(e);
	free(r);
	free(ev);
}

static void test_wait_zero_pending_then_update(void **state)
{
	struct event *ev = calloc(1, sizeof(*ev));
	struct rec *r = calloc(1, sizeof(*r));
	struct sink_log log;
	struct enrich *e = stage(&log, 0);
	struct ev_hash_stats st;

	(void)state;
	exec_rec(r, NO_PID, tmp_path);
	feed(e, r, ev, NULL);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.ev[0].state, HASH_PENDING);
	assert_string_equal(log.ev[0].sha, "");
	wait_for(e, &log, 2);
	assert_int_equal(log.ev[1].type, LT_EV_HASH_UPDATE);
	assert_int_equal(log.ev[1].pid, NO_PID);
	assert_int_equal(log.ev[1].ref_seq, 1);
	assert_int_equal(log.ev[1].state, HASH_OK);
	assert_string_equal(log.ev[1].sha, D_ABC);
	assert_string_equal(log.ev[1].filename, tmp_path);
	enrich_get_stats(e, &st);
	assert_int_equal(st.emitted_pending, 1);
	assert_int_equal(st.updates, 1);
	enrich_free(e);
	free(r);
	free(ev);
}

static void test_changed_file_is_unavailable(void **state)
{
	struct event *ev = calloc(1, sizeof(*ev));
	struct rec *r = calloc(1, sizeof(*r));
	struct sink_log log;
	struct enrich *e = stage(&log, 5000);

	(void)state;
	exec_rec(r, NO_PID, tmp_path);
	r->u.exec.exe.ctime_ns--;	/* the kernel saw another version */
	feed(e, r, ev, NULL);
	wait_for(e, &log, 1);
	assert_int_equal(log.ev[0].state, HASH_UNAVAILABLE);
	assert_string_equal(log.ev[0].sha, "");
	/* and too large: skipped without a job */
	exec_rec(r, NO_PID, tmp_path);
	r->u.exec.exe.size = 2 << 20;
	feed(e, r, ev, NULL);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.ev[1].state, HASH_SKIPPED);
	enrich_free(e);
	free(r);
	free(ev);
}

static void test_off_passes_through(void **state)
{
	struct event *ev = calloc(1, sizeof(*ev));
	struct rec *r = calloc(1, sizeof(*r));
	struct enrich_opts o = { .hashing = false };
	struct sink_log log = { .n = 0 };
	struct enrich *e = enrich_new(&o, record, &log);

	(void)state;
	assert_int_equal(enrich_fd(e), -1);
	exec_rec(r, NO_PID, tmp_path);
	feed(e, r, ev, NULL);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.ev[0].state, HASH_NONE);
	enrich_free(e);
	enrich_free(NULL);
	free(r);
	free(ev);
}

/* feed_scan - pass in @r as an event waiting for scan @cookie */
static void feed_scan(struct enrich *e, struct rec *r, struct event *ev, uint64_t cookie)
{
	assert_int_equal(event_decode(&r->u, r->len, ev), 0);
	ev->model.scan_cookie = cookie;
	ev->model.scan_state = EV_SCAN_WAITING;
	enrich_event(e, ev, NULL, &r->u, r->len);
}

static void test_scan_verdict_held_or_pending_then_update(void **state)
{
	struct enrich_opts o = { .hashing = false, .scan_wait_ms = 10000 };
	struct sink_log log = { 0 };
	static struct event ev;
	static struct rec r;
	static struct scan_report rep;
	struct enrich *e = enrich_new(&o, record, &log);

	(void)state;
	assert_non_null(e);
	scan_report_init(&rep);
	scan_add_finding(&rep, SCAN_DANGEROUS, 13, "m/data.pkl", "posix.system", "denied");
	/* held for its verdict, and the process's next event behind it */
	exec_rec(&r, 4242, tmp_path);
	feed_scan(e, &r, &ev, 7);
	exit_rec(&r, 4242);
	feed(e, &r, &ev, NULL);
	enrich_poll(e, false);
	assert_int_equal(log.n, 0);
	enrich_scan_done(e, 7, &rep);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.ev[0].type, LT_EV_EXEC);
	assert_int_equal(log.ev[0].scan_state, EV_SCAN_DONE);
	assert_int_equal(log.ev[0].verdict, SCAN_DANGEROUS);
	assert_int_equal(log.ev[1].type, LT_EV_EXIT);
	enrich_free(e);

	/* scan_wait_ms = 0: out "pending" at once, then a scan_update that names it */
	o.scan_wait_ms = 0;
	memset(&log, 0, sizeof(log));
	e = enrich_new(&o, record, &log);
	assert_non_null(e);
	exec_rec(&r, 4243, tmp_path);
	feed_scan(e, &r, &ev, 8);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.ev[0].scan_state, EV_SCAN_PENDING);
	assert_int_equal(log.ev[0].verdict, -1);
	enrich_scan_done(e, 99, &rep);	/* not this event's scan */
	assert_int_equal(log.n, 1);
	enrich_scan_done(e, 8, &rep);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.ev[1].type, LT_EV_SCAN_UPDATE);
	assert_int_equal(log.ev[1].ref_seq, log.ev[0].seq);
	assert_int_equal(log.ev[1].pid, 4243);
	assert_string_equal(log.ev[1].filename, tmp_path);
	assert_int_equal(log.ev[1].verdict, SCAN_DANGEROUS);
	enrich_scan_done(e, 8, &rep);	/* delivered once */
	assert_int_equal(log.n, 2);
	enrich_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_held_copy_order_and_cache),
		cmocka_unit_test(test_wait_zero_pending_then_update),
		cmocka_unit_test(test_changed_file_is_unavailable),
		cmocka_unit_test(test_off_passes_through),
		cmocka_unit_test(test_scan_verdict_held_or_pending_then_update),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
