// SPDX-License-Identifier: MIT
/* fuzz_joblib - the joblib parser alone (scan_format MF_JOBLIB) on arbitrary bytes */
#include "fuzz_formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_one_format(MF_JOBLIB, data, size);
	return 0;
}
