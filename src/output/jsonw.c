// SPDX-License-Identifier: MIT
/*
 * jsonw - JSON writer.
 *
 * Design: the nesting state is a depth counter plus one bit per level
 * (object or array). The comma state needs no stack: when a container
 * closes, its parent has just received a value, so the parent is never
 * "first" again. `after_key` lets the value that follows a key skip the
 * separator.
 *
 * String escaping reserves the worst case (6 output bytes per input byte)
 * once, then writes without bounds checks. Runs of bytes that need no
 * escaping are found and copied 8 at a time (SWAR); only the bytes that
 * stop the run go through the per-byte path. UTF-8 is validated per
 * sequence (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "hex.h"
#include "output/jsonw.h"

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

void jbuf_init(struct jbuf *b)
{
	memset(b, 0, sizeof(*b));
	b->first = 1;
}

void jbuf_release(struct jbuf *b)
{
	free(b->buf);
	jbuf_init(b);
}

void jbuf_reset(struct jbuf *b)
{
	b->len = 0;
	b->err = 0;
	b->first = 1;
	b->after_key = 0;
	b->depth = 0;
	b->objs = 0;
}

void jbuf_rewind(struct jbuf *b, size_t len)
{
	if (len < b->len)
		b->len = len;
	b->err = 0;
	b->first = 1;
	b->after_key = 0;
	b->depth = 0;
	b->objs = 0;
}

int jbuf_grow(struct jbuf *b, size_t n)
{
	size_t want, ncap;
	char *p;

	if (b->err)
		return b->err;
	if (b->cap - b->len >= n)
		return 0;
	if (n > SIZE_MAX / 2 - b->len) {
		b->err = -ENOMEM;
		return b->err;
	}
	want = b->len + n;
	ncap = b->cap ? b->cap : 256;
	while (ncap < want)
		ncap *= 2;
	p = realloc(b->buf, ncap);
	if (!p) {
		b->err = -ENOMEM;
		return b->err;
	}
	b->buf = p;
	b->cap = ncap;
	return 0;
}

void jbuf_vprintf(struct jbuf *b, const char *fmt, va_list ap)
{
	size_t avail;
	va_list ap2;
	int n;

	if (jbuf_reserve(b, 64))
		return;
	va_copy(ap2, ap);
	avail = b->cap - b->len;
	n = vsnprintf(b->buf + b->len, avail, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		jbuf_seterr(b, -EINVAL);
		return;
	}
	if ((size_t)n >= avail) {
		if (jbuf_reserve(b, (size_t)n + 1))
			return;
		vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
}

void jbuf_printf(struct jbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	jbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

const char *jbuf_cstr(struct jbuf *b)
{
	if (jbuf_reserve(b, 1))
		return "";
	b->buf[b->len] = '\0';
	return b->buf;
}

static inline bool in_object(const struct jbuf *b)
{
	return b->depth > 0 && (b->objs >> (b->depth - 1)) & 1;
}

/* the separator before a value: none after a key or at depth 0 */
static inline void json_sep(struct jbuf *b)
{
	if (b->after_key) {
		b->after_key = 0;
		return;
	}
	if (b->depth == 0)
		return;
	if (__builtin_expect(in_object(b), 0)) {
		jbuf_seterr(b, -EINVAL);	/* a value in an object needs a key */
		return;
	}
	if (!b->first)
		jbuf_putc(b, ',');
	b->first = 0;
}

static void open_container(struct jbuf *b, char c, bool obj)
{
	json_sep(b);
	if (b->depth >= JSON_MAX_DEPTH) {
		jbuf_seterr(b, -E2BIG);
		return;
	}
	if (b->err)
		return;
	if (obj)
		b->objs |= 1u << b->depth;
	else
		b->objs &= ~(1u << b->depth);
	b->depth++;
	b->first = 1;
	jbuf_putc(b, c);
}

static void close_container(struct jbuf *b, char c, bool obj)
{
	if (b->err)
		return;
	if (b->depth == 0 || in_object(b) != obj || b->after_key) {
		jbuf_seterr(b, -EINVAL);
		return;
	}
	b->depth--;
	b->first = 0;
	jbuf_putc(b, c);
}

void json_obj_begin(struct jbuf *b)
{
	open_container(b, '{', true);
}

void json_obj_end(struct jbuf *b)
{
	close_container(b, '}', true);
}

void json_arr_begin(struct jbuf *b)
{
	open_container(b, '[', false);
}

void json_arr_end(struct jbuf *b)
{
	close_container(b, ']', false);
}

