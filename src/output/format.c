// SPDX-License-Identifier: MIT
/*
 * format.c - JSON and text encoders for struct event. See format.h.
 *
 * This is on the per-event hot path: no allocation once the jbuf is warm,
 * no stdio, small fixed buffers on the stack.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "concern.h"
#include "format.h"
#include "hash.h"
#include "mem_events.h"	/* mem */
#include "model/model.h"	/* model */
#include "net.h"	/* net */
#include "gpu.h"	/* gpu */

/* key + value, the key a literal that needs no escaping (see JSON_KEY) */
#define KV_STR(b, k, v) (JSON_KEY(b, k), json_cstr(b, v))
#define KV_INT(b, k, v) (JSON_KEY(b, k), json_int(b, v))
#define KV_UINT(b, k, v) (JSON_KEY(b, k), json_uint(b, v))
#define KV_BOOL(b, k, v) (JSON_KEY(b, k), json_bool(b, v))
/* for strings we formatted ourselves: nothing to escape */
#define KV_PLAIN(b, k, v) (JSON_KEY(b, k), json_str_plain(b, v, strlen(v)))

/* decimal digits of @v ending at @end; returns the first digit */
static char *dec_u64(char *end, uint64_t v)
{
	do {
		*--end = '0' + v % 10;
		v /= 10;
	} while (v);
	return end;
}

void format_time(uint64_t ns, char *buf, size_t len)
{
	/* events come in bursts within one second: reuse the formatted date */
	static __thread time_t last_sec = -1;
	static __thread char date[32];
	time_t sec = ns / 1000000000ULL;
	unsigned us = ns % 1000000000ULL / 1000;
	char tail[9];

	if (sec != last_sec) {
		struct tm tm;

		gmtime_r(&sec, &tm);
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
		last_sec = sec;
	}
	tail[0] = '.';
	for (int i = 6; i >= 1; i--) {
		tail[i] = '0' + us % 10;
		us /= 10;
	}
	tail[7] = 'Z';
	tail[8] = '\0';
	{
		size_t dl = strnlen(date, sizeof(date));

		if (len < dl + sizeof(tail)) {
			snprintf(buf, len, "%s%s", date, tail);
			return;
		}
		memcpy(buf, date, dl);
		memcpy(buf + dl, tail, sizeof(tail));
	}
}

void format_exec_id(uint32_t tgid, uint64_t start_ns, char *buf, size_t len)
{
	char tmp[48], *end = tmp + sizeof(tmp), *p;

	*--end = '\0';
	p = dec_u64(end, start_ns);
	*--p = '-';
	p = dec_u64(p, tgid);
	if ((size_t)(end - p) + 1 > len) {
		snprintf(buf, len, "%s", p);
		return;
	}
	memcpy(buf, p, (size_t)(end - p) + 1);
}

static char type_char(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return '-';
	case S_IFDIR:
		return 'd';
	case S_IFCHR:
		return 'c';
	case S_IFBLK:
		return 'b';
	case S_IFIFO:
		return 'p';
	case S_IFSOCK:
		return 's';
	case S_IFLNK:
		return 'l';
	}
	return '?';
}

static const char *type_name(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "file";
	case S_IFDIR:
		return "dir";
	case S_IFCHR:
		return "chr";
	case S_IFBLK:
		return "blk";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "sock";
	case S_IFLNK:
		return "symlink";
	}
	return NULL;
}

void format_mode(uint32_t mode, char *buf, size_t len)
{
	char s[11];
	static const char rwx[] = "rwxrwxrwx";

	s[0] = type_char(mode);
	for (int i = 0; i < 9; i++)
		s[1 + i] = (mode & (0400 >> i)) ? rwx[i] : '-';
	if (mode & S_ISUID)
		s[3] = (mode & S_IXUSR) ? 's' : 'S';
	if (mode & S_ISGID)
		s[6] = (mode & S_IXGRP) ? 's' : 'S';
	if (mode & S_ISVTX)
		s[9] = (mode & S_IXOTH) ? 't' : 'T';
	s[10] = '\0';
	snprintf(buf, len, "%s", s);
}

