// SPDX-License-Identifier: MIT
/*
 * config - policy.toml and --watch specs into a validated struct lt_config.
 *
 * Design: keys[] has one row per policy key (section, name, type, bounds,
 * default, field offset, doc), in the style of redis's static_configs[].
 * config_init writes every row's default; loading parses the whole file
 * with toml.c, then walks the tree against the table: each table of the
 * root must be a known section, each key in it a known row, and the row's
 * type decides how the value is checked and stored. The first problem ends
 * the walk with "FILE:LINE:COL: message" (did-you-mean for near misses).
 * Checks that span keys ([storage] type needs its path or address) run
 * after the walk. The docs reference is generated from the same rows.
 *
 * Invariants: string fields are NULL, a heap copy, or the row's static
 * default (never freed); arrays are NULL exactly when their count is 0.
 * [storage.extra_fields] values are stored already encoded as JSON, so the
 * output path pastes them without knowing TOML.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "events.h"
#include "hex.h"
#include "output/jsonw.h"
#include "toml.h"

#define CONFIG_FILE_MAX (16u << 20)
#define NO_OFF ((size_t)-1)
#define SHOW_MAX 80		/* user text quoted in a message, at most */

enum cfg_type {
	CT_BOOL,
	CT_INT,
	CT_STR,
	CT_ENUM,	/* a string from names[], stored as its index (an int-sized enum) */
	CT_STRS,
	CT_INTS,
	CT_FIELDS,	/* [storage.extra_fields]: any values, stored as JSON */
	CT_RANGES,	/* ctx: pid/uid ranges, integers or "LO-HI" strings (struct lt_range) */
};

#define CK_EMPTY_OK (1u << 0)	/* "" is allowed and stores NULL (unset) */

struct loader;
struct cfg_key;
typedef int (*elem_check_fn)(struct loader *ld, const struct cfg_key *k,
			     const struct toml_value *v);

struct cfg_key {
	const char *section;
	const char *name;
	enum cfg_type type;
	size_t off;			/* the field in struct lt_config */
	size_t n_off;			/* arrays: their element count */
	size_t pos_off;			/* string arrays: positions of the elements, or NO_OFF */
	int64_t min, max;		/* CT_INT, CT_INTS: range of a value */
	size_t max_items;		/* arrays */
	int64_t def;			/* CT_BOOL, CT_INT, CT_ENUM */
	const char *def_s;		/* CT_STR: static default, or NULL */
	const char *const *names;	/* CT_ENUM; allowed values of CT_STR / CT_STRS */
	const char *what;		/* what one of names[] is called: "level" */
	unsigned int flags;		/* CK_* */
	elem_check_fn check;		/* CT_STRS: extra check of each element */
	const char *doc;
	/* model: CT_STRS with a default list: def_v, and the bool set_off says "written" */
	const char *const *def_v;
	size_t set_off;
};

struct cfg_section {
	const char *name;
	size_t present_off;		/* bool set when the section is written, or NO_OFF */
	const char *doc;
};

struct loader {
	struct lt_config *c;
	const char *name;
	struct lt_config_err *err;
	struct toml_pos storage_pos;	/* [storage] header */
	struct toml_pos type_pos;	/* [storage] type value */
	bool type_set;
};

static int check_abs_path(struct loader *ld, const struct cfg_key *k, const struct toml_value *v);
static int check_command(struct loader *ld, const struct cfg_key *k, const struct toml_value *v);
static int check_event(struct loader *ld, const struct cfg_key *k, const struct toml_value *v);
static int check_gpu_allow(struct loader *ld, const struct cfg_key *k,
			   const struct toml_value *v);
static int check_model_ext(struct loader *ld, const struct cfg_key *k, const struct toml_value *v);
static int check_model_loader(struct loader *ld, const struct cfg_key *k,
			      const struct toml_value *v);

static const char *const level_names[] = { "debug", "info", "warn", "error", NULL };
static const char *const format_names[] = { "json", "text", NULL };
static const char *const store_names[] = { "stdout", "file", "socket", NULL };
static const char *const adapter_names[] = {
	"logstash", "elasticsearch", "fluentd", "graylog", NULL
};
static const char *const proto_names[] = { "tcp", "udp", "unix", NULL };	/* net: unix */
/* model: the defaults of [model_monitor] extensions and loaders (issue 4) */
static const char *const model_default_exts[] = {
	".pt", ".pth", ".bin", ".ckpt", ".pkl", ".pickle", ".joblib", ".dill", ".npy", ".npz",
	".safetensors", ".gguf", ".onnx", ".h5", ".hdf5", ".keras", ".pb", ".tflite", ".mar",
	NULL
};
static const char *const model_default_confirm[] = { ".pth", ".bin", ".pb", NULL };
static const char *const model_default_loaders[] = { "python", "python3", "python3.*", NULL };

_Static_assert(LT_LOG_DEBUG == 0 && LT_LOG_ERROR == 3, "level_names order");
_Static_assert(LT_FMT_JSON == 0 && LT_FMT_TEXT == 1, "format_names order");
_Static_assert(LT_STORE_STDOUT == 0 && LT_STORE_FILE == 1 && LT_STORE_SOCKET == 2,
	       "store_names order");
_Static_assert(sizeof(enum lt_log_level) == sizeof(int) && sizeof(enum lt_format) == sizeof(int) &&
	       sizeof(enum lt_storage_type) == sizeof(int), "CT_ENUM stores an int");

#define F(field) offsetof(struct lt_config, field)
#define FN(field) offsetof(struct lt_config, n##field)

#define BOOL(sec, key, field, dflt, text) \
	{ .section = sec, .name = key, .type = CT_BOOL, .off = F(field), .n_off = NO_OFF, \
	  .pos_off = NO_OFF, .def = dflt, .doc = text }
#define INT(sec, key, field, lo, hi, dflt, text) \
	{ .section = sec, .name = key, .type = CT_INT, .off = F(field), .n_off = NO_OFF, \
	  .pos_off = NO_OFF, .min = lo, .max = hi, .def = dflt, .doc = text }
#define STR(sec, key, field, dflt, allowed, noun, fl, text) \
	{ .section = sec, .name = key, .type = CT_STR, .off = F(field), .n_off = NO_OFF, \
	  .pos_off = NO_OFF, .def_s = dflt, .names = allowed, .what = noun, .flags = fl, \
	  .doc = text }
#define ENUM(sec, key, field, dflt, allowed, noun, text) \
	{ .section = sec, .name = key, .type = CT_ENUM, .off = F(field), .n_off = NO_OFF, \
	  .pos_off = NO_OFF, .def = dflt, .names = allowed, .what = noun, .doc = text }
#define ROTATE(sec, field) \
	INT(sec, "max_size", field.max_size_mb, 0, 1048576, 100, \
	    "rotate the file when it grows past this many MiB; 0 = never"), \
	INT(sec, "max_age", field.max_age_days, 0, 36500, 7, \
	    "delete rotated files older than this many days; 0 = keep them"), \
	INT(sec, "max_backups", field.max_backups, 0, 10000, 5, \
	    "keep at most this many rotated files; 0 = keep all"), \
	BOOL(sec, "compress", field.compress, 0, "gzip rotated files")

static const struct cfg_section sections[] = {
	{ "file_monitor", NO_OFF, "File events (create, delete, rename, ...) under directories." },
	{ "exec_monitor", NO_OFF, "Process events (exec, fork, exit) of selected commands." },
	{ "network_monitor", F(net_present),
	  "Network activity: connect (and its TCP handshake's outcome), bind, listen, accept, "
	  "and the first UDP datagram to each destination, filtered by port and protocol in "
	  "the kernel (see below)." },
	/* lib */
	{ "library_monitor", NO_OFF,
	  "Library loads: lib_load (every file mapped executable, and ld.so at exec) and "
	  "dlopen (glibc's dlopen calls). On whenever a policy file is in use; see "
	  "docs/events.md for the trusted directories." },
	/* model: the model events, their scan verdicts, gpu_access and the inventory */
	{ "model_monitor", NO_OFF,
	  "ML model files, everywhere on the host: model_load (a model file opened or mapped, "
	  "by its name or, for ML loader processes, by its content) with the file's SHA-256 and "
	  "the scanner's verdict, model_modified, model_exfil, model_access, gpu_access; the "
	  "inventory of every model seen and the control channel `ltrack models` reads it "
	  "through (docs/events.md, docs/models.md, docs/scanner.md). On whenever a policy file "
	  "is in use; each key narrows it. The scanner, inventory and control keys are read at "
	  "start: a reload keeps the running values." },
	{ "log", NO_OFF, "ltrack's own diagnostic log (not the events)." },
	{ "storage", NO_OFF, "Where events go and in which format." },
	{ "http_server", F(http_present),
	  "HTTP endpoint for status and metrics (validated; implemented later)." },
	{ "agent", NO_OFF, "ltrack's own run-time settings." },
	/* ctx */
	{ "filter", NO_OFF,
	  "eTracee's filters, applied in the kernel before an event takes ring space: "
	  "process id and real user id ranges, and the event types reported. A filter "
	  "left empty lets everything through; the filters combine with AND." },
	/* hash */
	{ "hashing", NO_OFF,
	  "SHA-256 of every executed image (exec events) and loaded library (lib_load), made by "
	  "worker threads off the event path; see docs/events.md. Read at start: a reload keeps "
	  "the running values." },
	/* evade and mem share this section (each adds its own keys) */
	{ "security_monitor", NO_OFF,
	  "Security-relevant calls: executable memory, fileless execution, privilege, "
	  "ptrace, signals, kernel modules, and evasion and escalation paths (timestomping, "
	  "xattrs, truncation, namespaces, mounts, BPF and perf use, cross-process writes, "
	  "renaming, sockets on stdio, io_uring). Reported wherever they happen whenever a "
	  "policy file is in use; each key turns one group off (its programs are then not "
	  "attached)." },
};

