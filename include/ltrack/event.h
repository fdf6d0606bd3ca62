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
	/* hash: made by user space (src/enrich.c), the digest of an earlier event's object */
	LT_EV_HASH_UPDATE = 58,
	/* model: made by user space (src/enrich.c), a scan verdict that came after its model_load */
	LT_EV_SCAN_UPDATE = 59,
	/* evade: evasion and escalation paths (src/bpf/evade.bpf.c, docs/events.md) */
	LT_EV_UTIMES = 36,
	LT_EV_SETXATTR = 37,
	LT_EV_TRUNCATE = 38,
	LT_EV_UNSHARE = 39,
	LT_EV_SETNS = 40,
	LT_EV_MOUNT = 41,
	LT_EV_PIVOT_ROOT = 42,
	LT_EV_CHROOT = 43,
	LT_EV_BPF_LOAD = 44,
	LT_EV_PERF_EVENT_OPEN = 45,
	LT_EV_PROCESS_VM_WRITEV = 46,
	LT_EV_PRCTL_SET_NAME = 47,
	LT_EV_FD_REDIRECT = 48,
	LT_EV_IO_URING_SETUP = 49,
	LT_EV_IO_URING_OPS = 50,	/* made by user space from lt_iou_ops */
	/* end evade */
	/* mem: memory, fileless execution, privilege, dangerous calls (docs/events.md) */
	LT_EV_MEM_EXEC = 24,
	LT_EV_MEMFD_CREATE = 25,
	LT_EV_CRED_CHANGE = 26,
	LT_EV_PTRACE = 27,
	LT_EV_KILL = 28,
	LT_EV_MODULE_LOAD = 29,
	LT_EV_MODULE_DELETE = 30,
	/* lib: library loads */
	LT_EV_LIB_LOAD = 56,	/* a file mapped executable (and ld.so at exec) */
	LT_EV_DLOPEN = 57,	/* glibc dlopen() returned (uprobe) */
	/* net: network activity (src/bpf/net.bpf.c) */
	LT_EV_BIND = 16,
	LT_EV_LISTEN = 17,
	LT_EV_ACCEPT = 18,
	LT_EV_UDP_SEND = 19,
	LT_EV_CONNECT_RESULT = 20,
	/* end net */
	/* gpu: an open of a GPU device node (src/bpf/gpu.bpf.h) */
	LT_EV_GPU_ACCESS = 67,
	/* model: ML model files (src/bpf/model.bpf.c, src/model.c) */
	LT_EV_MODEL_LOAD = 64,
	LT_EV_MODEL_MODIFIED = 65,
	LT_EV_MODEL_EXFIL = 66,
	LT_EV_MODEL_CAND = 68,		/* internal: a file a loader opened, to sniff */
	LT_EV_MODEL_WRITE = 69,		/* internal: a loaded model opened for writing */
	LT_EV_MODEL_ACCESS = 70,	/* made by user space: a holder's summary at its exit */
	/* end model */
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
	LT_DROP_EVADE,		/* evade: every event of types 36..49 */
	LT_DROP_MEM,		/* mem: every mem event type (mem_exec ... module_delete) */
	LT_DROP_LIB,		/* lib: lib_load and dlopen */
	/* net */
	LT_DROP_NET,		/* every network event type */
	LT_DROP_NET_TRACK,	/* a TCP connect's handshake could not be tracked (map full) */
	/* end net */
	LT_DROP_GPU,		/* gpu: gpu_access */
	LT_DROP_MODEL,		/* model: model_load, model_exfil and the internal model records */
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

/* ctx: the cgroup v1 hierarchies an exec records (lt_exec_ev.cg_v1[]) */
enum lt_cg_v1 { LT_CG_V1_CPU = 0, LT_CG_V1_MEMORY, LT_CG_V1_PIDS, LT_CG_V1_SYSTEMD, LT_CG_V1_N };

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
	/* mem: the credentials after the exec, meaningful with LT_XF_PRIVGAIN */
	__u32 egid;
	__u32 mem_pad;
	__u64 cap_effective;
	__u64 cap_permitted;
	/*
	 * ctx: the task's cgroups in the v1 hierarchies of cpu, memory, pids and
	 * name=systemd (index LT_CG_V1_*), as kernfs ids (= the directory's inode;
	 * 0: unknown). Taken here because the process may be gone before user
	 * space could read /proc/PID/cgroup. A controller bound to cgroup v2
	 * gives a v2 id: user space uses an id only with a v1 mount of its
	 * hierarchy.
	 */
	__u64 cg_v1[LT_CG_V1_N];
	char str[];
};
_Static_assert(sizeof(struct lt_exec_ev) == 248, "ABI: lt_exec_ev");

