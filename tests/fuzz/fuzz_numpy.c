// SPDX-License-Identifier: MIT
/* fuzz_numpy - the numpy parser alone (scan_format MF_NUMPY) on arbitrary bytes */
#include "fuzz_formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_one_format(MF_NUMPY, data, size);
	return 0;
}