void format_open_flags(uint32_t flags, char *buf, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} bits[] = {
		{ O_CREAT, "O_CREAT" },	      { O_EXCL, "O_EXCL" },	    { O_NOCTTY, "O_NOCTTY" },
		{ O_TRUNC, "O_TRUNC" },	      { O_APPEND, "O_APPEND" },	    { O_NONBLOCK, "O_NONBLOCK" },
		{ O_DSYNC, "O_DSYNC" },	      { O_DIRECT, "O_DIRECT" },	    { O_LARGEFILE, "O_LARGEFILE" },
		{ O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" },
		{ O_CLOEXEC, "O_CLOEXEC" },   { O_PATH, "O_PATH" },
	};
	uint32_t acc = flags & O_ACCMODE;
	size_t n = 0;

	if (!len)
		return;
#define PUTS(s)                                              \
	do {                                                 \
		size_t l_ = strlen(s);                       \
		if (n + l_ < len) {                          \
			memcpy(buf + n, s, l_);              \
			n += l_;                             \
		}                                            \
	} while (0)
	PUTS(acc == O_RDONLY ? "O_RDONLY" : acc == O_WRONLY ? "O_WRONLY" :
	     acc == O_RDWR ? "O_RDWR" : "O_ACCMODE");
	if ((flags & O_TMPFILE) == O_TMPFILE) {
		PUTS("|O_TMPFILE");
		flags &= ~(uint32_t)O_TMPFILE;
	}
	if ((flags & O_SYNC) == O_SYNC) {
		PUTS("|O_SYNC");
		flags &= ~(uint32_t)O_SYNC;
	}
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		if (flags & bits[i].bit) {
			PUTS("|");
			PUTS(bits[i].name);
		}
	}
#undef PUTS
	buf[n] = '\0';
}

static void kv_dev(struct jbuf *b, const char *key, uint32_t kdev)
{
	char s[32], *end = s + sizeof(s), *p;

	p = dec_u64(end, kdev_minor(kdev));
	*--p = ':';
	p = dec_u64(p, kdev_major(kdev));
	json_key(b, key);
	json_str_plain(b, p, end - p);
}

static void kv_octal(struct jbuf *b, const char *key, uint32_t mode)
{
	char s[4];

	mode &= 07777;
	for (int i = 3; i >= 0; i--) {
		s[i] = '0' + (mode & 7);
		mode >>= 3;
	}
	json_key(b, key);
	json_str_plain(b, s, 4);
}

/* the filename to print: user space's canonical form when it made one */
static const char *ev_filename(const struct event *ev)
{
	return ev->canon[0] ? ev->canon : ev->filename;
}

static bool path_exact(const struct event *ev)
{
	if (ev->filename_flags & LT_PF_TRUNC)
		return false;
	return !(ev->filename_flags & LT_PF_INEXACT) || ev->canon[0];
}

static void json_argv(struct jbuf *b, const struct event *ev)
{
	size_t i = 0;

	json_key(b, "argv");
	json_arr_begin(b);
	while (ev->args && i < ev->args_len) {
		const char *s = ev->args + i;
		size_t n = strnlen(s, ev->args_len - i);

		json_str(b, s, n);
		i += n + 1;
	}
	json_arr_end(b);
	KV_BOOL(b, "argv_truncated", ev->args_truncated);
}

void format_json_exit(struct jbuf *b, const struct event *ev)
{
	uint32_t sig = ev->status & 0x7f;

	if (sig == 0) {
		KV_INT(b, "exit_code", (ev->status >> 8) & 0xff);
	} else {
		const char *abbr = sigabbrev_np(sig);
		char name[32];

		KV_INT(b, "signal", sig);
		if (abbr) {
			snprintf(name, sizeof(name), "SIG%s", abbr);
			KV_STR(b, "signal_name", name);
		}
		KV_BOOL(b, "core_dumped", ev->status & 0x80);
	}
}

