// SPDX-License-Identifier: MIT
/*
 * pickle - a bounded abstract interpreter of the pickle VM (protocols 0-5).
 *
 * Nothing is unpickled. Every opcode of CPython's pickle is decoded and
 * executed on abstract values: a real stack, a mark stack and a memo of
 * type-tagged values (str, bytes, int, global(module, name), the result of
 * a call, containers, unknown). So STACK_GLOBAL sees its real operands,
 * whatever mix of PUT/BINPUT/MEMOIZE/GET delivered them; an operand that is
 * not a string (a call result, a memo miss, an int) is a dynamic import.
 *
 * Findings:
 *   - each GLOBAL/STACK_GLOBAL/INST of a global that is not allow-listed
 *     (globals.c grades it suspicious or dangerous); a later REDUCE, NEWOBJ,
 *     OBJ, INST, BUILD or container mutation of it appends "called";
 *   - dynamic imports, memo misses, BUILD/SETITEM on a global itself, calls
 *     of computed objects, EXT opcodes (copyreg registry);
 *   - framing: an opcode that crosses the end of its FRAME, or a FRAME
 *     opened inside a frame (a parser differential that hides opcodes from
 *     linear readers); the bytes after the frame end are then also
 *     interpreted, so what they hide is named;
 *   - a parse error: a finding of its own, kept with everything found
 *     before it. After an import or call it is suspicious (dangerous after
 *     a call of a non-allow-listed global: payload, then corrupt bytes);
 *     with nothing before it in the first stream it is an error.
 * Streams: every pickle concatenated in the buffer is interpreted until
 * EOF or bytes that are not a pickle. A stream after the first (and a
 * nested one) is a "probe": if it breaks before importing or calling
 * anything (or hiding opcodes in a frame), it was data (a legacy torch
 * file's storages) and its findings are rolled back; in a probe, GLOBAL
 * text that is not a name is data too. Bytes and str values that start like a pickle
 * (\x80\x02..\x80\x05, also as latin-1 text of protocol 2's
 * _codecs.encode) are interpreted as nested pickles, up to max_depth.
 * joblib: after the BUILD of a NumpyArrayWrapper the raw array bytes that
 * joblib writes inline are skipped (their size comes from the wrapper's
 * shape and dtype, with the dtype's BUILD state applied as numpy applies
 * it), and an object array's inline pickle is interpreted.
 *
 * Bounds: opcodes (over the whole file), stack and mark-stack depth, memo
 * index, streams, nesting. A bound hit marks the report incomplete and is
 * a suspicious finding; the scan stops (a nested pickle's bound stops only
 * the nested pickle). Memory: the stack and the memo grow on demand; the
 * values of all live interpreters share one budget (24 bytes per value).
 *
 * Text opcodes are read as CPython's C unpickler reads them (base-0 INT,
 * int() memo indices, STRING's trailing blanks stripped), so a spelling
 * CPython accepts never stops the interpretation early.
 */
#include "scan/scan.h"
#include "hex.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/globals.h"

enum pv_type {
	PV_UNSET = 0,	/* an empty memo slot */
	PV_UNKNOWN,
	PV_NONE,
	PV_BOOL,
	PV_INT,
	PV_BIGINT,
	PV_FLOAT,
	PV_STR,
	PV_BYTES,
	PV_GLOBAL,
	PV_CALL,
	PV_LIST,
	PV_TUPLE,
	PV_DICT,
	PV_SET,
	PV_FROZENSET,
	PV_PERSID,
	PV_BUFFER,
	PV_EXT,
};

static const char *const pv_names[] = {
	"unset", "unknown", "None", "bool", "int", "int", "float", "str", "bytes", "global",
	"call result", "list", "tuple", "dict", "set", "frozenset", "persistent id", "buffer",
	"extension",
};

/* text encodings of a PV_STR */
enum { ENC_RAW = 0, ENC_QUOTED, ENC_RUE };

/* value flags */
#define PF_ALLOWED 0x01		/* global / call of an allow-listed global */
#define PF_ALIGN 0x02		/* joblib state dict has numpy_array_alignment_bytes */
#define PF_OBJDT 0x04		/* numpy dtype (or dict's dtype) is object */
#define PF_FLEX 0x08		/* numpy dtype of a flexible kind (S, U, V, a) */
#define PF_DTSTATE 0x10		/* tuple shaped like a dtype state: n = elsize << 32 | flags */
#define PF_UNSIZED 0x20		/* dict: the array size cannot be known */

/* kinds of allow-listed globals the interpreter models */
enum { K_NONE = 0, K_JOBLIB_WRAPPER, K_NP_DTYPE };

#define NOF UINT32_MAX		/* no finding */
#define LATIN1_MAX (16u << 20)	/* nested pickle text decoded to bytes, at most */
#define NOPROD UINT64_MAX	/* tuple product / shape unknown */

/*
 * One abstract value (24 bytes).
 *   STR/BYTES: p, n = data and length, e = encoding
 *   INT: n = value (two's complement)
 *   GLOBAL/CALL/EXT: g = finding index (NOF when clean), f, k; CALL of
 *     numpy.dtype: n = item size (0 unknown)
 *     (p = the REDUCE that made it: an identity for dtype_site)
 *   TUPLE: n = product of its int elements (NOPROD), p/g = first element str;
 *     with PF_DTSTATE, n = elsize << 32 | flags of a numpy dtype state
 *   DICT: p = its identity (the opcode that made it; see struct dict_sum)
 */
struct pv {
	const uint8_t *p;
	uint64_t n;
	uint32_t g;
	uint8_t t;
	uint8_t f;
	uint8_t k;
	uint8_t e;
};

/*
 * numpy dtypes changed by BUILD after they were memoized: numpy takes the
 * item size of a flexible dtype and the "has objects" flag from the state,
 * and a later GET returns the same (changed) object, so the change is kept
 * by the REDUCE that made the dtype.
 */
struct dtype_site {
	const uint8_t *site;
	uint64_t size;		/* 0: unknown */
	bool object;
};

#define DTYPE_SITES 64

/*
 * What joblib's array reader will find in a dict, kept by the dict's
 * identity (the opcode that made it), since copies of a dict taken from
 * the memo are the same object: a SETITEM through any copy counts. An
 * entry lives from the first relevant key to the wrapper's BUILD.
 */
struct dict_sum {
	const uint8_t *id;
	uint64_t shape;			/* element count, NOPROD unknown */
	uint64_t itemsize;		/* 0 unknown */
	const uint8_t *dtype_site;	/* the numpy dtype's REDUCE, for dtype_site */
	uint8_t f;			/* PF_ALIGN, PF_OBJDT, PF_UNSIZED */
};

#define DICT_SUMS 64

/* results of one stream (RS_DEPTH: sub_scan only, the nesting bound was hit) */
enum { RS_STOP = 0, RS_ERROR, RS_LIMIT, RS_DEPTH };