/* length of the valid UTF-8 sequence that starts at @p (a byte >= 0x80), or 0 */
static inline size_t utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];

	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && p[1] < 0xa0)
			return 0;	/* overlong */
		if (c == 0xed && p[1] > 0x9f)
			return 0;	/* UTF-16 surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && p[1] < 0x90)
			return 0;	/* overlong */
		if (c == 0xf4 && p[1] > 0x8f)
			return 0;	/* above U+10FFFF */
		return 4;
	}
	return 0;
}

/* nonzero when a word holds a byte < 0x20, '"', '\\' or >= 0x80 */
static inline uint64_t json_special8(uint64_t x)
{
	uint64_t q = x ^ (ONES * '"'), bs = x ^ (ONES * '\\');

	return ((x - ONES * 0x20) & ~x) | ((q - ONES) & ~q) | ((bs - ONES) & ~bs) | x;
}

/* escape @s into @o, which has room for 6 * n bytes; returns the new end */
static char *json_escape(char *o, const unsigned char *p, size_t n)
{
	const unsigned char *end = p + n;

	while (p < end) {
		unsigned char c;
		size_t k;

		while (end - p >= 8) {
			uint64_t x;

			memcpy(&x, p, 8);
			if (json_special8(x) & HIGHS)
				break;
			memcpy(o, &x, 8);
			o += 8;
			p += 8;
		}
		while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
			*o++ = (char)*p++;
		if (p == end)
			break;
		c = *p;
		if (c >= 0x80) {
			k = utf8_seq(p, (size_t)(end - p));
			if (k) {
				memcpy(o, p, k);
				o += k;
				p += k;
			} else {
				memcpy(o, "\\ufffd", 6);
				o += 6;
				p++;
			}
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"':
		case '\\':
			*o++ = (char)c;
			break;
		case '\b':
			*o++ = 'b';
			break;
		case '\f':
			*o++ = 'f';
			break;
		case '\n':
			*o++ = 'n';
			break;
		case '\r':
			*o++ = 'r';
			break;
		case '\t':
			*o++ = 't';
			break;
		default:
			memcpy(o, "u00", 3);
			o[3] = hex_digit(c >> 4);
			o[4] = hex_digit(c);
			o += 5;
			break;
		}
		p++;
	}
	return o;
}

/* "escaped" without separator handling */
static void put_quoted(struct jbuf *b, const char *s, size_t n)
{
	char *o;

	if (n > (SIZE_MAX - 3) / 6) {
		jbuf_seterr(b, -ENOMEM);
		return;
	}
	if (jbuf_reserve(b, n * 6 + 3))
		return;
	o = b->buf + b->len;
	*o++ = '"';
	o = json_escape(o, (const unsigned char *)s, n);
	*o++ = '"';
	b->len = (size_t)(o - b->buf);
}

void json_key(struct jbuf *b, const char *key)
{
	if (b->err)
		return;
	if (!in_object(b) || b->after_key) {
		jbuf_seterr(b, -EINVAL);
		return;
	}
	if (!b->first)
		jbuf_putc(b, ',');
	b->first = 0;
	put_quoted(b, key, strlen(key));
	jbuf_putc(b, ':');
	b->after_key = 1;
}

void json_members_raw(struct jbuf *b, const char *text, size_t n)
{
	if (b->err || !n)
		return;
	if (!in_object(b) || b->after_key) {
		jbuf_seterr(b, -EINVAL);
		return;
	}
	if (!b->first)
		jbuf_putc(b, ',');
	b->first = 0;
	jbuf_put(b, text, n);
}

void json_key_lit_slow(struct jbuf *b, const char *lit, size_t n)
{
	char *o;

	if (b->err)
		return;
	if (!in_object(b) || b->after_key) {
		jbuf_seterr(b, -EINVAL);
		return;
	}
	if (jbuf_reserve(b, n + 1))
		return;
	o = b->buf + b->len;
	if (!b->first)
		*o++ = ',';
	b->first = 0;
	memcpy(o, lit, n);
	b->len = (size_t)(o + n - b->buf);
	b->after_key = 1;
}

void json_str_plain(struct jbuf *b, const char *s, size_t n)
{
	char *o;

	json_sep(b);
	if (jbuf_reserve(b, n + 2))
		return;
	o = b->buf + b->len;
	*o++ = '"';
	memcpy(o, s, n);
	o[n] = '"';
	b->len += n + 2;
}

void json_str(struct jbuf *b, const char *s, size_t n)
{
	json_sep(b);
	put_quoted(b, s, n);
}

