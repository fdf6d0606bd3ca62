// SPDX-License-Identifier: MIT
/* tests for src/output/rotate.c: size rotation, backup names, gzip, pruning, reopen */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "output/rotate.h"

#define MiB (1024 * 1024)

/* snprintf into an array, failing the test on truncation */
#define FMT(buf, ...) assert_true((size_t)snprintf(buf, sizeof(buf), __VA_ARGS__) < sizeof(buf))

struct tdir {
	char path[256];
};

static int rm_rf_dir(const char *path)
{
	char sub[512];
	struct dirent *de;
	DIR *d = opendir(path);

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		FMT(sub, "%s/%s", path, de->d_name);
		if (!lstat(sub, &st) && S_ISDIR(st.st_mode))
			rm_rf_dir(sub);
		else
			unlink(sub);
	}
	closedir(d);
	return rmdir(path);
}

static int setup_dir(void **state)
{
	struct tdir *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->path, sizeof(t->path), "/tmp/lt-rotate-XXXXXX");
	if (!mkdtemp(t->path))
		return -1;
	umask(022);
	*state = t;
	return 0;
}

static int teardown_dir(void **state)
{
	struct tdir *t = *state;

	rm_rf_dir(t->path);
	free(t);
	return 0;
}

/* names in @dir (sorted) except @live, into @names; returns the count */
static int list_backups(const char *dir, const char *live, char names[][128], int max)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0, i, j;

	assert_non_null(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, live))
			continue;
		assert_true(n < max);
		assert_true(strlen(de->d_name) < 128);
		memcpy(names[n++], de->d_name, strlen(de->d_name) + 1);
	}
	closedir(d);
	for (i = 1; i < n; i++) {
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char tmp[128];

			memcpy(tmp, names[j], 128);
			memcpy(names[j], names[j - 1], 128);
			memcpy(names[j - 1], tmp, 128);
		}
	}
	return n;
}

/* does @name look like "<stem>-YYYY-MM-DDTHH-MM-SS.mmm<ext>[.gz]"? */
static int is_backup_name(const char *name, const char *stem, const char *ext, int gz)
{
	static const char shape[] = "dddd-dd-ddTdd-dd-dd.ddd";
	size_t sl = strlen(stem), i;

	if (strncmp(name, stem, sl) || name[sl] != '-')
		return 0;
	name += sl + 1;
	for (i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'd' ? (name[i] < '0' || name[i] > '9') : name[i] != shape[i])
			return 0;
	}
	name += sizeof(shape) - 1;
	if (strncmp(name, ext, strlen(ext)))
		return 0;
	name += strlen(ext);
	return gz ? !strcmp(name, ".gz") : !*name;
}

static char *read_file(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	*len = fread(buf, 1, (size_t)st.st_size, f);
	assert_int_equal(*len, (size_t)st.st_size);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static char *read_gz(const char *path, size_t *len)
{
	size_t cap = MiB, n = 0;
	char *buf = malloc(cap);
	gzFile gz = gzopen(path, "rb");
	int r;

	assert_non_null(gz);
	assert_non_null(buf);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		r = gzread(gz, buf + n, (unsigned int)(cap - n));
		assert_true(r >= 0);
		if (r == 0)
			break;
		n += (size_t)r;
	}
	assert_int_equal(gzclose(gz), Z_OK);
	*len = n;
	return buf;
}

/* record @seq of exactly @len bytes: "seq=000123 xxxx...\n" */
static void make_record(char *buf, size_t len, unsigned int seq)
{
	int n = snprintf(buf, len, "seq=%06u ", seq);

	memset(buf + n, 'a' + seq % 26, len - (size_t)n - 1);
	buf[len - 1] = '\n';
}

/*
 * check that @data holds whole records only, in sequence from *@next;
 * returns the number of records
 */
static unsigned int check_records(const char *data, size_t len, unsigned int *next)
{
	unsigned int count = 0;
	const char *p = data, *end = data + len;

	if (len)
		assert_int_equal(data[len - 1], '\n');
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		unsigned int seq;
		const char *q;

		assert_non_null(nl);
		assert_int_equal(sscanf(p, "seq=%06u ", &seq), 1);
		assert_int_equal(seq, *next);
		for (q = p + 11; q < nl; q++)
			assert_int_equal(*q, 'a' + seq % 26);
		(*next)++;
		count++;
		p = nl + 1;
	}
	return count;
}

