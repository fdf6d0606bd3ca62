// SPDX-License-Identifier: MIT
/*
 * model.c - the user-space half of the model monitor. See model.h.
 *
 * State:
 *   table   path -> (identity, last digest, "a change is expected"), at
 *           most MODEL_TABLE_MAX, least recently used out first;
 *   procs   (process, model file) pairs loaded, with the header of their
 *           model_load, until the process exits (model_access);
 *   writes  model_write records being watched: each tick the path is
 *           stat'ed; once its identity differs from the loaded one and is
 *           the same on two ticks in a row (or the writer is gone), the
 *           model_modified goes out; after MODEL_WRITE_WAIT_MS unchanged it
 *           is dropped;
 *   queue   records made here, sent by model_tick (never from inside the
 *           output path, which model_on_emit is part of).
 * Everything runs on the event loop's thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hash.h"
#include "hooks.h"
#include "output/jsonw.h"
#include "loader.h"
#include "log.h"
#include "ltrack.skel.h"
#include "model/model.h"
#include "safeopen.h"
#include "hex.h"
#include "scan/report.h"
#include "net.h"
#include "scan/scan.h"

#define MODEL_QUEUE_MAX 1024

/* ---- decoding and output ------------------------------------------------------- */

int model_ext_key(const char *ext, uint32_t gen, struct lt_model_ext_key *k)
{
	size_t n;

	memset(k, 0, sizeof(*k));
	k->gen = gen;
	if (ext[0] == '.')
		ext++;
	n = strlen(ext);
	if (!n || n >= LT_MEXT_LEN || strpbrk(ext, "./"))
		return -EINVAL;
	/* reversed: the kernel reads the name from its end */
	for (size_t i = 0; i < n; i++) {
		char c = ext[n - 1 - i];

		k->ext[i] = (c >= 'A' && c <= 'Z') ? (char)(c | 0x20) : c;
	}
	return 0;
}

int model_pat_make(const char *s, struct lt_model_pat *p)
{
	size_t n = strlen(s);

	memset(p, 0, sizeof(*p));
	if (n && s[n - 1] == '*') {
		p->prefix = 1;
		n--;
	}
	if (!n || n >= LT_MODEL_PAT_LEN || memchr(s, '*', n) || memchr(s, '/', n))
		return -EINVAL;
	memcpy(p->pat, s, n);
	p->len = (uint32_t)n;
	return 0;
}

bool model_pat_match(const struct lt_model_pat *p, const char *name)
{
	char nm[LT_MODEL_PAT_LEN] = { 0 };
	size_t n = strnlen(name, LT_MODEL_PAT_LEN - 1);

	/* the kernel sees at most 15 bytes and a NUL (comm, and the basename it reads) */
	memcpy(nm, name, n);
	if (!p->len || p->len >= LT_MODEL_PAT_LEN || memcmp(nm, p->pat, p->len))
		return false;
	return p->prefix || nm[p->len] == '\0';
}

static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

bool model_names_match(char *const *pats, size_t n, const char *comm, const char *exe)
{
	for (size_t i = 0; i < n; i++) {
		if (comm && !fnmatch(pats[i], comm, 0))
			return true;
		if (exe && !fnmatch(pats[i], base_of(exe), 0))
			return true;
	}
	return false;
}

int model_sniff_fd(int fd, uint64_t size, const char *name)
{
	uint8_t head[MODEL_SNIFF_BYTES];
	ssize_t n = pread(fd, head, sizeof(head), 0);

	if (n <= 0)
		return MF_UNKNOWN;
	return scan_sniff(head, (size_t)n, size, name);
}

/* ---- the path table ----------------------------------------------------------------
 *
 * Up to max entries in one array, found through two chained hash indexes
 * (by path, the 64-bit hash kept to skip most string compares; by device
 * and inode), with a doubly linked list in order of use for the eviction:
 * every operation is O(1) expected, whatever the paths (security review,
 * finding 15: a linear strcmp over 4096 long shared-prefix paths took
 * 0.94 ms per lookup, in the event loop). Links are array indexes, -1 none.
 */

struct tent {
	char *path;			/* NULL: a free slot */
	uint64_t h;			/* hash of path */
	struct ev_file_id id;
	char hex[65];
	bool expect;
	bool indexed;			/* in the inode index (once it has an identity) */
	uint64_t used;			/* the table's clock at its last use */
	int32_t pnext, inext;		/* chains of the path and inode indexes */
	int32_t prev, next;		/* order of use: head most recent */
};

struct model_table {
	struct tent *e;
	int32_t *pb, *ib;		/* bucket heads */
	size_t n, max, nb;
	int32_t head, tail;
	uint64_t clock, evicted;
};

static uint64_t path_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h;
}

static size_t ino_bucket(const struct model_table *t, uint32_t dev, uint64_t ino)
{
	uint64_t h = (ino ^ ((uint64_t)dev << 40)) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 32) & (t->nb - 1);
}

struct model_table *model_table_new(size_t max)
{
	struct model_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->max = max ? max : 1;
	if (t->max > (1u << 24))
		t->max = 1u << 24;
	t->nb = 16;
	while (t->nb < 2 * t->max)
		t->nb <<= 1;
	t->e = calloc(t->max, sizeof(*t->e));
	t->pb = malloc(t->nb * sizeof(*t->pb));
	t->ib = malloc(t->nb * sizeof(*t->ib));
	if (!t->e || !t->pb || !t->ib) {
		model_table_free(t);
		errno = ENOMEM;
		return NULL;
	}
	memset(t->pb, 0xff, t->nb * sizeof(*t->pb));	/* -1 */
	memset(t->ib, 0xff, t->nb * sizeof(*t->ib));
	t->head = t->tail = -1;
	return t;
}

