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
#include "fields.h"
#include "format.h"
#include "output/field_json.h"
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

size_t format_time(uint64_t ns, char *buf, size_t len)
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
	for (int i = 5; i >= 1; i -= 2) {
		unsigned r = us % 100;

		tail[i] = (char)('0' + r / 10);
		tail[i + 1] = (char)('0' + r % 10);
		us /= 100;
	}
	tail[7] = 'Z';
	tail[8] = '\0';
	{
		size_t dl = strnlen(date, sizeof(date));

		if (len < dl + sizeof(tail)) {
			snprintf(buf, len, "%s%s", date, tail);
			return len ? strlen(buf) : 0;
		}
		memcpy(buf, date, dl);
		memcpy(buf + dl, tail, sizeof(tail));
		return dl + sizeof(tail) - 1;
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

const char *format_file_type(uint32_t mode)
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

size_t format_kdev(uint32_t kdev, char *buf, size_t len)
{
	char s[32], *end = s + sizeof(s), *p;

	*--end = '\0';
	p = dec_u64(end, kdev_minor(kdev));
	*--p = ':';
	p = dec_u64(p, kdev_major(kdev));
	if ((size_t)(end - p) + 1 > len) {
		if (len)
			buf[0] = '\0';
		return 0;
	}
	memcpy(buf, p, (size_t)(end - p) + 1);
	return (size_t)(end - p);
}

size_t format_open_flags(uint32_t flags, char *buf, size_t len)
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
		return 0;
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
	return n;
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

static void json_stats_hash(struct jbuf *b, const struct ev_stats *st)
{
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
}

static void json_stats_fanotify(struct jbuf *b, const struct ev_stats *st)
{
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
}

static void json_stats_scan(struct jbuf *b, const struct ev_stats *st)
{
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
	KV_UINT(b, "joined", st->scan.joined);
	KV_UINT(b, "user_full", st->scan.user_full);
	KV_UINT(b, "workers", st->scan.workers);
	KV_UINT(b, "changed", st->scan.changed);
	json_obj_end(b);
}

static void json_stats_model(struct jbuf *b, const struct ev_stats *st)
{
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
	KV_BOOL(b, "hooks_attached", st->model.hooks_attached);
	KV_UINT(b, "hook_attaches", st->model.hook_attaches);
	KV_UINT(b, "cold_holds", st->model.cold_holds);
	json_obj_end(b);
}

/* ---- stats: rows of the field registry (src/fields.h) ------------------------- */

#define SGET(fn, ty, expr)                                                \
	static int fn(const struct event *ev, struct fld_val *v)          \
	{                                                                 \
		if (!ev->stats)                                           \
			return -ENOENT;                                   \
		v->ty = ev->stats->expr;                                  \
		return 0;                                                 \
	}
SGET(get_drops_total, u, drops_total)
SGET(get_events, u, events)
SGET(get_decode_errors, u, decode_errors)
SGET(get_sink_dropped, u, sink_dropped)
SGET(get_proc_entries, u, proc_entries)
SGET(get_proc_max, u, proc_max)
SGET(get_proc_evicted, u, proc_evicted)
SGET(get_proc_expired, u, proc_expired)
SGET(get_proc_args_cut, u, proc_args_cut)
SGET(get_cg_entries, u, cg_entries)
SGET(get_cg_max, u, cg_max)
SGET(get_cg_evicted, u, cg_evicted)
SGET(get_interval_s, u, interval_s)
SGET(get_final, b, final)
#undef SGET

static void write_drops(struct jbuf *b, const struct event *ev)
{
	if (!ev->stats)
		return;
	JSON_KEY(b, "drops");
	json_obj_begin(b);
	for (uint32_t i = 0; i < LT_DROP_NCAT; i++)
		json_kv_uint(b, drop_cat_name(i), ev->stats->drops[i]);
	json_obj_end(b);
}

static void write_concerns(struct jbuf *b, const struct event *ev)
{
	if (ev->stats)
		json_concerns(b, ev->stats->concerns);
}

static void write_hash(struct jbuf *b, const struct event *ev)
{
	if (ev->stats)
		json_stats_hash(b, ev->stats);
}

static void write_fanotify(struct jbuf *b, const struct event *ev)
{
	if (ev->stats)
		json_stats_fanotify(b, ev->stats);
}

static void write_scan(struct jbuf *b, const struct event *ev)
{
	if (ev->stats)
		json_stats_scan(b, ev->stats);
}

static void write_model_monitor(struct jbuf *b, const struct event *ev)
{
	if (ev->stats)
		json_stats_model(b, ev->stats);
}

static void write_memory(struct jbuf *b, const struct event *ev)
{
	const struct ev_memory_stats *m;

	if (!ev->stats)
		return;
	m = &ev->stats->memory;
	JSON_KEY(b, "memory");
	json_obj_begin(b);
	KV_UINT(b, "rss_bytes", m->rss_bytes);
	KV_UINT(b, "heap_bytes", m->heap_bytes);
	KV_UINT(b, "rings_bytes", m->rings_bytes);
	KV_UINT(b, "proc_table_bytes", m->proc_table_bytes);
	KV_UINT(b, "cgroup_cache_bytes", m->cgroup_cache_bytes);
	KV_UINT(b, "output_cache_bytes", m->output_cache_bytes);
	json_obj_end(b);
}

#define R(nm, ty, get, doc) FIELD_ROW(nm, ty, 0, FG_OWN, get, NULL, doc)
#define O(nm, write, doc) FIELD_ROW(nm, FT_OBJECT, 0, FG_OWN, NULL, write, doc)
static const struct ev_field stats_rows[] = {
	O("drops", write_drops,
	  "object: events the kernel could not queue since start, per category: `exec`, `fork`, "
	  "`exit`, `file`, `modify_tracking`, `evade`, `mem`, `lib`, `net`, `net_tracking`, `gpu`, "
	  "`model` (model_load, model_exfil, model records sent to user space)"),
	R("drops_total", FT_UINT, get_drops_total, "their sum"),
	R("events", FT_UINT, get_events, "records written since start (this one excluded)"),
	R("decode_errors", FT_UINT, get_decode_errors, "malformed ring records (counted, not printed)"),
	R("sink_dropped", FT_UINT, get_sink_dropped,
	  "records the output could not take (socket queue full, reader gone)"),
	R("proc_table_entries", FT_UINT, get_proc_entries, "user-space process table size"),
	R("proc_table_max", FT_UINT, get_proc_max, "its bound"),
	R("proc_table_evicted", FT_UINT, get_proc_evicted,
	  "entries evicted early to respect the bound"),
	R("proc_table_expired", FT_UINT, get_proc_expired,
	  "process table entries freed after their exit and grace period (10 s)"),
	R("proc_table_args_cut", FT_UINT, get_proc_args_cut,
	  "argv kept for ancestry cut to 256 bytes because the table already held 16 MiB of argv "
	  "(see Context)"),
	R("cgroup_cache_entries", FT_UINT, get_cg_entries, "the cgroup_id cache (see Context): size"),
	R("cgroup_cache_max", FT_UINT, get_cg_max, "its bound"),
	R("cgroup_cache_evicted", FT_UINT, get_cg_evicted, "entries dropped to respect it"),
	R("interval_s", FT_UINT, get_interval_s, "the configured interval"),
	R("final", FT_BOOL, get_final, "true for the record written at exit"),
	O("concerns", write_concerns,
	  "array: every concern of BPF programs, on or off and why (see [stats: "
	  "`concerns`](#stats-concerns))"),
	O("hash", write_hash,
	  "object: the hashing stage's counters (see [Hashes](#hashes)); `enabled` false and zeros "
	  "when hashing is off"),
	O("fanotify", write_fanotify,
	  "object: fanotify's exec descriptors (see [stats: fanotify](#stats-fanotify)); not part of "
	  "`drops_total`, which counts the kernel's rings"),
	O("scan", write_scan, "object: the model scanner's verdicts (see [stats: `scan`](#stats-scan))"),
	O("model_monitor", write_model_monitor,
	  "object: the model monitor's own work and losses (see [stats: "
	  "`model_monitor`](#stats-model_monitor))"),
	O("memory", write_memory,
	  "object: the agent's memory and the budget of its larger parts (see [stats: "
	  "`memory`](#stats-memory))"),
};
#undef R
#undef O
FIELD_LIST(ev_fields_stats, stats_rows, "stats");


#define PC_N 64		/* entries */
#define PC_NSTR 9	/* exe, cgroup, cgroup_v1[4], container_id, _runtime, pod_uid */
#define PC_STRS 1024	/* their bytes, NULs included; longer inputs are not cached */
#define PC_BLOCK 1536	/* the run's JSON; longer runs are not cached */

struct pc_key {
	uint64_t start_ns, parent_start_ns, cgroup_id;
	uint32_t pid, ppid, uid, gid, euid, loginuid, sessionid, tty, pid_ns, mnt_ns, net_ns;
	uint32_t has_ctx, delegated;
	char comm[17];
};

struct pc_ent {
	struct pc_key k;
	bool valid;
	uint16_t slen[PC_NSTR];	/* strlen + 1; 0: NULL */
	uint16_t block_len;
	char strs[PC_STRS];
	char block[PC_BLOCK];
};

/* the run of FLD_TYPE rows of one type: `"event_type":N,"event_name":"name"` */
struct pc_type {
	uint16_t len;		/* 0: not encoded yet */
	char json[78];
};

struct fmt_pcache {
	struct pc_ent e[PC_N];
	struct pc_type types[LT_EV_MAX];
	uint64_t hits, misses;
	struct json_counter seq;	/* the text of the last seq */
};

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
	if (!rc) {
		c->pcache = calloc(1, sizeof(*c->pcache));
		rc = c->pcache ? 0 : -ENOMEM;
	}
	jbuf_release(&b);
	return rc;
}

