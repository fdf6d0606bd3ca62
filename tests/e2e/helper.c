// SPDX-License-Identifier: MIT
/*
 * helper.c - the syscall driver of the end-to-end tests (tests/e2e/run.py).
 *
 * The runner needs to know exactly which syscall made an event, with which
 * arguments, and from which process. Python's os module goes through glibc
 * wrappers whose choice of syscall (chmod or fchmodat, open or openat) and
 * flags (O_CLOEXEC) depends on versions, so every file operation here is a
 * raw syscall(SYS_x, ...) with the arguments exactly as given.
 *
 * Usage: e2e-helper OP ARG... [OP ARG...]...
 * The operations run in order. Each prints its return value (or -errno) on
 * its own line of stdout, written with write(2) so nothing is lost to an
 * exec or an exit_group. An operation that fails ends the helper with
 * status 99, unless its name is prefixed with '?' (failure expected).
 *
 * Descriptors live in numbered slots 0..15; where an operation takes a
 * directory slot, "cwd" means AT_FDCWD. Numbers are parsed with base 0
 * (0644 is octal, 0x10 hex, -1 negative).
 *
 * Operations (argument count fixed per operation):
 *   wait                          read one byte from stdin (the runner's go)
 *   chdir PATH | umask MODE
 *   dir SLOT PATH                 openat(AT_FDCWD, PATH, O_RDONLY|O_DIRECTORY)
 *   open SLOT PATH FLAGS MODE     openat(AT_FDCWD, ...)
 *   openat SLOT DSLOT PATH FLAGS MODE
 *   sysopen SLOT PATH FLAGS MODE  open(2)
 *   creat SLOT PATH MODE
 *   write SLOT COUNT              COUNT write(2) calls of 16 bytes
 *   close SLOT
 *   truncate PATH LEN | ftruncate SLOT LEN
 *   mkdir PATH MODE | mkdirat DSLOT PATH MODE
 *   mknod PATH MODE MAJOR MINOR | mknodat DSLOT PATH MODE MAJOR MINOR
 *   unlink PATH | unlinkat DSLOT PATH FLAGS | rmdir PATH
 *   rename OLD NEW | renameat ODSLOT OLD NDSLOT NEW
 *   renameat2 ODSLOT OLD NDSLOT NEW FLAGS
 *   link OLD NEW | linkat ODSLOT OLD NDSLOT NEW FLAGS
 *   symlink TARGET NEW | symlinkat TARGET DSLOT NEW
 *   chmod PATH MODE | fchmod SLOT MODE | fchmodat DSLOT PATH MODE
 *   chown PATH UID GID | lchown PATH UID GID | fchown SLOT UID GID
 *   fchownat DSLOT PATH UID GID FLAGS
 *   fchmodat2 DSLOT PATH MODE FLAGS   (PATH "" with AT_EMPTY_PATH: the slot's file)
 *   openat2 SLOT DSLOT PATH FLAGS MODE
 *   fork CODE                     fork(); the child _exit(CODE)s, the parent
 *                                 waits and prints the child's pid
 *   threads N                     start N threads, join them
 *   threads-exit N CODE           start N threads that block, then
 *                                 exit_group(CODE) with them still running
 *   exit CODE                     exit_group(CODE) at once: open files are
 *                                 closed by the kernel, not by close(2)
 *   leader-exit CODE              a second thread exit_group(CODE)s after the
 *                                 main thread has called pthread_exit
 *   thread-exec PATH ARGC ARGV... a second thread execve()s (de_thread)
 *   pause                         sleep until killed
 *   storm DSLOT N                 N x { openat(DSLOT, "f", O_CREAT|O_WRONLY)
 *                                 close; unlinkat(DSLOT, "f") }; prints N
 *   exec PATH ARGC ARGV...        execve(PATH, ARGV, environ); the rest of
 *                                 the command line is not run
 *   dropper HOW PATH OTHER ARGC ARGV...
 *                                 hash: vfork, the child execve()s PATH; the
 *                                 moment vfork returns (the exec has replaced
 *                                 the child's image) HOW = rename: OTHER is
 *                                 renamed over PATH, unlink: PATH is unlinked
 *                                 (OTHER unused). Prints the ns from vfork's
 *                                 return to the rename's or unlink's, then
 *                                 waits for the child; the result is its pid
 * mem (memory, fileless, privilege, dangerous calls; see mem_op()):
 *   mmap MSLOT LEN PROT FLAGS FDSLOT   mmap(NULL, ...) ("none": fd -1); the
 *                                 address goes to map slot MSLOT and is printed
 *   mprotect MSLOT LEN PROT       mprotect(map slot's address, LEN, PROT)
 *   memfd SLOT NAME FLAGS         memfd_create(NAME, FLAGS)
 *   copy-into SLOT PATH           copy the file PATH into fd SLOT; prints bytes
 *   fexec SLOT ARGC ARGV...       execveat(fd, "", ARGV, environ, AT_EMPTY_PATH)
 *   setuid U | setgid G | setreuid R E | setresuid R E S | setresgid R E S
 *   setfsuid U                    prints the old fsuid (the syscall's return)
 *   fork-setuid U                 a child setuid(U)s and exits 0 (1 if it
 *                                 failed); prints the child's pid
 *   child                         fork a child that pauses; prints its pid
 *   ptrace REQ ADDR DATA          ptrace(REQ, child, ADDR, DATA) (ADDR "poke":
 *                                 poke-addr's); after
 *                                 ATTACH/SEIZE use ptrace-wait
 *   ptrace-wait                   waitpid(child, WSTOPPED|__WALL); prints the status
 *   poke-addr                     prints the address ptrace tests poke
 *   kill SIG | tkill SIG | tgkill SIG   to the child (kill, tkill(child),
 *                                 tgkill(child, child))
 *   reap                          waitpid(child); prints the raw status
 *   init_module LEN | finit_module SLOT FLAGS | delete_module NAME FLAGS
 *   capset-drop CAP               drop capability CAP from the effective set
 * net (sockets live in the same slots; ADDR is "127.0.0.1:80", "[::1]:80",
 * "unix:/path", "unix:@abstract", "unspec" (AF_UNSPEC), "sock:SLOT" (the
 * address slot SLOT is bound to) or "-" (none)):
 *   socket SLOT DOMAIN TYPE       DOMAIN inet|inet6|unix, TYPE stream|dgram|
 *                                 seqpacket, "-nb" suffix for SOCK_NONBLOCK
 *   connect SLOT ADDR | bind SLOT ADDR | listen SLOT BACKLOG
 *   accept SLOT NEWSLOT | accept4 SLOT NEWSLOT FLAGS
 *   sendto SLOT ADDR | sendmsg SLOT ADDR   one byte
 *   sendmmsg SLOT ADDR N          N one-byte messages (1..8), one call
 *   localport SLOT                the port the socket is bound to (getsockname)
 *   connwait SLOT MS              poll for POLLOUT, then SO_ERROR: 0, -errno,
 *                                 -ETIMEDOUT after MS ms
 * With no operation, or "true", the helper exits 0 (an exec target).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>	/* mem */
