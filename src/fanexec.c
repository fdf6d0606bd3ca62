// SPDX-License-Identifier: MIT
/*
 * fanexec.c - fanotify's descriptors of executed files. See fanexec.h.
 *
 * The table is a small array scanned linearly: at most FANEXEC_HELD_MAX
 * entries, each a descriptor with the identity it had when read and the
 * time it was read. Two events of one file with one identity (the same
 * program run again, or by two processes) share an entry: the second
 * descriptor is closed at once. Lookups happen once per exec event of the
 * kernel, so a scan of a few hundred entries costs less than the syscalls
 * around it.
 *
 * Marker state: want (rounds asked for) and done (rounds finished), under
 * mu. The loop bumps want on a mount change; the thread runs one round per
 * wake-up, whatever the number of bumps it missed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "fanexec.h"
#include "hash.h"
#include "hooks.h"
#include "log.h"

#ifndef FAN_REPORT_FD_ERROR
#define FAN_REPORT_FD_ERROR 0x00002000	/* 6.13+: a failed open gives -errno, not a lost event */
#endif

struct held_fd {
	int fd;
	struct ev_file_id seen;
	uint64_t at_ms;
	struct fanexec_look look;
};

#define LOGGED_MAX 64	/* filesystems whose failed mark was logged */

struct marker {
	pthread_t th;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t want, done;
	bool stop;
	uint64_t filesystems, mark_failed;	/* of the last round */
	uint32_t logged[LOGGED_MAX];
	size_t nlogged;
};

struct fanexec {
	int fan;			/* the group, -1 for a table alone */
	int mounts;			/* /proc/self/mountinfo, for POLLPRI */
	pid_t ignore[2];
	void *ctx;
	bool (*wanted)(void *ctx, const struct ev_file_id *seen);
	void (*look)(void *ctx, uint32_t pid, struct fanexec_look *l);
	struct held_fd *held;
	size_t nheld, held_max;
	uint64_t hold_ms;
	struct ev_fanotify_stats st;
	struct marker mk;
	bool mk_init;
};

/* ---- mount table ------------------------------------------------------------- */

/* pseudo filesystems: nothing is executed from them */
static const char *const pseudo_fs[] = {
	"proc",	      "sysfs",	    "cgroup",	  "cgroup2",   "devpts",     "tracefs",
	"debugfs",    "securityfs", "bpf",	  "pstore",    "configfs",   "fusectl",
	"mqueue",     "autofs",	    "binfmt_misc", "rpc_pipefs", "nsfs",	     "efivarfs",
	"selinuxfs",  "hugetlbfs",  "nfsd",	  "sockfs",    "pipefs",     "anon_inodefs",
};

bool fanexec_fs_wanted(const char *fstype)
{
	for (size_t i = 0; i < sizeof(pseudo_fs) / sizeof(pseudo_fs[0]); i++)
		if (!strcmp(fstype, pseudo_fs[i]))
			return false;
	return fstype[0] != '\0';
}