void model_table_free(struct model_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->e && i < t->n; i++)
		free(t->e[i].path);
	free(t->e);
	free(t->pb);
	free(t->ib);
	free(t);
}

/* unlink slot @i from the chain that starts at *@head, through the link at offset @off */
static void chain_del(struct model_table *t, int32_t *head, int32_t i, size_t off)
{
	int32_t *pp = head;

	while (*pp >= 0 && *pp != i)
		pp = (int32_t *)((char *)&t->e[*pp] + off);
	if (*pp == i)
		*pp = *(int32_t *)((char *)&t->e[i] + off);
}

static void use_unlink(struct model_table *t, int32_t i)
{
	struct tent *e = &t->e[i];

	if (e->prev >= 0)
		t->e[e->prev].next = e->next;
	else
		t->head = e->next;
	if (e->next >= 0)
		t->e[e->next].prev = e->prev;
	else
		t->tail = e->prev;
}

static void use_front(struct model_table *t, int32_t i)
{
	struct tent *e = &t->e[i];

	e->prev = -1;
	e->next = t->head;
	if (t->head >= 0)
		t->e[t->head].prev = i;
	t->head = i;
	if (t->tail < 0)
		t->tail = i;
}

/* (re)index slot @i under identity @id */
static void set_id(struct model_table *t, int32_t i, const struct ev_file_id *id)
{
	struct tent *e = &t->e[i];
	size_t b;

	if (e->indexed)
		chain_del(t, &t->ib[ino_bucket(t, e->id.dev, e->id.ino)], i,
			  offsetof(struct tent, inext));
	e->indexed = true;
	e->id = *id;
	b = ino_bucket(t, e->id.dev, e->id.ino);
	e->inext = t->ib[b];
	t->ib[b] = i;
}

static int32_t tfind(const struct model_table *t, const char *path)
{
	uint64_t h = path_hash(path);

	for (int32_t i = t->pb[h & (t->nb - 1)]; i >= 0; i = t->e[i].pnext)
		if (t->e[i].h == h && !strcmp(t->e[i].path, path))
			return i;
	return -1;
}

/* the entry of @path, made (evicting the least recently used) when missing */
static struct tent *tget(struct model_table *t, const char *path)
{
	int32_t i = tfind(t, path);
	struct tent *e;
	char *p;

	if (i >= 0) {
		use_unlink(t, i);
		use_front(t, i);
		t->e[i].used = ++t->clock;
		return &t->e[i];
	}
	p = strdup(path);
	if (!p)
		return NULL;
	if (t->n < t->max) {
		i = (int32_t)t->n++;
	} else {			/* the least recently used goes */
		i = t->tail;
		e = &t->e[i];
		use_unlink(t, i);
		chain_del(t, &t->pb[e->h & (t->nb - 1)], i, offsetof(struct tent, pnext));
		if (e->indexed)
			chain_del(t, &t->ib[ino_bucket(t, e->id.dev, e->id.ino)], i,
				  offsetof(struct tent, inext));
		free(e->path);
		t->evicted++;
	}
	e = &t->e[i];
	memset(e, 0, sizeof(*e));
	e->path = p;
	e->h = path_hash(p);
	e->pnext = t->pb[e->h & (t->nb - 1)];
	t->pb[e->h & (t->nb - 1)] = i;
	e->inext = -1;
	e->used = ++t->clock;
	use_front(t, i);
	return e;
}

int model_table_seen(struct model_table *t, const char *path, const struct ev_file_id *id)
{
	struct tent *e = tget(t, path);

	if (!e)
		return -ENOMEM;
	if (!e->hex[0])
		set_id(t, (int32_t)(e - t->e), id);
	return 0;
}

int model_table_digest(struct model_table *t, const char *path, const struct ev_file_id *id,
		       const char *hex, char old[65])
{
	struct tent *e = tget(t, path);
	int res;

	if (!e)
		return -ENOMEM;
	if (!e->hex[0])
		res = MODEL_DIGEST_NEW;
	else if (!strcmp(e->hex, hex))
		res = MODEL_DIGEST_SAME;
	else if (e->expect)
		res = MODEL_DIGEST_EXPECTED;
	else
		res = MODEL_DIGEST_CHANGED;
	if (res == MODEL_DIGEST_CHANGED)
		memcpy(old, e->hex, 65);
	if (res == MODEL_DIGEST_EXPECTED)
		e->expect = false;
	snprintf(e->hex, sizeof(e->hex), "%s", hex);
	set_id(t, (int32_t)(e - t->e), id);
	return res;
}

void model_table_expect(struct model_table *t, const char *path)
{
	int32_t i = tfind(t, path);

	if (i >= 0)
		t->e[i].expect = true;
}

const char *model_table_path(const struct model_table *t, uint32_t dev, uint64_t ino)
{
	const struct tent *best = NULL;

	for (int32_t i = t->ib[ino_bucket(t, dev, ino)]; i >= 0; i = t->e[i].inext) {
		const struct tent *e = &t->e[i];

		if (e->id.dev == dev && e->id.ino == ino && (!best || e->used > best->used))
			best = e;
	}
	return best ? best->path : NULL;
}

bool model_table_get(const struct model_table *t, const char *path, struct ev_file_id *id,
		     char hex[65])
{
	int32_t i = tfind(t, path);

	if (i < 0)
		return false;
	*id = t->e[i].id;
	memcpy(hex, t->e[i].hex, 65);
	return true;
}

