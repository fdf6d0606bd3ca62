// SPDX-License-Identifier: MIT
/*
 * toml - a TOML 1.0 parser (the contract is in toml.h).
 *
 * Design: one pass of recursive descent over the whole buffer. The parser's
 * place is a byte offset plus the current line and the offset where that
 * line starts, so a position is (line, offset - line_start + 1) without
 * rescanning. The first error stops the parse; nothing is recovered.
 *
 * The tree is made of struct node, which embeds the public toml_value as its
 * first member and adds what the grammar must remember about each table:
 *
 *   TF_HEADER  defined by [header] (or an element of [[header]]): another
 *              [header] of that name is a duplicate, dotted keys may not add
 *              to it
 *   TF_DOTTED  created or entered by a dotted key: more dotted keys and
 *              [sub.tables] may extend it, a [header] of its name may not
 *   TF_INLINE  an inline table: closed once written, nothing may add to it
 *   (none)     made implicitly as a parent in [a.b.c]: a later [a] may define
 *              it, once
 *   AF_TABLES  an array made by [[header]]; any other array is closed
 *
 * A dotted key only reaches tables below its section's header, so a table a
 * dotted key created can only be reached again from a later section through
 * a header path; that is why the flags need no "until the section ends"
 * state.
 *
 * Bounds: documents over TOML_MAX_SIZE are refused up front; no value sits
 * more than TOML_MAX_DEPTH levels below the root, and the only recursion
 * (values in arrays and inline tables, and toml_free) follows that depth.
 * Once a table grows past TAB_HASH_MIN entries the parser indexes it with an
 * open-addressing hash, so duplicate detection stays linear.
 *
 * toml_free casts back to struct node, so it only takes trees toml_parse
 * made; toml_table_get/kv search linearly and touch only the public struct,
 * so they work on any well-formed tree.
 *
 * Deliberate limits: keys may not contain U+0000 (keys are C strings in the
 * API); a time may have second 60 (RFC 3339 leap second); floats go through
 * strtod, which assumes the "C" LC_NUMERIC locale (ltrack never calls
 * setlocale).
 */
#include "toml.h"
#include "hex.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOML_MAX_DEPTH	64
#define TOML_MAX_SIZE	(16u << 20)
#define TAB_HASH_MIN	8	/* tables up to this size are searched linearly */
#define TOK_SHOW	40	/* at most this much of a bad token goes in a message */

#define TF_HEADER	0x01u
#define TF_DOTTED	0x02u
#define TF_INLINE	0x04u
#define AF_TABLES	0x08u
#define NF_HDRPOS	0x10u	/* made by a header: pos is that header's '[' */

struct node {
	struct toml_value v;	/* first, so a node is handed out as its value */
	unsigned int flags;
	size_t cap;		/* allocated entries of a table or array */
	uint32_t *slots;	/* table index: entry + 1, 0 = free; NULL while small */
	size_t nslots;		/* a power of two */
};

struct parser {
	const char *buf;
	size_t len;
	size_t i;		/* next byte */
	int line;		/* line of buf[i] */
	size_t line_start;	/* offset where that line starts */
	struct toml_err *err;
	struct node *root;
	struct node *cur;	/* table the last header opened */
	int cur_depth;
	char path[128];		/* the key being defined, for messages */
	size_t pathlen;
};

struct sbuf {
	char *s;
	size_t n;
	size_t cap;
};

static struct node *node_of(const struct toml_value *v)
{
	return (struct node *)v;
}

/* ---- positions and errors ---- */

static struct toml_pos pos_at(const struct parser *p, size_t off)
{
	struct toml_pos pos = { p->line, (int)(off - p->line_start) + 1 };

	return pos;
}

static struct toml_pos here(const struct parser *p)
{
	return pos_at(p, p->i);
}

static struct toml_pos pos_plus(struct toml_pos pos, size_t cols)
{
	pos.col += (int)cols;
	return pos;
}

static int peek(const struct parser *p, size_t k)
{
	return p->i + k < p->len ? (unsigned char)p->buf[p->i + k] : -1;
}

__attribute__((format(printf, 3, 4)))
static int fail(struct parser *p, struct toml_pos at, const char *fmt, ...)
{
	va_list ap;

	p->err->pos = at;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int nomem(struct parser *p)
{
	fail(p, here(p), "out of memory");
	return -ENOMEM;
}

static int too_deep(struct parser *p, struct toml_pos at)
{
	return fail(p, at, "nesting deeper than %d levels", TOML_MAX_DEPTH);
}

/* ---- characters ---- */

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_bare(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
	       c == '-';
}

/* characters that may make up a number, boolean, inf or nan */
static bool is_tok(int c)
{
	return is_bare(c) || c == '.' || c == '+';
}

/* control characters TOML forbids in strings and comments (tab is allowed) */
static bool is_ctrl(int c)
{
	return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

/*
 * utf8_seq - the length of the well-formed UTF-8 sequence at @s (@n bytes
 * available): 1 to 4, or 0 for an invalid, overlong, surrogate, out-of-range
 * or truncated sequence.
 */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, k;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (k = 2; k < need; k++)
		if (s[k] < 0x80 || s[k] > 0xbf)
			return 0;
	return need;
}

static size_t utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* describe - what sits at @off, for "found ..." in messages */
static const char *describe(const struct parser *p, size_t off, char *buf, size_t sz)
{
	unsigned char c;
	size_t n;

	if (off >= p->len)
		return "end of file";
	c = (unsigned char)p->buf[off];
	if (c == '\n' || (c == '\r' && off + 1 < p->len && p->buf[off + 1] == '\n'))
		return "end of line";
	if (c >= 0x80) {
		n = utf8_seq((const unsigned char *)p->buf + off, p->len - off);
		if (n)
			snprintf(buf, sz, "'%.*s'", (int)n, p->buf + off);
		else
			snprintf(buf, sz, "invalid UTF-8 byte 0x%02X", c);
	} else if (is_ctrl(c)) {
		snprintf(buf, sz, "control character U+%04X", c);
	} else if (c == '\'') {
		snprintf(buf, sz, "\"'\"");
	} else {
		snprintf(buf, sz, "'%c'", c);
	}
	return buf;
}

/* ---- whitespace, newlines, comments ---- */

static void skip_ws(struct parser *p)
{
	while (p->i < p->len && (p->buf[p->i] == ' ' || p->buf[p->i] == '\t'))
		p->i++;
}

/* eat_newline - consume "\n" or "\r\n" if next; true if it did */
static bool eat_newline(struct parser *p)
{
	if (peek(p, 0) == '\n')
		p->i++;
	else if (peek(p, 0) == '\r' && peek(p, 1) == '\n')
		p->i += 2;
	else
		return false;
	p->line++;
	p->line_start = p->i;
	return true;
}

/* skip_comment - at '#': consume up to (not including) the end of the line */
static int skip_comment(struct parser *p)
{
	size_t n;
	int c;

	p->i++;
	while (p->i < p->len) {
		c = (unsigned char)p->buf[p->i];
		if (c == '\n' || (c == '\r' && peek(p, 1) == '\n'))
			break;
		if (c >= 0x80) {
			n = utf8_seq((const unsigned char *)p->buf + p->i, p->len - p->i);
			if (!n)
				return fail(p, here(p), "invalid UTF-8 in comment");
			p->i += n;
			continue;
		}
		if (is_ctrl(c))
			return fail(p, here(p), "control character U+%04X in comment", c);
		p->i++;
	}
	return 0;
}

/* skip_space - whitespace, newlines and comments, as allowed inside arrays */
static int skip_space(struct parser *p)
{
	int err;

	for (;;) {
		skip_ws(p);
		if (peek(p, 0) == '#') {
			err = skip_comment(p);
			if (err)
				return err;
		}
		if (!eat_newline(p))
			return 0;
	}
}

/* ---- tree ---- */

static struct node *node_new(enum toml_type type, struct toml_pos pos)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->v.type = type;
	n->v.pos = pos;
	return n;
}

