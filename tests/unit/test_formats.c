// SPDX-License-Identifier: MIT
/*
 * tests for the scanner's non-pickle side (src/scan/sniff.c, zip.c,
 * torch.c, formats.c, json.c): sniffing by content, the lenient zip reader,
 * safetensors validation, GGUF chat templates, ONNX external data and
 * domains, Keras configs, numpy headers, tar, bounds. Inputs are built
 * byte by byte here; every assertion is an exact value.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>

#include "scan/scan.h"
#include "scan/scan_int.h"

static struct scan_report rep;

static struct scan_report *scan(const void *buf, size_t len, const char *name)
{
	scan_report_init(&rep);
	assert_int_equal(scan_buf(buf, len, name, NULL, &rep), 0);
	return &rep;
}

/* a growable byte buffer for building inputs */
struct bb {
	uint8_t *p;
	size_t n, cap;
};

static void put(struct bb *b, const void *s, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void put16(struct bb *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	put(b, x, 2);
}

static void put32(struct bb *b, uint32_t v)
{
	put16(b, (uint16_t)v);
	put16(b, (uint16_t)(v >> 16));
}

static void put64(struct bb *b, uint64_t v)
{
	put32(b, (uint32_t)v);
	put32(b, (uint32_t)(v >> 32));
}

static void puts_(struct bb *b, const char *s)
{
	put(b, s, strlen(s));
}

static const char EVIL[] = "\x80\x02" "cposix\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03.";

/* ---- zip writer: stored or deflated members, a central directory -------- */

struct zmember {
	const char *name;
	const void *data;
	size_t len;
	bool deflate;
};

static void zip_build(struct bb *b, const struct zmember *m, size_t n, bool with_cd)
{
	uint32_t offs[16];
	struct bb comp[16];

	assert_true(n <= 16);
	for (size_t i = 0; i < n; i++) {
		memset(&comp[i], 0, sizeof(comp[i]));
		if (m[i].deflate) {
			z_stream z = { 0 };
			size_t cap = compressBound(m[i].len) + 64;
			comp[i].p = malloc(cap);
			assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
			z.next_in = (uint8_t *)m[i].data;
			z.avail_in = (uInt)m[i].len;
			z.next_out = comp[i].p;
			z.avail_out = (uInt)cap;
			assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
			comp[i].n = z.total_out;
			deflateEnd(&z);
		} else {
			put(&comp[i], m[i].data, m[i].len);
		}
		offs[i] = (uint32_t)b->n;
		put32(b, 0x04034b50);
		put16(b, 20);
		put16(b, 0);
		put16(b, m[i].deflate ? 8 : 0);
		put32(b, 0);
		put32(b, 0);	/* crc: never checked */
		put32(b, (uint32_t)comp[i].n);
		put32(b, (uint32_t)m[i].len);
		put16(b, (uint16_t)strlen(m[i].name));
		put16(b, 0);
		puts_(b, m[i].name);
		put(b, comp[i].p, comp[i].n);
	}
	if (!with_cd)
		goto out;
	uint32_t cd = (uint32_t)b->n;
	for (size_t i = 0; i < n; i++) {
		put32(b, 0x02014b50);
		put16(b, 20);
		put16(b, 20);
		put16(b, 0);
		put16(b, m[i].deflate ? 8 : 0);
		put32(b, 0);
		put32(b, 0);
		put32(b, (uint32_t)comp[i].n);
		put32(b, (uint32_t)m[i].len);
		put16(b, (uint16_t)strlen(m[i].name));
		put16(b, 0);
		put16(b, 0);
		put16(b, 0);
		put16(b, 0);
		put32(b, 0);
		put32(b, offs[i]);
		puts_(b, m[i].name);
	}
	uint32_t cdsize = (uint32_t)b->n - cd;
	put32(b, 0x06054b50);
	put16(b, 0);
	put16(b, 0);
	put16(b, (uint16_t)n);
	put16(b, (uint16_t)n);
	put32(b, cdsize);
	put32(b, cd);
	put16(b, 0);
out:
	for (size_t i = 0; i < n; i++)
		free(comp[i].p);
}

/* ---- sniffing ---------------------------------------------------------------- */

static enum model_format sniff(const void *p, size_t n, const char *name)
{
	return scan_sniff(p, n, n, name);
}

static void test_sniff_magics(void **state)
{
	(void)state;
	uint8_t b[600] = { 0 };

	assert_int_equal(sniff("\x93NUMPY\x01\x00", 8, NULL), MF_NUMPY);
	assert_int_equal(sniff("GGUF\x03\0\0\0", 8, NULL), MF_GGUF);
	assert_int_equal(sniff("\x89HDF\r\n\x1a\n\0\0", 10, "m.h5"), MF_HDF5);
	assert_int_equal(sniff("\x89HDF\r\n\x1a\n\0\0", 10, "m.keras"), MF_KERAS);
	assert_int_equal(sniff("7z\xbc\xaf\x27\x1c\0\4", 8, NULL), MF_7Z);
	assert_int_equal(sniff("\x10\0\0\0TFL3\0\0\0\0", 12, NULL), MF_TFLITE);
	memcpy(b + 512, "\x89HDF\r\n\x1a\n", 8);
	assert_int_equal(sniff(b, sizeof(b), NULL), MF_HDF5);
	memset(b, 0, sizeof(b));
	memcpy(b, "model.bin", 9);
	memcpy(b + 257, "ustar\0" "00", 8);
	memcpy(b + 124, "00000000000", 11);
	assert_int_equal(sniff(b, sizeof(b), NULL), MF_TAR);
	/* safetensors: a length that fits, then '{' */
	assert_int_equal(sniff("\x02\0\0\0\0\0\0\0{}", 10, NULL), MF_SAFETENSORS);
	assert_int_equal(sniff("\x02\0\0\0\0\0\0\0{}", 10, "a.bin"), MF_SAFETENSORS);
	/* content wins over the name */
	assert_int_equal(sniff(EVIL, sizeof(EVIL) - 1, "weights.txt"), MF_PICKLE);
	assert_int_equal(sniff("PK\5\6" "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 22, NULL), MF_ZIP);
	assert_int_equal(sniff("", 0, NULL), MF_UNKNOWN);
}

static void test_sniff_pickles(void **state)
{
	(void)state;
	static const uint8_t legacy[] = { 0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9,
					  0x20, 0x6a, 0xa8, 0x50, 0x19, '.' };

	assert_int_equal(sniff(legacy, sizeof(legacy), NULL), MF_PYTORCH_LEGACY);
	assert_int_equal(sniff("(lp0\nI1\naI2\na.", 14, NULL), MF_PICKLE);
	assert_int_equal(sniff("cos\nsystem\n(S'id'\ntR.", 21, NULL), MF_PICKLE);
	assert_int_equal(sniff("]q\x00(K\x01K\x02e.", 10, NULL), MF_PICKLE);
	const char jl[] = "\x80\x04\x95\x10\0\0\0\0\0\0\0\x8c\x13joblib.numpy_pickle\x94.";
	assert_int_equal(sniff(jl, sizeof(jl) - 1, NULL), MF_JOBLIB);
	const char dl[] = "\x80\x04\x8c\x0a" "dill._dill\x94.";
	assert_int_equal(sniff(dl, sizeof(dl) - 1, NULL), MF_DILL);
	/* text is never a pickle */
	assert_int_equal(sniff("(hello world)\n", 14, NULL), MF_UNKNOWN);
	assert_int_equal(sniff("cat foo\nbar\n", 12, NULL), MF_UNKNOWN);
	assert_int_equal(sniff("Some text file\n", 15, NULL), MF_UNKNOWN);
	assert_int_equal(sniff("lorem ipsum", 11, NULL), MF_UNKNOWN);
	assert_int_equal(sniff("{\"a\": 1}\n", 9, NULL), MF_UNKNOWN);
	assert_int_equal(sniff("]\n", 2, NULL), MF_UNKNOWN);
	/* protocol header + a valid first opcode, then a head that ends mid-argument */
	assert_true(pk_looks_like((const uint8_t *)"\x80\x04\x95\x00\x01", 5));
	assert_false(pk_looks_like((const uint8_t *)"\x80\x07N.", 4));
	/* headerless streams may start with binary opcodes too (torch's persistent_load) */
	assert_int_equal(sniff("\x8c\x02hiq\x00\x85q\x01.", 10, NULL), MF_PICKLE);
	assert_int_equal(sniff("P0\n(K\x01t.", 8, NULL), MF_PICKLE);
	/* a PROTO header then garbage: a broken pickle, for the VM to call an error */
	assert_int_equal(sniff("\x80\x02\xff\xfe", 4, NULL), MF_PICKLE);
	/* a pickle's name and a first byte that is an opcode: tried as a pickle */
	assert_int_equal(sniff("hello", 5, "x.pkl"), MF_PICKLE);
	assert_int_equal(sniff("hello", 5, "x.txt"), MF_UNKNOWN);
	assert_int_equal(sniff(" hello", 6, "x.pkl"), MF_UNKNOWN);
}

static void test_pk_op_len(void **state)
{
	(void)state;
	assert_int_equal(pk_op_len((const uint8_t *)"N", 1), 1);
	assert_int_equal(pk_op_len((const uint8_t *)"K\x05", 2), 2);
	assert_int_equal(pk_op_len((const uint8_t *)"K", 1), SIZE_MAX);
	assert_int_equal(pk_op_len((const uint8_t *)"X\x03\0\0\0abc", 8), 8);
	assert_int_equal(pk_op_len((const uint8_t *)"X\x04\0\0\0abc", 8), SIZE_MAX);
	assert_int_equal(pk_op_len((const uint8_t *)"I12\n", 4), 4);
	assert_int_equal(pk_op_len((const uint8_t *)"Ix2\n", 4), 0);
	assert_int_equal(pk_op_len((const uint8_t *)"S'ab'\n", 6), 6);
	assert_int_equal(pk_op_len((const uint8_t *)"Sab\n", 4), 0);
	assert_int_equal(pk_op_len((const uint8_t *)"cos\nsystem\n", 11), 11);
	assert_int_equal(pk_op_len((const uint8_t *)"co s\nsystem\n", 12), 0);
	assert_int_equal(pk_op_len((const uint8_t *)" ", 1), 0);
	assert_int_equal(pk_op_len((const uint8_t *)"\x8d\xff\xff\xff\xff\xff\xff\xff\xff", 9), SIZE_MAX);
}

static void test_sniff_protobuf(void **state)
{
	(void)state;
	/* ir_version 8, producer "x", graph {}, opset {domain "", version 17} */
	static const uint8_t onnx[] = { 0x08, 0x08, 0x12, 0x01, 'x', 0x3a, 0x00, 0x42, 0x04,
					0x0a, 0x00, 0x10, 0x11 };
	static const uint8_t sm[] = { 0x08, 0x01, 0x12, 0x00 };

	assert_int_equal(sniff(onnx, sizeof(onnx), NULL), MF_ONNX);
	assert_int_equal(sniff(sm, sizeof(sm), "dir/saved_model.pb"), MF_TF_SAVEDMODEL);
	assert_int_equal(sniff("\x08\x01", 2, "x.onnx"), MF_ONNX);
	assert_int_equal(sniff("\x08\x01\x7f\x7f", 4, NULL), MF_UNKNOWN);
}

/* ---- zip ------------------------------------------------------------------------ */

struct names {
	char got[8][SCAN_MEMBER_MAX];
	int n;
	bool data[8];
};

static int collect(void *arg, const struct zip_entry *e)
{
	struct names *nm = arg;

	if (nm->n < 8) {
		snprintf(nm->got[nm->n], SCAN_MEMBER_MAX, "%s", e->name);
		nm->data[nm->n] = e->data != NULL;
		nm->n++;
	}
	return 0;
}

static void test_zip_walk_lenient(void **state)
{
	(void)state;
	struct zmember m[] = { { "archive/aaa", "0123456789", 10, false },
			       { "archive/data.pkl", EVIL, sizeof(EVIL) - 1, false },
			       { "archive/version", "3\n", 2, true } };
	struct bb b = { 0 };
	struct names nm = { 0 };
	bool damaged, cut;

	zip_build(&b, m, 3, true);
	assert_int_equal(zip_walk(b.p, b.n, 100, collect, &nm, &damaged, &cut), 3);
	assert_false(damaged);
	assert_string_equal(nm.got[1], "archive/data.pkl");
	/* the first local header destroyed: its entry is reported unreadable, the rest read */
	b.p[0] = 'X';
	memset(&nm, 0, sizeof(nm));
	assert_int_equal(zip_walk(b.p, b.n, 100, collect, &nm, &damaged, &cut), 3);
	assert_false(nm.data[0]);
	assert_true(nm.data[1]);
	assert_int_equal(sniff(b.p, b.n, NULL), MF_PYTORCH_ZIP);
	/* a scan still finds data.pkl (first: the loader's order), and says the archive is damaged */
	scan(b.p, b.n, "m.pt");
	assert_int_equal(rep.format, MF_PYTORCH_ZIP);
	assert_int_equal(rep.verdict, SCAN_DANGEROUS);
	assert_string_equal(rep.findings[0].member, "archive/data.pkl");
	assert_int_equal(rep.findings[0].severity, SCAN_DANGEROUS);
	assert_true(rep.nfindings >= 2);
	assert_string_equal(rep.findings[rep.nfindings - 1].member, "archive/aaa");
	assert_string_equal(rep.findings[rep.nfindings - 1].why,
			    "damaged zip entry: no local header at its offset");
	/* max entries */
	memset(&nm, 0, sizeof(nm));
	b.p[0] = 'P';
	assert_int_equal(zip_walk(b.p, b.n, 2, collect, &nm, &damaged, &cut), 2);
	assert_true(cut);
	free(b.p);
}

static void test_zip_no_central_directory(void **state)
{
	(void)state;
	struct zmember m[] = { { "m/data.pkl", EVIL, sizeof(EVIL) - 1, false },
			       { "m/version", "3\n", 2, false } };
	struct bb b = { 0 };
	struct names nm = { 0 };
	bool damaged, cut;

	zip_build(&b, m, 2, false);
	assert_int_equal(zip_walk(b.p, b.n, 100, collect, &nm, &damaged, &cut), 2);
	assert_true(damaged);
	assert_string_equal(nm.got[0], "m/data.pkl");
	assert_string_equal(nm.got[1], "m/version");
	assert_int_equal(sniff(b.p, b.n, NULL), MF_PYTORCH_ZIP);
	free(b.p);
}

static void test_zip_classify(void **state)
{
	(void)state;
	struct bb b = { 0 };
	struct zmember keras[] = { { "metadata.json", "{}", 2, false }, { "config.json", "{}", 2, false } };
	struct zmember ts[] = { { "m/code/__torch__.py", "x", 1, false },
				{ "m/constants.pkl", "\x80\x02).", 4, false },
				{ "m/data.pkl", "\x80\x02}.", 4, false } };
	struct zmember npz[] = { { "a.npy", "\x93NUMPY", 6, false }, { "b.npy", "\x93NUMPY", 6, true } };
	struct zmember mar[] = { { "MAR-INF/MANIFEST.json", "{}", 2, false } };
	struct zmember plain[] = { { "readme.txt", "hello", 5, true } };

	zip_build(&b, keras, 2, true);
	assert_int_equal(sniff(b.p, b.n, NULL), MF_KERAS);
	b.n = 0;
	zip_build(&b, ts, 3, true);
	assert_int_equal(sniff(b.p, b.n, NULL), MF_TORCHSCRIPT);
	b.n = 0;
	zip_build(&b, npz, 2, true);
	assert_int_equal(sniff(b.p, b.n, NULL), MF_NUMPY);
	b.n = 0;
	zip_build(&b, mar, 1, true);
	assert_int_equal(sniff(b.p, b.n, NULL), MF_TORCHSERVE_MAR);
	b.n = 0;
	zip_build(&b, plain, 1, true);
	assert_int_equal(sniff(b.p, b.n, NULL), MF_ZIP);
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.verdict, SCAN_CLEAN);
	assert_int_equal(rep.nfindings, 0);
	free(b.p);
}

static void test_zip_bomb_bounded(void **state)
{
	(void)state;
	size_t n = 48u << 20;
	uint8_t *big = malloc(n);
	struct bb b = { 0 };

	assert_non_null(big);
	memset(big, 'N', n);	/* a pickle of NONEs: it looks like one, so it is inflated */
	big[0] = 0x80;
	big[1] = 0x02;
	struct zmember m[] = { { "x.pkl", big, n, true } };
	zip_build(&b, m, 1, true);
	free(big);
	assert_true(b.n < (1u << 20));
	struct scan_limits lim;
	scan_limits_default(&lim);
	scan_report_init(&rep);
	assert_int_equal(scan_buf(b.p, b.n, NULL, &lim, &rep), 0);
	assert_true(rep.incomplete);	/* cut at SCAN_INFLATE_CAP */
	bool said = false;
	for (uint32_t k = 0; k < rep.nfindings; k++)
		said |= strcmp(rep.findings[k].why, "member inflates past 16777216 bytes: scanned only in part") == 0 &&
			strcmp(rep.findings[k].member, "x.pkl") == 0;
	assert_true(said);
	assert_int_equal(rep.verdict, SCAN_SUSPICIOUS);
	free(b.p);
}

static void test_zip_read_budget(void **state)
{
	(void)state;
	size_t n = 4u << 20;
	uint8_t *zeros = calloc(1, n);
	struct bb b = { 0 };
	struct names nm = { 0 };
	bool damaged, cut, owned;
	struct scan_limits lim;
	struct scan_report r;
	struct scan_ctx c = { .lim = &lim, .r = &r, .member = "" };
	const uint8_t *out;
	size_t outlen;

	struct zmember m[] = { { "z", zeros, n, true } };
	zip_build(&b, m, 1, true);
	free(zeros);
	scan_limits_default(&lim);
	lim.max_member_bytes = 1u << 20;
	scan_report_init(&r);
	struct zip_entry e;
	assert_int_equal(zip_walk(b.p, b.n, 10, collect, &nm, &damaged, &cut), 1);
	/* rebuild the entry by hand from the walk: stored fields */
	memset(&e, 0, sizeof(e));
	e.method = 8;
	e.data = b.p + 30 + 1;
	e.csize = e.avail = rd32(b.p + 18);
	e.usize = n;
	assert_int_equal(zip_read(&c, &e, inflate_cap(&c), &out, &outlen, &owned, &cut), 0);
	assert_true(owned);
	assert_true(cut);
	assert_int_equal(outlen, 1u << 20);
	assert_int_equal(c.inflated, 1u << 20);
	free((void *)out);
	/* the budget is spent: nothing more inflates */
	assert_int_equal(zip_read(&c, &e, inflate_cap(&c), &out, &outlen, &owned, &cut), -E2BIG);
	e.method = 12;
	assert_int_equal(zip_read(&c, &e, 10, &out, &outlen, &owned, &cut), -ENOTSUP);
	free(b.p);
}

/*
 * Review finding 2a: a parse error in one member of a torch zip does not
 * hide the payload of another. Either order in the archive.
 */
static void test_error_member_does_not_hide_payload(void **state)
{
	(void)state;
	for (int order = 0; order < 2; order++) {
		struct zmember m[2] = { { "x/data.pkl", EVIL, sizeof(EVIL) - 1, false },
					{ "x/zz.pkl", "\x80\x02N", 3, false } };
		struct zmember mm[2] = { m[order], m[1 - order] };
		struct bb b = { 0 };
		bool err = false, payload = false;

		zip_build(&b, mm, 2, true);
		scan(b.p, b.n, "errmask.pt");
		assert_int_equal(rep.format, MF_PYTORCH_ZIP);
		assert_int_equal(rep.verdict, SCAN_DANGEROUS);
		assert_string_equal(rep.error, "pickle at offset 3: data ends without STOP");
		for (uint32_t i = 0; i < rep.nfindings; i++) {
			err |= rep.findings[i].severity == SCAN_ERROR &&
			       !strcmp(rep.findings[i].member, "x/zz.pkl");
			payload |= rep.findings[i].severity == SCAN_DANGEROUS &&
				   !strcmp(rep.findings[i].member, "x/data.pkl") &&
				   !strcmp(rep.findings[i].global, "posix.system");
		}
		assert_true(err);
		assert_true(payload);
		free(b.p);
	}
}

/* "\x80\x02" then @n NONE, POP pairs, then NONE, STOP: 2n + 3 opcodes */
static void decoy_build(struct bb *b, size_t n)
{
	put(b, "\x80\x02", 2);
	for (size_t i = 0; i < n; i++)
		put(b, "N0", 2);
	put(b, "N.", 2);
}

/*
 * Review finding 2b: deflated decoy members ahead of the payload cannot
 * spend its opcode budget. Each member has its own; data.pkl (what
 * torch.load runs) is scanned first; a payload in another member still
 * gets a budget of its own after the decoys.
 */
static void test_decoys_cannot_spend_the_payloads_budget(void **state)
{
	static const char *const payload_names[] = { "x/data.pkl", "x/other.pkl" };
	struct scan_limits lim;
	struct bb decoy = { 0 };

	(void)state;
	scan_limits_default(&lim);
	lim.max_opcodes = 10000;
	decoy_build(&decoy, 4000);	/* 8003 opcodes: under one member's budget, 7 over it */
	for (int k = 0; k < 2; k++) {
		struct zmember m[8];
		char names[7][16];
		struct bb b = { 0 };
		bool payload = false;

		for (int i = 0; i < 7; i++) {
			snprintf(names[i], sizeof(names[i]), "x/decoy%d.pkl", i);
			m[i] = (struct zmember){ names[i], decoy.p, decoy.n, true };
		}
		m[7] = (struct zmember){ payload_names[k], EVIL, sizeof(EVIL) - 1, false };
		zip_build(&b, m, 8, true);
		scan_report_init(&rep);
		assert_int_equal(scan_buf(b.p, b.n, "hide.pt", &lim, &rep), 0);
		assert_int_equal(rep.verdict, SCAN_DANGEROUS);
		assert_false(rep.incomplete);
		assert_int_equal(rep.pickles, 8);
		for (uint32_t i = 0; i < rep.nfindings; i++)
			payload |= !strcmp(rep.findings[i].member, payload_names[k]) &&
				   !strcmp(rep.findings[i].global, "posix.system");
		assert_true(payload);
		/* data.pkl is the first member looked at */
		if (k == 0)
			assert_string_equal(rep.findings[0].member, "x/data.pkl");
		free(b.p);
	}
	/* one member over its own budget: incomplete, suspicious, never clean */
	lim.max_opcodes = 8000;
	{
		struct zmember m[1] = { { "x/data.pkl", decoy.p, decoy.n, true } };
		struct bb b = { 0 };

		zip_build(&b, m, 1, true);
		scan_report_init(&rep);
		assert_int_equal(scan_buf(b.p, b.n, "big.pt", &lim, &rep), 0);
		assert_int_equal(rep.verdict, SCAN_SUSPICIOUS);
		assert_true(rep.incomplete);
		free(b.p);
	}
	free(decoy.p);
}

static void test_torchscript_code(void **state)
{
	(void)state;
	static const char code[] = "def forward(self, x):\n    return torch.ops.my_ops.run(x)\n"
				   "def _x(self):\n    return __import__(\"os\").system(\"id\")\n";
	struct zmember m[] = { { "m/code/__torch__.py", code, sizeof(code) - 1, true },
			       { "m/constants.pkl", "\x80\x02).", 4, false },
			       { "m/data.pkl", "\x80\x02}.", 4, false } };
	struct bb b = { 0 };

	zip_build(&b, m, 3, true);
	scan(b.p, b.n, "m.pt");
	assert_int_equal(rep.format, MF_TORCHSCRIPT);
	assert_int_equal(rep.verdict, SCAN_SUSPICIOUS);
	assert_int_equal(rep.pickles, 2);
	assert_int_equal(rep.nfindings, 1);
	assert_string_equal(rep.findings[0].member, "m/code/__torch__.py");
	assert_string_equal(rep.findings[0].why, "TorchScript code uses '__import__'");
	assert_int_equal(rep.findings[0].offset, strstr(code, "__import__") - code);
	free(b.p);
}

/* ---- safetensors ----------------------------------------------------------------- */

static void st_build(struct bb *b, const char *hdr, size_t data)
{
	size_t n = strlen(hdr);

	b->n = 0;
	put64(b, n);
	puts_(b, hdr);
	for (size_t i = 0; i < data; i++)
		put(b, "\0", 1);
}

static void test_safetensors(void **state)
{
	(void)state;
	struct bb b = { 0 };

	st_build(&b, "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],"
		     "\"data_offsets\":[0,16]},\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[16,22]}}  ",
		 22);
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.format, MF_SAFETENSORS);
	assert_int_equal(rep.verdict, SCAN_CLEAN);
	assert_int_equal(rep.nfindings, 0);
	/* one byte too many at the end */
	st_build(&b, "{\"w\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 3);
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.verdict, SCAN_SUSPICIOUS);
	assert_string_equal(rep.findings[0].why, "safetensors: data ends at 63 but the file has 64 bytes");
	/* size vs shape */
	st_build(&b, "{\"w\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,4]}}", 4);
	scan(b.p, b.n, NULL);
	assert_string_equal(rep.findings[0].why,
			    "safetensors: tensor 'w' byte size does not match its shape and dtype");
	/* shape overflow */
	st_build(&b, "{\"w\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}", 0);
	scan(b.p, b.n, NULL);
	assert_string_equal(rep.findings[0].why,
			    "safetensors: tensor 'w' shape is not a list of sizes or overflows");
	/* overlap */
	st_build(&b, "{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
		     "\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[1,3]}}", 3);
	scan(b.p, b.n, NULL);
	assert_string_equal(rep.findings[0].why,
			    "safetensors: tensor 'b' data is not contiguous (gap or overlap)");
	/* duplicate keys, one spelled with an escape */
	st_build(&b, "{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
		     "\"\\u0077\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1);
	scan(b.p, b.n, NULL);
	assert_string_equal(rep.findings[0].why, "safetensors: duplicate key 'w'");
	/* unknown dtype, bad metadata */
	st_build(&b, "{\"__metadata__\":{\"a\":1},\"w\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1);
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.nfindings, 2);
	assert_string_equal(rep.findings[0].why, "safetensors: __metadata__ is not a map of strings");
	assert_string_equal(rep.findings[1].why, "safetensors: tensor 'w' has an unknown dtype");
	/* header length: too large, past the end, not JSON */
	b.n = 0;
	put64(&b, 100000001);
	puts_(&b, "{}");
	scan(b.p, b.n, "x.safetensors");
	assert_int_equal(rep.verdict, SCAN_ERROR);
	assert_string_equal(rep.error, "safetensors: header length 100000001 exceeds 100000000");
	st_build(&b, "{\"w\":[1,}", 0);
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.verdict, SCAN_ERROR);
	assert_string_equal(rep.error, "safetensors: header is not JSON (at byte 16)");
	free(b.p);
}

/* ---- GGUF -------------------------------------------------------------------------- */

static void gg_str(struct bb *b, const char *s)
{
	put64(b, strlen(s));
	puts_(b, s);
}

static void gguf_build(struct bb *b, const char *tmpl)
{
	b->n = 0;
	puts_(b, "GGUF");
	put32(b, 3);
	put64(b, 1);	/* tensors */
	put64(b, 3);	/* kv */
	gg_str(b, "general.architecture");
	put32(b, 8);
	gg_str(b, "llama");
	gg_str(b, "tokenizer.ggml.scores");	/* array of arrays of f32 */
	put32(b, 9);
	put32(b, 9);
	put64(b, 2);
	for (int k = 0; k < 2; k++) {
		put32(b, 6);
		put64(b, 2);
		put32(b, 0);
		put32(b, 0);
	}
	gg_str(b, "tokenizer.chat_template");
	put32(b, 8);
	gg_str(b, tmpl);
	gg_str(b, "w");
	put32(b, 1);
	put64(b, 8);
	put32(b, 0);
	put64(b, 0);
	while (b->n % 32)
		put(b, "\0", 1);
	for (int k = 0; k < 32; k++)
		put(b, "\0", 1);
}

static void test_gguf(void **state)
{
	(void)state;
	struct bb b = { 0 };

	gguf_build(&b, "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + "
		       "message['content'] + '<|im_end|>\\n' }}{% endfor %}");
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.format, MF_GGUF);
	assert_int_equal(rep.verdict, SCAN_CLEAN);
	assert_int_equal(rep.nfindings, 0);
	gguf_build(&b, "{{ self.__init__.__globals__.__builtins__.__import__('os').popen('id').read() }}");
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.verdict, SCAN_DANGEROUS);
	assert_string_equal(rep.findings[0].why,
			    "GGUF tokenizer.chat_template: template injection marker '__globals__'");
	gguf_build(&b, "{{ ''| attr ('\\x5f\\x5fclass\\x5f\\x5f') }}");
	scan(b.p, b.n, NULL);
	assert_string_equal(rep.findings[0].why,
			    "GGUF tokenizer.chat_template: template injection marker '|attr('");
	/* Llama 3 / Qwen style: selectattr, namespace, raise_exception are ordinary */
	gguf_build(&b, "{%- set ns = namespace(system='') -%}{%- for m in messages|selectattr('role', "
		       "'equalto', 'system') %}{% set ns.system = m['content'] %}{% endfor %}{% if "
		       "messages[0]['role'] == 'tool' %}{{ raise_exception('no tools') }}{% endif %}"
		       "{{ bos_token }}{%- for message in messages|rejectattr('role','equalto','system') "
		       "%}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + "
		       "message['content'] | trim + '<|eot_id|>' }}{%- endfor %}");
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.verdict, SCAN_CLEAN);
	assert_int_equal(rep.nfindings, 0);
	/* truncated inside the template */
	gguf_build(&b, "{{ messages }}");
	const uint8_t *tp = memmem(b.p, b.n, "{{ messages", 11);
	assert_non_null(tp);
	scan(b.p, (size_t)(tp - b.p) + 5, NULL);
	assert_int_equal(rep.verdict, SCAN_SUSPICIOUS);
	assert_string_equal(rep.findings[0].why,
			    "GGUF value of 'tokenizer.chat_template' truncated or malformed");
	/* counts larger than the file */
	b.n = 0;
	puts_(&b, "GGUF");
	put32(&b, 3);
	put64(&b, 1ull << 60);
	put64(&b, 1);
	scan(b.p, b.n, NULL);
	assert_string_equal(rep.findings[0].why,
			    "GGUF counts (1152921504606846976 tensors, 1 keys) exceed what the file can hold");
	free(b.p);
}