#define LT_XF_ARGS_TRUNC	(1u << 0)	/* argv longer than LT_ARGS_MAX */
#define LT_XF_SCRIPT		(1u << 1)	/* a binfmt handler (e.g. #!) ran an interpreter */
/* mem: fileless execution and privilege gain (eflags bits 2..7 belong to mem) */
#define LT_XF_FILELESS		(1u << 2)	/* the image is a memfd or a deleted file */
#define LT_XF_PRIVGAIN		(1u << 3)	/* the exec gained privilege (see the reasons) */
#define LT_XF_MEMFD		(1u << 4)	/* with FILELESS: a memfd (else a deleted file) */
#define LT_XF_SETUID		(1u << 5)	/* PRIVGAIN reason: the setuid bit set the euid */
#define LT_XF_SETGID		(1u << 6)	/* PRIVGAIN reason: the setgid bit set the egid */
#define LT_XF_FILECAPS		(1u << 7)	/* PRIVGAIN reason: file capabilities */

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

/* ctx: an inclusive range of pids or uids for the in-kernel filters */
#define LT_RANGES_MAX	8
#define LT_FILT_PID	(1u << 0)
#define LT_FILT_UID	(1u << 1)
struct lt_range {
	__u32 lo;
	__u32 hi;
};
_Static_assert(sizeof(struct lt_range) == 8, "ABI: lt_range");

/* per-generation knobs (array map lt_policy, index = gen) */
struct lt_policy {
	__u32 watch_union;	/* OR of all watch masks: cheap early reject */
	__u32 exec_report;	/* report process events at all */
	__u32 exec_all;		/* no watch_commands: every command */
	__u32 ncmds;
	__u32 failed;		/* --failed */
	__u32 evade_groups;	/* evade: LT_EG_* turned on ([security_monitor]) */
	__u32 ev_mask[LT_EV_MAX / 32];	/* bit per enum lt_ev_type: selected (--events) */
	/* ctx: eTracee's pid/uid range filters (--pid, --uid, [filter]); see ev_gate() */
	__u32 filt;		/* LT_FILT_*: 0 = no range filter (the hot path's one check) */
	__u32 exec_args;	/* slim exec records carry argv too (ancestors need it) */
	__u32 npids;		/* ranges in use, 0..LT_RANGES_MAX */
	__u32 nuids;
	struct lt_range pids[LT_RANGES_MAX];	/* tgid ranges, inclusive */
	struct lt_range uids[LT_RANGES_MAX];	/* real uid ranges, inclusive */
	/* the small per-concern knobs, here so that a program reads one record */
	__u32 mem_groups;	/* mem: LT_MEMG_* turned on ([security_monitor]) */
	__u32 lib;		/* lib: LT_LIBP_* ([library_monitor]) */
	__u32 gpu;		/* gpu: gpu_access on ([model_monitor] gpu) */
	__u32 pad;
};
_Static_assert(sizeof(struct lt_policy) == 200, "ABI: lt_policy");

/* struct lt_policy.lib */
#define LT_LIBP_ENABLED	(1u << 0)	/* [library_monitor] enabled (and a policy file in use) */
#define LT_LIBP_DLOPEN	(1u << 1)	/* [library_monitor] dlopen */

/* lt_modify: open-for-write files awaiting their close (key: struct file *) */
struct lt_modify_val {
	__u64 start_ns;		/* the opener, for the user-space sweep of stale entries */
	__u32 tgid;
	__u32 watch_id;
	__u64 ino;		/* a reused struct file with another inode is stale */
};
_Static_assert(sizeof(struct lt_modify_val) == 24, "ABI: lt_modify_val");

/* ---- evade ------------------------------------------------------------------ */

