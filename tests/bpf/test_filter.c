// SPDX-License-Identifier: MIT
/*
 * test_filter.c - the [exec_monitor] watch_commands matcher, run in the
 * kernel by BPF_PROG_TEST_RUN (needs root). Pins down the documented rule:
 * globs match the whole name; a plain name also matches a version suffix.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <ltrack/event.h>
#include "filter_test.h"

#include "filter_test.skel.h"

static struct filter_test_bpf *skel;

static int setup(void **state)
{
	(void)state;
	skel = filter_test_bpf__open_and_load();
	return skel ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	filter_test_bpf__destroy(skel);
	return 0;
}

/* does @img (image basename) or @comm match one of @pats? */
static int sel(const char *img, const char *comm, const char **pats, int n)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int fd = bpf_map__fd(skel->maps.lt_cmds);

	for (int i = 0; i < n; i++) {
		struct lt_cmd c = {};
		uint32_t key = i;

		strncpy(c.pat, pats[i], sizeof(c.pat) - 1);
		c.len = strlen(c.pat);
		c.plain = strpbrk(c.pat, "*?[") == NULL;
		assert_int_equal(bpf_map_update_elem(fd, &key, &c, BPF_ANY), 0);
	}
	memset(&skel->bss->args, 0, sizeof(skel->bss->args));
	strncpy(skel->bss->args.name, img, sizeof(skel->bss->args.name) - 1);
	strncpy(skel->bss->args.comm, comm, sizeof(skel->bss->args.comm) - 1);
	skel->bss->args.ilen = strlen(img);
	skel->bss->args.clen = strlen(comm);
	skel->bss->args.ncmds = n;
	skel->bss->args.result = -1;
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.test_cmd_selected),
						&opts), 0);
	assert_int_equal(opts.retval, 0);
	return skel->bss->args.result;
}

#define SEL(img, comm, ...)                                                   \
	({                                                                    \
		const char *p_[] = { __VA_ARGS__ };                           \
		sel(img, comm, p_, sizeof(p_) / sizeof(p_[0]));               \
	})

static void test_plain_name_matches_version_suffix(void **state)
{
	(void)state;
	assert_true(SEL("python3", "x", "python"));
	assert_true(SEL("python3.11", "x", "python"));
	assert_true(SEL("python", "x", "python"));
	assert_false(SEL("pythonista", "x", "python"));
	assert_false(SEL("python.3", "x", "python"));	/* the suffix starts with a digit */
	assert_false(SEL("pytho", "x", "python"));
	assert_false(SEL("python3-config", "x", "python"));
}

static void test_comm_or_image_either_matches(void **state)
{
	(void)state;
	assert_true(SEL("python3.11", "myscript", "myscript"));
	assert_true(SEL("dash", "bash", "bash"));
	assert_false(SEL("dash", "sh", "bash"));
}

static void test_globs_match_the_whole_name(void **state)
{
	(void)state;
	assert_true(SEL("sleep", "x", "sl*"));
	assert_true(SEL("sleep", "x", "sle?p"));
	assert_true(SEL("sleep", "x", "*ee*"));
	assert_false(SEL("sleep", "x", "le*"));
	assert_false(SEL("sleep", "x", "sle?"));
	assert_true(SEL("bash", "x", "[bc]ash"));
	assert_true(SEL("cash", "x", "[a-c]ash"));
	assert_false(SEL("dash", "x", "[bc]ash"));
	assert_true(SEL("dash", "x", "[!bc]ash"));
	assert_true(SEL("a*b", "x", "a[*]b"));
	assert_true(SEL("x[y", "x", "x[y"));	/* an unclosed '[' is literal */
	assert_true(SEL("python3.11", "x", "py*.1?"));
}

static void test_any_pattern_of_the_list(void **state)
{
	(void)state;
	assert_true(SEL("nginx", "x", "bash", "python", "nginx"));
	assert_false(SEL("curl", "x", "bash", "python", "nginx"));
	assert_false(SEL("curl", "x"));	/* an empty list with exec_all off selects nothing */
}

static void test_exec_all_selects_everything(void **state)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	(void)state;
	memset(&skel->bss->args, 0, sizeof(skel->bss->args));
	skel->bss->args.exec_all = 1;
	skel->bss->args.result = -1;
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.test_cmd_selected),
						&opts), 0);
	assert_int_equal(skel->bss->args.result, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_name_matches_version_suffix),
		cmocka_unit_test(test_comm_or_image_either_matches),
		cmocka_unit_test(test_globs_match_the_whole_name),
		cmocka_unit_test(test_any_pattern_of_the_list),
		cmocka_unit_test(test_exec_all_selects_everything),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
