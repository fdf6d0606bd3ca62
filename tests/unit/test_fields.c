// SPDX-License-Identifier: MIT
/*
 * test_fields.c - the field registry (src/fields.c): its rows are well
 * formed, the JSON encoder writes exactly the registry's fields, getters give
 * the values the JSON shows without encoding, and the docs tables come from
 * the rows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "events.h"
#include "fields.h"
#include "hash.h"
#include "net.h"
#include "output/format.h"
#include "output/jsonw.h"

static const struct fmt_ctx ctx0 = { .hostname = "h", .boot_id = "b", .seq = 1, .watch = "/w" };

/* every list a type row points at, and the head and tail */
static void each_list(void (*fn)(const struct ev_field_list *l, const struct ev_type_info *t))
{
	const struct ev_type_info *t;

	fn(&ev_fields_head, NULL);
	fn(&ev_fields_tail, NULL);
	for (size_t i = 0; (t = ev_type_nth(i)); i++)
		if (t->fields)
			fn(t->fields, t);
}

static void check_rows(const struct ev_field_list *l, const struct ev_type_info *user)
{
	char key[80];

	for (size_t i = 0; i < l->n; i++) {
		const struct ev_field *f = &l->rows[i];

		assert_non_null(f->name);
		assert_true(f->name[0]);
		snprintf(key, sizeof(key), "\"%s\":", f->name);
		assert_string_equal(f->key, key);
		assert_int_equal(f->key_len, strlen(key));
		assert_non_null(f->doc);
		assert_true(f->type <= FT_OBJECT);
		assert_string_not_equal(fld_type_name(f->type), "?");
		/* a value comes from somewhere: a getter, a writer, or the output stage */
		assert_true(f->get || f->write || (f->flags & FLD_AGENT));
		/* objects have a writer; a value with its own JSON form still has a getter */
		if (f->type == FT_OBJECT)
			assert_non_null(f->write);
		else if (!(f->flags & FLD_AGENT))
			assert_non_null(f->get);
		/* a type a list row names is one of the types using the list */
		for (size_t k = 0; user && k < sizeof(f->on) && f->on[k]; k++) {
			const struct ev_type_info *t = ev_type_info(f->on[k]);

			assert_non_null(t);
			assert_ptr_equal(t->fields, l);
		}
		if (!user)
			assert_int_equal(f->on[0], 0);	/* head and tail: every type */
		else
			assert_int_equal(f->group, FG_OWN);
	}
}

/* no two rows on one type share a name: a consumer's name means one row */
static void test_rows_well_formed_and_names_unique_per_type(void **state)
{
	const struct ev_type_info *t;

	(void)state;
	each_list(check_rows);
	for (size_t i = 0; (t = ev_type_nth(i)); i++) {
		const struct ev_field_list *ls[3] = { &ev_fields_head, t->fields, &ev_fields_tail };
		const char *seen[128];
		size_t n = 0;

		if (!t->fields)
			continue;
		for (int l = 0; l < 3; l++) {
			for (size_t k = 0; k < ls[l]->n; k++) {
				const struct ev_field *f = &ls[l]->rows[k];

				if (!ev_field_on(f, t->type))
					continue;
				for (size_t j = 0; j < n; j++)
					if (!strcmp(seen[j], f->name))
						fail_msg("%s: field %s twice", t->name, f->name);
				assert_true(n < 128);
				seen[n++] = f->name;
				/* the watch only on the types that carry one */
				if (f->group == FG_FILE && !(t->flags & EVT_WATCH))
					assert_null(ev_field_find(t->type, f->name));
				else
					assert_ptr_equal(ev_field_find(t->type, f->name), f);
			}
		}
	}
	assert_null(ev_field_find(LT_EV_EXEC, "no_such_field"));
	assert_null(ev_field_find(LT_EV_EXEC, "watch"));
	assert_non_null(ev_field_find(LT_EV_OPEN, "watch"));
	assert_null(ev_field_find(99, "pid"));
	/* one name, the row of the event's type */
	assert_ptr_not_equal(ev_field_find(LT_EV_DLOPEN, "filename"),
			     ev_field_find(LT_EV_LIB_LOAD, "filename"));
	assert_int_equal(ev_field_find(LT_EV_DLOPEN, "filename")->flags & FLD_NULL, FLD_NULL);
	assert_null(ev_field_find(LT_EV_DELETE, "flags"));
	assert_non_null(ev_field_find(LT_EV_CREATE, "flags"));
}

