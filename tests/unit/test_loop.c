// SPDX-License-Identifier: MIT
/*
 * test_loop.c - the event loop (src/loop.c): a ready descriptor's handler
 * runs before the turn's work; the turn's work and the periodic work run in
 * the order added, periodic work on the first turn too; loop_stop and the
 * stop flag end it; bad arguments and full tables are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"

struct trace {
	struct loop *l;
	int fd;
	char log[64];
	size_t n;
	int turns;
	bool flag;
};

static void put(struct trace *t, char c)
{
	if (t->n + 1 < sizeof(t->log))
		t->log[t->n++] = c;
}

static void on_fd(void *ctx, uint32_t events)
{
	struct trace *t = ctx;
	char c;

	assert_true(events & EPOLLIN);
	assert_int_equal(read(t->fd, &c, 1), 1);
	put(t, c);
}

static bool turn_a(void *ctx, uint64_t now)
{
	(void)now;
	put(ctx, 'a');
	return false;
}

static bool every_b(void *ctx, uint64_t now)
{
	(void)now;
	put(ctx, 'b');
	return false;
}

/* the last of a turn: stops after @turns turns */
static bool turn_end(void *ctx, uint64_t now)
{
	struct trace *t = ctx;

	(void)now;
	put(t, '|');
	if (--t->turns <= 0)
		loop_stop(t->l);
	return false;
}

static bool turn_flag(void *ctx, uint64_t now)
{
	struct trace *t = ctx;

	(void)now;
	put(t, 'f');
	t->flag = true;
	return false;
}

static void order_of_a_turn(void **state)
{
	struct trace t = { 0 };
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	t.l = loop_new();
	assert_non_null(t.l);
	t.fd = p[0];
	t.turns = 2;
	assert_int_equal(loop_add_fd(t.l, p[0], EPOLLIN, on_fd, &t), 0);
	assert_int_equal(loop_each_turn(t.l, turn_a, &t), 0);
	assert_int_equal(loop_every(t.l, 3600 * 1000, every_b, &t), 0);	/* once: the first turn */
	assert_int_equal(loop_each_turn(t.l, turn_end, &t), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(loop_run(t.l, NULL), 0);
	/* turn 1: the descriptor, a, the periodic b (due at once), end; turn 2: a, end */
	assert_string_equal(t.log, "xab|a|");
	loop_free(t.l);
	close(p[0]);
	close(p[1]);
}

static void stop_flag(void **state)
{
	struct trace t = { 0 };

	(void)state;
	t.l = loop_new();
	assert_non_null(t.l);
	assert_int_equal(loop_each_turn(t.l, turn_flag, &t), 0);
	assert_int_equal(loop_run(t.l, &t.flag), 0);
	assert_string_equal(t.log, "f");
	loop_free(t.l);
}

static void refused(void **state)
{
	struct loop *l = loop_new();
	struct trace t = { 0 };
	int p[2], d[LOOP_MAX_FDS];

	(void)state;
	assert_non_null(l);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(loop_add_fd(l, -1, EPOLLIN, on_fd, &t), -EINVAL);
	assert_int_equal(loop_add_fd(l, p[0], EPOLLIN, NULL, &t), -EINVAL);
	assert_int_equal(loop_add_fd(l, 12345, EPOLLIN, on_fd, &t), -EBADF);
	assert_int_equal(loop_every(l, 0, every_b, &t), -EINVAL);
	assert_int_equal(loop_each_turn(l, NULL, &t), -EINVAL);
	for (int i = 0; i < LOOP_MAX_CALLS; i++)
		assert_int_equal(loop_each_turn(l, turn_a, &t), 0);
	assert_int_equal(loop_every(l, 10, every_b, &t), -ENOSPC);
	for (int i = 0; i < LOOP_MAX_FDS; i++) {
		d[i] = dup(p[0]);
		assert_true(d[i] >= 0);
		assert_int_equal(loop_add_fd(l, d[i], EPOLLIN, on_fd, &t), 0);
	}
	assert_int_equal(loop_add_fd(l, p[1], EPOLLOUT, on_fd, &t), -ENOSPC);
	loop_free(l);
	for (int i = 0; i < LOOP_MAX_FDS; i++)
		close(d[i]);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order_of_a_turn),
		cmocka_unit_test(stop_flag),
		cmocka_unit_test(refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