static void test_open_creates_parents_0750_and_file_0600(void **state)
{
	struct tdir *t = *state;
	char path[512], dir[512];
	struct rotfile *f;
	struct stat st;

	FMT(dir, "%s/a/b", t->path);
	FMT(path, "%s/events.json", dir);
	f = rotfile_open(path, NULL);
	assert_non_null(f);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0750);
	FMT(dir, "%s/a", t->path);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0750);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	rotfile_free(f);
	rotfile_free(NULL);
}

static void test_open_errors_set_errno(void **state)
{
	struct tdir *t = *state;
	char path[512];
	int fd;

	errno = 0;
	assert_null(rotfile_open("", NULL));
	assert_int_equal(errno, EINVAL);
	FMT(path, "%s/dir/", t->path);
	assert_null(rotfile_open(path, NULL));
	assert_int_equal(errno, EISDIR);
	/* a parent that is a regular file */
	FMT(path, "%s/plain", t->path);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	FMT(path, "%s/plain/sub/x.log", t->path);
	assert_null(rotfile_open(path, NULL));
	assert_int_equal(errno, ENOTDIR);
}

static void test_appends_to_existing_file(void **state)
{
	struct tdir *t = *state;
	char path[512];
	struct rotfile *f;
	size_t len;
	char *data;

	FMT(path, "%s/app.log", t->path);
	f = rotfile_open(path, NULL);
	assert_non_null(f);
	assert_int_equal(rotfile_write(f, "one\n", 4), 0);
	rotfile_free(f);
	f = rotfile_open(path, NULL);
	assert_non_null(f);
	assert_int_equal(rotfile_write(f, "two\n", 4), 0);
	/* buffered until flushed */
	data = read_file(path, &len);
	assert_string_equal(data, "one\n");
	free(data);
	assert_int_equal(rotfile_flush(f), 0);
	data = read_file(path, &len);
	assert_string_equal(data, "one\ntwo\n");
	free(data);
	rotfile_free(f);
}

static void test_rotates_at_size_limit_with_exact_backup_count(void **state)
{
	struct tdir *t = *state;
	struct lt_rotate r = { .max_size_mb = 1 };
	char path[512], names[16][128], rec[1000], full[512];
	unsigned int per_file = MiB / sizeof(rec), total = 3 * per_file + 500, i, next = 0;
	struct rotfile_stats st;
	struct rotfile *f;
	size_t len;
	char *data;
	int n;

	FMT(path, "%s/events.json", t->path);
	f = rotfile_open(path, &r);
	assert_non_null(f);
	for (i = 0; i < total; i++) {
		make_record(rec, sizeof(rec), i);
		assert_int_equal(rotfile_write(f, rec, sizeof(rec)), 0);
	}
	rotfile_get_stats(f, &st);
	rotfile_free(f);
	assert_int_equal(st.rotations, 3);
	assert_int_equal(st.rotate_errors, 0);

	n = list_backups(t->path, "events.json", names, 16);
	assert_int_equal(n, 3);
	/* names sort in time order, so reading them in order replays the stream */
	for (i = 0; i < 3; i++) {
		assert_true(is_backup_name(names[i], "events", ".json", 0));
		FMT(full, "%s/%s", t->path, names[i]);
		data = read_file(full, &len);
		assert_true(len <= MiB);
		assert_int_equal(check_records(data, len, &next), per_file);
		free(data);
	}
	data = read_file(path, &len);
	assert_int_equal(check_records(data, len, &next), 500);
	free(data);
	assert_int_equal(next, total);
}

static void test_records_of_mixed_sizes_are_never_split(void **state)
{
	struct tdir *t = *state;
	struct lt_rotate r = { .max_size_mb = 1 };
	char path[512], names[64][128], full[512];
	unsigned int i, next = 0, seen = 0, total = 4000;
	static char rec[70000];
	struct rotfile *f;
	size_t len;
	char *data;
	int n, k;

	FMT(path, "%s/mixed", t->path);	/* no extension */
	f = rotfile_open(path, &r);
	assert_non_null(f);
	srand(7);
	for (i = 0; i < total; i++) {
		/* mostly small, some larger than the 64 KiB buffer */
		size_t sz = i % 97 == 0 ? 65536 + (size_t)(rand() % 4000)
					: 20 + (size_t)(rand() % 900);

		make_record(rec, sz, i);
		assert_int_equal(rotfile_write(f, rec, sz), 0);
	}
	rotfile_free(f);
	n = list_backups(t->path, "mixed", names, 64);
	assert_true(n >= 2);
	for (k = 0; k < n; k++) {
		assert_true(is_backup_name(names[k], "mixed", "", 0));
		FMT(full, "%s/%s", t->path, names[k]);
		data = read_file(full, &len);
		assert_true(len <= MiB);
		seen += check_records(data, len, &next);
		free(data);
	}
	data = read_file(path, &len);
	seen += check_records(data, len, &next);
	free(data);
	assert_int_equal(seen, total);
}

