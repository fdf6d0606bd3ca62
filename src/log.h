/* SPDX-License-Identifier: MIT */
/*
 * log - ltrack's own diagnostic log (start-up, errors, drops). This is not
 * the event stream; events go through output/sink.
 *
 * One line per message, in the format of [log] format:
 *	text: 2026-11-22T01:02:03.123456Z level=info msg="watching /srv/models"
 *	json: {"time":"2026-11-22T01:02:03.123456Z","level":"info","msg":"..."}
 * Times are UTC with microseconds. The message is quoted/escaped, so a
 * message can never forge a second line. Before log_setup() the log is
 * level info, text, stderr.
 *
 * Thread safe: a mutex serialises formatting and writing. A message below
 * the level costs one relaxed load; the log_*() macros do not even evaluate
 * their arguments then.
 */
#ifndef LTRACK_LOG_H
#define LTRACK_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* the current level; read through log_enabled() */
extern int log_min_level;

static inline int log_enabled(enum lt_log_level lvl)
{
	return (int)lvl >= __atomic_load_n(&log_min_level, __ATOMIC_RELAXED);
}

/*
 * log_setup - log messages of @level and above in @fmt to @path (NULL or ""
 * = stderr), rotated as @rot says (NULL = never). May be called again (e.g.
 * on SIGHUP): the new destination is opened first and swapped in only when
 * that worked. Returns 0 or -errno (the old setup stays).
 */
int log_setup(enum lt_log_level level, enum lt_format fmt, const char *path,
	      const struct lt_rotate *rot);

/*
 * log_env_override - apply LTRACK_LOG_LEVEL (debug|info|warn|warning|error)
 * and LTRACK_LOG_FORMAT (json|text), case-insensitive, to *@level and *@fmt.
 * Unset or empty variables change nothing. Returns 0, or -EINVAL with a
 * message in @err and neither output changed.
 */
int log_env_override(enum lt_log_level *level, enum lt_format *fmt, char *err, size_t errlen);

/* log_parse_level / log_parse_format - the names above; 0 or -EINVAL */
int log_parse_level(const char *s, enum lt_log_level *level);
int log_parse_format(const char *s, enum lt_format *fmt);

/* log_level_name - "debug", "info", "warn", "error" */
const char *log_level_name(enum lt_log_level lvl);

/* log_msg - log one message (a trailing newline in it is dropped) */
void log_msg(enum lt_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_at_(lvl, ...)                                \
	do {                                             \
		if (log_enabled(lvl))                    \
			log_msg(lvl, __VA_ARGS__);       \
	} while (0)
#define log_debug(...) log_at_(LT_LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_at_(LT_LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_at_(LT_LOG_WARN, __VA_ARGS__)
#define log_error(...) log_at_(LT_LOG_ERROR, __VA_ARGS__)

/* log_reopen - reopen the log file (logrotate moved it); 0 or -errno */
int log_reopen(void);

/* log_lost - messages that could not be written (destination failing) */
uint64_t log_lost(void);

/* log_close - flush and close a log file, back to the default (stderr, info, text) */
void log_close(void);

#endif
