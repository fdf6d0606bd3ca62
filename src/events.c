// SPDX-License-Identifier: MIT
/*
 * events.c - ring record decoding. See events.h.
 *
 * The kernel is trusted to be the kernel, but not to be bug-free: every
 * length is checked against the record before a string is used, so a
 * layout mismatch shows up as a counted decode error instead of garbage.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "events.h"
#include "fields.h"
#include "output/format.h"
#include "mem_events.h"	/* mem */
#include "net.h"	/* net */
#include "gpu.h"	/* gpu */
#include "model/model.h"	/* model */

const char *drop_cat_name(uint32_t cat)
{
	static const char *const names[LT_DROP_NCAT] = {
		[LT_DROP_EXEC] = "exec",
		[LT_DROP_FORK] = "fork",
		[LT_DROP_EXIT] = "exit",
		[LT_DROP_FILE] = "file",
		[LT_DROP_MODIFY_TRACK] = "modify_tracking",
		[LT_DROP_EVADE] = "evade",
		[LT_DROP_MEM] = "mem",	/* mem */
		[LT_DROP_LIB] = "lib",	/* lib */
		[LT_DROP_NET] = "net",			/* net */
		[LT_DROP_NET_TRACK] = "net_tracking",	/* net */
		[LT_DROP_GPU] = "gpu",			/* gpu */
		[LT_DROP_MODEL] = "model",		/* model */
	};

	return cat < LT_DROP_NCAT && names[cat] ? names[cat] : "unknown";
}

uint32_t kdev_from_user(uint64_t dev)
{
	return (uint32_t)(major(dev) << 20 | (minor(dev) & 0xfffff));
}

const char *tty_name(uint32_t kdev, char *buf, size_t len)
{
	uint32_t maj = kdev_major(kdev), min = kdev_minor(kdev);

	if (maj >= 136 && maj <= 143)	/* Unix98 pty slaves */
		snprintf(buf, len, "pts/%u", (maj - 136) * 256 + min);
	else if (maj == 4 && min < 64)
		snprintf(buf, len, "tty%u", min);
	else if (maj == 4)
		snprintf(buf, len, "ttyS%u", min - 64);
	else
		snprintf(buf, len, "%u:%u", maj, min);
	return buf;
}

/*
 * take_str - the next string of @len bytes (NUL included) from the record's
 * string area; NULL when absent. Fails when it overruns or lacks its NUL.
 */
static int take_str(const char *base, size_t avail, size_t *off, uint32_t len, const char **out)
{
	*out = NULL;
	if (!len)
		return 0;
	if (*off > avail || len > avail - *off)
		return -EINVAL;
	if (base[*off + len - 1] != '\0')
		return -EINVAL;
	*out = base + *off;
	*off += len;
	return 0;
}

static void decode_hdr(const struct lt_hdr *h, struct event *ev)
{
	ev->type = h->type;
	ev->name = event_name(h->type);
	ev->ts_boot_ns = h->ts_boot_ns;
	ev->pid = h->tgid;
	ev->tid = h->tid;
	ev->ppid = h->ppid;
	ev->uid = h->uid;
	ev->gid = h->gid;
	ev->euid = h->euid;
	ev->loginuid = h->loginuid;
	ev->syscall_nr = h->syscall_nr;
	ev->ret = h->ret;
	ev->hflags = h->flags;
	memcpy(ev->comm, h->comm, sizeof(h->comm));
	ev->comm[16] = '\0';
	ev->start_ns = h->start_ns;
	ev->parent_start_ns = h->parent_start_ns;
	ev->has_ctx = true;
	ev->sessionid = h->sessionid;
	ev->cgroup_id = h->cgroup_id;
	ev->pid_ns = h->pid_ns;
	ev->mnt_ns = h->mnt_ns;
	ev->net_ns = h->net_ns;
	ev->tty = h->tty;
}

static int decode_file(const void *rec, size_t len, struct event *ev)
{
	const struct lt_file_ev *e = rec;
	const char *str = (const char *)rec + sizeof(*e);
	size_t avail, off = 0;

	if (len < sizeof(*e))
		return -EINVAL;
	avail = len - sizeof(*e);
	ev->ino = e->ino;
	ev->dev = e->dev;
	ev->mode = e->mode;
	ev->open_flags = e->open_flags;
	ev->rdev = e->rdev;
	ev->new_uid = e->uid;
	ev->new_gid = e->gid;
	ev->attr = e->attr;
	ev->watch_id = e->watch_id;
	ev->filename_flags = e->pflags[0];
	ev->path2_flags = e->pflags[1];
	if (take_str(str, avail, &off, e->len[0], &ev->filename) ||
	    take_str(str, avail, &off, e->len[1], &ev->path2))
		return -EINVAL;
	if (!ev->filename)
		return -EINVAL;
	return 0;
}

