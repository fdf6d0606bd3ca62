// SPDX-License-Identifier: MIT
/* PLACEHOLDER (scan-base branch only): replaced by the pickle helper */
#include "scan/scan.h"
#include <errno.h>
int scan_pickle(struct scan_ctx *c, const uint8_t *buf, size_t len, uint64_t base)
{
	(void)buf; (void)len; (void)base;
	scan_set_error(c->r, "pickle scanner not built yet");
	return -ENOSYS;
}
