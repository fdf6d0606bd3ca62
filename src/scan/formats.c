// SPDX-License-Identifier: MIT
/*
 * formats - the formats without pickles: safetensors, GGUF, ONNX, Keras
 * (.keras config and .h5), TF SavedModel, TFLite, 7z; and scan_format, the
 * dispatcher of every non-pickle format.
 *
 * Each parser checks lengths against the bytes left before using them and
 * bounds its loops by the file size (a count can never exceed what the
 * remaining bytes can hold) or by struct scan_limits. What the format's own
 * reader would reject is a finding (suspicious) or, when nothing can be
 * analysed, an error; what can run code or touch files is dangerous.
 */
#include "scan/scan_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- safetensors ------------------------------------------------------------ */

#define ST_MAX_HEADER 100000000u
#define JSON_MAX_TOK (1u << 20)

struct st_dtype {
	const char *name;
	unsigned bits;
};

static const struct st_dtype st_dtypes[] = {
	{ "BOOL", 8 }, { "F4", 4 }, { "F6_E2M3", 6 }, { "F6_E3M2", 6 }, { "U8", 8 }, { "I8", 8 },
	{ "F8_E5M2", 8 }, { "F8_E4M3", 8 }, { "F8_E8M0", 8 }, { "I16", 16 }, { "U16", 16 },
	{ "F16", 16 }, { "BF16", 16 }, { "I32", 32 }, { "U32", 32 }, { "F32", 32 }, { "F64", 64 },
	{ "I64", 64 }, { "U64", 64 }, { "C64", 64 },
};

struct st_tensor {
	uint64_t begin, end;
	uint32_t key;		/* token index of the name */
};

static int st_cmp(const void *a, const void *b)
{
	const struct st_tensor *x = a, *y = b;

	if (x->begin != y->begin)
		return x->begin < y->begin ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

static int key_cmp(const void *a, const void *b, void *arg)
{
	const struct json_doc *d = arg;
	char x[512], y[512];
	long lx = jtok_str(d, &d->tok[*(const uint32_t *)a], x, sizeof(x));
	long ly = jtok_str(d, &d->tok[*(const uint32_t *)b], y, sizeof(y));
	int r = strcmp(x, y);

	return r ? r : (lx > ly) - (lx < ly);
}

/* st_tensor_check - one tensor entry; false (with a finding) when the reader would reject it */
static bool st_tensor_check(struct scan_ctx *c, const struct json_doc *d, uint32_t key, uint32_t v,
			    struct st_tensor *t)
{
	char name[96];
	long dt = jtok_get(d, v, "dtype"), sh = jtok_get(d, v, "shape"), of = jtok_get(d, v, "data_offsets");
	unsigned bits = 0;

	jtok_str(d, &d->tok[key], name, sizeof(name));
	if (d->tok[v].type != JSON_OBJ || dt < 0 || sh < 0 || of < 0) {
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 8 + d->tok[v].start, c->member, NULL,
				 "safetensors: tensor '%s' lacks dtype/shape/data_offsets", name);
		return false;
	}
	for (size_t k = 0; k < sizeof(st_dtypes) / sizeof(st_dtypes[0]); k++)
		if (jtok_str_eq(d, &d->tok[dt], st_dtypes[k].name))
			bits = st_dtypes[k].bits;
	if (!bits) {
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 8 + d->tok[dt].start, c->member, NULL,
				 "safetensors: tensor '%s' has an unknown dtype", name);
		return false;
	}
	uint64_t elems = 1, x;
	const struct json_tok *s = &d->tok[sh], *o = &d->tok[of];
	if (s->type != JSON_ARR || o->type != JSON_ARR || o->size != 2) {
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 8 + s->start, c->member, NULL,
				 "safetensors: tensor '%s' has a malformed shape or data_offsets", name);
		return false;
	}
	for (uint32_t i = (uint32_t)sh + 1; i < s->next; i = d->tok[i].next) {
		if (jtok_u64(d, &d->tok[i], &x) || __builtin_mul_overflow(elems, x, &elems)) {
			scan_add_finding(c->r, SCAN_SUSPICIOUS, 8 + s->start, c->member, NULL,
					 "safetensors: tensor '%s' shape is not a list of sizes or overflows", name);
			return false;
		}
	}
	if (jtok_u64(d, &d->tok[of + 1], &t->begin) || jtok_u64(d, &d->tok[d->tok[of + 1].next], &t->end) ||
	    t->end < t->begin) {
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 8 + o->start, c->member, NULL,
				 "safetensors: tensor '%s' has invalid data_offsets", name);
		return false;
	}
	uint64_t nbits;
	if (__builtin_mul_overflow(elems, (uint64_t)bits, &nbits) || nbits % 8 ||
	    nbits / 8 != t->end - t->begin) {
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 8 + o->start, c->member, NULL,
				 "safetensors: tensor '%s' byte size does not match its shape and dtype",
				 name);
		return false;
	}
	t->key = key;
	return true;
}

