// SPDX-License-Identifier: MIT
/*
 * fuzz_toml - toml_parse on arbitrary bytes.
 *
 * A failure must be a clean -EINVAL/-ENOMEM with a message and a position
 * inside the document. A success must give a well-formed tree, and that
 * tree, written back out as TOML (every table inline, every key quoted),
 * must parse again to the same values: that catches a parser that accepts
 * one spelling of a value and misreads it.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct out {
	char *s;
	size_t n;
	size_t cap;
};

static void die(const char *what)
{
	fprintf(stderr, "fuzz_toml: %s\n", what);
	abort();
}

static void put(struct out *o, const char *s, size_t n)
{
	char *ns;

	if (o->cap - o->n <= n) {
		o->cap = (o->cap + n) * 2 + 64;
		ns = realloc(o->s, o->cap);
		if (!ns)
			die("out of memory");
		o->s = ns;
	}
	memcpy(o->s + o->n, s, n);
	o->n += n;
	o->s[o->n] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_quoted(struct out *o, const char *s, size_t n)
{
	char esc[8];
	size_t k;
	unsigned char c;

	put(o, "\"", 1);
	for (k = 0; k < n; k++) {
		c = (unsigned char)s[k];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(o, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04X", c);
			put(o, esc, 6);
		} else {
			put(o, (const char *)&c, 1);
		}
	}
	put(o, "\"", 1);
}

static void emit(struct out *o, const struct toml_value *v)
{
	char num[64];
	size_t k;

	switch (v->type) {
	case TOML_TABLE:
		puts_(o, "{");
		for (k = 0; k < v->u.table.n; k++) {
			if (k)
				puts_(o, ", ");
			put_quoted(o, v->u.table.items[k].key, strlen(v->u.table.items[k].key));
			puts_(o, " = ");
			emit(o, v->u.table.items[k].val);
		}
		puts_(o, "}");
		break;
	case TOML_ARRAY:
		puts_(o, "[");
		for (k = 0; k < v->u.array.n; k++) {
			if (k)
				puts_(o, ", ");
			emit(o, v->u.array.items[k]);
		}
		puts_(o, "]");
		break;
	case TOML_STRING:
		put_quoted(o, v->u.str.s, v->u.str.slen);
		break;
	case TOML_DATETIME:
		put(o, v->u.str.s, v->u.str.slen);
		break;
	case TOML_INT:
		snprintf(num, sizeof(num), "%lld", (long long)v->u.i);
		puts_(o, num);
		break;
	case TOML_FLOAT:
		if (isnan(v->u.f))
			snprintf(num, sizeof(num), "nan");
		else if (isinf(v->u.f))
			snprintf(num, sizeof(num), "%sinf", v->u.f < 0 ? "-" : "");
		else
			snprintf(num, sizeof(num), "%.17g", v->u.f);
		k = strlen(num);
		if (!strpbrk(num, ".eni") && k + 3 <= sizeof(num))
			memcpy(num + k, ".0", 3);	/* keep it a float */
		puts_(o, num);
		break;
	case TOML_BOOL:
		puts_(o, v->u.b ? "true" : "false");
		break;
	default:
		die("bad type");
	}
}

/* check - a well-formed tree: known types, terminated strings, unique keys */
static void check(const struct toml_value *v, int depth)
{
	size_t k;

	if (depth > 65)
		die("tree deeper than the limit");
	if (v->pos.line < 1 || v->pos.col < 1)
		die("value without a position");
	switch (v->type) {
	case TOML_TABLE:
		for (k = 0; k < v->u.table.n; k++) {
			const struct toml_kv *kv = &v->u.table.items[k];

			if (!kv->key || !kv->val || kv->key_pos.line < 1 || kv->key_pos.col < 1)
				die("bad table entry");
			if (v->u.table.n <= 256 && toml_table_kv(v, kv->key) != kv)
				die("duplicate or unfindable key");
			check(kv->val, depth + 1);
		}
		break;
	case TOML_ARRAY:
		for (k = 0; k < v->u.array.n; k++)
			check(v->u.array.items[k], depth + 1);
		break;
	case TOML_STRING:
	case TOML_DATETIME:
		if (!v->u.str.s || v->u.str.s[v->u.str.slen] != '\0')
			die("string not terminated");
		break;
	case TOML_INT:
	case TOML_FLOAT:
	case TOML_BOOL:
		break;
	default:
		die("bad type");
	}
}

