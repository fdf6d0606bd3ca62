// SPDX-License-Identifier: MIT
/*
 * test_fanexec.c - fanotify's exec descriptors without fanotify: the events
 * of a read(2) buffer are fed to a table (fanexec_table_new +
 * fanexec_process) holding real descriptors of temp files. Pins down what
 * is counted as lost (overflows, events without a descriptor, evictions),
 * what is not (the agent's own processes, duplicates, releases, expiry), how
 * an exec claims its descriptor, and the mount table parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fanexec.h"
#include "hash.h"

#define NFILES 4

static char paths[NFILES][64];

/* NFILES temp files of different sizes */
static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < NFILES; i++) {
		int fd;

		snprintf(paths[i], sizeof(paths[i]), "/tmp/test_fanexec.XXXXXX");
		fd = mkstemp(paths[i]);
		if (fd < 0 || ftruncate(fd, 100 + i) || close(fd))
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NFILES; i++)
		unlink(paths[i]);
	return 0;
}

/* a buffer of @n events as the kernel writes them */
struct evbuf {
	struct fanotify_event_metadata m[16];
	size_t n;
};

static void ev_add(struct evbuf *b, uint64_t mask, int fd, int pid)
{
	struct fanotify_event_metadata *m = &b->m[b->n++];

	memset(m, 0, sizeof(*m));
	m->event_len = sizeof(*m);
	m->vers = FANOTIFY_METADATA_VERSION;
	m->metadata_len = sizeof(*m);
	m->mask = mask;
	m->fd = fd;
	m->pid = pid;
}

