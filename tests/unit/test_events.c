// SPDX-License-Identifier: MIT
/*
 * test_events.c - ring record decoding (src/events.c) and the encoders that
 * turn a decoded event into JSON and text (src/output/format.c).
 *
 * Records are built here exactly as the BPF side lays them out
 * (include/ltrack/event.h), so a layout change on either side breaks these.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <errno.h>

#include "events.h"
#include "output/jsonw.h"
#include "output/format.h"

struct rec {
	size_t len;
	union {
		struct lt_hdr hdr;
		struct lt_file_ev file;
		struct lt_exec_ev exec;
		char bytes[16384];
	} u;
};

static void hdr_init(struct lt_hdr *h, uint32_t type)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->ts_boot_ns = 5000000000ULL;
	h->start_ns = 1234567;
	h->parent_start_ns = 7654;
	h->tgid = 42;
	h->tid = 43;
	h->ppid = 1;
	h->uid = 1000;
	h->gid = 1001;
	h->euid = 0;
	h->loginuid = 1000;
	h->syscall_nr = 82;
	h->ret = 0;
	h->flags = LT_HF_REPORT;
	memcpy(h->comm, "mv", 3);
	h->sessionid = 7;
	h->cgroup_id = 99;
	h->pid_ns = 4026531836u;
	h->mnt_ns = 4026531832u;
	h->net_ns = 4026531833u;
	h->tty = 136u << 20 | 3;
}

/* a file record with strings s0 and s1 (NULL = absent) */
static void file_rec(struct rec *r, uint32_t type, const char *s0, const char *s1)
{
	size_t l0 = s0 ? strlen(s0) + 1 : 0, l1 = s1 ? strlen(s1) + 1 : 0;

	memset(r, 0, sizeof(*r));
	hdr_init(&r->u.hdr, type);
	memcpy(r->u.bytes + sizeof(struct lt_file_ev), s0, l0);
	if (s1)
		memcpy(r->u.bytes + sizeof(struct lt_file_ev) + l0, s1, l1);
	r->u.file.len[0] = l0;
	r->u.file.len[1] = l1;
	r->len = sizeof(struct lt_file_ev) + l0 + l1;
	r->u.hdr.size = r->len;
}

static void test_abi_sizes_match_the_bpf_side(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct lt_hdr), 128);
	assert_int_equal(offsetof(struct lt_hdr, comm), 80);
	assert_int_equal(sizeof(struct lt_file_ev), 176);
	assert_int_equal(offsetof(struct lt_file_ev, str), 176);
	assert_int_equal(sizeof(struct lt_exec_ev), 248);
	assert_int_equal(offsetof(struct lt_exec_ev, cg_v1), 216);	/* ctx */
	assert_int_equal(sizeof(struct lt_fork_ev), 144);
	assert_int_equal(sizeof(struct lt_exit_ev), 136);
}

static void test_decode_rename_gives_both_paths(void **state)
{
	struct rec r;
	struct event *ev = calloc(1, sizeof(*ev));

	(void)state;
	file_rec(&r, LT_EV_RENAME, "/a/old", "/a/new");
	assert_int_equal(event_decode(&r.u, r.len, ev), 0);
	assert_string_equal(ev->name, "rename");
	assert_string_equal(ev->filename, "/a/old");
	assert_string_equal(ev->path2, "/a/new");
	assert_int_equal(ev->pid, 42);
	assert_int_equal(ev->tid, 43);
	assert_int_equal(ev->uid, 1000);
	assert_int_equal(ev->gid, 1001);
	assert_string_equal(ev->comm, "mv");
	assert_int_equal(ev->syscall_nr, 82);
	free(ev);
}

static void test_decode_rejects_size_mismatch(void **state)
{
	struct rec r;
	struct event *ev = calloc(1, sizeof(*ev));

	(void)state;
	file_rec(&r, LT_EV_DELETE, "/x", NULL);
	r.u.hdr.size = r.len + 1;
	assert_int_equal(event_decode(&r.u, r.len, ev), -EINVAL);
	assert_int_equal(event_decode(&r.u, 10, ev), -EINVAL);
	free(ev);
}