/* ---- ONNX -------------------------------------------------------------------------- */

static void pb_varint(struct bb *b, uint64_t v)
{
	do {
		uint8_t x = v & 0x7f;
		v >>= 7;
		if (v)
			x |= 0x80;
		put(b, &x, 1);
	} while (v);
}

static void pb_bytes(struct bb *b, unsigned field, const void *p, size_t n)
{
	pb_varint(b, field << 3 | 2);
	pb_varint(b, n);
	put(b, p, n);
}

static void pb_str(struct bb *b, unsigned field, const char *s)
{
	pb_bytes(b, field, s, strlen(s));
}

/* a model whose graph has one node (domain @dom) with an If subgraph holding a tensor at @loc */
static void onnx_build(struct bb *m, const char *dom, const char *loc)
{
	struct bb ext = { 0 }, t = { 0 }, sub = { 0 }, attr = { 0 }, node = { 0 }, g = { 0 }, op = { 0 };

	pb_str(&ext, 1, "location");
	pb_str(&ext, 2, loc);
	pb_str(&t, 8, "w");
	pb_bytes(&t, 13, ext.p, ext.n);
	pb_varint(&t, 14 << 3);
	pb_varint(&t, 1);
	pb_bytes(&sub, 5, t.p, t.n);	/* initializer of the subgraph */
	pb_str(&attr, 1, "then_branch");
	pb_bytes(&attr, 6, sub.p, sub.n);
	pb_str(&node, 4, "If");
	pb_bytes(&node, 5, attr.p, attr.n);
	if (dom)
		pb_str(&node, 7, dom);
	pb_bytes(&g, 1, node.p, node.n);
	pb_str(&op, 1, "");
	pb_varint(&op, 2 << 3);
	pb_varint(&op, 17);
	m->n = 0;
	pb_varint(m, 1 << 3);
	pb_varint(m, 8);
	pb_bytes(m, 7, g.p, g.n);
	pb_bytes(m, 8, op.p, op.n);
	free(ext.p);
	free(t.p);
	free(sub.p);
	free(attr.p);
	free(node.p);
	free(g.p);
	free(op.p);
}

