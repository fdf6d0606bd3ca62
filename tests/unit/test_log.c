// SPDX-License-Identifier: MIT
/* tests for src/log.c: levels, text and JSON lines, env overrides, destinations */
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define FMT(buf, ...) assert_true((size_t)snprintf(buf, sizeof(buf), __VA_ARGS__) < sizeof(buf))
#define TIME_LEN 27	/* 2026-11-22T01:02:03.123456Z */

struct tdir {
	char path[256];
	char log[512];
};

static int setup(void **state)
{
	struct tdir *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->path, sizeof(t->path), "/tmp/lt-log-XXXXXX");
	if (!mkdtemp(t->path))
		return -1;
	if ((size_t)snprintf(t->log, sizeof(t->log), "%s/sub/ltrack.log", t->path) >=
	    sizeof(t->log))
		return -1;
	unsetenv("LTRACK_LOG_LEVEL");
	unsetenv("LTRACK_LOG_FORMAT");
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tdir *t = *state;
	char cmd[512];

	log_close();
	if ((size_t)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->path) < sizeof(cmd) &&
	    system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

static char *slurp(const char *path)
{
	struct stat st;
	char *buf;
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	n = fread(buf, 1, (size_t)st.st_size, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* check the time prefix shape and that it is within a minute of now */
static void assert_time(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	struct tm tm = { 0 };
	time_t t;
	int i;

	for (i = 0; i < TIME_LEN; i++) {
		if (shape[i] == 'd')
			assert_true(s[i] >= '0' && s[i] <= '9');
		else
			assert_int_equal(s[i], shape[i]);
	}
	assert_int_equal(sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
				&tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec), 6);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	assert_true(labs((long)(t - time(NULL))) < 60);
}

/* split @buf into lines: *lines points into @buf, returns the count */
static int split_lines(char *buf, char **lines, int max)
{
	int n = 0;
	char *p = buf, *nl;

	while ((nl = strchr(p, '\n'))) {
		assert_true(n < max);
		*nl = '\0';
		lines[n++] = p;
		p = nl + 1;
	}
	assert_string_equal(p, "");	/* every line is terminated */
	return n;
}

static void test_text_line_format_exact(void **state)
{
	struct tdir *t = *state;
	char *buf, *lines[4];

	assert_int_equal(log_setup(LT_LOG_INFO, LT_FMT_TEXT, t->log, NULL), 0);
	log_info("watching %s (%d dirs)", "/srv/models", 3);
	log_error("quote \" backslash \\ tab\tnewline\nend\n");
	buf = slurp(t->log);
	assert_int_equal(split_lines(buf, lines, 4), 2);
	assert_time(lines[0]);
	assert_string_equal(lines[0] + TIME_LEN,
			    " level=info msg=\"watching /srv/models (3 dirs)\"");
	assert_time(lines[1]);
	assert_string_equal(lines[1] + TIME_LEN,
			    " level=error msg=\"quote \\\" backslash \\\\ tab\\tnewline\\nend\"");
	free(buf);
}

static void test_json_line_format_exact(void **state)
{
	struct tdir *t = *state;
	char *buf, *lines[4];

	assert_int_equal(log_setup(LT_LOG_DEBUG, LT_FMT_JSON, t->log, NULL), 0);
	log_debug("ring buffer %s", "ready");
	log_warn("bad \"byte\" \x01 \xff");
	buf = slurp(t->log);
	assert_int_equal(split_lines(buf, lines, 4), 2);
	assert_memory_equal(lines[0], "{\"time\":\"", 9);
	assert_time(lines[0] + 9);
	assert_string_equal(lines[0] + 9 + TIME_LEN,
			    "\",\"level\":\"debug\",\"msg\":\"ring buffer ready\"}");
	assert_time(lines[1] + 9);
	assert_string_equal(lines[1] + 9 + TIME_LEN,
			    "\",\"level\":\"warn\",\"msg\":\"bad \\\"byte\\\" \\u0001 \\ufffd\"}");
	free(buf);
}

static int counted;

static int count_arg(void)
{
	return ++counted;
}

static void test_messages_below_level_are_skipped(void **state)
{
	struct tdir *t = *state;
	char *buf, *lines[8];

	assert_int_equal(log_setup(LT_LOG_WARN, LT_FMT_TEXT, t->log, NULL), 0);
	assert_false(log_enabled(LT_LOG_DEBUG));
	assert_false(log_enabled(LT_LOG_INFO));
	assert_true(log_enabled(LT_LOG_WARN));
	assert_true(log_enabled(LT_LOG_ERROR));
	counted = 0;
	log_debug("d %d", count_arg());
	log_info("i %d", count_arg());
	assert_int_equal(counted, 0);	/* arguments not even evaluated */
	log_msg(LT_LOG_INFO, "direct info");
	log_warn("w");
	log_error("e");
	buf = slurp(t->log);
	assert_int_equal(split_lines(buf, lines, 8), 2);
	assert_string_equal(lines[0] + TIME_LEN, " level=warn msg=\"w\"");
	assert_string_equal(lines[1] + TIME_LEN, " level=error msg=\"e\"");
	free(buf);
}

static void test_default_is_stderr_info_text(void **state)
{
	struct tdir *t = *state;
	char path[512], *buf, *lines[4];
	int fd, saved;

	log_close();
	FMT(path, "%s/stderr.txt", t->path);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_true(fd >= 0);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	log_debug("hidden");
	log_info("to stderr");
	assert_int_equal(log_setup(LT_LOG_DEBUG, LT_FMT_TEXT, "", NULL), 0);	/* "" = stderr */
	log_debug("shown");
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	buf = slurp(path);
	assert_int_equal(split_lines(buf, lines, 4), 2);
	assert_string_equal(lines[0] + TIME_LEN, " level=info msg=\"to stderr\"");
	assert_string_equal(lines[1] + TIME_LEN, " level=debug msg=\"shown\"");
	free(buf);
}

static void test_file_destination_creates_directories_and_appends(void **state)
{
	struct tdir *t = *state;
	char *buf, *lines[4];

	assert_int_equal(log_setup(LT_LOG_INFO, LT_FMT_TEXT, t->log, NULL), 0);
	log_info("first");
	log_close();
	assert_int_equal(log_setup(LT_LOG_INFO, LT_FMT_TEXT, t->log, NULL), 0);
	log_info("second");
	/* flushed per message: visible before close */
	buf = slurp(t->log);
	assert_int_equal(split_lines(buf, lines, 4), 2);
	assert_string_equal(lines[0] + TIME_LEN, " level=info msg=\"first\"");
	assert_string_equal(lines[1] + TIME_LEN, " level=info msg=\"second\"");
	free(buf);
	assert_int_equal(log_lost(), 0);
}

static void test_failed_setup_keeps_previous_destination(void **state)
{
	struct tdir *t = *state;
	char bad[512], *buf, *lines[4];
	int fd;

	assert_int_equal(log_setup(LT_LOG_INFO, LT_FMT_TEXT, t->log, NULL), 0);
	FMT(bad, "%s/afile", t->path);
	fd = open(bad, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	FMT(bad, "%s/afile/x/y.log", t->path);
	assert_int_equal(log_setup(LT_LOG_DEBUG, LT_FMT_JSON, bad, NULL), -ENOTDIR);
	assert_false(log_enabled(LT_LOG_DEBUG));	/* level unchanged too */
	log_info("still here");
	buf = slurp(t->log);
	assert_int_equal(split_lines(buf, lines, 4), 1);
	assert_string_equal(lines[0] + TIME_LEN, " level=info msg=\"still here\"");
	free(buf);
	assert_int_equal(log_setup(LT_LOG_INFO, 7, NULL, NULL), -EINVAL);
}

static void test_long_message_is_not_truncated(void **state)
{
	struct tdir *t = *state;
	char *big, *buf, *lines[2];

	big = malloc(20001);
	assert_non_null(big);
	memset(big, 'q', 20000);
	big[20000] = '\0';
	assert_int_equal(log_setup(LT_LOG_INFO, LT_FMT_TEXT, t->log, NULL), 0);
	log_info("%s", big);
	buf = slurp(t->log);
	assert_int_equal(split_lines(buf, lines, 2), 1);
	assert_int_equal(strlen(lines[0]), TIME_LEN + strlen(" level=info msg=\"\"") + 20000);
	free(buf);
	free(big);
}

struct thr_arg {
	int id;
};

static void *log_thread(void *arg)
{
	struct thr_arg *a = arg;
	int i;

	for (i = 0; i < 500; i++)
		log_info("thread %d message %d", a->id, i);
	return NULL;
}

static void test_concurrent_threads_write_whole_lines(void **state)
{
	struct tdir *t = *state;
	struct thr_arg args[4];
	pthread_t th[4];
	int i, n, seen[4] = { 0 };
	char **lines, *buf;

	assert_int_equal(log_setup(LT_LOG_INFO, LT_FMT_JSON, t->log, NULL), 0);
	for (i = 0; i < 4; i++) {
		args[i].id = i;
		assert_int_equal(pthread_create(&th[i], NULL, log_thread, &args[i]), 0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	buf = slurp(t->log);
	lines = calloc(2001, sizeof(*lines));
	assert_non_null(lines);
	n = split_lines(buf, lines, 2001);
	assert_int_equal(n, 2000);
	for (i = 0; i < n; i++) {
		const char *m = strstr(lines[i], "\"msg\":\"thread ");
		int id, k;

		assert_non_null(m);
		assert_int_equal(sscanf(m, "\"msg\":\"thread %d message %d\"}", &id, &k), 2);
		assert_true(id >= 0 && id < 4);
		assert_int_equal(k, seen[id]);	/* each thread's lines in order */
		seen[id]++;
	}
	free(lines);
	free(buf);
}

static void test_env_override_applies_valid_values(void **state)
{
	enum lt_log_level lvl = LT_LOG_INFO;
	enum lt_format fmt = LT_FMT_TEXT;
	char err[256] = "";
	static const struct {
		const char *v;
		enum lt_log_level want;
	} levels[] = {
		{ "debug", LT_LOG_DEBUG }, { "INFO", LT_LOG_INFO }, { "Warn", LT_LOG_WARN },
		{ "warning", LT_LOG_WARN }, { "WARNING", LT_LOG_WARN }, { "error", LT_LOG_ERROR },
	};
	size_t i;

	(void)state;
	/* unset and empty change nothing */
	assert_int_equal(log_env_override(&lvl, &fmt, err, sizeof(err)), 0);
	assert_int_equal(lvl, LT_LOG_INFO);
	assert_int_equal(fmt, LT_FMT_TEXT);
	setenv("LTRACK_LOG_LEVEL", "", 1);
	setenv("LTRACK_LOG_FORMAT", "", 1);
	assert_int_equal(log_env_override(&lvl, &fmt, err, sizeof(err)), 0);
	assert_int_equal(lvl, LT_LOG_INFO);
	assert_int_equal(fmt, LT_FMT_TEXT);

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		setenv("LTRACK_LOG_LEVEL", levels[i].v, 1);
		assert_int_equal(log_env_override(&lvl, &fmt, err, sizeof(err)), 0);
		assert_int_equal(lvl, levels[i].want);
	}
	setenv("LTRACK_LOG_FORMAT", "JSON", 1);
	assert_int_equal(log_env_override(&lvl, &fmt, err, sizeof(err)), 0);
	assert_int_equal(fmt, LT_FMT_JSON);
	setenv("LTRACK_LOG_FORMAT", "text", 1);
	assert_int_equal(log_env_override(&lvl, &fmt, err, sizeof(err)), 0);
	assert_int_equal(fmt, LT_FMT_TEXT);
	unsetenv("LTRACK_LOG_LEVEL");
	unsetenv("LTRACK_LOG_FORMAT");
}

static void test_env_override_rejects_unknown_values(void **state)
{
	enum lt_log_level lvl = LT_LOG_INFO;
	enum lt_format fmt = LT_FMT_TEXT;
	char err[256] = "";

	(void)state;
	setenv("LTRACK_LOG_LEVEL", "loud", 1);
	setenv("LTRACK_LOG_FORMAT", "json", 1);
	assert_int_equal(log_env_override(&lvl, &fmt, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "LTRACK_LOG_LEVEL: unknown level 'loud' "
				 "(expected debug, info, warn or error)");
	/* nothing applied, not even the valid format */
	assert_int_equal(lvl, LT_LOG_INFO);
	assert_int_equal(fmt, LT_FMT_TEXT);

	setenv("LTRACK_LOG_LEVEL", "debug", 1);
	setenv("LTRACK_LOG_FORMAT", "xml", 1);
	assert_int_equal(log_env_override(&lvl, &fmt, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "LTRACK_LOG_FORMAT: unknown format 'xml' (expected json or text)");
	assert_int_equal(lvl, LT_LOG_INFO);
	assert_int_equal(fmt, LT_FMT_TEXT);
	unsetenv("LTRACK_LOG_LEVEL");
	unsetenv("LTRACK_LOG_FORMAT");
}

static void test_level_names_round_trip(void **state)
{
	enum lt_log_level l;
	int i;

	(void)state;
	for (i = LT_LOG_DEBUG; i <= LT_LOG_ERROR; i++) {
		assert_int_equal(log_parse_level(log_level_name((enum lt_log_level)i), &l), 0);
		assert_int_equal(l, i);
	}
	assert_int_equal(log_parse_level("trace", &l), -EINVAL);
	assert_string_equal(log_level_name((enum lt_log_level)42), "unknown");
}

static void test_rotation_applies_to_the_log_file(void **state)
{
	struct tdir *t = *state;
	struct lt_rotate r = { .max_size_mb = 1, .max_backups = 1 };
	char *big, dir[512], cmd[1024], out[64];
	FILE *p;
	int i;

	big = malloc(4001);
	assert_non_null(big);
	memset(big, 'r', 4000);
	big[4000] = '\0';
	assert_int_equal(log_setup(LT_LOG_INFO, LT_FMT_TEXT, t->log, &r), 0);
	for (i = 0; i < 600; i++)	/* ~2.4 MiB: two rotations, one backup kept */
		log_info("%s", big);
	log_close();
	free(big);
	FMT(dir, "%s/sub", t->path);
	FMT(cmd, "ls '%s' | wc -l", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(out, sizeof(out), p));
	pclose(p);
	assert_int_equal(atoi(out), 2);	/* ltrack.log + one backup */
}

static void test_failed_rotation_of_the_log_is_reported_in_it(void **state)
{
	struct tdir *t = *state;
	struct lt_rotate r = { .max_size_mb = 1 };
	char path[512], name[251], *big, *buf;
	int i;

	memset(name, 'n', sizeof(name) - 1);	/* too long for any backup name */
	name[sizeof(name) - 1] = '\0';
	FMT(path, "%s/%s", t->path, name);
	big = malloc(4001);
	assert_non_null(big);
	memset(big, 'r', 4000);
	big[4000] = '\0';
	assert_int_equal(log_setup(LT_LOG_INFO, LT_FMT_TEXT, path, &r), 0);
	for (i = 0; i < 300; i++)
		log_info("%s", big);
	log_close();
	free(big);
	buf = slurp(path);
	assert_non_null(strstr(buf, " level=error msg=\"log: rotating or pruning "));
	assert_non_null(strstr(buf, " failed: File name too long\"\n"));
	free(buf);
	assert_int_equal(log_lost(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_text_line_format_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_line_format_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_messages_below_level_are_skipped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_default_is_stderr_info_text, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_file_destination_creates_directories_and_appends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_setup_keeps_previous_destination,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_message_is_not_truncated, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_threads_write_whole_lines, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_env_override_applies_valid_values, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_env_override_rejects_unknown_values, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_level_names_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotation_applies_to_the_log_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failed_rotation_of_the_log_is_reported_in_it,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