static void test_decode_rejects_string_overrun_and_missing_nul(void **state)
{
	struct rec r;
	struct event *ev = calloc(1, sizeof(*ev));

	(void)state;
	file_rec(&r, LT_EV_DELETE, "/abc", NULL);
	r.u.file.len[0] = 200;	/* beyond the record */
	assert_int_equal(event_decode(&r.u, r.len, ev), -EINVAL);
	file_rec(&r, LT_EV_DELETE, "/abc", NULL);
	r.u.bytes[sizeof(struct lt_file_ev) + 4] = 'x';	/* the NUL overwritten */
	assert_int_equal(event_decode(&r.u, r.len, ev), -EINVAL);
	file_rec(&r, LT_EV_DELETE, "/abc", NULL);
	r.u.file.len[0] = 0;	/* a file event needs its filename */
	assert_int_equal(event_decode(&r.u, r.len, ev), -EINVAL);
	free(ev);
}

static void test_decode_rejects_unknown_type(void **state)
{
	struct rec r;
	struct event *ev = calloc(1, sizeof(*ev));

	(void)state;
	file_rec(&r, 77, "/x", NULL);
	assert_int_equal(event_decode(&r.u, r.len, ev), -EINVAL);
	free(ev);
}

static void exec_rec(struct rec *r, const char *fn, const char *req, const char *interp,
		     const char *cwd, const char *args, size_t alen)
{
	char *p;

	memset(r, 0, sizeof(*r));
	hdr_init(&r->u.hdr, LT_EV_EXEC);
	p = r->u.bytes + sizeof(struct lt_exec_ev);
#define PUT(s, field)                                   \
	if (s) {                                        \
		size_t n = strlen(s) + 1;               \
		memcpy(p, s, n);                        \
		p += n;                                 \
		r->u.exec.field = n;                    \
	}
	PUT(fn, filename_len);
	PUT(req, requested_len);
	PUT(interp, interp_len);
	PUT(cwd, cwd_len);
#undef PUT
	memcpy(p, args, alen);
	p += alen;
	r->u.exec.args_len = alen;
	r->len = p - r->u.bytes;
	r->u.hdr.size = r->len;
}

static void test_decode_exec_counts_argv_and_flags(void **state)
{
	struct rec r;
	struct event *ev = calloc(1, sizeof(*ev));

	(void)state;
	exec_rec(&r, "/usr/bin/ls", "./ls", NULL, "/root", "ls\0-l\0/tmp\0", 11);
	r.u.exec.eflags = LT_XF_ARGS_TRUNC;
	r.u.exec.cg_v1[LT_CG_V1_MEMORY] = 35;	/* ctx: the v1 cgroups' ids pass through */
	r.u.exec.cg_v1[LT_CG_V1_SYSTEMD] = 1;
	assert_int_equal(event_decode(&r.u, r.len, ev), 0);
	assert_int_equal(ev->cg_v1_ids[LT_CG_V1_CPU], 0);
	assert_int_equal(ev->cg_v1_ids[LT_CG_V1_MEMORY], 35);
	assert_int_equal(ev->cg_v1_ids[LT_CG_V1_PIDS], 0);
	assert_int_equal(ev->cg_v1_ids[LT_CG_V1_SYSTEMD], 1);
	assert_string_equal(ev->filename, "/usr/bin/ls");
	assert_string_equal(ev->requested, "./ls");
	assert_null(ev->interp);
	assert_string_equal(ev->cwd, "/root");
	assert_int_equal(ev->argc, 3);
	assert_true(ev->args_truncated);
	assert_false(ev->script);
	/* argv cut inside its last string still counts that string */
	exec_rec(&r, "/usr/bin/ls", "ls", NULL, "/", "ls\0-", 4);
	assert_int_equal(event_decode(&r.u, r.len, ev), 0);
	assert_int_equal(ev->argc, 2);
	free(ev);
}

static struct fmt_ctx ctx0 = { .hostname = "host", .boot_id = "b-1", .seq = 9 };

static const char *enc(struct jbuf *b, struct event *ev, bool text)
{
	jbuf_reset(b);
	if (text)
		assert_int_equal(format_text(b, ev, &ctx0), 0);
	else
		assert_int_equal(format_json(b, ev, &ctx0), 0);
	return jbuf_cstr(b);
}