static int scan_safetensors(struct scan_ctx *c, const uint8_t *buf, size_t len)
{
	struct json_doc d;
	struct st_tensor *ts = NULL;
	uint32_t *keys = NULL;
	uint32_t nt = 0, nk = 0;
	size_t err = 0;
	int ret;

	if (len < 8) {
		scan_set_error(c->r, "safetensors: shorter than its header length");
		return 0;
	}
	uint64_t n = rd64(buf);
	if (n > ST_MAX_HEADER) {
		scan_set_error(c->r, "safetensors: header length %llu exceeds 100000000",
			       (unsigned long long)n);
		return 0;
	}
	if (n > len - 8) {
		scan_set_error(c->r, "safetensors: header runs past the end of the file");
		return 0;
	}
	ret = jtok_parse(&d, buf + 8, (size_t)n, false, JSON_MAX_TOK, 64, &err);
	if (ret == -E2BIG) {
		c->r->incomplete = true;
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 8, c->member, NULL,
				 "safetensors: header too large or deep to check");
		return 0;
	}
	if (ret) {
		scan_set_error(c->r, "safetensors: header is not JSON (at byte %zu)", 8 + err);
		return 0;
	}
	if (d.tok[0].type != JSON_OBJ) {
		scan_set_error(c->r, "safetensors: header is not a JSON object");
		goto out;
	}
	ts = calloc(d.tok[0].size + 1, sizeof(*ts));
	keys = calloc(d.tok[0].size + 1, sizeof(*keys));
	if (!ts || !keys) {
		scan_set_error(c->r, "safetensors: out of memory");
		goto out;
	}
	bool bad = false;
	for (uint32_t i = 1, k = 0; k < d.tok[0].size; k++) {
		uint32_t v = i + 1;

		keys[nk++] = i;
		if (jtok_str_eq(&d, &d.tok[i], "__metadata__")) {
			const struct json_tok *m = &d.tok[v];
			bool ok = m->type == JSON_OBJ;
			for (uint32_t j = v + 1; ok && j < m->next; j = d.tok[j + 1].next)
				ok = d.tok[j + 1].type == JSON_STR;
			if (!ok) {
				bad = true;
				scan_add_finding(c->r, SCAN_SUSPICIOUS, 8 + m->start, c->member, NULL,
						 "safetensors: __metadata__ is not a map of strings");
			}
		} else if (st_tensor_check(c, &d, i, v, &ts[nt])) {
			nt++;
		} else {
			bad = true;
		}
		i = d.tok[v].next;
	}
	/* duplicate names: the first parser and the second may disagree on which wins */
	qsort_r(keys, nk, sizeof(*keys), key_cmp, &d);
	for (uint32_t k = 1; k < nk; k++) {
		if (key_cmp(&keys[k - 1], &keys[k], &d) == 0) {
			char name[96];
			jtok_str(&d, &d.tok[keys[k]], name, sizeof(name));
			scan_add_finding(c->r, SCAN_SUSPICIOUS, 8 + d.tok[keys[k]].start, c->member, NULL,
					 "safetensors: duplicate key '%s'", name);
			bad = true;
			break;
		}
	}
	if (bad)
		goto out;
	qsort(ts, nt, sizeof(*ts), st_cmp);
	uint64_t end = 0;
	for (uint32_t k = 0; k < nt; k++) {
		if (ts[k].begin != end) {
			char name[96];
			jtok_str(&d, &d.tok[ts[k].key], name, sizeof(name));
			scan_add_finding(c->r, SCAN_SUSPICIOUS, 8 + d.tok[ts[k].key].start, c->member, NULL,
					 "safetensors: tensor '%s' data is not contiguous (gap or overlap)", name);
			goto out;
		}
		end = ts[k].end;
	}
	if (end > len - 8 - n || end + 8 + n != len)
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 0, c->member, NULL,
				 "safetensors: data ends at %llu but the file has %llu bytes",
				 (unsigned long long)(end + 8 + n), (unsigned long long)len);
out:
	free(ts);
	free(keys);
	jtok_free(&d);
	return 0;
}

/* ---- GGUF ------------------------------------------------------------------- */

struct gg {
	struct scan_ctx *c;
	const uint8_t *buf;
	size_t len, off;
	uint32_t version;
	uint32_t align;
};

static bool gg_need(struct gg *g, uint64_t n)
{
	return n <= g->len - g->off;
}

static bool gg_u32(struct gg *g, uint32_t *v)
{
	if (!gg_need(g, 4))
		return false;
	*v = rd32(g->buf + g->off);
	g->off += 4;
	return true;
}

