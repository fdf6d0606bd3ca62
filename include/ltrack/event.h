/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * event.h - THE kernel <-> user-space ABI of ltrack.
 *
 * Every record the BPF programs write into a ring buffer, and every entry of
 * a map that user space fills, is defined here and only here. Rules:
 *   - fixed-width types, natural alignment, explicit padding, never packed;
 *   - each struct carries a _Static_assert of its size;
 *   - variable-length records carry their own size (lt_hdr.size) and the
 *     lengths of the strings that follow the fixed part.
 * This header is included by both the BPF side (after vmlinux.h) and the
 * user side (after <linux/types.h>).
 */
#ifndef LTRACK_EVENT_H
#define LTRACK_EVENT_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#define LT_SCHEMA_VERSION 1

/*
 * Event types. Numbers are ltrack's own and stable once released; 1..3 keep
 * eTracee's numbers (execve, openat, connect). Names: lt_event_name().
 */
enum lt_ev_type {
	LT_EV_EXEC = 1,
	LT_EV_OPEN = 2,
	LT_EV_CONNECT = 3,	/* reserved for network coverage */
	LT_EV_FORK = 4,
	LT_EV_EXIT = 5,
	LT_EV_CREATE = 6,
	LT_EV_MKDIR = 7,
	LT_EV_MKNOD = 8,
	LT_EV_DELETE = 9,
	LT_EV_RMDIR = 10,
	LT_EV_RENAME = 11,
	LT_EV_ATTRIB = 12,
	LT_EV_SYMLINK = 13,
	LT_EV_LINK = 14,
	LT_EV_MODIFY = 15,
	/* net: network activity (src/bpf/net.bpf.c) */
	LT_EV_BIND = 16,
	LT_EV_LISTEN = 17,
	LT_EV_ACCEPT = 18,
	LT_EV_UDP_SEND = 19,
	LT_EV_CONNECT_RESULT = 20,
	/* end net */
	LT_EV_PROC_SNAP = 90,	/* startup snapshot of a running process (iterator) */
	LT_EV_STATS = 100,	/* made by user space: drop and volume counters */
	LT_EV_MAX = 128,
};

/* Drop categories: one per-CPU counter each in map lt_drops. */
enum lt_drop_cat {
	LT_DROP_EXEC = 0,
	LT_DROP_FORK,
	LT_DROP_EXIT,
	LT_DROP_FILE,		/* every file event type */
	LT_DROP_MODIFY_TRACK,	/* an open-for-write could not be tracked (map full) */
	/* net */
	LT_DROP_NET,		/* every network event type */
	LT_DROP_NET_TRACK,	/* a TCP connect's handshake could not be tracked (map full) */
	/* end net */
	LT_DROP_NCAT,
};

/* lt_hdr.flags */
#define LT_HF_REPORT	(1u << 0)	/* selected by the policy: print it */
#define LT_HF_SLIM	(1u << 1)	/* process record kept only for the process table */

/* Common header of every ring record. */
struct lt_hdr {
	__u64 ts_boot_ns;	/* bpf_ktime_get_boot_ns() */
	__u64 start_ns;		/* group leader start_boottime: with tgid, the process key */
	__u64 parent_start_ns;	/* the same for real_parent: parent_exec_id */
	__u32 type;		/* enum lt_ev_type */
	__u32 size;		/* whole record, header included */
	__u32 tgid;
	__u32 tid;
	__u32 ppid;		/* real_parent's tgid */
	__u32 uid;		/* real ids */
	__u32 gid;
	__u32 euid;
	__u32 loginuid;		/* (u32)-1 when unset */
	__s32 syscall_nr;	/* -1 when no syscall is behind the event */
	__s64 ret;		/* the syscall's return value (0 when none) */
	__u32 flags;		/* LT_HF_* */
	__u32 sessionid;	/* audit session, (u32)-1 when unset */
	char comm[16];
	/* context: where the task lives */
	__u64 cgroup_id;	/* cgroup v2 (default hierarchy) id = its directory's inode */
	__u32 pid_ns;		/* namespace inode numbers, as in /proc/PID/ns/ */
	__u32 mnt_ns;
	__u32 net_ns;
	__u32 tty;		/* controlling tty, kernel dev_t encoding; 0 = none */
	__u64 reserved;
};
_Static_assert(sizeof(struct lt_hdr) == 128, "ABI: lt_hdr");

