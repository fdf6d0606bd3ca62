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
#include "mem_events.h"	/* mem */
#include "net.h"	/* net */
#include "gpu.h"	/* gpu */
#include "model/model.h"	/* model */

static const struct {
	uint32_t type;
	const char *name;
} ev_names[] = {
	{ LT_EV_EXEC, "exec" },	    { LT_EV_OPEN, "open" },	{ LT_EV_CONNECT, "connect" },
	{ LT_EV_FORK, "fork" },	    { LT_EV_EXIT, "exit" },	{ LT_EV_CREATE, "create" },
	{ LT_EV_MKDIR, "mkdir" },   { LT_EV_MKNOD, "mknod" },	{ LT_EV_DELETE, "delete" },
	{ LT_EV_RMDIR, "rmdir" },   { LT_EV_RENAME, "rename" }, { LT_EV_ATTRIB, "attrib" },
	{ LT_EV_SYMLINK, "symlink" }, { LT_EV_LINK, "link" },	{ LT_EV_MODIFY, "modify" },
	{ LT_EV_PROC_SNAP, "proc_snapshot" }, { LT_EV_STATS, "stats" },
	/* hash */
	{ LT_EV_HASH_UPDATE, "hash_update" },
	{ LT_EV_SCAN_UPDATE, "scan_update" },	/* model */
	/* evade */
	{ LT_EV_UTIMES, "utimes" }, { LT_EV_SETXATTR, "setxattr" }, { LT_EV_TRUNCATE, "truncate" },
	{ LT_EV_UNSHARE, "unshare" }, { LT_EV_SETNS, "setns" }, { LT_EV_MOUNT, "mount" },
	{ LT_EV_PIVOT_ROOT, "pivot_root" }, { LT_EV_CHROOT, "chroot" },
	{ LT_EV_BPF_LOAD, "bpf_load" }, { LT_EV_PERF_EVENT_OPEN, "perf_event_open" },
	{ LT_EV_PROCESS_VM_WRITEV, "process_vm_writev" },
	{ LT_EV_PRCTL_SET_NAME, "prctl_set_name" }, { LT_EV_FD_REDIRECT, "fd_redirect" },
	{ LT_EV_IO_URING_SETUP, "io_uring_setup" }, { LT_EV_IO_URING_OPS, "io_uring_ops" },
	/* end evade */
	/* mem */
	{ LT_EV_MEM_EXEC, "mem_exec" }, { LT_EV_MEMFD_CREATE, "memfd_create" },
	{ LT_EV_CRED_CHANGE, "cred_change" }, { LT_EV_PTRACE, "ptrace" }, { LT_EV_KILL, "kill" },
	{ LT_EV_MODULE_LOAD, "module_load" }, { LT_EV_MODULE_DELETE, "module_delete" },
	/* lib */
	{ LT_EV_LIB_LOAD, "lib_load" }, { LT_EV_DLOPEN, "dlopen" },
	/* net */
	{ LT_EV_BIND, "bind" }, { LT_EV_LISTEN, "listen" }, { LT_EV_ACCEPT, "accept" },
	{ LT_EV_UDP_SEND, "udp_send" }, { LT_EV_CONNECT_RESULT, "connect_result" },
	{ LT_EV_GPU_ACCESS, "gpu_access" },	/* gpu */
	/* model */
	{ LT_EV_MODEL_LOAD, "model_load" }, { LT_EV_MODEL_MODIFIED, "model_modified" },
	{ LT_EV_MODEL_EXFIL, "model_exfil" }, { LT_EV_MODEL_ACCESS, "model_access" },
};

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

const char *event_name(uint32_t type)
{
	for (size_t i = 0; i < sizeof(ev_names) / sizeof(ev_names[0]); i++)
		if (ev_names[i].type == type)
			return ev_names[i].name;
	return NULL;
}

/* ctx: walk the table (for --events did-you-mean) */
const char *event_name_nth(size_t i)
{
	return i < sizeof(ev_names) / sizeof(ev_names[0]) ? ev_names[i].name : NULL;
}

uint32_t event_type_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(ev_names) / sizeof(ev_names[0]); i++)
		if (!strcmp(ev_names[i].name, name))
			return ev_names[i].type;
	return 0;
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

int event_decode(const void *rec, size_t len, struct event *ev)
{
	const struct lt_hdr *h = rec;

	memset(ev, 0, offsetof(struct event, canon));
	ev->canon[0] = '\0';
	ev->canon2[0] = '\0';
	ev->syscall_nr = -1;
	if (len < sizeof(*h) || h->size != len)
		return -EINVAL;
	decode_hdr(h, ev);
	switch (h->type) {
	case LT_EV_EXEC:
	case LT_EV_PROC_SNAP:
		return decode_exec(rec, len, ev);
	case LT_EV_FORK: {
		const struct lt_fork_ev *e = rec;

		if (len != sizeof(*e))
			return -EINVAL;
		ev->child_pid = e->child_tgid;
		ev->child_start_ns = e->child_start_ns;
		return 0;
	}
	case LT_EV_EXIT: {
		const struct lt_exit_ev *e = rec;

		if (len != sizeof(*e))
			return -EINVAL;
		ev->status = e->status;
		return 0;
	}
	case LT_EV_OPEN:
	case LT_EV_CREATE:
	case LT_EV_MKDIR:
	case LT_EV_MKNOD:
	case LT_EV_DELETE:
	case LT_EV_RMDIR:
	case LT_EV_RENAME:
	case LT_EV_ATTRIB:
	case LT_EV_SYMLINK:
	case LT_EV_LINK:
	case LT_EV_MODIFY:
		return decode_file(rec, len, ev);
	/* evade */
	case LT_EV_UTIMES ... LT_EV_IO_URING_SETUP:
		return decode_evade(rec, len, ev);
	case LT_EV_IO_URING_OPS:
		return decode_iou_ops(rec, len, ev);
	/* end evade */
	/* mem */
	case LT_EV_MEM_EXEC ... LT_EV_MODULE_DELETE:
		return mem_decode(rec, len, ev);
	case LT_EV_LIB_LOAD:	/* lib */
		return decode_lib(rec, len, ev);
	case LT_EV_DLOPEN:
		return decode_dlopen(rec, len, ev);
	/* net */
	case LT_EV_CONNECT:
	case LT_EV_BIND:
	case LT_EV_LISTEN:
	case LT_EV_ACCEPT:
	case LT_EV_UDP_SEND:
	case LT_EV_CONNECT_RESULT:
		return net_decode(rec, len, ev);
	case LT_EV_GPU_ACCESS:	/* gpu */
		return gpu_decode(rec, len, ev);
	/* model */
	case LT_EV_MODEL_LOAD:
	case LT_EV_MODEL_MODIFIED:
	case LT_EV_MODEL_EXFIL:
	case LT_EV_MODEL_ACCESS:
		return model_decode(rec, len, ev);
	}
	return -EINVAL;
}
