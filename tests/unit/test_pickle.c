// SPDX-License-Identifier: MIT
/*
 * test_pickle.c - the pickle interpreter (src/scan/pickle.c) and the
 * classification of globals (src/scan/globals.c) on hand-built opcode
 * strings: every scanner bypass class of ml-models.md section 2 (memo
 * tricks, a pickle broken after its payload, frame hides, dotted names,
 * nested pickles, headerless protocol 0, STRING operands, OBJ+POP, EXT),
 * the limits, and a benign torch-style state dict. Offsets are asserted
 * exactly; they are commented next to the bytes.
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

#include "output/jsonw.h"
#include "scan/globals.h"
#include "scan/report.h"
#include "scan/scan.h"

static struct scan_report R;

#define P(lit) (const uint8_t *)(lit), sizeof(lit) - 1

static int scanl(const uint8_t *b, size_t n, const struct scan_limits *l)
{
	struct scan_limits def;
	struct scan_ctx c = { .lim = l, .r = &R, .member = "" };

	if (!l) {
		scan_limits_default(&def);
		c.lim = &def;
	}
	scan_report_init(&R);
	return scan_pickle(&c, b, n, 0);
}

static int scan(const uint8_t *b, size_t n)
{
	return scanl(b, n, NULL);
}

static void want(uint32_t i, enum scan_verdict sev, uint64_t off, const char *global,
		 const char *why_part)
{
	assert_true(i < R.nfindings);
	assert_int_equal(R.findings[i].severity, sev);
	assert_int_equal(R.findings[i].offset, off);
	assert_string_equal(R.findings[i].global, global);
	if (!strstr(R.findings[i].why, why_part))
		fail_msg("finding %u: why \"%s\" lacks \"%s\"", i, R.findings[i].why, why_part);
}

/* ---- memo tricks -------------------------------------------------------- */

static void test_stack_global_through_memo(void **state)
{
	(void)state;
	assert_int_equal(scan(P("\x80\x04"		/* 0 PROTO 4 */
				"\x8c\x02os"		/* 2 */
				"\x94"			/* 6 MEMOIZE -> 0 */
				"0"			/* 7 POP */
				"\x8c\x06system"	/* 8 */
				"q\x05"			/* 16 BINPUT 5 */
				"0"			/* 18 */
				"h\x00"			/* 19 BINGET 0 */
				"h\x05"			/* 21 BINGET 5 */
				"\x93"			/* 23 STACK_GLOBAL */
				"\x8c\x02id"		/* 24 */
				"\x85"			/* 28 TUPLE1 */
				"R"			/* 29 REDUCE */
				".")), 0);
	assert_int_equal(R.verdict, SCAN_DANGEROUS);
	assert_int_equal(R.nfindings, 1);
	want(0, SCAN_DANGEROUS, 23, "os.system", "module os is denied; called (REDUCE at 29)");
	assert_int_equal(R.opcodes, 14);
	assert_int_equal(R.pickles, 1);
	assert_false(R.incomplete);
}

static void test_memoize_overwrites_put_index(void **state)
{
	(void)state;
	/* MEMOIZE's index is the number of memo entries (1), not the next free one */
	assert_int_equal(scan(P("\x80\x04"		/* 0 */
				"\x8c\x05torch"		/* 2 */
				"q\x01"			/* 9 BINPUT 1 */
				"0"			/* 11 */
				"\x8c\x02os"		/* 12 */
				"\x94"			/* 16 MEMOIZE -> 1 (overwrites) */
				"0"			/* 17 */
				"h\x01"			/* 18 BINGET 1 -> "os" */
				"\x8c\x06system"	/* 20 */
				"\x93"			/* 28 STACK_GLOBAL */
				".")), 0);
	assert_int_equal(R.nfindings, 1);
	want(0, SCAN_DANGEROUS, 28, "os.system", "module os is denied");
	assert_null(strstr(R.findings[0].why, "called"));
}

static void test_text_put_get_and_long_binput(void **state)
{
	(void)state;
	assert_int_equal(scan(P("\x80\x04"		/* 0 */
				"\x8c\x0asubprocess"	/* 2 */
				"p7\n"			/* 14 PUT 7 */
				"0"			/* 17 */
				"\x8c\x05Popen"		/* 18 */
				"r\x00\x00\x01\x00"	/* 25 LONG_BINPUT 65536 */
				"0"			/* 30 */
				"g7\n"			/* 31 GET 7 */
				"j\x00\x00\x01\x00"	/* 34 LONG_BINGET 65536 */
				"\x93"			/* 39 */
				".")), 0);
	assert_int_equal(R.nfindings, 1);
	want(0, SCAN_DANGEROUS, 39, "subprocess.Popen", "module subprocess is denied");
}

static void test_text_forms_read_like_cpython(void **state)
{
	(void)state;
	/* int("1_0") == 10, int(" 10 ") == 10, STRING with trailing blanks,
	 * INT in hex: CPython reads all of them, so must we */
	assert_int_equal(scan(P("I0x10\n"		/* 0 */
				"0"			/* 6 */
				"S'os' \r\n"		/* 7 */
				"p1_0\n"		/* 15 */
				"0"			/* 20 */
				"g 10 \n"		/* 21 */
				"S\"system\"\n"		/* 27 */
				"\x93"			/* 37 */
				".")), 0);
	assert_int_equal(R.nfindings, 1);
	want(0, SCAN_DANGEROUS, 37, "os.system", "module os is denied");
}

