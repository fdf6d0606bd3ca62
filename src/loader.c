// SPDX-License-Identifier: MIT
/*
 * loader.c - skeleton lifecycle and policy maps. See loader.h.
 *
 * Which programs are attached follows the policy: process lifecycle
 * always (the process table needs it), each file syscall only when some
 * watch asks for an event it produces. rename and rmdir are attached
 * whenever there is any watch, because they invalidate the in-kernel
 * directory cache (a directory moved or an inode number may be reused).
 *
 * Watched directories are held open (O_PATH): their identity is the inode,
 * and their current path is read back from the descriptor after renames to
 * rebuild the name graph that path strings descend through.
 *
 * Loading (src/concern.h): every program has a concern. A program whose
 * hook this kernel lacks is not loaded (absent, not a failure). When the
 * kernel refuses a program, libbpf stops the whole load and cannot load
 * that object again, so the loader opens a fresh one, prepares it the same
 * way (loader_prepare, shared with `ltrack verify`) with the refused
 * program's concern off, and loads again: at most one attempt per concern.
 * Each program gets its own log buffer at BPF_LOG_STATS, so libbpf never
 * verifies a refused program a second time to get a log, and the warning
 * quotes the verifier's last lines instead of the start of a huge log.
 *
 *	open -> prepare (rodata, absent, concerns off, fault) -> load -> ok
 *	  ^                                                        |
 *	  +-- destroy <-- its concern off <-- a program refused <--+
 *	                  (fatal: the process concern, or --strict)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "concern.h"
#include "events.h"
#include "kfeat.h"
#include "loader.h"
#include "log.h"
#include "ltrack.skel.h"
#include "net.h"	/* net */
#include "model/model.h"	/* model */
#include "verifier_log.h"

#define TRACEFS "/sys/kernel/tracing"

/* what makes loader_apply() attach a program (struct prog_row.kind) */
enum prog_kind {
	PK_OWN,		/* never attached here: loader_snapshot(), or its module (dlopen uprobes) */
	PK_ALWAYS,	/* process lifecycle */
	PK_WATCH,	/* file: a watch asks for one of .watch (LT_W_*) */
	PK_EVADE,	/* evade: its [security_monitor] group .group (LT_EG_*) is on */
	PK_MEM,		/* mem: its [security_monitor] group .group (LT_MEMG_*) is on */
	PK_NET,		/* net: a network event type of .group (NET_*) is selected (net_need) */
	PK_LIB,		/* lib: [library_monitor] enabled */
	PK_MODEL,	/* model: [model_monitor] enabled */
};

/* struct prog_row.dispatch: the open family and its alternative design */
enum prog_dispatch {
	PD_ANY,		/* attached whatever the dispatch */
	PD_DIRECT,	/* replaced by lt_raw_exit with LTRACK_DISPATCH=raw */
	PD_RAW_ONLY,	/* attached only with LTRACK_DISPATCH=raw */
};

/* net: the programs of each network event type (struct prog_row.group of PK_NET) */
#define NET_CONNECT (1u << 0)
#define NET_RESULT (1u << 1)
#define NET_BIND (1u << 2)
#define NET_LISTEN (1u << 3)
#define NET_ACCEPT (1u << 4)
#define NET_UDP (1u << 5)

#define OPEN_NEED (LT_W_CREATE | LT_W_OPEN | LT_W_MODIFY)
/* the single-path operations the touched-inode fallback serves (file.bpf.c) */
#define TOUCH_NEED (LT_W_DELETE | LT_W_RMDIR | LT_W_MKDIR | LT_W_MKNOD | LT_W_SYMLINK | \
		    LT_W_ATTRIB | LT_W_MODIFY)

/*
 * Every program of the object, with what makes loader_apply() attach it
 * and the concern it loads with (src/concern.h). A program not in the table
 * stops the load: each one must say what it serves.
 */
struct prog_row {
	const char *name;
	uint8_t kind;		/* enum prog_kind */
	uint8_t dispatch;	/* enum prog_dispatch */
	bool any_watch;		/* PK_WATCH: also while any watch exists (the directory cache) */
	bool model;		/* PK_WATCH: also for [model_monitor] (the open family serves it) */
	uint32_t watch;		/* PK_WATCH: LT_W_* */
	uint32_t group;		/* PK_EVADE: LT_EG_*, PK_MEM: LT_MEMG_*, PK_NET: NET_* */
	bool hot;		/* PK_MODEL: only while a model is held (loader_model_hot) */
	int concern;		/* enum lt_concern: loaded, or not, with its concern */
	/*
	 * "syscalls/sys_exit_X": attach this row's program to that tracepoint
	 * (a program SEC("tracepoint") serves several syscalls, one row each,
	 * and is verified once); NULL: where its SEC() says
	 */
	const char *tp;
};

#define ROW(nm, k, c, ...) { .name = nm, .kind = k, .concern = c, __VA_ARGS__ }
#define WATCH_ROW(nm, w, c, ...) ROW(nm, PK_WATCH, c, .watch = (w), __VA_ARGS__)
#define EVADE_ROW(nm, g, c) ROW(nm, PK_EVADE, c, .group = g)
#define MEM_ROW(nm, g, c) ROW(nm, PK_MEM, c, .group = g)
#define NET_ROW(nm, g) ROW(nm, PK_NET, LT_C_NET, .group = g)
static const struct prog_row prog_table[] = {
	ROW("lt_exec", PK_ALWAYS, LT_C_PROCESS),
	ROW("lt_fork", PK_ALWAYS, LT_C_PROCESS),
	ROW("lt_exit", PK_ALWAYS, LT_C_PROCESS),
	ROW("lt_snapshot", PK_OWN, LT_C_SNAPSHOT),	/* run by loader_snapshot() */
#define OPEN_ROW(sc) WATCH_ROW("lt_open_exit", OPEN_NEED, LT_C_FILE_OPEN, .model = true, \
			       .dispatch = PD_DIRECT, .tp = "syscalls/sys_exit_" sc)
	OPEN_ROW("openat"),
	OPEN_ROW("open"),
	OPEN_ROW("creat"),
	OPEN_ROW("openat2"),
	WATCH_ROW("lt_raw_exit", OPEN_NEED, LT_C_FILE_OPEN, .model = true, .dispatch = PD_RAW_ONLY),
	WATCH_ROW("lt_enter_close", LT_W_MODIFY, LT_C_FILE_MODIFY),
	WATCH_ROW("lt_exit_modify", LT_W_MODIFY, LT_C_FILE_MODIFY),
	WATCH_ROW("lt_enter_close_range", LT_W_MODIFY, LT_C_FILE_MODIFY),
	WATCH_ROW("lt_enter_dup2", LT_W_MODIFY, LT_C_FILE_MODIFY),
	WATCH_ROW("lt_enter_dup3", LT_W_MODIFY, LT_C_FILE_MODIFY),
	WATCH_ROW("lt_enter_execve", LT_W_MODIFY, LT_C_FILE_MODIFY),
	WATCH_ROW("lt_enter_execveat", LT_W_MODIFY, LT_C_FILE_MODIFY),
	WATCH_ROW("lt_truncate_exit", LT_W_MODIFY, LT_C_FILE_MODIFY, .tp = "syscalls/sys_exit_ftruncate"),
	WATCH_ROW("lt_truncate_exit", LT_W_MODIFY, LT_C_FILE_MODIFY, .tp = "syscalls/sys_exit_truncate"),
