// SPDX-License-Identifier: MIT
/*
 * container.c - cgroup paths, container and pod ids. See container.h.
 *
 * The cache is a chained hash on (hierarchy, id) with a use clock: v2 ids,
 * and v1 ids per hierarchy since each hierarchy numbers its own. Eviction scans
 * for the smallest clock (the cache is small and misses are rare: one per
 * new cgroup). Entries are refcounted so the process table can keep the
 * one of each process after the cache let it go.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ltrack/event.h>

#include "container.h"

/* the kernel records the v1 ids in enum cg_v1_ctl's order */
_Static_assert((int)CG_V1_CPU == LT_CG_V1_CPU && (int)CG_V1_MEMORY == LT_CG_V1_MEMORY &&
	       (int)CG_V1_PIDS == LT_CG_V1_PIDS && (int)CG_V1_SYSTEMD == LT_CG_V1_SYSTEMD &&
	       (int)CG_V1_N == LT_CG_V1_N, "ABI: lt_exec_ev.cg_v1 order");

/* ---- parsers ------------------------------------------------------------- */

static bool is_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_hex(s[i]))
			return false;
	return true;
}

static bool has_prefix(const char *s, size_t n, const char *p)
{
	size_t pl = strlen(p);

	return n >= pl && !memcmp(s, p, pl);
}

static bool has_suffix(const char *s, size_t n, const char *p)
{
	size_t pl = strlen(p);

	return n >= pl && !memcmp(s + n - pl, p, pl);
}

/* a pod uid 8-4-4-4-12 with @sep ('-' or '_') as separator */
static bool is_uid(const char *s, size_t n, char sep)
{
	if (n != CTR_UID_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != sep : !is_hex(s[i]))
			return false;
	}
	return true;
}

static void set_id(struct ctr_info *ci, const char *id, const char *runtime)
{
	memcpy(ci->id, id, CTR_ID_LEN);
	ci->id[CTR_ID_LEN] = '\0';
	snprintf(ci->runtime, sizeof(ci->runtime), "%s", runtime);
}

static void set_uid(struct ctr_info *ci, const char *u)
{
	for (size_t i = 0; i < CTR_UID_LEN; i++)
		ci->pod_uid[i] = u[i] == '_' ? '-' : u[i];
	ci->pod_uid[CTR_UID_LEN] = '\0';
}

/* PREFIX<64hex>[SUFFIX]: the id, or NULL */
static const char *prefixed_id(const char *c, size_t n, const char *prefix, bool scope_only)
{
	size_t pl = strlen(prefix);

	if (!has_prefix(c, n, prefix))
		return NULL;
	if (n == pl + CTR_ID_LEN + 6 && has_suffix(c, n, ".scope") &&
	    all_hex(c + pl, CTR_ID_LEN))
		return c + pl;
	if (!scope_only && n == pl + CTR_ID_LEN && all_hex(c + pl, CTR_ID_LEN))
		return c + pl;
	return NULL;
}

