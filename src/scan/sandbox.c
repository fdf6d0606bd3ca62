// SPDX-License-Identifier: MIT
/*
 * sandbox - model scans in pre-forked, unprivileged, seccomp-confined
 * worker processes (see sandbox.h and docs/models.md).
 *
 * Processes:
 *
 *   agent ──(zygote socket)── zygote ──fork──> worker 0, worker 1, ...
 *     │                                          │
 *     └──────────── one socketpair per worker ───┘  (SOCK_SEQPACKET)
 *
 * scanner_new forks the zygote first, while the caller is still single
 * threaded. The zygote never starts a thread, so it can fork workers at any
 * time, including after the agent has threads (a worker forked straight from
 * a threaded agent could inherit a lock held by another thread). The zygote
 * keeps root: it forks and reaps, nothing else. A worker drops to the
 * unprivileged user, limits itself and loads its seccomp filter before it
 * says "ready"; the zygote passes the agent's end of the worker's
 * socketpair back over the zygote socket (SCM_RIGHTS).
 *
 * Each worker is driven by one dispatcher thread in the agent. A request is
 * sent with the file descriptor attached; the thread waits for the fixed
 * size struct scan_report, with a wall-clock deadline. A worker that does
 * not answer in time is killed; one that dies (EOF on its socket) is reaped
 * through the zygote, whose wait status names the signal. Either way the
 * request gets a SCAN_ERROR report and the worker is replaced. A worker
 * scans one file and exits; its replacement is forked before the result is
 * delivered, so an idle, confined worker is always waiting. A worker pid
 * cannot be reused while we may still kill it: the zygote reaps a worker
 * only when the agent asks, after the kill.
 *
 * Invariants: s->outstanding counts requests accepted by scanner_submit and
 * not yet taken by scanner_next (queued, running or finished), so the queue
 * and the result list together never hold more than queue_max entries. Per
 * user (struct uslot), outstanding is bounded by uid_max and running (scans
 * a dispatcher took) by run_max; a slot is free when both are zero. The
 * eventfd is non-zero exactly when the result list is non-empty (both are
 * changed under s->mu).
 */
#include "scan/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>

#include "log.h"

#if defined(__SANITIZE_ADDRESS__)
#define SB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SB_ASAN 1
#endif
#endif
#ifndef SB_ASAN
#define SB_ASAN 0
#endif

#define SB_MAGIC 0x4c54534eu		/* request and ready messages */
#define SB_WORKER_FD 3			/* the worker's socket, after it closed the rest */
#define SB_NOFILE 8			/* the socket, the file being scanned, slack */
#define SB_READY_MS 10000		/* a new worker must be ready by then */
#define SB_CACHE_BYTES (16u << 20)	/* cached reports, all together */
#define SB_MAX_KIDS 256			/* workers alive at once, per zygote */
#define SB_WORKERS_MAX 64
#define SB_UIDS 64			/* users with requests outstanding at once */

struct sb_request_msg {
	uint32_t magic;
	uint32_t cpu_ms;		/* CPU time allowed for this scan */
	char name[SCANNER_NAME_MAX];	/* a hint for the sniffer, NUL-terminated */
};

struct sb_ready_msg {
	uint32_t magic;
	int32_t err;			/* 0, or the -errno of the step that failed */
	char what[64];			/* that step */
};

enum { ZY_SPAWN = 1, ZY_REAP = 2 };

struct zy_msg {
	uint32_t op;
	int32_t pid;
	int32_t status;			/* ZY_REAP answer: the wait status */
	int32_t err;			/* 0 or -errno */
};

/* what a worker needs to know, fixed before the zygote is forked */
struct sb_cfg {
	bool drop;			/* switch to uid/gid (only as root) */
	uid_t uid;
	gid_t gid;
	uint64_t mem_limit;		/* 0: none (sanitizer builds) */
};

struct request {
	struct request *next;
	int fd;
	uint32_t uid;			/* whose load it is (fair share) */
	uint64_t cookie;
	bool keyed;
	uint8_t key[32];
	char name[SCANNER_NAME_MAX];
	struct waiter *w;		/* scanner_scan_sync's, or NULL */
	struct stat st0;		/* the file when it was submitted */
	bool have_st0;
};

struct waiter {
	bool done;
	int ret;
	struct scan_report *r;
};

struct result {
	struct result *next;
	uint32_t uid;
	uint64_t cookie;
	struct scan_report r;
};

struct cache_ent {
	struct cache_ent *hnext;	/* bucket chain */
	struct cache_ent *prev, *next;	/* LRU list, most recent first */
	uint8_t key[32];
	size_t bytes;
	struct scan_report *rep;	/* truncated after its nfindings findings */
};

/*
 * one user's share: requests outstanding (the queue bound, per user) and
 * scans running (at most run_max: one user never holds every worker)
 */
struct uslot {
	bool used;
	uint32_t uid;
	unsigned outstanding;
	unsigned running;
};

struct worker {
	struct scanner *s;
	unsigned idx;
	pid_t pid;			/* 0 when there is none */
	int sock;			/* -1 when there is none */
	pthread_t th;
	bool started;
};

struct scanner {
	struct scanner_opts o;
	struct sb_cfg cfg;
	pthread_mutex_t mu;
	pthread_cond_t req_cv;		/* a request was queued, or stopping */
	pthread_cond_t done_cv;		/* a sync request finished */
	struct request *qhead, *qtail;
	struct result *rhead, *rtail;
	unsigned outstanding;
	struct uslot us[SB_UIDS];
	unsigned uid_max;		/* outstanding per user */
	unsigned run_max;		/* running per user */
	bool stopping;
	int efd;			/* results are waiting */
	int stop_efd;			/* wakes dispatchers blocked on a worker */
	pthread_mutex_t zy_mu;		/* one zygote conversation at a time */
	int zy_sock;
	pid_t zy_pid;
	struct worker w[SB_WORKERS_MAX];
	unsigned nw;
	/* the verdict cache */
	struct cache_ent **buckets;
	size_t nbuckets;
	struct cache_ent *lru_head, *lru_tail;
	size_t cache_bytes;
	struct scanner_stats st;
};

