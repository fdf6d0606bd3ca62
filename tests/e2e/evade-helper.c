// SPDX-License-Identifier: MIT
/*
 * evade-helper.c - the syscall driver of tests/e2e/t_evade.py: the
 * evasion and escalation calls ltrack's evade events report, made as raw
 * syscalls with exactly the given arguments (see helper.c for why).
 *
 * Usage: evade-helper OP ARG... [OP ARG...]...
 * Each operation prints its return value (or -errno) on its own line; one
 * that fails ends the helper with status 99 unless its name starts with '?'.
 * Descriptors live in slots 0..15; "cwd" is AT_FDCWD where a directory
 * slot is taken. Numbers are parsed with base 0. A time's nsec/usec may be
 * "now" or "omit" (UTIME_NOW / UTIME_OMIT).
 *
 * Operations:
 *   wait                               read one byte from stdin (the runner's go)
 *   open SLOT PATH FLAGS MODE          openat(AT_FDCWD, ...)
 *   chdir PATH | mkdir PATH            (mode 0755)
 *   utimensat DSLOT PATH|- AS ANS MS MNS FLAGS    (- = NULL path: the slot's file)
 *   utimensat-null DSLOT PATH FLAGS    times = NULL
 *   futimesat DSLOT PATH AS AUS MS MUS | utimes PATH AS AUS MS MUS | utime PATH AS MS
 *   setxattr PATH NAME VALUE FLAGS | lsetxattr ... | fsetxattr SLOT NAME VALUE FLAGS
 *   removexattr PATH NAME | fremovexattr SLOT NAME
 *   setcaps PATH PERMITTED INHERITABLE EFFECTIVE   security.capability, revision 2
 *   truncate PATH LEN | ftruncate SLOT LEN
 *   unshare FLAGS | setns SLOT NSTYPE
 *   mount SRC TARGET FSTYPE FLAGS      ("-" for a NULL string) | umount2 TARGET FLAGS
 *   pivot_root NEW OLD | chroot PATH
 *   bpf-load NAME                      a 2-instruction socket filter, license "GPL"
 *   perf-open TYPE CONFIG PID CPU      perf_event_open (attr.disabled = 1)
 *   sleeper                            fork a child that names itself "evade-target"
 *                                      and waits; prints its pid
 *   vmwrite                            process_vm_writev to the sleeper: 2 local
 *                                      iovecs (3 + 5 bytes), 1 remote (8 bytes)
 *   reap                               release the sleeper and wait for it
 *   prctl-name NAME                    prctl(PR_SET_NAME)
 *   prctl-thread NAME                  the same from a second thread
 *   prctl-bad                          prctl(PR_SET_NAME, (char *)1): EFAULT
 *   connect SLOT PORT                  TCP socket connected to 127.0.0.1:PORT
 *   fork-dup SLOT NEWFD DUP3           a child dup2()s (dup3() when DUP3 is 1) the
 *                                      slot onto NEWFD and exits 0; prints its pid
 *   iouring PATH                       io_uring_setup(8), one io_uring_enter
 *                                      submitting IORING_OP_NOP and IORING_OP_OPENAT
 *                                      of PATH, waits for both; prints the ring fd
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <pthread.h>
#include <arpa/inet.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define NSLOTS 16

static int slots[NSLOTS];
static pid_t sleeper = -1;
static int sleeper_pipe[2] = { -1, -1 };
static char target_buf[8] = "........";

static void die(const char *op, const char *msg)
{
	dprintf(2, "evade-helper: %s: %s\n", op, msg);
	_exit(99);
}

static long num(const char *op, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *s == '\0' || *end)
		die(op, "bad number");
	return v;
}

static long tnum(const char *op, const char *s)
{
	if (!strcmp(s, "now"))
		return UTIME_NOW;
	if (!strcmp(s, "omit"))
		return UTIME_OMIT;
	return num(op, s);
}

static int slot_index(const char *op, const char *s)
{
	long v = num(op, s);

	if (v < 0 || v >= NSLOTS)
		die(op, "bad slot");
	return (int)v;
}

static int fd_of(const char *op, const char *s)
{
	if (!strcmp(s, "cwd"))
		return AT_FDCWD;
	return slots[slot_index(op, s)];
}

static const char *str_or_null(const char *s)
{
	return strcmp(s, "-") ? s : NULL;
}

static long rv(long r)
{
	return r < 0 ? -errno : r;
}

static void *thread_name(void *name)
{
	return (void *)rv(syscall(SYS_prctl, PR_SET_NAME, name, 0, 0, 0));
}

static long iouring(const char *path)
{
	struct io_uring_params p = { 0 };
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	void *sq, *cq;
	size_t sqsz, cqsz;
	unsigned tail, got = 0;
	int fd, rc;

	fd = syscall(SYS_io_uring_setup, 8, &p);
	if (fd < 0)
		return -errno;
	sqsz = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	cqsz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	sq = mmap(NULL, sqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
		  IORING_OFF_SQ_RING);
	cq = mmap(NULL, cqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
		  IORING_OFF_CQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED)
		return -errno;
	sq_tail = (unsigned *)((char *)sq + p.sq_off.tail);
	sq_mask = (unsigned *)((char *)sq + p.sq_off.ring_mask);
	sq_array = (unsigned *)((char *)sq + p.sq_off.array);
	cq_head = (unsigned *)((char *)cq + p.cq_off.head);
	cq_tail = (unsigned *)((char *)cq + p.cq_off.tail);
	cq_mask = (unsigned *)((char *)cq + p.cq_off.ring_mask);
	cqes = (struct io_uring_cqe *)((char *)cq + p.cq_off.cqes);

	tail = *sq_tail;
	memset(&sqes[0], 0, sizeof(sqes[0]));
	sqes[0].opcode = IORING_OP_NOP;
	sqes[0].user_data = 1;
	memset(&sqes[1], 0, sizeof(sqes[1]));
	sqes[1].opcode = IORING_OP_OPENAT;
	sqes[1].fd = AT_FDCWD;
	sqes[1].addr = (uint64_t)(uintptr_t)path;
	sqes[1].open_flags = O_RDONLY | O_CLOEXEC;
	sqes[1].user_data = 2;
	sq_array[tail & *sq_mask] = 0;
	sq_array[(tail + 1) & *sq_mask] = 1;
	__atomic_store_n(sq_tail, tail + 2, __ATOMIC_RELEASE);
	rc = syscall(SYS_io_uring_enter, fd, 2, 2, IORING_ENTER_GETEVENTS, NULL, 0);
	if (rc < 0)
		return -errno;
	while (got < 2) {
		unsigned head = *cq_head;

		while (head != __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE) && got < 2) {
			struct io_uring_cqe *c = &cqes[head & *cq_mask];

			if (c->res < 0)
				return c->res;
			if (c->user_data == 2)
				close(c->res);
			head++;
			got++;
		}
		__atomic_store_n(cq_head, head, __ATOMIC_RELEASE);
		if (got < 2 && syscall(SYS_io_uring_enter, fd, 0, 1, IORING_ENTER_GETEVENTS, NULL,
				       0) < 0)
			return -errno;
	}
	return fd;
}

static long bpf_load(const char *name)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insn_cnt = 2;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.license = (uint64_t)(uintptr_t)"GPL";
	strncpy(a.prog_name, name, sizeof(a.prog_name) - 1);
	return rv(syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a)));
}

static long setcaps(const char *path, long perm, long inh, long eff)
{
	uint32_t v[5];

	v[0] = 0x02000000u | (eff ? 1 : 0);
	v[1] = (uint32_t)perm;
	v[2] = (uint32_t)inh;
	v[3] = (uint32_t)((uint64_t)perm >> 32);
	v[4] = (uint32_t)((uint64_t)inh >> 32);
	return rv(syscall(SYS_setxattr, path, "security.capability", v, sizeof(v), 0));
}

static long run_op(const char *op, char **a, int *used)
{
#define NEED(n)                                 \
	do {                                    \
		*used = (n);                    \
		for (int i_ = 0; i_ < (n); i_++) \
			if (!a[i_])             \
				die(op, "missing argument"); \
	} while (0)
	*used = 0;
	if (!strcmp(op, "wait")) {
		char c;

		return read(0, &c, 1) == 1 ? 0 : -EIO;
	}
	if (!strcmp(op, "open")) {
		int s;
		long r;

		NEED(4);
		s = slot_index(op, a[0]);
		r = rv(syscall(SYS_openat, AT_FDCWD, a[1], (int)num(op, a[2]), (int)num(op, a[3])));
		if (r >= 0)
			slots[s] = r;
		return r;
	}
	if (!strcmp(op, "mkdir")) {
		NEED(1);
		return rv(syscall(SYS_mkdir, a[0], 0755));
	}
	if (!strcmp(op, "chdir")) {
		NEED(1);
		return rv(syscall(SYS_chdir, a[0]));
	}
	if (!strcmp(op, "utimensat")) {
		struct timespec ts[2];

		NEED(7);
		ts[0].tv_sec = num(op, a[2]);
		ts[0].tv_nsec = tnum(op, a[3]);
		ts[1].tv_sec = num(op, a[4]);
		ts[1].tv_nsec = tnum(op, a[5]);
		return rv(syscall(SYS_utimensat, fd_of(op, a[0]), str_or_null(a[1]), ts,
				  (int)num(op, a[6])));
	}
	if (!strcmp(op, "utimensat-null")) {
		NEED(3);
		return rv(syscall(SYS_utimensat, fd_of(op, a[0]), str_or_null(a[1]), NULL,
				  (int)num(op, a[2])));
	}
	if (!strcmp(op, "futimesat") || !strcmp(op, "utimes")) {
		bool at = !strcmp(op, "futimesat");
		struct timeval tv[2];
		int o = at ? 1 : 0;

		NEED(5 + o);
		tv[0].tv_sec = num(op, a[o + 1]);
		tv[0].tv_usec = num(op, a[o + 2]);
		tv[1].tv_sec = num(op, a[o + 3]);
		tv[1].tv_usec = num(op, a[o + 4]);
		if (at)
			return rv(syscall(SYS_futimesat, fd_of(op, a[0]), a[1], tv));
		return rv(syscall(SYS_utimes, a[0], tv));
	}
	if (!strcmp(op, "utime")) {
		long t[2];

		NEED(3);
		t[0] = num(op, a[1]);
		t[1] = num(op, a[2]);
		return rv(syscall(SYS_utime, a[0], t));
	}
	if (!strcmp(op, "setxattr") || !strcmp(op, "lsetxattr")) {
		NEED(4);
		return rv(syscall(!strcmp(op, "setxattr") ? SYS_setxattr : SYS_lsetxattr, a[0], a[1],
				  a[2], strlen(a[2]), (int)num(op, a[3])));
	}
	if (!strcmp(op, "fsetxattr")) {
		NEED(4);
		return rv(syscall(SYS_fsetxattr, fd_of(op, a[0]), a[1], a[2], strlen(a[2]),
				  (int)num(op, a[3])));
	}
	if (!strcmp(op, "removexattr")) {
		NEED(2);
		return rv(syscall(SYS_removexattr, a[0], a[1]));
	}
	if (!strcmp(op, "fremovexattr")) {
		NEED(2);
		return rv(syscall(SYS_fremovexattr, fd_of(op, a[0]), a[1]));
	}
	if (!strcmp(op, "setcaps")) {
		NEED(4);
		return setcaps(a[0], num(op, a[1]), num(op, a[2]), num(op, a[3]));
	}
	if (!strcmp(op, "truncate")) {
		NEED(2);
		return rv(syscall(SYS_truncate, a[0], num(op, a[1])));
	}
	if (!strcmp(op, "ftruncate")) {
		NEED(2);
		return rv(syscall(SYS_ftruncate, fd_of(op, a[0]), num(op, a[1])));
	}
	if (!strcmp(op, "unshare")) {
		NEED(1);
		return rv(syscall(SYS_unshare, num(op, a[0])));
	}
	if (!strcmp(op, "setns")) {
		NEED(2);
		return rv(syscall(SYS_setns, fd_of(op, a[0]), (int)num(op, a[1])));
	}
	if (!strcmp(op, "mount")) {
		NEED(4);
		return rv(syscall(SYS_mount, str_or_null(a[0]), a[1], str_or_null(a[2]),
				  num(op, a[3]), NULL));
	}
	if (!strcmp(op, "umount2")) {
		NEED(2);
		return rv(syscall(SYS_umount2, a[0], (int)num(op, a[1])));
	}
	/* the new mount API: open_tree SLOT PATH FLAGS; move_mount SLOT TARGET FLAGS */
	if (!strcmp(op, "open_tree")) {
		int sl;
		long r;

		NEED(3);
		sl = slot_index(op, a[0]);
		r = rv(syscall(SYS_open_tree, AT_FDCWD, a[1], (unsigned)num(op, a[2])));
		if (r >= 0)
			slots[sl] = r;
		return r < 0 ? r : 0;
	}
	if (!strcmp(op, "move_mount")) {
		NEED(3);
		return rv(syscall(SYS_move_mount, fd_of(op, a[0]), "", AT_FDCWD, a[1],
				  (unsigned)num(op, a[2])));
	}
	if (!strcmp(op, "pivot_root")) {
		NEED(2);
		return rv(syscall(SYS_pivot_root, a[0], a[1]));
	}
	if (!strcmp(op, "chroot")) {
		NEED(1);
		return rv(syscall(SYS_chroot, a[0]));
	}
	if (!strcmp(op, "bpf-load")) {
		NEED(1);
		return bpf_load(a[0]);
	}
	if (!strcmp(op, "perf-open")) {
		struct perf_event_attr pa;

		NEED(4);
		memset(&pa, 0, sizeof(pa));
		pa.size = sizeof(pa);
		pa.type = num(op, a[0]);
		pa.config = num(op, a[1]);
		pa.disabled = 1;
		return rv(syscall(SYS_perf_event_open, &pa, (int)num(op, a[2]), (int)num(op, a[3]),
				  -1, 0));
	}
	if (!strcmp(op, "sleeper")) {
		int ready[2];
		char c;

		if (pipe(sleeper_pipe) || pipe(ready))
			return -errno;
		sleeper = fork();
		if (sleeper < 0)
			return -errno;
		if (sleeper == 0) {
			prctl(PR_SET_NAME, "evade-target");
			close(ready[0]);
			close(sleeper_pipe[1]);
			(void)!write(ready[1], "r", 1);
			(void)!read(sleeper_pipe[0], &c, 1);
			_exit(target_buf[0] == 'A' ? 0 : 1);
		}
		close(ready[1]);
		close(sleeper_pipe[0]);
		if (read(ready[0], &c, 1) != 1)
			return -EIO;
		close(ready[0]);
		return sleeper;
	}
	if (!strcmp(op, "vmwrite")) {
		char l1[3] = "ABC", l2[5] = "DEFGH";
		struct iovec lv[2] = { { l1, 3 }, { l2, 5 } };
		struct iovec rvv[1] = { { target_buf, 8 } };

		return rv(syscall(SYS_process_vm_writev, sleeper, lv, 2, rvv, 1, 0));
	}
	if (!strcmp(op, "reap")) {
		int st;

		close(sleeper_pipe[1]);
		if (waitpid(sleeper, &st, 0) < 0)
			return -errno;
		return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	}
	if (!strcmp(op, "prctl-thread")) {
		pthread_t th;
		void *res;

		NEED(1);
		if (pthread_create(&th, NULL, thread_name, a[0]) || pthread_join(th, &res))
			return -EAGAIN;
		return (long)res;
	}
	if (!strcmp(op, "prctl-bad"))
		return rv(syscall(SYS_prctl, PR_SET_NAME, (char *)1, 0, 0, 0));
	if (!strcmp(op, "prctl-name")) {
		NEED(1);
		return rv(syscall(SYS_prctl, PR_SET_NAME, a[0], 0, 0, 0));
	}
	if (!strcmp(op, "connect")) {
		struct sockaddr_in sa = { .sin_family = AF_INET };
		int s, fd;

		NEED(2);
		s = slot_index(op, a[0]);
		sa.sin_port = htons((uint16_t)num(op, a[1]));
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return -errno;
		slots[s] = fd;
		return fd;
	}
	if (!strcmp(op, "fork-dup")) {
		int from, to, three, st;
		pid_t c;

		NEED(3);
		from = fd_of(op, a[0]);
		to = (int)num(op, a[1]);
		three = (int)num(op, a[2]);
		c = fork();
		if (c < 0)
			return -errno;
		if (c == 0) {
			long r = three ? syscall(SYS_dup3, from, to, 0) : syscall(SYS_dup2, from, to);

			_exit(r == to ? 0 : 1);
		}
		if (waitpid(c, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			return -ECHILD;
		return c;
	}
	if (!strcmp(op, "iouring")) {
		NEED(1);
		return iouring(a[0]);
	}
	die(op, "unknown operation");
	return 0;
#undef NEED
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc;) {
		const char *name = argv[i];
		bool may_fail = name[0] == '?';
		int used;
		long r;
		char line[32];
		int n;

		r = run_op(may_fail ? name + 1 : name, argv + i + 1, &used);
		n = snprintf(line, sizeof(line), "%ld\n", r);
		(void)!write(1, line, n);
		if (r < 0 && !may_fail)
			die(name, strerror((int)-r));
		i += 1 + used;
	}
	return 0;
}
