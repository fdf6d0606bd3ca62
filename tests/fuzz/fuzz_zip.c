// SPDX-License-Identifier: MIT
/* fuzz_zip - the zip parser alone (scan_format MF_ZIP) on arbitrary bytes */
#include "fuzz_formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_one_format(MF_ZIP, data, size);
	return 0;
}
