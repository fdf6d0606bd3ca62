/* SPDX-License-Identifier: MIT */
/*
 * jsonw - a growable byte buffer and a streaming JSON writer on top of it.
 *
 * Every event is encoded through this module, so the common operations are
 * inline and a warm buffer (one that has grown to the size of the largest
 * record seen) never allocates again: jbuf_reset() keeps the memory.
 *
 * Errors are sticky: the first failure (allocation, nesting deeper than
 * JSON_MAX_DEPTH, a misplaced key or value, an unbalanced end) is stored in
 * b->err as -errno and every later call is a no-op until jbuf_reset(). The
 * caller checks b->err once, after the whole record.
 *
 * Commas are managed by the writer: json_key() and every value emit the
 * separator their position needs. At depth 0 no separator is ever written,
 * so several top-level values (one per line) can share a buffer.
 *
 * Example:
 *	json_obj_begin(b);
 *	json_kv_str(b, "path", "/etc/hosts");
 *	json_key(b, "argv");
 *	json_arr_begin(b);
 *	json_cstr(b, "cat");
 *	json_arr_end(b);
 *	json_obj_end(b);	-> {"path":"/etc/hosts","argv":["cat"]}
 */
#ifndef LTRACK_JSONW_H
#define LTRACK_JSONW_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define JSON_MAX_DEPTH 32

struct jbuf {
	char *buf;		/* not NUL-terminated; see jbuf_cstr() */
	size_t len, cap;
	int err;		/* 0 or the first -errno; sticky until jbuf_reset() */
	int first;		/* nothing written yet in the innermost container */
	int after_key;		/* a key was written; its value comes next */
	int depth;		/* open containers, 0..JSON_MAX_DEPTH */
	uint32_t objs;		/* bit d set: container at depth d+1 is an object */
};

#define JBUF_INIT { .first = 1 }

/* jbuf_init - an empty buffer that owns no memory yet */
void jbuf_init(struct jbuf *b);

/* jbuf_release - free the memory and re-init; safe twice */
void jbuf_release(struct jbuf *b);

/* jbuf_reset - empty the buffer and clear err and nesting; keeps the memory */
void jbuf_reset(struct jbuf *b);

/*
 * jbuf_rewind - cut the buffer back to its first @len bytes (a document
 * that failed, after the ones before it) and clear err and nesting
 */
void jbuf_rewind(struct jbuf *b, size_t len);

/*
 * jbuf_grow - make room for @n more bytes (the slow path of jbuf_reserve).
 * Returns 0, or -ENOMEM (also stored in b->err) / the sticky b->err.
 */
int jbuf_grow(struct jbuf *b, size_t n);

/* jbuf_reserve - 0 when @n more bytes fit, else as jbuf_grow() */
static inline int jbuf_reserve(struct jbuf *b, size_t n)
{
	if (__builtin_expect(!b->err && b->cap - b->len >= n, 1))
		return 0;
	return jbuf_grow(b, n);
}

/* jbuf_seterr - record @err (a -errno) unless an earlier error is stored */
static inline void jbuf_seterr(struct jbuf *b, int err)
{
	if (!b->err)
		b->err = err;
}

/* jbuf_putc / jbuf_put / jbuf_puts - append raw bytes, no escaping */
static inline void jbuf_putc(struct jbuf *b, char c)
{
	if (jbuf_reserve(b, 1))
		return;
	b->buf[b->len++] = c;
}

static inline void jbuf_put(struct jbuf *b, const char *s, size_t n)
{
	if (!n || jbuf_reserve(b, n))
		return;
	memcpy(b->buf + b->len, s, n);
	b->len += n;
}

static inline void jbuf_puts(struct jbuf *b, const char *s)
{
	jbuf_put(b, s, strlen(s));
}

