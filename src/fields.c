// SPDX-License-Identifier: MIT
/*
 * fields.c - the field registry's rows for the common part of every event,
 * its context and tail, and the families events.c decodes (process, file,
 * lib, hash updates); lookup and the docs tables. See fields.h.
 *
 * A family with its own module keeps its rows there (src/gpu.c); its type
 * rows in src/events.c point at them.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "events.h"
#include "fields.h"
#include "hash.h"
#include "model/model.h"
#include "output/field_json.h"
#include "output/format.h"

/* ---- getters ---------------------------------------------------------------- */

#define U(fn, expr) FLD_GETTER(fn, u, expr, 1)
#define U_CTX(fn, expr) FLD_GETTER(fn, u, expr, ev->has_ctx)
/* a string from the event, null when NULL */
#define S(fn, expr) FLD_GETTER(fn, s, expr, 1)

static int plain(struct fld_val *v)
{
	v->s = v->buf;
	v->plain = true;
	return 0;
}

/* the text of the last key a formatter was given on this thread (values come in runs) */
struct text_memo {
	uint32_t key;
	size_t len;		/* 0: none yet */
	char text[sizeof(((struct fld_val *)0)->buf)];
};

static int memo_text(struct text_memo *m, uint32_t key, size_t (*fmt)(uint32_t, char *, size_t),
		     struct fld_val *v)
{
	if (!m->len || key != m->key) {
		m->len = fmt(key, m->text, sizeof(m->text));
		m->key = key;
	}
	memcpy(v->buf, m->text, m->len + 1);
	v->len = m->len;
	return plain(v);
}

/* "major:minor" of a kernel dev_t */
static int dev_val(uint32_t kdev, struct fld_val *v)
{
	static __thread struct text_memo m;

	return memo_text(&m, kdev, format_kdev, v);
}

int fld_set_kdev(struct fld_val *v, uint32_t kdev)
{
	return dev_val(kdev, v);
}

int fld_set_hex64(struct fld_val *v, uint64_t x)
{
	static const char digits[] = "0123456789abcdef";

	v->buf[0] = '0';
	v->buf[1] = 'x';
	for (int i = 0; i < 16; i++)
		v->buf[2 + i] = digits[(x >> (60 - 4 * i)) & 0xf];
	v->buf[18] = '\0';
	return plain(v);
}

int fld_set_text(struct fld_val *v)
{
	return plain(v);
}

int fld_set_bits(struct fld_val *v, uint64_t bits, const struct fld_bitname *t, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(t[i].name) + 1;

		if ((bits & t[i].bit) && l <= sizeof(v->buf) - o) {
			memcpy(v->buf + o, t[i].name, l);
			o += l;
		}
	}
	v->s = v->buf;
	v->len = o;
	return 0;
}

/* "0644" */
static int octal_val(uint32_t mode, struct fld_val *v)
{
	mode &= 07777;
	for (int i = 3; i >= 0; i--) {
		v->buf[i] = '0' + (mode & 7);
		mode >>= 3;
	}
	v->buf[4] = '\0';
	return plain(v);
}

static int exec_id_val(uint32_t pid, uint64_t start_ns, struct fld_val *v)
{
	format_exec_id(pid, start_ns, v->buf, sizeof(v->buf));
	return plain(v);
}

/* common */
U(get_timestamp, ev->ts_ns)
U(get_event_type, ev->type)

/* the type table's name: ASCII, no escaping */
static int get_event_name(const struct event *ev, struct fld_val *v)
{
	v->s = ev->name;
	v->plain = true;
	return 0;
}

U(get_pid, ev->pid)
U(get_tid, ev->tid)
U(get_ppid, ev->ppid)
U(get_uid, ev->uid)
U(get_gid, ev->gid)
U(get_euid, ev->euid)
U(get_loginuid, ev->loginuid)
U_CTX(get_sessionid, ev->sessionid)
S(get_comm, ev->comm)
S(get_exe, ev->exe)
U_CTX(get_cgroup_id, ev->cgroup_id)
U_CTX(get_pid_ns, ev->pid_ns)
U_CTX(get_mnt_ns, ev->mnt_ns)
U_CTX(get_net_ns, ev->net_ns)

static int get_time_str(const struct event *ev, struct fld_val *v)
{
	v->len = format_time(ev->ts_ns, v->buf, sizeof(v->buf));
	return plain(v);
}

/* JSON writers of the two: every event has them (the getters are for rules) */
static void write_timestamp(struct jbuf *b, const struct event *ev)
{
	JSON_KEY(b, "timestamp");
	json_uint_ns(b, ev->ts_ns);
}

static void write_time_str(struct jbuf *b, const struct event *ev)
{
	char t[40];

	JSON_KEY(b, "time_str");
	json_str_plain(b, t, format_time(ev->ts_ns, t, sizeof(t)));
}

static int get_tty(const struct event *ev, struct fld_val *v)
{
	if (!ev->has_ctx)
		return -ENOENT;
	if (!ev->tty) {
		v->s = NULL;
		return 0;
	}
	tty_name(ev->tty, v->buf, sizeof(v->buf));
	return plain(v);
}

static int get_exec_id(const struct event *ev, struct fld_val *v)
{
	return exec_id_val(ev->pid, ev->start_ns, v);
}

static int get_parent_exec_id(const struct event *ev, struct fld_val *v)
{
	return exec_id_val(ev->ppid, ev->parent_start_ns, v);
}

FLD_GETTER(get_cgroup, s, ev->has_ctx ? ev->cgroup : NULL, v->s)

FLD_GETTER(get_container_id, s, ev->has_ctx ? ev->container_id : NULL, v->s)

FLD_GETTER(get_container_runtime, s, ev->has_ctx ? ev->container_runtime : NULL, v->s)

FLD_GETTER(get_pod_uid, s, ev->has_ctx ? ev->pod_uid : NULL, v->s)

static int get_container_delegated(const struct event *ev, struct fld_val *v)
{
	v->b = true;
	return ev->has_ctx && ev->container_delegated ? 0 : -ENOENT;
}

static int get_syscall_nr(const struct event *ev, struct fld_val *v)
{
	v->i = ev->syscall_nr;
	return ev->syscall_nr >= 0 ? 0 : -ENOENT;
}

