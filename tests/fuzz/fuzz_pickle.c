// SPDX-License-Identifier: MIT
/*
 * fuzz_pickle - scan_pickle (the abstract pickle interpreter) on arbitrary
 * bytes, then the report through its text and JSON writers.
 *
 * Invariants checked: the verdict is the maximum severity of the findings
 * (clean when there are none and nothing was dropped), findings lie inside
 * the input, a hit limit is reported as a finding, the opcode count stays
 * within the limit, strings are NUL-terminated, and the JSON writer
 * accepts the report. Small limits keep each input fast and reach the
 * limit paths often.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/jsonw.h"
#include "scan/report.h"
#include "scan/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what)
{
	fprintf(stderr, "fuzz_pickle: %s\n", what);
	abort();
}

static struct scan_report R;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scan_limits l;
	struct scan_ctx c = { .lim = &l, .r = &R, .member = "m" };
	enum scan_verdict max = SCAN_CLEAN;
	struct jbuf b = JBUF_INIT;
	bool limit_finding = false;
	uint8_t *copy;

	scan_limits_default(&l);
	l.max_opcodes = 20000;
	l.max_stack = 512;
	l.max_memo = 1024;
	l.max_depth = 3;
	l.max_pickles = 8;
	/* an exact-size heap copy, so ASan sees reads past the end */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	scan_report_init(&R);
	scan_pickle(&c, copy, size, 0);
	if (R.nfindings > SCAN_MAX_FINDINGS)
		die("too many findings kept");
	if (R.opcodes > l.max_opcodes)
		die("opcode limit exceeded");
	for (uint32_t i = 0; i < R.nfindings; i++) {
		const struct scan_finding *f = &R.findings[i];

		if (f->severity > max)
			max = f->severity;
		if (f->severity == SCAN_CLEAN)
			die("a finding with severity clean");
		if (!memchr(f->why, 0, sizeof(f->why)) || !memchr(f->global, 0, sizeof(f->global)))
			die("unterminated string");
		if (f->offset > size)
			die("finding offset past the input");
		if (strstr(f->why, "limit"))
			limit_finding = true;
	}
	if (!R.findings_dropped && R.verdict != max)
		die("verdict is not the maximum severity of the findings");
	if (R.findings_dropped && R.verdict < max)
		die("verdict below a finding");
	if (R.incomplete && R.verdict == SCAN_CLEAN)
		die("incomplete scan reported clean");
	if (R.incomplete && !limit_finding && !R.findings_dropped)
		die("incomplete without a limit finding");
	scan_report_json(&b, "p", &R);
	if (b.err)
		die("json writer failed");
	jbuf_reset(&b);
	scan_report_text(&b, "p", &R);
	if (b.err)
		die("text writer failed");
	jbuf_release(&b);
	free(copy);
	return 0;
}
