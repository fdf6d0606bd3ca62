// SPDX-License-Identifier: MIT
/*
 * test_toml - the TOML 1.0 parser: every value form with exact values and
 * positions, the table-definition rules, and every error class with its
 * line, column and message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"

/* ---- helpers ---- */

static struct toml_value *parse_len(const char *doc, size_t len)
{
	struct toml_value *root = NULL;
	struct toml_err err;
	int rc;

	rc = toml_parse(doc, len, &root, &err);
	if (rc)
		fail_msg("unexpected error %d at %d:%d: %s", rc, err.pos.line, err.pos.col,
			 err.msg);
	assert_non_null(root);
	assert_int_equal(root->type, TOML_TABLE);
	return root;
}

static struct toml_value *parse(const char *doc)
{
	return parse_len(doc, strlen(doc));
}

static void expect_err_len(const char *doc, size_t len, int line, int col, const char *msg)
{
	struct toml_value *root = (struct toml_value *)&root;
	struct toml_err err;
	int rc;

	rc = toml_parse(doc, len, &root, &err);
	if (rc == 0) {
		toml_free(root);
		fail_msg("expected error '%s' at %d:%d, parse succeeded", msg, line, col);
	}
	assert_int_equal(rc, -EINVAL);
	assert_null(root);
	assert_string_equal(err.msg, msg);
	assert_int_equal(err.pos.line, line);
	assert_int_equal(err.pos.col, col);
}

static void expect_err(const char *doc, int line, int col, const char *msg)
{
	expect_err_len(doc, strlen(doc), line, col, msg);
}

/* get - follow a dotted path of plain keys ("a.b.c") from table @t */
static const struct toml_value *get(const struct toml_value *t, const char *path)
{
	char buf[256], *part, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part; part = strtok_r(NULL, ".", &save)) {
		t = toml_table_get(t, part);
		if (!t)
			fail_msg("no key '%s' in path '%s'", part, path);
	}
	return t;
}

static const struct toml_value *get_type(const struct toml_value *t, const char *path,
					 enum toml_type type)
{
	const struct toml_value *v = get(t, path);

	if (v->type != type)
		fail_msg("'%s' is a %s, expected a %s", path, toml_type_name(v->type),
			 toml_type_name(type));
	return v;
}

static int64_t get_int(const struct toml_value *t, const char *path)
{
	return get_type(t, path, TOML_INT)->u.i;
}

static double get_float(const struct toml_value *t, const char *path)
{
	return get_type(t, path, TOML_FLOAT)->u.f;
}

static const char *get_str(const struct toml_value *t, const char *path)
{
	const struct toml_value *v = get_type(t, path, TOML_STRING);

	assert_int_equal(strlen(v->u.str.s), v->u.str.slen);
	return v->u.str.s;
}

static const char *get_dt(const struct toml_value *t, const char *path)
{
	const struct toml_value *v = get_type(t, path, TOML_DATETIME);

	assert_int_equal(strlen(v->u.str.s), v->u.str.slen);
	return v->u.str.s;
}

static void assert_pos(struct toml_pos pos, int line, int col)
{
	assert_int_equal(pos.line, line);
	assert_int_equal(pos.col, col);
}

/* nested - @open, @n times, then @mid, then @close @n times */
static char *nested(const char *prefix, const char *open, int n, const char *mid,
		    const char *close)
{
	size_t lo = strlen(open), lc = strlen(close), lp = strlen(prefix), lm = strlen(mid);
	char *s = malloc(lp + (size_t)n * (lo + lc) + lm + 1), *w = s;
	int k;

	assert_non_null(s);
	memcpy(w, prefix, lp);
	w += lp;
	for (k = 0; k < n; k++, w += lo)
		memcpy(w, open, lo);
	memcpy(w, mid, lm);
	w += lm;
	for (k = 0; k < n; k++, w += lc)
		memcpy(w, close, lc);
	*w = '\0';
	return s;
}

/* ---- documents, keys and tables ---- */

static void test_empty_document_is_empty_table(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("");
	assert_int_equal(root->u.table.n, 0);
	assert_pos(root->pos, 1, 1);
	toml_free(root);

	root = parse_len(NULL, 0);
	assert_int_equal(root->u.table.n, 0);
	toml_free(root);
}

static void test_comments_and_blank_lines_are_ignored(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("# a comment\n\n   \t\n# another # with hashes\na = 1 # trailing\n#end");
	assert_int_equal(root->u.table.n, 1);
	assert_int_equal(get_int(root, "a"), 1);
	toml_free(root);
}

static void test_bare_keys_keep_document_order(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("zeta = 1\nAlpha_9 = 2\nmid-dle = 3\n_x = 4\n");
	assert_int_equal(root->u.table.n, 4);
	assert_string_equal(root->u.table.items[0].key, "zeta");
	assert_string_equal(root->u.table.items[1].key, "Alpha_9");
	assert_string_equal(root->u.table.items[2].key, "mid-dle");
	assert_string_equal(root->u.table.items[3].key, "_x");
	assert_int_equal(root->u.table.items[3].val->u.i, 4);
	toml_free(root);
}

static void test_numeric_and_keyword_bare_keys(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("1234 = 'a'\ntrue = 'b'\ninf = 'c'\n3.14 = 'pi'\n");
	assert_string_equal(get_str(root, "1234"), "a");
	assert_string_equal(get_str(root, "true"), "b");
	assert_string_equal(get_str(root, "inf"), "c");
	/* 3.14 is the dotted key 3 -> 14 */
	assert_string_equal(get_str(root, "3.14"), "pi");
	toml_free(root);
}

static void test_quoted_keys_basic_and_literal(void **state)
{
	struct toml_value *root;
	const struct toml_value *v;

	(void)state;
	root = parse("\"a b\" = 1\n'c\\d' = 2\n\"\" = 3\n\"caf\\u00e9\" = 4\n\"x.y\" = 5\n");
	assert_int_equal(root->u.table.n, 5);
	assert_int_equal(toml_table_get(root, "a b")->u.i, 1);
	assert_int_equal(toml_table_get(root, "c\\d")->u.i, 2);
	assert_int_equal(toml_table_get(root, "")->u.i, 3);
	assert_int_equal(toml_table_get(root, "caf\xc3\xa9")->u.i, 4);
	/* a dot inside quotes is part of the key, not a separator */
	v = toml_table_get(root, "x.y");
	assert_non_null(v);
	assert_int_equal(v->u.i, 5);
	assert_null(toml_table_get(root, "x"));
	toml_free(root);
}

static void test_dotted_keys_create_nested_tables(void **state)
{
	struct toml_value *root;
	const struct toml_value *a;

	(void)state;
	root = parse("a.b.c = 1\na.b.d = 2\na.e = 3\n\"q k\".'l' = 4\n");
	a = get_type(root, "a", TOML_TABLE);
	assert_int_equal(a->u.table.n, 2);
	assert_int_equal(get_int(root, "a.b.c"), 1);
	assert_int_equal(get_int(root, "a.b.d"), 2);
	assert_int_equal(get_int(root, "a.e"), 3);
	assert_int_equal(toml_table_get(toml_table_get(root, "q k"), "l")->u.i, 4);
	toml_free(root);
}

static void test_whitespace_around_dots_is_allowed(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("a . b\t.\tc = 1\n[ x . y ]\nz = 2\n");
	assert_int_equal(get_int(root, "a.b.c"), 1);
	assert_int_equal(get_int(root, "x.y.z"), 2);
	toml_free(root);
}

static void test_table_header_opens_section(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("top = 0\n[server]\nport = 80\n[client.tls]\nverify = true\n"
		     "[server.x]\ny = 1\n");
	assert_int_equal(root->u.table.n, 3);
	assert_int_equal(get_int(root, "top"), 0);
	assert_int_equal(get_int(root, "server.port"), 80);
	assert_int_equal(get_type(root, "client.tls.verify", TOML_BOOL)->u.b, 1);
	assert_int_equal(get_int(root, "server.x.y"), 1);
	assert_int_equal(get(root, "server")->u.table.n, 2);
	toml_free(root);
}

static void test_super_table_may_follow_sub_table(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("[x.y.z.w]\na = 1\n[x]\nb = 2\n");
	assert_int_equal(get_int(root, "x.y.z.w.a"), 1);
	assert_int_equal(get_int(root, "x.b"), 2);
	/* the implicit table takes the position of the header that defines it */
	assert_pos(get(root, "x")->pos, 3, 1);
	assert_pos(toml_table_kv(root, "x")->key_pos, 3, 2);
	toml_free(root);
}

static void test_dotted_table_may_get_sub_table_header(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n"
		     "[fruit.apple.texture]\nsmooth = true\n");
	assert_string_equal(get_str(root, "fruit.apple.color"), "red");
	assert_int_equal(get_type(root, "fruit.apple.taste.sweet", TOML_BOOL)->u.b, 1);
	assert_int_equal(get_type(root, "fruit.apple.texture.smooth", TOML_BOOL)->u.b, 1);
	toml_free(root);
}