static void test_memo_miss_is_dangerous(void **state)
{
	(void)state;
	assert_int_equal(scan(P("\x80\x02"		/* 0 */
				"h\x07"			/* 2 BINGET 7: never PUT */
				".")), 0);
	assert_int_equal(R.verdict, SCAN_DANGEROUS);
	assert_int_equal(R.nfindings, 1);
	want(0, SCAN_DANGEROUS, 2, "", "memo miss: GET of index 7");
}

static void test_memo_miss_feeding_stack_global(void **state)
{
	(void)state;
	assert_int_equal(scan(P("\x80\x04"		/* 0 */
				"h\x00"			/* 2 memo miss */
				"\x8c\x06system"	/* 4 */
				"\x93"			/* 12 */
				".")), 0);
	assert_int_equal(R.nfindings, 2);
	want(0, SCAN_DANGEROUS, 2, "", "memo miss");
	want(1, SCAN_DANGEROUS, 12, "?.system", "dynamic import: a STACK_GLOBAL operand is not a string (module: unknown, name: str)");
}

static void test_dynamic_import_from_call_result(void **state)
{
	(void)state;
	/* module name computed by an (allow-listed) call: still a dynamic import */
	assert_int_equal(scan(P("\x80\x04"			/* 0 */
				"\x8c\x07_codecs\x8c\x06" "encode\x93"	/* 2, 11, 19 STACK_GLOBAL */
				"\x8c\x02os\x8c\x06latin1\x86R"	/* 20, 24, 32, 33 REDUCE */
				"\x8c\x06system"		/* 34 */
				"\x93"				/* 42 */
				".")), 0);
	assert_int_equal(R.nfindings, 1);
	want(0, SCAN_DANGEROUS, 42, "?.system", "not a string (module: call result, name: str)");
}

/* ---- broken pickles --------------------------------------------------------- */

static void test_broken_after_payload(void **state)
{
	(void)state;
	assert_int_equal(scan(P("\x80\x02"		/* 0 */
				"cos\nsystem\n"		/* 2 GLOBAL */
				"U\x02id"		/* 13 */
				"\x85"			/* 17 */
				"R"			/* 18 REDUCE */
				"X\xff\xff\x00\x00" "ab")), -EINVAL);	/* 19 truncated BINUNICODE */
	assert_int_equal(R.verdict, SCAN_DANGEROUS);
	assert_int_equal(R.nfindings, 2);
	want(0, SCAN_DANGEROUS, 2, "os.system", "called (REDUCE at 18)");
	want(1, SCAN_DANGEROUS, 19, "",
	     "pickle breaks after calling a non-allow-listed global: opcode 0x58: 65535 bytes");
}

static void test_broken_after_allowed_import_is_suspicious(void **state)
{
	(void)state;
	assert_int_equal(scan(P("\x80\x02"
				"ccollections\nOrderedDict\n"	/* 2 */
				")R"				/* 27, 28 */
				"\xff")), -EINVAL);			/* 29 */
	assert_int_equal(R.verdict, SCAN_SUSPICIOUS);
	assert_int_equal(R.nfindings, 1);
	want(0, SCAN_SUSPICIOUS, 29, "", "pickle breaks after an import or call: unknown opcode 0xff");
}

static void test_garbage_is_an_error(void **state)
{
	(void)state;
	assert_int_equal(scan(P("\x80\x02\xff")), -EINVAL);
	assert_int_equal(R.verdict, SCAN_ERROR);
	assert_int_equal(R.nfindings, 1);
	want(0, SCAN_ERROR, 2, "", "not a valid pickle: unknown opcode 0xff");
	assert_string_equal(R.error, "pickle at offset 2: unknown opcode 0xff");
}

static void test_stack_underflow_is_a_finding(void **state)
{
	(void)state;
	assert_int_equal(scan(P("\x80\x02" "cos\nsystem\n" "R.")), -EINVAL);	/* REDUCE at 13 */
	assert_int_equal(R.verdict, SCAN_DANGEROUS);
	assert_int_equal(R.nfindings, 2);
	want(0, SCAN_DANGEROUS, 2, "os.system", "module os is denied");
	want(1, SCAN_SUSPICIOUS, 13, "", "stack underflow at opcode 0x52");
}

/* ---- framing ------------------------------------------------------------- */

static void test_frame_boundary_hide(void **state)
{
	(void)state;
	/* a 2-byte frame holds only the header of a SHORT_BINBYTES whose data
	 * (the hidden payload) runs past the frame end */
	assert_int_equal(scan(P("\x80\x04"				/* 0 */
				"\x95\x02\x00\x00\x00\x00\x00\x00\x00"	/* 2 FRAME 2 */
				"C\x12"					/* 11 SHORT_BINBYTES 18 */
				"cos\nsystem\n"				/* 13 hidden GLOBAL */
				"U\x02id"				/* 24 */
				"\x85"					/* 28 */
				"R"					/* 29 */
				"."					/* 30 end of the bytes */
				".")), 0);				/* 31 STOP */
	assert_int_equal(R.verdict, SCAN_DANGEROUS);
	assert_int_equal(R.nfindings, 2);
	want(0, SCAN_DANGEROUS, 11, "", "opcode crosses the end of its frame");
	want(1, SCAN_DANGEROUS, 13, "os.system",
	     "module os is denied (nested pickle); called (REDUCE at 29)");
}