/* jbuf_printf - append printf-formatted text (allocates only to grow) */
void jbuf_printf(struct jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void jbuf_vprintf(struct jbuf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * jbuf_cstr - NUL-terminate the contents (the NUL is not counted in len) and
 * return them; "" when the buffer is in error.
 */
const char *jbuf_cstr(struct jbuf *b);

/* containers; misuse (unbalanced end, > JSON_MAX_DEPTH) sets -EINVAL/-E2BIG */
void json_obj_begin(struct jbuf *b);
void json_obj_end(struct jbuf *b);
void json_arr_begin(struct jbuf *b);
void json_arr_end(struct jbuf *b);

/*
 * json_key - "key": inside an object, with the comma it needs. The key is
 * escaped like a string value. A key outside an object, or two keys in a
 * row, set -EINVAL.
 */
void json_key(struct jbuf *b, const char *key);

/*
 * json_members_raw - append already-encoded members ("k":v,"k2":v2) to the
 * current object, with the comma they need. For fields that are the same in
 * every record (encoded once, copied per record).
 */
void json_members_raw(struct jbuf *b, const char *text, size_t n);

/*
 * json_key_lit - like json_key, for a key known at compile time that needs
 * no escaping, given already quoted with its colon: JSON_KEY(b, "pid")
 * passes "\"pid\":". The hot path of event encoding uses it.
 */
void json_key_lit_slow(struct jbuf *b, const char *lit, size_t n);

static inline void json_key_lit(struct jbuf *b, const char *lit, size_t n)
{
	/* inline so the copy of a constant-length key compiles to a few moves */
	if (__builtin_expect(!b->err && !b->first && !b->after_key && b->depth > 0 &&
			     ((b->objs >> (b->depth - 1)) & 1) && b->cap - b->len >= n + 1, 1)) {
		char *o = b->buf + b->len;

		*o = ',';
		memcpy(o + 1, lit, n);
		b->len += n + 1;
		b->after_key = 1;
		return;
	}
	json_key_lit_slow(b, lit, n);
}
#define JSON_KEY(b, k) json_key_lit((b), "\"" k "\":", sizeof("\"" k "\":") - 1)

/*
 * json_str - a string value of @n bytes (may contain NUL). Escapes " and \,
 * writes control characters as \b \f \n \r \t or \u00XX, passes valid UTF-8
 * through unchanged and writes each byte that is not part of a valid UTF-8
 * sequence (overlong forms and surrogates included) as \ufffd.
 */
void json_str(struct jbuf *b, const char *s, size_t n);

/*
 * json_str_plain - a string value the caller knows needs no escaping
 * (printable ASCII without '"' or '\\': numbers, ids, times we formatted)
 */
void json_str_plain(struct jbuf *b, const char *s, size_t n);

/* json_cstr - json_str of a NUL-terminated string; NULL writes null */
void json_cstr(struct jbuf *b, const char *s);
/* json_strv - an array of the NUL-separated strings in @s[0..@len) (argv) */
void json_strv(struct jbuf *b, const char *s, size_t len);

void json_int(struct jbuf *b, int64_t v);
void json_uint(struct jbuf *b, uint64_t v);
/* json_uint_ns - json_uint() of a time in ns, faster: the seconds' digits are kept per thread */
void json_uint_ns(struct jbuf *b, uint64_t ns);

/* the decimal text of the last value a json_uint_next() wrote */
struct json_counter {
	uint64_t v;
	unsigned int len;	/* 0: none yet */
	char txt[24];
};

/*
 * json_uint_next - json_uint() of @v, faster when @v is the last value + 1
 * (a sequence number): its text is kept in @c and incremented
 */
void json_uint_next(struct jbuf *b, struct json_counter *c, uint64_t v);
void json_bool(struct jbuf *b, bool v);
void json_null(struct jbuf *b);

/* json_raw - a value that is already JSON text (e.g. a configured extra field) */
void json_raw(struct jbuf *b, const char *json_text);

/* key + value in one call */
void json_kv_str(struct jbuf *b, const char *key, const char *s);	/* NULL -> null */
void json_kv_int(struct jbuf *b, const char *key, int64_t v);
void json_kv_uint(struct jbuf *b, const char *key, uint64_t v);
void json_kv_bool(struct jbuf *b, const char *key, bool v);

/*
 * text_quote - a C-style quoted string for the text format: "..." with \" \\
 * \n \r \t, and \xNN for every other byte that is not printable: ASCII
 * controls, DEL, bytes of invalid UTF-8 and the C1 controls U+0080..U+009F;
 * \uXXXX for the bidirectional and direction marks (U+061C, U+200E/F,
 * U+202A..U+202E, U+2066..U+2069), which would reorder what a terminal
 * shows. Printable ASCII and valid UTF-8 otherwise pass through. Not
 * JSON-aware: no separators are written.
 */
void text_quote(struct jbuf *b, const char *s, size_t n);

#endif
