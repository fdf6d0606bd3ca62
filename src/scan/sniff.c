// SPDX-License-Identifier: MIT
/*
 * sniff - what a file is, from its content; the name only breaks ties.
 *
 * Order matters where magics overlap: fixed magics first (zip, numpy, GGUF,
 * HDF5, 7z, TFLite, tar), then safetensors (a length that fits the file and
 * a '{'), then pickles (a PROTO header or protocol 0/1 opcodes that walk
 * cleanly), compressed joblib, HDF5 at a later superblock offset, and last
 * the protobuf formats, which have no magic at all. A zip is classified by
 * its members, which needs the central directory, so the sniffer is given
 * the whole file when the caller has it (scan_buf does).
 */
#include "scan/scan_int.h"

#include <string.h>
#include <zlib.h>

bool str_ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcasecmp(s + n - m, suf) == 0;
}

const uint8_t *mem_find(const uint8_t *hay, size_t len, const char *needle, size_t n)
{
	return memmem(hay, len, needle, n);
}

/* ---- pickle opcodes --------------------------------------------------------- */

/* a newline-terminated argument of printable ASCII; its length with the newline */
static size_t line_len(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len && i < 4096; i++) {
		if (p[i] == '\n')
			return i + 1;
		if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\r')
			return 0;
	}
	return len < 4096 ? SIZE_MAX : 0;
}

static bool ident_line(const uint8_t *p, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t ch = p[i];

		if (!(ch == '_' || ch == '.' || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= 'A' && ch <= 'Z')))
			return false;
	}
	return true;
}

/* a length-prefixed argument: @w bytes of little-endian length, then the data */
static size_t counted(const uint8_t *p, size_t len, unsigned w)
{
	uint64_t n;

	if (len < 1 + (size_t)w)
		return SIZE_MAX;
	n = w == 1 ? p[1] : w == 4 ? rd32(p + 1) : rd64(p + 1);
	if (n > len - 1 - w)
		return SIZE_MAX;
	return 1 + w + (size_t)n;
}

size_t pk_op_len(const uint8_t *p, size_t len)
{
	size_t a, b;

	if (!len)
		return SIZE_MAX;
	switch (p[0]) {
	case '(': case '.': case '0': case '1': case '2': case 'N': case 'R': case 'a':
	case 'b': case 'd': case '}': case 'e': case 'l': case ']': case 'o': case 's':
	case 't': case ')': case 'u': case 'Q': case 0x81: case 0x85: case 0x86: case 0x87:
	case 0x88: case 0x89: case 0x8f: case 0x90: case 0x91: case 0x92: case 0x93:
	case 0x94: case 0x97: case 0x98:
		return 1;
	case 'K': case 'q': case 'h': case 0x82:
		return len < 2 ? SIZE_MAX : 2;
	case 0x80:
		if (len < 2)
			return SIZE_MAX;
		return p[1] <= 5 ? 2 : 0;
	case 'M': case 0x83:
		return len < 3 ? SIZE_MAX : 3;
	case 'J': case 'r': case 'j': case 0x84:
		return len < 5 ? SIZE_MAX : 5;
	case 'G': case 0x95:
		return len < 9 ? SIZE_MAX : 9;
	case 'U': case 0x8a: case 0x8c: case 'C':
		return counted(p, len, 1);
	case 'T': case 'X': case 'B': case 0x8b:
		return counted(p, len, 4);
	case 0x8d: case 0x8e: case 0x96:
		return counted(p, len, 8);
	case 'I': case 'L': case 'F': case 'p': case 'g':
		a = line_len(p + 1, len - 1);
		if (a == 0 || a == SIZE_MAX)
			return a;
		for (size_t i = 1; i < a; i++)
			if (!strchr("0123456789+-.eEinfINFaL", p[i]) || !p[i])
				return 0;
		return a > 1 ? 1 + a : 0;
	case 'S':
		a = line_len(p + 1, len - 1);
		if (a == 0 || a == SIZE_MAX)
			return a;
		if (a < 3 || (p[1] != '\'' && p[1] != '"') || p[a - 1] != p[1])
			return 0;
		return 1 + a;
	case 'V': case 'P':
		a = line_len(p + 1, len - 1);
		return a == 0 || a == SIZE_MAX ? a : 1 + a;
	case 'c': case 'i':
		a = line_len(p + 1, len - 1);
		if (a == 0 || a == SIZE_MAX)
			return a;
		if (!ident_line(p + 1, a - 1))
			return 0;
		b = line_len(p + 1 + a, len - 1 - a);
		if (b == 0 || b == SIZE_MAX)
			return b;
		if (!ident_line(p + 1 + a, b - 1))
			return 0;
		return 1 + a + b;
	default:
		return 0;
	}
}

