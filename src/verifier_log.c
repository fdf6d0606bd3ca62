// SPDX-License-Identifier: MIT
/*
 * verifier_log.c - statistics, tail and reason of a verifier log. See
 * verifier_log.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verifier_log.h"

/* a line of @log: [s, s + n), without its newline */
struct vline {
	const char *s;
	size_t n;
};

static bool starts(const struct vline *l, const char *prefix)
{
	size_t n = strlen(prefix);

	return l->n >= n && !memcmp(l->s, prefix, n);
}

static bool contains(const struct vline *l, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= l->n; i++)
		if (!memcmp(l->s + i, needle, n))
			return true;
	return false;
}

/* the statistics lines the verifier adds after its messages */
static bool stats_line(const struct vline *l)
{
	return starts(l, "processed ") || starts(l, "verification time ") ||
	       starts(l, "stack depth ");
}

/* the line before the one that starts at @end (exclusive), skipping empty ones; false: none */
static bool prev_line(const char *log, const char **end, struct vline *l)
{
	const char *e = *end, *s;

	for (;;) {
		while (e > log && e[-1] == '\n')
			e--;
		if (e == log)
			return false;
		s = e;
		while (s > log && s[-1] != '\n')
			s--;
		l->s = s;
		l->n = (size_t)(e - s);
		*end = s;
		/* a line of blanks only counts as empty */
		for (size_t i = 0; i < l->n; i++)
			if (l->s[i] != ' ' && l->s[i] != '\t' && l->s[i] != '\r')
				return true;
		e = s;
	}
}

/* copy @l (at most VLOG_LINE_MAX characters, then "...") into @out */
static void line_copy(const struct vline *l, char *out, size_t outlen)
{
	size_t n = l->n;

	while (n && (l->s[n - 1] == ' ' || l->s[n - 1] == '\r' || l->s[n - 1] == '\t'))
		n--;
	if (n > VLOG_LINE_MAX)
		snprintf(out, outlen, "%.*s...", VLOG_LINE_MAX, l->s);
	else
		snprintf(out, outlen, "%.*s", (int)n, l->s);
}

int vlog_parse(const char *log, struct vlog_stats *st)
{
	const char *end = log + strlen(log);
	struct vline l;
	char buf[256];

	memset(st, 0, sizeof(*st));
	while ((!st->have_insns || !st->have_time) && prev_line(log, &end, &l)) {
		size_t n = l.n < sizeof(buf) - 1 ? l.n : sizeof(buf) - 1;

		memcpy(buf, l.s, n);
		buf[n] = '\0';
		if (!st->have_insns && starts(&l, "processed ")) {
			int got = sscanf(buf, "processed %lu insns (limit %lu) max_states_per_insn %lu "
					 "total_states %lu peak_states %lu mark_read %lu", &st->insns,
					 &st->limit, &st->max_states_per_insn, &st->total_states,
					 &st->peak_states, &st->mark_read);

			st->have_insns = got >= 1;
		} else if (!st->have_time && starts(&l, "verification time ")) {
			st->have_time = sscanf(buf, "verification time %lu usec", &st->time_us) == 1;
		}
	}
	return st->have_insns || st->have_time ? 0 : -ENOENT;
}

void vlog_tail(const char *log, unsigned int nlines, char *out, size_t outlen)
{
	const char *end = log + strlen(log), *from = end;
	struct vline l;
	unsigned int n = 0;
	size_t o = 0;

	if (!outlen)
		return;
	out[0] = '\0';
	/* find where the last @nlines lines start, then copy them forwards */
	while (n < nlines && prev_line(log, &from, &l))
		n++;
	while (n--) {
		const char *e = from;
		char line[VLOG_LINE_MAX + 8];
		int w;

		/* the next non-empty line at or after @from */
		while (*e == '\n')
			e++;
		l.s = e;
		e = strchr(e, '\n');
		l.n = e ? (size_t)(e - l.s) : strlen(l.s);
		from = l.s + l.n;
		if (!*l.s)
			break;
		if (!l.n || strspn(l.s, " \t\r") >= l.n) {
			n++;	/* blank: not one of the lines counted */
			continue;
		}
		line_copy(&l, line, sizeof(line));
		w = snprintf(out + o, outlen - o, "%s%s", o ? " | " : "", line);
		if (w < 0 || (size_t)w >= outlen - o) {
			out[o] = '\0';	/* whole lines only */
			break;
		}
		o += (size_t)w;
	}
}

bool vlog_reason(const char *log, int err, char *out, size_t outlen)
{
	static const struct {
		const char *needle;
		const char *reason;
	} known[] = {
		{ "BPF program is too large", "verifier: too large" },
		{ "is too complex", "verifier: too complex" },
		{ "stack size", "verifier: stack too large" },
	};
	const char *end = log + strlen(log);
	struct vline l;
	char line[VLOG_LINE_MAX + 8];

	while (prev_line(log, &end, &l)) {
		if (stats_line(&l))
			continue;
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
			if (contains(&l, known[i].needle)) {
				snprintf(out, outlen, "%s", known[i].reason);
				return true;
			}
		}
		line_copy(&l, line, sizeof(line));
		snprintf(out, outlen, "verifier: %s", line);
		return true;
	}
	snprintf(out, outlen, "%s", strerror(err > 0 ? err : -err));
	return false;
}