void format_json_file(struct jbuf *b, const struct event *ev)
{
	const char *tn;

	KV_STR(b, "filename", ev_filename(ev));
	KV_BOOL(b, "path_exact", path_exact(ev));
	if (ev->filename_flags & LT_PF_TRUNC)
		KV_BOOL(b, "path_truncated", true);
	switch (ev->type) {
	case LT_EV_RENAME:
		KV_STR(b, "new_filename", ev->canon2[0] ? ev->canon2 : ev->path2);
		if ((ev->path2_flags & LT_PF_INEXACT && !ev->canon2[0]) ||
		    (ev->path2_flags & LT_PF_TRUNC))
			KV_BOOL(b, "new_path_exact", false);
		break;
	case LT_EV_LINK:
		KV_STR(b, "target", ev->canon2[0] ? ev->canon2 : ev->path2);
		break;
	case LT_EV_SYMLINK:
		KV_STR(b, "target", ev->path2);
		break;
	case LT_EV_OPEN:
	case LT_EV_CREATE: {
		char fl[256];

		format_open_flags(ev->open_flags, fl, sizeof(fl));
		KV_UINT(b, "flags", ev->open_flags);
		KV_PLAIN(b, "flags_str", fl);
		break;
	}
	}
	switch (ev->type) {
	case LT_EV_CREATE:
	case LT_EV_MKDIR:
	case LT_EV_MKNOD:
		kv_octal(b, "mode", ev->mode);
		tn = type_name(ev->mode);
		if (tn)
			KV_STR(b, "file_type", tn);
		if (ev->type == LT_EV_MKNOD && ((ev->mode & S_IFMT) == S_IFCHR ||
						 (ev->mode & S_IFMT) == S_IFBLK))
			kv_dev(b, "device", ev->rdev);
		break;
	case LT_EV_OPEN:
		if (ev->open_flags & (O_CREAT | __O_TMPFILE))
			kv_octal(b, "mode", ev->mode);
		break;
	case LT_EV_ATTRIB:
		if (ev->attr & LT_ATTR_MODE)
			kv_octal(b, "mode", ev->mode);
		if (ev->attr & LT_ATTR_OWNER) {
			KV_INT(b, "new_uid", (int32_t)ev->new_uid);
			KV_INT(b, "new_gid", (int32_t)ev->new_gid);
		}
		break;
	}
	if (ev->ino) {
		kv_dev(b, "dev", ev->dev);
		KV_UINT(b, "inode", ev->ino);
	}
}

/* lib: RTLD_* names of dlopen flags, "|"-separated */
void format_dlopen_flags(uint32_t flags, char *buf, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} bits[] = {
		{ 0x4, "RTLD_NOLOAD" },	  { 0x8, "RTLD_DEEPBIND" }, { 0x100, "RTLD_GLOBAL" },
		{ 0x1000, "RTLD_NODELETE" },
	};
	size_t n;

	if (!len)
		return;
	n = snprintf(buf, len, "%s", (flags & 3) == 1 ? "RTLD_LAZY" : (flags & 3) == 2 ?
				      "RTLD_NOW" : (flags & 3) == 3 ? "RTLD_BINDING_MASK" : "0");
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]) && n < len; i++)
		if (flags & bits[i].bit)
			n += snprintf(buf + n, len - n, "|%s", bits[i].name);
}

void format_json_lib(struct jbuf *b, const struct event *ev)
{
	char fl[128];

	if (ev->type == LT_EV_DLOPEN) {
		KV_STR(b, "filename", ev->dl_name);
		format_dlopen_flags(ev->dl_flags, fl, sizeof(fl));
		KV_UINT(b, "flags", ev->dl_flags);
		KV_PLAIN(b, "flags_str", fl);
		KV_BOOL(b, "failed", ev->dl_handle == 0);
		return;
	}
	KV_STR(b, "filename", ev_filename(ev));
	KV_BOOL(b, "path_exact", path_exact(ev));
	if (ev->filename_flags & LT_PF_TRUNC)
		KV_BOOL(b, "path_truncated", true);
	kv_dev(b, "dev", ev->fid.dev);
	KV_UINT(b, "inode", ev->fid.ino);
	KV_UINT(b, "size", ev->fid.size);
	KV_UINT(b, "vm_start", ev->vm_start);
	KV_UINT(b, "vm_end", ev->vm_end);
	KV_UINT(b, "prot", ev->lib_prot);
	KV_STR(b, "source", ev->lib_flags & LT_LF_INTERP ? "interpreter" :
		   ev->lib_flags & LT_LF_MPROTECT ? "mprotect" : "mmap");
	KV_BOOL(b, "untrusted", ev->untrusted);
}

/* stats: every concern, on or off and why (src/concern.h) */
static void json_concerns(struct jbuf *b, const struct concern_state *cs)
{
	json_key(b, "concerns");
	json_arr_begin(b);
	for (int i = 0; cs && i < LT_NCONCERNS; i++) {
		json_obj_begin(b);
		KV_STR(b, "name", concern_defs[i].name);
		KV_STR(b, "state", cs[i].off ? "off" : "on");
		KV_STR(b, "variant", cs[i].variant);
		if (cs[i].off) {
			KV_STR(b, "reason", cs[i].reason);
			if (cs[i].program[0])
				KV_STR(b, "program", cs[i].program);
			if (cs[i].err) {
				const char *en = strerrorname_np(cs[i].err);

				KV_STR(b, "errno", en ? en : "unknown");
			}
		}
		json_obj_end(b);
	}
	json_arr_end(b);
}