static int decode_exec(const void *rec, size_t len, struct event *ev)
{
	const struct lt_exec_ev *e = rec;
	const char *str = (const char *)rec + sizeof(*e);
	size_t avail, off = 0;

	if (len < sizeof(*e))
		return -EINVAL;
	avail = len - sizeof(*e);
	ev->exe_ino = e->exe.ino;
	ev->exe_dev = e->exe.dev;
	ev->exe_size = e->exe.size;
	ev->exe_mtime_ns = e->exe.mtime_ns;
	ev->exe_ctime_ns = e->exe.ctime_ns;
	ev->fid.ino = e->exe.ino;
	ev->fid.size = e->exe.size;
	ev->fid.mtime_ns = e->exe.mtime_ns;
	ev->fid.ctime_ns = e->exe.ctime_ns;
	ev->fid.dev = e->exe.dev;
	ev->has_fid = e->exe.ino != 0;
	ev->filename_flags = e->filename_flags;
	ev->cwd_flags = e->cwd_flags;
	ev->args_truncated = e->eflags & LT_XF_ARGS_TRUNC;
	ev->script = e->eflags & LT_XF_SCRIPT;
	memcpy(ev->cg_v1_ids, e->cg_v1, sizeof(ev->cg_v1_ids));	/* ctx */
	mem_decode_exec(e, ev);	/* mem */
	if (take_str(str, avail, &off, e->filename_len, &ev->filename) ||
	    take_str(str, avail, &off, e->requested_len, &ev->requested) ||
	    take_str(str, avail, &off, e->interp_len, &ev->interp) ||
	    take_str(str, avail, &off, e->cwd_len, &ev->cwd))
		return -EINVAL;
	if (e->args_len) {
		if (off > avail || e->args_len > avail - off)
			return -EINVAL;
		ev->args = str + off;
		ev->args_len = e->args_len;
		/* argv strings are NUL-separated; a cut final string still counts */
		ev->argc = 0;
		for (size_t i = 0; i < ev->args_len; i++)
			if (ev->args[i] == '\0')
				ev->argc++;
		if (ev->args[ev->args_len - 1] != '\0')
			ev->argc++;
	}
	return 0;
}

/* evade: the strings each type must carry (bit i: string i) */
static uint32_t evade_required(uint32_t type)
{
	switch (type) {
	case LT_EV_UTIMES:
	case LT_EV_TRUNCATE:
		return 1;
	case LT_EV_SETXATTR:
	case LT_EV_PRCTL_SET_NAME:
	case LT_EV_CHROOT:
	case LT_EV_BPF_LOAD:
		return 3;
	}
	return 0;
}

static int decode_evade(const void *rec, size_t len, struct event *ev)
{
	const struct lt_evade_ev *e = rec;
	const char *str = (const char *)rec + sizeof(*e);
	uint32_t req = evade_required(e->hdr.type);
	size_t avail, off = 0;

	if (len < sizeof(*e))
		return -EINVAL;
	avail = len - sizeof(*e);
	memcpy(ev->xv, e->v, sizeof(ev->xv));
	for (int i = 0; i < 3; i++) {
		if (take_str(str, avail, &off, e->len[i], &ev->xs[i]))
			return -EINVAL;
		ev->xsf[i] = e->pflags[i];
		if ((req & (1u << i)) && !ev->xs[i])
			return -EINVAL;
	}
	if (off != avail)
		return -EINVAL;
	/* the path of path-bearing events is the filename (canonicalised like file events) */
	if (e->hdr.type == LT_EV_UTIMES || e->hdr.type == LT_EV_SETXATTR ||
	    e->hdr.type == LT_EV_TRUNCATE || e->hdr.type == LT_EV_CHROOT) {
		ev->filename = ev->xs[0];
		ev->filename_flags = ev->xsf[0];
	} else if (e->hdr.type == LT_EV_MOUNT && ev->xs[1]) {
		ev->filename = ev->xs[1];	/* the mount point */
		ev->filename_flags = ev->xsf[1];
	}
	return 0;
}

