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

#include "format.h"

#define KV_STR(b, k, v) (JSON_KEY(b, k), json_cstr(b, v))
#define KV_INT(b, k, v) (JSON_KEY(b, k), json_int(b, v))
#define KV_UINT(b, k, v) (JSON_KEY(b, k), json_uint(b, v))
#define KV_BOOL(b, k, v) (JSON_KEY(b, k), json_bool(b, v))

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

static void kv_cstr_or_null(struct jbuf *b, const char *k, const char *v)
{
	json_key(b, k);
	if (v)
		json_cstr(b, v);
	else
		json_null(b);
}

static void json_caps(struct jbuf *b, const char *key, uint64_t set)
{
	json_key(b, key);
	json_arr_begin(b);
	for (unsigned i = 0; i < 64; i++) {
		char n[16];
		const char *name = NAMEOF(cap_names, i);

		if (!(set & (1ULL << i)))
			continue;
		if (!name) {
			snprintf(n, sizeof(n), "CAP_%u", i);
			name = n;
		}
		json_cstr(b, name);
	}
	json_arr_end(b);
}

static void json_time(struct jbuf *b, const char *sec, const char *nsec, const char *special,
		      uint64_t s, uint64_t ns)
{
	if (ns == LT_UTIME_NOW || ns == LT_UTIME_OMIT) {
		json_kv_str(b, special, ns == LT_UTIME_NOW ? "UTIME_NOW" : "UTIME_OMIT");
		return;
	}
	json_kv_int(b, sec, (int64_t)s);
	json_kv_int(b, nsec, (int64_t)ns);
}

