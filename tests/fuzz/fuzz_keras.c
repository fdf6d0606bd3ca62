// SPDX-License-Identifier: MIT
/*
 * fuzz_keras - the JSON tokenizer and the Keras config walk on arbitrary
 * bytes; then the same bytes as an HDF5 image, where the walk runs on every
 * '{"class_name"' blob the byte search finds.
 */
#include <string.h>

#include "fuzz_formats.h"
#include "scan/scan_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scan_report r;
	struct scan_limits lim;
	struct scan_ctx c = { .lim = &lim, .r = &r, .member = "" };
	struct json_doc d;
	size_t err = 0;

	scan_limits_default(&lim);
	scan_report_init(&r);
	keras_config_scan(&c, data, size, 0);
	if (jtok_parse(&d, data, size, true, 4096, 64, &err) == 0) {
		char s[64];

		if (d.len > size || d.tok[0].next != d.ntok)
			abort();
		for (uint32_t i = 0; i < d.ntok; i++) {
			if (d.tok[i].end > size || d.tok[i].next <= i || d.tok[i].next > d.ntok)
				abort();
			if (d.tok[i].type == JSON_STR && jtok_str(&d, &d.tok[i], s, sizeof(s)) >= 0 &&
			    !memchr(s, 0, sizeof(s)))
				abort();
		}
		jtok_free(&d);
	} else if (err > size) {
		abort();
	}
	fuzz_one_format(MF_HDF5, data, size);
	return 0;
}