static void test_frame_hide_in_a_later_broken_pickle(void **state)
{
	(void)state;
	/* a later stream is a probe, but a frame hide is never data */
	assert_int_equal(scan(P("N."						/* 0 */
				"\x80\x04"					/* 2 */
				"\x95\x02\x00\x00\x00\x00\x00\x00\x00"	/* 4 FRAME 2 */
				"C\x12"						/* 13 */
				"cos\nsystem\n"					/* 15 */
				"U\x02id\x85R.")), 0);				/* 26..32 */
	assert_int_equal(R.verdict, SCAN_DANGEROUS);
	assert_int_equal(R.nfindings, 3);
	want(0, SCAN_DANGEROUS, 13, "", "opcode crosses the end of its frame");
	want(1, SCAN_DANGEROUS, 15, "os.system", "module os is denied (nested pickle)");
	want(2, SCAN_DANGEROUS, 33, "", "pickle breaks after calling a non-allow-listed global: data ends without STOP");
}

static void test_frame_inside_frame(void **state)
{
	(void)state;
	assert_int_equal(scan(P("\x80\x04"				/* 0 */
				"\x95\x14\x00\x00\x00\x00\x00\x00\x00"	/* 2 FRAME 20: to 31 */
				"N"					/* 11 */
				"\x95\x01\x00\x00\x00\x00\x00\x00\x00"	/* 12 FRAME inside */
				"0"					/* 21 */
				"N."					/* 22, 23 */
				"\x00\x00\x00\x00\x00\x00\x00")), 0);	/* 24..30 */
	assert_int_equal(R.verdict, SCAN_DANGEROUS);
	want(0, SCAN_DANGEROUS, 12, "", "FRAME opened inside a frame");
	assert_int_equal(R.nfindings, 1);
}

static void test_honest_frames_are_clean(void **state)
{
	(void)state;
	/* what CPython writes: a frame, then a large bytes object outside it */
	assert_int_equal(scan(P("\x80\x04"				/* 0 */
				"\x95\x03\x00\x00\x00\x00\x00\x00\x00"	/* 2 FRAME 3 */
				"]\x94("				/* 11..13 */
				"C\x03" "abc"				/* 14 outside */
				"\x95\x02\x00\x00\x00\x00\x00\x00\x00"	/* 19 FRAME 2 */
				"e.")), 0);				/* 28, 29 */
	assert_int_equal(R.verdict, SCAN_CLEAN);
	assert_int_equal(R.nfindings, 0);
	assert_int_equal(R.opcodes, 9);
}

/* ---- names ------------------------------------------------------------------ */

static void test_dotted_getattr_chain(void **state)
{
	(void)state;
	assert_int_equal(scan(P("\x80\x04"
				"\x8c\x08" "builtins"				/* 2 */
				"\x8c\x27" "print.__class__.__base__.__subclasses__"	/* 12 */
				"\x93"							/* 53 */
				".")), 0);
	want(0, SCAN_DANGEROUS, 53, "builtins.print.__class__.__base__.__subclasses__",
	     "module builtins is denied");
	/* an allow-listed class, then attribute traversal */
	assert_int_equal(scan(P("\x80\x04"
				"\x8c\x0b" "collections"				/* 2 */
				"\x8c\x20" "OrderedDict.__init__.__globals__"	/* 15 */
				"\x93"							/* 49 */
				".")), 0);
	want(0, SCAN_DANGEROUS, 49, "collections.OrderedDict.__init__.__globals__",
	     "dotted name reaches __init__ (attribute traversal)");
	assert_int_equal(scan(P("\x80\x04"
				"\x8c\x08" "builtins" "\x8c\x07" "getattr" "\x93"	/* 21 */
				".")), 0);
	want(0, SCAN_DANGEROUS, 21, "builtins.getattr", "module builtins is denied");
}

static void test_dotted_pathlib_os_system(void **state)
{
	(void)state;
	assert_int_equal(scan(P("\x80\x04"
				"\x8c\x07" "pathlib"		/* 2 */
				"\x8c\x09" "os.system"		/* 11 */
				"\x93"				/* 22 */
				"\x8c\x02id\x85R.")), 0);	/* 23, 27 TUPLE1, 28 REDUCE */
	assert_int_equal(R.nfindings, 1);
	want(0, SCAN_DANGEROUS, 22, "pathlib.os.system",
	     "dotted name component os is denied; called (REDUCE at 28)");
}