static void test_dotted_key_may_enter_implicit_table(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("[a.b.c]\nz = 9\n[a]\nb.x = 1\n");
	assert_int_equal(get_int(root, "a.b.c.z"), 9);
	assert_int_equal(get_int(root, "a.b.x"), 1);
	toml_free(root);
}

static void test_array_of_tables_appends_elements(void **state)
{
	struct toml_value *root;
	const struct toml_value *arr;

	(void)state;
	root = parse("[[product]]\nname = \"hammer\"\nsku = 738594937\n\n[[product]]\n\n"
		     "[[product]]\nname = \"nail\"\n");
	arr = get_type(root, "product", TOML_ARRAY);
	assert_int_equal(arr->u.array.n, 3);
	assert_string_equal(get_str(arr->u.array.items[0], "name"), "hammer");
	assert_int_equal(get_int(arr->u.array.items[0], "sku"), 738594937);
	assert_int_equal(arr->u.array.items[1]->type, TOML_TABLE);
	assert_int_equal(arr->u.array.items[1]->u.table.n, 0);
	assert_string_equal(get_str(arr->u.array.items[2], "name"), "nail");
	toml_free(root);
}

static void test_sub_table_goes_to_last_array_element(void **state)
{
	struct toml_value *root;
	const struct toml_value *fruits, *v;

	(void)state;
	root = parse("[[fruit]]\nname = \"apple\"\n[fruit.physical]\ncolor = \"red\"\n"
		     "[[fruit.variety]]\nname = \"red delicious\"\n[[fruit.variety]]\n"
		     "name = \"granny smith\"\n[[fruit]]\nname = \"banana\"\n[[fruit.variety]]\n"
		     "name = \"plantain\"\n[fruit.physical]\ncolor = \"yellow\"\n");
	fruits = get_type(root, "fruit", TOML_ARRAY);
	assert_int_equal(fruits->u.array.n, 2);
	assert_string_equal(get_str(fruits->u.array.items[0], "physical.color"), "red");
	v = get_type(fruits->u.array.items[0], "variety", TOML_ARRAY);
	assert_int_equal(v->u.array.n, 2);
	assert_string_equal(get_str(v->u.array.items[1], "name"), "granny smith");
	assert_string_equal(get_str(fruits->u.array.items[1], "name"), "banana");
	assert_string_equal(get_str(fruits->u.array.items[1], "physical.color"), "yellow");
	v = get_type(fruits->u.array.items[1], "variety", TOML_ARRAY);
	assert_int_equal(v->u.array.n, 1);
	assert_string_equal(get_str(v->u.array.items[0], "name"), "plantain");
	toml_free(root);
}

static void test_inline_table_nested_and_dotted(void **state)
{
	struct toml_value *root;
	const struct toml_value *t;

	(void)state;
	root = parse("point = { x = 1, y = -2 }\nn = {a.b = 1, a.c = 'z', d = {e = [1, 2]}}\n");
	t = get_type(root, "point", TOML_TABLE);
	assert_int_equal(t->u.table.n, 2);
	assert_int_equal(get_int(root, "point.x"), 1);
	assert_int_equal(get_int(root, "point.y"), -2);
	assert_int_equal(get_int(root, "n.a.b"), 1);
	assert_string_equal(get_str(root, "n.a.c"), "z");
	t = get_type(root, "n.d.e", TOML_ARRAY);
	assert_int_equal(t->u.array.n, 2);
	assert_int_equal(t->u.array.items[1]->u.i, 2);
	toml_free(root);
}

static void test_inline_table_may_hold_multiline_array(void **state)
{
	struct toml_value *root;
	const struct toml_value *t;

	(void)state;
	root = parse("a = { b = [\n  1, # one\n  2,\n] }\nc = 3\n");
	t = get_type(root, "a.b", TOML_ARRAY);
	assert_int_equal(t->u.array.n, 2);
	assert_int_equal(get_int(root, "c"), 3);
	assert_pos(toml_table_kv(root, "c")->key_pos, 5, 1);
	toml_free(root);
}

static void test_empty_inline_table_and_array(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("t = {}\nu = { }\na = []\nb = [ ]\nc = [\n]\n");
	assert_int_equal(get_type(root, "t", TOML_TABLE)->u.table.n, 0);
	assert_int_equal(get_type(root, "u", TOML_TABLE)->u.table.n, 0);
	assert_int_equal(get_type(root, "a", TOML_ARRAY)->u.array.n, 0);
	assert_int_equal(get_type(root, "b", TOML_ARRAY)->u.array.n, 0);
	assert_int_equal(get_type(root, "c", TOML_ARRAY)->u.array.n, 0);
	toml_free(root);
}

static void test_arrays_nested_and_mixed(void **state)
{
	struct toml_value *root;
	const struct toml_value *a, *in;

	(void)state;
	root = parse("a = [[1, 2], [\"x\", 'y'], [], 1.5, true, {k = 1}, 1979-05-27]\n");
	a = get_type(root, "a", TOML_ARRAY);
	assert_int_equal(a->u.array.n, 7);
	in = a->u.array.items[0];
	assert_int_equal(in->type, TOML_ARRAY);
	assert_int_equal(in->u.array.n, 2);
	assert_int_equal(in->u.array.items[1]->u.i, 2);
	in = a->u.array.items[1];
	assert_string_equal(in->u.array.items[0]->u.str.s, "x");
	assert_string_equal(in->u.array.items[1]->u.str.s, "y");
	assert_int_equal(a->u.array.items[2]->u.array.n, 0);
	assert_true(a->u.array.items[3]->u.f == 1.5);
	assert_int_equal(a->u.array.items[4]->u.b, 1);
	assert_int_equal(get_int(a->u.array.items[5], "k"), 1);
	assert_int_equal(a->u.array.items[6]->type, TOML_DATETIME);
	toml_free(root);
}

static void test_multiline_array_with_comments_and_trailing_comma(void **state)
{
	struct toml_value *root;
	const struct toml_value *a;

	(void)state;
	root = parse("a = [ # open\n  1,\n\n  # a comment line\n  2 , # two\n  3,\n]\n"
		     "b = 'after'\n");
	a = get_type(root, "a", TOML_ARRAY);
	assert_int_equal(a->u.array.n, 3);
	assert_int_equal(a->u.array.items[2]->u.i, 3);
	assert_pos(a->u.array.items[0]->pos, 2, 3);
	assert_pos(a->u.array.items[1]->pos, 5, 3);
	assert_string_equal(get_str(root, "b"), "after");
	toml_free(root);

	root = parse("a = [1,2,]");
	assert_int_equal(get(root, "a")->u.array.n, 2);
	toml_free(root);
}

/* ---- strings ---- */

static void test_basic_string_escapes(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("s = \"b\\bt\\tn\\nf\\fr\\rq\\\"s\\\\e\"\n");
	assert_string_equal(get_str(root, "s"), "b\bt\tn\nf\fr\rq\"s\\e");
	toml_free(root);
}

static void test_unicode_escapes_encode_utf8(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("a = \"\\u0041\\u00e9\\u20AC\\U0001F600\\U0010FFFF\\uFFFF\"\n");
	assert_string_equal(get_str(root, "a"),
			    "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\xef\xbf\xbf");
	toml_free(root);
}

static void test_escaped_nul_keeps_length(void **state)
{
	struct toml_value *root;
	const struct toml_value *v;

	(void)state;
	root = parse("a = \"x\\u0000y\"\n");
	v = get(root, "a");
	assert_int_equal(v->type, TOML_STRING);
	assert_int_equal(v->u.str.slen, 3);
	assert_memory_equal(v->u.str.s, "x\0y", 4);
	toml_free(root);
}

static void test_literal_string_keeps_backslashes(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("path = 'C:\\Users\\n\\u0041'\nq = '\"quoted\"'\ne = ''\ntab = 'a\tb'\n");
	assert_string_equal(get_str(root, "path"), "C:\\Users\\n\\u0041");
	assert_string_equal(get_str(root, "q"), "\"quoted\"");
	assert_string_equal(get_str(root, "e"), "");
	assert_string_equal(get_str(root, "tab"), "a\tb");
	toml_free(root);
}

static void test_multiline_basic_trims_first_newline(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("a = \"\"\"\nRoses\n  Violets\\tX\"\"\"\nb = \"\"\"no newline\"\"\"\n"
		     "c = \"\"\"\n\n\"\"\"\n");
	assert_string_equal(get_str(root, "a"), "Roses\n  Violets\tX");
	assert_string_equal(get_str(root, "b"), "no newline");
	/* only the first newline is trimmed */
	assert_string_equal(get_str(root, "c"), "\n");
	toml_free(root);
}

static void test_multiline_basic_line_ending_backslash(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("a = \"\"\"\nThe quick \\\n\n    brown \\   \n  fox.\"\"\"\n"
		     "b = \"\"\"\\\n   \"\"\"\nc = \"\"\"x\\\\\ny\"\"\"\n");
	assert_string_equal(get_str(root, "a"), "The quick brown fox.");
	assert_string_equal(get_str(root, "b"), "");
	/* an escaped backslash at the end of a line is not a line-ending backslash */
	assert_string_equal(get_str(root, "c"), "x\\\ny");
	toml_free(root);
}