struct vm {
	struct scan_ctx *c;
	const struct scan_limits *lim;
	struct scan_report *r;
	const uint8_t *buf;
	size_t len;
	uint64_t base;
	bool nested;		/* a pickle inside a bytes value or after a frame hide */
	bool probe;		/* errors before any import/call: not a pickle, roll back */
	struct pv *st;
	uint32_t sp, scap;
	uint32_t *marks;
	uint32_t nmarks, mkcap;
	struct pv *memo;
	uint32_t memo_cap, memo_count, memo_hi;
	uint64_t frame_end;	/* 0: not in a frame */
	bool imported, called, bad_call;
	bool memo_limit_seen, alt_done;
	uint64_t *values;	/* stack + memo values allocated by all live interpreters */
	uint64_t own_values;	/* the counter, in the top-level interpreter */
	struct dtype_site dts[DTYPE_SITES];
	uint32_t ndts;
	bool dts_lost;		/* more changed dtypes than DTYPE_SITES */
	struct dict_sum dsums[DICT_SUMS];
	uint32_t ndsums;
	bool dsums_lost;	/* more dicts with array keys than DICT_SUMS */
};

/* ---- findings ------------------------------------------------------------- */

static uint32_t vfinding(struct vm *v, enum scan_verdict sev, size_t pos, const char *global,
			 const char *fmt, va_list ap)
{
	char why[SCAN_WHY_MAX];
	uint32_t idx = v->r->nfindings;
	int n = vsnprintf(why, sizeof(why), fmt, ap);

	if (v->nested && n >= 0 && (size_t)n < sizeof(why))
		snprintf(why + n, sizeof(why) - n, " (nested pickle)");
	scan_add_finding(v->r, sev, v->base + pos, v->c->member, global, "%s", why);
	return v->r->nfindings > idx ? idx : NOF;
}