bool pk_looks_like(const uint8_t *p, size_t len)
{
	size_t off = 0;
	unsigned ops = 0;
	bool proto = len >= 2 && p[0] == 0x80 && p[1] >= 2 && p[1] <= 5;

	if (!len)
		return false;
	/* a protocol 0/1 pickle (or one without its PROTO) starts by pushing something */
	if (!proto && !(p[0] && strchr("(c]})NILSVldFKJMXUTGiPCB", p[0])) &&
	    !(p[0] >= 0x88 && p[0] <= 0x8f) && p[0] != 0x95 && p[0] != 0x96)
		return false;
	while (off < len && ops < 64) {
		size_t n = pk_op_len(p + off, len - off);

		if (n == 0)
			return false;
		if (n == SIZE_MAX)	/* the head ends inside a valid opcode */
			return proto || ops >= 4;
		if (p[off] == '.')
			return ops >= 1;
		off += n;
		ops++;
	}
	return proto || ops >= 8;
}

/* ---- zips ------------------------------------------------------------------- */

struct zip_kind {
	bool data_pkl, version, constants, code, mar, config_json, metadata_json, keras_weights;
	bool model_json;
	uint32_t npy, n;
};

static int zip_kind_entry(void *arg, const struct zip_entry *e)
{
	struct zip_kind *k = arg;
	const char *s = strrchr(e->name, '/');
	const char *base = s ? s + 1 : e->name;

	k->n++;
	if (strcmp(base, "data.pkl") == 0)
		k->data_pkl = true;
	else if (strcmp(base, "version") == 0)
		k->version = true;
	else if (strcmp(base, "constants.pkl") == 0)
		k->constants = true;
	else if (strcmp(base, "model.json") == 0)
		k->model_json = true;
	if (strncmp(e->name, "code/", 5) == 0 || strstr(e->name, "/code/"))
		k->code = true;
	if (strcmp(e->name, "MAR-INF/MANIFEST.json") == 0)
		k->mar = true;
	if (strcmp(e->name, "config.json") == 0)
		k->config_json = true;
	if (strcmp(e->name, "metadata.json") == 0)
		k->metadata_json = true;
	if (strncmp(e->name, "model.weights.", 14) == 0)
		k->keras_weights = true;
	if (str_ends_with(e->name, ".npy"))
		k->npy++;
	return 0;
}

static enum model_format sniff_zip(const uint8_t *buf, size_t len)
{
	struct zip_kind k = { 0 };
	bool damaged = false, cut = false;

	if (zip_walk(buf, len, 100000, zip_kind_entry, &k, &damaged, &cut) < 0)
		return MF_ZIP;
	if (k.mar)
		return MF_TORCHSERVE_MAR;
	if (k.code && (k.constants || k.data_pkl || k.model_json))
		return MF_TORCHSCRIPT;
	if (k.data_pkl)
		return MF_PYTORCH_ZIP;
	if (k.config_json && (k.metadata_json || k.keras_weights))
		return MF_KERAS;
	if (k.npy && k.npy == k.n)
		return MF_NUMPY;
	return MF_ZIP;
}

/* ---- protobuf --------------------------------------------------------------- */

bool pbuf_varint(const uint8_t *p, size_t len, size_t *off, uint64_t *v)
{
	uint64_t x = 0;

	for (unsigned sh = 0; sh < 64 && *off < len; sh += 7) {
		uint8_t b = p[(*off)++];

		x |= (uint64_t)(b & 0x7f) << sh;
		if (!(b & 0x80)) {
			*v = x;
			return true;
		}
	}
	return false;
}

/*
 * looks_like_onnx - top-level fields of an ONNX ModelProto with the right
 * wire types, walking to the end of @len bytes (or at least 3 fields when
 * @len is a head of a longer file), with an ir_version, graph or opset
 */