/* ---- small helpers ------------------------------------------------------------ */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void copy_name(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

/* send one message with an optional descriptor attached; 0 or -errno */
static int send_with_fd(int sock, const void *buf, size_t len, int fd)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		m.msg_control = u.b;
		m.msg_controllen = sizeof(u.b);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);

		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	ssize_t n;

	do
		n = sendmsg(sock, &m, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

/*
 * receive one message (and a descriptor, when @fd is not NULL: *@fd is -1
 * when none came). Returns the length, 0 at EOF, -EMSGSIZE for a message
 * longer than @len, or -errno.
 */
static ssize_t recv_with_fd(int sock, void *buf, size_t len, int *fd)
{
	union {
		char b[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
			    .msg_controllen = sizeof(u.b) };
	ssize_t n;

	if (fd)
		*fd = -1;
	do
		n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		for (size_t i = 0; i < nfd; i++) {
			int got;

			memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (fd && *fd < 0)
				*fd = got;
			else
				close(got);	/* more than we asked for */
		}
	}
	if (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		if (fd && *fd >= 0) {
			close(*fd);
			*fd = -1;
		}
		return -EMSGSIZE;
	}
	return n;
}

/* ---- the seccomp filter --------------------------------------------------------- */

#define ALLOW(nr, ...)                                                                  \
	do {                                                                            \
		if (!rc)                                                                \
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(nr), __VA_ARGS__); \
	} while (0)

int scanner_seccomp_apply(int sock)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc = 0;

	if (!ctx)
		return -ENOMEM;
	/* requests in, reports out: on the worker's own socket only */
	ALLOW(recvmsg, 1, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)sock));
	ALLOW(sendmsg, 1, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)sock));
	/* scan_fd: fstat and a read-only mapping of the received descriptor */
	ALLOW(fstat, 0);
	ALLOW(newfstatat, 1, SCMP_A3(SCMP_CMP_EQ, AT_EMPTY_PATH));
	ALLOW(close, 0);
	/* memory: never executable */
	ALLOW(mmap, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	ALLOW(mprotect, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	ALLOW(munmap, 0);
	ALLOW(mremap, 0);
	ALLOW(brk, 0);
	ALLOW(madvise, 0);
	/* pthread_once (a parser's lazily sorted tables) wakes waiters: there are none */
	ALLOW(futex, 1, SCMP_A1(SCMP_CMP_EQ, FUTEX_WAKE_PRIVATE));
	/*
	 * glibc's qsort asks sysinfo for the RAM size to size a buffer and
	 * copes with a failure: it gets ENOSYS, not the host's figures
	 */
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(sysinfo), 0);
	/* the per-request limits; unprivileged, it can only lower them */
	ALLOW(prlimit64, 2, SCMP_A0(SCMP_CMP_EQ, 0), SCMP_A1(SCMP_CMP_EQ, RLIMIT_AS));
	ALLOW(prlimit64, 2, SCMP_A0(SCMP_CMP_EQ, 0), SCMP_A1(SCMP_CMP_EQ, RLIMIT_CPU));
	ALLOW(rt_sigreturn, 0);
	ALLOW(clock_gettime, 0);
	ALLOW(exit_group, 0);
	ALLOW(exit, 0);
	/* abort() (a failed assertion in a parser) kills only this process */
	ALLOW(rt_sigprocmask, 0);
	ALLOW(getpid, 0);
	ALLOW(gettid, 0);
	ALLOW(tgkill, 1, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
#if SB_ASAN
	/* sanitizer builds: the runtime writes its report to stderr, then dies */
	ALLOW(write, 1, SCMP_A0(SCMP_CMP_EQ, 2));
	ALLOW(futex, 1, SCMP_A1(SCMP_CMP_NE, FUTEX_WAKE_PRIVATE));
	ALLOW(sched_yield, 0);
	ALLOW(sigaltstack, 0);	/* the runtime's exit path looks at its signal stack */
#endif
	if (!rc)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}

#undef ALLOW

/* ---- the worker (a child of the zygote) ----------------------------------------- */

static struct scan_report wk_report;	/* static: no allocation per request */

static void __attribute__((noreturn)) worker_fail(int sock, int err, const char *what)
{
	struct sb_ready_msg m = { .magic = SB_MAGIC, .err = err };

	copy_name(m.what, sizeof(m.what), what);
	send_with_fd(sock, &m, sizeof(m), -1);
	_exit(3);
}

static int set_limit(int res, rlim_t v)
{
	struct rlimit rl = { v, v };

	return setrlimit(res, &rl) ? -errno : 0;
}

/*
 * the limits of one scan: CPU seconds (SIGXCPU, then SIGKILL a second
 * later), and the address space: the configured memory plus the read-only
 * mapping of the file (rounded up to 1 MiB), which the parser cannot fill.
 * Soft and hard alike: without privileges they cannot be raised again.
 */
static int limit_request(const struct sb_cfg *cfg, int fd, uint32_t cpu_ms)
{
	struct rlimit cpu = { cpu_ms / 1000 + 1, cpu_ms / 1000 + 2 };
	struct stat st;

	if (setrlimit(RLIMIT_CPU, &cpu))
		return -errno;
	if (!cfg->mem_limit)
		return 0;
	if (fstat(fd, &st))
		return -errno;
	uint64_t lim = cfg->mem_limit, sz = 0;

	if (st.st_size > 0)
		sz = ((uint64_t)st.st_size + 0xfffff) & ~(uint64_t)0xfffff;
	lim = sz > UINT64_MAX - lim ? UINT64_MAX : lim + sz;
	return set_limit(RLIMIT_AS, (rlim_t)lim);
}

static void __attribute__((noreturn)) worker_main(int sock, const struct sb_cfg *cfg)
{
	struct sb_request_msg req;
	sigset_t all;
	pid_t zygote = getppid();

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "ltrack-scan");
	if (sock != SB_WORKER_FD) {
		if (dup2(sock, SB_WORKER_FD) < 0)
			_exit(3);
		sock = SB_WORKER_FD;
	}
	/* nothing of the agent's stays open; stderr only where a sanitizer reports */
	close_range(SB_WORKER_FD + 1, ~0U, 0);
	close_range(0, SB_ASAN ? 1 : 2, 0);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);

	if (set_limit(RLIMIT_NOFILE, SB_NOFILE) || set_limit(RLIMIT_FSIZE, 0) ||
	    set_limit(RLIMIT_CORE, 0))
		worker_fail(sock, -errno, "setrlimit");
	if (cfg->drop) {
		if (setgroups(0, NULL))
			worker_fail(sock, -errno, "setgroups");
		if (setresgid(cfg->gid, cfg->gid, cfg->gid))
			worker_fail(sock, -errno, "setresgid");
		if (setresuid(cfg->uid, cfg->uid, cfg->uid))
			worker_fail(sock, -errno, "setresuid");
	}
	/*
	 * a change of credentials clears the parent-death signal: set again,
	 * then make sure the zygote did not die before it was (a worker that
	 * outlives it is nobody's: reparented, no longer excluded as ltrack's)
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != zygote)
		_exit(3);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		worker_fail(sock, -errno, "no_new_privs");
	if (prctl(PR_SET_DUMPABLE, 0))
		worker_fail(sock, -errno, "dumpable");
	/* malloc's first use makes syscalls of its own: make them before the filter */
	free(malloc(1 << 20));
	memset(&wk_report, 0, sizeof(wk_report));
	int rc = scanner_seccomp_apply(sock);

	if (rc)
		worker_fail(sock, rc, "seccomp");
	{
		struct sb_ready_msg ok = { .magic = SB_MAGIC };

		if (send_with_fd(sock, &ok, sizeof(ok), -1))
			_exit(3);
	}
	int fd;
	ssize_t n = recv_with_fd(sock, &req, sizeof(req), &fd);

	if (n == 0)
		_exit(0);	/* the agent closed: done */
	if (n < 0 && n != -EMSGSIZE)
		_exit(3);
	scan_report_init(&wk_report);
	if (n != (ssize_t)sizeof(req) || req.magic != SB_MAGIC || fd < 0) {
		scan_set_error(&wk_report, "bad request");
	} else if ((rc = limit_request(cfg, fd, req.cpu_ms))) {
		scan_set_error(&wk_report, "worker limits: %s", strerror(-rc));
	} else {
		struct scan_limits lim;
		struct timespec ts;

		/*
		 * the soft deadline: four fifths of the agent's hard one, so a
		 * scan that runs out of time still reports what it found
		 * ("dangerous", incomplete) instead of being killed with nothing
		 */
		scan_limits_default(&lim);
		lim.deadline_ms = req.cpu_ms - req.cpu_ms / 5;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		lim.deadline_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec +
				  (uint64_t)lim.deadline_ms * 1000000ull;
		req.name[sizeof(req.name) - 1] = '\0';
		scan_fd(fd, req.name[0] ? req.name : NULL, &lim, &wk_report);
	}
	if (send_with_fd(sock, &wk_report, sizeof(wk_report), -1))
		_exit(3);
	_exit(0);	/* one file per worker: nothing a file did survives it */
}