bool ctr_parse_path(const char *path, size_t len, struct ctr_info *ci)
{
	const char *prev = NULL;	/* the component before this one */
	size_t prevlen = 0;
	bool in_kubepods = false, under_pod = false;
	unsigned int level = 0, id_level = 0, pod_level = 0;
	size_t i = 0;

	memset(ci, 0, sizeof(*ci));
	while (i < len) {
		const char *c, *id;
		size_t n;

		while (i < len && path[i] == '/')
			i++;
		c = path + i;
		while (i < len && path[i] != '/' && path[i] != '\0')
			i++;
		n = (size_t)(path + i - c);
		if (i < len && path[i] == '\0')
			len = i;	/* stop at an embedded NUL */
		if (!n)
			continue;
		level++;

		if (has_prefix(c, n, "kubepods"))
			in_kubepods = true;
		/* systemd driver: kubepods[-QOS]-pod<uid with _>.slice */
		if (has_prefix(c, n, "kubepods") && has_suffix(c, n, ".slice") &&
		    n >= 8 + 4 + CTR_UID_LEN + 6) {
			const char *u = c + n - 6 - CTR_UID_LEN;

			if (!memcmp(u - 4, "-pod", 4) && is_uid(u, CTR_UID_LEN, '_')) {
				set_uid(ci, u);
				under_pod = true;
				pod_level = level;
			}
		}
		/* cgroupfs driver: /kubepods[/QOS]/pod<uid>/ */
		if (in_kubepods && n == CTR_UID_LEN + 3 && has_prefix(c, n, "pod") &&
		    is_uid(c + 3, CTR_UID_LEN, '-')) {
			set_uid(ci, c + 3);
			under_pod = true;
			pod_level = level;
		}

		if ((id = prefixed_id(c, n, "docker-", true)))
			set_id(ci, id, "docker");
		else if ((id = prefixed_id(c, n, "cri-containerd-", true)))
			set_id(ci, id, "containerd");
		else if ((id = prefixed_id(c, n, "crio-", true)))
			set_id(ci, id, "cri-o");
		else if ((id = prefixed_id(c, n, "libpod-", false)))
			set_id(ci, id, "podman");
		else if (n == CTR_ID_LEN && all_hex(c, n)) {
			if (prev && prevlen == 6 && !memcmp(prev, "docker", 6))
				set_id(ci, id = c, "docker");
			else if (under_pod)	/* cgroupfs kubelet: the runtime is not named */
				set_id(ci, id = c, "");
		}
		if (id)		/* this component named the container */
			id_level = level;
		prev = c;
		prevlen = n;
	}
	ci->level = ci->id[0] ? id_level : ci->pod_uid[0] ? pod_level : 0;
	return ci->id[0] || ci->pod_uid[0];
}

const struct ctr_info *ctr_pick(const struct ctr_info *const *cand, int n)
{
	const struct ctr_info *best = NULL;

	for (int i = 0; i < n; i++) {
		const struct ctr_info *ci = cand[i];

		if (!ci || (!ci->id[0] && !ci->pod_uid[0]))
			continue;
		if (!best || ci->level > best->level)
			best = ci;
	}
	return best;
}

const char *cg_v1_name(enum cg_v1_ctl c)
{
	static const char *const names[CG_V1_N] = { "cpu", "memory", "pids", "systemd" };

	return (unsigned)c < CG_V1_N ? names[c] : "?";
}

/* does the comma list @l (@n bytes) hold @name? */
static bool list_has(const char *l, size_t n, const char *name)
{
	size_t nl = strlen(name), i = 0;

	while (i <= n) {
		size_t j = i;

		while (j < n && l[j] != ',')
			j++;
		if (j - i == nl && !memcmp(l + i, name, nl))
			return true;
		i = j + 1;
	}
	return false;
}

static void put_path(char *dst, bool *has, const char *p, size_t n)
{
	if (n >= CG_PATH_MAX)
		return;
	memcpy(dst, p, n);
	dst[n] = '\0';
	*has = true;
}

int cg_proc_parse(const char *buf, size_t len, struct cg_proc *out)
{
	static const char *const ctl[CG_V1_N] = { "cpu", "memory", "pids", "name=systemd" };
	size_t i = 0;
	int used = 0;

	memset(out, 0, sizeof(*out));
	while (i < len) {
		const char *line = buf + i, *c1, *c2;
		size_t n = 0, pl;

		while (i + n < len && buf[i + n] != '\n')
			n++;
		i += n + 1;
		c1 = memchr(line, ':', n);
		if (!c1)
			continue;
		c2 = memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - line));
		if (!c2)
			continue;
		pl = n - (size_t)(c2 + 1 - line);
		if (!pl || c2[1] != '/' || memchr(c2 + 1, '\0', pl))
			continue;
		if (c1 - line == 1 && line[0] == '0' && c2 == c1 + 1) {
			put_path(out->v2, &out->has_v2, c2 + 1, pl);
			used++;
			continue;
		}
		for (int k = 0; k < CG_V1_N; k++) {
			if (list_has(c1 + 1, (size_t)(c2 - c1 - 1), ctl[k])) {
				put_path(out->v1[k], &out->has_v1[k], c2 + 1, pl);
				used++;
			}
		}
	}
	return used;
}

/*
 * copy mountinfo field @f (@n bytes), decoding \ooo escapes; false if too
 * long or if it holds a NUL (no path does: not a mountinfo field)
 */