void json_cstr(struct jbuf *b, const char *s)
{
	if (!s) {
		json_null(b);
		return;
	}
	json_str(b, s, strlen(s));
}

static const char digits2[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* write @v in decimal ending just before @end; returns the first digit */
static char *fmt_u32(char *end, uint32_t v)
{
	while (v >= 100) {
		uint32_t r = v % 100;

		v /= 100;
		end -= 2;
		memcpy(end, digits2 + 2 * r, 2);
	}
	if (v >= 10) {
		end -= 2;
		memcpy(end, digits2 + 2 * v, 2);
	} else {
		*--end = (char)('0' + v);
	}
	return end;
}

/* exactly eight digits of @v (< 10^8), leading zeros kept, ending just before @end */
static char *fmt_8(char *end, uint32_t v)
{
	for (int i = 0; i < 4; i++) {
		uint32_t r = v % 100;

		v /= 100;
		end -= 2;
		memcpy(end, digits2 + 2 * r, 2);
	}
	return end;
}

/*
 * 64-bit division is the slow part of a long number: eight digits at a time
 * are split off with one, the rest is done in 32 bits
 */
static char *fmt_u64(char *end, uint64_t v)
{
	while (v > UINT32_MAX) {
		uint64_t q = v / 100000000;

		end = fmt_8(end, (uint32_t)(v - q * 100000000));
		v = q;
	}
	return fmt_u32(end, (uint32_t)v);
}

/* decimal digits of @v */
static inline unsigned int ndigits32(uint32_t v)
{
	return 1u + (v >= 10) + (v >= 100) + (v >= 1000) + (v >= 10000) + (v >= 100000) +
	       (v >= 1000000) + (v >= 10000000) + (v >= 100000000) + (v >= 1000000000);
}

static inline unsigned int ndigits(uint64_t v)
{
	unsigned int n = 0;

	while (v > UINT32_MAX) {
		v /= 100000000;
		n += 8;
	}
	return n + ndigits32((uint32_t)v);
}

/* @v's digits written in place (no copy: this is every event's numbers) */
static void put_u64(struct jbuf *b, uint64_t v)
{
	unsigned int n = ndigits(v);

	if (jbuf_reserve(b, n))
		return;
	fmt_u64(b->buf + b->len + n, v);
	b->len += n;
}

void json_uint(struct jbuf *b, uint64_t v)
{
	json_sep(b);
	put_u64(b, v);
}

void json_uint_ns(struct jbuf *b, uint64_t ns)
{
	/* events come in bursts within one second: its digits are kept */
	static __thread uint64_t last_sec = UINT64_MAX;
	static __thread char sec_digits[24];
	static __thread unsigned int sec_len;
	uint64_t sec = ns / 1000000000;
	uint32_t frac = (uint32_t)(ns - sec * 1000000000);
	char *p;

	json_sep(b);
	if (!sec) {
		put_u64(b, frac);
		return;
	}
	if (sec != last_sec) {
		sec_len = ndigits(sec);
		fmt_u64(sec_digits + sec_len, sec);
		last_sec = sec;
	}
	if (jbuf_reserve(b, sec_len + 9))
		return;
	p = b->buf + b->len;
	memcpy(p, sec_digits, sec_len);
	p += sec_len + 9;
	fmt_8(p, frac % 100000000);
	p[-9] = (char)('0' + frac / 100000000);
	b->len += sec_len + 9;
}

void json_uint_next(struct jbuf *b, struct json_counter *c, uint64_t v)
{
	int i;

	if (c->len && v == c->v + 1) {
		/* the text of v - 1, plus one: carry from the last digit */
		for (i = (int)c->len - 1; i >= 0 && c->txt[i] == '9'; i--)
			c->txt[i] = '0';
		if (i >= 0) {
			c->txt[i]++;
		} else {	/* 99..9 + 1 */
			memmove(c->txt + 1, c->txt, c->len);
			c->txt[0] = '1';
			c->len++;
		}
	} else {
		c->len = ndigits(v);
		fmt_u64(c->txt + c->len, v);
	}
	c->v = v;
	json_sep(b);
	jbuf_put(b, c->txt, c->len);
}

void json_strv(struct jbuf *b, const char *s, size_t len)
{
	size_t i = 0;

	json_arr_begin(b);
	while (s && i < len) {
		size_t n = strnlen(s + i, len - i);

		json_str(b, s + i, n);
		i += n + 1;
	}
	json_arr_end(b);
}

void json_int(struct jbuf *b, int64_t v)
{
	json_sep(b);
	if (v < 0) {
		jbuf_putc(b, '-');
		put_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u64(b, (uint64_t)v);
	}
}

void json_bool(struct jbuf *b, bool v)
{
	json_sep(b);
	if (v)
		jbuf_put(b, "true", 4);
	else
		jbuf_put(b, "false", 5);
}

void json_null(struct jbuf *b)
{
	json_sep(b);
	jbuf_put(b, "null", 4);
}

void json_raw(struct jbuf *b, const char *json_text)
{
	json_sep(b);
	jbuf_puts(b, json_text);
}

void json_kv_str(struct jbuf *b, const char *key, const char *s)
{
	json_key(b, key);
	json_cstr(b, s);
}

void json_kv_int(struct jbuf *b, const char *key, int64_t v)
{
	json_key(b, key);
	json_int(b, v);
}

void json_kv_uint(struct jbuf *b, const char *key, uint64_t v)
{
	json_key(b, key);
	json_uint(b, v);
}

void json_kv_bool(struct jbuf *b, const char *key, bool v)
{
	json_key(b, key);
	json_bool(b, v);
}

/* nonzero when a word holds a byte that text_quote cannot copy as is */
static inline uint64_t text_special8(uint64_t x)
{
	uint64_t q = x ^ (ONES * '"'), bs = x ^ (ONES * '\\'), del = x ^ (ONES * 0x7f);

	return ((x - ONES * 0x20) & ~x) | ((q - ONES) & ~q) | ((bs - ONES) & ~bs) |
	       ((del - ONES) & ~del) | x;
}

/*
 * bidi_mark - the code point of the UTF-8 sequence @p (@k bytes) when it
 * is a bidirectional or direction mark (U+061C, U+200E, U+200F,
 * U+202A..U+202E, U+2066..U+2069), else 0
 */
static unsigned bidi_mark(const unsigned char *p, size_t k)
{
	if (k == 2 && p[0] == 0xd8 && p[1] == 0x9c)
		return 0x061c;
	if (k != 3 || p[0] != 0xe2)
		return 0;
	if (p[1] == 0x80 && (p[2] == 0x8e || p[2] == 0x8f || (p[2] >= 0xaa && p[2] <= 0xae)))
		return 0x2000u + (p[2] & 0x3fu);
	if (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)
		return 0x2040u + (p[2] & 0x3fu);
	return 0;
}

void text_quote(struct jbuf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	char *o;

	if (n > (SIZE_MAX - 3) / 4) {
		jbuf_seterr(b, -ENOMEM);
		return;
	}
	if (jbuf_reserve(b, n * 4 + 2))
		return;
	o = b->buf + b->len;
	*o++ = '"';
	while (p < end) {
		unsigned char c;
		size_t k;

		while (end - p >= 8) {
			uint64_t x;

			memcpy(&x, p, 8);
			if (text_special8(x) & HIGHS)
				break;
			memcpy(o, &x, 8);
			o += 8;
			p += 8;
		}
		while (p < end && *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
			*o++ = (char)*p++;
		if (p == end)
			break;
		c = *p;
		if (c >= 0x80) {
			unsigned cp;

			k = utf8_seq(p, (size_t)(end - p));
			/*
			 * bidirectional and invisible direction marks reorder what a
			 * terminal shows ("bidi\u202efdp.exe" reads as "bidiexe.pdf"):
			 * written as \uXXXX, so the name reads as it is
			 */
			cp = bidi_mark(p, k);
			if (cp) {
				static const char hx[] = "0123456789abcdef";

				o[0] = '\\';
				o[1] = 'u';
				o[2] = hx[(cp >> 12) & 15];
				o[3] = hx[(cp >> 8) & 15];
				o[4] = hx[(cp >> 4) & 15];
				o[5] = hx[cp & 15];
				o += 6;
				p += k;
				continue;
			}
			/* C1 controls (U+0080..U+009F) are terminal escapes, not text */
			if (k && !(c == 0xc2 && p[1] < 0xa0)) {
				memcpy(o, p, k);
				o += k;
				p += k;
				continue;
			}
		}
		*o++ = '\\';
		switch (c) {
		case '"':
		case '\\':
			*o++ = (char)c;
			break;
		case '\n':
			*o++ = 'n';
			break;
		case '\r':
			*o++ = 'r';
			break;
		case '\t':
			*o++ = 't';
			break;
		default:
			o[0] = 'x';
			o[1] = hex_digit(c >> 4);
			o[2] = hex_digit(c);
			o += 3;
			break;
		}
		p++;
	}
	*o++ = '"';
	b->len = (size_t)(o - b->buf);
}