static void json_stats(struct jbuf *b, const struct ev_stats *st)
{
	json_key(b, "drops");
	json_obj_begin(b);
	for (uint32_t i = 0; i < LT_DROP_NCAT; i++)
		json_kv_uint(b, drop_cat_name(i), st->drops[i]);
	json_obj_end(b);
	KV_UINT(b, "drops_total", st->drops_total);
	KV_UINT(b, "events", st->events);
	KV_UINT(b, "decode_errors", st->decode_errors);
	KV_UINT(b, "sink_dropped", st->sink_dropped);
	KV_UINT(b, "proc_table_entries", st->proc_entries);
	KV_UINT(b, "proc_table_max", st->proc_max);
	KV_UINT(b, "proc_table_evicted", st->proc_evicted);
	/* ctx */
	KV_UINT(b, "proc_table_expired", st->proc_expired);
	KV_UINT(b, "proc_table_args_cut", st->proc_args_cut);
	KV_UINT(b, "cgroup_cache_entries", st->cg_entries);
	KV_UINT(b, "cgroup_cache_max", st->cg_max);
	KV_UINT(b, "cgroup_cache_evicted", st->cg_evicted);
	KV_UINT(b, "interval_s", st->interval_s);
	KV_BOOL(b, "final", st->final);
	json_concerns(b, st->concerns);
	/* hash: the enrichment stage (src/enrich.h) */
	json_key(b, "hash");
	json_obj_begin(b);
	KV_BOOL(b, "enabled", st->hash.enabled);
	KV_UINT(b, "cache_entries", st->hash.cache_entries);
	KV_UINT(b, "cache_max", st->hash.cache_max);
	KV_UINT(b, "cache_hits", st->hash.cache_hits);
	KV_UINT(b, "cache_misses", st->hash.cache_misses);
	KV_UINT(b, "cache_evictions", st->hash.cache_evictions);
	KV_UINT(b, "jobs_queued", st->hash.jobs_queued);
	KV_UINT(b, "jobs_dropped", st->hash.jobs_dropped);
	KV_UINT(b, "queue_depth", st->hash.queue_depth);
	KV_UINT(b, "held", st->hash.held);
	KV_UINT(b, "held_full", st->hash.held_full);
	KV_UINT(b, "emitted_pending", st->hash.emitted_pending);
	KV_UINT(b, "updates", st->hash.updates);
	KV_UINT(b, "updates_dropped", st->hash.updates_dropped);
	KV_UINT(b, "unavailable", st->hash.unavailable);
	KV_UINT(b, "skipped", st->hash.skipped);
	KV_UINT(b, "workers_prio_failed", st->hash.prio_failed);
	KV_UINT(b, "fd_jobs", st->hash.fd_jobs);
	KV_UINT(b, "witnessed", st->hash.witnessed);
	KV_UINT(b, "witness_refused", st->hash.witness_refused);
	json_obj_end(b);
	/* hash: fanotify's exec descriptors (src/fanexec.h; docs/drops.md) */
	json_key(b, "fanotify");
	json_obj_begin(b);
	KV_BOOL(b, "enabled", st->fanotify.enabled);
	KV_UINT(b, "filesystems", st->fanotify.filesystems);
	KV_UINT(b, "mark_failed", st->fanotify.mark_failed);
	KV_UINT(b, "events", st->fanotify.events);
	KV_UINT(b, "used", st->fanotify.used);
	KV_UINT(b, "released", st->fanotify.released);
	KV_UINT(b, "expired", st->fanotify.expired);
	KV_UINT(b, "ignored", st->fanotify.ignored);
	KV_UINT(b, "overflows", st->fanotify.overflows);
	KV_UINT(b, "fd_errors", st->fanotify.fd_errors);
	KV_UINT(b, "evicted", st->fanotify.evicted);
	KV_UINT(b, "lost", st->fanotify.lost);
	KV_UINT(b, "held", st->fanotify.held);
	KV_UINT(b, "held_max", st->fanotify.held_max);
	json_obj_end(b);
	/* model: scan verdicts */
	json_key(b, "scan");
	json_obj_begin(b);
	KV_BOOL(b, "enabled", st->scan.enabled);
	KV_UINT(b, "submitted", st->scan.submitted);
	KV_UINT(b, "cache_hits", st->scan.cache_hits);
	KV_UINT(b, "verdicts", st->scan.verdicts);
	KV_UINT(b, "refused", st->scan.refused);
	KV_UINT(b, "cache_entries", st->scan.cache_entries);
	KV_UINT(b, "emitted_pending", st->scan.emitted_pending);
	KV_UINT(b, "updates", st->scan.updates);
	KV_UINT(b, "workers_crashed", st->scan.workers_crashed);
	KV_UINT(b, "timeouts", st->scan.timeouts);
	json_obj_end(b);
	/* model: what the monitor looked at, and what it could not keep */
	json_key(b, "model_monitor");
	json_obj_begin(b);
	KV_BOOL(b, "enabled", st->model.enabled);
	KV_UINT(b, "candidates", st->model.candidates);
	KV_UINT(b, "sniffed_models", st->model.sniffed_models);
	KV_UINT(b, "sniff_errors", st->model.sniff_errors);
	KV_UINT(b, "modified", st->model.modified);
	KV_UINT(b, "table_evicted", st->model.table_evicted);
	KV_UINT(b, "access_dropped", st->model.access_dropped);
	KV_UINT(b, "writes_dropped", st->model.writes_dropped);
	KV_UINT(b, "confirm_failed", st->model.confirm_failed);
	json_obj_end(b);
}