/* String limits. Paths are built backwards in a scratch buffer of LT_PATH_MAX. */
#define LT_PATH_MAX	4096
#define LT_ARGS_MAX	4096	/* argv bytes carried by an exec event */
#define LT_NAME_MAX	256	/* one path component, with room for NUL */

/* per-string flags (lt_file_ev.pflags[i], lt_exec_ev.*_flags) */
#define LT_PF_TRUNC	(1u << 0)	/* path too long or too deep: what is there is a suffix */
#define LT_PF_INEXACT	(1u << 1)	/* path_exact: false (see docs/paths.md) */
#define LT_PF_RAW	(1u << 2)	/* not a path: raw bytes (symlink content) */

/*
 * File event. Followed by up to two NUL-terminated strings:
 *   str[0] = filename (absolute)
 *   str[1] = new_filename (rename), target (link: existing file, absolute;
 *            symlink: its content as given)
 * len[i] counts the bytes including the NUL; 0 = absent.
 */
struct lt_file_ev {
	struct lt_hdr hdr;
	__u64 ino;		/* inode of the object when known (fd-based ops), else 0 */
	__u32 dev;		/* kernel dev_t encoding (MAJOR<<20|MINOR); see docs */
	__u32 mode;		/* create/mkdir/mknod: resulting mode; attrib chmod: new mode */
	__u32 open_flags;	/* open/create: flags as passed */
	__u32 rdev;		/* mknod: device, kernel encoding */
	__u32 uid;		/* attrib chown: new owner, (u32)-1 = unchanged */
	__u32 gid;
	__u32 attr;		/* LT_ATTR_* for attrib */
	__u32 watch_id;		/* index of the matching watch in the active policy */
	__u16 len[2];
	__u16 pflags[2];
	char str[];
};
_Static_assert(sizeof(struct lt_file_ev) == 176, "ABI: lt_file_ev");

#define LT_ATTR_MODE	(1u << 0)
#define LT_ATTR_OWNER	(1u << 1)

/*
 * The identity of a file's content at one moment, captured in the kernel
 * (exec, executable mmap): user space hashes the file only when what it
 * opens still has this identity, so a hash is never stale.
 */
struct lt_file_id {
	__u64 ino;
	__u64 size;
	__u64 mtime_ns;		/* since the epoch */
	__u64 ctime_ns;
	__u32 dev;		/* kernel encoding */
	__u32 pad;
};
_Static_assert(sizeof(struct lt_file_id) == 40, "ABI: lt_file_id");

/*
 * Exec event (and LT_EV_PROC_SNAP from the startup iterator). Followed by:
 *   filename (resolved image path), requested (as passed to execve),
 *   interp (script interpreter as named by the kernel, or empty),
 *   cwd, args (argc NUL-separated strings, args_len bytes).
 * A slim record (LT_HF_SLIM) carries filename only.
 */
struct lt_exec_ev {
	struct lt_hdr hdr;
	struct lt_file_id exe;	/* the image (all 0: none, e.g. a kernel thread) */
	__u32 argc;		/* strings present in args */
	__u32 pad;
	__u16 filename_len;	/* each with its NUL, 0 = absent */
	__u16 requested_len;
	__u16 interp_len;
	__u16 cwd_len;
	__u16 args_len;
	__u16 filename_flags;	/* LT_PF_* */
	__u16 cwd_flags;
	__u16 eflags;		/* LT_XF_* */
	char str[];
};
_Static_assert(sizeof(struct lt_exec_ev) == 192, "ABI: lt_exec_ev");

#define LT_XF_ARGS_TRUNC	(1u << 0)	/* argv longer than LT_ARGS_MAX */
#define LT_XF_SCRIPT		(1u << 1)	/* a binfmt handler (e.g. #!) ran an interpreter */

struct lt_fork_ev {
	struct lt_hdr hdr;	/* the parent */
	__u64 child_start_ns;
	__u32 child_tgid;
	__u32 pad;
};
_Static_assert(sizeof(struct lt_fork_ev) == 144, "ABI: lt_fork_ev");