#define FILE_ROW(sc, w, ...) WATCH_ROW("lt_file_exit", w, LT_C_FILE, .tp = "syscalls/sys_exit_" sc, \
				       __VA_ARGS__)
	FILE_ROW("unlink", LT_W_DELETE),
	FILE_ROW("unlinkat", LT_W_DELETE | LT_W_RMDIR, .any_watch = true),
	FILE_ROW("rmdir", LT_W_RMDIR, .any_watch = true),
	FILE_ROW("mkdir", LT_W_MKDIR),
	FILE_ROW("mkdirat", LT_W_MKDIR),
	FILE_ROW("mknod", LT_W_MKNOD),
	FILE_ROW("mknodat", LT_W_MKNOD),
	FILE_ROW("rename", LT_W_RENAME, .any_watch = true),
	FILE_ROW("renameat", LT_W_RENAME, .any_watch = true),
	FILE_ROW("renameat2", LT_W_RENAME, .any_watch = true),
	WATCH_ROW("lt_touch_xchg", TOUCH_NEED, LT_C_FILE),
	WATCH_ROW("lt_touch_skip", TOUCH_NEED, LT_C_FILE),
	WATCH_ROW("lt_touch_set", TOUCH_NEED, LT_C_FILE),
	FILE_ROW("link", LT_W_LINK),
	FILE_ROW("linkat", LT_W_LINK),
	FILE_ROW("symlink", LT_W_SYMLINK),
	FILE_ROW("symlinkat", LT_W_SYMLINK),
	FILE_ROW("chmod", LT_W_ATTRIB),
	FILE_ROW("fchmodat", LT_W_ATTRIB),
	FILE_ROW("fchmodat2", LT_W_ATTRIB),
	FILE_ROW("fchmod", LT_W_ATTRIB),
	FILE_ROW("chown", LT_W_ATTRIB),
	FILE_ROW("lchown", LT_W_ATTRIB),
	FILE_ROW("fchownat", LT_W_ATTRIB),
	FILE_ROW("fchown", LT_W_ATTRIB),
	/* evade */
	EVADE_ROW("lt_evade_utimensat", LT_EG_TIMESTOMP, LT_C_EVADE_TIMESTOMP),
	EVADE_ROW("lt_evade_futimesat", LT_EG_TIMESTOMP, LT_C_EVADE_TIMESTOMP),
	EVADE_ROW("lt_evade_utimes", LT_EG_TIMESTOMP, LT_C_EVADE_TIMESTOMP),
	EVADE_ROW("lt_evade_utime", LT_EG_TIMESTOMP, LT_C_EVADE_TIMESTOMP),
	EVADE_ROW("lt_evade_setxattr", LT_EG_XATTR, LT_C_EVADE_XATTR),
	EVADE_ROW("lt_evade_lsetxattr", LT_EG_XATTR, LT_C_EVADE_XATTR),
	EVADE_ROW("lt_evade_fsetxattr", LT_EG_XATTR, LT_C_EVADE_XATTR),
	EVADE_ROW("lt_evade_setxattrat", LT_EG_XATTR, LT_C_EVADE_XATTR),
	EVADE_ROW("lt_evade_removexattr", LT_EG_XATTR, LT_C_EVADE_XATTR),
	EVADE_ROW("lt_evade_lremovexattr", LT_EG_XATTR, LT_C_EVADE_XATTR),
	EVADE_ROW("lt_evade_fremovexattr", LT_EG_XATTR, LT_C_EVADE_XATTR),
	EVADE_ROW("lt_evade_removexattrat", LT_EG_XATTR, LT_C_EVADE_XATTR),
	EVADE_ROW("lt_evade_truncate", LT_EG_TRUNCATE, LT_C_EVADE_TRUNCATE),
	EVADE_ROW("lt_evade_enter_ftruncate", LT_EG_TRUNCATE, LT_C_EVADE_TRUNCATE),
	EVADE_ROW("lt_evade_ftruncate", LT_EG_TRUNCATE, LT_C_EVADE_TRUNCATE),
	EVADE_ROW("lt_evade_unshare", LT_EG_NAMESPACES, LT_C_EVADE_NAMESPACES),
	EVADE_ROW("lt_evade_setns", LT_EG_NAMESPACES, LT_C_EVADE_NAMESPACES),
	EVADE_ROW("lt_evade_mount", LT_EG_MOUNTS, LT_C_EVADE_MOUNTS),
	EVADE_ROW("lt_evade_umount", LT_EG_MOUNTS, LT_C_EVADE_MOUNTS),
	EVADE_ROW("lt_evade_open_tree", LT_EG_MOUNTS, LT_C_EVADE_MOUNTS),
	EVADE_ROW("lt_evade_move_mount", LT_EG_MOUNTS, LT_C_EVADE_MOUNTS),
	EVADE_ROW("lt_evade_pivot_root", LT_EG_MOUNTS, LT_C_EVADE_MOUNTS),
	EVADE_ROW("lt_evade_chroot", LT_EG_MOUNTS, LT_C_EVADE_MOUNTS),
	EVADE_ROW("lt_evade_bpf", LT_EG_BPF, LT_C_EVADE_BPF),
	EVADE_ROW("lt_evade_perf_event_open", LT_EG_PERF, LT_C_EVADE_PERF),
	EVADE_ROW("lt_evade_process_vm_writev", LT_EG_PROCESS_VM, LT_C_EVADE_PROCESS_VM),
	EVADE_ROW("lt_evade_prctl", LT_EG_PRCTL, LT_C_EVADE_PRCTL),
	EVADE_ROW("lt_evade_dup2", LT_EG_FD_REDIRECT, LT_C_EVADE_FD_REDIRECT),
	EVADE_ROW("lt_evade_dup3", LT_EG_FD_REDIRECT, LT_C_EVADE_FD_REDIRECT),
	EVADE_ROW("lt_evade_iou_create", LT_EG_IO_URING, LT_C_EVADE_IO_URING),
	EVADE_ROW("lt_evade_iou_submit", LT_EG_IO_URING, LT_C_EVADE_IO_URING),
	EVADE_ROW("lt_evade_iou_submit_sqe", LT_EG_IO_URING, LT_C_EVADE_IO_URING),
	/* mem */
	MEM_ROW("lt_mem_mmap", LT_MEMG_MEMORY, LT_C_MEM_MEMORY),
	MEM_ROW("lt_mem_mprotect", LT_MEMG_MEMORY, LT_C_MEM_MEMORY),
	MEM_ROW("lt_mem_pkey_mprotect", LT_MEMG_MEMORY, LT_C_MEM_MEMORY),
	MEM_ROW("lt_mem_memfd", LT_MEMG_FILELESS, LT_C_MEM_FILELESS),
#define CRED_ROWS(sc) MEM_ROW("lt_mem_enter_" #sc, LT_MEMG_CREDS, LT_C_MEM_CREDENTIALS), \
		      MEM_ROW("lt_mem_exit_" #sc, LT_MEMG_CREDS, LT_C_MEM_CREDENTIALS)
	CRED_ROWS(setuid),
	CRED_ROWS(setgid),
	CRED_ROWS(setreuid),
	CRED_ROWS(setregid),
	CRED_ROWS(setresuid),
	CRED_ROWS(setresgid),
	CRED_ROWS(setfsuid),
	CRED_ROWS(setfsgid),
	CRED_ROWS(capset),
	MEM_ROW("lt_mem_ptrace", LT_MEMG_PTRACE, LT_C_MEM_PTRACE),
	MEM_ROW("lt_mem_kill", LT_MEMG_KILL, LT_C_MEM_KILL),
	MEM_ROW("lt_mem_tkill", LT_MEMG_KILL, LT_C_MEM_KILL),
	MEM_ROW("lt_mem_tgkill", LT_MEMG_KILL, LT_C_MEM_KILL),
	/* without bpf_task_from_vpid: the target of kill */
	MEM_ROW("lt_mem_signal", LT_MEMG_KILL, LT_C_MEM_KILL),
	MEM_ROW("lt_mem_init_module", LT_MEMG_MODULES, LT_C_MEM_MODULES),
	MEM_ROW("lt_mem_finit_module", LT_MEMG_MODULES, LT_C_MEM_MODULES),
	MEM_ROW("lt_mem_delete_module", LT_MEMG_MODULES, LT_C_MEM_MODULES),
	/* lib: library loads (the dlopen uprobes are attached by src/libmon.c) */
	ROW("lt_lib_mmap", PK_LIB, LT_C_LIB),
	ROW("lt_lib_mprot_enter", PK_LIB, LT_C_LIB),
	ROW("lt_lib_mprot_exit", PK_LIB, LT_C_LIB),
	ROW("lt_lib_exec", PK_LIB, LT_C_LIB),
	ROW("lt_dlopen_enter", PK_OWN, LT_C_LIB_DLOPEN),
	ROW("lt_dlopen_exit", PK_OWN, LT_C_LIB_DLOPEN),
	/* net */
	NET_ROW("lt_exit_connect", NET_CONNECT),
	NET_ROW("lt_tcp_state", NET_RESULT),
	NET_ROW("lt_exit_bind", NET_BIND),
	NET_ROW("lt_exit_listen", NET_LISTEN),
	NET_ROW("lt_exit_accept", NET_ACCEPT),
	NET_ROW("lt_exit_accept4", NET_ACCEPT),
	NET_ROW("lt_exit_sendto", NET_UDP),
	NET_ROW("lt_exit_sendmsg", NET_UDP),
	NET_ROW("lt_exit_sendmmsg", NET_UDP),
	/* model: ML model files (the open family above serves it too) */
	ROW("lt_model_exec", PK_MODEL, LT_C_MODEL),
	ROW("lt_model_fork", PK_MODEL, LT_C_MODEL),
	ROW("lt_model_exit", PK_MODEL, LT_C_MODEL),
	ROW("lt_model_mmap", PK_MODEL, LT_C_MODEL),
	ROW("lt_model_sendfile", PK_MODEL, LT_C_MODEL),
	ROW("lt_model_splice", PK_MODEL, LT_C_MODEL),
	/* the hot ones: on every read and write of the host, attached only while a model is held */
#define HOT_ROW(nm) ROW(nm, PK_MODEL, LT_C_MODEL, .hot = true)
	HOT_ROW("lt_model_read"),
	HOT_ROW("lt_model_pread"),
	HOT_ROW("lt_model_readv"),
	HOT_ROW("lt_model_sendto"),
	HOT_ROW("lt_model_sendmsg"),
	HOT_ROW("lt_model_write"),
	HOT_ROW("lt_model_writev"),
#undef HOT_ROW
};
#undef ROW
#undef WATCH_ROW
#undef EVADE_ROW
#undef MEM_ROW
#undef NET_ROW
#undef OPEN_ROW
#undef FILE_ROW
#undef CRED_ROWS
#define NPROGS (sizeof(prog_table) / sizeof(prog_table[0]))