/* ---- the zygote ------------------------------------------------------------------ */

static void __attribute__((noreturn)) zygote_main(int sock, pid_t parent, const struct sb_cfg *cfg)
{
	pid_t kids[SB_MAX_KIDS];
	unsigned nkids = 0;
	struct zy_msg m;
	sigset_t none;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	prctl(PR_SET_NAME, "ltrack-zygote");
	/* the agent's dispositions and mask are not the workers' business */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (sock != SB_WORKER_FD + 1) {
		if (dup2(sock, SB_WORKER_FD + 1) < 0)
			_exit(3);
		sock = SB_WORKER_FD + 1;
	}
	close_range(sock + 1, ~0U, 0);
	close_range(3, sock - 1, 0);

	for (;;) {
		ssize_t n = recv_with_fd(sock, &m, sizeof(m), NULL);

		if (n <= 0 && n != -EMSGSIZE)
			break;
		if (n != (ssize_t)sizeof(m))
			continue;
		if (m.op == ZY_SPAWN) {
			int sv[2];
			pid_t pid;

			m.err = 0;
			m.pid = 0;
			if (nkids >= SB_MAX_KIDS) {
				m.err = -EAGAIN;
			} else if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
				m.err = -errno;
			} else if ((pid = fork()) < 0) {
				m.err = -errno;
				close(sv[0]);
				close(sv[1]);
			} else if (pid == 0) {
				close(sv[0]);
				/* fd 3 of the worker: keep sv[1] out of its way first */
				if (sv[1] == SB_WORKER_FD) {
					int d = fcntl(sv[1], F_DUPFD_CLOEXEC, SB_WORKER_FD + 2);

					if (d < 0)
						_exit(3);
					sv[1] = d;
				}
				worker_main(sv[1], cfg);
			} else {
				close(sv[1]);
				kids[nkids++] = pid;
				m.pid = pid;
				send_with_fd(sock, &m, sizeof(m), sv[0]);
				close(sv[0]);
				continue;
			}
			send_with_fd(sock, &m, sizeof(m), -1);
		} else if (m.op == ZY_REAP) {
			int st = 0;
			unsigned i;

			for (i = 0; i < nkids && kids[i] != m.pid; i++)
				;
			m.err = 0;
			if (i == nkids) {
				m.err = -ECHILD;	/* never ours: never wait for a stranger */
			} else {
				while (waitpid(m.pid, &st, 0) < 0 && errno == EINTR)
					;
				kids[i] = kids[--nkids];
			}
			m.status = st;
			send_with_fd(sock, &m, sizeof(m), -1);
		}
	}
	for (unsigned i = 0; i < nkids; i++)
		kill(kids[i], SIGKILL);
	for (unsigned i = 0; i < nkids; i++)
		waitpid(kids[i], NULL, 0);
	_exit(0);
}