static const struct cfg_key keys[] = {
	BOOL("file_monitor", "enabled", file_enabled, 1,
	     "report file events in the directories below"),
	{ .section = "file_monitor", .name = "directories", .type = CT_STRS, .off = F(directories),
	  .n_off = FN(directories), .pos_off = F(directory_pos), .max_items = 1024,
	  .check = check_abs_path,
	  .doc = "absolute paths of directories to watch recursively, for every event but open "
		 "(like --watch all=DIR); each must exist when ltrack starts" },

	BOOL("exec_monitor", "enabled", exec_enabled, 1, "report process events"),
	{ .section = "exec_monitor", .name = "watch_commands", .type = CT_STRS, .off = F(commands),
	  .n_off = FN(commands), .pos_off = NO_OFF, .max_items = LT_CMD_MAX,
	  .check = check_command,
	  .doc = "command names (1..63 bytes, no '/', globs allowed) whose processes are "
		 "reported; empty = every command" },

	BOOL("network_monitor", "enabled", net_enabled, 0,
	     "report network events (all of them; --connect and --listen select groups)"),
	{ .section = "network_monitor", .name = "ports", .type = CT_INTS, .off = F(ports),
	  .n_off = FN(ports), .pos_off = NO_OFF, .min = 1, .max = 65535, .max_items = 1024,
	  .doc = "service ports to report, each once: the remote port of connect and udp_send, "
		 "the local port of bind, listen and accept; empty = every port (unix sockets "
		 "have no port and are not filtered by it)" },
	{ .section = "network_monitor", .name = "protocols", .type = CT_STRS, .off = F(protocols),
	  .n_off = FN(protocols), .pos_off = NO_OFF, .max_items = 3, .names = proto_names,
	  .what = "protocol",
	  .doc = "protocols to report: tcp, udp (IPv4 and IPv6) and unix (AF_UNIX sockets); "
		 "empty = all three" },

	/* lib */
	BOOL("library_monitor", "enabled", lib_enabled, 1,
	     "report lib_load events (and dlopen, see below)"),
	{ .section = "library_monitor", .name = "trusted_dirs", .type = CT_STRS,
	  .off = F(trusted_dirs), .n_off = FN(trusted_dirs), .pos_off = NO_OFF, .max_items = 256,
	  .check = check_abs_path,
	  .doc = "absolute directories whose libraries are trusted (untrusted: false), in "
		 "addition to the defaults; a prefix of whole path components" },
	BOOL("library_monitor", "default_trusted_dirs", lib_default_trusted, 1,
	     "also trust the built-in system library directories (docs/events.md)"),
	BOOL("library_monitor", "dlopen", lib_dlopen, 1,
	     "report dlopen calls (a uprobe on each libc's dlopen)"),

	/* gpu: [model_monitor] keys of gpu_access (src/gpu.c, src/bpf/gpu.bpf.h) */
	BOOL("model_monitor", "gpu", gpu_enabled, 1,
	     "report `gpu_access`: the first open of each GPU device node (/dev/nvidia*, "
	     "/dev/dri/*, /dev/kfd) by each process image outside `gpu_allow`"),
	{ .section = "model_monitor", .name = "gpu_allow", .type = CT_STRS, .off = F(gpu_allow),
	  .n_off = FN(gpu_allow), .pos_off = NO_OFF, .max_items = 256,
	  .check = check_gpu_allow,
	  .doc = "processes allowed to use GPUs, by image: a name (matched against the basename "
		 "of the executed file, as `watch_commands` is) or an absolute path; globs "
		 "allowed; empty = every process is reported" },
	/* end gpu */
	/* model */
	BOOL("model_monitor", "enabled", model_enabled, 1,
	     "report model_load, model_modified, model_exfil and model_access events"),
	{ .section = "model_monitor", .name = "extensions", .type = CT_STRS, .off = F(model_exts),
	  .n_off = FN(model_exts), .pos_off = NO_OFF, .max_items = LT_MODEL_EXTS_MAX,
	  .check = check_model_ext, .def_v = model_default_exts, .set_off = F(model_exts_set),
	  .doc = "file name extensions of model files (with the dot, 2..12 bytes, compared "
		 "case-insensitively); replaces the default list" },
	{ .section = "model_monitor", .name = "confirm_extensions", .type = CT_STRS,
	  .off = F(model_confirm), .n_off = FN(model_confirm), .pos_off = NO_OFF,
	  .max_items = LT_MODEL_EXTS_MAX, .check = check_model_ext, .def_v = model_default_confirm,
	  .set_off = F(model_confirm_set),
	  .doc = "extensions (of the list above or not) whose files are models only when their "
		 "first bytes show a model format, whoever opens them (Python's site `.pth` "
		 "files are text); [] = trust the name alone" },
	{ .section = "model_monitor", .name = "loaders", .type = CT_STRS,
	  .off = F(model_loaders), .n_off = FN(model_loaders), .pos_off = NO_OFF,
	  .max_items = LT_MODEL_PAT_MAX, .check = check_model_loader,
	  .def_v = model_default_loaders, .set_off = F(model_loaders_set),
	  .doc = "ML loader processes, by comm or image basename: \"NAME\" or \"PREFIX*\" "
		 "(at most 15 bytes); the files they open are sniffed for model content; "
		 "[] = no sniffing" },
	{ .section = "model_monitor", .name = "trainers", .type = CT_STRS,
	  .off = F(model_trainers), .n_off = FN(model_trainers), .pos_off = NO_OFF,
	  .max_items = 64, .check = check_command,
	  .doc = "processes (comm or image basename, globs allowed) that may write model files "
		 "without a model_modified event" },
	INT("model_monitor", "sniff_min_size", model_sniff_min_size, 0, 1099511627776, 1024,
	    "files of at least this many bytes that any process opens for reading, under a name "
	    "that is neither a model's nor a known non-model's (`.so`, `.py`, `.json`, ...), are "
	    "sniffed for model content once per file and change, so a renamed interpreter "
	    "reading a model under any name gives model_load; 0 = only the loaders' files"),
	INT("model_monitor", "exfil_percent", model_exfil_percent, 1, 100, 50,
	    "a process holding a model that sends this share of the model's size (in %) to "
	    "one address gives model_exfil (method send)"),
	INT("model_monitor", "model_max_mb", model_max_mb, 1, 16777216, 65536,
	    "model files larger than this are not hashed (hash_state \"skipped\"); "
	    "[hashing] max_file_mb does not apply to them"),
	BOOL("model_monitor", "scan", model_scan, 1,
	     "scan every loaded model file (ltrack scan's analysis, in a sandboxed worker) and "
	     "put the verdict in its model_load"),
	INT("model_monitor", "scan_wait_ms", model_scan_wait_ms, 0, 60000, 2000,
	    "how long a model_load waits for its verdict before it is written with "
	    "scan.verdict \"pending\" (a scan_update follows); 0 = never wait"),
	INT("model_monitor", "scan_timeout_ms", model_scan_timeout_ms, 100, 600000, 10000,
	    "a scan that takes longer is stopped: verdict \"error\" (\"timed out\")"),
	/* end model */

	ENUM("log", "level", log_level, LT_LOG_INFO, level_names, "level",
	     "least severe message written"),
	ENUM("log", "format", log_format, LT_FMT_TEXT, format_names, "format",
	     "format of each message"),
	STR("log", "output_path", log_output_path, NULL, NULL, NULL, CK_EMPTY_OK,
	    "file to write to; unset or \"\" = standard error"),
	ROTATE("log", log_rotate),

	BOOL("storage", "enabled", storage_enabled, 1, "write events"),
	ENUM("storage", "type", storage_type, LT_STORE_STDOUT, store_names, "type",
	     "where events go: standard output, a file (file_path) or a socket "
	     "(remote_addr, remote_port)"),
	ENUM("storage", "format", storage_format, LT_FMT_JSON, format_names, "format",
	     "one JSON object per line, or text"),
	STR("storage", "adapter", storage_adapter, NULL, adapter_names, "adapter", CK_EMPTY_OK,
	    "shape events for this collector; unset = ltrack's own schema"),
	STR("storage", "file_path", storage_file_path, NULL, NULL, NULL, CK_EMPTY_OK,
	    "events file (type = \"file\")"),
	ROTATE("storage", storage_rotate),
	STR("storage", "remote_addr", storage_remote_addr, NULL, NULL, NULL, CK_EMPTY_OK,
	    "collector host or address (type = \"socket\")"),
	INT("storage", "remote_port", storage_remote_port, 1, 65535, 0,
	    "collector port (type = \"socket\")"),
	{ .section = "storage", .name = "extra_fields", .type = CT_FIELDS, .off = F(extra_fields),
	  .n_off = FN(extra_fields), .pos_off = NO_OFF,
	  .doc = "table of fields added to every event, any TOML values; names of ltrack's "
		 "own event fields are refused" },

	BOOL("http_server", "enabled", http_enabled, 0, "serve HTTP"),
	INT("http_server", "port", http_port, 1, 65535, 8080, "port to listen on"),
	STR("http_server", "host", http_host, "127.0.0.1", NULL, NULL, 0, "address to listen on"),

	/* evade */
	BOOL("security_monitor", "timestomp", sec_timestomp, 1,
	     "`utimes`: utimensat, futimesat, utimes, utime (file times set by hand)"),
	BOOL("security_monitor", "xattr", sec_xattr, 1,
	     "`setxattr`: set and remove extended attributes, file capabilities decoded"),
	BOOL("security_monitor", "truncate", sec_truncate, 1,
	     "`truncate`: truncate(2) of a path, and ftruncate(2) that makes a regular file "
	     "smaller"),
	BOOL("security_monitor", "namespaces", sec_namespaces, 1, "`unshare` and `setns`"),
	BOOL("security_monitor", "mounts", sec_mounts, 1,
	     "`mount` (mount, umount2, open_tree and move_mount), `pivot_root` and `chroot`"),
	BOOL("security_monitor", "bpf", sec_bpf, 1,
	     "`bpf_load`: BPF programs loaded by other processes"),
	BOOL("security_monitor", "perf", sec_perf, 1, "`perf_event_open`"),
	BOOL("security_monitor", "process_vm", sec_process_vm, 1,
	     "`process_vm_writev`: writes into another process's memory"),
	BOOL("security_monitor", "prctl", sec_prctl, 1,
	     "`prctl_set_name`: a process renames itself (PR_SET_NAME by its main thread)"),
	BOOL("security_monitor", "fd_redirect", sec_fd_redirect, 1,
	     "`fd_redirect`: dup2/dup3 of a socket onto stdin, stdout or stderr (reverse "
	     "shells)"),
	BOOL("security_monitor", "io_uring", sec_io_uring, 1,
	     "`io_uring_setup` per ring and `io_uring_ops` summaries of submitted opcodes"),
	/* end evade */

	INT("agent", "stats_interval", stats_interval_s, 0, 86400, 60,
	    "seconds between stats events (drop counters); 0 = only at exit"),
	BOOL("agent", "failed", failed, 0,
	     "also report attempts that failed (same as --failed)"),
	BOOL("agent", "strict", strict, 0,
	     "exit 2 when the kernel refuses any BPF program (same as --strict); when false, "
	     "the refused program's concern is turned off and the rest runs (the `stats` "
	     "event lists the concerns and their state)"),

	/* ctx: filters and ancestry */
	{ .section = "filter", .name = "pids", .type = CT_RANGES, .off = F(pids),
	  .n_off = FN(pids), .pos_off = NO_OFF, .max_items = LT_RANGES_MAX,
	  .doc = "process ids (tgid) whose events are reported: integers or \"LO-HI\" "
		 "ranges, e.g. `[\"100-200\", 300]` (like --pid 100-200,300); empty = every "
		 "process" },
	{ .section = "filter", .name = "uids", .type = CT_RANGES, .off = F(uids),
	  .n_off = FN(uids), .pos_off = NO_OFF, .max_items = LT_RANGES_MAX,
	  .doc = "real user ids whose events are reported, as pids (like --uid); empty = "
		 "every user" },
	{ .section = "filter", .name = "events", .type = CT_STRS, .off = F(events),
	  .n_off = FN(events), .pos_off = NO_OFF, .max_items = LT_EV_MAX,
	  .check = check_event,
	  .doc = "event names to report (like --events), e.g. `[\"exec\", \"open\"]`; "
		 "eTracee's `execve` and `openat` are accepted; empty = every event" },
	INT("exec_monitor", "ancestors", ancestors, 0, LT_ANCESTORS_MAX, 0,
	    "add the first N ancestors (pid, exe, args, exec_id) of the process to every "
	    "reported event (like --ancestors N); 0 = off"),
	/* hash */
	BOOL("hashing", "enabled", hash_enabled, 1,
	     "add sha256 and hash_state to exec (and lib_load) events; with only --watch there "
	     "are no such events and no hashing"),
	INT("hashing", "wait_ms", hash_wait_ms, 0, 10000, 100,
	    "how long an event waits for its digest before it is written with hash_state "
	    "\"pending\" (a hash_update follows); 0 = never wait; cache hits never wait"),
	INT("hashing", "cache_entries", hash_cache_entries, 1, 1048576, 8192,
	    "digests kept (least recently used first out), keyed by device, inode, size, mtime "
	    "and ctime"),
	INT("hashing", "workers", hash_workers, 1, 64, 2, "hashing threads"),
	INT("hashing", "nice", hash_nice, 0, 19, 10,
	    "nice value of the hashing threads, which also run SCHED_BATCH with the lowest "
	    "best-effort I/O priority: they take CPU where nothing else wants it, at most "
	    "`workers` cores (docs/events.md, Hashes)"),
	INT("hashing", "max_file_mb", hash_max_file_mb, 1, 1048576, 256,
	    "larger files are not read: hash_state \"skipped\""),
	BOOL("hashing", "fanotify", hash_fanotify, 1,
	     "hash each exec image from the descriptor fanotify hands over at the exec "
	     "(FAN_OPEN_EXEC marks on every filesystem), so a file replaced or deleted right "
	     "after its exec is still hashed as executed; false, or fanotify unavailable: "
	     "through /proc/PID/exe or the name only (docs/events.md, Hashes)"),
	/* mem: one group each (docs/events.md) */
	BOOL("security_monitor", "memory", sec_memory, 1,
	     "mem_exec: memory made writable and executable, or executable without a file "
	     "(mmap, mprotect, pkey_mprotect)"),
	BOOL("security_monitor", "fileless", sec_fileless, 1,
	     "memfd_create events, and the fileless flag of an exec of a memfd or a deleted file"),
	BOOL("security_monitor", "credentials", sec_credentials, 1,
	     "cred_change events (set*id, setfs*id, capset), and the privilege_gain flag of an "
	     "exec through a setuid/setgid bit or file capabilities"),
	BOOL("security_monitor", "ptrace", sec_ptrace, 1,
	     "ptrace events: attaching to, or writing into, another process"),
	BOOL("security_monitor", "kill", sec_kill, 1,
	     "kill events: kill, tkill, tgkill to another process (not signal 0)"),
	BOOL("security_monitor", "modules", sec_modules, 1,
	     "module_load and module_delete events (init_module, finit_module, delete_module)"),
	/* inventory */
	STR("model_monitor", "inventory_file", inventory_file, "/var/lib/ltrack/models.json", NULL,
	    NULL, CK_EMPTY_OK,
	    "where the model inventory is kept across restarts (JSON, written atomically, mode "
	    "0600); \"\" = in memory only"),
	STR("model_monitor", "control_socket", control_socket, "/run/ltrack/control.sock", NULL,
	    NULL, CK_EMPTY_OK,
	    "unix socket `ltrack models` asks the running agent through (mode 0600 in a 0700 "
	    "directory, root only); \"\" = none"),
	INT("model_monitor", "inventory_max_entries", inventory_max_entries, 1, 1000000, 10000,
	    "models kept; past it (or past 32 MiB of JSON) the one seen least recently is "
	    "evicted (counted); a uid other than root holds at most a quarter, its own oldest "
	    "going first (docs/models.md)"),
	INT("model_monitor", "inventory_loaders", inventory_loaders, 1, 16, 8,
	    "processes kept per model, the most recent ones"),
	/* end inventory */
};