static void test_record_larger_than_limit_gets_its_own_file(void **state)
{
	struct tdir *t = *state;
	struct lt_rotate r = { .max_size_mb = 1 };
	char path[512], names[8][128], full[512];
	unsigned int next = 0;
	struct rotfile *f;
	size_t len, big = MiB + MiB / 2;
	char *rec, *data;

	rec = malloc(big);
	assert_non_null(rec);
	FMT(path, "%s/big.log", t->path);
	f = rotfile_open(path, &r);
	assert_non_null(f);
	make_record(rec, 100, 0);
	assert_int_equal(rotfile_write(f, rec, 100), 0);
	make_record(rec, big, 1);
	assert_int_equal(rotfile_write(f, rec, big), 0);
	make_record(rec, 100, 2);
	assert_int_equal(rotfile_write(f, rec, 100), 0);
	rotfile_free(f);
	free(rec);

	assert_int_equal(list_backups(t->path, "big.log", names, 8), 2);
	FMT(full, "%s/%s", t->path, names[0]);
	data = read_file(full, &len);
	assert_int_equal(check_records(data, len, &next), 1);
	free(data);
	FMT(full, "%s/%s", t->path, names[1]);
	data = read_file(full, &len);
	assert_int_equal(len, big);
	assert_int_equal(check_records(data, len, &next), 1);
	free(data);
	data = read_file(path, &len);
	assert_int_equal(check_records(data, len, &next), 1);
	free(data);
}

static void test_no_rotation_when_max_size_is_zero(void **state)
{
	struct tdir *t = *state;
	struct lt_rotate r = { .max_size_mb = 0, .max_backups = 1, .compress = true };
	char path[512], names[4][128], rec[4096];
	unsigned int i, next = 0;
	struct rotfile_stats st;
	struct rotfile *f;
	struct stat sb;
	size_t len;
	char *data;

	FMT(path, "%s/all.log", t->path);
	f = rotfile_open(path, &r);
	assert_non_null(f);
	for (i = 0; i < 1024; i++) {	/* 4 MiB */
		make_record(rec, sizeof(rec), i);
		assert_int_equal(rotfile_write(f, rec, sizeof(rec)), 0);
	}
	rotfile_get_stats(f, &st);
	rotfile_free(f);
	assert_int_equal(st.rotations, 0);
	assert_int_equal(list_backups(t->path, "all.log", names, 4), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 4 * MiB);
	data = read_file(path, &len);
	assert_int_equal(check_records(data, len, &next), 1024);
	free(data);
}

static void test_compressed_backups_are_valid_gzip_with_intact_content(void **state)
{
	struct tdir *t = *state;
	struct lt_rotate r = { .max_size_mb = 1, .compress = true };
	char path[512], names[8][128], full[512], rec[512];
	unsigned int per_file = MiB / sizeof(rec), total = 2 * per_file + 10, i, next = 0;
	struct rotfile *f;
	struct stat st;
	size_t len;
	char *data;

	FMT(path, "%s/app.log", t->path);
	f = rotfile_open(path, &r);
	assert_non_null(f);
	for (i = 0; i < total; i++) {
		make_record(rec, sizeof(rec), i);
		assert_int_equal(rotfile_write(f, rec, sizeof(rec)), 0);
	}
	rotfile_settle(f);
	assert_int_equal(list_backups(t->path, "app.log", names, 8), 2);
	for (i = 0; i < 2; i++) {
		assert_true(is_backup_name(names[i], "app", ".log", 1));
		FMT(full, "%s/%s", t->path, names[i]);
		assert_int_equal(stat(full, &st), 0);
		assert_true(st.st_size < MiB / 10);	/* it really is compressed */
		data = read_gz(full, &len);
		assert_int_equal(len, MiB);
		assert_int_equal(check_records(data, len, &next), per_file);
		free(data);
	}
	rotfile_free(f);
	data = read_file(path, &len);
	assert_int_equal(check_records(data, len, &next), 10);
	free(data);
}