/* hash: sha256, hash_state and hash_error of an event whose object was hashed */
static void json_hash(struct jbuf *b, const struct event *ev)
{
	const char *state = hash_state_name(ev->hash_state);

	if (!state)
		return;
	if (ev->hash_state == HASH_OK) {
		KV_PLAIN(b, "sha256", ev->sha256);
	} else {
		JSON_KEY(b, "sha256");
		json_null(b);
	}
	KV_PLAIN(b, "hash_state", state);
	if (ev->hash_error)
		KV_PLAIN(b, "hash_error", ev->hash_error);
}

/* ctx: cgroup, container and pod (docs/events.md, "Context") */
static void json_ctx(struct jbuf *b, const struct event *ev)
{
	static const char *const v1_keys[4] = { "cpu", "memory", "pids", "systemd" };
	bool any_v1 = false;

	if (ev->cgroup)
		KV_STR(b, "cgroup", ev->cgroup);
	for (int k = 0; k < 4; k++) {
		if (!ev->cgroup_v1[k])
			continue;
		if (!any_v1) {
			json_key(b, "cgroup_v1");
			json_obj_begin(b);
			any_v1 = true;
		}
		json_key(b, v1_keys[k]);
		json_cstr(b, ev->cgroup_v1[k]);
	}
	if (any_v1)
		json_obj_end(b);
	if (ev->container_id)
		KV_STR(b, "container_id", ev->container_id);
	if (ev->container_runtime)
		KV_STR(b, "container_runtime", ev->container_runtime);
	if (ev->pod_uid)
		KV_STR(b, "pod_uid", ev->pod_uid);
}

static void json_strv(struct jbuf *b, const char *args, size_t len)
{
	size_t i = 0;

	json_arr_begin(b);
	while (args && i < len) {
		const char *s = args + i;
		size_t n = strnlen(s, len - i);

		json_str(b, s, n);
		i += n + 1;
	}
	json_arr_end(b);
}

/* ctx: "ancestors": [{pid, exe, args, exec_id}, ...], parent first */
static void json_ancestors(struct jbuf *b, const struct event *ev)
{
	char id[48];

	if (!ev->nancestors)
		return;
	json_key(b, "ancestors");
	json_arr_begin(b);
	for (uint32_t i = 0; i < ev->nancestors && i < EV_ANCESTORS_MAX; i++) {
		const struct ev_ancestor *a = &ev->ancestors[i];

		json_obj_begin(b);
		KV_UINT(b, "pid", a->pid);
		KV_STR(b, "exe", a->exe);
		json_key(b, "args");
		if (a->args)
			json_strv(b, a->args, a->args_len);
		else
			json_null(b);
		format_exec_id(a->pid, a->start_ns, id, sizeof(id));
		KV_PLAIN(b, "exec_id", id);
		json_obj_end(b);
	}
	json_arr_end(b);
}