static void test_multiline_crlf_becomes_lf(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("a = \"\"\"\r\none\r\ntwo\"\"\"\r\nb = '''\r\nx\r\ny'''\r\n");
	assert_string_equal(get_str(root, "a"), "one\ntwo");
	assert_string_equal(get_str(root, "b"), "x\ny");
	toml_free(root);
}

static void test_multiline_quotes_next_to_delimiter(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("a = \"\"\"one \"\" two\"\"\"\nb = \"\"\"x\"\"\"\"\nc = \"\"\"x\"\"\"\"\"\n"
		     "d = \"\"\"\"\"\"\ne = '''y''''\nf = '''y'''''\ng = '''''''\n");
	assert_string_equal(get_str(root, "a"), "one \"\" two");
	assert_string_equal(get_str(root, "b"), "x\"");
	assert_string_equal(get_str(root, "c"), "x\"\"");
	assert_string_equal(get_str(root, "d"), "");
	assert_string_equal(get_str(root, "e"), "y'");
	assert_string_equal(get_str(root, "f"), "y''");
	assert_string_equal(get_str(root, "g"), "'");
	toml_free(root);
}

static void test_multiline_literal_string(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("re = '''\nI [dw]on't need \\d{2} apples\n\tok\\\n'''\n");
	assert_string_equal(get_str(root, "re"), "I [dw]on't need \\d{2} apples\n\tok\\\n");
	toml_free(root);
}

static void test_raw_utf8_in_strings_and_comments(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("# caf\xc3\xa9 \xf0\x9f\x98\x80\na = \"\xe2\x82\xac\"\n"
		     "b = '\xf4\x8f\xbf\xbf'\n\"\xc3\xa9\" = 1\n");
	assert_string_equal(get_str(root, "a"), "\xe2\x82\xac");
	assert_string_equal(get_str(root, "b"), "\xf4\x8f\xbf\xbf");
	assert_int_equal(get_int(root, "\xc3\xa9"), 1);
	toml_free(root);
}

/* ---- numbers, booleans, date-times ---- */

static void test_decimal_integers(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("a = 0\nb = +0\nc = -0\nd = 42\ne = +17\nf = -17\ng = 1_000\n"
		     "h = 5_349_221\ni = 1_2_3_4_5\n");
	assert_int_equal(get_int(root, "a"), 0);
	assert_int_equal(get_int(root, "b"), 0);
	assert_int_equal(get_int(root, "c"), 0);
	assert_int_equal(get_int(root, "d"), 42);
	assert_int_equal(get_int(root, "e"), 17);
	assert_int_equal(get_int(root, "f"), -17);
	assert_int_equal(get_int(root, "g"), 1000);
	assert_int_equal(get_int(root, "h"), 5349221);
	assert_int_equal(get_int(root, "i"), 12345);
	toml_free(root);
}

static void test_int64_limits(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("max = 9223372036854775807\nmin = -9223372036854775808\n"
		     "hmax = 0x7FFFFFFFFFFFFFFF\nomax = 0o777777777777777777777\n"
		     "bmax = 0b111111111111111111111111111111111111111111111111111111111111111\n");
	assert_true(get_int(root, "max") == INT64_MAX);
	assert_true(get_int(root, "min") == INT64_MIN);
	assert_true(get_int(root, "hmax") == INT64_MAX);
	assert_true(get_int(root, "omax") == INT64_MAX);
	assert_true(get_int(root, "bmax") == INT64_MAX);
	toml_free(root);
}

static void test_hex_octal_binary_integers(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("h1 = 0xDEADBEEF\nh2 = 0xdead_beef\nh3 = 0x0001\no1 = 0o755\no2 = 0o0_7\n"
		     "b1 = 0b1101_0110\nz = 0x0\n");
	assert_int_equal(get_int(root, "h1"), 0xDEADBEEF);
	assert_int_equal(get_int(root, "h2"), 0xDEADBEEF);
	assert_int_equal(get_int(root, "h3"), 1);
	assert_int_equal(get_int(root, "o1"), 0755);
	assert_int_equal(get_int(root, "o2"), 7);
	assert_int_equal(get_int(root, "b1"), 0xd6);
	assert_int_equal(get_int(root, "z"), 0);
	toml_free(root);
}

static void test_floats(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("a = 3.14\nb = -0.01\nc = 5e+22\nd = 1e06\ne = -2E-2\nf = 6.626e-34\n"
		     "g = 224_617.445_991\nh = +1.0\ni = 0e0\nj = 1e1_0\nk = 0.1\n");
	assert_true(get_float(root, "a") == 3.14);
	assert_true(get_float(root, "b") == -0.01);
	assert_true(get_float(root, "c") == 5e22);
	assert_true(get_float(root, "d") == 1e6);
	assert_true(get_float(root, "e") == -2e-2);
	assert_true(get_float(root, "f") == 6.626e-34);
	assert_true(get_float(root, "g") == 224617.445991);
	assert_true(get_float(root, "h") == 1.0);
	assert_true(get_float(root, "i") == 0.0);
	assert_true(get_float(root, "j") == 1e10);
	assert_true(get_float(root, "k") == 0.1);
	toml_free(root);
}

static void test_float_extremes_and_signed_zero(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("big = 1e300\nmax = 1.7976931348623157e308\ntiny = 1e-400\n"
		     "nz = -0.0\npz = +0.0\n");
	assert_true(get_float(root, "big") == 1e300);
	assert_true(get_float(root, "max") == 1.7976931348623157e308);
	/* underflow rounds to zero rather than failing */
	assert_true(get_float(root, "tiny") == 0.0);
	assert_true(get_float(root, "nz") == 0.0);
	assert_true(signbit(get_float(root, "nz")));
	assert_false(signbit(get_float(root, "pz")));
	toml_free(root);
}

static void test_inf_and_nan(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("a = inf\nb = +inf\nc = -inf\nd = nan\ne = +nan\nf = -nan\n");
	assert_true(isinf(get_float(root, "a")) && get_float(root, "a") > 0);
	assert_true(isinf(get_float(root, "b")) && get_float(root, "b") > 0);
	assert_true(isinf(get_float(root, "c")) && get_float(root, "c") < 0);
	assert_true(isnan(get_float(root, "d")));
	assert_true(isnan(get_float(root, "e")));
	assert_true(isnan(get_float(root, "f")));
	assert_true(signbit(get_float(root, "f")));
	toml_free(root);
}

static void test_booleans(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("t = true\nf = false\n");
	assert_int_equal(get_type(root, "t", TOML_BOOL)->u.b, 1);
	assert_int_equal(get_type(root, "f", TOML_BOOL)->u.b, 0);
	toml_free(root);
}

static void test_offset_datetimes_keep_their_text(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("a = 1979-05-27T07:32:00Z\nb = 1979-05-27T00:32:00-07:00\n"
		     "c = 1979-05-27T00:32:00.999999+07:00\nd = 1979-05-27 07:32:00Z\n"
		     "e = 1979-05-27t07:32:00z\n");
	assert_string_equal(get_dt(root, "a"), "1979-05-27T07:32:00Z");
	assert_string_equal(get_dt(root, "b"), "1979-05-27T00:32:00-07:00");
	assert_string_equal(get_dt(root, "c"), "1979-05-27T00:32:00.999999+07:00");
	assert_string_equal(get_dt(root, "d"), "1979-05-27 07:32:00Z");
	assert_string_equal(get_dt(root, "e"), "1979-05-27t07:32:00z");
	toml_free(root);
}

static void test_local_datetime_date_and_time(void **state)
{
	struct toml_value *root;
	const struct toml_value *a;

	(void)state;
	root = parse("ldt = 1979-05-27T07:32:00.5\nld = 1979-05-27 # a date, then a comment\n"
		     "lt = 07:32:00\nltf = 00:32:00.999999\narr = [1979-05-27, 07:32:00]\n");
	assert_string_equal(get_dt(root, "ldt"), "1979-05-27T07:32:00.5");
	assert_string_equal(get_dt(root, "ld"), "1979-05-27");
	assert_string_equal(get_dt(root, "lt"), "07:32:00");
	assert_string_equal(get_dt(root, "ltf"), "00:32:00.999999");
	a = get_type(root, "arr", TOML_ARRAY);
	assert_string_equal(a->u.array.items[0]->u.str.s, "1979-05-27");
	assert_string_equal(a->u.array.items[1]->u.str.s, "07:32:00");
	toml_free(root);
}

static void test_datetime_leap_day_and_leap_second(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("a = 2000-02-29\nb = 2024-02-29\nc = 1990-12-31T23:59:60Z\n");
	assert_string_equal(get_dt(root, "a"), "2000-02-29");
	assert_string_equal(get_dt(root, "b"), "2024-02-29");
	assert_string_equal(get_dt(root, "c"), "1990-12-31T23:59:60Z");
	toml_free(root);
}

/* ---- positions ---- */