size_t model_table_size(const struct model_table *t)
{
	return t->n;
}

uint64_t model_table_evicted(const struct model_table *t)
{
	return t->evicted;
}

/* ---- the monitor ------------------------------------------------------------------- */

struct mproc {
	uint32_t pid;
	uint64_t start_ns;
	struct lt_hdr hdr;		/* of its model_load */
	struct lt_file_id fid;
	char *path;
};

struct mwrite {
	struct lt_hdr hdr;		/* the writer (the loader when writer_unknown) */
	bool writer_unknown;		/* open for writing when loaded: by whom, not known */
	char *path;
	struct ev_file_id loaded;	/* the identity the model had when loaded */
	struct ev_file_id last;		/* seen at the last tick */
	bool have_last;
	uint64_t deadline_ms;
};

struct qrec {
	struct qrec *next;
	size_t len;
	char rec[];
};

struct model {
	struct loader *L;
	model_out_fn out;
	void *ctx;
	struct model_table *table;
	struct mproc *procs;
	size_t nprocs;
	struct mwrite *writes;
	size_t nwrites;
	struct qrec *qhead, *qtail;
	size_t qlen;
	char **trainers;
	size_t ntrainers;
	struct lt_model_pat pats[LT_MODEL_PAT_MAX];
	size_t npats;
	bool enabled;
	uint64_t exfil_percent;
	uint64_t now_ms;
	struct ev_model_stats st;	/* enabled: filled in by model_get_stats */
	model_load_hook_fn load_hook;	/* the scanner (modelscan), at integration */
	void *load_ctx;
	/* the hot hooks (loader_model_hot): attached while a model is held */
	bool hot;			/* as the loader has them */
	uint64_t unheld_ms;		/* hot, and no holder since then (0: held) */
	uint64_t hot_retry_ms;		/* an attach failed: not before then */
};

/* how long the hot hooks stay after the last holder: a model loaded again soon is counted whole */
#define MODEL_HOT_LINGER_MS 10000
#define MODEL_HOT_RETRY_MS 5000

struct model *model_new(struct loader *L, model_out_fn out, void *ctx)
{
	struct model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->L = L;
	m->out = out;
	m->ctx = ctx;
	m->table = model_table_new(MODEL_TABLE_MAX);
	m->procs = calloc(MODEL_PROCS_MAX, sizeof(*m->procs));
	m->writes = calloc(MODEL_WRITES_MAX, sizeof(*m->writes));
	m->exfil_percent = 50;
	if (!m->table || !m->procs || !m->writes) {
		model_free(m);
		errno = ENOMEM;
		return NULL;
	}
	return m;
}

static void trainers_free(struct model *m)
{
	for (size_t i = 0; i < m->ntrainers; i++)
		free(m->trainers[i]);
	free(m->trainers);
	m->trainers = NULL;
	m->ntrainers = 0;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	model_table_free(m->table);
	for (size_t i = 0; m->procs && i < m->nprocs; i++)
		free(m->procs[i].path);
	free(m->procs);
	for (size_t i = 0; m->writes && i < m->nwrites; i++)
		free(m->writes[i].path);
	free(m->writes);
	while (m->qhead) {
		struct qrec *q = m->qhead;

		m->qhead = q->next;
		free(q);
	}
	trainers_free(m);
	free(m);
}

int model_apply(struct model *m, const struct lt_config *c)
{
	char **tr = NULL;
	size_t nl;
	char *const *loaders = config_model_loaders(c, &nl);

	if (!m)
		return 0;
	if (c->nmodel_trainers) {
		tr = calloc(c->nmodel_trainers, sizeof(*tr));
		if (!tr)
			return -ENOMEM;
		for (size_t i = 0; i < c->nmodel_trainers; i++) {
			tr[i] = strdup(c->model_trainers[i]);
			if (!tr[i]) {
				for (size_t j = 0; j < i; j++)
					free(tr[j]);
				free(tr);
				return -ENOMEM;
			}
		}
	}
	trainers_free(m);
	m->trainers = tr;
	m->ntrainers = c->nmodel_trainers;
	m->npats = 0;
	for (size_t i = 0; i < nl && m->npats < LT_MODEL_PAT_MAX; i++)
		if (!model_pat_make(loaders[i], &m->pats[m->npats]))
			m->npats++;
	m->enabled = c->have_policy && c->model_enabled;
	m->exfil_percent = (uint64_t)c->model_exfil_percent;
	return 0;
}

/* ---- kernel maps ------------------------------------------------------------------ */

/* files that are never models, so a loader's opens of them are not sniffed */
static const char *const skip_exts[] = {
	".py", ".pyc", ".pyo", ".pyi", ".pyd", ".pyx", ".pxd", ".so", ".a", ".o", ".json",
	".txt", ".md", ".rst", ".cfg", ".ini", ".toml", ".yaml", ".yml", ".conf", ".csv",
	".log", ".html", ".css", ".js", ".xml", ".c", ".h", ".cc", ".cpp", ".sh", ".mo",
	".pem", ".crt", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".ttf", ".typed",
	".lock", ".pc", ".service", ".cache", ".gz", ".bz2", ".xz",
};
_Static_assert(sizeof(skip_exts) / sizeof(skip_exts[0]) + 2 * LT_MODEL_EXTS_MAX <= LT_MODEL_EXT_GEN,
	       "lt_model_ext holds a generation of the longest lists");

