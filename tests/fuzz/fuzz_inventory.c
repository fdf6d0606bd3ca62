// SPDX-License-Identifier: MIT
/*
 * fuzz_inventory - inventory_parse (the models.json reader) on arbitrary
 * bytes, into a small table (so eviction runs too).
 *
 * A failure must be -EINVAL with a message. Whatever was read (all of it,
 * or the entries before an error) must survive a round trip: written as
 * JSON and parsed into a fresh table, it gives the same JSON again. That
 * catches a reader that accepts a value it then misreads, or a writer that
 * emits what its reader refuses.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inventory *inv = inventory_new(8, 4), *back = inventory_new(8, 4);
	struct jbuf a, b;
	char err[256];
	int rc;

	if (!inv || !back)
		abort();
	rc = inventory_parse(inv, (const char *)data, size, err, sizeof(err));
	if (rc != 0 && rc != -EINVAL && rc != -ENOMEM)
		abort();
	if (rc == -EINVAL && !err[0])
		abort();
	jbuf_init(&a);
	jbuf_init(&b);
	inventory_write_list(inv, &a);
	if (a.err)
		abort();
	if (inventory_parse(back, a.buf, a.len, err, sizeof(err))) {
		fprintf(stderr, "fuzz_inventory: own output refused: %s\n", err);
		abort();
	}
	inventory_write_list(back, &b);
	if (a.len != b.len || memcmp(a.buf, b.buf, a.len)) {
		fprintf(stderr, "fuzz_inventory: round trip differs\n%.*s\n%.*s\n", (int)a.len,
			a.buf, (int)b.len, b.buf);
		abort();
	}
	jbuf_release(&a);
	jbuf_release(&b);
	inventory_free(inv);
	inventory_free(back);
	return 0;
}
