/* SPDX-License-Identifier: MIT */
/*
 * events - decode ring records (include/ltrack/event.h) into struct event,
 * the one internal event type every later stage (enrichment, output, rules)
 * works on.
 *
 * Decoding validates everything the kernel wrote: the record size, every
 * string length and its NUL. A record that fails is counted by the caller
 * and never half-printed. Strings in a decoded event point into the record
 * (or into the event's own buffers after enrichment), so an event lives
 * only as long as the record it came from.
 */
#ifndef LTRACK_EVENTS_H
#define LTRACK_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ltrack/event.h>

#define EV_PATH_BUF 4352

struct concern_state;

/* the payload of a stats event (made by user space) */
struct ev_stats {
	uint64_t drops[LT_DROP_NCAT];	/* kernel drops per category since start */
	uint64_t drops_total;
	uint64_t events;		/* events written since start */
	uint64_t decode_errors;		/* malformed records (counted, not printed) */
	uint64_t sink_dropped;		/* records the sink could not deliver */
	uint64_t proc_entries;		/* process table size */
	uint64_t proc_max;
	uint64_t proc_evicted;
	uint64_t interval_s;
	bool final;			/* the last stats of this run */
	/* ctx: process table and cgroup cache */
	uint64_t proc_expired;
	uint64_t proc_args_cut;
	uint64_t cg_entries, cg_max, cg_evicted;
	/* hash: the enrichment stage's counters (struct enrich_stats, src/enrich.h) */
	struct ev_hash_stats {
		bool enabled;
		uint64_t cache_entries, cache_max, cache_hits, cache_misses, cache_evictions;
		uint64_t jobs_queued, jobs_dropped, queue_depth, held, held_full;
		uint64_t emitted_pending, updates, updates_dropped, unavailable, skipped;
		uint64_t prio_failed;	/* workers running at normal priority (hash.c) */
		uint64_t fd_jobs, witnessed, witness_refused;	/* fanotify descriptors (enrich.h) */
		uint64_t scan_pending, scan_updates;	/* model: shown in "scan" below */
	} hash;
	/* the concerns: LT_NCONCERNS entries (src/concern.h), or NULL */
	const struct concern_state *concerns;
	/* hash: descriptors of executed files from fanotify (src/fanexec.h) */
	struct ev_fanotify_stats {
		bool enabled;
		uint64_t filesystems, mark_failed;	/* marked now; whose mark failed */
		uint64_t events;			/* FAN_OPEN_EXEC events read */
		uint64_t used, released, expired, ignored;
		uint64_t overflows, fd_errors, evicted;	/* lost: their sum */
		uint64_t lost;
		uint64_t held, held_max;
	} fanotify;
	/* model: scan verdicts of model_load (src/model/modelscan.h, src/scan/sandbox.h) */
	struct ev_scan_stats {
		bool enabled;
		uint64_t submitted, cache_hits, verdicts, refused, cache_entries;
		uint64_t emitted_pending, updates;	/* from the enrichment stage */
		uint64_t workers_crashed, timeouts;	/* from the sandbox */
		uint64_t joined;			/* loads that waited for a running scan */
		uint64_t user_full;			/* refused for the user's share */
		uint64_t workers;			/* scan workers */
		uint64_t changed;			/* files changed under their scan */
	} scan;
	/* the agent's memory, measured, and the budget of its larger parts (main.c) */
	struct ev_memory_stats {
		uint64_t rss_bytes;		/* resident, as /proc/self/statm says */
		uint64_t heap_bytes;		/* malloc'd and in use (mallinfo2) */
		uint64_t rings_bytes;		/* the rings' capacity, mapped from the kernel */
		uint64_t proc_table_bytes;	/* of heap_bytes: the process table */
		uint64_t cgroup_cache_bytes;	/* of heap_bytes: the cgroup cache */
		uint64_t output_cache_bytes;	/* of heap_bytes: each process's encoded context */
	} memory;
	/* model: the monitor's own work and losses (model_get_stats, src/model/model.h) */
	struct ev_model_stats {
		bool enabled;
		uint64_t candidates, sniffed_models, sniff_errors, modified, table_evicted;
		uint64_t access_dropped, writes_dropped, confirm_failed;
		bool hooks_attached;		/* the read and send hooks, now */
		uint64_t hook_attaches, cold_holds;
	} model;
};

