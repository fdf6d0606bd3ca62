/* SPDX-License-Identifier: MIT */
/*
 * field_json - the JSON encoder of a list of field rows (src/fields.h),
 * made where the rows are defined.
 *
 * FIELD_LIST(name, rows, group) defines the list `name` and its encoder.
 * The encoder walks the rows in a loop the compiler unrolls over the
 * constant table, so each getter is a direct call and each row's type,
 * flags and types-on are folded at compile time: the rows stay the one
 * description of the fields, at the cost of hand-written encoders.
 */
#ifndef LTRACK_FIELD_JSON_H
#define LTRACK_FIELD_JSON_H

#include <string.h>

#include "events.h"
#include "fields.h"
#include "output/jsonw.h"

struct fmt_ctx;

/*
 * Written by the output stage (src/output/format.c): an FLD_AGENT row of
 * the tail (the watch), and a run of FLD_PROC rows (from the cache of each
 * process's context, or encoded and kept)
 */
void format_json_agent_row(struct jbuf *b, const struct ev_field *f, const struct event *ev,
			   const struct fmt_ctx *c);
void format_json_proc_run(struct jbuf *b, const struct ev_field *rows, size_t n,
			  const struct event *ev, const struct fmt_ctx *c);
/* a run of FLD_TYPE rows: encoded once per type, then copied (src/output/format.c) */
void format_json_type_run(struct jbuf *b, const struct ev_field *rows, size_t n,
			  const struct event *ev, const struct fmt_ctx *c);

/* one member from its row: the row's writer, or the getter's value by type */
static inline __attribute__((always_inline)) void field_json_row(struct jbuf *b,
								 const struct ev_field *f,
								 const struct event *ev)
{
	struct fld_val v;

	if (f->write) {
		f->write(b, ev);
		return;
	}
	if (f->flags & FLD_SUB)	/* written by its object's row */
		return;
	v.plain = false;
	v.len = 0;
	if (f->get(ev, &v))
		return;
	json_key_lit(b, f->key, f->key_len);
	switch (f->type) {
	case FT_INT:
		json_int(b, v.i);
		break;
	case FT_UINT:
		json_uint(b, v.u);
		break;
	case FT_BOOL:
		json_bool(b, v.b);
		break;
	case FT_LIST:
		json_strv(b, v.s, v.len);
		break;
	default:	/* the strings */
		if (!v.s)
			json_null(b);
		else if (v.plain)
			json_str_plain(b, v.s, v.len ? v.len : strlen(v.s));
		else
			json_str(b, v.s, v.len ? v.len : strlen(v.s));
	}
}

/* the length of the run of rows with flag @fl starting at @i */
static inline __attribute__((always_inline)) size_t field_run_len(const struct ev_field *rows,
								   size_t i, size_t n, uint32_t fl)
{
	size_t k = i;

	while (k < n && (rows[k].flags & fl))
		k++;
	return k - i;
}

/*
 * the run of rows cached by the output stage (@fl: FLD_PROC, per process,
 * or FLD_TYPE, per type) that row @i is in: written once, at its first row
 */
static inline __attribute__((always_inline)) void
field_json_cached_run(struct jbuf *b, const struct ev_field *rows, size_t i, size_t n, uint32_t fl,
		      const struct event *ev, const struct fmt_ctx *c, size_t *len_memo)
{
	size_t len;

	if (i > 0 && (rows[i - 1].flags & fl))
		return;
	/* the compiler does not fold the walk of the table: it is kept (any thread, same value) */
	len = __atomic_load_n(len_memo, __ATOMIC_RELAXED);
	if (!len) {
		len = field_run_len(rows, i, n, fl);
		__atomic_store_n(len_memo, len, __ATOMIC_RELAXED);
	}
	if (fl & FLD_PROC)
		format_json_proc_run(b, &rows[i], len, ev, c);
	else
		format_json_type_run(b, &rows[i], len, ev, c);
}

#define FIELD_JSON_ROWS(a) (sizeof(a) / sizeof((a)[0]))

/* FIELDS_JSON_DEFINE - static encoder @fn of the rows of array @rows */
#define FIELDS_JSON_DEFINE(fn, rows)                                                          \
	static void fn(struct jbuf *b, const struct event *ev, const struct fmt_ctx *c)      \
	{                                                                                     \
		static size_t run_len[FIELD_JSON_ROWS(rows)];                                 \
                                                                                              \
		(void)c;                                                                      \
		_Pragma("GCC unroll 256") for (size_t i = 0; i < FIELD_JSON_ROWS(rows); i++)  \
		{                                                                             \
			const struct ev_field *f = &(rows)[i];                                \
                                                                                              \
			if (!ev_field_on(f, ev->type))                                        \
				continue;                                                     \
			if (f->flags & FLD_AGENT) {                                           \
				format_json_agent_row(b, f, ev, c);                           \
			} else if (f->flags & (FLD_PROC | FLD_TYPE)) {                        \
				field_json_cached_run(b, rows, i, FIELD_JSON_ROWS(rows),      \
						      f->flags & (FLD_PROC | FLD_TYPE), ev, c,  \
						      &run_len[i]);                             \
			} else {                                                              \
				field_json_row(b, f, ev);                                     \
			}                                                                     \
		}                                                                             \
	}

/* FIELD_LIST - the list @name of the rows of array @rows, with its encoder */
#define FIELD_LIST(name, rows, group)                  \
	FIELDS_JSON_DEFINE(name##_json, rows)          \
	const struct ev_field_list name = { (rows), FIELD_JSON_ROWS(rows), (group), name##_json }

#endif
