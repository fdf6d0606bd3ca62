// SPDX-License-Identifier: MIT
/*
 * hooks.c - per-type subscriptions of the pipeline (see hooks.h).
 */
#include "hooks.h"

#include <errno.h>

#include "events.h"

int hooks_add(struct hooks *h, enum hook_phase ph, uint32_t type, hook_fn fn, void *state)
{
	if ((unsigned)ph >= HOOK_NPHASES || type >= LT_EV_MAX || !fn)
		return -EINVAL;
	if (h->n[ph][type] >= HOOKS_PER_TYPE)
		return -ENOSPC;
	h->at[ph][type][h->n[ph][type]++] = (struct hook){ fn, state };
	return 0;
}

int hooks_add_list(struct hooks *h, const struct hook_sub *subs, size_t n, void *state)
{
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++)
		rc = hooks_add(h, subs[i].phase, subs[i].type, subs[i].fn, state);
	return rc;
}

void hooks_run(const struct hooks *h, enum hook_phase ph, struct event *ev)
{
	if (ev->type >= LT_EV_MAX)
		return;
	for (uint8_t i = 0; i < h->n[ph][ev->type]; i++)
		h->at[ph][ev->type][i].fn(h->at[ph][ev->type][i].state, ev);
}