/*
 * The top-level keys of one JSON object, NUL-separated into @out; the
 * values are skipped (strings with escapes, nested objects and arrays).
 */
static size_t top_keys(const char *j, char *out, size_t outlen)
{
	size_t n = 0;
	int depth = 0;
	bool expect_key = false;

	for (const char *p = j; *p; p++) {
		if (*p == '"') {
			const char *s = ++p;

			while (*p && *p != '"')
				p += (*p == '\\' && p[1]) ? 2 : 1;
			if (depth == 1 && expect_key) {
				size_t l = (size_t)(p - s);

				assert_true(n + l + 1 <= outlen);
				memcpy(out + n, s, l);
				out[n + l] = '\0';
				n += l + 1;
				expect_key = false;
			}
			continue;
		}
		if (*p == '{' || *p == '[') {
			depth++;
			expect_key = depth == 1 && *p == '{';
		} else if (*p == '}' || *p == ']') {
			depth--;
		} else if (*p == ',' && depth == 1) {
			expect_key = true;
		}
	}
	return n;
}

static bool has_key(const char *keys, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i += strlen(keys + i) + 1)
		if (!strcmp(keys + i, name))
			return true;
	return false;
}

/* an event of @type with every optional part set, as far as the type allows */
static struct event *full_event(uint32_t type)
{
	static const char args[] = "python3\0-c\0pass";
	struct event *ev = calloc(1, sizeof(*ev));

	assert_non_null(ev);
	ev->type = type;
	ev->name = event_name(type);
	ev->ts_ns = 1764000000123456789ULL;
	ev->pid = 42;
	ev->tid = 43;
	ev->ppid = 1;
	ev->uid = 1000;
	ev->start_ns = 5;
	ev->parent_start_ns = 6;
	memcpy(ev->comm, "py\"thon", 8);
	ev->exe = "/usr/bin/python3";
	ev->has_ctx = true;
	ev->tty = 136u << 20 | 3;
	ev->cgroup_id = 99;
	ev->cgroup = "/user.slice";
	ev->cgroup_v1[1] = "/mem";
	ev->container_id = "c0ffee";
	ev->container_runtime = "docker";
	ev->pod_uid = "1-2-3-4-5";
	ev->syscall_nr = 2;
	ev->ret = 3;
	ev->filename = "/tmp/x\n";
	ev->filename_flags = LT_PF_TRUNC;
	ev->path2 = "/tmp/y";
	ev->path2_flags = LT_PF_INEXACT;
	ev->requested = "./x";
	ev->interp = "/bin/sh";
	ev->script = true;
	ev->cwd = "/tmp";
	ev->args = args;
	ev->args_len = sizeof(args);
	ev->ino = 7;
	ev->dev = 8u << 20 | 1;
	ev->mode = S_IFCHR | 0644;
	ev->open_flags = O_CREAT | O_WRONLY;
	ev->rdev = 195u << 20;
	ev->attr = LT_ATTR_MODE | LT_ATTR_OWNER;
	ev->new_uid = (uint32_t)-1;
	ev->new_gid = 5;
	ev->status = 9 | 0x80;
	ev->child_pid = 44;
	ev->mem.eflags = LT_XF_FILELESS | LT_XF_MEMFD | LT_XF_PRIVGAIN | LT_XF_SETUID | LT_XF_FILECAPS;
	ev->mem.cap_effective = 0x1ff;
	ev->hash_state = HASH_UNAVAILABLE;
	ev->hash_error = "changed";
	ev->hash_ref_seq = 12;
	ev->hash_ref_name = "exec";
	ev->dl_name = "libz.so.1";
	ev->dl_flags = 0x102;
	ev->lib_flags = LT_LF_MPROTECT;
	ev->net.family = ev->net.rfamily = AF_INET;
	memcpy(ev->net.raddr, "\x7f\0\0\x01", 4);
	memcpy(ev->net.laddr, "\x7f\0\0\x02", 4);
	ev->net.rport = 443;
	ev->net.lport = 5555;
	ev->net.sock_type = 1;
	ev->net.protocol = 6;
	ev->net.nflags = LT_NF_LOCAL | LT_NF_CONNECTED;
	ev->net.err = -111;
	ev->net.state = 7;
	ev->net.fd = 3;
	ev->net.arg = 5;
	ev->model.access = LT_MA_OPEN | LT_MA_READ;
	ev->model.format = "pickle";
	ev->model.family = AF_INET;
	memcpy(ev->model.daddr, "\x0a\0\0\x01", 4);
	ev->model.scan_state = EV_SCAN_PENDING;
	ev->nancestors = 1;
	ev->ancestors[0].pid = 1;
	ev->ancestors[0].exe = "/sbin/init";
	return ev;
}

