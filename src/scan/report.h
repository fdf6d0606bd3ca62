/* SPDX-License-Identifier: MIT */
/*
 * report - a struct scan_report as text or JSON. Used by `ltrack scan` and
 * meant for the agent's model_load event (the JSON members can be embedded
 * in an event object). The JSON schema is in docs/scanner.md.
 */
#ifndef LTRACK_SCAN_REPORT_H
#define LTRACK_SCAN_REPORT_H

#include "output/jsonw.h"
#include "scan/scan.h"

/*
 * scan_report_json_members - the report's members into the JSON object
 * open in @b: verdict, format, incomplete, size, opcodes, pickles,
 * findings_dropped, error (only when set) and findings (an array of
 * {severity, offset, member, global, why}).
 */
void scan_report_json_members(struct jbuf *b, const struct scan_report *r);

/* scan_report_json - one object {"path": @path, <members>} (no newline) */
void scan_report_json(struct jbuf *b, const char *path, const struct scan_report *r);

/*
 * scan_report_text - "PATH: VERDICT (FORMAT, N opcodes, N pickles)" and one
 * indented line per finding: "SEVERITY at OFFSET [MEMBER] GLOBAL: WHY".
 * Names are quoted (text_quote) when they hold unprintable bytes. Ends
 * with a newline.
 */
void scan_report_text(struct jbuf *b, const char *path, const struct scan_report *r);

#endif