/* a count or length: u32 in GGUF v1, u64 after */
static bool gg_count(struct gg *g, uint64_t *v)
{
	uint32_t x;

	if (g->version == 1) {
		if (!gg_u32(g, &x))
			return false;
		*v = x;
		return true;
	}
	if (!gg_need(g, 8))
		return false;
	*v = rd64(g->buf + g->off);
	g->off += 8;
	return true;
}

static bool gg_str(struct gg *g, const uint8_t **s, uint64_t *n)
{
	if (!gg_count(g, n) || !gg_need(g, *n))
		return false;
	*s = g->buf + g->off;
	g->off += (size_t)*n;
	return true;
}

static const uint8_t gg_sizes[13] = { 1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8 };

static const char *const ssti_markers[] = {
	"__class__", "__subclasses__", "__globals__", "__builtins__", "__import__", "__mro__",
	"__base__", "__init__", "__getattribute__", "__dict__", "__code__", "__reduce__",
	"popen", "os.system", "subprocess", "eval(", "exec(", "import os", "lipsum", "cycler", "joiner", "get_flashed_messages", "url_for", "request.application",
	"\\x5f", "\\u005f", "self._TemplateReference", "config.items",
};

/* the attr filter, `x|attr('__class__')` (selectattr/rejectattr are ordinary filters) */
static const uint8_t *attr_filter(const uint8_t *s, size_t n)
{
	for (const uint8_t *a = s; (a = mem_find(a, n - (size_t)(a - s), "attr", 4)); a += 4) {
		const uint8_t *b = a, *e = a + 4;

		while (b > s && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\n'))
			b--;
		while (e < s + n && (*e == ' ' || *e == '\t' || *e == '\n'))
			e++;
		if (b > s && b[-1] == '|' && e < s + n && *e == '(')
			return a;
	}
	return NULL;
}

static void gg_template(struct gg *g, const uint8_t *s, uint64_t n, const char *key)
{
	const uint8_t *hit = attr_filter(s, (size_t)n);

	if (hit) {
		scan_add_finding(g->c->r, SCAN_DANGEROUS, (uint64_t)(hit - g->buf), g->c->member, NULL,
				 "GGUF %s: template injection marker '|attr('", key);
		return;
	}
	for (size_t k = 0; k < sizeof(ssti_markers) / sizeof(ssti_markers[0]); k++) {
		const uint8_t *m = mem_find(s, (size_t)n, ssti_markers[k], strlen(ssti_markers[k]));

		if (m) {
			scan_add_finding(g->c->r, SCAN_DANGEROUS, (uint64_t)(m - g->buf), g->c->member,
					 NULL, "GGUF %s: template injection marker '%s'", key,
					 ssti_markers[k]);
			return;
		}
	}
}

/* gg_value - skip (and check) one value of @type; nested arrays up to @depth */
static bool gg_value(struct gg *g, uint32_t type, unsigned depth)
{
	const uint8_t *s;
	uint64_t n, cnt;
	uint32_t et;

	if (type > 12)
		return false;
	if (type == 8)
		return gg_str(g, &s, &n);
	if (type != 9) {
		if (!gg_need(g, gg_sizes[type]))
			return false;
		g->off += gg_sizes[type];
		return true;
	}
	if (depth >= 4 || !gg_u32(g, &et) || et > 12 || !gg_count(g, &cnt))
		return false;
	if (et != 8 && et != 9) {
		if (cnt > (g->len - g->off) / gg_sizes[et])
			return false;
		g->off += (size_t)(cnt * gg_sizes[et]);
		return true;
	}
	/* strings take 4 or 8 bytes at least, arrays 8 or 12: the count is bounded by the file */
	if (cnt > (g->len - g->off) / 4)
		return false;
	for (uint64_t i = 0; i < cnt; i++)
		if (!gg_value(g, et, depth + 1))
			return false;
	return true;
}

static int scan_gguf(struct scan_ctx *c, const uint8_t *buf, size_t len)
{
	struct gg g = { .c = c, .buf = buf, .len = len, .off = 4, .align = 32 };
	uint64_t nt, nkv;

	if (len < 4 || memcmp(buf, "GGUF", 4) != 0) {
		scan_set_error(c->r, "gguf: no GGUF magic");
		return 0;
	}
	if (!gg_u32(&g, &g.version)) {
		scan_set_error(c->r, "gguf: truncated header");
		return 0;
	}
	if (g.version < 1 || g.version > 3) {
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 4, c->member, NULL, "GGUF version %u unknown",
				 g.version);
		return 0;
	}
	if (!gg_count(&g, &nt) || !gg_count(&g, &nkv)) {
		scan_set_error(c->r, "gguf: truncated header");
		return 0;
	}
	/* a kv is at least 4+4+1 bytes, a tensor info 4+4+4+8 */
	if (nkv > (len - g.off) / 9 || nt > (len - g.off) / 20) {
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 8, c->member, NULL,
				 "GGUF counts (%llu tensors, %llu keys) exceed what the file can hold",
				 (unsigned long long)nt, (unsigned long long)nkv);
		return 0;
	}
	for (uint64_t i = 0; i < nkv; i++) {
		const uint8_t *k;
		uint64_t kl;
		uint32_t type;
		size_t at = g.off;
		char key[96];

		if (!gg_str(&g, &k, &kl) || !gg_u32(&g, &type)) {
			scan_add_finding(c->r, SCAN_SUSPICIOUS, at, c->member, NULL,
					 "GGUF metadata key %llu truncated or malformed", (unsigned long long)i);
			return 0;
		}
		snprintf(key, sizeof(key), "%.*s", (int)(kl < 95 ? kl : 95), (const char *)k);
		for (char *q = key; *q; q++)
			if ((unsigned char)*q < 0x20)
				*q = '?';
		if (kl > 65535)
			scan_add_finding(c->r, SCAN_SUSPICIOUS, at, c->member, NULL,
					 "GGUF metadata key longer than 65535 bytes");
		size_t vat = g.off;
		if (!gg_value(&g, type, 0)) {
			scan_add_finding(c->r, SCAN_SUSPICIOUS, vat, c->member, NULL,
					 "GGUF value of '%s' truncated or malformed", key);
			return 0;
		}
		if (type == 8 && kl >= 23 && memcmp(k, "tokenizer.chat_template", 23) == 0) {
			uint64_t sl = g.version == 1 ? 4 : 8;
			gg_template(&g, buf + vat + sl, g.off - vat - sl, key);
		}
		if (type == 4 && kl == 17 && memcmp(k, "general.alignment", 17) == 0) {
			g.align = rd32(buf + vat);
			if (!g.align || (g.align & (g.align - 1)))
				scan_add_finding(c->r, SCAN_SUSPICIOUS, vat, c->member, NULL,
						 "GGUF general.alignment %u is not a power of two", g.align);
		}
	}
	for (uint64_t i = 0; i < nt; i++) {
		const uint8_t *name;
		uint64_t nl, dim, elems = 1;
		uint32_t nd, type;
		size_t at = g.off;

		if (!gg_str(&g, &name, &nl) || !gg_u32(&g, &nd) || nd > 4 || !gg_need(&g, (uint64_t)nd * 8 + 12)) {
			scan_add_finding(c->r, SCAN_SUSPICIOUS, at, c->member, NULL,
					 "GGUF tensor info %llu truncated or malformed", (unsigned long long)i);
			return 0;
		}
		for (uint32_t k = 0; k < nd; k++) {
			dim = rd64(buf + g.off);
			g.off += 8;
			if (__builtin_mul_overflow(elems, dim, &elems) || elems >> 62) {
				scan_add_finding(c->r, SCAN_SUSPICIOUS, at, c->member, NULL,
						 "GGUF tensor %llu dimensions overflow", (unsigned long long)i);
				return 0;
			}
		}
		gg_u32(&g, &type);
		uint64_t toff = rd64(buf + g.off);
		g.off += 8;
		if (nl > 64)
			scan_add_finding(c->r, SCAN_SUSPICIOUS, at, c->member, NULL,
					 "GGUF tensor name longer than 64 bytes");
		if (g.align && (g.align & (g.align - 1)) == 0 && toff % g.align) {
			scan_add_finding(c->r, SCAN_SUSPICIOUS, at, c->member, NULL,
					 "GGUF tensor %llu offset not aligned", (unsigned long long)i);
			return 0;
		}
		if (toff > len) {
			scan_add_finding(c->r, SCAN_SUSPICIOUS, at, c->member, NULL,
					 "GGUF tensor %llu data offset past the end of the file",
					 (unsigned long long)i);
			return 0;
		}
	}
	return 0;
}