static void test_key_and_value_positions(void **state)
{
	struct toml_value *root;
	const struct toml_kv *kv;
	const struct toml_value *a;

	(void)state;
	root = parse("a = 1\n  bb  =   \"x\"\n[t]\n\tk.j = [ 10, 20 ]\n");
	kv = toml_table_kv(root, "a");
	assert_pos(kv->key_pos, 1, 1);
	assert_pos(kv->val->pos, 1, 5);
	kv = toml_table_kv(root, "bb");
	assert_pos(kv->key_pos, 2, 3);
	assert_pos(kv->val->pos, 2, 11);
	kv = toml_table_kv(get(root, "t"), "k");
	assert_pos(kv->key_pos, 4, 2);
	assert_pos(kv->val->pos, 4, 2);
	kv = toml_table_kv(get(root, "t.k"), "j");
	assert_pos(kv->key_pos, 4, 4);
	a = kv->val;
	assert_pos(a->pos, 4, 8);
	assert_pos(a->u.array.items[0]->pos, 4, 10);
	assert_pos(a->u.array.items[1]->pos, 4, 14);
	toml_free(root);
}

static void test_table_positions_are_headers(void **state)
{
	struct toml_value *root;
	const struct toml_kv *kv;

	(void)state;
	root = parse("x = 1\n\n  [ srv . http ]\nport = 8080\n[inl]\nt = { a = 1 }\n");
	kv = toml_table_kv(root, "srv");
	assert_pos(kv->key_pos, 3, 5);
	assert_pos(kv->val->pos, 3, 3);
	kv = toml_table_kv(kv->val, "http");
	assert_pos(kv->key_pos, 3, 11);
	assert_pos(kv->val->pos, 3, 3);
	assert_pos(get(root, "inl.t")->pos, 6, 5);
	assert_pos(toml_table_kv(get(root, "inl.t"), "a")->key_pos, 6, 7);
	toml_free(root);
}

static void test_array_of_tables_element_positions(void **state)
{
	struct toml_value *root;
	const struct toml_value *arr;

	(void)state;
	root = parse("[[job]]\nid = 1\n\n[[job]]\nid = 2\n");
	arr = get(root, "job");
	assert_pos(arr->pos, 1, 1);
	assert_pos(toml_table_kv(root, "job")->key_pos, 1, 3);
	assert_pos(arr->u.array.items[0]->pos, 1, 1);
	assert_pos(arr->u.array.items[1]->pos, 4, 1);
	assert_pos(toml_table_kv(arr->u.array.items[1], "id")->key_pos, 5, 1);
	toml_free(root);
}

static void test_positions_after_multiline_string(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("a = \"\"\"\none\ntwo\"\"\"  \nb = 1\nc = '''x\n\n'''\n  d = 2\n");
	assert_pos(toml_table_kv(root, "b")->key_pos, 4, 1);
	assert_pos(toml_table_kv(root, "d")->key_pos, 8, 3);
	toml_free(root);
	expect_err("a = \"\"\"\none\ntwo\"\"\" x\n", 3, 8,
		   "expected newline after value, found 'x'");
}

static void test_crlf_document_counts_lines(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("a = 1\r\n# c\r\n[t]\r\nb = 'x' # y\r\n");
	assert_int_equal(get_int(root, "a"), 1);
	assert_string_equal(get_str(root, "t.b"), "x");
	assert_pos(toml_table_kv(get(root, "t"), "b")->key_pos, 4, 1);
	toml_free(root);
	expect_err("a = 1\r\nb = 1\r\na = 2\r\n", 3, 1, "duplicate key 'a' (first defined at 1:1)");
}

static void test_bom_is_skipped(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("\xef\xbb\xbf" "a = 1\n");
	assert_int_equal(get_int(root, "a"), 1);
	assert_pos(toml_table_kv(root, "a")->key_pos, 1, 1);
	toml_free(root);
}

static void test_tabs_are_whitespace(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("\ta\t=\t1\t\n[\tt\t]\t\n\tb = [\t1\t,\t2\t]\n");
	assert_int_equal(get_int(root, "a"), 1);
	assert_int_equal(get(root, "t.b")->u.array.n, 2);
	toml_free(root);
}

static void test_buffer_need_not_be_nul_terminated(void **state)
{
	struct toml_value *root;
	char buf[16];

	(void)state;
	memcpy(buf, "a = 12345678", 12);
	memset(buf + 12, 'x', sizeof(buf) - 12);
	root = parse_len(buf, 6);
	assert_int_equal(get_int(root, "a"), 12);
	toml_free(root);
	/* a string cut off by the length is unterminated */
	memcpy(buf, "s = \"abc\"xxxxxxx", 16);
	expect_err_len(buf, 8, 1, 5, "unterminated string");
}

/* ---- lookups and helpers ---- */

static void test_table_get_and_kv(void **state)
{
	struct toml_value *root;
	const struct toml_kv *kv;

	(void)state;
	root = parse("a = 1\nb = 'two'\n");
	kv = toml_table_kv(root, "b");
	assert_non_null(kv);
	assert_string_equal(kv->key, "b");
	assert_string_equal(kv->val->u.str.s, "two");
	assert_ptr_equal(toml_table_get(root, "b"), kv->val);
	assert_null(toml_table_get(root, "c"));
	assert_null(toml_table_kv(root, "c"));
	assert_null(toml_table_get(root, "A"));
	toml_free(root);
}

static void test_table_get_rejects_non_tables_and_null(void **state)
{
	struct toml_value *root;

	(void)state;
	root = parse("a = 1\n");
	assert_null(toml_table_get(NULL, "a"));
	assert_null(toml_table_kv(NULL, "a"));
	assert_null(toml_table_get(root, NULL));
	assert_null(toml_table_get(get(root, "a"), "a"));
	assert_null(toml_table_kv(get(root, "a"), "a"));
	toml_free(root);
}

static void test_free_null_is_noop(void **state)
{
	(void)state;
	toml_free(NULL);
}

static void test_type_names(void **state)
{
	(void)state;
	assert_string_equal(toml_type_name(TOML_TABLE), "table");
	assert_string_equal(toml_type_name(TOML_ARRAY), "array");
	assert_string_equal(toml_type_name(TOML_STRING), "string");
	assert_string_equal(toml_type_name(TOML_INT), "integer");
	assert_string_equal(toml_type_name(TOML_FLOAT), "float");
	assert_string_equal(toml_type_name(TOML_BOOL), "boolean");
	assert_string_equal(toml_type_name(TOML_DATETIME), "datetime");
	assert_string_equal(toml_type_name((enum toml_type)0), "unknown");
}

static void test_large_table_keeps_order_and_finds_duplicates(void **state)
{
	struct toml_value *root;
	char *doc, key[32];
	size_t len = 0, cap = 3000 * 24;
	int k;

	(void)state;
	doc = malloc(cap);
	assert_non_null(doc);
	for (k = 0; k < 3000; k++)
		len += (size_t)snprintf(doc + len, cap - len, "k%d = %d\n", k, k);
	root = parse_len(doc, len);
	assert_int_equal(root->u.table.n, 3000);
	for (k = 0; k < 3000; k += 7) {
		snprintf(key, sizeof(key), "k%d", k);
		assert_string_equal(root->u.table.items[k].key, key);
		assert_int_equal(get_int(root, key), k);
	}
	toml_free(root);
	/* the hashed index must still catch a late duplicate */
	len += (size_t)snprintf(doc + len, cap - len, "k1234 = 0\n");
	expect_err_len(doc, len, 3001, 1, "duplicate key 'k1234' (first defined at 1235:1)");
	free(doc);
}

static void test_seed_policy_document(void **state)
{
	static const char policy[] =
		"[file_monitor]\n"
		"enabled = true\n"
		"directories = [\"/path/to/monitor\"]\n"
		"[exec_monitor]\n"
		"enabled = true\n"
		"watch_commands = [\"bash\", \"python\", \"nginx\"]\n"
		"[network_monitor]\n"
		"enabled = true\n"
		"ports = [80, 443, 8080]\n"
		"protocols = [\"tcp\", \"udp\"]\n"
		"[log]\n"
		"level = \"info\"\n"
		"format = \"json\"\n"
		"output_path = \"/var/log/ltrack/app.log\"\n"
		"max_size = 100\n"
		"max_age = 7\n"
		"max_backups = 5\n"
		"compress = true\n"
		"[storage.extra_fields]\n"
		"env = \"prod\"\n";
	struct toml_value *root;
	const struct toml_value *v;

	(void)state;
	root = parse(policy);
	assert_int_equal(root->u.table.n, 5);
	assert_string_equal(root->u.table.items[0].key, "file_monitor");
	assert_string_equal(root->u.table.items[4].key, "storage");
	assert_int_equal(get_type(root, "file_monitor.enabled", TOML_BOOL)->u.b, 1);
	v = get_type(root, "file_monitor.directories", TOML_ARRAY);
	assert_int_equal(v->u.array.n, 1);
	assert_string_equal(v->u.array.items[0]->u.str.s, "/path/to/monitor");
	v = get_type(root, "exec_monitor.watch_commands", TOML_ARRAY);
	assert_int_equal(v->u.array.n, 3);
	assert_string_equal(v->u.array.items[2]->u.str.s, "nginx");
	v = get_type(root, "network_monitor.ports", TOML_ARRAY);
	assert_int_equal(v->u.array.n, 3);
	assert_int_equal(v->u.array.items[1]->u.i, 443);
	assert_pos(v->u.array.items[2]->pos, 9, 19);
	assert_string_equal(get_str(root, "log.level"), "info");
	assert_string_equal(get_str(root, "log.output_path"), "/var/log/ltrack/app.log");
	assert_int_equal(get_int(root, "log.max_size"), 100);
	assert_int_equal(get_int(root, "log.max_backups"), 5);
	assert_int_equal(get_type(root, "log.compress", TOML_BOOL)->u.b, 1);
	assert_string_equal(get_str(root, "storage.extra_fields.env"), "prod");
	assert_pos(toml_table_kv(get(root, "log"), "compress")->key_pos, 18, 1);
	assert_pos(get(root, "log")->pos, 11, 1);
	toml_free(root);
}