static int get_ret_code(const struct event *ev, struct fld_val *v)
{
	v->i = ev->ret;
	return ev->syscall_nr >= 0 ? 0 : -ENOENT;
}

/* ctx: the v1 paths that are not "/", as one object */
static void write_cgroup_v1(struct jbuf *b, const struct event *ev)
{
	static const char *const v1_keys[4] = { "cpu", "memory", "pids", "systemd" };
	bool any = false;

	if (!ev->has_ctx)
		return;
	for (int k = 0; k < 4; k++) {
		if (!ev->cgroup_v1[k])
			continue;
		if (!any) {
			JSON_KEY(b, "cgroup_v1");
			json_obj_begin(b);
			any = true;
		}
		json_key(b, v1_keys[k]);
		json_cstr(b, ev->cgroup_v1[k]);
	}
	if (any)
		json_obj_end(b);
}

/* hash: the digest of the event's object */
static int get_sha256(const struct event *ev, struct fld_val *v)
{
	if (!hash_state_name(ev->hash_state))
		return -ENOENT;
	v->s = ev->hash_state == HASH_OK ? ev->sha256 : NULL;
	v->plain = true;
	return 0;
}

static int get_hash_state(const struct event *ev, struct fld_val *v)
{
	v->s = hash_state_name(ev->hash_state);
	v->plain = true;
	return v->s ? 0 : -ENOENT;
}

static int get_hash_error(const struct event *ev, struct fld_val *v)
{
	v->s = hash_state_name(ev->hash_state) ? ev->hash_error : NULL;
	v->plain = true;
	return v->s ? 0 : -ENOENT;
}

/* ctx: "ancestors": [{pid, exe, args, exec_id}, ...], parent first */
static void write_ancestors(struct jbuf *b, const struct event *ev)
{
	char id[48];

	if (!ev->nancestors)
		return;
	JSON_KEY(b, "ancestors");
	json_arr_begin(b);
	for (uint32_t i = 0; i < ev->nancestors && i < EV_ANCESTORS_MAX; i++) {
		const struct ev_ancestor *a = &ev->ancestors[i];

		json_obj_begin(b);
		JSON_KEY(b, "pid");
		json_uint(b, a->pid);
		JSON_KEY(b, "exe");
		json_cstr(b, a->exe);
		JSON_KEY(b, "args");
		if (a->args)
			json_strv(b, a->args, a->args_len);
		else
			json_null(b);
		format_exec_id(a->pid, a->start_ns, id, sizeof(id));
		JSON_KEY(b, "exec_id");
		json_str_plain(b, id, strlen(id));
		json_obj_end(b);
	}
	json_arr_end(b);
}

/* ---- the head and the tail of every event ----------------------------------- */

