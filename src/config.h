/* SPDX-License-Identifier: MIT */
/*
 * config - the policy (policy.toml) and command-line overrides, validated.
 *
 * Design: one table row per policy key (name, type, default, bounds, field
 * offset), in the style of redis's static_configs[]. Loading walks the TOML
 * tree against the table; every unknown key, wrong type or out-of-range
 * value is an error "FILE:LINE:COL: what is wrong" (with "did you mean" for
 * near misses), and the caller exits with status 2. A config is built on the
 * side and only swapped in when it is whole, which is what SIGHUP relies on.
 */
#ifndef LTRACK_CONFIG_H
#define LTRACK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ltrack/event.h>

enum lt_log_level { LT_LOG_DEBUG = 0, LT_LOG_INFO, LT_LOG_WARN, LT_LOG_ERROR };
enum lt_format { LT_FMT_JSON = 0, LT_FMT_TEXT };
enum lt_storage_type { LT_STORE_STDOUT = 0, LT_STORE_FILE, LT_STORE_SOCKET };

/* rotation settings shared by [log] and [storage] */
struct lt_rotate {
	int64_t max_size_mb;	/* rotate when the file exceeds this; 0 = never */
	int64_t max_age_days;	/* delete backups older than this; 0 = keep */
	int64_t max_backups;	/* keep at most this many backups; 0 = keep all */
	bool compress;		/* gzip rotated backups */
};

struct lt_watch {
	char *path;		/* as given (absolute after config_finish) */
	uint32_t mask;		/* enum lt_watch_bit */
	char *origin;		/* "policy.toml:12:3" or "--watch" for messages */
};

/* where something was written in the policy file (1-based; 0 = unknown) */
struct lt_config_pos {
	int line;
	int col;
};

/* one [storage.extra_fields] entry, value already encoded as JSON text */
struct lt_extra_field {
	char *key;
	char *json;
};

struct lt_config {
	char *path;			/* the policy file, NULL when none was read */
	bool have_policy;		/* a policy file was loaded */

	/* [file_monitor] */
	bool file_enabled;		/* default true */
	char **directories;		/* each means all=<dir> */
	size_t ndirectories;
	struct lt_config_pos *directory_pos;	/* where each was written, or NULL */

	/* [exec_monitor] */
	bool exec_enabled;		/* default true */
	char **commands;		/* watch_commands; empty = all */
	size_t ncommands;

	/* [network_monitor] (net) */
	bool net_present;		/* the section was written */
	bool net_enabled;		/* default false: every network event */
	int64_t *ports;			/* 1..65535; empty = every port */
	size_t nports;
	char **protocols;		/* "tcp" | "udp" | "unix"; empty = all */
	size_t nprotocols;
	uint32_t net_cli;		/* LT_NE() groups from --connect/--listen/--all */

	/* [library_monitor] (lib): lib_load and dlopen events */
	bool lib_enabled;		/* default true (off without a policy file) */
	char **trusted_dirs;		/* absolute directories added to the defaults */
	size_t ntrusted_dirs;
	bool lib_default_trusted;	/* default true: the built-in trusted dirs apply */
	bool lib_dlopen;		/* default true: the dlopen uprobe */

	/* [model_monitor] gpu: gpu_access events (src/gpu.h) */
	bool gpu_enabled;		/* `gpu`, default true (off without a policy file) */
	char **gpu_allow;		/* image names / paths allowed to open GPUs */
	size_t ngpu_allow;
	/* [model_monitor] (model): model_load, model_modified, model_exfil (src/model/model.h) */
	bool model_enabled;		/* default true (off without a policy file) */
	char **model_exts;		/* extensions with their dot; see model_extensions() */
	size_t nmodel_exts;
	bool model_exts_set;		/* the key was written (else the defaults apply) */
	bool model_confirm_set;
	char **model_loaders;		/* comm / image basenames, "NAME" or "PREFIX*" */
	size_t nmodel_loaders;
	bool model_loaders_set;
	char **model_confirm;		/* extensions counted only when the content is a model's */
	size_t nmodel_confirm;
	char **model_trainers;		/* processes allowed to write models (globs) */
	size_t nmodel_trainers;
	int64_t model_sniff_min_size;	/* anyone's files this large are sniffed (0: loaders' only) */
	int64_t model_exfil_percent;	/* % of a model's size sent to one address: model_exfil */
	int64_t model_max_mb;		/* larger model files are not hashed */
	bool model_scan;		/* scan loaded models (sandbox) */
	int64_t model_scan_wait_ms;	/* a model_load waits this long for its verdict */
	int64_t model_scan_timeout_ms;	/* per scan */

	/* [log] ltrack's own diagnostic log */
	enum lt_log_level log_level;	/* default info */
	enum lt_format log_format;	/* default text */
	char *log_output_path;		/* NULL or "" = stderr */
	struct lt_rotate log_rotate;