#include <linux/openat2.h>
#include <poll.h>	/* net */
#include <stddef.h>	/* net */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/socket.h>	/* net */
#include <sys/sysmacros.h>
#include <sys/un.h>		/* net */
#include <arpa/inet.h>		/* net */
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NSLOTS 16

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452	/* Linux 6.6; older headers lack it */
#endif

extern char **environ;

static int slots[NSLOTS];
static int block_pipe[2] = { -1, -1 };

static void die(const char *op, const char *msg)
{
	dprintf(2, "e2e-helper: %s: %s\n", op, msg);
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

static void put_result(long r)
{
	dprintf(1, "%ld\n", r);
}

/* raw syscall result: -errno on failure */
static long sc(long r)
{
	return r < 0 ? -errno : r;
}

static void *thread_quick(void *arg)
{
	return arg;
}

static void *thread_block(void *arg)
{
	char c;

	/* nobody ever writes: the thread blocks until the group exits */
	while (read(block_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	return arg;
}

struct exec_args {
	const char *path;
	char **argv;
};

static void *thread_exec(void *arg)
{
	struct exec_args *ea = arg;

	syscall(SYS_execve, ea->path, ea->argv, environ);
	dprintf(2, "e2e-helper: thread-exec: %s\n", strerror(errno));
	syscall(SYS_exit_group, 98);
	return NULL;
}

static void *thread_leader_exit(void *arg)
{
	char c;

	/* the main thread writes just before it leaves */
	while (read(block_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	syscall(SYS_exit_group, (long)arg);
	return NULL;
}

static long start_threads(const char *op, long n, void *(*fn)(void *), int join)
{
	pthread_t tids[64];

	if (n < 1 || n > 64)
		die(op, "1..64 threads");
	for (long i = 0; i < n; i++)
		if (pthread_create(&tids[i], NULL, fn, NULL))
			die(op, "pthread_create");
	if (join)
		for (long i = 0; i < n; i++)
			pthread_join(tids[i], NULL);
	return n;
}

static long do_storm(const char *op, int dfd, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		long fd = syscall(SYS_openat, dfd, "f", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);

		if (fd < 0)
			die(op, "openat");
		syscall(SYS_close, fd);
		if (syscall(SYS_unlinkat, dfd, "f", 0) < 0)
			die(op, "unlinkat");
	}
	return i;
}

static long do_write(int fd, long count)
{
	static const char data[16] = "0123456789abcde\n";

	for (long i = 0; i < count; i++)
		if (syscall(SYS_write, fd, data, sizeof(data)) != (long)sizeof(data))
			return -errno;
	return count;
}

static long do_fork(const char *op, long code)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die(op, "fork");
	if (pid == 0)
		_exit((int)code);
	if (waitpid(pid, &status, 0) != pid)
		die(op, "waitpid");
	return pid;
}

/* ---- mem: memory, fileless execution, privilege, dangerous calls -------------------- */

static void *mem_maps[NSLOTS];
static pid_t mem_child = -1;
static volatile long mem_poke_target;	/* a child pokes at its own copy */

static const struct {
	const char *name;
	int nargs;
} mem_ops[] = {
	{ "mmap", 5 },	    { "mprotect", 3 },	{ "memfd", 3 },	    { "copy-into", 2 },
	{ "fexec", -1 },    { "setuid", 1 },	{ "setgid", 1 },    { "setreuid", 2 },
	{ "setresuid", 3 }, { "setresgid", 3 }, { "setfsuid", 1 },  { "fork-setuid", 1 },
	{ "child", 0 },	    { "ptrace", 3 },	{ "ptrace-wait", 0 }, { "poke-addr", 0 },
	{ "kill", 1 },	    { "tkill", 1 },	{ "tgkill", 1 },    { "reap", 0 },
	{ "init_module", 1 }, { "finit_module", 2 }, { "delete_module", 2 },
	{ "capset-drop", 1 },
};

static long mem_copy_into(const char *op, int fd, const char *path)
{
	char buf[65536];
	long total = 0;
	int in = open(path, O_RDONLY | O_CLOEXEC);

	if (in < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));

		if (n < 0)
			die(op, "read");
		if (n == 0)
			break;
		if (write(fd, buf, n) != n)
			die(op, "write");
		total += n;
	}
	close(in);
	return total;
}

/*
 * mem_op - run mem's operation @op if it is one: returns 1 with its result
 * in @r and its argument count in @used, 0 if @op is not mem's
 */
static int mem_op(const char *op, char **a, int left, int *used, long *r)
{
	int n = -2;

	for (size_t i = 0; i < sizeof(mem_ops) / sizeof(mem_ops[0]); i++)
		if (!strcmp(mem_ops[i].name, op))
			n = mem_ops[i].nargs;
	if (n == -2)
		return 0;
	if (n >= 0 && left < n)
		die(op, "missing arguments");
	*used = n;
	if (!strcmp(op, "mmap")) {
		int s = slot_index(op, a[0]);
		int fd = strcmp(a[4], "none") ? fd_of(op, a[4]) : -1;
		long p = syscall(SYS_mmap, NULL, num(op, a[1]), num(op, a[2]), num(op, a[3]), fd, 0);

		*r = p == -1 ? -errno : p;
		if (p != -1)
			mem_maps[s] = (void *)p;
	} else if (!strcmp(op, "mprotect")) {
		*r = sc(syscall(SYS_mprotect, mem_maps[slot_index(op, a[0])], num(op, a[1]),
				num(op, a[2])));
	} else if (!strcmp(op, "memfd")) {
		int s = slot_index(op, a[0]);

		*r = sc(syscall(SYS_memfd_create, a[1], num(op, a[2])));
		if (*r >= 0)
			slots[s] = (int)*r;
	} else if (!strcmp(op, "copy-into")) {
		*r = mem_copy_into(op, fd_of(op, a[0]), a[1]);
	} else if (!strcmp(op, "fexec")) {
		long argc;

		if (left < 2)
			die(op, "missing arguments");
		argc = num(op, a[1]);
		if (argc < 0 || argc != left - 2)
			die(op, "ARGC must count the rest of the command line");
		syscall(SYS_execveat, fd_of(op, a[0]), "", &a[2], environ, AT_EMPTY_PATH);
		*r = -errno;	/* only on failure */
	} else if (!strcmp(op, "setuid")) {
		*r = sc(syscall(SYS_setuid, num(op, a[0])));
	} else if (!strcmp(op, "setgid")) {
		*r = sc(syscall(SYS_setgid, num(op, a[0])));
	} else if (!strcmp(op, "setreuid")) {
		*r = sc(syscall(SYS_setreuid, num(op, a[0]), num(op, a[1])));
	} else if (!strcmp(op, "setresuid")) {
		*r = sc(syscall(SYS_setresuid, num(op, a[0]), num(op, a[1]), num(op, a[2])));
	} else if (!strcmp(op, "setresgid")) {
		*r = sc(syscall(SYS_setresgid, num(op, a[0]), num(op, a[1]), num(op, a[2])));
	} else if (!strcmp(op, "setfsuid")) {
		*r = syscall(SYS_setfsuid, num(op, a[0]));
	} else if (!strcmp(op, "fork-setuid")) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			die(op, "fork");
		if (pid == 0)
			_exit(syscall(SYS_setuid, num(op, a[0])) ? 1 : 0);
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			die(op, "the child's setuid failed");
		*r = pid;
	} else if (!strcmp(op, "child")) {
		mem_child = fork();
		if (mem_child < 0)
			die(op, "fork");
		if (mem_child == 0) {
			for (;;)
				pause();
		}
		*r = mem_child;
	} else if (!strcmp(op, "ptrace")) {
		long addr = strcmp(a[1], "poke") ? num(op, a[1]) : (long)&mem_poke_target;

		*r = sc(syscall(SYS_ptrace, num(op, a[0]), mem_child, addr, num(op, a[2])));
	} else if (!strcmp(op, "ptrace-wait")) {
		int status;

		*r = waitpid(mem_child, &status, WSTOPPED | __WALL) == mem_child ? status : -errno;
	} else if (!strcmp(op, "poke-addr")) {
		*r = (long)&mem_poke_target;
	} else if (!strcmp(op, "kill")) {
		*r = sc(syscall(SYS_kill, mem_child, num(op, a[0])));
	} else if (!strcmp(op, "tkill")) {
		*r = sc(syscall(SYS_tkill, mem_child, num(op, a[0])));
	} else if (!strcmp(op, "tgkill")) {
		*r = sc(syscall(SYS_tgkill, mem_child, mem_child, num(op, a[0])));
	} else if (!strcmp(op, "reap")) {
		int status;

		*r = waitpid(mem_child, &status, __WALL) == mem_child ? status : -errno;
	} else if (!strcmp(op, "init_module")) {
		static char image[4096];
		long len = num(op, a[0]);

		if (len < 0 || len > (long)sizeof(image))
			die(op, "LEN is 0..4096");
		*r = sc(syscall(SYS_init_module, image, len, ""));
	} else if (!strcmp(op, "finit_module")) {
		*r = sc(syscall(SYS_finit_module, fd_of(op, a[0]), "", num(op, a[1])));
	} else if (!strcmp(op, "capset-drop")) {
		struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct data[2];
		long cap = num(op, a[0]);

		if (cap < 0 || cap > 63)
			die(op, "CAP is 0..63");
		if (syscall(SYS_capget, &hdr, data))
			die(op, "capget");
		data[cap / 32].effective &= ~(1u << (cap % 32));
		*r = sc(syscall(SYS_capset, &hdr, data));
	} else if (!strcmp(op, "delete_module")) {
		*r = sc(syscall(SYS_delete_module, a[0], num(op, a[1])));
	}
	return 1;
}

