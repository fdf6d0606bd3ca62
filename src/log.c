// SPDX-License-Identifier: MIT
/*
 * log - diagnostic log.
 *
 * Design: all state is global and guarded by log_mu, except log_min_level,
 * which is read without the lock (relaxed atomic) so that filtered messages
 * cost nothing. Lines are built in two warm jbufs (message, line), so a
 * message allocates only when it is longer than any before it. A file
 * destination is a rotfile flushed after every line: the log is rare and
 * must survive a crash. Lines that cannot be written are counted
 * (log_lost()), since there is nowhere left to report them. Failures of
 * the log file's own rotation cannot be logged from rotate.c (that would
 * re-enter this lock), so log_msg() notices them in the rotfile counters and
 * adds an error line after the message that follows.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "output/jsonw.h"
#include "log.h"
#include "output/rotate.h"

int log_min_level = LT_LOG_INFO;

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static enum lt_format log_fmt = LT_FMT_TEXT;
static struct rotfile *log_file;	/* NULL: stderr */
static char *log_path;			/* of log_file, for messages */
static uint64_t log_rot_failures;	/* rotation failures of log_file already reported */
static struct jbuf log_msgbuf = JBUF_INIT;
static struct jbuf log_line = JBUF_INIT;
static uint64_t log_lost_n;

static const char *const level_names[] = {
	[LT_LOG_DEBUG] = "debug",
	[LT_LOG_INFO] = "info",
	[LT_LOG_WARN] = "warn",
	[LT_LOG_ERROR] = "error",
};

const char *log_level_name(enum lt_log_level lvl)
{
	if ((unsigned int)lvl >= sizeof(level_names) / sizeof(level_names[0]))
		return "unknown";
	return level_names[lvl];
}

int log_parse_level(const char *s, enum lt_log_level *level)
{
	unsigned int i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (!strcasecmp(s, level_names[i])) {
			*level = (enum lt_log_level)i;
			return 0;
		}
	}
	if (!strcasecmp(s, "warning")) {
		*level = LT_LOG_WARN;
		return 0;
	}
	return -EINVAL;
}

int log_parse_format(const char *s, enum lt_format *fmt)
{
	if (!strcasecmp(s, "json"))
		*fmt = LT_FMT_JSON;
	else if (!strcasecmp(s, "text"))
		*fmt = LT_FMT_TEXT;
	else
		return -EINVAL;
	return 0;
}

int log_env_override(enum lt_log_level *level, enum lt_format *fmt, char *err, size_t errlen)
{
	const char *lv = getenv("LTRACK_LOG_LEVEL");
	const char *fv = getenv("LTRACK_LOG_FORMAT");
	enum lt_log_level nl = *level;
	enum lt_format nf = *fmt;

	if (lv && *lv && log_parse_level(lv, &nl)) {
		snprintf(err, errlen,
			 "LTRACK_LOG_LEVEL: unknown level '%s' "
			 "(expected debug, info, warn or error)", lv);
		return -EINVAL;
	}
	if (fv && *fv && log_parse_format(fv, &nf)) {
		snprintf(err, errlen,
			 "LTRACK_LOG_FORMAT: unknown format '%s' (expected json or text)", fv);
		return -EINVAL;
	}
	*level = nl;
	*fmt = nf;
	return 0;
}

int log_setup(enum lt_log_level level, enum lt_format fmt, const char *path,
	      const struct lt_rotate *rot)
{
	struct rotfile *nf = NULL, *old;
	char *npath = NULL, *opath;
	int err;

	if ((unsigned int)level > LT_LOG_ERROR || (unsigned int)fmt > LT_FMT_TEXT) {
		errno = EINVAL;
		return -EINVAL;
	}
	if (path && *path) {
		npath = strdup(path);
		if (!npath)
			return -ENOMEM;
		nf = rotfile_open(path, rot);
		if (!nf) {
			err = -errno;
			free(npath);
			errno = -err;
			return err;
		}
	}
	pthread_mutex_lock(&log_mu);
	old = log_file;
	opath = log_path;
	if (old)
		rotfile_flush(old);
	log_file = nf;
	log_path = npath;
	log_rot_failures = 0;
	log_fmt = fmt;
	__atomic_store_n(&log_min_level, (int)level, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&log_mu);
	rotfile_free(old);
	free(opath);
	return 0;
}