/* one request-answer exchange with the zygote; 0 or -errno */
static int zygote_call(struct scanner *s, struct zy_msg *m, int *fd)
{
	int rc;

	pthread_mutex_lock(&s->zy_mu);
	rc = send_with_fd(s->zy_sock, m, sizeof(*m), -1);
	if (!rc) {
		ssize_t n = recv_with_fd(s->zy_sock, m, sizeof(*m), fd);

		if (n < 0)
			rc = (int)n;
		else if (n != (ssize_t)sizeof(*m))
			rc = -EPIPE;	/* EOF or nonsense: the zygote is gone */
		else
			rc = m->err;
	}
	pthread_mutex_unlock(&s->zy_mu);
	if (rc && fd && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

/* reap a dead (or killed) worker; its wait status, or -1 when unknown */
static int worker_reap(struct scanner *s, struct worker *w)
{
	struct zy_msg m = { .op = ZY_REAP, .pid = w->pid };
	int st = -1;

	if (w->pid > 0 && zygote_call(s, &m, NULL) == 0)
		st = m.status;
	if (w->sock >= 0)
		close(w->sock);
	pthread_mutex_lock(&s->mu);
	w->sock = -1;
	w->pid = 0;
	pthread_mutex_unlock(&s->mu);
	return st;
}

static void worker_kill(struct scanner *s, struct worker *w)
{
	if (w->pid > 0)
		kill(w->pid, SIGKILL);	/* not reaped yet: the pid is still this worker's */
	worker_reap(s, w);
}

/* wait for @fd to be readable until @deadline (ms); 1 ready, 0 timeout, -ECANCELED stop */
static int wait_readable(struct scanner *s, int fd, uint64_t deadline)
{
	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
				       { .fd = s->stop_efd, .events = POLLIN } };
		uint64_t now = now_ms();
		int n;

		if (now >= deadline)
			return 0;
		n = poll(p, 2, (int)(deadline - now > 60000 ? 60000 : deadline - now));
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0 && p[1].revents)
			return -ECANCELED;
		if (n > 0 && p[0].revents)
			return 1;
	}
}

/* start a worker in slot @w; 0 or -errno with @why */
static int worker_spawn(struct scanner *s, struct worker *w, char *why, size_t whylen)
{
	struct zy_msg m = { .op = ZY_SPAWN };
	struct sb_ready_msg ready;
	int fd = -1, rc;

	rc = zygote_call(s, &m, &fd);
	if (rc) {
		snprintf(why, whylen, "zygote: %s", strerror(-rc));
		return rc;
	}
	if (fd < 0) {
		snprintf(why, whylen, "zygote sent no socket");
		return -EPROTO;
	}
	pthread_mutex_lock(&s->mu);
	w->pid = m.pid;
	w->sock = fd;
	s->st.spawned++;
	pthread_mutex_unlock(&s->mu);
	rc = wait_readable(s, fd, now_ms() + SB_READY_MS);
	if (rc == 1) {
		ssize_t n = recv_with_fd(fd, &ready, sizeof(ready), NULL);

		if (n == (ssize_t)sizeof(ready) && ready.magic == SB_MAGIC && ready.err == 0)
			return 0;
		ready.what[sizeof(ready.what) - 1] = '\0';
		if (n == (ssize_t)sizeof(ready) && ready.magic == SB_MAGIC) {
			rc = ready.err < 0 ? ready.err : -EPROTO;
			snprintf(why, whylen, "worker setup: %s: %s", ready.what, strerror(-rc));
		} else {
			rc = -EPROTO;
			snprintf(why, whylen, "worker died during setup");
		}
	} else {
		rc = rc == 0 ? -ETIMEDOUT : rc;
		snprintf(why, whylen, "worker setup: %s", strerror(-rc));
	}
	worker_kill(s, w);
	return rc;
}

/* ---- one scan on the agent side ---------------------------------------------- */

static bool str_ok(const char *p, size_t n)
{
	return memchr(p, '\0', n) != NULL;
}

bool scanner_report_valid(const struct scan_report *r)
{
	if ((unsigned)r->verdict > SCAN_VERDICT_MAX || (unsigned)r->format >= MF_COUNT ||
	    r->nfindings > SCAN_MAX_FINDINGS || !str_ok(r->error, sizeof(r->error)))
		return false;
	for (uint32_t i = 0; i < r->nfindings; i++) {
		const struct scan_finding *f = &r->findings[i];

		if ((unsigned)f->severity > SCAN_VERDICT_MAX || !str_ok(f->member, sizeof(f->member)) ||
		    !str_ok(f->global, sizeof(f->global)) || !str_ok(f->why, sizeof(f->why)))
			return false;
	}
	return true;
}

static void describe_death(int st, char *buf, size_t n)
{
	if (st < 0) {
		snprintf(buf, n, "worker crashed");
	} else if (WIFSIGNALED(st)) {
		const char *abbr = sigabbrev_np(WTERMSIG(st));

		if (WTERMSIG(st) == SIGPROF || WTERMSIG(st) == SIGXCPU)
			snprintf(buf, n, "timed out (CPU time)");
		else if (abbr)
			snprintf(buf, n, "worker crashed: SIG%s", abbr);
		else
			snprintf(buf, n, "worker crashed: signal %d", WTERMSIG(st));
	} else {
		snprintf(buf, n, "worker crashed: exit status %d", WEXITSTATUS(st));
	}
}

/* scan @q in worker @w; fills @r (SCAN_ERROR on any failure). 0 or -errno */
static int run_one(struct scanner *s, struct worker *w, const struct request *q,
		   struct scan_report *r)
{
	struct sb_request_msg msg = { .magic = SB_MAGIC, .cpu_ms = s->o.timeout_ms };
	char why[SCAN_WHY_MAX];
	int rc;

