// SPDX-License-Identifier: MIT
/*
 * workload.c - the syscall-heavy workload of `make bench`.
 *
 * Phases (select and order them with -p; default "oecrmxgp"):
 *   o  openat(O_RDONLY) + close over NFILES files in <tmpdir>/o/
 *   e  fork + execve("/bin/true", {"true", "<tmpdir>/e/x"}) + waitpid
 *   c  TCP connect to our own 127.0.0.1 listener, close with RST
 *   r  openat(O_CREAT) <tmpdir>/r/aN + close, rename to bN, unlink bN
 *   m  mmap(PROT_READ, MAP_PRIVATE) of <tmpdir>/m/data, read a byte, munmap
 *   x  the same with PROT_READ|PROT_EXEC: what a library load does (a
 *      monitor of executable mappings reports every one)
 *   g  getppid()                         (an unrelated, trivial syscall)
 *   p  pread(fd, 1 byte) of <tmpdir>/m/data (an unrelated, cheap I/O syscall)
 *
 * Design: every path handed to the kernel contains the unique mkdtemp dir,
 * so a monitor's output can be matched to this run by that string. The exec
 * phase passes "<tmpdir>/e/x" as argv[1] (true(1) ignores it) for the same
 * reason; connects are matched by pid and listener port. The g and p phases
 * name no path at all: no monitor reports them, so they measure the fixed
 * cost a monitor adds to syscalls it does not care about.
 *
 * Output: one JSON line on stdout with, per phase, the ops, seconds, ops/s,
 * ns/op and CPU seconds (own and children's), and "issued": the exact number
 * of syscalls per class that carry the run key, setup and cleanup included.
 * The exit status is 1 if any operation failed ("errors" > 0).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NFILES 64
#define MMAP_LEN (64 * 1024)
#define MAX_CONNECT 50000	/* hard bound, also in duration mode */
#define MAX_INFLIGHT 256	/* connects not yet accepted before we yield */
#define PATH_LEN 320

enum { PH_OPEN, PH_EXEC, PH_CONNECT, PH_RENAME, PH_MMAP, PH_MMAPX, PH_GETPPID, PH_PREAD, PH_N };

static const char phase_letters[PH_N + 1] = "oecrmxgp";
static const long default_count[PH_N] = { 400000, 2500, 30000, 60000, 100000, 50000, 5000000,
					  2000000 };

struct phase_res {
	const char *name;
	int ran;
	long ops;
	double sec, cpu_self, cpu_children;
};

static struct phase_res res[PH_N] = {
	{ .name = "open" },   { .name = "exec" }, { .name = "connect" }, { .name = "rename" },
	{ .name = "mmap" },   { .name = "mmapx" }, { .name = "getppid" }, { .name = "pread" },
};

struct limit {
	long count;		/* ops to do (count mode) */
	double duration;	/* seconds per phase (duration mode) if > 0 */
};

static char g_tmpdir[256];
static char g_open_paths[NFILES][PATH_LEN];
static char g_ren_a[NFILES][PATH_LEN];
static char g_ren_b[NFILES][PATH_LEN];
static char g_data_path[PATH_LEN];
static char g_exec_tag[PATH_LEN];