int format_ctx_prepare(struct fmt_ctx *c)
{
	struct jbuf b;
	int rc;

	jbuf_init(&b);
	json_obj_begin(&b);
	KV_INT(&b, "schema", LT_SCHEMA_VERSION);
	KV_STR(&b, "hostname", c->hostname);
	KV_STR(&b, "boot_id", c->boot_id);
	json_obj_end(&b);
	rc = b.err;
	if (!rc) {
		/* keep the members, without the braces */
		c->prefix = strndup(b.buf + 1, b.len - 2);
		c->prefix_len = b.len - 2;
		rc = c->prefix ? 0 : -ENOMEM;
	}
	jbuf_release(&b);
	return rc;
}

void format_ctx_release(struct fmt_ctx *c)
{
	free(c->prefix);
	c->prefix = NULL;
	c->prefix_len = 0;
}

void format_json_exec(struct jbuf *b, const struct event *ev)
{
	KV_STR(b, "filename", ev->filename);
	KV_STR(b, "requested", ev->requested);
	if (ev->script)
		KV_STR(b, "interpreter", ev->interp);
	json_argv(b, ev);
	KV_STR(b, "cwd", ev->cwd);
	if ((ev->filename_flags | ev->cwd_flags) & LT_PF_TRUNC)
		KV_BOOL(b, "path_truncated", true);
	kv_dev(b, "dev", ev->exe_dev);
	KV_UINT(b, "inode", ev->exe_ino);
	mem_json_exec(b, ev);	/* mem: fileless, privilege_gain */
}

void format_json_fork(struct jbuf *b, const struct event *ev)
{
	char id[48];

	KV_UINT(b, "child_pid", ev->child_pid);
	format_exec_id(ev->child_pid, ev->child_start_ns, id, sizeof(id));
	KV_PLAIN(b, "child_exec_id", id);
}

void format_json_stats(struct jbuf *b, const struct event *ev)
{
	if (ev->stats)
		json_stats(b, ev->stats);
}

/* hash_update: the object whose digest went out pending */
void format_json_hash_update(struct jbuf *b, const struct event *ev)
{
	KV_STR(b, "filename", ev->filename);
	kv_dev(b, "dev", ev->fid.dev);
	KV_UINT(b, "inode", ev->fid.ino);
	KV_UINT(b, "ref_seq", ev->hash_ref_seq);
	KV_STR(b, "ref_event_name", ev->hash_ref_name);
}

/* scan_update: the same, and the verdict (model) */
void format_json_scan_update(struct jbuf *b, const struct event *ev)
{
	format_json_hash_update(b, ev);
	model_scan_json(b, ev);
}

int format_json(struct jbuf *b, const struct event *ev, const struct fmt_ctx *c)
{
	const struct ev_type_info *t = ev_type_info(ev->type);
	char ts[64], id[48];

	/* a type without an encoder is refused (counted), never printed as another */
	if (!t || !t->json)
		return -EINVAL;

	format_time(ev->ts_ns, ts, sizeof(ts));
	json_obj_begin(b);
	if (c->prefix) {
		json_members_raw(b, c->prefix, c->prefix_len);
	} else {
		KV_INT(b, "schema", LT_SCHEMA_VERSION);
		KV_STR(b, "hostname", c->hostname);
		KV_STR(b, "boot_id", c->boot_id);
	}
	KV_UINT(b, "seq", c->seq);
	KV_UINT(b, "timestamp", ev->ts_ns);
	KV_PLAIN(b, "time_str", ts);
	KV_UINT(b, "event_type", ev->type);
	KV_STR(b, "event_name", ev->name);
	KV_UINT(b, "pid", ev->pid);
	KV_UINT(b, "tid", ev->tid);
	KV_UINT(b, "ppid", ev->ppid);
	KV_UINT(b, "uid", ev->uid);
	KV_UINT(b, "gid", ev->gid);
	KV_UINT(b, "euid", ev->euid);
	KV_UINT(b, "loginuid", ev->loginuid);
	if (ev->has_ctx) {
		KV_UINT(b, "sessionid", ev->sessionid);
		if (ev->tty) {
			char tty[32];

			KV_PLAIN(b, "tty", tty_name(ev->tty, tty, sizeof(tty)));
		} else {
			JSON_KEY(b, "tty");
			json_null(b);
		}
	}
	KV_STR(b, "comm", ev->comm);
	KV_STR(b, "exe", ev->exe);
	format_exec_id(ev->pid, ev->start_ns, id, sizeof(id));
	KV_PLAIN(b, "exec_id", id);
	format_exec_id(ev->ppid, ev->parent_start_ns, id, sizeof(id));
	KV_PLAIN(b, "parent_exec_id", id);
	if (ev->has_ctx) {
		KV_UINT(b, "cgroup_id", ev->cgroup_id);
		KV_UINT(b, "pid_ns", ev->pid_ns);
		KV_UINT(b, "mnt_ns", ev->mnt_ns);
		KV_UINT(b, "net_ns", ev->net_ns);
		json_ctx(b, ev);
	}
	if (ev->syscall_nr >= 0) {
		KV_INT(b, "syscall_nr", ev->syscall_nr);
		KV_INT(b, "ret_code", ev->ret);
	}
	t->json(b, ev);
	if ((t->flags & EVT_WATCH) && c->watch)
		KV_STR(b, "watch", c->watch);
	/* hash */
	json_hash(b, ev);
	json_ancestors(b, ev);
	for (size_t i = 0; i < c->nextra; i++) {
		json_key(b, c->extra[i].key);
		json_raw(b, c->extra[i].json);
	}
	json_obj_end(b);
	jbuf_putc(b, '\n');
	return b->err;
}