static uint32_t finding(struct vm *v, enum scan_verdict sev, size_t pos, const char *global,
			const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static uint32_t finding(struct vm *v, enum scan_verdict sev, size_t pos, const char *global,
			const char *fmt, ...)
{
	va_list ap;
	uint32_t idx;

	va_start(ap, fmt);
	idx = vfinding(v, sev, pos, global, fmt, ap);
	va_end(ap);
	return idx;
}

/* a bound was hit: incomplete, suspicious, stop */
static int limit(struct vm *v, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int limit(struct vm *v, size_t pos, const char *fmt, ...)
{
	va_list ap;

	v->r->incomplete = true;
	va_start(ap, fmt);
	vfinding(v, SCAN_SUSPICIOUS, pos, NULL, fmt, ap);
	va_end(ap);
	return RS_LIMIT;
}

/*
 * fail - a parse error at @pos. Graded by what the stream did before it;
 * in a probe stream that did nothing yet, it only means "not a pickle".
 */
static int fail(struct vm *v, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct vm *v, size_t pos, const char *fmt, ...)
{
	char msg[SCAN_WHY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (v->bad_call)
		finding(v, SCAN_DANGEROUS, pos, NULL,
			"pickle breaks after calling a non-allow-listed global: %s", msg);
	else if (v->imported || v->called)
		finding(v, SCAN_SUSPICIOUS, pos, NULL, "pickle breaks after an import or call: %s",
			msg);
	else if (!v->probe) {
		finding(v, SCAN_ERROR, pos, NULL, "not a valid pickle: %s", msg);
		scan_set_error(v->r, "pickle at offset %llu: %s",
			       (unsigned long long)(v->base + pos), msg);
	}
	return RS_ERROR;
}

/* append "; called (OP at N)" to the finding of a non-allow-listed global, once */
static void amend_called(struct vm *v, uint32_t g, const char *op, size_t pos)
{
	struct scan_finding *f;
	size_t n;

	if (g == NOF || g >= v->r->nfindings)
		return;
	f = &v->r->findings[g];
	if (strstr(f->why, "; called"))
		return;
	n = strlen(f->why);
	snprintf(f->why + n, sizeof(f->why) - n, "; called (%s at %llu)", op,
		 (unsigned long long)(v->base + pos));
}

/* ---- stack, marks, memo --------------------------------------------------- */

/*
 * grow - make room for @want elements (at most @max). Stack and memo
 * values of every live interpreter (nested ones included) count against
 * one budget, max_stack + max_memo values, so nesting does not multiply
 * the memory bound.
 */
static int grow(struct vm *v, void **arr, uint32_t *cap, size_t elem, uint32_t want,
		uint32_t max)
{
	uint64_t ncap = *cap ? (uint64_t)*cap * 2 : 64;
	uint64_t budget = (uint64_t)v->lim->max_stack + v->lim->max_memo;
	void *n;

	if (want > max)
		return -E2BIG;
	if (ncap < want)
		ncap = want;
	if (ncap > max)
		ncap = max;
	if (elem == sizeof(struct pv)) {
		if (*v->values + (ncap - *cap) > budget)
			return -E2BIG;
		*v->values += ncap - *cap;
	}
	n = realloc(*arr, ncap * elem);
	if (!n) {
		if (elem == sizeof(struct pv))
			*v->values -= ncap - *cap;
		return -ENOMEM;
	}
	*arr = n;
	*cap = (uint32_t)ncap;
	return 0;
}

static inline uint32_t fence(const struct vm *v)
{
	return v->nmarks ? v->marks[v->nmarks - 1] : 0;
}

#define PUSH(val)                                                                         \
	do {                                                                              \
		if (__builtin_expect(v->sp >= v->scap, 0) &&                              \
		    grow(v, (void **)&v->st, &v->scap, sizeof(struct pv), v->sp + 1,          \
			 v->lim->max_stack))                                              \
			return limit(v, pos, "stack depth limit (%u) or memory "          \
				     "limit reached", v->lim->max_stack);                     \
		v->st[v->sp++] = (val);                                                   \
	} while (0)

#define NEED_STACK(k)                                                                     \
	do {                                                                              \
		if (__builtin_expect(v->sp - fence(v) < (uint32_t)(k), 0))                \
			return fail(v, pos, "stack underflow at opcode 0x%02x", op);      \
	} while (0)

#define TOP (v->st[v->sp - 1])

/* pop to the top mark: the items are st[*from .. sp) */
#define POP_MARK(from)                                                                    \
	do {                                                                              \
		if (!v->nmarks)                                                           \
			return fail(v, pos, "opcode 0x%02x without a MARK", op);          \
		(from) = v->marks[--v->nmarks];                                           \
	} while (0)

static inline int memo_put(struct vm *v, uint64_t idx, const struct pv *val, size_t pos)
{
	if (idx >= v->lim->max_memo) {
		if (!v->memo_limit_seen) {
			v->memo_limit_seen = true;
			v->r->incomplete = true;
			finding(v, SCAN_SUSPICIOUS, pos, NULL,
				"memo index %llu beyond the memo limit (%u): scan incomplete",
				(unsigned long long)idx, v->lim->max_memo);
		}
		return 0;
	}
	if (idx >= v->memo_cap &&
	    grow(v, (void **)&v->memo, &v->memo_cap, sizeof(struct pv), (uint32_t)idx + 1,
		 v->lim->max_memo))
		return -ENOMEM;
	/* slots at and above memo_hi were never written: only the gap is cleared */
	if (idx >= v->memo_hi) {
		memset(v->memo + v->memo_hi, 0, (size_t)(idx - v->memo_hi) * sizeof(struct pv));
		v->memo_hi = (uint32_t)idx + 1;
		v->memo_count++;
	} else if (v->memo[idx].t == PV_UNSET) {
		v->memo_count++;
	}
	v->memo[idx] = *val;
	return 0;
}

static bool memo_get(struct vm *v, uint64_t idx, struct pv *out)
{
	if (idx >= v->memo_hi || v->memo[idx].t == PV_UNSET)
		return false;
	*out = v->memo[idx];
	return true;
}

/* ---- little helpers --------------------------------------------------------- */

static inline uint64_t rd_le(const uint8_t *p, unsigned n)
{
	uint64_t x = 0;

	for (unsigned i = 0; i < n; i++)
		x |= (uint64_t)p[i] << (8 * i);
	return x;
}

static inline bool is_space(uint8_t ch)
{
	return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

/*
 * parse_dec - a decimal line as Python's int(text) reads it (the memo index
 * of PUT and GET): surrounding whitespace, a sign, digits with single
 * underscores between them. False when malformed; *@big when it does not
 * fit in 63 bits.
 */
static bool parse_dec(const uint8_t *s, size_t n, int64_t *out, bool *big)
{
	bool neg = false, digit = false;
	uint64_t x = 0;
	size_t i = 0;

	*big = false;
	while (n && is_space(s[n - 1]))
		n--;
	while (i < n && is_space(s[i]))
		i++;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < n; i++) {
		if (s[i] == '_' && digit && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9')
			continue;
		if (s[i] < '0' || s[i] > '9')
			return false;
		digit = true;
		if (x > ((uint64_t)INT64_MAX - 9) / 10)
			*big = true;
		else
			x = x * 10 + (s[i] - '0');
	}
	*out = neg ? -(int64_t)x : (int64_t)x;
	return digit;
}

static size_t put_utf8(char *o, size_t cap, size_t k, uint32_t cp)
{
	uint8_t b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = 0xc0 | (cp >> 6);
		b[1] = 0x80 | (cp & 0x3f);
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = 0xe0 | (cp >> 12);
		b[1] = 0x80 | ((cp >> 6) & 0x3f);
		b[2] = 0x80 | (cp & 0x3f);
		n = 3;
	} else {
		b[0] = 0xf0 | ((cp >> 18) & 0x07);
		b[1] = 0x80 | ((cp >> 12) & 0x3f);
		b[2] = 0x80 | ((cp >> 6) & 0x3f);
		b[3] = 0x80 | (cp & 0x3f);
		n = 4;
	}
	if (k + n > cap)
		return cap + 1;
	memcpy(o + k, b, n);
	return k + n;
}

/*
 * pv_text - the text of a PV_STR in @out (NUL-terminated), decoding the
 * escapes of STRING (quoted, backslash escapes) and UNICODE
 * (raw-unicode-escape). Returns the length, or @cap when it does not fit.
 */
static size_t pv_text(const struct pv *s, char *out, size_t cap)
{
	size_t k = 0;

	if (s->e == ENC_RAW) {
		if (s->n >= cap)
			return cap;
		memcpy(out, s->p, s->n);
		out[s->n] = '\0';
		return s->n;
	}
	for (size_t i = 0; i < s->n && k < cap;) {
		uint8_t ch = s->p[i];

		if (ch != '\\' || i + 1 >= s->n) {
			out[k++] = (char)ch;
			i++;
			continue;
		}
		uint8_t e = s->p[i + 1];

		if (s->e == ENC_RUE) {
			unsigned nd = e == 'u' ? 4 : e == 'U' ? 8 : 0;
			uint32_t cp = 0;
			bool ok = nd && i + 2 + nd <= s->n;

			for (unsigned j = 0; ok && j < nd; j++) {
				int h = hex_value(s->p[i + 2 + j]);

				ok = h >= 0;
				cp = (cp << 4) | (uint32_t)(h < 0 ? 0 : h);
			}
			if (!ok || cp > 0x10ffff) {
				out[k++] = (char)ch;
				i++;
				continue;
			}
			k = put_utf8(out, cap - 1, k, cp);
			i += 2 + nd;
			continue;
		}
		/* ENC_QUOTED: Python's escape_decode */
		i += 2;
		switch (e) {
		case 'n': out[k++] = '\n'; break;
		case 't': out[k++] = '\t'; break;
		case 'r': out[k++] = '\r'; break;
		case '0' ... '7': {
			unsigned val = e - '0';

			for (int j = 0; j < 2 && i < s->n && s->p[i] >= '0' && s->p[i] <= '7'; j++)
				val = val * 8 + (s->p[i++] - '0');
			out[k++] = (char)(val & 0xff);
			break;
		}
		case 'x':
			if (i + 2 <= s->n && hex_value(s->p[i]) >= 0 && hex_value(s->p[i + 1]) >= 0) {
				out[k++] = (char)(hex_value(s->p[i]) * 16 + hex_value(s->p[i + 1]));
				i += 2;
			} else {
				out[k++] = 'x';
			}
			break;
		default:
			out[k++] = (char)e;	/* \\ \' \" and unknown escapes */
			break;
		}
	}
	if (k >= cap)
		return cap;
	out[k] = '\0';
	return k;
}

static bool bytes_eq(const struct pv *s, const char *lit)
{
	size_t n = strlen(lit);

	return s->t == PV_STR && s->e == ENC_RAW && s->n == n && memcmp(s->p, lit, n) == 0;
}

/* item size of a numpy dtype string such as "f8", "<i4", "U5", "O8"; 0 unknown */
static uint64_t dtype_itemsize(const uint8_t *s, size_t n, bool *object)
{
	uint64_t num = 0;
	size_t i = 0;
	uint8_t code;

	*object = false;
	if (i < n && (s[i] == '<' || s[i] == '>' || s[i] == '|' || s[i] == '='))
		i++;
	if (i >= n)
		return 0;
	code = s[i++];
	if (code == 'O') {
		*object = true;
		return 8;
	}
	if (i == n || n - i > 9)
		return 0;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		num = num * 10 + (s[i] - '0');
	}
	switch (code) {
	case 'b': case 'i': case 'u': case 'f': case 'c': case 'M': case 'm': case 'S':
	case 'V': case 'a':
		return num;
	case 'U':
		return num * 4;
	default:
		return 0;
	}
}

/* dotted-identifier-like text: [A-Za-z0-9_.] and non-ASCII, not empty */
static bool name_like(const uint8_t *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.' || s[i] >= 0x80))
			return false;
	return true;
}

/* a flexible numpy kind (S, U, V, a): numpy takes its item size from the state */
static bool dtype_flexible(const uint8_t *s, size_t n)
{
	size_t i = n > 1 && (s[0] == '<' || s[0] == '>' || s[0] == '|' || s[0] == '=');

	return i < n && (s[i] == 'S' || s[i] == 'U' || s[i] == 'V' || s[i] == 'a');
}

static inline bool looks_like_pickle(const uint8_t *p, size_t n)
{
	return n >= 3 && p[0] == 0x80 && p[1] >= 2 && p[1] <= 5;
}

/* ---- streams ---------------------------------------------------------------- */

static int run_all(struct vm *v, size_t start, size_t *endp, bool single);

static void vm_init(struct vm *v, struct scan_ctx *c, const uint8_t *buf, size_t len,
		    uint64_t base, bool nested)
{
	memset(v, 0, sizeof(*v));
	v->c = c;
	v->lim = c->lim;
	v->r = c->r;
	v->buf = buf;
	v->len = len;
	v->base = base;
	v->nested = nested;
	v->values = &v->own_values;
}

static void vm_release(struct vm *v)
{
	*v->values -= (uint64_t)v->scap + v->memo_cap;
	free(v->st);
	free(v->marks);
	free(v->memo);
}


/*
 * sub_scan - interpret the pickle(s) in @buf as a nested pickle (depth + 1).
 * @single: only one stream, whose end is returned in *@endp (joblib's
 * inline object arrays). Returns the stream result of the first stream.
 */
static int sub_scan(struct vm *v, const uint8_t *buf, size_t len, uint64_t base, size_t pos,
		    bool single, bool probe, size_t *endp)
{
	struct vm sub;
	int rc;

	if (v->c->depth >= v->lim->max_depth) {
		limit(v, pos, "nesting limit (%u) reached: nested pickle not scanned",
		      v->lim->max_depth);
		return RS_DEPTH;
	}
	v->c->depth++;
	vm_init(&sub, v->c, buf, len, base, true);
	sub.values = v->values;
	sub.probe = probe;
	rc = run_all(&sub, 0, endp, single);
	vm_release(&sub);
	v->c->depth--;
	return rc;
}

/*
 * after a nested scan: the outer stream goes on (a bound of the nested
 * interpreter was reported there) unless the file's opcode budget is spent
 */
static int outer_goes_on(const struct vm *v)
{
	return v->r->opcodes - v->c->op_base >= v->lim->max_opcodes || v->c->stopped ? RS_LIMIT
											: RS_STOP;
}

/* a bytes/str value at @off of @n bytes: interpret it if it looks like a pickle */
static int maybe_nested(struct vm *v, size_t off, uint64_t n, size_t pos)
{
	const uint8_t *p = v->buf + off;
	size_t end;

	if (looks_like_pickle(p, n)) {
		sub_scan(v, p, n, v->base + off, pos, false, true, &end);
		return outer_goes_on(v);
	}
	/* protocol 2 writes bytes as _codecs.encode(latin-1 text): "\xc2\x80\x0N..." */
	if (n >= 6 && p[0] == 0xc2 && p[1] == 0x80 && p[2] >= 2 && p[2] <= 5) {
		uint8_t *lat;
		size_t k = 0;

		if (n > LATIN1_MAX) {
			v->r->incomplete = true;
			finding(v, SCAN_SUSPICIOUS, pos, NULL,
				"nested pickle text of %llu bytes: first %u scanned (limit)",
				(unsigned long long)n, LATIN1_MAX);
			n = LATIN1_MAX;
		}
		lat = malloc(n);
		if (!lat)
			return limit(v, pos, "out of memory for a nested pickle (limit)");
		for (size_t i = 0; i < n;) {
			if (p[i] < 0x80) {
				lat[k++] = p[i++];
			} else if ((p[i] == 0xc2 || p[i] == 0xc3) && i + 1 < n &&
				   (p[i + 1] & 0xc0) == 0x80) {
				lat[k++] = (uint8_t)(((p[i] & 0x03) << 6) | (p[i + 1] & 0x3f));
				i += 2;
			} else {
				break;	/* not latin-1: the bytes end here */
			}
		}
		sub_scan(v, lat, k, v->base + off, pos, false, true, &end);
		free(lat);
		return outer_goes_on(v);
	}
	return RS_STOP;
}

/*
 * do_import - the global @mod.@name is imported at @pos: classify it, make
 * a finding unless allow-listed, and fill @out (a PV_GLOBAL).
 */
static void do_import(struct vm *v, const char *mod, size_t mlen, const char *name, size_t nlen,
		      size_t pos, struct pv *out)
{
	char why[SCAN_WHY_MAX], global[SCAN_GLOBAL_MAX];
	enum scan_verdict sev = globals_classify(mod, mlen, name, nlen, why, sizeof(why));

	memset(out, 0, sizeof(*out));
	out->t = PV_GLOBAL;
	out->g = NOF;
	v->imported = true;
	if (sev == SCAN_CLEAN) {
		out->f = PF_ALLOWED;
		if (mlen == 19 && !memcmp(mod, "joblib.numpy_pickle", 19) && nlen == 17 &&
		    !memcmp(name, "NumpyArrayWrapper", 17))
			out->k = K_JOBLIB_WRAPPER;
		else if (mlen == 5 && !memcmp(mod, "numpy", 5) && nlen == 5 &&
			 !memcmp(name, "dtype", 5))
			out->k = K_NP_DTYPE;
		return;
	}
	snprintf(global, sizeof(global), "%.*s.%.*s", (int)(mlen > 255 ? 255 : mlen), mod,
		 (int)(nlen > 255 ? 255 : nlen), name);
	out->g = finding(v, sev, pos, global, "%s", why);
}

/* a call of @callee (REDUCE, NEWOBJ, OBJ, INST): the result value */
static struct pv do_call(struct vm *v, const struct pv *callee, const struct pv *args,
			 const char *op, size_t pos)
{
	struct pv res = { .t = PV_CALL, .g = NOF };

	v->called = true;
	if (callee->t == PV_GLOBAL || callee->t == PV_EXT) {
		res.g = callee->g;
		res.f = callee->f & PF_ALLOWED;
		res.k = callee->k;
		if (!(callee->f & PF_ALLOWED)) {
			v->bad_call = true;
			amend_called(v, callee->g, op, pos);
		} else if (callee->k == K_NP_DTYPE && args && args->t == PV_TUPLE && args->g) {
			bool obj;

			res.n = dtype_itemsize(args->p, args->g, &obj);
			res.p = v->buf + pos;
			if (obj)
				res.f |= PF_OBJDT;
			if (dtype_flexible(args->p, args->g))
				res.f |= PF_FLEX;
		}
		return res;
	}
	v->bad_call = true;
	res.g = finding(v, SCAN_SUSPICIOUS, pos, NULL, "%s calls a %s, not a global", op,
			pv_names[callee->t]);
	return res;
}

/* a mutation (BUILD, SETITEM(S), APPEND(S), ADDITEMS) of @obj */
static void do_mutate(struct vm *v, const struct pv *obj, const char *op, size_t pos)
{
	if (obj->t == PV_GLOBAL) {
		char global[SCAN_GLOBAL_MAX] = "";

		if (obj->g != NOF && obj->g < v->r->nfindings)
			snprintf(global, sizeof(global), "%s", v->r->findings[obj->g].global);
		v->bad_call = true;
		finding(v, SCAN_DANGEROUS, pos, global[0] ? global : NULL,
			"%s changes a global itself (class or module state)", op);
	} else if (obj->t == PV_CALL && !(obj->f & PF_ALLOWED)) {
		v->bad_call = true;
		amend_called(v, obj->g, op, pos);
	}
}

/*
 * dtype_build - BUILD of a numpy dtype @dt (made at dt->p) with @state: the
 * item size (flexible kinds) and the object flag become the state's, as
 * numpy's __setstate__ does, in @dt and in the site table.
 */
static void dtype_build(struct vm *v, struct pv *dt, const struct pv *state)
{
	struct dtype_site *ds = NULL;

	if (state->t == PV_TUPLE && (state->f & PF_DTSTATE)) {
		int32_t elsize = (int32_t)(state->n >> 32), flags = (int32_t)(uint32_t)state->n;

		if ((dt->f & PF_FLEX) && elsize >= 0)
			dt->n = (uint64_t)elsize;
		dt->f = (dt->f & ~PF_OBJDT) | ((flags & 1) ? PF_OBJDT : 0);
	} else {
		dt->n = 0;	/* a state we do not model: size unknown */
	}
	for (uint32_t i = 0; i < v->ndts; i++)
		if (v->dts[i].site == dt->p)
			ds = &v->dts[i];
	if (!ds) {
		if (v->ndts == DTYPE_SITES) {
			v->dts_lost = true;
			return;
		}
		ds = &v->dts[v->ndts++];
	}
	*ds = (struct dtype_site){ .site = dt->p, .size = dt->n, .object = dt->f & PF_OBJDT };
}

static struct dict_sum *dsum_find(struct vm *v, const uint8_t *id)
{
	for (uint32_t i = 0; i < v->ndsums; i++)
		if (v->dsums[i].id == id)
			return &v->dsums[i];
	return NULL;
}

/* the summary joblib needs: "shape", "dtype", "numpy_array_alignment_bytes" */
static void dict_note(struct vm *v, const struct pv *d, const struct pv *key,
		      const struct pv *val)
{
	struct dict_sum *ds;
	int which;

	if (key->t != PV_STR)
		return;
	which = bytes_eq(key, "shape") ? 1 : bytes_eq(key, "dtype") ? 2 :
		bytes_eq(key, "numpy_array_alignment_bytes") ? 3 : 0;
	if (!which)
		return;
	ds = dsum_find(v, d->p);
	if (!ds) {
		if (v->ndsums == DICT_SUMS) {
			v->dsums_lost = true;
			return;
		}
		ds = &v->dsums[v->ndsums++];
		*ds = (struct dict_sum){ .id = d->p, .shape = NOPROD };
	}
	if (which == 1) {
		ds->shape = val->t == PV_TUPLE && !(val->f & PF_DTSTATE) ? val->n : NOPROD;
	} else if (which == 2) {
		if (val->t == PV_CALL && val->k == K_NP_DTYPE) {
			ds->itemsize = val->n;
			ds->dtype_site = val->p;
			ds->f = (ds->f & ~(PF_OBJDT | PF_UNSIZED)) | (val->f & PF_OBJDT);
		} else {
			ds->f |= PF_UNSIZED;
		}
	} else if (val->t == PV_INT) {
		ds->f = (ds->f & ~PF_UNSIZED) | PF_ALIGN;
	} else if (val->t == PV_NONE) {
		ds->f &= ~PF_ALIGN;	/* joblib reads a padding byte unless the value is None */
	} else {
		ds->f |= PF_UNSIZED;
	}
}

/*
 * joblib_skip - after BUILD of a NumpyArrayWrapper with the state dict @d
 * at @next: the array joblib wrote inline. Returns the position after it
 * (@next when its size cannot be known: the next opcode will tell), or
 * SIZE_MAX with *@rc set when the stream cannot go on.
 */
static size_t joblib_skip(struct vm *v, const struct pv *d, size_t next, int *rc)
{
	struct dict_sum *ds = dsum_find(v, d->p), sum;
	size_t end = next;
	uint64_t bytes;

	*rc = RS_STOP;
	if (!ds)
		return next;
	sum = *ds;
	*ds = v->dsums[--v->ndsums];	/* consumed */
	/* the dtype as its latest BUILD left it, whichever copy the dict holds */
	for (uint32_t i = 0; i < v->ndts; i++)
		if (v->dts[i].site == sum.dtype_site) {
			sum.itemsize = v->dts[i].size;
			sum.f = (sum.f & ~PF_OBJDT) | (v->dts[i].object ? PF_OBJDT : 0);
			sum.dtype_site = NULL;
		}
	if ((sum.dtype_site && v->dts_lost) || (sum.f & PF_UNSIZED))
		return next;
	if (v->frame_end > next) {
		/* joblib reads the array from the file, after the frame the unpickler
		 * has buffered, and the opcodes after BUILD from that frame */
		finding(v, SCAN_DANGEROUS, next, NULL,
			"joblib array inside a frame (parser differential that hides opcodes)");
		v->bad_call = true;
		return next;
	}
	if (sum.f & PF_OBJDT) {
		/* pickle.dump(array, protocol=2) right here */
		*rc = sub_scan(v, v->buf + next, v->len - next, v->base + next, next, true, false,
			       &end);
		if (*rc == RS_DEPTH)
			*rc = RS_LIMIT;	/* where the array ends is unknown: stop */
		return *rc == RS_STOP ? next + end : SIZE_MAX;
	}
	if (sum.shape == NOPROD || sum.itemsize == 0)
		return next;
	if (sum.f & PF_ALIGN) {
		if (next >= v->len) {
			*rc = fail(v, next, "joblib array padding past the end");
			return SIZE_MAX;
		}
		end = next + 1 + v->buf[next];
	}
	if (sum.shape && sum.itemsize > UINT64_MAX / sum.shape) {
		*rc = fail(v, next, "joblib array size overflows");
		return SIZE_MAX;
	}
	bytes = sum.shape * sum.itemsize;
	if (end > v->len || bytes > v->len - end) {
		*rc = fail(v, next, "joblib array data (%llu bytes) past the end",
			   (unsigned long long)bytes);
		return SIZE_MAX;
	}
	/* raw data that looks like a pickle is read as one too: a model error is not a hide */
	if ((*rc = maybe_nested(v, end, bytes, next)))
		return SIZE_MAX;
	return end + bytes;
}

/* argument layouts */
enum {
	A_BAD = 0, A_NONE, A_U8, A_U16, A_U32, A_U64, A_LEN1, A_LEN4, A_LEN8, A_LINE, A_LINE2,
};

static const uint8_t arg_of[256] = {
	['('] = A_NONE, ['.'] = A_NONE, ['0'] = A_NONE, ['1'] = A_NONE, ['2'] = A_NONE,
	['F'] = A_LINE, ['I'] = A_LINE, ['J'] = A_U32, ['K'] = A_U8, ['L'] = A_LINE,
	['M'] = A_U16, ['N'] = A_NONE, ['P'] = A_LINE, ['Q'] = A_NONE, ['R'] = A_NONE,
	['S'] = A_LINE, ['T'] = A_LEN4, ['U'] = A_LEN1, ['V'] = A_LINE, ['X'] = A_LEN4,
	['a'] = A_NONE, ['b'] = A_NONE, ['c'] = A_LINE2, ['d'] = A_NONE, ['}'] = A_NONE,
	['e'] = A_NONE, ['g'] = A_LINE, ['h'] = A_U8, ['i'] = A_LINE2, ['j'] = A_U32,
	['l'] = A_NONE, [']'] = A_NONE, ['o'] = A_NONE, ['p'] = A_LINE, ['q'] = A_U8,
	['r'] = A_U32, ['s'] = A_NONE, ['t'] = A_NONE, [')'] = A_NONE, ['u'] = A_NONE,
	['G'] = A_U64, ['B'] = A_LEN4, ['C'] = A_LEN1,
	[0x80] = A_U8, [0x81] = A_NONE, [0x82] = A_U8, [0x83] = A_U16, [0x84] = A_U32,
	[0x85] = A_NONE, [0x86] = A_NONE, [0x87] = A_NONE, [0x88] = A_NONE, [0x89] = A_NONE,
	[0x8a] = A_LEN1, [0x8b] = A_LEN4, [0x8c] = A_LEN1, [0x8d] = A_LEN8, [0x8e] = A_LEN8,
	[0x8f] = A_NONE, [0x90] = A_NONE, [0x91] = A_NONE, [0x92] = A_NONE, [0x93] = A_NONE,
	[0x94] = A_NONE, [0x95] = A_U64, [0x96] = A_LEN8, [0x97] = A_NONE, [0x98] = A_NONE,
};

/* frame violations: a finding, and the bytes after the frame end are interpreted too */
static int frame_hide(struct vm *v, size_t pos, const char *what)
{
	size_t end;
	size_t fe = (size_t)v->frame_end;

	finding(v, SCAN_DANGEROUS, pos, NULL, "%s (parser differential that hides opcodes)",
		what);
	v->bad_call = true;
	if (v->alt_done || fe >= v->len)
		return RS_STOP;
	v->alt_done = true;
	sub_scan(v, v->buf + fe, v->len - fe, v->base + fe, pos, false, true, &end);
	return outer_goes_on(v);
}

/*
 * run_stream - interpret one pickle from @pos. RS_STOP with *@endp after
 * its STOP, RS_ERROR (reported as fail() decides), RS_LIMIT.
 */
static int run_stream(struct vm *v, size_t pos, size_t *endp)
{
	const uint8_t *buf = v->buf;
	const size_t len = v->len;
	struct scan_report *r = v->r;
	/* the member's own budget: opcodes since it began (scan_member sets op_base) */
	const uint64_t max_ops = v->c->op_base > UINT64_MAX - v->lim->max_opcodes
					 ? UINT64_MAX
					 : v->c->op_base + v->lim->max_opcodes;
	struct pv val, a1, a2;
	uint32_t from;
	uint8_t op = 0;
	int rc;

	for (;;) {
		size_t arg = pos + 1, next, alen = 0;
		uint64_t x = 0;

		if (__builtin_expect(pos >= len, 0))
			return fail(v, pos, "data ends without STOP");
		if (__builtin_expect(++r->opcodes > max_ops, 0)) {
			r->opcodes--;
			return limit(v, pos, "opcode limit (%llu) reached: scan incomplete",
				     (unsigned long long)v->lim->max_opcodes);
		}
		/* the deadline: what was found so far is reported, not lost to a kill */
		if (__builtin_expect(!(r->opcodes & 1023), 0) && scan_stop(v->c))
			return RS_LIMIT;
		op = buf[pos];
		/* decode the argument and find the next opcode */
		switch (arg_of[op]) {
		case A_NONE:
			next = arg;
			break;
		case A_U8:
		case A_U16:
		case A_U32:
		case A_U64: {
			unsigned w = arg_of[op] == A_U8 ? 1 : arg_of[op] == A_U16 ? 2 :
				     arg_of[op] == A_U32 ? 4 : 8;

			if (len - arg < w)
				return fail(v, pos, "truncated argument of opcode 0x%02x", op);
			x = rd_le(buf + arg, w);
			next = arg + w;
			break;
		}
		case A_LEN1:
		case A_LEN4:
		case A_LEN8: {
			unsigned w = arg_of[op] == A_LEN1 ? 1 : arg_of[op] == A_LEN4 ? 4 : 8;

			if (len - arg < w)
				return fail(v, pos, "truncated length of opcode 0x%02x", op);
			x = rd_le(buf + arg, w);
			/* BINSTRING and LONG4 lengths are signed */
			if ((op == 'T' || op == 0x8b) && (x & 0x80000000u))
				return fail(v, pos, "negative length of opcode 0x%02x", op);
			arg += w;
			if (x > len - arg)
				return fail(v, pos, "opcode 0x%02x: %llu bytes past the end", op,
					    (unsigned long long)x);
			alen = (size_t)x;
			next = arg + alen;
			break;
		}
		case A_LINE: {
			const uint8_t *nl = memchr(buf + arg, '\n', len - arg);

			if (!nl)
				return fail(v, pos, "opcode 0x%02x: line without newline", op);
			alen = (size_t)(nl - (buf + arg));
			next = arg + alen + 1;
			break;
		}
		case A_LINE2: {
			const uint8_t *nl = memchr(buf + arg, '\n', len - arg), *nl2;

			if (!nl)
				return fail(v, pos, "opcode 0x%02x: line without newline", op);
			nl2 = memchr(nl + 1, '\n', (size_t)(buf + len - (nl + 1)));
			if (!nl2)
				return fail(v, pos, "opcode 0x%02x: line without newline", op);
			alen = (size_t)(nl - (buf + arg));
			x = (uint64_t)(nl2 - (nl + 1));	/* length of the second line */
			next = (size_t)(nl2 + 1 - buf);
			break;
		}
		default:
			return fail(v, pos, "unknown opcode 0x%02x", op);
		}
		/* framing: an opcode must not cross the end of its frame */
		if (v->frame_end) {
			if (pos >= v->frame_end) {
				v->frame_end = 0;
			} else if (op == 0x95) {
				rc = frame_hide(v, pos, "FRAME opened inside a frame");
				if (rc)
					return rc;
			} else if (next > v->frame_end) {
				rc = frame_hide(v, pos, "opcode crosses the end of its frame");
				if (rc)
					return rc;
				v->frame_end = 0;
			}
		}

		switch (op) {
		case '(':	/* MARK */
			if (v->nmarks >= v->mkcap &&
			    grow(v, (void **)&v->marks, &v->mkcap, sizeof(uint32_t), v->nmarks + 1,
				 v->lim->max_stack))
				return limit(v, pos, "mark stack limit (%u) reached",
					     v->lim->max_stack);
			v->marks[v->nmarks++] = v->sp;
			break;
		case '.':	/* STOP */
			NEED_STACK(1);
			v->sp--;
			*endp = next;
			return RS_STOP;
		case '0':	/* POP: pops the mark when the top is one */
			if (v->nmarks && v->marks[v->nmarks - 1] == v->sp) {
				v->nmarks--;
				break;
			}
			NEED_STACK(1);
			v->sp--;
			break;
		case '1':	/* POP_MARK */
			POP_MARK(from);
			v->sp = from;
			break;
		case '2':	/* DUP */
			NEED_STACK(1);
			val = TOP;
			PUSH(val);
			break;
		case 'F':	/* FLOAT */
		case 'G':	/* BINFLOAT */
			PUSH(((struct pv){ .t = PV_FLOAT }));
			break;
		case 'I':	/* INT ("I00"/"I01" are bools) */
		case 'L': {	/* LONG */
			int64_t iv;
			bool big;
			size_t n = alen - (op == 'L' && alen && buf[arg + alen - 1] == 'L');

			/* CPython also reads hex, octal, ...: any other text is an int
			 * whose value we do not model (never a parse error of ours) */
			if (!parse_dec(buf + arg, n, &iv, &big) || big)
				PUSH(((struct pv){ .t = PV_BIGINT }));
			else
				PUSH(((struct pv){ .t = PV_INT, .n = (uint64_t)iv }));
			break;
		}
		case 'J':	/* BININT */
			PUSH(((struct pv){ .t = PV_INT, .n = (uint64_t)(int64_t)(int32_t)x }));
			break;
		case 'K':	/* BININT1 */
		case 'M':	/* BININT2 */
			PUSH(((struct pv){ .t = PV_INT, .n = x }));
			break;
		case 0x8a:	/* LONG1 */
		case 0x8b: {	/* LONG4 */
			struct pv iv = { .t = alen <= 8 ? PV_INT : PV_BIGINT };

			if (alen && alen <= 8) {
				iv.n = rd_le(buf + arg, (unsigned)alen);
				if (alen < 8 && (buf[arg + alen - 1] & 0x80))
					iv.n |= UINT64_MAX << (8 * alen);
			}
			PUSH(iv);
			break;
		}
		case 'N':	/* NONE */
			PUSH(((struct pv){ .t = PV_NONE }));
			break;
		case 0x88:	/* NEWTRUE */
		case 0x89:	/* NEWFALSE */
			PUSH(((struct pv){ .t = PV_BOOL, .n = op == 0x88 }));
			break;
		case 'P':	/* PERSID */
			PUSH(((struct pv){ .t = PV_PERSID }));
			break;
		case 'Q':	/* BINPERSID */
			NEED_STACK(1);
			TOP = (struct pv){ .t = PV_PERSID };
			break;
		case 'S':	/* STRING: a quoted repr (CPython strips trailing whitespace) */
			while (alen && buf[arg + alen - 1] <= ' ')
				alen--;
			if (alen < 2 || buf[arg] != buf[arg + alen - 1] ||
			    (buf[arg] != '\'' && buf[arg] != '"'))
				return fail(v, pos, "STRING argument not quoted");
			PUSH(((struct pv){ .t = PV_STR, .p = buf + arg + 1, .n = alen - 2,
					   .e = ENC_QUOTED }));
			break;
		case 'V':	/* UNICODE: raw-unicode-escape */
			PUSH(((struct pv){ .t = PV_STR, .p = buf + arg, .n = alen, .e = ENC_RUE }));
			break;
		case 'T':	/* BINSTRING */
		case 'U':	/* SHORT_BINSTRING */
		case 'X':	/* BINUNICODE */
		case 0x8c:	/* SHORT_BINUNICODE */
		case 0x8d:	/* BINUNICODE8 */
			PUSH(((struct pv){ .t = PV_STR, .p = buf + arg, .n = alen }));
			if (alen >= 3 && (rc = maybe_nested(v, arg, alen, pos)))
				return rc;
			break;
		case 'B':	/* BINBYTES */
		case 'C':	/* SHORT_BINBYTES */
		case 0x8e:	/* BINBYTES8 */
		case 0x96:	/* BYTEARRAY8 */
			PUSH(((struct pv){ .t = PV_BYTES, .p = buf + arg, .n = alen }));
			if (alen >= 3 && (rc = maybe_nested(v, arg, alen, pos)))
				return rc;
			break;
		case 0x97:	/* NEXT_BUFFER: out-of-band data, unknown */
			PUSH(((struct pv){ .t = PV_BUFFER }));
			break;
		case 0x98:	/* READONLY_BUFFER */
			NEED_STACK(1);
			break;
		case ')':	/* EMPTY_TUPLE */
			PUSH(((struct pv){ .t = PV_TUPLE, .n = 1 }));
			break;
		case ']':	/* EMPTY_LIST */
			PUSH(((struct pv){ .t = PV_LIST }));
			break;
		case '}':	/* EMPTY_DICT */
			PUSH(((struct pv){ .t = PV_DICT, .p = buf + pos }));
			break;
		case 0x8f:	/* EMPTY_SET */
			PUSH(((struct pv){ .t = PV_SET }));
			break;
		case 't':	/* TUPLE */
		case 0x85:	/* TUPLE1 */
		case 0x86:	/* TUPLE2 */
		case 0x87: {	/* TUPLE3 */
			struct pv tu = { .t = PV_TUPLE, .n = 1 };

			if (op == 't') {
				POP_MARK(from);
			} else {
				NEED_STACK(op - 0x84);
				from = v->sp - (op - 0x84);
			}
			for (uint32_t i = from; i < v->sp; i++) {
				const struct pv *e = &v->st[i];

				if (i == from && e->t == PV_STR && e->e == ENC_RAW && e->n < 64) {
					tu.p = e->p;
					tu.g = (uint32_t)e->n;
				}
				if (e->t != PV_INT || (int64_t)e->n < 0 ||
				    (e->n && tu.n != NOPROD && tu.n > (NOPROD - 1) / e->n))
					tu.n = NOPROD;
				else if (tu.n != NOPROD)
					tu.n *= e->n;
			}
			/* numpy's dtype state: (version, order, subdescr, names, fields,
			 * elsize, alignment, flags[, metadata]) */
			if (tu.n == NOPROD && v->sp - from >= 8 && v->st[from].t == PV_INT &&
			    v->st[from + 5].t == PV_INT && v->st[from + 7].t == PV_INT) {
				tu.f |= PF_DTSTATE;
				tu.n = (v->st[from + 5].n << 32) | (uint32_t)v->st[from + 7].n;
			}
			v->sp = from;
			PUSH(tu);
			break;
		}
		case 'l':	/* LIST */
		case 'd':	/* DICT */
		case 0x91:	/* FROZENSET */
			POP_MARK(from);
			if (op == 'd' && ((v->sp - from) & 1))
				return fail(v, pos, "odd number of items for DICT");
			val = (struct pv){ .t = op == 'l' ? PV_LIST : op == 'd' ? PV_DICT :
							    PV_FROZENSET,
					   .p = buf + pos };
			if (op == 'd')
				for (uint32_t i = from; i + 1 < v->sp; i += 2)
					dict_note(v, &val, &v->st[i], &v->st[i + 1]);
			v->sp = from;
			PUSH(val);
			break;
		case 'a':	/* APPEND */
			NEED_STACK(2);
			v->sp--;
			do_mutate(v, &TOP, "APPEND", pos);
			break;
		case 'e':	/* APPENDS */
		case 0x90:	/* ADDITEMS */
			POP_MARK(from);
			if (from == 0 || from <= fence(v))
				return fail(v, pos, "opcode 0x%02x without a target", op);
			v->sp = from;
			do_mutate(v, &TOP, op == 'e' ? "APPENDS" : "ADDITEMS", pos);
			break;
		case 's':	/* SETITEM */
			NEED_STACK(3);
			if (v->st[v->sp - 3].t == PV_DICT)
				dict_note(v, &v->st[v->sp - 3], &v->st[v->sp - 2],
					  &v->st[v->sp - 1]);
			v->sp -= 2;
			do_mutate(v, &TOP, "SETITEM", pos);
			break;
		case 'u':	/* SETITEMS */
			POP_MARK(from);
			if (from == 0 || from <= fence(v))
				return fail(v, pos, "SETITEMS without a target");
			if ((v->sp - from) & 1)
				return fail(v, pos, "odd number of items for SETITEMS");
			if (v->st[from - 1].t == PV_DICT)
				for (uint32_t i = from; i + 1 < v->sp; i += 2)
					dict_note(v, &v->st[from - 1], &v->st[i], &v->st[i + 1]);
			v->sp = from;
			do_mutate(v, &TOP, "SETITEMS", pos);
			break;
		case 'b': {	/* BUILD */
			struct pv state;

			NEED_STACK(2);
			state = v->st[--v->sp];
			do_mutate(v, &TOP, "BUILD", pos);
			v->called = true;
			if (TOP.t == PV_CALL && TOP.k == K_NP_DTYPE)
				dtype_build(v, &TOP, &state);
			if (TOP.t == PV_CALL && TOP.k == K_JOBLIB_WRAPPER && state.t == PV_DICT) {
				size_t after = joblib_skip(v, &state, next, &rc);

				if (after == SIZE_MAX)
					return rc;
				next = after;
			}
			break;
		}
		case 'R':	/* REDUCE: callable, args */
		case 0x81:	/* NEWOBJ: cls, args */
			NEED_STACK(2);
			a1 = v->st[--v->sp];
			val = do_call(v, &TOP, &a1, op == 'R' ? "REDUCE" : "NEWOBJ", pos);
			TOP = val;
			break;
		case 0x92:	/* NEWOBJ_EX */
			NEED_STACK(3);
			v->sp -= 2;
			val = do_call(v, &TOP, &v->st[v->sp], "NEWOBJ_EX", pos);
			TOP = val;
			break;
		case 'o':	/* OBJ: MARK cls args... */
			POP_MARK(from);
			if (v->sp - from < 1)
				return fail(v, pos, "OBJ without a class");
			val = do_call(v, &v->st[from], NULL, "OBJ", pos);
			v->sp = from;
			PUSH(val);
			break;
		case 'c':	/* GLOBAL */
		case 'i':	/* INST */
			/* in a probe (data after a pickle, bytes that start like one)
			 * text that is not a name is data, not an import */
			if (v->probe && (!name_like(buf + arg, alen) ||
					 !name_like(buf + arg + alen + 1, (size_t)x)))
				return fail(v, pos, "opcode 0x%02x: not a module and name", op);
			do_import(v, (const char *)buf + arg, alen,
				  (const char *)buf + arg + alen + 1, (size_t)x, pos, &val);
			if (op == 'i') {
				POP_MARK(from);
				v->sp = from;
				a1 = val;
				val = do_call(v, &a1, NULL, "INST", pos);
			}
			PUSH(val);
			break;
		case 0x93: {	/* STACK_GLOBAL */
			char mod[SCAN_GLOBAL_MAX], name[SCAN_GLOBAL_MAX];
			size_t ml, nl;

			NEED_STACK(2);
			a2 = v->st[--v->sp];	/* name */
			a1 = v->st[--v->sp];	/* module */
			if (a1.t != PV_STR || a2.t != PV_STR) {
				char part[SCAN_GLOBAL_MAX] = "";

				if (a1.t == PV_STR && pv_text(&a1, mod, 200) < 200)
					snprintf(part, sizeof(part), "%.200s.?", mod);
				else if (a2.t == PV_STR && pv_text(&a2, name, 200) < 200)
					snprintf(part, sizeof(part), "?.%.200s", name);
				v->imported = true;
				v->bad_call = true;
				val = (struct pv){ .t = PV_GLOBAL };
				val.g = finding(v, SCAN_DANGEROUS, pos, part[0] ? part : NULL,
						"dynamic import: a STACK_GLOBAL operand is not a "
						"string (module: %s, name: %s)",
						pv_names[a1.t], pv_names[a2.t]);
				PUSH(val);
				break;
			}
			ml = pv_text(&a1, mod, sizeof(mod));
			nl = pv_text(&a2, name, sizeof(name));
			do_import(v, mod, ml, name, nl, pos, &val);
			PUSH(val);
			break;
		}
		case 0x82:	/* EXT1 */
		case 0x83:	/* EXT2 */
		case 0x84:	/* EXT4 */
			v->imported = true;
			val = (struct pv){ .t = PV_EXT };
			val.g = finding(v, SCAN_SUSPICIOUS, pos, NULL,
					"EXT%d %llu: a global from the copyreg extension registry",
					op == 0x82 ? 1 : op == 0x83 ? 2 : 4, (unsigned long long)x);
			PUSH(val);
			break;
		case 'p':	/* PUT */
		case 'g': {	/* GET */
			int64_t iv;
			bool big;

			if (!parse_dec(buf + arg, alen, &iv, &big) || iv < 0 || big)
				return fail(v, pos, "malformed memo index");
			x = (uint64_t)iv;
			if (op == 'g')
				goto get;
			goto put;
		}
		case 'q':	/* BINPUT */
		case 'r':	/* LONG_BINPUT */
		put:
			NEED_STACK(1);
			if (memo_put(v, x, &TOP, pos))
				return limit(v, pos, "memo memory limit reached");
			break;
		case 0x94:	/* MEMOIZE */
			NEED_STACK(1);
			if (memo_put(v, v->memo_count, &TOP, pos))
				return limit(v, pos, "memo memory limit reached");
			break;
		case 'h':	/* BINGET */
		case 'j':	/* LONG_BINGET */
		get:
			if (!memo_get(v, x, &val)) {
				finding(v, SCAN_DANGEROUS, pos, NULL,
					"memo miss: GET of index %llu that was never PUT",
					(unsigned long long)x);
				val = (struct pv){ .t = PV_UNKNOWN };
			}
			PUSH(val);
			break;
		case 0x80:	/* PROTO */
			if (x > 5)
				return fail(v, pos, "unsupported protocol %llu", (unsigned long long)x);
			break;
		case 0x95:	/* FRAME */
			if (x > len - next)
				return fail(v, pos, "FRAME of %llu bytes past the end",
					    (unsigned long long)x);
			v->frame_end = next + x;
			if (!x)
				v->frame_end = 0;
			break;
		default:
			return fail(v, pos, "unknown opcode 0x%02x", op);
		}
		pos = next;
	}
}

/*
 * run_all - interpret the streams from @start until EOF, bytes that are not
 * a pickle, or max_pickles. @single: one stream only, its end in *@endp.
 * Returns the result of the first stream.
 */
static int run_all(struct vm *v, size_t start, size_t *endp, bool single)
{
	size_t pos = start;
	bool first_probe = v->probe;
	int first = RS_ERROR;

	if (pos >= v->len)
		return first_probe ? RS_ERROR : fail(v, pos, "no data");

	for (uint32_t k = 0; pos < v->len; k++) {
		uint32_t snap_n = v->r->nfindings, snap_drop = v->r->findings_dropped;
		enum scan_verdict snap_v = v->r->verdict;
		char snap_err0 = v->r->error[0];
		bool snap_inc = v->r->incomplete;
		size_t end = pos;
		int rc;

		if (k >= v->lim->max_pickles) {
			limit(v, pos, "pickle stream limit (%u) reached: scan incomplete",
			      v->lim->max_pickles);
			return k ? first : RS_LIMIT;
		}
		v->probe = first_probe || k > 0;
		v->sp = v->nmarks = 0;
		if (v->memo_hi)
			memset(v->memo, 0, (size_t)v->memo_hi * sizeof(struct pv));
		v->memo_count = v->memo_hi = 0;
		v->frame_end = 0;
		v->imported = v->called = v->bad_call = false;
		v->alt_done = false;
		v->ndts = v->ndsums = 0;
		v->dts_lost = v->dsums_lost = false;
		rc = run_stream(v, pos, &end);
		if (rc == RS_ERROR && v->probe && !v->imported && !v->called && !v->bad_call) {
			/* data, not a pickle: forget what its opcodes suggested */
			v->r->nfindings = snap_n;
			v->r->findings_dropped = snap_drop;
			v->r->verdict = snap_v;
			v->r->incomplete = snap_inc;
			if (!snap_err0)
				v->r->error[0] = '\0';
			return k ? first : RS_ERROR;
		}
		if (k == 0)
			first = rc;
		if (rc != RS_STOP)
			return first;
		v->r->pickles++;
		pos = end;
		if (single) {
			*endp = end;
			return RS_STOP;
		}
	}
	*endp = pos;
	return first;
}

int scan_pickle(struct scan_ctx *c, const uint8_t *buf, size_t len, uint64_t base)
{
	struct vm v;
	size_t end;
	int rc;

	vm_init(&v, c, buf, len, base, false);
	v.probe = false;
	rc = run_all(&v, 0, &end, false);
	vm_release(&v);
	return rc == RS_ERROR ? -EINVAL : 0;
}
