// SPDX-License-Identifier: MIT
/*
 * evade_fmt.c - JSON and text encoding of the evade events (types 36..50).
 * See format.h; the fields are documented in docs/events.md. Numbers that
 * are flags or enums are printed twice: as the number, and decoded into
 * names (flags_str, ns_type, family, ...), so both machines and people can
 * read them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "format.h"
#include "output/field_json.h"


struct bitname {
	uint64_t bit;
	const char *name;
};

/* "A|B|0x40" of the bits of @v named in @t (unnamed bits in hex); "0" when none */
static void bits_str(uint64_t v, const struct bitname *t, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o < len; i++) {
		if (!(v & t[i].bit))
			continue;
		o += snprintf(buf + o, len - o, "%s%s", o ? "|" : "", t[i].name);
		v &= ~t[i].bit;
	}
	if (v && o < len)
		o += snprintf(buf + o, len - o, "%s0x%llx", o ? "|" : "", (unsigned long long)v);
	if (!o)
		snprintf(buf, len, "0");
}

#define BITS(v, t, buf) bits_str(v, t, sizeof(t) / sizeof(t[0]), buf, sizeof(buf))

static const struct bitname clone_ns_bits[] = {
	{ 0x00020000, "CLONE_NEWNS" },	  { 0x02000000, "CLONE_NEWCGROUP" },
	{ 0x04000000, "CLONE_NEWUTS" },	  { 0x08000000, "CLONE_NEWIPC" },
	{ 0x10000000, "CLONE_NEWUSER" },  { 0x20000000, "CLONE_NEWPID" },
	{ 0x40000000, "CLONE_NEWNET" },	  { 0x00000080, "CLONE_NEWTIME" },
	{ 0x00000200, "CLONE_FS" },	  { 0x00000400, "CLONE_FILES" },
	{ 0x00000800, "CLONE_SIGHAND" },  { 0x00000100, "CLONE_VM" },
	{ 0x00040000, "CLONE_SYSVSEM" },  { 0x00010000, "CLONE_THREAD" },
};

static const struct bitname ms_bits[] = {
	{ 1, "MS_RDONLY" },	       { 2, "MS_NOSUID" },	     { 4, "MS_NODEV" },
	{ 8, "MS_NOEXEC" },	       { 16, "MS_SYNCHRONOUS" },     { 32, "MS_REMOUNT" },
	{ 64, "MS_MANDLOCK" },	       { 128, "MS_DIRSYNC" },	     { 256, "MS_NOSYMFOLLOW" },
	{ 1024, "MS_NOATIME" },	       { 2048, "MS_NODIRATIME" },    { 4096, "MS_BIND" },
	{ 8192, "MS_MOVE" },	       { 16384, "MS_REC" },	     { 32768, "MS_SILENT" },
	{ 1 << 16, "MS_POSIXACL" },    { 1 << 17, "MS_UNBINDABLE" }, { 1 << 18, "MS_PRIVATE" },
	{ 1 << 19, "MS_SLAVE" },       { 1 << 20, "MS_SHARED" },     { 1 << 21, "MS_RELATIME" },
	{ 1 << 22, "MS_KERNMOUNT" },   { 1 << 23, "MS_I_VERSION" },  { 1 << 24, "MS_STRICTATIME" },
	{ 1 << 25, "MS_LAZYTIME" },
};

static const struct bitname umount_bits[] = {
	{ 1, "MNT_FORCE" }, { 2, "MNT_DETACH" }, { 4, "MNT_EXPIRE" }, { 8, "UMOUNT_NOFOLLOW" },
};

static const struct bitname open_tree_bits[] = {
	{ 1, "OPEN_TREE_CLONE" },	 { 0x100, "AT_SYMLINK_NOFOLLOW" }, { 0x800, "AT_NO_AUTOMOUNT" },
	{ 0x1000, "AT_EMPTY_PATH" },	 { 0x8000, "AT_RECURSIVE" },	   { 0x80000, "OPEN_TREE_CLOEXEC" },
};

static const struct bitname move_mount_bits[] = {
	{ 0x1, "MOVE_MOUNT_F_SYMLINKS" },   { 0x2, "MOVE_MOUNT_F_AUTOMOUNTS" },
	{ 0x4, "MOVE_MOUNT_F_EMPTY_PATH" }, { 0x10, "MOVE_MOUNT_T_SYMLINKS" },
	{ 0x20, "MOVE_MOUNT_T_AUTOMOUNTS" }, { 0x40, "MOVE_MOUNT_T_EMPTY_PATH" },
	{ 0x100, "MOVE_MOUNT_SET_GROUP" },  { 0x200, "MOVE_MOUNT_BENEATH" },
};

static const char *const mount_ops[] = { "mount", "umount", "open_tree", "move_mount" };

