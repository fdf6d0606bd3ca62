// SPDX-License-Identifier: MIT
/*
 * torch - PyTorch's containers (zip members, the tar era, TorchScript
 * code), numpy .npy and joblib.
 *
 * scan_member is the one place a container member is dispatched from (zip
 * and tar walkers call it): pickles by content whatever their name, nested
 * containers up to max_depth, numpy arrays, Keras configs, TorchScript
 * code. Legacy torch files are stacked pickles (magic, protocol, sys_info,
 * the object, the storage keys) followed by raw storages: scan_pickle
 * interprets every concatenated stream, so all five are scanned.
 *
 * joblib writes numpy arrays inline, right after the BUILD of a
 * NumpyArrayWrapper; scan_pickle knows and skips them, so a joblib file is
 * a pickle once decompressed: zlib and gzip (zip.c), bzip2, xz and lzma
 * (decomp.c), recognised by content; lz4 (no library here) is reported as
 * not scanned. A stream that does not decompress is an error, never clean.
 */
#include "scan/scan_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- members ---------------------------------------------------------------- */

static bool is_pickle_format(enum model_format f)
{
	return f == MF_PICKLE || f == MF_DILL || f == MF_PYTORCH_LEGACY;
}

int scan_member(struct scan_ctx *c, enum model_format outer, const char *name, const uint8_t *buf,
		size_t len, bool tensor)
{
	char path[SCAN_MEMBER_MAX];
	const char *saved = c->member;
	uint64_t saved_base = c->op_base;
	enum model_format f;

	if (scan_stop(c))
		return 0;
	if (c->member && c->member[0])
		snprintf(path, sizeof(path), "%s!%s", c->member, name);
	else
		snprintf(path, sizeof(path), "%s", name);
	f = scan_sniff(buf, len, len, name);
	if (tensor && !is_pickle_format(f) && f != MF_JOBLIB && !(len >= 4 && memcmp(buf, "PK\3\4", 4) == 0))
		return 0;
	c->member = path;
	/* each member its own opcode budget: decoys cannot spend the payload's */
	c->op_base = c->r->opcodes;
	if (outer == MF_KERAS && strcmp(name, "config.json") == 0) {
		keras_config_scan(c, buf, len, 0);
	} else if (outer == MF_TORCHSCRIPT && (strncmp(name, "code/", 5) == 0 || strstr(name, "/code/")) &&
		   f == MF_UNKNOWN) {
		scan_torchscript_code(c, buf, len);
	} else if (outer == MF_TORCHSERVE_MAR && str_ends_with(name, ".py") && f == MF_UNKNOWN) {
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 0, path, NULL,
				 "TorchServe archive ships Python handler code (run on load)");
	} else if (is_pickle_format(f)) {
		scan_pickle(c, buf, len, 0);
	} else if (f != MF_UNKNOWN) {
		if (c->depth + 1 > c->lim->max_depth) {
			c->r->incomplete = true;
			scan_add_finding(c->r, SCAN_SUSPICIOUS, 0, path, NULL,
					 "%s nested deeper than max_depth: not scanned", model_format_name(f));
		} else {
			c->depth++;
			scan_format(c, f, buf, len);
			c->depth--;
		}
	}
	c->member = saved;
	c->op_base = saved_base;
	return 0;
}

/* ---- TorchScript ------------------------------------------------------------ */

static const char *const ts_suspicious[] = {
	"__import__", "import os", "import sys", "import subprocess", "os.system", "os.popen",
	"subprocess.", "eval(", "exec(", "__builtins__", "builtins.", "__globals__",
	"load_library", "__subclasses__",
};

void scan_torchscript_code(struct scan_ctx *c, const uint8_t *buf, size_t len)
{
	for (size_t k = 0; k < sizeof(ts_suspicious) / sizeof(ts_suspicious[0]); k++) {
		const uint8_t *hit = mem_find(buf, len, ts_suspicious[k], strlen(ts_suspicious[k]));

		if (hit)
			scan_add_finding(c->r, SCAN_SUSPICIOUS, (uint64_t)(hit - buf), c->member, NULL,
					 "TorchScript code uses '%s'", ts_suspicious[k]);
	}
}