/* the path fields of a path-bearing event: @filename is the (canonical) path */
static void json_path(struct jbuf *b, const char *key, const char *path, uint16_t flags,
		      bool canon)
{
	json_kv_str(b, key, path);
	json_key(b, !strcmp(key, "filename") ? "path_exact" : "target_exact");
	json_bool(b, !(flags & LT_PF_TRUNC) && (!(flags & LT_PF_INEXACT) || canon));
	if (flags & LT_PF_TRUNC)
		KV_BOOL(b, "path_truncated", true);
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

void format_json_evade(struct jbuf *b, const struct event *ev)
{
	const uint64_t *v = ev->xv;
	char s[512];

	switch (ev->type) {
	case LT_EV_UTIMES:
		json_path(b, "filename", ev->canon[0] ? ev->canon : ev->filename, ev->filename_flags,
			  ev->canon[0]);
		json_time(b, "atime_sec", "atime_nsec", "atime", v[0], v[1]);
		json_time(b, "mtime_sec", "mtime_nsec", "mtime", v[2], v[3]);
		KV_UINT(b, "at_flags", v[4]);
		break;
	case LT_EV_SETXATTR:
		json_path(b, "filename", ev->canon[0] ? ev->canon : ev->filename, ev->filename_flags,
			  ev->canon[0]);
		KV_STR(b, "op", v[0] == LT_XATTR_REMOVE ? "remove" : "set");
		KV_STR(b, "xattr_name", ev->xs[1]);
		if (v[0] == LT_XATTR_SET) {
			KV_UINT(b, "value_size", v[1]);
			KV_UINT(b, "xattr_flags", v[2]);
		}
		KV_BOOL(b, "file_caps", v[3] & LT_CAPF_FILE_CAPS);
		if (v[3] & LT_CAPF_DECODED) {
			json_caps(b, "cap_permitted", v[4]);
			json_caps(b, "cap_inheritable", v[5]);
			KV_BOOL(b, "cap_effective", v[3] & LT_CAPF_EFFECTIVE);
			if (v[3] & LT_CAPF_V3)
				KV_UINT(b, "cap_rootid", v[6]);
		}
		break;
	case LT_EV_TRUNCATE:
		json_path(b, "filename", ev->canon[0] ? ev->canon : ev->filename, ev->filename_flags,
			  ev->canon[0]);
		KV_INT(b, "length", (int64_t)v[0]);
		if (v[2] != (uint64_t)-1) {
			KV_INT(b, "fd", (int64_t)v[2]);
			KV_UINT(b, "old_size", v[1]);
		}
		break;
	case LT_EV_UNSHARE:
		KV_UINT(b, "flags", v[0]);
		BITS(v[0], clone_ns_bits, s);
		KV_STR(b, "flags_str", s);
		break;
	case LT_EV_SETNS:
		KV_INT(b, "fd", (int64_t)v[0]);
		KV_UINT(b, "nstype", (uint32_t)v[1]);
		BITS((uint32_t)v[1], clone_ns_bits, s);
		KV_STR(b, "nstype_str", s);
		if (v[4] == LT_SETNS_PIDFD) {
			KV_BOOL(b, "pidfd", true);
		} else {
			kv_cstr_or_null(b, "ns_type", ns_type_name(v[2]));
			KV_UINT(b, "ns_inode", v[3]);
		}
		break;
	case LT_EV_MOUNT:
		KV_STR(b, "op", v[0] == LT_MOUNT_UMOUNT ? "umount" : "mount");
		if (v[0] == LT_MOUNT_MOUNT) {
			kv_cstr_or_null(b, "source", ev->xs[0]);
			kv_cstr_or_null(b, "fstype", ev->xs[2]);
		}
		if (ev->xs[1])
			json_path(b, "target", ev->canon[0] ? ev->canon : ev->xs[1], ev->xsf[1],
				  ev->canon[0]);
		else
			kv_cstr_or_null(b, "target", NULL);
		KV_UINT(b, "flags", v[1]);
		if (v[0] == LT_MOUNT_UMOUNT)
			BITS(v[1], umount_bits, s);
		else
			BITS(v[1], ms_bits, s);
		KV_STR(b, "flags_str", s);
		break;
	case LT_EV_PIVOT_ROOT:
		kv_cstr_or_null(b, "new_root", ev->xs[0]);
		kv_cstr_or_null(b, "put_old", ev->xs[1]);
		break;
	case LT_EV_CHROOT:
		json_path(b, "filename", ev->canon[0] ? ev->canon : ev->filename, ev->filename_flags,
			  ev->canon[0]);
		KV_STR(b, "requested", ev->xs[1]);
		break;
	case LT_EV_BPF_LOAD:
		KV_UINT(b, "prog_type", v[0]);
		kv_cstr_or_null(b, "prog_type_str", NAMEOF(prog_types, v[0]));
		KV_STR(b, "prog_name", ev->xs[0]);
		KV_UINT(b, "insn_cnt", v[1]);
		kv_cstr_or_null(b, "license", ev->xs[1]);
		KV_UINT(b, "expected_attach_type", v[2]);
		KV_UINT(b, "prog_flags", v[3]);
		if (ev->ret >= 0)
			KV_INT(b, "prog_fd", ev->ret);
		break;
	case LT_EV_PERF_EVENT_OPEN:
		KV_UINT(b, "perf_type", v[0]);
		kv_cstr_or_null(b, "perf_type_str", NAMEOF(perf_types, v[0]));
		KV_UINT(b, "config", v[1]);
		KV_INT(b, "target_pid", (int32_t)v[2]);
		KV_INT(b, "cpu", (int32_t)v[3]);
		KV_INT(b, "group_fd", (int32_t)v[4]);
		KV_UINT(b, "flags", v[5]);
		break;
	case LT_EV_PROCESS_VM_WRITEV:
		KV_INT(b, "target_pid", (int32_t)v[0]);
		kv_cstr_or_null(b, "target_comm", ev->xcomm[0] ? ev->xcomm : NULL);
		KV_UINT(b, "liovcnt", v[1]);
		KV_UINT(b, "riovcnt", v[2]);
		KV_UINT(b, "flags", v[3]);
		if (ev->ret >= 0)
			KV_INT(b, "bytes", ev->ret);
		break;
	case LT_EV_PRCTL_SET_NAME:
		KV_STR(b, "old_name", ev->xs[0]);
		KV_STR(b, "new_name", ev->xs[1]);
		break;
	case LT_EV_FD_REDIRECT:
		KV_INT(b, "newfd", (int64_t)v[0]);
		KV_INT(b, "oldfd", (int64_t)v[1]);
		kv_cstr_or_null(b, "family", family_name(v[2]));
		kv_cstr_or_null(b, "sock_type", sock_type_name(v[3]));
		KV_UINT(b, "protocol", v[4]);
		if (v[2] == 2 || v[2] == 10) {
			addr_str(ev, s, sizeof(s));
			KV_STR(b, "remote_addr", s);
			KV_UINT(b, "remote_port", v[5]);
		}
		break;
	case LT_EV_IO_URING_SETUP:
		KV_INT(b, "ring_fd", (int64_t)v[3]);
		KV_UINT(b, "sq_entries", v[0]);
		KV_UINT(b, "cq_entries", v[1]);
		KV_UINT(b, "setup_flags", v[2]);
		BITS(v[2], iou_setup_bits, s);
		KV_STR(b, "setup_flags_str", s);
		break;
	case LT_EV_IO_URING_OPS:
		if (!ev->iou)
			break;
		KV_UINT(b, "total", ev->iou->total);
		KV_UINT(b, "sqpoll", ev->iou->sqpoll);
		json_key(b, "ops");
		json_obj_begin(b);
		for (uint32_t i = 0; i < LT_IOU_NOPS; i++)
			if (ev->iou->counts[i])
				json_kv_uint(b, evade_iou_op_name(i, s, sizeof(s)),
					     ev->iou->counts[i]);
		json_obj_end(b);
		KV_BOOL(b, "final", ev->iou_final);
		break;
	}
}

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