static const struct bitname iou_setup_bits[] = {
	{ 1u << 0, "IORING_SETUP_IOPOLL" },	   { 1u << 1, "IORING_SETUP_SQPOLL" },
	{ 1u << 2, "IORING_SETUP_SQ_AFF" },	   { 1u << 3, "IORING_SETUP_CQSIZE" },
	{ 1u << 4, "IORING_SETUP_CLAMP" },	   { 1u << 5, "IORING_SETUP_ATTACH_WQ" },
	{ 1u << 6, "IORING_SETUP_R_DISABLED" },	   { 1u << 7, "IORING_SETUP_SUBMIT_ALL" },
	{ 1u << 8, "IORING_SETUP_COOP_TASKRUN" },  { 1u << 9, "IORING_SETUP_TASKRUN_FLAG" },
	{ 1u << 10, "IORING_SETUP_SQE128" },	   { 1u << 11, "IORING_SETUP_CQE32" },
	{ 1u << 12, "IORING_SETUP_SINGLE_ISSUER" }, { 1u << 13, "IORING_SETUP_DEFER_TASKRUN" },
	{ 1u << 14, "IORING_SETUP_NO_MMAP" },	   { 1u << 15, "IORING_SETUP_REGISTERED_FD_ONLY" },
	{ 1u << 16, "IORING_SETUP_NO_SQARRAY" },   { 1u << 17, "IORING_SETUP_HYBRID_IOPOLL" },
};

/* linux/capability.h, CAP_* by number */
static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
	"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

/* enum bpf_prog_type (linux/bpf.h) */
static const char *const prog_types[] = {
	"unspec", "socket_filter", "kprobe", "sched_cls", "sched_act", "tracepoint", "xdp",
	"perf_event", "cgroup_skb", "cgroup_sock", "lwt_in", "lwt_out", "lwt_xmit", "sock_ops",
	"sk_skb", "cgroup_device", "sk_msg", "raw_tracepoint", "cgroup_sock_addr",
	"lwt_seg6local", "lirc_mode2", "sk_reuseport", "flow_dissector", "cgroup_sysctl",
	"raw_tracepoint_writable", "cgroup_sockopt", "tracing", "struct_ops", "ext", "lsm",
	"sk_lookup", "syscall", "netfilter",
};

static const char *const perf_types[] = {
	"hardware", "software", "tracepoint", "hw_cache", "raw", "breakpoint",
};

/* IORING_OP_* by number (Linux 6.18) */
static const char *const iou_ops[] = {
	"NOP", "READV", "WRITEV", "FSYNC", "READ_FIXED", "WRITE_FIXED", "POLL_ADD",
	"POLL_REMOVE", "SYNC_FILE_RANGE", "SENDMSG", "RECVMSG", "TIMEOUT", "TIMEOUT_REMOVE",
	"ACCEPT", "ASYNC_CANCEL", "LINK_TIMEOUT", "CONNECT", "FALLOCATE", "OPENAT", "CLOSE",
	"FILES_UPDATE", "STATX", "READ", "WRITE", "FADVISE", "MADVISE", "SEND", "RECV",
	"OPENAT2", "EPOLL_CTL", "SPLICE", "PROVIDE_BUFFERS", "REMOVE_BUFFERS", "TEE",
	"SHUTDOWN", "RENAMEAT", "UNLINKAT", "MKDIRAT", "SYMLINKAT", "LINKAT", "MSG_RING",
	"FSETXATTR", "SETXATTR", "FGETXATTR", "GETXATTR", "SOCKET", "URING_CMD", "SEND_ZC",
	"SENDMSG_ZC", "READ_MULTISHOT", "WAITID", "FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_WAITV",
	"FIXED_FD_INSTALL", "FTRUNCATE", "BIND", "LISTEN", "RECV_ZC", "EPOLL_WAIT",
	"READV_FIXED", "WRITEV_FIXED", "PIPE",
};

#define NAMEOF(tab, i) ((uint64_t)(i) < sizeof(tab) / sizeof(tab[0]) ? tab[i] : NULL)

const char *evade_iou_op_name(uint32_t op, char *buf, size_t len)
{
	const char *n = NAMEOF(iou_ops, op);

	if (n)
		snprintf(buf, len, "IORING_OP_%s", n);
	else
		snprintf(buf, len, "IORING_OP_%u", op);
	return buf;
}

static const char *ns_type_name(uint64_t t)
{
	switch (t) {
	case 0x00020000:
		return "mnt";
	case 0x02000000:
		return "cgroup";
	case 0x04000000:
		return "uts";
	case 0x08000000:
		return "ipc";
	case 0x10000000:
		return "user";
	case 0x20000000:
		return "pid";
	case 0x40000000:
		return "net";
	case 0x00000080:
		return "time";
	}
	return NULL;
}