static void test_string_ops_feed_stack_global(void **state)
{
	(void)state;
	assert_int_equal(scan(P("\x80\x04"
				"S'os'\n"		/* 2 STRING */
				"S'system'\n"		/* 8 */
				"\x93"			/* 18 */
				".")), 0);
	want(0, SCAN_DANGEROUS, 18, "os.system", "module os is denied");
	assert_int_equal(scan(P("\x80\x04"
				"U\x02os"				/* 2 SHORT_BINSTRING */
				"T\x06\x00\x00\x00system"		/* 6 BINSTRING */
				"\x93"					/* 17 */
				".")), 0);
	want(0, SCAN_DANGEROUS, 17, "os.system", "module os is denied");
	/* escapes are decoded the way CPython does: \x6f\x73 is "os" */
	assert_int_equal(scan(P("\x80\x04"
				"S'\\x6f\\x73'\n"	/* 2 */
				"Vsys\\u0074em\n"	/* 14 UNICODE raw-unicode-escape */
				"\x93"			/* 27 */
				".")), 0);
	want(0, SCAN_DANGEROUS, 27, "os.system", "module os is denied");
}

static void test_protocol0_without_header(void **state)
{
	(void)state;
	assert_int_equal(scan(P("cos\nsystem\n"	/* 0 */
				"(S'id'\n"		/* 11 MARK, 12 STRING */
				"t"			/* 18 */
				"R"			/* 19 */
				".")), 0);
	assert_int_equal(R.verdict, SCAN_DANGEROUS);
	assert_int_equal(R.nfindings, 1);
	want(0, SCAN_DANGEROUS, 0, "os.system", "called (REDUCE at 19)");
}

static void test_inst_calls(void **state)
{
	(void)state;
	assert_int_equal(scan(P("(S'id'\n"		/* 0, 1 */
				"isubprocess\ncheck_output\n"	/* 7 INST */
				".")), 0);
	want(0, SCAN_DANGEROUS, 7, "subprocess.check_output", "called (INST at 7)");
}

static void test_obj_then_pop_is_still_seen(void **state)
{
	(void)state;
	assert_int_equal(scan(P("\x80\x02"
				"("			/* 2 */
				"cos\nsystem\n"		/* 3 */
				"U\x02id"		/* 14 */
				"o"			/* 18 OBJ */
				"0"			/* 19 POP */
				"N.")), 0);
	assert_int_equal(R.nfindings, 1);
	want(0, SCAN_DANGEROUS, 3, "os.system", "called (OBJ at 18)");
}

static void test_ext_opcodes(void **state)
{
	(void)state;
	assert_int_equal(scan(P("\x80\x02"
				"\x82\x01"			/* 2 EXT1 1 */
				")R"				/* 4, 5 */
				"\x83\x01\x02"			/* 6 EXT2 513 */
				"0"
				"\x84\x00\x00\x00\x01"		/* 10 EXT4 */
				"0.")), 0);
	assert_int_equal(R.verdict, SCAN_SUSPICIOUS);
	assert_int_equal(R.nfindings, 3);
	want(0, SCAN_SUSPICIOUS, 2, "", "EXT1 1: a global from the copyreg extension registry; called (REDUCE at 5)");
	want(1, SCAN_SUSPICIOUS, 6, "", "EXT2 513");
	want(2, SCAN_SUSPICIOUS, 10, "", "EXT4 16777216");
}

static void test_build_on_a_global(void **state)
{
	(void)state;
	/* setattr on an allow-listed class (modelscan issues/85, /330) */
	assert_int_equal(scan(P("\x80\x02"
				"cnumpy\ndtype\n"		/* 2 */
				"}U\x0c__builtins__N"		/* 15 EMPTY_DICT, 16, 30 */
				"s"				/* 31 */
				"b"				/* 32 BUILD */
				".")), 0);
	assert_int_equal(R.verdict, SCAN_DANGEROUS);
	want(0, SCAN_DANGEROUS, 32, "", "BUILD changes a global itself");
}

/* ---- nested pickles --------------------------------------------------------- */

static void test_nested_pickle_in_bytes(void **state)
{
	(void)state;
	assert_int_equal(scan(P("\x80\x04"
				"\x8c\x06pickle\x8c\x05loads\x93"	/* 2, 10, 17 STACK_GLOBAL */
				"C\x14"					/* 18 SHORT_BINBYTES 20 */
				"\x80\x02"				/* 20 inner */
				"cos\nsystem\n"				/* 22 */
				"U\x02id\x85R."				/* 33, 37, 38, 39 */
				"\x85R.")), 0);				/* 40, 41 REDUCE */
	assert_int_equal(R.verdict, SCAN_DANGEROUS);
	assert_int_equal(R.nfindings, 2);
	want(0, SCAN_DANGEROUS, 17, "pickle.loads", "module pickle is denied; called (REDUCE at 41)");
	want(1, SCAN_DANGEROUS, 22, "os.system", "module os is denied (nested pickle); called (REDUCE at 38)");
	assert_int_equal(R.pickles, 2);
}

static void test_nesting_limit(void **state)
{
	struct scan_limits l;

	(void)state;
	scan_limits_default(&l);
	l.max_depth = 0;
	assert_int_equal(scanl(P("\x80\x04" "C\x05\x80\x02N.."	/* 2 */
				 "0" "cos\nsystem\n" "."), &l), 0);	/* 10 */
	assert_true(R.incomplete);
	assert_int_equal(R.verdict, SCAN_DANGEROUS);
	assert_int_equal(R.nfindings, 2);
	want(0, SCAN_SUSPICIOUS, 2, "", "nesting limit (0) reached");
	/* the outer pickle is still read to its end */
	want(1, SCAN_DANGEROUS, 10, "os.system", "module os is denied");
}

