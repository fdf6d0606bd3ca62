// SPDX-License-Identifier: MIT
/* tests for src/output/jsonw.c: buffer, JSON structure and commas, escaping, text quoting */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/jsonw.h"

/* the buffer contents as a C string, for assertions */
static const char *out(struct jbuf *b)
{
	assert_int_equal(b->err, 0);
	return jbuf_cstr(b);
}

static void assert_json_str(const char *in, size_t n, const char *want)
{
	struct jbuf b = JBUF_INIT;

	json_str(&b, in, n);
	assert_string_equal(out(&b), want);
	jbuf_release(&b);
}

static void assert_text_quote(const char *in, size_t n, const char *want)
{
	struct jbuf b = JBUF_INIT;

	text_quote(&b, in, n);
	assert_int_equal(b.err, 0);
	assert_string_equal(jbuf_cstr(&b), want);
	jbuf_release(&b);
}

static void test_empty_containers(void **state)
{
	struct jbuf b;

	(void)state;
	jbuf_init(&b);
	json_obj_begin(&b);
	json_obj_end(&b);
	assert_string_equal(out(&b), "{}");
	jbuf_reset(&b);
	json_arr_begin(&b);
	json_arr_end(&b);
	assert_string_equal(out(&b), "[]");
	jbuf_release(&b);
}

static void test_object_commas_and_all_value_types(void **state)
{
	struct jbuf b = JBUF_INIT;

	(void)state;
	json_obj_begin(&b);
	json_kv_str(&b, "s", "x");
	json_kv_int(&b, "i", -5);
	json_kv_uint(&b, "u", UINT64_MAX);
	json_kv_bool(&b, "t", true);
	json_kv_bool(&b, "f", false);
	json_key(&b, "n");
	json_null(&b);
	json_kv_str(&b, "ns", NULL);
	json_key(&b, "a");
	json_arr_begin(&b);
	json_int(&b, 1);
	json_uint(&b, 2);
	json_arr_begin(&b);
	json_arr_end(&b);
	json_obj_begin(&b);
	json_obj_end(&b);
	json_cstr(&b, "z");
	json_arr_end(&b);
	json_key(&b, "o");
	json_obj_begin(&b);
	json_key(&b, "raw");
	json_raw(&b, "{\"k\":[1,2]}");
	json_obj_end(&b);
	json_obj_end(&b);
	assert_string_equal(out(&b), "{\"s\":\"x\",\"i\":-5,\"u\":18446744073709551615,\"t\":true,"
				     "\"f\":false,\"n\":null,\"ns\":null,\"a\":[1,2,[],{},\"z\"],"
				     "\"o\":{\"raw\":{\"k\":[1,2]}}}");
	assert_int_equal(b.depth, 0);
	jbuf_release(&b);
}

static void test_integers_extremes(void **state)
{
	static const struct {
		int64_t v;
		const char *want;
	} ints[] = {
		{ 0, "0" }, { 9, "9" }, { 10, "10" }, { 99, "99" }, { 100, "100" },
		{ -1, "-1" }, { 1234567890123LL, "1234567890123" },
		{ INT64_MAX, "9223372036854775807" }, { INT64_MIN, "-9223372036854775808" },
	};
	struct jbuf b = JBUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		jbuf_reset(&b);
		json_int(&b, ints[i].v);
		assert_string_equal(out(&b), ints[i].want);
	}
	jbuf_reset(&b);
	json_uint(&b, 0);
	assert_string_equal(out(&b), "0");
	jbuf_reset(&b);
	json_uint(&b, 1000000000000000000ULL);
	assert_string_equal(out(&b), "1000000000000000000");
	jbuf_release(&b);
}

/* every digit count, at its edges, and 2^k - 1, 2^k: as printf writes them */
static void test_unsigned_every_length_as_printf(void **state)
{
	struct jbuf b = JBUF_INIT;
	char want[32];
	uint64_t p = 1;

	(void)state;
	for (int d = 0; d < 20; d++, p *= 10) {
		const uint64_t vs[] = { p - 1, p, p + 1, p * 2 - 1, p * 9 + (p - 1), p * 5 + 7 };

		for (size_t i = 0; i < sizeof(vs) / sizeof(vs[0]); i++) {
			if (d == 19 && i > 2)
				continue;	/* past UINT64_MAX */
			jbuf_reset(&b);
			json_uint(&b, vs[i]);
			snprintf(want, sizeof(want), "%" PRIu64, vs[i]);
			assert_string_equal(out(&b), want);
		}
	}
	for (int k = 1; k <= 64; k++) {
		uint64_t v = k == 64 ? UINT64_MAX : ((uint64_t)1 << k) - 1;

		jbuf_reset(&b);
		json_uint(&b, v);
		snprintf(want, sizeof(want), "%" PRIu64, v);
		assert_string_equal(out(&b), want);
		jbuf_reset(&b);
		json_uint(&b, v + (k < 64));
		snprintf(want, sizeof(want), "%" PRIu64, v + (k < 64));
		assert_string_equal(out(&b), want);
	}
	jbuf_release(&b);
}