static void test_depth_limit_allows_64_levels(void **state)
{
	struct toml_value *root;
	const struct toml_value *v;
	char *doc;
	int k;

	(void)state;
	doc = nested("a = ", "[", 64, "", "]");
	root = parse(doc);
	v = get(root, "a");
	for (k = 1; k < 64; k++) {
		assert_int_equal(v->type, TOML_ARRAY);
		assert_int_equal(v->u.array.n, 1);
		v = v->u.array.items[0];
	}
	assert_int_equal(v->u.array.n, 0);
	toml_free(root);
	free(doc);

	doc = nested("a = ", "{b=", 63, "1", "}");
	root = parse(doc);
	toml_free(root);
	free(doc);

	doc = nested("", "k.", 63, "k = 1", "");
	root = parse(doc);
	toml_free(root);
	free(doc);
}

/* ---- errors: table and key definitions ---- */

static void test_err_duplicate_key(void **state)
{
	(void)state;
	expect_err("a = 1\nb = 2\na = 3\n", 3, 1, "duplicate key 'a' (first defined at 1:1)");
	expect_err("[t]\n  port = 1\n  port = 2\n", 3, 3,
		   "duplicate key 'port' (first defined at 2:3)");
	expect_err("\"a\" = 1\na = 2\n", 2, 1, "duplicate key 'a' (first defined at 1:1)");
	expect_err("'' = 1\n\"\" = 2\n", 2, 1, "duplicate key '\"\"' (first defined at 1:1)");
}

static void test_err_duplicate_dotted_key(void **state)
{
	(void)state;
	expect_err("a.b = 1\na.b = 2\n", 2, 3, "duplicate key 'a.b' (first defined at 1:3)");
	expect_err("a.b = 1\na = 2\n", 2, 1, "duplicate key 'a' (first defined at 1:1)");
	expect_err("a.'b c' = 1\na.\"b c\" = 2\n", 2, 3,
		   "duplicate key 'a.\"b c\"' (first defined at 1:3)");
}

static void test_err_duplicate_key_in_inline_table(void **state)
{
	(void)state;
	expect_err("a = {b = 1, b = 2}\n", 1, 13, "duplicate key 'b' (first defined at 1:6)");
	expect_err("a = {b.c = 1, b.c = 2}\n", 1, 17, "duplicate key 'b.c' (first defined at 1:8)");
}

static void test_err_duplicate_table_header(void **state)
{
	(void)state;
	expect_err("[a]\nx = 1\n[b]\n[a]\n", 4, 2, "duplicate table 'a' (first defined at 1:1)");
	expect_err("[a.b]\n[a]\n[a]\n", 3, 2, "duplicate table 'a' (first defined at 2:1)");
	expect_err("[a]\n[ \"a\" ]\n", 2, 3, "duplicate table 'a' (first defined at 1:1)");
}

static void test_err_header_redefines_dotted_table(void **state)
{
	(void)state;
	expect_err("a.b = 1\n[a]\n", 2, 2, "duplicate table 'a' (first defined at 1:1)");
	expect_err("[fruit]\napple.color = 'red'\n[fruit.apple]\n", 3, 8,
		   "duplicate table 'fruit.apple' (first defined at 2:1)");
	expect_err("a.b.c = 1\n[a.b]\n", 2, 4, "duplicate table 'a.b' (first defined at 1:3)");
	/* entering an implicit table with a dotted key also closes it to headers */
	expect_err("[a.b.c]\n[a]\nb.d = 1\n[a.b]\n", 4, 4,
		   "duplicate table 'a.b' (first defined at 1:1)");
	expect_err("[[a]]\nb.c = 1\n[a.b]\n", 3, 4,
		   "duplicate table 'a.b' (first defined at 2:1)");
}

static void test_err_header_over_value(void **state)
{
	(void)state;
	expect_err("a = 1\n[a]\n", 2, 2, "duplicate key 'a' (first defined at 1:1)");
	expect_err("[a]\nb = 1\n[a.b]\n", 3, 4, "duplicate key 'a.b' (first defined at 2:1)");
	expect_err("[a.b]\n[a]\nb = 1\n", 3, 1, "duplicate key 'b' (first defined at 1:1)");
	expect_err("a = 1\n[[a]]\n", 2, 3, "duplicate key 'a' (first defined at 1:1)");
}

static void test_err_table_vs_array_of_tables(void **state)
{
	(void)state;
	expect_err("[a]\n[[a]]\n", 2, 3,
		   "'a' is a table (defined at 1:1), not an array of tables");
	expect_err("[[a]]\n[a]\n", 2, 2, "'a' is already an array of tables (defined at 1:1)");
	expect_err("[[a]]\n[[a]]\n[a]\n", 3, 2,
		   "'a' is already an array of tables (defined at 1:1)");
}

static void test_err_array_of_tables_over_static_array(void **state)
{
	(void)state;
	expect_err("a = [1]\n[[a]]\n", 2, 3, "cannot append to static array 'a' (defined at 1:1)");
	expect_err("a = []\n[[a]]\n", 2, 3, "cannot append to static array 'a' (defined at 1:1)");
	expect_err("a = [{b = 1}]\n[[a]]\n", 2, 3,
		   "cannot append to static array 'a' (defined at 1:1)");
}

static void test_err_extend_inline_table(void **state)
{
	(void)state;
	expect_err("a = {b = 1}\n[a]\n", 2, 2, "cannot extend inline table 'a' (defined at 1:1)");
	expect_err("a = {b = 1}\n[a.c]\n", 2, 2, "cannot extend inline table 'a' (defined at 1:1)");
	expect_err("a = {b = 1}\na.c = 2\n", 2, 1,
		   "cannot extend inline table 'a' (defined at 1:1)");
	expect_err("a = {b = 1}\n[[a]]\n", 2, 3, "cannot extend inline table 'a' (defined at 1:1)");
	expect_err("a = {b = {c = 1}, b.d = 2}\n", 1, 19,
		   "cannot extend inline table 'b' (defined at 1:6)");
	expect_err("a = {b.c = 1}\n[a.b]\n", 2, 2,
		   "cannot extend inline table 'a' (defined at 1:1)");
	expect_err("x = [{b = 1}]\n[x.b]\n", 2, 2, "'x' is an array (defined at 1:1), not a table");
}

static void test_err_dotted_key_into_header_table(void **state)
{
	(void)state;
	expect_err("[a.b.c]\n  z = 9\n[a]\n  b.c.t = 1\n", 4, 5,
		   "dotted key cannot add to table 'b.c' (defined by a header at 1:1)");
	expect_err("[a.b.c.d]\n  z = 9\n[a]\n  b.c.d.k.t = 1\n", 4, 7,
		   "dotted key cannot add to table 'b.c.d' (defined by a header at 1:1)");
	expect_err("[[a.b]]\n[a]\nb.c = 1\n", 3, 1,
		   "'b' is an array of tables (defined at 1:1), not a table");
}

static void test_err_dotted_key_through_value(void **state)
{
	(void)state;
	expect_err("a = 1\na.b = 2\n", 2, 1, "'a' is an integer (defined at 1:1), not a table");
	expect_err("a.b = 'x'\na.b.c = 2\n", 2, 3,
		   "'a.b' is a string (defined at 1:3), not a table");
	expect_err("a = [1]\na.b = 2\n", 2, 1, "'a' is an array (defined at 1:1), not a table");
	expect_err("a = {b = true, b.c = 1}\n", 1, 16,
		   "'b' is a boolean (defined at 1:6), not a table");
}

static void test_err_header_through_value(void **state)
{
	(void)state;
	expect_err("a = 1\n[a.b]\n", 2, 2, "'a' is an integer (defined at 1:1), not a table");
	expect_err("a = [1]\n[a.b]\n", 2, 2, "'a' is an array (defined at 1:1), not a table");
	expect_err("[x]\nd = 1979-05-27\n[x.d.e]\n", 3, 4,
		   "'x.d' is a datetime (defined at 2:1), not a table");
	expect_err("f = 1.5\n[[f.g]]\n", 2, 3, "'f' is a float (defined at 1:1), not a table");
}

/* ---- errors: strings ---- */