void model_quick_set(struct lt_model_policy *mp, const struct lt_model_ext_key *k)
{
	size_t n = strnlen(k->ext, LT_MEXT_LEN);
	uint8_t last = (uint8_t)k->ext[0];	/* reversed: the name's last byte first */

	if (n && n < LT_MEXT_LEN)
		mp->quick[n - 1][last >> 6] |= 1ull << (last & 63);
}

bool model_quick_test(const struct lt_model_policy *mp, const struct lt_model_ext_key *k)
{
	size_t n = strnlen(k->ext, LT_MEXT_LEN);
	uint8_t last = (uint8_t)k->ext[0];

	return n && n < LT_MEXT_LEN && (mp->quick[n - 1][last >> 6] & (1ull << (last & 63)));
}

int model_kernel_fill(struct ltrack_bpf *sk, const struct lt_config *c, uint32_t gen, char *err,
		      size_t errlen)
{
	struct lt_model_policy mp = { 0 };
	size_t nx, nl, nc;
	char *const *exts = config_model_exts(c, &nx);
	char *const *confirm = config_model_confirm(c, &nc);
	char *const *loaders = config_model_loaders(c, &nl);
	int efd = bpf_map__fd(sk->maps.lt_model_ext), rc;

	mp.enabled = c->have_policy && c->model_enabled;
	mp.exfil_permille = (uint32_t)c->model_exfil_percent * 10;
	for (size_t i = 0; mp.enabled && i < nl && mp.nloaders < LT_MODEL_PAT_MAX; i++) {
		struct lt_model_pat p;
		uint32_t idx = gen * LT_MODEL_PAT_MAX + mp.nloaders;

		if (model_pat_make(loaders[i], &p))
			continue;
		if (bpf_map_update_elem(bpf_map__fd(sk->maps.lt_model_pats), &idx, &p, BPF_ANY))
			goto out_err;
		mp.nloaders++;
	}
	mp.sniff = mp.nloaders > 0;
	mp.sniff_min = mp.enabled ? (uint64_t)c->model_sniff_min_size : 0;
	/* the skip list first: an extension in both lists is a model */
	for (size_t i = 0; (mp.sniff || mp.sniff_min) && i < sizeof(skip_exts) / sizeof(skip_exts[0]);
	     i++) {
		struct lt_model_ext_key k;
		uint32_t v = LT_MEXT_SKIP;

		if (!model_ext_key(skip_exts[i], gen, &k) &&
		    bpf_map_update_elem(efd, &k, &v, BPF_ANY))
			goto out_err;
	}
	for (size_t i = 0; mp.enabled && i < nx; i++) {
		struct lt_model_ext_key k;
		uint32_t v = LT_MEXT_MODEL;

		if (model_ext_key(exts[i], gen, &k))
			continue;
		if (bpf_map_update_elem(efd, &k, &v, BPF_ANY))
			goto out_err;
		model_quick_set(&mp, &k);
	}
	for (size_t i = 0; mp.enabled && i < nc; i++) {
		struct lt_model_ext_key k;
		uint32_t v = LT_MEXT_CONFIRM;

		if (model_ext_key(confirm[i], gen, &k))
			continue;
		if (bpf_map_update_elem(efd, &k, &v, BPF_ANY))
			goto out_err;
		model_quick_set(&mp, &k);
	}
	if (bpf_map_update_elem(bpf_map__fd(sk->maps.lt_model_pol), &gen, &mp, BPF_ANY))
		goto out_err;
	return 0;
out_err:
	rc = -errno;
	snprintf(err, errlen, "cannot set the model policy: %s", strerror(errno));
	return rc;
}

static struct ltrack_bpf *skel_of(struct model *m)
{
	return m->L ? loader_skel(m->L) : NULL;
}

/* a model found by its content: the kernel treats it as a loaded model from now on */
static void kernel_confirm(struct model *m, const struct lt_model_ev *e)
{
	struct ltrack_bpf *sk = skel_of(m);
	struct lt_model_key key = { .start_ns = e->hdr.start_ns, .ino = e->fid.ino,
				    .tgid = e->hdr.tgid, .dev = e->fid.dev };
	/* cold: its reads before this confirmation were not counted */
	struct lt_model_seen sv = { .kind = LT_MS_MODEL, .access = e->access,
				    .flags = LT_MSF_COLD };
	struct lt_model_ino ik = { .ino = e->fid.ino, .dev = e->fid.dev };
	struct lt_model_hold h = { .start_ns = e->hdr.start_ns, .fid = e->fid };
	uint32_t tgid = e->hdr.tgid;
	uint64_t size = e->fid.size;
	int hfd;

	if (!sk)
		return;
	/* each can fail only when its map is full (lt_model_hold: 16384 holders) */
	if (bpf_map_update_elem(bpf_map__fd(sk->maps.lt_model_seen), &key, &sv, BPF_ANY))
		m->st.confirm_failed++;
	h.threshold = size / 100 * m->exfil_percent + size % 100 * m->exfil_percent / 100;
	if (!h.threshold)
		h.threshold = 1;
	hfd = bpf_map__fd(sk->maps.lt_model_hold);
	if (bpf_map_update_elem(hfd, &tgid, &h, BPF_NOEXIST) == 0)
		__atomic_fetch_add(&sk->bss->lt_model_nholders, 1, __ATOMIC_SEQ_CST);
	else if (bpf_map_update_elem(hfd, &tgid, &h, BPF_EXIST))
		m->st.confirm_failed++;
	if (bpf_map_update_elem(bpf_map__fd(sk->maps.lt_model_inodes), &ik, &size, BPF_ANY))
		m->st.confirm_failed++;
	__atomic_store_n(&sk->bss->lt_model_any_inode, 1, __ATOMIC_SEQ_CST);
	/* any reader's later opens of this content: a model at once (model_sniff_any) */
	{
		uint64_t v = e->fid.ctime_ns | LT_SNIFFED_MODEL;

		if (bpf_map_update_elem(bpf_map__fd(sk->maps.lt_model_sniffed), &ik, &v, BPF_ANY))
			m->st.confirm_failed++;
	}
}

