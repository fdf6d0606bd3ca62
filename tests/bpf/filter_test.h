/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* filter_test.h - the arguments test_filter.c passes to filter_test.bpf.c */
#ifndef LTRACK_FILTER_TEST_H
#define LTRACK_FILTER_TEST_H

struct gm_args {
	char name[LT_NAME_MAX];	/* image basename */
	char comm[16];
	int ilen;
	int clen;
	__u32 ncmds;
	__u32 exec_all;
	int result;		/* out: 1 selected, 0 not */
	int pad;
};

#endif
