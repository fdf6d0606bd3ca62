// SPDX-License-Identifier: MIT
/*
 * json - a bounded JSON tokenizer for model headers (safetensors) and
 * configs (Keras). Untrusted input: the token count and nesting depth are
 * capped by the caller, every index is checked against the input length,
 * and nothing is copied; strings are decoded on demand by jtok_str.
 *
 * The token array is flat, in document order: a container is followed by
 * its children (an object's as key, value pairs) and tok.next skips its
 * whole subtree, so walking siblings is a loop, not a recursion.
 */
#include "scan/scan_int.h"
#include "hex.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct jp {
	struct json_doc *d;
	size_t pos;
	uint32_t cap;
	uint32_t max_tok;
	uint32_t max_depth;
	const char *why;	/* the first error's reason */
};

/* fail with @err, keeping the first reason */
static int fail(struct jp *p, int err, const char *why)
{
	if (!p->why)
		p->why = why;
	return err;
}

static void skip_ws(struct jp *p)
{
	const uint8_t *s = p->d->src;

	while (p->pos < p->d->len &&
	       (s[p->pos] == ' ' || s[p->pos] == '\t' || s[p->pos] == '\n' || s[p->pos] == '\r'))
		p->pos++;
}

static int new_tok(struct jp *p, uint8_t type, uint32_t *idx)
{
	struct json_doc *d = p->d;

	if (d->ntok >= p->max_tok)
		return fail(p, -E2BIG, "too many tokens");
	if (d->ntok == p->cap) {
		uint32_t ncap = p->cap ? p->cap * 2 : 64;
		struct json_tok *nt;

		if (ncap > p->max_tok)
			ncap = p->max_tok;
		nt = realloc(d->tok, (size_t)ncap * sizeof(*nt));
		if (!nt)
			return -ENOMEM;
		d->tok = nt;
		p->cap = ncap;
	}
	*idx = d->ntok++;
	memset(&d->tok[*idx], 0, sizeof(d->tok[*idx]));
	d->tok[*idx].type = type;
	d->tok[*idx].start = (uint32_t)p->pos;
	return 0;
}

static int parse_string(struct jp *p)
{
	const uint8_t *s = p->d->src;
	uint32_t t;
	int ret = new_tok(p, JSON_STR, &t);

	if (ret)
		return ret;
	p->pos++; /* the opening quote */
	p->d->tok[t].start = (uint32_t)p->pos;
	while (p->pos < p->d->len) {
		uint8_t ch = s[p->pos];

		if (ch == '"') {
			p->d->tok[t].end = (uint32_t)p->pos;
			p->d->tok[t].next = p->d->ntok;
			p->pos++;
			return 0;
		}
		if (ch < 0x20)
			return fail(p, -EINVAL, "control character in a string");
		if (ch == '\\') {
			if (p->pos + 1 >= p->d->len)
				return fail(p, -EINVAL, "truncated escape");
			ch = s[p->pos + 1];
			if (ch == 'u') {
				if (p->d->len - p->pos < 6)
					return fail(p, -EINVAL, "truncated \\u escape");
				for (int k = 2; k < 6; k++)
					if (!strchr("0123456789abcdefABCDEF", s[p->pos + k]) || !s[p->pos + k])
						return fail(p, -EINVAL, "bad \\u escape");
				p->pos += 6;
				continue;
			}
			if (!ch || !strchr("\"\\/bfnrt", ch))
				return fail(p, -EINVAL, "bad escape");
			p->pos += 2;
			continue;
		}
		p->pos++;
	}
	return fail(p, -EINVAL, "unterminated string");
}

/* digits - skip a run of decimal digits; false when there is none */
static bool digits(struct jp *p)
{
	size_t st = p->pos;

	while (p->pos < p->d->len && p->d->src[p->pos] >= '0' && p->d->src[p->pos] <= '9')
		p->pos++;
	return p->pos > st;
}

static int parse_number(struct jp *p)
{
	const uint8_t *s = p->d->src;
	size_t st = p->pos;
	uint32_t t;
	int ret = new_tok(p, JSON_NUM, &t);

	if (ret)
		return ret;
	if (p->pos < p->d->len && s[p->pos] == '-')
		p->pos++;
	if (!digits(p))
		return fail(p, -EINVAL, "bad number");
	if (p->pos < p->d->len && s[p->pos] == '.') {
		p->pos++;
		if (!digits(p))
			return fail(p, -EINVAL, "bad number");
	}
	if (p->pos < p->d->len && (s[p->pos] == 'e' || s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->d->len && (s[p->pos] == '+' || s[p->pos] == '-'))
			p->pos++;
		if (!digits(p))
			return fail(p, -EINVAL, "bad number");
	}
	p->d->tok[t].start = (uint32_t)st;
	p->d->tok[t].end = (uint32_t)p->pos;
	p->d->tok[t].next = p->d->ntok;
	return 0;
}

