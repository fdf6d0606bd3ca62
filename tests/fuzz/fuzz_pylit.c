// SPDX-License-Identifier: MIT
/*
 * fuzz_pylit - the Python literal parser (src/scan/pylit.c) that reads
 * numpy's .npy header, on arbitrary bytes: parse, then walk what it built
 * the way the numpy check does (every node, every string, dict lookups)
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "scan/scan_int.h"

static size_t walk(const struct pyl_doc *d, int32_t v, int depth)
{
	size_t n = 1;

	if (v < 0 || depth > PYL_DEPTH_MAX + 1)
		return 0;
	if (d->n[v].type == PYL_STR || d->n[v].type == PYL_BYTES) {
		volatile char sink = 0;

		for (uint32_t i = 0; i < d->n[v].len; i++)
			sink ^= d->pool[d->n[v].off + i];
		(void)sink;
		return 1;
	}
	if (d->n[v].type >= PYL_TUPLE)
		for (int32_t c = d->n[v].first; c >= 0; c = d->n[c].next)
			n += walk(d, c, depth + 1);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pyl_doc *d = pyl_doc_new(size);

	if (!d)
		return 0;
	if (pyl_parse(data, size, d) == 0) {
		walk(d, d->root, 0);
		(void)pyl_dict_get(d, d->root, "descr");
		(void)pyl_str_is(d, d->root, "descr");
	}
	pyl_doc_free(d);
	(void)npy_header_objects(data, size, NULL);
	return 0;
}