/*
 * For every type whose fields are rows: the JSON members are exactly the
 * rows whose getter says present (or whose writer wrote), in the rows' order
 */
static void test_json_is_the_registry(void **state)
{
	const struct ev_type_info *t;
	struct jbuf b;
	char keys[4096];

	(void)state;
	jbuf_init(&b);
	for (size_t i = 0; (t = ev_type_nth(i)); i++) {
		const struct ev_field_list *ls[3];
		struct event *ev;
		size_t n, at = 0;

		if (!t->fields)
			continue;
		ls[0] = &ev_fields_head;
		ls[1] = t->fields;
		ls[2] = &ev_fields_tail;
		ev = full_event(t->type);
		jbuf_reset(&b);
		{
			/* as main.c: a watch path only for the types a watch selects */
			struct fmt_ctx c = ctx0;

			if (!(t->flags & EVT_WATCH))
				c.watch = NULL;
			assert_int_equal(format_json(&b, ev, &c), 0);
		}
		n = top_keys(jbuf_cstr(&b), keys, sizeof(keys));
		for (size_t j = 0; j < n; j += strlen(keys + j) + 1) {
			const struct ev_field *f = ev_field_find(t->type, keys + j);

			if (!f)
				fail_msg("%s: JSON member \"%s\" has no row", t->name, keys + j);
		}
		for (int l = 0; l < 3; l++) {
			for (size_t k = 0; k < ls[l]->n; k++) {
				const struct ev_field *f = &ls[l]->rows[k];
				struct fld_val v;
				bool want;

				if (!ev_field_on(f, t->type) || ev_field_find(t->type, f->name) != f ||
				    (f->flags & FLD_SUB))	/* inside an object's member */
					continue;
				if (f->flags & FLD_AGENT)
					want = f->group != FG_FILE || (t->flags & EVT_WATCH);
				else if (f->get)	/* a writer writes what the getter has */
					want = ev_field_get(f, ev, &v) == 0;
				else
					want = has_key(keys, n, f->name);	/* objects: their writer's call */
				if (want != has_key(keys, n, f->name))
					fail_msg("%s: field %s %s", t->name, f->name,
						 want ? "missing from the JSON" : "in the JSON, getter says absent");
				/* in the rows' order */
				if (want) {
					while (at < n && strcmp(keys + at, f->name))
						at += strlen(keys + at) + 1;
					if (at >= n)
						fail_msg("%s: field %s out of order", t->name, f->name);
				}
			}
		}
		free(ev);
	}
	jbuf_release(&b);
}