/* syscalls issued that carry the temp dir (or pid and port, for connect) */
static long n_openat, n_execve, n_connect, n_rename, n_unlink, n_mmapx;
static long n_errors;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_s(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int keep_going(const struct limit *l, long done, double t0, long hard_max)
{
	if (hard_max > 0 && done >= hard_max)
		return 0;
	if (l->duration > 0) {
		/* the vDSO clock is cheap, not free: look every 8 ops */
		if ((done & 7) == 0 && now_s() - t0 >= l->duration)
			return 0;
		return 1;
	}
	return done < l->count;
}

struct phase_clock {
	double t0, cpu0, child0;
};

static void phase_begin(struct phase_clock *c)
{
	c->t0 = now_s();
	c->cpu0 = cpu_s(RUSAGE_SELF);
	c->child0 = cpu_s(RUSAGE_CHILDREN);
}

static void phase_end(int i, const struct phase_clock *c, long done)
{
	res[i].ran = 1;
	res[i].ops = done;
	res[i].sec = now_s() - c->t0;
	res[i].cpu_self = cpu_s(RUSAGE_SELF) - c->cpu0;
	res[i].cpu_children = cpu_s(RUSAGE_CHILDREN) - c->child0;
}

static void phase_open(const struct limit *l)
{
	struct phase_clock c;
	long done = 0;

	phase_begin(&c);
	while (keep_going(l, done, c.t0, 0)) {
		int fd = open(g_open_paths[done % NFILES], O_RDONLY | O_CLOEXEC);

		n_openat++;
		if (fd < 0)
			n_errors++;
		else
			close(fd);
		done++;
	}
	phase_end(PH_OPEN, &c, done);
}

/* copy a NUL-terminated string that is known to fit */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void phase_exec(const struct limit *l)
{
	struct phase_clock c;
	long done = 0;

	phase_begin(&c);
	while (keep_going(l, done, c.t0, 0)) {
		pid_t p = fork();
		int st;

		if (p < 0)
			die("fork");
		if (p == 0) {
			/*
			 * The strings live on the child's stack, so they are
			 * resident: a monitor that reads them at sys_enter with
			 * bpf_probe_read_user cannot fault pages in, and a
			 * .rodata literal is often not mapped yet in a fresh child.
			 */
			char tag[PATH_LEN], path[16], arg0[8];
			char *argv[] = { arg0, tag, NULL };
			char *envp[] = { NULL };

			copy_str(tag, sizeof(tag), g_exec_tag);
			copy_str(path, sizeof(path), "/bin/true");
			copy_str(arg0, sizeof(arg0), "true");
			execve(path, argv, envp);
			_exit(127);
		}
		n_execve++;
		while (waitpid(p, &st, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			n_errors++;
		done++;
	}
	phase_end(PH_EXEC, &c, done);
}

static int g_lfd;
static int g_port;
static atomic_long g_accepted;
static atomic_int g_stop;

static void *acceptor(void *arg)
{
	(void)arg;
	for (;;) {
		int c = accept4(g_lfd, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0) {
			if (atomic_load(&g_stop) || errno == EINVAL)
				break;	/* the listener was shut down */
			continue;
		}
		close(c);
		atomic_fetch_add(&g_accepted, 1);
	}
	return NULL;
}

static void phase_connect(const struct limit *l)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct linger lg = { 1, 0 };	/* close with RST: no TIME_WAIT build-up */
	socklen_t sl = sizeof(sa);
	struct phase_clock c;
	pthread_t th;
	long done = 0;
	double tw;
	int one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (g_lfd < 0)
		die("socket");
	setsockopt(g_lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(g_lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	if (listen(g_lfd, 4096) < 0)
		die("listen");
	getsockname(g_lfd, (struct sockaddr *)&sa, &sl);
	g_port = ntohs(sa.sin_port);
	atomic_store(&g_stop, 0);
	atomic_store(&g_accepted, 0);
	if (pthread_create(&th, NULL, acceptor, NULL) != 0)
		die("pthread_create");

	phase_begin(&c);
	while (keep_going(l, done, c.t0, MAX_CONNECT)) {
		int s, r;

		/* bound the accept backlog: no SYN drops, no retransmits */
		while (done - atomic_load(&g_accepted) > MAX_INFLIGHT)
			sched_yield();
		s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			die("socket");
		r = connect(s, (struct sockaddr *)&sa, sizeof(sa));
		n_connect++;
		if (r < 0)
			n_errors++;
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(s);
		done++;
	}
	tw = now_s();
	while (atomic_load(&g_accepted) < done && now_s() - tw < 2.0)
		sched_yield();
	phase_end(PH_CONNECT, &c, done);
	atomic_store(&g_stop, 1);
	shutdown(g_lfd, SHUT_RDWR);
	pthread_join(th, NULL);
	close(g_lfd);
}

static void phase_rename(const struct limit *l)
{
	struct phase_clock c;
	long done = 0;

	phase_begin(&c);
	while (keep_going(l, done, c.t0, 0)) {
		int i = done % NFILES;
		int fd = open(g_ren_a[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		n_openat++;
		if (fd < 0)
			n_errors++;
		else
			close(fd);
		if (rename(g_ren_a[i], g_ren_b[i]) < 0)
			n_errors++;
		n_rename++;
		if (unlink(g_ren_b[i]) < 0)
			n_errors++;
		n_unlink++;
		done++;
	}
	phase_end(PH_RENAME, &c, done);
}

static int open_data(void)
{
	int fd = open(g_data_path, O_RDONLY | O_CLOEXEC);

	n_openat++;
	if (fd < 0)
		die("open data file");
	return fd;
}

static void mmap_loop(const struct limit *l, int ph, int prot)
{
	volatile unsigned char sink = 0;
	struct phase_clock c;
	int fd = open_data();
	long done = 0;

	phase_begin(&c);
	while (keep_going(l, done, c.t0, 0)) {
		unsigned char *p = mmap(NULL, MMAP_LEN, prot, MAP_PRIVATE, fd, 0);

		if (prot & PROT_EXEC)
			n_mmapx++;
		if (p == MAP_FAILED) {
			n_errors++;
		} else {
			sink += p[(done * 4096) % MMAP_LEN];
			munmap(p, MMAP_LEN);
		}
		done++;
	}
	phase_end(ph, &c, done);
	(void)sink;
	close(fd);
}

static void phase_mmap(const struct limit *l)
{
	mmap_loop(l, PH_MMAP, PROT_READ);
}

static void phase_mmapx(const struct limit *l)
{
	mmap_loop(l, PH_MMAPX, PROT_READ | PROT_EXEC);
}

static void phase_getppid(const struct limit *l)
{
	pid_t want = getppid();
	struct phase_clock c;
	long done = 0;

	phase_begin(&c);
	while (keep_going(l, done, c.t0, 0)) {
		if (getppid() != want)
			n_errors++;
		done++;
	}
	phase_end(PH_GETPPID, &c, done);
}

static void phase_pread(const struct limit *l)
{
	struct phase_clock c;
	int fd = open_data();
	long done = 0;
	char b;

	phase_begin(&c);
	while (keep_going(l, done, c.t0, 0)) {
		if (pread(fd, &b, 1, done % MMAP_LEN) != 1)
			n_errors++;
		done++;
	}
	phase_end(PH_PREAD, &c, done);
	close(fd);
}

static void (*const phase_fn[PH_N])(const struct limit *) = {
	phase_open, phase_exec, phase_connect, phase_rename, phase_mmap, phase_mmapx, phase_getppid,
	phase_pread,
};

static void usage(void)
{
	fprintf(stderr,
		"usage: workload [-p PHASES] [-s SCALE] [-t SECONDS] [-d PARENT_DIR] [-k]\n"
		"                [-N open] [-E exec] [-C connect] [-R rename] [-M mmap]\n"
		"                [-X mmapx] [-G getppid] [-P pread]\n"
		"  -p PHASES  subset and order of 'oecrmxgp' (open, exec, connect, rename, mmap,\n"
		"             mmapx, getppid, pread); default oecrmxgp\n"
		"  -N/-E/-C/-R/-M/-X/-G/-P COUNT  ops of one phase\n"
		"             (defaults 400000/2500/30000/60000/100000/50000/5000000/2000000)\n"
		"  -s SCALE   multiply every default count (e.g. 0.1 for a smoke test)\n"
		"  -t SECONDS run each phase for SECONDS instead of a count (connect capped at %d)\n"
		"  -d DIR     parent of the mkdtemp dir (default $TMPDIR or /tmp)\n"
		"  -k         keep the temp dir\n",
		MAX_CONNECT);
	exit(2);
}

static void make_file(const char *path, size_t len)
{
	static char buf[MMAP_LEN];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	n_openat++;
	if (fd < 0)
		die("create");
	memset(buf, 'm', len);
	if (write(fd, buf, len) != (ssize_t)len)
		die("write");
	close(fd);
}

static void print_json(double total, double duration)
{
	int first = 1;

	printf("{\"pid\":%d,\"tmpdir\":\"%s\",\"port\":%d,\"mode\":\"%s\",\"total_s\":%.4f,"
	       "\"phases\":{",
	       (int)getpid(), g_tmpdir, g_port, duration > 0 ? "duration" : "count", total);
	for (int i = 0; i < PH_N; i++) {
		if (!res[i].ran)
			continue;
		printf("%s\"%s\":{\"ops\":%ld,\"s\":%.4f,\"ops_per_s\":%.1f,\"ns_per_op\":%.1f,"
		       "\"cpu_self_s\":%.3f,\"cpu_children_s\":%.3f}",
		       first ? "" : ",", res[i].name, res[i].ops, res[i].sec,
		       res[i].sec > 0 ? res[i].ops / res[i].sec : 0.0,
		       res[i].ops > 0 ? res[i].sec * 1e9 / res[i].ops : 0.0, res[i].cpu_self,
		       res[i].cpu_children);
		first = 0;
	}
	printf("},\"issued\":{\"openat\":%ld,\"execve\":%ld,\"connect\":%ld,\"rename\":%ld,"
	       "\"unlink\":%ld,\"mmap_exec\":%ld},\"errors\":%ld}\n",
	       n_openat, n_execve, n_connect, n_rename, n_unlink, n_mmapx, n_errors);
}

int main(int argc, char **argv)
{
	static const char *const subs[] = { "o", "e", "r", "m" };
	static const char count_opts[PH_N + 1] = "NECRMXGP";
	const char *phases = "oecrmxgp";
	const char *parent = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	long cnt[PH_N], set[PH_N];
	double scale = 1.0, duration = 0, t_all, total;
	int keep = 0, opt, data;
	char d[PATH_LEN + 8];

	for (int i = 0; i < PH_N; i++)
		set[i] = -1;
	while ((opt = getopt(argc, argv, "p:s:t:d:kN:E:C:R:M:X:G:P:h")) != -1) {
		const char *k = strchr(count_opts, opt);

		if (k && opt) {
			set[k - count_opts] = atol(optarg);
			continue;
		}
		switch (opt) {
		case 'p':
			phases = optarg;
			break;
		case 's':
			scale = atof(optarg);
			break;
		case 't':
			duration = atof(optarg);
			break;
		case 'd':
			parent = optarg;
			break;
		case 'k':
			keep = 1;
			break;
		default:
			usage();
		}
	}
	for (const char *p = phases; *p; p++)
		if (!strchr(phase_letters, *p)) {
			fprintf(stderr, "workload: unknown phase '%c'\n", *p);
			usage();
		}
	for (int i = 0; i < PH_N; i++) {
		cnt[i] = set[i] >= 0 ? set[i] : (long)(default_count[i] * scale);
		if (cnt[i] < 1 && set[i] < 0)
			cnt[i] = 1;
	}
	if (cnt[PH_CONNECT] > MAX_CONNECT)
		cnt[PH_CONNECT] = MAX_CONNECT;
	signal(SIGPIPE, SIG_IGN);

	if ((size_t)snprintf(g_tmpdir, sizeof(g_tmpdir), "%s/wlbench.XXXXXX", parent) >=
	    sizeof(g_tmpdir)) {
		fprintf(stderr, "workload: parent dir name too long\n");
		return 2;
	}
	if (!mkdtemp(g_tmpdir))
		die("mkdtemp");
	for (int i = 0; i < 4; i++) {
		snprintf(d, sizeof(d), "%s/%s", g_tmpdir, subs[i]);
		if (mkdir(d, 0755) < 0)
			die("mkdir");
	}
	for (int i = 0; i < NFILES; i++) {
		snprintf(g_open_paths[i], PATH_LEN, "%s/o/f%02d", g_tmpdir, i);
		snprintf(g_ren_a[i], PATH_LEN, "%s/r/a%02d", g_tmpdir, i);
		snprintf(g_ren_b[i], PATH_LEN, "%s/r/b%02d", g_tmpdir, i);
	}
	snprintf(g_data_path, sizeof(g_data_path), "%s/m/data", g_tmpdir);
	snprintf(g_exec_tag, sizeof(g_exec_tag), "%s/e/x", g_tmpdir);

	/* setup; these syscalls count in "issued" too */
	if (strchr(phases, 'o'))
		for (int i = 0; i < NFILES; i++)
			make_file(g_open_paths[i], 1);
	data = strchr(phases, 'm') || strchr(phases, 'p');
	if (data)
		make_file(g_data_path, MMAP_LEN);

	t_all = now_s();
	for (const char *p = phases; *p; p++) {
		int i = strchr(phase_letters, *p) - phase_letters;
		struct limit l = { cnt[i], duration };

		phase_fn[i](&l);
	}
	total = now_s() - t_all;

	if (!keep) {
		if (strchr(phases, 'o'))
			for (int i = 0; i < NFILES; i++) {
				unlink(g_open_paths[i]);
				n_unlink++;
			}
		if (data) {
			unlink(g_data_path);
			n_unlink++;
		}
		for (int i = 0; i < 4; i++) {
			snprintf(d, sizeof(d), "%s/%s", g_tmpdir, subs[i]);
			rmdir(d);
		}
		rmdir(g_tmpdir);
	}
	print_json(total, duration);
	return n_errors ? 1 : 0;
}
