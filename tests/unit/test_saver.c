// SPDX-License-Identifier: MIT
/*
 * test_saver - the inventory's writer thread (src/model/saver.c): a
 * submitted document reaches the file whole while the caller goes on, a
 * second submit waits its turn, a failed write reports its errno, and
 * saver_free waits for the write in flight.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/saver.h"

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ltrack-savertest-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void file_is(const char *path, const char *want, size_t len)
{
	char *got = malloc(len + 1);
	FILE *f = fopen(path, "rb");
	struct stat st;

	assert_non_null(f);
	assert_int_equal(fread(got, 1, len + 1, f), len);
	assert_memory_equal(got, want, len);
	fclose(f);
	free(got);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
}

static void test_writes_in_the_background(void **state)
{
	char path[128];
	struct saver *s;
	struct jbuf doc;
	int rc = 1;
	size_t big = 8u << 20;

	(void)state;
	snprintf(path, sizeof(path), "%s/state/models.json", tmpdir);
	s = saver_new(path);
	assert_non_null(s);
	assert_false(saver_busy(s));
	assert_false(saver_result(s, &rc));
	jbuf_init(&doc);
	for (size_t i = 0; i < big; i++)
		jbuf_putc(&doc, (char)('a' + i % 26));
	char *want = malloc(big);

	memcpy(want, doc.buf, big);
	assert_int_equal(saver_submit(s, &doc), 0);
	assert_int_equal(doc.len, 0);		/* the bytes moved: the caller's buffer is free */
	jbuf_puts(&doc, "{\"second\":1}\n");
	if (saver_busy(s))			/* one write at a time */
		assert_int_equal(saver_submit(s, &doc), -EBUSY);
	assert_true(saver_wait(s, &rc));
	assert_int_equal(rc, 0);
	assert_false(saver_busy(s));
	file_is(path, want, big);
	assert_int_equal(saver_submit(s, &doc), 0);
	saver_free(s);				/* waits for it */
	file_is(path, "{\"second\":1}\n", 13);
	jbuf_release(&doc);
	free(want);
}

static void test_failed_write_reports_its_errno(void **state)
{
	char path[128];
	struct saver *s;
	struct jbuf doc;
	int rc = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/no/such/dir/models.json", tmpdir);
	s = saver_new(path);
	assert_non_null(s);
	jbuf_init(&doc);
	jbuf_puts(&doc, "[]\n");
	assert_int_equal(saver_submit(s, &doc), 0);
	for (int i = 0; i < 500 && !saver_result(s, &rc); i++)
		usleep(10000);
	assert_int_equal(rc, -ENOENT);
	assert_false(saver_busy(s));
	assert_false(saver_result(s, &rc));	/* once per write */
	saver_free(s);
	jbuf_release(&doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writes_in_the_background),
		cmocka_unit_test(test_failed_write_reports_its_errno),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