/* ---- net: socket operations ---- */

/* ADDR (see the top of the file) into @ss; returns its length */
static socklen_t net_addr(const char *op, const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_un *un = (struct sockaddr_un *)ss;
	char host[64];
	const char *colon;
	socklen_t len = sizeof(*ss);

	memset(ss, 0, sizeof(*ss));
	if (!strcmp(s, "unspec")) {
		ss->ss_family = AF_UNSPEC;
		return sizeof(sa_family_t);
	}
	if (!strncmp(s, "sock:", 5)) {
		if (getsockname(fd_of(op, s + 5), (struct sockaddr *)ss, &len))
			die(op, "getsockname");
		return len;
	}
	if (!strncmp(s, "unix:", 5)) {
		size_t n = strlen(s + 5);

		un->sun_family = AF_UNIX;
		if (n >= sizeof(un->sun_path))
			die(op, "unix path too long");
		memcpy(un->sun_path, s + 5, n);
		if (s[5] == '@') {	/* abstract: no trailing NUL counted */
			un->sun_path[0] = '\0';
			return offsetof(struct sockaddr_un, sun_path) + n;
		}
		return offsetof(struct sockaddr_un, sun_path) + n + 1;
	}
	colon = strrchr(s, ':');
	if (!colon || (size_t)(colon - s) >= sizeof(host))
		die(op, "bad address");
	memcpy(host, s, colon - s);
	host[colon - s] = '\0';
	if (host[0] == '[') {
		size_t n = strlen(host);

		if (n < 2 || host[n - 1] != ']')
			die(op, "bad IPv6 address");
		host[n - 1] = '\0';
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)num(op, colon + 1));
		if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) != 1)
			die(op, "bad IPv6 address");
		return sizeof(*in6);
	}
	in->sin_family = AF_INET;
	in->sin_port = htons((uint16_t)num(op, colon + 1));
	if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
		die(op, "bad IPv4 address");
	return sizeof(*in);
}

