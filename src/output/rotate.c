// SPDX-License-Identifier: MIT
/*
 * rotate - size-rotated log files.
 *
 * Invariants:
 *   - f->buf holds whole records only, and a rotation happens only after the
 *     buffer was written out completely, so no record is ever split across
 *     two files (a short write leaves the tail buffered for the same fd).
 *   - f->size counts the bytes written to the live file since it was opened
 *     (or since the last rotation attempt, after one failed: a failing
 *     rename is then retried one max_size later instead of on every write).
 *   - Backup names are unique: the timestamp is bumped by 1 ms past both the
 *     previous backup and any existing file of that name, so rotations within
 *     one millisecond neither collide nor lose their order.
 *
 * All names are resolved relative to a descriptor of the parent directory,
 * so a later chdir() of the process does not move the log.
 *
 * Background work ("mill", after lumberjack): after each rotation (and once
 * at open) a thread scans the directory for this file's backups, deletes
 * those beyond max_backups (newest kept, by the time in the name) and those
 * whose mtime is older than max_age_days, then gzips the remaining plain
 * ones. The thread exits when idle; the next kick joins and respawns it.
 *   writer: kick -> pending=1 -> spawn if no thread is running
 *   thread: while (pending) { pending=0; scan/prune/compress } running=0
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "output/rotate.h"

#define ROT_BUF_SIZE (64 * 1024)
#define TS_LEN 23	/* YYYY-MM-DDTHH-MM-SS.mmm */

struct rotfile {
	char *base;		/* basename of the live file */
	char *stem;		/* base up to its last '.' */
	char *ext;		/* from the last '.' of base, or "" */
	int dirfd;
	int fd;
	uint64_t size;
	uint64_t max_bytes;	/* 0 = never rotate */
	struct lt_rotate r;
	char *buf;
	size_t blen, bcap;
	int64_t last_ms;	/* time in the newest backup name we made */
	uint64_t rotations, rotate_errors;

	pthread_mutex_t mu;	/* guards the fields below */
	pthread_t thr;
	bool thr_live;		/* a joinable thread exists */
	bool thr_running;	/* ...and has not finished its loop */
	bool pending;
	uint64_t mill_errors;
	int last_error;
};

struct backup {
	char *name;		/* without ".gz" */
	bool plain;		/* name exists (not yet compressed) */
	bool gz;		/* name + ".gz" exists */
	int64_t ts_ms;		/* from the name */
	time_t mtime;
};

static int mkdir_parents(const char *dir)
{
	char tmp[4096];
	size_t n = strlen(dir), i;

	if (n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		if (tmp[i - 1] == '/')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0750) && errno != EEXIST)
			return -errno;
		if (i < n)
			tmp[i] = '/';
	}
	return 0;
}

/* why the last rotfile_open/reopen/rotation in this thread refused a file ("" when none) */
static __thread char open_why[160];

const char *rotfile_last_error(void)
{
	return open_why;
}

static int refuse(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(open_why, sizeof(open_why), fmt, ap);
	va_end(ap);
	return err;
}

/*
 * dir_safe - no other user can swap names in the directory: it is owned by
 * root or by us, and if others may write in it, it is sticky (/tmp: they
 * cannot rename or remove what we own there)
 */
static int dir_safe(int dirfd)
{
	struct stat st;

	if (fstat(dirfd, &st))
		return -errno;
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return refuse(-EPERM, "its directory is owned by uid %u", (unsigned)st.st_uid);
	if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
		return refuse(-EPERM, "its directory is writable by others and not sticky");
	return 0;
}

/*
 * file_safe - an existing file we may append to: a regular file with one
 * name (a hard link planted by a user could name a root-only file), owned
 * by us, that no other user can write
 */
static int file_safe(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return refuse(-EPERM, "not a regular file");
	if (st->st_nlink != 1)
		return refuse(-EPERM, "it has %lu hard links", (unsigned long)st->st_nlink);
	if (st->st_uid != geteuid())
		return refuse(-EPERM, "owned by uid %u, not by uid %u", (unsigned)st->st_uid,
			      (unsigned)geteuid());
	if (st->st_mode & S_IWOTH)
		return refuse(-EPERM, "writable by others (mode %04o)", (unsigned)(st->st_mode & 07777));
	return 0;
}

/*
 * open_live - the live file, opened without following a symlink and
 * without blocking on a FIFO: an existing one only if file_safe, a new one
 * created exclusively with mode 0600 (never a name another user placed
 * between our look and our create)
 */
