// SPDX-License-Identifier: MIT
/* hex.c - see hex.h */
#include <errno.h>
#include <string.h>

#include "hex.h"

void hex_encode(const uint8_t *bin, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex_digit(bin[i] >> 4);
		out[2 * i + 1] = hex_digit(bin[i]);
	}
	out[2 * n] = '\0';
}

int hex_decode(const char *hex, uint8_t *bin, size_t n)
{
	if (strnlen(hex, 2 * n + 1) != 2 * n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		bin[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