static void test_onnx(void **state)
{
	(void)state;
	struct bb b = { 0 };

	onnx_build(&b, NULL, "weights/w.bin");
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.format, MF_ONNX);
	assert_int_equal(rep.verdict, SCAN_CLEAN);
	onnx_build(&b, "ai.onnx", "../../etc/shadow");
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.verdict, SCAN_DANGEROUS);
	assert_int_equal(rep.nfindings, 1);
	assert_string_equal(rep.findings[0].why,
			    "ONNX external data location escapes the model directory: ../../etc/shadow");
	onnx_build(&b, NULL, "/etc/passwd");
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.verdict, SCAN_DANGEROUS);
	onnx_build(&b, NULL, "a..b/w.bin");	/* '..' inside a name is not a parent */
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.verdict, SCAN_CLEAN);
	onnx_build(&b, "com.evil", "w.bin");
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.verdict, SCAN_SUSPICIOUS);
	assert_string_equal(rep.findings[0].why,
			    "ONNX custom operator domain 'com.evil' (op If): needs a host library");
	/* malformed: a length past the end */
	b.p[b.n - 1] = 0x7f;
	b.n -= 0;
	free(b.p);
}

/* ---- Keras ------------------------------------------------------------------------- */

static struct scan_report *keras(const char *json)
{
	static struct scan_limits lim;
	struct scan_ctx c = { .lim = &lim, .r = &rep, .member = "config.json" };