/* decode mountinfo's \ooo escapes (space, tab, newline, backslash) in place */
static void unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') << 6 | (r[2] - '0') << 3 | (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* next space-separated field of *@p, cut with a NUL; NULL at the end */
static char *field(char **p)
{
	char *s = *p, *e;

	if (!s || !*s)
		return NULL;
	e = strchr(s, ' ');
	if (e) {
		*e = '\0';
		*p = e + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

int fanexec_mountinfo_line(char *line, struct fanexec_mount *m)
{
	/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
	char *p = line, *f[5], *sep, *fstype;
	unsigned int maj, min;
	size_t n = strcspn(line, "\n");

	line[n] = '\0';
	for (int i = 0; i < 5; i++)
		if (!(f[i] = field(&p)))
			return -EINVAL;
	if (sscanf(f[2], "%u:%u", &maj, &min) != 2)
		return -EINVAL;
	do {
		sep = field(&p);
	} while (sep && strcmp(sep, "-"));
	fstype = sep ? field(&p) : NULL;
	if (!fstype || f[4][0] != '/')
		return -EINVAL;
	unescape(f[4]);
	m->dev = maj << 20 | (min & 0xfffff);
	m->mountpoint = f[4];
	m->fstype = fstype;
	return 0;
}

/* ---- marker ------------------------------------------------------------------ */

static bool in_list(const uint32_t *v, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

/* add @x to the growing list *@v of *@n; false without memory */
static bool list_add(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		uint32_t *nv = realloc(*v, nc * sizeof(*nv));

		if (!nv)
			return false;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = x;
	return true;
}

/*
 * mark_round - mark every wanted filesystem of the mount table once (a
 * filesystem mounted in several places is marked through the first path
 * that works). Runs on the marker thread: may block on a lookup.
 */
static void mark_round(struct fanexec *fx)
{
	uint32_t *ok = NULL, *bad = NULL;
	size_t nok = 0, cok = 0, nbad = 0, cbad = 0, nfail = 0;
	char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f) {
		log_warn("fanotify: cannot read /proc/self/mountinfo: %s; the marks stay as they are",
			 strerror(errno));
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		struct fanexec_mount m;

		if (fanexec_mountinfo_line(line, &m) || !fanexec_fs_wanted(m.fstype) ||
		    in_list(ok, nok, m.dev))
			continue;
		if (!fanotify_mark(fx->fan, FAN_MARK_ADD | FAN_MARK_FILESYSTEM | FAN_MARK_DONT_FOLLOW,
				   FAN_OPEN_EXEC, AT_FDCWD, m.mountpoint)) {
			list_add(&ok, &nok, &cok, m.dev);
			continue;
		}
		if (in_list(bad, nbad, m.dev))
			continue;
		list_add(&bad, &nbad, &cbad, m.dev);
		pthread_mutex_lock(&fx->mk.mu);
		if (!in_list(fx->mk.logged, fx->mk.nlogged, m.dev) && fx->mk.nlogged < LOGGED_MAX) {
			fx->mk.logged[fx->mk.nlogged++] = m.dev;
			log_warn("fanotify: cannot mark %s (%s, %u:%u): %s; execs from it are hashed "
				 "by name", m.mountpoint, m.fstype, m.dev >> 20, m.dev & 0xfffff,
				 strerror(errno));
		}
		pthread_mutex_unlock(&fx->mk.mu);
	}
	for (size_t i = 0; i < nbad; i++)	/* failed through one path, marked through another */
		nfail += !in_list(ok, nok, bad[i]);
	pthread_mutex_lock(&fx->mk.mu);
	fx->mk.filesystems = nok;
	fx->mk.mark_failed = nfail;
	pthread_mutex_unlock(&fx->mk.mu);
	free(line);
	free(ok);
	free(bad);
	fclose(f);
}

static void *marker_main(void *arg)
{
	struct fanexec *fx = arg;
	struct marker *mk = &fx->mk;

	pthread_mutex_lock(&mk->mu);
	while (!mk->stop) {
		uint64_t gen;

		if (mk->want == mk->done) {
			pthread_cond_wait(&mk->cv, &mk->mu);
			continue;
		}
		gen = mk->want;
		pthread_mutex_unlock(&mk->mu);
		mark_round(fx);
		pthread_mutex_lock(&mk->mu);
		mk->done = gen;
		pthread_cond_broadcast(&mk->cv);
	}
	pthread_mutex_unlock(&mk->mu);
	return NULL;
}

/* wait up to @ms for round @gen; true when it is done */
static bool marker_wait(struct marker *mk, uint64_t gen, unsigned ms)
{
	struct timespec ts;
	bool done;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&mk->mu);
	while (mk->done < gen && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&mk->cv, &mk->mu, &ts);
	done = mk->done >= gen;
	pthread_mutex_unlock(&mk->mu);
	return done;
}

void fanexec_mounts_changed(struct fanexec *fx)
{
	if (!fx || !fx->mk.started)
		return;
	pthread_mutex_lock(&fx->mk.mu);
	fx->mk.want++;
	pthread_cond_signal(&fx->mk.cv);
	pthread_mutex_unlock(&fx->mk.mu);
}

/* ---- descriptor table -------------------------------------------------------- */

static bool id_eq(const struct ev_file_id *a, const struct ev_file_id *b)
{
	return a->ino == b->ino && a->dev == b->dev && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

static void held_drop(struct fanexec *fx, size_t i)
{
	close(fx->held[i].fd);
	fx->held[i] = fx->held[--fx->nheld];
}

static void held_put(struct fanexec *fx, int fd, const struct ev_file_id *seen, uint32_t pid,
		     uint64_t now_ms)
{
	struct held_fd *h;
	size_t oldest = 0;

	for (size_t i = 0; i < fx->nheld; i++) {
		if (id_eq(&fx->held[i].seen, seen)) {
			close(fd);	/* the same file as it was: one descriptor serves both */
			fx->held[i].at_ms = now_ms;
			fx->st.released++;
			return;
		}
		if (fx->held[i].at_ms < fx->held[oldest].at_ms)
			oldest = i;
	}
	if (fx->nheld == fx->held_max) {
		held_drop(fx, oldest);
		fx->st.evicted++;
	}
	h = &fx->held[fx->nheld++];
	h->fd = fd;
	h->seen = *seen;
	h->at_ms = now_ms;
	memset(&h->look, 0, sizeof(h->look));
	h->look.id = *seen;
	if (fx->look)
		fx->look(fx->ctx, pid, &h->look);
}

int fanexec_take(struct fanexec *fx, const struct ev_file_id *k, int *fd, struct ev_file_id *seen,
		 struct fanexec_look *look)
{
	size_t best = (size_t)-1;
	uint64_t best_d = 0;

	for (size_t i = 0; i < fx->nheld; i++) {
		const struct ev_file_id *s = &fx->held[i].seen;
		uint64_t d;

		if (s->dev != k->dev || s->ino != k->ino || s->size != k->size ||
		    s->mtime_ns != k->mtime_ns)
			continue;
		/* the same file: the nearest ctime (equal is best) */
		d = s->ctime_ns > k->ctime_ns ? s->ctime_ns - k->ctime_ns : k->ctime_ns - s->ctime_ns;
		if (best == (size_t)-1 || d < best_d) {
			best = i;
			best_d = d;
		}
	}
	if (best == (size_t)-1)
		return -ENOENT;
	*fd = fx->held[best].fd;
	*seen = fx->held[best].seen;
	if (look)
		*look = fx->held[best].look;
	fx->held[best] = fx->held[--fx->nheld];
	fx->st.used++;
	return 0;
}

void fanexec_release(struct fanexec *fx, const struct ev_file_id *k)
{
	for (size_t i = 0; i < fx->nheld;) {
		if (id_eq(&fx->held[i].seen, k)) {
			held_drop(fx, i);
			fx->st.released++;
		} else {
			i++;
		}
	}
}

void fanexec_expire(struct fanexec *fx, uint64_t now_ms)
{
	for (size_t i = 0; i < fx->nheld;) {
		if (now_ms - fx->held[i].at_ms >= fx->hold_ms) {
			held_drop(fx, i);
			fx->st.expired++;
		} else {
			i++;
		}
	}
}

static bool ignored(const struct fanexec *fx, pid_t pid)
{
	return (fx->ignore[0] && pid == fx->ignore[0]) || (fx->ignore[1] && pid == fx->ignore[1]);
}

int fanexec_process(struct fanexec *fx, void *buf, size_t len, uint64_t now_ms)
{
	struct fanotify_event_metadata *m = buf;
	ssize_t left = (ssize_t)len;
	int n = 0;

	for (; FAN_EVENT_OK(m, left); m = FAN_EVENT_NEXT(m, left)) {
		struct ev_file_id seen;

		n++;
		if (m->mask & FAN_Q_OVERFLOW) {
			fx->st.overflows++;	/* events the kernel could not queue: how many is unknown */
			if (m->fd >= 0)
				close(m->fd);
			continue;
		}
		fx->st.events++;
		if (m->vers != FANOTIFY_METADATA_VERSION || m->fd < 0) {
			/* FAN_NOFD, or -errno with FAN_REPORT_FD_ERROR: nothing to hash from */
			if (m->fd >= 0)
				close(m->fd);
			fx->st.fd_errors++;
			continue;
		}
		if (ignored(fx, m->pid)) {
			close(m->fd);
			fx->st.ignored++;
			continue;
		}
		if (hash_fd_id(m->fd, &seen)) {
			close(m->fd);
			fx->st.fd_errors++;
			continue;
		}
		if (fx->wanted && !fx->wanted(fx->ctx, &seen)) {
			close(m->fd);	/* its digest is known: the exec takes it from the cache */
			fx->st.released++;
			continue;
		}
		held_put(fx, m->fd, &seen, (uint32_t)m->pid, now_ms);
	}
	return n;
}

int fanexec_read(struct fanexec *fx, uint64_t now_ms)
{
	/* event records are 8-byte aligned inside a read: so is the buffer */
	uint64_t buf[4096 / sizeof(uint64_t)];
	int total = 0;

	if (fx->fan < 0)
		return 0;
	while (total < FANEXEC_READ_MAX) {
		ssize_t n = read(fx->fan, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EMFILE || errno == ENFILE)) {
			/* without FAN_REPORT_FD_ERROR the kernel drops the event it could not open */
			fx->st.events++;
			fx->st.fd_errors++;
			total++;
			continue;
		}
		if (n <= 0)
			break;	/* EAGAIN: none left */
		total += fanexec_process(fx, buf, (size_t)n, now_ms);
	}
	return total;
}

/* ---- life cycle -------------------------------------------------------------- */

struct fanexec *fanexec_table_new(const struct fanexec_opts *o)
{
	struct fanexec *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return NULL;
	fx->fan = -1;
	fx->mounts = -1;
	fx->ignore[0] = o->ignore[0];
	fx->ignore[1] = o->ignore[1];
	fx->ctx = o->ctx;
	fx->wanted = o->wanted;
	fx->look = o->look;
	fx->held_max = o->held_max ? o->held_max : FANEXEC_HELD_MAX;
	fx->hold_ms = o->hold_ms ? o->hold_ms : FANEXEC_HOLD_MS;
	fx->held = calloc(fx->held_max, sizeof(*fx->held));
	if (!fx->held) {
		free(fx);
		errno = ENOMEM;
		return NULL;
	}
	return fx;
}

/* room for the held descriptors and one read's worth of new ones */
static void raise_nofile(size_t held_max)
{
	struct rlimit rl;
	rlim_t want;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	want = rl.rlim_cur + held_max + 256;
	if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
		want = rl.rlim_max;
	if (want > rl.rlim_cur) {
		rl.rlim_cur = want;
		(void)setrlimit(RLIMIT_NOFILE, &rl);	/* best effort: EMFILE is counted */
	}
}

/* the group, with FAN_REPORT_FD_ERROR and O_NOATIME where the kernel takes them */
static int group_open(void)
{
	unsigned int flags = FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK;
	unsigned int ev = O_RDONLY | O_LARGEFILE | O_CLOEXEC;
	int fd = fanotify_init(flags | FAN_REPORT_FD_ERROR, ev | O_NOATIME);

	if (fd < 0 && errno == EINVAL)
		fd = fanotify_init(flags, ev | O_NOATIME);
	if (fd < 0 && errno == EINVAL)
		fd = fanotify_init(flags, ev);
	return fd < 0 ? -errno : fd;
}

static int marker_start(struct fanexec *fx)
{
	sigset_t all, old;
	int rc;

	pthread_mutex_init(&fx->mk.mu, NULL);
	pthread_cond_init(&fx->mk.cv, NULL);
	fx->mk_init = true;
	fx->mk.want = 1;	/* the first round */
	/* the event loop reads its signals from a signalfd: this thread takes none */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&fx->mk.th, NULL, marker_main, fx);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return -rc;
	fx->mk.started = true;
	return 0;
}