#define C FG_COMMON
#define X FG_CTX
static const struct ev_field head_rows[] = {
	FIELD_ROW("schema", FT_INT, FLD_AGENT, C, NULL, NULL, "schema version, 1"),
	FIELD_ROW("hostname", FT_STR, FLD_AGENT, C, NULL, NULL, "`gethostname()`"),
	FIELD_ROW("boot_id", FT_STR, FLD_AGENT, C, NULL, NULL,
		  "`/proc/sys/kernel/random/boot_id`; with `exec_id` identifies a process across hosts"),
	FIELD_ROW("seq", FT_UINT, FLD_AGENT, C, NULL, NULL,
		  "sequence number of the record in this run (1, 2, ...): a gap means lost output"),
	FIELD_ROW("timestamp", FT_UINT, 0, C, get_timestamp, write_timestamp,
		  "ns since the Unix epoch. Taken in the kernel with the boot clock and converted with "
		  "the CLOCK_REALTIME − CLOCK_BOOTTIME offset, refreshed every second"),
	FIELD_ROW("time_str", FT_STR, 0, C, get_time_str, write_time_str,
		  "the same instant, RFC 3339 UTC with µs: `2026-11-22T01:09:56.006040Z`"),
	FIELD_ROW("event_type", FT_UINT, FLD_TYPE, C, get_event_type, NULL,
		  "the number in the table of event types"),
	FIELD_ROW("event_name", FT_STR, FLD_TYPE, C, get_event_name, NULL,
		  "the name in the table of event types"),
	FIELD_ROW("pid", FT_UINT, 0, C, get_pid, NULL, "thread-group id (what `ps` calls PID)"),
	FIELD_ROW("tid", FT_UINT, 0, C, get_tid, NULL, "thread id"),
	FIELD_ROW("ppid", FT_UINT, FLD_PROC, C, get_ppid, NULL, "the real parent's pid"),
	FIELD_ROW("uid", FT_UINT, FLD_PROC, C, get_uid, NULL, "real user id"),
	FIELD_ROW("gid", FT_UINT, FLD_PROC, C, get_gid, NULL, "real group id"),
	FIELD_ROW("euid", FT_UINT, FLD_PROC, C, get_euid, NULL, "effective user id"),
	FIELD_ROW("loginuid", FT_UINT, FLD_PROC, C, get_loginuid, NULL,
		  "audit login uid; 4294967295 when unset, as in auditd"),
	FIELD_ROW("sessionid", FT_UINT, FLD_PROC, X, get_sessionid, NULL, "audit session id; 4294967295 when unset"),
	FIELD_ROW("tty", FT_STR, FLD_NULL | FLD_PROC, X, get_tty, NULL,
		  "controlling terminal (`pts/3`, `tty1`, `ttyS0`, else `major:minor`); null when none"),
	FIELD_ROW("comm", FT_STR, FLD_PROC, C, get_comm, NULL, "the task's comm (≤ 15 bytes)"),
	FIELD_ROW("exe", FT_PATH, FLD_NULL | FLD_PROC, C, get_exe, NULL,
		  "absolute path of the process image, from the process table (exec events, the startup "
		  "snapshot, or `/proc/PID/exe` as a last resort); null when unknown"),
	FIELD_ROW("exec_id", FT_STR, FLD_PROC, C, get_exec_id, NULL,
		  "process key `\"<pid>-<start>\"`, start being the group leader's start time in ns since "
		  "boot. Survives PID reuse; identical for events of one process, its exec and its exit"),
	FIELD_ROW("parent_exec_id", FT_STR, FLD_PROC, C, get_parent_exec_id, NULL, "the parent's key"),
	FIELD_ROW("cgroup_id", FT_UINT, FLD_PROC, X, get_cgroup_id, NULL,
		  "cgroup v2 id of the task (its default-hierarchy cgroup): the inode number of that "
		  "cgroup's directory under the cgroup2 mount"),
	FIELD_ROW("pid_ns", FT_UINT, FLD_PROC, X, get_pid_ns, NULL,
		  "pid namespace inode number (`stat /proc/PID/ns/pid`): the namespace the process's pid lives in"),
	FIELD_ROW("mnt_ns", FT_UINT, FLD_PROC, X, get_mnt_ns, NULL, "mount namespace inode number"),
	FIELD_ROW("net_ns", FT_UINT, FLD_PROC, X, get_net_ns, NULL, "network namespace inode number"),
	FIELD_ROW("cgroup", FT_PATH, FLD_PROC, X, get_cgroup, NULL,
		  "the v2 cgroup path of `cgroup_id`, relative to the cgroup2 mount (`/` for the root). "
		  "Absent when the id no longer names a directory (the cgroup was removed before the event "
		  "was read) or there is no cgroup2 mount"),
	FIELD_ROW("cgroup_v1", FT_OBJECT, FLD_PROC, X, NULL, write_cgroup_v1,
		  "hybrid hosts only (cgroup v1 hierarchies mounted beside v2, where v2 paths are often "
		  "`/`): the process's v1 paths for `cpu`, `memory`, `pids` and `systemd` (`name=systemd`), "
		  "each present when it is not `/`. The object is absent when all are `/`"),
	FIELD_ROW("container_id", FT_STR, FLD_PROC, X, get_container_id, NULL,
		  "64 hex digits, when a cgroup path of the process (v2 or one of the v1 paths above) "
		  "follows a container runtime's naming: `docker-ID.scope` or `/docker/ID` (docker), "
		  "`cri-containerd-ID.scope` (containerd), `crio-ID.scope` (CRI-O), `libpod-ID.scope` or "
		  "`libpod-ID` (podman), or a bare ID under a kubelet pod cgroup. The deepest match wins, "
		  "within a path and across paths (a container inside another container, e.g. a CI job's "
		  "podman in a docker sandbox, is the inner one; on a tie, v2 first, then `cpu`, `memory`, "
		  "`pids`, `systemd`); a path that names no container never hides one another path names"),
	FIELD_ROW("container_runtime", FT_STR, FLD_PROC, X, get_container_runtime, NULL,
		  "`docker`, `containerd`, `cri-o` or `podman`; absent when the naming does not tell (a "
		  "bare ID under a cgroupfs kubelet pod)"),
	FIELD_ROW("pod_uid", FT_STR, FLD_PROC, X, get_pod_uid, NULL,
		  "the Kubernetes pod uid (`8-4-4-4-12` hex with `-`), from kubelet's "
		  "`kubepods-[QOS-]pod<UID with _>.slice` (systemd driver) or `/kubepods/[QOS/]pod<UID>/` "
		  "(cgroupfs driver)"),
	FIELD_ROW("container_delegated", FT_BOOL, FLD_PROC, X, get_container_delegated, NULL,
		  "`true` when the container id or pod uid above was named in a cgroup directory that "
		  "someone other than root could have made: its parent is not root's, or a group or "
		  "others may write in it (a systemd user delegation, `user@UID.service`, where rootless "
		  "podman runs; a container owning its subtree). Such a name is the user's choice, not a "
		  "runtime's: do not trust it to tell containers apart. Absent otherwise, and when the "
		  "parent could not be checked (gone, or above the agent's view of the hierarchy)"),
	FIELD_ROW("syscall_nr", FT_INT, 0, C, get_syscall_nr, NULL,
		  "x86-64 syscall number, when a syscall is behind the event"),
	FIELD_ROW("ret_code", FT_INT, 0, C, get_ret_code, NULL,
		  "its return value; `-errno` for failures (only with `--failed`)"),
};

static const struct ev_field tail_rows[] = {
	FIELD_ROW("watch", FT_PATH, FLD_AGENT, FG_FILE, NULL, NULL,
		  "the watched directory whose rule matched (its current path)"),
	FIELD_ROW("sha256", FT_STR, FLD_NULL, FG_HASH, get_sha256, NULL,
		  "lowercase hex digest of the file's content (the image of an `exec`, the library of a "
		  "`lib_load`); null unless `hash_state` is `ok`"),
	FIELD_ROW("hash_state", FT_STR, 0, FG_HASH, get_hash_state, NULL,
		  "`ok`: `sha256` is the digest of the content the kernel saw; `pending`: not known when the "
		  "event was written, a `hash_update` follows; `unavailable`: the file could not be hashed as "
		  "the kernel saw it; `skipped`: larger than `[hashing] max_file_mb`, not read"),
	FIELD_ROW("hash_error", FT_STR, 0, FG_HASH, get_hash_error, NULL,
		  "only when `hash_state` is `unavailable` or `skipped`: `changed` (a file is there, but its "
		  "identity differs: rewritten, touched, replaced, or it changed while being read; or, for an "
		  "exec image read through fanotify, it was unlinked or renamed over and no witness could show "
		  "that nothing wrote it, see below), `gone` (no process to read it through and nothing by its "
		  "name), `io` (a read error), `queue_full` (too many files waiting to be hashed: counted in "
		  "`hash.jobs_dropped`), `stopped` (ltrack was stopping), `too_large` (skipped)"),
	FIELD_ROW("ancestors", FT_OBJECT, 0, X, NULL, write_ancestors,
		  "only with `--ancestors N` / `[exec_monitor] ancestors = N` (N ≥ 1): up to N objects, the "
		  "parent first, each `{\"pid\", \"exe\", \"args\", \"exec_id\"}`: `exe` the image at the "
		  "time of the event (null when unknown), `args` its argv as an array (at most 4096 bytes "
		  "kept; null when unknown), `exec_id` its process key. The walk stops at pid 0, at N, or "
		  "at the first process the table does not know (that one is listed with null `exe` and "
		  "`args`)"),
};
#undef C
#undef X

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))
FIELD_LIST(ev_fields_head, head_rows, NULL);
FIELD_LIST(ev_fields_tail, tail_rows, NULL);