static bool looks_like_onnx(const uint8_t *p, size_t len, bool whole)
{
	size_t off = 0;
	unsigned fields = 0;
	bool core = false;

	while (off < len && fields < 64) {
		uint64_t key, v;

		if (!pbuf_varint(p, len, &off, &key))
			return !whole && fields >= 3 && core;
		uint64_t field = key >> 3, wt = key & 7;
		if (field == 1 || field == 5) {
			if (wt != 0 || !pbuf_varint(p, len, &off, &v))
				return false;
			if (field == 1 && v > 100)
				return false;
		} else if ((field >= 2 && field <= 4) || field == 6 || field == 7 || field == 8 ||
			   field == 14 || field == 20 || field == 25) {
			if (wt != 2 || !pbuf_varint(p, len, &off, &v))
				return false;
			if (v > len - off)
				return !whole && fields >= 2 && core;
			off += (size_t)v;
		} else {
			return false;
		}
		if (field == 1 || field == 7 || field == 8)
			core = true;
		fields++;
	}
	return core && (fields >= 3 || off == len);
}

/* saved_model.pb: SavedModel { int64 schema_version = 1; repeated MetaGraphDef = 2; } */
static bool looks_like_savedmodel(const uint8_t *p, size_t len)
{
	size_t off = 0;
	uint64_t v;

	if (len >= 2 && p[0] == 0x08) {
		off = 1;
		if (!pbuf_varint(p, len, &off, &v))
			return false;
	}
	return off < len && p[off] == 0x12;
}

/* ---- compressed joblib ------------------------------------------------------ */

/* zlib_head_is_pickle - the first inflated bytes of a zlib/gzip stream are a pickle */
static bool zlib_head_is_pickle(const uint8_t *p, size_t len)
{
	uint8_t out[512];
	z_stream z = { 0 };
	bool yes = false;

	if (inflateInit2(&z, 15 + 32) != Z_OK)	/* zlib or gzip header */
		return false;
	z.next_in = (uint8_t *)p;
	z.avail_in = len > 65536 ? 65536 : (uInt)len;
	z.next_out = out;
	z.avail_out = sizeof(out);
	/* a stream corrupt further on is still a compressed pickle: its scan says what is wrong */
	inflate(&z, Z_SYNC_FLUSH);
	if (z.total_out > 0)
		yes = pk_looks_like(out, z.total_out);
	inflateEnd(&z);
	return yes;
}

static bool name_says_joblib(const char *name)
{
	return name && (strstr(name, ".joblib") || str_ends_with(name, ".pkl") ||
			str_ends_with(name, ".pickle") || str_ends_with(name, ".z") ||
			str_ends_with(name, ".gz") || str_ends_with(name, ".bz2") ||
			str_ends_with(name, ".xz") || str_ends_with(name, ".lzma") ||
			str_ends_with(name, ".lz4"));
}

static enum model_format sniff_compressed(const uint8_t *p, size_t len, const char *name)
{
	/* a joblib or pickle name: the scan of the stream says what it holds, or that it is corrupt */
	if (len >= 2 && (p[0] == 0x1f && p[1] == 0x8b))
		return zlib_head_is_pickle(p, len) || name_says_joblib(name) ? MF_JOBLIB : MF_UNKNOWN;
	if (len >= 2 && p[0] == 0x78 && (p[0] << 8 | p[1]) % 31 == 0)
		return zlib_head_is_pickle(p, len) || name_says_joblib(name) ? MF_JOBLIB : MF_UNKNOWN;
	if (len >= 3 && memcmp(p, "ZF", 2) == 0 && name_says_joblib(name))
		return MF_JOBLIB;
	if (!name_says_joblib(name))
		return MF_UNKNOWN;
	if ((len >= 3 && memcmp(p, "BZh", 3) == 0) || (len >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0) ||
	    (len >= 3 && memcmp(p, "]\0\0", 3) == 0) || (len >= 4 && memcmp(p, "\x04\x22\x4d\x18", 4) == 0))
		return MF_JOBLIB;
	return MF_UNKNOWN;
}

/* ---- pickles ---------------------------------------------------------------- */

static const uint8_t torch_magic_bin[] = { 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9,
					   0x20, 0x6a, 0xa8, 0x50, 0x19 };

static enum model_format sniff_pickle_kind(const uint8_t *p, size_t len)
{
	size_t look = len > (1u << 20) ? (1u << 20) : len;