static bool unescape(const char *f, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char ch = f[i];

		if (ch == '\\' && i + 3 < n && f[i + 1] >= '0' && f[i + 1] <= '3' &&
		    f[i + 2] >= '0' && f[i + 2] <= '7' && f[i + 3] >= '0' && f[i + 3] <= '7') {
			ch = (char)((f[i + 1] - '0') << 6 | (f[i + 2] - '0') << 3 | (f[i + 3] - '0'));
			i += 3;
		}
		if (o + 1 >= outlen || ch == '\0')
			return false;
		out[o++] = ch;
	}
	out[o] = '\0';
	return true;
}

/* the field of @line (@n bytes) that starts at *@p; *@p moves past it */
static const char *field(const char *line, size_t n, size_t *p, size_t *flen)
{
	const char *f;

	while (*p < n && line[*p] == ' ')
		(*p)++;
	f = line + *p;
	while (*p < n && line[*p] != ' ')
		(*p)++;
	*flen = (size_t)(line + *p - f);
	return f;
}

/* a v1 mount (fields root @f3, mount point @f4, super options @o): the hierarchies it holds */
static void v1_mount(struct cg_mounts *out, const char *f3, size_t l3, const char *f4, size_t l4,
		     const char *o, size_t ol)
{
	static const char *const ctl[CG_V1_N] = { "cpu", "memory", "pids", "name=systemd" };

	for (int k = 0; k < CG_V1_N; k++) {
		/* the first mount of a hierarchy: later ones are bind mounts (containers) */
		if (out->has_v1_ctl[k] || !list_has(o, ol, ctl[k]))
			continue;
		if (unescape(f4, l4, out->v1[k], sizeof(out->v1[k])) &&
		    unescape(f3, l3, out->v1_root[k], sizeof(out->v1_root[k])) &&
		    out->v1_root[k][0] == '/')
			out->has_v1_ctl[k] = true;
		else
			out->v1[k][0] = out->v1_root[k][0] = '\0';
	}
}

int cg_mounts_parse(const char *buf, size_t len, struct cg_mounts *out)
{
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	while (i < len) {
		const char *line = buf + i, *f[5], *sep;
		size_t n = 0, flen[5], rest;
		size_t p = 0;

		while (i + n < len && buf[i + n] != '\n')
			n++;
		i += n + 1;
		/* fields: id parent major:minor root mountpoint ... - fstype source opts */
		for (int k = 0; k < 5; k++)
			f[k] = field(line, n, &p, &flen[k]);
		if (!flen[4])
			continue;
		sep = NULL;
		for (size_t q = p; q + 2 < n; q++) {
			if (line[q] == ' ' && line[q + 1] == '-' && line[q + 2] == ' ') {
				sep = line + q + 3;
				break;
			}
		}
		if (!sep)
			continue;
		rest = n - (size_t)(sep - line);
		if (rest >= 8 && !memcmp(sep, "cgroup2 ", 8)) {
			if (!out->has_v2 && unescape(f[4], flen[4], out->v2, sizeof(out->v2)))
				out->has_v2 = true;
		} else if (rest >= 7 && !memcmp(sep, "cgroup ", 7)) {
			/* after the separator: fstype source super-options */
			size_t q = (size_t)(sep - line) + 7, srclen, olen;
			const char *opts;

			out->has_v1 = true;
			field(line, n, &q, &srclen);
			opts = field(line, n, &q, &olen);
			v1_mount(out, f[3], flen[3], f[4], flen[4], opts, olen);
		}
	}
	return out->has_v2 || out->has_v1 ? 0 : -ENOENT;
}

/* ---- the cache ------------------------------------------------------------ */

#define FILEID_KERNFS_ 0xfe
#define CG_HIERS (1 + CG_V1_N)	/* v2, then the v1 hierarchies of enum cg_v1_ctl */

/* where the ids of one hierarchy resolve */
struct cg_hier {
	int mntfd;		/* its mount, an O_RDONLY directory; -1: not mounted here */
	char *mnt;		/* the mount point */
	char *root;		/* v1: the cgroup mounted there, prefixed to paths; v2: NULL */
};