	scan_report_init(r);
	if (w->sock < 0) {
		rc = worker_spawn(s, w, why, sizeof(why));
		if (rc) {
			scan_set_error(r, "no scan worker: %s", why);
			return rc;
		}
	}
	copy_name(msg.name, sizeof(msg.name), q->name);
	rc = send_with_fd(w->sock, &msg, sizeof(msg), q->fd);
	if (rc == 0)
		rc = wait_readable(s, w->sock, now_ms() + s->o.timeout_ms);
	else
		rc = 1;		/* the worker is gone: its socket says EOF now */
	if (rc == 0 || rc == -ECANCELED || rc < 0) {
		worker_kill(s, w);
		pthread_mutex_lock(&s->mu);
		s->st.timeouts += rc == 0;
		pthread_mutex_unlock(&s->mu);
		if (rc == 0) {
			scan_set_error(r, "timed out after %u ms", s->o.timeout_ms);
			return -ETIMEDOUT;
		}
		scan_set_error(r, "scan cancelled: %s", strerror(-rc));
		return rc;
	}
	ssize_t n = recv_with_fd(w->sock, r, sizeof(*r), NULL);

	if (n == (ssize_t)sizeof(*r) && scanner_report_valid(r)) {
		/*
		 * it exits after one file, but that is its word: killed now, so
		 * a worker that reports and then stays cannot hold the
		 * zygote's wait (security review, finding 10a)
		 */
		worker_kill(s, w);
		return 0;
	}
	if (n == 0 || n == -ECONNRESET) {
		int st = worker_reap(s, w);

		describe_death(st, why, sizeof(why));
		pthread_mutex_lock(&s->mu);
		s->st.crashes++;
		pthread_mutex_unlock(&s->mu);
		scan_report_init(r);
		scan_set_error(r, "%s", why);
		return -ECHILD;
	}
	/* a worker that says something else is not to be trusted again */
	worker_kill(s, w);
	pthread_mutex_lock(&s->mu);
	s->st.malformed++;
	pthread_mutex_unlock(&s->mu);
	scan_report_init(r);
	scan_set_error(r, "worker sent a malformed report");
	return -EPROTO;
}

/* ---- the verdict cache ------------------------------------------------------------ */

static size_t key_bucket(const struct scanner *s, const uint8_t key[32])
{
	uint64_t h;

	memcpy(&h, key, sizeof(h));	/* a digest: its bytes are already uniform */
	return (size_t)(h & (s->nbuckets - 1));
}

static struct cache_ent *cache_find(struct scanner *s, const uint8_t key[32])
{
	for (struct cache_ent *e = s->buckets[key_bucket(s, key)]; e; e = e->hnext)
		if (!memcmp(e->key, key, 32))
			return e;
	return NULL;
}