size_t format_ctx_bytes(const struct fmt_ctx *c)
{
	return c->prefix_len + (c->pcache ? sizeof(*c->pcache) : 0);
}

void format_ctx_release(struct fmt_ctx *c)
{
	free(c->prefix);
	c->prefix = NULL;
	c->prefix_len = 0;
	free(c->pcache);
	c->pcache = NULL;
}



/* ---- the process's context, encoded once ---------------------------------------
 *
 * The run of FLD_PROC rows (ppid .. container_delegated: ~20 members, ~400 bytes) is the
 * same for every event of a process while its ids, comm, image and cgroups
 * stay. Each entry keeps the inputs of the run, by value (strings copied, so
 * a freed and reused pointer cannot match), and the run's JSON; an event
 * whose inputs are all equal gets the JSON copied. Direct-mapped by pid.
 */
static void pc_strs(const struct event *ev, const char *out[PC_NSTR])
{
	out[0] = ev->exe;
	out[1] = ev->cgroup;
	for (int i = 0; i < 4; i++)
		out[2 + i] = ev->cgroup_v1[i];
	out[6] = ev->container_id;
	out[7] = ev->container_runtime;
	out[8] = ev->pod_uid;
}

static void pc_key_of(const struct event *ev, struct pc_key *k)
{
	memset(k, 0, sizeof(*k));	/* padding: keys are compared with memcmp */
	k->start_ns = ev->start_ns;
	k->parent_start_ns = ev->parent_start_ns;
	k->cgroup_id = ev->cgroup_id;
	k->pid = ev->pid;
	k->ppid = ev->ppid;
	k->uid = ev->uid;
	k->gid = ev->gid;
	k->euid = ev->euid;
	k->loginuid = ev->loginuid;
	k->sessionid = ev->sessionid;
	k->tty = ev->tty;
	k->pid_ns = ev->pid_ns;
	k->mnt_ns = ev->mnt_ns;
	k->net_ns = ev->net_ns;
	k->has_ctx = ev->has_ctx;
	k->delegated = ev->container_delegated;
	memcpy(k->comm, ev->comm, sizeof(k->comm));
}

