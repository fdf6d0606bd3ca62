// SPDX-License-Identifier: MIT
/* test_proctree.c - the process table: keys survive PID reuse, size is bounded */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "proctree.h"

static void test_pid_reuse_gives_two_processes(void **state)
{
	struct proctree *t = proctree_new(16);
	struct proc *a, *b;

	(void)state;
	assert_non_null(proctree_put(t, 100, 1000, 1, 10, "/bin/old"));
	assert_non_null(proctree_put(t, 100, 2000, 1, 10, "/bin/new"));
	a = proctree_get(t, 100, 1000);
	b = proctree_get(t, 100, 2000);
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a->exe, "/bin/old");
	assert_string_equal(b->exe, "/bin/new");
	assert_null(proctree_get(t, 100, 3000));
	proctree_free(t);
}

static void test_update_keeps_exe_when_none_given(void **state)
{
	struct proctree *t = proctree_new(16);
	struct proc *p;

	(void)state;
	proctree_put(t, 5, 50, 1, 10, "/usr/bin/bash");
	p = proctree_put(t, 5, 50, 2, 20, NULL);
	assert_string_equal(p->exe, "/usr/bin/bash");
	assert_int_equal(p->ppid, 2);
	assert_int_equal(p->parent_start_ns, 20);
	proctree_free(t);
}

static void test_bounded_and_evicts_exited_first(void **state)
{
	struct proctree *t = proctree_new(4);
	struct proctree_stats st;

	(void)state;
	for (uint32_t i = 1; i <= 4; i++)
		proctree_put(t, i, i, 1, 1, "/x");
	proctree_exit(t, 3, 3, 100);
	proctree_get(t, 1, 1);	/* 2 is now the least recently used live entry */
	proctree_put(t, 9, 9, 1, 1, "/y");
	proctree_get_stats(t, &st);
	assert_int_equal(st.entries, 4);
	assert_int_equal(st.evicted, 1);
	assert_null(proctree_get(t, 3, 3));	/* the exited one went first */
	assert_non_null(proctree_get(t, 2, 2));
	for (uint32_t i = 10; i < 1000; i++)
		proctree_put(t, i, i, 1, 1, "/z");
	proctree_get_stats(t, &st);
	assert_int_equal(st.entries, 4);
	proctree_free(t);
}

static void test_expire_after_grace(void **state)
{
	struct proctree *t = proctree_new(8);
	struct proctree_stats st;

	(void)state;
	proctree_put(t, 1, 1, 0, 0, "/a");
	proctree_put(t, 2, 2, 0, 0, "/b");
	proctree_exit(t, 1, 1, 1000);
	proctree_expire(t, 1500, 1000);	/* within the grace */
	assert_non_null(proctree_get(t, 1, 1));
	proctree_expire(t, 2001, 1000);
	assert_null(proctree_get(t, 1, 1));
	assert_non_null(proctree_get(t, 2, 2));
	proctree_get_stats(t, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.evicted, 0);
	proctree_free(t);
	proctree_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pid_reuse_gives_two_processes),
		cmocka_unit_test(test_update_keeps_exe_when_none_given),
		cmocka_unit_test(test_bounded_and_evicts_exited_first),
		cmocka_unit_test(test_expire_after_grace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