	scan_limits_default(&lim);
	scan_report_init(&rep);
	assert_int_equal(keras_config_scan(&c, (const uint8_t *)json, strlen(json), 0), 0);
	return &rep;
}

static void test_keras_config(void **state)
{
	(void)state;
	keras("{\"module\":\"keras\",\"class_name\":\"Sequential\",\"config\":{\"layers\":["
	      "{\"module\":\"keras.layers\",\"class_name\":\"Dense\",\"config\":{\"units\":2}}]}}");
	assert_int_equal(rep.verdict, SCAN_CLEAN);
	/* a Lambda deep inside a nested model */
	keras("{\"class_name\":\"Functional\",\"config\":{\"layers\":[{\"class_name\":\"Model\",\"config\":"
	      "{\"layers\":[{\"class_name\":\"Lambda\",\"config\":{\"function\":[\"4wEAAAAA\",null]}}]}}]}}");
	assert_int_equal(rep.verdict, SCAN_DANGEROUS);
	assert_int_equal(rep.nfindings, 1);
	assert_string_equal(rep.findings[0].member, "config.json");
	assert_string_equal(rep.findings[0].why, "Keras Lambda layer runs serialized code (4wEAAAAA)");
	keras("{\"class_name\":\"\\u005f_lambda__\",\"config\":{\"code\":\"YWJj\"}}");
	assert_string_equal(rep.findings[0].why, "Keras __lambda__ layer runs serialized code (YWJj)");
	keras("{\"module\":\"os\",\"class_name\":\"system\",\"config\":\"id\"}");
	assert_int_equal(rep.verdict, SCAN_DANGEROUS);
	assert_string_equal(rep.findings[0].global, "os");
	assert_string_equal(rep.findings[0].why, "Keras config imports module 'os' (CVE-2025-1550)");
	keras("{\"module\":\"kerasx.layers\",\"class_name\":\"D\"}");
	assert_int_equal(rep.verdict, SCAN_DANGEROUS);
	keras("[{\"config\":\"enable_\\u0075nsafe_deserialization\"}]");
	assert_string_equal(rep.findings[0].why, "Keras config references enable_unsafe_deserialization");
	keras("{\"class_name\":\"TFSMLayer\",\"config\":{\"filepath\":\"/tmp/m\"}}");
	assert_int_equal(rep.verdict, SCAN_SUSPICIOUS);
	keras("{\"class_name\":");
	assert_int_equal(rep.verdict, SCAN_SUSPICIOUS);
	assert_string_equal(rep.findings[0].why, "Keras config is not JSON");
}