/* event field names an extra field must not shadow */
static const char *const reserved_fields[] = {
	"schema", "hostname", "boot_id", "timestamp", "time_str", "seq", "pid", "tid", "ppid",
	"uid", "gid", "euid", "loginuid", "comm", "exe", "exec_id", "parent_exec_id",
	"event_type", "event_name", "syscall_nr", "ret_code", "filename", "new_filename",
	"target", "requested", "argv", "argv_truncated", "cwd", "interpreter", "mode",
	"file_type", "flags", "flags_str", "device", "dev", "inode", "new_uid", "new_gid",
	"path_exact", "path_truncated", "watch", "child_pid", "child_exec_id", "exit_code",
	"signal", "signal_name", "core_dumped", "drops", "stats",
	/* ctx */
	"sessionid", "tty", "cgroup_id", "pid_ns", "mnt_ns", "net_ns", "cgroup", "cgroup_v1",
	"container_id", "container_runtime", "pod_uid", "container_delegated", "ancestors",
	/* hash */
	"sha256", "hash_state", "hash_error", "ref_seq", "ref_event_name", "hash", "fanotify",
	/* evade */
	"atime", "atime_sec", "atime_nsec", "mtime", "mtime_sec", "mtime_nsec", "at_flags", "op",
	"xattr_name", "value_size", "xattr_flags", "file_caps", "cap_permitted",
	"cap_inheritable", "cap_effective", "cap_rootid", "length", "fd", "old_size", "nstype",
	"nstype_str", "ns_type", "ns_inode", "pidfd", "source", "target_exact", "fstype",
	"new_root", "put_old", "prog_type", "prog_type_str", "prog_name", "insn_cnt", "license",
	"expected_attach_type", "prog_flags", "prog_fd", "perf_type", "perf_type_str", "config",
	"target_pid", "cpu", "group_fd", "target_comm", "liovcnt", "riovcnt", "bytes", "old_name",
	"new_name", "newfd", "oldfd", "family", "sock_type", "protocol", "remote_addr",
	"remote_port", "ring_fd", "sq_entries", "cq_entries", "setup_flags", "setup_flags_str",
	"total", "sqpoll", "ops", "final",
	/* end evade */
	/* lib */
	"size", "vm_start", "vm_end", "prot", "source", "untrusted", "path_userns", "failed",
	/* model */
	"format", "access", "read_bytes", "mtime", "ctime", "old_sha256", "new_sha256",
	"old_hash_state", "writer", "method", "bytes", "found_by", "mapped",
	/* net */
	"fd", "family", "protocol", "socket_type", "remote_addr", "remote_port", "local_addr",
	"local_port", "unix_path", "peer_unix_path", "backlog", "listen_fd", "connected",
	"state", "result", "error_code", "error", "handshake_ns",
	/* end net */
	"gpu_kind", "major", "minor",	/* gpu */
	NULL
};

static const struct {
	const char *name;
	uint32_t bit;
} watch_events[] = {
	{ "create", LT_W_CREATE }, { "mkdir", LT_W_MKDIR }, { "mknod", LT_W_MKNOD },
	{ "delete", LT_W_DELETE }, { "rmdir", LT_W_RMDIR }, { "rename", LT_W_RENAME },
	{ "attrib", LT_W_ATTRIB }, { "symlink", LT_W_SYMLINK }, { "link", LT_W_LINK },
	{ "modify", LT_W_MODIFY }, { "open", LT_W_OPEN },
};
#define N_WATCH_EVENTS (sizeof(watch_events) / sizeof(watch_events[0]))
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))
#define N_SECTIONS (sizeof(sections) / sizeof(sections[0]))

static void *field(struct lt_config *c, size_t off)
{
	return (char *)c + off;
}

/* ---- messages ------------------------------------------------------------ */

/* a printable, bounded rendering of user text @s (@n bytes) for a message */
static const char *show(char *dst, size_t size, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (o + 4 + 4 >= size) {	/* room for "\xNN" and "..." + NUL */
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
		if (ch < 0x20 || ch == 0x7f) {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex_digit(ch >> 4);
			dst[o++] = hex_digit(ch);
		} else {
			dst[o++] = (char)ch;
		}
	}
	dst[o] = '\0';
	return dst;
}

static void err_set_file(struct lt_config_err *err, const char *file)
{
	size_t n = file ? strlen(file) : 0;

	if (n >= sizeof(err->file))
		n = sizeof(err->file) - 1;
	if (n)
		memcpy(err->file, file, n);
	err->file[n] = '\0';
}