struct lwatch {
	int fd;			/* O_PATH */
	char *path;		/* as last resolved */
	uint32_t dev;		/* kernel encoding */
	uint64_t ino;
	uint32_t mask;
};

struct edge {
	struct lt_edge_key k;
	struct lt_edge_val v;
};

struct loader {
	struct ltrack_bpf *skel;
	struct bpf_program *progs[NPROGS];
	struct bpf_link *links[NPROGS];
	uint32_t gen;
	struct lwatch *watches;
	size_t nwatches;
	struct edge *edges;
	size_t nedges;
	bool raw_dispatch;	/* LTRACK_DISPATCH=raw: the benchmark's alternative */
	uint32_t net_need;	/* net: NET_* of the policy being applied or active */
	uint64_t ticks;		/* loader_refresh calls */
	uint32_t evade_groups;	/* evade: LT_EG_* of the policy being applied */
	uint32_t mem_groups;	/* mem: LT_MEMG_* of the policy being applied */
	bool lib_on;		/* lib: the policy being applied wants library loads */
	bool gpu_on;		/* gpu: gpu_access is on (needs the open programs) */
	bool model_on;		/* model: the policy being applied wants model events */
	bool model_hot;		/* model: the hot rows are wanted (loader_model_hot) */
	struct kfeat kf;	/* what the kernel offers (src/kfeat.h) */
	struct concern_state cs[LT_NCONCERNS];	/* loaded or off, and why (src/concern.h) */
	uint64_t warned_off;	/* loader_warn_wanted(): concerns said off once */
	/* the critical ring's position pages, mapped read-only (loader_crit_pos) */
	const unsigned long *crit_cons, *crit_prod;
	size_t page;
};

_Static_assert(LT_NCONCERNS <= 64, "loader: warned_off holds a bit per concern");

uint64_t fnv1a64(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/*
 * While a load is attempted, libbpf's warnings that name a program (and
 * its closing "failed to load object") are kept here and logged at debug
 * level only: the loader says itself, once and shortly, which program the
 * kernel refused and what that turns off.
 */
static struct {
	bool on;
	char prog[CONCERN_PROG_LEN];	/* the last program a warning named */
	char msg[256];			/* the first warning about it, after "prog 'NAME': " */
	char other[256];		/* the last warning that named no program */
} lcap;

static void cap_warning(const char *buf, enum lt_log_level *at)
{
	const char *q;

	if (!strncmp(buf, "prog '", 6) && (q = strchr(buf + 6, '\''))) {
		int n = (int)(q - buf - 6);

		/* the last program named is the one that stopped the load */
		if (strncmp(lcap.prog, buf + 6, n) || lcap.prog[n]) {
			snprintf(lcap.prog, sizeof(lcap.prog), "%.*s", n, buf + 6);
			q++;
			q += strspn(q, ": ");
			snprintf(lcap.msg, sizeof(lcap.msg), "%.250s", q);
		}
		*at = LT_LOG_DEBUG;
	} else if (strstr(buf, "failed to load object") ||
		   strstr(buf, "failed to load BPF skeleton")) {
		*at = LT_LOG_DEBUG;
	} else {
		snprintf(lcap.other, sizeof(lcap.other), "%.250s", buf);
	}
}

static int libbpf_log(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	enum lt_log_level at = lvl == LIBBPF_WARN ? LT_LOG_WARN : LT_LOG_INFO;
	const char *msg;
	char buf[1024];
	size_t n;

	if (lvl == LIBBPF_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	/* libbpf's messages start with "libbpf: " already */
	msg = strncmp(buf, "libbpf: ", 8) ? buf : buf + 8;
	if (lcap.on && lvl == LIBBPF_WARN)
		cap_warning(msg, &at);
	log_at_(at, "libbpf: %s", msg);
	return 0;
}

static int tracefs_ensure(char *err, size_t errlen)
{
	if (access(TRACEFS "/events/syscalls", F_OK) == 0)
		return 0;
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY) {
		int e = errno;

		snprintf(err, errlen, "cannot mount tracefs on %s: %s", TRACEFS, strerror(e));
		return -e;
	}
	log_info("mounted tracefs on %s", TRACEFS);
	return 0;
}

void loader_warn_wanted(const struct concern_state *cs, int c, uint64_t *said)
{
	if (c < 0 || c >= LT_NCONCERNS || !cs[c].off || (*said & (1ULL << c)))
		return;
	*said |= 1ULL << c;
	log_at_(cs[c].absent ? LT_LOG_INFO : LT_LOG_WARN,
		"the policy asks for %s, but concern %s is off (%s): not reported",
		concern_defs[c].what, concern_defs[c].name, cs[c].reason);
}

int loader_prog_concern(const char *name)
{
	for (size_t i = 0; i < NPROGS; i++)
		if (!strcmp(prog_table[i].name, name))
			return prog_table[i].concern;
	return -ENOENT;
}

/* ---- what this kernel has ---- */

/*
 * hook_missing - @p's hook does not exist on this kernel (@kf): a syscall
 * tracepoint of a newer syscall or of one not built in (the module
 * syscalls without CONFIG_MODULES), a tp_btf tracepoint of a newer kernel.
 * Says which in @why and returns true. Such a program is not loaded and
 * not a failure. (A tp_btf target is looked up in vmlinux's BTF only: ours
 * are all in the core kernel.)
 */
static bool hook_missing(const struct kfeat *kf, const struct bpf_program *p, char *why,
			 size_t whylen)
{
	const char *sec = bpf_program__section_name(p);
	char path[PATH_MAX];

	if (!strncmp(sec, "tracepoint/", 11)) {
		snprintf(path, sizeof(path), TRACEFS "/events/%s", sec + 11);
		if (!access(path, F_OK))
			return false;
		snprintf(why, whylen, "this kernel has no tracepoint %s", sec + 11);
		return true;
	}
	if (!strncmp(sec, "tp_btf/", 7)) {
		if (kfeat_tp_btf_exists(kf, sec + 7))
			return false;
		snprintf(why, whylen, "this kernel has no tracepoint %s (tp_btf)", sec + 7);
		return true;
	}
	return false;
}

/* ---- the skeleton as the agent loads it ---- */

/*
 * proc_start_ticks - when process @pid started, in clock ticks since boot
 * (/proc/PID/stat, field 22, after the comm's closing parenthesis); 0 when
 * it cannot be read
 */
static __u64 proc_start_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long v = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* fields 3..21 after ") ", then the start */
	for (int f = 2; p && f < 22; f++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &v) != 1)
		return 0;
	return v;
}

/*
 * prepare_rodata - the constants the kernel side is verified with: our own
 * tgid, the helper's, and the feature knobs. A knob that selects another
 * flavour of a concern's programs names it in cs[concern].variant (shown
 * in the startup log and the stats event). The agent and `ltrack verify`
 * both come through here, so verify measures what the agent loads.
 */
static void prepare_rodata(struct ltrack_bpf *sk, const struct loader_opts *o,
			   struct concern_state cs[LT_NCONCERNS])
{
	const struct kfeat *kf = o->kf;
	bool touched = kfeat_tp_btf_exists(kf, "inode_set_ctime_to_ts");

	sk->rodata->lt_self_tgid = getpid();
	sk->rodata->lt_helper_tgid = o->helper_tgid > 0 ? (__u32)o->helper_tgid : 0;
	if (o->helper_tgid > 0) {
		long hz = sysconf(_SC_CLK_TCK);

		sk->rodata->lt_tick_ns = hz > 0 ? 1000000000ull / (unsigned long)hz : 10000000ull;
		sk->rodata->lt_helper_start = proc_start_ticks(o->helper_tgid);
	}
	kfeat_apply(kf, sk);
	/*
	 * every concern reads kernel memory one way or the other; those that
	 * act on a process's exit, and path matching without the ctime
	 * tracepoints, say so too (docs/kernels.md)
	 */
	for (int c = 0; c < LT_NCONCERNS; c++) {
		bool exit_live = !kf->exit_group_dead &&
				 (c == LT_C_PROCESS || c == LT_C_FILE_MODIFY || c == LT_C_MODEL);

		bool no_vpid = !kf->task_from_vpid && (c == LT_C_MEM_KILL || c == LT_C_MEM_PTRACE);

		snprintf(cs[c].variant, sizeof(cs[c].variant), "%s%s%s%s", kfeat_reads(kf),
			 exit_live ? ",exit-live" : "",
			 c == LT_C_FILE && !touched ? ",no-touched" : "",
			 no_vpid ? ",no-task-vpid" : "");
	}
}

/*
 * fault_apply - LTRACK_FAULT_CONCERN, a test aid: make the kernel's
 * verifier refuse the first program of concern @c to be loaded. Two
 * instructions are appended after its last one ("r0 = r7; exit", a read
 * of a register nothing initialised), so nothing can reach them: the
 * verifier refuses the program with "unreachable insn N". Appending keeps
 * every instruction where libbpf's relocations (maps, calls, CO-RE)
 * expect it; subprograms are appended after them at load, as always.
 */