static long net_socket(const char *op, char **a)
{
	int dom = !strcmp(a[1], "inet") ? AF_INET : !strcmp(a[1], "inet6") ? AF_INET6 :
		  !strcmp(a[1], "unix") ? AF_UNIX : -1;
	int type = !strncmp(a[2], "stream", 6) ? SOCK_STREAM :
		   !strncmp(a[2], "dgram", 5) ? SOCK_DGRAM :
		   !strncmp(a[2], "seqpacket", 9) ? SOCK_SEQPACKET : -1;
	long r;

	if (dom < 0 || type < 0)
		die(op, "bad domain or type");
	if (strstr(a[2], "-nb"))
		type |= SOCK_NONBLOCK;
	r = sc(syscall(SYS_socket, dom, type, 0));
	if (r >= 0)
		slots[slot_index(op, a[0])] = (int)r;
	return r;
}

static long net_send(const char *op, char **a, int how)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	int fd = fd_of(op, a[0]), n = 1;
	char byte = 'x';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct mmsghdr mm[8];

	if (strcmp(a[1], "-"))
		len = net_addr(op, a[1], &ss);
	if (how == 0)
		return sc(syscall(SYS_sendto, fd, &byte, 1, 0, len ? &ss : NULL, len));
	if (how == 2) {
		n = (int)num(op, a[2]);
		if (n < 1 || n > 8)
			die(op, "1..8 messages");
	}
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < n; i++) {
		mm[i].msg_hdr.msg_name = len ? &ss : NULL;
		mm[i].msg_hdr.msg_namelen = len;
		mm[i].msg_hdr.msg_iov = &iov;
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	if (how == 1)
		return sc(syscall(SYS_sendmsg, fd, &mm[0].msg_hdr, 0));
	return sc(syscall(SYS_sendmmsg, fd, mm, n, 0));
}

