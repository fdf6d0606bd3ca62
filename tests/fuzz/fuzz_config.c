// SPDX-License-Identifier: MIT
/*
 * fuzz_config - policy validation (config_load_buf over toml_parse) and
 * --watch spec parsing on arbitrary input. Every error must be a clean
 * return with a message; nothing may leak or read out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lt_config_err err;
	struct lt_config c;
	char msg[1024], mask[128];
	char *spec;
	int ret;

	config_init(&c);
	ret = config_load_buf(&c, (const char *)data, size, "fuzz.toml", &err);
	if (ret) {
		config_format_err(&err, msg, sizeof(msg));
		if (!msg[0])
			abort();	/* every failure explains itself */
	}
	config_release(&c);

	/* the same bytes as one --watch spec (up to the first NUL) */
	spec = malloc(size + 1);
	if (!spec)
		return 0;
	memcpy(spec, data, size);
	spec[size] = '\0';
	config_init(&c);
	if (config_add_watch_spec(&c, spec, "--watch", &err) == 0) {
		if (c.nwatches != 1 || !c.watches[0].mask)
			abort();
		lt_watch_mask_name(c.watches[0].mask, mask, sizeof(mask));
	} else {
		config_format_err(&err, msg, sizeof(msg));
	}
	config_release(&c);
	free(spec);
	return 0;
}