struct lt_exit_ev {
	struct lt_hdr hdr;
	__u32 status;		/* wait status: code << 8 | signal (| 0x80 core) */
	__u32 pad;
};
_Static_assert(sizeof(struct lt_exit_ev) == 136, "ABI: lt_exit_ev");

/* watch event bits: the events a --watch or [file_monitor] directory asks for */
enum lt_watch_bit {
	LT_W_CREATE = 1u << 0,
	LT_W_MKDIR = 1u << 1,
	LT_W_MKNOD = 1u << 2,
	LT_W_DELETE = 1u << 3,
	LT_W_RMDIR = 1u << 4,
	LT_W_RENAME = 1u << 5,
	LT_W_ATTRIB = 1u << 6,
	LT_W_SYMLINK = 1u << 7,
	LT_W_LINK = 1u << 8,
	LT_W_MODIFY = 1u << 9,
	LT_W_OPEN = 1u << 10,
};
/* "all": SysTracer's set plus mknod and modify; never open */
#define LT_W_ALL (LT_W_CREATE | LT_W_MKDIR | LT_W_MKNOD | LT_W_DELETE | LT_W_RMDIR | \
		  LT_W_RENAME | LT_W_ATTRIB | LT_W_SYMLINK | LT_W_LINK | LT_W_MODIFY)

/* ---- maps filled by user space -------------------------------------------- */

/*
 * Policy generations: every policy-derived map key carries the generation it
 * belongs to. A reload fills the inactive generation, then flips
 * lt_active_gen (one store), then deletes the old generation's entries.
 */
#define LT_GENS 2

/* lt_watches: (dev, ino) of a watched directory -> what it watches */
struct lt_watch_key {
	__u32 gen;
	__u32 dev;		/* kernel encoding */
	__u64 ino;
};
_Static_assert(sizeof(struct lt_watch_key) == 16, "ABI: lt_watch_key");

struct lt_watch_val {
	__u32 mask;		/* LT_W_* (src/config.h) */
	__u32 id;		/* index in the policy's watch list */
};
_Static_assert(sizeof(struct lt_watch_val) == 8, "ABI: lt_watch_val");

/*
 * lt_edges: the name graph along the ancestry of every watched directory,
 * (parent dev, parent ino, fnv1a64(name)) -> child (dev, ino). Lets a path
 * string such as "a/b/c" given relative to a directory descend by name
 * toward a watch without a kernel lookup. Refreshed by user space when a
 * directory is renamed (lt_dirgen changes).
 */
struct lt_edge_key {
	__u32 gen;
	__u32 dev;
	__u64 ino;
	__u64 name_hash;
};
_Static_assert(sizeof(struct lt_edge_key) == 24, "ABI: lt_edge_key");

struct lt_edge_val {
	__u64 ino;
	__u32 dev;
	__u32 pad;
};
_Static_assert(sizeof(struct lt_edge_val) == 16, "ABI: lt_edge_val");

/* lt_cmds: exec_monitor watch_commands patterns, indexed 0..n-1 per generation */
#define LT_CMD_MAX	64
#define LT_CMD_LEN	64
struct lt_cmd {
	char pat[LT_CMD_LEN];	/* NUL-terminated glob */
	__u32 len;
	__u32 plain;		/* no glob characters: also matches a version suffix */
};
_Static_assert(sizeof(struct lt_cmd) == 72, "ABI: lt_cmd");

/* per-generation knobs (array map lt_policy, index = gen) */
struct lt_policy {
	__u32 watch_union;	/* OR of all watch masks: cheap early reject */
	__u32 exec_report;	/* report process events at all */
	__u32 exec_all;		/* no watch_commands: every command */
	__u32 ncmds;
	__u32 failed;		/* --failed */
	__u32 pad;
	__u32 ev_mask[LT_EV_MAX / 32];	/* bit per enum lt_ev_type: selected (--events) */
};
_Static_assert(sizeof(struct lt_policy) == 40, "ABI: lt_policy");

