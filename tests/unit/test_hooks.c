// SPDX-License-Identifier: MIT
/*
 * test_hooks.c - the pipeline's per-type subscriptions (src/hooks.c): hooks
 * run in the order they were added, only for their type and phase, with
 * their own state; bad arguments and a full slot are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "hooks.h"

struct trace {
	char log[64];
	size_t n;
};

static void hook_a(void *st, struct event *ev)
{
	struct trace *t = st;

	t->log[t->n++] = 'a';
	ev->hflags |= 1;
}

static void hook_b(void *st, struct event *ev)
{
	struct trace *t = st;

	(void)ev;
	t->log[t->n++] = 'b';
}

static void order_type_and_phase(void **state)
{
	struct hooks *h = calloc(1, sizeof(*h));
	struct event *ev = calloc(1, sizeof(*ev));
	struct trace t1 = { 0 }, t2 = { 0 };

	(void)state;
	assert_non_null(h);
	assert_non_null(ev);
	assert_int_equal(hooks_add(h, HOOK_DECODED, LT_EV_EXEC, hook_b, &t1), 0);
	assert_int_equal(hooks_add(h, HOOK_DECODED, LT_EV_EXEC, hook_a, &t1), 0);
	assert_int_equal(hooks_add(h, HOOK_DONE, LT_EV_EXEC, hook_a, &t2), 0);
	assert_int_equal(hooks_add(h, HOOK_DECODED, LT_EV_EXIT, hook_a, &t2), 0);

	ev->type = LT_EV_EXEC;
	hooks_run(h, HOOK_DECODED, ev);
	assert_string_equal(t1.log, "ba");
	assert_string_equal(t2.log, "");
	assert_int_equal(ev->hflags, 1);
	hooks_run(h, HOOK_DONE, ev);
	assert_string_equal(t2.log, "a");
	ev->type = LT_EV_FORK;		/* nobody subscribed */
	hooks_run(h, HOOK_DECODED, ev);
	hooks_run(h, HOOK_DONE, ev);
	assert_string_equal(t1.log, "ba");
	assert_string_equal(t2.log, "a");
	ev->type = LT_EV_EXIT;
	hooks_run(h, HOOK_DECODED, ev);
	assert_string_equal(t2.log, "aa");
	ev->type = 1000;		/* out of range: nothing, no crash */
	hooks_run(h, HOOK_DECODED, ev);
	free(ev);
	free(h);
}

static void refused(void **state)
{
	struct hooks *h = calloc(1, sizeof(*h));
	struct trace t = { 0 };

	(void)state;
	assert_non_null(h);
	assert_int_equal(hooks_add(h, HOOK_DECODED, LT_EV_MAX, hook_a, &t), -EINVAL);
	assert_int_equal(hooks_add(h, HOOK_NPHASES, LT_EV_EXEC, hook_a, &t), -EINVAL);
	assert_int_equal(hooks_add(h, HOOK_DECODED, LT_EV_EXEC, NULL, &t), -EINVAL);
	for (int i = 0; i < HOOKS_PER_TYPE; i++)
		assert_int_equal(hooks_add(h, HOOK_DECODED, LT_EV_EXEC, hook_a, &t), 0);
	assert_int_equal(hooks_add(h, HOOK_DECODED, LT_EV_EXEC, hook_a, &t), -ENOSPC);
	assert_int_equal(hooks_add(h, HOOK_DONE, LT_EV_EXEC, hook_a, &t), 0);
	free(h);
}

/* a list: in order, stopping at the first refusal */
static void list(void **state)
{
	static const struct hook_sub subs[] = {
		{ HOOK_DECODED, LT_EV_FORK, hook_a },
		{ HOOK_DECODED, LT_EV_FORK, hook_b },
		{ HOOK_DECODED, LT_EV_MAX, hook_b },
		{ HOOK_DECODED, LT_EV_EXIT, hook_b },
	};
	struct hooks *h = calloc(1, sizeof(*h));
	struct event *ev = calloc(1, sizeof(*ev));
	struct trace t = { 0 };

	(void)state;
	assert_non_null(h);
	assert_non_null(ev);
	assert_int_equal(hooks_add_list(h, subs, 2, &t), 0);
	assert_int_equal(hooks_add_list(h, subs + 2, 2, &t), -EINVAL);
	ev->type = LT_EV_FORK;
	hooks_run(h, HOOK_DECODED, ev);
	assert_string_equal(t.log, "ab");
	ev->type = LT_EV_EXIT;		/* after the refusal: not added */
	hooks_run(h, HOOK_DECODED, ev);
	assert_string_equal(t.log, "ab");
	free(ev);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order_type_and_phase),
		cmocka_unit_test(refused),
		cmocka_unit_test(list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
