// SPDX-License-Identifier: MIT
/*
 * hash.c - digests, identity checks, the digest cache and the worker pool.
 * See hash.h.
 *
 * Pool design: one mutex guards the job queue (a ring of queue_max slots)
 * and the result list. Workers wait on a condition variable for jobs; each
 * finished job is appended to the results and the eventfd is written, so
 * the event loop wakes. A job holds only plain data (no pointers into
 * events), so the loop may forget the event that asked for it.
 *
 * CPU share: hashing never delays events (they wait at most wait_ms, then
 * go out "pending"), so workers yield to everything else. Each worker
 * makes itself SCHED_BATCH at the pool's nice value (default 10: under
 * contention a worker gets about a tenth of a nice-0 thread's CPU, and the
 * pool at most `workers` cores; on an idle core it runs at full speed) and
 * best-effort I/O priority 7 (the lowest that still progresses, unlike the
 * idle class). A worker that cannot lower itself still hashes; it is
 * counted in hash_pool_stats.prio_failed.
 *
 * Cache design: chained hash table over the identity + a doubly linked LRU
 * list; both sized once, entries preallocated, so a full cache never
 * allocates.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "hash.h"
#include "safeopen.h"
#include "hex.h"

/*
 * Read size: the digest runs on data just copied into a buffer that stays
 * in the L2 cache. Measured on a 2 GiB file in the page cache (one core,
 * docs/benchmarks.md): 64 KiB, 256 KiB and 1 MiB reads are within noise of
 * each other; mmap + MADV_SEQUENTIAL was 10-15% slower (a fault per page on
 * this VM) and MAP_POPULATE much slower. `openssl dgst` reads 8 KiB at a
 * time, so this loop is faster than the reference it is measured against.
 */
#define HASH_CHUNK (256u * 1024u)

/* ---- digest ------------------------------------------------------------------ */

int64_t hash_fd_sha256(int fd, char hex[HASH_HEX_LEN + 1], const volatile bool *stop)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	int64_t total = 0, ret;
	char *buf;

	hex[0] = '\0';
	/* page-aligned: a malloc(256 KiB) is 16 bytes into its mapping, and reads
	 * into it ran at 60% of the speed here (docs/benchmarks.md, run L) */
	buf = aligned_alloc(4096, HASH_CHUNK);
	ctx = EVP_MD_CTX_new();
	if (!buf || !ctx) {
		ret = -ENOMEM;
		goto out_free;
	}
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		ret = -EIO;
		goto out_free;
	}
	/* a cold file: twice the readahead. Advice only: a pipe says ESPIPE, ignored */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	for (;;) {
		ssize_t n;

		if (stop && *stop) {
			ret = -ECANCELED;
			goto out_free;
		}
		n = read(fd, buf, HASH_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out_free;
		}
		if (!n)
			break;
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
			ret = -EIO;
			goto out_free;
		}
		total += n;
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != HASH_HEX_LEN / 2) {
		ret = -EIO;
		goto out_free;
	}
	hex_encode(md, mdlen, hex);
	ret = total;
out_free:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return ret;
}

/* ---- identity ------------------------------------------------------------------ */

int hash_fd_id(int fd, struct ev_file_id *id)
{
	struct statx sx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT,
		  STATX_TYPE | STATX_INO | STATX_SIZE | STATX_MTIME | STATX_CTIME, &sx))
		return -errno;
	if (!S_ISREG(sx.stx_mode))
		return -EINVAL;
	memset(id, 0, sizeof(*id));
	/* the kernel's encoding of s_dev: MAJOR << 20 | MINOR */
	id->dev = sx.stx_dev_major << 20 | (sx.stx_dev_minor & 0xfffff);
	id->ino = sx.stx_ino;
	id->size = sx.stx_size;
	id->mtime_ns = (uint64_t)sx.stx_mtime.tv_sec * 1000000000ULL + sx.stx_mtime.tv_nsec;
	id->ctime_ns = (uint64_t)sx.stx_ctime.tv_sec * 1000000000ULL + sx.stx_ctime.tv_nsec;
	return 0;
}