/* ---- process: exec, fork, exit ---------------------------------------------- */

S(get_exec_filename, ev->filename)
S(get_requested, ev->requested)

static int get_interpreter(const struct event *ev, struct fld_val *v)
{
	v->s = ev->interp;
	return ev->script ? 0 : -ENOENT;
}

static int get_argv(const struct event *ev, struct fld_val *v)
{
	v->s = ev->args;
	v->len = ev->args ? ev->args_len : 0;
	return 0;
}

static int get_argv_truncated(const struct event *ev, struct fld_val *v)
{
	v->b = ev->args_truncated;
	return 0;
}

S(get_cwd, ev->cwd)

static int get_exec_path_truncated(const struct event *ev, struct fld_val *v)
{
	v->b = true;
	return (ev->filename_flags | ev->cwd_flags) & LT_PF_TRUNC ? 0 : -ENOENT;
}

static int get_exec_dev(const struct event *ev, struct fld_val *v)
{
	return dev_val(ev->exe_dev, v);
}

U(get_exec_inode, ev->exe_ino)

/* mem: what exec says about fileless images and privilege (src/mem_events.c) */
static int get_fileless(const struct event *ev, struct fld_val *v)
{
	v->b = true;
	return ev->mem.eflags & LT_XF_FILELESS ? 0 : -ENOENT;
}

static int get_fileless_reason(const struct event *ev, struct fld_val *v)
{
	if (!(ev->mem.eflags & LT_XF_FILELESS))
		return -ENOENT;
	v->s = ev->mem.eflags & LT_XF_MEMFD ? "memfd" : "deleted";
	v->plain = true;
	return 0;
}

static int get_privilege_gain(const struct event *ev, struct fld_val *v)
{
	v->b = true;
	return ev->mem.eflags & LT_XF_PRIVGAIN ? 0 : -ENOENT;
}

static int get_privilege_reasons(const struct event *ev, struct fld_val *v)
{
	static const struct fld_bitname why[] = { { LT_XF_SETUID, "setuid_bit" },
						   { LT_XF_SETGID, "setgid_bit" },
						   { LT_XF_FILECAPS, "file_caps" } };

	if (!(ev->mem.eflags & LT_XF_PRIVGAIN))
		return -ENOENT;
	return fld_set_bits(v, ev->mem.eflags, why, NROWS(why));
}

static int get_egid(const struct event *ev, struct fld_val *v)
{
	v->u = ev->mem.egid;
	return ev->mem.eflags & LT_XF_PRIVGAIN ? 0 : -ENOENT;
}

static int get_cap_effective(const struct event *ev, struct fld_val *v)
{
	return ev->mem.eflags & LT_XF_PRIVGAIN ? fld_set_hex64(v, ev->mem.cap_effective) : -ENOENT;
}

static int get_cap_permitted(const struct event *ev, struct fld_val *v)
{
	return ev->mem.eflags & LT_XF_PRIVGAIN ? fld_set_hex64(v, ev->mem.cap_permitted) : -ENOENT;
}

static const struct ev_field exec_rows[] = {
	FIELD_ROW("filename", FT_PATH, 0, FG_OWN, get_exec_filename, NULL,
		  "resolved absolute path of the image the kernel loaded, after symlinks (from `bprm->file`)"),
	FIELD_ROW("requested", FT_STR, 0, FG_OWN, get_requested, NULL,
		  "the path the program passed to execve, as given (may be relative)"),
	FIELD_ROW("interpreter", FT_STR, 0, FG_OWN, get_interpreter, NULL,
		  "only for scripts: the interpreter named by the `#!` line, as the kernel read it"),
	FIELD_ROW("argv", FT_LIST, 0, FG_OWN, get_argv, NULL,
		  "array of arguments (from the new process's memory); at most 4096 bytes in all"),
	FIELD_ROW("argv_truncated", FT_BOOL, 0, FG_OWN, get_argv_truncated, NULL,
		  "true when argv was longer than 4096 bytes and the array is cut"),
	FIELD_ROW("cwd", FT_PATH, 0, FG_OWN, get_cwd, NULL, "absolute working directory"),
	FIELD_ROW("path_truncated", FT_BOOL, 0, FG_OWN, get_exec_path_truncated, NULL,
		  "present (true) when `filename` or `cwd` was too long or deep and is only a suffix"),
	FIELD_ROW("dev", FT_STR, 0, FG_OWN, get_exec_dev, NULL, "device of the image (`major:minor`)"),
	FIELD_ROW("inode", FT_UINT, 0, FG_OWN, get_exec_inode, NULL, "inode of the image"),
	FIELD_ROW("fileless", FT_BOOL, 0, FG_OWN, get_fileless, NULL,
		  "present (true) when the image has no name on disk at the time of the exec (see "
		  "[exec: fileless and privilege_gain](#exec-fileless-and-privilege_gain))"),
	FIELD_ROW("fileless_reason", FT_STR, 0, FG_OWN, get_fileless_reason, NULL,
		  "with `fileless`: `\"memfd\"`: a memfd (memfd_create, then fexecve / execveat with "
		  "`AT_EMPTY_PATH`); `\"deleted\"`: a file that was unlinked before the exec (open, unlink, "
		  "fexecve)"),
	FIELD_ROW("privilege_gain", FT_BOOL, 0, FG_OWN, get_privilege_gain, NULL,
		  "present (true) when the exec raised the process's privilege through the image"),
	FIELD_ROW("privilege_reasons", FT_LIST, 0, FG_OWN, get_privilege_reasons, NULL,
		  "with `privilege_gain`, one or more of `\"setuid_bit\"` (the setuid bit set the effective "
		  "uid to the file's owner, unlike the real uid), `\"setgid_bit\"` (the same for the group), "
		  "`\"file_caps\"` (file capabilities gave a non-root process permitted capabilities beyond "
		  "its ambient set)"),
	FIELD_ROW("egid", FT_UINT, 0, FG_OWN, get_egid, NULL,
		  "with `privilege_gain`: the effective gid after the exec (`uid`, `euid`, `gid` of the event "
		  "are already the new ones)"),
	FIELD_ROW("cap_effective", FT_STR, 0, FG_OWN, get_cap_effective, NULL,
		  "with `privilege_gain`: the effective capability set after the exec, a hex string "
		  "`\"0x000001ffffffffff\"`"),
	FIELD_ROW("cap_permitted", FT_STR, 0, FG_OWN, get_cap_permitted, NULL,
		  "with `privilege_gain`: the permitted capability set after the exec, the same way"),
};
FIELD_LIST(ev_fields_exec, exec_rows, "exec");