/*
 * Evasion and escalation events (types 36..49). One record layout for all:
 * the numbers in v[] and the strings after the fixed part depend on the
 * type (LT_EVV_* below; docs/events.md names the JSON fields). len[i]
 * counts string i's bytes with its NUL, 0 = absent; the strings follow in
 * order. pflags[i] are LT_PF_* of string i.
 */
struct lt_evade_ev {
	struct lt_hdr hdr;
	__u64 v[8];
	__u16 len[3];
	__u16 pflags[3];
	__u32 pad;
	char str[];
};
_Static_assert(sizeof(struct lt_evade_ev) == 208, "ABI: lt_evade_ev");

/*
 * v[] per type (s0..s2: strings):
 *  utimes:  0 atime_sec 1 atime_nsec 2 mtime_sec 3 mtime_nsec 4 flags
 *           (nsec LT_UTIME_NOW / LT_UTIME_OMIT as the kernel knows them);
 *           s0 path
 *  setxattr: 0 op (LT_XATTR_*) 1 value size 2 flags 3 LT_CAPF_* 4 permitted
 *           5 inheritable 6 rootid (v3 caps); s0 path, s1 attribute name
 *  truncate: 0 length 1 old size ((u64)-1 unknown) 2 fd (-1: truncate(2)); s0 path
 *  unshare: 0 flags
 *  setns:   0 fd 1 nstype as passed 2 the fd's namespace type (CLONE_NEW*, 0 when
 *           not a namespace file) 3 its inode; 4 LT_SETNS_PIDFD when fd is a pidfd
 *  mount:   0 op (LT_MOUNT_*) 1 flags; s0 source, s1 target, s2 fstype
 *           (open_tree: s0 the tree; move_mount: s0 from a path, s1 the target)
 *  pivot_root: s0 new_root, s1 put_old (as given)
 *  chroot:  s0 the new root (absolute, in the caller's mount namespace),
 *           s1 the path as given
 *  bpf_load: 0 prog_type 1 insn_cnt 2 expected_attach_type 3 prog_flags;
 *           s0 prog_name, s1 license
 *  perf_event_open: 0 type 1 config 2 pid 3 cpu 4 group_fd 5 flags
 *  process_vm_writev: 0 pid 1 liovcnt 2 riovcnt 3 flags; s0 target comm
 *  prctl_set_name: s0 old comm, s1 new name as passed (first 16 bytes)
 *  fd_redirect: 0 newfd 1 oldfd 2 family 3 sock type 4 protocol 5 remote port
 *           6, 7 remote address (16 bytes, IPv4 in the first 4) 
 *  io_uring_setup: 0 sq_entries 1 cq_entries 2 flags 3 fd
 */
#define LT_UTIME_NOW	((1ull << 30) - 1)
#define LT_UTIME_OMIT	((1ull << 30) - 2)

#define LT_XATTR_SET	0
#define LT_XATTR_REMOVE	1

#define LT_CAPF_FILE_CAPS	(1u << 0)	/* security.capability */
#define LT_CAPF_DECODED		(1u << 1)	/* permitted/inheritable are valid */
#define LT_CAPF_EFFECTIVE	(1u << 2)	/* VFS_CAP_FLAGS_EFFECTIVE */
#define LT_CAPF_V3		(1u << 3)	/* namespaced capabilities: rootid valid */

#define LT_SETNS_PIDFD	1

#define LT_MOUNT_MOUNT	0
#define LT_MOUNT_UMOUNT	1
/* the new mount API: a tree cloned (s0 the source), then attached (s0 its path, s1 the target) */
#define LT_MOUNT_OPEN_TREE 2
#define LT_MOUNT_MOVE	3

/* event groups of [security_monitor] that evade owns (lt_policy.evade_groups) */
enum lt_evade_group {
	LT_EG_TIMESTOMP = 1u << 0,
	LT_EG_XATTR = 1u << 1,
	LT_EG_TRUNCATE = 1u << 2,
	LT_EG_NAMESPACES = 1u << 3,
	LT_EG_MOUNTS = 1u << 4,
	LT_EG_BPF = 1u << 5,
	LT_EG_PERF = 1u << 6,
	LT_EG_PROCESS_VM = 1u << 7,
	LT_EG_PRCTL = 1u << 8,
	LT_EG_FD_REDIRECT = 1u << 9,
	LT_EG_IO_URING = 1u << 10,
};