static int decode_iou_ops(const void *rec, size_t len, struct event *ev)
{
	if (len != sizeof(struct lt_iou_ops))
		return -EINVAL;
	ev->iou = rec;
	return 0;
}
/* end evade */
/* lib: lib_load and dlopen */
static int decode_lib(const void *rec, size_t len, struct event *ev)
{
	const struct lt_lib_ev *e = rec;
	const char *str = (const char *)rec + sizeof(*e);
	size_t off = 0;

	if (len < sizeof(*e))
		return -EINVAL;
	ev->fid.ino = e->fid.ino;
	ev->fid.size = e->fid.size;
	ev->fid.mtime_ns = e->fid.mtime_ns;
	ev->fid.ctime_ns = e->fid.ctime_ns;
	ev->fid.dev = e->fid.dev;
	ev->has_fid = e->fid.ino != 0;
	ev->ino = e->fid.ino;
	ev->dev = e->fid.dev;
	ev->vm_start = e->vm_start;
	ev->vm_end = e->vm_end;
	ev->lib_prot = e->prot;
	ev->lib_flags = e->lflags;
	ev->filename_flags = e->path_flags;
	if (take_str(str, len - sizeof(*e), &off, e->path_len, &ev->filename) || !ev->filename)
		return -EINVAL;
	return 0;
}

static int decode_dlopen(const void *rec, size_t len, struct event *ev)
{
	const struct lt_dlopen_ev *e = rec;
	const char *str = (const char *)rec + sizeof(*e);
	size_t off = 0;

	if (len < sizeof(*e))
		return -EINVAL;
	ev->dl_handle = e->handle;
	ev->dl_flags = e->dl_flags;
	return take_str(str, len - sizeof(*e), &off, e->name_len, &ev->dl_name);
}

static int decode_fork(const void *rec, size_t len, struct event *ev)
{
	const struct lt_fork_ev *e = rec;

	if (len != sizeof(*e))
		return -EINVAL;
	ev->child_pid = e->child_tgid;
	ev->child_start_ns = e->child_start_ns;
	return 0;
}

static int decode_exit(const void *rec, size_t len, struct event *ev)
{
	const struct lt_exit_ev *e = rec;

	if (len != sizeof(*e))
		return -EINVAL;
	ev->status = e->status;
	return 0;
}

/*
 * The registry of event types: one row per type. Row 0 is the "unknown"
 * sentinel ev_index points at for a type without a row. The order of the
 * rows is the order names are listed in (--events suggestions).
 */