/* ---- numpy ------------------------------------------------------------------ */

/*
 * numpy's header is a Python literal (np.load reads it with
 * ast.literal_eval): it is parsed as one (pylit.c), and its descr judged by
 * numpy's own rules (numpy.lib.format.descr_to_dtype), not matched as text.
 */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * a dtype string that holds objects: any of its comma-separated fields
 * ("f8,O") that is, after a repeat count or subarray shape ("3", "(2,3)")
 * and a byte-order mark, O with or without a size ("O", "|O8") or the
 * type's name ("object", "object_", "object0")
 */
static bool dtype_str_objects(const char *s, size_t n)
{
	size_t i = 0;

	while (i <= n) {
		size_t a = i, b = i;
		int depth = 0;

		while (b < n && (s[b] != ',' || depth)) {
			depth += s[b] == '(' ? 1 : s[b] == ')' ? -1 : 0;
			b++;
		}
		i = b + 1;
		while (a < b && s[a] == ' ')
			a++;
		while (b > a && s[b - 1] == ' ')
			b--;
		if (a < b && s[a] == '(') {
			while (a < b && s[a] != ')')
				a++;
			a += a < b;
		}
		while (a < b && (is_digit(s[a]) || s[a] == ' '))
			a++;
		if (a < b && strchr("|<>=", s[a]))
			a++;
		if (a < b && s[a] == 'O') {
			size_t k = a + 1;

			while (k < b && is_digit(s[k]))
				k++;
			if (k == b)
				return true;
		}
		if ((b - a == 6 && !memcmp(s + a, "object", 6)) ||
		    (b - a == 7 && (!memcmp(s + a, "object_", 7) || !memcmp(s + a, "object0", 7))))
			return true;
	}
	return false;
}

/* any dtype string anywhere in @v (an old numpy's dict form), field names aside */
static bool any_objects(const struct pyl_doc *d, int32_t v, int depth)
{
	if (v < 0 || depth > PYL_DEPTH_MAX)
		return false;
	if (d->n[v].type == PYL_STR)
		return dtype_str_objects(d->pool + d->n[v].off, d->n[v].len);
	if (d->n[v].type < PYL_TUPLE)
		return false;
	for (int32_t c = d->n[v].first; c >= 0; c = d->n[c].next) {
		if (d->n[v].type == PYL_DICT) {	/* a key, then its value */
			int32_t val = d->n[c].next;

			if (!pyl_str_is(d, c, "names") && !pyl_str_is(d, c, "titles") &&
			    any_objects(d, val, depth + 1))
				return true;
			if (val < 0)
				break;
			c = val;
			continue;
		}
		if (any_objects(d, c, depth + 1))
			return true;
	}
	return false;
}

/*
 * descr_to_dtype's cases: a str (a dtype string), a tuple (subdtype, shape),
 * a list of fields (name, subdescr[, shape]) whose names are not dtypes.
 * 1 objects, 0 none, -1 a descr numpy refuses.
 */
static int descr_objects(const struct pyl_doc *d, int32_t v, int depth)
{
	int ret = 0;

	if (v < 0 || depth > PYL_DEPTH_MAX)
		return -1;
	switch (d->n[v].type) {
	case PYL_STR:
		return dtype_str_objects(d->pool + d->n[v].off, d->n[v].len);
	case PYL_TUPLE:
		return d->n[v].len ? descr_objects(d, d->n[v].first, depth + 1) : -1;
	case PYL_LIST:
		for (int32_t f = d->n[v].first; f >= 0; f = d->n[f].next) {
			int r;

			if (d->n[f].type != PYL_TUPLE || d->n[f].len < 2 || d->n[f].len > 3)
				return -1;
			r = descr_objects(d, d->n[d->n[f].first].next, depth + 1);
			if (r == 1)
				return 1;
			if (r < 0)
				ret = -1;
		}
		return ret;
	case PYL_DICT:	/* numpy before descr_to_dtype: np.dtype(dict) */
		return any_objects(d, v, depth + 1) ? 1 : -1;
	default:
		return -1;
	}
}