/*
 * io_uring opcode counts of one process (map lt_iou_ops, key struct
 * lt_iou_key). The kernel fills hdr when the process first submits and
 * counts every submission after; user space reads the entry and makes an
 * LT_EV_IO_URING_OPS record of it (hdr.type, hdr.size set by user space).
 */
#define LT_IOU_NOPS 64
struct lt_iou_key {
	__u32 tgid;
	__u32 pad;
	__u64 start_ns;
};
_Static_assert(sizeof(struct lt_iou_key) == 16, "ABI: lt_iou_key");

struct lt_iou_ops {
	struct lt_hdr hdr;
	__u64 total;
	__u32 sqpoll;		/* submissions made by an SQPOLL thread */
	__u32 pad;
	__u32 counts[LT_IOU_NOPS];	/* by IORING_OP_* */
};
_Static_assert(sizeof(struct lt_iou_ops) == 400, "ABI: lt_iou_ops");
/* end evade */
/* ---- mem: memory, fileless execution, privilege, dangerous calls ---------------- */

/* lt_mem_exec_ev.reason */
#define LT_MEMX_WX		1u	/* writable and executable at once */
#define LT_MEMX_ANON_EXEC	2u	/* executable memory without a file behind it */

/*
 * mem_exec: mmap / mprotect / pkey_mprotect making memory W+X or anonymous
 * and executable. Followed by the backing file's path (filename_len bytes
 * with its NUL; 0 = anonymous or unknown).
 */
struct lt_mem_exec_ev {
	struct lt_hdr hdr;
	__u64 addr;		/* mmap: the address mapped (the hint when it failed); mprotect: as given */
	__u64 len;		/* as given */
	__u64 vm_start;		/* the mapping found at addr after the call (0: none) */
	__u64 vm_end;
	__u32 prot;		/* PROT_* as given */
	__u32 flags;		/* mmap: MAP_* as given; 0 for mprotect */
	__s32 fd;		/* mmap: the fd argument; -1 otherwise */
	__u32 reason;		/* LT_MEMX_* */
	__s32 pkey;		/* pkey_mprotect: the key; -1 otherwise */
	__u16 filename_len;
	__u16 filename_flags;	/* LT_PF_* */
	char str[];
};
_Static_assert(sizeof(struct lt_mem_exec_ev) == 184, "ABI: lt_mem_exec_ev");

/* memfd_create: followed by the name (name_len bytes with its NUL), without "memfd:" */
struct lt_memfd_ev {
	struct lt_hdr hdr;
	__u32 flags;		/* MFD_* as given */
	__u32 name_len;
	char str[];
};
_Static_assert(sizeof(struct lt_memfd_ev) == 136, "ABI: lt_memfd_ev");

/* the ids and capabilities a cred_change compares */
struct lt_creds {
	__u32 uid, euid, suid, fsuid;
	__u32 gid, egid, sgid, fsgid;
	__u64 cap_effective, cap_permitted, cap_inheritable;
};
_Static_assert(sizeof(struct lt_creds) == 56, "ABI: lt_creds");

/* cred_change: set*id / setfs*id / capset; the syscall is hdr.syscall_nr */
struct lt_cred_ev {
	struct lt_hdr hdr;
	struct lt_creds old_c;	/* before the call */
	struct lt_creds new_c;	/* after it */
	__s64 args[3];		/* the id arguments as given (capset: none) */
};
_Static_assert(sizeof(struct lt_cred_ev) == 264, "ABI: lt_cred_ev");

/* ptrace and kill/tkill/tgkill: an action on another task */
struct lt_target_ev {
	struct lt_hdr hdr;
	__s64 request;		/* ptrace: the request; kill: the signal */
	__u64 addr;		/* ptrace: addr and data as given */
	__u64 data;
	__s32 pid_arg;		/* the pid argument as given (tgkill: the tgid) */
	__s32 tid_arg;		/* tkill/tgkill: the tid as given; 0 otherwise */
	__u32 target_tgid;	/* the target found, in the initial pid namespace; 0 = none */
	__u32 target_tid;
	char target_comm[16];	/* "" when no single target was found */
};
_Static_assert(sizeof(struct lt_target_ev) == 184, "ABI: lt_target_ev");