/* ---- concatenated pickles ------------------------------------------------------- */

static void test_second_pickle_is_scanned(void **state)
{
	(void)state;
	assert_int_equal(scan(P("\x80\x02K\x01."		/* 0..4 */
				"\x80\x02" "cos\nsystem\n" ".")), 0);	/* 5, 7 */
	assert_int_equal(R.pickles, 2);
	assert_int_equal(R.nfindings, 1);
	want(0, SCAN_DANGEROUS, 7, "os.system", "module os is denied");
}

static void test_trailing_data_is_not_a_finding(void **state)
{
	(void)state;
	/* a legacy torch file: pickles, then raw storage bytes (here a memo miss
	 * and an underflow if read as opcodes) */
	assert_int_equal(scan(P("\x80\x02K\x01." "h\x09R\x00\x00")), 0);
	assert_int_equal(R.verdict, SCAN_CLEAN);
	assert_int_equal(R.nfindings, 0);
	assert_int_equal(R.pickles, 1);
	/* text that only looks like a GLOBAL opcode */
	assert_int_equal(scan(P("\x80\x02K\x01." "c1,2 3\n4,5\n.")), 0);
	assert_int_equal(R.verdict, SCAN_CLEAN);
	assert_int_equal(R.nfindings, 0);
	assert_int_equal(R.pickles, 1);
}

static void test_max_pickles(void **state)
{
	struct scan_limits l;

	(void)state;
	scan_limits_default(&l);
	l.max_pickles = 2;
	assert_int_equal(scanl(P("N.N.N."), &l), 0);	/* the third at 4 */
	assert_true(R.incomplete);
	assert_int_equal(R.pickles, 2);
	want(0, SCAN_SUSPICIOUS, 4, "", "pickle stream limit (2) reached");
}

/* ---- limits ----------------------------------------------------------------------- */

static void test_opcode_limit(void **state)
{
	struct scan_limits l;

	(void)state;
	scan_limits_default(&l);
	l.max_opcodes = 3;
	assert_int_equal(scanl(P("\x80\x02]K\x01" "a."), &l), 0);	/* 4th opcode at 5 */
	assert_true(R.incomplete);
	assert_int_equal(R.verdict, SCAN_SUSPICIOUS);
	assert_int_equal(R.opcodes, 3);
	assert_int_equal(R.nfindings, 1);
	want(0, SCAN_SUSPICIOUS, 5, "", "opcode limit (3) reached");
}

/*
 * The deadline (review finding 2c): a scan that runs out of time reports
 * what it found, incomplete, with a "timed out" error; it is never clean,
 * and a payload found before the deadline keeps the file dangerous.
 */
static void test_deadline_keeps_what_was_found(void **state)
{
	static const uint8_t evil[] = "\x80\x02" "cposix\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02R0";
	struct scan_limits l;
	uint8_t *b;
	size_t n = 0;

	(void)state;
	b = malloc(sizeof(evil) + 2 * 5000 + 2);
	assert_non_null(b);
	memcpy(b, evil, sizeof(evil) - 1);
	n = sizeof(evil) - 1;
	for (int i = 0; i < 5000; i++) {	/* NONE, POP: padding past the clock check */
		b[n++] = 'N';
		b[n++] = '0';
	}
	b[n++] = 'N';
	b[n++] = '.';
	scan_limits_default(&l);
	/* no deadline: the whole stream, dangerous, complete */
	assert_int_equal(scanl(b, n, &l), 0);
	assert_int_equal(R.verdict, SCAN_DANGEROUS);
	assert_false(R.incomplete);
	assert_string_equal(R.error, "");
	assert_int_equal(R.opcodes, 9 + 10002);	/* the payload, the padding, NONE, STOP */
	/* a deadline already past: stopped at the first clock check, the payload kept */
	l.deadline_ns = 1;
	l.deadline_ms = 5;
	assert_int_equal(scanl(b, n, &l), 0);
	assert_int_equal(R.verdict, SCAN_DANGEROUS);
	assert_true(R.incomplete);
	assert_int_equal(R.opcodes, 1024);
	assert_string_equal(R.error, "timed out after 5 ms: scan incomplete, what was read is reported");
	want(0, SCAN_DANGEROUS, 2, "posix.system", "module posix is denied");
	/* nothing found before the deadline: an error, never clean */
	assert_int_equal(scanl(b + sizeof(evil) - 1, n - (sizeof(evil) - 1), &l), 0);
	assert_int_equal(R.verdict, SCAN_ERROR);
	assert_true(R.incomplete);
	free(b);
}