/* the entry of @ev if its inputs are those of the cached run: compared field by field */
static bool pc_match(const struct pc_ent *e, const struct event *ev)
{
	const struct pc_key *k = &e->k;
	const char *p = e->strs;
	const char *s[PC_NSTR];

	if (!e->valid || k->pid != ev->pid || k->start_ns != ev->start_ns ||
	    k->ppid != ev->ppid || k->parent_start_ns != ev->parent_start_ns ||
	    k->uid != ev->uid || k->gid != ev->gid || k->euid != ev->euid ||
	    k->loginuid != ev->loginuid || k->has_ctx != ev->has_ctx ||
	    k->delegated != (uint32_t)ev->container_delegated ||
	    k->sessionid != ev->sessionid || k->tty != ev->tty || k->cgroup_id != ev->cgroup_id ||
	    k->pid_ns != ev->pid_ns || k->mnt_ns != ev->mnt_ns || k->net_ns != ev->net_ns ||
	    memcmp(k->comm, ev->comm, sizeof(k->comm)))
		return false;
	pc_strs(ev, s);
	for (int i = 0; i < PC_NSTR; i++) {
		if (!s[i] || !e->slen[i]) {
			if (s[i] || e->slen[i])
				return false;
			continue;
		}
		if (memcmp(p, s[i], e->slen[i]))	/* compares the NUL too */
			return false;
		p += e->slen[i];
	}
	return true;
}