static int fault_apply(struct bpf_object *obj, int c, char *err, size_t errlen)
{
	static const struct bpf_insn tail[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_0, .src_reg = BPF_REG_7 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj) {
		size_t n = bpf_program__insn_cnt(p);
		struct bpf_insn *copy;
		int rc;

		if (loader_prog_concern(bpf_program__name(p)) != c || !bpf_program__autoload(p))
			continue;
		copy = malloc((n + 2) * sizeof(*copy));
		if (!copy) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		memcpy(copy, bpf_program__insns(p), n * sizeof(*copy));
		memcpy(copy + n, tail, sizeof(tail));
		rc = bpf_program__set_insns(p, copy, n + 2);
		free(copy);
		if (rc) {
			snprintf(err, errlen, "LTRACK_FAULT_CONCERN: cannot rewrite %s: %s",
				 bpf_program__name(p), strerror(-rc));
			return rc;
		}
		log_debug("LTRACK_FAULT_CONCERN=%s: %s made invalid", concern_defs[c].name,
			  bpf_program__name(p));
		return 0;
	}
	snprintf(err, errlen, "LTRACK_FAULT_CONCERN=%s: %s has no program to make invalid",
		 concern_defs[c].name, concern_defs[c].name);
	return -ENOENT;
}

/* LTRACK_FAULT_CONCERN: the concern to fault, -1 for none, or -EINVAL with @err */
static int fault_concern(char *err, size_t errlen)
{
	const char *v = getenv("LTRACK_FAULT_CONCERN");
	char names[1024];
	int c;

	if (!v || !v[0])
		return -1;
	c = concern_by_name(v);
	if (c >= 0)
		return c;
	concern_names(names, sizeof(names));
	snprintf(err, errlen, "LTRACK_FAULT_CONCERN: no concern '%s' (one of: %s)", v, names);
	return -EINVAL;
}

/* LTRACK_DISPATCH=raw: opens captured by lt_raw_exit (the benchmark's alternative design) */
static bool raw_dispatch(void)
{
	const char *v = getenv("LTRACK_DISPATCH");

	return v && !strcmp(v, "raw");
}

int loader_prepare(struct ltrack_bpf *sk, const struct loader_opts *o, struct concern_state *cs,
		   char *err, size_t errlen)
{
	int nprog[LT_NCONCERNS] = { 0 }, nabsent[LT_NCONCERNS] = { 0 };
	struct bpf_program *p;
	int fault = fault_concern(err, errlen);

	if (fault == -EINVAL)
		return fault;
	prepare_rodata(sk, o, cs);
	bpf_object__for_each_program(p, sk->obj) {
		int c = loader_prog_concern(bpf_program__name(p));
		char why[PATH_MAX];

		if (c < 0) {
			snprintf(err, errlen, "BPF program %s belongs to no concern (add it to "
				 "the program table of src/loader.c)", bpf_program__name(p));
			return -ENOENT;
		}
		nprog[c]++;
		if (hook_missing(o->kf, p, why, sizeof(why))) {
			nabsent[c]++;
			bpf_program__set_autoload(p, false);
		}
	}
	for (int c = 0; c < LT_NCONCERNS; c++)
		if (nprog[c] && nabsent[c] == nprog[c] && !cs[c].off) {
			concern_set_off(cs, c, "absent on this kernel", NULL, 0);
			cs[c].absent = true;
		}
	concern_propagate(cs);
	bpf_object__for_each_program(p, sk->obj)
		if (cs[loader_prog_concern(bpf_program__name(p))].off)
			bpf_program__set_autoload(p, false);
	/* the benchmark's alternative is verified only when it can run */
	if (!raw_dispatch())
		bpf_program__set_autoload(sk->progs.lt_raw_exit, false);
	/* a fallback only kernels without bpf_task_from_vpid need (src/bpf/mem.bpf.c) */
	if (o->kf->task_from_vpid)
		bpf_program__set_autoload(sk->progs.lt_mem_signal, false);
	if (fault >= 0 && !cs[fault].off)
		return fault_apply(sk->obj, fault, err, errlen);
	return 0;
}

/* ---- loading, and what the kernel refused ---- */

/* a BPF_LOG_STATS log holds the error and a few statistics lines */
#define PROG_LOG_SIZE (64 * 1024)
#define LOG_LEVEL_STATS 4	/* BPF_LOG_STATS */
#define TAIL_LINES 4		/* of a refusal, in the warning */
#define TAIL_LINES_DEBUG 20

struct refusal {
	char prog[CONCERN_PROG_LEN];	/* "": libbpf named no program */
	int err;
	char reason[CONCERN_REASON_LEN];
	char tail[TAIL_LINES * (VLOG_LINE_MAX + 8)];	/* the verifier's last lines */
	char libbpf[256];		/* libbpf's first word on it (or on the object) */
};

/* give @p its own log buffer at BPF_LOG_STATS: no libbpf retry, no log on stderr */
static void log_attach(struct bpf_program *p, char *buf)
{
	buf[0] = '\0';
	bpf_program__set_log_buf(p, buf, PROG_LOG_SIZE);
	bpf_program__set_log_level(p, LOG_LEVEL_STATS);
}

/* fill @rf from the log of the program libbpf named (lcap), after a failed load */
static void refusal_fill(struct bpf_object *obj, int rc, struct refusal *rf)
{
	struct bpf_program *p = lcap.prog[0] ? bpf_object__find_program_by_name(obj, lcap.prog) :
				NULL;
	const char *log = p ? bpf_program__log_buf(p, &(size_t){ 0 }) : NULL;

	memset(rf, 0, sizeof(*rf));
	rf->err = -rc;
	snprintf(rf->prog, sizeof(rf->prog), "%s", lcap.prog);
	snprintf(rf->libbpf, sizeof(rf->libbpf), "%s", lcap.prog[0] ? lcap.msg : lcap.other);
	if (!log)
		log = "";
	vlog_tail(log, TAIL_LINES, rf->tail, sizeof(rf->tail));
	/* no verifier message: libbpf refused it before the kernel saw it (a missing target) */
	if (!vlog_reason(log, rf->err, rf->reason, sizeof(rf->reason)) && lcap.prog[0])
		snprintf(rf->reason, sizeof(rf->reason), "libbpf: %.80s", lcap.msg);
	if (log_enabled(LT_LOG_DEBUG) && log[0]) {
		char tail[TAIL_LINES_DEBUG * (VLOG_LINE_MAX + 8)];

		vlog_tail(log, TAIL_LINES_DEBUG, tail, sizeof(tail));
		log_debug("verifier log of %s, last lines: %s", rf->prog, tail);
	}
}

/* the verifier's statistics of every program loaded, at debug level */
static void loaded_debug(struct bpf_object *obj)
{
	struct bpf_program *p;

	if (!log_enabled(LT_LOG_DEBUG))
		return;
	bpf_object__for_each_program(p, obj) {
		const char *log = bpf_program__log_buf(p, &(size_t){ 0 });
		struct vlog_stats st;

		if (bpf_program__fd(p) < 0 || !log || vlog_parse(log, &st))
			continue;
		log_debug("verifier: %s: %lu insns, %lu states (peak %lu), %lu us",
			  bpf_program__name(p), st.insns, st.total_states, st.peak_states,
			  st.time_us);
	}
}

/*
 * load_once - one attempt to load @sk, every program with its own log
 * buffer. Returns 0, or -errno with @rf filled (rf->prog "" when libbpf
 * named no program: the object as a whole failed).
 */
