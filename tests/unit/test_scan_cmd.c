// SPDX-License-Identifier: MIT
/*
 * test_scan_cmd.c - `ltrack scan` (src/scan/cmd.c) in-process: exit codes,
 * the directory walk (regular files only, symlinks not followed), usage
 * errors, and the text output of a small tree, through open_memstream.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan/cmd.h"

static char dir[64];
static char *out_buf, *err_buf;
static size_t out_len, err_len;

static void put(const char *name, const void *data, size_t n)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static int run(int argc, const char **argv)
{
	FILE *out, *err;
	int rc;

	free(out_buf);
	free(err_buf);
	out = open_memstream(&out_buf, &out_len);
	err = open_memstream(&err_buf, &err_len);
	assert_non_null(out);
	assert_non_null(err);
	rc = scan_cmd_main(argc, (char **)argv, out, err);
	fclose(out);
	fclose(err);
	return rc;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ltrack-scan-cmd-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(out_buf);
	free(err_buf);
	out_buf = err_buf = NULL;
	return 0;
}

static const char CLEAN[] = "\x80\x02K\x01.";
static const char BAD[] = "\x80\x02" "cos\nsystem\n" ".";

static void test_exit_codes(void **state)
{
	char clean[128], bad[128], missing[128];
	const char *a1[] = { "scan", clean };
	const char *a2[] = { "scan", clean, bad };
	const char *a3[] = { "scan", bad, missing };

	(void)state;
	put("clean.pkl", CLEAN, sizeof(CLEAN) - 1);
	put("bad.pkl", BAD, sizeof(BAD) - 1);
	snprintf(clean, sizeof(clean), "%s/clean.pkl", dir);
	snprintf(bad, sizeof(bad), "%s/bad.pkl", dir);
	snprintf(missing, sizeof(missing), "%s/missing.pkl", dir);
	assert_int_equal(run(2, a1), 0);
	assert_int_equal(run(3, a2), 1);
	assert_int_equal(run(3, a3), 2);
	assert_non_null(strstr(out_buf, "missing.pkl: error (unknown)\n  error: No such file or directory\n"));
	assert_non_null(strstr(out_buf, "scanned 2 files: 0 clean, 0 suspicious, 1 dangerous, 1 error\n"));
}

static void test_walk_skips_symlinks_and_specials(void **state)
{
	char sub[128], link[128], fifo[128];
	const char *a[] = { "scan", "--format", "json", dir };
	int lines = 0;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	put("sub/bad.bin", BAD, sizeof(BAD) - 1);
	snprintf(link, sizeof(link), "%s/sub/loop", dir);
	assert_int_equal(symlink(dir, link), 0);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(run(4, a), 1);
	for (char *p = out_buf; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 1);
	assert_non_null(strstr(out_buf, "/sub/bad.bin\",\"verdict\":\"dangerous\""));
	assert_int_equal(err_len, 0);
}

static void test_usage_errors(void **state)
{
	const char *a1[] = { "scan" };
	const char *a2[] = { "scan", "--format", "xml", "x" };
	const char *a3[] = { "scan", "--bogus", "x" };
	const char *a4[] = { "scan", "--help" };

	(void)state;
	assert_int_equal(run(1, a1), 2);
	assert_non_null(strstr(err_buf, "ltrack scan: no path given\n"));
	assert_int_equal(run(4, a2), 2);
	assert_non_null(strstr(err_buf, "--format: unknown format 'xml'"));
	assert_int_equal(run(3, a3), 2);
	assert_non_null(strstr(err_buf, "unknown option '--bogus'"));
	assert_int_equal(run(2, a4), 0);
	assert_non_null(strstr(out_buf, "usage: ltrack scan [--format text|json] PATH..."));
	assert_int_equal(out_len > 0 && err_len == 0, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exit_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_skips_symlinks_and_specials, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usage_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
