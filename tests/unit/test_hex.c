// SPDX-License-Identifier: MIT
/*
 * test_hex.c - the hexadecimal helper (src/hex.h): a round trip of every
 * byte value, and strict decoding (length, case, foreign characters).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "hex.h"

static void encode_every_byte_and_back(void **state)
{
	uint8_t bin[256], back[256];
	char hex[513];

	(void)state;
	for (int i = 0; i < 256; i++)
		bin[i] = (uint8_t)i;
	hex_encode(bin, sizeof(bin), hex);
	assert_int_equal(strlen(hex), 512);
	assert_memory_equal(hex, "000102", 6);
	assert_string_equal(hex + 500, "fafbfcfdfeff");
	assert_int_equal(hex_decode(hex, back, sizeof(back)), 0);
	assert_memory_equal(bin, back, sizeof(bin));
}

static void encode_a_digest(void **state)
{
	/* SHA-256 of "" as sha256sum prints it */
	static const uint8_t d[32] = {
		0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
		0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
		0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
	};
	char hex[65];

	(void)state;
	hex_encode(d, sizeof(d), hex);
	assert_string_equal(hex,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void decode_is_strict(void **state)
{
	uint8_t b[2];

	(void)state;
	assert_int_equal(hex_decode("0a1f", b, 2), 0);
	assert_int_equal(b[0], 0x0a);
	assert_int_equal(b[1], 0x1f);
	assert_int_equal(hex_decode("0a1", b, 2), -EINVAL);	/* short */
	assert_int_equal(hex_decode("", b, 2), -EINVAL);
	assert_int_equal(hex_decode("0a1f0", b, 2), -EINVAL);	/* long */
	assert_int_equal(hex_decode("0A1f", b, 2), -EINVAL);	/* digests are lowercase */
	assert_int_equal(hex_decode("0g1f", b, 2), -EINVAL);
	assert_int_equal(hex_decode(" a1f", b, 2), -EINVAL);
	assert_int_equal(hex_nibble('f'), 15);
	assert_int_equal(hex_nibble('/'), -1);
	assert_int_equal(hex_digit(0x1a), 'a');	/* the low 4 bits */
}

/* hex_value: every byte value, against the digit sets of both cases */
static void value_takes_both_cases(void **state)
{
	(void)state;
	for (int c = -128; c < 256; c++) {
		int want = -1;

		if (c >= '0' && c <= '9')
			want = c - '0';
		else if (c >= 'a' && c <= 'f')
			want = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			want = c - 'A' + 10;
		assert_int_equal(hex_value(c), want);
	}
	assert_int_equal(hex_value('F'), 15);
	assert_int_equal(hex_value('g'), -1);
	assert_int_equal(hex_value((char)0xc6), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encode_every_byte_and_back),
		cmocka_unit_test(encode_a_digest),
		cmocka_unit_test(decode_is_strict),
		cmocka_unit_test(value_takes_both_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