static void test_hdf5_model_config(void **state)
{
	(void)state;
	struct bb b = { 0 };
	char zeros[600] = { 0 };

	put(&b, "\x89HDF\r\n\x1a\n", 8);
	put(&b, zeros, sizeof(zeros));
	puts_(&b, "{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Lambda\", "
		  "\"config\": {\"function\": [\"4wEAAAAA\", null, null]}}]}}");
	put(&b, zeros, 16);
	scan(b.p, b.n, "model.h5");
	assert_int_equal(rep.format, MF_HDF5);
	assert_int_equal(rep.verdict, SCAN_DANGEROUS);
	const uint8_t *lam = memmem(b.p, b.n, "Lambda", 6);
	assert_int_equal(rep.findings[0].offset, (uint64_t)(lam - b.p));
	assert_int_equal(rep.nfindings, 1);
	/* keys reordered and escaped: found from the attribute name */
	b.n = 0;
	put(&b, "\x89HDF\r\n\x1a\n", 8);
	put(&b, zeros, sizeof(zeros));
	puts_(&b, "model_config");
	put(&b, zeros, 40);
	puts_(&b, "{\"config\": {\"layers\": [{\"config\": {}, \"class_name\": \"\\u004cambda\"}]}, "
		  "\"class_name\": \"Sequential\"}");
	scan(b.p, b.n, "model.h5");
	assert_int_equal(rep.verdict, SCAN_DANGEROUS);
	assert_int_equal(rep.nfindings, 1);
	assert_string_equal(rep.findings[0].why, "Keras Lambda layer runs serialized code (no code)");
	free(b.p);
}

