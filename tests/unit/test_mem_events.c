// SPDX-License-Identifier: MIT
/*
 * test_mem_events.c - mem's records (include/ltrack/event.h) through the
 * decoder and both encoders (src/mem_events.c via events.c and format.c).
 * Module events cannot be made on a kernel without CONFIG_MODULES, so their
 * whole user-space path is pinned down here.
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
#include "mem_events.h"
#include "output/format.h"

struct rec {
	size_t len;
	union {
		struct lt_hdr hdr;
		struct lt_mem_exec_ev mx;
		struct lt_memfd_ev mfd;
		struct lt_cred_ev cred;
		struct lt_target_ev tgt;
		struct lt_module_ev mod;
		char bytes[8192];
	} u;
};

static const struct fmt_ctx ctx0 = { .hostname = "host", .boot_id = "b-1", .seq = 1 };

static void hdr_init(struct rec *r, uint32_t type, int nr, int64_t ret, size_t fixed)
{
	memset(r, 0, sizeof(*r));
	r->u.hdr.type = type;
	r->u.hdr.tgid = 42;
	r->u.hdr.tid = 42;
	r->u.hdr.syscall_nr = nr;
	r->u.hdr.ret = ret;
	r->u.hdr.flags = LT_HF_REPORT;
	memcpy(r->u.hdr.comm, "x", 2);
	r->len = fixed;
	r->u.hdr.size = fixed;
}

/* append string @s after the fixed part; returns its length with the NUL */
static uint16_t put_str(struct rec *r, const char *s)
{
	size_t n = strlen(s) + 1;

	memcpy(r->u.bytes + r->len, s, n);
	r->len += n;
	r->u.hdr.size = r->len;
	return n;
}

/* the members after the common ones ("syscall_nr":... to the end), and the text call */
static char *enc(struct rec *r, struct event *ev, bool text)
{
	struct jbuf b;
	char *out;
	const char *s, *p;

	assert_int_equal(event_decode(&r->u, r->len, ev), 0);
	jbuf_init(&b);
	if (text) {
		assert_int_equal(format_text(&b, ev, &ctx0), 0);
		s = jbuf_cstr(&b);
		p = strstr(s, "] ");
		assert_non_null(p);
		out = strdup(p + 2);
	} else {
		assert_int_equal(format_json(&b, ev, &ctx0), 0);
		s = jbuf_cstr(&b);
		p = strstr(s, "\"syscall_nr\"");
		assert_non_null(p);
		out = strdup(p);
	}
	jbuf_release(&b);
	return out;
}

static void test_module_load_finit(void **state)
{
	struct event *ev = calloc(1, sizeof(*ev));
	struct rec r;
	char *s;

	(void)state;
	hdr_init(&r, LT_EV_MODULE_LOAD, 313, -8, sizeof(struct lt_module_ev));
	r.u.mod.fd = 3;
	r.u.mod.flags = 2;
	r.u.mod.str_len = put_str(&r, "/root/m.ko");
	s = enc(&r, ev, false);
	assert_string_equal(s, "\"syscall_nr\":313,\"ret_code\":-8,\"syscall\":\"finit_module\","
			       "\"fd\":3,\"filename\":\"/root/m.ko\",\"flags\":2}\n");
	free(s);
	s = enc(&r, ev, true);
	assert_string_equal(s, "module_load(finit_module, 3, \"/root/m.ko\", 0x2) = -8 "
			       "(Exec format error)\n");
	free(s);
	free(ev);
}

static void test_module_load_init_and_delete(void **state)
{
	struct event *ev = calloc(1, sizeof(*ev));
	struct rec r;
	char *s;

	(void)state;
	hdr_init(&r, LT_EV_MODULE_LOAD, 175, 0, sizeof(struct lt_module_ev));
	r.u.mod.fd = -1;
	r.u.mod.len = 12345;
	s = enc(&r, ev, false);
	assert_string_equal(s, "\"syscall_nr\":175,\"ret_code\":0,\"syscall\":\"init_module\","
			       "\"len\":12345}\n");
	free(s);
	hdr_init(&r, LT_EV_MODULE_DELETE, 176, -2, sizeof(struct lt_module_ev));
	r.u.mod.fd = -1;
	r.u.mod.flags = 0x800;
	r.u.mod.str_len = put_str(&r, "dummy");
	s = enc(&r, ev, false);
	assert_string_equal(s, "\"syscall_nr\":176,\"ret_code\":-2,\"name\":\"dummy\","
			       "\"flags\":2048}\n");
	free(s);
	s = enc(&r, ev, true);
	assert_string_equal(s, "module_delete(\"dummy\", 0x800) = -2 (No such file or directory)\n");
	free(s);
	free(ev);
}