/* getters give the values without encoding: what a rule would test */
static void test_getters_give_values(void **state)
{
	struct event *ev = full_event(LT_EV_RENAME);
	struct fld_val v;

	(void)state;
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_RENAME, "comm"), ev, &v), 0);
	assert_string_equal(v.s, "py\"thon");
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_RENAME, "pid"), ev, &v), 0);
	assert_int_equal(v.u, 42);
	/* user space's canonical path wins over the kernel's */
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_RENAME, "filename"), ev, &v), 0);
	assert_string_equal(v.s, "/tmp/x\n");
	snprintf(ev->canon, sizeof(ev->canon), "/real/x");
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_RENAME, "filename"), ev, &v), 0);
	assert_string_equal(v.s, "/real/x");
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_RENAME, "path_exact"), ev, &v), 0);
	assert_false(v.b);	/* truncated stays inexact */
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_RENAME, "new_path_exact"), ev, &v), 0);
	assert_false(v.b);
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_RENAME, "exec_id"), ev, &v), 0);
	assert_string_equal(v.s, "42-5");
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_RENAME, "tty"), ev, &v), 0);
	assert_string_equal(v.s, "pts/3");
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_RENAME, "hash_error"), ev, &v), 0);
	assert_string_equal(v.s, "changed");
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_RENAME, "sha256"), ev, &v), 0);
	assert_null(v.s);	/* null: not ok */
	/* absent, not null: no context on events made by user space */
	ev->has_ctx = false;
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_RENAME, "tty"), ev, &v), -ENOENT);
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_RENAME, "container_id"), ev, &v), -ENOENT);
	/* agent rows and objects have no getter */
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_RENAME, "seq"), ev, &v), -EINVAL);
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_RENAME, "ancestors"), ev, &v), -EINVAL);
	free(ev);

	ev = full_event(LT_EV_EXIT);
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_EXIT, "signal_name"), ev, &v), 0);
	assert_string_equal(v.s, "SIGKILL");
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_EXIT, "core_dumped"), ev, &v), 0);
	assert_true(v.b);
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_EXIT, "exit_code"), ev, &v), -ENOENT);
	ev->status = 3 << 8;
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_EXIT, "exit_code"), ev, &v), 0);
	assert_int_equal(v.i, 3);
	free(ev);

	ev = full_event(LT_EV_ATTRIB);
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_ATTRIB, "mode"), ev, &v), 0);
	assert_string_equal(v.s, "0644");
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_ATTRIB, "new_uid"), ev, &v), 0);
	assert_int_equal(v.i, -1);
	ev->attr = LT_ATTR_OWNER;	/* chown: no mode */
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_ATTRIB, "mode"), ev, &v), -ENOENT);
	free(ev);

	ev = full_event(LT_EV_EXEC);
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_EXEC, "argv"), ev, &v), 0);
	assert_int_equal(v.len, sizeof("python3\0-c\0pass"));
	assert_memory_equal(v.s, "python3\0-c\0pass", v.len);
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_EXEC, "privilege_reasons"), ev, &v), 0);
	assert_int_equal(v.len, sizeof("setuid_bit\0file_caps"));
	assert_memory_equal(v.s, "setuid_bit\0file_caps", v.len);
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_EXEC, "cap_effective"), ev, &v), 0);
	assert_string_equal(v.s, "0x00000000000001ff");
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_EXEC, "fileless_reason"), ev, &v), 0);
	assert_string_equal(v.s, "memfd");
	free(ev);

	ev = full_event(LT_EV_CONNECT_RESULT);
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_CONNECT_RESULT, "remote_addr"), ev, &v), 0);
	assert_string_equal(v.s, "127.0.0.1");
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_CONNECT_RESULT, "remote_port"), ev, &v), 0);
	assert_int_equal(v.u, 443);
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_CONNECT_RESULT, "error"), ev, &v), 0);
	assert_string_equal(v.s, "connection refused");
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_CONNECT_RESULT, "state"), ev, &v), 0);
	assert_string_equal(v.s, "CLOSE");
	ev->net.state = 99;	/* no name: the number, in the getter's text and JSON's number */
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_CONNECT_RESULT, "state"), ev, &v), 0);
	assert_string_equal(v.s, "99");
	{
		struct jbuf b;

		jbuf_init(&b);
		assert_int_equal(format_json(&b, ev, &ctx0), 0);
		assert_non_null(strstr(jbuf_cstr(&b), "\"state\":99,"));
		jbuf_release(&b);
	}
	ev->type = LT_EV_ACCEPT;	/* an accept's peer comes after its local address */
	ev->net.rfamily = 0;
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_ACCEPT, "remote_addr"), ev, &v), -ENOENT);
	free(ev);

	ev = full_event(LT_EV_MODEL_LOAD);
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_MODEL_LOAD, "scan.verdict"), ev, &v), 0);
	assert_string_equal(v.s, "pending");
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_MODEL_LOAD, "access"), ev, &v), 0);
	assert_int_equal(v.len, sizeof("open\0read"));
	assert_memory_equal(v.s, "open\0read", v.len);
	ev->model.scan_state = EV_SCAN_NONE;
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_MODEL_LOAD, "scan.verdict"), ev, &v), -ENOENT);
	assert_null(ev_field_find(LT_EV_MODEL_ACCESS, "scan.verdict"));
	assert_non_null(ev_field_find(LT_EV_SCAN_UPDATE, "scan.verdict"));
	free(ev);

	ev = full_event(LT_EV_GPU_ACCESS);
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_GPU_ACCESS, "device"), ev, &v), 0);
	assert_string_equal(v.s, "195:0");
	ev->ino = 0;	/* a failed open: nothing resolved */
	assert_int_equal(ev_field_get(ev_field_find(LT_EV_GPU_ACCESS, "device"), ev, &v), -ENOENT);
	free(ev);
}

