// SPDX-License-Identifier: MIT
/* fuzz_safetensors - the safetensors parser alone (scan_format MF_SAFETENSORS) on arbitrary bytes */
#include "fuzz_formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_one_format(MF_SAFETENSORS, data, size);
	return 0;
}