/* ---- numpy, tar, wrappers ------------------------------------------------------- */

static void npy_build(struct bb *b, const char *dict, const void *data, size_t n)
{
	char h[256];
	size_t hl = (size_t)snprintf(h, sizeof(h), "%s", dict);

	while ((10 + hl + 1) % 64)
		h[hl++] = ' ';
	h[hl++] = '\n';
	b->n = 0;
	put(b, "\x93NUMPY\x01\x00", 8);
	put16(b, (uint16_t)hl);
	put(b, h, hl);
	put(b, data, n);
}

static void test_numpy(void **state)
{
	(void)state;
	struct bb b = { 0 };
	float f[4] = { 1, 2, 3, 4 };

	npy_build(&b, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", f, sizeof(f));
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.format, MF_NUMPY);
	assert_int_equal(rep.verdict, SCAN_CLEAN);
	/* an object array of builtins (np.save of a list): its pickle's verdict, clean */
	npy_build(&b, "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", "\x80\x02]q\x00.", 6);
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.format, MF_NUMPY);
	assert_int_equal(rep.verdict, SCAN_CLEAN);
	assert_int_equal(rep.pickles, 1);
	/* one whose pickle calls os.system: dangerous, at the data's offset */
	npy_build(&b, "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", EVIL,
		  sizeof(EVIL) - 1);
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.verdict, SCAN_DANGEROUS);
	assert_string_equal(rep.findings[0].global, "posix.system");
	assert_true(rep.findings[0].offset >= 128);
	/* an object array without its pickle */
	npy_build(&b, "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", "", 0);
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.verdict, SCAN_SUSPICIOUS);
	assert_string_equal(rep.findings[0].why, "numpy array of Python objects without its pickle");
	/* structured dtype with an object field: its pickle is scanned */
	npy_build(&b, "{'descr': [('a', '<i4'), ('b', '|O')], 'fortran_order': False, 'shape': (1,), }",
		  EVIL, sizeof(EVIL) - 1);
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.verdict, SCAN_DANGEROUS);
	assert_int_equal(b.n, 128 + sizeof(EVIL) - 1);
	/* a field *named* O is no object */
	npy_build(&b, "{'descr': [('O', '<i4')], 'fortran_order': False, 'shape': (1,), }", "\0\0\0\0", 4);
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.verdict, SCAN_CLEAN);
	/* header past the end */
	b.n = 0;
	put(&b, "\x93NUMPY\x01\x00\xff\xff{", 11);
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.verdict, SCAN_ERROR);
	assert_string_equal(rep.error, "numpy: header runs past the end of the file");
	free(b.p);
}

/* the header's value for "descr", as a C string (NULL when no str) */
static const char *descr_of(struct pyl_doc *d, const char *lit)
{
	static char out[64];
	int32_t v;

	if (pyl_parse((const uint8_t *)lit, strlen(lit), d))
		return NULL;
	v = pyl_dict_get(d, d->root, "descr");
	if (v < 0 || d->n[v].type != PYL_STR || d->n[v].len >= sizeof(out))
		return NULL;
	memcpy(out, d->pool + d->n[v].off, d->n[v].len);
	out[d->n[v].len] = '\0';
	return out;
}

static void parse_is(struct pyl_doc *d, const char *lit, int want)
{
	if (pyl_parse((const uint8_t *)lit, strlen(lit), d) != want)
		fail_msg("%s: want %d (%s at %zu)", lit, want, d->err, d->err_off);
}

/* pylit.c: what ast.literal_eval reads, in every spelling numpy's header may use */
static void test_python_literals(void **state)
{
	struct pyl_doc *d = pyl_doc_new(4096);

	(void)state;
	assert_string_equal(descr_of(d, "{'descr': '|O'}"), "|O");
	assert_string_equal(descr_of(d, "{'descr': '\\x7cO'}"), "|O");
	assert_string_equal(descr_of(d, "{'descr': '\\174\\117'}"), "|O");
	assert_string_equal(descr_of(d, "{'descr': '\\u007cO'}"), "|O");
	assert_string_equal(descr_of(d, "{'descr': '|' \"O\" '8'}"), "|O8");
	assert_string_equal(descr_of(d, "{'descr': u'|O'}"), "|O");
	assert_string_equal(descr_of(d, "{'descr': r'\\x7c'}"), "\\x7c");	/* raw: kept */
	assert_string_equal(descr_of(d, "{'descr': '''|O'''}"), "|O");
	assert_string_equal(descr_of(d, "{'descr': # '<f8'\n '|O'}"), "|O");
	assert_string_equal(descr_of(d, "{'descr': '|\\\nO'}"), "|O");	/* continuation */
	assert_string_equal(descr_of(d, "{'de' 'scr': '|O'}"), "|O");
	assert_string_equal(descr_of(d, "{'descr': '<f8', 'descr': '|O'}"), "|O");	/* last wins */
	assert_string_equal(descr_of(d, "{\n'descr' :\t'|O' ,\n}  \n"), "|O");
	/* the other values */
	parse_is(d, "(1, -2.5e-3, 0x1F, 1_000, 3j, +.5)", 0);
	assert_int_equal(d->n[d->root].type, PYL_TUPLE);
	assert_int_equal(d->n[d->root].len, 6);
	parse_is(d, "{1, 2}", 0);
	assert_int_equal(d->n[d->root].type, PYL_SET);
	parse_is(d, "{}", 0);
	assert_int_equal(d->n[d->root].type, PYL_DICT);
	parse_is(d, "(1)", 0);	/* parentheses only */
	assert_int_equal(d->n[d->root].type, PYL_NUM);
	parse_is(d, "(1,)", 0);
	assert_int_equal(d->n[d->root].type, PYL_TUPLE);
	parse_is(d, "[None, True, False, b'\\xff']", 0);
	assert_int_equal(d->n[d->root].len, 4);
	assert_int_equal(pyl_parse((const uint8_t *)"{'a': 1}\0\0\0", 11, d), 0);	/* NUL padding */
	/* what literal_eval refuses */
	parse_is(d, "{'a': f'x'}", -EINVAL);
	parse_is(d, "'a' b'b'", -EINVAL);
	parse_is(d, "{'a': x}", -EINVAL);
	assert_string_equal(d->err, "not a literal");
	assert_int_equal(d->err_off, 6);
	parse_is(d, "{'a': 1", -EINVAL);
	parse_is(d, "'abc", -EINVAL);
	parse_is(d, "'a\nb'", -EINVAL);
	parse_is(d, "1, 2", -EINVAL);
	parse_is(d, "'\\N{VERTICAL LINE}'", -EINVAL);
	{
		char deep[200];

		memset(deep, '[', sizeof(deep));
		assert_int_equal(pyl_parse((const uint8_t *)deep, sizeof(deep), d), -EINVAL);
		assert_string_equal(d->err, "nested too deep");
	}
	pyl_doc_free(d);
}

