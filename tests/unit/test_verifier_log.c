// SPDX-License-Identifier: MIT
/*
 * test_verifier_log.c - reading the verifier's log of one program load
 * (src/verifier_log.c) on canned logs as kernels write them: the
 * statistics of BPF_LOG_STATS (a load within the limit, one at the limit,
 * a refusal, a kernel that writes fewer fields), the last lines for a
 * warning, and the short reason of a refusal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "verifier_log.h"

/* 6.18, BPF_LOG_STATS: the instruction limit */
static const char too_large[] =
	"BPF program is too large. Processed 1000001 insn\n"
	"verification time 3698425 usec\n"
	"stack depth 264+16+40+16\n"
	"processed 1000001 insns (limit 1000000) max_states_per_insn 56 total_states 40526 "
	"peak_states 83001 mark_read 0\n";

/* a program that loads */
static const char loaded[] =
	"verification time 478523 usec\n"
	"stack depth 320\n"
	"processed 187320 insns (limit 1000000) max_states_per_insn 12 total_states 12194 "
	"peak_states 7629 mark_read 3\n";

/* 6.1 without bpf_rdonly_cast, at log level 1: instructions, then the message */
static const char refused_l1[] =
	"func#0 @0\n"
	"0: R1=ctx(off=0,imm=0) R10=fp0\n"
	"0: (79) r6 = *(u64 *)(r1 +0)         ; R1=ctx(off=0,imm=0) R6_w=scalar()\n"
	"1: (85) call #0\n"
	"2: (61) r1 = *(u32 *)(r6 +0)\n"
	"R6 invalid mem access 'scalar'\n"
	"verification time 1203 usec\n"
	"stack depth 0+0\n"
	"processed 27 insns (limit 1000000) max_states_per_insn 0 total_states 2 peak_states 2 "
	"mark_read 1\n";

static void parse_at_the_limit(void **state)
{
	struct vlog_stats st;

	(void)state;
	assert_int_equal(vlog_parse(too_large, &st), 0);
	assert_true(st.have_insns);
	assert_int_equal(st.insns, 1000001);
	assert_int_equal(st.limit, 1000000);
	assert_int_equal(st.max_states_per_insn, 56);
	assert_int_equal(st.total_states, 40526);
	assert_int_equal(st.peak_states, 83001);
	assert_int_equal(st.mark_read, 0);
	assert_true(st.have_time);
	assert_int_equal(st.time_us, 3698425);
}

static void parse_loaded_and_refused(void **state)
{
	struct vlog_stats st;

	(void)state;
	assert_int_equal(vlog_parse(loaded, &st), 0);
	assert_int_equal(st.insns, 187320);
	assert_int_equal(st.total_states, 12194);
	assert_int_equal(st.peak_states, 7629);
	assert_int_equal(st.time_us, 478523);
	assert_int_equal(vlog_parse(refused_l1, &st), 0);
	assert_int_equal(st.insns, 27);
	assert_int_equal(st.peak_states, 2);
	assert_int_equal(st.time_us, 1203);
}

static void parse_takes_the_last_and_copes_with_less(void **state)
{
	struct vlog_stats st;

	(void)state;
	/* two loads in one buffer: the last statistics count */
	assert_int_equal(vlog_parse("processed 5 insns (limit 1000000) max_states_per_insn 0 "
				    "total_states 1 peak_states 1 mark_read 0\n"
				    "verification time 7 usec\n"
				    "processed 9 insns (limit 1000000) max_states_per_insn 1 "
				    "total_states 2 peak_states 3 mark_read 4\n", &st), 0);
	assert_int_equal(st.insns, 9);
	assert_int_equal(st.peak_states, 3);
	assert_int_equal(st.time_us, 7);
	/* an older kernel: fewer fields, no time; no trailing newline */
	assert_int_equal(vlog_parse("processed 31 insns (limit 131072)", &st), 0);
	assert_true(st.have_insns);
	assert_int_equal(st.insns, 31);
	assert_int_equal(st.limit, 131072);
	assert_int_equal(st.total_states, 0);
	assert_false(st.have_time);
	/* nothing to read */
	assert_int_equal(vlog_parse("", &st), -ENOENT);
	assert_false(st.have_insns);
	assert_int_equal(vlog_parse("R1 !read_ok\n", &st), -ENOENT);
	/* "processed" inside a message is not the statistics line */
	assert_int_equal(vlog_parse("x processed 3 insns\n", &st), -ENOENT);
}

