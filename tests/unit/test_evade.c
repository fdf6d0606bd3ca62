// SPDX-License-Identifier: MIT
/*
 * test_evade.c - decoding and encoding of the evade records (types 36..50):
 * struct lt_evade_ev with its per-type strings, and the io_uring_ops
 * summary made from struct lt_iou_ops. Records are built as the BPF side
 * lays them out (include/ltrack/event.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "output/jsonw.h"
#include "output/format.h"

struct xrec {
	size_t len;
	union {
		struct lt_evade_ev ev;
		char bytes[4096];
	} u;
};

static struct fmt_ctx ctx0 = { .hostname = "host", .boot_id = "b-1", .seq = 1 };

/* an evade record of @type with strings s[0..2] (NULL = absent) */
static void xrec(struct xrec *r, uint32_t type, int nr, const char *s0, const char *s1,
		 const char *s2)
{
	const char *s[3] = { s0, s1, s2 };
	size_t off = sizeof(struct lt_evade_ev);

	memset(r, 0, sizeof(*r));
	r->u.ev.hdr.type = type;
	r->u.ev.hdr.tgid = r->u.ev.hdr.tid = 42;
	r->u.ev.hdr.syscall_nr = nr;
	r->u.ev.hdr.flags = LT_HF_REPORT;
	memcpy(r->u.ev.hdr.comm, "x", 2);
	for (int i = 0; i < 3; i++) {
		size_t l = s[i] ? strlen(s[i]) + 1 : 0;

		memcpy(r->u.bytes + off, s[i] ? s[i] : "", l);
		r->u.ev.len[i] = l;
		off += l;
	}
	r->len = off;
	r->u.ev.hdr.size = off;
}

static const char *enc(struct jbuf *b, struct event *ev, bool text)
{
	jbuf_reset(b);
	if (text)
		assert_int_equal(format_text(b, ev, &ctx0), 0);
	else
		assert_int_equal(format_json(b, ev, &ctx0), 0);
	return jbuf_cstr(b);
}

static void test_evade_abi_sizes(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct lt_evade_ev), 208);
	assert_int_equal(sizeof(struct lt_iou_ops), 400);
	assert_int_equal(offsetof(struct lt_evade_ev, str), 208);
}

static void test_evade_setxattr_caps_decoded(void **state)
{
	struct event *ev = calloc(1, sizeof(*ev));
	struct xrec r;
	struct jbuf b;
	const char *s;

	(void)state;
	jbuf_init(&b);
	xrec(&r, LT_EV_SETXATTR, 188, "/bin/x", "security.capability", NULL);
	r.u.ev.v[0] = LT_XATTR_SET;
	r.u.ev.v[1] = 20;
	r.u.ev.v[3] = LT_CAPF_FILE_CAPS | LT_CAPF_DECODED | LT_CAPF_EFFECTIVE;
	r.u.ev.v[4] = 1ULL << 13 | 1ULL << 40;
	r.u.ev.v[5] = 1;
	assert_int_equal(event_decode(&r.u, r.len, ev), 0);
	assert_string_equal(ev->filename, "/bin/x");
	s = enc(&b, ev, false);
	assert_non_null(strstr(s, "\"filename\":\"/bin/x\",\"path_exact\":true,\"op\":\"set\","
				  "\"xattr_name\":\"security.capability\",\"value_size\":20,"
				  "\"xattr_flags\":0,\"file_caps\":true,"
				  "\"cap_permitted\":[\"CAP_NET_RAW\",\"CAP_CHECKPOINT_RESTORE\"],"
				  "\"cap_inheritable\":[\"CAP_CHOWN\"],\"cap_effective\":true}"));
	s = enc(&b, ev, true);
	assert_non_null(strstr(s, "setxattr(\"/bin/x\", set \"security.capability\", size=20, "
				  "caps=0x10000002000/0x1+e)\n"));
	jbuf_release(&b);
	free(ev);
}

static void test_evade_decode_rejects_bad_records(void **state)
{
	struct event *ev = calloc(1, sizeof(*ev));
	struct xrec r;

	(void)state;
	/* setxattr needs its attribute name */
	xrec(&r, LT_EV_SETXATTR, 188, "/bin/x", NULL, NULL);
	assert_int_equal(event_decode(&r.u, r.len, ev), -EINVAL);
	/* a string longer than the record */
	xrec(&r, LT_EV_UTIMES, 280, "/a", NULL, NULL);
	r.u.ev.len[0] = 50;
	assert_int_equal(event_decode(&r.u, r.len, ev), -EINVAL);
	/* bytes after the last string */
	xrec(&r, LT_EV_UNSHARE, 272, NULL, NULL, NULL);
	r.len += 8;
	r.u.ev.hdr.size = r.len;
	assert_int_equal(event_decode(&r.u, r.len, ev), -EINVAL);
	/* a missing NUL */
	xrec(&r, LT_EV_UTIMES, 280, "/abc", NULL, NULL);
	r.u.bytes[sizeof(struct lt_evade_ev) + 4] = 'x';
	assert_int_equal(event_decode(&r.u, r.len, ev), -EINVAL);
	/* shorter than the fixed part */
	xrec(&r, LT_EV_UNSHARE, 272, NULL, NULL, NULL);
	r.len = sizeof(struct lt_hdr) + 8;
	r.u.ev.hdr.size = r.len;
	assert_int_equal(event_decode(&r.u, r.len, ev), -EINVAL);
	/* an io_uring_ops record of the wrong size */
	xrec(&r, LT_EV_IO_URING_OPS, -1, NULL, NULL, NULL);
	assert_int_equal(event_decode(&r.u, r.len, ev), -EINVAL);
	free(ev);
}