/* lt_modify: open-for-write files awaiting their close (key: struct file *) */
struct lt_modify_val {
	__u64 start_ns;		/* the opener, for the user-space sweep of stale entries */
	__u32 tgid;
	__u32 watch_id;
	__u64 ino;		/* a reused struct file with another inode is stale */
};
_Static_assert(sizeof(struct lt_modify_val) == 24, "ABI: lt_modify_val");

/* ---- net: network events (src/bpf/net.bpf.c, src/net.c) ------------------- */

#define LT_UNIX_PATH_MAX 108	/* sizeof(sun_path) */

/* lt_net_ev.nflags */
#define LT_NF_LOCAL	(1u << 0)	/* laddr/lport hold the socket's local address */
#define LT_NF_CONNECTED	(1u << 1)	/* udp_send: to the connected peer (no address given) */

/*
 * Network event: connect, bind, listen, accept, udp_send, connect_result.
 * Addresses are in network byte order, IPv4 in the first 4 bytes; ports
 * in host order. The local address is in the socket's family; the remote
 * one in rfamily (an AF_INET6 socket may send to an AF_INET address).
 * An AF_UNIX record (family == AF_UNIX) is followed by struct lt_net_unix
 * and its size is sizeof(lt_net_ev) + sizeof(lt_net_unix); any other
 * record is sizeof(lt_net_ev).
 */
struct lt_net_ev {
	struct lt_hdr hdr;
	__u8 laddr[16];		/* local address (LT_NF_LOCAL) */
	__u8 raddr[16];		/* remote address (rfamily != 0) */
	__u64 dur_ns;		/* connect_result: from SYN sent to the result */
	__s32 fd;		/* the socket; accept: the new one (-1 when none) */
	__s32 arg;		/* listen: backlog as passed; accept: the listening fd */
	__u16 family;		/* the socket's: AF_INET, AF_INET6, AF_UNIX */
	__u16 rfamily;		/* raddr's, 0 = no remote address */
	__u16 sock_type;	/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	__u16 protocol;		/* IPPROTO_TCP, IPPROTO_UDP; 0 for AF_UNIX */
	__u16 lport;
	__u16 rport;
	__u16 state;		/* connect_result: the TCP state reached (TCP_ESTABLISHED, TCP_CLOSE) */
	__u16 nflags;		/* LT_NF_* */
	__s32 err;		/* connect_result: 0, or -errno (the socket's error) */
	__u16 path_len[2];	/* AF_UNIX: bytes of lt_net_unix.path[0] (local), [1] (remote) */
};
_Static_assert(sizeof(struct lt_net_ev) == 200, "ABI: lt_net_ev");

/* AF_UNIX names as the kernel holds them: raw sun_path bytes, abstract ones start with NUL */
struct lt_net_unix {
	__u8 path[2][LT_UNIX_PATH_MAX];
};
_Static_assert(sizeof(struct lt_net_unix) == 216, "ABI: lt_net_unix");

/* lt_net_policy.protos */
#define LT_NP_TCP	(1u << 0)
#define LT_NP_UDP	(1u << 1)
#define LT_NP_UNIX	(1u << 2)

/* lt_net_policy.events: bit (1 << type) per selected network event type */
#define LT_NE(type)	(1u << (type))
#define LT_NE_CONNECT_GROUP (LT_NE(LT_EV_CONNECT) | LT_NE(LT_EV_CONNECT_RESULT) | \
			     LT_NE(LT_EV_UDP_SEND))
#define LT_NE_LISTEN_GROUP (LT_NE(LT_EV_BIND) | LT_NE(LT_EV_LISTEN) | LT_NE(LT_EV_ACCEPT))

#define LT_NET_PORT_WORDS 2048	/* 65536 bits */

/* per-generation network knobs (array map lt_net_pol, index = gen) */
struct lt_net_policy {
	__u32 events;		/* LT_NE(type) bits; 0 = no network event */
	__u32 protos;		/* LT_NP_* */
	__u32 any_port;		/* no ports list: every port */
	__u32 pad;
	__u32 ports[LT_NET_PORT_WORDS];	/* bit per selected port */
};
_Static_assert(sizeof(struct lt_net_policy) == 16 + 4 * LT_NET_PORT_WORDS, "ABI: lt_net_policy");
/* end net */

#endif /* LTRACK_EVENT_H */