static void test_json_common_fields_and_rename(void **state)
{
	struct rec r;
	struct event *ev = calloc(1, sizeof(*ev));
	struct jbuf b;
	const char *s;

	(void)state;
	jbuf_init(&b);
	file_rec(&r, LT_EV_RENAME, "/a/old", "/a/new");
	assert_int_equal(event_decode(&r.u, r.len, ev), 0);
	ev->ts_ns = 1795309796006040837ULL;
	ev->exe = "/usr/bin/mv";
	s = enc(&b, ev, false);
	assert_non_null(strstr(s, "{\"schema\":1,\"hostname\":\"host\",\"boot_id\":\"b-1\",\"seq\":9,"
				  "\"timestamp\":1795309796006040837,"
				  "\"time_str\":\"2026-11-22T01:09:56.006040Z\",\"event_type\":11,"
				  "\"event_name\":\"rename\",\"pid\":42,\"tid\":43,\"ppid\":1,"
				  "\"uid\":1000,\"gid\":1001,\"euid\":0,\"loginuid\":1000,"
				  "\"sessionid\":7,\"tty\":\"pts/3\","
				  "\"comm\":\"mv\",\"exe\":\"/usr/bin/mv\","
				  "\"exec_id\":\"42-1234567\",\"parent_exec_id\":\"1-7654\","
				  "\"cgroup_id\":99,\"pid_ns\":4026531836,\"mnt_ns\":4026531832,"
				  "\"net_ns\":4026531833,"
				  "\"syscall_nr\":82,\"ret_code\":0,"
				  "\"filename\":\"/a/old\",\"path_exact\":true,"
				  "\"new_filename\":\"/a/new\"}"));
	assert_int_equal(s[strlen(s) - 1], '\n');
	{
		/* the prepared prefix gives the same bytes as per-record encoding */
		struct fmt_ctx c2 = ctx0;
		char *once = strdup(s);

		assert_int_equal(format_ctx_prepare(&c2), 0);
		jbuf_reset(&b);
		assert_int_equal(format_json(&b, ev, &c2), 0);
		assert_string_equal(jbuf_cstr(&b), once);
		format_ctx_release(&c2);
		free(once);
	}
	s = enc(&b, ev, true);
	assert_string_equal(s, "2026-11-22T01:09:56.006040Z \"mv\"[42] rename(\"/a/old\", \"/a/new\")\n");
	jbuf_release(&b);
	free(ev);
}

static void test_json_create_mode_and_failed_text(void **state)
{
	struct rec r;
	struct event *ev = calloc(1, sizeof(*ev));
	struct jbuf b;
	const char *s;

	(void)state;
	jbuf_init(&b);
	file_rec(&r, LT_EV_CREATE, "/p", NULL);
	r.u.file.mode = S_IFREG | 0644;
	r.u.file.open_flags = O_WRONLY | O_CREAT | O_TRUNC;
	assert_int_equal(event_decode(&r.u, r.len, ev), 0);
	s = enc(&b, ev, false);
	assert_non_null(strstr(s, "\"mode\":\"0644\",\"file_type\":\"file\""));
	assert_non_null(strstr(s, "\"flags_str\":\"O_WRONLY|O_CREAT|O_TRUNC\""));
	s = enc(&b, ev, true);
	assert_non_null(strstr(s, "create(\"/p\", \"-rw-r--r--\")\n"));

	file_rec(&r, LT_EV_DELETE, "/nope", NULL);
	r.u.hdr.ret = -2;
	r.u.hdr.syscall_nr = 87;
	assert_int_equal(event_decode(&r.u, r.len, ev), 0);
	s = enc(&b, ev, true);
	assert_non_null(strstr(s, "delete(\"/nope\") = -2 (No such file or directory)\n"));
	s = enc(&b, ev, false);
	assert_non_null(strstr(s, "\"ret_code\":-2"));
	jbuf_release(&b);
	free(ev);
}