/* a parse error (review finding 2a) ranks below what the content showed */
static void test_error_ranks_below_findings(void **state)
{
	(void)state;
	scan_report_init(&R);
	scan_add_finding(&R, SCAN_SUSPICIOUS, 0, NULL, NULL, "x");
	scan_set_error(&R, "first");
	scan_set_error(&R, "second");
	assert_int_equal(R.verdict, SCAN_SUSPICIOUS);
	assert_string_equal(R.error, "first");
	scan_add_finding(&R, SCAN_DANGEROUS, 0, NULL, NULL, "y");
	assert_int_equal(R.verdict, SCAN_DANGEROUS);
	scan_report_init(&R);
	scan_set_error(&R, "unreadable");
	assert_int_equal(R.verdict, SCAN_ERROR);
	scan_add_finding(&R, SCAN_SUSPICIOUS, 0, NULL, NULL, "x");
	assert_int_equal(R.verdict, SCAN_SUSPICIOUS);
	assert_true(SCAN_CLEAN < SCAN_ERROR && SCAN_ERROR < SCAN_SUSPICIOUS &&
		    SCAN_SUSPICIOUS < SCAN_DANGEROUS);
	assert_string_equal(scan_verdict_name(SCAN_ERROR), "error");
	assert_string_equal(scan_verdict_name(SCAN_DANGEROUS), "dangerous");
}

static void test_stack_and_memo_limits(void **state)
{
	struct scan_limits l;

	(void)state;
	scan_limits_default(&l);
	l.max_stack = 3;
	assert_int_equal(scanl(P("NNNN...."), &l), 0);		/* 4th push at 3 */
	assert_true(R.incomplete);
	want(0, SCAN_SUSPICIOUS, 3, "", "stack depth limit (3) or memory limit reached");

	scan_limits_default(&l);
	l.max_stack = 2;
	assert_int_equal(scanl(P("(((N."), &l), 0);		/* 3rd MARK at 2 */
	want(0, SCAN_SUSPICIOUS, 2, "", "mark stack limit (2) reached");

	scan_limits_default(&l);
	l.max_memo = 4;
	assert_int_equal(scanl(P("Nq\x05h\x05."), &l), 0);	/* BINPUT at 1, GET at 3 */
	assert_true(R.incomplete);
	assert_int_equal(R.verdict, SCAN_DANGEROUS);
	want(0, SCAN_SUSPICIOUS, 1, "", "memo index 5 beyond the memo limit (4)");
	want(1, SCAN_DANGEROUS, 3, "", "memo miss");
}

/* ---- benign -------------------------------------------------------------------- */

static void test_torch_state_dict_protocol2_is_clean(void **state)
{
	(void)state;
	/* OrderedDict(weight=_rebuild_tensor_v2(persistent storage, 0, (2,2), (2,1),
	 * False, OrderedDict())) as torch.save writes data.pkl */
	assert_int_equal(scan(P("\x80\x02"
				"ccollections\nOrderedDict\nq\x00)Rq\x01"
				"X\x06\x00\x00\x00weightq\x02"
				"ctorch._utils\n_rebuild_tensor_v2\nq\x03"
				"((X\x07\x00\x00\x00storageq\x04"
				"ctorch\nFloatStorage\nq\x05"
				"X\x01\x00\x00\x00" "0X\x03\x00\x00\x00" "cpuK\x04tQ"
				"K\x00K\x02K\x02\x86K\x02K\x01\x86\x89h\x00)Rq\x06tRq\x07"
				"s.")), 0);
	assert_int_equal(R.verdict, SCAN_CLEAN);
	assert_int_equal(R.nfindings, 0);
	assert_int_equal(R.opcodes, 38);
	assert_int_equal(R.pickles, 1);
	assert_false(R.incomplete);
	assert_string_equal(R.error, "");
}

static void test_numpy_protocol2_array_is_clean(void **state)
{
	(void)state;
	/* numpy.core.multiarray._reconstruct(ndarray, (0,), b'b') + BUILD, the data
	 * as protocol 2 writes bytes: _codecs.encode(text, 'latin1') */
	assert_int_equal(scan(P("\x80\x02"
				"cnumpy.core.multiarray\n_reconstruct\n"
				"cnumpy\nndarray\nK\x00\x85"
				"c_codecs\nencode\nX\x01\x00\x00\x00" "bX\x06\x00\x00\x00latin1\x86R"
				"\x87R"
				"(K\x01K\x02\x85" "cnumpy\ndtype\nX\x02\x00\x00\x00" "f8\x89\x88\x87R"
				"(K\x03X\x01\x00\x00\x00<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
				"\x89" "C\x10\x00\x00\x00\x00\x00\x00\xf0?\x00\x00\x00\x00\x00\x00\x00@tb.")),
			 0);
	assert_int_equal(R.verdict, SCAN_CLEAN);
	assert_int_equal(R.nfindings, 0);
}

/* a NumpyArrayWrapper of shape (2,), dtype f8, aligned: the SETITEMS and BUILD follow */
#define JOBLIB_F8_2                                                                        \
	"\x8c\x13joblib.numpy_pickle\x8c\x11NumpyArrayWrapper\x93)\x81"                    \
	"}(\x8c\x05shapeK\x02\x85"                                                         \
	"\x8c\x05" "dtype\x8c\x05numpy\x8c\x05" "dtype\x93\x8c\x02" "f8\x89\x88\x87R"         \
	"\x8c\x1bnumpy_array_alignment_bytesK\x10"

