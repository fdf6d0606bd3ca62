/* SPDX-License-Identifier: MIT */
/*
 * hooks - what the pipeline does with each event type, beyond decoding and
 * output: the modules that keep state from events (the process table, the
 * model monitor, io_uring summaries, dlopen uprobes, the GPU allow-list,
 * fanotify's exec descriptors) subscribe to the types they handle, once at
 * setup (main.c wires them); the loop runs the hooks of each decoded record
 * in subscription order. The loop itself names no event type.
 *
 * Two phases:
 *   HOOK_DECODED  after decoding, before output: keep state, fill fields,
 *                 or clear LT_HF_REPORT (the event is then not printed)
 *   HOOK_DONE     after the event went to the enrichment stage (printed or
 *                 held): release what the event needed until then
 */
#ifndef LTRACK_HOOKS_H
#define LTRACK_HOOKS_H

#include <stddef.h>
#include <stdint.h>

#include <ltrack/event.h>

struct event;

enum hook_phase { HOOK_DECODED, HOOK_DONE, HOOK_NPHASES };

#define HOOKS_PER_TYPE 4

typedef void (*hook_fn)(void *state, struct event *ev);

struct hooks {
	struct hook {
		hook_fn fn;
		void *state;
	} at[HOOK_NPHASES][LT_EV_MAX][HOOKS_PER_TYPE];
	uint8_t n[HOOK_NPHASES][LT_EV_MAX];
};

/*
 * hooks_add - call @fn(@state, ev) for every event of @type in phase @ph.
 * 0, -EINVAL for a type or phase out of range or no @fn, -ENOSPC past
 * HOOKS_PER_TYPE hooks for one type and phase.
 */
int hooks_add(struct hooks *h, enum hook_phase ph, uint32_t type, hook_fn fn, void *state);

/* one subscription of a module's list (hooks_add_list) */
struct hook_sub {
	enum hook_phase phase;
	uint32_t type;
	hook_fn fn;
};

/* hooks_add_list - hooks_add of each of @n subscriptions with @state: 0 or the first error */
int hooks_add_list(struct hooks *h, const struct hook_sub *subs, size_t n, void *state);

/* hooks_run - the hooks of @ev's type in phase @ph, in the order they were added */
void hooks_run(const struct hooks *h, enum hook_phase ph, struct event *ev);

#endif