static void test_max_backups_keeps_only_the_newest(void **state)
{
	struct tdir *t = *state;
	struct lt_rotate r = { .max_size_mb = 1, .max_backups = 2 };
	char path[512], names[8][128], full[512], rec[1024];
	unsigned int per_file = MiB / sizeof(rec), i, next;
	struct rotfile *f;
	size_t len;
	char *data;

	FMT(path, "%s/keep.log", t->path);
	f = rotfile_open(path, &r);
	assert_non_null(f);
	for (i = 0; i < 5 * per_file + 1; i++) {	/* 5 rotations */
		make_record(rec, sizeof(rec), i);
		assert_int_equal(rotfile_write(f, rec, sizeof(rec)), 0);
	}
	rotfile_free(f);
	assert_int_equal(list_backups(t->path, "keep.log", names, 8), 2);
	/* the survivors are the 4th and 5th files */
	next = 3 * per_file;
	for (i = 0; i < 2; i++) {
		FMT(full, "%s/%s", t->path, names[i]);
		data = read_file(full, &len);
		assert_int_equal(check_records(data, len, &next), per_file);
		free(data);
	}
}

static void touch(const char *dir, const char *name, time_t mtime)
{
	struct timespec ts[2] = { { .tv_sec = mtime }, { .tv_sec = mtime } };
	char full[512];
	int fd;

	FMT(full, "%s/%s", dir, name);
	fd = open(full, O_CREAT | O_WRONLY, 0640);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x\n", 2), 2);
	close(fd);
	assert_int_equal(utimensat(AT_FDCWD, full, ts, 0), 0);
}

static int exists(const char *dir, const char *name)
{
	char full[512];

	FMT(full, "%s/%s", dir, name);
	return access(full, F_OK) == 0;
}

static void test_max_age_deletes_old_backups_and_only_ours(void **state)
{
	struct tdir *t = *state;
	struct lt_rotate r = { .max_size_mb = 1, .max_age_days = 7 };
	time_t now = time(NULL), old = now - 10 * 86400, recent = now - 2 * 86400;
	char path[512];
	struct rotfile *f;

	touch(t->path, "app-2026-01-01T00-00-00.000.log", old);
	touch(t->path, "app-2026-01-02T00-00-00.000.log.gz", old);
	touch(t->path, "app-2026-01-03T00-00-00.000.log", recent);
	/* not ours, however old: other stems, other extensions, bad times */
	touch(t->path, "other-2026-01-01T00-00-00.000.log", old);
	touch(t->path, "app-2026-01-01T00-00-00.000.txt", old);
	touch(t->path, "app-2026-01-01T00-00-00.log", old);
	touch(t->path, "app-notes.log", old);
	touch(t->path, "app.log.1", old);

	FMT(path, "%s/app.log", t->path);
	f = rotfile_open(path, &r);	/* the open itself prunes */
	assert_non_null(f);
	rotfile_settle(f);
	assert_false(exists(t->path, "app-2026-01-01T00-00-00.000.log"));
	assert_false(exists(t->path, "app-2026-01-02T00-00-00.000.log.gz"));
	assert_true(exists(t->path, "app-2026-01-03T00-00-00.000.log"));
	assert_true(exists(t->path, "other-2026-01-01T00-00-00.000.log"));
	assert_true(exists(t->path, "app-2026-01-01T00-00-00.000.txt"));
	assert_true(exists(t->path, "app-2026-01-01T00-00-00.log"));
	assert_true(exists(t->path, "app-notes.log"));
	assert_true(exists(t->path, "app.log.1"));
	rotfile_free(f);
}

static void test_compression_keeps_backup_mtime(void **state)
{
	struct tdir *t = *state;
	struct lt_rotate r = { .compress = true, .max_age_days = 30 };
	time_t when = time(NULL) - 3 * 86400;
	char path[512], full[512];
	struct rotfile *f;
	struct stat st;

	touch(t->path, "m-2026-02-03T04-05-06.789.log", when);
	FMT(path, "%s/m.log", t->path);
	f = rotfile_open(path, &r);
	assert_non_null(f);
	rotfile_settle(f);
	assert_false(exists(t->path, "m-2026-02-03T04-05-06.789.log"));
	FMT(full, "%s/m-2026-02-03T04-05-06.789.log.gz", t->path);
	assert_int_equal(stat(full, &st), 0);
	assert_int_equal(st.st_mtime, when);
	rotfile_free(f);
}

