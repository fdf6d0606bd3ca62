// SPDX-License-Identifier: MIT
/*
 * test_verify_cmd.c - `ltrack verify`'s report (src/verify_cmd.c) on
 * canned results: sorted by processed instructions with the absent
 * programs last, each status (ok, OVER BUDGET, refused with its reason,
 * absent with its missing hook), the exit status (absent programs are not
 * failures; over budget and refused are), and the JSON form.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "concern.h"
#include "verify_cmd.h"

static struct loader_verify row(const char *name, int concern, int status, unsigned long insns)
{
	struct loader_verify v = { .concern = concern, .status = status };

	snprintf(v.program, sizeof(v.program), "%s", name);
	v.st.have_insns = status != LOADER_V_ABSENT;
	v.st.insns = insns;
	v.st.total_states = insns / 10;
	v.st.peak_states = insns / 20;
	v.st.time_us = insns / 2;
	return v;
}

/* verify_report into a string; returns the exit status */
static int report(struct loader_verify *rows, size_t n, unsigned long budget, bool json,
		  char **text)
{
	size_t len;
	FILE *f = open_memstream(text, &len);
	int rc;

	assert_non_null(f);
	rc = verify_report(rows, n, budget, json, "6.18.44", f);
	fclose(f);
	return rc;
}

static void table_sorted_absent_last(void **state)
{
	struct loader_verify rows[4];
	char *t = NULL;
	const char *a, *b, *c, *d;

	(void)state;
	rows[0] = row("lt_mem_init_module", LT_C_MEM_MODULES, LOADER_V_ABSENT, 0);
	snprintf(rows[0].reason, sizeof(rows[0].reason),
		 "this kernel has no tracepoint syscalls/sys_exit_init_module");
	rows[1] = row("lt_exec", LT_C_PROCESS, LOADER_V_OK, 8749);
	rows[2] = row("lt_exit_openat", LT_C_FILE_OPEN, LOADER_V_OK, 187311);
	rows[3] = row("lt_fork", LT_C_PROCESS, LOADER_V_OK, 1959);
	assert_int_equal(report(rows, 4, 200000, false, &t), 0);	/* absent: not a failure */
	a = strstr(t, "\nlt_exit_openat ");
	b = strstr(t, "\nlt_exec ");
	c = strstr(t, "\nlt_fork ");
	d = strstr(t, "\nlt_mem_init_module ");
	assert_true(a && b && c && d);
	assert_true(a < b && b < c && c < d);
	assert_memory_equal(t, "PROGRAM ", 8);
	assert_non_null(strstr(t, "\nlt_exit_openat               file-open            187311    "
				  "18731     9365      93.7  ok\n"));
	assert_non_null(strstr(t, "absent: this kernel has no tracepoint "
				  "syscalls/sys_exit_init_module\n"));
	assert_non_null(strstr(t, "4 programs on Linux 6.18.44: 3 ok, 0 over budget, 0 refused, "
				  "1 absent; budget 200000"));
	free(t);
}

static void over_budget_and_refused_fail(void **state)
{
	struct loader_verify rows[3];
	char *t = NULL;

	(void)state;
	rows[0] = row("lt_exit_openat", LT_C_FILE_OPEN, LOADER_V_OK, 187311);
	rows[1] = row("lt_exit_modify", LT_C_FILE_MODIFY, LOADER_V_REFUSED, 1000001);
	rows[1].err = E2BIG;
	snprintf(rows[1].reason, sizeof(rows[1].reason), "verifier: too large");
	snprintf(rows[1].tail, sizeof(rows[1].tail), "BPF program is too large. Processed "
		 "1000001 insn | processed 1000001 insns (limit 1000000)");
	rows[2] = row("lt_exec", LT_C_PROCESS, LOADER_V_OK, 8749);
	/* the budget is a parameter: 100000 puts the open programs over it */
	assert_int_equal(report(rows, 1, 100000, false, &t), 1);
	assert_non_null(strstr(t, "  OVER BUDGET (1.9x)\n"));
	assert_non_null(strstr(t, "0 ok, 1 over budget"));
	free(t);
	t = NULL;
	assert_int_equal(report(rows, 3, 200000, false, &t), 1);
	assert_non_null(strstr(t, "\nlt_exit_modify               file-modify         1000001   "
				  "100000    50000     500.0  refused: verifier: too large "
				  "(Argument list too long)\n"));
	assert_true(strstr(t, "\nlt_exit_modify") < strstr(t, "\nlt_exit_openat"));
	assert_non_null(strstr(t, "2 ok, 0 over budget, 1 refused, 0 absent"));
	free(t);
}

static void json_form(void **state)
{
	struct loader_verify rows[3];
	char *t = NULL;

	(void)state;
	rows[0] = row("lt_exit_modify", LT_C_FILE_MODIFY, LOADER_V_REFUSED, 1000001);
	rows[0].err = E2BIG;
	snprintf(rows[0].reason, sizeof(rows[0].reason), "verifier: too large");
	snprintf(rows[0].tail, sizeof(rows[0].tail), "BPF program is too large.");
	rows[1] = row("lt_mem_init_module", LT_C_MEM_MODULES, LOADER_V_ABSENT, 0);
	snprintf(rows[1].reason, sizeof(rows[1].reason), "no tracepoint");
	rows[2] = row("lt_exec", LT_C_PROCESS, LOADER_V_OK, 300000);
	assert_int_equal(report(rows, 3, 200000, true, &t), 1);
	assert_string_equal(t, "{\"kernel\":\"6.18.44\",\"budget\":200000,\"programs\":["
			    "{\"program\":\"lt_exit_modify\",\"concern\":\"file-modify\",\"status\":"
			    "\"refused\",\"insns\":1000001,\"max_states_per_insn\":0,"
			    "\"total_states\":100000,\"peak_states\":50000,\"time_us\":500000,"
			    "\"reason\":\"verifier: too large\",\"errno\":\"E2BIG\",\"tail\":"
			    "\"BPF program is too large.\"},"
			    "{\"program\":\"lt_exec\",\"concern\":\"process\",\"status\":"
			    "\"over_budget\",\"insns\":300000,\"max_states_per_insn\":0,"
			    "\"total_states\":30000,\"peak_states\":15000,\"time_us\":150000},"
			    "{\"program\":\"lt_mem_init_module\",\"concern\":\"mem.modules\","
			    "\"status\":\"absent\",\"reason\":\"no tracepoint\"}],"
			    "\"summary\":{\"ok\":0,\"over_budget\":1,\"refused\":1,\"absent\":1}}\n");
	free(t);
}

static void nothing_is_ok(void **state)
{
	char *t = NULL;

	(void)state;
	assert_int_equal(report(NULL, 0, 200000, false, &t), 0);
	assert_non_null(strstr(t, "0 programs on Linux 6.18.44"));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_sorted_absent_last),
		cmocka_unit_test(over_budget_and_refused_fail),
		cmocka_unit_test(json_form),
		cmocka_unit_test(nothing_is_ok),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
