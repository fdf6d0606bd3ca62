// SPDX-License-Identifier: MIT
/* PLACEHOLDER (scan-base branch only): replaced by the formats helper */
#include "scan/scan.h"
#include <errno.h>
int scan_format(struct scan_ctx *c, enum model_format f, const uint8_t *buf, size_t len)
{
	(void)buf; (void)len;
	scan_set_error(c->r, "format %s not supported yet", model_format_name(f));
	return 0;
}