static bool id_eq(const struct ev_file_id *a, const struct ev_file_id *b)
{
	return a->ino == b->ino && a->dev == b->dev && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

int hash_same_id(int fd, const struct ev_file_id *id)
{
	struct ev_file_id now;
	int rc = hash_fd_id(fd, &now);

	if (rc == -EINVAL)
		return 0;
	if (rc)
		return rc;
	return id_eq(&now, id);
}

/* the same file with the same size and content time: all but ctime */
static bool id_eq_but_ctime(const struct ev_file_id *a, const struct ev_file_id *b)
{
	return a->ino == b->ino && a->dev == b->dev && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns;
}

int hash_fd_rule(const struct ev_file_id *k, const struct ev_file_id *seen,
		 const struct ev_file_id *after, uint64_t nread, bool denies)
{
	if (!id_eq_but_ctime(k, seen) || !id_eq_but_ctime(k, after) || nread != k->size)
		return HASH_FD_CHANGED;
	if (seen->ctime_ns == k->ctime_ns && after->ctime_ns == k->ctime_ns)
		return HASH_FD_SAME;
	return denies ? HASH_FD_WITNESS : HASH_FD_CHANGED;
}

/* statfs f_type values (linux/magic.h), so the list reads as names */
#define FS_EXT4 0xEF53		/* ext2, ext3, ext4 */
#define FS_XFS 0x58465342
#define FS_BTRFS 0x9123683E
#define FS_F2FS 0xF2F52010
#define FS_TMPFS 0x01021994
#define FS_SQUASHFS 0x73717368
#define FS_EROFS 0xE0F5E1E2
#define FS_ISO9660 0x9660

bool hash_fs_denies_write(uint64_t magic)
{
	switch (magic) {
	case FS_EXT4:
	case FS_XFS:
	case FS_BTRFS:
	case FS_F2FS:
	case FS_TMPFS:
	case FS_SQUASHFS:
	case FS_EROFS:
	case FS_ISO9660:
		return true;
	}
	return false;
}

/*
 * open @path for reading without blocking on a FIFO or taking a terminal,
 * and without touching its atime when we may (the owner or CAP_FOWNER)
 */
/*
 * open_ro - @path for reading: a regular file only (never a device or FIFO
 * a user swapped in), a final symlink followed only for /proc's magic
 * links (safeopen.h)
 */
static int open_ro(const char *path, const struct ev_file_id *id)
{
	struct safe_id want = { .dev = makedev(kdev_major(id->dev), kdev_minor(id->dev)),
				.ino = id->ino };

	/* nothing but the expected file is opened, nor stat-ed through its file system */
	return safe_open_ro_id(path, strncmp(path, "/proc/", 6) == 0, true, &want, NULL);
}

/*
 * open_checked - the object of @j with exactly its identity: through the
 * process first, by name second. Returns an fd, or -ENOENT (nothing to
 * open) / -ESTALE (something else is there now) / -EINVAL (not a regular
 * file).
 */
static int open_checked(const struct hash_job *j)
{
	char proc[96];
	int fd, same, ret = -ENOENT;

	if (j->vm_end > j->vm_start)
		snprintf(proc, sizeof(proc), "/proc/%u/map_files/%llx-%llx", j->pid,
			 (unsigned long long)j->vm_start, (unsigned long long)j->vm_end);
	else
		snprintf(proc, sizeof(proc), "/proc/%u/exe", j->pid);
	for (int i = 0; i < 2; i++) {
		const char *p = i == 0 ? (j->pid ? proc : NULL) : (j->path[0] == '/' ? j->path : NULL);

		if (!p)
			continue;
		fd = open_ro(p, &j->id);
		if (fd == -ESTALE)
			ret = -ESTALE;	/* something else is there now */
		if (fd < 0)
			continue;
		same = hash_same_id(fd, &j->id);
		if (same == 1)
			return fd;
		close(fd);
		/* something is there, but not what the kernel saw */
		if (same == 0)
			ret = -ESTALE;
	}
	return ret;
}

/*
 * check_fd - hash_check_file for a job with a descriptor (@r prepared):
 * read it from its start, then let hash_fd_rule judge. Never by name.
 */
static void check_fd(const struct hash_job *j, struct hash_result *r, const volatile bool *stop)
{
	struct ev_file_id after;
	struct statfs sf;
	bool denies;
	int64_t n;

	r->why = "io";
	if (lseek(j->fd, 0, SEEK_SET) < 0)
		return;
	n = hash_fd_sha256(j->fd, r->hex, stop);
	if (n < 0) {
		r->why = n == -ECANCELED ? "stopped" : "io";
		return;
	}
	if (hash_fd_id(j->fd, &after))
		return;
	denies = !fstatfs(j->fd, &sf) && hash_fs_denies_write((uint64_t)sf.f_type);
	switch (hash_fd_rule(&j->id, &j->seen, &after, (uint64_t)n, denies)) {
	case HASH_FD_SAME:
		r->state = HASH_OK;
		break;
	case HASH_FD_WITNESS:
		r->state = HASH_OK;
		r->witness = true;
		r->early = j->looked && id_eq(&after, &j->look_id);
		break;
	default:
		r->why = "changed";
	}
}

void hash_check_file(const struct hash_job *j, uint64_t max_bytes, struct hash_result *r,
		     const volatile bool *stop)
{
	int64_t n;
	int fd, same;

	memset(r, 0, sizeof(*r));
	r->cookie = j->cookie;
	r->id = j->id;
	r->state = HASH_UNAVAILABLE;
	if (j->id.size > max_bytes) {
		r->state = HASH_SKIPPED;
		r->why = "too_large";
		if (j->has_fd)
			close(j->fd);
		return;
	}
	if (j->has_fd) {
		check_fd(j, r, stop);
		if (r->state != HASH_OK)
			r->hex[0] = '\0';
		close(j->fd);
		return;
	}
	fd = open_checked(j);
	if (fd < 0) {
		r->why = fd == -ESTALE ? "changed" : "gone";
		return;
	}
	n = hash_fd_sha256(fd, r->hex, stop);
	if (n < 0) {
		r->why = n == -ECANCELED ? "stopped" : "io";
		goto out_close;
	}
	/* what was read must be what the kernel saw, start to end */
	same = hash_same_id(fd, &j->id);
	if (same != 1 || (uint64_t)n != j->id.size) {
		r->why = "changed";
		goto out_close;
	}
	r->state = HASH_OK;
out_close:
	if (r->state != HASH_OK)
		r->hex[0] = '\0';
	close(fd);
}

/* ---- cache ------------------------------------------------------------------- */

struct cache_ent {
	struct ev_file_id id;
	char hex[HASH_HEX_LEN + 1];
	struct cache_ent *hnext;
	struct cache_ent *prev, *next;	/* LRU: head = most recent */
};

struct hash_cache {
	struct cache_ent *slab;		/* max entries */
	struct cache_ent **buckets;
	size_t nbuckets;
	size_t max, used;
	struct cache_ent *head, *tail;
	uint64_t hits, misses, evictions;
};

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static size_t id_bucket(const struct hash_cache *c, const struct ev_file_id *id)
{
	uint64_t h = mix64(id->ino ^ ((uint64_t)id->dev << 40));

	h = mix64(h ^ id->size);
	h = mix64(h ^ id->mtime_ns);
	h = mix64(h ^ id->ctime_ns);
	return h % c->nbuckets;
}

struct hash_cache *hash_cache_new(size_t max)
{
	struct hash_cache *c;

	if (!max) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->max = max;
	c->nbuckets = max + max / 2 + 1;
	c->slab = calloc(max, sizeof(*c->slab));
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	if (!c->slab || !c->buckets) {
		hash_cache_free(c);
		errno = ENOMEM;
		return NULL;
	}
	return c;
}

void hash_cache_free(struct hash_cache *c)
{
	if (!c)
		return;
	free(c->slab);
	free(c->buckets);
	free(c);
}

static void lru_unlink(struct hash_cache *c, struct cache_ent *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_front(struct hash_cache *c, struct cache_ent *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	c->head = e;
	if (!c->tail)
		c->tail = e;
}

static struct cache_ent *cache_find(const struct hash_cache *c, const struct ev_file_id *id)
{
	for (struct cache_ent *e = c->buckets[id_bucket(c, id)]; e; e = e->hnext)
		if (id_eq(&e->id, id))
			return e;
	return NULL;
}

bool hash_cache_has(const struct hash_cache *c, const struct ev_file_id *id)
{
	return cache_find(c, id) != NULL;
}

static void bucket_remove(struct hash_cache *c, struct cache_ent *e)
{
	struct cache_ent **pp = &c->buckets[id_bucket(c, &e->id)];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	e->hnext = NULL;
}

bool hash_cache_get(struct hash_cache *c, const struct ev_file_id *id,
		    char hex[HASH_HEX_LEN + 1])
{
	struct cache_ent *e = cache_find(c, id);

	if (!e) {
		c->misses++;
		return false;
	}
	c->hits++;
	lru_unlink(c, e);
	lru_front(c, e);
	memcpy(hex, e->hex, HASH_HEX_LEN + 1);
	return true;
}

int hash_cache_put(struct hash_cache *c, const struct ev_file_id *id, const char *hex)
{
	struct cache_ent *e = cache_find(c, id);

	if (!e) {
		if (c->used < c->max) {
			e = &c->slab[c->used++];
		} else {
			e = c->tail;
			lru_unlink(c, e);
			bucket_remove(c, e);
			c->evictions++;
		}
		e->id = *id;
		e->hnext = c->buckets[id_bucket(c, id)];
		c->buckets[id_bucket(c, id)] = e;
	} else {
		lru_unlink(c, e);
	}
	snprintf(e->hex, sizeof(e->hex), "%s", hex);
	lru_front(c, e);
	return 0;
}

void hash_cache_get_stats(const struct hash_cache *c, struct hash_cache_stats *st)
{
	st->entries = c->used;
	st->max = c->max;
	st->hits = c->hits;
	st->misses = c->misses;
	st->evictions = c->evictions;
}

/* ---- worker pool ------------------------------------------------------------- */

struct result_node {
	struct hash_result r;
	struct result_node *next;
};

struct hash_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct hash_job *jobs;		/* ring of queue_max */
	size_t queue_max, head, count;
	struct result_node *res_head, *res_tail;
	pthread_t *threads;
	unsigned nthreads;
	uint64_t max_bytes;
	uint64_t submitted, rejected;
	int nice;			/* of the workers, 0..19 */
	unsigned prio_failed;		/* workers that could not lower their priority */
	volatile bool stop;
	int efd;
};

#define IOPRIO_CLASS_BE_ 2
#define IOPRIO_CLASS_SHIFT_ 13
#define IOPRIO_WHO_PROCESS_ 1

/* lower the calling thread's CPU and I/O priority (see the top); 0 or -errno */
static int worker_deprioritise(int nice)
{
	struct sched_param sp = { .sched_priority = 0 };
	pid_t tid = (pid_t)syscall(SYS_gettid);
	int rc = pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);

	if (rc)
		return -rc;
	/* on Linux, PRIO_PROCESS with a thread id sets that thread's nice value */
	if (setpriority(PRIO_PROCESS, (id_t)tid, nice))
		return -errno;
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS_, tid,
		    IOPRIO_CLASS_BE_ << IOPRIO_CLASS_SHIFT_ | 7))
		return -errno;
	return 0;
}

