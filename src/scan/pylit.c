// SPDX-License-Identifier: MIT
/*
 * pylit - Python literals as ast.literal_eval reads them (see scan_int.h).
 *
 * numpy reads an .npy header with ast.literal_eval, so everything Python's
 * tokenizer accepts there is the header: comments, line continuations,
 * strings with any prefix, quote and escape, adjacent strings
 * concatenated, numbers with underscores, unary signs, tuples with or
 * without a trailing comma, lists, sets, dicts with repeated keys (the last
 * one wins). A scanner that matches a fixed spelling of 'descr': '|O' is
 * blind to '\x7cO', '|' 'O' or a second 'descr' key. This is a small
 * recursive-descent parser into a node arena; every count is bounded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan_int.h"

struct pyl_p {
	const uint8_t *s;
	size_t n, i;
	struct pyl_doc *d;
	int depth;
};

static int fail(struct pyl_p *p, const char *why)
{
	if (!p->d->err[0]) {
		snprintf(p->d->err, sizeof(p->d->err), "%s", why);
		p->d->err_off = p->i;
	}
	return -EINVAL;
}

/* blanks, comments and backslash-newline continuations */
static void skip(struct pyl_p *p)
{
	while (p->i < p->n) {
		uint8_t ch = p->s[p->i];

		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v') {
			p->i++;
		} else if (ch == '#') {
			while (p->i < p->n && p->s[p->i] != '\n' && p->s[p->i] != '\r')
				p->i++;
		} else if (ch == '\\' && p->i + 1 < p->n &&
			   (p->s[p->i + 1] == '\n' || p->s[p->i + 1] == '\r')) {
			p->i += 2;
		} else {
			break;
		}
	}
}

static int32_t node(struct pyl_p *p, uint8_t type)
{
	struct pyl_doc *d = p->d;

	if (d->nn >= PYL_NODES_MAX) {
		fail(p, "too many values");
		return -1;
	}
	d->n[d->nn] = (struct pyl_node){ .type = type, .first = -1, .next = -1 };
	return (int32_t)d->nn++;
}

static int pool_put(struct pyl_p *p, const void *b, size_t n)
{
	struct pyl_doc *d = p->d;

	if (d->plen + n > d->pcap)
		return fail(p, "strings too long");
	memcpy(d->pool + d->plen, b, n);
	d->plen += n;
	return 0;
}