static void test_decode_rejects_bad_mem_records(void **state)
{
	struct event *ev = calloc(1, sizeof(*ev));
	struct rec r;

	(void)state;
	/* a name without its NUL */
	hdr_init(&r, LT_EV_MEMFD_CREATE, 319, 3, sizeof(struct lt_memfd_ev));
	r.u.mfd.name_len = put_str(&r, "abc");
	r.u.bytes[r.len - 1] = 'x';
	assert_int_equal(event_decode(&r.u, r.len, ev), -EINVAL);
	/* a string longer than the record */
	hdr_init(&r, LT_EV_MODULE_DELETE, 176, 0, sizeof(struct lt_module_ev));
	r.u.mod.str_len = 100;
	assert_int_equal(event_decode(&r.u, r.len, ev), -EINVAL);
	/* fixed-size records must have their exact size */
	hdr_init(&r, LT_EV_KILL, 62, 0, sizeof(struct lt_target_ev) - 8);
	assert_int_equal(event_decode(&r.u, r.len, ev), -EINVAL);
	hdr_init(&r, LT_EV_CRED_CHANGE, 105, 0, sizeof(struct lt_cred_ev) + 8);
	assert_int_equal(event_decode(&r.u, r.len, ev), -EINVAL);
	free(ev);
}

static void test_cred_capset_and_kill_group(void **state)
{
	struct event *ev = calloc(1, sizeof(*ev));
	struct rec r;
	char *s;

	(void)state;
	hdr_init(&r, LT_EV_CRED_CHANGE, 126, 0, sizeof(struct lt_cred_ev));
	r.u.cred.old_c.cap_effective = 0x1ffffffffffULL;
	r.u.cred.new_c.cap_effective = 0x400;
	s = enc(&r, ev, false);
	assert_string_equal(s, "\"syscall_nr\":126,\"ret_code\":0,\"syscall\":\"capset\","
			       "\"changed\":true,\"old_cap_effective\":\"0x000001ffffffffff\","
			       "\"old_cap_permitted\":\"0x0000000000000000\","
			       "\"old_cap_inheritable\":\"0x0000000000000000\","
			       "\"new_cap_effective\":\"0x0000000000000400\","
			       "\"new_cap_permitted\":\"0x0000000000000000\","
			       "\"new_cap_inheritable\":\"0x0000000000000000\"}\n");
	free(s);
	/* kill(-7, SIGRTMIN+2): a group, no single target */
	hdr_init(&r, LT_EV_KILL, 62, 0, sizeof(struct lt_target_ev));
	r.u.tgt.request = 36;
	r.u.tgt.pid_arg = -7;
	s = enc(&r, ev, false);
	assert_string_equal(s, "\"syscall_nr\":62,\"ret_code\":0,\"syscall\":\"kill\","
			       "\"signal\":36,\"signal_name\":\"SIGRTMIN+2\",\"target_pid\":-7}\n");
	free(s);
	free(ev);
}

static void test_flag_strings(void **state)
{
	char buf[256];

	(void)state;
	mem_prot_str(0, buf, sizeof(buf));
	assert_string_equal(buf, "PROT_NONE");
	mem_prot_str(0x15, buf, sizeof(buf));
	assert_string_equal(buf, "PROT_READ|PROT_EXEC|0x10");
	mem_mmap_flags_str(0x22, buf, sizeof(buf));
	assert_string_equal(buf, "MAP_PRIVATE|MAP_ANONYMOUS");
	mem_mmap_flags_str(0x100003, buf, sizeof(buf));
	assert_string_equal(buf, "MAP_SHARED_VALIDATE|MAP_FIXED_NOREPLACE");
	mem_mfd_flags_str(0, buf, sizeof(buf));
	assert_string_equal(buf, "0");
	mem_mfd_flags_str(0x13, buf, sizeof(buf));
	assert_string_equal(buf, "MFD_CLOEXEC|MFD_ALLOW_SEALING|MFD_EXEC");
	assert_string_equal(mem_ptrace_name(0x4206), "PTRACE_SEIZE");
	assert_null(mem_ptrace_name(77));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module_load_finit),
		cmocka_unit_test(test_module_load_init_and_delete),
		cmocka_unit_test(test_decode_rejects_bad_mem_records),
		cmocka_unit_test(test_cred_capset_and_kill_group),
		cmocka_unit_test(test_flag_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