static long net_op(const char *op, char **a)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (!strcmp(op, "socket"))
		return net_socket(op, a);
	if (!strcmp(op, "connect") || !strcmp(op, "bind")) {
		len = net_addr(op, a[1], &ss);
		return sc(syscall(!strcmp(op, "bind") ? SYS_bind : SYS_connect, fd_of(op, a[0]),
				  &ss, len));
	}
	if (!strcmp(op, "listen"))
		return sc(syscall(SYS_listen, fd_of(op, a[0]), num(op, a[1])));
	if (!strcmp(op, "accept") || !strcmp(op, "accept4")) {
		long r;

		len = sizeof(ss);
		if (!strcmp(op, "accept"))
			r = syscall(SYS_accept, fd_of(op, a[0]), &ss, &len);
		else
			r = syscall(SYS_accept4, fd_of(op, a[0]), &ss, &len, num(op, a[2]));
		r = sc(r);
		if (r >= 0)
			slots[slot_index(op, a[1])] = (int)r;
		return r;
	}
	if (!strcmp(op, "sendto"))
		return net_send(op, a, 0);
	if (!strcmp(op, "sendmsg"))
		return net_send(op, a, 1);
	if (!strcmp(op, "sendmmsg"))
		return net_send(op, a, 2);
	if (!strcmp(op, "localport")) {
		len = sizeof(ss);
		if (getsockname(fd_of(op, a[0]), (struct sockaddr *)&ss, &len))
			return -errno;
		if (ss.ss_family == AF_INET)
			return ntohs(((struct sockaddr_in *)&ss)->sin_port);
		if (ss.ss_family == AF_INET6)
			return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		return 0;
	}
	if (!strcmp(op, "connwait")) {
		struct pollfd p = { .fd = fd_of(op, a[0]), .events = POLLOUT };
		int e = 0;

		len = sizeof(e);
		if (poll(&p, 1, (int)num(op, a[1])) == 0)
			return -ETIMEDOUT;
		if (getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &e, &len))
			return -errno;
		return -e;
	}
	die(op, "not a net operation");
	return 0;
}
/* ---- end net ---- */

