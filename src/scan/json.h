/* SPDX-License-Identifier: MIT */
/*
 * json - ltrack's one JSON reader (src/scan/json.c): a bounded tokenizer
 * for untrusted input. The scanner reads model headers (safetensors) and
 * configs (Keras) with it, the model inventory its file
 * (src/model/inventory_json.c). The writer is src/output/jsonw.h.
 */
#ifndef LTRACK_SCAN_JSON_H
#define LTRACK_SCAN_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type { JSON_NONE = 0, JSON_OBJ, JSON_ARR, JSON_STR, JSON_NUM, JSON_TRUE, JSON_FALSE, JSON_NULL };

struct json_tok {
	uint8_t type;		/* enum json_type */
	uint32_t start, end;	/* bytes of the value (a string: between the quotes) */
	uint32_t size;		/* children: object members (keys) or array elements */
	uint32_t next;		/* index of the token after this value's subtree */
};

struct json_doc {
	const uint8_t *src;
	size_t len;		/* bytes parsed (the value ends there or before) */
	struct json_tok *tok;	/* tok[0] is the root value */
	uint32_t ntok;
};

/*
 * jtok_parse - tokenise the one JSON value at the start of @src (trailing
 * bytes are allowed when @trailing). Object members are stored as key
 * token then value token. At most @max_tok tokens and @max_depth nesting.
 * Returns 0, -EINVAL (syntax, with the offset in *@err_off), -E2BIG (a
 * bound) or -ENOMEM. jtok_free releases it.
 */
int jtok_parse(struct json_doc *d, const uint8_t *src, size_t len, bool trailing, uint32_t max_tok,
	       uint32_t max_depth, size_t *err_off);
void jtok_free(struct json_doc *d);

/*
 * jtok_parse_partial - jtok_parse of a whole document (no trailing bytes)
 * that keeps, on -EINVAL or -E2BIG, the tokens made before the error: a
 * value whose end was reached has its `next` set (jtok_complete), one cut
 * by the error has not; *@why names the error ("unterminated string",
 * "nested too deep", "trailing bytes", ...). For a reader that keeps what
 * it can of a damaged file. jtok_free releases the tokens either way.
 */
int jtok_parse_partial(struct json_doc *d, const uint8_t *src, size_t len, uint32_t max_tok,
		       uint32_t max_depth, size_t *err_off, const char **why);

/* jtok_complete - token @i exists and its value ended before any error */
static inline bool jtok_complete(const struct json_doc *d, uint32_t i)
{
	return i < d->ntok && d->tok[i].next > i;
}

/*
 * jtok_str - decode string token @t (escapes, \u surrogates to UTF-8) into
 * @out (NUL-terminated, truncated to @n). Returns the decoded length
 * (which may exceed @n - 1 when truncated) or -EINVAL for a bad escape.
 */
long jtok_str(const struct json_doc *d, const struct json_tok *t, char *out, size_t n);

/* jtok_str_eq - string token @t decodes to exactly @s */
bool jtok_str_eq(const struct json_doc *d, const struct json_tok *t, const char *s);

/* jtok_get - the value of @key in object token @obj (first match), or -1 */
long jtok_get(const struct json_doc *d, uint32_t obj, const char *key);

/* jtok_u64 - number token as a non-negative integer; -EINVAL when it is not one */
int jtok_u64(const struct json_doc *d, const struct json_tok *t, uint64_t *v);

#endif
