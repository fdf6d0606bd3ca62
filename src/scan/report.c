// SPDX-License-Identifier: MIT
/* report - text and JSON output of a scan report (see report.h) */
#include "scan/report.h"

#include <stdbool.h>
#include <string.h>

void scan_report_json_members(struct jbuf *b, const struct scan_report *r)
{
	json_kv_str(b, "verdict", scan_verdict_name(r->verdict));
	json_kv_str(b, "format", model_format_name(r->format));
	json_kv_bool(b, "incomplete", r->incomplete);
	json_kv_uint(b, "size", r->size);
	json_kv_uint(b, "opcodes", r->opcodes);
	json_kv_uint(b, "pickles", r->pickles);
	json_kv_uint(b, "findings_dropped", r->findings_dropped);
	if (r->error[0])
		json_kv_str(b, "error", r->error);
	json_key(b, "findings");
	json_arr_begin(b);
	for (uint32_t i = 0; i < r->nfindings && i < SCAN_MAX_FINDINGS; i++) {
		const struct scan_finding *f = &r->findings[i];

		json_obj_begin(b);
		json_kv_str(b, "severity", scan_verdict_name(f->severity));
		json_kv_uint(b, "offset", f->offset);
		json_kv_str(b, "member", f->member);
		json_kv_str(b, "global", f->global);
		json_kv_str(b, "why", f->why);
		json_obj_end(b);
	}
	json_arr_end(b);
}

void scan_report_json(struct jbuf *b, const char *path, const struct scan_report *r)
{
	json_obj_begin(b);
	json_kv_str(b, "path", path);
	scan_report_json_members(b, r);
	json_obj_end(b);
}

/* @s as is when it is printable ASCII (spaces only if @spaces), else quoted */
static void text_str(struct jbuf *b, const char *s, bool spaces)
{
	bool plain = *s != '\0';

	for (const char *p = s; *p && plain; p++)
		plain = (*p > ' ' || (spaces && *p == ' ')) && *p < 0x7f && *p != '"' &&
			*p != '\\';
	if (plain)
		jbuf_puts(b, s);
	else
		text_quote(b, s, strlen(s));
}

void scan_report_text(struct jbuf *b, const char *path, const struct scan_report *r)
{
	text_str(b, path, false);
	jbuf_printf(b, ": %s (%s", scan_verdict_name(r->verdict), model_format_name(r->format));
	if (r->opcodes || r->pickles)
		jbuf_printf(b, ", %llu opcodes, %u pickle%s", (unsigned long long)r->opcodes,
			    r->pickles, r->pickles == 1 ? "" : "s");
	if (r->incomplete)
		jbuf_puts(b, ", incomplete");
	jbuf_puts(b, ")\n");
	if (r->error[0]) {
		jbuf_puts(b, "  error: ");
		jbuf_puts(b, r->error);
		jbuf_putc(b, '\n');
	}
	for (uint32_t i = 0; i < r->nfindings && i < SCAN_MAX_FINDINGS; i++) {
		const struct scan_finding *f = &r->findings[i];

		jbuf_printf(b, "  %s at %llu", scan_verdict_name(f->severity),
			    (unsigned long long)f->offset);
		if (f->member[0]) {
			jbuf_puts(b, " in ");
			text_str(b, f->member, false);
		}
		if (f->global[0]) {
			jbuf_putc(b, ' ');
			text_str(b, f->global, false);
		}
		jbuf_puts(b, ": ");
		text_str(b, f->why, true);
		jbuf_putc(b, '\n');
	}
	if (r->findings_dropped)
		jbuf_printf(b, "  ... %u more findings not kept\n", r->findings_dropped);
}
