// SPDX-License-Identifier: MIT
/*
 * fuzz_scan - scan_buf on arbitrary bytes, under every name hint the
 * sniffer knows (the first byte picks one): the whole scanner, sniffing
 * and every format parser with their nesting. A report must stay
 * consistent: the verdict is the maximum severity, findings are bounded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = { NULL, "x.pt", "x.onnx", "saved_model.pb", "x.joblib",
				     "x.safetensors", "x.keras", "x.tflite" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scan_report r;
	struct scan_limits lim;
	const char *name = size ? names[data[0] % 8] : NULL;

	scan_limits_default(&lim);
	lim.max_opcodes = 200000;	/* keep one input fast */
	lim.max_member_bytes = 8u << 20;
	scan_report_init(&r);
	scan_buf(data, size, name, &lim, &r);
	enum scan_verdict max = SCAN_CLEAN;
	for (uint32_t k = 0; k < r.nfindings; k++) {
		if (r.findings[k].severity > max)
			max = r.findings[k].severity;
		if (!memchr(r.findings[k].why, 0, sizeof(r.findings[k].why)))
			abort();
	}
	if (r.nfindings > SCAN_MAX_FINDINGS || (r.verdict < max && r.verdict != SCAN_ERROR))
		abort();
	return 0;
}