/* ---- text --------------------------------------------------------------------- */

static void tq(struct jbuf *b, const char *s)
{
	if (!s) {
		jbuf_puts(b, "NULL");
		return;
	}
	text_quote(b, s, strlen(s));
}

/* stats: the concerns off, e.g. `, off=[file-modify "verifier: too large", gpu "needs file-open"]` */
static void text_concerns_off(struct jbuf *b, const struct concern_state *cs)
{
	bool any = false;

	for (int i = 0; cs && i < LT_NCONCERNS; i++) {
		if (!cs[i].off)
			continue;
		jbuf_puts(b, any ? ", " : ", off=[");
		jbuf_puts(b, concern_defs[i].name);
		jbuf_putc(b, ' ');
		tq(b, cs[i].reason);
		any = true;
	}
	if (any)
		jbuf_putc(b, ']');
}

static void text_mode(struct jbuf *b, uint32_t mode)
{
	char m[16];

	format_mode(mode, m, sizeof(m));
	jbuf_putc(b, '"');
	jbuf_puts(b, m);
	jbuf_putc(b, '"');
}

void format_text_exec(struct jbuf *b, const struct event *ev)
{
	size_t i = 0;

	tq(b, ev->filename);
	jbuf_puts(b, ", [");
	while (ev->args && i < ev->args_len) {
		const char *s = ev->args + i;
		size_t n = strnlen(s, ev->args_len - i);

		if (i)
			jbuf_puts(b, ", ");
		text_quote(b, s, n);
		i += n + 1;
	}
	if (ev->args_truncated)
		jbuf_puts(b, ", ...");
	jbuf_puts(b, "], cwd=");
	tq(b, ev->cwd);
	mem_text_exec(b, ev);	/* mem */
}

void format_text_fork(struct jbuf *b, const struct event *ev)
{
	jbuf_printf(b, "child=%u", ev->child_pid);
}

void format_text_exit(struct jbuf *b, const struct event *ev)
{
	if (ev->status & 0x7f) {
		const char *abbr = sigabbrev_np(ev->status & 0x7f);

		jbuf_printf(b, "signal=SIG%s", abbr ? abbr : "?");
	} else {
		jbuf_printf(b, "code=%u", (ev->status >> 8) & 0xff);
	}
}

void format_text_stats(struct jbuf *b, const struct event *ev)
{
	if (!ev->stats)
		return;
	jbuf_printf(b, "events=%llu, drops=%llu", (unsigned long long)ev->stats->events,
		    (unsigned long long)ev->stats->drops_total);
	for (uint32_t i = 0; i < LT_DROP_NCAT; i++)
		jbuf_printf(b, ", %s=%llu", drop_cat_name(i),
			    (unsigned long long)ev->stats->drops[i]);
	/* hash: exec descriptors fanotify lost (not in drops: not the kernel's rings) */
	jbuf_printf(b, ", fanotify=%llu", (unsigned long long)ev->stats->fanotify.lost);
	text_concerns_off(b, ev->stats->concerns);
}

/* a file event: its path (delete, rmdir, modify, and the start of the others) */
void format_text_file(struct jbuf *b, const struct event *ev)
{
	tq(b, ev_filename(ev));
}

/* create and mkdir: path and mode; mknod: and the device */
void format_text_create(struct jbuf *b, const struct event *ev)
{
	tq(b, ev_filename(ev));
	jbuf_puts(b, ", ");
	text_mode(b, ev->mode);
	if (ev->type == LT_EV_MKNOD)
		jbuf_printf(b, ", \"%u:%u\"", kdev_major(ev->rdev), kdev_minor(ev->rdev));
}

