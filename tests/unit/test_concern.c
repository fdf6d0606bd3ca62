// SPDX-License-Identifier: MIT
/*
 * test_concern.c - the concern table (src/concern.c): every concern is
 * named once and needs only a concern that exists, names are found back,
 * a concern off stays off with its first reason, a concern that needs an
 * off one goes off too, the startup summary, and how the stats event
 * carries the concerns in JSON and text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "concern.h"
#include "events.h"
#include "output/format.h"

static void table_is_consistent(void **state)
{
	int essential = 0;

	(void)state;
	for (int i = 0; i < LT_NCONCERNS; i++) {
		assert_non_null(concern_defs[i].name);
		assert_non_null(concern_defs[i].what);
		assert_true(strlen(concern_defs[i].name) < 24);	/* fits the logs' columns */
		assert_int_equal(concern_by_name(concern_defs[i].name), i);
		assert_true(concern_defs[i].needs >= -1 && concern_defs[i].needs < LT_NCONCERNS);
		assert_int_not_equal(concern_defs[i].needs, i);
		essential += concern_defs[i].essential;
	}
	/* the process table is what every event needs: the one essential concern */
	assert_int_equal(essential, 1);
	assert_true(concern_defs[LT_C_PROCESS].essential);
	assert_string_equal(concern_defs[LT_C_FILE_MODIFY].name, "file-modify");
	assert_int_equal(concern_defs[LT_C_GPU].needs, LT_C_FILE_OPEN);
	assert_int_equal(concern_defs[LT_C_FILE_OPEN].needs, LT_C_FILE);
	assert_int_equal(concern_defs[LT_C_FILE_MODIFY].needs, LT_C_FILE);
	assert_int_equal(concern_by_name("nope"), -ENOENT);
	assert_int_equal(concern_by_name(""), -ENOENT);
	assert_int_equal(concern_by_name("NET"), -ENOENT);
}

static void names_are_listed_bounded(void **state)
{
	char all[1024], small[12];

	(void)state;
	concern_names(all, sizeof(all));
	assert_memory_equal(all, "process, snapshot, file, file-open, file-modify, ", 49);
	assert_non_null(strstr(all, ", net, model, gpu"));
	concern_names(small, sizeof(small));
	assert_string_equal(small, "process, sn");
}

static void off_keeps_the_first_reason(void **state)
{
	struct concern_state cs[LT_NCONCERNS];

	(void)state;
	concern_init(cs);
	for (int i = 0; i < LT_NCONCERNS; i++) {
		assert_false(cs[i].off);
		assert_string_equal(cs[i].variant, "default");
	}
	concern_set_off(cs, LT_C_NET, "verifier: R7 !read_ok", "lt_exit_connect", 13);
	concern_set_off(cs, LT_C_NET, "later", "lt_exit_bind", 7);
	assert_true(cs[LT_C_NET].off);
	assert_string_equal(cs[LT_C_NET].reason, "verifier: R7 !read_ok");
	assert_string_equal(cs[LT_C_NET].program, "lt_exit_connect");
	assert_int_equal(cs[LT_C_NET].err, 13);
	/* out of range: ignored */
	concern_set_off(cs, -1, "x", NULL, 0);
	concern_set_off(cs, LT_NCONCERNS, "x", NULL, 0);
}

static void needs_propagate(void **state)
{
	struct concern_state cs[LT_NCONCERNS];

	(void)state;
	concern_init(cs);
	assert_int_equal(concern_propagate(cs), 0);
	assert_false(cs[LT_C_GPU].off);
	concern_set_off(cs, LT_C_FILE_OPEN, "verifier: too large", "lt_exit_openat", 7);
	assert_int_equal(concern_propagate(cs), 1);
	assert_true(cs[LT_C_GPU].off);
	assert_string_equal(cs[LT_C_GPU].reason, "needs file-open");
	assert_string_equal(cs[LT_C_GPU].program, "");
	assert_int_equal(cs[LT_C_GPU].err, 0);
	assert_int_equal(concern_propagate(cs), 0);	/* settled */
	/* a chain: without file's rename programs, the watched paths of opens could be stale */
	concern_init(cs);
	concern_set_off(cs, LT_C_FILE, "verifier: too complex", "lt_exit_rename", 7);
	assert_int_equal(concern_propagate(cs), 3);
	assert_string_equal(cs[LT_C_FILE_OPEN].reason, "needs file");
	assert_string_equal(cs[LT_C_FILE_MODIFY].reason, "needs file");
	assert_true(cs[LT_C_GPU].off);
	assert_false(cs[LT_C_MODEL].off);
	assert_false(cs[LT_C_PROCESS].off);
}