/* hash: dropper (see the top): exec a file and replace or delete it at once */
static long do_dropper(const char *op, char **a, int left)
{
	struct timespec t0, t1;
	long argc, r;
	pid_t pid;
	int st;

	if (left < 4)
		die(op, "missing arguments");
	argc = num(op, a[3]);
	if (argc < 0 || argc != left - 4)
		die(op, "ARGC must count the rest of the command line");
	if (strcmp(a[0], "rename") && strcmp(a[0], "unlink"))
		die(op, "HOW is rename or unlink");
	pid = vfork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		syscall(SYS_execve, a[1], &a[4], environ);
		_exit(127);
	}
	/* the child's exec got past its point of no return: vfork returned */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!strcmp(a[0], "rename"))
		r = sc(syscall(SYS_rename, a[2], a[1]));
	else
		r = sc(syscall(SYS_unlink, a[1]));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	put_result((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec));
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	if (r < 0)
		return r;
	return WIFEXITED(st) && WEXITSTATUS(st) == 127 ? -ENOEXEC : pid;
}

/* the number of arguments each operation takes; -1: exec (variable) */
static const struct {
	const char *name;
	int nargs;
} ops[] = {
	{ "wait", 0 },	    { "chdir", 1 },	{ "umask", 1 },	     { "dir", 2 },
	{ "open", 4 },	    { "openat", 5 },	{ "sysopen", 4 },    { "creat", 3 },
	{ "write", 2 },	    { "close", 1 },	{ "truncate", 2 },   { "ftruncate", 2 },
	{ "mkdir", 2 },	    { "mkdirat", 3 },	{ "mknod", 4 },	     { "mknodat", 5 },
	{ "unlink", 1 },    { "unlinkat", 3 },	{ "rmdir", 1 },	     { "rename", 2 },
	{ "renameat", 4 },  { "renameat2", 5 }, { "link", 2 },	     { "linkat", 5 },
	{ "symlink", 2 },   { "symlinkat", 3 }, { "chmod", 2 },	     { "fchmod", 2 },
	{ "fchmodat", 3 },  { "chown", 3 },	{ "lchown", 3 },     { "fchown", 3 },
	{ "fchownat", 5 },  { "fork", 1 },	{ "threads", 1 },    { "threads-exit", 2 },
	{ "exit", 1 },	    { "pause", 0 },	{ "storm", 2 },	     { "exec", -1 },
	{ "true", 0 },	    { "fchmodat2", 4 }, { "openat2", 5 },    { "leader-exit", 1 },
	{ "thread-exec", -1 }, { "dropper", -1 },
	/* net */
	{ "socket", 3 },    { "connect", 2 },	{ "bind", 2 },	     { "listen", 2 },
	{ "accept", 2 },    { "accept4", 3 },	{ "sendto", 2 },     { "sendmsg", 2 },
	{ "sendmmsg", 3 },  { "localport", 1 }, { "connwait", 2 },
};