static int open_live(struct rotfile *f, int *fdp, uint64_t *sizep)
{
	/* O_RDWR: the last byte of an existing file is read (a torn line, below) */
	const int fl = O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK;
	struct stat st;
	int fd = -1, err;

	open_why[0] = '\0';
	err = dir_safe(f->dirfd);
	if (err)
		return err;
	for (int tries = 0; fd < 0 && tries < 3; tries++) {
		fd = openat(f->dirfd, f->base, fl);
		if (fd < 0 && errno == ENOENT)
			fd = openat(f->dirfd, f->base, fl | O_CREAT | O_EXCL, 0600);
		if (fd < 0 && errno != EEXIST && errno != ENOENT)
			break;
	}
	if (fd < 0) {
		err = -errno;
		if (err == -ELOOP)
			return refuse(err, "a symbolic link (not followed)");
		if (err == -ENXIO)	/* a FIFO without a reader, a socket */
			return refuse(-EPERM, "not a regular file");
		return err;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		goto out_close;
	}
	err = file_safe(&st);
	if (err)
		goto out_close;
	/* blocking writes: O_NONBLOCK was for the open of a FIFO only */
	if (fcntl(fd, F_SETFL, O_APPEND)) {
		err = -errno;
		goto out_close;
	}
	/*
	 * a last line cut short (a disk that was full when an earlier run
	 * ended): ended here, so the next record does not merge with it
	 */
	if (st.st_size > 0) {
		char last;

		if (pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n' &&
		    write(fd, "\n", 1) == 1)
			st.st_size++;
	}
	*fdp = fd;
	*sizep = (uint64_t)st.st_size;
	return 0;

out_close:
	close(fd);
	return err;
}

static void mill_kick(struct rotfile *f);

struct rotfile *rotfile_open(const char *path, const struct lt_rotate *r)
{
	struct rotfile *f;
	const char *slash;
	char *dir = NULL, *dot;
	size_t plen;
	int err;

