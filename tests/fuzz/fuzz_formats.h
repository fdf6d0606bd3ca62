/* SPDX-License-Identifier: MIT */
/*
 * fuzz_formats.h - the body shared by the per-parser harnesses: run one
 * parser (scan_format with a fixed format) on the input, with small limits,
 * and check the report's invariants.
 */
#ifndef FUZZ_FORMATS_H
#define FUZZ_FORMATS_H

#include <stdint.h>
#include <stdlib.h>

#include "scan/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_one_format(enum model_format f, const uint8_t *data, size_t size)
{
	static struct scan_report r;
	struct scan_limits lim;
	struct scan_ctx c = { .lim = &lim, .r = &r, .member = "" };

	scan_limits_default(&lim);
	lim.max_opcodes = 200000;
	lim.max_member_bytes = 8u << 20;
	scan_report_init(&r);
	r.format = f;
	scan_format(&c, f, data, size);
	if (r.nfindings > SCAN_MAX_FINDINGS || c.depth != 0 || c.inflated > lim.max_member_bytes)
		abort();
}

#endif