static void node_free(struct toml_value *v)
{
	struct node *n = node_of(v);
	size_t k;

	if (!v)
		return;
	switch (v->type) {
	case TOML_TABLE:
		for (k = 0; k < v->u.table.n; k++) {
			free(v->u.table.items[k].key);
			node_free(v->u.table.items[k].val);
		}
		free(v->u.table.items);
		break;
	case TOML_ARRAY:
		for (k = 0; k < v->u.array.n; k++)
			node_free(v->u.array.items[k]);
		free(v->u.array.items);
		break;
	case TOML_STRING:
	case TOML_DATETIME:
		free(v->u.str.s);
		break;
	default:
		break;
	}
	free(n->slots);
	free(n);
}

static uint64_t key_hash(const char *k, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a */
	size_t j;

	for (j = 0; j < n; j++) {
		h ^= (unsigned char)k[j];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* keys never contain NUL (parse_key_part refuses them) */
static bool key_eq(const char *a, const char *b, size_t blen)
{
	return strncmp(a, b, blen) == 0 && a[blen] == '\0';
}

static void slot_insert(struct node *t, size_t idx, size_t klen)
{
	size_t mask = t->nslots - 1;
	size_t h = (size_t)key_hash(t->v.u.table.items[idx].key, klen) & mask;

	while (t->slots[h])
		h = (h + 1) & mask;
	t->slots[h] = (uint32_t)(idx + 1);
}

static int tab_reindex(struct node *t, size_t nslots)
{
	uint32_t *slots = calloc(nslots, sizeof(*slots));
	size_t k;

	if (!slots)
		return -ENOMEM;
	free(t->slots);
	t->slots = slots;
	t->nslots = nslots;
	for (k = 0; k < t->v.u.table.n; k++)
		slot_insert(t, k, strlen(t->v.u.table.items[k].key));
	return 0;
}

/* tab_find - index of @key (@klen bytes) in table @t, or -1 */
static long tab_find(const struct node *t, const char *key, size_t klen)
{
	const struct toml_kv *items = t->v.u.table.items;
	size_t k, mask, h;
	uint32_t s;

	if (t->slots) {
		mask = t->nslots - 1;
		for (h = (size_t)key_hash(key, klen) & mask; (s = t->slots[h]) != 0;
		     h = (h + 1) & mask)
			if (key_eq(items[s - 1].key, key, klen))
				return (long)s - 1;
		return -1;
	}
	for (k = 0; k < t->v.u.table.n; k++)
		if (key_eq(items[k].key, key, klen))
			return (long)k;
	return -1;
}

/* tab_add - append @key = @val to @t; on failure the caller still owns both */
static int tab_add(struct parser *p, struct node *t, char *key, size_t klen,
		   struct toml_pos kpos, struct node *val)
{
	size_t n = t->v.u.table.n, cap;
	struct toml_kv *items;

	if (n == t->cap) {
		cap = t->cap ? t->cap * 2 : 4;
		items = realloc(t->v.u.table.items, cap * sizeof(*items));
		if (!items)
			return nomem(p);
		t->v.u.table.items = items;
		t->cap = cap;
	}
	if (n + 1 > TAB_HASH_MIN && (n + 1) * 2 > t->nslots &&
	    tab_reindex(t, t->nslots ? t->nslots * 2 : 32))
		return nomem(p);
	t->v.u.table.items[n].key = key;
	t->v.u.table.items[n].key_pos = kpos;
	t->v.u.table.items[n].val = &val->v;
	t->v.u.table.n = n + 1;
	if (t->slots)
		slot_insert(t, n, klen);
	return 0;
}

/* arr_push - append @item to @a; on failure the caller still owns @item */
static int arr_push(struct parser *p, struct node *a, struct node *item)
{
	struct toml_value **items;
	size_t cap;

	if (a->v.u.array.n == a->cap) {
		cap = a->cap ? a->cap * 2 : 4;
		items = realloc(a->v.u.array.items, cap * sizeof(*items));
		if (!items)
			return nomem(p);
		a->v.u.array.items = items;
		a->cap = cap;
	}
	a->v.u.array.items[a->v.u.array.n++] = &item->v;
	return 0;
}

/* def_pos - where the entry @kv was defined, for "defined at" in messages */
static struct toml_pos def_pos(const struct toml_kv *kv)
{
	return node_of(kv->val)->flags & NF_HDRPOS ? kv->val->pos : kv->key_pos;
}

static const char *type_phrase(const struct toml_value *v)
{
	switch (v->type) {
	case TOML_TABLE:
		return "a table";
	case TOML_ARRAY:
		return node_of(v)->flags & AF_TABLES ? "an array of tables" : "an array";
	case TOML_STRING:
		return "a string";
	case TOML_INT:
		return "an integer";
	case TOML_FLOAT:
		return "a float";
	case TOML_BOOL:
		return "a boolean";
	case TOML_DATETIME:
		return "a datetime";
	}
	return "a value";
}

/* ---- strings ---- */

static int sb_put(struct parser *p, struct sbuf *b, const char *s, size_t n)
{
	size_t cap;
	char *ns;

	if (b->cap - b->n <= n) {
		cap = b->cap ? b->cap : 32;
		while (cap - b->n <= n)
			cap *= 2;
		ns = realloc(b->s, cap);
		if (!ns)
			return nomem(p);
		b->s = ns;
		b->cap = cap;
	}
	if (n)
		memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
	return 0;
}

/* parse_uescape - at the '\\' of \\uXXXX (@ndig 4) or \\UXXXXXXXX (@ndig 8) */
static int parse_uescape(struct parser *p, struct sbuf *b, int ndig)
{
	const char *hex = p->buf + p->i + 2;
	struct toml_pos at = here(p);
	int c = peek(p, 1), k, d;
	uint32_t cp = 0;
	char out[4];

	for (k = 0; k < ndig; k++) {
		d = hex_value(peek(p, 2 + (size_t)k));
		if (d < 0)
			return fail(p, at,
				    "invalid escape '\\%c%.*s' in string (expected %d hex digits)",
				    c, k, hex, ndig);
		cp = cp << 4 | (uint32_t)d;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return fail(p, at,
			    "invalid escape '\\%c%.*s' in string (not a unicode scalar value)",
			    c, ndig, hex);
	p->i += 2 + (size_t)ndig;
	return sb_put(p, b, out, utf8_encode(cp, out));
}

/* parse_escape - at '\\' in a basic string that opened at @start */
static int parse_escape(struct parser *p, struct sbuf *b, struct toml_pos start)
{
	struct toml_pos at = here(p);
	int c = peek(p, 1);
	char out[1], tmp[48];

	switch (c) {
	case 'b':
		out[0] = '\b';
		break;
	case 't':
		out[0] = '\t';
		break;
	case 'n':
		out[0] = '\n';
		break;
	case 'f':
		out[0] = '\f';
		break;
	case 'r':
		out[0] = '\r';
		break;
	case '"':
		out[0] = '"';
		break;
	case '\\':
		out[0] = '\\';
		break;
	case 'u':
	case 'U':
		return parse_uescape(p, b, c == 'u' ? 4 : 8);
	case -1:
		return fail(p, start, "unterminated string");
	default:
		if (c > ' ' && c < 0x7f)
			return fail(p, at, "invalid escape '\\%c' in string", c);
		return fail(p, at, "invalid escape in string: '\\' followed by %s",
			    describe(p, p->i + 1, tmp, sizeof(tmp)));
	}
	p->i += 2;
	return sb_put(p, b, out, 1);
}

/*
 * line_end_backslash - at '\\' in a multi-line basic string: if only
 * whitespace follows on this line, trim it with all whitespace and newlines
 * after it and return 1; return 0 if this is an ordinary escape.
 */
static int line_end_backslash(struct parser *p)
{
	size_t j = p->i + 1;

	while (j < p->len && (p->buf[j] == ' ' || p->buf[j] == '\t'))
		j++;
	if (j < p->len && (p->buf[j] == '\n' ||
			   (p->buf[j] == '\r' && j + 1 < p->len && p->buf[j + 1] == '\n'))) {
		p->i = j;
		do
			skip_ws(p);
		while (eat_newline(p));
		return 1;
	}
	if (j > p->i + 1)
		return fail(p, here(p), "invalid escape in string: '\\' followed by whitespace");
	return 0;
}

static bool at_triple(const struct parser *p, int q)
{
	return peek(p, 0) == q && peek(p, 1) == q && peek(p, 2) == q;
}

/*
 * scan_string - the string at p->i (opening '"' or '\''), multi-line if
 * @multi; appends its decoded text to @b.
 */
static int scan_string(struct parser *p, struct sbuf *b, bool multi)
{
	struct toml_pos start = here(p);
	int q = peek(p, 0), c, err;
	bool basic = q == '"';
	size_t run, n;

	p->i += multi ? 3 : 1;
	if (multi)
		eat_newline(p);		/* a newline right after the delimiter is trimmed */
	for (;;) {
		c = peek(p, 0);
		if (c < 0)
			return fail(p, start, "unterminated string");
		if (c == q) {
			if (!multi) {
				p->i++;
				return 0;
			}
			for (run = 0; peek(p, run) == q; run++)
				;
			/* up to two quotes may end the text right before the delimiter */
			if (run > 5)
				run = 5;
			err = sb_put(p, b, p->buf + p->i, run < 3 ? run : run - 3);
			if (err)
				return err;
			p->i += run;
			if (run >= 3)
				return 0;
			continue;
		}
		if (c == '\n' || (c == '\r' && peek(p, 1) == '\n')) {
			if (!multi)
				return fail(p, start, "unterminated string");
			eat_newline(p);
			err = sb_put(p, b, "\n", 1);
		} else if (c == '\\' && basic) {
			err = multi ? line_end_backslash(p) : 0;
			if (err == 0)
				err = parse_escape(p, b, start);
			else if (err > 0)
				err = 0;
		} else if (c >= 0x80) {
			n = utf8_seq((const unsigned char *)p->buf + p->i, p->len - p->i);
			if (!n)
				return fail(p, here(p), "invalid UTF-8 in string");
			err = sb_put(p, b, p->buf + p->i, n);
			p->i += n;
		} else if (is_ctrl(c)) {
			return fail(p, here(p), "control character U+%04X in string", c);
		} else {
			err = sb_put(p, b, p->buf + p->i, 1);
			p->i++;
		}
		if (err)
			return err;
	}
}

/* ---- keys ---- */

static void path_reset(struct parser *p)
{
	p->pathlen = 0;
	p->path[0] = '\0';
}

static void path_putc(struct parser *p, char c)
{
	const size_t max = sizeof(p->path) - 4;

	if (p->pathlen < max) {
		p->path[p->pathlen++] = c;
		p->path[p->pathlen] = '\0';
	} else if (p->pathlen == max) {
		memcpy(p->path + max, "...", 4);
		p->pathlen++;
	}
}

/* path_add - append a key component as it would be written (quoted unless bare) */
static void path_add(struct parser *p, const char *k, size_t n)
{
	bool bare = n > 0;
	unsigned char c;
	size_t j;

	for (j = 0; j < n && bare; j++)
		bare = is_bare((unsigned char)k[j]);
	if (p->pathlen)
		path_putc(p, '.');
	if (!bare)
		path_putc(p, '"');
	for (j = 0; j < n; j++) {
		c = (unsigned char)k[j];
		path_putc(p, c < 0x20 || c == 0x7f || c == '"' || c == '\\' ? '?' : (char)c);
	}
	if (!bare)
		path_putc(p, '"');
}

/* parse_key_part - one simple key (bare or quoted) into a new string */
static int parse_key_part(struct parser *p, char **key, size_t *klen, struct toml_pos *kpos)
{
	struct sbuf b = { 0 };
	size_t start = p->i;
	int c = peek(p, 0), err;
	char tmp[48];

	*kpos = here(p);
	if (is_bare(c)) {
		while (is_bare(peek(p, 0)))
			p->i++;
		err = sb_put(p, &b, p->buf + start, p->i - start);
	} else if (c == '"' || c == '\'') {
		if (at_triple(p, c))
			return fail(p, *kpos, "multi-line strings cannot be keys");
		err = scan_string(p, &b, false);
		if (!err)
			err = sb_put(p, &b, "", 0);
		if (!err && memchr(b.s, '\0', b.n))
			err = fail(p, *kpos, "key contains a NUL character");
	} else {
		return fail(p, *kpos, "expected a key, found %s",
			    describe(p, p->i, tmp, sizeof(tmp)));
	}
	if (err) {
		free(b.s);
		return err;
	}
	*key = b.s;
	*klen = b.n;
	path_add(p, b.s, b.n);
	return 0;
}

static int not_table(struct parser *p, struct toml_pos at, const struct toml_kv *kv)
{
	struct toml_pos d = def_pos(kv);

	return fail(p, at, "'%s' is %s (defined at %d:%d), not a table", p->path,
		    type_phrase(kv->val), d.line, d.col);
}

static int inline_closed(struct parser *p, struct toml_pos at, const struct toml_kv *kv)
{
	struct toml_pos d = def_pos(kv);

	return fail(p, at, "cannot extend inline table '%s' (defined at %d:%d)", p->path, d.line,
		    d.col);
}

/*
 * enter_table - step from *@tab into its sub-table @key (a non-final
 * component of a dotted key if @dotted, else of the header at @hpos),
 * creating it if missing. Always takes ownership of @key.
 */
static int enter_table(struct parser *p, struct node **tab, int *depth, char *key, size_t klen,
		       struct toml_pos kpos, struct toml_pos hpos, bool dotted)
{
	long idx = tab_find(*tab, key, klen);
	const struct toml_kv *kv;
	struct node *t;
	int err;

	if (idx < 0) {
		if (*depth + 1 > TOML_MAX_DEPTH) {
			err = too_deep(p, kpos);
			goto out_free_key;
		}
		t = node_new(TOML_TABLE, dotted ? kpos : hpos);
		if (!t) {
			err = nomem(p);
			goto out_free_key;
		}
		t->flags = dotted ? TF_DOTTED : NF_HDRPOS;
		err = tab_add(p, *tab, key, klen, kpos, t);
		if (err) {
			node_free(&t->v);
			goto out_free_key;
		}
		*tab = t;
		*depth += 1;
		return 0;
	}
	free(key);
	kv = &(*tab)->v.u.table.items[idx];
	t = node_of(kv->val);
	if (!dotted && t->v.type == TOML_ARRAY && (t->flags & AF_TABLES)) {
		/* [a.b] after [[a]] names b in the last element of a */
		*tab = node_of(t->v.u.array.items[t->v.u.array.n - 1]);
		*depth += 2;
		return 0;
	}
	if (t->v.type != TOML_TABLE)
		return not_table(p, kpos, kv);
	if (t->flags & TF_INLINE)
		return inline_closed(p, kpos, kv);
	if (dotted && (t->flags & TF_HEADER))
		return fail(p, kpos,
			    "dotted key cannot add to table '%s' (defined by a header at %d:%d)",
			    p->path, t->v.pos.line, t->v.pos.col);
	if (dotted)
		t->flags |= TF_DOTTED;
	*tab = t;
	*depth += 1;
	return 0;

out_free_key:
	free(key);
	return err;
}

/* ---- values ---- */

static int parse_value(struct parser *p, int depth, struct node **out);
static int parse_keyval(struct parser *p, struct node *tab, int depth);

static int parse_string_value(struct parser *p, struct node **out)
{
	struct toml_pos at = here(p);
	struct sbuf b = { 0 };
	struct node *v;
	int err;

	err = scan_string(p, &b, at_triple(p, peek(p, 0)));
	if (!err)
		err = sb_put(p, &b, "", 0);
	if (err)
		goto out_free;
	v = node_new(TOML_STRING, at);
	if (!v) {
		err = nomem(p);
		goto out_free;
	}
	v->v.u.str.s = b.s;
	v->v.u.str.slen = b.n;
	*out = v;
	return 0;

out_free:
	free(b.s);
	return err;
}

static bool is_digit_base(int c, int base)
{
	switch (base) {
	case 2:
		return c == '0' || c == '1';
	case 8:
		return c >= '0' && c <= '7';
	case 16:
		return hex_value(c) >= 0;
	default:
		return is_digit(c);
	}
}

/*
 * scan_digits - digits of @base at t[*k], with '_' allowed only between two
 * digits. Returns how many digits, or -1 with *k at a misplaced '_'.
 */
static long scan_digits(const char *t, size_t n, size_t *k, int base)
{
	long nd = 0;
	int c;

	while (*k < n) {
		c = (unsigned char)t[*k];
		if (is_digit_base(c, base)) {
			nd++;
		} else if (c == '_') {
			if (nd == 0 || *k + 1 >= n ||
			    !is_digit_base((unsigned char)t[*k + 1], base))
				return -1;
		} else {
			break;
		}
		(*k)++;
	}
	return nd;
}

static int make_int(struct parser *p, const char *t, size_t n, int base, bool neg,
		    struct toml_pos at, const char *tok, int show, struct node **out)
{
	uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, m = 0, d;
	struct node *v;
	size_t k;

	for (k = 0; k < n; k++) {
		if (t[k] == '_')
			continue;
		d = (uint64_t)hex_value((unsigned char)t[k]);
		if (m > (lim - d) / (uint64_t)base)
			return fail(p, at, "integer '%.*s' is out of range", show, tok);
		m = m * (uint64_t)base + d;
	}
	v = node_new(TOML_INT, at);
	if (!v)
		return nomem(p);
	if (!neg)
		v->v.u.i = (int64_t)m;
	else if (m > (uint64_t)INT64_MAX)
		v->v.u.i = INT64_MIN;
	else
		v->v.u.i = -(int64_t)m;
	*out = v;
	return 0;
}

static int make_float(struct parser *p, const char *t, size_t n, struct toml_pos at, int show,
		      struct node **out)
{
	char *clean = malloc(n + 1), *end;
	struct node *v;
	size_t k, m = 0;
	double d;
	int e;

	if (!clean)
		return nomem(p);
	for (k = 0; k < n; k++)
		if (t[k] != '_')
			clean[m++] = t[k];
	clean[m] = '\0';
	errno = 0;
	d = strtod(clean, &end);
	e = errno;
	free(clean);
	if (e == ERANGE && isinf(d))
		return fail(p, at, "float '%.*s' is out of range", show, t);
	v = node_new(TOML_FLOAT, at);
	if (!v)
		return nomem(p);
	v->v.u.f = d;
	*out = v;
	return 0;
}

static int bad_underscore(struct parser *p, struct toml_pos at, size_t off, const char *t, int show)
{
	return fail(p, pos_plus(at, off),
		    "invalid number '%.*s' (underscores must be between digits)", show, t);
}

/* parse_number - the token @t (@n bytes) at @at as an integer or float */
static int parse_number(struct parser *p, const char *t, size_t n, struct toml_pos at,
			struct node **out)
{
	int show = n > TOK_SHOW ? TOK_SHOW : (int)n, base = 10;
	bool neg = false, sign = false, is_float = false;
	size_t k = 0, intk;
	struct node *v;
	long nd;

	if (t[0] == '+' || t[0] == '-') {
		sign = true;
		neg = t[0] == '-';
		k = 1;
	}
	if (n - k == 3 && (!memcmp(t + k, "inf", 3) || !memcmp(t + k, "nan", 3))) {
		v = node_new(TOML_FLOAT, at);
		if (!v)
			return nomem(p);
		if (t[k] == 'i')
			v->v.u.f = neg ? -(double)INFINITY : (double)INFINITY;
		else
			v->v.u.f = neg ? -(double)NAN : (double)NAN;
		*out = v;
		return 0;
	}
	if (n - k > 1 && t[k] == '0' && (t[k + 1] == 'x' || t[k + 1] == 'o' || t[k + 1] == 'b')) {
		if (sign)
			return fail(p, at,
				    "invalid number '%.*s' (no sign allowed before 0x, 0o or 0b)",
				    show, t);
		base = t[k + 1] == 'x' ? 16 : t[k + 1] == 'o' ? 8 : 2;
		k += 2;
	}
	intk = k;
	nd = scan_digits(t, n, &k, base);
	if (nd < 0)
		return bad_underscore(p, at, k, t, show);
	if (nd == 0)
		return fail(p, at, "invalid number '%.*s'", show, t);
	if (base == 10 && t[intk] == '0' && k - intk > 1)
		return fail(p, at, "invalid number '%.*s' (leading zeros are not allowed)",
			    show, t);
	if (base == 10 && k < n && t[k] == '.') {
		k++;
		nd = scan_digits(t, n, &k, 10);
		if (nd < 0)
			return bad_underscore(p, at, k, t, show);
		if (nd == 0)
			return fail(p, at, "invalid number '%.*s' (expected a digit after '.')",
				    show, t);
		is_float = true;
	}
	if (base == 10 && k < n && (t[k] == 'e' || t[k] == 'E')) {
		k++;
		if (k < n && (t[k] == '+' || t[k] == '-'))
			k++;
		nd = scan_digits(t, n, &k, 10);
		if (nd < 0)
			return bad_underscore(p, at, k, t, show);
		if (nd == 0)
			return fail(p, at,
				    "invalid number '%.*s' (expected digits in the exponent)",
				    show, t);
		is_float = true;
	}
	if (k != n)
		return fail(p, at, "invalid number '%.*s'", show, t);
	if (is_float)
		return make_float(p, t, n, at, show, out);
	return make_int(p, t + intk, n - intk, base, neg, at, t, show, out);
}

/* parse_bare_value - a token of is_tok() characters: boolean, number, inf, nan */
static int parse_bare_value(struct parser *p, const char *t, size_t n, struct toml_pos at,
			    struct node **out)
{
	int show = n > TOK_SHOW ? TOK_SHOW : (int)n;
	struct node *v;

	if ((n == 4 && !memcmp(t, "true", 4)) || (n == 5 && !memcmp(t, "false", 5))) {
		v = node_new(TOML_BOOL, at);
		if (!v)
			return nomem(p);
		v->v.u.b = n == 4;
		*out = v;
		return 0;
	}
	if (is_digit((unsigned char)t[0]) || t[0] == '+' || t[0] == '-' || t[0] == '.' ||
	    (n == 3 && (!memcmp(t, "inf", 3) || !memcmp(t, "nan", 3))))
		return parse_number(p, t, n, at, out);
	return fail(p, at, "invalid value '%.*s' (strings must be quoted)", show, t);
}

static bool digits_at(const char *s, size_t n, size_t k, size_t cnt)
{
	size_t j;

	if (k + cnt > n)
		return false;
	for (j = k; j < k + cnt; j++)
		if (!is_digit((unsigned char)s[j]))
			return false;
	return true;
}

static int num2(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

static int days_in(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[m - 1];
}

static bool looks_date(const struct parser *p)
{
	return digits_at(p->buf, p->len, p->i, 4) && peek(p, 4) == '-';
}

static bool looks_time(const struct parser *p)
{
	return digits_at(p->buf, p->len, p->i, 2) && peek(p, 2) == ':';
}

/* parse_time - HH:MM:SS[.frac] at s[*k]; advances *k */
static int parse_time(struct parser *p, const char *s, size_t n, size_t *k, struct toml_pos at)
{
	size_t t = *k;
	int h, m, sec;

	if (!digits_at(s, n, t, 2) || t + 2 >= n || s[t + 2] != ':' || !digits_at(s, n, t + 3, 2) ||
	    t + 5 >= n || s[t + 5] != ':' || !digits_at(s, n, t + 6, 2))
		return fail(p, pos_plus(at, t), "invalid time (expected HH:MM:SS)");
	h = num2(s + t);
	m = num2(s + t + 3);
	sec = num2(s + t + 6);
	if (h > 23)
		return fail(p, pos_plus(at, t), "invalid time: hour %02d out of range", h);
	if (m > 59)
		return fail(p, pos_plus(at, t + 3), "invalid time: minute %02d out of range", m);
	if (sec > 60)	/* 60: a leap second, as RFC 3339 allows */
		return fail(p, pos_plus(at, t + 6), "invalid time: second %02d out of range", sec);
	t += 8;
	if (t < n && s[t] == '.') {
		if (!digits_at(s, n, t + 1, 1))
			return fail(p, pos_plus(at, t), "invalid time: expected digits after '.'");
		t++;
		while (t < n && is_digit((unsigned char)s[t]))
			t++;
	}
	*k = t;
	return 0;
}

/*
 * parse_datetime - an offset date-time, local date-time, local date or
 * local time at p->i; validated, kept as written.
 */
static int parse_datetime(struct parser *p, struct toml_pos at, struct node **out)
{
	const char *s = p->buf + p->i;
	size_t n = p->len - p->i, k = 0;
	bool date = looks_date(p), time = !date;
	struct node *v;
	int y, mo, d, err;

	if (date) {
		if (!digits_at(s, n, 5, 2) || n < 8 || s[7] != '-' || !digits_at(s, n, 8, 2))
			return fail(p, at, "invalid date (expected YYYY-MM-DD)");
		y = num2(s) * 100 + num2(s + 2);
		mo = num2(s + 5);
		d = num2(s + 8);
		if (mo < 1 || mo > 12)
			return fail(p, pos_plus(at, 5), "invalid date: month %02d out of range",
				    mo);
		if (d < 1 || d > days_in(y, mo))
			return fail(p, pos_plus(at, 8),
				    "invalid date: day %02d out of range for %04d-%02d", d, y, mo);
		k = 10;
		/* "T", "t" or a space (if a time follows) joins date and time */
		if (k < n && (s[k] == 'T' || s[k] == 't' ||
			      (s[k] == ' ' && k + 1 < n && is_digit((unsigned char)s[k + 1])))) {
			k++;
			time = true;
		}
	}
	if (time) {
		err = parse_time(p, s, n, &k, at);
		if (err)
			return err;
		if (date && k < n && (s[k] == 'Z' || s[k] == 'z')) {
			k++;
		} else if (date && k < n && (s[k] == '+' || s[k] == '-')) {
			if (!digits_at(s, n, k + 1, 2) || k + 3 >= n || s[k + 3] != ':' ||
			    !digits_at(s, n, k + 4, 2) || num2(s + k + 1) > 23 ||
			    num2(s + k + 4) > 59)
				return fail(p, pos_plus(at, k),
					    "invalid time offset (expected Z or +HH:MM or -HH:MM)");
			k += 6;
		}
	}
	v = node_new(TOML_DATETIME, at);
	if (!v)
		return nomem(p);
	v->v.u.str.s = malloc(k + 1);
	if (!v->v.u.str.s) {
		node_free(&v->v);
		return nomem(p);
	}
	memcpy(v->v.u.str.s, s, k);
	v->v.u.str.s[k] = '\0';
	v->v.u.str.slen = k;
	p->i += k;
	*out = v;
	return 0;
}

static int parse_array(struct parser *p, int depth, struct node **out)
{
	struct toml_pos at = here(p);
	struct node *a, *item;
	char tmp[48];
	int err;

	a = node_new(TOML_ARRAY, at);
	if (!a)
		return nomem(p);
	p->i++;
	for (;;) {
		err = skip_space(p);
		if (err)
			goto out_free;
		if (peek(p, 0) == ']')
			break;
		if (peek(p, 0) < 0) {
			err = fail(p, at, "unterminated array (missing ']')");
			goto out_free;
		}
		err = parse_value(p, depth + 1, &item);
		if (err)
			goto out_free;
		err = arr_push(p, a, item);
		if (err) {
			node_free(&item->v);
			goto out_free;
		}
		err = skip_space(p);
		if (err)
			goto out_free;
		if (peek(p, 0) == ',') {
			p->i++;
			continue;
		}
		if (peek(p, 0) == ']')
			break;
		if (peek(p, 0) < 0)
			err = fail(p, at, "unterminated array (missing ']')");
		else
			err = fail(p, here(p), "expected ',' or ']' in array, found %s",
				   describe(p, p->i, tmp, sizeof(tmp)));
		goto out_free;
	}
	p->i++;
	*out = a;
	return 0;

out_free:
	node_free(&a->v);
	return err;
}

/* inline_gap - what may not appear where an inline table expects its next part */
static int inline_gap(struct parser *p, struct toml_pos open)
{
	int c = peek(p, 0);

	if (c < 0)
		return fail(p, open, "unterminated inline table (missing '}')");
	if (c == '\n' || (c == '\r' && peek(p, 1) == '\n'))
		return fail(p, here(p), "newline inside inline table");
	if (c == '#')
		return fail(p, here(p), "comment inside inline table");
	return 0;
}

static int parse_inline(struct parser *p, int depth, struct node **out)
{
	struct toml_pos at = here(p), comma;
	struct node *t;
	char tmp[48];
	int err;

	t = node_new(TOML_TABLE, at);
	if (!t)
		return nomem(p);
	t->flags = TF_INLINE;
	p->i++;
	skip_ws(p);
	if (peek(p, 0) == '}')
		goto out_done;
	for (;;) {
		skip_ws(p);
		err = inline_gap(p, at);
		if (err)
			goto out_free;
		err = parse_keyval(p, t, depth);
		if (err)
			goto out_free;
		skip_ws(p);
		if (peek(p, 0) == ',') {
			comma = here(p);
			p->i++;
			skip_ws(p);
			if (peek(p, 0) == '}') {
				err = fail(p, comma, "trailing comma in inline table");
				goto out_free;
			}
			continue;
		}
		if (peek(p, 0) == '}')
			break;
		err = inline_gap(p, at);
		if (!err)
			err = fail(p, here(p), "expected ',' or '}' in inline table, found %s",
				   describe(p, p->i, tmp, sizeof(tmp)));
		goto out_free;
	}
out_done:
	p->i++;
	*out = t;
	return 0;

out_free:
	node_free(&t->v);
	return err;
}

/* parse_value - any value at p->i, which will sit @depth levels below the root */
static int parse_value(struct parser *p, int depth, struct node **out)
{
	struct toml_pos at = here(p);
	int c = peek(p, 0);
	size_t start;
	char tmp[48];

	*out = NULL;
	if (depth > TOML_MAX_DEPTH)
		return too_deep(p, at);
	if (c == '"' || c == '\'')
		return parse_string_value(p, out);
	if (c == '[')
		return parse_array(p, depth, out);
	if (c == '{')
		return parse_inline(p, depth, out);
	if (looks_date(p) || looks_time(p))
		return parse_datetime(p, at, out);
	if (is_tok(c)) {
		start = p->i;
		while (is_tok(peek(p, 0)))
			p->i++;
		return parse_bare_value(p, p->buf + start, p->i - start, at, out);
	}
	return fail(p, at, "expected a value, found %s", describe(p, p->i, tmp, sizeof(tmp)));
}

/* parse_keyval - key = value into table @tab (at @depth below the root) */
static int parse_keyval(struct parser *p, struct node *tab, int depth)
{
	struct node *val = NULL;
	struct toml_pos kpos;
	char *key = NULL;
	const struct toml_kv *kv;
	struct toml_pos d;
	size_t klen;
	long idx;
	int err, c;

	path_reset(p);
	for (;;) {
		err = parse_key_part(p, &key, &klen, &kpos);
		if (err)
			return err;
		skip_ws(p);
		if (peek(p, 0) != '.')
			break;
		err = enter_table(p, &tab, &depth, key, klen, kpos, kpos, true);
		key = NULL;
		if (err)
			return err;
		p->i++;
		skip_ws(p);
	}
	if (peek(p, 0) != '=') {
		err = fail(p, here(p), "expected '=' after key");
		goto out_free;
	}
	if (depth + 1 > TOML_MAX_DEPTH) {
		err = too_deep(p, kpos);
		goto out_free;
	}
	idx = tab_find(tab, key, klen);
	if (idx >= 0) {
		kv = &tab->v.u.table.items[idx];
		d = def_pos(kv);
		err = fail(p, kpos, "duplicate key '%s' (first defined at %d:%d)", p->path, d.line,
			   d.col);
		goto out_free;
	}
	p->i++;
	skip_ws(p);
	c = peek(p, 0);
	if (c < 0 || c == '\n' || c == '#' || (c == '\r' && peek(p, 1) == '\n')) {
		err = fail(p, here(p), "missing value after '='");
		goto out_free;
	}
	err = parse_value(p, depth + 1, &val);
	if (err)
		goto out_free;
	err = tab_add(p, tab, key, klen, kpos, val);
	if (err)
		goto out_free;
	return 0;

out_free:
	free(key);
	if (val)
		node_free(&val->v);
	return err;
}

/* ---- headers and the document ---- */

/* define_table - the last component of a [header]: @key in @tab */
static int define_table(struct parser *p, struct node *tab, int depth, char *key, size_t klen,
			struct toml_pos kpos, struct toml_pos hpos)
{
	long idx = tab_find(tab, key, klen);
	struct toml_kv *kv;
	struct toml_pos d;
	struct node *t;
	int err;

	if (idx < 0) {
		if (depth + 1 > TOML_MAX_DEPTH) {
			err = too_deep(p, kpos);
			goto out_free_key;
		}
		t = node_new(TOML_TABLE, hpos);
		if (!t) {
			err = nomem(p);
			goto out_free_key;
		}
		t->flags = TF_HEADER | NF_HDRPOS;
		err = tab_add(p, tab, key, klen, kpos, t);
		if (err) {
			node_free(&t->v);
			goto out_free_key;
		}
		goto out_done;
	}
	free(key);
	kv = &tab->v.u.table.items[idx];
	t = node_of(kv->val);
	d = def_pos(kv);
	if (t->v.type == TOML_TABLE && (t->flags & TF_INLINE))
		return inline_closed(p, kpos, kv);
	if (t->v.type == TOML_TABLE && (t->flags & (TF_HEADER | TF_DOTTED)))
		return fail(p, kpos, "duplicate table '%s' (first defined at %d:%d)", p->path,
			    d.line, d.col);
	if (t->v.type == TOML_ARRAY && (t->flags & AF_TABLES))
		return fail(p, kpos, "'%s' is already an array of tables (defined at %d:%d)",
			    p->path, d.line, d.col);
	if (t->v.type != TOML_TABLE)
		return fail(p, kpos, "duplicate key '%s' (first defined at %d:%d)", p->path,
			    d.line, d.col);
	/* made implicitly by an earlier [a.b.c]: this [a] defines it */
	t->flags |= TF_HEADER | NF_HDRPOS;
	t->v.pos = hpos;
	kv->key_pos = kpos;
out_done:
	p->cur = t;
	p->cur_depth = depth + 1;
	return 0;

out_free_key:
	free(key);
	return err;
}

/* push_element - a new [[header]] table at the end of @arr; it becomes the section */
static int push_element(struct parser *p, struct node *arr, struct toml_pos hpos)
{
	struct node *el = node_new(TOML_TABLE, hpos);
	int err;

	if (!el)
		return nomem(p);
	el->flags = TF_HEADER | NF_HDRPOS;
	err = arr_push(p, arr, el);
	if (err) {
		node_free(&el->v);
		return err;
	}
	p->cur = el;
	return 0;
}

/* define_array - the last component of a [[header]]: a new element of @key in @tab */
static int define_array(struct parser *p, struct node *tab, int depth, char *key, size_t klen,
			struct toml_pos kpos, struct toml_pos hpos)
{
	long idx = tab_find(tab, key, klen);
	const struct toml_kv *kv;
	struct toml_pos d;
	struct node *arr;
	int err;

	p->cur_depth = depth + 2;
	if (idx >= 0) {
		free(key);
		kv = &tab->v.u.table.items[idx];
		arr = node_of(kv->val);
		d = def_pos(kv);
		if (arr->v.type == TOML_TABLE && (arr->flags & TF_INLINE))
			return inline_closed(p, kpos, kv);
		if (arr->v.type == TOML_TABLE)
			return fail(p, kpos,
				    "'%s' is a table (defined at %d:%d), not an array of tables",
				    p->path, d.line, d.col);
		if (arr->v.type == TOML_ARRAY && !(arr->flags & AF_TABLES))
			return fail(p, kpos,
				    "cannot append to static array '%s' (defined at %d:%d)",
				    p->path, d.line, d.col);
		if (arr->v.type != TOML_ARRAY)
			return fail(p, kpos, "duplicate key '%s' (first defined at %d:%d)", p->path,
				    d.line, d.col);
		return push_element(p, arr, hpos);
	}
	if (depth + 2 > TOML_MAX_DEPTH) {
		err = too_deep(p, kpos);
		goto out_free_key;
	}
	arr = node_new(TOML_ARRAY, hpos);
	if (!arr) {
		err = nomem(p);
		goto out_free_key;
	}
	arr->flags = AF_TABLES | NF_HDRPOS;
	err = push_element(p, arr, hpos);
	if (!err)
		err = tab_add(p, tab, key, klen, kpos, arr);
	if (err) {
		node_free(&arr->v);
		goto out_free_key;
	}
	return 0;

out_free_key:
	free(key);
	return err;
}

static int parse_header(struct parser *p)
{
	struct toml_pos hpos = here(p), kpos;
	struct node *tab = p->root;
	int depth = 0, err;
	char *key = NULL;
	size_t klen = 0;
	bool aot;

	p->i++;
	aot = peek(p, 0) == '[';
	if (aot)
		p->i++;
	skip_ws(p);
	path_reset(p);
	for (;;) {
		err = parse_key_part(p, &key, &klen, &kpos);
		if (err)
			return err;
		skip_ws(p);
		if (peek(p, 0) != '.')
			break;
		err = enter_table(p, &tab, &depth, key, klen, kpos, hpos, false);
		if (err)
			return err;
		p->i++;
		skip_ws(p);
	}
	if (peek(p, 0) != ']' || (aot && peek(p, 1) != ']')) {
		free(key);
		return fail(p, here(p), aot ? "expected ']]' at end of array of tables header" :
					      "expected ']' at end of table header");
	}
	p->i += aot ? 2 : 1;
	if (aot)
		return define_array(p, tab, depth, key, klen, kpos, hpos);
	return define_table(p, tab, depth, key, klen, kpos, hpos);
}

/* expect_eol - only whitespace and a comment may follow @what on its line */
static int expect_eol(struct parser *p, const char *what)
{
	char tmp[48];
	int err;

	skip_ws(p);
	if (peek(p, 0) == '#') {
		err = skip_comment(p);
		if (err)
			return err;
	}
	if (p->i >= p->len || eat_newline(p))
		return 0;
	return fail(p, here(p), "expected newline after %s, found %s", what,
		    describe(p, p->i, tmp, sizeof(tmp)));
}

static int parse_document(struct parser *p)
{
	int err;

	for (;;) {
		skip_ws(p);
		if (p->i >= p->len)
			return 0;
		if (peek(p, 0) == '#') {
			err = skip_comment(p);
		} else if (eat_newline(p)) {
			err = 0;
		} else if (peek(p, 0) == '[') {
			err = parse_header(p);
			if (!err)
				err = expect_eol(p, "table header");
		} else {
			err = parse_keyval(p, p->cur, p->cur_depth);
			if (!err)
				err = expect_eol(p, "value");
		}
		if (err)
			return err;
	}
}

int toml_parse(const char *buf, size_t len, struct toml_value **out, struct toml_err *err)
{
	struct toml_err dummy;
	struct parser p;
	struct toml_pos start = { 1, 1 };
	int ret;

	if (!err)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	memset(&p, 0, sizeof(p));
	p.buf = buf ? buf : "";
	p.len = buf ? len : 0;
	p.line = 1;
	p.err = err;
	if (out)
		*out = NULL;
	if (!out || (!buf && len))
		return fail(&p, start, "invalid argument");
	if (len > TOML_MAX_SIZE)
		return fail(&p, start, "document too large (%zu bytes, limit %u)", len,
			    TOML_MAX_SIZE);
	/* a UTF-8 byte order mark is not part of the first line's columns */
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3)) {
		p.i = 3;
		p.line_start = 3;
	}
	p.root = node_new(TOML_TABLE, start);
	if (!p.root)
		return nomem(&p);
	p.root->flags = TF_HEADER;
	p.cur = p.root;
	ret = parse_document(&p);
	if (ret) {
		node_free(&p.root->v);
		return ret;
	}
	*out = &p.root->v;
	return 0;
}

void toml_free(struct toml_value *v)
{
	node_free(v);
}

const struct toml_kv *toml_table_kv(const struct toml_value *t, const char *key)
{
	size_t k;

	if (!t || !key || t->type != TOML_TABLE)
		return NULL;
	for (k = 0; k < t->u.table.n; k++)
		if (!strcmp(t->u.table.items[k].key, key))
			return &t->u.table.items[k];
	return NULL;
}

const struct toml_value *toml_table_get(const struct toml_value *t, const char *key)
{
	const struct toml_kv *kv = toml_table_kv(t, key);

	return kv ? kv->val : NULL;
}

const char *toml_type_name(enum toml_type t)
{
	switch (t) {
	case TOML_TABLE:
		return "table";
	case TOML_ARRAY:
		return "array";
	case TOML_STRING:
		return "string";
	case TOML_INT:
		return "integer";
	case TOML_FLOAT:
		return "float";
	case TOML_BOOL:
		return "boolean";
	case TOML_DATETIME:
		return "datetime";
	}
	return "unknown";
}
