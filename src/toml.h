/* SPDX-License-Identifier: MIT */
/*
 * toml - a TOML 1.0 parser for policy files.
 *
 * Debian has no C TOML library, so this is ours. It parses a whole document
 * into a tree of struct toml_value, keeping the line and column where every
 * key and value starts so that config validation can report
 * "file:LINE:COL: what is wrong".
 *
 * Supported: comments, bare/quoted/dotted keys, [tables], [[arrays of
 * tables]], inline tables, arrays (mixed types allowed, as in TOML 1.0),
 * basic/literal/multi-line strings with all escapes, decimal/hex/octal/binary
 * integers with underscores, floats (incl. inf/nan), booleans, and the four
 * date-time forms (kept as their text, type TOML_DATETIME).
 * Everything the grammar forbids (duplicate keys, redefined tables, invalid
 * escapes, control characters, overflow, ...) is an error with a position.
 */
#ifndef LTRACK_TOML_H
#define LTRACK_TOML_H

#include <stddef.h>
#include <stdint.h>

enum toml_type {
	TOML_TABLE = 1,
	TOML_ARRAY,
	TOML_STRING,
	TOML_INT,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME,	/* RFC 3339 text as written; u.s holds it */
};

/* 1-based line and column (column counts bytes) */
struct toml_pos {
	int line;
	int col;
};

struct toml_value;

struct toml_kv {
	char *key;			/* the unquoted key (one component) */
	struct toml_pos key_pos;	/* where the key was written */
	struct toml_value *val;
};

struct toml_value {
	enum toml_type type;
	struct toml_pos pos;		/* where the value (or table header) starts */
	union {
		struct {
			char *s;	/* NUL-terminated; may contain NUL if slen says so */
			size_t slen;
		} str;			/* TOML_STRING, TOML_DATETIME */
		int64_t i;		/* TOML_INT */
		double f;		/* TOML_FLOAT */
		int b;			/* TOML_BOOL: 0 or 1 */
		struct {
			struct toml_kv *items;	/* in document order */
			size_t n;
		} table;		/* TOML_TABLE */
		struct {
			struct toml_value **items;
			size_t n;
		} array;		/* TOML_ARRAY */
	} u;
};

struct toml_err {
	struct toml_pos pos;
	char msg[256];		/* lowercase, no trailing period */
};

/*
 * toml_parse - parse a TOML document of @len bytes (need not be
 * NUL-terminated). On success returns 0 and stores the root table in *out
 * (free it with toml_free). On failure returns -EINVAL (syntax), -ENOMEM,
 * fills @err with the first error's position and message, and stores NULL.
 * Nesting depth and document size are bounded, so hostile input cannot
 * exhaust the stack.
 */
int toml_parse(const char *buf, size_t len, struct toml_value **out, struct toml_err *err);

/* toml_free - free a tree from toml_parse; NULL is a no-op */
void toml_free(struct toml_value *v);

/* toml_table_get - the value of @key in table @t, or NULL (also if @t is not a table) */
const struct toml_value *toml_table_get(const struct toml_value *t, const char *key);

/* toml_table_kv - the key/value entry of @key in table @t, or NULL */
const struct toml_kv *toml_table_kv(const struct toml_value *t, const char *key);

/* toml_type_name - "table", "array", "string", "integer", "float", "boolean", "datetime" */
const char *toml_type_name(enum toml_type t);

#endif