/*
 * module_load (init_module, finit_module) and module_delete. Followed by
 * str_len bytes: finit_module: the file's path; delete_module: the name.
 */
struct lt_module_ev {
	struct lt_hdr hdr;
	__u64 len;		/* init_module: the image length */
	__s32 fd;		/* finit_module: the fd; -1 otherwise */
	__u32 flags;		/* finit_module / delete_module flags */
	__u16 str_len;
	__u16 str_flags;	/* LT_PF_* of a path */
	__u32 pad;
	char str[];
};
_Static_assert(sizeof(struct lt_module_ev) == 152, "ABI: lt_module_ev");

/* the [security_monitor] groups (lt_policy.mem_groups) */
#define LT_MEMG_MEMORY		(1u << 0)	/* mem_exec */
#define LT_MEMG_FILELESS	(1u << 1)	/* memfd_create, exec fileless */
#define LT_MEMG_CREDS		(1u << 2)	/* cred_change, exec privilege_gain */
#define LT_MEMG_PTRACE		(1u << 3)
#define LT_MEMG_KILL		(1u << 4)
#define LT_MEMG_MODULES		(1u << 5)	/* module_load, module_delete */

/* ---- lib: library loads ------------------------------------------------------ */

/* lt_lib_ev.lflags */
#define LT_LF_INTERP	(1u << 0)	/* the program interpreter, synthesised at exec */
#define LT_LF_MPROTECT	(1u << 1)	/* mprotect added PROT_EXEC to a file mapping */
/*
 * the task's mount namespace is owned by a user namespace other than the
 * initial one: its mounts, and so the path, may be any user's arrangement
 */
#define LT_LF_USERNS	(1u << 2)
/* the file is on FUSE: the agent's event loop never opens it (LT_MA_FUSE) */
#define LT_LF_FUSE	(1u << 3)

/*
 * lib_load: a file mapped executable into a process. Followed by the
 * file's absolute path (path_len bytes with its NUL).
 */
struct lt_lib_ev {
	struct lt_hdr hdr;
	struct lt_file_id fid;	/* the mapped file */
	__u64 vm_start;		/* the mapping: [vm_start, vm_end), page aligned */
	__u64 vm_end;
	__u32 prot;		/* PROT_* of the mapping */
	__u32 lflags;		/* LT_LF_* */
	__u16 path_len;
	__u16 path_flags;	/* LT_PF_* */
	__u32 pad;
	char str[];
};
_Static_assert(sizeof(struct lt_lib_ev) == 200, "ABI: lt_lib_ev");

/*
 * dlopen: a call of glibc's dlopen() returned. Followed by the name the
 * program asked for (name_len bytes with its NUL; 0 = unreadable).
 */
struct lt_dlopen_ev {
	struct lt_hdr hdr;
	__u64 handle;		/* the returned handle; 0 = failed */
	__u32 dl_flags;		/* RTLD_* as passed */
	__u16 name_len;
	__u16 pad;
	char str[];
};
_Static_assert(sizeof(struct lt_dlopen_ev) == 144, "ABI: lt_dlopen_ev");

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
/* ---- gpu: GPU device opens (src/bpf/gpu.bpf.h, src/gpu.c) ------------------ */

/* lt_gpu_ev.kind: which family of device node, from its path */
#define LT_GPU_NVIDIA	1	/* /dev/nvidia* (nvidia0.., nvidiactl, nvidia-uvm, ...) */
#define LT_GPU_DRI	2	/* /dev/dri/NAME (card0.., renderD128..) */
#define LT_GPU_KFD	3	/* /dev/kfd (AMD ROCm) */

/*
 * gpu_access: an open of a GPU device node. Followed by its path
 * (path_len bytes with the NUL): absolute as the opener sees it for a
 * successful open; for a failed one (--failed), the path as passed.
 */
struct lt_gpu_ev {
	struct lt_hdr hdr;
	__u64 ino;		/* the node's inode; 0 for a failed open */
	__u32 dev;		/* the filesystem holding the node, kernel encoding; 0 failed */
	__u32 rdev;		/* the device number, kernel encoding; 0 for a failed open */
	__u32 open_flags;	/* as passed */
	__u16 kind;		/* LT_GPU_* */
	__u16 path_len;
	__u16 path_flags;	/* LT_PF_* */
	__u16 pad[3];
	char str[];
};
_Static_assert(sizeof(struct lt_gpu_ev) == 160, "ABI: lt_gpu_ev");