/* keep the run just encoded (@run, @len bytes) with its inputs; too long: not kept */
static void pc_store(struct pc_ent *e, const struct pc_key *k, const char *const s[PC_NSTR],
		     const char *run, size_t len)
{
	size_t n = 0;

	e->valid = false;
	if (len > sizeof(e->block))
		return;
	for (int i = 0; i < PC_NSTR; i++) {
		size_t l = s[i] ? strlen(s[i]) + 1 : 0;

		if (l > sizeof(e->strs) - n)
			return;
		if (l)
			memcpy(e->strs + n, s[i], l);
		e->slen[i] = (uint16_t)l;
		n += l;
	}
	e->k = *k;
	memcpy(e->block, run, len);
	e->block_len = (uint16_t)len;
	e->valid = true;
}

/* the watch of a file event (the tail's FLD_AGENT row); the head's are the prefix and seq */
void format_json_agent_row(struct jbuf *b, const struct ev_field *f, const struct event *ev,
			   const struct fmt_ctx *c)
{
	(void)ev;
	/* c->watch is set for the types a watch selects only (EVT_WATCH, main.c) */
	if (f->group == FG_FILE && c->watch) {
		json_key_lit(b, f->key, f->key_len);
		json_cstr(b, c->watch);
	}
}

/*
 * run_encode - encode the @n rows of a run; returns where its members start
 * in @b (after the comma: members precede every run), or NULL when there is
 * nothing to keep (an error, or no member)
 */
static const char *run_encode(struct jbuf *b, const struct ev_field *rows, size_t n,
			      const struct event *ev, size_t *len)
{
	size_t start = b->len;

	for (size_t i = 0; i < n; i++)
		field_json_row(b, &rows[i], ev);
	if (b->err || b->len <= start + 1 || b->buf[start] != ',')
		return NULL;
	*len = b->len - start - 1;
	return b->buf + start + 1;
}

/*
 * The runs of FLD_PROC rows (the process's context) and FLD_TYPE rows (the
 * type's number and name), starting at @rows[0] (@n rows): copied from the
 * cache, or encoded and kept. (field_json.h)
 */
void format_json_proc_run(struct jbuf *b, const struct ev_field *rows, size_t n,
			  const struct event *ev, const struct fmt_ctx *c)
{
	struct fmt_pcache *pc = c->pcache;
	const char *s[PC_NSTR], *run;
	struct pc_key k;
	struct pc_ent *e;
	size_t len;

	if (!pc || b->first) {
		run_encode(b, rows, n, ev, &len);
		return;
	}
	e = &pc->e[(ev->pid * 2654435761u) >> 26];	/* PC_N = 64 */
	if (pc_match(e, ev)) {
		pc->hits++;
		json_members_raw(b, e->block, e->block_len);
		return;
	}
	pc->misses++;
	pc_key_of(ev, &k);
	pc_strs(ev, s);
	run = run_encode(b, rows, n, ev, &len);
	if (run)
		pc_store(e, &k, s, run, len);
}