/* ---- ONNX ------------------------------------------------------------------- */

struct pbf {
	uint32_t field;
	uint32_t wt;
	uint64_t v;		/* varint value, or length */
	const uint8_t *p;	/* wire type 2: the bytes */
};

/* pb_next - the next field of [*pos, end); false at the end or on malformed input */
static bool pb_next(const uint8_t *buf, size_t end, size_t *pos, struct pbf *f, bool *bad)
{
	uint64_t key;

	if (*pos >= end)
		return false;
	if (!pbuf_varint(buf, end, pos, &key) || (key >> 3) == 0 || (key >> 3) > UINT32_MAX)
		goto out_bad;
	f->field = (uint32_t)(key >> 3);
	f->wt = key & 7;
	f->p = NULL;
	switch (f->wt) {
	case 0:
	case 2:
		if (!pbuf_varint(buf, end, pos, &f->v))
			goto out_bad;
		if (f->wt == 2) {
			if (f->v > end - *pos)
				goto out_bad;
			f->p = buf + *pos;
			*pos += (size_t)f->v;
		}
		return true;
	case 1:
		if (end - *pos < 8)
			goto out_bad;
		*pos += 8;
		return true;
	case 5:
		if (end - *pos < 4)
			goto out_bad;
		*pos += 4;
		return true;
	default:
		goto out_bad;
	}
out_bad:
	*bad = true;
	return false;
}