	if (!path || !*path) {
		errno = EINVAL;
		return NULL;
	}
	plen = strlen(path);
	if (path[plen - 1] == '/') {
		errno = EISDIR;
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->fd = -1;
	f->dirfd = -1;
	pthread_mutex_init(&f->mu, NULL);
	if (r)
		f->r = *r;
	if (f->r.max_size_mb > 0)
		f->max_bytes = (uint64_t)f->r.max_size_mb * 1024 * 1024;

	slash = strrchr(path, '/');
	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	f->base = strdup(slash ? slash + 1 : path);
	f->buf = malloc(ROT_BUF_SIZE);
	if (!dir || !f->base || !f->buf) {
		err = -ENOMEM;
		goto out_free;
	}
	f->bcap = ROT_BUF_SIZE;
	dot = strrchr(f->base, '.');
	f->stem = dot ? strndup(f->base, (size_t)(dot - f->base)) : strdup(f->base);
	f->ext = strdup(dot ? dot : "");
	if (!f->stem || !f->ext) {
		err = -ENOMEM;
		goto out_free;
	}

	f->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->dirfd < 0 && errno == ENOENT) {
		err = mkdir_parents(dir);
		if (err)
			goto out_free;
		f->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (f->dirfd < 0) {
		err = -errno;
		goto out_free;
	}
	err = open_live(f, &f->fd, &f->size);
	if (err)
		goto out_free;
	free(dir);
	if (f->r.compress || f->r.max_backups > 0 || f->r.max_age_days > 0)
		mill_kick(f);	/* finish what an earlier run left behind */
	return f;

out_free:
	free(dir);
	rotfile_free(f);
	errno = -err;
	return NULL;
}

size_t rotfile_unwritten_records(const struct rotfile *f)
{
	size_t n = 0;

	for (size_t i = 0; f && i < f->blen; i++)
		n += f->buf[i] == '\n';
	return n;
}

int rotfile_flush(struct rotfile *f)
{
	size_t off = 0;
	int err = 0;

	while (off < f->blen) {
		ssize_t n = write(f->fd, f->buf + off, f->blen - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		off += (size_t)n;
		f->size += (uint64_t)n;
	}
	if (off && off < f->blen)
		memmove(f->buf, f->buf + off, f->blen - off);
	f->blen -= off;
	return err;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void format_ts(char *out, size_t len, int64_t ms)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(out, len, "%04d-%02d-%02dT%02d-%02d-%02d.%03d", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

static bool name_taken(int dirfd, const char *name)
{
	char gz[NAME_MAX + 8];
	struct stat st;

	if (!fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return true;
	snprintf(gz, sizeof(gz), "%s.gz", name);
	return !fstatat(dirfd, gz, &st, AT_SYMLINK_NOFOLLOW);
}

/* a free backup name for "now" into @name; returns 0 or -ENAMETOOLONG/-EEXIST */
static int backup_name(struct rotfile *f, char *name, size_t len)
{
	char ts[96];	/* TS_LEN + 1; the rest keeps -Wformat-truncation quiet */
	int64_t ms = now_ms();
	int tries;

	if (ms <= f->last_ms)
		ms = f->last_ms + 1;
	for (tries = 0; tries < 1000; tries++, ms++) {
		int n;

		format_ts(ts, sizeof(ts), ms);
		n = snprintf(name, len, "%s-%s%s", f->stem, ts, f->ext);
		if (n < 0 || (size_t)n >= len || n > NAME_MAX - 3)
			return -ENAMETOOLONG;
		if (!name_taken(f->dirfd, name)) {
			f->last_ms = ms;
			return 0;
		}
	}
	return -EEXIST;
}

/* move the live file aside and start a new one; the buffer must be empty */
static int rotate(struct rotfile *f)
{
	char name[NAME_MAX + 1];
	uint64_t size;
	int err, fd;

	err = backup_name(f, name, sizeof(name));
	if (err)
		goto out_fail;
	if (renameat(f->dirfd, f->base, f->dirfd, name) && errno != ENOENT) {
		err = -errno;
		goto out_fail;
	}
	err = open_live(f, &fd, &size);
	if (err)
		goto out_fail;	/* keep appending to the old fd (now the backup) */
	close(f->fd);
	f->fd = fd;
	f->size = size;
	f->rotations++;
	mill_kick(f);
	return 0;

out_fail:
	f->rotate_errors++;
	pthread_mutex_lock(&f->mu);
	f->last_error = err;
	pthread_mutex_unlock(&f->mu);
	f->size = 0;	/* try again one max_size later, not on every write */
	return err;
}

/*
 * write_direct - @len bytes written without the copy into the buffer (it is
 * empty); what a failed write leaves is buffered as if it had been copied.
 * Nothing written at all: the write's -errno.
 */
static int write_direct(struct rotfile *f, const char *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(f->fd, buf + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (!off)
				return -errno;
			break;
		}
		off += (size_t)n;
		f->size += (uint64_t)n;
	}
	if (off < len) {
		if (len - off > f->bcap) {
			char *nb = realloc(f->buf, len - off);

			if (!nb)
				return -ENOMEM;
			f->buf = nb;
			f->bcap = len - off;
		}
		memcpy(f->buf, buf + off, len - off);
		f->blen = len - off;
	}
	return 0;
}

int rotfile_write(struct rotfile *f, const char *buf, size_t len)
{
	uint64_t used = f->size + f->blen;
	int err;

	if (f->max_bytes && used && used + len > f->max_bytes && !rotfile_flush(f))
		rotate(f);	/* failures are counted; writing goes on */
	if (!f->blen && len >= f->bcap / 2)	/* a batch of records */
		return write_direct(f, buf, len);
	if (f->blen + len > f->bcap) {
		err = rotfile_flush(f);
		if (err)
			return err;
		if (len > f->bcap) {
			char *nb = realloc(f->buf, len);

			if (!nb)
				return -ENOMEM;
			f->buf = nb;
			f->bcap = len;
		}
	}
	memcpy(f->buf + f->blen, buf, len);
	f->blen += len;
	return 0;
}

int rotfile_reopen(struct rotfile *f)
{
	uint64_t size;
	int err, fd;

	err = rotfile_flush(f);
	if (err)
		return err;
	err = open_live(f, &fd, &size);
	if (err)
		return err;
	close(f->fd);
	f->fd = fd;
	f->size = size;
	return 0;
}

/* --- background compression and pruning --- */

static int cmp_backup_newest_first(const void *a, const void *b)
{
	const struct backup *x = a, *y = b;

	return x->ts_ms < y->ts_ms ? 1 : x->ts_ms > y->ts_ms ? -1 : 0;
}

/* the value of @n decimal digits at @s (already checked to be digits) */
static int digits(const char *s, int n)
{
	int v = 0;

	while (n--)
		v = v * 10 + (*s++ - '0');
	return v;
}

/* parse "YYYY-MM-DDTHH-MM-SS.mmm" (exactly TS_LEN bytes) into ms since the epoch */
static bool parse_ts(const char *s, int64_t *ms)
{
	static const char shape[] = "dddd-dd-ddTdd-dd-dd.ddd";
	struct tm tm = { 0 };
	int i;

	for (i = 0; i < TS_LEN; i++) {
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return false;
	}
	tm.tm_year = digits(s, 4) - 1900;
	tm.tm_mon = digits(s + 5, 2) - 1;
	tm.tm_mday = digits(s + 8, 2);
	tm.tm_hour = digits(s + 11, 2);
	tm.tm_min = digits(s + 14, 2);
	tm.tm_sec = digits(s + 17, 2);
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return false;
	*ms = (int64_t)timegm(&tm) * 1000 + digits(s + 20, 3);
	return true;
}

/*
 * is @name one of our backups? "<stem>-<ts><ext>" or the same + ".gz".
 * Sets *ts and *gz.
 */
static bool match_backup(const struct rotfile *f, const char *name, int64_t *ts, bool *gz)
{
	size_t sl = strlen(f->stem), el = strlen(f->ext), nl = strlen(name);
	size_t core = sl + 1 + TS_LEN + el;

	if (nl == core)
		*gz = false;
	else if (nl == core + 3 && !strcmp(name + core, ".gz"))
		*gz = true;
	else
		return false;
	if (strncmp(name, f->stem, sl) || name[sl] != '-')
		return false;
	if (strncmp(name + sl + 1 + TS_LEN, f->ext, el))
		return false;
	return parse_ts(name + sl + 1, ts);
}

/* gzip @name into @name.gz (same mtime), then remove @name. Returns 0 or -errno */
static int gzip_backup(int dirfd, const char *name)
{
	char gzname[NAME_MAX + 8];
	struct timespec times[2];
	bool made_gz = false;
	struct stat st;
	char *buf = NULL;
	gzFile gz;
	int in, out, err = 0;

	snprintf(gzname, sizeof(gzname), "%s.gz", name);
	in = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (in < 0)
		return -errno;
	buf = malloc(ROT_BUF_SIZE);
	if (!buf || fstat(in, &st)) {
		err = buf ? -errno : -ENOMEM;
		goto out;
	}
	/* a backup we did not write alone (a hard link to another file): left alone */
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1 || st.st_uid != geteuid()) {
		err = -EPERM;
		goto out;
	}
	/* a stale .gz of ours (a compression cut short) is replaced; nothing is truncated */
	if (unlinkat(dirfd, gzname, 0) && errno != ENOENT) {
		err = -errno;
		goto out;
	}
	out = openat(dirfd, gzname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (out < 0) {
		err = -errno;
		goto out;
	}
	made_gz = true;
	gz = gzdopen(out, "wb");
	if (!gz) {
		close(out);
		err = -ENOMEM;
		goto out;
	}
	gzbuffer(gz, 128 * 1024);
	for (;;) {
		ssize_t n = read(in, buf, ROT_BUF_SIZE);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n ? -errno : 0;
			break;
		}
		if (gzwrite(gz, buf, (unsigned int)n) != (int)n) {
			err = -EIO;
			break;
		}
	}
	if (gzclose(gz) != Z_OK && !err)
		err = -EIO;
	if (err)
		goto out;
	/* keep the time of the last record: max_age is judged by mtime */
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	utimensat(dirfd, gzname, times, AT_SYMLINK_NOFOLLOW);
	if (unlinkat(dirfd, name, 0))
		err = -errno;
	made_gz = false;	/* it is the backup now, whatever happened to @name */
out:
	if (err && made_gz)
		unlinkat(dirfd, gzname, 0);
	free(buf);
	close(in);
	return err;
}

/* delete both forms of backup @b; returns the number of failures, *last the error */
static int remove_backup(int dirfd, const struct backup *b, int *last)
{
	char gzname[NAME_MAX + 8];
	int errs = 0;

	if (b->plain && unlinkat(dirfd, b->name, 0) && errno != ENOENT) {
		*last = -errno;
		errs++;
	}
	if (b->gz) {
		snprintf(gzname, sizeof(gzname), "%s.gz", b->name);
		if (unlinkat(dirfd, gzname, 0) && errno != ENOENT) {
			*last = -errno;
			errs++;
		}
	}
	return errs;
}

/* add (or merge into) the backup with time @ts; returns false on ENOMEM */
static bool note_backup(struct backup **v, size_t *n, size_t *cap, const char *name,
			int64_t ts, bool gz, time_t mtime)
{
	struct backup *b = NULL;
	size_t i;

	for (i = 0; i < *n; i++) {
		if ((*v)[i].ts_ms == ts) {
			b = &(*v)[i];
			break;
		}
	}
	if (!b) {
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 16;
			struct backup *nv = realloc(*v, ncap * sizeof(*nv));

			if (!nv)
				return false;
			*v = nv;
			*cap = ncap;
		}
		b = &(*v)[*n];
		memset(b, 0, sizeof(*b));
		b->name = strndup(name, strlen(name) - (gz ? 3 : 0));
		if (!b->name)
			return false;
		b->ts_ms = ts;
		b->mtime = mtime;
		(*n)++;
	}
	if (gz) {
		b->gz = true;
	} else {
		b->plain = true;
		b->mtime = mtime;	/* the plain file is the original */
	}
	return true;
}

/*
 * one scan: prune, then compress. Returns the number of failed operations
 * and sets *last to the -errno of the latest.
 */
static int mill_run(struct rotfile *f, int *last)
{
	struct backup *v = NULL;
	size_t n = 0, cap = 0, i;
	int64_t cutoff = 0;
	struct dirent *de;
	int dfd, errs = 0;
	DIR *d;

	dfd = openat(f->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		*last = -errno;
		return 1;
	}
	d = fdopendir(dfd);
	if (!d) {
		*last = -errno;
		close(dfd);
		return 1;
	}
	while ((de = readdir(d))) {
		struct stat st;
		int64_t ts;
		bool gz;

		if (!match_backup(f, de->d_name, &ts, &gz))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
			continue;
		if (!note_backup(&v, &n, &cap, de->d_name, ts, gz, st.st_mtime)) {
			*last = -ENOMEM;
			errs++;
			goto out;
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_backup_newest_first);
	if (f->r.max_age_days > 0)
		cutoff = (int64_t)time(NULL) - f->r.max_age_days * 86400;
	for (i = 0; i < n; i++) {
		bool drop = (f->r.max_backups > 0 && i >= (size_t)f->r.max_backups) ||
			    (cutoff && (int64_t)v[i].mtime < cutoff);
		int err;

		if (drop) {
			errs += remove_backup(dfd, &v[i], last);
		} else if (f->r.compress && v[i].plain) {
			err = gzip_backup(dfd, v[i].name);
			if (err) {
				*last = err;
				errs++;
			}
		}
	}
out:
	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	closedir(d);
	return errs;
}

static void *mill_main(void *arg)
{
	struct rotfile *f = arg;
	int errs, last = 0;

	pthread_mutex_lock(&f->mu);
	while (f->pending) {
		f->pending = false;
		pthread_mutex_unlock(&f->mu);
		errs = mill_run(f, &last);
		pthread_mutex_lock(&f->mu);
		f->mill_errors += (uint64_t)errs;
		if (errs)
			f->last_error = last;
	}
	f->thr_running = false;
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

static void mill_kick(struct rotfile *f)
{
	sigset_t all, old;
	int err;

	pthread_mutex_lock(&f->mu);
	f->pending = true;
	if (f->thr_live && !f->thr_running) {
		pthread_mutex_unlock(&f->mu);
		pthread_join(f->thr, NULL);
		pthread_mutex_lock(&f->mu);
		f->thr_live = false;
	}
	if (f->thr_live) {
		pthread_mutex_unlock(&f->mu);
		return;		/* the running thread will see pending */
	}
	/* the thread must not take the process's signals */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	f->thr_running = true;
	err = pthread_create(&f->thr, NULL, mill_main, f);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!err) {
		f->thr_live = true;
		pthread_mutex_unlock(&f->mu);
		return;
	}
	f->thr_running = false;
	pthread_mutex_unlock(&f->mu);
	mill_main(f);		/* no thread: do the work inline */
}

void rotfile_settle(struct rotfile *f)
{
	bool live;

	pthread_mutex_lock(&f->mu);
	live = f->thr_live;
	f->thr_live = false;
	pthread_mutex_unlock(&f->mu);
	if (live)
		pthread_join(f->thr, NULL);
}

void rotfile_get_stats(struct rotfile *f, struct rotfile_stats *st)
{
	st->rotations = f->rotations;
	st->rotate_errors = f->rotate_errors;
	pthread_mutex_lock(&f->mu);
	st->mill_errors = f->mill_errors;
	st->last_error = f->last_error;
	pthread_mutex_unlock(&f->mu);
}

void rotfile_free(struct rotfile *f)
{
	if (!f)
		return;
	if (f->fd >= 0)
		rotfile_flush(f);
	rotfile_settle(f);
	if (f->fd >= 0)
		close(f->fd);
	if (f->dirfd >= 0)
		close(f->dirfd);
	pthread_mutex_destroy(&f->mu);
	free(f->buf);
	free(f->base);
	free(f->stem);
	free(f->ext);
	free(f);
}