static long run_op(const char *op, char **a, int left, int *used)
{
	int n = -2;
	long mem_r;

	if (mem_op(op, a, left, used, &mem_r))	/* mem */
		return mem_r;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(ops[i].name, op))
			n = ops[i].nargs;
	if (n == -2)
		die(op, "unknown operation");
	if (n >= 0 && left < n)
		die(op, "missing arguments");
	*used = n;

	if (!strcmp(op, "wait")) {
		char c;
		ssize_t r;

		while ((r = read(0, &c, 1)) < 0 && errno == EINTR)
			;
		return r;
	}
	if (!strcmp(op, "true"))
		return 0;
	if (!strcmp(op, "chdir"))
		return sc(syscall(SYS_chdir, a[0]));
	if (!strcmp(op, "umask"))
		return syscall(SYS_umask, num(op, a[0]));
	if (!strcmp(op, "dir")) {
		long r = sc(syscall(SYS_openat, AT_FDCWD, a[1], O_RDONLY | O_DIRECTORY, 0));

		if (r >= 0)
			slots[slot_index(op, a[0])] = (int)r;
		return r;
	}
	if (!strcmp(op, "openat2")) {
		struct open_how how;
		int s = slot_index(op, a[0]);
		long r;

		memset(&how, 0, sizeof(how));
		how.flags = (unsigned long)num(op, a[3]);
		how.mode = (unsigned long)num(op, a[4]);
		r = sc(syscall(SYS_openat2, fd_of(op, a[1]), a[2], &how, sizeof(how)));
		if (r >= 0)
			slots[s] = (int)r;
		return r;
	}
	if (!strcmp(op, "open") || !strcmp(op, "sysopen") || !strcmp(op, "openat") ||
	    !strcmp(op, "creat")) {
		int s = slot_index(op, a[0]);
		long r;

		if (!strcmp(op, "open"))
			r = syscall(SYS_openat, AT_FDCWD, a[1], num(op, a[2]), num(op, a[3]));
		else if (!strcmp(op, "sysopen"))
			r = syscall(SYS_open, a[1], num(op, a[2]), num(op, a[3]));
		else if (!strcmp(op, "creat"))
			r = syscall(SYS_creat, a[1], num(op, a[2]));
		else
			r = syscall(SYS_openat, fd_of(op, a[1]), a[2], num(op, a[3]),
				    num(op, a[4]));
		r = sc(r);
		if (r >= 0)
			slots[s] = (int)r;
		return r;
	}
	if (!strcmp(op, "write"))
		return do_write(fd_of(op, a[0]), num(op, a[1]));
	if (!strcmp(op, "close"))
		return sc(syscall(SYS_close, fd_of(op, a[0])));
	if (!strcmp(op, "truncate"))
		return sc(syscall(SYS_truncate, a[0], num(op, a[1])));
	if (!strcmp(op, "ftruncate"))
		return sc(syscall(SYS_ftruncate, fd_of(op, a[0]), num(op, a[1])));
	if (!strcmp(op, "mkdir"))
		return sc(syscall(SYS_mkdir, a[0], num(op, a[1])));
	if (!strcmp(op, "mkdirat"))
		return sc(syscall(SYS_mkdirat, fd_of(op, a[0]), a[1], num(op, a[2])));
	if (!strcmp(op, "mknod"))
		return sc(syscall(SYS_mknod, a[0], num(op, a[1]),
				  makedev(num(op, a[2]), num(op, a[3]))));
	if (!strcmp(op, "mknodat"))
		return sc(syscall(SYS_mknodat, fd_of(op, a[0]), a[1], num(op, a[2]),
				  makedev(num(op, a[3]), num(op, a[4]))));
	if (!strcmp(op, "unlink"))
		return sc(syscall(SYS_unlink, a[0]));
	if (!strcmp(op, "unlinkat"))
		return sc(syscall(SYS_unlinkat, fd_of(op, a[0]), a[1], num(op, a[2])));
	if (!strcmp(op, "rmdir"))
		return sc(syscall(SYS_rmdir, a[0]));
	if (!strcmp(op, "rename"))
		return sc(syscall(SYS_rename, a[0], a[1]));
	if (!strcmp(op, "renameat"))
		return sc(syscall(SYS_renameat, fd_of(op, a[0]), a[1], fd_of(op, a[2]), a[3]));
	if (!strcmp(op, "renameat2"))
		return sc(syscall(SYS_renameat2, fd_of(op, a[0]), a[1], fd_of(op, a[2]), a[3],
				  num(op, a[4])));
	if (!strcmp(op, "link"))
		return sc(syscall(SYS_link, a[0], a[1]));
	if (!strcmp(op, "linkat"))
		return sc(syscall(SYS_linkat, fd_of(op, a[0]), a[1], fd_of(op, a[2]), a[3],
				  num(op, a[4])));
	if (!strcmp(op, "symlink"))
		return sc(syscall(SYS_symlink, a[0], a[1]));
	if (!strcmp(op, "symlinkat"))
		return sc(syscall(SYS_symlinkat, a[0], fd_of(op, a[1]), a[2]));
	if (!strcmp(op, "chmod"))
		return sc(syscall(SYS_chmod, a[0], num(op, a[1])));
	if (!strcmp(op, "fchmod"))
		return sc(syscall(SYS_fchmod, fd_of(op, a[0]), num(op, a[1])));
	if (!strcmp(op, "fchmodat"))
		return sc(syscall(SYS_fchmodat, fd_of(op, a[0]), a[1], num(op, a[2])));
	if (!strcmp(op, "fchmodat2"))
		return sc(syscall(SYS_fchmodat2, fd_of(op, a[0]), a[1], num(op, a[2]),
				  num(op, a[3])));
	if (!strcmp(op, "chown"))
		return sc(syscall(SYS_chown, a[0], num(op, a[1]), num(op, a[2])));
	if (!strcmp(op, "lchown"))
		return sc(syscall(SYS_lchown, a[0], num(op, a[1]), num(op, a[2])));
	if (!strcmp(op, "fchown"))
		return sc(syscall(SYS_fchown, fd_of(op, a[0]), num(op, a[1]), num(op, a[2])));
	if (!strcmp(op, "fchownat"))
		return sc(syscall(SYS_fchownat, fd_of(op, a[0]), a[1], num(op, a[2]),
				  num(op, a[3]), num(op, a[4])));
	if (!strcmp(op, "fork"))
		return do_fork(op, num(op, a[0]));
	if (!strcmp(op, "threads"))
		return start_threads(op, num(op, a[0]), thread_quick, 1);
	if (!strcmp(op, "threads-exit")) {
		long code = num(op, a[1]);

		if (pipe(block_pipe))
			die(op, "pipe");
		start_threads(op, num(op, a[0]), thread_block, 0);
		syscall(SYS_exit_group, code);
		die(op, "exit_group returned");
	}
	if (!strcmp(op, "leader-exit")) {
		pthread_t tid;

		if (pipe(block_pipe))
			die(op, "pipe");
		if (pthread_create(&tid, NULL, thread_leader_exit, (void *)num(op, a[0])))
			die(op, "pthread_create");
		if (write(block_pipe[1], "x", 1) != 1)
			die(op, "write");
		pthread_exit(NULL);
	}
	if (!strcmp(op, "thread-exec")) {
		static struct exec_args ea;
		pthread_t tid;
		long argc;

		if (left < 2)
			die(op, "missing arguments");
		argc = num(op, a[1]);
		if (argc < 0 || argc != left - 2)
			die(op, "ARGC must count the rest of the command line");
		ea.path = a[0];
		ea.argv = &a[2];
		if (pthread_create(&tid, NULL, thread_exec, &ea))
			die(op, "pthread_create");
		pthread_join(tid, NULL);	/* never returns: the exec ends this image */
		die(op, "the exec did not happen");
	}
	if (!strcmp(op, "exit")) {
		syscall(SYS_exit_group, num(op, a[0]));
		die(op, "exit_group returned");
	}
	if (!strcmp(op, "pause")) {
		for (;;)
			pause();
	}
	if (!strcmp(op, "storm"))
		return do_storm(op, fd_of(op, a[0]), num(op, a[1]));
	/* net */
	if (!strcmp(op, "socket") || !strcmp(op, "connect") || !strcmp(op, "bind") ||
	    !strcmp(op, "listen") || !strcmp(op, "accept") || !strcmp(op, "accept4") ||
	    !strcmp(op, "sendto") || !strcmp(op, "sendmsg") || !strcmp(op, "sendmmsg") ||
	    !strcmp(op, "localport") || !strcmp(op, "connwait"))
		return net_op(op, a);
	if (!strcmp(op, "dropper"))
		return do_dropper(op, a, left);
	if (!strcmp(op, "exec")) {
		long argc;

		if (left < 2)
			die(op, "missing arguments");
		argc = num(op, a[1]);
		if (argc < 0 || argc != left - 2)
			die(op, "ARGC must count the rest of the command line");
		syscall(SYS_execve, a[0], &a[2], environ);
		return -errno;	/* only on failure */
	}
	die(op, "not implemented");
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1;

	for (int s = 0; s < NSLOTS; s++)
		slots[s] = -1;
	while (i < argc) {
		const char *op = argv[i];
		int optional = op[0] == '?';
		int used = 0;
		long r;

		if (optional)
			op++;
		r = run_op(op, argv + i + 1, argc - i - 1, &used);
		put_result(r);
		if (r < 0 && !optional) {
			dprintf(2, "e2e-helper: %s failed: %s\n", op, strerror((int)-r));
			return 99;
		}
		if (used < 0)	/* a failed exec, a dropper: the rest was the image's argv */
			break;
		i += 1 + used;
	}
	return 0;
}