int npy_header_objects(const uint8_t *buf, size_t len, const char **why)
{
	static __thread char msg[128];
	struct pyl_doc *d;
	size_t hl, hoff, hn;
	int32_t descr;
	int ret;

	if (why)
		*why = NULL;
	if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
		return -1;
	if (buf[6] == 1) {
		hl = rd16(buf + 8);
		hoff = 10;
	} else if ((buf[6] == 2 || buf[6] == 3) && len >= 12) {
		hl = rd32(buf + 8);
		hoff = 12;
	} else {
		return -1;
	}
	if (hl > len - hoff) {
		if (why)
			*why = "header runs past the end of the file";
		return -1;
	}
	hn = hl > (1u << 20) ? (1u << 20) : hl;
	d = pyl_doc_new(hn);
	if (!d) {
		if (why)
			*why = "out of memory";
		return -1;
	}
	if (pyl_parse(buf + hoff, hn, d)) {
		snprintf(msg, sizeof(msg), "header is no Python literal: %s at byte %zu", d->err,
			 hoff + d->err_off);
		ret = -1;
		goto out;
	}
	/* exactly numpy's keys (a repeated one counts once: the last wins) */
	ret = -1;
	snprintf(msg, sizeof(msg), "header is not the dict numpy expects (descr, fortran_order, shape)");
	if (d->n[d->root].type != PYL_DICT)
		goto out;
	for (int32_t k = d->n[d->root].first; k >= 0 && d->n[k].next >= 0;
	     k = d->n[d->n[k].next].next)
		if (!pyl_str_is(d, k, "descr") && !pyl_str_is(d, k, "fortran_order") &&
		    !pyl_str_is(d, k, "shape"))
			goto out;
	descr = pyl_dict_get(d, d->root, "descr");
	if (descr < 0 || pyl_dict_get(d, d->root, "shape") < 0 ||
	    pyl_dict_get(d, d->root, "fortran_order") < 0)
		goto out;
	ret = descr_objects(d, descr, 0);
	if (ret < 0)
		snprintf(msg, sizeof(msg), "descr is no dtype numpy reads");
out:
	if (ret < 0 && why)
		*why = msg;
	pyl_doc_free(d);
	return ret;
}

int scan_numpy(struct scan_ctx *c, const uint8_t *buf, size_t len)
{
	const char *why = NULL;
	size_t hl, hoff, data;
	int obj;

	if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0) {
		scan_set_error(c->r, "numpy: not an .npy image");
		return 0;
	}
	if (buf[6] == 1) {
		hl = rd16(buf + 8);
		hoff = 10;
	} else if (buf[6] == 2 || buf[6] == 3) {
		if (len < 12) {
			scan_set_error(c->r, "numpy: truncated header");
			return 0;
		}
		hl = rd32(buf + 8);
		hoff = 12;
	} else {
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 6, c->member, NULL,
				 "numpy format version %u.%u unknown", buf[6], buf[7]);
		return 0;
	}
	if (hl > len - hoff) {
		scan_set_error(c->r, "numpy: header runs past the end of the file");
		return 0;
	}
	if (hl > 10000)
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 8, c->member, NULL,
				 "numpy header of %zu bytes exceeds numpy's 10000-byte limit", hl);
	obj = npy_header_objects(buf, len, &why);
	if (obj < 0) {
		scan_add_finding(c->r, SCAN_SUSPICIOUS, hoff, c->member, NULL,
				 "malformed numpy header (%s)", why ? why : "unreadable");
		return 0;
	}
	if (!obj)
		return 0;
	/*
	 * an object array's data is a pickle that np.load(allow_pickle=True)
	 * unpickles: its verdict is the pickle's (np.save of a dict or a list
	 * of str holds only builtins: clean)
	 */
	data = hoff + hl;
	if (data >= len) {
		scan_add_finding(c->r, SCAN_SUSPICIOUS, data, c->member, NULL,
				 "numpy array of Python objects without its pickle");
		return 0;
	}
	if (c->depth + 1 > c->lim->max_depth) {
		c->r->incomplete = true;
		return 0;
	}
	c->depth++;
	scan_pickle(c, buf + data, len - data, data);
	c->depth--;
	return 0;
}