static void lru_unlink(struct scanner *s, struct cache_ent *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		s->lru_head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		s->lru_tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_push(struct scanner *s, struct cache_ent *e)
{
	e->prev = NULL;
	e->next = s->lru_head;
	if (s->lru_head)
		s->lru_head->prev = e;
	s->lru_head = e;
	if (!s->lru_tail)
		s->lru_tail = e;
}

static void cache_drop(struct scanner *s, struct cache_ent *e)
{
	struct cache_ent **pp = &s->buckets[key_bucket(s, e->key)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	lru_unlink(s, e);
	s->cache_bytes -= e->bytes;
	s->st.cache_entries--;
	free(e->rep);
	free(e);
}

/* under s->mu */
static bool cache_get(struct scanner *s, const uint8_t key[32], struct scan_report *r)
{
	struct cache_ent *e = cache_find(s, key);

	if (!e) {
		s->st.cache_misses++;
		return false;
	}
	s->st.cache_hits++;
	lru_unlink(s, e);
	lru_push(s, e);
	scan_report_init(r);
	memcpy(r, e->rep, e->bytes);
	return true;
}

/* under s->mu; a report that cannot be kept is simply not cached */
static void cache_put(struct scanner *s, const uint8_t key[32], const struct scan_report *r)
{
	size_t bytes = offsetof(struct scan_report, findings) +
		       (size_t)r->nfindings * sizeof(struct scan_finding);
	struct cache_ent *e = cache_find(s, key);

	if (e)
		cache_drop(s, e);
	while (s->lru_tail && (s->st.cache_entries >= s->o.cache_entries ||
			       s->cache_bytes + bytes > SB_CACHE_BYTES)) {
		cache_drop(s, s->lru_tail);
		s->st.cache_evicted++;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return;
	e->rep = malloc(bytes);
	if (!e->rep) {
		free(e);
		return;
	}
	memcpy(e->rep, r, bytes);
	memcpy(e->key, key, 32);
	e->bytes = bytes;
	size_t b = key_bucket(s, key);

	e->hnext = s->buckets[b];
	s->buckets[b] = e;
	lru_push(s, e);
	s->cache_bytes += bytes;
	s->st.cache_entries++;
}

static int parse_sha256(const char *hex, uint8_t out[32])
{
	for (int i = 0; i < 64; i++) {
		char c = hex[i];
		int v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return -EINVAL;
		if (i & 1)
			out[i / 2] |= (uint8_t)v;
		else
			out[i / 2] = (uint8_t)(v << 4);
	}
	return hex[64] == '\0' ? 0 : -EINVAL;
}

/* ---- results and the dispatcher threads ------------------------------------------ */

/* the share of @uid (created when @create), or NULL; under s->mu */
static struct uslot *uslot(struct scanner *s, uint32_t uid, bool create)
{
	struct uslot *free_slot = NULL;

	for (unsigned i = 0; i < SB_UIDS; i++) {
		if (s->us[i].used && s->us[i].uid == uid)
			return &s->us[i];
		if (!s->us[i].used && !free_slot)
			free_slot = &s->us[i];
	}
	if (!create || !free_slot)
		return NULL;
	*free_slot = (struct uslot){ .used = true, .uid = uid };
	return free_slot;
}

static void uslot_release(struct uslot *u)
{
	if (u && !u->outstanding && !u->running)
		u->used = false;
}

/*
 * pick - the next request to scan, under s->mu: among the users below
 * their running share, the one with the fewest scans running, its oldest
 * request. NULL when none may run now. A user's backlog therefore never
 * holds every worker, and waits its turn behind other users' single loads.
 */
static struct request *pick(struct scanner *s)
{
	struct request **best = NULL, **pp;
	unsigned best_run = ~0u;

	for (pp = &s->qhead; *pp; pp = &(*pp)->next) {
		struct uslot *u = uslot(s, (*pp)->uid, false);
		unsigned run = u ? u->running : 0;

		if (run >= s->run_max || run >= best_run)
			continue;
		best = pp;
		best_run = run;
		if (!run)
			break;
	}
	if (!best)
		return NULL;
	struct request *q = *best;

	*best = q->next;
	if (s->qtail == q) {
		s->qtail = NULL;
		for (struct request *r = s->qhead; r; r = r->next)
			s->qtail = r;
	}
	q->next = NULL;
	return q;
}

/* under s->mu */
static void push_result(struct scanner *s, struct result *res)
{
	uint64_t one = 1;

	res->next = NULL;
	if (s->rtail)
		s->rtail->next = res;
	else
		s->rhead = res;
	s->rtail = res;
	if (write(s->efd, &one, sizeof(one)) != sizeof(one))
		s->st.wake_errors++;
}

static void finish(struct scanner *s, struct request *q, int ret, const struct scan_report *r)
{
	struct result *res = NULL;

	if (!q->w) {
		res = malloc(sizeof(*res));
		if (res) {
			res->cookie = q->cookie;
			res->uid = q->uid;
			res->r = *r;
		}
	}
	pthread_mutex_lock(&s->mu);
	s->st.scanned++;
	{
		struct uslot *u = uslot(s, q->uid, false);

		if (u && u->running)
			u->running--;
		if (u && !q->w && !res && u->outstanding)
			u->outstanding--;
		uslot_release(u);
		pthread_cond_broadcast(&s->req_cv);	/* that user may run another */
	}
	/* what the parsers said depends on the bytes alone; a sandbox failure may not recur */
	if (q->keyed && ret == 0)
		cache_put(s, q->key, r);
	if (q->w) {
		*q->w->r = *r;
		q->w->ret = ret;
		q->w->done = true;
		pthread_cond_broadcast(&s->done_cv);
	} else if (res) {
		push_result(s, res);
	} else {
		s->outstanding--;	/* the result is lost for want of memory: counted */
		s->st.lost++;
	}
	pthread_mutex_unlock(&s->mu);
	close(q->fd);
	free(q);
}

/*
 * changed_since - the file of @q is not what it was when it was submitted
 * (size, mtime, ctime): a write during the queue wait or the scan. The
 * worker read the file through a mapping, so its report may describe bytes
 * no loader read (security review, finding 1).
 */
static bool changed_since(const struct request *q)
{
	struct stat st;

	if (!q->have_st0 || fstat(q->fd, &st))
		return false;
	return st.st_size != q->st0.st_size || st.st_mtim.tv_sec != q->st0.st_mtim.tv_sec ||
	       st.st_mtim.tv_nsec != q->st0.st_mtim.tv_nsec ||
	       st.st_ctim.tv_sec != q->st0.st_ctim.tv_sec ||
	       st.st_ctim.tv_nsec != q->st0.st_ctim.tv_nsec;
}

static void *dispatch_main(void *arg)
{
	struct worker *w = arg;
	struct scanner *s = w->s;
	struct scan_report *r = malloc(sizeof(*r));

	for (;;) {
		struct request *q = NULL;

		pthread_mutex_lock(&s->mu);
		while (!s->stopping && !(q = pick(s)))
			pthread_cond_wait(&s->req_cv, &s->mu);
		if (s->stopping) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		{
			struct uslot *u = uslot(s, q->uid, true);

			if (u)
				u->running++;
		}
		pthread_mutex_unlock(&s->mu);
		if (!r) {
			static struct scan_report oom = { .verdict = SCAN_ERROR,
							  .error = "out of memory" };

			finish(s, q, -ENOMEM, &oom);
			continue;
		}
		int ret = run_one(s, w, q, r);

		/* a report about bytes that changed under the scan: said so, never cached */
		if (ret == 0 && changed_since(q)) {
			if (r->nfindings >= SCAN_MAX_FINDINGS) {	/* this one is kept */
				r->nfindings = SCAN_MAX_FINDINGS - 1;
				r->findings_dropped++;
			}
			scan_add_finding(r, SCAN_SUSPICIOUS, 0, NULL, NULL,
					 "the file changed after it was submitted for scanning (size, "
					 "mtime or ctime): the findings may not describe the bytes "
					 "that were loaded");
			r->incomplete = true;
			scan_set_error(r, "changed during the scan");
			ret = -ESTALE;
			pthread_mutex_lock(&s->mu);
			s->st.changed++;
			pthread_mutex_unlock(&s->mu);
		}

		/*
		 * the next worker is made now, not when the next request comes,
		 * and before the result goes out: whoever reads it finds the
		 * replacement in scanner_worker_pids
		 */
		if (w->sock < 0) {
			char why[SCAN_WHY_MAX];
			int rc = worker_spawn(s, w, why, sizeof(why));

			if (rc && rc != -ECANCELED)
				log_warn("scan worker %u: %s", w->idx, why);
			else if (!rc && ret) {
				pthread_mutex_lock(&s->mu);
				s->st.respawns++;
				pthread_mutex_unlock(&s->mu);
			}
		}
		finish(s, q, ret, r);
	}
	free(r);
	return NULL;
}

/* ---- public API ---------------------------------------------------------------- */

/*
 * worker_ids - the workers' own uid and gid when no user is configured: a
 * high id no account has, so no other process runs as it and none can
 * signal or ptrace the workers (with `nobody`, any process of that common
 * user could SIGSTOP them: security review, finding 10b). The first of
 * SCANNER_WORKER_ID, SCANNER_WORKER_ID - 1, ... with no passwd or group entry.
 */
static int worker_ids(struct sb_cfg *cfg)
{
	for (uint32_t id = SCANNER_WORKER_ID; id > SCANNER_WORKER_ID - 64; id--) {
		char buf[4096];
		struct passwd pw, *pr = NULL;
		struct group gr, *gres = NULL;

		if (getpwuid_r((uid_t)id, &pw, buf, sizeof(buf), &pr) || pr)
			continue;
		if (getgrgid_r((gid_t)id, &gr, buf, sizeof(buf), &gres) || gres)
			continue;
		cfg->uid = (uid_t)id;
		cfg->gid = (gid_t)id;
		return 0;
	}
	return -EEXIST;
}

static int resolve_user(const char *user, struct sb_cfg *cfg)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int rc = getpwnam_r(user, &pw, buf, sizeof(buf), &res);

	if (rc)
		return -rc;
	if (!res)
		return -ENOENT;
	cfg->uid = pw.pw_uid;
	cfg->gid = pw.pw_gid;
	return 0;
}

static void free_queues(struct scanner *s)
{
	while (s->qhead) {
		struct request *q = s->qhead;

		s->qhead = q->next;
		if (q->w) {
			scan_report_init(q->w->r);
			scan_set_error(q->w->r, "scanner stopped");
			q->w->ret = -ECANCELED;
			q->w->done = true;
		}
		close(q->fd);
		free(q);
	}
	s->qtail = NULL;
	while (s->rhead) {
		struct result *res = s->rhead;

		s->rhead = res->next;
		free(res);
	}
	s->rtail = NULL;
	while (s->lru_head)
		cache_drop(s, s->lru_head);
}

struct scanner *scanner_new(const struct scanner_opts *o)
{
	struct scanner *s = calloc(1, sizeof(*s));
	int sv[2] = { -1, -1 }, rc = 0;
	const char *user;
	size_t nb = 16;

	if (!s)
		return NULL;
	s->o.workers = o && o->workers ? o->workers : 1;
	s->o.timeout_ms = o && o->timeout_ms ? o->timeout_ms : 10000;
	s->o.mem_limit = o && o->mem_limit ? o->mem_limit : 512ull << 20;
	s->o.cache_entries = o && o->cache_entries ? o->cache_entries : 4096;
	s->o.queue_max = o && o->queue_max ? o->queue_max : 256;
	/* one user: a quarter of the queue, and every worker but one */
	s->uid_max = s->o.queue_max / 4 ? s->o.queue_max / 4 : 1;
	s->run_max = s->o.workers > 1 ? s->o.workers - 1 : 1;
	user = o ? o->user : NULL;	/* NULL: the workers' own ids (worker_ids) */
	s->o.user = NULL;
	s->efd = s->stop_efd = s->zy_sock = -1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->zy_mu, NULL);
	pthread_cond_init(&s->req_cv, NULL);
	pthread_cond_init(&s->done_cv, NULL);
	if (s->o.workers > SB_WORKERS_MAX || s->o.timeout_ms > 3600000 ||
	    s->o.cache_entries > (1u << 24) || s->o.queue_max > (1u << 20)) {
		rc = -EINVAL;
		goto fail;
	}
	while (nb < s->o.cache_entries)
		nb <<= 1;
	s->nbuckets = nb;
	s->buckets = calloc(nb, sizeof(*s->buckets));
	if (!s->buckets) {
		rc = -ENOMEM;
		goto fail;
	}
	s->st.cache_max = s->o.cache_entries;
	s->st.queue_max = s->o.queue_max;
	s->cfg.mem_limit = SB_ASAN ? 0 : s->o.mem_limit;
	if (geteuid() == 0) {
		rc = user ? resolve_user(user, &s->cfg) : worker_ids(&s->cfg);
		if (rc)
			goto fail;
		s->cfg.drop = true;
	} else {
		/* only root can switch users; the filter and limits still apply */
		log_warn("scanner: not root, scan workers keep uid %u", (unsigned)geteuid());
	}
	s->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->efd < 0 || s->stop_efd < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		rc = -errno;
		goto fail;
	}
	pid_t parent = getpid();

	s->zy_pid = fork();
	if (s->zy_pid < 0) {
		rc = -errno;
		goto fail;
	}
	if (s->zy_pid == 0) {
		close(sv[0]);
		zygote_main(sv[1], parent, &s->cfg);
	}
	close(sv[1]);
	sv[1] = -1;
	s->zy_sock = sv[0];
	sv[0] = -1;
	for (unsigned i = 0; i < s->o.workers; i++) {
		char why[SCAN_WHY_MAX];
		struct worker *w = &s->w[i];

		w->s = s;
		w->idx = i;
		w->sock = -1;
		rc = worker_spawn(s, w, why, sizeof(why));
		if (rc) {
			log_error("scan worker %u: %s", i, why);
			goto fail;
		}
		s->nw = i + 1;
	}
	for (unsigned i = 0; i < s->nw; i++) {
		rc = -pthread_create(&s->w[i].th, NULL, dispatch_main, &s->w[i]);
		if (rc)
			goto fail;
		s->w[i].started = true;
	}
	return s;
fail:
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	scanner_free(s);
	errno = -rc;
	return NULL;
}

