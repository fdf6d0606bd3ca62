// SPDX-License-Identifier: MIT
/*
 * inventory - the table of models seen (see inventory.h).
 *
 * A chained hash table on (path, sha256) finds entries; a doubly linked
 * list keeps them ordered by last_seen_ns, most recent first. A new load is
 * normally the most recent thing seen, so it goes to the head in O(1);
 * restored entries (and a load with an older timestamp) are placed by a
 * walk from the head. The tail is the eviction victim.
 *
 * Each entry carries its cost: an upper bound of the bytes its JSON takes
 * in the file (every string as if each byte needed its longest escape), so
 * the bounds hold for the file and the `ltrack models` answer whatever
 * bytes a name holds. The cost of an entry is charged to the uid that
 * created it; a small array of uids with entries keeps each one's count and
 * bytes for the per-user share.
 */
#include "model/inventory.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct inv_user {
	uint32_t uid;
	size_t entries, bytes;
};

struct inventory {
	size_t max_entries, max_bytes;
	size_t bytes;			/* sum of the entries' cost */
	struct inv_user *users;		/* uids with at least one entry */
	size_t nusers, users_cap;
	uint64_t user_evicted;
	unsigned max_loaders;
	struct inv_entry **buckets;
	size_t nbuckets;
	struct inv_entry *head, *tail;	/* by last_seen_ns, newest first */
	size_t entries;
	uint64_t evicted, records, rejected;
	bool dirty;
};

static uint64_t key_hash(const char *path, const char *sha)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	for (const char *p = path; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ull;
	h = (h ^ 0xff) * 1099511628211ull;
	for (const char *p = sha; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ull;
	return h;
}

static size_t bucket_of(const struct inventory *inv, const char *path, const char *sha)
{
	return (size_t)(key_hash(path, sha) & (inv->nbuckets - 1));
}

static bool sha_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == 64;
}

struct inventory *inventory_new(size_t max_entries, unsigned max_loaders)
{
	struct inventory *inv;
	size_t nb = 16;

	if (!max_entries || max_entries > (1u << 24) || !max_loaders ||
	    max_loaders > INV_LOADERS_MAX) {
		errno = EINVAL;
		return NULL;
	}
	inv = calloc(1, sizeof(*inv));
	if (!inv)
		return NULL;
	while (nb < max_entries)
		nb <<= 1;
	inv->buckets = calloc(nb, sizeof(*inv->buckets));
	if (!inv->buckets) {
		free(inv);
		return NULL;
	}
	inv->nbuckets = nb;
	inv->max_entries = max_entries;
	inv->max_bytes = INV_BYTES_MAX;
	inv->max_loaders = max_loaders;
	return inv;
}

static void entry_free(struct inv_entry *e)
{
	for (unsigned i = 0; i < e->nloaders; i++)
		free(e->loaders[i].exe);
	free(e->path);
	free(e);
}

void inventory_free(struct inventory *inv)
{
	if (!inv)
		return;
	for (struct inv_entry *e = inv->head, *n; e; e = n) {
		n = e->next;
		entry_free(e);
	}
	free(inv->buckets);
	free(inv->users);
	free(inv);
}

static void list_unlink(struct inventory *inv, struct inv_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		inv->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		inv->tail = e->prev;
	e->prev = e->next = NULL;
}

/* place @e by its last_seen_ns: after every entry seen later, before the rest */
static void list_place(struct inventory *inv, struct inv_entry *e)
{
	struct inv_entry *after = NULL;

	if (inv->tail && inv->tail->last_seen_ns >= e->last_seen_ns) {
		after = inv->tail;	/* a store read newest first lands here: O(1) */
		goto link;
	}
	for (struct inv_entry *c = inv->head; c && c->last_seen_ns > e->last_seen_ns; c = c->next)
		after = c;
link:
	e->prev = after;
	e->next = after ? after->next : inv->head;
	if (e->next)
		e->next->prev = e;
	else
		inv->tail = e;
	if (after)
		after->next = e;
	else
		inv->head = e;
}

static void hash_unlink(struct inventory *inv, struct inv_entry *e)
{
	struct inv_entry **pp = &inv->buckets[bucket_of(inv, e->path, e->sha256)];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	e->hnext = NULL;
}