static void summary_groups_variants(void **state)
{
	struct concern_state cs[LT_NCONCERNS];
	char line[4096], small[32];

	(void)state;
	concern_init(cs);
	concern_summary(cs, line, sizeof(line));
	assert_memory_equal(line, "on (default): process snapshot file file-open file-modify ", 58);
	assert_null(strstr(line, "off"));
	snprintf(cs[LT_C_PROCESS].variant, sizeof(cs[0].variant), "v61");
	snprintf(cs[LT_C_MODEL].variant, sizeof(cs[0].variant), "v61");
	concern_set_off(cs, LT_C_FILE_MODIFY, "verifier: too large", "lt_exit_modify", 7);
	concern_set_off(cs, LT_C_MEM_MODULES, "absent on this kernel", NULL, 0);
	concern_summary(cs, line, sizeof(line));
	assert_memory_equal(line, "on (v61): process model; on (default): snapshot file file-open "
			    "evade.timestomp ", 79);
	assert_non_null(strstr(line, " net gpu; off: file-modify (verifier: too large), mem.modules "
				     "(absent on this kernel)"));
	assert_int_equal(line[strlen(line) - 1], ')');
	concern_summary(cs, small, sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

static void stats_carry_the_concerns(void **state)
{
	struct concern_state cs[LT_NCONCERNS];
	struct fmt_ctx c = { .hostname = "h", .boot_id = "b" };
	struct ev_stats st = { .concerns = cs };
	static struct event ev;
	struct jbuf b;

	(void)state;
	concern_init(cs);
	concern_set_off(cs, LT_C_NET, "verifier: unreachable insn 584", "lt_tcp_state", EINVAL);
	concern_set_off(cs, LT_C_FILE_OPEN, "verifier: too large", "lt_exit_openat", E2BIG);
	concern_propagate(cs);
	memset(&ev, 0, sizeof(ev));
	ev.type = LT_EV_STATS;
	ev.name = "stats";
	ev.comm[0] = 'x';
	ev.stats = &st;
	jbuf_init(&b);
	assert_int_equal(format_json(&b, &ev, &c), 0);
	jbuf_putc(&b, '\0');
	assert_non_null(strstr(b.buf, "\"concerns\":[{\"name\":\"process\",\"state\":\"on\","
				      "\"variant\":\"default\"},{\"name\":\"snapshot\","));
	assert_non_null(strstr(b.buf, "{\"name\":\"file-open\",\"state\":\"off\",\"variant\":"
				      "\"default\",\"reason\":\"verifier: too large\",\"program\":"
				      "\"lt_exit_openat\",\"errno\":\"E2BIG\"}"));
	assert_non_null(strstr(b.buf, "{\"name\":\"net\",\"state\":\"off\",\"variant\":\"default\","
				      "\"reason\":\"verifier: unreachable insn 584\",\"program\":"
				      "\"lt_tcp_state\",\"errno\":\"EINVAL\"}"));
	/* off because of another: no program, no errno */
	assert_non_null(strstr(b.buf, "{\"name\":\"gpu\",\"state\":\"off\",\"variant\":\"default\","
				      "\"reason\":\"needs file-open\"}]"));
	jbuf_reset(&b);
	assert_int_equal(format_text(&b, &ev, &c), 0);
	jbuf_putc(&b, '\0');
	assert_non_null(strstr(b.buf, ", off=[file-open \"verifier: too large\", net \"verifier: "
				      "unreachable insn 584\", gpu \"needs file-open\"])\n"));
	/* every concern on: nothing added to the text line, all listed in JSON */
	concern_init(cs);
	jbuf_reset(&b);
	assert_int_equal(format_text(&b, &ev, &c), 0);
	jbuf_putc(&b, '\0');
	assert_null(strstr(b.buf, "off="));
	jbuf_reset(&b);
	assert_int_equal(format_json(&b, &ev, &c), 0);
	jbuf_putc(&b, '\0');
	assert_null(strstr(b.buf, "\"state\":\"off\""));
	assert_non_null(strstr(b.buf, "{\"name\":\"gpu\",\"state\":\"on\",\"variant\":\"default\"}]"));
	/* no concerns known (a stats event made before the loader): an empty list */
	st.concerns = NULL;
	jbuf_reset(&b);
	assert_int_equal(format_json(&b, &ev, &c), 0);
	jbuf_putc(&b, '\0');
	assert_non_null(strstr(b.buf, "\"concerns\":[]"));
	jbuf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_is_consistent),
		cmocka_unit_test(names_are_listed_bounded),
		cmocka_unit_test(off_keeps_the_first_reason),
		cmocka_unit_test(needs_propagate),
		cmocka_unit_test(summary_groups_variants),
		cmocka_unit_test(stats_carry_the_concerns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