	/* [storage] where events go */
	bool storage_enabled;		/* default true */
	enum lt_storage_type storage_type;	/* default stdout */
	enum lt_format storage_format;	/* default json */
	char *storage_adapter;		/* logstash|elasticsearch|fluentd|graylog or NULL */
	char *storage_file_path;	/* type = file */
	struct lt_rotate storage_rotate;
	char *storage_remote_addr;	/* type = socket */
	int64_t storage_remote_port;	/* type = socket; 0 = not set */
	struct lt_extra_field *extra_fields;
	size_t nextra_fields;

	/* [http_server]: validated now, implemented by a later capability */
	bool http_present;
	bool http_enabled;
	char *http_host;		/* default "127.0.0.1" (see config_release) */
	int64_t http_port;

	/*
	 * mem: [security_monitor] groups, each default true; in effect only
	 * with a policy file (config_mem_groups())
	 */
	bool sec_memory;		/* mem_exec */
	bool sec_fileless;		/* memfd_create, exec fileless */
	bool sec_credentials;		/* cred_change, exec privilege_gain */
	bool sec_ptrace;
	bool sec_kill;
	bool sec_modules;		/* module_load, module_delete */

	/* from the command line and [file_monitor]: the resolved watch list */
	struct lt_watch *watches;
	size_t nwatches;

	/*
	 * ctx: [filter] and --pid/--uid/--events: eTracee's filters, applied in
	 * the kernel (lt_policy); [exec_monitor] ancestors and --ancestors
	 */
	struct lt_range pids[LT_RANGES_MAX];	/* tgid ranges; npids = 0: every pid */
	size_t npids;
	struct lt_range uids[LT_RANGES_MAX];	/* real uid ranges; nuids = 0: every uid */
	size_t nuids;
	char **events;			/* [filter] events as written */
	size_t nevents;
	uint32_t ev_mask[LT_EV_MAX / 32];	/* selected event types (config_finish) */
	bool events_set;		/* some selection was given: ev_mask narrows */
	int64_t ancestors;		/* ancestry levels on every event; 0 = off */
	/* [hashing] (hash): SHA-256 of exec images and loaded libraries, src/enrich.h */
	bool hash_enabled;		/* default true; only where exec/lib events are reported */
	int64_t hash_wait_ms;		/* how long an event waits for its digest */
	int64_t hash_cache_entries;
	int64_t hash_workers;
	int64_t hash_max_file_mb;
	int64_t hash_nice;		/* hash: nice value of the hashing workers */
	bool hash_fanotify;		/* hash: exec images read through fanotify's descriptor */
	/*
	 * [security_monitor], evade's groups (default true; in effect only when a
	 * policy file is in use): see config_evade_groups()
	 */
	bool sec_timestomp, sec_xattr, sec_truncate, sec_namespaces, sec_mounts, sec_bpf,
	     sec_perf, sec_process_vm, sec_prctl, sec_fd_redirect, sec_io_uring;
	/* end evade */
	/* [model_monitor] (inventory): the model inventory and ltrack models' channel */
	char *inventory_file;		/* "" or NULL: kept in memory only */
	char *control_socket;		/* "" or NULL: no control channel */
	int64_t inventory_max_entries;
	int64_t inventory_loaders;
	/* end inventory */

	/* run-time switches (CLI; some have policy keys) */
	bool failed;			/* --failed or [agent] failed: report failed attempts too */
	bool strict;			/* [agent] strict (or --strict): a refused concern is fatal */
	int64_t stats_interval_s;	/* [agent] stats_interval; 0 = only at exit */
};

struct lt_config_err {
	char file[256];
	int line;			/* 0 when not tied to a position */
	int col;
	char msg[512];
};

/*
 * config_init - fill @c with the defaults of every key.
 * String fields are NULL or heap copies owned by @c, except that a field
 * may point at its static default (http_host); config_release knows this.
 * Code outside config.c that replaces a string field must free() the old
 * value only if it differs from the default, or better, not do it at all.
 */
void config_init(struct lt_config *c);

/*
 * config_load_file - read and validate policy file @path into @c (which
 * config_init prepared). Returns 0, or -errno with @err filled:
 * -ENOENT/-EACCES/... (cannot read: msg "cannot read: <strerror>", line 0),
 * -EFBIG (larger than 16 MiB), -EINVAL (syntax or validation), -ENOMEM.
 * Keys not written keep their current value. On failure @c may hold part
 * of the file: config_release it (the caller builds a new config on the
 * side and swaps it in only when whole).
 * On success c->path is a copy of @path and c->have_policy is true.
 */
int config_load_file(struct lt_config *c, const char *path, struct lt_config_err *err);

/*
 * config_load_buf - as config_load_file, from memory; @name is used in
 * messages. For tests and fuzzing.
 */