static const char *family_name(uint64_t f)
{
	switch (f) {
	case 1:
		return "AF_UNIX";
	case 2:
		return "AF_INET";
	case 10:
		return "AF_INET6";
	case 16:
		return "AF_NETLINK";
	case 17:
		return "AF_PACKET";
	case 40:
		return "AF_VSOCK";
	}
	return NULL;
}

static const char *sock_type_name(uint64_t t)
{
	switch (t) {
	case 1:
		return "SOCK_STREAM";
	case 2:
		return "SOCK_DGRAM";
	case 3:
		return "SOCK_RAW";
	case 5:
		return "SOCK_SEQPACKET";
	}
	return NULL;
}

/* remote address of an inet socket: 16 bytes in xv[6], xv[7] */
static void addr_str(const struct event *ev, char *buf, size_t len)
{
	unsigned char a[16];

	memcpy(a, &ev->xv[6], 8);
	memcpy(a + 8, &ev->xv[7], 8);
	if (ev->xv[2] == 2) {
		snprintf(buf, len, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return;
	}
	/* IPv6: full form, no zero compression (exact and easy to match) */
	snprintf(buf, len, "%x:%x:%x:%x:%x:%x:%x:%x", a[0] << 8 | a[1], a[2] << 8 | a[3],
		 a[4] << 8 | a[5], a[6] << 8 | a[7], a[8] << 8 | a[9], a[10] << 8 | a[11],
		 a[12] << 8 | a[13], a[14] << 8 | a[15]);
}

/* ---- fields (src/fields.h) --------------------------------------------------- */

static int bits_val(uint64_t x, const struct bitname *t, size_t n, struct fld_val *v)
{
	bits_str(x, t, n, v->buf, sizeof(v->buf));
	return fld_set_text(v);
}
#define BITS_VAL(x, t, v) bits_val(x, t, sizeof(t) / sizeof(t[0]), v)

/* the capability names of @set, NUL-separated */
static int caps_val(uint64_t set, struct fld_val *v)
{
	size_t n = 0;

	for (unsigned i = 0; i < 64; i++) {
		char un[16];
		const char *name = NAMEOF(cap_names, i);
		size_t l;

		if (!(set & (1ULL << i)))
			continue;
		if (!name) {
			snprintf(un, sizeof(un), "CAP_%u", i);
			name = un;
		}
		l = strlen(name) + 1;
		if (n + l > sizeof(v->buf))
			break;
		memcpy(v->buf + n, name, l);
		n += l;
	}
	v->s = v->buf;
	v->len = n;
	return 0;
}

static bool utime_special(uint64_t ns)
{
	return ns == LT_UTIME_NOW || ns == LT_UTIME_OMIT;
}

/* utimes */
FLD_GETTER(get_atime_sec, i, (int64_t)ev->xv[0], !utime_special(ev->xv[1]))
FLD_GETTER(get_atime_nsec, i, (int64_t)ev->xv[1], !utime_special(ev->xv[1]))
FLD_GETTER(get_atime, s, ev->xv[1] == LT_UTIME_NOW ? "UTIME_NOW" : "UTIME_OMIT", utime_special(ev->xv[1]))
FLD_GETTER(get_mtime_sec, i, (int64_t)ev->xv[2], !utime_special(ev->xv[3]))
FLD_GETTER(get_mtime_nsec, i, (int64_t)ev->xv[3], !utime_special(ev->xv[3]))
FLD_GETTER(get_mtime, s, ev->xv[3] == LT_UTIME_NOW ? "UTIME_NOW" : "UTIME_OMIT", utime_special(ev->xv[3]))
FLD_GETTER(get_at_flags, u, ev->xv[4], 1)
/* setxattr */
FLD_GETTER(get_xattr_op, s, ev->xv[0] == LT_XATTR_REMOVE ? "remove" : "set", 1)
FLD_GETTER(get_xattr_name, s, ev->xs[1], 1)
FLD_GETTER(get_value_size, u, ev->xv[1], ev->xv[0] == LT_XATTR_SET)
FLD_GETTER(get_xattr_flags, u, ev->xv[2], ev->xv[0] == LT_XATTR_SET)
FLD_GETTER(get_file_caps, b, ev->xv[3] & LT_CAPF_FILE_CAPS, 1)
FLD_GETTER(get_cap_effective, b, ev->xv[3] & LT_CAPF_EFFECTIVE, ev->xv[3] & LT_CAPF_DECODED)
FLD_GETTER(get_cap_rootid, u, ev->xv[6], (ev->xv[3] & LT_CAPF_DECODED) && (ev->xv[3] & LT_CAPF_V3))

static int get_cap_permitted(const struct event *ev, struct fld_val *v)
{
	return ev->xv[3] & LT_CAPF_DECODED ? caps_val(ev->xv[4], v) : -ENOENT;
}

static int get_cap_inheritable(const struct event *ev, struct fld_val *v)
{
	return ev->xv[3] & LT_CAPF_DECODED ? caps_val(ev->xv[5], v) : -ENOENT;
}

/* truncate */
FLD_GETTER(get_length, i, (int64_t)ev->xv[0], 1)
FLD_GETTER(get_trunc_fd, i, (int64_t)ev->xv[2], ev->xv[2] != (uint64_t)-1)
FLD_GETTER(get_old_size, u, ev->xv[1], ev->xv[2] != (uint64_t)-1)
/* unshare, setns */
FLD_GETTER(get_x0_uint, u, ev->xv[0], 1)
FLD_GETTER(get_x0_int, i, (int64_t)ev->xv[0], 1)
FLD_GETTER(get_nstype, u, (uint32_t)ev->xv[1], 1)
FLD_GETTER(get_pidfd, b, true, ev->xv[4] == LT_SETNS_PIDFD)
FLD_GETTER(get_ns_type, s, ns_type_name(ev->xv[2]), ev->xv[4] != LT_SETNS_PIDFD)
FLD_GETTER(get_ns_inode, u, ev->xv[3], ev->xv[4] != LT_SETNS_PIDFD)

static int get_unshare_flags_str(const struct event *ev, struct fld_val *v)
{
	return BITS_VAL(ev->xv[0], clone_ns_bits, v);
}

static int get_nstype_str(const struct event *ev, struct fld_val *v)
{
	return BITS_VAL((uint32_t)ev->xv[1], clone_ns_bits, v);
}

/* mount */
FLD_GETTER(get_mount_op, s, ev->xv[0] < 4 ? mount_ops[ev->xv[0]] : "?", 1)
FLD_GETTER(get_source, s, ev->xs[0], ev->xv[0] != LT_MOUNT_UMOUNT)
FLD_GETTER(get_fstype, s, ev->xs[2], ev->xv[0] == LT_MOUNT_MOUNT)
FLD_GETTER(get_mount_target, s, ev->xs[1] ? (ev->canon[0] ? ev->canon : ev->xs[1]) : NULL, 1)
FLD_GETTER(get_target_exact, b,
     !(ev->xsf[1] & LT_PF_TRUNC) && (!(ev->xsf[1] & LT_PF_INEXACT) || ev->canon[0]), ev->xs[1])
FLD_GETTER(get_target_truncated, b, true, ev->xs[1] && (ev->xsf[1] & LT_PF_TRUNC))
FLD_GETTER(get_x1_uint, u, ev->xv[1], 1)

static int get_mount_flags_str(const struct event *ev, struct fld_val *v)
{
	if (ev->xv[0] == LT_MOUNT_UMOUNT)
		return BITS_VAL(ev->xv[1], umount_bits, v);
	if (ev->xv[0] == LT_MOUNT_OPEN_TREE)
		return BITS_VAL(ev->xv[1], open_tree_bits, v);
	if (ev->xv[0] == LT_MOUNT_MOVE)
		return BITS_VAL(ev->xv[1], move_mount_bits, v);
	return BITS_VAL(ev->xv[1], ms_bits, v);
}

/* pivot_root, chroot, prctl_set_name, bpf_load */
FLD_GETTER(get_xs0, s, ev->xs[0], 1)
FLD_GETTER(get_xs1, s, ev->xs[1], 1)
FLD_GETTER(get_prog_type_str, s, NAMEOF(prog_types, ev->xv[0]), 1)
FLD_GETTER(get_x2_uint, u, ev->xv[2], 1)
FLD_GETTER(get_x3_uint, u, ev->xv[3], 1)
FLD_GETTER(get_ret_fd, i, ev->ret, ev->ret >= 0)
/* perf_event_open, process_vm_writev */
FLD_GETTER(get_perf_type_str, s, NAMEOF(perf_types, ev->xv[0]), 1)
FLD_GETTER(get_x0_i32, i, (int32_t)ev->xv[0], 1)
FLD_GETTER(get_x2_i32, i, (int32_t)ev->xv[2], 1)
FLD_GETTER(get_x3_i32, i, (int32_t)ev->xv[3], 1)
FLD_GETTER(get_x4_i32, i, (int32_t)ev->xv[4], 1)
FLD_GETTER(get_x5_uint, u, ev->xv[5], 1)
FLD_GETTER(get_xcomm, s, ev->xcomm[0] ? ev->xcomm : NULL, 1)
/* fd_redirect */
FLD_GETTER(get_x1_int, i, (int64_t)ev->xv[1], 1)
FLD_GETTER(get_sock_family, s, family_name(ev->xv[2]), 1)
FLD_GETTER(get_sock_type, s, sock_type_name(ev->xv[3]), 1)
FLD_GETTER(get_x4_uint, u, ev->xv[4], 1)
FLD_GETTER(get_remote_port, u, ev->xv[5], ev->xv[2] == 2 || ev->xv[2] == 10)
/* io_uring */
FLD_GETTER(get_x3_int, i, (int64_t)ev->xv[3], 1)
FLD_GETTER(get_iou_total, u, ev->iou ? ev->iou->total : 0, ev->iou)
FLD_GETTER(get_iou_sqpoll, u, ev->iou ? ev->iou->sqpoll : 0, ev->iou)
FLD_GETTER(get_iou_final, b, ev->iou_final, ev->iou)

static int get_remote_addr(const struct event *ev, struct fld_val *v)
{
	if (ev->xv[2] != 2 && ev->xv[2] != 10)
		return -ENOENT;
	addr_str(ev, v->buf, sizeof(v->buf));
	return fld_set_text(v);
}

static int get_setup_flags_str(const struct event *ev, struct fld_val *v)
{
	return BITS_VAL(ev->xv[2], iou_setup_bits, v);
}

/* io_uring_ops: {"IORING_OP_OPENAT": 1, ...}, the opcodes used */
static void write_iou_ops(struct jbuf *b, const struct event *ev)
{
	char s[64];

	if (!ev->iou)
		return;
	JSON_KEY(b, "ops");
	json_obj_begin(b);
	for (uint32_t i = 0; i < LT_IOU_NOPS; i++)
		if (ev->iou->counts[i])
			json_kv_uint(b, evade_iou_op_name(i, s, sizeof(s)), ev->iou->counts[i]);
	json_obj_end(b);
}

#define UT LT_EV_UTIMES
#define SX LT_EV_SETXATTR
#define TR LT_EV_TRUNCATE
#define UN LT_EV_UNSHARE
#define SN LT_EV_SETNS
#define MO LT_EV_MOUNT
#define PR LT_EV_PIVOT_ROOT
#define CH LT_EV_CHROOT
#define BP LT_EV_BPF_LOAD
#define PE LT_EV_PERF_EVENT_OPEN
#define PV LT_EV_PROCESS_VM_WRITEV
#define PC LT_EV_PRCTL_SET_NAME
#define FR LT_EV_FD_REDIRECT
#define IS LT_EV_IO_URING_SETUP
#define IO LT_EV_IO_URING_OPS
#define R(nm, ty, get, doc, ...) FIELD_ROW(nm, ty, 0, FG_OWN, get, NULL, doc, __VA_ARGS__)
#define RN(nm, get, doc, ...) FIELD_ROW(nm, FT_STR, FLD_NULL, FG_OWN, get, NULL, doc, __VA_ARGS__)
static const struct ev_field evade_rows[] = {
	R("filename", FT_PATH, ev_get_path,
	  "the file. utimes: utimensat with a NULL path (or `\"\"` and AT_EMPTY_PATH) names the open "
	  "file of its dirfd: exact. setxattr: f*xattr from the descriptor, exact. chroot: the new "
	  "root's absolute path in the caller's mount namespace (walked from the new root up to the "
	  "namespace's root); a failed chroot: the path resolved lexically", UT, SX, TR, CH),
	R("path_exact", FT_BOOL, ev_get_path_exact, "as for file events", UT, SX, TR, CH),
	R("path_truncated", FT_BOOL, ev_get_path_truncated,
	  "present (true) when the path is only a suffix", UT, SX, TR, CH),
	/* utimes */
	R("atime_sec", FT_INT, get_atime_sec,
	  "the requested access time, seconds (utimes/futimesat microseconds × 1000; utime seconds, "
	  "nsec 0)", UT),
	R("atime_nsec", FT_INT, get_atime_nsec, "and nanoseconds", UT),
	R("atime", FT_STR, get_atime,
	  "instead of the two above when the request is special: `\"UTIME_NOW\"` or `\"UTIME_OMIT\"`. "
	  "A NULL `times` argument is both `UTIME_NOW`", UT),
	R("mtime_sec", FT_INT, get_mtime_sec, "the same for the modification time", UT),
	R("mtime_nsec", FT_INT, get_mtime_nsec, "the same for the modification time", UT),
	R("mtime", FT_STR, get_mtime, "the same for the modification time", UT),
	R("at_flags", FT_UINT, get_at_flags,
	  "utimensat's flags (AT_SYMLINK_NOFOLLOW = 256); 0 for the others", UT),
	/* setxattr */
	R("op", FT_STR, get_xattr_op,
	  "`\"set\"` (setxattr, lsetxattr, fsetxattr, setxattrat) or `\"remove\"` (removexattr, "
	  "lremovexattr, fremovexattr, removexattrat)", SX),
	RN("xattr_name", get_xattr_name, "the attribute, e.g. `\"security.capability\"`", SX),
	R("value_size", FT_UINT, get_value_size, "set only: the value's size in bytes", SX),
	R("xattr_flags", FT_UINT, get_xattr_flags,
	  "set only: the flags (XATTR_CREATE = 1, XATTR_REPLACE = 2)", SX),
	R("file_caps", FT_BOOL, get_file_caps,
	  "true when the attribute is `security.capability` (file capabilities)", SX),
	R("cap_permitted", FT_LIST, get_cap_permitted,
	  "set of a well-formed capability value (revision 1, 2 or 3): the capability names, "
	  "`[\"CAP_NET_RAW\"]`", SX),
	R("cap_inheritable", FT_LIST, get_cap_inheritable, "the same for the inheritable set", SX),
	R("cap_effective", FT_BOOL, get_cap_effective, "the effective bit of the value", SX),
	R("cap_rootid", FT_UINT, get_cap_rootid,
	  "revision 3 (namespaced) values: the root uid they are for", SX),
	/* truncate */
	R("length", FT_INT, get_length, "the new length", TR),
	R("fd", FT_INT, get_trunc_fd, "ftruncate only: the descriptor", TR),
	R("old_size", FT_UINT, get_old_size, "ftruncate only: the size before", TR),
	/* unshare, setns */
	R("flags", FT_UINT, get_x0_uint, "the flags as passed", UN),
	R("flags_str", FT_STR, get_unshare_flags_str, "decoded: `\"CLONE_NEWNS|CLONE_NEWPID\"`", UN),
	R("fd", FT_INT, get_x0_int, "the descriptor passed", SN),
	R("nstype", FT_UINT, get_nstype, "the nstype argument (0 = any)", SN),
	R("nstype_str", FT_STR, get_nstype_str, "decoded", SN),
	R("pidfd", FT_BOOL, get_pidfd,
	  "true (instead of `ns_type`/`ns_inode`) when the descriptor is a pidfd", SN),
	RN("ns_type", get_ns_type,
	  "the namespace the descriptor refers to: `mnt`, `uts`, `ipc`, `user`, `pid`, `net`, "
	  "`cgroup`, `time` (null when the descriptor is no namespace)", SN),
	R("ns_inode", FT_UINT, get_ns_inode, "its inode (as in `/proc/PID/ns/`)", SN),
	/* mount */
	R("op", FT_STR, get_mount_op,
	  "`\"mount\"`, `\"umount\"` (umount2), or the new mount API's `\"open_tree\"` (a tree "
	  "cloned with OPEN_TREE_CLONE: a bind mount's source) and `\"move_mount\"` (a tree or "
	  "mount attached at `target`)", MO),
	RN("source", get_source,
	   "op mount: as given (null when NULL): `\"/dev/sdb1\"`; open_tree: the tree cloned, "
	   "absolute; move_mount: the mount moved from a path, absolute, or null when it comes from "
	   "a descriptor (open_tree's, fsmount's: the open_tree event before names it)", MO),
	RN("fstype", get_fstype, "op mount: as given (null when NULL): `\"tmpfs\"`", MO),
	FIELD_ROW("target", FT_PATH, FLD_NULL, FG_OWN, get_mount_target, NULL,
		  "the mount point, absolute", MO),
	R("target_exact", FT_BOOL, get_target_exact, "as `path_exact` for the mount point", MO),
	R("path_truncated", FT_BOOL, get_target_truncated,
	  "present (true) when the mount point is only a suffix", MO),
	R("flags", FT_UINT, get_x1_uint,
	  "MS_* (mount), MNT_FORCE/MNT_DETACH/MNT_EXPIRE/UMOUNT_NOFOLLOW (umount), "
	  "OPEN_TREE_CLONE/AT_RECURSIVE/... (open_tree), MOVE_MOUNT_* (move_mount)", MO),
	R("flags_str", FT_STR, get_mount_flags_str, "decoded", MO),
	/* pivot_root, chroot */
	RN("new_root", get_xs0,
	  "as given: the caller's root moves during the call, so it is not resolved", PR),
	RN("put_old", get_xs1, "as given", PR),
	RN("requested", get_xs1, "the path as given", CH),
	/* bpf_load */
	R("prog_type", FT_UINT, get_x0_uint, "`1`", BP),
	RN("prog_type_str", get_prog_type_str, "`\"socket_filter\"`", BP),
	RN("prog_name", get_xs0, "the name given (up to 15 bytes, `\"\"` when none)", BP),
	R("insn_cnt", FT_UINT, get_x1_uint, "instructions", BP),
	RN("license", get_xs1, "the license string (null when unreadable)", BP),
	R("expected_attach_type", FT_UINT, get_x2_uint, "as given", BP),
	R("prog_flags", FT_UINT, get_x3_uint, "as given", BP),
	R("prog_fd", FT_INT, get_ret_fd, "the new program's descriptor (success)", BP),
	/* perf_event_open */
	R("perf_type", FT_UINT, get_x0_uint, "`1`", PE),
	RN("perf_type_str", get_perf_type_str,
	  "`\"software\"` (hardware, software, tracepoint, hw_cache, raw, breakpoint; null for dynamic "
	  "PMUs)", PE),
	R("config", FT_UINT, get_x1_uint, "attr.config", PE),
	R("target_pid", FT_INT, get_x2_i32, "the pid argument", PE),
	R("cpu", FT_INT, get_x3_i32, "the cpu argument", PE),
	R("group_fd", FT_INT, get_x4_i32, "the group_fd argument", PE),
	R("flags", FT_UINT, get_x5_uint, "the flags argument", PE),
	/* process_vm_writev */
	R("target_pid", FT_INT, get_x0_i32, "the pid written to, as the writer names it", PV),
	RN("target_comm", get_xcomm,
	  "its comm, read from /proc by user space when the writer shares ltrack's pid namespace and "
	  "the target still exists; null otherwise", PV),
	R("liovcnt", FT_UINT, get_x1_uint, "the argument", PV),
	R("riovcnt", FT_UINT, get_x2_uint, "the argument", PV),
	R("flags", FT_UINT, get_x3_uint, "the argument", PV),
	R("bytes", FT_INT, get_ret_fd, "bytes written (success)", PV),
	/* prctl_set_name */
	RN("old_name", get_xs0, "the comm before the call", PC),
	RN("new_name", get_xs1, "the name given, cut to 15 bytes as the kernel does", PC),
	/* fd_redirect */
	R("newfd", FT_INT, get_x0_int, "the argument (`ret_code` is `newfd`)", FR),
	R("oldfd", FT_INT, get_x1_int, "the argument", FR),
	RN("family", get_sock_family, "`\"AF_INET\"`", FR),
	RN("sock_type", get_sock_type, "`\"SOCK_STREAM\"`", FR),
	R("protocol", FT_UINT, get_x4_uint, "`6`", FR),
	R("remote_addr", FT_IP, get_remote_addr,
	  "inet sockets: the peer (IPv6 in full form, `0:0:0:0:0:0:0:1`); absent for other families", FR),
	R("remote_port", FT_UINT, get_remote_port, "inet sockets: its port", FR),
	/* io_uring */
	R("ring_fd", FT_INT, get_x3_int, "the ring's descriptor (`ret_code` too; `syscall_nr` 425)", IS),
	R("sq_entries", FT_UINT, get_x0_uint, "ring size after the kernel's rounding", IS),
	R("cq_entries", FT_UINT, get_x1_uint, "ring size after the kernel's rounding", IS),
	R("setup_flags", FT_UINT, get_x2_uint, "IORING_SETUP_*", IS),
	R("setup_flags_str", FT_STR, get_setup_flags_str, "decoded", IS),
	R("total", FT_UINT, get_iou_total, "requests submitted since the process's first one", IO),
	R("sqpoll", FT_UINT, get_iou_sqpoll, "of which by an SQPOLL kernel thread", IO),
	FIELD_ROW("ops", FT_OBJECT, 0, FG_OWN, NULL, write_iou_ops,
		  "count per opcode, `{\"IORING_OP_OPENAT\": 1, \"IORING_OP_NOP\": 1}` (only opcodes used)",
		  IO),
	R("final", FT_BOOL, get_iou_final, "true for the process's last summary", IO),
};
#undef R
#undef RN
FIELD_LIST(evade_fields, evade_rows, "evade");


static void tq(struct jbuf *b, const char *s)
{
	if (!s) {
		jbuf_puts(b, "NULL");
		return;
	}
	text_quote(b, s, strlen(s));
}

static void text_time(struct jbuf *b, uint64_t sec, uint64_t ns)
{
	if (ns == LT_UTIME_NOW || ns == LT_UTIME_OMIT)
		jbuf_puts(b, ns == LT_UTIME_NOW ? "UTIME_NOW" : "UTIME_OMIT");
	else
		jbuf_printf(b, "%lld.%09llu", (long long)sec, (unsigned long long)ns);
}

void format_text_evade(struct jbuf *b, const struct event *ev)
{
	const uint64_t *v = ev->xv;
	const char *fn = ev->canon[0] ? ev->canon : ev->filename;
	char s[512];

	switch (ev->type) {
	case LT_EV_UTIMES:
		tq(b, fn);
		jbuf_puts(b, ", atime=");
		text_time(b, v[0], v[1]);
		jbuf_puts(b, ", mtime=");
		text_time(b, v[2], v[3]);
		break;
	case LT_EV_SETXATTR:
		tq(b, fn);
		jbuf_puts(b, v[0] == LT_XATTR_REMOVE ? ", remove " : ", set ");
		tq(b, ev->xs[1]);
		if (v[0] == LT_XATTR_SET)
			jbuf_printf(b, ", size=%llu", (unsigned long long)v[1]);
		if (v[3] & LT_CAPF_DECODED)
			jbuf_printf(b, ", caps=0x%llx/0x%llx%s", (unsigned long long)v[4],
				    (unsigned long long)v[5], v[3] & LT_CAPF_EFFECTIVE ? "+e" : "");
		break;
	case LT_EV_TRUNCATE:
		tq(b, fn);
		jbuf_printf(b, ", %lld", (long long)v[0]);
		if (v[2] != (uint64_t)-1)
			jbuf_printf(b, ", old_size=%llu", (unsigned long long)v[1]);
		break;
	case LT_EV_UNSHARE:
		BITS(v[0], clone_ns_bits, s);
		jbuf_puts(b, s);
		break;
	case LT_EV_SETNS:
		BITS((uint32_t)v[1], clone_ns_bits, s);
		jbuf_printf(b, "%lld, %s", (long long)v[0], s);
		if (ns_type_name(v[2]))
			jbuf_printf(b, ", %s:[%llu]", ns_type_name(v[2]), (unsigned long long)v[3]);
		break;
	case LT_EV_MOUNT:
		if (v[0] == LT_MOUNT_MOUNT) {
			tq(b, ev->xs[0]);
			jbuf_puts(b, ", ");
			tq(b, fn);
			jbuf_puts(b, ", ");
			tq(b, ev->xs[2]);
			BITS(v[1], ms_bits, s);
		} else if (v[0] == LT_MOUNT_OPEN_TREE) {
			jbuf_puts(b, "open_tree ");
			tq(b, ev->xs[0]);
			BITS(v[1], open_tree_bits, s);
		} else if (v[0] == LT_MOUNT_MOVE) {
			jbuf_puts(b, "move_mount ");
			tq(b, ev->xs[0]);
			jbuf_puts(b, ", ");
			tq(b, fn);
			BITS(v[1], move_mount_bits, s);
		} else {
			jbuf_puts(b, "umount ");
			tq(b, fn);
			BITS(v[1], umount_bits, s);
		}
		jbuf_printf(b, ", %s", s);
		break;
	case LT_EV_PIVOT_ROOT:
	case LT_EV_PRCTL_SET_NAME:
		tq(b, ev->xs[0]);
		jbuf_puts(b, ", ");
		tq(b, ev->xs[1]);
		break;
	case LT_EV_CHROOT:
		tq(b, fn);
		break;
	case LT_EV_BPF_LOAD:
		jbuf_printf(b, "BPF_PROG_LOAD, %s, ", NAMEOF(prog_types, v[0]) ?
			    NAMEOF(prog_types, v[0]) : "?");
		tq(b, ev->xs[0]);
		jbuf_printf(b, ", insns=%llu", (unsigned long long)v[1]);
		break;
	case LT_EV_PERF_EVENT_OPEN:
		jbuf_printf(b, "type=%llu, config=%llu, pid=%d, cpu=%d", (unsigned long long)v[0],
			    (unsigned long long)v[1], (int32_t)v[2], (int32_t)v[3]);
		break;
	case LT_EV_PROCESS_VM_WRITEV:
		jbuf_printf(b, "%d", (int32_t)v[0]);
		if (ev->xcomm[0]) {
			jbuf_puts(b, " ");
			tq(b, ev->xcomm);
		}
		jbuf_printf(b, ", iov=%llu, riov=%llu", (unsigned long long)v[1],
			    (unsigned long long)v[2]);
		break;
	case LT_EV_FD_REDIRECT:
		jbuf_printf(b, "%lld, %lld, %s", (long long)v[1], (long long)v[0],
			    family_name(v[2]) ? family_name(v[2]) : "?");
		if (v[2] == 2 || v[2] == 10) {
			addr_str(ev, s, sizeof(s));
			jbuf_printf(b, ", %s:%llu", s, (unsigned long long)v[5]);
		}
		break;
	case LT_EV_IO_URING_SETUP:
		BITS(v[2], iou_setup_bits, s);
		jbuf_printf(b, "%llu, %s", (unsigned long long)v[0], s);
		break;
	case LT_EV_IO_URING_OPS:
		if (!ev->iou)
			break;
		jbuf_printf(b, "total=%llu", (unsigned long long)ev->iou->total);
		for (uint32_t i = 0; i < LT_IOU_NOPS; i++)
			if (ev->iou->counts[i])
				jbuf_printf(b, ", %s=%u", evade_iou_op_name(i, s, sizeof(s)),
					    ev->iou->counts[i]);
		if (ev->iou_final)
			jbuf_puts(b, ", final");
		break;
	}
}