U(get_child_pid, ev->child_pid)

static int get_child_exec_id(const struct event *ev, struct fld_val *v)
{
	return exec_id_val(ev->child_pid, ev->child_start_ns, v);
}

static const struct ev_field fork_rows[] = {
	FIELD_ROW("child_pid", FT_UINT, 0, FG_OWN, get_child_pid, NULL, "pid of the new process"),
	FIELD_ROW("child_exec_id", FT_STR, 0, FG_OWN, get_child_exec_id, NULL, "its process key"),
};
FIELD_LIST(ev_fields_fork, fork_rows, "fork");

static int get_exit_code(const struct event *ev, struct fld_val *v)
{
	v->i = (ev->status >> 8) & 0xff;
	return ev->status & 0x7f ? -ENOENT : 0;
}

static int get_signal(const struct event *ev, struct fld_val *v)
{
	v->i = ev->status & 0x7f;
	return v->i ? 0 : -ENOENT;
}

static int get_signal_name(const struct event *ev, struct fld_val *v)
{
	const char *abbr = ev->status & 0x7f ? sigabbrev_np(ev->status & 0x7f) : NULL;
	size_t n;

	if (!abbr)
		return -ENOENT;
	n = strnlen(abbr, sizeof(v->buf) - 4);
	memcpy(v->buf, "SIG", 3);
	memcpy(v->buf + 3, abbr, n);
	v->buf[3 + n] = '\0';
	return plain(v);
}

static int get_core_dumped(const struct event *ev, struct fld_val *v)
{
	v->b = ev->status & 0x80;
	return ev->status & 0x7f ? 0 : -ENOENT;
}

static const struct ev_field exit_rows[] = {
	FIELD_ROW("exit_code", FT_INT, 0, FG_OWN, get_exit_code, NULL,
		  "0..255, for a normal exit"),
	FIELD_ROW("signal", FT_INT, 0, FG_OWN, get_signal, NULL,
		  "the number of the signal that ended the process"),
	FIELD_ROW("signal_name", FT_STR, 0, FG_OWN, get_signal_name, NULL, "its name: `\"SIGKILL\"`"),
	FIELD_ROW("core_dumped", FT_BOOL, 0, FG_OWN, get_core_dumped, NULL,
		  "with `signal`: whether it dumped core"),
};
FIELD_LIST(ev_fields_exit, exit_rows, "exit");

/* ---- file events ------------------------------------------------------------ */

/* the path as user space canonicalised it, when it did */
int ev_get_path(const struct event *ev, struct fld_val *v)
{
	v->s = ev->canon[0] ? ev->canon : ev->filename;
	return 0;
}

int ev_get_path_exact(const struct event *ev, struct fld_val *v)
{
	v->b = !(ev->filename_flags & LT_PF_TRUNC) &&
	       (!(ev->filename_flags & LT_PF_INEXACT) || ev->canon[0]);
	return 0;
}

int ev_get_path_truncated(const struct event *ev, struct fld_val *v)
{
	v->b = true;
	return ev->filename_flags & LT_PF_TRUNC ? 0 : -ENOENT;
}

static int get_new_filename(const struct event *ev, struct fld_val *v)
{
	v->s = ev->canon2[0] ? ev->canon2 : ev->path2;
	return 0;
}

static int get_new_path_exact(const struct event *ev, struct fld_val *v)
{
	v->b = false;
	return (ev->path2_flags & LT_PF_INEXACT && !ev->canon2[0]) || (ev->path2_flags & LT_PF_TRUNC) ?
		       0 : -ENOENT;
}

static int get_target(const struct event *ev, struct fld_val *v)
{
	/* a hard link's target is a path (canonicalised); a symlink's, its content */
	v->s = ev->type == LT_EV_LINK && ev->canon2[0] ? ev->canon2 : ev->path2;
	return 0;
}

int ev_get_open_flags(const struct event *ev, struct fld_val *v)
{
	v->u = ev->open_flags;
	return 0;
}

/* the names of the flags */
int ev_get_open_flags_str(const struct event *ev, struct fld_val *v)
{
	static __thread struct text_memo m;

	return memo_text(&m, ev->open_flags, format_open_flags, v);
}

static int get_file_mode(const struct event *ev, struct fld_val *v)
{
	if (ev->type == LT_EV_OPEN && !(ev->open_flags & (O_CREAT | __O_TMPFILE)))
		return -ENOENT;
	if (ev->type == LT_EV_ATTRIB && !(ev->attr & LT_ATTR_MODE))
		return -ENOENT;
	return octal_val(ev->mode, v);
}

static int get_file_type(const struct event *ev, struct fld_val *v)
{
	v->s = format_file_type(ev->mode);
	v->plain = true;
	return v->s ? 0 : -ENOENT;
}

static int get_device(const struct event *ev, struct fld_val *v)
{
	if ((ev->mode & S_IFMT) != S_IFCHR && (ev->mode & S_IFMT) != S_IFBLK)
		return -ENOENT;
	return dev_val(ev->rdev, v);
}

static int get_new_uid(const struct event *ev, struct fld_val *v)
{
	v->i = (int32_t)ev->new_uid;
	return ev->attr & LT_ATTR_OWNER ? 0 : -ENOENT;
}

static int get_new_gid(const struct event *ev, struct fld_val *v)
{
	v->i = (int32_t)ev->new_gid;
	return ev->attr & LT_ATTR_OWNER ? 0 : -ENOENT;
}