struct fanexec *fanexec_new(const struct fanexec_opts *o, char *err, size_t errlen)
{
	struct fanexec *fx = fanexec_table_new(o);
	uint64_t marked, failed;
	int rc;

	if (!fx) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rc = group_open();
	if (rc < 0) {
		snprintf(err, errlen, "fanotify_init: %s", strerror(-rc));
		goto out_free;
	}
	fx->fan = rc;
	fx->mounts = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fx->mounts < 0) {
		rc = -errno;
		snprintf(err, errlen, "/proc/self/mountinfo: %s", strerror(errno));
		goto out_free;
	}
	raise_nofile(fx->held_max);
	rc = marker_start(fx);
	if (rc) {
		snprintf(err, errlen, "marker thread: %s", strerror(-rc));
		goto out_free;
	}
	if (!marker_wait(&fx->mk, 1, FANEXEC_START_WAIT_MS)) {
		log_warn("fanotify: marking filesystems takes longer than %u ms (a network "
			 "filesystem?); it goes on in the background", FANEXEC_START_WAIT_MS);
		return fx;
	}
	pthread_mutex_lock(&fx->mk.mu);
	marked = fx->mk.filesystems;
	failed = fx->mk.mark_failed;
	pthread_mutex_unlock(&fx->mk.mu);
	if (!marked) {
		rc = -EPERM;
		snprintf(err, errlen, "no filesystem could be marked (%llu failed)",
			 (unsigned long long)failed);
		goto out_free;
	}
	return fx;