static int load_once(struct ltrack_bpf *sk, struct refusal *rf)
{
	struct bpf_program *p;
	size_t n = 0, i = 0;
	char *logs;
	int rc;

	memset(rf, 0, sizeof(*rf));
	bpf_object__for_each_program(p, sk->obj)
		n++;
	logs = malloc(n * PROG_LOG_SIZE);	/* mapped lazily: a few pages are touched */
	if (!logs) {
		rf->err = ENOMEM;
		snprintf(rf->reason, sizeof(rf->reason), "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	bpf_object__for_each_program(p, sk->obj)
		log_attach(p, logs + i++ * PROG_LOG_SIZE);
	memset(&lcap, 0, sizeof(lcap));
	lcap.on = true;
	rc = ltrack_bpf__load(sk);
	lcap.on = false;
	if (rc)
		refusal_fill(sk->obj, rc, rf);
	else
		loaded_debug(sk->obj);
	free(logs);
	return rc;
}

static const char *errname(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "errno";
}

/* the warning of a concern turned off: the program, the errno, the verifier's last lines */
static void refusal_log(int c, const struct refusal *rf)
{
	log_warn("concern %s off (%s): the kernel refused program %s (%s: %s): %s%s; not "
		 "reported: %s", concern_defs[c].name, rf->reason, rf->prog, errname(rf->err),
		 strerror(rf->err), rf->tail[0] ? "verifier: " : "libbpf: ",
		 rf->tail[0] ? rf->tail : rf->libbpf, concern_defs[c].what);
}

/*
 * load_concerns - load the skeleton, turning off the concern of each
 * program the kernel refuses, until it loads. libbpf loads an object once,
 * so each attempt opens a fresh one and prepares it the same way; each
 * turns one more concern off, so there are at most LT_NCONCERNS + 1.
 * Returns 0 with L->skel loaded, or -errno with @err (L->skel may be set).
 */
static int load_concerns(struct loader *L, const struct loader_opts *o, char *err,
			 size_t errlen)
{
	for (int attempt = 0; attempt <= LT_NCONCERNS; attempt++) {
		bool was_off[LT_NCONCERNS];
		struct refusal rf;
		int rc, c;

		L->skel = ltrack_bpf__open();
		if (!L->skel) {
			rc = -errno;
			snprintf(err, errlen, "cannot open BPF object: %s", strerror(errno));
			return rc;
		}
		rc = loader_prepare(L->skel, o, L->cs, err, errlen);
		if (rc)
			return rc;
		for (c = 0; c < LT_NCONCERNS; c++) {
			if (concern_defs[c].essential && L->cs[c].off) {
				snprintf(err, errlen, "nothing useful can load: concern %s is off (%s)",
					 concern_defs[c].name, L->cs[c].reason);
				return -ENOENT;
			}
		}
		rc = load_once(L->skel, &rf);
		if (!rc)
			return 0;
		c = rf.prog[0] ? loader_prog_concern(rf.prog) : -1;
		if (c < 0 || L->cs[c].off) {
			snprintf(err, errlen, "cannot load BPF programs: %s%s%s", strerror(rf.err),
				 rf.libbpf[0] ? "; libbpf: " : "", rf.libbpf);
			return rc;
		}
		for (int d = 0; d < LT_NCONCERNS; d++)
			was_off[d] = L->cs[d].off;
		concern_set_off(L->cs, c, rf.reason, rf.prog, rf.err);
		refusal_log(c, &rf);
		concern_propagate(L->cs);
		for (int d = 0; d < LT_NCONCERNS; d++)
			if (d != c && !was_off[d] && L->cs[d].off)
				log_warn("concern %s off too (%s): not reported: %s",
					 concern_defs[d].name, L->cs[d].reason, concern_defs[d].what);
		if (concern_defs[c].essential) {
			snprintf(err, errlen, "nothing useful can load: the kernel refused program %s "
				 "of concern %s (%s), which every other one needs", rf.prog,
				 concern_defs[c].name, rf.reason);
			return rc;
		}
		if (o->strict) {
			snprintf(err, errlen, "--strict: the kernel refused program %s of concern %s "
				 "(%s); not starting with %s off", rf.prog, concern_defs[c].name,
				 rf.reason, concern_defs[c].name);
			return rc;
		}
		ltrack_bpf__destroy(L->skel);
		L->skel = NULL;
	}
	snprintf(err, errlen, "cannot load BPF programs: still refused after %d attempts",
		 LT_NCONCERNS + 1);
	return -ELOOP;
}

/* once loaded: the programs not on this kernel, then every concern's state */
static void log_loaded(struct loader *L)
{
	struct bpf_program *p;
	char line[4096];

	bpf_object__for_each_program(p, L->skel->obj) {
		char why[PATH_MAX];

		if (!bpf_program__autoload(p) && hook_missing(&L->kf, p, why, sizeof(why)))
			log_info("%s: %s; not loaded", bpf_program__name(p), why);
	}
	concern_summary(L->cs, line, sizeof(line));
	log_info("concerns: %s", line);
}

struct loader *loader_open(const struct loader_opts *o, char *err, size_t errlen)
{
	struct loader *L = calloc(1, sizeof(*L));
	struct loader_opts opts;
	int rc;

	if (!L) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	libbpf_set_print(libbpf_log);
	concern_init(L->cs);
	rc = tracefs_ensure(err, errlen);
	if (rc)
		goto out_free;
	rc = kfeat_probe(&L->kf, err, errlen);
	if (rc)
		goto out_free;
	log_info("kernel: reads %s%s, exit %s, signal targets %s%s", kfeat_reads(&L->kf),
		 L->kf.rdonly_cast ? " (bpf_rdonly_cast)" : " (bpf_probe_read_kernel)",
		 kfeat_exit(&L->kf),
		 L->kf.task_from_vpid ? "by pid (bpf_task_from_vpid)" : "from signal_generate",
		 L->kf.forced ? " (LTRACK_KFEAT_OFF)" : "");
	kfeat_set(&L->kf);
	opts = *o;
	opts.kf = &L->kf;
	o = &opts;
	L->raw_dispatch = getenv("LTRACK_DISPATCH") && !strcmp(getenv("LTRACK_DISPATCH"), "raw");
	if (L->raw_dispatch)
		log_warn("LTRACK_DISPATCH=raw: opens are captured by one raw sys_exit program "
			 "(benchmark mode)");
	rc = fault_concern(err, errlen);
	if (rc == -EINVAL)
		goto out_free;
	if (rc >= 0)
		log_warn("LTRACK_FAULT_CONCERN=%s: one of its programs is made invalid (a test aid)",
			 concern_defs[rc].name);
	rc = load_concerns(L, o, err, errlen);
	if (rc)
		goto out_destroy;
	for (size_t i = 0; i < NPROGS; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(L->skel->obj,
									 prog_table[i].name);

		if (!p) {
			rc = -ENOENT;
			snprintf(err, errlen, "BPF program %s missing from the object",
				 prog_table[i].name);
			goto out_destroy;
		}
		/* not loaded (its concern is off, its hook absent): never attached */
		L->progs[i] = bpf_program__fd(p) >= 0 ? p : NULL;
		if (L->progs[i] && prog_table[i].tp) {
			char path[PATH_MAX];

			snprintf(path, sizeof(path), TRACEFS "/events/%s", prog_table[i].tp);
			if (access(path, F_OK)) {
				log_info("%s: this kernel has no tracepoint %s; not attached there",
					 prog_table[i].name, prog_table[i].tp);
				L->progs[i] = NULL;
			}
		}
	}
	log_loaded(L);
	kfeat_drop_btf(&L->kf);	/* the hooks are decided: its memory goes back */
	L->gen = 0;
	L->skel->bss->lt_active_gen = 0;
	return L;

out_destroy:
	ltrack_bpf__destroy(L->skel);
out_free:
	kfeat_release(&L->kf);
	free(L);
	errno = -rc;
	return NULL;
}

int loader_verify(const struct loader_opts *o, loader_verify_fn fn, void *ctx, char *err,
		  size_t errlen)
{
	struct loader_opts opts = *o;
	struct kfeat kf;
	char *log;
	int rc;
	size_t idx;

	libbpf_set_print(libbpf_log);
	rc = tracefs_ensure(err, errlen);	/* where the syscall tracepoints are looked up */
	if (rc)
		return rc;
	rc = kfeat_probe(&kf, err, errlen);	/* the same variants as the agent */
	if (rc)
		return rc;
	opts.kf = &kf;
	o = &opts;
	log = malloc(PROG_LOG_SIZE);
	if (!log) {
		kfeat_release(&kf);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* a fresh object per program: libbpf loads an object once */
	for (idx = 0;; idx++) {
		struct concern_state cs[LT_NCONCERNS];
		struct ltrack_bpf *sk = ltrack_bpf__open();
		struct loader_verify v = { .concern = -1 };
		struct bpf_program *p, *q = NULL;
		size_t i = 0;

		if (!sk) {
			rc = -errno;
			snprintf(err, errlen, "cannot open BPF object: %s", strerror(errno));
			break;
		}
		concern_init(cs);
		rc = loader_prepare(sk, o, cs, err, errlen);
		bpf_object__for_each_program(p, sk->obj)
			if (i++ == idx)
				q = p;
		if (rc || !q) {
			ltrack_bpf__destroy(sk);
			break;
		}
		snprintf(v.program, sizeof(v.program), "%s", bpf_program__name(q));
		v.concern = loader_prog_concern(v.program);
		if (!bpf_program__autoload(q)) {
			v.status = LOADER_V_ABSENT;
			if (q == sk->progs.lt_raw_exit && !raw_dispatch())
				snprintf(v.reason, sizeof(v.reason),
					 "benchmark mode only (LTRACK_DISPATCH=raw)");
			else if (q == sk->progs.lt_mem_signal && o->kf->task_from_vpid)
				snprintf(v.reason, sizeof(v.reason),
					 "not needed: this kernel has bpf_task_from_vpid");
			else if (!hook_missing(o->kf, q, v.reason, sizeof(v.reason)))
				snprintf(v.reason, sizeof(v.reason), "concern %s is off (%.60s)",
					 concern_defs[v.concern].name, cs[v.concern].reason);
		} else {
			bpf_object__for_each_program(p, sk->obj)
				if (p != q)
					bpf_program__set_autoload(p, false);
			log_attach(q, log);
			memset(&lcap, 0, sizeof(lcap));
			lcap.on = true;
			rc = ltrack_bpf__load(sk);
			lcap.on = false;
			vlog_parse(log, &v.st);
			if (rc) {
				struct refusal rf;

				refusal_fill(sk->obj, rc, &rf);
				if (!rf.prog[0]) {	/* the object, not this program */
					snprintf(err, errlen, "cannot load BPF programs: %s%s%s",
						 strerror(rf.err), rf.libbpf[0] ? "; libbpf: " : "",
						 rf.libbpf);
					ltrack_bpf__destroy(sk);
					break;
				}
				v.status = LOADER_V_REFUSED;
				v.err = rf.err;
				snprintf(v.reason, sizeof(v.reason), "%s", rf.reason);
				snprintf(v.tail, sizeof(v.tail), "%s", rf.tail[0] ? rf.tail : rf.libbpf);
				rc = 0;
			}
		}
		ltrack_bpf__destroy(sk);
		fn(ctx, &v);
	}
	kfeat_release(&kf);
	free(log);
	return rc ? rc : (int)idx;
}

/* delete every key of generation @gen from a map whose keys start with a __u32 gen */
static void map_clear_gen(int fd, size_t ksz, uint32_t gen)
{
	char key[64], next[64];
	char (*doomed)[64] = NULL;
	size_t n = 0, cap = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		uint32_t g;

		memcpy(&g, next, sizeof(g));
		if (g == gen) {
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 64;
				void *p = realloc(doomed, nc * sizeof(*doomed));

				if (!p)
					break;
				doomed = p;
				cap = nc;
			}
			memcpy(doomed[n++], next, ksz);
		}
		memcpy(key, next, ksz);
		prev = key;
	}
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, doomed[i]);
	free(doomed);
}