int ev_get_file_dev(const struct event *ev, struct fld_val *v)
{
	return ev->ino ? dev_val(ev->dev, v) : -ENOENT;
}

int ev_get_file_inode(const struct event *ev, struct fld_val *v)
{
	v->u = ev->ino;
	return ev->ino ? 0 : -ENOENT;
}

static const struct ev_field file_rows[] = {
	FIELD_ROW("filename", FT_PATH, 0, FG_OWN, ev_get_path, NULL,
		  "absolute path of the object (for `link` and `symlink`: the new link)"),
	FIELD_ROW("path_exact", FT_BOOL, 0, FG_OWN, ev_get_path_exact, NULL,
		  "false when the path was built lexically and may pass through a symlink (see "
		  "[paths.md](paths.md))"),
	FIELD_ROW("path_truncated", FT_BOOL, 0, FG_OWN, ev_get_path_truncated, NULL,
		  "present (true) when the path exceeded 4096 bytes or 64 components and is only a suffix"),
	FIELD_ROW("new_filename", FT_PATH, 0, FG_OWN, get_new_filename, NULL, "the new absolute path",
		  LT_EV_RENAME),
	FIELD_ROW("new_path_exact", FT_BOOL, 0, FG_OWN, get_new_path_exact, NULL,
		  "present (false) when `new_filename` is inexact or truncated", LT_EV_RENAME),
	FIELD_ROW("target", FT_STR, 0, FG_OWN, get_target, NULL,
		  "link: absolute path of the existing file; symlink: the link's content, exactly as given "
		  "(not resolved)", LT_EV_LINK, LT_EV_SYMLINK),
	FIELD_ROW("flags", FT_UINT, 0, FG_OWN, ev_get_open_flags, NULL, "open flags as passed: `524288`",
		  LT_EV_OPEN, LT_EV_CREATE),
	FIELD_ROW("flags_str", FT_STR, 0, FG_OWN, ev_get_open_flags_str, NULL,
		  "the same, by name: `\"O_RDONLY|O_CLOEXEC\"`", LT_EV_OPEN, LT_EV_CREATE),
	FIELD_ROW("mode", FT_STR, 0, FG_OWN, get_file_mode, NULL,
		  "octal string: `\"0644\"`. create: the inode's mode; mkdir/mknod: requested mode minus "
		  "umask; attrib (chmod only): the new mode as given to chmod; open: only with O_CREAT",
		  LT_EV_CREATE, LT_EV_MKDIR, LT_EV_MKNOD, LT_EV_OPEN, LT_EV_ATTRIB),
	FIELD_ROW("file_type", FT_STR, 0, FG_OWN, get_file_type, NULL,
		  "`file`, `dir`, `chr`, `blk`, `fifo`, `sock`", LT_EV_CREATE, LT_EV_MKDIR, LT_EV_MKNOD),
	FIELD_ROW("device", FT_STR, 0, FG_OWN, get_device, NULL,
		  "`\"major:minor\"` of the node made (chr and blk only)", LT_EV_MKNOD),
	FIELD_ROW("new_uid", FT_INT, 0, FG_OWN, get_new_uid, NULL,
		  "chown: new owner; -1 = unchanged", LT_EV_ATTRIB),
	FIELD_ROW("new_gid", FT_INT, 0, FG_OWN, get_new_gid, NULL,
		  "chown: new group; -1 = unchanged", LT_EV_ATTRIB),
	FIELD_ROW("dev", FT_STR, 0, FG_OWN, ev_get_file_dev, NULL,
		  "device (`major:minor`, as the kernel numbers it) of the object, for operations on a "
		  "file descriptor (open, create, modify, fchmod/fchown)"),
	FIELD_ROW("inode", FT_UINT, 0, FG_OWN, ev_get_file_inode, NULL, "inode of the object, with `dev`"),
};
FIELD_LIST(ev_fields_file, file_rows, "file");

/* ---- lib: lib_load and dlopen ---------------------------------------------- */

S(get_dl_name, ev->dl_name)
U(get_dl_flags, ev->dl_flags)

static int get_dl_flags_str(const struct event *ev, struct fld_val *v)
{
	format_dlopen_flags(ev->dl_flags, v->buf, sizeof(v->buf));
	return plain(v);
}

static int get_dl_failed(const struct event *ev, struct fld_val *v)
{
	v->b = ev->dl_handle == 0;
	return 0;
}

static int get_fid_dev(const struct event *ev, struct fld_val *v)
{
	return dev_val(ev->fid.dev, v);
}

U(get_fid_inode, ev->fid.ino)
U(get_fid_size, ev->fid.size)
U(get_vm_start, ev->vm_start)
U(get_vm_end, ev->vm_end)
U(get_lib_prot, ev->lib_prot)

static int get_lib_source(const struct event *ev, struct fld_val *v)
{
	v->s = ev->lib_flags & LT_LF_INTERP ? "interpreter" :
	       ev->lib_flags & LT_LF_MPROTECT ? "mprotect" : "mmap";
	v->plain = true;
	return 0;
}

static int get_untrusted(const struct event *ev, struct fld_val *v)
{
	v->b = ev->untrusted;
	return 0;
}

static int get_path_userns(const struct event *ev, struct fld_val *v)
{
	v->b = true;
	return ev->lib_flags & LT_LF_USERNS ? 0 : -ENOENT;
}

