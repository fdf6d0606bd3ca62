// SPDX-License-Identifier: MIT
/*
 * fuzz_events.c - ring records as the kernel might write them, broken in
 * every way: event_decode() must reject or accept them safely, and an
 * accepted event must encode to JSON and text without reading past it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "output/jsonw.h"
#include "output/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct event ev;
	static struct jbuf b = JBUF_INIT;
	struct fmt_ctx c = { .hostname = "h", .boot_id = "b" };
	void *rec;

	if (size < 4)
		return 0;
	/* an aligned private copy, like a ring record; fix up the size field */
	rec = malloc(size);
	if (!rec)
		return 0;
	memcpy(rec, data, size);
	if (size >= sizeof(struct lt_hdr) && (data[0] & 1))
		((struct lt_hdr *)rec)->size = size;
	if (event_decode(rec, size, &ev) == 0) {
		jbuf_reset(&b);
		format_json(&b, &ev, &c);
		jbuf_reset(&b);
		format_text(&b, &ev, &c);
	}
	free(rec);
	return 0;
}