static void test_evade_utimes_special_times(void **state)
{
	struct event *ev = calloc(1, sizeof(*ev));
	struct xrec r;
	struct jbuf b;
	const char *s;

	(void)state;
	jbuf_init(&b);
	xrec(&r, LT_EV_UTIMES, 280, "/f", NULL, NULL);
	r.u.ev.v[0] = 0;
	r.u.ev.v[1] = LT_UTIME_NOW;
	r.u.ev.v[2] = 978307201;
	r.u.ev.v[3] = 5;
	assert_int_equal(event_decode(&r.u, r.len, ev), 0);
	s = enc(&b, ev, false);
	assert_non_null(strstr(s, "\"filename\":\"/f\",\"path_exact\":true,\"atime\":\"UTIME_NOW\","
				  "\"mtime_sec\":978307201,\"mtime_nsec\":5,\"at_flags\":0}"));
	s = enc(&b, ev, true);
	assert_non_null(strstr(s, "utimes(\"/f\", atime=UTIME_NOW, mtime=978307201.000000005)\n"));
	jbuf_release(&b);
	free(ev);
}

static void test_evade_fd_redirect_ipv6(void **state)
{
	struct event *ev = calloc(1, sizeof(*ev));
	unsigned char a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct xrec r;
	struct jbuf b;
	const char *s;

	(void)state;
	jbuf_init(&b);
	xrec(&r, LT_EV_FD_REDIRECT, 33, NULL, NULL, NULL);
	r.u.ev.hdr.ret = 1;
	r.u.ev.v[0] = 1;
	r.u.ev.v[1] = 3;
	r.u.ev.v[2] = 10;
	r.u.ev.v[3] = 1;
	r.u.ev.v[4] = 6;
	r.u.ev.v[5] = 4444;
	memcpy(&r.u.ev.v[6], a6, 16);
	assert_int_equal(event_decode(&r.u, r.len, ev), 0);
	s = enc(&b, ev, false);
	assert_non_null(strstr(s, "\"newfd\":1,\"oldfd\":3,\"family\":\"AF_INET6\","
				  "\"sock_type\":\"SOCK_STREAM\",\"protocol\":6,"
				  "\"remote_addr\":\"2001:db8:0:0:0:0:0:1\",\"remote_port\":4444}"));
	s = enc(&b, ev, true);
	assert_non_null(strstr(s, "fd_redirect(3, 1, AF_INET6, 2001:db8:0:0:0:0:0:1:4444)\n"));
	jbuf_release(&b);
	free(ev);
}

static void test_evade_io_uring_ops_summary(void **state)
{
	struct event *ev = calloc(1, sizeof(*ev));
	struct lt_iou_ops *o = calloc(1, sizeof(*o));
	struct jbuf b;
	const char *s;

	(void)state;
	jbuf_init(&b);
	o->hdr.type = LT_EV_IO_URING_OPS;
	o->hdr.size = sizeof(*o);
	o->hdr.tgid = 42;
	o->hdr.syscall_nr = -1;
	o->hdr.flags = LT_HF_REPORT;
	o->total = 5;
	o->counts[0] = 1;
	o->counts[18] = 3;
	o->counts[63] = 1;
	assert_int_equal(event_decode(o, sizeof(*o), ev), 0);
	ev->iou_final = true;
	s = enc(&b, ev, false);
	assert_non_null(strstr(s, "\"total\":5,\"sqpoll\":0,\"ops\":{\"IORING_OP_NOP\":1,"
				  "\"IORING_OP_OPENAT\":3,\"IORING_OP_63\":1},\"final\":true}"));
	assert_null(strstr(s, "syscall_nr"));
	s = enc(&b, ev, true);
	assert_non_null(strstr(s, "io_uring_ops(total=5, IORING_OP_NOP=1, IORING_OP_OPENAT=3, "
				  "IORING_OP_63=1, final)\n"));
	jbuf_release(&b);
	free(o);
	free(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_evade_abi_sizes),
		cmocka_unit_test(test_evade_setxattr_caps_decoded),
		cmocka_unit_test(test_evade_decode_rejects_bad_records),
		cmocka_unit_test(test_evade_utimes_special_times),
		cmocka_unit_test(test_evade_fd_redirect_ipv6),
		cmocka_unit_test(test_evade_io_uring_ops_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