static void *worker_main(void *arg)
{
	struct hash_pool *p = arg;
	struct hash_job *j = malloc(sizeof(*j));
	struct result_node *n;
	int prio = worker_deprioritise(p->nice);

	if (prio) {
		pthread_mutex_lock(&p->mu);
		p->prio_failed++;
		pthread_mutex_unlock(&p->mu);
	}
	if (!j)
		return NULL;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!p->stop && !p->count)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		*j = p->jobs[p->head];
		p->head = (p->head + 1) % p->queue_max;
		p->count--;
		pthread_mutex_unlock(&p->mu);

		n = calloc(1, sizeof(*n));
		if (!n) {
			if (j->has_fd)
				close(j->fd);
			continue;	/* the loop's wait for it ends in its timeout: pending */
		}
		hash_check_file(j, p->max_bytes, &n->r, &p->stop);

		pthread_mutex_lock(&p->mu);
		if (p->res_tail)
			p->res_tail->next = n;
		else
			p->res_head = n;
		p->res_tail = n;
		pthread_mutex_unlock(&p->mu);
		{
			uint64_t one = 1;
			ssize_t w = write(p->efd, &one, sizeof(one));

			(void)w;	/* the counter cannot overflow in practice; the loop polls too */
		}
	}
	free(j);
	return NULL;
}