/* a time in ns as printf writes it: the kept seconds' digits never go stale */
static void test_time_ns_as_printf(void **state)
{
	struct jbuf b = JBUF_INIT;
	char want[32];
	const uint64_t vs[] = {
		0, 1, 999999999, 1000000000, 1000000001, 1999999999, 2000000000,
		1796695584000000000ULL, 1796695584000000001ULL, 1796695584099999999ULL,
		1796695584100000000ULL, 1796695584999999999ULL, 1796695585000000000ULL,
		1796695584367865672ULL, 999999999999999999ULL, 4294967295999999999ULL,
		4294967296000000000ULL, UINT64_MAX - 1, UINT64_MAX, 5, 1796695584367865672ULL,
	};
	uint64_t x = 88172645463325252ULL;

	(void)state;
	for (size_t i = 0; i < sizeof(vs) / sizeof(vs[0]); i++) {
		jbuf_reset(&b);
		json_uint_ns(&b, vs[i]);
		snprintf(want, sizeof(want), "%" PRIu64, vs[i]);
		assert_string_equal(out(&b), want);
	}
	for (int i = 0; i < 100000; i++) {	/* xorshift: runs within a second and jumps */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint64_t v = (i & 1) ? vs[i % 20] + (x & 0xffff) : x >> (x & 63);

		jbuf_reset(&b);
		json_uint_ns(&b, v);
		snprintf(want, sizeof(want), "%" PRIu64, v);
		assert_string_equal(out(&b), want);
	}
	jbuf_release(&b);
}

/* a sequence number's kept text: carries, a new digit, and any jump */
static void test_counter_as_printf(void **state)
{
	struct jbuf b = JBUF_INIT;
	struct json_counter c = { 0 };
	char want[32];
	const uint64_t starts[] = { 0, 1, 8, 98, 998, 99999, 1234567, 18446744073709551600ULL };

	(void)state;
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		for (uint64_t v = starts[i], n = 0; n < 1500 && v >= starts[i]; v++, n++) {
			jbuf_reset(&b);
			json_uint_next(&b, &c, v);
			snprintf(want, sizeof(want), "%" PRIu64, v);
			assert_string_equal(out(&b), want);
		}
	}
	/* in an array: separators as json_uint's */
	jbuf_reset(&b);
	json_arr_begin(&b);
	json_uint_next(&b, &c, 9);
	json_uint_next(&b, &c, 10);
	json_uint_next(&b, &c, 7);
	json_arr_end(&b);
	assert_string_equal(out(&b), "[9,10,7]");
	jbuf_release(&b);
}

static void test_top_level_values_have_no_commas(void **state)
{
	struct jbuf b = JBUF_INIT;

	(void)state;
	json_obj_begin(&b);
	json_kv_int(&b, "a", 1);
	json_obj_end(&b);
	jbuf_putc(&b, '\n');
	json_obj_begin(&b);
	json_kv_int(&b, "a", 2);
	json_obj_end(&b);
	jbuf_putc(&b, '\n');
	json_int(&b, 3);
	assert_string_equal(out(&b), "{\"a\":1}\n{\"a\":2}\n3");
	jbuf_release(&b);
}