static void hash_link(struct inventory *inv, struct inv_entry *e)
{
	size_t b = bucket_of(inv, e->path, e->sha256);

	e->hnext = inv->buckets[b];
	inv->buckets[b] = e;
}

static struct inv_entry *find(const struct inventory *inv, const char *path, const char *sha)
{
	for (struct inv_entry *e = inv->buckets[bucket_of(inv, path, sha)]; e; e = e->hnext)
		if (!strcmp(e->sha256, sha) && !strcmp(e->path, path))
			return e;
	return NULL;
}

const struct inv_entry *inventory_find(const struct inventory *inv, const char *path,
				       const char *sha256)
{
	return find(inv, path, sha256 ? sha256 : "");
}

/* ---- cost, shares and eviction ------------------------------------------------- */

/* the most a string can take in JSON: quotes, and 6 bytes (\u00XX, \ufffd) per byte */
static size_t str_cost(const char *s)
{
	size_t n = 2;

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		n += c < 0x20 || c >= 0x7f ? 6 : c == '"' || c == '\\' ? 2 : 1;
	}
	return n;
}

/* keys, punctuation and numbers at their widest: a model and a loader */
#define ENTRY_FIXED 400
#define LOADER_FIXED 64

static size_t entry_cost(const struct inv_entry *e)
{
	size_t n = ENTRY_FIXED + str_cost(e->path);

	for (unsigned i = 0; i < e->nloaders; i++)
		n += LOADER_FIXED + str_cost(e->loaders[i].comm) + str_cost(e->loaders[i].exe);
	return n;
}

/* a uid's share of bound @n: at least 1 */
static size_t share(size_t n)
{
	return n / INV_USER_SHARE ? n / INV_USER_SHARE : 1;
}

static bool has_share(uint32_t uid)
{
	return uid != 0 && uid != INV_UID_UNKNOWN;
}

static struct inv_user *user_of(struct inventory *inv, uint32_t uid)
{
	for (size_t i = 0; i < inv->nusers; i++)
		if (inv->users[i].uid == uid)
			return &inv->users[i];
	return NULL;
}

/* charge (@sign 1) or credit (-1) @e's cost to the table and its uid; 0 or -ENOMEM */
static int account(struct inventory *inv, struct inv_entry *e, int sign)
{
	struct inv_user *u = user_of(inv, e->uid);

	if (sign > 0) {
		if (!u) {
			if (inv->nusers == inv->users_cap) {
				size_t cap = inv->users_cap ? inv->users_cap * 2 : 8;
				struct inv_user *n = realloc(inv->users, cap * sizeof(*n));

				if (!n)
					return -ENOMEM;
				inv->users = n;
				inv->users_cap = cap;
			}
			u = &inv->users[inv->nusers++];
			*u = (struct inv_user){ .uid = e->uid };
		}
		u->entries++;
		u->bytes += e->cost;
		inv->bytes += e->cost;
		inv->entries++;
		return 0;
	}
	u->entries--;
	u->bytes -= e->cost;
	inv->bytes -= e->cost;
	inv->entries--;
	if (!u->entries)	/* the array holds only uids with entries */
		*u = inv->users[--inv->nusers];
	return 0;
}

/* @e's loaders changed: its cost again */
static void recost(struct inventory *inv, struct inv_entry *e)
{
	struct inv_user *u = user_of(inv, e->uid);
	size_t c = entry_cost(e);

	u->bytes = u->bytes - e->cost + c;
	inv->bytes = inv->bytes - e->cost + c;
	e->cost = c;
}

static void evict(struct inventory *inv, struct inv_entry *v, bool by_share)
{
	list_unlink(inv, v);
	hash_unlink(inv, v);
	account(inv, v, -1);
	entry_free(v);
	inv->evicted++;
	inv->user_evicted += by_share;
}

/* the oldest entry of @uid other than @keep (any uid: UINT32_MAX is not used for this) */
static struct inv_entry *oldest(struct inventory *inv, const uint32_t *uid,
				const struct inv_entry *keep)
{
	for (struct inv_entry *e = inv->tail; e; e = e->prev)
		if (e != keep && (!uid || e->uid == *uid))
			return e;
	return NULL;
}