struct ox {
	struct scan_ctx *c;
	const uint8_t *buf;
	size_t len;
	bool bad;
	char domains[16][64];	/* reported custom domains, and local function domains */
	unsigned ndomains, nfuncdom;
	char funcdom[16][64];
};

static bool onnx_std_domain(const struct ox *o, const uint8_t *s, size_t n)
{
	static const char *const std[] = { "", "ai.onnx", "ai.onnx.ml", "ai.onnx.training",
					   "ai.onnx.preview.training", "com.microsoft" };

	for (size_t k = 0; k < sizeof(std) / sizeof(std[0]); k++)
		if (strlen(std[k]) == n && memcmp(std[k], s, n) == 0)
			return true;
	for (unsigned k = 0; k < o->nfuncdom; k++)
		if (strlen(o->funcdom[k]) == n && memcmp(o->funcdom[k], s, n) == 0)
			return true;
	return false;
}

static void onnx_domain(struct ox *o, const uint8_t *s, size_t n, const uint8_t *op, size_t opn)
{
	char d[64];

	if (onnx_std_domain(o, s, n))
		return;
	snprintf(d, sizeof(d), "%.*s", (int)(n < 63 ? n : 63), (const char *)s);
	for (unsigned k = 0; k < o->ndomains; k++)
		if (strcmp(o->domains[k], d) == 0)
			return;
	if (o->ndomains < 16)
		snprintf(o->domains[o->ndomains++], sizeof(o->domains[0]), "%s", d);
	if (op)
		scan_add_finding(o->c->r, SCAN_SUSPICIOUS, (uint64_t)(s - o->buf), o->c->member, NULL,
				 "ONNX custom operator domain '%s' (op %.*s): needs a host library", d,
				 (int)(opn < 48 ? opn : 48), (const char *)op);
	else
		scan_add_finding(o->c->r, SCAN_SUSPICIOUS, (uint64_t)(s - o->buf), o->c->member, NULL,
				 "ONNX imports custom operator set domain '%s'", d);
}

static bool path_escapes(const uint8_t *s, size_t n)
{
	if (!n)
		return false;
	if (s[0] == '/' || s[0] == '\\' || (n >= 2 && s[1] == ':'))
		return true;
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == '.' && s[i + 1] == '.' && (i == 0 || s[i - 1] == '/' || s[i - 1] == '\\') &&
		    (i + 2 == n || s[i + 2] == '/' || s[i + 2] == '\\'))
			return true;
	return false;
}

static void onnx_tensor(struct ox *o, const uint8_t *p, size_t n)
{
	size_t pos = 0, start = (size_t)(p - o->buf);
	struct pbf f;

	pos = start;
	while (pb_next(o->buf, start + n, &pos, &f, &o->bad)) {
		if (f.field != 13 || f.wt != 2)
			continue;
		/* StringStringEntryProto { key = 1; value = 2; } */
		size_t q = (size_t)(f.p - o->buf);
		const uint8_t *key = NULL, *val = NULL;
		size_t kl = 0, vl = 0;
		struct pbf e;
		while (pb_next(o->buf, (size_t)(f.p - o->buf) + f.v, &q, &e, &o->bad)) {
			if (e.wt == 2 && e.field == 1) {
				key = e.p;
				kl = (size_t)e.v;
			} else if (e.wt == 2 && e.field == 2) {
				val = e.p;
				vl = (size_t)e.v;
			}
		}
		if (key && kl == 8 && memcmp(key, "location", 8) == 0 && val && path_escapes(val, vl))
			scan_add_finding(o->c->r, SCAN_DANGEROUS, (uint64_t)(val - o->buf), o->c->member,
					 NULL, "ONNX external data location escapes the model directory: %.*s",
					 (int)(vl < 96 ? vl : 96), (const char *)val);
	}
}

static void onnx_graph(struct ox *o, const uint8_t *p, size_t n, unsigned depth);

static void onnx_attribute(struct ox *o, const uint8_t *p, size_t n, unsigned depth)
{
	size_t end = (size_t)(p - o->buf) + n, pos = (size_t)(p - o->buf);
	struct pbf f;

	while (pb_next(o->buf, end, &pos, &f, &o->bad)) {
		if (f.wt != 2)
			continue;
		if (f.field == 6 || f.field == 11)
			onnx_graph(o, f.p, (size_t)f.v, depth + 1);
		else if (f.field == 5 || f.field == 10)
			onnx_tensor(o, f.p, (size_t)f.v);
	}
}