/* numpy's rules on descr: each header as numpy would read it, objects or not */
static void test_numpy_header_grammar(void **state)
{
	static const struct {
		const char *descr;
		int objects;
	} cases[] = {
		{ "'|O'", 1 }, { "'O'", 1 }, { "'<O8'", 1 }, { "'O4'", 1 }, { "'object'", 1 },
		{ "'object_'", 1 }, { "'\\x7cO'", 1 }, { "'|' 'O'", 1 }, { "'f8,O'", 1 },
		{ "'f8, |O8'", 1 }, { "'(2,3)O'", 1 }, { "'3O'", 1 }, { "('|O', (2,))", 1 },
		{ "[('a', '<f8'), ('b', '|O')]", 1 }, { "[(('title', 'b'), 'O')]", 1 },
		{ "[('a', [('x', 'O')])]", 1 }, { "[('a', '|O', (2,))]", 1 },
		{ "{'names': ['O'], 'formats': ['O']}", 1 },
		{ "'<f8'", 0 }, { "'|b1'", 0 }, { "'<U5'", 0 }, { "'S3'", 0 }, { "'<M8[ns]'", 0 },
		{ "[('O', '<f8')]", 0 }, { "[(('O', 'O'), '<i4')]", 0 }, { "'Object'", 0 },
		{ "'f8,i4'", 0 }, { "('<f8', (2,))", 0 },
		{ "{'names': ['O'], 'formats': ['<f8']}", -1 }, { "42", -1 }, { "[('a',)]", -1 },
	};
	struct bb b = { 0 };
	char hdr[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(hdr, sizeof(hdr), "{'descr': %s, 'fortran_order': False, 'shape': (1,), }",
			 cases[i].descr);
		npy_build(&b, hdr, "\x80\x02]q\x00.", 6);
		if (npy_header_objects(b.p, b.n, NULL) != cases[i].objects)
			fail_msg("descr %s: got %d, want %d", cases[i].descr,
				 npy_header_objects(b.p, b.n, NULL), cases[i].objects);
	}
	/* not the keys numpy wants, or no literal: numpy refuses the file */
	npy_build(&b, "{'descr': '|O', 'shape': (1,), 'extra': 1}", "", 0);
	assert_int_equal(npy_header_objects(b.p, b.n, NULL), -1);
	npy_build(&b, "{'descr': '|O', 'shape': (1,)}", "", 0);
	assert_int_equal(npy_header_objects(b.p, b.n, NULL), -1);
	/* a missing comma: '|O' 'fortran_order' is one string, then ':' where ',' must be */
	npy_build(&b, "{'descr': '|O' 'fortran_order': False, 'shape': (1,)}", "", 0);
	assert_int_equal(npy_header_objects(b.p, b.n, NULL), -1);
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.verdict, SCAN_SUSPICIOUS);
	assert_string_equal(rep.findings[0].why,
			    "malformed numpy header (header is no Python literal: expected ',' or a "
			    "closing bracket at byte 40)");
	/* an escaped object dtype with a payload: the pickle is scanned */
	npy_build(&b, "{'descr': '\\x7c' 'O', 'fortran_order': False, 'shape': (1,), }",
		  "\x80\x02\x63posix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.", 31);
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.verdict, SCAN_DANGEROUS);
	free(b.p);
}

static void tar_member(struct bb *b, const char *name, const void *data, size_t n)
{
	uint8_t h[512] = { 0 };
	unsigned sum = 0;

	snprintf((char *)h, 100, "%s", name);
	memcpy(h + 100, "0000644", 7);
	snprintf((char *)h + 124, 12, "%011o", (unsigned)n);
	h[156] = '0';
	memcpy(h + 257, "ustar\0" "00", 8);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	put(b, h, 512);
	put(b, data, n);
	while (b->n % 512)
		put(b, "\0", 1);
}

static void test_tar(void **state)
{
	(void)state;
	struct bb b = { 0 };
	uint8_t end[1024] = { 0 };

	tar_member(&b, "sys_info", "\x80\x02}.", 4);
	tar_member(&b, "pickle", EVIL, sizeof(EVIL) - 1);
	put(&b, end, sizeof(end));
	assert_true(tar_is_torch(b.p, b.n));
	assert_int_equal(sniff(b.p, b.n, NULL), MF_PYTORCH_TAR);
	b.n = 0;
	tar_member(&b, "dir/readme.txt", "hello\n", 6);
	put(&b, end, sizeof(end));
	assert_false(tar_is_torch(b.p, b.n));
	scan(b.p, b.n, NULL);
	assert_int_equal(rep.format, MF_TAR);
	assert_int_equal(rep.verdict, SCAN_CLEAN);
	free(b.p);
}

static void test_wrappers(void **state)
{
	(void)state;
	scan("7z\xbc\xaf\x27\x1c\0\4\0\0", 10, NULL);
	assert_int_equal(rep.format, MF_7Z);
	assert_int_equal(rep.verdict, SCAN_SUSPICIOUS);
	assert_true(rep.incomplete);
	assert_string_equal(rep.findings[0].why, "wrapped in 7z: contents not scanned");
	scan("\x08\0\0\0TFL3\0\0\0\0\0\0", 14, NULL);
	assert_int_equal(rep.format, MF_TFLITE);
	assert_int_equal(rep.verdict, SCAN_CLEAN);
	static const uint8_t sm[] = { 0x08, 0x01, 0x12, 0x0c, 0x12, 0x0a, 0x0a, 0x08, 0x12, 0x06,
				      0x12, 0x08, 'R', 'e', 'a', 'd', 'F', 'i', 'l', 'e' };
	scan(sm, sizeof(sm), "saved_model.pb");
	assert_int_equal(rep.format, MF_TF_SAVEDMODEL);
	assert_int_equal(rep.verdict, SCAN_SUSPICIOUS);
	assert_string_equal(rep.findings[0].why, "TensorFlow graph uses the ReadFile op (file access)");
	/* lz4 (no library): reported, never clean */
	scan("\x04\x22\x4d\x18\x64\x40\xa7", 7, "m.joblib.lz4");
	assert_int_equal(rep.format, MF_JOBLIB);
	assert_int_equal(rep.verdict, SCAN_SUSPICIOUS);
	assert_string_equal(rep.findings[0].why, "joblib compressed with lz4: contents not scanned");
}

/* ---- compressed pickles: bzip2, xz, lzma, gzip, zlib ---------------------------------- */

enum { C_BZ2, C_XZ, C_LZMA, C_GZIP, C_ZLIB, C_N };

static void compress_as(int codec, const void *in, size_t len, struct bb *out)
{
	size_t cap = len * 2 + 1024;

	out->p = malloc(cap);
	out->n = 0;
	assert_non_null(out->p);
	if (codec == C_BZ2) {
		unsigned int n = (unsigned int)cap;

		assert_int_equal(BZ2_bzBuffToBuffCompress((char *)out->p, &n, (char *)in,
							  (unsigned int)len, 9, 0, 0), BZ_OK);
		out->n = n;
	} else if (codec == C_XZ || codec == C_LZMA) {
		lzma_stream z = LZMA_STREAM_INIT;
		lzma_options_lzma o;

		assert_false(lzma_lzma_preset(&o, 3));
		if (codec == C_XZ)
			assert_int_equal(lzma_easy_encoder(&z, 3, LZMA_CHECK_CRC64), LZMA_OK);
		else
			assert_int_equal(lzma_alone_encoder(&z, &o), LZMA_OK);
		z.next_in = in;
		z.avail_in = len;
		z.next_out = out->p;
		z.avail_out = cap;
		assert_int_equal(lzma_code(&z, LZMA_FINISH), LZMA_STREAM_END);
		out->n = z.total_out;
		lzma_end(&z);
	} else {
		z_stream z = { 0 };

		assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, codec == C_GZIP ? 31 : 15, 8,
					      Z_DEFAULT_STRATEGY), Z_OK);
		z.next_in = (uint8_t *)in;
		z.avail_in = (uInt)len;
		z.next_out = out->p;
		z.avail_out = (uInt)cap;
		assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
		out->n = z.total_out;
		deflateEnd(&z);
	}
}