static void watches_free(struct lwatch *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (w[i].fd >= 0)
			close(w[i].fd);
		free(w[i].path);
	}
	free(w);
}

/* the name graph along @path: (parent, name) -> child for every component */
static int edges_add_path(struct edge **edges, size_t *n, size_t *cap, uint32_t gen,
			  const char *path)
{
	char prefix[PATH_MAX];
	struct stat st;
	const char *p = path;
	size_t plen = 0;
	uint32_t pdev;
	uint64_t pino;

	if (stat("/", &st))
		return -errno;
	pdev = kdev_from_user(st.st_dev);
	pino = st.st_ino;
	while (*p) {
		const char *name, *end;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		name = p;
		end = strchr(p, '/');
		if (!end)
			end = p + strlen(p);
		if (plen + 1 + (size_t)(end - name) >= sizeof(prefix))
			return -ENAMETOOLONG;
		prefix[plen++] = '/';
		memcpy(prefix + plen, name, end - name);
		plen += end - name;
		prefix[plen] = '\0';
		if (stat(prefix, &st))
			return -errno;
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 32;
			void *q = realloc(*edges, nc * sizeof(**edges));

			if (!q)
				return -ENOMEM;
			*edges = q;
			*cap = nc;
		}
		memset(&(*edges)[*n], 0, sizeof(**edges));
		(*edges)[*n].k.gen = gen;
		(*edges)[*n].k.dev = pdev;
		(*edges)[*n].k.ino = pino;
		(*edges)[*n].k.name_hash = fnv1a64(name, end - name);
		(*edges)[*n].v.dev = kdev_from_user(st.st_dev);
		(*edges)[*n].v.ino = st.st_ino;
		(*n)++;
		pdev = kdev_from_user(st.st_dev);
		pino = st.st_ino;
		p = end;
	}
	return 0;
}

static int edges_build(struct lwatch *w, size_t nw, uint32_t gen, struct edge **out, size_t *nout)
{
	struct edge *edges = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	for (size_t i = 0; i < nw; i++) {
		rc = edges_add_path(&edges, &n, &cap, gen, w[i].path);
		if (rc) {
			log_warn("watch %s: cannot build its name graph: %s", w[i].path,
				 strerror(-rc));
			rc = 0;	/* inode matching still works; only descent by name is lost */
		}
	}
	*out = edges;
	*nout = n;
	return rc;
}

static int edges_install(int fd, const struct edge *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (bpf_map_update_elem(fd, &e[i].k, &e[i].v, BPF_ANY))
			return -errno;
	return 0;
}

/* attach row @i's program @p where the row says (its tracepoint, or its SEC()) */
static struct bpf_link *prog_attach(size_t i, struct bpf_program *p)
{
	const char *tp = prog_table[i].tp, *slash;
	char cat[64];

	if (!tp)
		return bpf_program__attach(p);
	slash = strchr(tp, '/');
	if (!slash || (size_t)(slash - tp) >= sizeof(cat)) {
		errno = EINVAL;
		return NULL;
	}
	memcpy(cat, tp, slash - tp);
	cat[slash - tp] = '\0';
	return bpf_program__attach_tracepoint(p, cat, slash + 1);
}

static bool prog_needed(const struct loader *L, size_t i, uint32_t uni, size_t nwatches)
{
	const struct prog_row *r = &prog_table[i];

	if (r->dispatch == PD_DIRECT && L->raw_dispatch)
		return false;
	if (r->dispatch == PD_RAW_ONLY && !L->raw_dispatch)
		return false;
	/* gpu: its check rides on the open programs (src/bpf/gpu.bpf.h) */
	if (r->dispatch != PD_ANY && L->gpu_on)
		return true;
	switch (r->kind) {
	case PK_ALWAYS:
		return true;
	case PK_WATCH:
		return (r->any_watch && nwatches) || (r->model && L->model_on) || (r->watch & uni);
	case PK_EVADE:
		return (r->group & L->evade_groups) != 0;
	case PK_MEM:
		return (r->group & L->mem_groups) != 0;
	case PK_NET:
		return (r->group & L->net_need) != 0;
	case PK_LIB:
		return L->lib_on;
	case PK_MODEL:
		return L->model_on && (!r->hot || L->model_hot);
	}
	return false;	/* PK_OWN */
}

int loader_model_hot(struct loader *L, bool on)
{
	struct ltrack_bpf *sk = L->skel;
	int rc = 0;

	if (on == L->model_hot)
		return 0;
	if (!on) {
		/* holds that begin from here on are cold: say so before the hooks go */
		__atomic_store_n(&sk->bss->lt_model_hot, 0, __ATOMIC_SEQ_CST);
		L->model_hot = false;
		for (size_t i = 0; i < NPROGS; i++) {
			if (prog_table[i].hot && L->links[i]) {
				bpf_link__destroy(L->links[i]);
				L->links[i] = NULL;
			}
		}
		return 0;
	}
	L->model_hot = true;
	for (size_t i = 0; i < NPROGS; i++) {
		if (!prog_table[i].hot || L->links[i] || !L->progs[i] || !prog_needed(L, i, 0, 0))
			continue;
		L->links[i] = prog_attach(i, L->progs[i]);
		if (!L->links[i]) {
			rc = -errno;
			loader_model_hot(L, false);	/* all or none */
			return rc;
		}
	}
	if (L->model_on)
		__atomic_store_n(&sk->bss->lt_model_hot, 1, __ATOMIC_SEQ_CST);
	return 0;
}

/* ---- net ---- */

/*
 * net_apply - fill generation @gen of lt_net_pol from @c and set
 * L->net_need for the programs to attach. 0 or -errno with @err.
 */
static int net_apply(struct loader *L, const struct lt_config *c, uint32_t gen, char *err,
		     size_t errlen)
{
	struct lt_net_policy *np = calloc(1, sizeof(*np));
	uint32_t need = 0;
	int rc = 0;

	if (!np) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	net_policy_build(c, np);
	if (np->events & LT_NE(LT_EV_CONNECT)) {
		need |= NET_CONNECT;
		if (np->events & LT_NE(LT_EV_CONNECT_RESULT))
			need |= NET_RESULT;
	}
	if (np->events & LT_NE(LT_EV_BIND))
		need |= NET_BIND;
	if (np->events & LT_NE(LT_EV_LISTEN))
		need |= NET_LISTEN;
	if (np->events & LT_NE(LT_EV_ACCEPT))
		need |= NET_ACCEPT;
	if ((np->events & LT_NE(LT_EV_UDP_SEND)) && (np->protos & LT_NP_UDP))
		need |= NET_UDP;
	if (bpf_map_update_elem(bpf_map__fd(L->skel->maps.lt_net_pol), &gen, np, BPF_ANY)) {
		rc = -errno;
		snprintf(err, errlen, "cannot set the network policy: %s", strerror(-rc));
	} else {
		L->net_need = need;
	}
	free(np);
	return rc;
}

/* empty the handshake tracking maps (their program was detached mid-handshake) */
static void net_pending_clear(struct loader *L)
{
	int fds[2] = { bpf_map__fd(L->skel->maps.lt_net_tok),
		       bpf_map__fd(L->skel->maps.lt_net_pend) };

	for (int m = 0; m < 2; m++) {
		__u64 key;

		while (bpf_map_get_next_key(fds[m], NULL, &key) == 0)
			if (bpf_map_delete_elem(fds[m], &key))
				break;
	}
}
/* end net */

/* gpu: forget which (process, device) pairs were reported */
static void gpu_seen_clear(struct loader *L)
{
	int fd = bpf_map__fd(L->skel->maps.lt_gpu_seen);
	struct lt_gpu_seen_key key;

	while (bpf_map_get_next_key(fd, NULL, &key) == 0)
		if (bpf_map_delete_elem(fd, &key))
			break;
}

