/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * filter.bpf.h - in-kernel selection of commands for [exec_monitor].
 *
 * A pattern of watch_commands matches a process when it matches the
 * basename of the executed image or the comm:
 *   - a pattern with glob characters (* ? [...], [!...]) is an fnmatch-style
 *     glob over the whole name;
 *   - a plain pattern matches the name exactly, or followed by a version
 *     suffix that starts with a digit and holds only digits and dots, so
 *     "python" matches python3 and python3.11 but not pythonista.
 * The matcher is one bpf_loop over a flat state machine, so its cost is
 * bounded by LT_CMD_MAX patterns of LT_CMD_LEN bytes.
 */
#ifndef LTRACK_FILTER_BPF_H
#define LTRACK_FILTER_BPF_H

#include "common.bpf.h"

#define GM_MAXSTEPS (1 << 16)

/*
 * The matcher's state lives in the scratch map, not on the stack: values
 * loaded from a map are unknown to the verifier, so it checks the callback
 * once instead of walking every concrete state of the pattern.
 */

static __always_inline void gm_next(struct lt_gm *c)
{
	c->cls = 0;
	c->cls_literal = 0;
	c->p = 0;
	c->n = 0;
	c->star = -1;
	c->mark = 0;
	if (c->which == 0 && c->nlens[1] > 0) {
		c->which = 1;
	} else {
		c->which = 0;
		c->pi++;
	}
}

static long gm_cb(__u32 i, void *arg)
{
	struct lt_scratch *s = scratch_get();
	struct lt_gm *c;
	__u32 key;
	struct lt_cmd *cmd;
	const char *name;
	int nlen, plen;
	char pc, nc;

	if (!s)
		return 1;
	c = &s->gm;
	if (c->pi >= c->ncmds || c->pi >= LT_CMD_MAX)
		return 1;
	key = c->gen * LT_CMD_MAX + c->pi;
	cmd = bpf_map_lookup_elem(&lt_cmds, &key);
	if (!cmd)
		return 1;
	name = c->which ? s->name2 : s->name;
	nlen = c->nlens[c->which & 1];
	plen = cmd->len & (LT_CMD_LEN - 1);
	if (nlen > LT_NAME_MAX - 1)
		nlen = LT_NAME_MAX - 1;

	if (cmd->plain) {
		if (c->p < plen) {
			if (c->n >= nlen || name[c->n & (LT_NAME_MAX - 1)] != cmd->pat[c->p & (LT_CMD_LEN - 1)])
				goto fail;
			c->p++;
			c->n++;
			return 0;
		}
		if (c->n >= nlen)
			goto match;
		nc = name[c->n & (LT_NAME_MAX - 1)];
		if (c->n == plen ? (nc >= '0' && nc <= '9') : ((nc >= '0' && nc <= '9') || nc == '.')) {
			c->n++;
			return 0;
		}
		goto fail;
	}

	if (c->n < nlen) {
		nc = name[c->n & (LT_NAME_MAX - 1)];
		if (c->cls) {
			char a, b;

			if (c->cj >= plen) {
				/* never closed: the '[' was an ordinary character */
				c->cls = 0;
				c->cls_literal = 1;
				return 0;
			}
			a = cmd->pat[c->cj & (LT_CMD_LEN - 1)];
			if (a == ']' && !c->cfirst) {
				c->cls = 0;
				if (c->chit ^ c->cneg) {
					c->p = c->cj + 1;
					c->n++;
					return 0;
				}
				goto backtrack;
			}
			c->cfirst = 0;
			if (c->cj + 2 < plen && cmd->pat[(c->cj + 1) & (LT_CMD_LEN - 1)] == '-' &&
			    cmd->pat[(c->cj + 2) & (LT_CMD_LEN - 1)] != ']') {
				b = cmd->pat[(c->cj + 2) & (LT_CMD_LEN - 1)];
				if (nc >= a && nc <= b)
					c->chit = 1;
				c->cj += 3;
			} else {
				if (nc == a)
					c->chit = 1;
				c->cj++;
			}
			return 0;
		}
		if (c->p < plen) {
			pc = cmd->pat[c->p & (LT_CMD_LEN - 1)];
			if (pc == '*') {
				c->star = c->p;
				c->mark = c->n;
				c->p++;
				return 0;
			}
			if (pc == '[' && !c->cls_literal) {
				/* a class: its members are checked one per step below */
				c->cls = 1;
				c->cj = c->p + 1;
				c->cneg = 0;
				c->chit = 0;
				c->cfirst = 1;
				if (c->cj < plen && (cmd->pat[c->cj & (LT_CMD_LEN - 1)] == '!' ||
						     cmd->pat[c->cj & (LT_CMD_LEN - 1)] == '^')) {
					c->cneg = 1;
					c->cj++;
				}
				return 0;
			}
			c->cls_literal = 0;
			if (pc == '?' || pc == nc) {
				c->p++;
				c->n++;
				return 0;
			}
		}
backtrack:
		if (c->star >= 0) {
			c->p = c->star + 1;
			c->mark++;
			c->n = c->mark;
			return 0;
		}
		goto fail;
	}
	/* name consumed: the rest of the pattern must be stars */
	if (c->p < plen) {
		if (cmd->pat[c->p & (LT_CMD_LEN - 1)] == '*') {
			c->p++;
			return 0;
		}
		goto fail;
	}
match:
	c->matched = 1;
	return 1;
fail:
	gm_next(c);
	return 0;
}

/*
 * cmd_selected - does the image basename in scratch name (length @ilen) or
 * the comm in scratch name2 (length @clen) match a watch_commands pattern
 * of policy generation @gen?
 */
static __always_inline bool cmd_selected(struct lt_policy *pol, __u32 gen, int ilen, int clen)
{
	struct lt_scratch *s = scratch_get();
	struct lt_gm *c;

	if (pol->exec_all)
		return true;
	if (!s)
		return false;
	c = &s->gm;
	c->nlens[0] = ilen;
	c->nlens[1] = clen;
	c->gen = gen;
	c->ncmds = pol->ncmds;
	c->pi = 0;
	c->which = 0;
	c->p = c->n = c->mark = 0;
	c->star = -1;
	c->cls = c->cls_literal = 0;
	c->matched = 0;
	bpf_loop(GM_MAXSTEPS, gm_cb, NULL, 0);
	return c->matched;
}

#endif
