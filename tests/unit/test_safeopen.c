// SPDX-License-Identifier: MIT
/*
 * test_safeopen.c - safe_open_ro, the way the root agent opens files users
 * name (security review, finding 5, as it was run: after the process exits,
 * a symlink to a device, or a FIFO, is renamed over the model's or the
 * image's name; a process swaps the descriptor behind /proc/PID/fd/N). A
 * FIFO with a writer blocked in open(2) shows whether anything opened it
 * for reading: the writer would be released.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "safeopen.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ltrack-safeopen-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

struct writer {
	char path[128];
	volatile int opened;	/* 1 once open(O_WRONLY) returned: a reader came */
	pthread_t th;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	int fd = open(w->path, O_WRONLY | O_CLOEXEC);	/* blocks until a reader opens */

	w->opened = 1;
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* a FIFO at @path with a writer blocked in open(2) */
static void fifo_with_writer(struct writer *w, const char *path)
{
	snprintf(w->path, sizeof(w->path), "%s", path);
	w->opened = 0;
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(pthread_create(&w->th, NULL, writer_main, w), 0);
	usleep(50 * 1000);
}

/* the writer was never released (nobody opened the FIFO for reading); then release it */
static void writer_still_blocked(struct writer *w)
{
	int fd;

	usleep(200 * 1000);
	assert_int_equal(w->opened, 0);
	fd = open(w->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(fd >= 0);
	pthread_join(w->th, NULL);
	close(fd);
	assert_int_equal(w->opened, 1);
}

static void test_regular_file(void **state)
{
	char path[128], buf[8] = "";
	struct stat st;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/model.pt", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_int_equal(write(fd, "weights", 7), 7);
	close(fd);
	fd = safe_open_ro(path, false, true, &st);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 7);
	assert_string_equal(buf, "weights");
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 7);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	close(fd);
}

static void test_planted_fifo_and_symlinks(void **state)
{
	char path[128], link[128], proc[64];
	struct writer w;
	int fd;

	(void)state;
	/* a FIFO renamed over the name */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	fifo_with_writer(&w, path);
	assert_int_equal(safe_open_ro(path, false, false, NULL), -EINVAL);
	assert_int_equal(safe_open_ro(path, true, false, NULL), -EINVAL);
	writer_still_blocked(&w);
	/* a symlink to it, and one to a device: refused at the name, never followed */
	snprintf(link, sizeof(link), "%s/m.srx", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(unlink(path), 0);
	fifo_with_writer(&w, path);	/* a fresh writer */
	assert_int_equal(safe_open_ro(link, false, false, NULL), -ELOOP);
	/* followed (a /proc magic link would be): still not a regular file */
	assert_int_equal(safe_open_ro(link, true, false, NULL), -EINVAL);
	writer_still_blocked(&w);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink("/dev/zero", link), 0);
	assert_int_equal(safe_open_ro(link, false, false, NULL), -ELOOP);
	assert_int_equal(safe_open_ro(link, true, false, NULL), -EINVAL);
	/* a descriptor swapped for a device behind /proc/PID/fd/N */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	assert_int_equal(safe_open_ro(proc, true, false, NULL), -EINVAL);
	close(fd);
	assert_int_equal(safe_open_ro("/nonexistent/x", false, false, NULL), -ENOENT);
}

/* the kernel's magic links to a regular file are followed when asked */
static void test_proc_fd_of_a_regular_file(void **state)
{
	char path[128], proc[64];
	struct stat a, b;
	int fd, got;

	(void)state;
	snprintf(path, sizeof(path), "%s/lib.so", dir);
	fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	got = safe_open_ro(proc, true, false, &b);
	assert_true(got >= 0);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_dev, b.st_dev);
	close(got);
	/* not followed unless asked: /proc/self/fd/N is a symlink */
	assert_int_equal(safe_open_ro(proc, false, false, NULL), -ELOOP);
	close(fd);
}

/*
 * Found testing finding 5's FUSE case: a descriptor number the process
 * reused (its model closed, another file opened as the same number) named
 * a file on FUSE, and the agent's check opened it (its daemon saw the
 * open) before it compared identities. With the identity expected, the
 * other file is refused on the O_PATH descriptor, from what the kernel
 * already holds: inotify sees no open and no access of it.
 */
static void test_reused_descriptor_number_never_opened(void **state)
{
	char model[128], other[128], proc[64], buf[4096];
	struct safe_id want;
	struct stat a;
	int fd, ino, got;
	ssize_t n;

	(void)state;
	snprintf(model, sizeof(model), "%s/model.pt", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	fd = open(model, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &a), 0);
	want = (struct safe_id){ .dev = a.st_dev, .ino = a.st_ino };
	close(fd);
	fd = open(other, O_CREAT | O_RDWR | O_CLOEXEC, 0600);	/* the same number, likely */
	assert_true(fd >= 0);
	ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	assert_true(ino >= 0);
	assert_true(inotify_add_watch(ino, other, IN_OPEN | IN_ACCESS | IN_ATTRIB) >= 0);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	assert_int_equal(safe_open_ro_id(proc, true, false, &want, NULL), -ESTALE);
	assert_int_equal(safe_open_ro_id(other, false, false, &want, NULL), -ESTALE);
	n = read(ino, buf, sizeof(buf));
	assert_int_equal(n, -1);	/* nothing happened to it */
	assert_int_equal(errno, EAGAIN);
	/* the file expected is opened */
	got = safe_open_ro_id(model, false, false, &want, NULL);
	assert_true(got >= 0);
	close(got);
	close(ino);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regular_file),
		cmocka_unit_test(test_planted_fifo_and_symlinks),
		cmocka_unit_test(test_proc_fd_of_a_regular_file),
		cmocka_unit_test(test_reused_descriptor_number_never_opened),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
