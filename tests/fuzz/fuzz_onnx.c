// SPDX-License-Identifier: MIT
/* fuzz_onnx - the onnx parser alone (scan_format MF_ONNX) on arbitrary bytes */
#include "fuzz_formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_one_format(MF_ONNX, data, size);
	return 0;
}