static void test_json_inexact_path_and_exit_signal(void **state)
{
	struct rec r;
	struct event *ev = calloc(1, sizeof(*ev));
	struct jbuf b;
	const char *s;

	(void)state;
	jbuf_init(&b);
	file_rec(&r, LT_EV_DELETE, "/a/link/f", NULL);
	r.u.file.pflags[0] = LT_PF_INEXACT | LT_PF_TRUNC;
	assert_int_equal(event_decode(&r.u, r.len, ev), 0);
	s = enc(&b, ev, false);
	assert_non_null(strstr(s, "\"path_exact\":false,\"path_truncated\":true"));
	/*
	 * review finding 15: in text, a cut path (its deepest components) is
	 * marked, so that the suffix does not read as an absolute path
	 */
	s = enc(&b, ev, true);
	assert_non_null(strstr(s, " delete(...\"/a/link/f\")\n"));
	file_rec(&r, LT_EV_RENAME, "/d/old", "/e/new");
	r.u.file.pflags[1] = LT_PF_TRUNC;
	assert_int_equal(event_decode(&r.u, r.len, ev), 0);
	s = enc(&b, ev, true);
	assert_non_null(strstr(s, " rename(\"/d/old\", ...\"/e/new\")\n"));
	r.u.file.pflags[1] = 0;
	assert_int_equal(event_decode(&r.u, r.len, ev), 0);
	s = enc(&b, ev, true);
	assert_non_null(strstr(s, " rename(\"/d/old\", \"/e/new\")\n"));

	memset(&r, 0, sizeof(r));
	hdr_init(&r.u.hdr, LT_EV_EXIT);
	r.u.hdr.size = sizeof(struct lt_exit_ev);
	r.u.hdr.syscall_nr = -1;
	((struct lt_exit_ev *)&r.u)->status = 9;
	assert_int_equal(event_decode(&r.u, sizeof(struct lt_exit_ev), ev), 0);
	s = enc(&b, ev, false);
	assert_non_null(strstr(s, "\"signal\":9,\"signal_name\":\"SIGKILL\",\"core_dumped\":false"));
	assert_null(strstr(s, "syscall_nr"));
	((struct lt_exit_ev *)&r.u)->status = 7 << 8;
	assert_int_equal(event_decode(&r.u, sizeof(struct lt_exit_ev), ev), 0);
	s = enc(&b, ev, false);
	assert_non_null(strstr(s, "\"exit_code\":7"));
	jbuf_release(&b);
	free(ev);
}

static void test_json_exec_argv_array(void **state)
{
	struct rec r;
	struct event *ev = calloc(1, sizeof(*ev));
	struct jbuf b;
	const char *s;

	(void)state;
	jbuf_init(&b);
	exec_rec(&r, "/usr/bin/dash", "/tmp/s.sh", "/bin/sh", "/tmp", "/bin/sh\0/tmp/s.sh\0", 18);
	r.u.exec.eflags = LT_XF_SCRIPT;
	assert_int_equal(event_decode(&r.u, r.len, ev), 0);
	s = enc(&b, ev, false);
	assert_non_null(strstr(s, "\"filename\":\"/usr/bin/dash\",\"requested\":\"/tmp/s.sh\","
				  "\"interpreter\":\"/bin/sh\",\"argv\":[\"/bin/sh\",\"/tmp/s.sh\"],"
				  "\"argv_truncated\":false,\"cwd\":\"/tmp\""));
	jbuf_release(&b);
	free(ev);
}