static void onnx_node(struct ox *o, const uint8_t *p, size_t n, unsigned depth)
{
	size_t end = (size_t)(p - o->buf) + n, pos = (size_t)(p - o->buf);
	const uint8_t *dom = NULL, *op = NULL;
	size_t dl = 0, opl = 0;
	struct pbf f;

	while (pb_next(o->buf, end, &pos, &f, &o->bad)) {
		if (f.wt != 2)
			continue;
		if (f.field == 4) {
			op = f.p;
			opl = (size_t)f.v;
		} else if (f.field == 7) {
			dom = f.p;
			dl = (size_t)f.v;
		} else if (f.field == 5) {
			onnx_attribute(o, f.p, (size_t)f.v, depth);
		}
	}
	if (dom)
		onnx_domain(o, dom, dl, op ? op : (const uint8_t *)"?", op ? opl : 1);
}

static void onnx_graph(struct ox *o, const uint8_t *p, size_t n, unsigned depth)
{
	size_t end = (size_t)(p - o->buf) + n, pos = (size_t)(p - o->buf);
	struct pbf f;

	if (depth > 2 * o->c->lim->max_depth) {
		if (!o->c->r->incomplete)
			scan_add_finding(o->c->r, SCAN_SUSPICIOUS, (uint64_t)(p - o->buf), o->c->member,
					 NULL, "ONNX subgraphs nested deeper than the limit: not scanned");
		o->c->r->incomplete = true;
		return;
	}
	while (pb_next(o->buf, end, &pos, &f, &o->bad)) {
		if (f.wt != 2)
			continue;
		if (f.field == 1)
			onnx_node(o, f.p, (size_t)f.v, depth);
		else if (f.field == 5)
			onnx_tensor(o, f.p, (size_t)f.v);
		else if (f.field == 15) {	/* SparseTensorProto { values = 1; indices = 2; } */
			size_t q = (size_t)(f.p - o->buf), e = q + (size_t)f.v;
			struct pbf s;
			while (pb_next(o->buf, e, &q, &s, &o->bad))
				if (s.wt == 2 && (s.field == 1 || s.field == 2))
					onnx_tensor(o, s.p, (size_t)s.v);
		}
	}
}

/* opset_import / FunctionProto.opset_import: OperatorSetIdProto { domain = 1; version = 2; } */
static void onnx_opset(struct ox *o, const uint8_t *p, size_t n)
{
	size_t pos = (size_t)(p - o->buf), end = pos + n;
	struct pbf f;

	while (pb_next(o->buf, end, &pos, &f, &o->bad))
		if (f.field == 1 && f.wt == 2)
			onnx_domain(o, f.p, (size_t)f.v, NULL, 0);
}

static void onnx_function(struct ox *o, const uint8_t *p, size_t n, bool collect)
{
	size_t pos = (size_t)(p - o->buf), end = pos + n;
	struct pbf f;

	while (pb_next(o->buf, end, &pos, &f, &o->bad)) {
		if (f.wt != 2)
			continue;
		if (collect && f.field == 10 && o->nfuncdom < 16)
			snprintf(o->funcdom[o->nfuncdom++], sizeof(o->funcdom[0]), "%.*s",
				 (int)(f.v < 63 ? f.v : 63), (const char *)f.p);
		if (collect)
			continue;
		if (f.field == 7)
			onnx_node(o, f.p, (size_t)f.v, 0);
		else if (f.field == 9)
			onnx_opset(o, f.p, (size_t)f.v);
	}
}

static int scan_onnx(struct scan_ctx *c, const uint8_t *buf, size_t len)
{
	struct ox *o = calloc(1, sizeof(*o));
	size_t pos = 0;
	struct pbf f;

	if (!o) {
		scan_set_error(c->r, "onnx: out of memory");
		return -ENOMEM;
	}
	o->c = c;
	o->buf = buf;
	o->len = len;
	/* local functions first: their domains are not custom operators */
	while (pb_next(buf, len, &pos, &f, &o->bad))
		if (f.field == 25 && f.wt == 2)
			onnx_function(o, f.p, (size_t)f.v, true);
	pos = 0;
	o->bad = false;
	while (pb_next(buf, len, &pos, &f, &o->bad)) {
		if (f.wt != 2)
			continue;
		if (f.field == 7)
			onnx_graph(o, f.p, (size_t)f.v, 0);
		else if (f.field == 8)
			onnx_opset(o, f.p, (size_t)f.v);
		else if (f.field == 25)
			onnx_function(o, f.p, (size_t)f.v, false);
	}
	if (o->bad)
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 0, c->member, NULL,
				 "ONNX protobuf is malformed (onnx would refuse it)");
	free(o);
	return 0;
}

/* ---- Keras ------------------------------------------------------------------ */

