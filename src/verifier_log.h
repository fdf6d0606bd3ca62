/* SPDX-License-Identifier: MIT */
/*
 * verifier_log - read the kernel verifier's log of one program load: its
 * statistics (BPF_LOG_STATS), its last lines, and a short reason for a
 * refusal. Pure string functions: the loader and `ltrack verify` feed them
 * the per-program log buffer, the unit tests canned logs.
 *
 * With log level BPF_LOG_STATS (4) alone, the verifier writes its error
 * messages and, last, these lines:
 *	verification time 14053211 usec
 *	stack depth 320+0
 *	processed 1000001 insns (limit 1000000) max_states_per_insn 41 total_states 83001 peak_states 83001 mark_read 44
 */
#ifndef LTRACK_VERIFIER_LOG_H
#define LTRACK_VERIFIER_LOG_H

#include <stdbool.h>
#include <stddef.h>

#define VLOG_LINE_MAX 160	/* a line of vlog_tail() is cut there */

struct vlog_stats {
	bool have_insns;	/* the "processed N insns" line was found */
	unsigned long insns, limit, max_states_per_insn, total_states, peak_states, mark_read;
	bool have_time;		/* the "verification time" line was found */
	unsigned long time_us;
};

/*
 * vlog_parse - fill @st from the statistics lines of @log (the last ones
 * when a log holds several). Fields not found stay 0. Returns 0, or
 * -ENOENT when neither line is there.
 */
int vlog_parse(const char *log, struct vlog_stats *st);

/*
 * vlog_tail - the last @nlines non-empty lines of @log, oldest first,
 * joined by " | ", each cut to VLOG_LINE_MAX characters; "" for an empty
 * log. Whole lines only: those that do not fit in @outlen are left out,
 * with the ones after them. Reads @log from its end back, never before it.
 */
void vlog_tail(const char *log, unsigned int nlines, char *out, size_t outlen);

/*
 * vlog_reason - a short reason for a refused load: "verifier: too large"
 * (the instruction limit), "verifier: too complex", "verifier: stack too
 * large", else "verifier: " and the last message line of @log, else (no
 * message: the refusal came before the verifier) strerror(@err). Returns
 * true when the reason comes from the log.
 */
bool vlog_reason(const char *log, int err, char *out, size_t outlen);

#endif