/* a code point as UTF-8 (str literals) */
static int put_cp(struct pyl_p *p, uint32_t cp)
{
	uint8_t b[4];
	size_t n;

	if (cp > 0x10ffff)
		return fail(p, "escape out of range");
	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xc0 | cp >> 6);
		b[1] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (uint8_t)(0xe0 | cp >> 12);
		b[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (uint8_t)(0xf0 | cp >> 18);
		b[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return pool_put(p, b, n);
}

static int hexval(uint8_t c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* @ndig hex digits at p->i: their value, or -1 */
static long hexrun(struct pyl_p *p, int ndig)
{
	long v = 0;

	if (p->i + (size_t)ndig > p->n)
		return -1;
	for (int k = 0; k < ndig; k++) {
		int h = hexval(p->s[p->i + (size_t)k]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	p->i += (size_t)ndig;
	return v;
}

/* one escape after the backslash (p->i at the character after it) */
static int escape(struct pyl_p *p, bool bytes)
{
	uint8_t ch = p->s[p->i++];
	long v;

	switch (ch) {
	case '\n':
		return 0;	/* a continuation inside the string */
	case '\r':
		if (p->i < p->n && p->s[p->i] == '\n')
			p->i++;
		return 0;
	case '\\': case '\'': case '"':
		return pool_put(p, &ch, 1);
	case 'a': ch = 7; return pool_put(p, &ch, 1);
	case 'b': ch = 8; return pool_put(p, &ch, 1);
	case 'f': ch = 12; return pool_put(p, &ch, 1);
	case 'n': ch = 10; return pool_put(p, &ch, 1);
	case 'r': ch = 13; return pool_put(p, &ch, 1);
	case 't': ch = 9; return pool_put(p, &ch, 1);
	case 'v': ch = 11; return pool_put(p, &ch, 1);
	case 'x':
		v = hexrun(p, 2);
		if (v < 0)
			return fail(p, "bad \\x escape");
		if (bytes) {
			uint8_t b = (uint8_t)v;

			return pool_put(p, &b, 1);
		}
		return put_cp(p, (uint32_t)v);
	case 'u': case 'U':
		if (bytes)
			break;	/* kept as written */
		v = hexrun(p, ch == 'u' ? 4 : 8);
		if (v < 0)
			return fail(p, "bad \\u escape");
		return put_cp(p, (uint32_t)v);
	case 'N':
		if (bytes)
			break;
		/* a character by its Unicode name: no names table here, so the header is refused */
		return fail(p, "\\N{...} escape");
	default:
		if (ch >= '0' && ch <= '7') {
			v = ch - '0';
			for (int k = 0; k < 2 && p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '7';
			     k++)
				v = v * 8 + (p->s[p->i++] - '0');
			if (bytes) {
				uint8_t b = (uint8_t)(v & 0xff);

				return pool_put(p, &b, 1);
			}
			return put_cp(p, (uint32_t)v);
		}
		break;
	}
	/* an unknown escape stays as written, backslash included */
	{
		uint8_t bs = '\\';

		if (pool_put(p, &bs, 1))
			return -EINVAL;
		return pool_put(p, &ch, 1);
	}
}

/* one string literal (prefix, quotes, body) appended to the pool; p->i at its prefix */
static int string1(struct pyl_p *p, bool *bytes, bool *first)
{
	bool raw = false, b = false;
	uint8_t q;
	int triple;

	for (int k = 0; k < 2 && p->i < p->n; k++) {
		uint8_t ch = p->s[p->i] | 0x20;

		if (ch == 'r' && !raw)
			raw = true;
		else if (ch == 'b' && !b)
			b = true;
		else if (ch == 'u' && !k && !raw && !b)
			;
		else if (ch == 'f')
			return fail(p, "an f-string is no literal");
		else
			break;
		p->i++;
	}
	if (p->i >= p->n || (p->s[p->i] != '\'' && p->s[p->i] != '"'))
		return fail(p, "expected a string");
	if (!*first && b != *bytes)
		return fail(p, "str and bytes concatenated");
	*first = false;
	*bytes = b;
	q = p->s[p->i];
	triple = p->i + 2 < p->n && p->s[p->i + 1] == q && p->s[p->i + 2] == q;
	p->i += triple ? 3 : 1;
	for (;;) {
		uint8_t ch;

		if (p->i >= p->n)
			return fail(p, "unterminated string");
		ch = p->s[p->i];
		if (ch == q && (!triple || (p->i + 2 < p->n && p->s[p->i + 1] == q &&
					    p->s[p->i + 2] == q))) {
			p->i += triple ? 3 : 1;
			return 0;
		}
		if (!triple && (ch == '\n' || ch == '\r'))
			return fail(p, "newline in a string");
		if (b && ch >= 0x80)
			return fail(p, "non-ASCII byte in a bytes literal");
		p->i++;
		if (ch == '\\' && p->i < p->n) {
			if (raw) {	/* kept, and the next character with it */
				if (pool_put(p, &ch, 1) || pool_put(p, &p->s[p->i], 1))
					return -EINVAL;
				p->i++;
			} else if (escape(p, b)) {
				return -EINVAL;
			}
			continue;
		}
		if (pool_put(p, &ch, 1))
			return -EINVAL;
	}
}

static bool starts_string(const struct pyl_p *p)
{
	for (size_t k = 0; k < 3 && p->i + k < p->n; k++) {
		uint8_t ch = p->s[p->i + k];

		if (ch == '\'' || ch == '"')
			return true;
		if (!strchr("rRbBuUfF", ch))
			return false;
	}
	return false;
}

/* adjacent literals make one string */
static int32_t string(struct pyl_p *p)
{
	bool bytes = false, first = true;
	size_t off = p->d->plen;
	int32_t id;

	do {
		if (string1(p, &bytes, &first))
			return -1;
		skip(p);
	} while (p->i < p->n && starts_string(p));
	id = node(p, bytes ? PYL_BYTES : PYL_STR);
	if (id < 0)
		return -1;
	p->d->n[id].off = (uint32_t)off;
	p->d->n[id].len = (uint32_t)(p->d->plen - off);
	return id;
}

/* a number: digits, underscores, a point, an exponent, a j; its value is not kept */
static int32_t number(struct pyl_p *p)
{
	size_t start = p->i;

	while (p->i < p->n) {
		uint8_t ch = p->s[p->i];

		if ((ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ((ch | 0x20) >= 'a' &&
		    (ch | 0x20) <= 'z'))
			p->i++;
		else if ((ch == '+' || ch == '-') && p->i > start &&
			 (p->s[p->i - 1] | 0x20) == 'e' && (p->s[start] | 0x20) != '0')
			p->i++;	/* an exponent's sign (not in 0x...e) */
		else
			break;
	}
	if (p->i == start)
		return fail(p, "expected a value"), -1;
	return node(p, PYL_NUM);
}

static int32_t value(struct pyl_p *p);

/* append @v to container @id after @last; returns @v */
static int32_t link(struct pyl_p *p, int32_t id, int32_t last, int32_t v)
{
	if (last < 0)
		p->d->n[id].first = v;
	else
		p->d->n[last].next = v;
	return v;
}

/*
 * the rest of container @id (its type set) up to @close: @last is its
 * last element so far (-1: none), @count how many, @comma whether a comma
 * followed it (a dict's keys and values alternate)
 */
static int32_t seq(struct pyl_p *p, int32_t id, uint8_t close, int32_t last, uint32_t count,
		   bool comma)
{
	uint8_t type = p->d->n[id].type;

	for (;;) {
		int32_t v;

		skip(p);
		if (p->i < p->n && p->s[p->i] == close) {
			p->i++;
			break;
		}
		if (!comma)
			return fail(p, "expected ',' or a closing bracket"), -1;
		v = value(p);
		if (v < 0)
			return -1;
		skip(p);
		if (type == PYL_DICT) {
			int32_t k = v;

			if (p->i >= p->n || p->s[p->i] != ':')
				return fail(p, "expected ':'"), -1;
			p->i++;
			v = value(p);
			if (v < 0)
				return -1;
			link(p, id, last, k);
			last = link(p, id, k, v);
			skip(p);
		} else {
			last = link(p, id, last, v);
		}
		count++;
		comma = p->i < p->n && p->s[p->i] == ',';
		if (comma)
			p->i++;
	}
	p->d->n[id].len = count;
	/* (x) is x; (x,) and () are tuples */
	if (type == PYL_TUPLE && count == 1 && !comma)
		return p->d->n[id].first;
	return id;
}

/*
 * braces: a dict, or a set when its first element is not followed by ':'.
 * The first element is parsed once (parsing it again to decide would cost
 * twice per level of nesting: 2^depth)
 */
static int32_t braces(struct pyl_p *p)
{
	int32_t id = node(p, PYL_DICT), first, v;
	bool comma;

	if (id < 0)
		return -1;
	skip(p);
	if (p->i < p->n && p->s[p->i] == '}') {
		p->i++;
		return id;
	}
	first = value(p);
	if (first < 0)
		return -1;
	skip(p);
	if (p->i < p->n && p->s[p->i] == ':') {
		p->i++;
		v = value(p);
		if (v < 0)
			return -1;
		link(p, id, -1, first);
		link(p, id, first, v);
	} else {
		p->d->n[id].type = PYL_SET;
		v = link(p, id, -1, first);
	}
	skip(p);
	comma = p->i < p->n && p->s[p->i] == ',';
	if (comma)
		p->i++;
	return seq(p, id, '}', v, 1, comma);
}

static int32_t value(struct pyl_p *p)
{
	int32_t id;

	if (++p->depth > PYL_DEPTH_MAX) {
		p->depth--;
		return fail(p, "nested too deep"), -1;
	}
	skip(p);
	if (p->i >= p->n) {
		fail(p, "expected a value");
		id = -1;
	} else if (starts_string(p)) {
		id = string(p);
	} else if (p->s[p->i] == '(') {
		int32_t t;

		p->i++;
		t = node(p, PYL_TUPLE);
		id = t < 0 ? -1 : seq(p, t, ')', -1, 0, true);
	} else if (p->s[p->i] == '[') {
		int32_t l;

		p->i++;
		l = node(p, PYL_LIST);
		id = l < 0 ? -1 : seq(p, l, ']', -1, 0, true);
	} else if (p->s[p->i] == '{') {
		p->i++;
		id = braces(p);
	} else if (p->s[p->i] == '-' || p->s[p->i] == '+') {
		p->i++;
		skip(p);
		id = number(p);	/* a sign applies to numbers only */
	} else if (p->i + 4 <= p->n && !memcmp(p->s + p->i, "None", 4)) {
		p->i += 4;
		id = node(p, PYL_NONE);
	} else if (p->i + 4 <= p->n && !memcmp(p->s + p->i, "True", 4)) {
		p->i += 4;
		id = node(p, PYL_TRUE);
	} else if (p->i + 5 <= p->n && !memcmp(p->s + p->i, "False", 5)) {
		p->i += 5;
		id = node(p, PYL_FALSE);
	} else if ((p->s[p->i] >= '0' && p->s[p->i] <= '9') || p->s[p->i] == '.') {
		id = number(p);
	} else {
		fail(p, "not a literal");
		id = -1;
	}
	p->depth--;
	return id;
}

struct pyl_doc *pyl_doc_new(size_t n)
{
	struct pyl_doc *d = malloc(sizeof(*d));	/* the nodes are written before read */

	if (!d)
		return NULL;
	d->nn = 0;
	d->plen = 0;
	d->root = -1;
	d->err[0] = '\0';
	d->err_off = 0;
	d->pcap = n + 16;	/* decoding never lengthens a string */
	d->pool = malloc(d->pcap);
	if (!d->pool) {
		free(d);
		return NULL;
	}
	return d;
}

void pyl_doc_free(struct pyl_doc *d)
{
	if (!d)
		return;
	free(d->pool);
	free(d);
}

int pyl_parse(const uint8_t *s, size_t n, struct pyl_doc *d)
{
	struct pyl_p p = { .s = s, .n = n, .d = d };
	int32_t root;

	d->nn = 0;
	d->plen = 0;
	d->err[0] = '\0';
	d->err_off = 0;
	d->root = -1;
	root = value(&p);
	if (root < 0)
		return -EINVAL;
	skip(&p);
	/* a bare tuple: "1, 2" */
	if (p.i < n && s[p.i] == ',')
		return fail(&p, "a bare tuple");
	if (p.i < n && s[p.i] != '\0')
		return fail(&p, "text after the value");
	d->root = root;
	return 0;
}

int32_t pyl_dict_get(const struct pyl_doc *d, int32_t dict, const char *key)
{
	int32_t found = -1;
	size_t kl = strlen(key);

	if (dict < 0 || d->n[dict].type != PYL_DICT)
		return -1;
	for (int32_t k = d->n[dict].first; k >= 0 && d->n[k].next >= 0; k = d->n[d->n[k].next].next)
		if (d->n[k].type == PYL_STR && d->n[k].len == kl &&
		    !memcmp(d->pool + d->n[k].off, key, kl))
			found = d->n[k].next;	/* the last one wins, as in Python */
	return found;
}

bool pyl_str_is(const struct pyl_doc *d, int32_t v, const char *s)
{
	size_t l = strlen(s);

	return v >= 0 && d->n[v].type == PYL_STR && d->n[v].len == l &&
	       !memcmp(d->pool + d->n[v].off, s, l);
}
