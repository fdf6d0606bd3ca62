// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * self_test.bpf.c - runs is_self (common.bpf.h), the agent's exclusion of
 * itself and of its scan zygote and workers, on the task that calls
 * BPF_PROG_TEST_RUN.
 */
#include "common.bpf.h"

int self = -1;

SEC("syscall")
int test_is_self(void *ctx)
{
	self = is_self();
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