/* @ev encoded with the process cache of @c, and with none: the same bytes */
static void same_with_and_without_cache(const struct event *ev, struct fmt_ctx *c, const char *want)
{
	struct fmt_ctx plain_ctx = { .hostname = "h", .boot_id = "b", .seq = 1 };
	struct jbuf a, b;

	jbuf_init(&a);
	jbuf_init(&b);
	assert_int_equal(format_json(&a, ev, c), 0);
	assert_int_equal(format_json(&b, ev, &plain_ctx), 0);
	assert_string_equal(jbuf_cstr(&a), jbuf_cstr(&b));
	if (want && !strstr(jbuf_cstr(&a), want))
		fail_msg("%s not in %s", want, jbuf_cstr(&a));
	jbuf_release(&a);
	jbuf_release(&b);
}

/*
 * The context of a process is encoded once and copied while its inputs
 * stay: every input that changes gives the new value, also a string changed
 * in place behind the same pointer (a freed and reused buffer)
 */
static void test_proc_cache_follows_its_inputs(void **state)
{
	struct fmt_ctx c = { .hostname = "h", .boot_id = "b", .seq = 1 };
	struct event *ev = full_event(LT_EV_DELETE);
	char exe[3000] = "/usr/bin/a", cg[64] = "/system.slice/a";

	(void)state;
	assert_int_equal(format_ctx_prepare(&c), 0);
	ev->exe = exe;
	ev->cgroup = cg;
	same_with_and_without_cache(ev, &c, "\"exe\":\"/usr/bin/a\"");
	same_with_and_without_cache(ev, &c, "\"exe\":\"/usr/bin/a\"");	/* from the cache */
	memcpy(exe, "/usr/bin/b", 11);	/* same pointer, other content */
	same_with_and_without_cache(ev, &c, "\"exe\":\"/usr/bin/b\"");
	memcpy(cg, "/system.slice/b", 16);
	same_with_and_without_cache(ev, &c, "\"cgroup\":\"/system.slice/b\"");
	memcpy(ev->comm, "other", 6);
	same_with_and_without_cache(ev, &c, "\"comm\":\"other\"");
	ev->tid = 77;	/* outside the cached run */
	same_with_and_without_cache(ev, &c, "\"tid\":77,");
	ev->uid = 5;
	same_with_and_without_cache(ev, &c, "\"uid\":5,");
	ev->start_ns = 99;
	same_with_and_without_cache(ev, &c, "\"exec_id\":\"42-99\"");
	ev->cgroup_v1[1] = NULL;
	ev->cgroup_v1[2] = "/pids";
	same_with_and_without_cache(ev, &c, "\"cgroup_v1\":{\"pids\":\"/pids\"}");
	ev->container_id = NULL;
	same_with_and_without_cache(ev, &c, NULL);
	ev->has_ctx = false;	/* no context at all: no tty, no cgroup */
	same_with_and_without_cache(ev, &c, NULL);
	ev->has_ctx = true;
	memset(exe, 'x', sizeof(exe) - 1);	/* longer than the cache keeps: encoded each time */
	exe[0] = '/';
	same_with_and_without_cache(ev, &c, NULL);
	same_with_and_without_cache(ev, &c, NULL);
	ev->pid = 42 + 64;	/* another process on the same entry, then back */
	same_with_and_without_cache(ev, &c, "\"pid\":106,");
	ev->pid = 42;
	same_with_and_without_cache(ev, &c, "\"pid\":42,");
	format_ctx_release(&c);
	free(ev);
}