void scanner_free(struct scanner *s)
{
	uint64_t one = 1;

	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stopping = true;
	pthread_cond_broadcast(&s->req_cv);
	pthread_mutex_unlock(&s->mu);
	if (s->stop_efd >= 0 && write(s->stop_efd, &one, sizeof(one)) != sizeof(one))
		log_warn("scanner: cannot wake the dispatchers: %s", strerror(errno));
	for (unsigned i = 0; i < s->nw; i++)
		if (s->w[i].started)
			pthread_join(s->w[i].th, NULL);
	for (unsigned i = 0; i < s->nw; i++)
		if (s->w[i].sock >= 0)
			worker_kill(s, &s->w[i]);
	if (s->zy_sock >= 0)
		close(s->zy_sock);	/* the zygote kills what is left and exits */
	if (s->zy_pid > 0)
		while (waitpid(s->zy_pid, NULL, 0) < 0 && errno == EINTR)
			;
	pthread_mutex_lock(&s->mu);
	free_queues(s);
	pthread_cond_broadcast(&s->done_cv);
	pthread_mutex_unlock(&s->mu);
	if (s->efd >= 0)
		close(s->efd);
	if (s->stop_efd >= 0)
		close(s->stop_efd);
	free(s->buckets);
	pthread_cond_destroy(&s->req_cv);
	pthread_cond_destroy(&s->done_cv);
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->zy_mu);
	free(s);
}

