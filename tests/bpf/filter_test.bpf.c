// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * filter_test.bpf.c - drives the in-kernel command matcher (filter.bpf.h)
 * through BPF_PROG_TEST_RUN, so the exact code the exec hook runs is tested
 * with chosen names and patterns.
 */
#include "common.bpf.h"
#include "filter.bpf.h"

#include "filter_test.h"

struct gm_args args;

SEC("syscall")
int test_cmd_selected(void *ctx)
{
	struct lt_scratch *s = scratch_get();
	struct lt_policy pol = {};

	if (!s)
		return 1;
	__builtin_memcpy(s->name, args.name, sizeof(args.name));
	__builtin_memcpy(s->name2, args.comm, sizeof(args.comm));
	pol.ncmds = args.ncmds;
	pol.exec_all = args.exec_all;
	args.result = cmd_selected(&pol, 0, args.ilen, args.clen);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
