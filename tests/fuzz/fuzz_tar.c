// SPDX-License-Identifier: MIT
/* fuzz_tar - the tar parser alone (scan_format MF_TAR) on arbitrary bytes */
#include "fuzz_formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_one_format(MF_TAR, data, size);
	return 0;
}