/*
 * lt_gpu_seen: (process image, device) pairs already reported, so a
 * process that opens a device again and again gives one event (LRU,
 * user space empties it when a policy is applied).
 */
struct lt_gpu_seen_key {
	__u64 start_ns;		/* with tgid: the process */
	__u64 exec_id;		/* task->self_exec_id: an exec starts a new image */
	__u32 tgid;
	__u32 rdev;
};
_Static_assert(sizeof(struct lt_gpu_seen_key) == 24, "ABI: lt_gpu_seen_key");
/* end gpu */

/* ---- model: ML model files (src/bpf/model.bpf.c, src/model.c) --------------- */

/* lt_model_ev.access and lt_model_seen.access: how a process used a model file */
#define LT_MA_OPEN	(1u << 0)
#define LT_MA_MMAP	(1u << 1)
#define LT_MA_CONTENT	(1u << 2)	/* found by its content (a loader opened it), not its name */
#define LT_MA_READ	(1u << 3)	/* read(2) family calls read bytes from it */
/*
 * model_load only, never in lt_model_seen: when the file was loaded it was
 * open for writing (or mapped shared and writable) by some process,
 * i_writecount > 0: a write that lands later changes what was loaded
 */
#define LT_MA_WRITERS	(1u << 4)
/*
 * the file is on FUSE: its daemon, any user's, answers every open and
 * stat, so the agent's event loop never opens it (security review, finding 5)
 */
#define LT_MA_FUSE	(1u << 5)

/* lt_model_ev.method (model_exfil) */
#define LT_MX_SENDFILE	1
#define LT_MX_SPLICE	2
#define LT_MX_SEND	3

/* lt_model_ev.mflags */
#define LT_MF_OLD_HASH	(1u << 0)	/* model_modified: old_sha256 holds the digest before */
#define LT_MF_WRITER	(1u << 1)	/* model_modified: the header is the writing process */
#define LT_MF_PARTIAL	(1u << 2)	/* model_access: read_bytes missed reads (LT_MSF_COLD) */

/*
 * Model records: model_load, model_modified, model_exfil, model_access and
 * the internal model_cand / model_write. Followed by the file's absolute
 * path (path_len bytes with its NUL; 0 = not known to the kernel: a
 * splice exfiltration, whose path user space fills from the model table).
 * Addresses are in network byte order (IPv4 in the first 4 bytes), the
 * port in host order.
 */
struct lt_model_ev {
	struct lt_hdr hdr;
	struct lt_file_id fid;	/* the model file */
	__u64 bytes;		/* exfil: bytes sent; access: bytes read */
	__u8 daddr[16];		/* exfil: the destination */
	__u8 old_sha256[32];	/* modified: the digest before (LT_MF_OLD_HASH) */
	__u16 dport;		/* exfil */
	__u16 family;		/* exfil: AF_INET or AF_INET6 */
	__u16 protocol;		/* exfil: IPPROTO_TCP, IPPROTO_UDP */
	__u16 method;		/* exfil: LT_MX_* */
	__u16 access;		/* LT_MA_* */
	__u16 mflags;		/* LT_MF_* */
	__s32 fd;		/* the descriptor (open, mmap, the sending socket); -1 none */
	__u32 open_flags;	/* open: flags as passed */
	__u16 path_len;
	__u16 path_flags;	/* LT_PF_* */
	char str[];
};
_Static_assert(sizeof(struct lt_model_ev) == 248, "ABI: lt_model_ev");

#define LT_MEXT_LEN 12
/* [model_monitor] extensions and confirm_extensions: at most this many each */
#define LT_MODEL_EXTS_MAX 128
/*
 * lt_model_ext entries of one generation: both lists at their maximum and
 * the built-in skip list (src/model/model.c asserts it fits); a reload
 * fills one generation while the other is live
 */
#define LT_MODEL_EXT_GEN 320