/* ---- joblib ----------------------------------------------------------------- */

/*
 * a compressed joblib or pickle stream's findings, as its decompression
 * ended (@n bytes out, @cut: stopped at the cap or, for zlib, at the end
 * of the data)
 */
static void decompressed(struct scan_ctx *c, const char *what, int ret, bool cut, size_t n)
{
	if (ret == -EFBIG) {
		scan_set_error(c->r, "joblib: the %s stream needs more than a scan's memory to decompress",
			       what);
	} else if (ret == -E2BIG || (cut && n >= inflate_cap(c))) {
		c->r->incomplete = true;
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 0, c->member, NULL,
				 "compressed joblib larger than %zu bytes: scanned only its start",
				 inflate_cap(c));
	} else if (ret || cut) {
		/* what could not be decompressed was not scanned: never clean */
		scan_set_error(c->r, "joblib: %s %s stream", cut ? "truncated" : "corrupt", what);
	}
}

static int scan_joblib(struct scan_ctx *c, const uint8_t *buf, size_t len)
{
	const uint8_t *z = buf;
	enum scan_codec k;
	size_t zl = len;
	uint8_t *out;
	size_t n;
	bool cut;
	int ret;

	if (pk_looks_like(buf, len)) {
		scan_pickle(c, buf, len, 0);	/* it skips the inline arrays itself */
		return 0;
	}
	if (len >= 4 && memcmp(buf, "\x04\x22\x4d\x18", 4) == 0) {
		c->r->incomplete = true;
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 0, c->member, NULL,
				 "joblib compressed with lz4: contents not scanned");
		return 0;
	}
	k = decomp_codec_of(buf, len);
	if (k != CODEC_NONE) {
		ret = decomp_mem(c, k, buf, len, inflate_cap(c), &out, &n, &cut);
	} else {
		/* zlib or gzip */
		if (len >= 21 && memcmp(buf, "ZF", 2) == 0) {	/* joblib < 0.10: "ZF", hex length, zlib */
			z = buf + 21;
			zl = len - 21;
		}
		ret = inflate_mem(c, z, zl, 15 + 32, 0, inflate_cap(c), &out, &n, &cut);
	}
	if (ret == -ENOMEM) {
		scan_set_error(c->r, "joblib: out of memory");
		free(out);
		return ret;
	}
	decompressed(c, k != CODEC_NONE ? decomp_codec_name(k) : "zlib", ret, cut, n);
	if (out && n)
		scan_pickle(c, out, n, 0);
	else if (!ret && !cut)
		scan_set_error(c->r, "joblib: the compressed stream holds nothing");
	free(out);
	return 0;
}

/* ---- tar -------------------------------------------------------------------- */

static bool tar_size(const uint8_t *h, uint64_t *size)
{
	uint64_t x = 0;

	if (h[124] & 0x80) {	/* base-256 */
		for (int i = 1; i < 12; i++) {
			if (x >> 56)
				return false;
			x = x << 8 | h[124 + i];
		}
		*size = x;
		return true;
	}
	for (int i = 0; i < 12; i++) {
		uint8_t ch = h[124 + i];

		if (ch == ' ' || ch == 0) {
			if (x || i)
				break;
			continue;
		}
		if (ch < '0' || ch > '7')
			return false;
		x = x << 3 | (uint64_t)(ch - '0');
	}
	*size = x;
	return true;
}

static void tar_name(const uint8_t *h, char *out, size_t n)
{
	char name[101], prefix[156];

	memcpy(name, h, 100);
	name[100] = 0;
	memcpy(prefix, h + 345, 155);
	prefix[155] = 0;
	char full[258];

	if (prefix[0] && memcmp(h + 257, "ustar", 5) == 0)
		snprintf(full, sizeof(full), "%s/%s", prefix, name);
	else
		snprintf(full, sizeof(full), "%s", name);
	snprintf(out, n, "%.*s", (int)(n - 1), full);
}