struct hash_pool *hash_pool_new(unsigned workers, size_t queue_max, uint64_t max_bytes, int nice)
{
	struct hash_pool *p;
	int err;

	if (!workers || !queue_max || nice < 0 || nice > 19) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->efd = -1;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->queue_max = queue_max;
	p->max_bytes = max_bytes;
	p->nice = nice;
	p->jobs = calloc(queue_max, sizeof(*p->jobs));
	p->threads = calloc(workers, sizeof(*p->threads));
	p->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!p->jobs || !p->threads || p->efd < 0) {
		err = p->efd < 0 ? errno : ENOMEM;
		goto out_free;
	}
	for (unsigned i = 0; i < workers; i++) {
		err = pthread_create(&p->threads[i], NULL, worker_main, p);
		if (err)
			goto out_free;
		p->nthreads++;
	}
	return p;
out_free:
	hash_pool_free(p);
	errno = err;
	return NULL;
}

void hash_pool_free(struct hash_pool *p)
{
	struct result_node *n;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	/* jobs no worker took: their descriptors are the pool's */
	for (size_t i = 0; p->jobs && i < p->count; i++) {
		struct hash_job *j = &p->jobs[(p->head + i) % p->queue_max];

		if (j->has_fd)
			close(j->fd);
	}
	while ((n = p->res_head)) {
		p->res_head = n->next;
		free(n);
	}
	if (p->efd >= 0)
		close(p->efd);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->jobs);
	free(p->threads);
	free(p);
}

