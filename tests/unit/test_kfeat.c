// SPDX-License-Identifier: MIT
/*
 * test_kfeat.c - the kernel feature probes (src/kfeat.c) as far as they
 * need no root: tracepoints are found in the running kernel's BTF (and a
 * made-up one is not), LTRACK_KFEAT_OFF turns named features off and
 * marks the result forced, an unknown name is an error that names it, and
 * the variant names follow the features. (That the probes agree with the
 * kernel is e2e's kfeat_probes_match_btf, as root.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kfeat.h"

static void tracepoints_come_from_btf(void **state)
{
	struct kfeat kf;
	char err[256] = "";

	(void)state;
	unsetenv("LTRACK_KFEAT_OFF");
	assert_int_equal(kfeat_probe(&kf, err, sizeof(err)), 0);
	assert_non_null(kf.vmlinux);
	assert_false(kf.forced);
	/* in every kernel ltrack runs on */
	assert_true(kfeat_tp_btf_exists(&kf, "sched_process_exec"));
	assert_true(kfeat_tp_btf_exists(&kf, "sched_process_exit"));
	assert_false(kfeat_tp_btf_exists(&kf, "ltrack_no_such_tracepoint"));
	assert_false(kfeat_tp_btf_exists(&kf, ""));
	kfeat_release(&kf);
	assert_null(kf.vmlinux);
	kfeat_release(&kf);	/* twice: harmless */
}

static void off_list_turns_features_off(void **state)
{
	struct kfeat kf;
	char err[256] = "";

	(void)state;
	setenv("LTRACK_KFEAT_OFF", "rdonly_cast,exit_group_dead,task_from_vpid", 1);
	assert_int_equal(kfeat_probe(&kf, err, sizeof(err)), 0);
	assert_false(kf.rdonly_cast);
	assert_false(kf.exit_group_dead);
	assert_false(kf.task_from_vpid);
	assert_true(kf.forced);
	assert_string_equal(kfeat_reads(&kf), "probe");
	assert_string_equal(kfeat_exit(&kf), "signal_live");
	kfeat_release(&kf);

	setenv("LTRACK_KFEAT_OFF", "exit_group_dead", 1);
	assert_int_equal(kfeat_probe(&kf, err, sizeof(err)), 0);
	assert_false(kf.exit_group_dead);
	assert_true(kf.forced);
	assert_string_equal(kfeat_exit(&kf), "signal_live");
	kfeat_release(&kf);

	/* empty: nothing forced */
	setenv("LTRACK_KFEAT_OFF", "", 1);
	assert_int_equal(kfeat_probe(&kf, err, sizeof(err)), 0);
	assert_false(kf.forced);
	kfeat_release(&kf);
	unsetenv("LTRACK_KFEAT_OFF");
}

static void unknown_feature_is_named(void **state)
{
	struct kfeat kf;
	char err[256] = "";

	(void)state;
	setenv("LTRACK_KFEAT_OFF", "rdonly_cast,warp_drive", 1);
	assert_int_equal(kfeat_probe(&kf, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "LTRACK_KFEAT_OFF: unknown feature 'warp_drive'");
	assert_null(kf.vmlinux);	/* nothing left to release */
	setenv("LTRACK_KFEAT_OFF", ",,", 1);	/* no names at all: fine */
	assert_int_equal(kfeat_probe(&kf, err, sizeof(err)), 0);
	assert_false(kf.forced);
	kfeat_release(&kf);
	unsetenv("LTRACK_KFEAT_OFF");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tracepoints_come_from_btf),
		cmocka_unit_test(off_list_turns_features_off),
		cmocka_unit_test(unknown_feature_is_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