static void test_err_invalid_escapes(void **state)
{
	(void)state;
	expect_err("a = \"\\q\"\n", 1, 6, "invalid escape '\\q' in string");
	expect_err("a = \"ok\\x41\"\n", 1, 8, "invalid escape '\\x' in string");
	expect_err("a = \"\\e\"\n", 1, 6, "invalid escape '\\e' in string");
	expect_err("a = \"\"\"\nx \\a\"\"\"\n", 2, 3, "invalid escape '\\a' in string");
	expect_err("\"k\\z\" = 1\n", 1, 3, "invalid escape '\\z' in string");
	expect_err("a = \"x\\\ny\"\n", 1, 7,
		   "invalid escape in string: '\\' followed by end of line");
	expect_err("a = \"\"\"x\\ y\"\"\"\n", 1, 9,
		   "invalid escape in string: '\\' followed by whitespace");
}

static void test_err_invalid_unicode_escapes(void **state)
{
	(void)state;
	expect_err("a = \"\\u12\"\n", 1, 6,
		   "invalid escape '\\u12' in string (expected 4 hex digits)");
	expect_err("a = \"\\U1234567\"\n", 1, 6,
		   "invalid escape '\\U1234567' in string (expected 8 hex digits)");
	expect_err("a = \"\\uD800\"\n", 1, 6,
		   "invalid escape '\\uD800' in string (not a unicode scalar value)");
	expect_err("a = \"\\uDFFF\"\n", 1, 6,
		   "invalid escape '\\uDFFF' in string (not a unicode scalar value)");
	expect_err("a = \"\\U00110000\"\n", 1, 6,
		   "invalid escape '\\U00110000' in string (not a unicode scalar value)");
}

static void test_err_control_characters(void **state)
{
	(void)state;
	expect_err("a = \"a\x01" "b\"\n", 1, 7, "control character U+0001 in string");
	expect_err("a = 'a\x1f'\n", 1, 7, "control character U+001F in string");
	expect_err("a = \"\x7f\"\n", 1, 6, "control character U+007F in string");
	expect_err("a = \"\"\"\nx\x0cy\"\"\"\n", 2, 2, "control character U+000C in string");
	expect_err("a = '''x\ry'''\n", 1, 9, "control character U+000D in string");
	expect_err("# bell\x07\n", 1, 7, "control character U+0007 in comment");
	expect_err("a = 1 # \x7f\n", 1, 9, "control character U+007F in comment");
	expect_err_len("a = \"x\0\"\n", 8, 1, 7, "control character U+0000 in string");
	expect_err("a = 1\x02\n", 1, 6,
		   "expected newline after value, found control character U+0002");
}

static void test_err_unterminated_strings(void **state)
{
	(void)state;
	expect_err("a = \"abc\n", 1, 5, "unterminated string");
	expect_err("a = \"abc\nb\"\n", 1, 5, "unterminated string");
	expect_err("a = 'abc\n'\n", 1, 5, "unterminated string");
	expect_err("a = \"abc", 1, 5, "unterminated string");
	expect_err("a = 'abc\nb = 1\n", 1, 5, "unterminated string");
	expect_err("x = 1\na = \"\"\"abc\n\n", 2, 5, "unterminated string");
	expect_err("a = '''abc''\n", 1, 5, "unterminated string");
	expect_err("a = \"abc\\", 1, 5, "unterminated string");
	expect_err("\"key = 1\n", 1, 1, "unterminated string");
}

static void test_err_multiline_string_as_key(void **state)
{
	(void)state;
	expect_err("\"\"\"a\"\"\" = 1\n", 1, 1, "multi-line strings cannot be keys");
	expect_err("[t]\nx.'''a''' = 1\n", 2, 3, "multi-line strings cannot be keys");
}

/* ---- errors: numbers ---- */

static void test_err_leading_zeros(void **state)
{
	(void)state;
	expect_err("a = 0123\n", 1, 5, "invalid number '0123' (leading zeros are not allowed)");
	expect_err("a = 00\n", 1, 5, "invalid number '00' (leading zeros are not allowed)");
	expect_err("a = -01\n", 1, 5, "invalid number '-01' (leading zeros are not allowed)");
	expect_err("a = +00.5\n", 1, 5, "invalid number '+00.5' (leading zeros are not allowed)");
	expect_err("a = 01e3\n", 1, 5, "invalid number '01e3' (leading zeros are not allowed)");
	expect_err("a = 0_1\n", 1, 5, "invalid number '0_1' (leading zeros are not allowed)");
}

static void test_err_misplaced_underscores(void **state)
{
	(void)state;
	expect_err("a = 1__2\n", 1, 6,
		   "invalid number '1__2' (underscores must be between digits)");
	expect_err("a = 1_\n", 1, 6, "invalid number '1_' (underscores must be between digits)");
	expect_err("a = 1_.5\n", 1, 6,
		   "invalid number '1_.5' (underscores must be between digits)");
	expect_err("a = 1._5\n", 1, 7,
		   "invalid number '1._5' (underscores must be between digits)");
	expect_err("a = 1e_5\n", 1, 7,
		   "invalid number '1e_5' (underscores must be between digits)");
	expect_err("a = 0x_1\n", 1, 7,
		   "invalid number '0x_1' (underscores must be between digits)");
	expect_err("a = -_1\n", 1, 6, "invalid number '-_1' (underscores must be between digits)");
	expect_err("a = _1\n", 1, 5, "invalid value '_1' (strings must be quoted)");
}

static void test_err_integer_overflow(void **state)
{
	(void)state;
	expect_err("a = 9223372036854775808\n", 1, 5,
		   "integer '9223372036854775808' is out of range");
	expect_err("a = -9223372036854775809\n", 1, 5,
		   "integer '-9223372036854775809' is out of range");
	expect_err("a = 0x8000000000000000\n", 1, 5,
		   "integer '0x8000000000000000' is out of range");
	expect_err("a = 0o1000000000000000000000\n", 1, 5,
		   "integer '0o1000000000000000000000' is out of range");
	expect_err("a = 99999999999999999999999999\n", 1, 5,
		   "integer '99999999999999999999999999' is out of range");
}

static void test_err_malformed_numbers(void **state)
{
	(void)state;
	expect_err("a = 1.\n", 1, 5, "invalid number '1.' (expected a digit after '.')");
	expect_err("a = 1.e5\n", 1, 5, "invalid number '1.e5' (expected a digit after '.')");
	expect_err("a = .5\n", 1, 5, "invalid number '.5'");
	expect_err("a = 1e\n", 1, 5, "invalid number '1e' (expected digits in the exponent)");
	expect_err("a = 1e+\n", 1, 5, "invalid number '1e+' (expected digits in the exponent)");
	expect_err("a = 1.5.3\n", 1, 5, "invalid number '1.5.3'");
	expect_err("a = 0b102\n", 1, 5, "invalid number '0b102'");
	expect_err("a = 0o8\n", 1, 5, "invalid number '0o8'");
	expect_err("a = 0x\n", 1, 5, "invalid number '0x'");
	expect_err("a = 0X1F\n", 1, 5, "invalid number '0X1F'");
	expect_err("a = --1\n", 1, 5, "invalid number '--1'");
	expect_err("a = 12abc\n", 1, 5, "invalid number '12abc'");
	expect_err("a = -inf_\n", 1, 5, "invalid number '-inf_'");
	expect_err("a = +\n", 1, 5, "invalid number '+'");
	expect_err("a = 0x1.5\n", 1, 5, "invalid number '0x1.5'");
}

static void test_err_float_out_of_range(void **state)
{
	(void)state;
	expect_err("a = 1e400\n", 1, 5, "float '1e400' is out of range");
	expect_err("a = -1.8e308\n", 1, 5, "float '-1.8e308' is out of range");
}

static void test_err_sign_on_prefixed_integer(void **state)
{
	(void)state;
	expect_err("a = +0x1\n", 1, 5,
		   "invalid number '+0x1' (no sign allowed before 0x, 0o or 0b)");
	expect_err("a = -0b1\n", 1, 5,
		   "invalid number '-0b1' (no sign allowed before 0x, 0o or 0b)");
}

static void test_err_long_token_is_shortened(void **state)
{
	char *doc;

	(void)state;
	doc = nested("a = ", "1", 60, "x", "");
	expect_err(doc, 1, 5, "invalid number '1111111111111111111111111111111111111111'");
	free(doc);
}

/* ---- errors: encoding and syntax ---- */

static void test_err_invalid_utf8(void **state)
{
	(void)state;
	expect_err("a = \"\xff\"\n", 1, 6, "invalid UTF-8 in string");
	expect_err("a = \"ok\xc0\xaf\"\n", 1, 8, "invalid UTF-8 in string");	/* overlong */
	expect_err("a = '\xed\xa0\x80'\n", 1, 6, "invalid UTF-8 in string");	/* surrogate */
	expect_err("a = \"\xf4\x90\x80\x80\"\n", 1, 6,
		   "invalid UTF-8 in string");	/* > U+10FFFF */
	expect_err("a = \"\xe2\x82\"\n", 1, 6, "invalid UTF-8 in string");	/* truncated */
	expect_err("a = '''\n\x80'''\n", 2, 1, "invalid UTF-8 in string");
	expect_err("# fine\n# \xe0\x80\x80\n", 2, 3, "invalid UTF-8 in comment");
	expect_err("a = 1 # \xe2\x82", 1, 9, "invalid UTF-8 in comment");
	expect_err("\xc3\xa9 = 1\n", 1, 1, "expected a key, found '\xc3\xa9'");
	expect_err("\xff = 1\n", 1, 1, "expected a key, found invalid UTF-8 byte 0xFF");
}

