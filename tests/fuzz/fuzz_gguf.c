// SPDX-License-Identifier: MIT
/* fuzz_gguf - the gguf parser alone (scan_format MF_GGUF) on arbitrary bytes */
#include "fuzz_formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_one_format(MF_GGUF, data, size);
	return 0;
}