static void __attribute__((format(printf, 5, 6)))
err_fill(struct lt_config_err *err, const char *file, int line, int col, const char *fmt, ...)
{
	va_list ap;

	err_set_file(err, file);
	err->line = line;
	err->col = col;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

static int __attribute__((format(printf, 3, 4)))
fail(struct loader *ld, struct toml_pos pos, const char *fmt, ...)
{
	struct lt_config_err *err = ld->err;
	va_list ap;

	err_set_file(err, ld->name);
	err->line = pos.line;
	err->col = pos.col;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int fail_nomem(struct loader *ld)
{
	err_fill(ld->err, ld->name, 0, 0, "out of memory");
	return -ENOMEM;
}

/* optimal string alignment distance (Damerau-Levenshtein without repeats), ASCII case folded */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[33][33];

	if (la > 32 || lb > 32)
		return (size_t)-1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			size_t cost = ca != cb;
			size_t v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/*
 * Is @typed a near miss of @known? Case-insensitively equal, or within
 * edit distance 2; a third of the length for longer words, so that
 * "directory" still finds "directories".
 */
static size_t near_miss(const char *typed, const char *known)
{
	size_t lt = strlen(typed), lk = strlen(known);
	size_t limit = (lt < lk ? lt : lk) / 3;
	size_t d = edit_distance(typed, known);

	if (limit < 2)
		limit = 2;
	return d <= limit ? d : (size_t)-1;
}

/* the nearest of @names[0..n) to @typed, or NULL when none is near */
static const char *suggest(const char *typed, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;

	for (size_t i = 0; i < n; i++) {
		size_t d = near_miss(typed, names[i]);

		if (d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	return best;
}

/* "a, b, c or d" into @buf */
static const char *list_names(const char *const *names, char *buf, size_t size)
{
	size_t n = 0, o = 0;

	while (names[n])
		n++;
	buf[0] = '\0';
	for (size_t i = 0; i < n && o < size; i++) {
		const char *sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
		int w = snprintf(buf + o, size - o, "%s%s", sep, names[i]);

		if (w < 0)
			break;
		o += (size_t)w;
	}
	return buf;
}

static int name_index(const char *const *names, const char *s)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

static const char *type_desc(enum cfg_type t)
{
	switch (t) {
	case CT_BOOL:
		return "a boolean";
	case CT_INT:
		return "an integer";
	case CT_STR:
	case CT_ENUM:
		return "a string";
	case CT_STRS:
		return "an array of strings";
	case CT_INTS:
		return "an array of integers";
	case CT_FIELDS:
		return "a table";
	case CT_RANGES:
		return "an array of integers or \"LO-HI\" strings";
	}
	return "?";
}

static int type_err(struct loader *ld, const struct cfg_key *k, const struct toml_value *v)
{
	return fail(ld, v->pos, "[%s] %s must be %s, not %s", k->section, k->name,
		    type_desc(k->type), toml_type_name(v->type));
}

static int elem_type_err(struct loader *ld, const struct cfg_key *k, size_t i,
			 const struct toml_value *v)
{
	return fail(ld, v->pos, "[%s] %s[%zu] must be %s, not %s", k->section, k->name, i,
		    k->type == CT_INTS ? "an integer" : "a string", toml_type_name(v->type));
}

/* ---- values -------------------------------------------------------------- */

/* a string value without NUL bytes; "" only if @empty_ok */
static int get_str(struct loader *ld, const struct cfg_key *k, const struct toml_value *v,
		   bool empty_ok)
{
	if (strlen(v->u.str.s) != v->u.str.slen)
		return fail(ld, v->pos, "[%s] %s: a string with a NUL byte is not allowed",
			    k->section, k->name);
	if (!empty_ok && !v->u.str.slen)
		return fail(ld, v->pos, "[%s] %s: an empty string is not allowed", k->section,
			    k->name);
	return 0;
}

static int check_name(struct loader *ld, const struct cfg_key *k, const struct toml_value *v)
{
	char shown[SHOW_MAX], expected[160];

	if (!k->names || name_index(k->names, v->u.str.s) >= 0)
		return 0;
	return fail(ld, v->pos, "[%s] %s: unknown %s '%s' (expected %s)", k->section, k->name,
		    k->what, show(shown, sizeof(shown), v->u.str.s, v->u.str.slen),
		    list_names(k->names, expected, sizeof(expected)));
}

static int check_abs_path(struct loader *ld, const struct cfg_key *k, const struct toml_value *v)
{
	char shown[SHOW_MAX];

	if (v->u.str.s[0] == '/')
		return 0;
	return fail(ld, v->pos, "[%s] %s: '%s' is not an absolute path", k->section, k->name,
		    show(shown, sizeof(shown), v->u.str.s, v->u.str.slen));
}

static int check_command(struct loader *ld, const struct cfg_key *k, const struct toml_value *v)
{
	char shown[SHOW_MAX];

	show(shown, sizeof(shown), v->u.str.s, v->u.str.slen);
	if (v->u.str.slen >= LT_CMD_LEN)
		return fail(ld, v->pos, "[%s] %s: '%s' is longer than %d bytes", k->section,
			    k->name, shown, LT_CMD_LEN - 1);
	if (strchr(v->u.str.s, '/'))
		return fail(ld, v->pos,
			    "[%s] %s: '%s' contains '/' (a command name is matched, not a path)",
			    k->section, k->name, shown);
	return 0;
}

/* gpu: a gpu_allow entry is a name (no '/') or an absolute path */
static int check_gpu_allow(struct loader *ld, const struct cfg_key *k,
			   const struct toml_value *v)
{
	char shown[SHOW_MAX];

	if (!v->u.str.slen || v->u.str.slen >= LT_PATH_MAX)
		return fail(ld, v->pos, "[%s] %s: an entry must have 1 to %d bytes", k->section,
			    k->name, LT_PATH_MAX - 1);
	if (strchr(v->u.str.s, '/') && v->u.str.s[0] != '/')
		return fail(ld, v->pos,
			    "[%s] %s: '%s' is neither a name (no '/') nor an absolute path",
			    k->section, k->name, show(shown, sizeof(shown), v->u.str.s,
						     v->u.str.slen));
	return 0;
}

/* model: ".ext", 2..LT_MEXT_LEN bytes, no '/' */
static int check_model_ext(struct loader *ld, const struct cfg_key *k, const struct toml_value *v)
{
	char shown[SHOW_MAX];
	size_t n = v->u.str.slen;

	show(shown, sizeof(shown), v->u.str.s, n);
	if (n < 2 || n > LT_MEXT_LEN || v->u.str.s[0] != '.' || memchr(v->u.str.s + 1, '.', n - 1) ||
	    strchr(v->u.str.s, '/'))
		return fail(ld, v->pos,
			    "[%s] %s: '%s' is not an extension (a dot and 1..%d bytes, no '.' or '/')",
			    k->section, k->name, shown, LT_MEXT_LEN - 1);
	return 0;
}

/* model: "NAME" or "PREFIX*", at most 15 bytes, no other glob character */
static int check_model_loader(struct loader *ld, const struct cfg_key *k,
			      const struct toml_value *v)
{
	char shown[SHOW_MAX];
	size_t n = v->u.str.slen;
	const char *star = strpbrk(v->u.str.s, "*?[");

	show(shown, sizeof(shown), v->u.str.s, n);
	if (n >= LT_MODEL_PAT_LEN || strchr(v->u.str.s, '/') ||
	    (star && (star != v->u.str.s + n - 1 || *star != '*' || n == 1)))
		return fail(ld, v->pos,
			    "[%s] %s: '%s' must be a name or a prefix and '*' (at most %d bytes, no '/')",
			    k->section, k->name, shown, LT_MODEL_PAT_LEN - 1);
	return 0;
}

static void free_str_field(struct lt_config *c, const struct cfg_key *k)
{
	char **p = field(c, k->off);

	if (*p != k->def_s)
		free(*p);
	*p = NULL;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static void free_fields(struct lt_extra_field *f, size_t n)
{
	for (size_t i = 0; f && i < n; i++) {
		free(f[i].key);
		free(f[i].json);
	}
	free(f);
}

/* free what row @k owns in @c, leaving the field empty */
static void free_key(struct lt_config *c, const struct cfg_key *k)
{
	size_t *n = k->n_off == NO_OFF ? NULL : field(c, k->n_off);

	switch (k->type) {
	case CT_STR:
		free_str_field(c, k);
		break;
	case CT_STRS:
		free_strv(*(char ***)field(c, k->off), *n);
		*(char ***)field(c, k->off) = NULL;
		if (k->pos_off != NO_OFF) {
			free(*(struct lt_config_pos **)field(c, k->pos_off));
			*(struct lt_config_pos **)field(c, k->pos_off) = NULL;
		}
		*n = 0;
		break;
	case CT_INTS:
		free(*(int64_t **)field(c, k->off));
		*(int64_t **)field(c, k->off) = NULL;
		*n = 0;
		break;
	case CT_FIELDS:
		free_fields(*(struct lt_extra_field **)field(c, k->off), *n);
		*(struct lt_extra_field **)field(c, k->off) = NULL;
		*n = 0;
		break;
	case CT_RANGES:
		*n = 0;
		break;
	case CT_BOOL:
	case CT_INT:
	case CT_ENUM:
		break;
	}
}

static int set_scalar(struct loader *ld, const struct cfg_key *k, const struct toml_value *v)
{
	struct lt_config *c = ld->c;
	char *s;
	int ret, idx;

	switch (k->type) {
	case CT_BOOL:
		if (v->type != TOML_BOOL)
			return type_err(ld, k, v);
		*(bool *)field(c, k->off) = v->u.b;
		return 0;
	case CT_INT:
		if (v->type != TOML_INT)
			return type_err(ld, k, v);
		if (v->u.i < k->min || v->u.i > k->max)
			return fail(ld, v->pos, "[%s] %s: %lld is out of range %lld..%lld",
				    k->section, k->name, (long long)v->u.i, (long long)k->min,
				    (long long)k->max);
		*(int64_t *)field(c, k->off) = v->u.i;
		return 0;
	case CT_ENUM:
		if (v->type != TOML_STRING)
			return type_err(ld, k, v);
		ret = get_str(ld, k, v, true);
		if (!ret)
			ret = check_name(ld, k, v);
		if (ret)
			return ret;
		idx = name_index(k->names, v->u.str.s);
		*(int *)field(c, k->off) = idx;
		return 0;
	case CT_STR:
		if (v->type != TOML_STRING)
			return type_err(ld, k, v);
		ret = get_str(ld, k, v, k->flags & CK_EMPTY_OK);
		if (ret)
			return ret;
		s = NULL;
		if (v->u.str.slen) {
			ret = check_name(ld, k, v);
			if (ret)
				return ret;
			s = strdup(v->u.str.s);
			if (!s)
				return fail_nomem(ld);
		}
		free_str_field(c, k);
		*(char **)field(c, k->off) = s;
		return 0;
	default:
		return -EINVAL;
	}
}

static int set_strs(struct loader *ld, const struct cfg_key *k, const struct toml_value *v)
{
	struct lt_config *c = ld->c;
	struct lt_config_pos *pos = NULL;
	char shown[SHOW_MAX];
	char **arr = NULL;
	size_t n, i = 0;
	int ret;

	if (v->type != TOML_ARRAY)
		return type_err(ld, k, v);
	n = v->u.array.n;
	if (n > k->max_items)
		return fail(ld, v->u.array.items[k->max_items]->pos,
			    "[%s] %s: more than %zu entries", k->section, k->name, k->max_items);
	if (n) {
		arr = calloc(n, sizeof(*arr));
		if (k->pos_off != NO_OFF)
			pos = calloc(n, sizeof(*pos));
		if (!arr || (k->pos_off != NO_OFF && !pos)) {
			ret = fail_nomem(ld);
			goto out_free;
		}
	}
	for (i = 0; i < n; i++) {
		const struct toml_value *e = v->u.array.items[i];

		if (e->type != TOML_STRING) {
			ret = elem_type_err(ld, k, i, e);
			goto out_free;
		}
		ret = get_str(ld, k, e, false);
		if (!ret)
			ret = check_name(ld, k, e);
		if (!ret && k->check)
			ret = k->check(ld, k, e);
		if (ret)
			goto out_free;
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(arr[j], e->u.str.s)) {
				ret = fail(ld, e->pos, "[%s] %s: '%s' is listed twice", k->section,
					   k->name,
					   show(shown, sizeof(shown), e->u.str.s, e->u.str.slen));
				goto out_free;
			}
		}
		arr[i] = strdup(e->u.str.s);
		if (!arr[i]) {
			ret = fail_nomem(ld);
			goto out_free;
		}
		if (pos) {
			pos[i].line = e->pos.line;
			pos[i].col = e->pos.col;
		}
	}
	free_key(c, k);
	*(char ***)field(c, k->off) = arr;
	*(size_t *)field(c, k->n_off) = n;
	if (k->pos_off != NO_OFF)
		*(struct lt_config_pos **)field(c, k->pos_off) = pos;
	return 0;

out_free:
	free_strv(arr, i);
	free(pos);
	return ret;
}

static int set_ints(struct loader *ld, const struct cfg_key *k, const struct toml_value *v)
{
	struct lt_config *c = ld->c;
	int64_t *arr = NULL;
	size_t n;
	int ret;

	if (v->type != TOML_ARRAY)
		return type_err(ld, k, v);
	n = v->u.array.n;
	if (n > k->max_items)
		return fail(ld, v->u.array.items[k->max_items]->pos,
			    "[%s] %s: more than %zu entries", k->section, k->name, k->max_items);
	if (n) {
		arr = calloc(n, sizeof(*arr));
		if (!arr)
			return fail_nomem(ld);
	}
	for (size_t i = 0; i < n; i++) {
		const struct toml_value *e = v->u.array.items[i];

		if (e->type != TOML_INT) {
			ret = elem_type_err(ld, k, i, e);
			goto out_free;
		}
		if (e->u.i < k->min || e->u.i > k->max) {
			ret = fail(ld, e->pos, "[%s] %s: %lld is out of range %lld..%lld",
				   k->section, k->name, (long long)e->u.i, (long long)k->min,
				   (long long)k->max);
			goto out_free;
		}
		for (size_t j = 0; j < i; j++) {
			if (arr[j] == e->u.i) {
				ret = fail(ld, e->pos, "[%s] %s: %lld is listed twice", k->section,
					   k->name, (long long)e->u.i);
				goto out_free;
			}
		}
		arr[i] = e->u.i;
	}
	free_key(c, k);
	*(int64_t **)field(c, k->off) = arr;
	*(size_t *)field(c, k->n_off) = n;
	return 0;

out_free:
	free(arr);
	return ret;
}

/* ---- [storage.extra_fields] as JSON -------------------------------------- */

/* the shortest text that reads back as @d, always with a '.' or exponent */
static void json_float(struct jbuf *b, double d)
{
	char tmp[48];

	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	if (!strpbrk(tmp, ".e"))
		strncat(tmp, ".0", sizeof(tmp) - strlen(tmp) - 1);
	json_raw(b, tmp);
}

static int json_value(struct loader *ld, const char *key, struct jbuf *b,
		      const struct toml_value *v, int depth)
{
	char shown[SHOW_MAX];
	int ret;

	if (depth >= JSON_MAX_DEPTH)
		return fail(ld, v->pos, "[storage.extra_fields] %s: nested more than %d deep",
			    show(shown, sizeof(shown), key, strlen(key)), JSON_MAX_DEPTH);
	switch (v->type) {
	case TOML_STRING:
	case TOML_DATETIME:
		json_str(b, v->u.str.s, v->u.str.slen);
		return 0;
	case TOML_INT:
		json_int(b, v->u.i);
		return 0;
	case TOML_FLOAT:
		if (!isfinite(v->u.f))
			return fail(ld, v->pos,
				    "[storage.extra_fields] %s: %s cannot be written as JSON",
				    show(shown, sizeof(shown), key, strlen(key)),
				    isnan(v->u.f) ? "nan" : "inf");
		json_float(b, v->u.f);
		return 0;
	case TOML_BOOL:
		json_bool(b, v->u.b);
		return 0;
	case TOML_ARRAY:
		json_arr_begin(b);
		for (size_t i = 0; i < v->u.array.n; i++) {
			ret = json_value(ld, key, b, v->u.array.items[i], depth + 1);
			if (ret)
				return ret;
		}
		json_arr_end(b);
		return 0;
	case TOML_TABLE:
		json_obj_begin(b);
		for (size_t i = 0; i < v->u.table.n; i++) {
			const struct toml_kv *kv = &v->u.table.items[i];

			json_key(b, kv->key);
			ret = json_value(ld, key, b, kv->val, depth + 1);
			if (ret)
				return ret;
		}
		json_obj_end(b);
		return 0;
	}
	return fail(ld, v->pos, "[storage.extra_fields] %s: unsupported value",
		    show(shown, sizeof(shown), key, strlen(key)));
}

static int set_fields(struct loader *ld, const struct cfg_key *k, const struct toml_value *v)
{
	struct lt_config *c = ld->c;
	struct lt_extra_field *arr = NULL;
	size_t n, i = 0;
	int ret;

	if (v->type != TOML_TABLE)
		return type_err(ld, k, v);
	n = v->u.table.n;
	if (n) {
		arr = calloc(n, sizeof(*arr));
		if (!arr)
			return fail_nomem(ld);
	}
	for (i = 0; i < n; i++) {
		const struct toml_kv *kv = &v->u.table.items[i];
		struct jbuf b = JBUF_INIT;

		if (!kv->key[0]) {
			ret = fail(ld, kv->key_pos, "[storage.extra_fields] a field needs a name");
			goto out_free;
		}
		if (name_index(reserved_fields, kv->key) >= 0) {
			ret = fail(ld, kv->key_pos,
				   "[storage.extra_fields] '%s' is an ltrack event field and "
				   "cannot be set", kv->key);
			goto out_free;
		}
		ret = json_value(ld, kv->key, &b, kv->val, 0);
		if (!ret && b.err)	/* the writer's only failure left: memory */
			ret = fail_nomem(ld);
		arr[i].json = ret ? NULL : strdup(jbuf_cstr(&b));
		jbuf_release(&b);
		if (!ret && !arr[i].json)
			ret = fail_nomem(ld);
		arr[i].key = strdup(kv->key);
		if (!ret && !arr[i].key)
			ret = fail_nomem(ld);
		if (ret) {
			i++;	/* free this one too */
			goto out_free;
		}
	}
	free_key(c, k);
	*(struct lt_extra_field **)field(c, k->off) = arr;
	*(size_t *)field(c, k->n_off) = n;
	return 0;

out_free:
	free_fields(arr, i);
	return ret;
}

/* ---- ctx: [filter] ranges and event selection ------------------------------ */

int lt_range_parse(const char *s, size_t len, struct lt_range *r, char *why, size_t whylen)
{
	uint64_t v[2] = { 0, 0 };
	size_t i = 0;
	int part = 0, digits = 0;

	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (ch >= '0' && ch <= '9') {
			v[part] = v[part] * 10 + (uint64_t)(ch - '0');
			if (v[part] > UINT32_MAX) {
				snprintf(why, whylen, "a number above %u", UINT32_MAX);
				return -EINVAL;
			}
			digits++;
		} else if (ch == '-' && part == 0 && digits) {
			part = 1;
			digits = 0;
		} else {
			snprintf(why, whylen, "expected N or LO-HI (decimal)");
			return -EINVAL;
		}
	}
	if (!digits) {
		snprintf(why, whylen, len ? "expected N or LO-HI (decimal)" : "an empty range");
		return -EINVAL;
	}
	r->lo = (uint32_t)v[0];
	r->hi = (uint32_t)(part ? v[1] : v[0]);
	if (r->lo > r->hi) {
		snprintf(why, whylen, "LO is above HI");
		return -EINVAL;
	}
	return 0;
}

/* the type an event name selects (table names of events.c, eTracee's aliases), or 0 */
static uint32_t ev_sel_type(const char *name)
{
	uint32_t t;

	if (!strcmp(name, "execve"))
		return LT_EV_EXEC;
	if (!strcmp(name, "openat"))
		return LT_EV_OPEN;
	t = event_type_by_name(name);
	return t < LT_EV_PROC_SNAP ? t : 0;	/* snapshots and stats are not selectable */
}

/* "unknown event 'x'; did you mean 'y'?" or the whole list, into @buf */
static void ev_sel_unknown(const char *typed, size_t n, char *buf, size_t size)
{
	const char *names[LT_EV_MAX + 2];
	char shown[SHOW_MAX], tok[40];
	const char *near = NULL, *nm;
	size_t cnt = 0, o;

	for (size_t i = 0; (nm = event_name_nth(i)) && cnt < LT_EV_MAX; i++)
		if (ev_sel_type(nm))
			names[cnt++] = nm;
	names[cnt++] = "execve";
	names[cnt++] = "openat";
	show(shown, sizeof(shown), typed, n);
	if (n < sizeof(tok)) {
		memcpy(tok, typed, n);
		tok[n] = '\0';
		near = suggest(tok, names, cnt);
	}
	if (near) {
		snprintf(buf, size, "unknown event '%s'; did you mean '%s'?", shown, near);
		return;
	}
	o = (size_t)snprintf(buf, size, "unknown event '%s' (expected one of", shown);
	for (size_t i = 0; i + 2 < cnt && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, " %s", names[i]);
	if (o < size)
		snprintf(buf + o, size - o, ")");
}

static int check_event(struct loader *ld, const struct cfg_key *k, const struct toml_value *v)
{
	char msg[400];

	if (ev_sel_type(v->u.str.s))
		return 0;
	ev_sel_unknown(v->u.str.s, v->u.str.slen, msg, sizeof(msg));
	return fail(ld, v->pos, "[%s] %s: %s", k->section, k->name, msg);
}

static void ev_mask_set(uint32_t *mask, uint32_t t)
{
	mask[(t >> 5) % (LT_EV_MAX / 32)] |= 1u << (t & 31);
}

/* [filter] events (already checked) into ev_mask */
static void events_mask_from_list(struct lt_config *c)
{
	memset(c->ev_mask, 0, sizeof(c->ev_mask));
	c->events_set = c->nevents > 0;
	for (size_t i = 0; i < c->nevents; i++)
		ev_mask_set(c->ev_mask, ev_sel_type(c->events[i]));
}

static int set_ranges(struct loader *ld, const struct cfg_key *k, const struct toml_value *v)
{
	struct lt_range *arr = field(ld->c, k->off), tmp[LT_RANGES_MAX];
	char shown[SHOW_MAX], why[128];
	size_t n;

	if (v->type != TOML_ARRAY)
		return type_err(ld, k, v);
	n = v->u.array.n;
	if (n > k->max_items)
		return fail(ld, v->u.array.items[k->max_items]->pos,
			    "[%s] %s: more than %zu ranges", k->section, k->name, k->max_items);
	for (size_t i = 0; i < n; i++) {
		const struct toml_value *e = v->u.array.items[i];

		if (e->type == TOML_INT) {
			if (e->u.i < 0 || e->u.i > (int64_t)UINT32_MAX)
				return fail(ld, e->pos, "[%s] %s: %lld is out of range 0..%u",
					    k->section, k->name, (long long)e->u.i, UINT32_MAX);
			tmp[i].lo = tmp[i].hi = (uint32_t)e->u.i;
		} else if (e->type == TOML_STRING) {
			if (lt_range_parse(e->u.str.s, e->u.str.slen, &tmp[i], why, sizeof(why)))
				return fail(ld, e->pos, "[%s] %s: '%s': %s", k->section, k->name,
					    show(shown, sizeof(shown), e->u.str.s, e->u.str.slen),
					    why);
		} else {
			return fail(ld, e->pos, "[%s] %s[%zu] must be an integer or a \"LO-HI\" "
				    "string, not %s", k->section, k->name, i,
				    toml_type_name(e->type));
		}
	}
	memcpy(arr, tmp, n * sizeof(*tmp));
	*(size_t *)field(ld->c, k->n_off) = n;
	return 0;
}

int config_set_ranges(struct lt_config *c, bool uids, const char *list, const char *origin,
		      struct lt_config_err *err)
{
	struct lt_range tmp[LT_RANGES_MAX];
	char shown[SHOW_MAX], why[128], shown2[SHOW_MAX];
	struct lt_config_err dummy;
	const char *p = list;
	size_t n = 0;

	if (!err)
		err = &dummy;
	show(shown, sizeof(shown), list, strlen(list));
	while (*p) {
		size_t len = strcspn(p, ",");

		if (n == LT_RANGES_MAX) {
			err_fill(err, "", 0, 0, "%s '%s': more than %d ranges", origin, shown,
				 LT_RANGES_MAX);
			return -EINVAL;
		}
		if (lt_range_parse(p, len, &tmp[n], why, sizeof(why))) {
			err_fill(err, "", 0, 0, "%s '%s': '%s': %s", origin, shown,
				 show(shown2, sizeof(shown2), p, len), why);
			return -EINVAL;
		}
		n++;
		p += len;
		if (*p == ',' && !*++p) {
			err_fill(err, "", 0, 0, "%s '%s': an empty range", origin, shown);
			return -EINVAL;
		}
	}
	memcpy(uids ? c->uids : c->pids, tmp, n * sizeof(*tmp));
	if (uids)
		c->nuids = n;
	else
		c->npids = n;
	return 0;
}

int config_set_events(struct lt_config *c, const char *list, const char *origin,
		      struct lt_config_err *err)
{
	uint32_t mask[LT_EV_MAX / 32] = { 0 };
	char shown[SHOW_MAX], msg[400], tok[40];
	struct lt_config_err dummy;
	const char *p = list;
	bool any = false;

	if (!err)
		err = &dummy;
	show(shown, sizeof(shown), list, strlen(list));
	while (*p) {
		size_t len = strcspn(p, ",");
		uint32_t t = 0;

		if (len && len < sizeof(tok)) {
			memcpy(tok, p, len);
			tok[len] = '\0';
			t = ev_sel_type(tok);
		}
		if (!t) {
			if (!len)
				snprintf(msg, sizeof(msg), "empty event name");
			else
				ev_sel_unknown(p, len, msg, sizeof(msg));
			err_fill(err, "", 0, 0, "%s '%s': %s", origin, shown, msg);
			return -EINVAL;
		}
		ev_mask_set(mask, t);
		any = true;
		p += len;
		if (*p == ',')
			p++;
	}
	memcpy(c->ev_mask, mask, sizeof(mask));
	c->events_set = any;
	return 0;
}

bool config_event_selected(const struct lt_config *c, uint32_t type)
{
	if (!c->events_set)
		return true;
	return c->ev_mask[(type >> 5) % (LT_EV_MAX / 32)] & (1u << (type & 31));
}

/* ---- the walk ------------------------------------------------------------ */

static const struct cfg_key *find_key(const char *section, const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (!strcmp(keys[i].section, section) && !strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

static const struct cfg_section *find_section(const char *name)
{
	for (size_t i = 0; i < N_SECTIONS; i++)
		if (!strcmp(sections[i].name, name))
			return &sections[i];
	return NULL;
}

static int unknown_key(struct loader *ld, const char *section, const struct toml_kv *kv)
{
	const char *names[N_KEYS], *near;
	char shown[SHOW_MAX];
	size_t n = 0;

	for (size_t i = 0; i < N_KEYS; i++)
		if (!strcmp(keys[i].section, section))
			names[n++] = keys[i].name;
	near = suggest(kv->key, names, n);

	show(shown, sizeof(shown), kv->key, strlen(kv->key));
	if (near)
		return fail(ld, kv->key_pos, "unknown key '%s' in [%s]; did you mean '%s'?", shown,
			    section, near);
	for (size_t i = 0; i < N_KEYS; i++)
		if (!strcmp(keys[i].name, kv->key))
			return fail(ld, kv->key_pos, "unknown key '%s' in [%s]; it belongs in [%s]",
				    shown, section, keys[i].section);
	return fail(ld, kv->key_pos, "unknown key '%s' in [%s]", shown, section);
}

static int unknown_section(struct loader *ld, const struct toml_kv *kv)
{
	const char *names[N_SECTIONS], *near;
	char shown[SHOW_MAX];

	for (size_t i = 0; i < N_SECTIONS; i++)
		names[i] = sections[i].name;
	near = suggest(kv->key, names, N_SECTIONS);

	show(shown, sizeof(shown), kv->key, strlen(kv->key));
	if (kv->val->type != TOML_TABLE) {
		for (size_t i = 0; !near && i < N_KEYS; i++)
			if (!strcmp(keys[i].name, kv->key))
				return fail(ld, kv->key_pos,
					    "key '%s' is outside any section; it belongs in [%s]",
					    shown, keys[i].section);
		if (near)
			return fail(ld, kv->key_pos,
				    "unknown key '%s' outside any section; did you mean [%s]?",
				    shown, near);
		return fail(ld, kv->key_pos, "unknown key '%s' outside any section", shown);
	}
	if (near)
		return fail(ld, kv->key_pos, "unknown section [%s]; did you mean [%s]?", shown,
			    near);
	return fail(ld, kv->key_pos, "unknown section [%s]", shown);
}

static int load_section(struct loader *ld, const struct cfg_section *sec,
			const struct toml_kv *skv)
{
	const struct toml_value *t = skv->val;
	int ret;

	if (t->type != TOML_TABLE)
		return fail(ld, t->pos, "%s must be a table ([%s]), not %s", sec->name, sec->name,
			    toml_type_name(t->type));
	if (sec->present_off != NO_OFF)
		*(bool *)field(ld->c, sec->present_off) = true;
	if (!strcmp(sec->name, "storage"))
		ld->storage_pos = t->pos;
	for (size_t i = 0; i < t->u.table.n; i++) {
		const struct toml_kv *kv = &t->u.table.items[i];
		const struct cfg_key *k = find_key(sec->name, kv->key);

		if (!k)
			return unknown_key(ld, sec->name, kv);
		switch (k->type) {
		case CT_STRS:
			ret = set_strs(ld, k, kv->val);
			if (!ret && k->def_v)	/* model */
				*(bool *)field(ld->c, k->set_off) = true;
			break;
		case CT_INTS:
			ret = set_ints(ld, k, kv->val);
			break;
		case CT_FIELDS:
			ret = set_fields(ld, k, kv->val);
			break;
		case CT_RANGES:
			ret = set_ranges(ld, k, kv->val);
			break;
		default:
			ret = set_scalar(ld, k, kv->val);
			break;
		}
		if (ret)
			return ret;
		if (k->off == F(storage_type)) {
			ld->type_pos = kv->val->pos;
			ld->type_set = true;
		}
	}
	return 0;
}

/* checks between keys, after the walk */
static int check_storage(struct loader *ld)
{
	const struct lt_config *c = ld->c;
	struct toml_pos pos = ld->type_set ? ld->type_pos : ld->storage_pos;

	if (c->storage_type == LT_STORE_FILE && !c->storage_file_path)
		return fail(ld, pos, "[storage] type \"file\" needs file_path");
	if (c->storage_type == LT_STORE_SOCKET && (!c->storage_remote_addr ||
						    !c->storage_remote_port))
		return fail(ld, pos, "[storage] type \"socket\" needs %s",
			    !c->storage_remote_addr && !c->storage_remote_port ?
			    "remote_addr and remote_port" :
			    !c->storage_remote_addr ? "remote_addr" : "remote_port");
	return 0;
}

/* ---- public -------------------------------------------------------------- */

void config_init(struct lt_config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct cfg_key *k = &keys[i];

		switch (k->type) {
		case CT_BOOL:
			*(bool *)field(c, k->off) = k->def;
			break;
		case CT_INT:
			*(int64_t *)field(c, k->off) = k->def;
			break;
		case CT_ENUM:
			*(int *)field(c, k->off) = (int)k->def;
			break;
		case CT_STR:
			*(char **)field(c, k->off) = (char *)k->def_s;
			break;
		case CT_STRS:
		case CT_INTS:
		case CT_FIELDS:
		case CT_RANGES:
			break;
		}
	}
}

void config_release(struct lt_config *c)
{
	for (size_t i = 0; i < N_KEYS; i++)
		free_key(c, &keys[i]);
	for (size_t i = 0; c->watches && i < c->nwatches; i++) {
		free(c->watches[i].path);
		free(c->watches[i].origin);
	}
	free(c->watches);
	free(c->path);
	config_init(c);
}

int config_load_buf(struct lt_config *c, const char *buf, size_t len, const char *name,
		    struct lt_config_err *err)
{
	struct lt_config_err dummy;
	struct toml_value *root = NULL;
	struct toml_err terr;
	struct loader ld = { .c = c, .name = name ? name : "policy", .err = err ? err : &dummy };
	char *path;
	int ret;

	memset(ld.err, 0, sizeof(*ld.err));
	memset(&terr, 0, sizeof(terr));
	ret = toml_parse(buf, len, &root, &terr);
	if (ret) {
		if (ret == -ENOMEM)
			return fail_nomem(&ld);
		err_fill(ld.err, ld.name, terr.pos.line, terr.pos.col, "%s", terr.msg);
		return ret;
	}
	for (size_t i = 0; i < root->u.table.n; i++) {
		const struct toml_kv *kv = &root->u.table.items[i];
		const struct cfg_section *sec = find_section(kv->key);

		ret = sec ? load_section(&ld, sec, kv) : unknown_section(&ld, kv);
		if (ret)
			goto out_free;
	}
	ret = check_storage(&ld);
	if (ret)
		goto out_free;
	events_mask_from_list(c);	/* ctx: the names were checked by check_event */
	path = strdup(ld.name);
	if (!path) {
		ret = fail_nomem(&ld);
		goto out_free;
	}
	free(c->path);
	c->path = path;
	c->have_policy = true;
out_free:
	toml_free(root);
	return ret;
}

int config_load_file(struct lt_config *c, const char *path, struct lt_config_err *err)
{
	struct lt_config_err dummy;
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int fd, ret;

	if (!err)
		err = &dummy;
	/* never blocks on a FIFO, never opens a device's driver for reading */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		err_fill(err, path, 0, 0, "cannot read: %s", strerror(-ret));
		return ret;
	}
	{
		struct stat st;

		if (fstat(fd, &st)) {
			ret = -errno;
			err_fill(err, path, 0, 0, "cannot read: %s", strerror(-ret));
			goto out_close;
		}
		if (S_ISDIR(st.st_mode)) {
			ret = -EISDIR;
			err_fill(err, path, 0, 0, "cannot read: %s", strerror(EISDIR));
			goto out_close;
		}
		if (!S_ISREG(st.st_mode)) {
			ret = -EINVAL;
			err_fill(err, path, 0, 0, "not a regular file (a FIFO, a device or a socket is "
				 "never read as a policy)");
			goto out_close;
		}
		if (st.st_mode & S_IWOTH) {
			ret = -EPERM;
			err_fill(err, path, 0, 0, "writable by every user (mode %04o): the agent runs "
				 "as root on it; chmod o-w", (unsigned)(st.st_mode & 07777));
			goto out_close;
		}
	}
	for (;;) {
		ssize_t r;

		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 64 * 1024;
			char *p;

			if (ncap > CONFIG_FILE_MAX + 1)
				ncap = CONFIG_FILE_MAX + 1;
			if (ncap == cap) {
				ret = -EFBIG;
				err_fill(err, path, 0, 0, "larger than 16 MiB");
				goto out_close;
			}
			p = realloc(buf, ncap);
			if (!p) {
				ret = -ENOMEM;
				err_fill(err, path, 0, 0, "out of memory");
				goto out_close;
			}
			buf = p;
			cap = ncap;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			err_fill(err, path, 0, 0, "cannot read: %s", strerror(-ret));
			goto out_close;
		}
		if (!r)
			break;
		len += (size_t)r;
	}
	if (len > CONFIG_FILE_MAX) {
		ret = -EFBIG;
		err_fill(err, path, 0, 0, "larger than 16 MiB");
		goto out_close;
	}
	ret = config_load_buf(c, buf ? buf : "", len, path, err);
out_close:
	free(buf);
	close(fd);
	return ret;
}

static int watch_fail(struct lt_config_err *err, const char *origin, const char *spec,
		      const char *what)
{
	char shown[SHOW_MAX];

	err_fill(err, "", 0, 0, "%s '%s': %s", origin, show(shown, sizeof(shown), spec,
							  strlen(spec)), what);
	return -EINVAL;
}

int config_add_watch_spec(struct lt_config *c, const char *spec, const char *origin,
			  struct lt_config_err *err)
{
	struct lt_config_err dummy;
	const char *eq = strchr(spec, '='), *p;
	struct lt_watch *w, nw = { 0 };
	char msg[256], tok[32], shown[SHOW_MAX];
	uint32_t mask = 0;

	if (!err)
		err = &dummy;
	if (!origin)
		origin = "--watch";
	if (!eq)
		return watch_fail(err, origin, spec,
				  "expected EVENTS=PATH, e.g. create,delete=/etc");
	if (eq == spec)
		return watch_fail(err, origin, spec, "no events before '='");
	if (!eq[1])
		return watch_fail(err, origin, spec, "empty path");
	for (p = spec; p <= eq; ) {
		size_t n = strcspn(p, ",=");
		const char *near = NULL;
		uint32_t bit = 0;

		if (!n)
			return watch_fail(err, origin, spec, "empty event name");
		if (n < sizeof(tok)) {
			memcpy(tok, p, n);
			tok[n] = '\0';
			if (!strcmp(tok, "all"))
				bit = LT_W_ALL;
			for (size_t i = 0; !bit && i < N_WATCH_EVENTS; i++)
				if (!strcmp(tok, watch_events[i].name))
					bit = watch_events[i].bit;
		}
		if (!bit) {
			show(shown, sizeof(shown), p, n);
			if (n < sizeof(tok)) {
				const char *names[N_WATCH_EVENTS + 1] = { "all" };

				for (size_t i = 0; i < N_WATCH_EVENTS; i++)
					names[i + 1] = watch_events[i].name;
				near = suggest(tok, names, N_WATCH_EVENTS + 1);
			}
			if (near)
				snprintf(msg, sizeof(msg), "unknown event '%s'; did you mean '%s'?",
					 shown, near);
			else
				snprintf(msg, sizeof(msg), "unknown event '%s' (expected all, "
					 "create, mkdir, mknod, delete, rmdir, rename, attrib, "
					 "symlink, link, modify or open)", shown);
			return watch_fail(err, origin, spec, msg);
		}
		mask |= bit;
		p += n + 1;
	}
	nw.path = strdup(eq + 1);
	nw.origin = strdup(origin);
	nw.mask = mask;
	w = reallocarray(c->watches, c->nwatches + 1, sizeof(*w));
	if (!nw.path || !nw.origin || !w) {
		if (w)
			c->watches = w;
		free(nw.path);
		free(nw.origin);
		err_fill(err, "", 0, 0, "out of memory");
		return -ENOMEM;
	}
	c->watches = w;
	c->watches[c->nwatches++] = nw;
	return 0;
}

int config_finish(struct lt_config *c, struct lt_config_err *err)
{
	size_t ndirs = c->file_enabled ? c->ndirectories : 0;
	size_t total = ndirs + c->nwatches, n = 0;
	struct lt_config_err dummy;
	struct lt_watch *out = NULL;
	struct stat *ids = NULL;
	const char *file = c->path ? c->path : "policy";
	char origin_buf[300];
	int ret = 0;

	if (!err)
		err = &dummy;
	if (total) {
		out = calloc(total, sizeof(*out));
		ids = calloc(total, sizeof(*ids));
		if (!out || !ids) {
			ret = -ENOMEM;
			err_fill(err, "", 0, 0, "out of memory");
			goto out_free;
		}
	}
	for (size_t i = 0; i < total; i++) {
		const struct lt_watch *w = i < ndirs ? NULL : &c->watches[i - ndirs];
		struct lt_config_pos pos = { 0, 0 };
		const char *path, *origin;
		uint32_t mask;
		struct stat st;
		char *real;
		size_t j;

		if (!w) {
			path = c->directories[i];
			mask = LT_W_ALL;
			if (c->directory_pos)
				pos = c->directory_pos[i];
			if (pos.line)
				snprintf(origin_buf, sizeof(origin_buf), "%s:%d:%d", file, pos.line,
					 pos.col);
			else
				snprintf(origin_buf, sizeof(origin_buf), "%s", file);
			origin = origin_buf;
		} else {
			path = w->path;
			mask = w->mask;
			origin = w->origin ? w->origin : "--watch";
		}
		real = realpath(path, NULL);
		if (!real || stat(real, &st)) {
			ret = -errno;
		} else if (!S_ISDIR(st.st_mode)) {
			ret = -ENOTDIR;
		}
		if (ret) {
			char shown[SHOW_MAX];

			show(shown, sizeof(shown), path, strlen(path));
			if (!w)
				err_fill(err, file, pos.line, pos.col, "watched directory '%s': %s",
					 shown, strerror(-ret));
			else
				err_fill(err, "", 0, 0, "%s '%s': %s", origin, shown,
					 strerror(-ret));
			free(real);
			goto out_free;
		}
		for (j = 0; j < n; j++)
			if (ids[j].st_dev == st.st_dev && ids[j].st_ino == st.st_ino)
				break;
		if (j < n) {
			out[j].mask |= mask;
			free(real);
			continue;
		}
		out[n].path = real;
		out[n].mask = mask;
		out[n].origin = strdup(origin);
		ids[n] = st;
		n++;
		if (!out[n - 1].origin) {
			ret = -ENOMEM;
			err_fill(err, "", 0, 0, "out of memory");
			goto out_free;
		}
	}
	for (size_t i = 0; i < c->nwatches; i++) {
		free(c->watches[i].path);
		free(c->watches[i].origin);
	}
	free(c->watches);
	c->watches = out;
	c->nwatches = n;
	out = NULL;
	n = 0;
out_free:
	for (size_t i = 0; i < n; i++) {
		free(out[i].path);
		free(out[i].origin);
	}
	free(out);
	free(ids);
	return ret;
}

void config_format_err(const struct lt_config_err *err, char *buf, size_t len)
{
	if (!len)
		return;
	if (!err->file[0])
		snprintf(buf, len, "%s", err->msg);
	else if (!err->line)
		snprintf(buf, len, "%s: %s", err->file, err->msg);
	else
		snprintf(buf, len, "%s:%d:%d: %s", err->file, err->line, err->col, err->msg);
}

const char *lt_watch_mask_name(uint32_t mask, char *buf, size_t len)
{
	size_t o = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (!mask) {
		snprintf(buf, len, "none");
		return buf;
	}
	if ((mask & LT_W_ALL) == LT_W_ALL) {
		o = (size_t)snprintf(buf, len, "all");
		mask &= ~(uint32_t)LT_W_ALL;
	}
	for (size_t i = 0; i < N_WATCH_EVENTS && o < len; i++) {
		int w;

		if (!(mask & watch_events[i].bit))
			continue;
		w = snprintf(buf + o, len - o, "%s%s", o ? "," : "", watch_events[i].name);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	return buf;
}

static void ref_default(const struct cfg_key *k, char *buf, size_t size)
{
	switch (k->type) {
	case CT_BOOL:
		snprintf(buf, size, "`%s`", k->def ? "true" : "false");
		break;
	case CT_INT:
		if (k->def < k->min)
			snprintf(buf, size, "unset");
		else
			snprintf(buf, size, "`%lld`", (long long)k->def);
		break;
	case CT_ENUM:
		snprintf(buf, size, "`\"%s\"`", k->names[k->def]);
		break;
	case CT_STR:
		if (k->def_s)
			snprintf(buf, size, "`\"%s\"`", k->def_s);
		else
			snprintf(buf, size, "unset");
		break;
	case CT_STRS:
		if (k->def_v) {	/* model */
			size_t o = 0;

			for (size_t i = 0; k->def_v[i] && o < size; i++)
				o += snprintf(buf + o, size - o, "%s\"%s\"", i ? ", " : "`[",
					      k->def_v[i]);
			if (o < size)
				snprintf(buf + o, size - o, "]`");
			break;
		}
		snprintf(buf, size, "`[]`");
		break;
	case CT_INTS:
	case CT_RANGES:
		snprintf(buf, size, "`[]`");
		break;
	case CT_FIELDS:
		snprintf(buf, size, "`{}`");
		break;
	}
}

static void ref_type(const struct cfg_key *k, char *buf, size_t size)
{
	char names[160];
	const char *lst = k->names ? list_names(k->names, names, sizeof(names)) : "";

	switch (k->type) {
	case CT_BOOL:
		snprintf(buf, size, "boolean");
		break;
	case CT_INT:
		snprintf(buf, size, "integer %lld..%lld", (long long)k->min, (long long)k->max);
		break;
	case CT_ENUM:
		snprintf(buf, size, "%s", lst);
		break;
	case CT_STR:
		snprintf(buf, size, k->names ? "%s" : "string", lst);
		break;
	case CT_STRS:
		if (k->names)
			snprintf(buf, size, "array of %s (at most %zu)", lst, k->max_items);
		else
			snprintf(buf, size, "array of strings (at most %zu)", k->max_items);
		break;
	case CT_INTS:
		snprintf(buf, size, "array of integers %lld..%lld (at most %zu)",
			 (long long)k->min, (long long)k->max, k->max_items);
		break;
	case CT_FIELDS:
		snprintf(buf, size, "table");
		break;
	case CT_RANGES:
		snprintf(buf, size, "array of integers or \"LO-HI\" strings (at most %zu)",
			 k->max_items);
		break;
	}
}

/* the rules behind some keys, then a policy that uses every key */
static const char reference_example[] =
	"\n## How `watch_commands` matches\n\n"
	"A process is selected when one pattern matches the basename of its image\n"
	"(the executed file, after symlinks) or its comm (which, for a script, is the\n"
	"script's name). The match is made in the kernel at exec; a forked child\n"
	"inherits its parent's verdict until it execs.\n\n"
	"* A pattern with `*`, `?` or `[...]` (`[!...]` negates, `a-z` ranges) is a\n"
	"  glob over the whole name: `sl*` matches `sleep`, `[bc]ash` matches `bash`.\n"
	"* A plain name matches the name exactly or followed by a version suffix\n"
	"  that starts with a digit and holds only digits and dots: `python` matches\n"
	"  `python`, `python3` and `python3.11`, not `pythonista` or `python3-config`.\n"
	"* `enabled = true` with an empty list selects every command.\n"
	"* Selection governs exec, fork (of the selected process) and exit events.\n\n"
	/* net */
	"## How `[network_monitor]` filters\n\n"
	"* `enabled = true` reports every network event type: `connect`, `connect_result`,\n"
	"  `udp_send` (the outgoing side) and `bind`, `listen`, `accept` (the serving side).\n"
	"  `--connect` adds the outgoing side, `--listen` the serving side, `--all` both,\n"
	"  to what the policy asks for (and, without `--config`, they alone decide).\n"
	"* `ports` names service ports: the remote port for `connect`, `connect_result`\n"
	"  and `udp_send`, the local port for `bind`, `listen` and `accept`. Unix sockets\n"
	"  have no port: only `protocols` selects them.\n"
	"* `protocols`: `tcp` (stream sockets), `udp` (datagram sockets) of IPv4 and IPv6,\n"
	"  and `unix` (AF_UNIX of any type). Other sockets (raw, ICMP, netlink, ...) are\n"
	"  never reported.\n"
	"* Both filters run in the kernel, before an event takes ring space.\n"
	"* `enabled` stays `false` by default, as it was documented before the network\n"
	"  events existed: a policy written then does not start reporting every\n"
	"  connection of the host. A `[network_monitor]` with `ports` or `protocols` but\n"
	"  not `enabled = true` logs a warning.\n\n"
	/* end net */
	/* gpu */
	"## How `[model_monitor]` `gpu_allow` matches\n\n"
	"* It applies to `gpu_access` only, in user space: the kernel reports the first\n"
	"  open of each GPU device node by each process image, and ltrack drops the\n"
	"  events of allowed images before they are written.\n"
	"* An entry with a `/` is an absolute path (globs allowed, `*` stays within one\n"
	"  directory) matched against the whole path of the executed file.\n"
	"* Any other entry is a name matched against that file's basename, like\n"
	"  `watch_commands`: globs over the whole name, or a plain name exactly or with\n"
	"  a version suffix (`python` allows `python3.11`).\n"
	"* The comm is never used (a process sets its own), and a process whose image\n"
	"  is unknown is never allowed.\n\n"
	/* end gpu */
	"## How `[file_monitor]` and `--watch` combine\n\n"
	"Each directory means `--watch all=DIR` (every event but `open`). A watch\n"
	"covers the directory's whole subtree; where watches nest, the deepest one\n"
	"decides inside it. With `--config`, `--watch` flags add to the policy. See\n"
	"docs/paths.md for how paths are matched.\n"
	"\n## Example: every key\n\n"
	"```toml\n"
	"[file_monitor]\n"
	"enabled = true\n"
	"directories = [\"/etc\", \"/srv/models\"]   # each means --watch all=DIR\n"
	"\n"
	"[exec_monitor]\n"
	"enabled = true\n"
	"watch_commands = [\"bash\", \"python\", \"sl*\"]   # python matches python3.11\n"
	"ancestors = 2                  # parent and grandparent on every event\n"
	"\n"
	"[network_monitor]\n"
	"enabled = true\n"
	"ports = [80, 443, 8080]\n"
	"protocols = [\"tcp\", \"udp\"]\n"
	"\n"
	"[library_monitor]\n"
	"enabled = true\n"
	"trusted_dirs = [\"/opt/vendor/lib\"]   # added to the defaults\n"
	"default_trusted_dirs = true\n"
	"dlopen = true\n"
	"\n"
	"[model_monitor]\n"
	"enabled = true\n"
	"extensions = [\".pt\", \".safetensors\", \".gguf\"]   # replaces the default list\n"
	"confirm_extensions = [\".pth\", \".bin\"]\n"
	"loaders = [\"python3*\", \"torchserve\"]\n"
	"trainers = [\"train.py\"]\n"
	"exfil_percent = 50\n"
	"model_max_mb = 65536\n"
	"scan = true\n"
	"scan_wait_ms = 2000\n"
	"\n"
	"[log]\n"
	"level = \"info\"\n"
	"format = \"json\"\n"
	"output_path = \"/var/log/ltrack/app.log\"\n"
	"max_size = 100\n"
	"max_age = 7\n"
	"max_backups = 5\n"
	"compress = true\n"
	"\n"
	"[http_server]   # validated; not implemented yet\n"
	"enabled = false\n"
	"port = 8080\n"
	"host = \"127.0.0.1\"\n"
	"\n"
	"[storage]\n"
	"enabled = true\n"
	"type = \"file\"                 # or \"stdout\", or \"socket\" with remote_addr/remote_port\n"
	"format = \"json\"\n"
	"file_path = \"/var/log/ltrack/events.log\"\n"
	"max_size = 100\n"
	"max_age = 7\n"
	"max_backups = 5\n"
	"compress = true\n"
	"# adapter = \"logstash\"       # validated; not implemented yet\n"
	"# remote_addr = \"127.0.0.1\"  # type = \"socket\": newline-delimited JSON over TCP\n"
	"# remote_port = 5044\n"
	"\n"
	"[storage.extra_fields]\n"
	"env = \"prod\"\n"
	"cluster = { name = \"ml-1\", zone = 3 }\n"
	"\n"
	"[agent]\n"
	"stats_interval = 60\n"
	"failed = false\n"
	"\n"
	"[filter]                       # applied in the kernel; empty = no filter\n"
	"pids = [\"100-200\", 300]       # like --pid 100-200,300\n"
	"uids = [\"1000-2000\"]          # like --uid 1000-2000\n"
	"events = [\"exec\", \"open\"]    # like --events exec,open\n"
	"[hashing]\n"
	"enabled = true\n"
	"wait_ms = 100\n"
	"cache_entries = 8192\n"
	"workers = 2\n"
	"nice = 10                      # hash: SCHED_BATCH at this nice value\n"
	"max_file_mb = 256\n"
	"fanotify = true                # hash: exec images through fanotify's descriptor\n"
	"\n"
	"[model_monitor]                # gpu: gpu_access (the model keys are separate)\n"
	"gpu = true\n"
	"gpu_allow = [\"python\", \"/opt/triton/bin/*\"]   # images allowed to open GPUs\n"
	"```\n";

/* model */
char *const *config_model_exts(const struct lt_config *c, size_t *n)
{
	if (c->model_exts_set) {
		*n = c->nmodel_exts;
		return c->model_exts;
	}
	*n = sizeof(model_default_exts) / sizeof(model_default_exts[0]) - 1;
	return (char *const *)model_default_exts;
}

char *const *config_model_confirm(const struct lt_config *c, size_t *n)
{
	if (c->model_confirm_set) {
		*n = c->nmodel_confirm;
		return c->model_confirm;
	}
	*n = sizeof(model_default_confirm) / sizeof(model_default_confirm[0]) - 1;
	return (char *const *)model_default_confirm;
}

char *const *config_model_loaders(const struct lt_config *c, size_t *n)
{
	if (c->model_loaders_set) {
		*n = c->nmodel_loaders;
		return c->model_loaders;
	}
	*n = sizeof(model_default_loaders) / sizeof(model_default_loaders[0]) - 1;
	return (char *const *)model_default_loaders;
}

/* evade */
uint32_t config_mem_groups(const struct lt_config *c)
{
	uint32_t g = 0;

	if (!c->have_policy)
		return 0;
	g |= c->sec_memory ? LT_MEMG_MEMORY : 0;
	g |= c->sec_fileless ? LT_MEMG_FILELESS : 0;
	g |= c->sec_credentials ? LT_MEMG_CREDS : 0;
	g |= c->sec_ptrace ? LT_MEMG_PTRACE : 0;
	g |= c->sec_kill ? LT_MEMG_KILL : 0;
	g |= c->sec_modules ? LT_MEMG_MODULES : 0;
	return g;
}

uint32_t config_evade_groups(const struct lt_config *c)
{
	static const struct {
		size_t off;
		uint32_t group;
	} g[] = {
		{ F(sec_timestomp), LT_EG_TIMESTOMP },	 { F(sec_xattr), LT_EG_XATTR },
		{ F(sec_truncate), LT_EG_TRUNCATE },	 { F(sec_namespaces), LT_EG_NAMESPACES },
		{ F(sec_mounts), LT_EG_MOUNTS },	 { F(sec_bpf), LT_EG_BPF },
		{ F(sec_perf), LT_EG_PERF },		 { F(sec_process_vm), LT_EG_PROCESS_VM },
		{ F(sec_prctl), LT_EG_PRCTL },		 { F(sec_fd_redirect), LT_EG_FD_REDIRECT },
		{ F(sec_io_uring), LT_EG_IO_URING },
	};
	uint32_t groups = 0;

	if (!c->have_policy)
		return 0;
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++)
		if (*(const bool *)((const char *)c + g[i].off))
			groups |= g[i].group;
	return groups;
}
/* end evade */

int config_write_reference(FILE *f)
{
	char type[256], def[96];

	fprintf(f, "# policy.toml reference\n\n"
		"Generated from the key table in src/config.c. Every key is optional; an\n"
		"unknown section or key, a wrong type or a value out of range is an error.\n");
	for (size_t s = 0; s < N_SECTIONS; s++) {
		fprintf(f, "\n## [%s]\n\n%s\n\n| key | type | default | meaning |\n"
			"|---|---|---|---|\n", sections[s].name, sections[s].doc);
		for (size_t i = 0; i < N_KEYS; i++) {
			const struct cfg_key *k = &keys[i];

			if (strcmp(k->section, sections[s].name))
				continue;
			ref_type(k, type, sizeof(type));
			ref_default(k, def, sizeof(def));
			fprintf(f, "| `%s` | %s | %s | %s |\n", k->name, type, def, k->doc);
		}
	}
	fputs(reference_example, f);
	return ferror(f) ? -EIO : 0;
}