/* ctx: one ancestor of an event's process (main.c, from the process table) */
#define EV_ANCESTORS_MAX 16
struct ev_ancestor {
	uint32_t pid;
	uint64_t start_ns;
	const char *exe;		/* NULL: unknown */
	const char *args;		/* NUL-separated argv, NULL: unknown */
	size_t args_len;
};

struct scan_report;

/* struct ev_model.scan_state */
enum {
	EV_SCAN_NONE = 0,	/* no scan for this event */
	EV_SCAN_WAITING,	/* submitted; the event may wait for it (enrich) */
	EV_SCAN_DONE,		/* model.scan holds the report */
	EV_SCAN_PENDING,	/* went out without it: a scan_update follows */
};

struct event {
	/* common */
	uint32_t type;			/* enum lt_ev_type */
	const char *name;		/* event_name */
	uint64_t ts_boot_ns;
	uint64_t ts_ns;			/* since the epoch (set by the caller: clock_boot_to_epoch) */
	uint32_t pid, tid, ppid, uid, gid, euid, loginuid;
	int32_t syscall_nr;		/* -1: no syscall behind the event */
	int64_t ret;
	uint32_t hflags;		/* LT_HF_* */
	char comm[17];
	uint64_t start_ns, parent_start_ns;	/* process keys with pid / ppid */
	const char *exe;		/* from the process table; may be NULL */
	/* context (lt_hdr); has_ctx: false for events made by user space */
	bool has_ctx;
	uint32_t sessionid;		/* (u32)-1: unset */
	uint64_t cgroup_id;
	uint32_t pid_ns, mnt_ns, net_ns;
	uint32_t tty;			/* kernel dev_t encoding, 0: none */

	/* file events */
	const char *filename;		/* exec: resolved image; file: the object */
	uint16_t filename_flags;	/* LT_PF_* */
	const char *path2;		/* rename: new_filename; link/symlink: target */
	uint16_t path2_flags;
	uint64_t ino;
	uint32_t dev;			/* kernel encoding */
	uint32_t mode, open_flags, rdev, new_uid, new_gid, attr, watch_id;

	/* exec / snapshot */
	const char *requested;
	const char *interp;
	const char *cwd;
	uint16_t cwd_flags;
	const char *args;		/* argc NUL-separated strings */
	size_t args_len;
	uint32_t argc;
	bool args_truncated;
	bool script;
	uint64_t exe_ino;
	uint32_t exe_dev;
	uint64_t exe_size, exe_mtime_ns, exe_ctime_ns;	/* the image's identity (lt_file_id) */
	uint64_t cg_v1_ids[LT_CG_V1_N];	/* ctx: the v1 cgroups' kernfs ids (lt_exec_ev.cg_v1) */

	/*
	 * content identity of the object to hash (exec: the image; lib_load: the
	 * library), as the kernel saw it; has_fid false when there is none
	 */
	struct ev_file_id {
		uint64_t ino, size, mtime_ns, ctime_ns;
		uint32_t dev;			/* kernel encoding */
	} fid;
	bool has_fid;
	uint64_t vm_start, vm_end;	/* lib_load: the mapping (/proc/PID/map_files) */
	/* hash enrichment (src/hash.h): state and hex digest */
	int hash_state;			/* 0: not hashed / not applicable */
	char sha256[65];
	/* hash: why not "ok" (static string) and, in a hash_update, the event it completes */
	const char *hash_error;
	uint64_t hash_ref_seq;
	const char *hash_ref_name;

	/* lib: lib_load (filename, fid, vm_start/vm_end above) and dlopen */
	uint32_t lib_prot;		/* lib_load: PROT_* of the mapping */
	uint32_t lib_flags;		/* lib_load: LT_LF_* */
	bool untrusted;			/* lib_load: not under a trusted directory (libmon) */
	const char *dl_name;		/* dlopen: the name asked for; NULL if unreadable */
	uint32_t dl_flags;		/* dlopen: RTLD_* */
	uint64_t dl_handle;		/* dlopen: 0 = failed */

	/* gpu: gpu_access (filename, ino, dev, rdev, open_flags above) */
	uint32_t gpu_kind;		/* LT_GPU_* */

