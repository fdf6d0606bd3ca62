// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cgv1_test.bpf.c - runs cg_v1_fill (common.bpf.h), the cgroup v1 ids an
 * exec records, on the task that calls BPF_PROG_TEST_RUN, so its answer
 * can be compared with that task's /proc/self/cgroup.
 */
#include "common.bpf.h"

__u64 ids[LT_CG_V1_N];

SEC("syscall")
int test_cg_v1_fill(void *ctx)
{
	cg_v1_fill(ids, (struct task_struct *)bpf_get_current_task());
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