int scanner_fd(const struct scanner *s)
{
	return s ? s->efd : -1;
}

/* under s->mu */
static void enqueue(struct scanner *s, struct request *q)
{
	q->next = NULL;
	if (s->qtail)
		s->qtail->next = q;
	else
		s->qhead = q;
	s->qtail = q;
	pthread_cond_signal(&s->req_cv);
}

static struct request *request_new(int fd, const char *name, int *rc)
{
	struct request *q = calloc(1, sizeof(*q));

	if (!q) {
		*rc = -ENOMEM;
		return NULL;
	}
	q->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (q->fd < 0) {
		*rc = -errno;
		free(q);
		return NULL;
	}
	q->have_st0 = fstat(q->fd, &q->st0) == 0;
	copy_name(q->name, sizeof(q->name), name);
	*rc = 0;
	return q;
}

/* room for one more request of @uid (both bounds), under s->mu; counts a refusal */
static int room_for(struct scanner *s, uint32_t uid, struct uslot **up)
{
	struct uslot *u;

	if (s->outstanding >= s->o.queue_max) {
		s->st.queue_full++;
		return -EAGAIN;
	}
	u = uslot(s, uid, true);
	if (!u || u->outstanding >= s->uid_max) {
		s->st.queue_full++;
		s->st.user_full++;
		return -EAGAIN;
	}
	*up = u;
	return 0;
}

int scanner_submit(struct scanner *s, int fd, const char *name, const char *sha256, uint64_t cookie,
		   uint32_t uid)
{
	uint8_t key[32];
	struct result *res = NULL;
	struct request *q = NULL;
	struct uslot *u = NULL;
	int rc = 0;

	if (sha256 && parse_sha256(sha256, key))
		return -EINVAL;
	res = malloc(sizeof(*res));
	if (!res)
		return -ENOMEM;
	pthread_mutex_lock(&s->mu);
	s->st.submitted++;
	if (s->stopping) {
		rc = -ECANCELED;
		goto out_unlock;
	}
	rc = room_for(s, uid, &u);
	if (rc)
		goto out_unlock;
	if (sha256 && cache_get(s, key, &res->r)) {
		res->cookie = cookie;
		res->uid = uid;
		s->outstanding++;
		u->outstanding++;
		push_result(s, res);
		res = NULL;
		goto out_unlock;
	}
	pthread_mutex_unlock(&s->mu);
	q = request_new(fd, name, &rc);	/* dup outside the lock */
	pthread_mutex_lock(&s->mu);
	if (!q)
		goto out_unlock;
	if (s->stopping) {
		rc = -ECANCELED;
		goto out_unlock;
	}
	rc = room_for(s, uid, &u);
	if (rc)
		goto out_unlock;
	q->cookie = cookie;
	q->uid = uid;
	u->outstanding++;
	q->keyed = sha256 != NULL;
	memcpy(q->key, key, sizeof(key));
	s->outstanding++;
	enqueue(s, q);
	q = NULL;
out_unlock:
	pthread_mutex_unlock(&s->mu);
	if (q) {
		close(q->fd);
		free(q);
	}
	free(res);
	return rc;
}

int scanner_next(struct scanner *s, uint64_t *cookie, struct scan_report *r)
{
	struct result *res;
	uint64_t v;

	pthread_mutex_lock(&s->mu);
	res = s->rhead;
	if (res) {
		s->rhead = res->next;
		if (!s->rhead) {
			s->rtail = NULL;
			if (read(s->efd, &v, sizeof(v)) != sizeof(v))
				s->st.wake_errors++;
		}
		s->outstanding--;
		{
			struct uslot *u = uslot(s, res->uid, false);

			if (u && u->outstanding)
				u->outstanding--;
			uslot_release(u);
		}
	}
	pthread_mutex_unlock(&s->mu);
	if (!res)
		return 0;
	*cookie = res->cookie;
	*r = res->r;
	free(res);
	return 1;
}

int scanner_scan_sync(struct scanner *s, int fd, const char *name, struct scan_report *r)
{
	struct waiter w = { .r = r };
	struct request *q;
	int rc;

	q = request_new(fd, name, &rc);
	if (!q)
		return rc;
	q->w = &w;
	q->uid = (uint32_t)geteuid();
	pthread_mutex_lock(&s->mu);
	s->st.submitted++;
	if (s->stopping) {
		pthread_mutex_unlock(&s->mu);
		close(q->fd);
		free(q);
		return -ECANCELED;
	}
	enqueue(s, q);
	while (!w.done)
		pthread_cond_wait(&s->done_cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	return w.ret;
}

void scanner_get_stats(struct scanner *s, struct scanner_stats *st)
{
	pthread_mutex_lock(&s->mu);
	*st = s->st;
	st->outstanding = s->outstanding;
	pthread_mutex_unlock(&s->mu);
}

unsigned scanner_worker_pids(struct scanner *s, pid_t *pids, unsigned n)
{
	unsigned k = 0;

	pthread_mutex_lock(&s->mu);
	for (unsigned i = 0; i < s->nw && k < n; i++)
		if (s->w[i].pid > 0)
			pids[k++] = s->w[i].pid;
	pthread_mutex_unlock(&s->mu);
	return k;
}

pid_t scanner_zygote_pid(const struct scanner *s)
{
	return s->zy_pid;
}