	/* fork */
	uint32_t child_pid;
	uint64_t child_start_ns;

	/* exit */
	uint32_t status;

	/* mem (src/mem_events.h): mem_exec ... module_delete, and exec flags */
	struct ev_mem {
		uint16_t eflags;		/* exec: LT_XF_* of mem */
		uint32_t egid;			/* exec: with LT_XF_PRIVGAIN */
		uint64_t cap_effective, cap_permitted;
		uint64_t addr, len, vm_start, vm_end;	/* mem_exec */
		uint32_t prot, flags, reason;	/* mem_exec; flags also memfd_create, modules */
		int32_t fd, pkey;
		const char *str;		/* memfd / module name, or the file's path */
		uint16_t str_flags;		/* LT_PF_* when a path */
		struct lt_creds old_c, new_c;	/* cred_change */
		int64_t args[3];
		int64_t request;		/* ptrace request / signal */
		uint64_t p_addr, p_data;
		int32_t pid_arg, tid_arg;
		uint32_t target_tgid, target_tid;
		char target_comm[17];
	} mem;

	/* stats */
	const struct ev_stats *stats;

	/*
	 * ctx: enrichment of reported kernel events (main.c): the cgroup v2
	 * path, v1 paths on hybrid hosts (index enum cg_v1_ctl, NULL = "/"),
	 * the container and pod, and the ancestors. Point into the process
	 * table and the cgroup cache: valid until the next record.
	 */
	const char *cgroup;
	const char *cgroup_v1[4];
	const char *container_id;
	const char *container_runtime;
	const char *pod_uid;
	bool container_delegated;	/* ctr_info.delegated of the container (container.h) */
	uint32_t nancestors;		/* ancestors[] is after the scratch: not cleared per event */
	/* evade (types 36..50): see struct lt_evade_ev for what xv[] and xs[] hold */
	uint64_t xv[8];
	const char *xs[3];		/* NULL: absent */
	uint16_t xsf[3];		/* LT_PF_* */
	const struct lt_iou_ops *iou;	/* io_uring_ops */
	bool iou_final;			/* io_uring_ops: the process ended (or ltrack stops) */
	char xcomm[17];			/* process_vm_writev: the target's comm, "" unknown */
	/* end evade */
	/* net: connect, bind, listen, accept, udp_send, connect_result (src/net.h) */
	struct ev_net {
		uint8_t laddr[16], raddr[16];	/* network order, IPv4 in the first 4 bytes */
		uint64_t dur_ns;		/* connect_result: SYN sent -> result */
		int32_t fd, arg;		/* arg: listen backlog, accept listening fd */
		uint16_t family, rfamily, sock_type, protocol, lport, rport, state, nflags;
		int32_t err;			/* connect_result: 0 or -errno */
		const uint8_t *path[2];		/* AF_UNIX names, raw, into the record */
		uint16_t path_len[2];
	} net;

	/* model: model_load, model_modified, model_exfil, model_access (src/model/model.h) */
	struct ev_model {
		uint16_t access;		/* LT_MA_* */
		uint16_t mflags;		/* LT_MF_* */
		uint16_t method, dport, family, protocol;	/* exfil */
		int32_t fd;
		uint32_t open_flags;
		uint64_t bytes;			/* exfil: sent; access: read */
		uint8_t daddr[16];
		char old_sha256[65];		/* modified: hex, "" unknown */
		const char *format;		/* static (model_format_name), NULL: not sniffed */
		/* the scan verdict (src/model/modelscan.h): model_load and scan_update */
		const struct scan_report *scan;	/* set with EV_SCAN_DONE */
		uint64_t scan_cookie;		/* the scan a model_load waits for; 0: none */
		uint8_t scan_state;		/* EV_SCAN_* */
	} model;
	/*
	 * Not cleared by event_decode (only up to canon is): canon and canon2
	 * are emptied, ancestors[] is valid up to nancestors
	 */
	/* enrichment scratch: canonicalised filename / path2, when user space made them */
	char canon[EV_PATH_BUF];
	char canon2[EV_PATH_BUF];
	struct ev_ancestor ancestors[EV_ANCESTORS_MAX];
};

/* drop_cat_name - the name of a drop category in stats ("exec", "file", ...) */
const char *drop_cat_name(uint32_t cat);