#define LL LT_EV_LIB_LOAD
#define DL LT_EV_DLOPEN
static const struct ev_field lib_rows[] = {
	FIELD_ROW("filename", FT_STR, FLD_NULL, FG_OWN, get_dl_name, NULL,
		  "the name the program asked for, exactly as passed (`\"libz.so.1\"`, a relative or "
		  "absolute path); null when unreadable", DL),
	FIELD_ROW("filename", FT_PATH, 0, FG_OWN, ev_get_path, NULL,
		  "absolute path of the mapped file, from the kernel's `struct file` (symlinks resolved: "
		  "`dlopen(\"libz.so.1\")` reports `/usr/lib/x86_64-linux-gnu/libz.so.1.2.13`), as the process "
		  "sees it (a container's path inside the container; on overlayfs the overlay's path, not the "
		  "layer's)", LL),
	FIELD_ROW("path_exact", FT_BOOL, 0, FG_OWN, ev_get_path_exact, NULL,
		  "true (the path comes from the open file)", LL),
	FIELD_ROW("path_truncated", FT_BOOL, 0, FG_OWN, ev_get_path_truncated, NULL,
		  "present (true) when the path exceeded 4096 bytes or 64 components", LL),
	FIELD_ROW("dev", FT_STR, 0, FG_OWN, get_fid_dev, NULL,
		  "device of the file (`major:minor`, kernel numbering)", LL),
	FIELD_ROW("inode", FT_UINT, 0, FG_OWN, get_fid_inode, NULL, "inode of the file", LL),
	FIELD_ROW("size", FT_UINT, 0, FG_OWN, get_fid_size, NULL, "the file's size when it was mapped", LL),
	FIELD_ROW("vm_start", FT_UINT, 0, FG_OWN, get_vm_start, NULL,
		  "the mapping, `[vm_start, vm_end)`, page aligned: for mmap the returned address and the "
		  "length rounded up to pages; for mprotect and interpreter the VMA (for ld.so the one at "
		  "`AT_BASE`). `/proc/PID/map_files/START-END` (hex) opens the mapped file", LL),
	FIELD_ROW("vm_end", FT_UINT, 0, FG_OWN, get_vm_end, NULL, "the end of the mapping", LL),
	FIELD_ROW("prot", FT_UINT, 0, FG_OWN, get_lib_prot, NULL,
		  "`PROT_*` requested (5 = read+exec); 0 for interpreter", LL),
	FIELD_ROW("source", FT_STR, 0, FG_OWN, get_lib_source, NULL, "`mmap`, `mprotect` or `interpreter`",
		  LL),
	FIELD_ROW("untrusted", FT_BOOL, 0, FG_OWN, get_untrusted, NULL,
		  "true when `filename` is not under a trusted directory (below), or when it is only "
		  "in the view of a mount namespace a user could arrange (`path_userns`) and the "
		  "host's view of that path is not this file (a bind mount over a trusted directory)",
		  LL),
	FIELD_ROW("path_userns", FT_BOOL, 0, FG_OWN, get_path_userns, NULL,
		  "present (true) when the process's mount namespace is owned by a user namespace other "
		  "than the host's (unshare -Urm, rootless containers): `filename` is the path as its "
		  "mounts show it, which any user may have arranged; the identity (`dev`, `inode`) is "
		  "the file's own", LL),
	FIELD_ROW("flags", FT_UINT, 0, FG_OWN, get_dl_flags, NULL, "the flags as passed: `258`", DL),
	FIELD_ROW("flags_str", FT_STR, 0, FG_OWN, get_dl_flags_str, NULL,
		  "the same, by name: `\"RTLD_NOW|RTLD_GLOBAL\"`", DL),
	FIELD_ROW("failed", FT_BOOL, 0, FG_OWN, get_dl_failed, NULL, "true when dlopen returned NULL", DL),
};
#undef LL
#undef DL
FIELD_LIST(ev_fields_lib, lib_rows, "lib");

/* ---- hash_update ------------------------------------------------------------ */

U(get_ref_seq, ev->hash_ref_seq)
S(get_ref_event_name, ev->hash_ref_name)

static const struct ev_field hash_update_rows[] = {
	FIELD_ROW("filename", FT_PATH, 0, FG_OWN, get_exec_filename, NULL,
		  "the object, as in the event it completes"),
	FIELD_ROW("dev", FT_STR, 0, FG_OWN, get_fid_dev, NULL, "its device (`major:minor`)"),
	FIELD_ROW("inode", FT_UINT, 0, FG_OWN, get_fid_inode, NULL, "its inode number"),
	FIELD_ROW("ref_seq", FT_UINT, 0, FG_OWN, get_ref_seq, NULL,
		  "`seq` of the event it completes (which had `hash_state` `pending`)"),
	FIELD_ROW("ref_event_name", FT_STR, 0, FG_OWN, get_ref_event_name, NULL,
		  "`event_name` of that event (`exec`, `lib_load`)"),
};
FIELD_LIST(ev_fields_hash_update, hash_update_rows, "hash_update");

/* scan_update: the same, and the verdict (src/model/model_events.c) */
static const struct ev_field scan_update_rows[] = {
	FIELD_ROW("filename", FT_PATH, 0, FG_OWN, get_exec_filename, NULL, "the model file"),
	FIELD_ROW("dev", FT_STR, 0, FG_OWN, get_fid_dev, NULL, "its device (`major:minor`)"),
	FIELD_ROW("inode", FT_UINT, 0, FG_OWN, get_fid_inode, NULL, "its inode number"),
	FIELD_ROW("ref_seq", FT_UINT, 0, FG_OWN, get_ref_seq, NULL,
		  "the `seq` of the `model_load` it completes"),
	FIELD_ROW("ref_event_name", FT_STR, 0, FG_OWN, get_ref_event_name, NULL, "`\"model_load\"`"),
	FIELD_ROW("scan", FT_OBJECT, 0, FG_OWN, NULL, model_scan_json, "the verdict, as in `model_load`"),
	FIELD_ROW("scan.verdict", FT_STR, FLD_SUB, FG_OWN, model_get_verdict, NULL,
		  "the verdict inside `scan`, for a consumer of the registry (a rule)"),
};
FIELD_LIST(ev_fields_scan_update, scan_update_rows, "scan_update");

/* ---- lookup and docs -------------------------------------------------------- */

static const struct ev_field *find_in(const struct ev_field_list *l, uint32_t type, const char *name)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (ev_field_on(&l->rows[i], type) && !strcmp(l->rows[i].name, name))
			return &l->rows[i];
	return NULL;
}

const struct ev_field *ev_field_find(uint32_t type, const char *name)
{
	const struct ev_type_info *t = ev_type_info(type);
	const struct ev_field *f;

	if (!t || !name)
		return NULL;
	f = find_in(&ev_fields_head, type, name);
	if (!f)
		f = find_in(t->fields, type, name);
	if (!f)
		f = find_in(&ev_fields_tail, type, name);
	/* a file event's watch: only on the types that carry one */
	if (f && f->group == FG_FILE && !(t->flags & EVT_WATCH))
		f = NULL;
	return f;
}