static int watch_open(struct lwatch *w, const char *path, uint32_t mask, char *err, size_t errlen)
{
	struct stat st;

	w->fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (w->fd < 0 || fstat(w->fd, &st)) {
		int e = errno;

		snprintf(err, errlen, "watched directory '%s': %s", path, strerror(e));
		return -e;
	}
	w->path = strdup(path);
	if (!w->path)
		return -ENOMEM;
	w->dev = kdev_from_user(st.st_dev);
	w->ino = st.st_ino;
	w->mask = mask;
	return 0;
}

int loader_apply(struct loader *L, const struct lt_config *c, char *err, size_t errlen)
{
	struct ltrack_bpf *sk = L->skel;
	uint32_t ng = L->gen ^ 1, og = L->gen, uni = 0;
	struct lwatch *w = NULL;
	struct edge *edges = NULL;
	size_t nedges = 0;
	struct lt_policy pol = {};
	/* what prog_needed() reads, as the active policy has it: back on failure */
	uint32_t old_net_need = L->net_need, old_evade = L->evade_groups, old_mem = L->mem_groups;
	bool old_gpu_on = L->gpu_on, old_lib_on = L->lib_on, old_model_on = L->model_on;
	int rc = 0;

	if (c->nwatches) {
		w = calloc(c->nwatches, sizeof(*w));
		if (!w)
			return -ENOMEM;
		for (size_t i = 0; i < c->nwatches; i++)
			w[i].fd = -1;
	}
	for (size_t i = 0; i < c->nwatches; i++) {
		rc = watch_open(&w[i], c->watches[i].path, c->watches[i].mask, err, errlen);
		if (rc)
			goto out_free;
		uni |= c->watches[i].mask;
	}
	edges_build(w, c->nwatches, ng, &edges, &nedges);

	/* fill the inactive generation */
	map_clear_gen(bpf_map__fd(sk->maps.lt_watches), sizeof(struct lt_watch_key), ng);
	map_clear_gen(bpf_map__fd(sk->maps.lt_edges), sizeof(struct lt_edge_key), ng);
	for (size_t i = 0; i < c->nwatches; i++) {
		struct lt_watch_key k = { .gen = ng, .dev = w[i].dev, .ino = w[i].ino };
		struct lt_watch_val v = { .mask = w[i].mask, .id = i };

		if (bpf_map_update_elem(bpf_map__fd(sk->maps.lt_watches), &k, &v, BPF_ANY)) {
			rc = -errno;
			snprintf(err, errlen, "cannot add watch %s: %s", w[i].path, strerror(-rc));
			goto out_clear;
		}
	}
	rc = edges_install(bpf_map__fd(sk->maps.lt_edges), edges, nedges);
	if (rc) {
		snprintf(err, errlen, "cannot fill the name graph: %s", strerror(-rc));
		goto out_clear;
	}
	for (size_t i = 0; i < c->ncommands && i < LT_CMD_MAX; i++) {
		struct lt_cmd cmd = {};
		uint32_t key = ng * LT_CMD_MAX + i;
		size_t len = strlen(c->commands[i]);

		if (len >= LT_CMD_LEN)
			len = LT_CMD_LEN - 1;
		memcpy(cmd.pat, c->commands[i], len);
		cmd.len = len;
		cmd.plain = strpbrk(cmd.pat, "*?[") == NULL;
		if (bpf_map_update_elem(bpf_map__fd(sk->maps.lt_cmds), &key, &cmd, BPF_ANY)) {
			rc = -errno;
			snprintf(err, errlen, "cannot add command %s: %s", c->commands[i],
				 strerror(-rc));
			goto out_clear;
		}
	}
	pol.watch_union = uni;
	pol.exec_report = c->have_policy && c->exec_enabled;
	pol.exec_all = c->ncommands == 0;
	pol.ncmds = c->ncommands < LT_CMD_MAX ? c->ncommands : LT_CMD_MAX;
	pol.failed = c->failed;
	for (size_t i = 0; i < LT_EV_MAX / 32; i++)
		pol.ev_mask[i] = ~0u;	/* every type: --events narrows it */
	/* ctx: eTracee's filters (--events, --pid, --uid, [filter]) and ancestry */
	if (c->events_set)
		memcpy(pol.ev_mask, c->ev_mask, sizeof(pol.ev_mask));
	pol.npids = c->npids < LT_RANGES_MAX ? c->npids : LT_RANGES_MAX;
	pol.nuids = c->nuids < LT_RANGES_MAX ? c->nuids : LT_RANGES_MAX;
	memcpy(pol.pids, c->pids, pol.npids * sizeof(pol.pids[0]));
	memcpy(pol.uids, c->uids, pol.nuids * sizeof(pol.uids[0]));
	pol.filt = (pol.npids ? LT_FILT_PID : 0) | (pol.nuids ? LT_FILT_UID : 0);
	pol.exec_args = c->ancestors > 0;
	/* the concerns' small knobs: what their programs test, and what prog_needed() reads */
	pol.evade_groups = config_evade_groups(c);	/* evade */
	pol.mem_groups = config_mem_groups(c);		/* mem */
	if (c->have_policy && c->lib_enabled)		/* lib */
		pol.lib = LT_LIBP_ENABLED | (c->lib_dlopen ? LT_LIBP_DLOPEN : 0);
	pol.gpu = c->have_policy && c->gpu_enabled;	/* gpu */
	L->evade_groups = pol.evade_groups;
	L->mem_groups = pol.mem_groups;
	L->lib_on = pol.lib & LT_LIBP_ENABLED;
	L->gpu_on = pol.gpu;
	if (bpf_map_update_elem(bpf_map__fd(sk->maps.lt_policy), &ng, &pol, BPF_ANY)) {
		rc = -errno;
		snprintf(err, errlen, "cannot set the policy: %s", strerror(-rc));
		goto out_clear;
	}
	rc = net_apply(L, c, ng, err, errlen);	/* net */
	if (rc)
		goto out_clear;

	/* model: knobs, extensions and loader patterns of generation ng */
	rc = model_kernel_fill(sk, c, ng, err, errlen);
	if (rc)
		goto out_clear;
	L->model_on = c->have_policy && c->model_enabled;

	/* attach what the new policy needs before it becomes active */
	if (L->gpu_on)	/* gpu: no program of its own, off with file-open */
		loader_warn_wanted(L->cs, LT_C_GPU, &L->warned_off);
	for (size_t i = 0; i < NPROGS; i++) {
		if (L->links[i] || !prog_needed(L, i, uni, c->nwatches))
			continue;
		if (!L->progs[i]) {	/* not loaded: absent here, or its concern is off */
			loader_warn_wanted(L->cs, prog_table[i].concern, &L->warned_off);
			continue;
		}
		L->links[i] = prog_attach(i, L->progs[i]);
		if (!L->links[i]) {
			rc = -errno;
			snprintf(err, errlen, "cannot attach %s: %s", prog_table[i].name,
				 strerror(-rc));
			goto out_clear;
		}
	}

	/* the swap: one store */
	__atomic_store_n(&sk->bss->lt_active_gen, ng, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&sk->data->lt_epoch, 1, __ATOMIC_SEQ_CST);
	L->gen = ng;

	/* programs that read the old generation just before the swap finish quickly */
	usleep(20000);
	map_clear_gen(bpf_map__fd(sk->maps.lt_watches), sizeof(struct lt_watch_key), og);
	map_clear_gen(bpf_map__fd(sk->maps.lt_edges), sizeof(struct lt_edge_key), og);
	map_clear_gen(bpf_map__fd(sk->maps.lt_model_ext), sizeof(struct lt_model_ext_key), og);
	for (size_t i = 0; i < NPROGS; i++) {
		if (L->links[i] && !prog_needed(L, i, uni, c->nwatches)) {
			bpf_link__destroy(L->links[i]);
			L->links[i] = NULL;
		}
	}
	/* model: the hot hooks are attached now exactly when both say so */
	__atomic_store_n(&sk->bss->lt_model_hot, L->model_on && L->model_hot, __ATOMIC_SEQ_CST);
	gpu_seen_clear(L);	/* gpu: the new allow-list judges every process afresh */
	if (!(L->net_need & NET_RESULT))	/* net: handshakes no longer followed */
		net_pending_clear(L);
	watches_free(L->watches, L->nwatches);
	free(L->edges);
	L->watches = w;
	L->nwatches = c->nwatches;
	L->edges = edges;
	L->nedges = nedges;
	return 0;

out_clear:
	L->net_need = old_net_need;
	L->evade_groups = old_evade;
	L->mem_groups = old_mem;
	L->gpu_on = old_gpu_on;
	L->lib_on = old_lib_on;
	L->model_on = old_model_on;
	/* the programs attached for the policy that failed, and not the active one's */
	{
		uint32_t old_uni = 0;

		for (size_t i = 0; i < L->nwatches; i++)
			old_uni |= L->watches[i].mask;
		for (size_t i = 0; i < NPROGS; i++) {
			if (L->links[i] && !prog_needed(L, i, old_uni, L->nwatches)) {
				bpf_link__destroy(L->links[i]);
				L->links[i] = NULL;
			}
		}
	}
	map_clear_gen(bpf_map__fd(sk->maps.lt_watches), sizeof(struct lt_watch_key), ng);
	map_clear_gen(bpf_map__fd(sk->maps.lt_edges), sizeof(struct lt_edge_key), ng);
	map_clear_gen(bpf_map__fd(sk->maps.lt_model_ext), sizeof(struct lt_model_ext_key), ng);
out_free:
	free(edges);
	watches_free(w, c->nwatches);
	return rc;
}