static int open_file(int i)
{
	int fd = open(paths[i], O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

static struct ev_file_id id_of_file(int i)
{
	struct ev_file_id id;
	int fd = open_file(i);

	assert_int_equal(hash_fd_id(fd, &id), 0);
	close(fd);
	return id;
}

static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* everything that is lost is counted, and only that */
static void test_counting(void **state)
{
	struct fanexec_opts o = { .ignore = { 4242, 0 }, .held_max = 2 };
	struct fanexec *fx = fanexec_table_new(&o);
	struct ev_fanotify_stats st;
	struct evbuf b = { .n = 0 };
	int fds[6];

	(void)state;
	assert_non_null(fx);
	ev_add(&b, FAN_Q_OVERFLOW, FAN_NOFD, 0);	/* the queue was full */
	ev_add(&b, FAN_OPEN_EXEC, FAN_NOFD, 100);	/* no descriptor could be opened */
	ev_add(&b, FAN_OPEN_EXEC, -EMFILE, 100);	/* FAN_REPORT_FD_ERROR's form */
	fds[0] = open_file(0);
	ev_add(&b, FAN_OPEN_EXEC, fds[0], 4242);	/* the agent's own: dropped, not lost */
	fds[1] = open_file(1);
	ev_add(&b, FAN_OPEN_EXEC, fds[1], 100);
	fds[2] = open_file(1);
	ev_add(&b, FAN_OPEN_EXEC, fds[2], 101);	/* the same file again: one descriptor serves */
	fds[3] = open_file(2);
	ev_add(&b, FAN_OPEN_EXEC, fds[3], 102);
	fds[4] = open_file(3);
	ev_add(&b, FAN_OPEN_EXEC, fds[4], 103);	/* a third file with room for 2: the oldest goes */
	assert_int_equal(fanexec_process(fx, b.m, b.n * sizeof(b.m[0]), 1000), 8);
	assert_false(is_open(fds[0]));
	assert_false(is_open(fds[2]));
	assert_true(is_open(fds[3]) && is_open(fds[4]));
	fanexec_get_stats(fx, &st);
	assert_int_equal(st.overflows, 1);
	assert_int_equal(st.events, 7);
	assert_int_equal(st.fd_errors, 2);
	assert_int_equal(st.ignored, 1);
	assert_int_equal(st.released, 1);
	assert_int_equal(st.evicted, 1);
	assert_int_equal(st.lost, 4);	/* overflow + 2 without a descriptor + 1 evicted */
	assert_int_equal(st.held, 2);
	assert_int_equal(st.held_max, 2);
	assert_false(st.enabled);	/* a table alone: no group */

	/* a truncated buffer stops at the last whole record */
	b.n = 0;
	ev_add(&b, FAN_Q_OVERFLOW, FAN_NOFD, 0);
	assert_int_equal(fanexec_process(fx, b.m, sizeof(b.m[0]) - 1, 1000), 0);
	fanexec_free(fx);
	assert_false(is_open(fds[3]) || is_open(fds[4]));
}

/* the exec's record claims the descriptor of its very file; the rest are released or expire */
static void test_take_release_expire(void **state)
{
	struct fanexec_opts o = { .hold_ms = 500 };
	struct fanexec *fx = fanexec_table_new(&o);
	struct ev_fanotify_stats st;
	struct evbuf b = { .n = 0 };
	struct ev_file_id k0 = id_of_file(0), k1 = id_of_file(1), k2 = id_of_file(2), seen, k;
	struct fanexec_look look;
	int fd, fd1;

	(void)state;
	ev_add(&b, FAN_OPEN_EXEC, open_file(0), 100);
	fd1 = open_file(1);
	ev_add(&b, FAN_OPEN_EXEC, fd1, 101);
	ev_add(&b, FAN_OPEN_EXEC, open_file(2), 102);
	fanexec_process(fx, b.m, b.n * sizeof(b.m[0]), 1000);

	/* another size or mtime is another content: not this file's descriptor */
	k = k0;
	k.size++;
	assert_int_equal(fanexec_take(fx, &k, &fd, &seen, NULL), -ENOENT);
	k = k0;
	k.mtime_ns++;
	assert_int_equal(fanexec_take(fx, &k, &fd, &seen, NULL), -ENOENT);
	/* the kernel saw it before its ctime moved (an unlink after the exec): still it */
	k = k0;
	k.ctime_ns -= 5;
	memset(&look, 0xff, sizeof(look));
	assert_int_equal(fanexec_take(fx, &k, &fd, &seen, &look), 0);
	assert_memory_equal(&seen, &k0, sizeof(seen));
	assert_false(look.ok);	/* no look callback: no look */
	close(fd);
	assert_int_equal(fanexec_take(fx, &k0, &fd, &seen, NULL), -ENOENT);	/* claimed once */

	/* an exec that needs no descriptor releases the one seen exactly so */
	k = k1;
	k.ctime_ns++;
	fanexec_release(fx, &k);
	assert_true(is_open(fd1));
	fanexec_release(fx, &k1);
	assert_false(is_open(fd1));

	/* the last one ages out */
	fanexec_expire(fx, 1499);
	fanexec_get_stats(fx, &st);
	assert_int_equal(st.held, 1);
	fanexec_expire(fx, 1500);
	fanexec_get_stats(fx, &st);
	assert_int_equal(st.held, 0);
	assert_int_equal(st.used, 1);
	assert_int_equal(st.released, 1);
	assert_int_equal(st.expired, 1);
	assert_int_equal(st.lost, 0);
	assert_int_equal(fanexec_take(fx, &k2, &fd, &seen, NULL), -ENOENT);
	fanexec_free(fx);
}

static bool want_none(void *ctx, const struct ev_file_id *seen)
{
	(void)ctx;
	(void)seen;
	return false;
}

static void look_ok(void *ctx, uint32_t pid, struct fanexec_look *l)
{
	(*(int *)ctx)++;
	l->ok = true;
	l->pid = pid;
	l->start_ticks = 77;
	l->mark = 99;
}

/* a known digest needs no descriptor; a kept one carries the look taken as it was read */
static void test_wanted_and_look(void **state)
{
	int looks = 0;
	struct fanexec_opts o = { .ctx = &looks, .wanted = want_none, .look = look_ok };
	struct fanexec *fx = fanexec_table_new(&o);
	struct ev_fanotify_stats st;
	struct evbuf b = { .n = 0 };
	struct ev_file_id k0 = id_of_file(0), seen;
	struct fanexec_look look;
	int fd = open_file(0);

	(void)state;
	ev_add(&b, FAN_OPEN_EXEC, fd, 100);
	fanexec_process(fx, b.m, b.n * sizeof(b.m[0]), 1);
	assert_false(is_open(fd));
	fanexec_get_stats(fx, &st);
	assert_int_equal(st.held, 0);
	assert_int_equal(st.released, 1);
	assert_int_equal(looks, 0);
	fanexec_free(fx);

	o.wanted = NULL;
	fx = fanexec_table_new(&o);
	b.n = 0;
	ev_add(&b, FAN_OPEN_EXEC, open_file(0), 123);
	fanexec_process(fx, b.m, b.n * sizeof(b.m[0]), 1);
	assert_int_equal(looks, 1);
	assert_int_equal(fanexec_take(fx, &k0, &fd, &seen, &look), 0);
	assert_true(look.ok);
	assert_int_equal(look.pid, 123);
	assert_int_equal(look.start_ticks, 77);
	assert_int_equal(look.mark, 99);
	assert_memory_equal(&look.id, &k0, sizeof(k0));	/* the identity just before the look */
	close(fd);
	fanexec_free(fx);
}

static void test_mountinfo(void **state)
{
	char l1[] = "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard\n";
	char l2[] = "30 25 0:27 / /mnt/with\\040space\\134x rw shared:5 master:1 - tmpfs tmpfs rw\n";
	char l3[] = "22 27 0:21 / /proc rw,relatime - proc proc rw";
	char bad1[] = "27 1 254:0 / / rw,relatime ext4 /dev/vda rw";	/* no separator */
	char bad2[] = "27 1 x:y / / rw - ext4 /dev/vda rw";
	char bad3[] = "27 1 254:0";
	struct fanexec_mount m;

	(void)state;
	assert_int_equal(fanexec_mountinfo_line(l1, &m), 0);
	assert_int_equal(m.dev, 254u << 20);
	assert_string_equal(m.mountpoint, "/");
	assert_string_equal(m.fstype, "ext4");
	assert_int_equal(fanexec_mountinfo_line(l2, &m), 0);
	assert_int_equal(m.dev, 27u);
	assert_string_equal(m.mountpoint, "/mnt/with space\\x");
	assert_string_equal(m.fstype, "tmpfs");
	assert_int_equal(fanexec_mountinfo_line(l3, &m), 0);
	assert_string_equal(m.fstype, "proc");
	assert_int_equal(fanexec_mountinfo_line(bad1, &m), -EINVAL);
	assert_int_equal(fanexec_mountinfo_line(bad2, &m), -EINVAL);
	assert_int_equal(fanexec_mountinfo_line(bad3, &m), -EINVAL);

	assert_true(fanexec_fs_wanted("ext4"));
	assert_true(fanexec_fs_wanted("tmpfs"));
	assert_true(fanexec_fs_wanted("overlay"));
	assert_true(fanexec_fs_wanted("fuse.sshfs"));
	assert_true(fanexec_fs_wanted("nfs4"));
	assert_false(fanexec_fs_wanted("proc"));
	assert_false(fanexec_fs_wanted("cgroup2"));
	assert_false(fanexec_fs_wanted("tracefs"));
	assert_false(fanexec_fs_wanted(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counting),
		cmocka_unit_test(test_take_release_expire),
		cmocka_unit_test(test_wanted_and_look),
		cmocka_unit_test(test_mountinfo),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