/* each type's event_type and event_name are encoded once: types alternating, every type */
static void test_type_cache_per_type(void **state)
{
	struct fmt_ctx c = { .hostname = "h", .boot_id = "b", .seq = 1 };
	const struct ev_type_info *t;
	char want[96];

	(void)state;
	assert_int_equal(format_ctx_prepare(&c), 0);
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; (t = ev_type_nth(i)); i++) {
			struct event *ev;

			if (!t->fields || t->type == LT_EV_STATS)
				continue;
			ev = full_event(t->type);
			snprintf(want, sizeof(want), "\"event_type\":%u,\"event_name\":\"%s\",", t->type,
				 t->name);
			same_with_and_without_cache(ev, &c, want);
			free(ev);
		}
	}
	format_ctx_release(&c);
}

static char *fill(const char *doc, int *rc)
{
	FILE *in = fmemopen((void *)doc, strlen(doc), "r");
	char *out = NULL, err[128];
	size_t len = 0;
	FILE *o = open_memstream(&out, &len);

	assert_non_null(in);
	assert_non_null(o);
	*rc = events_doc_fill(in, o, err, sizeof(err));
	fclose(in);
	fclose(o);
	return out;
}

/* the docs' generated blocks: filled from the rows, and bad markers refused */
static void test_docs_blocks(void **state)
{
	char *out;
	int rc;

	(void)state;
	out = fill("# x\n<!-- generated: fields fork -->\nstale\n<!-- end generated -->\ntail\n", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "# x\n<!-- generated: fields fork -->\n"
				 "| field | type | meaning |\n|---|---|---|\n"
				 "| `child_pid` | uint | pid of the new process |\n"
				 "| `child_exec_id` | string | its process key |\n"
				 "<!-- end generated -->\ntail\n");
	free(out);
	/* a list shared by types says which types each row is on; '|' escaped */
	out = fill("<!-- generated: fields lib -->\n<!-- end generated -->\n", &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "| `failed` | bool | `dlopen` | "));
	assert_non_null(strstr(out, "`\"RTLD_NOW\\|RTLD_GLOBAL\"`"));
	free(out);
	out = fill("<!-- generated: types -->\n<!-- end generated -->\n", &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "| 1 | `exec` | process | "));
	free(out);
	/* an event's name: its rows only */
	out = fill("<!-- generated: fields kill -->\n<!-- end generated -->\n", &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "| `target_comm` | string | the target's comm"));
	assert_null(strstr(out, "request_name"));
	free(out);
	free(fill("<!-- generated: fields nope -->\n<!-- end generated -->\n", &rc));
	assert_int_equal(rc, -EINVAL);
	free(fill("<!-- generated: fields fork -->\nno end\n", &rc));
	assert_int_equal(rc, -EINVAL);
	free(fill("<!-- end generated -->\n", &rc));
	assert_int_equal(rc, -EINVAL);
	free(fill("<!-- generated: types -->\n<!-- generated: types -->\n", &rc));
	assert_int_equal(rc, -EINVAL);
	assert_int_equal(field_reference(stdout, "nope"), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_well_formed_and_names_unique_per_type),
		cmocka_unit_test(test_json_is_the_registry),
		cmocka_unit_test(test_getters_give_values),
		cmocka_unit_test(test_proc_cache_follows_its_inputs),
		cmocka_unit_test(test_type_cache_per_type),
		cmocka_unit_test(test_docs_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