int log_reopen(void)
{
	int err = 0;

	pthread_mutex_lock(&log_mu);
	if (log_file)
		err = rotfile_reopen(log_file);
	pthread_mutex_unlock(&log_mu);
	return err;
}

uint64_t log_lost(void)
{
	uint64_t n;

	pthread_mutex_lock(&log_mu);
	n = log_lost_n;
	pthread_mutex_unlock(&log_mu);
	return n;
}

void log_close(void)
{
	struct rotfile *old;
	char *opath;

	pthread_mutex_lock(&log_mu);
	old = log_file;
	opath = log_path;
	log_file = NULL;
	log_path = NULL;
	log_fmt = LT_FMT_TEXT;
	__atomic_store_n(&log_min_level, LT_LOG_INFO, __ATOMIC_RELAXED);
	jbuf_release(&log_msgbuf);
	jbuf_release(&log_line);
	pthread_mutex_unlock(&log_mu);
	rotfile_free(old);
	free(opath);
}

/* "2026-11-22T01:02:03.123456Z" (27 bytes + NUL; the rest is for the compiler) */
static void format_time(char out[96], const struct timespec *ts)
{
	struct tm tm;

	gmtime_r(&ts->tv_sec, &tm);
	snprintf(out, 96, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 ts->tv_nsec / 1000);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* format and write one line; log_mu held. Returns 0 or -errno */
static int emit_locked(enum lt_log_level lvl, const char *when, const char *msg, size_t len)
{
	struct jbuf *l = &log_line;
	int err;

	jbuf_reset(l);
	if (log_fmt == LT_FMT_JSON) {
		json_obj_begin(l);
		json_kv_str(l, "time", when);
		json_kv_str(l, "level", log_level_name(lvl));
		json_key(l, "msg");
		json_str(l, msg, len);
		json_obj_end(l);
	} else {
		jbuf_puts(l, when);
		jbuf_puts(l, " level=");
		jbuf_puts(l, log_level_name(lvl));
		jbuf_puts(l, " msg=");
		text_quote(l, msg, len);
	}
	jbuf_putc(l, '\n');
	if (l->err)
		return l->err;
	if (!log_file)
		return write_all(STDERR_FILENO, l->buf, l->len);
	/* a failed flush leaves the line buffered for the next attempt */
	err = rotfile_write(log_file, l->buf, l->len);
	if (!err)
		rotfile_flush(log_file);
	return err;
}

/* report new rotation failures of the log file itself; log_mu held */
static void report_rotation_locked(const char *when)
{
	struct rotfile_stats rs;
	char note[512];
	int n;

	rotfile_get_stats(log_file, &rs);
	if (rs.rotate_errors + rs.mill_errors <= log_rot_failures)
		return;
	log_rot_failures = rs.rotate_errors + rs.mill_errors;
	n = snprintf(note, sizeof(note), "log: rotating or pruning %s failed: %s", log_path,
		     strerror(-rs.last_error));
	if (n < 0)
		return;
	if (emit_locked(LT_LOG_ERROR, when, note,
			(size_t)n < sizeof(note) ? (size_t)n : sizeof(note) - 1))
		log_lost_n++;
}

void log_msg(enum lt_log_level lvl, const char *fmt, ...)
{
	struct jbuf *m = &log_msgbuf;
	struct timespec ts;
	char when[96];
	va_list ap;
	int err;

	if (!log_enabled(lvl))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	format_time(when, &ts);

	pthread_mutex_lock(&log_mu);
	jbuf_reset(m);
	va_start(ap, fmt);
	jbuf_vprintf(m, fmt, ap);
	va_end(ap);
	while (m->len && m->buf[m->len - 1] == '\n')
		m->len--;
	err = m->err ? m->err : emit_locked(lvl, when, m->len ? m->buf : "", m->len);
	if (err)
		log_lost_n++;
	if (log_file)
		report_rotation_locked(when);
	pthread_mutex_unlock(&log_mu);
}