static void test_reopen_follows_a_moved_file(void **state)
{
	struct tdir *t = *state;
	char path[512], moved[512];
	struct rotfile *f;
	size_t len;
	char *data;

	FMT(path, "%s/r.log", t->path);
	FMT(moved, "%s/r.log.1", t->path);
	f = rotfile_open(path, NULL);
	assert_non_null(f);
	assert_int_equal(rotfile_write(f, "before\n", 7), 0);
	assert_int_equal(rename(path, moved), 0);
	assert_int_equal(rotfile_write(f, "pending\n", 8), 0);
	assert_int_equal(rotfile_reopen(f), 0);	/* flushes into the moved file first */
	assert_int_equal(rotfile_write(f, "after\n", 6), 0);
	rotfile_free(f);
	data = read_file(moved, &len);
	assert_string_equal(data, "before\npending\n");
	free(data);
	data = read_file(path, &len);
	assert_string_equal(data, "after\n");
	free(data);
}

static void test_failed_rotation_is_counted_and_keeps_writing(void **state)
{
	struct tdir *t = *state;
	struct lt_rotate r = { .max_size_mb = 1 };
	char path[512], name[251], rec[1000];
	unsigned int i, next = 0, total = 3 * MiB / 1000 + 500;
	struct rotfile_stats st;
	struct rotfile *f;
	size_t len;
	char *data;

	/* a basename so long that no backup name fits in NAME_MAX */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	FMT(path, "%s/%s", t->path, name);
	f = rotfile_open(path, &r);
	assert_non_null(f);
	for (i = 0; i < total; i++) {
		make_record(rec, sizeof(rec), i);
		assert_int_equal(rotfile_write(f, rec, sizeof(rec)), 0);
	}
	rotfile_get_stats(f, &st);
	rotfile_free(f);
	/* retried once per max_size of growth, not on every write */
	assert_int_equal(st.rotations, 0);
	assert_int_equal(st.rotate_errors, 3);
	assert_int_equal(st.last_error, -ENAMETOOLONG);
	data = read_file(path, &len);
	assert_int_equal(check_records(data, len, &next), total);
	free(data);
}

/* a file of @len bytes "ROOT-ONLY", mode @mode, owned by @uid */
static void plant(const char *path, mode_t mode, uid_t uid)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "ROOT-ONLY", 9), 9);
	assert_int_equal(fchown(fd, uid, uid), 0);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void unchanged(const char *path, mode_t mode, uid_t uid)
{
	struct stat st;
	size_t len;
	char *data = read_file(path, &len);

	assert_int_equal(len, 9);
	assert_memory_equal(data, "ROOT-ONLY", 9);
	free(data);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, mode);
	assert_int_equal(st.st_uid, uid);
}

/* rotfile_open on @path is refused with @err and a reason containing @why */
static void refused(const char *path, int err, const char *why)
{
	errno = 0;
	assert_null(rotfile_open(path, NULL));
	assert_int_equal(errno, err);
	if (!strstr(rotfile_last_error(), why))
		fail_msg("reason \"%s\" lacks \"%s\"", rotfile_last_error(), why);
}

/*
 * Security review finding 4, as it was run: the output file named by root
 * is a symlink a user planted to a root-only file, a file the user created
 * first (its owner, world-writable), a hard link to a root-only file, a
 * FIFO; or it lies in a directory another user controls. Each is refused
 * with its reason, and nothing is written to the planted target. A new
 * file is created exclusively with mode 0600, also in a sticky directory.
 * Needs root (CI runs the unit tests as root).
 */