/*
 * The registry of event types (events.c): one row per type, saying what
 * family reports it, which ring it comes on, what the pipeline does with it
 * and how it is decoded. Stages ask the table instead of switching on types.
 */
enum ev_family {
	EVF_PROCESS,	/* exec, fork, exit, snapshots, hash_update */
	EVF_FILE,	/* the watched file operations */
	EVF_NET,
	EVF_EVADE,	/* evasion and escalation */
	EVF_MEM,	/* memory, fileless, credentials, ptrace, kill, modules */
	EVF_LIB,
	EVF_GPU,
	EVF_MODEL,
	EVF_AGENT,	/* ltrack's own: stats */
	EVF_N
};

#define EVT_CRIT (1u << 0)	/* written to ring_crit: never drained twice (main.c) */
#define EVT_PATHS (1u << 1)	/* a file path: canonicalised, and it carries its watch */
#define EVT_USER (1u << 2)	/* made by user space: no ring record decodes to it */
#define EVT_INTERNAL (1u << 3)	/* kernel to agent only: never output, no name for users */
#define EVT_WATCH (1u << 4)	/* its JSON carries "watch", the matching watch's path */
#define EVT_TEXT_LINE (1u << 5)	/* its text encoder writes the name, arguments and result */

struct jbuf;
struct ev_field_list;

struct ev_type_info {
	uint32_t type;		/* LT_EV_* */
	const char *name;	/* event_name */
	enum ev_family family;
	uint32_t flags;		/* EVT_* */
	/* the record's decoder (after the header), or NULL (EVT_USER, EVT_INTERNAL) */
	int (*decode)(const void *rec, size_t len, struct event *ev);
	/*
	 * Its own fields, after the common and context ones: the rows of the
	 * field registry (src/fields.h) the JSON encoder writes and consumers
	 * read. The text line's arguments (between the parentheses, or the whole
	 * call with EVT_TEXT_LINE); and, in text, the result of a successful
	 * call (" = 3") when it is worth showing. No fields and no text: never
	 * output (such an event is refused by the encoders, and counted).
	 */
	const struct ev_field_list *fields;
	void (*text)(struct jbuf *b, const struct event *ev);
	void (*text_ret)(struct jbuf *b, const struct event *ev);
	/* when it is reported: docs/events.md's table (Markdown), NULL for one never output */
	const char *doc;
};

/*
 * event_reference - docs/events.md's table of event types (Markdown) from
 * the registry into @f; `ltrack --event-reference`, checked by make test
 */
void event_reference(FILE *f);

/* ev_type_info - the row of @type, or NULL for a type without one */
const struct ev_type_info *ev_type_info(uint32_t type);

/* ev_type_nth - the @i-th row (in the table's order), NULL past the end */
const struct ev_type_info *ev_type_nth(size_t i);

/* ev_family_name - "process", "file", ... or NULL */
const char *ev_family_name(enum ev_family f);

/* event_name - the event_name of @type, or NULL for an unknown (or internal) type */
const char *event_name(uint32_t type);

/* ctx: event_name_nth - the @i-th name of the event table, NULL past its end */
const char *event_name_nth(size_t i);

/* event_type_by_name - the type of @name, or 0 */
uint32_t event_type_by_name(const char *name);

/*
 * event_decode - decode ring record @rec of @len bytes into @ev.
 * Returns 0, or -EINVAL when the record is malformed (size, string bounds,
 * missing NUL, unknown type). @ev is fully initialised either way.
 */
int event_decode(const void *rec, size_t len, struct event *ev);

/* kernel dev_t encoding helpers: the kernel uses MAJOR<<20 | MINOR */
static inline uint32_t kdev_major(uint32_t kdev)
{
	return kdev >> 20;
}

static inline uint32_t kdev_minor(uint32_t kdev)
{
	return kdev & 0xfffff;
}

/*
 * tty_name - "pts/3", "tty1", "ttyS0" for a controlling tty @kdev (kernel
 * encoding), "major:minor" for other drivers. Returns @buf.
 */
const char *tty_name(uint32_t kdev, char *buf, size_t len);

/* kdev_from_user - a st_dev / st_rdev from stat(2) in the kernel's encoding */
uint32_t kdev_from_user(uint64_t dev);

#endif