/* @uid's share: its own oldest entries go (never @keep, the entry just recorded) */
static void enforce_share(struct inventory *inv, uint32_t uid, const struct inv_entry *keep)
{
	struct inv_user *u;
	struct inv_entry *v;

	while (has_share(uid) && (u = user_of(inv, uid)) &&
	       (u->entries > share(inv->max_entries) || u->bytes > share(inv->max_bytes)) &&
	       (v = oldest(inv, &uid, keep)))
		evict(inv, v, true);
}

/* the table's bounds: the oldest entries go, whoever's (never @keep) */
static void enforce_table(struct inventory *inv, const struct inv_entry *keep)
{
	struct inv_entry *v;

	while ((inv->entries > inv->max_entries || inv->bytes > inv->max_bytes) &&
	       (v = oldest(inv, NULL, keep)))
		evict(inv, v, false);
}

void inventory_set_max_bytes(struct inventory *inv, size_t bytes)
{
	inv->max_bytes = bytes < (1u << 20) ? (1u << 20) : bytes;
	/* from the end: enforce_share removes only its uid, moving a visited one here */
	for (size_t i = inv->nusers; i-- > 0;)
		if (i < inv->nusers)
			enforce_share(inv, inv->users[i].uid, NULL);
	enforce_table(inv, NULL);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* put (pid, comm, exe) at the front of @e's loaders; 0 or -ENOMEM */
static int add_loader(struct inventory *inv, struct inv_entry *e, const struct model_seen *m,
		      uint64_t ts)
{
	struct inv_loader l = { .pid = m->pid, .ts_ns = ts };
	unsigned i;

	if (m->exe && strlen(m->exe) < INV_EXE_MAX) {
		l.exe = strdup(m->exe);
		if (!l.exe)
			return -ENOMEM;
	}
	snprintf(l.comm, sizeof(l.comm), "%s", m->comm ? m->comm : "");
	for (i = 0; i < e->nloaders && e->loaders[i].pid != m->pid; i++)
		;
	if (i < e->nloaders) {		/* listed already: replaced, moved to the front */
		free(e->loaders[i].exe);
	} else if (e->nloaders < inv->max_loaders) {
		i = e->nloaders++;
	} else {			/* full: the oldest goes */
		i = e->nloaders - 1;
		free(e->loaders[i].exe);
	}
	memmove(&e->loaders[1], &e->loaders[0], i * sizeof(e->loaders[0]));
	e->loaders[0] = l;
	return 0;
}

int inventory_record_load(struct inventory *inv, const struct model_seen *m)
{
	const char *sha = m->sha256 ? m->sha256 : "";
	uint64_t ts = m->ts_ns ? m->ts_ns : now_ns();
	struct inv_entry *e;
	bool fresh = false;
	int rc;

	if (!m->path || m->path[0] != '/' || strlen(m->path) >= INV_PATH_MAX ||
	    (sha[0] && !sha_ok(sha))) {
		inv->rejected++;
		return -EINVAL;
	}
	e = find(inv, m->path, sha);
	if (!e && sha[0]) {
		/* the digest of a load recorded while it was pending */
		e = find(inv, m->path, "");
		if (e) {
			hash_unlink(inv, e);
			memcpy(e->sha256, sha, 65);
			hash_link(inv, e);
		}
	}
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || !(e->path = strdup(m->path))) {
			free(e);
			return -ENOMEM;
		}
		snprintf(e->sha256, sizeof(e->sha256), "%s", sha);
		e->verdict = INV_VERDICT_NONE;
		e->first_seen_ns = ts;
		e->uid = m->uid;
		fresh = true;
	}
	rc = add_loader(inv, e, m, ts);
	if (!rc && fresh) {
		e->cost = entry_cost(e);
		rc = account(inv, e, 1);
	}
	if (rc) {
		if (fresh)
			entry_free(e);
		return rc;
	}
	if (m->format != MF_UNKNOWN || e->format == MF_UNKNOWN)
		e->format = m->format;
	e->size = m->size;
	e->dev = m->dev;
	e->ino = m->ino;
	e->load_count++;
	if (ts > e->last_seen_ns)
		e->last_seen_ns = ts;
	if (ts < e->first_seen_ns)
		e->first_seen_ns = ts;
	if (fresh) {
		hash_link(inv, e);
	} else {
		list_unlink(inv, e);
		recost(inv, e);
	}
	list_place(inv, e);
	enforce_share(inv, e->uid, e);
	enforce_table(inv, e);
	inv->records++;
	inv->dirty = true;
	return 0;
}