static void test_joblib_inline_array_is_skipped(void **state)
{
	(void)state;
	/* joblib writes the array bytes after the wrapper's BUILD: never opcodes */
	assert_int_equal(scan(P("\x80\x04"
				JOBLIB_F8_2
				"ub"
				"\x03\xff\xff\xff"			/* padding: 3 bytes */
				"cos\nsystem\n\x00\x00\x00\x00\x00"	/* 2 x f8 */
				".")), 0);
	assert_int_equal(R.verdict, SCAN_CLEAN);
	assert_int_equal(R.nfindings, 0);
	assert_int_equal(R.pickles, 1);
	/* one byte less of data: the STOP is taken as data, the stream has no end */
	assert_int_equal(scan(P("\x80\x04"
				JOBLIB_F8_2
				"ub"
				"\x03\xff\xff\xff"
				"cos\nsystem\n\x00\x00\x00\x00"
				".")), -EINVAL);
	assert_int_equal(R.verdict, SCAN_SUSPICIOUS);
	want(0, SCAN_SUSPICIOUS, 140, "", "pickle breaks after an import or call: data ends without STOP");
}

static void test_joblib_array_inside_a_frame(void **state)
{
	(void)state;
	/* joblib would read the array after the frame, the opcodes from inside it */
	assert_int_equal(scan(P("\x80\x04"
				"\x95\x8b\x00\x00\x00\x00\x00\x00\x00"	/* 2 FRAME 139: all */
				JOBLIB_F8_2
				"ub"					/* 127, 128 */
				"\x03\xff\xff\xff"			/* 129 */
				"cos\nsystem\n\x00\x00\x00\x00\x00"
				".")), -EINVAL);
	assert_int_equal(R.verdict, SCAN_DANGEROUS);
	assert_int_equal(R.nfindings, 2);
	want(0, SCAN_DANGEROUS, 129, "", "joblib array inside a frame");
	want(1, SCAN_DANGEROUS, 129, "", "unknown opcode 0x03");
}

/* ---- classification ---------------------------------------------------------------- */

static enum scan_verdict cls(const char *m, const char *n, char *why)
{
	return globals_classify(m, strlen(m), n, strlen(n), why, SCAN_WHY_MAX);
}

static void test_globals_classify(void **state)
{
	char why[SCAN_WHY_MAX];

	(void)state;
	assert_int_equal(cls("torch._utils", "_rebuild_tensor_v2", why), SCAN_CLEAN);
	assert_string_equal(why, "allow-listed");
	assert_int_equal(cls("__builtin__", "set", why), SCAN_CLEAN);
	assert_int_equal(cls("copy_reg", "_reconstructor", why), SCAN_CLEAN);
	assert_int_equal(cls("sklearn.ensemble._forest", "RandomForestClassifier", why), SCAN_CLEAN);
	assert_int_equal(cls("__torch__.torch.nn.modules.linear", "Linear", why), SCAN_CLEAN);
	assert_int_equal(cls("joblib.numpy_pickle", "NumpyArrayWrapper", why), SCAN_CLEAN);
	assert_int_equal(cls("numpy._core.multiarray", "_reconstruct", why), SCAN_CLEAN);

	assert_int_equal(cls("builtins", "len", why), SCAN_SUSPICIOUS);
	assert_string_equal(why, "not on the allow-list");
	assert_int_equal(cls("sklearn.utils", "check_array", why), SCAN_SUSPICIOUS);
	assert_int_equal(cls("__main__", "Net", why), SCAN_SUSPICIOUS);
	assert_int_equal(cls("torch", "_utils._rebuild_tensor_v2", why), SCAN_SUSPICIOUS);
	assert_string_equal(why, "not on the allow-list (dotted name)");

	assert_int_equal(cls("builtins", "eval", why), SCAN_DANGEROUS);
	assert_string_equal(why, "module builtins is denied");
	assert_int_equal(cls("__builtin__", "reduce", why), SCAN_DANGEROUS);
	assert_string_equal(why, "module __builtin__ is denied");
	assert_int_equal(cls("os.path", "join", why), SCAN_DANGEROUS);
	assert_string_equal(why, "module os is denied");
	assert_int_equal(cls("torch.utils.collect_env", "run", why), SCAN_DANGEROUS);
	assert_string_equal(why, "module torch.utils.collect_env is denied");
	assert_int_equal(cls("torch", "load", why), SCAN_DANGEROUS);
	assert_string_equal(why, "torch.load is denied");
	assert_int_equal(cls("torch", "serialization.load", why), SCAN_DANGEROUS);
	assert_string_equal(why, "torch.serialization.load is denied");
	assert_int_equal(cls("pkgutil", "resolve_name", why), SCAN_DANGEROUS);
	assert_int_equal(cls("numpy", "load", why), SCAN_DANGEROUS);
	assert_int_equal(cls("sklearn.datasets", "Bunch", why), SCAN_SUSPICIOUS);
	/* a module's __builtins__ (modelscan issues/330) */
	assert_int_equal(cls("numpy", "__builtins__", why), SCAN_DANGEROUS);
	assert_string_equal(why, "name reaches __builtins__ (attribute traversal)");
	assert_int_equal(cls("copyreg", "__newobj__", why), SCAN_CLEAN);
	/* the standard library's data holders, and their modules' other names still caught */
	assert_int_equal(cls("argparse", "Namespace", why), SCAN_CLEAN);
	assert_int_equal(cls("types", "SimpleNamespace", why), SCAN_CLEAN);
	assert_int_equal(cls("uuid", "UUID", why), SCAN_CLEAN);
	assert_int_equal(cls("pathlib", "PosixPath", why), SCAN_CLEAN);
	assert_int_equal(cls("pathlib._local", "PurePosixPath", why), SCAN_CLEAN);
	assert_int_equal(cls("argparse", "FileType", why), SCAN_DANGEROUS);
	assert_string_equal(why, "argparse.FileType is denied");
	assert_int_equal(cls("argparse", "_os.system", why), SCAN_DANGEROUS);
	assert_int_equal(cls("types", "FunctionType", why), SCAN_DANGEROUS);
	assert_string_equal(why, "module types is denied");
	assert_int_equal(cls("types", "SimpleNamespace.__init__", why), SCAN_DANGEROUS);
	assert_int_equal(cls("uuid", "_get_command_stdout", why), SCAN_DANGEROUS);
	assert_string_equal(why, "module uuid is denied");
	assert_int_equal(cls("pathlib", "Path.write_text", why), SCAN_DANGEROUS);
	assert_int_equal(cls("pathlib", "PosixPath.touch", why), SCAN_DANGEROUS);
	assert_int_equal(cls("pathlib", "Path.symlink_to", why), SCAN_DANGEROUS);
	assert_int_equal(cls("pathlib", "os.system", why), SCAN_DANGEROUS);
	assert_int_equal(cls("pathlib", "Path.read_text", why), SCAN_SUSPICIOUS);
	assert_int_equal(globals_classify("os\0x", 4, "system", 6, why, sizeof(why)),
			 SCAN_DANGEROUS);
	assert_string_equal(why, "global name too long or holds NUL bytes");
}