typedef int (*tar_fn)(void *arg, const char *name, const uint8_t *data, size_t len);

/* tar_walk - regular members of the tar @buf, at most @max; -EINVAL on a bad header */
static int tar_walk(const uint8_t *buf, size_t len, uint32_t max, tar_fn fn, void *arg, bool *cut)
{
	size_t off = 0;
	uint32_t n = 0;
	char longname[SCAN_MEMBER_MAX] = "";

	*cut = false;
	while (len - off >= 512) {
		const uint8_t *h = buf + off;
		char name[SCAN_MEMBER_MAX];
		uint64_t size;
		size_t i;

		for (i = 0; i < 512 && !h[i]; i++)
			;
		if (i == 512)
			break;	/* end-of-archive block */
		if (!tar_size(h, &size))
			return -EINVAL;
		size_t data = off + 512;
		size_t avail = size < len - data ? (size_t)size : len - data;
		if (longname[0]) {
			snprintf(name, sizeof(name), "%s", longname);
			longname[0] = 0;
		} else {
			tar_name(h, name, sizeof(name));
		}
		if (h[156] == 'L') {
			size_t k = avail < sizeof(longname) - 1 ? avail : sizeof(longname) - 1;
			memcpy(longname, buf + data, k);
			longname[k] = 0;
		} else if (h[156] == '0' || h[156] == 0 || h[156] == '7') {
			if (n >= max) {
				*cut = true;
				break;
			}
			n++;
			int ret = fn(arg, name, buf + data, avail);
			if (ret)
				return ret < 0 ? ret : (int)n;
		}
		if (size > len - data)
			break;
		uint64_t next = data + ((size + 511) & ~(uint64_t)511);
		if (next > len)
			break;
		off = (size_t)next;
	}
	return (int)n;
}

struct tscan {
	struct scan_ctx *c;
	enum model_format f;
};

static int tscan_member(void *arg, const char *name, const uint8_t *data, size_t len)
{
	struct tscan *t = arg;

	scan_member(t->c, t->f, name, data, len, false);
	return t->c->stopped ? 1 : 0;
}

int tar_scan(struct scan_ctx *c, enum model_format f, const uint8_t *buf, size_t len)
{
	struct tscan t = { .c = c, .f = f };
	bool cut;
	int n = tar_walk(buf, len, c->lim->max_members, tscan_member, &t, &cut);

	if (n < 0)
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 0, c->member, NULL, "malformed tar header");
	if (cut) {
		c->r->incomplete = true;
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 0, c->member, NULL,
				 "more tar members than max_members: the rest not scanned");
	}
	return 0;
}

struct tkind {
	unsigned seen;
};

static int tkind_member(void *arg, const char *name, const uint8_t *data, size_t len)
{
	struct tkind *k = arg;
	static const char *const names[] = { "sys_info", "pickle", "storages", "tensors" };

	(void)data;
	(void)len;
	for (unsigned i = 0; i < 4; i++)
		if (strcmp(name, names[i]) == 0)
			k->seen |= 1u << i;
	return 0;
}

bool tar_is_torch(const uint8_t *buf, size_t len)
{
	struct tkind k = { 0 };
	bool cut;

	tar_walk(buf, len, 16, tkind_member, &k, &cut);
	return (k.seen & 2) && (k.seen & ~2u);
}

/* ---- dispatch of the torch-family formats ----------------------------------- */

int scan_torch_family(struct scan_ctx *c, enum model_format f, const uint8_t *buf, size_t len)
{
	switch (f) {
	case MF_PYTORCH_LEGACY:
	case MF_PICKLE:
	case MF_DILL:
		scan_pickle(c, buf, len, 0);
		return 0;
	case MF_JOBLIB:
		return scan_joblib(c, buf, len);
	case MF_PYTORCH_TAR:
	case MF_TAR:
		return tar_scan(c, f, buf, len);
	case MF_NUMPY:
		if (len >= 6 && memcmp(buf, "\x93NUMPY", 6) == 0)
			return scan_numpy(c, buf, len);
		return zip_scan(c, f, buf, len);
	default:
		return zip_scan(c, f, buf, len);
	}
}