static bool keras_module_ok(const char *m)
{
	return strcmp(m, "keras") == 0 || strncmp(m, "keras.", 6) == 0;
}

/* the start of a Lambda's code: config.function / config.code */
static void lambda_code(const struct json_doc *d, uint32_t obj, char *out, size_t n)
{
	long cfg = jtok_get(d, obj, "config"), code;

	out[0] = 0;
	if (cfg < 0)
		return;
	code = jtok_get(d, (uint32_t)cfg, "code");
	if (code < 0)
		code = jtok_get(d, (uint32_t)cfg, "function");
	if (code >= 0 && d->tok[code].type == JSON_ARR && d->tok[code].size)
		code++;
	if (code >= 0 && d->tok[code].type == JSON_STR)
		jtok_str(d, &d->tok[code], out, n);
}

int keras_config_scan(struct scan_ctx *c, const uint8_t *json, size_t len, uint64_t base)
{
	struct json_doc d;
	size_t err;
	int ret = jtok_parse(&d, json, len, true, JSON_MAX_TOK, 512, &err);

	if (ret == -E2BIG) {
		c->r->incomplete = true;
		scan_add_finding(c->r, SCAN_SUSPICIOUS, base, c->member, NULL,
				 "Keras config too large or deep to check");
		return 0;
	}
	if (ret) {
		scan_add_finding(c->r, SCAN_SUSPICIOUS, base + err, c->member, NULL,
				 "Keras config is not JSON");
		return 0;
	}
	for (uint32_t i = 0; i < d.ntok; i++) {
		const struct json_tok *t = &d.tok[i];

		if (t->type == JSON_STR) {
			/* anywhere, key or value: the switch that turns safe_mode off */
			static const char unsafe[] = "enable_unsafe_deserialization";
			bool hit = mem_find(json + t->start, t->end - t->start, unsafe, sizeof(unsafe) - 1);
			if (!hit && memchr(json + t->start, '\\', t->end - t->start)) {
				size_t n = t->end - t->start + 1;
				char *s = malloc(n);
				if (s) {
					long k = jtok_str(&d, t, s, n);
					hit = k > 0 && mem_find((uint8_t *)s, (size_t)k < n ? (size_t)k : n - 1,
								unsafe, sizeof(unsafe) - 1);
					free(s);
				}
			}
			if (hit)
				scan_add_finding(c->r, SCAN_DANGEROUS, base + t->start, c->member, NULL,
						 "Keras config references enable_unsafe_deserialization");
			continue;
		}
		if (t->type != JSON_OBJ)
			continue;
		for (uint32_t k = i + 1, m = 0; m < t->size; m++) {
			uint32_t v = k + 1;
			const struct json_tok *val = &d.tok[v];
			char s[160];

			if (jtok_str_eq(&d, &d.tok[k], "class_name") && val->type == JSON_STR) {
				jtok_str(&d, val, s, sizeof(s));
				if (strcmp(s, "Lambda") == 0 || strcmp(s, "__lambda__") == 0) {
					char code[48];
					lambda_code(&d, i, code, sizeof(code));
					scan_add_finding(c->r, SCAN_DANGEROUS, base + val->start, c->member,
							 NULL, "Keras %s layer runs serialized code (%.40s)", s,
							 code[0] ? code : "no code");
				} else if (strcmp(s, "TFSMLayer") == 0) {
					scan_add_finding(c->r, SCAN_SUSPICIOUS, base + val->start, c->member,
							 NULL, "Keras TFSMLayer loads an external SavedModel");
				}
			} else if (jtok_str_eq(&d, &d.tok[k], "module") && val->type == JSON_STR) {
				jtok_str(&d, val, s, sizeof(s));
				if (!keras_module_ok(s))
					scan_add_finding(c->r, SCAN_DANGEROUS, base + val->start, c->member,
							 s, "Keras config imports module '%s' (CVE-2025-1550)", s);
			}
			k = val->next;
		}
	}
	jtok_free(&d);
	return 0;
}

/*
 * HDF5 (legacy Keras .h5): the root attribute model_config holds the model
 * JSON. Rather than walking HDF5's object headers, B-trees and heaps, the
 * bytes are searched for it, two ways: after each attribute name
 * "model_config" the first '{' within 1 KiB (Keras stores the JSON as a
 * fixed-length string, inline in the attribute message right after its
 * datatype and dataspace, whatever the order of its keys); and every
 * '{"class_name"' (the JSON as json.dumps writes it, wherever h5py put it,
 * e.g. a variable-length string in the global heap). Each blob that parses
 * as JSON is walked as a Keras config, once. Files up to 64 MiB are
 * searched whole; larger ones in their first and last 32 MiB (h5py writes
 * the root attributes before the weights).
 */
struct h5s {
	struct scan_ctx *c;
	const uint8_t *buf;
	unsigned blobs;
	size_t from[64], to[64];	/* the blobs walked */
};

