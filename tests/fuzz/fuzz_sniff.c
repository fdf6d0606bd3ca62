// SPDX-License-Identifier: MIT
/*
 * fuzz_sniff - scan_sniff on arbitrary heads, whole and cut short: a head
 * shorter than the file must never read past its length, and a format
 * must always be one of the enum's values.
 */
#include <stdint.h>
#include <stdlib.h>

#include "scan/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum model_format f = scan_sniff(data, size, size, size & 1 ? "model.onnx" : NULL);

	if ((unsigned)f >= MF_COUNT)
		abort();
	if (size > 16) {
		/* a copy of exactly half the head: ASan catches any read past it */
		size_t half = size / 2;
		uint8_t *h = malloc(half);

		if (!h)
			return 0;
		for (size_t i = 0; i < half; i++)
			h[i] = data[i];
		f = scan_sniff(h, half, size, "saved_model.pb");
		free(h);
		if ((unsigned)f >= MF_COUNT)
			abort();
	}
	return 0;
}