int ev_field_get(const struct ev_field *f, const struct event *ev, struct fld_val *v)
{
	if (!f->get)
		return -EINVAL;
	v->plain = false;
	v->len = 0;
	return f->get(ev, v);
}

const char *fld_type_name(unsigned t)
{
	static const char *const names[] = {
		[FT_STR] = "string", [FT_PATH] = "path", [FT_INT] = "int",   [FT_UINT] = "uint",
		[FT_BOOL] = "bool",  [FT_IP] = "ip",	 [FT_LIST] = "list", [FT_OBJECT] = "object",
	};

	return t < NROWS(names) ? names[t] : "?";
}

/* the Markdown cell of a row's types: "all", or "`open`, `create`" */
static void print_on(FILE *f, const struct ev_field *r)
{
	if (!r->on[0]) {
		fputs("all", f);
		return;
	}
	for (size_t i = 0; i < sizeof(r->on) && r->on[i]; i++)
		fprintf(f, "%s`%s`", i ? ", " : "", event_name(r->on[i]));
}

static void print_row(FILE *f, const struct ev_field *r, bool with_on)
{
	fprintf(f, "| `%s` | %s%s | ", r->name, fld_type_name(r->type),
		r->flags & FLD_NULL ? " or null" : "");
	if (with_on) {
		print_on(f, r);
		fputs(" | ", f);
	}
	/* a '|' would end the Markdown cell, inside code spans too */
	for (const char *p = r->doc; *p; p++) {
		if (*p == '|')
			fputc('\\', f);
		fputc(*p, f);
	}
	fputs(" |\n", f);
}

int field_reference(FILE *f, const char *group)
{
	static const struct {
		const char *name;
		enum fld_group g;
	} shared[] = { { "common", FG_COMMON }, { "context", FG_CTX }, { "hash", FG_HASH } };
	const struct ev_field_list *own = NULL;
	const struct ev_type_info *t;
	bool with_on;
	size_t users = 0;

	for (size_t i = 0; i < NROWS(shared); i++) {
		if (strcmp(group, shared[i].name))
			continue;
		fprintf(f, "| field | type | meaning |\n|---|---|---|\n");
		for (size_t k = 0; k < ev_fields_head.n; k++)
			if (ev_fields_head.rows[k].group == shared[i].g)
				print_row(f, &ev_fields_head.rows[k], false);
		for (size_t k = 0; k < ev_fields_tail.n; k++)
			if (ev_fields_tail.rows[k].group == shared[i].g)
				print_row(f, &ev_fields_tail.rows[k], false);
		return 0;
	}
	for (size_t i = 0; (t = ev_type_nth(i)); i++) {
		if (t->fields && t->fields->doc_group && !strcmp(t->fields->doc_group, group)) {
			own = t->fields;
			break;
		}
	}
	if (!own) {
		/* an event's name: the rows of its list that are on it */
		t = ev_type_info(event_type_by_name(group));
		if (!t || !t->fields)
			return -ENOENT;
		fprintf(f, "| field | type | meaning |\n|---|---|---|\n");
		for (size_t k = 0; k < t->fields->n; k++)
			if (ev_field_on(&t->fields->rows[k], t->type))
				print_row(f, &t->fields->rows[k], false);
		return 0;
	}
	/* a list shared by several types says which types each row is on */
	for (size_t i = 0; (t = ev_type_nth(i)); i++)
		if (t->fields == own && t->doc)
			users++;
	with_on = users > 1;
	fprintf(f, with_on ? "| field | type | events | meaning |\n|---|---|---|---|\n" :
			     "| field | type | meaning |\n|---|---|---|\n");
	for (size_t k = 0; k < own->n; k++)
		print_row(f, &own->rows[k], with_on);
	/* the tail's rows of this group: a file event's watch */
	for (size_t k = 0; k < ev_fields_tail.n; k++)
		if (ev_fields_tail.rows[k].group == FG_FILE && !strcmp(group, "file"))
			print_row(f, &ev_fields_tail.rows[k], with_on);
	return 0;
}

/* the generated blocks of docs/events.md: "<!-- generated: WHAT -->" up to "<!-- end generated -->" */
#define GEN_OPEN "<!-- generated: "
#define GEN_CLOSE "<!-- end generated -->"

int events_doc_fill(FILE *in, FILE *out, char *err, size_t errlen)
{
	char line[4096], what[64];
	unsigned lineno = 0, open_at = 0;
	bool skip = false;

	while (fgets(line, sizeof(line), in)) {
		lineno++;
		if (!strncmp(line, GEN_CLOSE, strlen(GEN_CLOSE))) {
			if (!skip) {
				snprintf(err, errlen, "line %u: \"%s\" without an opening marker", lineno,
					 GEN_CLOSE);
				return -EINVAL;
			}
			skip = false;
		}
		if (!skip)
			fputs(line, out);
		if (strncmp(line, GEN_OPEN, strlen(GEN_OPEN)))
			continue;
		if (skip) {
			snprintf(err, errlen, "line %u: a marker inside the block opened at line %u",
				 lineno, open_at);
			return -EINVAL;
		}
		/* "types" or "fields GROUP", up to the first " (" or " -->" */
		{
			const char *p = line + strlen(GEN_OPEN);
			size_t n = strcspn(p, "(-");

			while (n && p[n - 1] == ' ')
				n--;
			if (n >= sizeof(what))
				n = sizeof(what) - 1;
			memcpy(what, p, n);
			what[n] = '\0';
		}
		if (!strcmp(what, "types")) {
			event_reference(out);
		} else if (strncmp(what, "fields ", 7) || field_reference(out, what + 7)) {
			snprintf(err, errlen, "line %u: unknown generated block \"%s\"", lineno, what);
			return -EINVAL;
		}
		skip = true;
		open_at = lineno;
	}
	if (skip) {
		snprintf(err, errlen, "line %u: the block opened here is not closed", open_at);
		return -EINVAL;
	}
	return ferror(in) ? -EIO : 0;
}