void model_on_snapshot(struct model *m, uint32_t pid, uint64_t start_ns, const char *comm,
		       const char *exe)
{
	struct ltrack_bpf *sk = m ? skel_of(m) : NULL;
	bool hit = false;

	if (!sk || !m->enabled)
		return;
	for (size_t i = 0; i < m->npats && !hit; i++)
		hit = (comm && model_pat_match(&m->pats[i], comm)) ||
		      (exe && model_pat_match(&m->pats[i], base_of(exe)));
	if (hit && bpf_map_update_elem(bpf_map__fd(sk->maps.lt_model_loader), &pid, &start_ns,
				       BPF_NOEXIST) == 0)
		__atomic_fetch_add(&sk->bss->lt_model_nloaders, 1, __ATOMIC_SEQ_CST);
}

/* ---- records made here ------------------------------------------------------------------ */

static void queue_rec(struct model *m, const struct lt_model_ev *e)
{
	struct qrec *q;

	if (m->qlen >= MODEL_QUEUE_MAX) {
		m->st.access_dropped++;
		return;
	}
	q = malloc(sizeof(*q) + e->hdr.size);
	if (!q) {
		m->st.access_dropped++;
		return;
	}
	q->next = NULL;
	q->len = e->hdr.size;
	memcpy(q->rec, e, e->hdr.size);
	if (m->qtail)
		m->qtail->next = q;
	else
		m->qhead = q;
	m->qtail = q;
	m->qlen++;
}

/*
 * rec_new - a model record of @type with header @h, identity @id and
 * @path (may be NULL); NULL without memory. Freed by the caller.
 */
static struct lt_model_ev *rec_new(uint32_t type, const struct lt_hdr *h,
				   const struct lt_file_id *id, const char *path)
{
	size_t plen = path ? strlen(path) + 1 : 0;
	struct lt_model_ev *e;

	if (plen > LT_PATH_MAX)
		plen = 0;
	e = calloc(1, sizeof(*e) + plen);
	if (!e)
		return NULL;
	e->hdr = *h;
	e->hdr.type = type;
	e->hdr.size = (uint32_t)(sizeof(*e) + plen);
	e->hdr.flags = LT_HF_REPORT;
	e->fid = *id;
	e->fd = -1;
	e->path_len = (uint16_t)plen;
	if (plen)
		memcpy(e->str, path, plen);
	return e;
}

static void fid_from(struct lt_file_id *f, const struct ev_file_id *id)
{
	memset(f, 0, sizeof(*f));
	f->ino = id->ino;
	f->size = id->size;
	f->mtime_ns = id->mtime_ns;
	f->ctime_ns = id->ctime_ns;
	f->dev = id->dev;
}

/* the header of @ev's process, as the kernel would have written it */
static void hdr_from(struct lt_hdr *h, const struct event *ev)
{
	memset(h, 0, sizeof(*h));
	h->ts_boot_ns = ev->ts_boot_ns;
	h->start_ns = ev->start_ns;
	h->parent_start_ns = ev->parent_start_ns;
	h->tgid = ev->pid;
	h->tid = ev->tid;
	h->ppid = ev->ppid;
	h->uid = ev->uid;
	h->gid = ev->gid;
	h->euid = ev->euid;
	h->loginuid = ev->loginuid;
	h->syscall_nr = -1;
	h->sessionid = ev->sessionid;
	memcpy(h->comm, ev->comm, sizeof(h->comm));
	h->cgroup_id = ev->cgroup_id;
	h->pid_ns = ev->pid_ns;
	h->mnt_ns = ev->mnt_ns;
	h->net_ns = ev->net_ns;
	h->tty = ev->tty;
}

/* does @fd hold exactly the file (dev, ino) of @id? */
/* same_file - exactly the object the kernel saw (dev, inode, size, mtime, ctime) */
static bool same_file(int fd, const struct lt_file_id *id)
{
	struct ev_file_id e = {
		.dev = id->dev,
		.ino = id->ino,
		.size = id->size,
		.mtime_ns = id->mtime_ns,
		.ctime_ns = id->ctime_ns,
	};

	return hash_same_id(fd, &e) == 1;
}