static void tail_is_the_last_lines_oldest_first(void **state)
{
	char out[1024];

	(void)state;
	vlog_tail(too_large, 2, out, sizeof(out));
	assert_string_equal(out, "stack depth 264+16+40+16 | processed 1000001 insns (limit 1000000) "
				 "max_states_per_insn 56 total_states 40526 peak_states 83001 "
				 "mark_read 0");
	vlog_tail(too_large, 4, out, sizeof(out));
	assert_non_null(strstr(out, "BPF program is too large. Processed 1000001 insn | "
				    "verification time 3698425 usec | "));
	/* more lines asked than there are; blank lines are not lines */
	vlog_tail("\n\na\n  \n\nb", 9, out, sizeof(out));
	assert_string_equal(out, "a | b");
	vlog_tail("", 4, out, sizeof(out));
	assert_string_equal(out, "");
	vlog_tail("\n\n\n", 4, out, sizeof(out));
	assert_string_equal(out, "");
	vlog_tail("only", 0, out, sizeof(out));
	assert_string_equal(out, "");
}

static void tail_is_bounded(void **state)
{
	char big[4096], out[1024], small[16];

	(void)state;
	/* one line longer than VLOG_LINE_MAX is cut */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	vlog_tail(big, 1, out, sizeof(out));
	assert_int_equal(strlen(out), VLOG_LINE_MAX + 3);
	assert_string_equal(out + VLOG_LINE_MAX, "...");
	/* the output buffer bounds it too, at a line */
	vlog_tail("aaaa\nbbbb\ncccc\n", 3, small, sizeof(small));
	assert_string_equal(small, "aaaa | bbbb");
}

static void reason_names_the_refusal(void **state)
{
	char out[96];

	(void)state;
	assert_true(vlog_reason(too_large, 7, out, sizeof(out)));
	assert_string_equal(out, "verifier: too large");
	assert_true(vlog_reason(refused_l1, 13, out, sizeof(out)));
	assert_string_equal(out, "verifier: R6 invalid mem access 'scalar'");
	assert_true(vlog_reason("The sequence of 8193 jumps is too complex.\n"
				"processed 9 insns (limit 1000000)\n", 7, out, sizeof(out)));
	assert_string_equal(out, "verifier: too complex");
	assert_true(vlog_reason("combined stack size of 4 calls is 544. Too large\n", 13, out,
				sizeof(out)));
	assert_string_equal(out, "verifier: stack too large");
	/* the LTRACK_FAULT_CONCERN refusal */
	assert_true(vlog_reason("unreachable insn 584\nverification time 135 usec\n"
				"stack depth 0\nprocessed 0 insns (limit 1000000) "
				"max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n",
				22, out, sizeof(out)));
	assert_string_equal(out, "verifier: unreachable insn 584");
	/* no message: libbpf or the kernel refused it before the verifier ran */
	assert_false(vlog_reason("", ESRCH, out, sizeof(out)));
	assert_string_equal(out, strerror(ESRCH));
	assert_false(vlog_reason("verification time 3 usec\nprocessed 0 insns (limit 1000000)\n",
				 -EPERM, out, sizeof(out)));
	assert_string_equal(out, strerror(EPERM));
}

static void reason_is_bounded(void **state)
{
	char line[600], out[96];

	(void)state;
	memset(line, 'm', sizeof(line) - 2);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	assert_true(vlog_reason(line, 13, out, sizeof(out)));
	assert_int_equal(strlen(out), sizeof(out) - 1);
	assert_memory_equal(out, "verifier: mmmm", 14);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_at_the_limit),
		cmocka_unit_test(parse_loaded_and_refused),
		cmocka_unit_test(parse_takes_the_last_and_copes_with_less),
		cmocka_unit_test(tail_is_the_last_lines_oldest_first),
		cmocka_unit_test(tail_is_bounded),
		cmocka_unit_test(reason_names_the_refusal),
		cmocka_unit_test(reason_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