/* h5_blob - walk the JSON at @at unless inside one walked; its length, 0 when not JSON */
static size_t h5_blob(struct h5s *h, size_t at, size_t to)
{
	struct json_doc d;
	size_t err, lim = to - at > (64u << 20) ? (64u << 20) : to - at;

	for (unsigned k = 0; k < h->blobs; k++)
		if (at >= h->from[k] && at < h->to[k])
			return h->to[k] - at;
	if (h->blobs >= 64 || jtok_parse(&d, h->buf + at, lim, true, JSON_MAX_TOK, 512, &err))
		return 0;
	size_t jl = d.len;
	jtok_free(&d);
	h->from[h->blobs] = at;
	h->to[h->blobs++] = at + jl;
	keras_config_scan(h->c, h->buf + at, jl, at);
	return jl;
}

static void hdf5_region(struct h5s *h, size_t from, size_t to)
{
	static const char pat[] = "{\"class_name\"", attr[] = "model_config";
	const uint8_t *buf = h->buf;
	size_t pos = from;

	while (pos < to && h->blobs < 64) {
		const uint8_t *a = mem_find(buf + pos, to - pos, attr, sizeof(attr) - 1);

		if (!a)
			break;
		size_t at = (size_t)(a - buf) + sizeof(attr) - 1, end = to - at > 1024 ? at + 1024 : to;
		const uint8_t *brace = memchr(buf + at, '{', end - at);
		if (brace)
			h5_blob(h, (size_t)(brace - buf), to);
		pos = at;
	}
	pos = from;
	while (pos < to && h->blobs < 64) {
		const uint8_t *p = mem_find(buf + pos, to - pos, pat, sizeof(pat) - 1);

		if (!p)
			break;
		size_t at = (size_t)(p - buf), jl = h5_blob(h, at, to);
		pos = at + (jl ? jl : 1);
	}
}

static int scan_hdf5(struct scan_ctx *c, const uint8_t *buf, size_t len)
{
	struct h5s *h = calloc(1, sizeof(*h));
	const size_t half = 32u << 20;

	if (!h) {
		scan_set_error(c->r, "hdf5: out of memory");
		return -ENOMEM;
	}
	h->c = c;
	h->buf = buf;
	if (len <= 2 * half) {
		hdf5_region(h, 0, len);
	} else {
		hdf5_region(h, 0, half);
		hdf5_region(h, len - half, len);
	}
	free(h);
	return 0;
}

/* ---- TF SavedModel, TFLite, 7z ---------------------------------------------- */

static int scan_savedmodel(struct scan_ctx *c, const uint8_t *buf, size_t len)
{
	/* NodeDef.op (field 2, a string): the length-prefixed op names */
	static const struct { const char *pat; size_t n; const char *op; } ops[] = {
		{ "\x12\x08ReadFile", 10, "ReadFile" },
		{ "\x12\x09WriteFile", 11, "WriteFile" },
	};

	for (size_t k = 0; k < 2; k++) {
		const uint8_t *hit = mem_find(buf, len, ops[k].pat, ops[k].n);

		if (hit)
			scan_add_finding(c->r, SCAN_SUSPICIOUS, (uint64_t)(hit - buf), c->member, NULL,
					 "TensorFlow graph uses the %s op (file access)", ops[k].op);
	}
	return 0;
}

static int scan_tflite(struct scan_ctx *c, const uint8_t *buf, size_t len)
{
	/* a FlatBuffer: u32 offset of the root table, inside the file */
	if (len < 8 || rd32(buf) > len - 4)
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 0, c->member, NULL,
				 "TFLite root table offset outside the file");
	return 0;
}

int scan_format(struct scan_ctx *c, enum model_format f, const uint8_t *buf, size_t len)
{
	switch (f) {
	case MF_SAFETENSORS:
		return scan_safetensors(c, buf, len);
	case MF_GGUF:
		return scan_gguf(c, buf, len);
	case MF_ONNX:
		return scan_onnx(c, buf, len);
	case MF_HDF5:
		return scan_hdf5(c, buf, len);
	case MF_KERAS:
		if (len >= 8 && memcmp(buf, "\x89HDF\r\n\x1a\n", 8) == 0)
			return scan_hdf5(c, buf, len);
		return zip_scan(c, f, buf, len);
	case MF_TF_SAVEDMODEL:
		return scan_savedmodel(c, buf, len);
	case MF_TFLITE:
		return scan_tflite(c, buf, len);
	case MF_7Z:
		c->r->incomplete = true;
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 0, c->member, NULL,
				 "wrapped in 7z: contents not scanned");
		return 0;
	case MF_UNKNOWN:
	case MF_COUNT:
		return 0;
	default:
		return scan_torch_family(c, f, buf, len);
	}
}