static void test_refuses_planted_files(void **state)
{
	struct tdir *t = *state;
	char victim[512], path[512], dir[512];
	struct rotfile *f;
	struct stat st;

	if (geteuid() != 0)
		skip();
	FMT(victim, "%s/victim.txt", t->path);
	plant(victim, 0600, 0);
	/* a symlink to the root-only file */
	FMT(path, "%s/lt-sym.log", t->path);
	assert_int_equal(symlink(victim, path), 0);
	refused(path, ELOOP, "a symbolic link (not followed)");
	unchanged(victim, 0600, 0);
	/* a file a user created first, world-writable */
	FMT(path, "%s/lt-out.jsonl", t->path);
	plant(path, 0666, 1000);
	refused(path, EPERM, "owned by uid 1000, not by uid 0");
	unchanged(path, 0666, 1000);
	/* root's own file, but writable by others */
	FMT(path, "%s/lt-open.jsonl", t->path);
	plant(path, 0666, 0);
	refused(path, EPERM, "writable by others (mode 0666)");
	/* a hard link to the root-only file */
	FMT(path, "%s/lt-hard.jsonl", t->path);
	assert_int_equal(link(victim, path), 0);
	refused(path, EPERM, "it has 2 hard links");
	unchanged(victim, 0600, 0);
	/* a FIFO: refused without blocking */
	FMT(path, "%s/lt-fifo.jsonl", t->path);
	assert_int_equal(mkfifo(path, 0600), 0);
	refused(path, EPERM, "not a regular file");
	/* a directory others may write, not sticky; then one a user owns */
	FMT(dir, "%s/open", t->path);
	assert_int_equal(mkdir(dir, 0777), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	FMT(path, "%s/events.jsonl", dir);
	refused(path, EPERM, "writable by others and not sticky");
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(chown(dir, 1000, 1000), 0);
	refused(path, EPERM, "its directory is owned by uid 1000");
	/* a sticky shared directory (/tmp): a new file, ours alone */
	assert_int_equal(chown(dir, 0, 0), 0);
	assert_int_equal(chmod(dir, 01777), 0);
	f = rotfile_open(path, NULL);
	assert_non_null(f);
	assert_string_equal(rotfile_last_error(), "");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, 0);
	/* SIGHUP's reopen after the name was swapped for a symlink: refused, the old file kept */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(rotfile_reopen(f), -ELOOP);
	assert_int_equal(rotfile_write(f, "x\n", 2), 0);
	assert_int_equal(rotfile_flush(f), 0);
	rotfile_free(f);
	unchanged(victim, 0600, 0);
}

/*
 * Review finding 13 as it was run (harness rot_full): the disk fills, the
 * agent exits with records buffered, the last one torn on disk; the next
 * run's first record used to merge with it. The lost records are counted,
 * and the next open ends the torn line first. The full disk is a file size
 * limit here (EFBIG instead of ENOSPC: the same short write).
 */
static void test_full_disk_counts_lost_records_and_mends_the_torn_line(void **state)
{
	struct tdir *t = *state;
	struct rlimit old, lim;
	char path[512], rec[32];
	struct rotfile *f;
	size_t len;
	char *data;

	FMT(path, "%s/full.jsonl", t->path);
	f = rotfile_open(path, NULL);
	assert_non_null(f);
	assert_int_equal(rotfile_write(f, "{\"seq\":0}\n", 10), 0);
	assert_int_equal(rotfile_flush(f), 0);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 10 + 25;	/* room for one record and a half */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	for (int i = 1; i <= 5; i++) {
		snprintf(rec, sizeof(rec), "{\"seq\":%d,\"pad\":\"xxxx\"}\n", i);	/* 23 bytes */
		assert_int_equal(rotfile_write(f, rec, strlen(rec)), 0);
	}
	assert_int_equal(rotfile_flush(f), -EFBIG);
	assert_int_equal(rotfile_unwritten_records(f), 4);	/* record 1 whole, 2 torn */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	rotfile_free(f);	/* its flush now writes them: drop them to model the exit */
	data = read_file(path, &len);
	assert_true(len > 10 + 23);
	free(data);
	/* the torn state as the review found it: cut inside a record */
	assert_int_equal(truncate(path, 10 + 23 + 12), 0);
	f = rotfile_open(path, NULL);
	assert_non_null(f);
	assert_int_equal(rotfile_write(f, "{\"seq\":100}\n", 12), 0);
	assert_int_equal(rotfile_flush(f), 0);
	rotfile_free(f);
	data = read_file(path, &len);
	assert_int_equal(len, 10 + 23 + 12 + 1 + 12);
	assert_memory_equal(data + 10 + 23, "{\"seq\":2,\"pa\n{\"seq\":100}\n", 12 + 1 + 12);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates_parents_0750_and_file_0600,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_open_errors_set_errno, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_appends_to_existing_file, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_rotates_at_size_limit_with_exact_backup_count,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_records_of_mixed_sizes_are_never_split,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_record_larger_than_limit_gets_its_own_file,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_no_rotation_when_max_size_is_zero, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(
			test_compressed_backups_are_valid_gzip_with_intact_content, setup_dir,
			teardown_dir),
		cmocka_unit_test_setup_teardown(test_max_backups_keeps_only_the_newest, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_max_age_deletes_old_backups_and_only_ours,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_compression_keeps_backup_mtime, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_reopen_follows_a_moved_file, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_refuses_planted_files, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
			test_full_disk_counts_lost_records_and_mends_the_torn_line, setup_dir,
			teardown_dir),
		cmocka_unit_test_setup_teardown(test_failed_rotation_is_counted_and_keeps_writing,
						setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