static void test_string_escapes_json_specials_and_controls(void **state)
{
	(void)state;
	assert_json_str("", 0, "\"\"");
	assert_json_str("a\"b\\c/", 6, "\"a\\\"b\\\\c/\"");
	assert_json_str("\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"");
	assert_json_str("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\x7f\"");
	assert_json_str("a\0b", 3, "\"a\\u0000b\"");
	/* keys are escaped like values */
	{
		struct jbuf b = JBUF_INIT;

		json_obj_begin(&b);
		json_kv_int(&b, "k\"\n", 1);
		json_obj_end(&b);
		assert_string_equal(out(&b), "{\"k\\\"\\n\":1}");
		jbuf_release(&b);
	}
}

static void test_valid_utf8_passes_unchanged(void **state)
{
	static const char s[] = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf "
				"\xf4\x8f\xbf\xbf "
				"\xed\x9f\xbf \xe0\xa0\x80 \xf0\x90\x80\x80";
	char want[sizeof(s) + 2];

	(void)state;
	snprintf(want, sizeof(want), "\"%s\"", s);
	assert_json_str(s, sizeof(s) - 1, want);
}

static void test_each_invalid_utf8_byte_becomes_replacement(void **state)
{
	(void)state;
	/* stray continuation bytes */
	assert_json_str("a\x80z", 3, "\"a\\ufffdz\"");
	assert_json_str("\xbf\xbf", 2, "\"\\ufffd\\ufffd\"");
	/* truncated sequences: every byte is replaced, then the rest continues */
	assert_json_str("\xe2\x82", 2, "\"\\ufffd\\ufffd\"");
	assert_json_str("\xe2\x82z", 3, "\"\\ufffd\\ufffdz\"");
	assert_json_str("\xf0\x9f\x98", 3, "\"\\ufffd\\ufffd\\ufffd\"");
	assert_json_str("\xc3", 1, "\"\\ufffd\"");
	/* overlong forms */
	assert_json_str("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");
	assert_json_str("\xc1\xbf", 2, "\"\\ufffd\\ufffd\"");
	assert_json_str("\xe0\x80\xaf", 3, "\"\\ufffd\\ufffd\\ufffd\"");
	assert_json_str("\xf0\x80\x80\xaf", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	/* surrogates and beyond U+10FFFF */
	assert_json_str("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");
	assert_json_str("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	assert_json_str("\xf5\xff\xfe", 3, "\"\\ufffd\\ufffd\\ufffd\"");
	/* a valid sequence right after an invalid byte survives */
	assert_json_str("\xff\xc3\xa9", 3, "\"\\ufffd\xc3\xa9\"");
}

/* --- a deliberately simple reference encoder for the randomized comparison --- */

static int ref_utf8_len(const unsigned char *p, size_t n)
{
	uint32_t cp;
	int len, i;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if ((size_t)len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
		return 0;
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

static void ref_json(struct jbuf *b, const unsigned char *p, size_t n)
{
	size_t i = 0;

	jbuf_putc(b, '"');
	while (i < n) {
		unsigned char c = p[i];
		int k;

		if (c == '"' || c == '\\') {
			jbuf_putc(b, '\\');
			jbuf_putc(b, (char)c);
		} else if (c == '\n') {
			jbuf_puts(b, "\\n");
		} else if (c == '\t') {
			jbuf_puts(b, "\\t");
		} else if (c == '\r') {
			jbuf_puts(b, "\\r");
		} else if (c == '\b') {
			jbuf_puts(b, "\\b");
		} else if (c == '\f') {
			jbuf_puts(b, "\\f");
		} else if (c < 0x20) {
			jbuf_printf(b, "\\u%04x", c);
		} else if (c < 0x80) {
			jbuf_putc(b, (char)c);
		} else if ((k = ref_utf8_len(p + i, n - i)) > 0) {
			jbuf_put(b, (const char *)p + i, (size_t)k);
			i += (size_t)k;
			continue;
		} else {
			jbuf_puts(b, "\\ufffd");
		}
		i++;
	}
	jbuf_putc(b, '"');
}

static void ref_text(struct jbuf *b, const unsigned char *p, size_t n)
{
	size_t i = 0;

	jbuf_putc(b, '"');
	while (i < n) {
		unsigned char c = p[i];
		int k;

		if (c == '"' || c == '\\') {
			jbuf_putc(b, '\\');
			jbuf_putc(b, (char)c);
		} else if (c == '\n') {
			jbuf_puts(b, "\\n");
		} else if (c == '\t') {
			jbuf_puts(b, "\\t");
		} else if (c == '\r') {
			jbuf_puts(b, "\\r");
		} else if (c >= 0x20 && c < 0x7f) {
			jbuf_putc(b, (char)c);
		} else if (c >= 0x80 && (k = ref_utf8_len(p + i, n - i)) > 0 &&
			   !(k == 2 && c == 0xc2 && p[i + 1] < 0xa0)) {
			jbuf_put(b, (const char *)p + i, (size_t)k);
			i += (size_t)k;
			continue;
		} else {
			jbuf_printf(b, "\\x%02x", c);
		}
		i++;
	}
	jbuf_putc(b, '"');
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)rng_state;
}

static void test_fast_escapers_match_reference_on_random_input(void **state)
{
	/* bytes chosen to hit every class: plain, specials, controls, UTF-8 parts */
	static const unsigned char alphabet[] = { 'a', 'Z', '0', ' ', '/', '"', '\\', '\n', '\t',
						  '\r', 0x01, 0x1f, 0x7f, 0x80, 0xbf, 0xc2, 0xc3,
						  0xe0, 0xe2, 0xed, 0xf0, 0xf4, 0xa0, 0x9f, 0xff };
	struct jbuf got = JBUF_INIT, want = JBUF_INIT;
	unsigned char in[80];
	int iter;

	(void)state;
	for (iter = 0; iter < 200000; iter++) {
		size_t n = rnd() % sizeof(in), i;
		int plain_bias = (int)(rnd() % 4);

		for (i = 0; i < n; i++) {
			uint32_t r = rnd();

			/* mostly plain text at some iterations, to exercise the 8-byte path */
			if ((int)(r % 4) < plain_bias)
				in[i] = (unsigned char)('a' + r % 26);
			else
				in[i] = alphabet[(r >> 8) % sizeof(alphabet)];
		}
		jbuf_reset(&got);
		jbuf_reset(&want);
		json_str(&got, (const char *)in, n);
		ref_json(&want, in, n);
		assert_int_equal(got.err, 0);
		assert_int_equal(got.len, want.len);
		assert_memory_equal(got.buf, want.buf, got.len);

		jbuf_reset(&got);
		jbuf_reset(&want);
		text_quote(&got, (const char *)in, n);
		ref_text(&want, in, n);
		assert_int_equal(got.err, 0);
		assert_int_equal(got.len, want.len);
		assert_memory_equal(got.buf, want.buf, got.len);
	}
	jbuf_release(&got);
	jbuf_release(&want);
}

static void test_nesting_to_max_depth_and_overflow_error(void **state)
{
	struct jbuf b = JBUF_INIT;
	size_t len;
	int i;

	(void)state;
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_arr_begin(&b);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_arr_end(&b);
	assert_int_equal(b.err, 0);
	assert_int_equal(b.len, 2 * JSON_MAX_DEPTH);

	jbuf_reset(&b);
	for (i = 0; i <= JSON_MAX_DEPTH; i++) {
		json_obj_begin(&b);
		json_key(&b, "k");
	}
	assert_int_equal(b.err, -E2BIG);
	/* sticky: further calls change nothing */
	len = b.len;
	json_kv_int(&b, "x", 1);
	jbuf_puts(&b, "more");
	json_obj_end(&b);
	assert_int_equal(b.len, len);
	assert_int_equal(b.err, -E2BIG);
	assert_string_equal(jbuf_cstr(&b), "");
	jbuf_release(&b);
}

static void test_misuse_is_reported_as_einval(void **state)
{
	struct jbuf b = JBUF_INIT;

	(void)state;
	json_arr_begin(&b);
	json_key(&b, "k");		/* key in an array */
	assert_int_equal(b.err, -EINVAL);

	jbuf_reset(&b);
	json_obj_begin(&b);
	json_int(&b, 1);		/* value without a key */
	assert_int_equal(b.err, -EINVAL);

	jbuf_reset(&b);
	json_obj_begin(&b);
	json_arr_end(&b);		/* mismatched end */
	assert_int_equal(b.err, -EINVAL);

	jbuf_reset(&b);
	json_obj_end(&b);		/* end at depth 0 */
	assert_int_equal(b.err, -EINVAL);

	jbuf_reset(&b);
	json_obj_begin(&b);
	json_key(&b, "a");
	json_key(&b, "b");		/* two keys in a row */
	assert_int_equal(b.err, -EINVAL);

	jbuf_reset(&b);
	json_obj_begin(&b);
	json_key(&b, "a");
	json_obj_end(&b);		/* key without value */
	assert_int_equal(b.err, -EINVAL);

	jbuf_reset(&b);
	json_key(&b, "top");		/* key at depth 0 */
	assert_int_equal(b.err, -EINVAL);
	jbuf_release(&b);
}

static void test_reset_clears_error_and_keeps_memory(void **state)
{
	struct jbuf b = JBUF_INIT;
	char *mem;
	size_t cap;

	(void)state;
	b.err = -ENOMEM;		/* as after a failed allocation */
	json_int(&b, 5);
	jbuf_putc(&b, 'x');
	assert_int_equal(b.len, 0);
	assert_null(b.buf);

	jbuf_reset(&b);
	json_obj_begin(&b);
	json_kv_str(&b, "path", "/srv/models/resnet50.pt");
	json_obj_end(&b);
	assert_int_equal(b.err, 0);
	mem = b.buf;
	cap = b.cap;
	/* a warm buffer encodes the same record again without growing */
	jbuf_reset(&b);
	assert_int_equal(b.len, 0);
	json_obj_begin(&b);
	json_kv_str(&b, "path", "/srv/models/resnet50.pt");
	json_obj_end(&b);
	assert_ptr_equal(b.buf, mem);
	assert_int_equal(b.cap, cap);
	assert_string_equal(out(&b), "{\"path\":\"/srv/models/resnet50.pt\"}");
	jbuf_release(&b);
	jbuf_release(&b);	/* safe twice */
	assert_null(b.buf);
}

static void test_buffer_grows_for_long_data(void **state)
{
	struct jbuf b = JBUF_INIT;
	char *big;
	size_t i;

	(void)state;
	big = malloc(100000);
	assert_non_null(big);
	for (i = 0; i < 100000; i++)
		big[i] = (char)('a' + i % 26);
	json_str(&b, big, 100000);
	assert_int_equal(b.err, 0);
	assert_int_equal(b.len, 100002);
	assert_memory_equal(b.buf + 1, big, 100000);

	jbuf_reset(&b);
	jbuf_put(&b, big, 100000);
	jbuf_printf(&b, "|%d|%s|", 42, "end");
	jbuf_printf(&b, "%.*s", 500, big);
	assert_int_equal(b.err, 0);
	assert_int_equal(b.len, 100000 + 8 + 500);
	assert_memory_equal(b.buf + 100000, "|42|end|", 8);
	free(big);
	jbuf_release(&b);
}

static void test_printf_into_fresh_buffer(void **state)
{
	struct jbuf b = JBUF_INIT;

	(void)state;
	jbuf_printf(&b, "%s=%llu", "events", 12345ULL);
	assert_string_equal(out(&b), "events=12345");
	jbuf_release(&b);
}

static void test_text_quote_c_style(void **state)
{
	(void)state;
	assert_text_quote("", 0, "\"\"");
	assert_text_quote("plain text /x", 13, "\"plain text /x\"");
	assert_text_quote("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	assert_text_quote("\n\t\r", 3, "\"\\n\\t\\r\"");
	assert_text_quote("\x01\x1b[31m\x7f", 7, "\"\\x01\\x1b[31m\\x7f\"");
	assert_text_quote("a\0b", 3, "\"a\\x00b\"");
	/* valid UTF-8 is text; invalid bytes and C1 controls are escaped */
	assert_text_quote("caf\xc3\xa9 \xe2\x82\xac", 9, "\"caf\xc3\xa9 \xe2\x82\xac\"");
	assert_text_quote("\xff\xc3", 2, "\"\\xff\\xc3\"");
	assert_text_quote("\xc2\x9b", 2, "\"\\xc2\\x9b\"");
	assert_text_quote("\xc2\xa0", 2, "\"\xc2\xa0\"");
	assert_text_quote("0123456789abcdef\"0123456789", 27,
			  "\"0123456789abcdef\\\"0123456789\"");
	/*
	 * security review 15: a bidi override disguised "bidi<U+202E>fdp.exe"
	 * as "bidiexe.pdf" in a terminal; every direction mark is written as
	 * \uXXXX, other text (U+2028, U+2070 beside them) passes
	 */
	assert_text_quote("bidi\xe2\x80\xae" "fdp.exe", 14, "\"bidi\\u202e" "fdp.exe\"");
	assert_text_quote("\xe2\x80\x8e\xe2\x80\x8f\xe2\x80\xaa\xe2\x81\xa6\xe2\x81\xa9\xd8\x9c", 17,
			  "\"\\u200e\\u200f\\u202a\\u2066\\u2069\\u061c\"");
	assert_text_quote("\xe2\x80\xa8\xe2\x81\xb0", 6, "\"\xe2\x80\xa8\xe2\x81\xb0\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_containers),
		cmocka_unit_test(test_object_commas_and_all_value_types),
		cmocka_unit_test(test_integers_extremes),
		cmocka_unit_test(test_unsigned_every_length_as_printf),
		cmocka_unit_test(test_time_ns_as_printf),
		cmocka_unit_test(test_counter_as_printf),
		cmocka_unit_test(test_top_level_values_have_no_commas),
		cmocka_unit_test(test_string_escapes_json_specials_and_controls),
		cmocka_unit_test(test_valid_utf8_passes_unchanged),
		cmocka_unit_test(test_each_invalid_utf8_byte_becomes_replacement),
		cmocka_unit_test(test_fast_escapers_match_reference_on_random_input),
		cmocka_unit_test(test_nesting_to_max_depth_and_overflow_error),
		cmocka_unit_test(test_misuse_is_reported_as_einval),
		cmocka_unit_test(test_reset_clears_error_and_keeps_memory),
		cmocka_unit_test(test_buffer_grows_for_long_data),
		cmocka_unit_test(test_printf_into_fresh_buffer),
		cmocka_unit_test(test_text_quote_c_style),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