/* per-generation knobs (array map lt_model_pol, index = gen) */
struct lt_model_policy {
	__u32 enabled;		/* [model_monitor] enabled (and a policy file in use) */
	__u32 sniff;		/* loaders configured: send candidates for content sniffing */
	__u32 exfil_permille;	/* [model_monitor] exfil_percent x 10 */
	__u32 nloaders;		/* patterns in lt_model_pats for this generation */
	/*
	 * [model_monitor] sniff_min_size: a file of at least this many bytes
	 * read by any process is sniffed once per content (0: loaders' only)
	 */
	__u64 sniff_min;
	/*
	 * quick reject before the hash lookup: bit (last byte) of quick[len - 1]
	 * is set when some LT_MEXT_MODEL or LT_MEXT_CONFIRM extension has that
	 * length and (lower-case) last byte
	 */
	__u64 quick[LT_MEXT_LEN - 1][4];
};
/* lt_model_sniffed's value: the file's ctime (ns), and this bit once it is a model */
#define LT_SNIFFED_MODEL (1ull << 63)

_Static_assert(sizeof(struct lt_model_policy) == 24 + 8 * 4 * (LT_MEXT_LEN - 1),
	       "ABI: lt_model_policy");

/*
 * lt_model_ext: (gen, extension) -> LT_MEXT_*. The extension is stored
 * lower-case, without its dot and REVERSED ("pt" as "tp"): the kernel
 * reads it from the end of the name.
 */
struct lt_model_ext_key {
	__u32 gen;
	char ext[LT_MEXT_LEN];	/* NUL-padded */
};
_Static_assert(sizeof(struct lt_model_ext_key) == 16, "ABI: lt_model_ext_key");

#define LT_MEXT_MODEL	1	/* a model by its name */
#define LT_MEXT_SKIP	2	/* obviously not a model (code, text): never sniffed */
#define LT_MEXT_CONFIRM	3	/* a model only when its content says so (sniffed for anyone) */

/* lt_model_pats: loader patterns, LT_MODEL_PAT_MAX per generation (index gen * max + i) */
#define LT_MODEL_PAT_MAX 16
#define LT_MODEL_PAT_LEN 16
struct lt_model_pat {
	char pat[LT_MODEL_PAT_LEN];	/* without the trailing '*' of a prefix pattern */
	__u32 len;
	__u32 prefix;		/* 1: "NAME*" matches any name starting with pat */
};
_Static_assert(sizeof(struct lt_model_pat) == 24, "ABI: lt_model_pat");

/* lt_model_seen: (process, file) -> what the process did with it */
struct lt_model_key {
	__u64 start_ns;
	__u64 ino;
	__u32 tgid;
	__u32 dev;
};
_Static_assert(sizeof(struct lt_model_key) == 24, "ABI: lt_model_key");

#define LT_MS_MODEL	1	/* a model (by name, or confirmed by user space) */
#define LT_MS_CAND	2	/* sent for sniffing; not (yet) a model */
/*
 * struct lt_model_seen.flags: LT_MSF_COLD, read_bytes counts from after the
 * load: the read and send hooks were not attached when the process began
 * holding it (lt_model_hot was 0: they attach while a model is held), or
 * user space confirmed the model by its content
 */
#define LT_MSF_COLD	(1u << 0)

struct lt_model_seen {
	__u64 read_bytes;	/* read(2) family, counted while the process holds a model */
	__u64 access;		/* LT_MA_* (64 bits: BPF atomics) */
	__u32 kind;		/* LT_MS_* */
	__u32 flags;		/* LT_MSF_* */
};
_Static_assert(sizeof(struct lt_model_seen) == 24, "ABI: lt_model_seen");

/* lt_model_hold: tgid -> the last model the process loaded (holders pay for counting) */
struct lt_model_hold {
	__u64 start_ns;
	__u64 threshold;	/* bytes to one destination that make a model_exfil */
	struct lt_file_id fid;	/* the model */
};
_Static_assert(sizeof(struct lt_model_hold) == 56, "ABI: lt_model_hold");

/* lt_model_inodes: every model file loaded since start, (dev, ino) -> size */
struct lt_model_ino {
	__u64 ino;
	__u32 dev;
	__u32 pad;
};
_Static_assert(sizeof(struct lt_model_ino) == 16, "ABI: lt_model_ino");
/* end model */

#endif /* LTRACK_EVENT_H */