static void test_err_missing_equals(void **state)
{
	(void)state;
	expect_err("a\n", 1, 2, "expected '=' after key");
	expect_err("level info\n", 1, 7, "expected '=' after key");
	expect_err("a.b : 1\n", 1, 5, "expected '=' after key");
	expect_err("x = {a 1}\n", 1, 8, "expected '=' after key");
	expect_err("a", 1, 2, "expected '=' after key");
}

static void test_err_missing_value(void **state)
{
	(void)state;
	expect_err("a =\n", 1, 4, "missing value after '='");
	expect_err("a = ", 1, 5, "missing value after '='");
	expect_err("a = # nothing\n", 1, 5, "missing value after '='");
	expect_err("a = \r\n", 1, 5, "missing value after '='");
	expect_err("a = }\n", 1, 5, "expected a value, found '}'");
	expect_err("a = =\n", 1, 5, "expected a value, found '='");
}

static void test_err_garbage_after_value_and_header(void **state)
{
	(void)state;
	expect_err("a = 1 2\n", 1, 7, "expected newline after value, found '2'");
	expect_err("a = \"x\" y\n", 1, 9, "expected newline after value, found 'y'");
	expect_err("a = [1] ]\n", 1, 9, "expected newline after value, found ']'");
	expect_err("a = {b = 1} c\n", 1, 13, "expected newline after value, found 'c'");
	expect_err("a = 1 b = 2\n", 1, 7, "expected newline after value, found 'b'");
	expect_err("a = 1979-05-27T07:32:00Zjunk\n", 1, 25,
		   "expected newline after value, found 'j'");
	expect_err("a = 12:30:00Z\n", 1, 13, "expected newline after value, found 'Z'");
	expect_err("a = 'x''\n", 1, 8, "expected newline after value, found \"'\"");
	/* a run of six quotes: two belong to the text, three close it, one is left */
	expect_err("a = \"\"\"x\"\"\"\"\"\"\n", 1, 14, "expected newline after value, found '\"'");
	expect_err("[a] b = 1\n", 1, 5, "expected newline after table header, found 'b'");
	expect_err("[a]]\n", 1, 4, "expected newline after table header, found ']'");
	expect_err("[[a]]]\n", 1, 6, "expected newline after table header, found ']'");
}

static void test_err_inline_table_syntax(void **state)
{
	(void)state;
	expect_err("a = {b = 1\n}\n", 1, 11, "newline inside inline table");
	expect_err("a = {\nb = 1}\n", 1, 6, "newline inside inline table");
	expect_err("a = {b = 1,\n c = 2}\n", 1, 12, "newline inside inline table");
	expect_err("a = {b = 1,}\n", 1, 11, "trailing comma in inline table");
	expect_err("a = {b = 1 , }\n", 1, 12, "trailing comma in inline table");
	expect_err("a = {b = 1 # c\n}\n", 1, 12, "comment inside inline table");
	expect_err("a = {b = 1", 1, 5, "unterminated inline table (missing '}')");
	expect_err("a = {b = 1 c = 2}\n", 1, 12, "expected ',' or '}' in inline table, found 'c'");
	expect_err("a = {,}\n", 1, 6, "expected a key, found ','");
	expect_err("a = {b = 1,, c = 2}\n", 1, 12, "expected a key, found ','");
}

static void test_err_array_syntax(void **state)
{
	(void)state;
	expect_err("a = [1 2]\n", 1, 8, "expected ',' or ']' in array, found '2'");
	expect_err("a = [1\n", 1, 5, "unterminated array (missing ']')");
	expect_err("a = [1,\n2,\n", 1, 5, "unterminated array (missing ']')");
	expect_err("a = [,1]\n", 1, 6, "expected a value, found ','");
	expect_err("a = [1,,2]\n", 1, 8, "expected a value, found ','");
	expect_err("a = [1 # x\n 2]\n", 2, 2, "expected ',' or ']' in array, found '2'");
	expect_err("a = [1, }\n", 1, 9, "expected a value, found '}'");
	expect_err("a = [1, # \x01\n]\n", 1, 11, "control character U+0001 in comment");
	expect_err("a = [1 # \x01\n]\n", 1, 10, "control character U+0001 in comment");
}

static void test_err_unquoted_string_and_bad_keywords(void **state)
{
	(void)state;
	expect_err("level = info\n", 1, 9, "invalid value 'info' (strings must be quoted)");
	expect_err("a = True\n", 1, 5, "invalid value 'True' (strings must be quoted)");
	expect_err("a = truex\n", 1, 5, "invalid value 'truex' (strings must be quoted)");
	expect_err("a = NaN\n", 1, 5, "invalid value 'NaN' (strings must be quoted)");
	expect_err("a = [tcp]\n", 1, 6, "invalid value 'tcp' (strings must be quoted)");
}

static void test_err_invalid_dates_and_times(void **state)
{
	(void)state;
	expect_err("a = 1979-13-01\n", 1, 10, "invalid date: month 13 out of range");
	expect_err("a = 1979-00-01\n", 1, 10, "invalid date: month 00 out of range");
	expect_err("a = 1979-02-30\n", 1, 13, "invalid date: day 30 out of range for 1979-02");
	expect_err("a = 1900-02-29\n", 1, 13, "invalid date: day 29 out of range for 1900-02");
	expect_err("a = 1979-04-31\n", 1, 13, "invalid date: day 31 out of range for 1979-04");
	expect_err("a = 1979-05-00\n", 1, 13, "invalid date: day 00 out of range for 1979-05");
	expect_err("a = 1979-5-27\n", 1, 5, "invalid date (expected YYYY-MM-DD)");
	expect_err("a = 24:00:00\n", 1, 5, "invalid time: hour 24 out of range");
	expect_err("a = 12:60:00\n", 1, 8, "invalid time: minute 60 out of range");
	expect_err("a = 12:00:61\n", 1, 11, "invalid time: second 61 out of range");
	expect_err("a = 07:32\n", 1, 5, "invalid time (expected HH:MM:SS)");
	expect_err("a = 1979-05-27T07:32\n", 1, 16, "invalid time (expected HH:MM:SS)");
	expect_err("a = 1979-05-27T\n", 1, 16, "invalid time (expected HH:MM:SS)");
	expect_err("a = 1979-05-27 07:3\n", 1, 16, "invalid time (expected HH:MM:SS)");
	expect_err("a = 07:32:00.\n", 1, 13, "invalid time: expected digits after '.'");
	expect_err("a = 1979-05-27T07:32:00+7:00\n", 1, 24,
		   "invalid time offset (expected Z or +HH:MM or -HH:MM)");
	expect_err("a = 1979-05-27T07:32:00+24:00\n", 1, 24,
		   "invalid time offset (expected Z or +HH:MM or -HH:MM)");
	expect_err("a = 1979-05-27T07:32:00-", 1, 24,
		   "invalid time offset (expected Z or +HH:MM or -HH:MM)");
}

static void test_err_header_syntax(void **state)
{
	(void)state;
	expect_err("[]\n", 1, 2, "expected a key, found ']'");
	expect_err("[a\n", 1, 3, "expected ']' at end of table header");
	expect_err("[a b]\n", 1, 4, "expected ']' at end of table header");
	expect_err("[[a]\n", 1, 4, "expected ']]' at end of array of tables header");
	expect_err("[[a] ]\n", 1, 4, "expected ']]' at end of array of tables header");
	expect_err("[a.]\n", 1, 4, "expected a key, found ']'");
	expect_err("[.a]\n", 1, 2, "expected a key, found '.'");
	expect_err("[a..b]\n", 1, 4, "expected a key, found '.'");
	expect_err("[ [a]]\n", 1, 3, "expected a key, found '['");
	expect_err("[a", 1, 3, "expected ']' at end of table header");
	expect_err("[", 1, 2, "expected a key, found end of file");
	expect_err("a.", 1, 3, "expected a key, found end of file");
	expect_err("a. = 1\n", 1, 4, "expected a key, found '='");
	expect_err("= 1\n", 1, 1, "expected a key, found '='");
}

static void test_err_bare_carriage_return(void **state)
{
	(void)state;
	expect_err("a = 1\rb = 2\n", 1, 6,
		   "expected newline after value, found control character U+000D");
	expect_err("\r", 1, 1, "expected a key, found control character U+000D");
	expect_err("# x\ry\n", 1, 4, "control character U+000D in comment");
}

static void test_err_nul_in_key(void **state)
{
	(void)state;
	expect_err("\"a\\u0000b\" = 1\n", 1, 1, "key contains a NUL character");
	expect_err("[t]\nx.\"\\u0000\" = 1\n", 2, 3, "key contains a NUL character");
}