	if (len >= 2 + sizeof(torch_magic_bin) && p[0] == 0x80 &&
	    memcmp(p + 2, torch_magic_bin, sizeof(torch_magic_bin)) == 0)
		return MF_PYTORCH_LEGACY;
	if (len >= 26 && memcmp(p, "L119547037146038801333356L\n", 26) == 0)
		return MF_PYTORCH_LEGACY;
	if (mem_find(p, look, "joblib.numpy_pickle", 19) ||
	    (mem_find(p, look, "joblib", 6) && mem_find(p, look, "NumpyArrayWrapper", 17)))
		return MF_JOBLIB;
	if (mem_find(p, look, "dill._dill", 10))
		return MF_DILL;
	return MF_PICKLE;
}

/* ---- the sniffer ------------------------------------------------------------ */

static bool hdf5_at(const uint8_t *p, size_t len, uint64_t off)
{
	return off + 8 <= len && memcmp(p + off, "\x89HDF\r\n\x1a\n", 8) == 0;
}

enum model_format scan_sniff(const uint8_t *head, size_t len, uint64_t size, const char *name)
{
	const char *base = NULL;

	if (name) {
		base = strrchr(name, '/');
		base = base ? base + 1 : name;
	}
	if (len >= 4 && (memcmp(head, "PK\3\4", 4) == 0 || memcmp(head, "PK\5\6", 4) == 0))
		return sniff_zip(head, len);
	/* a damaged first entry: miniz (torch.load) finds the zip from its end */
	if (len == size && zip_has_cd(head, len))
		return sniff_zip(head, len);
	if (len >= 6 && memcmp(head, "\x93NUMPY", 6) == 0)
		return MF_NUMPY;
	if (len >= 4 && memcmp(head, "GGUF", 4) == 0)
		return MF_GGUF;
	if (hdf5_at(head, len, 0))
		return base && str_ends_with(base, ".keras") ? MF_KERAS : MF_HDF5;
	if (len >= 6 && memcmp(head, "7z\xbc\xaf\x27\x1c", 6) == 0)
		return MF_7Z;
	if (len >= 8 && memcmp(head + 4, "TFL3", 4) == 0)
		return MF_TFLITE;
	if (len >= 263 && memcmp(head + 257, "ustar", 5) == 0)
		return tar_is_torch(head, len) ? MF_PYTORCH_TAR : MF_TAR;
	if (len >= 9 && head[8] == '{' && rd64(head) <= size - 8 && rd64(head) >= 2)
		return MF_SAFETENSORS;
	if (pk_looks_like(head, len))
		return sniff_pickle_kind(head, len);
	/* a PROTO header, then no valid opcode: a broken pickle (an error, not "unknown") */
	if (len >= 2 && head[0] == 0x80 && head[1] >= 2 && head[1] <= 5)
		return MF_PICKLE;
	if (len >= 9 && head[8] == '{' && base && str_ends_with(base, ".safetensors"))
		return MF_SAFETENSORS;
	enum model_format f = sniff_compressed(head, len, base);
	if (f != MF_UNKNOWN)
		return f;
	for (uint64_t off = 512; off <= 1u << 20 && off + 8 <= len; off *= 2)
		if (hdf5_at(head, len, off))
			return MF_HDF5;
	if (base && (strcmp(base, "saved_model.pb") == 0 || strcmp(base, "saved_model.pbtxt") == 0))
		return looks_like_savedmodel(head, len) ? MF_TF_SAVEDMODEL : MF_UNKNOWN;
	if (len >= 2 && head[0] == 0x08 && looks_like_onnx(head, len, len == size))
		return MF_ONNX;
	if (base && str_ends_with(base, ".onnx") && len >= 2 && head[0] == 0x08)
		return MF_ONNX;
	if (base && str_ends_with(base, ".pb") && looks_like_savedmodel(head, len))
		return MF_TF_SAVEDMODEL;
	/*
	 * named like a pickle and starting with an opcode: pickle.load would
	 * try it, so the pickle VM does too (and says error if it cannot)
	 */
	if (base && len && pk_op_len(head, len) != 0 &&
	    (str_ends_with(base, ".pkl") || str_ends_with(base, ".pickle") || str_ends_with(base, ".pt") ||
	     str_ends_with(base, ".pth") || str_ends_with(base, ".ckpt") || str_ends_with(base, ".dill")))
		return MF_PICKLE;
	return MF_UNKNOWN;
}
