// SPDX-License-Identifier: MIT
/*
 * decomp.c - the compressors joblib and pickle files use besides zlib and
 * gzip (zip.c's inflate_mem): bzip2 (libbz2) and xz and the legacy .lzma
 * format (liblzma). See scan_int.h: decomp_mem.
 *
 * Untrusted input: the output is capped as inflate_mem caps it (the
 * member's cap and the scan's inflated budget, shared with zlib), and
 * liblzma's memory for its dictionary is limited (a stream that asks for
 * more is refused, not obeyed).
 */
#include <bzlib.h>
#include <errno.h>
#include <limits.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"

/* what liblzma may allocate for one stream: xz -9's 64 MiB dictionary fits */
#define DECOMP_LZMA_MEMLIMIT (80u << 20)

static uint32_t rd32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* a dictionary size liblzma's encoders write: 2^n or 2^n + 2^(n-1), 4 KiB at least */
static bool lzma_dict_ok(uint32_t d)
{
	for (int n = 12; n < 32; n++) {
		uint32_t p = 1u << n;

		if (d == p || d == p + (p >> 1))
			return true;
	}
	return false;
}

enum scan_codec decomp_codec_of(const uint8_t *p, size_t len)
{
	if (len >= 4 && memcmp(p, "BZh", 3) == 0 && p[3] >= '1' && p[3] <= '9')
		return CODEC_BZIP2;
	if (len >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0)
		return CODEC_XZ;
	/*
	 * .lzma (LZMA_Alone): properties byte lc/lp/pb < 225, a dictionary of
	 * 2^n or 2^n + 2^(n-1) bytes (liblzma's encoder writes only those), and
	 * the size: known (< 2^38 here) or -1
	 */
	if (len >= 13 && p[0] < 225 && lzma_dict_ok(rd32le(p + 1))) {
		uint64_t size = 0;

		for (int i = 0; i < 8; i++)
			size |= (uint64_t)p[5 + i] << (8 * i);
		if (size == UINT64_MAX || size < (1ull << 38))
			return CODEC_LZMA;
	}
	return CODEC_NONE;
}

const char *decomp_codec_name(enum scan_codec k)
{
	switch (k) {
	case CODEC_BZIP2:
		return "bzip2";
	case CODEC_XZ:
		return "xz";
	case CODEC_LZMA:
		return "lzma";
	default:
		return "none";
	}
}

/* room for more bytes after @used in *@b (capacity *@bcap, at most @cap); 1 when full */
static int grow(uint8_t **b, size_t *bcap, size_t used, size_t cap)
{
	size_t ncap;
	uint8_t *nb;

	if (used < *bcap)
		return 0;
	if (*bcap >= cap)
		return 1;
	ncap = *bcap * 2 > cap ? cap : *bcap * 2;
	nb = realloc(*b, ncap);
	if (!nb)
		return -ENOMEM;
	*b = nb;
	*bcap = ncap;
	return 0;
}

/* the most the next step may write: the buffer's room within the scan's budget; 0: spent */
static size_t step_room(const struct scan_ctx *c, size_t bcap, size_t used)
{
	uint64_t budget = inflate_budget(c) - c->inflated;
	size_t want = bcap - used;

	if (want > budget)
		want = (size_t)budget;
	return want > UINT_MAX ? UINT_MAX : want;
}

/*
 * next_room - the size of the next step's output, the buffer grown for it;
 * 0 when decompression stops here: *@cut (the cap, or the budget: then *@ret
 * is -E2BIG) or *@ret (-ENOMEM)
 */
static size_t next_room(struct scan_ctx *c, uint8_t **b, size_t *bcap, size_t used, size_t cap,
			bool *cut, int *ret)
{
	int g = grow(b, bcap, used, cap);
	size_t want;

	if (g) {
		if (g < 0)
			*ret = g;
		else
			*cut = true;
		return 0;
	}
	want = step_room(c, *bcap, used);
	if (!want) {
		*cut = true;
		*ret = -E2BIG;
	}
	return want;
}