static void test_err_depth_limit(void **state)
{
	char *doc;

	(void)state;
	doc = nested("a = ", "[", 65, "", "]");
	expect_err(doc, 1, 69, "nesting deeper than 64 levels");
	free(doc);

	/* 64 nested arrays leave no room for a value inside the last one */
	doc = nested("a = ", "[", 64, "1", "]");
	expect_err(doc, 1, 69, "nesting deeper than 64 levels");
	free(doc);

	doc = nested("a = ", "{b=", 64, "1", "}");
	expect_err(doc, 1, 4 + 63 * 3 + 2, "nesting deeper than 64 levels");
	free(doc);

	doc = nested("", "k.", 64, "k = 1", "");
	expect_err(doc, 1, 129, "nesting deeper than 64 levels");
	free(doc);

	doc = nested("[", "t.", 64, "t]", "");
	expect_err(doc, 1, 130, "nesting deeper than 64 levels");
	free(doc);

	doc = nested("[", "t.", 65, "t]", "");
	expect_err(doc, 1, 130, "nesting deeper than 64 levels");
	free(doc);

	/* hostile depth far beyond the limit fails cleanly at the same place */
	doc = nested("a = ", "[", 100000, "", "]");
	expect_err(doc, 1, 69, "nesting deeper than 64 levels");
	free(doc);
}

static void test_err_depth_limit_counts_array_of_tables(void **state)
{
	struct toml_value *root;
	char *doc;

	(void)state;
	/* [[t]] puts the element table two levels down (array, then table) */
	doc = nested("[[", "t.", 63, "t]]", "");
	expect_err(doc, 1, 129, "nesting deeper than 64 levels");
	free(doc);
	doc = nested("[[", "t.", 62, "t]]\nk = 1", "");
	expect_err(doc, 2, 1, "nesting deeper than 64 levels");
	free(doc);
	doc = nested("[[", "t.", 61, "t]]\nk = 1", "");
	root = parse(doc);
	toml_free(root);
	free(doc);
}

static void test_err_document_too_large(void **state)
{
	size_t len = (16u << 20) + 1;
	char *doc;

	(void)state;
	doc = malloc(len);
	assert_non_null(doc);
	memset(doc, '\n', len);
	expect_err_len(doc, len, 1, 1, "document too large (16777217 bytes, limit 16777216)");
	/* exactly the limit is still parsed */
	{
		struct toml_value *root = parse_len(doc, len - 1);

		assert_int_equal(root->u.table.n, 0);
		toml_free(root);
	}
	free(doc);
}

static void test_err_invalid_arguments(void **state)
{
	struct toml_value *root = NULL;
	struct toml_err err;

	(void)state;
	assert_int_equal(toml_parse("a = 1", 5, NULL, &err), -EINVAL);
	assert_string_equal(err.msg, "invalid argument");
	assert_int_equal(toml_parse(NULL, 3, &root, &err), -EINVAL);
	assert_null(root);
	/* err is optional */
	assert_int_equal(toml_parse("a = ", 4, &root, NULL), -EINVAL);
	assert_null(root);
	assert_int_equal(toml_parse("a = 1", 5, &root, NULL), 0);
	assert_non_null(root);
	toml_free(root);
}

static void test_err_resets_message_on_success(void **state)
{
	struct toml_value *root = NULL;
	struct toml_err err;

	(void)state;
	assert_int_equal(toml_parse("a =", 3, &root, &err), -EINVAL);
	assert_true(err.msg[0] != '\0');
	assert_int_equal(toml_parse("a = 1", 5, &root, &err), 0);
	assert_string_equal(err.msg, "");
	assert_int_equal(err.pos.line, 0);
	toml_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_document_is_empty_table),
		cmocka_unit_test(test_comments_and_blank_lines_are_ignored),
		cmocka_unit_test(test_bare_keys_keep_document_order),
		cmocka_unit_test(test_numeric_and_keyword_bare_keys),
		cmocka_unit_test(test_quoted_keys_basic_and_literal),
		cmocka_unit_test(test_dotted_keys_create_nested_tables),
		cmocka_unit_test(test_whitespace_around_dots_is_allowed),
		cmocka_unit_test(test_table_header_opens_section),
		cmocka_unit_test(test_super_table_may_follow_sub_table),
		cmocka_unit_test(test_dotted_table_may_get_sub_table_header),
		cmocka_unit_test(test_dotted_key_may_enter_implicit_table),
		cmocka_unit_test(test_array_of_tables_appends_elements),
		cmocka_unit_test(test_sub_table_goes_to_last_array_element),
		cmocka_unit_test(test_inline_table_nested_and_dotted),
		cmocka_unit_test(test_inline_table_may_hold_multiline_array),
		cmocka_unit_test(test_empty_inline_table_and_array),
		cmocka_unit_test(test_arrays_nested_and_mixed),
		cmocka_unit_test(test_multiline_array_with_comments_and_trailing_comma),
		cmocka_unit_test(test_basic_string_escapes),
		cmocka_unit_test(test_unicode_escapes_encode_utf8),
		cmocka_unit_test(test_escaped_nul_keeps_length),
		cmocka_unit_test(test_literal_string_keeps_backslashes),
		cmocka_unit_test(test_multiline_basic_trims_first_newline),
		cmocka_unit_test(test_multiline_basic_line_ending_backslash),
		cmocka_unit_test(test_multiline_crlf_becomes_lf),
		cmocka_unit_test(test_multiline_quotes_next_to_delimiter),
		cmocka_unit_test(test_multiline_literal_string),
		cmocka_unit_test(test_raw_utf8_in_strings_and_comments),
		cmocka_unit_test(test_decimal_integers),
		cmocka_unit_test(test_int64_limits),
		cmocka_unit_test(test_hex_octal_binary_integers),
		cmocka_unit_test(test_floats),
		cmocka_unit_test(test_float_extremes_and_signed_zero),
		cmocka_unit_test(test_inf_and_nan),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_offset_datetimes_keep_their_text),
		cmocka_unit_test(test_local_datetime_date_and_time),
		cmocka_unit_test(test_datetime_leap_day_and_leap_second),
		cmocka_unit_test(test_key_and_value_positions),
		cmocka_unit_test(test_table_positions_are_headers),
		cmocka_unit_test(test_array_of_tables_element_positions),
		cmocka_unit_test(test_positions_after_multiline_string),
		cmocka_unit_test(test_crlf_document_counts_lines),
		cmocka_unit_test(test_bom_is_skipped),
		cmocka_unit_test(test_tabs_are_whitespace),
		cmocka_unit_test(test_buffer_need_not_be_nul_terminated),
		cmocka_unit_test(test_table_get_and_kv),
		cmocka_unit_test(test_table_get_rejects_non_tables_and_null),
		cmocka_unit_test(test_free_null_is_noop),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_large_table_keeps_order_and_finds_duplicates),
		cmocka_unit_test(test_seed_policy_document),
		cmocka_unit_test(test_depth_limit_allows_64_levels),
		cmocka_unit_test(test_err_duplicate_key),
		cmocka_unit_test(test_err_duplicate_dotted_key),
		cmocka_unit_test(test_err_duplicate_key_in_inline_table),
		cmocka_unit_test(test_err_duplicate_table_header),
		cmocka_unit_test(test_err_header_redefines_dotted_table),
		cmocka_unit_test(test_err_header_over_value),
		cmocka_unit_test(test_err_table_vs_array_of_tables),
		cmocka_unit_test(test_err_array_of_tables_over_static_array),
		cmocka_unit_test(test_err_extend_inline_table),
		cmocka_unit_test(test_err_dotted_key_into_header_table),
		cmocka_unit_test(test_err_dotted_key_through_value),
		cmocka_unit_test(test_err_header_through_value),
		cmocka_unit_test(test_err_invalid_escapes),
		cmocka_unit_test(test_err_invalid_unicode_escapes),
		cmocka_unit_test(test_err_control_characters),
		cmocka_unit_test(test_err_unterminated_strings),
		cmocka_unit_test(test_err_multiline_string_as_key),
		cmocka_unit_test(test_err_leading_zeros),
		cmocka_unit_test(test_err_misplaced_underscores),
		cmocka_unit_test(test_err_integer_overflow),
		cmocka_unit_test(test_err_malformed_numbers),
		cmocka_unit_test(test_err_float_out_of_range),
		cmocka_unit_test(test_err_sign_on_prefixed_integer),
		cmocka_unit_test(test_err_long_token_is_shortened),
		cmocka_unit_test(test_err_invalid_utf8),
		cmocka_unit_test(test_err_missing_equals),
		cmocka_unit_test(test_err_missing_value),
		cmocka_unit_test(test_err_garbage_after_value_and_header),
		cmocka_unit_test(test_err_inline_table_syntax),
		cmocka_unit_test(test_err_array_syntax),
		cmocka_unit_test(test_err_unquoted_string_and_bad_keywords),
		cmocka_unit_test(test_err_invalid_dates_and_times),
		cmocka_unit_test(test_err_header_syntax),
		cmocka_unit_test(test_err_bare_carriage_return),
		cmocka_unit_test(test_err_nul_in_key),
		cmocka_unit_test(test_err_depth_limit),
		cmocka_unit_test(test_err_depth_limit_counts_array_of_tables),
		cmocka_unit_test(test_err_document_too_large),
		cmocka_unit_test(test_err_invalid_arguments),
		cmocka_unit_test(test_err_resets_message_on_success),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
