// SPDX-License-Identifier: MIT
/*
 * test_loader.c - the loader's program tables against the BPF object
 * (opened, not loaded: no root needed): every program of the object
 * belongs to exactly one concern, so a refused program always has a
 * concern to turn off, and a new program without one is caught here
 * before the agent refuses to start.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "concern.h"
#include "loader.h"
#include "ltrack.skel.h"

static void every_program_has_a_concern(void **state)
{
	struct ltrack_bpf *sk = ltrack_bpf__open();
	struct bpf_program *p;
	int per[LT_NCONCERNS] = { 0 }, n = 0;

	(void)state;
	assert_non_null(sk);
	bpf_object__for_each_program(p, sk->obj) {
		const char *name = bpf_program__name(p);
		int c = loader_prog_concern(name);

		if (c < 0)
			fail_msg("BPF program %s belongs to no concern", name);
		assert_true(c < LT_NCONCERNS);
		per[c]++;
		n++;
	}
	ltrack_bpf__destroy(sk);
	assert_true(n > 100);
	/* every concern but gpu (it rides on file-open) has programs */
	for (int c = 0; c < LT_NCONCERNS; c++) {
		if (c == LT_C_GPU)
			assert_int_equal(per[c], 0);
		else if (!per[c])
			fail_msg("concern %s has no program", concern_defs[c].name);
	}
	assert_int_equal(per[LT_C_PROCESS], 3);
	assert_int_equal(per[LT_C_SNAPSHOT], 1);
	assert_int_equal(per[LT_C_LIB_DLOPEN], 2);
}

static void known_programs(void **state)
{
	(void)state;
	assert_int_equal(loader_prog_concern("lt_exec"), LT_C_PROCESS);
	assert_int_equal(loader_prog_concern("lt_snapshot"), LT_C_SNAPSHOT);
	/* the four that hit the verifier's limit on some builds go off together */
	assert_int_equal(loader_prog_concern("lt_exit_modify"), LT_C_FILE_MODIFY);
	assert_int_equal(loader_prog_concern("lt_enter_close_range"), LT_C_FILE_MODIFY);
	assert_int_equal(loader_prog_concern("lt_enter_execve"), LT_C_FILE_MODIFY);
	assert_int_equal(loader_prog_concern("lt_enter_execveat"), LT_C_FILE_MODIFY);
	assert_int_equal(loader_prog_concern("lt_open_exit"), LT_C_FILE_OPEN);
	assert_int_equal(loader_prog_concern("lt_file_exit"), LT_C_FILE);
	assert_int_equal(loader_prog_concern("lt_evade_dup2"), LT_C_EVADE_FD_REDIRECT);
	assert_int_equal(loader_prog_concern("lt_mem_exit_setuid"), LT_C_MEM_CREDENTIALS);
	assert_int_equal(loader_prog_concern("lt_mem_finit_module"), LT_C_MEM_MODULES);
	assert_int_equal(loader_prog_concern("lt_dlopen_exit"), LT_C_LIB_DLOPEN);
	assert_int_equal(loader_prog_concern("lt_tcp_state"), LT_C_NET);
	assert_int_equal(loader_prog_concern("lt_model_splice"), LT_C_MODEL);
	assert_int_equal(loader_prog_concern("lt_no_such_program"), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_program_has_a_concern),
		cmocka_unit_test(known_programs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