static int bz2_run(struct scan_ctx *c, const uint8_t *in, size_t inlen, size_t cap, uint8_t **b,
		   size_t *bcap, size_t *used, bool *cut)
{
	bz_stream z;
	size_t off = 0;
	int ret = 0;

	/* one stream after another, as Python's bz2 module reads them */
	while (off < inlen && !ret && !*cut) {
		bool end = false;

		memset(&z, 0, sizeof(z));
		if (BZ2_bzDecompressInit(&z, 0, 0) != BZ_OK)
			return -ENOMEM;
		while (!end) {
			size_t want = next_room(c, b, bcap, *used, cap, cut, &ret), before;
			int zr;

			if (!want)
				break;
			z.next_in = (char *)(in + off);
			z.avail_in = inlen - off > UINT_MAX ? UINT_MAX : (unsigned int)(inlen - off);
			z.next_out = (char *)(*b + *used);
			z.avail_out = (unsigned int)want;
			before = z.avail_in;
			zr = BZ2_bzDecompress(&z);
			off += before - z.avail_in;
			c->inflated += want - z.avail_out;
			*used += want - z.avail_out;
			if (zr == BZ_STREAM_END) {
				end = true;
			} else if (zr != BZ_OK) {
				ret = zr == BZ_MEM_ERROR ? -ENOMEM : -EIO;
				break;
			} else if (off >= inlen && z.avail_out) {
				ret = -EIO;	/* the data ends early */
				break;
			}
		}
		BZ2_bzDecompressEnd(&z);
		/* what follows a stream is another one, or trailing bytes we ignore as Python does */
		if (end && (inlen - off < 4 || memcmp(in + off, "BZh", 3)))
			break;
	}
	return ret;
}

static int lzma_run(struct scan_ctx *c, enum scan_codec k, const uint8_t *in, size_t inlen,
		    size_t cap, uint8_t **b, size_t *bcap, size_t *used, bool *cut)
{
	lzma_stream z = LZMA_STREAM_INIT;
	lzma_ret lr;
	int ret = 0;

	if (k == CODEC_XZ)
		lr = lzma_stream_decoder(&z, DECOMP_LZMA_MEMLIMIT, LZMA_CONCATENATED);
	else
		lr = lzma_alone_decoder(&z, DECOMP_LZMA_MEMLIMIT);
	if (lr != LZMA_OK)
		return -ENOMEM;
	z.next_in = in;
	z.avail_in = inlen;
	for (;;) {
		size_t want = next_room(c, b, bcap, *used, cap, cut, &ret);

		if (!want)
			break;
		z.next_out = *b + *used;
		z.avail_out = want;
		lr = lzma_code(&z, z.avail_in ? LZMA_RUN : LZMA_FINISH);
		c->inflated += want - z.avail_out;
		*used += want - z.avail_out;
		if (lr == LZMA_STREAM_END)
			break;
		if (lr == LZMA_MEMLIMIT_ERROR) {
			ret = -EFBIG;
			break;
		}
		if (lr == LZMA_MEM_ERROR) {
			ret = -ENOMEM;
			break;
		}
		if (lr != LZMA_OK) {
			ret = -EIO;	/* corrupt, or the data ends early (LZMA_BUF_ERROR) */
			break;
		}
	}
	lzma_end(&z);
	return ret;
}

int decomp_mem(struct scan_ctx *c, enum scan_codec k, const uint8_t *in, size_t inlen, size_t cap,
	       uint8_t **out, size_t *outlen, bool *cut)
{
	size_t bcap, used = 0;
	uint8_t *b;
	int ret;

	*out = NULL;
	*outlen = 0;
	*cut = false;
	if (k != CODEC_BZIP2 && k != CODEC_XZ && k != CODEC_LZMA)
		return -EINVAL;
	if (c->inflated >= inflate_budget(c))
		return -E2BIG;
	bcap = cap < 65536 ? cap : 65536;
	b = malloc(bcap ? bcap : 1);
	if (!b)
		return -ENOMEM;
	if (k == CODEC_BZIP2)
		ret = bz2_run(c, in, inlen, cap, &b, &bcap, &used, cut);
	else
		ret = lzma_run(c, k, in, inlen, cap, &b, &bcap, &used, cut);
	if (!used) {
		free(b);
		return ret ? ret : 0;
	}
	*out = b;
	*outlen = used;
	return ret;
}

int decomp_head_is_pickle(struct scan_ctx *c, const uint8_t *p, size_t len)
{
	enum scan_codec k = decomp_codec_of(p, len);
	uint8_t *out;
	size_t n;
	bool cut;
	int ret, yes;

	if (k == CODEC_NONE)
		return 0;
	ret = decomp_mem(c, k, p, len, 512, &out, &n, &cut);
	yes = out && pk_looks_like(out, n);
	free(out);
	if (yes)
		return 1;
	return ret && ret != -E2BIG ? ret : 0;
}