int hash_pool_fd(const struct hash_pool *p)
{
	return p->efd;
}

int hash_pool_submit(struct hash_pool *p, const struct hash_job *j)
{
	int ret = 0;

	pthread_mutex_lock(&p->mu);
	if (p->count == p->queue_max) {
		p->rejected++;
		ret = -EAGAIN;
	} else {
		p->jobs[(p->head + p->count) % p->queue_max] = *j;
		p->count++;
		p->submitted++;
		pthread_cond_signal(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return ret;
}

size_t hash_pool_take(struct hash_pool *p, struct hash_result *out, size_t max)
{
	struct result_node *n;
	uint64_t v;
	size_t got = 0;
	ssize_t rd = read(p->efd, &v, sizeof(v));

	(void)rd;	/* EAGAIN when nothing was signalled: the list decides */
	pthread_mutex_lock(&p->mu);
	while (got < max && (n = p->res_head)) {
		p->res_head = n->next;
		if (!p->res_head)
			p->res_tail = NULL;
		out[got++] = n->r;
		free(n);
	}
	pthread_mutex_unlock(&p->mu);
	/* results left behind: make the fd readable again */
	if (got == max) {
		uint64_t one = 1;
		ssize_t w = write(p->efd, &one, sizeof(one));

		(void)w;
	}
	return got;
}

void hash_pool_get_stats(struct hash_pool *p, struct hash_pool_stats *st)
{
	pthread_mutex_lock(&p->mu);
	st->submitted = p->submitted;
	st->rejected = p->rejected;
	st->queued = p->count;
	st->queue_max = p->queue_max;
	st->workers = p->nthreads;
	st->prio_failed = p->prio_failed;
	pthread_mutex_unlock(&p->mu);
}