static void test_helpers_mode_flags_time(void **state)
{
	char buf[128];

	(void)state;
	format_mode(S_IFDIR | 0755, buf, sizeof(buf));
	assert_string_equal(buf, "drwxr-xr-x");
	format_mode(S_IFREG | 04755, buf, sizeof(buf));
	assert_string_equal(buf, "-rwsr-xr-x");
	format_mode(01777, buf, sizeof(buf));
	assert_string_equal(buf, "?rwxrwxrwt");
	format_open_flags(O_RDONLY | O_CLOEXEC, buf, sizeof(buf));
	assert_string_equal(buf, "O_RDONLY|O_CLOEXEC");
	format_time(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00.000000Z");
	format_time(1999999999, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:01.999999Z");
	assert_int_equal(kdev_from_user(makedev(8, 1)), (8u << 20) | 1);
	assert_int_equal(kdev_major((8u << 20) | 300), 8);
	assert_int_equal(kdev_minor((8u << 20) | 300), 300);
	assert_int_equal(event_type_by_name("modify"), LT_EV_MODIFY);
	assert_null(event_name(999));
}

/* a type with no encoder is refused, not printed as a file event with a stale path */
static void test_format_refuses_types_without_encoder(void **state)
{
	static const uint32_t none[] = { LT_EV_PROC_SNAP, LT_EV_MODEL_CAND, LT_EV_MODEL_WRITE, 99 };
	struct event *ev = calloc(1, sizeof(*ev));
	struct jbuf b;

	(void)state;
	assert_non_null(ev);
	jbuf_init(&b);
	ev->filename = "/stale/path";
	ev->comm[0] = 'x';
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		ev->type = none[i];
		jbuf_reset(&b);
		assert_int_equal(format_json(&b, ev, &ctx0), -EINVAL);
		jbuf_reset(&b);
		assert_int_equal(format_text(&b, ev, &ctx0), -EINVAL);
	}
	ev->type = LT_EV_DELETE;	/* the file family: the path */
	jbuf_reset(&b);
	assert_int_equal(format_json(&b, ev, &ctx0), 0);
	assert_non_null(strstr(jbuf_cstr(&b), "\"filename\":\"/stale/path\""));
	jbuf_release(&b);
	free(ev);
}

/*
 * the type registry: each row where its type says, names unique and found
 * back, a decoder exactly for the types rings carry, and ring_crit's types
 * (the BPF side's choice: process lifecycle, GPU and model records)
 */
static void test_type_registry(void **state)
{
	const struct ev_type_info *t;
	uint32_t crit[LT_EV_MAX] = { 0 }, ncrit = 0, rows = 0;

	(void)state;
	for (size_t i = 0; (t = ev_type_nth(i)); i++) {
		rows++;
		assert_true(t->type > 0 && t->type < LT_EV_MAX);
		assert_ptr_equal(ev_type_info(t->type), t);
		assert_non_null(t->name);
		assert_non_null(ev_family_name(t->family));
		assert_int_equal(t->decode == NULL, (t->flags & (EVT_USER | EVT_INTERNAL)) != 0);
		/* documented unless never output (snapshots, the model monitor's own records) */
		assert_int_equal(t->doc == NULL,
				 (t->flags & EVT_INTERNAL) || t->type == LT_EV_PROC_SNAP);
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(ev_type_nth(k)->name, t->name);
		if (t->flags & EVT_INTERNAL) {
			assert_null(event_name(t->type));
			assert_int_equal(event_type_by_name(t->name), 0);
		} else {
			assert_string_equal(event_name(t->type), t->name);
			assert_int_equal(event_type_by_name(t->name), t->type);
		}
		if (t->flags & EVT_CRIT)
			crit[ncrit++] = t->type;
		if (t->flags & EVT_PATHS)
			assert_true(t->family == EVF_FILE || t->family == EVF_EVADE);
		/* output exactly when documented; only file events carry their watch */
		assert_int_equal(t->fields != NULL, t->doc != NULL);
		assert_int_equal(t->text != NULL, t->doc != NULL);
		assert_int_equal((t->flags & EVT_WATCH) != 0, t->family == EVF_FILE);
		if (t->flags & EVT_TEXT_LINE)
			assert_true(t->family == EVF_NET || t->type == LT_EV_DLOPEN);
	}
	assert_int_equal(rows, 55);
	assert_int_equal(ncrit, 7);
	assert_int_equal(crit[0], LT_EV_EXEC);
	assert_int_equal(crit[1], LT_EV_FORK);
	assert_int_equal(crit[2], LT_EV_EXIT);
	assert_int_equal(crit[3], LT_EV_GPU_ACCESS);
	assert_int_equal(crit[4], LT_EV_MODEL_LOAD);
	assert_int_equal(crit[5], LT_EV_MODEL_EXFIL);
	assert_int_equal(crit[6], LT_EV_MODEL_WRITE);
	assert_null(ev_type_info(0));
	assert_null(ev_type_info(LT_EV_MAX));
	assert_null(ev_type_info(99));
	assert_null(ev_family_name(EVF_N));
	assert_string_equal(ev_family_name(EVF_FILE), "file");
	assert_string_equal(event_name_nth(52), "stats");
	assert_null(event_name_nth(53));	/* the internal rows have no name */
	assert_string_equal(event_name_nth(0), "exec");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abi_sizes_match_the_bpf_side),
		cmocka_unit_test(test_decode_rename_gives_both_paths),
		cmocka_unit_test(test_decode_rejects_size_mismatch),
		cmocka_unit_test(test_decode_rejects_string_overrun_and_missing_nul),
		cmocka_unit_test(test_decode_rejects_unknown_type),
		cmocka_unit_test(test_decode_exec_counts_argv_and_flags),
		cmocka_unit_test(test_json_common_fields_and_rename),
		cmocka_unit_test(test_json_create_mode_and_failed_text),
		cmocka_unit_test(test_json_inexact_path_and_exit_signal),
		cmocka_unit_test(test_json_exec_argv_array),
		cmocka_unit_test(test_helpers_mode_flags_time),
		cmocka_unit_test(test_type_registry),
		cmocka_unit_test(test_format_refuses_types_without_encoder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