static bool has_global(const char *g)
{
	for (size_t i = 0; i < rep.nfindings; i++)
		if (rep.findings[i].global[0] && !strcmp(rep.findings[i].global, g))
			return true;
	return false;
}

/*
 * a pickle compressed by each compressor joblib and pickle users use is
 * scanned whatever the file is called (joblib's names, .sav, .bin, none);
 * a cut or corrupt stream is an error, never clean
 */
static void test_compressed_pickles_by_content(void **state)
{
	static const char *const names[] = { "m.joblib", "model.sav", "model.bin", "data",
					     NULL };
	static const char benign[] = "\x80\x04\x95\x0a\0\0\0\0\0\0\0}\x94\x8c\x01" "a\x94K\x01s.";
	struct bb z;

	(void)state;
	for (int k = 0; k < C_N; k++) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			compress_as(k, EVIL, sizeof(EVIL) - 1, &z);
			scan(z.p, z.n, names[i]);
			assert_int_equal(rep.format, MF_JOBLIB);
			assert_int_equal(rep.verdict, SCAN_DANGEROUS);
			assert_true(has_global("posix.system"));
			free(z.p);
			compress_as(k, benign, sizeof(benign) - 1, &z);
			scan(z.p, z.n, names[i]);
			assert_int_equal(rep.format, MF_JOBLIB);
			assert_int_equal(rep.verdict, SCAN_CLEAN);
			assert_int_equal(rep.nfindings, 0);
			/* cut in the middle: what came out is scanned, the rest is an error */
			scan(z.p, z.n / 2 + 2, names[i] ? names[i] : "m.joblib");
			assert_int_equal(rep.verdict, SCAN_ERROR);
			/*
			 * one byte near the end flipped: never clean (under a name
			 * of its own, a raw zlib stream's two-byte header is too weak
			 * to call a stream that does not inflate a compressed file)
			 */
			z.p[z.n - 6] ^= 0x55;
			scan(z.p, z.n, k == C_ZLIB ? "m.joblib" : names[i]);
			assert_int_not_equal(rep.verdict, SCAN_CLEAN);
			free(z.p);
		}
	}
	/* a truncated xz header under a joblib name */
	scan("\xfd" "7zXZ\0\0\0", 8, "m.joblib.xz");
	assert_int_equal(rep.format, MF_JOBLIB);
	assert_int_equal(rep.verdict, SCAN_ERROR);
	assert_string_equal(rep.error, "joblib: corrupt xz stream");
}

/* ---- JSON -------------------------------------------------------------------------- */

static void test_json(void **state)
{
	(void)state;
	struct json_doc d;
	size_t err = 0;
	char s[16];
	const char *j = "{\"a\": [1, 2.5e3, \"x\\u00e9\\ud83d\\ude00\"], \"b\": {}, \"c\": true} ";

	assert_int_equal(jtok_parse(&d, (const uint8_t *)j, strlen(j), false, 100, 8, &err), 0);
	assert_int_equal(d.ntok, 10);
	assert_int_equal(d.tok[0].size, 3);
	long a = jtok_get(&d, 0, "a");
	assert_int_equal(a, 2);
	assert_int_equal(d.tok[a].size, 3);
	assert_int_equal(d.tok[a].next, 6);
	assert_int_equal(jtok_str(&d, &d.tok[5], s, sizeof(s)), 7);
	assert_string_equal(s, "x\xc3\xa9\xf0\x9f\x98\x80");
	uint64_t v;
	assert_int_equal(jtok_u64(&d, &d.tok[3], &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(jtok_u64(&d, &d.tok[4], &v), -EINVAL);
	assert_int_equal(jtok_get(&d, 0, "zz"), -1);
	jtok_free(&d);
	assert_int_equal(jtok_parse(&d, (const uint8_t *)"[1,]", 4, false, 100, 8, &err), -EINVAL);
	assert_int_equal(err, 3);
	assert_int_equal(jtok_parse(&d, (const uint8_t *)"[[[[1]]]]", 9, false, 100, 3, &err), -E2BIG);
	assert_int_equal(jtok_parse(&d, (const uint8_t *)"[1,2,3]", 7, false, 3, 8, &err), -E2BIG);
	assert_int_equal(jtok_parse(&d, (const uint8_t *)"\"\\q\"", 4, false, 3, 8, &err), -EINVAL);
	/* partial: what the error left whole stays, and the error is named */
	{
		static const char cut[] = "{\"a\":[1,22,{\"b\":\"x";
		const char *why = NULL;

		assert_int_equal(jtok_parse_partial(&d, (const uint8_t *)cut, strlen(cut), 100, 8,
						    &err, &why),
				 -EINVAL);
		assert_string_equal(why, "unterminated string");
		assert_int_equal(err, strlen(cut));
		assert_int_equal(d.ntok, 8);	/* { "a" [ 1 22 { "b" "x */
		assert_false(jtok_complete(&d, 0));	/* the object, the array: cut */
		assert_true(jtok_complete(&d, 1));	/* "a" */
		assert_false(jtok_complete(&d, 2));
		assert_true(jtok_complete(&d, 3) && jtok_complete(&d, 4));	/* 1, 22 */
		assert_false(jtok_complete(&d, 5));
		assert_false(jtok_complete(&d, 7));	/* the string */
		assert_false(jtok_complete(&d, 8));	/* past the end */
		jtok_free(&d);
		assert_int_equal(jtok_parse_partial(&d, (const uint8_t *)"[1] x", 5, 100, 8, &err, &why),
				 -EINVAL);
		assert_string_equal(why, "trailing bytes");
		assert_true(jtok_complete(&d, 0));
		jtok_free(&d);
		assert_int_equal(jtok_parse_partial(&d, (const uint8_t *)"[[[1]]]", 7, 100, 2, &err, &why),
				 -E2BIG);
		assert_string_equal(why, "nested too deep");
		jtok_free(&d);
	}
	assert_int_equal(jtok_parse(&d, (const uint8_t *)"{} x", 4, false, 3, 8, &err), -EINVAL);
	assert_int_equal(jtok_parse(&d, (const uint8_t *)"{} x", 4, true, 3, 8, &err), 0);
	assert_int_equal(d.len, 2);
	jtok_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff_magics),
		cmocka_unit_test(test_sniff_pickles),
		cmocka_unit_test(test_pk_op_len),
		cmocka_unit_test(test_sniff_protobuf),
		cmocka_unit_test(test_zip_walk_lenient),
		cmocka_unit_test(test_zip_no_central_directory),
		cmocka_unit_test(test_zip_classify),
		cmocka_unit_test(test_zip_bomb_bounded),
		cmocka_unit_test(test_zip_read_budget),
		cmocka_unit_test(test_error_member_does_not_hide_payload),
		cmocka_unit_test(test_decoys_cannot_spend_the_payloads_budget),
		cmocka_unit_test(test_torchscript_code),
		cmocka_unit_test(test_safetensors),
		cmocka_unit_test(test_gguf),
		cmocka_unit_test(test_onnx),
		cmocka_unit_test(test_keras_config),
		cmocka_unit_test(test_hdf5_model_config),
		cmocka_unit_test(test_numpy),
		cmocka_unit_test(test_python_literals),
		cmocka_unit_test(test_numpy_header_grammar),
		cmocka_unit_test(test_tar),
		cmocka_unit_test(test_wrappers),
		cmocka_unit_test(test_compressed_pickles_by_content),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
