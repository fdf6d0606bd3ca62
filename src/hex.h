/* SPDX-License-Identifier: MIT */
/*
 * hex.h - lowercase hexadecimal: digits, encoding and strict decoding.
 * The one helper for digests (sha256 fields), escapes (\u00XX, \xNN) and
 * whatever else prints bytes; no allocation.
 */
#ifndef LTRACK_HEX_H
#define LTRACK_HEX_H

#include <stddef.h>
#include <stdint.h>

/* hex_digit - the lowercase digit of the low 4 bits of @v */
static inline char hex_digit(unsigned int v)
{
	return "0123456789abcdef"[v & 15];
}

/* hex_nibble - the value of one lowercase digit @c, or -1 (uppercase too: -1) */
static inline int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* hex_value - the value of one digit @c of either case, or -1 (TOML, JSON and pickle escapes) */
static inline int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* hex_encode - @n bytes of @bin as 2 * @n digits and a NUL into @out */
void hex_encode(const uint8_t *bin, size_t n, char *out);

/*
 * hex_decode - exactly 2 * @n lowercase digits of @hex (then its NUL) into
 * @n bytes of @bin. 0, or -EINVAL for any other length or character (@bin
 * may then be partly written).
 */
int hex_decode(const char *hex, uint8_t *bin, size_t n);

#endif
