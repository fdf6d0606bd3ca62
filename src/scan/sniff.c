// SPDX-License-Identifier: MIT
/* PLACEHOLDER (scan-base branch only): replaced by the formats helper */
#include "scan/scan.h"
#include <string.h>
enum model_format scan_sniff(const uint8_t *head, size_t len, uint64_t size, const char *name)
{
	(void)size; (void)name;
	if (len >= 4 && memcmp(head, "PK\3\4", 4) == 0)
		return MF_ZIP;
	if (len >= 2 && head[0] == 0x80 && head[1] >= 2 && head[1] <= 5)
		return MF_PICKLE;
	return MF_UNKNOWN;
}