/* rename, link, symlink: both names */
void format_text_two_paths(struct jbuf *b, const struct event *ev)
{
	tq(b, ev_filename(ev));
	jbuf_puts(b, ", ");
	tq(b, ev->path2);
}

void format_text_attrib(struct jbuf *b, const struct event *ev)
{
	tq(b, ev_filename(ev));
	if (ev->attr & LT_ATTR_MODE)
		jbuf_printf(b, ", mode=%04o", ev->mode & 07777);
	if (ev->attr & LT_ATTR_OWNER)
		jbuf_printf(b, ", owner=%d:%d", (int32_t)ev->new_uid, (int32_t)ev->new_gid);
}

void format_text_open(struct jbuf *b, const struct event *ev)
{
	char fl[256];

	format_open_flags(ev->open_flags, fl, sizeof(fl));
	tq(b, ev_filename(ev));
	jbuf_printf(b, ", %s", fl);
}

/* hash */
void format_text_hash_update(struct jbuf *b, const struct event *ev)
{
	tq(b, ev->filename);
	jbuf_printf(b, ", ref_seq=%llu", (unsigned long long)ev->hash_ref_seq);
}

void format_text_scan_update(struct jbuf *b, const struct event *ev)	/* model */
{
	tq(b, ev->filename);
	jbuf_printf(b, ", scan=%s, ref_seq=%llu", model_scan_verdict(ev),
		    (unsigned long long)ev->hash_ref_seq);
}

/* lib */
void format_text_lib_load(struct jbuf *b, const struct event *ev)
{
	tq(b, ev_filename(ev));
	jbuf_printf(b, ", 0x%llx-0x%llx%s%s", (unsigned long long)ev->vm_start,
		    (unsigned long long)ev->vm_end, ev->lib_flags & LT_LF_INTERP ? ", interpreter" : "",
		    ev->untrusted ? ", untrusted" : "");
}

/* dlopen: the whole call and its result (EVT_TEXT_LINE) */
void format_text_dlopen(struct jbuf *b, const struct event *ev)
{
	char fl[128];

	jbuf_puts(b, ev->name ? ev->name : "unknown");
	jbuf_putc(b, '(');
	format_dlopen_flags(ev->dl_flags, fl, sizeof(fl));
	tq(b, ev->dl_name);
	jbuf_printf(b, ", %s) = %s", fl, ev->dl_handle ? "handle" : "NULL (failed)");
}

/* " = ret" of a successful call whose result is worth showing (open, fork, gpu_access) */
void format_text_ret(struct jbuf *b, const struct event *ev)
{
	jbuf_printf(b, " = %lld", (long long)ev->ret);
}

int format_text(struct jbuf *b, const struct event *ev, const struct fmt_ctx *c)
{
	const struct ev_type_info *t = ev_type_info(ev->type);
	char ts[64];

	(void)c;
	if (!t || !t->text)
		return -EINVAL;	/* as in format_json */
	format_time(ev->ts_ns, ts, sizeof(ts));
	jbuf_puts(b, ts);
	jbuf_putc(b, ' ');
	text_quote(b, ev->comm, strlen(ev->comm));
	jbuf_printf(b, "[%u] ", ev->pid);
	/* net: connect_tcp(3, "192.0.2.1:443") and the like (src/net.c); dlopen */
	if (t->flags & EVT_TEXT_LINE) {
		t->text(b, ev);
		jbuf_putc(b, '\n');
		return b->err;
	}
	jbuf_puts(b, ev->name ? ev->name : "unknown");
	jbuf_putc(b, '(');
	t->text(b, ev);
	/* hash */
	if (hash_state_name(ev->hash_state))
		jbuf_printf(b, ", sha256=%s%s%s", ev->hash_state == HASH_OK ? ev->sha256 :
			    hash_state_name(ev->hash_state), ev->hash_error ? "/" : "",
			    ev->hash_error ? ev->hash_error : "");
	jbuf_putc(b, ')');
	if (ev->syscall_nr >= 0 && ev->ret < 0) {
		const char *desc = ev->ret >= -4095 ? strerrordesc_np((int)-ev->ret) : NULL;

		jbuf_printf(b, " = %lld (%s)", (long long)ev->ret, desc ? desc : "?");
	} else if (t->text_ret) {
		t->text_ret(b, ev);
	}
	jbuf_putc(b, '\n');
	return b->err;
}