/* the file of a record: through the process's descriptor, else by name; -1 when gone */
static int open_model(uint32_t pid, int fdno, const char *path, const struct lt_file_id *id)
{
	struct safe_id want = { .dev = makedev(kdev_major(id->dev), kdev_minor(id->dev)),
				.ino = id->ino };
	char proc[64];
	int fd;

	/*
	 * never a device or FIFO the process swapped in, nor a symlink planted
	 * at the name, nor any file but this one (a reused descriptor number
	 * may now hold a file on FUSE): checked before it is opened
	 */
	if (fdno >= 0) {
		snprintf(proc, sizeof(proc), "/proc/%u/fd/%d", pid, fdno);
		fd = safe_open_ro_id(proc, true, false, &want, NULL);
		if (fd >= 0 && same_file(fd, id))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	if (!path || path[0] != '/')
		return -1;
	fd = safe_open_ro_id(path, false, false, &want, NULL);
	if (fd >= 0 && same_file(fd, id))
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

/* a file a loader opened: a model_load when its content is a model's */
static void on_cand(struct model *m, const struct lt_model_ev *e, const char *path)
{
	struct lt_model_ev *l;
	int fd, f;

	m->st.candidates++;
	if (e->access & LT_MA_FUSE) {	/* never opened from the event loop */
		m->st.sniff_errors++;
		return;
	}
	fd = open_model(e->hdr.tgid, e->fd, path, &e->fid);
	if (fd < 0) {
		m->st.sniff_errors++;
		return;
	}
	f = model_sniff_fd(fd, e->fid.size, path);
	close(fd);
	if (f == MF_UNKNOWN)
		return;
	m->st.sniffed_models++;
	kernel_confirm(m, e);
	l = malloc(e->hdr.size);
	if (!l)
		return;
	memcpy(l, e, e->hdr.size);
	l->hdr.type = LT_EV_MODEL_LOAD;	/* access as the kernel said: content or confirmed */
	queue_rec(m, l);
	free(l);
}

/* the writer's image, from /proc while it lives */
static const char *exe_now(uint32_t pid, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%u/exe", pid);
	n = readlink(link, buf, len - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

/* a loaded model opened for writing */
/*
 * watch_write - watch model @p (loaded as @loaded) for the change a writer
 * makes: @h is the writer, or the loader when @unknown (the file was open
 * for writing when it was loaded, by a process not known)
 */
static void watch_write(struct model *m, const struct lt_hdr *h, bool unknown, const char *p,
			const struct ev_file_id *loaded)
{
	struct mwrite *w;

	for (size_t i = 0; i < m->nwrites; i++)
		if (!strcmp(m->writes[i].path, p)) {
			if (!unknown) {	/* the latest writer */
				m->writes[i].hdr = *h;
				m->writes[i].writer_unknown = false;
			}
			m->writes[i].deadline_ms = m->now_ms + MODEL_WRITE_WAIT_MS;
			return;
		}
	if (m->nwrites >= MODEL_WRITES_MAX) {
		m->st.writes_dropped++;
		return;
	}
	w = &m->writes[m->nwrites];
	memset(w, 0, sizeof(*w));
	w->path = strdup(p);
	if (!w->path) {
		m->st.writes_dropped++;
		return;
	}
	w->hdr = *h;
	w->writer_unknown = unknown;
	w->loaded = *loaded;
	w->deadline_ms = m->now_ms + MODEL_WRITE_WAIT_MS;
	m->nwrites++;
}

static void on_write(struct model *m, const struct lt_model_ev *e, const char *path)
{
	char comm[17], exe[PATH_MAX], hex[65];
	const char *p = path;
	struct ev_file_id loaded;

	memcpy(comm, e->hdr.comm, 16);
	comm[16] = '\0';
	if (!p || !model_table_get(m->table, p, &loaded, hex))
		p = model_table_path(m->table, e->fid.dev, e->fid.ino);
	if (!p || !model_table_get(m->table, p, &loaded, hex))
		return;		/* a model no longer in the table */
	if (model_names_match(m->trainers, m->ntrainers, comm,
			      exe_now(e->hdr.tgid, exe, sizeof(exe)))) {
		model_table_expect(m->table, p);
		return;
	}
	watch_write(m, &e->hdr, false, p, &loaded);
}

bool model_on_record(struct model *m, const void *rec, size_t len)
{
	const struct lt_model_ev *e = rec;
	const char *path = NULL;

	if (!m || len < sizeof(struct lt_hdr))
		return false;
	if (e->hdr.type != LT_EV_MODEL_CAND && e->hdr.type != LT_EV_MODEL_WRITE &&
	    e->hdr.type != LT_EV_MODEL_EXFIL)
		return false;
	if (len < sizeof(*e) || e->hdr.size != len || e->path_len > len - sizeof(*e) ||
	    (e->path_len && e->str[e->path_len - 1] != '\0'))
		return e->hdr.type != LT_EV_MODEL_EXFIL;	/* malformed internal: dropped */
	if (e->path_len && !(e->path_flags & LT_PF_TRUNC))
		path = e->str;
	switch (e->hdr.type) {
	case LT_EV_MODEL_CAND:
		on_cand(m, e, path);
		return true;
	case LT_EV_MODEL_WRITE:
		on_write(m, e, path);
		return true;
	default: {	/* model_exfil */
		const char *p;
		struct lt_model_ev *x;
		struct ev_file_id id;
		char hex[65];

		if (e->path_len)
			return false;
		p = model_table_path(m->table, e->fid.dev, e->fid.ino);
		if (!p)
			return false;
		x = rec_new(LT_EV_MODEL_EXFIL, &e->hdr, &e->fid, p);
		if (!x)
			return false;
		memcpy((char *)x + sizeof(x->hdr), (const char *)e + sizeof(e->hdr),
		       offsetof(struct lt_model_ev, path_len) - sizeof(e->hdr));
		/* a splice's taint holds the identity the file had when spliced */
		if (!x->fid.ctime_ns && model_table_get(m->table, p, &id, hex))
			fid_from(&x->fid, &id);
		queue_rec(m, x);
		free(x);
		return true;
	}
	}
}

/* ---- hooks on decoded events -------------------------------------------------------- */

void model_set_load_hook(struct model *m, model_load_hook_fn fn, void *ctx)
{
	if (!m)
		return;
	m->load_hook = fn;
	m->load_ctx = ctx;
}

void model_on_load(struct model *m, struct event *ev)
{
	struct lt_file_id fid;
	struct mproc *p;
	int fd;

	if (!m)
		return;
	fid_from(&fid, &ev->fid);
	ev->model.format = model_format_name(MF_UNKNOWN);
	/*
	 * a FUSE file is not opened here: its daemon answers the open and the
	 * stat, and could hold the loop as long as it likes; the scan says so
	 */
	if (ev->model.access & LT_MA_FUSE) {
		if (m->load_hook)
			m->load_hook(m->load_ctx, ev, -1);
		fd = -1;
	} else {
		fd = open_model(ev->pid, ev->model.fd, ev->filename, &fid);
	}
	if (fd >= 0) {
		ev->model.format = model_format_name(model_sniff_fd(fd, fid.size, ev->filename));
		if (m->load_hook)	/* the scan verdict */
			m->load_hook(m->load_ctx, ev, fd);
		close(fd);
	}
	if (ev->filename) {
		model_table_seen(m->table, ev->filename, &ev->fid);
		/* open for writing elsewhere when loaded: a change that lands is model_modified */
		if (ev->model.access & LT_MA_WRITERS) {
			struct lt_hdr h;

			hdr_from(&h, ev);
			watch_write(m, &h, true, ev->filename, &ev->fid);
		}
	}
	/* the (process, file) pair for its model_access */
	for (size_t i = 0; i < m->nprocs; i++)
		if (m->procs[i].pid == ev->pid && m->procs[i].start_ns == ev->start_ns &&
		    m->procs[i].fid.ino == fid.ino && m->procs[i].fid.dev == fid.dev)
			return;
	if (m->nprocs >= MODEL_PROCS_MAX) {
		m->st.access_dropped++;
		return;
	}
	p = &m->procs[m->nprocs];
	memset(p, 0, sizeof(*p));
	p->path = ev->filename ? strdup(ev->filename) : NULL;
	p->pid = ev->pid;
	p->start_ns = ev->start_ns;
	hdr_from(&p->hdr, ev);
	p->fid = fid;
	m->nprocs++;
}

void model_on_exfil(struct model *m, struct event *ev)
{
	(void)m;
	(void)ev;
}

void model_on_exit(struct model *m, uint32_t pid, uint64_t start_ns, uint64_t ts_boot_ns)
{
	struct ltrack_bpf *sk = m ? skel_of(m) : NULL;
	size_t i = 0;

	if (!m)
		return;
	while (i < m->nprocs) {
		struct mproc *p = &m->procs[i];
		struct lt_model_key key;
		struct lt_model_seen sv = { .access = LT_MA_OPEN };
		struct lt_model_ev *e;

		if (p->pid != pid || p->start_ns != start_ns) {
			i++;
			continue;
		}
		memset(&key, 0, sizeof(key));
		key.start_ns = start_ns;
		key.ino = p->fid.ino;
		key.tgid = pid;
		key.dev = p->fid.dev;
		if (sk) {
			int fd = bpf_map__fd(sk->maps.lt_model_seen);

			if (bpf_map_lookup_elem(fd, &key, &sv))
				sv.access = LT_MA_OPEN;
			bpf_map_delete_elem(fd, &key);
		}
		e = rec_new(LT_EV_MODEL_ACCESS, &p->hdr, &p->fid, p->path);
		if (e) {
			e->hdr.ts_boot_ns = ts_boot_ns;
			e->access = (uint16_t)sv.access;
			e->bytes = sv.read_bytes;
			if (sv.flags & LT_MSF_COLD) {
				e->mflags |= LT_MF_PARTIAL;
				m->st.cold_holds++;
			}
			queue_rec(m, e);
			free(e);
		}
		free(p->path);
		m->procs[i] = m->procs[--m->nprocs];
	}
	if (sk && sk->bss->lt_model_nholders > 0) {
		struct lt_model_hold h;
		int hfd = bpf_map__fd(sk->maps.lt_model_hold);

		/* a holder the kernel's exit hook could not see (made by user space later) */
		if (!bpf_map_lookup_elem(hfd, &pid, &h) && h.start_ns == start_ns &&
		    !bpf_map_delete_elem(hfd, &pid))
			__atomic_fetch_sub(&sk->bss->lt_model_nholders, 1, __ATOMIC_SEQ_CST);
	}
}

/* a model_modified with header @h (writer when @writer) about @path now @id, once @old */
static void queue_modified(struct model *m, const struct lt_hdr *h, bool writer, const char *path,
			   const struct ev_file_id *id, const char *old)
{
	struct lt_file_id fid;
	struct lt_model_ev *e;

	fid_from(&fid, id);
	e = rec_new(LT_EV_MODEL_MODIFIED, h, &fid, path);
	if (!e)
		return;
	e->mflags = writer ? LT_MF_WRITER : 0;
	if (old && old[0] && !hex_decode(old, e->old_sha256, sizeof(e->old_sha256)))
		e->mflags |= LT_MF_OLD_HASH;
	m->st.modified++;
	queue_rec(m, e);
	free(e);
}

void model_on_emit(struct model *m, const struct event *ev)
{
	const char *path = ev->filename;
	char old[65];
	int res;

	if (!m || ev->hash_state != HASH_OK || !path)
		return;
	if (ev->type == LT_EV_HASH_UPDATE) {
		if (!ev->hash_ref_name || (strcmp(ev->hash_ref_name, "model_load") &&
					   strcmp(ev->hash_ref_name, "model_modified")))
			return;
	} else if (ev->type != LT_EV_MODEL_LOAD && ev->type != LT_EV_MODEL_MODIFIED) {
		return;
	}
	res = model_table_digest(m->table, path, &ev->fid, ev->sha256, old);
	if (res != MODEL_DIGEST_CHANGED)
		return;
	if (ev->type == LT_EV_MODEL_MODIFIED ||
	    (ev->type == LT_EV_HASH_UPDATE && !strcmp(ev->hash_ref_name, "model_modified")))
		return;		/* its own digest: nothing new */
	{
		struct lt_hdr h;

		hdr_from(&h, ev);
		queue_modified(m, &h, false, path, &ev->fid, old);
	}
}

static bool id_same(const struct ev_file_id *a, const struct ev_file_id *b)
{
	return a->ino == b->ino && a->dev == b->dev && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

static bool stat_id(const char *path, struct ev_file_id *id)
{
	struct stat st;

	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return false;
	id->ino = st.st_ino;
	id->dev = kdev_from_user(st.st_dev);
	id->size = (uint64_t)st.st_size;
	id->mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000ULL + st.st_mtim.tv_nsec;
	id->ctime_ns = (uint64_t)st.st_ctim.tv_sec * 1000000000ULL + st.st_ctim.tv_nsec;
	return true;
}

/* the watched writes: a finished change is a model_modified */
static void writes_check(struct model *m)
{
	size_t i = 0;

	while (i < m->nwrites) {
		struct mwrite *w = &m->writes[i];
		struct ev_file_id now;
		bool done = false, gone;

		if (stat_id(w->path, &now) && !id_same(&now, &w->loaded)) {
			gone = !w->writer_unknown && kill((pid_t)w->hdr.tgid, 0) && errno == ESRCH;
			if ((w->have_last && id_same(&now, &w->last)) || gone) {
				struct ev_file_id id;
				char hex[65] = "";

				model_table_get(m->table, w->path, &id, hex);
				queue_modified(m, &w->hdr, !w->writer_unknown, w->path, &now, hex);
				model_table_expect(m->table, w->path);
				done = true;
			}
			w->last = now;
			w->have_last = true;
		}
		if (!done && m->now_ms >= w->deadline_ms)
			done = true;
		if (!done) {
			i++;
			continue;
		}
		free(w->path);
		m->writes[i] = m->writes[--m->nwrites];
	}
}

/*
 * hot_follow - the hot hooks follow the holders: attached as soon as the
 * kernel counts one (this runs every turn of the loop, and a model_load
 * wakes it), detached MODEL_HOT_LINGER_MS after the last one is gone
 */
static void hot_follow(struct model *m, uint64_t now_ms)
{
	struct ltrack_bpf *sk = skel_of(m);
	int rc;

	if (!sk || !m->enabled)
		return;
	if (__atomic_load_n(&sk->bss->lt_model_nholders, __ATOMIC_RELAXED) > 0) {
		m->unheld_ms = 0;
		if (m->hot || now_ms < m->hot_retry_ms)
			return;
		rc = loader_model_hot(m->L, true);
		if (rc) {
			log_warn("model monitor: cannot attach the read and send hooks: %s "
				 "(reads and sends of models are not counted; retried in %d s)",
				 strerror(-rc), MODEL_HOT_RETRY_MS / 1000);
			m->hot_retry_ms = now_ms + MODEL_HOT_RETRY_MS;
			return;
		}
		m->hot = true;
		m->st.hook_attaches++;
		log_info("model monitor: a model is held: read and send hooks attached");
		return;
	}
	if (!m->hot)
		return;
	if (!m->unheld_ms) {
		m->unheld_ms = now_ms ? now_ms : 1;
		return;
	}
	if (now_ms - m->unheld_ms < MODEL_HOT_LINGER_MS)
		return;
	loader_model_hot(m->L, false);
	m->hot = false;
	m->unheld_ms = 0;
	log_info("model monitor: no model held for %d s: read and send hooks detached",
		  MODEL_HOT_LINGER_MS / 1000);
}

void model_tick(struct model *m, uint64_t now_ms)
{
	bool check;

	if (!m)
		return;
	hot_follow(m, now_ms);
	check = now_ms >= m->now_ms + 100;
	if (check)
		m->now_ms = now_ms;
	if (check && m->nwrites)
		writes_check(m);
	/* records queued while sending go out in this loop too */
	while (m->qhead) {
		struct qrec *q = m->qhead;

		m->qhead = q->next;
		if (!m->qhead)
			m->qtail = NULL;
		m->qlen--;
		m->out(m->ctx, q->rec, q->len);
		free(q);
	}
}

void model_get_stats(const struct model *m, struct ev_model_stats *st)
{
	*st = m->st;
	st->table_evicted = model_table_evicted(m->table);
	st->enabled = m->enabled;
	st->hooks_attached = m->hot && m->enabled;
}

static void hook_snapshot(void *m, struct event *ev)
{
	model_on_snapshot(m, ev->pid, ev->start_ns, ev->comm, ev->filename);
}

static void hook_exit(void *m, struct event *ev)
{
	model_on_exit(m, ev->pid, ev->start_ns, ev->ts_boot_ns);
}

static void hook_load(void *m, struct event *ev)
{
	model_on_load(m, ev);
}

static void hook_exfil(void *m, struct event *ev)
{
	model_on_exfil(m, ev);
}

int model_subscribe(struct model *m, struct hooks *h)
{
	static const struct hook_sub subs[] = {
		{ HOOK_DECODED, LT_EV_PROC_SNAP, hook_snapshot },
		{ HOOK_DECODED, LT_EV_EXIT, hook_exit },
		{ HOOK_DECODED, LT_EV_MODEL_LOAD, hook_load },
		{ HOOK_DECODED, LT_EV_MODEL_EXFIL, hook_exfil },
	};

	return hooks_add_list(h, subs, sizeof(subs) / sizeof(subs[0]), m);
}