/* ---- report output ---------------------------------------------------------------- */

static void test_report_text_and_json(void **state)
{
	struct jbuf b = JBUF_INIT;

	(void)state;
	assert_int_equal(scan(P("\x80\x02" "cos\nsystem\n" "U\x02id\x85R.")), 0);
	R.format = MF_PICKLE;
	R.size = 20;
	scan_report_text(&b, "/m/x.pkl", &R);
	assert_string_equal(jbuf_cstr(&b),
			    "/m/x.pkl: dangerous (pickle, 6 opcodes, 1 pickle)\n"
			    "  dangerous at 2 os.system: module os is denied; called (REDUCE at 18)\n");
	jbuf_reset(&b);
	scan_report_json(&b, "/m/x.pkl", &R);
	assert_string_equal(jbuf_cstr(&b),
			    "{\"path\":\"/m/x.pkl\",\"verdict\":\"dangerous\",\"format\":\"pickle\","
			    "\"incomplete\":false,\"size\":20,\"opcodes\":6,\"pickles\":1,"
			    "\"findings_dropped\":0,\"findings\":[{\"severity\":\"dangerous\","
			    "\"offset\":2,\"member\":\"\",\"global\":\"os.system\","
			    "\"why\":\"module os is denied; called (REDUCE at 18)\"}]}");
	jbuf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stack_global_through_memo),
		cmocka_unit_test(test_memoize_overwrites_put_index),
		cmocka_unit_test(test_text_put_get_and_long_binput),
		cmocka_unit_test(test_text_forms_read_like_cpython),
		cmocka_unit_test(test_memo_miss_is_dangerous),
		cmocka_unit_test(test_memo_miss_feeding_stack_global),
		cmocka_unit_test(test_dynamic_import_from_call_result),
		cmocka_unit_test(test_broken_after_payload),
		cmocka_unit_test(test_broken_after_allowed_import_is_suspicious),
		cmocka_unit_test(test_garbage_is_an_error),
		cmocka_unit_test(test_stack_underflow_is_a_finding),
		cmocka_unit_test(test_frame_boundary_hide),
		cmocka_unit_test(test_frame_hide_in_a_later_broken_pickle),
		cmocka_unit_test(test_frame_inside_frame),
		cmocka_unit_test(test_honest_frames_are_clean),
		cmocka_unit_test(test_dotted_getattr_chain),
		cmocka_unit_test(test_dotted_pathlib_os_system),
		cmocka_unit_test(test_string_ops_feed_stack_global),
		cmocka_unit_test(test_protocol0_without_header),
		cmocka_unit_test(test_inst_calls),
		cmocka_unit_test(test_obj_then_pop_is_still_seen),
		cmocka_unit_test(test_ext_opcodes),
		cmocka_unit_test(test_build_on_a_global),
		cmocka_unit_test(test_nested_pickle_in_bytes),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_second_pickle_is_scanned),
		cmocka_unit_test(test_trailing_data_is_not_a_finding),
		cmocka_unit_test(test_max_pickles),
		cmocka_unit_test(test_opcode_limit),
		cmocka_unit_test(test_deadline_keeps_what_was_found),
		cmocka_unit_test(test_error_ranks_below_findings),
		cmocka_unit_test(test_stack_and_memo_limits),
		cmocka_unit_test(test_torch_state_dict_protocol2_is_clean),
		cmocka_unit_test(test_numpy_protocol2_array_is_clean),
		cmocka_unit_test(test_joblib_inline_array_is_skipped),
		cmocka_unit_test(test_joblib_array_inside_a_frame),
		cmocka_unit_test(test_globals_classify),
		cmocka_unit_test(test_report_text_and_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