struct cgcache {
	struct cg_entry **buckets;
	size_t nbuckets, n, max;
	uint64_t clock;
	struct cg_hier h[CG_HIERS];
	bool has_v1;
	uint64_t evicted, resolved, unresolved;
};

static char *read_small(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t n = 0;

	*len = 0;
	if (fd < 0)
		return NULL;
	buf = malloc(max + 1);
	if (!buf)
		goto out_close;
	while (n < max) {
		ssize_t r = read(fd, buf + n, max - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
out_close:
	close(fd);
	return buf;
}

/* open the mount of hierarchy @h; a failure leaves it unresolvable (counted as unresolved) */
static int hier_open(struct cg_hier *h, const char *mnt, const char *root)
{
	h->mntfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	h->mnt = strdup(mnt);
	h->root = root ? strdup(root) : NULL;
	if (!h->mnt || (root && !h->root))
		return -ENOMEM;
	return 0;
}

struct cgcache *cgcache_new(size_t max, const char *v2mount)
{
	struct cgcache *c = calloc(1, sizeof(*c));
	struct cg_mounts *m = calloc(1, sizeof(*m));	/* ~9 KiB: not on the stack */
	char *mi;
	size_t len;

	if (!c || !m)
		goto out_nomem;
	c->max = max ? max : 1;
	c->nbuckets = 1;
	while (c->nbuckets < c->max)
		c->nbuckets <<= 1;
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	if (!c->buckets)
		goto out_nomem;
	for (int k = 0; k < CG_HIERS; k++)
		c->h[k].mntfd = -1;
	mi = read_small("/proc/self/mountinfo", 1 << 20, &len);
	if (mi) {
		cg_mounts_parse(mi, len, m);
		free(mi);
	}
	c->has_v1 = m->has_v1;
	if (!v2mount && m->has_v2)
		v2mount = m->v2;
	if (v2mount && hier_open(&c->h[0], v2mount, NULL))
		goto out_nomem;
	for (int k = 0; k < CG_V1_N; k++)
		if (m->has_v1_ctl[k] && hier_open(&c->h[1 + k], m->v1[k], m->v1_root[k]))
			goto out_nomem;
	free(m);
	return c;

out_nomem:
	free(m);
	cgcache_free(c);
	errno = ENOMEM;
	return NULL;
}

void cg_entry_put(struct cg_entry *e)
{
	if (!e || --e->refs)
		return;
	free(e->path);
	free(e);
}

void cgcache_free(struct cgcache *c)
{
	if (!c)
		return;
	for (size_t b = 0; c->buckets && b < c->nbuckets; b++) {
		struct cg_entry *e = c->buckets[b], *next;

		for (; e; e = next) {
			next = e->hnext;
			cg_entry_put(e);
		}
	}
	for (int k = 0; k < CG_HIERS; k++) {
		if (c->h[k].mntfd >= 0)
			close(c->h[k].mntfd);
		free(c->h[k].mnt);
		free(c->h[k].root);
	}
	free(c->buckets);
	free(c);
}

/* ids are unique within one hierarchy only (each is its own kernfs root) */
static size_t bucket_of(const struct cgcache *c, int hier, uint64_t id)
{
	uint64_t h = (id ^ (uint64_t)hier << 56) * 0x9e3779b97f4a7c15ULL;

	return (h ^ (h >> 31)) & (c->nbuckets - 1);
}

/*
 * the path of @id in hierarchy @h, through a kernfs file handle: relative
 * to the mount, behind the mounted cgroup for v1 (as /proc/PID/cgroup
 * shows it). NULL when the cgroup is gone or not below the mount.
 */
static char *resolve(const struct cg_hier *h, uint64_t id)
{
	uint64_t hbuf[(sizeof(struct file_handle) + sizeof(uint64_t)) / 8 + 1];
	struct file_handle *fh = (struct file_handle *)hbuf;
	char link[64], buf[PATH_MAX], *out;
	const char *rel;
	size_t ml, rl;
	ssize_t n;
	int fd;

	if (h->mntfd < 0 || !h->mnt)
		return NULL;
	memset(hbuf, 0, sizeof(hbuf));
	fh->handle_bytes = sizeof(uint64_t);
	fh->handle_type = FILEID_KERNFS_;
	memcpy((char *)hbuf + sizeof(*fh), &id, sizeof(id));
	fd = open_by_handle_at(h->mntfd, fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	ml = strlen(h->mnt);
	while (ml > 1 && h->mnt[ml - 1] == '/')
		ml--;
	if (strncmp(buf, h->mnt, ml) || (buf[ml] != '/' && buf[ml] != '\0'))
		return NULL;	/* not below our view of the mount */
	rel = buf[ml] ? buf + ml : "/";
	if (!h->root || !strcmp(h->root, "/"))
		return strdup(rel);
	/* a subtree is mounted: its path goes before ("/" alone adds nothing) */
	rl = strlen(h->root);
	if (!strcmp(rel, "/"))
		return strdup(h->root);
	out = malloc(rl + strlen(rel) + 1);
	if (out) {
		memcpy(out, h->root, rl);
		memcpy(out + rl, rel, strlen(rel) + 1);
	}
	return out;
}

/*
 * check_owner - @ci found in @path (as resolve or /proc shows it) of
 * hierarchy @h: is the directory that holds the naming component (level
 * ci->level) root's, and writable by no group or other? Only then could
 * nobody but root have chosen the name. Otherwise ci->delegated. Not
 * checkable (the parent above a subtree mount, or gone): left unflagged.
 */
static void check_owner(const struct cg_hier *h, const char *path, struct ctr_info *ci)
{
	char parent[PATH_MAX];
	const char *rel;
	size_t n = 0, rl;
	unsigned int level = 0;
	struct stat st;

	if (!ci->level || !h || h->mntfd < 0)
		return;
	/* the first level - 1 components */
	while (path[n] && level + 1 < ci->level) {
		while (path[n] == '/')
			n++;
		if (!path[n])
			break;
		while (path[n] && path[n] != '/')
			n++;
		level++;
	}
	if (level + 1 != ci->level || n >= sizeof(parent))
		return;
	memcpy(parent, path, n);
	parent[n] = '\0';
	/* relative to the mount: a v1 subtree mounted there goes first */
	rel = parent;
	if (h->root && strcmp(h->root, "/")) {
		rl = strlen(h->root);
		if (strncmp(parent, h->root, rl) || (parent[rl] != '/' && parent[rl] != '\0'))
			return;	/* above our view */
		rel = parent + rl;
	}
	while (*rel == '/')
		rel++;
	if (fstatat(h->mntfd, *rel ? rel : "", &st,
		    AT_SYMLINK_NOFOLLOW | (*rel ? 0 : AT_EMPTY_PATH)))
		return;
	ci->delegated = st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH));
}

static void evict_one(struct cgcache *c)
{
	struct cg_entry **victim = NULL;

	for (size_t b = 0; b < c->nbuckets; b++)
		for (struct cg_entry **pp = &c->buckets[b]; *pp; pp = &(*pp)->hnext)
			if (!victim || (*pp)->used < (*victim)->used)
				victim = pp;
	if (victim) {
		struct cg_entry *e = *victim;

		*victim = e->hnext;
		c->n--;
		c->evicted++;
		cg_entry_put(e);
	}
}

static struct cg_entry *ref_hier(struct cgcache *c, int hier, uint64_t id)
{
	size_t b = bucket_of(c, hier, id);
	struct cg_entry *e;

	c->clock++;
	for (e = c->buckets[b]; e; e = e->hnext) {
		if (e->id == id && e->hier == hier) {
			e->used = c->clock;
			e->refs++;
			return e;
		}
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->id = id;
	e->hier = hier;
	e->path = resolve(&c->h[hier], id);
	if (e->path) {
		c->resolved++;
		if (ctr_parse_path(e->path, strlen(e->path), &e->ci))
			check_owner(&c->h[hier], e->path, &e->ci);
	} else {
		c->unresolved++;
	}
	if (c->n >= c->max)
		evict_one(c);
	b = bucket_of(c, hier, id);
	e->hnext = c->buckets[b];
	c->buckets[b] = e;
	c->n++;
	e->used = c->clock;
	e->refs = 2;	/* the cache's and the caller's */
	return e;
}

struct cg_entry *cgcache_ref(struct cgcache *c, uint64_t id)
{
	return ref_hier(c, 0, id);
}

struct cg_entry *cgcache_ref_v1(struct cgcache *c, enum cg_v1_ctl ctl, uint64_t id)
{
	if ((unsigned)ctl >= CG_V1_N || !id || c->h[1 + ctl].mntfd < 0)
		return NULL;
	return ref_hier(c, 1 + ctl, id);
}

void cgcache_get_stats(const struct cgcache *c, struct cgcache_stats *st)
{
	st->entries = c->n;
	st->max = c->max;
	st->evicted = c->evicted;
	st->resolved = c->resolved;
	st->unresolved = c->unresolved;
	st->bytes = sizeof(*c) + c->nbuckets * sizeof(*c->buckets) + c->n * sizeof(struct cg_entry);
}

bool cgcache_has_v1(const struct cgcache *c)
{
	return c->has_v1;
}

/* ---- per process ---------------------------------------------------------- */

/* the container of @v: the one named deepest in its paths (ctr_pick) */
static void v1_pick(struct cg_v1 *v, const struct ctr_info ci[CG_V1_N])
{
	const struct ctr_info *cand[CG_V1_N], *best;

	for (int k = 0; k < CG_V1_N; k++)
		cand[k] = &ci[k];
	best = ctr_pick(cand, CG_V1_N);
	v->found = best != NULL;
	if (best)
		v->ci = *best;
}

struct cg_v1 *cg_v1_read(const struct cgcache *c, uint32_t pid)
{
	struct ctr_info ci[CG_V1_N] = { 0 };
	struct cg_proc *cp = NULL;
	struct cg_v1 *v = NULL;
	char path[64], *buf;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	buf = read_small(path, 16384, &len);
	if (!buf)
		return NULL;
	cp = malloc(sizeof(*cp));
	v = calloc(1, sizeof(*v));
	if (!cp || !v)
		goto out_fail;
	cg_proc_parse(buf, len, cp);
	for (int k = 0; k < CG_V1_N; k++) {
		if (!cp->has_v1[k] || !strcmp(cp->v1[k], "/"))
			continue;
		v->path[k] = strdup(cp->v1[k]);
		if (!v->path[k])
			goto out_fail;
		if (ctr_parse_path(cp->v1[k], strlen(cp->v1[k]), &ci[k]) && c)
			check_owner(&c->h[1 + k], cp->v1[k], &ci[k]);
	}
	v1_pick(v, ci);
	free(cp);
	free(buf);
	return v;

out_fail:
	cg_v1_free(v);
	free(cp);
	free(buf);
	return NULL;
}

struct cg_v1 *cg_v1_from_ids(struct cgcache *c, const uint64_t ids[CG_V1_N], bool *complete)
{
	struct ctr_info ci[CG_V1_N] = { 0 };
	struct cg_v1 *v = calloc(1, sizeof(*v));

	*complete = true;
	if (!v)
		return NULL;
	for (int k = 0; k < CG_V1_N; k++) {
		/* NULL: no id (a kernel without the controller) or no v1 mount of it here */
		struct cg_entry *e = cgcache_ref_v1(c, k, ids[k]);
		bool nomem = false;

		if (!e)
			continue;
		if (!e->path) {
			*complete = false;	/* the cgroup is gone already */
		} else if (strcmp(e->path, "/")) {	/* "/" is not listed, as in cg_v1_read */
			v->path[k] = strdup(e->path);
			nomem = !v->path[k];
			ci[k] = e->ci;
		}
		cg_entry_put(e);
		if (nomem) {
			cg_v1_free(v);
			return NULL;
		}
	}
	v1_pick(v, ci);
	return v;
}

struct cg_v1 *cg_v1_dup(const struct cg_v1 *v)
{
	struct cg_v1 *d;

	if (!v)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->ci = v->ci;
	d->found = v->found;
	for (int k = 0; k < CG_V1_N; k++) {
		if (v->path[k] && !(d->path[k] = strdup(v->path[k]))) {
			cg_v1_free(d);
			return NULL;
		}
	}
	return d;
}

void cg_v1_free(struct cg_v1 *v)
{
	if (!v)
		return;
	for (int k = 0; k < CG_V1_N; k++)
		free(v->path[k]);
	free(v);
}