#define T(ty, nm, fam, fl, dec, fields, text, ret, doc) \
	{ LT_EV_##ty, nm, EVF_##fam, fl, dec, fields, text, ret, doc }
#define PATHS EVT_PATHS
#define WATCH EVT_WATCH
#define CRIT EVT_CRIT
static const struct ev_type_info ev_types[] = {
	{ 0, NULL, EVF_N, 0, NULL, NULL, NULL, NULL, NULL },
	T(EXEC, "exec", PROCESS, CRIT, decode_exec, &ev_fields_exec, format_text_exec, NULL,
	  "a process ran a new program (execve/execveat succeeded)"),
	T(OPEN, "open", FILE, PATHS | WATCH, decode_file, &ev_fields_file, format_text_open, format_text_ret,
	  "a file was opened (only where a watch asks for `open`)"),
	T(CONNECT, "connect", NET, EVT_TEXT_LINE, net_decode, &net_fields, net_text, NULL,
	  "a socket connect (TCP, UDP, unix); see [Network events](#network-events)"),
	T(FORK, "fork", PROCESS, CRIT, decode_fork, &ev_fields_fork, format_text_fork, format_text_ret,
	  "a new process (not a thread) was created"),
	T(EXIT, "exit", PROCESS, CRIT, decode_exit, &ev_fields_exit, format_text_exit, NULL,
	  "a process ended (once per process, when its last thread ends)"),
	T(CREATE, "create", FILE, PATHS | WATCH, decode_file, &ev_fields_file, format_text_create, NULL,
	  "a file was created by open/creat (`O_CREAT` that created it)"),
	T(MKDIR, "mkdir", FILE, PATHS | WATCH, decode_file, &ev_fields_file, format_text_create, NULL,
	  "a directory was created"),
	T(MKNOD, "mknod", FILE, PATHS | WATCH, decode_file, &ev_fields_file, format_text_create, NULL,
	  "a device node, fifo, socket or file was created by mknod"),
	T(DELETE, "delete", FILE, PATHS | WATCH, decode_file, &ev_fields_file, format_text_file, NULL,
	  "a name was unlinked"),
	T(RMDIR, "rmdir", FILE, PATHS | WATCH, decode_file, &ev_fields_file, format_text_file, NULL,
	  "a directory was removed"),
	T(RENAME, "rename", FILE, PATHS | WATCH, decode_file, &ev_fields_file, format_text_two_paths, NULL,
	  "a name was renamed"),
	T(ATTRIB, "attrib", FILE, PATHS | WATCH, decode_file, &ev_fields_file, format_text_attrib, NULL,
	  "mode (chmod family) or owner (chown family) changed"),
	T(SYMLINK, "symlink", FILE, PATHS | WATCH, decode_file, &ev_fields_file, format_text_two_paths, NULL,
	  "a symbolic link was created"),
	T(LINK, "link", FILE, PATHS | WATCH, decode_file, &ev_fields_file, format_text_two_paths, NULL,
	  "a hard link was created"),
	T(MODIFY, "modify", FILE, PATHS | WATCH, decode_file, &ev_fields_file, format_text_file, NULL,
	  "a file opened for writing was closed, or a file was truncated (see below)"),
	T(PROC_SNAP, "proc_snapshot", PROCESS, 0, decode_exec, NULL, NULL, NULL,
	  NULL),
	T(HASH_UPDATE, "hash_update", PROCESS, EVT_USER, NULL, &ev_fields_hash_update, format_text_hash_update, NULL,
	  "made by ltrack: the digest of an event's object that went out `pending` (see [Hashes](#hashes))"),
	T(SCAN_UPDATE, "scan_update", MODEL, EVT_USER, NULL, &ev_fields_scan_update, format_text_scan_update, NULL,
	  "made by ltrack: the scan verdict of a `model_load` that went out `pending` (see [scan_update](#scan_update))"),
	T(UTIMES, "utimes", EVADE, PATHS, decode_evade, &evade_fields, format_text_evade, NULL,
	  "file times set by hand: utimensat, futimesat, utimes, utime (timestomping)"),
	T(SETXATTR, "setxattr", EVADE, PATHS, decode_evade, &evade_fields, format_text_evade, NULL,
	  "an extended attribute set or removed (setxattr/removexattr families); file capabilities decoded"),
	T(TRUNCATE, "truncate", EVADE, PATHS, decode_evade, &evade_fields, format_text_evade, NULL,
	  "truncate(2) of a path; ftruncate(2) that makes a regular file smaller"),
	T(UNSHARE, "unshare", EVADE, PATHS, decode_evade, &evade_fields, format_text_evade, NULL,
	  "new namespaces (unshare)"),
	T(SETNS, "setns", EVADE, PATHS, decode_evade, &evade_fields, format_text_evade, NULL,
	  "joined a namespace (setns)"),
	T(MOUNT, "mount", EVADE, PATHS, decode_evade, &evade_fields, format_text_evade, NULL,
	  "mount(2), umount2(2), or open_tree(2) and move_mount(2) (`op`)"),
	T(PIVOT_ROOT, "pivot_root", EVADE, PATHS, decode_evade, &evade_fields, format_text_evade, NULL,
	  "the root filesystem swapped"),
	T(CHROOT, "chroot", EVADE, PATHS, decode_evade, &evade_fields, format_text_evade, NULL,
	  "the root directory changed"),
	T(BPF_LOAD, "bpf_load", EVADE, PATHS, decode_evade, &evade_fields, format_text_evade, NULL,
	  "a BPF program loaded (bpf BPF_PROG_LOAD) by a process other than ltrack"),
	T(PERF_EVENT_OPEN, "perf_event_open", EVADE, PATHS, decode_evade, &evade_fields, format_text_evade, NULL,
	  "a perf event opened by a process other than ltrack"),
	T(PROCESS_VM_WRITEV, "process_vm_writev", EVADE, PATHS, decode_evade, &evade_fields, format_text_evade, NULL,
	  "a write into another process's memory"),
	T(PRCTL_SET_NAME, "prctl_set_name", EVADE, PATHS, decode_evade, &evade_fields, format_text_evade, NULL,
	  "a process renamed itself (PR_SET_NAME by its main thread)"),
	T(FD_REDIRECT, "fd_redirect", EVADE, PATHS, decode_evade, &evade_fields, format_text_evade, NULL,
	  "a socket put onto stdin, stdout or stderr with dup2/dup3 (reverse-shell marker)"),
	T(IO_URING_SETUP, "io_uring_setup", EVADE, PATHS, decode_evade, &evade_fields, format_text_evade, NULL,
	  "an io_uring ring was created"),
	T(IO_URING_OPS, "io_uring_ops", EVADE, PATHS, decode_iou_ops, &evade_fields, format_text_evade, NULL,
	  "summary of the io_uring operations a process submitted (made by user space)"),
	T(MEM_EXEC, "mem_exec", MEM, 0, mem_decode, &mem_fields, mem_text, mem_text_ret,
	  "memory was made writable and executable, or executable without a file (mmap, mprotect)"),
	T(MEMFD_CREATE, "memfd_create", MEM, 0, mem_decode, &mem_fields, mem_text, mem_text_ret,
	  "an anonymous in-memory file was created"),
	T(CRED_CHANGE, "cred_change", MEM, 0, mem_decode, &mem_fields, mem_text, mem_text_ret,
	  "a process changed its user/group ids or capabilities (set*id, setfs*id, capset)"),
	T(PTRACE, "ptrace", MEM, 0, mem_decode, &mem_fields, mem_text, mem_text_ret,
	  "a process attached to, or wrote into, another one with ptrace"),
	T(KILL, "kill", MEM, 0, mem_decode, &mem_fields, mem_text, mem_text_ret,
	  "a process sent a signal to another process (kill, tkill, tgkill)"),
	T(MODULE_LOAD, "module_load", MEM, 0, mem_decode, &mem_fields, mem_text, mem_text_ret,
	  "a kernel module load was asked for (init_module, finit_module)"),
	T(MODULE_DELETE, "module_delete", MEM, 0, mem_decode, &mem_fields, mem_text, mem_text_ret,
	  "a kernel module unload was asked for (delete_module)"),
	T(LIB_LOAD, "lib_load", LIB, 0, decode_lib, &ev_fields_lib, format_text_lib_load, NULL,
	  "a file was mapped executable into a process; the program interpreter (ld.so) at exec (see [Library loads](#library-loads-lib_load-dlopen))"),
	T(DLOPEN, "dlopen", LIB, EVT_TEXT_LINE, decode_dlopen, &ev_fields_lib, format_text_dlopen, NULL,
	  "a call of glibc's `dlopen()` returned (uprobe)"),
	T(BIND, "bind", NET, EVT_TEXT_LINE, net_decode, &net_fields, net_text, NULL,
	  "a socket was bound to an address"),
	T(LISTEN, "listen", NET, EVT_TEXT_LINE, net_decode, &net_fields, net_text, NULL,
	  "a socket started listening"),
	T(ACCEPT, "accept", NET, EVT_TEXT_LINE, net_decode, &net_fields, net_text, NULL,
	  "a connection was accepted (accept, accept4)"),
	T(UDP_SEND, "udp_send", NET, EVT_TEXT_LINE, net_decode, &net_fields, net_text, NULL,
	  "the first UDP datagram of a socket to a destination"),
	T(CONNECT_RESULT, "connect_result", NET, EVT_TEXT_LINE, net_decode, &net_fields, net_text, NULL,
	  "a reported TCP connect's handshake ended (established, failed, aborted)"),
	T(GPU_ACCESS, "gpu_access", GPU, CRIT, gpu_decode, &gpu_fields, gpu_text, format_text_ret,
	  "the first open of a GPU device node (`/dev/nvidia*`, `/dev/dri/*`, `/dev/kfd`) by a process image outside `[model_monitor] gpu_allow` (see [GPU access](#gpu-access-gpu_access))"),
	T(MODEL_LOAD, "model_load", MODEL, CRIT, model_decode, &model_fields, model_text, NULL,
	  "a process opened or mapped an ML model file (once per process and file; see [Model files](#model-files-model_load-model_access-model_exfil-model_modified))"),
	T(MODEL_MODIFIED, "model_modified", MODEL, 0, model_decode, &model_fields, model_text, NULL,
	  "a loaded model's content changed: written by a process that is not a trainer, or a later load found another digest"),
	T(MODEL_EXFIL, "model_exfil", MODEL, CRIT, model_decode, &model_fields, model_text, NULL,
	  "bytes of a model file left for a network address (sendfile, splice, or a holder's sends)"),
	T(MODEL_ACCESS, "model_access", MODEL, 0, model_decode, &model_fields, model_text, NULL,
	  "made by ltrack at a process's exit: what it did with each model it loaded (mmap, bytes read)"),
	T(STATS, "stats", AGENT, EVT_USER, NULL, &ev_fields_stats, format_text_stats, NULL,
	  "ltrack's own counters (periodic and at exit)"),
	/* kernel to agent only: src/model/model.c takes them before decoding */
	T(MODEL_CAND, "model_candidate", MODEL, EVT_INTERNAL, NULL, NULL, NULL, NULL,
	  NULL),
	T(MODEL_WRITE, "model_write", MODEL, CRIT | EVT_INTERNAL, NULL, NULL, NULL, NULL,
	  NULL),
};
#undef T
#undef PATHS
#undef WATCH
#undef CRIT
#define EV_NTYPES (sizeof(ev_types) / sizeof(ev_types[0]))

/* type -> row (0: none); filled once, before main() */
static uint8_t ev_index[LT_EV_MAX];

__attribute__((constructor)) static void ev_index_fill(void)
{
	for (size_t i = 1; i < EV_NTYPES; i++)
		if (ev_types[i].type < LT_EV_MAX)
			ev_index[ev_types[i].type] = (uint8_t)i;
}

static const char *const family_names[EVF_N] = {
	[EVF_PROCESS] = "process", [EVF_FILE] = "file",	  [EVF_NET] = "net",
	[EVF_EVADE] = "evade",	   [EVF_MEM] = "mem",	  [EVF_LIB] = "lib",
	[EVF_GPU] = "gpu",	   [EVF_MODEL] = "model", [EVF_AGENT] = "agent",
};

const char *ev_family_name(enum ev_family f)
{
	return (unsigned)f < EVF_N ? family_names[f] : NULL;
}

const struct ev_type_info *ev_type_info(uint32_t type)
{
	const struct ev_type_info *t;

	if (type >= LT_EV_MAX)
		return NULL;
	t = &ev_types[ev_index[type]];
	return ev_index[type] && t->type == type ? t : NULL;
}

const struct ev_type_info *ev_type_nth(size_t i)
{
	return i + 1 < EV_NTYPES ? &ev_types[i + 1] : NULL;
}

const char *event_name(uint32_t type)
{
	const struct ev_type_info *t = ev_type_info(type);

	return t && !(t->flags & EVT_INTERNAL) ? t->name : NULL;
}

const char *event_name_nth(size_t i)
{
	const struct ev_type_info *t;

	for (size_t k = 0; (t = ev_type_nth(k)); k++)
		if (!(t->flags & EVT_INTERNAL) && !i--)
			return t->name;
	return NULL;
}

uint32_t event_type_by_name(const char *name)
{
	const struct ev_type_info *t;

	for (size_t k = 0; (t = ev_type_nth(k)); k++)
		if (!(t->flags & EVT_INTERNAL) && !strcmp(t->name, name))
			return t->type;
	return 0;
}

void event_reference(FILE *f)
{
	const struct ev_type_info *t;

	fprintf(f, "| `event_type` | `event_name` | family | when |\n|---|---|---|---|\n");
	for (size_t i = 0; (t = ev_type_nth(i)); i++)
		if (t->doc)
			fprintf(f, "| %u | `%s` | %s | %s |\n", t->type, t->name,
				ev_family_name(t->family), t->doc);
}

int event_decode(const void *rec, size_t len, struct event *ev)
{
	const struct lt_hdr *h = rec;
	const struct ev_type_info *t;

	/*
	 * ~1.3 KiB cleared per record: hide the size from the compiler so that
	 * this is glibc's vector memset (14 ns here), not an inlined `rep stos`
	 * (37 ns here; docs/benchmarks.md run P)
	 */
	size_t clear = offsetof(struct event, canon);

	__asm__("" : "+r"(clear));
	memset(ev, 0, clear);
	ev->canon[0] = '\0';
	ev->canon2[0] = '\0';
	ev->syscall_nr = -1;
	if (len < sizeof(*h) || h->size != len)
		return -EINVAL;
	decode_hdr(h, ev);
	t = ev_type_info(h->type);
	if (!t || !t->decode)
		return -EINVAL;	/* unknown, made in user space, or taken before decoding */
	return t->decode(rec, len, ev);
}