/*
 * modify_sweep - drop lt_modify entries whose opener is gone: their file
 * was closed some way no hook saw (e.g. the opener's last thread was
 * killed while a child still held it). Keeps lt_modify_pending honest so
 * close(2) stays a one-load fast path.
 */
static void modify_sweep(struct loader *L)
{
	int fd = bpf_map__fd(L->skel->maps.lt_modify);
	__u64 key, next, *prev = NULL;
	__u64 doomed[256];
	size_t n = 0;

	while (n < 256 && bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct lt_modify_val v;

		if (bpf_map_lookup_elem(fd, &next, &v) == 0 && kill(v.tgid, 0) && errno == ESRCH)
			doomed[n++] = next;
		key = next;
		prev = &key;
	}
	for (size_t i = 0; i < n; i++)
		if (bpf_map_delete_elem(fd, &doomed[i]) == 0)
			__atomic_fetch_sub(&L->skel->bss->lt_modify_pending, 1, __ATOMIC_SEQ_CST);
}

int loader_refresh(struct loader *L)
{
	struct ltrack_bpf *sk = L->skel;
	struct edge *edges = NULL;
	size_t nedges = 0;
	bool changed = false;
	int fd = bpf_map__fd(sk->maps.lt_edges);

	if (++L->ticks % 100 == 0)
		modify_sweep(L);
	/*
	 * A rename inside one directory does not move lt_epoch, so the paths
	 * are read back on every call (a readlink per watch, every 100 ms).
	 */
	for (size_t i = 0; i < L->nwatches; i++) {
		char link[64], buf[PATH_MAX];
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", L->watches[i].fd);
		n = readlink(link, buf, sizeof(buf) - 1);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if (!strcmp(buf, L->watches[i].path))
			continue;
		log_info("watched directory %s is now %s", L->watches[i].path, buf);
		free(L->watches[i].path);
		L->watches[i].path = strdup(buf);
		if (!L->watches[i].path)
			L->watches[i].path = strdup("/");
		changed = true;
	}
	if (!changed)
		return 0;
	edges_build(L->watches, L->nwatches, L->gen, &edges, &nedges);
	edges_install(fd, edges, nedges);
	for (size_t i = 0; i < L->nedges; i++) {
		bool keep = false;

		for (size_t j = 0; j < nedges && !keep; j++)
			keep = !memcmp(&L->edges[i].k, &edges[j].k, sizeof(edges[j].k));
		if (!keep)
			bpf_map_delete_elem(fd, &L->edges[i].k);
	}
	free(L->edges);
	L->edges = edges;
	L->nedges = nedges;
	__atomic_fetch_add(&sk->data->lt_epoch, 1, __ATOMIC_SEQ_CST);
	return 1;
}

const char *loader_watch_path(struct loader *L, uint32_t id)
{
	return id < L->nwatches ? L->watches[id].path : NULL;
}

int loader_attached(struct loader *L)
{
	int n = 0;

	for (size_t i = 0; i < NPROGS; i++)
		n += L->links[i] != NULL;
	return n;
}

struct ring_buffer *loader_ring(struct loader *L, loader_record_fn fn, void *ctx)
{
	return ring_buffer__new(bpf_map__fd(L->skel->maps.ring_bulk), fn, ctx, NULL);
}

size_t loader_ring_bytes(struct loader *L)
{
	return (size_t)bpf_map__max_entries(L->skel->maps.ring_crit) +
	       bpf_map__max_entries(L->skel->maps.ring_bulk);
}

struct ring_buffer *loader_ring_crit(struct loader *L, loader_record_fn fn, void *ctx)
{
	return ring_buffer__new(bpf_map__fd(L->skel->maps.ring_crit), fn, ctx, NULL);
}

int loader_snapshot(struct loader *L, loader_record_fn fn, void *ctx)
{
	struct bpf_link *link;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd, rc = 0, count = 0;

	if (bpf_program__fd(L->skel->progs.lt_snapshot) < 0)
		return -EOPNOTSUPP;	/* concern snapshot is off */
	link = bpf_program__attach_iter(L->skel->progs.lt_snapshot, NULL);
	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		rc = -errno;
		goto out_link;
	}
	for (;;) {
		ssize_t n;

		if (cap - len < 65536) {
			size_t nc = cap ? cap * 2 : 1 << 20;
			char *p = realloc(buf, nc);

			if (!p) {
				rc = -ENOMEM;
				goto out_close;
			}
			buf = p;
			cap = nc;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			goto out_close;
		}
		if (n == 0)
			break;
		len += n;
	}
	/* records are packed back to back: copy each to aligned memory first */
	for (size_t off = 0; off + sizeof(struct lt_hdr) <= len;) {
		static uint64_t rec[(sizeof(struct lt_exec_ev) + 3 * LT_PATH_MAX) / 8 + 1];
		struct lt_hdr h;

		memcpy(&h, buf + off, sizeof(h));
		if (h.size < sizeof(h) || h.size > len - off || h.size > sizeof(rec))
			break;
		memcpy(rec, buf + off, h.size);
		fn(ctx, rec, h.size);
		count++;
		off += h.size;
	}
	rc = count;
out_close:
	close(fd);
	free(buf);
out_link:
	bpf_link__destroy(link);
	return rc;
}

int loader_drops(struct loader *L, uint64_t out[LT_DROP_NCAT])
{
	int ncpu = libbpf_num_possible_cpus();
	int fd = bpf_map__fd(L->skel->maps.lt_drops);
	uint64_t *vals;

	if (ncpu <= 0)
		return ncpu;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (uint32_t cat = 0; cat < LT_DROP_NCAT; cat++) {
		out[cat] = 0;
		if (bpf_map_lookup_elem(fd, &cat, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[cat] += vals[c];
	}
	free(vals);
	return 0;
}

/* evade */
struct ltrack_bpf *loader_skel(struct loader *L)
{
	return L->skel;
}
/* end evade */
/* lib: programs attached outside prog_table (the dlopen uprobes) */
struct bpf_program *loader_prog(struct loader *L, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(L->skel->obj, name);

	return p && bpf_program__fd(p) >= 0 ? p : NULL;
}

const struct concern_state *loader_concerns(struct loader *L)
{
	return L->cs;
}

void loader_drop_image(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t sz = 0;
	const char *p = ltrack_bpf__elf_bytes(&sz);
	uintptr_t a, b;

	if (!p || pg <= 0)
		return;
	/* the whole pages inside the image: its neighbours keep theirs */
	a = ((uintptr_t)p + (uintptr_t)pg - 1) & ~((uintptr_t)pg - 1);
	b = ((uintptr_t)p + sz) & ~((uintptr_t)pg - 1);
	if (b > a && madvise((void *)a, b - a, MADV_DONTNEED))
		log_debug("the BPF object's pages stay mapped: %s", strerror(errno));
}

int loader_crit_pos(struct loader *L, uint64_t *cons, uint64_t *prod)
{
	if (!L->crit_cons) {
		long pg = sysconf(_SC_PAGESIZE);
		int fd = bpf_map__fd(L->skel->maps.ring_crit);
		void *c, *p;

		if (pg <= 0 || fd < 0)
			return -EINVAL;
		/* page 0: the consumer position, page 1: the producer's (as libbpf maps them) */
		c = mmap(NULL, (size_t)pg, PROT_READ, MAP_SHARED, fd, 0);
		if (c == MAP_FAILED)
			return -errno;
		p = mmap(NULL, (size_t)pg, PROT_READ, MAP_SHARED, fd, pg);
		if (p == MAP_FAILED) {
			int err = -errno;

			munmap(c, (size_t)pg);
			return err;
		}
		L->page = (size_t)pg;
		L->crit_cons = c;
		L->crit_prod = p;
	}
	*prod = __atomic_load_n(L->crit_prod, __ATOMIC_ACQUIRE);
	*cons = __atomic_load_n(L->crit_cons, __ATOMIC_ACQUIRE);
	return 0;
}

void loader_free(struct loader *L)
{
	if (!L)
		return;
	if (L->crit_cons) {
		munmap((void *)L->crit_cons, L->page);
		munmap((void *)L->crit_prod, L->page);
	}
	for (size_t i = 0; i < NPROGS; i++)
		bpf_link__destroy(L->links[i]);
	ltrack_bpf__destroy(L->skel);
	kfeat_release(&L->kf);
	watches_free(L->watches, L->nwatches);
	free(L->edges);
	free(L);
}