out_free:
	fanexec_free(fx);
	errno = -rc;
	return NULL;
}

void fanexec_free(struct fanexec *fx)
{
	if (!fx)
		return;
	if (fx->mk.started) {
		struct timespec ts;

		pthread_mutex_lock(&fx->mk.mu);
		fx->mk.stop = true;
		pthread_cond_broadcast(&fx->mk.cv);
		pthread_mutex_unlock(&fx->mk.mu);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		if (pthread_timedjoin_np(fx->mk.th, NULL, &ts)) {
			/*
			 * stuck in a lookup (a dead network filesystem): it may
			 * still use the group and fx, so both stay; the process
			 * is exiting
			 */
			log_warn("fanotify: the marker thread is stuck in a path lookup; left behind");
			pthread_detach(fx->mk.th);
			return;
		}
	}
	for (size_t i = 0; i < fx->nheld; i++)
		close(fx->held[i].fd);
	if (fx->mk_init) {
		pthread_cond_destroy(&fx->mk.cv);
		pthread_mutex_destroy(&fx->mk.mu);
	}
	if (fx->mounts >= 0)
		close(fx->mounts);
	if (fx->fan >= 0)
		close(fx->fan);
	free(fx->held);
	free(fx);
}

int fanexec_fd(const struct fanexec *fx)
{
	return fx ? fx->fan : -1;
}

int fanexec_mounts_fd(const struct fanexec *fx)
{
	return fx ? fx->mounts : -1;
}

void fanexec_get_stats(struct fanexec *fx, struct ev_fanotify_stats *st)
{
	*st = fx->st;
	st->enabled = fx->fan >= 0;
	if (fx->mk.started) {
		pthread_mutex_lock(&fx->mk.mu);
		st->filesystems = fx->mk.filesystems;
		st->mark_failed = fx->mk.mark_failed;
		pthread_mutex_unlock(&fx->mk.mu);
	}
	st->lost = st->overflows + st->fd_errors + st->evicted;
	st->held = fx->nheld;
	st->held_max = fx->held_max;
}

static void hook_exec_done(void *fx, struct event *ev)
{
	if (ev->has_fid)
		fanexec_release(fx, &ev->fid);
}

int fanexec_subscribe(struct fanexec *fx, struct hooks *h)
{
	return hooks_add(h, HOOK_DONE, LT_EV_EXEC, hook_exec_done, fx);
}