static int parse_value(struct jp *p, uint32_t depth);

static int parse_container(struct jp *p, uint32_t depth, bool obj)
{
	const uint8_t *s = p->d->src;
	uint8_t close = obj ? '}' : ']';
	uint32_t t;
	int ret;

	if (depth >= p->max_depth)
		return fail(p, -E2BIG, "nested too deep");
	ret = new_tok(p, obj ? JSON_OBJ : JSON_ARR, &t);
	if (ret)
		return ret;
	p->pos++;
	skip_ws(p);
	if (p->pos < p->d->len && s[p->pos] == close) {
		p->pos++;
		goto done;
	}
	for (;;) {
		skip_ws(p);
		if (obj) {
			if (p->pos >= p->d->len || s[p->pos] != '"')
				return fail(p, -EINVAL, "expected a key");
			ret = parse_string(p);
			if (ret)
				return ret;
			skip_ws(p);
			if (p->pos >= p->d->len || s[p->pos] != ':')
				return fail(p, -EINVAL, "expected :");
			p->pos++;
		}
		ret = parse_value(p, depth + 1);
		if (ret)
			return ret;
		p->d->tok[t].size++;
		skip_ws(p);
		if (p->pos >= p->d->len)
			return fail(p, -EINVAL, "truncated");
		if (s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (s[p->pos] != close)
			return fail(p, -EINVAL, "expected , or the end of a container");
		p->pos++;
		break;
	}
done:
	p->d->tok[t].end = (uint32_t)p->pos;
	p->d->tok[t].next = p->d->ntok;
	return 0;
}

static int parse_word(struct jp *p, const char *w, uint8_t type)
{
	size_t n = strlen(w);
	uint32_t t;
	int ret;

	if (p->d->len - p->pos < n || memcmp(p->d->src + p->pos, w, n))
		return fail(p, -EINVAL, "unexpected word");
	ret = new_tok(p, type, &t);
	if (ret)
		return ret;
	p->pos += n;
	p->d->tok[t].end = (uint32_t)p->pos;
	p->d->tok[t].next = p->d->ntok;
	return 0;
}

static int parse_value(struct jp *p, uint32_t depth)
{
	skip_ws(p);
	if (p->pos >= p->d->len)
		return fail(p, -EINVAL, "truncated");
	switch (p->d->src[p->pos]) {
	case '{':
		return parse_container(p, depth, true);
	case '[':
		return parse_container(p, depth, false);
	case '"':
		return parse_string(p);
	case 't':
		return parse_word(p, "true", JSON_TRUE);
	case 'f':
		return parse_word(p, "false", JSON_FALSE);
	case 'n':
		return parse_word(p, "null", JSON_NULL);
	default:
		return parse_number(p);
	}
}

static int parse_doc(struct json_doc *d, const uint8_t *src, size_t len, bool trailing,
		     uint32_t max_tok, uint32_t max_depth, size_t *err_off, const char **why, bool keep)
{
	struct jp p = { .d = d, .max_tok = max_tok, .max_depth = max_depth };
	int ret;

	memset(d, 0, sizeof(*d));
	d->src = src;
	d->len = len > UINT32_MAX - 1 ? UINT32_MAX - 1 : len;
	if (len != d->len) {
		ret = fail(&p, -E2BIG, "too long");
		goto out_fail;
	}
	ret = parse_value(&p, 0);
	if (ret)
		goto out_fail;
	size_t end = p.pos;
	skip_ws(&p);
	if (!trailing && p.pos != d->len) {
		ret = fail(&p, -EINVAL, "trailing bytes");
		goto out_fail;
	}
	d->len = end;
	return 0;
out_fail:
	if (err_off)
		*err_off = p.pos;
	if (why)
		*why = p.why ? p.why : (ret == -ENOMEM ? "out of memory" : "invalid JSON");
	if (!keep || ret == -ENOMEM)
		jtok_free(d);
	return ret;
}

int jtok_parse(struct json_doc *d, const uint8_t *src, size_t len, bool trailing, uint32_t max_tok,
	       uint32_t max_depth, size_t *err_off)
{
	return parse_doc(d, src, len, trailing, max_tok, max_depth, err_off, NULL, false);
}

int jtok_parse_partial(struct json_doc *d, const uint8_t *src, size_t len, uint32_t max_tok,
		       uint32_t max_depth, size_t *err_off, const char **why)
{
	return parse_doc(d, src, len, false, max_tok, max_depth, err_off, why, true);
}

void jtok_free(struct json_doc *d)
{
	free(d->tok);
	d->tok = NULL;
	d->ntok = 0;
}

static void put(char *out, size_t n, size_t *k, uint8_t ch)
{
	if (*k + 1 < n)
		out[*k] = (char)ch;
	(*k)++;
}

long jtok_str(const struct json_doc *d, const struct json_tok *t, char *out, size_t n)
{
	const uint8_t *s = d->src;
	size_t k = 0;

	if (t->type != JSON_STR)
		return -EINVAL;
	for (uint32_t i = t->start; i < t->end;) {
		if (s[i] != '\\') {
			put(out, n, &k, s[i++]);
			continue;
		}
		if (i + 1 >= t->end)
			return -EINVAL;
		uint8_t e = s[i + 1];
		if (e != 'u') {
			const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
			const char *q = strchr(from, e);

			if (!q || !e)
				return -EINVAL;
			put(out, n, &k, (uint8_t)to[q - from]);
			i += 2;
			continue;
		}
		if (t->end - i < 6)
			return -EINVAL;
		uint32_t cp = 0;
		for (int j = 2; j < 6; j++)
			cp = cp << 4 | (uint32_t)hex_value(s[i + j]);
		i += 6;
		if (cp >= 0xd800 && cp < 0xdc00 && t->end - i >= 6 && s[i] == '\\' && s[i + 1] == 'u') {
			uint32_t lo = 0;
			for (int j = 2; j < 6; j++)
				lo = lo << 4 | (uint32_t)hex_value(s[i + j]);
			if (lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i += 6;
			}
		}
		if (cp < 0x80) {
			put(out, n, &k, (uint8_t)cp);
		} else if (cp < 0x800) {
			put(out, n, &k, (uint8_t)(0xc0 | cp >> 6));
			put(out, n, &k, (uint8_t)(0x80 | (cp & 0x3f)));
		} else if (cp < 0x10000) {
			put(out, n, &k, (uint8_t)(0xe0 | cp >> 12));
			put(out, n, &k, (uint8_t)(0x80 | ((cp >> 6) & 0x3f)));
			put(out, n, &k, (uint8_t)(0x80 | (cp & 0x3f)));
		} else {
			put(out, n, &k, (uint8_t)(0xf0 | cp >> 18));
			put(out, n, &k, (uint8_t)(0x80 | ((cp >> 12) & 0x3f)));
			put(out, n, &k, (uint8_t)(0x80 | ((cp >> 6) & 0x3f)));
			put(out, n, &k, (uint8_t)(0x80 | (cp & 0x3f)));
		}
	}
	if (n)
		out[k < n ? k : n - 1] = '\0';
	return (long)k;
}

bool jtok_str_eq(const struct json_doc *d, const struct json_tok *t, const char *s)
{
	char buf[256];
	size_t n = strlen(s);
	long k;

	if (t->type != JSON_STR || n >= sizeof(buf) || t->end - t->start < n)
		return false;
	k = jtok_str(d, t, buf, sizeof(buf));
	return k == (long)n && memcmp(buf, s, n) == 0;
}

long jtok_get(const struct json_doc *d, uint32_t obj, const char *key)
{
	const struct json_tok *o;
	uint32_t i;

	if (obj >= d->ntok || d->tok[obj].type != JSON_OBJ)
		return -1;
	o = &d->tok[obj];
	i = obj + 1;
	for (uint32_t k = 0; k < o->size && i + 1 < d->ntok; k++) {
		uint32_t v = i + 1;

		if (jtok_str_eq(d, &d->tok[i], key))
			return v;
		i = d->tok[v].next;
	}
	return -1;
}

int jtok_u64(const struct json_doc *d, const struct json_tok *t, uint64_t *v)
{
	uint64_t x = 0;

	if (t->type != JSON_NUM || t->start == t->end)
		return -EINVAL;
	for (uint32_t i = t->start; i < t->end; i++) {
		uint8_t ch = d->src[i];

		if (ch < '0' || ch > '9')
			return -EINVAL;
		if (x > (UINT64_MAX - (ch - '0')) / 10)
			return -ERANGE;
		x = x * 10 + (ch - '0');
	}
	*v = x;
	return 0;
}