void format_json_type_run(struct jbuf *b, const struct ev_field *rows, size_t n,
			  const struct event *ev, const struct fmt_ctx *c)
{
	struct fmt_pcache *pc = c->pcache;
	struct pc_type *t;
	const char *run;
	size_t len;

	if (!pc || b->first || ev->type >= LT_EV_MAX) {
		run_encode(b, rows, n, ev, &len);
		return;
	}
	t = &pc->types[ev->type];
	if (t->len) {
		json_members_raw(b, t->json, t->len);
		return;
	}
	run = run_encode(b, rows, n, ev, &len);
	if (run && len <= sizeof(t->json)) {
		memcpy(t->json, run, len);
		t->len = (uint16_t)len;
	}
}

int format_json(struct jbuf *b, const struct event *ev, const struct fmt_ctx *c)
{
	const struct ev_type_info *t = ev_type_info(ev->type);

	/* a type without an encoder is refused (counted), never printed as another */
	if (!t || !t->fields)
		return -EINVAL;

	json_obj_begin(b);
	if (c->prefix) {
		json_members_raw(b, c->prefix, c->prefix_len);
	} else {
		KV_INT(b, "schema", LT_SCHEMA_VERSION);
		KV_STR(b, "hostname", c->hostname);
		KV_STR(b, "boot_id", c->boot_id);
	}
	JSON_KEY(b, "seq");
	if (c->pcache)
		json_uint_next(b, &c->pcache->seq, c->seq);
	else
		json_uint(b, c->seq);
	/* the rows of the field registry: head, the type's own, tail */
	ev_fields_head.json(b, ev, c);
	t->fields->json(b, ev, c);
	ev_fields_tail.json(b, ev, c);
	for (size_t i = 0; i < c->nextra; i++) {
		json_key(b, c->extra[i].key);
		json_raw(b, c->extra[i].json);
	}
	json_obj_end(b);
	jbuf_putc(b, '\n');
	return b->err;
}

/* ---- text --------------------------------------------------------------------- */

/* the filename to print: user space's canonical form when it made one */
static void tq(struct jbuf *b, const char *s)
{
	if (!s) {
		jbuf_puts(b, "NULL");
		return;
	}
	text_quote(b, s, strlen(s));
}

/*
 * a path the kernel cut (LT_PF_TRUNC: its deepest components, the start
 * lost) is marked `..."` so that the suffix does not read as an absolute
 * path (security review, finding 15; JSON has path_truncated)
 */
static void tq_path(struct jbuf *b, const char *s, uint16_t flags)
{
	if (s && (flags & LT_PF_TRUNC))
		jbuf_puts(b, "...");
	tq(b, s);
}

/* the event's path: the canonical one when user space made it (whole), else the kernel's */
static void tq_file(struct jbuf *b, const struct event *ev)
{
	if (ev->canon[0])
		tq(b, ev->canon);
	else
		tq_path(b, ev->filename, ev->filename_flags);
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

	tq_path(b, ev->filename, ev->filename_flags);
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
	tq_path(b, ev->cwd, ev->cwd_flags);
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
	tq_file(b, ev);
}

/* create and mkdir: path and mode; mknod: and the device */
void format_text_create(struct jbuf *b, const struct event *ev)
{
	tq_file(b, ev);
	jbuf_puts(b, ", ");
	text_mode(b, ev->mode);
	if (ev->type == LT_EV_MKNOD)
		jbuf_printf(b, ", \"%u:%u\"", kdev_major(ev->rdev), kdev_minor(ev->rdev));
}

/* rename, link, symlink: both names */
void format_text_two_paths(struct jbuf *b, const struct event *ev)
{
	tq_file(b, ev);
	jbuf_puts(b, ", ");
	tq_path(b, ev->path2, ev->path2_flags);
}

void format_text_attrib(struct jbuf *b, const struct event *ev)
{
	tq_file(b, ev);
	if (ev->attr & LT_ATTR_MODE)
		jbuf_printf(b, ", mode=%04o", ev->mode & 07777);
	if (ev->attr & LT_ATTR_OWNER)
		jbuf_printf(b, ", owner=%d:%d", (int32_t)ev->new_uid, (int32_t)ev->new_gid);
}

void format_text_open(struct jbuf *b, const struct event *ev)
{
	char fl[256];

	format_open_flags(ev->open_flags, fl, sizeof(fl));
	tq_file(b, ev);
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
	tq_file(b, ev);
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