int inventory_set_verdict(struct inventory *inv, const char *sha256, enum scan_verdict v,
			  enum model_format format)
{
	int found = 0;

	if (!sha256 || !sha_ok(sha256))
		return -EINVAL;
	/* a digest may sit under several paths: every entry with it */
	for (struct inv_entry *e = inv->head; e; e = e->next) {
		if (strcmp(e->sha256, sha256))
			continue;
		e->verdict = (int)v;
		if (format != MF_UNKNOWN)
			e->format = format;
		found = 1;
	}
	if (!found)
		return -ENOENT;
	inv->dirty = true;
	return 0;
}

int inventory_foreach(const struct inventory *inv,
		      int (*fn)(const struct inv_entry *e, void *ctx), void *ctx)
{
	for (const struct inv_entry *e = inv->head; e; e = e->next) {
		int rc = fn(e, ctx);

		if (rc)
			return rc;
	}
	return 0;
}

int inventory_restore(struct inventory *inv, const struct inv_entry *src)
{
	struct inv_entry *e, *old;

	if (!src->path || src->path[0] != '/' || strlen(src->path) >= INV_PATH_MAX ||
	    (src->sha256[0] && !sha_ok(src->sha256)) || src->nloaders > INV_LOADERS_MAX ||
	    (unsigned)src->format >= MF_COUNT || src->verdict < INV_VERDICT_NONE ||
	    src->verdict > SCAN_VERDICT_MAX)
		return -EINVAL;
	/* older than everything kept in a full table: it would be evicted at once */
	if (inv->entries >= inv->max_entries && inv->tail &&
	    src->last_seen_ns <= inv->tail->last_seen_ns &&
	    !find(inv, src->path, src->sha256)) {
		inv->evicted++;
		return 0;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	*e = *src;
	e->hnext = e->prev = e->next = NULL;
	e->nloaders = 0;
	e->path = strdup(src->path);
	if (!e->path) {
		free(e);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < src->nloaders && i < inv->max_loaders; i++) {
		const char *exe = src->loaders[i].exe;

		e->loaders[i] = src->loaders[i];
		e->loaders[i].comm[INV_COMM_MAX - 1] = '\0';
		e->loaders[i].exe = NULL;
		if (exe && strlen(exe) < INV_EXE_MAX && !(e->loaders[i].exe = strdup(exe))) {
			entry_free(e);
			return -ENOMEM;
		}
		e->nloaders = i + 1;
	}
	e->cost = entry_cost(e);
	old = find(inv, e->path, e->sha256);
	if (old) {			/* a duplicate in the store: the later one wins */
		list_unlink(inv, old);
		hash_unlink(inv, old);
		account(inv, old, -1);
		entry_free(old);
	}
	if (account(inv, e, 1)) {
		entry_free(e);
		return -ENOMEM;
	}
	hash_link(inv, e);
	list_place(inv, e);
	enforce_share(inv, e->uid, NULL);	/* the oldest goes: it may be this one */
	enforce_table(inv, NULL);
	return 0;
}

void inventory_get_stats(const struct inventory *inv, struct inventory_stats *st)
{
	st->entries = inv->entries;
	st->max_entries = inv->max_entries;
	st->bytes = inv->bytes;
	st->max_bytes = inv->max_bytes;
	st->evicted = inv->evicted;
	st->user_evicted = inv->user_evicted;
	st->records = inv->records;
	st->rejected = inv->rejected;
}

void inventory_set_evicted(struct inventory *inv, uint64_t evicted)
{
	inv->evicted = evicted;
}

bool inventory_dirty(const struct inventory *inv)
{
	return inv->dirty;
}

void inventory_mark_clean(struct inventory *inv)
{
	inv->dirty = false;
}

void inventory_mark_dirty(struct inventory *inv)
{
	if (inv)
		inv->dirty = true;
}

const char *inventory_verdict_name(int verdict)
{
	if (verdict == INV_VERDICT_NONE)
		return "unscanned";
	return scan_verdict_name((enum scan_verdict)verdict);
}