static void same(const struct toml_value *a, const struct toml_value *b)
{
	size_t k;

	if (a->type != b->type)
		die("round trip changed a type");
	switch (a->type) {
	case TOML_TABLE:
		if (a->u.table.n != b->u.table.n)
			die("round trip changed a table");
		for (k = 0; k < a->u.table.n; k++) {
			if (strcmp(a->u.table.items[k].key, b->u.table.items[k].key))
				die("round trip changed a key");
			same(a->u.table.items[k].val, b->u.table.items[k].val);
		}
		break;
	case TOML_ARRAY:
		if (a->u.array.n != b->u.array.n)
			die("round trip changed an array");
		for (k = 0; k < a->u.array.n; k++)
			same(a->u.array.items[k], b->u.array.items[k]);
		break;
	case TOML_STRING:
	case TOML_DATETIME:
		if (a->u.str.slen != b->u.str.slen || memcmp(a->u.str.s, b->u.str.s, a->u.str.slen))
			die("round trip changed a string");
		break;
	case TOML_INT:
		if (a->u.i != b->u.i)
			die("round trip changed an integer");
		break;
	case TOML_FLOAT:
		if (isnan(a->u.f) ? !isnan(b->u.f) : memcmp(&a->u.f, &b->u.f, sizeof(double)))
			die("round trip changed a float");
		break;
	case TOML_BOOL:
		if (a->u.b != b->u.b)
			die("round trip changed a boolean");
		break;
	}
}

/* check_err_pos - the error points at a line of the document, at most one past its end */
static void check_err(const struct toml_err *err, const uint8_t *data, size_t size)
{
	size_t off = 0, end;
	int line = 1;
	const char *m = err->msg;
	size_t mlen = strlen(m);

	if (!mlen || m[mlen - 1] == '.' || (m[0] >= 'A' && m[0] <= 'Z'))
		die("badly formed error message");
	if (err->pos.line < 1 || err->pos.col < 1)
		die("error without a position");
	while (line < err->pos.line) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);

		if (!nl)
			die("error line past the end of the document");
		off = (size_t)(nl - data) + 1;
		line++;
	}
	end = off;
	while (end < size && data[end] != '\n')
		end++;
	if ((size_t)err->pos.col > end - off + 1)
		die("error column past the end of its line");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toml_value *root = (struct toml_value *)&root, *again = NULL;
	struct toml_err err;
	struct out o = { 0 };
	size_t k;
	int ret;

	ret = toml_parse((const char *)data, size, &root, &err);
	if (ret) {
		if ((ret != -EINVAL && ret != -ENOMEM) || root)
			die("failure without -EINVAL/-ENOMEM or with a tree");
		check_err(&err, data, size);
		return 0;
	}
	if (!root || root->type != TOML_TABLE || err.msg[0])
		die("success without a root table");
	check(root, 0);

	for (k = 0; k < root->u.table.n; k++) {
		put_quoted(&o, root->u.table.items[k].key, strlen(root->u.table.items[k].key));
		puts_(&o, " = ");
		emit(&o, root->u.table.items[k].val);
		puts_(&o, "\n");
	}
	ret = toml_parse(o.s ? o.s : "", o.n, &again, &err);
	if (ret) {
		fprintf(stderr, "reparse failed at %d:%d: %s\n%s\n", err.pos.line, err.pos.col,
			err.msg, o.s);
		die("round trip does not parse");
	}
	same(root, again);
	toml_free(again);
	toml_free(root);
	free(o.s);
	return 0;
}