int config_load_buf(struct lt_config *c, const char *buf, size_t len, const char *name,
		    struct lt_config_err *err);

/*
 * config_add_watch_spec - parse a SysTracer watch spec "create,delete=/path"
 * (events: all create mkdir mknod delete rmdir rename attrib symlink link
 * modify open; "all" is LT_W_ALL, which leaves out open) and append it to
 * c->watches. The path is split at the first '=' and kept as given.
 * @origin ("--watch" when NULL) is stored for messages. Returns 0, -ENOMEM,
 * or -EINVAL with @err: err->file is "" and err->msg reads
 * "--watch 'crate=/x': unknown event 'crate'; did you mean 'create'?".
 */
int config_add_watch_spec(struct lt_config *c, const char *spec, const char *origin,
			  struct lt_config_err *err);

/*
 * config_finish - derive the watch list: [file_monitor] directories (only
 * when file_enabled) become all=<dir> watches with origin "FILE:LINE:COL",
 * placed before the watches config_add_watch_spec added; every path is made
 * absolute and canonical (realpath, against the current directory) and must
 * be a directory; two watches of one directory (same device and inode)
 * merge into one whose mask is the union, keeping the first path and
 * origin. Calling it again gives the same list. Returns 0, or -errno with
 * @err ("FILE:L:C: watched directory '/x': No such file or directory" for a
 * policy directory, "--watch '/x': Not a directory" for a CLI one); on
 * failure c->watches is unchanged.
 */
int config_finish(struct lt_config *c, struct lt_config_err *err);

/*
 * config_format_err - "file:line:col: msg" into @buf; "file: msg" when
 * line is 0, and just "msg" when file is empty
 */
void config_format_err(const struct lt_config_err *err, char *buf, size_t len);

/*
 * model: config_model_exts / config_model_loaders - [model_monitor]
 * extensions and loaders as written, or the built-in defaults when the
 * key is absent (@n gets the count; the strings are not to be freed)
 */
char *const *config_model_exts(const struct lt_config *c, size_t *n);
char *const *config_model_loaders(const struct lt_config *c, size_t *n);
char *const *config_model_confirm(const struct lt_config *c, size_t *n);

/* config_release - free everything @c owns and re-init it; safe twice */
void config_release(struct lt_config *c);

/*
 * lt_watch_mask_name - "create,delete" style text of a mask into @buf
 * ("all" for LT_W_ALL, "all,open" for LT_W_ALL | LT_W_OPEN, "none" for 0);
 * returns @buf
 */
const char *lt_watch_mask_name(uint32_t mask, char *buf, size_t len);

/* ---- ctx: filters and ancestry -------------------------------------------- */

#define LT_ANCESTORS_MAX 16

/*
 * lt_range_parse - one pid/uid range of @len bytes at @s: "N" or "LO-HI"
 * (decimal, 0..4294967295, LO <= HI; no sign, no spaces). Returns 0, or
 * -EINVAL with a reason ("'200-100': LO is above HI") in @why.
 */
int lt_range_parse(const char *s, size_t len, struct lt_range *r, char *why, size_t whylen);

/*
 * config_set_ranges - replace c->pids (@uids false) or c->uids with the comma
 * list @list ("100-200,300"); an empty list clears the filter. At most
 * LT_RANGES_MAX ranges. Returns 0 or -EINVAL with err->msg
 * "@origin '@list': ..." (err->file "").
 */
int config_set_ranges(struct lt_config *c, bool uids, const char *list, const char *origin,
		      struct lt_config_err *err);

/*
 * config_set_events - replace the event selection with the comma list @list
 * ("exec,open,connect"): names of the event table (events.c), plus
 * eTracee's "execve" and "openat" for exec and open. An unknown name is
 * -EINVAL with "unknown event 'opne'; did you mean 'open'?".
 */
int config_set_events(struct lt_config *c, const char *list, const char *origin,
		      struct lt_config_err *err);

/*
 * config_event_selected - is event type @type selected (--events,
 * [filter] events)? For events made by user space, which the kernel's
 * ev_gate() never sees.
 */
bool config_event_selected(const struct lt_config *c, uint32_t type);

/*
 * config_evade_groups - the LT_EG_* groups of evade events @c turns on:
 * none without a policy file (--watch only), else those whose
 * [security_monitor] key is true
 */
uint32_t config_evade_groups(const struct lt_config *c);

/*
 * config_mem_groups - the LT_MEMG_* groups of mem's events @c turns on: none
 * without a policy file, else those whose [security_monitor] key is true.
 * A mem program is attached only while a group it serves is on.
 */
uint32_t config_mem_groups(const struct lt_config *c);

/*
 * config_write_reference - the policy reference as Markdown, generated from
 * the key table (every section, key, type, range, default and doc string).
 * Returns 0 or -EIO.
 */
int config_write_reference(FILE *f);

#endif
