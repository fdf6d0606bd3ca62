// SPDX-License-Identifier: MIT
/*
 * inventory_json - the inventory's JSON: the file store (load at start,
 * atomic save), the list `ltrack models` prints, and its text table.
 *
 * The file is untrusted input as far as parsing goes (it may be truncated
 * by a crash of another writer, or edited): it is read with ltrack's one
 * JSON reader (src/scan/json.h, bounded in tokens and depth) in its partial
 * form, then walked knowing the schema: unknown keys are skipped, every
 * string and count is capped, and the first error stops the walk keeping
 * the entries read before it.
 */
#include "model/inventory.h"
#include "scan/json.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define INV_FILE_MAX (256u << 20)
#define INV_VERSION 1
#define JP_DEPTH 16
#define JP_MODELS_MAX (1u << 24)

/* ---- writing -------------------------------------------------------------------- */

static int write_entry(const struct inv_entry *e, void *ctx)
{
	struct jbuf *b = ctx;

	json_obj_begin(b);
	json_kv_str(b, "path", e->path);
	json_kv_str(b, "sha256", e->sha256);
	json_kv_str(b, "format", model_format_name(e->format));
	json_kv_str(b, "verdict", inventory_verdict_name(e->verdict));
	json_kv_uint(b, "size", e->size);
	json_kv_uint(b, "dev", e->dev);
	json_kv_uint(b, "inode", e->ino);
	json_kv_uint(b, "first_seen_ns", e->first_seen_ns);
	json_kv_uint(b, "last_seen_ns", e->last_seen_ns);
	json_kv_uint(b, "load_count", e->load_count);
	if (e->uid != INV_UID_UNKNOWN)
		json_kv_uint(b, "uid", e->uid);
	json_key(b, "loaders");
	json_arr_begin(b);
	for (unsigned i = 0; i < e->nloaders; i++) {
		const struct inv_loader *l = &e->loaders[i];

		json_obj_begin(b);
		json_kv_uint(b, "pid", l->pid);
		json_kv_str(b, "comm", l->comm);
		json_kv_str(b, "exe", l->exe);
		json_kv_uint(b, "ts_ns", l->ts_ns);
		json_obj_end(b);
	}
	json_arr_end(b);
	json_obj_end(b);
	return 0;
}

void inventory_write_list(const struct inventory *inv, struct jbuf *b)
{
	json_arr_begin(b);
	inventory_foreach(inv, write_entry, b);
	json_arr_end(b);
}

static void write_doc(const struct inventory *inv, struct jbuf *b)
{
	struct inventory_stats st;

	inventory_get_stats(inv, &st);
	json_obj_begin(b);
	json_kv_uint(b, "version", INV_VERSION);
	json_kv_uint(b, "evicted", st.evicted);
	json_key(b, "models");
	inventory_write_list(inv, b);
	json_obj_end(b);
	jbuf_putc(b, '\n');
}

/* ---- parsing: the tokens of src/scan/json.h ---------------------------------------- */

/*
 * Tokens per model at the most a file can need: its members (key and value
 * each), its loaders' objects and theirs, and room for a few unknown keys.
 * The tokenizer's bound is this times the table's size: a larger file is
 * read up to the bound, like a damaged one.
 */
#define INV_TOK_PER_MODEL (2 * 16 + 2 + INV_LOADERS_MAX * (1 + 2 * 8))
#define INV_TOK_MAX (1u << 26)

struct rd {
	const struct json_doc *d;
	char *err;
	size_t errlen;
	bool failed;
};

/* the first error is kept, with the offset of the token it is about */
static int rd_fail(struct rd *r, uint32_t t, const char *what)
{
	if (!r->failed)
		snprintf(r->err, r->errlen, "offset %u: %s", t < r->d->ntok ? r->d->tok[t].start : 0,
			 what);
	r->failed = true;
	return -EINVAL;
}

/* the length of the valid UTF-8 sequence at @s (a lead byte >= 0x80), or 0 */
static size_t utf8_len(const char *s, size_t avail)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t k;
	unsigned cp;

	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		k = 2;
		cp = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		k = 3;
		cp = u[0] & 0x0f;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		k = 4;
		cp = u[0] & 0x07;
	} else {
		return 0;
	}
	if (avail < k)
		return 0;
	for (size_t j = 1; j < k; j++) {
		if ((u[j] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (u[j] & 0x3f);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;	/* overlong, out of range, or a surrogate */
	return k;
}

/* string token @t decoded into @out (@cap with its NUL): valid UTF-8, no NUL */
static int rd_str(struct rd *r, uint32_t t, char *out, size_t cap)
{
	long n;

	if (r->d->tok[t].type != JSON_STR)
		return rd_fail(r, t, "expected a string");
	n = jtok_str(r->d, &r->d->tok[t], out, cap);
	if (n < 0)
		return rd_fail(r, t, "bad escape");
	if ((size_t)n >= cap)
		return rd_fail(r, t, "string too long");
	for (long i = 0; i < n;) {
		size_t k;

		if (!out[i])
			return rd_fail(r, t, "NUL in a string");
		if ((unsigned char)out[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_len(out + i, (size_t)(n - i));
		if (!k)
			return rd_fail(r, t, "invalid UTF-8 in a string");
		i += (long)k;
	}
	return 0;
}

static int rd_u64(struct rd *r, uint32_t t, uint64_t *v)
{
	int rc = jtok_u64(r->d, &r->d->tok[t], v);

	if (rc == -ERANGE)
		return rd_fail(r, t, "number too large");
	return rc ? rd_fail(r, t, "expected an unsigned integer") : 0;
}

/*
 * The children of container @t: the next one after @i (an object's member
 * is its key token; its value follows), or 0 at the end. Start with @i = 0.
 * In a container the error cut, the last child may be cut too: its value
 * exists but is not complete (jtok_complete); nothing follows it.
 */
static uint32_t rd_next(const struct json_doc *d, uint32_t t, uint32_t i, bool obj)
{
	uint32_t end = jtok_complete(d, t) ? d->tok[t].next : d->ntok;

	if (!i)
		i = t + 1;
	else if (jtok_complete(d, obj ? i + 1 : i))
		i = d->tok[obj ? i + 1 : i].next;
	else
		return 0;	/* the child the error cut: the last one */
	return i < end && (obj ? i + 1 : i) < d->ntok ? i : 0;
}

/* a key token equals @k (a key longer than ours is no key of ours) */
static bool rd_key(const struct rd *r, uint32_t t, const char *k)
{
	return jtok_str_eq(r->d, &r->d->tok[t], k);
}

static int rd_loader(struct rd *r, uint32_t t, struct inv_loader *l, char *exe)
{
	const struct json_doc *d = r->d;
	uint64_t v;

	if (d->tok[t].type != JSON_OBJ)
		return rd_fail(r, t, "expected an object");
	for (uint32_t k = rd_next(d, t, 0, true); k; k = rd_next(d, t, k, true)) {
		if (rd_key(r, k, "pid")) {
			if (rd_u64(r, k + 1, &v))
				return -EINVAL;
			if (v > UINT32_MAX)
				return rd_fail(r, k + 1, "pid out of range");
			l->pid = (uint32_t)v;
		} else if (rd_key(r, k, "comm")) {
			if (rd_str(r, k + 1, l->comm, sizeof(l->comm)))
				return -EINVAL;
		} else if (rd_key(r, k, "exe")) {
			l->exe = NULL;
			if (d->tok[k + 1].type != JSON_NULL) {
				l->exe = exe;
				if (rd_str(r, k + 1, exe, INV_PATH_MAX))
					return -EINVAL;
			}
		} else if (rd_key(r, k, "ts_ns")) {
			if (rd_u64(r, k + 1, &l->ts_ns))
				return -EINVAL;
		}
	}
	return jtok_complete(d, t) ? 0 : rd_fail(r, t, "a loader cut short");
}

struct model_ctx {
	struct inv_entry e;
	char path[INV_PATH_MAX];
	char exes[INV_LOADERS_MAX][INV_PATH_MAX];
	bool have_path;
};

static int rd_model(struct rd *r, uint32_t t, struct model_ctx *m)
{
	const struct json_doc *d = r->d;
	char word[32];

	if (d->tok[t].type != JSON_OBJ)
		return rd_fail(r, t, "expected an object");
	memset(&m->e, 0, sizeof(m->e));
	m->e.verdict = INV_VERDICT_NONE;
	m->e.uid = INV_UID_UNKNOWN;	/* a file from before uids were kept */
	m->have_path = false;
	m->path[0] = '\0';
	for (uint32_t k = rd_next(d, t, 0, true); k; k = rd_next(d, t, k, true)) {
		static const char *const nums[] = { "size", "dev", "inode", "first_seen_ns",
						    "last_seen_ns", "load_count" };
		uint64_t *dst[] = { &m->e.size, &m->e.dev, &m->e.ino, &m->e.first_seen_ns,
				    &m->e.last_seen_ns, &m->e.load_count };
		uint32_t v = k + 1;
		bool num = false;

		for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]) && !num; i++) {
			if (rd_key(r, k, nums[i])) {
				if (rd_u64(r, v, dst[i]))
					return -EINVAL;
				num = true;
			}
		}
		if (num)
			continue;
		if (rd_key(r, k, "uid")) {
			uint64_t uid;

			if (rd_u64(r, v, &uid))
				return -EINVAL;
			if (uid >= INV_UID_UNKNOWN)
				return rd_fail(r, v, "a uid out of range");
			m->e.uid = (uint32_t)uid;
		} else if (rd_key(r, k, "path")) {
			m->have_path = true;
			if (rd_str(r, v, m->path, sizeof(m->path)))
				return -EINVAL;
		} else if (rd_key(r, k, "sha256")) {
			if (rd_str(r, v, m->e.sha256, sizeof(m->e.sha256)))
				return -EINVAL;
		} else if (rd_key(r, k, "format")) {
			if (rd_str(r, v, word, sizeof(word)))
				return -EINVAL;
			m->e.format = model_format_by_name(word);
		} else if (rd_key(r, k, "verdict")) {
			if (rd_str(r, v, word, sizeof(word)))
				return -EINVAL;
			for (int vv = SCAN_CLEAN; vv <= SCAN_VERDICT_MAX; vv++)
				if (!strcmp(word, scan_verdict_name((enum scan_verdict)vv)))
					m->e.verdict = vv;
		} else if (rd_key(r, k, "loaders")) {
			if (d->tok[v].type != JSON_ARR)
				return rd_fail(r, v, "expected an array");
			for (uint32_t l = rd_next(d, v, 0, false); l; l = rd_next(d, v, l, false)) {
				if (m->e.nloaders >= INV_LOADERS_MAX)
					return rd_fail(r, l, "too many elements");
				memset(&m->e.loaders[m->e.nloaders], 0, sizeof(m->e.loaders[0]));
				if (rd_loader(r, l, &m->e.loaders[m->e.nloaders],
					      m->exes[m->e.nloaders]))
					return -EINVAL;
				m->e.nloaders++;
			}
		}
	}
	/* a model the error cut is not restored: its members may be missing */
	if (!jtok_complete(d, t))
		return rd_fail(r, t, "a model cut short");
	if (!m->have_path)
		return rd_fail(r, t, "a model without a path");
	return 0;
}

/* the models of array @t, each restored as it is read, up to the first error */
static int rd_models(struct rd *r, uint32_t t, struct inventory *inv, struct model_ctx *m)
{
	const struct json_doc *d = r->d;
	size_t n = 0;
	int rc;

	if (d->tok[t].type != JSON_ARR)
		return rd_fail(r, t, "expected an array");
	for (uint32_t i = rd_next(d, t, 0, false); i; i = rd_next(d, t, i, false)) {
		if (!jtok_complete(d, i))
			break;	/* a model the error cut is not restored: the parse error says why */
		if (++n > JP_MODELS_MAX)
			return rd_fail(r, i, "too many elements");
		if (rd_model(r, i, m))
			return -EINVAL;
		m->e.path = m->path;
		rc = inventory_restore(inv, &m->e);
		if (rc == -EINVAL)
			return rd_fail(r, i, "a model with an invalid path, sha256 or loaders");
		if (rc)
			return rd_fail(r, i, "out of memory");
	}
	return 0;
}

int inventory_parse(struct inventory *inv, const char *buf, size_t len, char *err, size_t errlen)
{
	struct inventory_stats st;
	struct json_doc d;
	struct rd r = { .d = &d, .err = err, .errlen = errlen };
	struct model_ctx *m;
	uint64_t evicted = 0, max_tok;
	const char *why = NULL;
	size_t off = 0;
	int prc, rc = 0;

	if (errlen)
		err[0] = '\0';
	m = malloc(sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	inventory_get_stats(inv, &st);
	max_tok = (st.max_entries + 1) * INV_TOK_PER_MODEL + 64;
	if (max_tok > INV_TOK_MAX)
		max_tok = INV_TOK_MAX;
	prc = jtok_parse_partial(&d, (const uint8_t *)buf, len, (uint32_t)max_tok, JP_DEPTH, &off,
				 &why);
	if (prc == -ENOMEM) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	/* what the error left whole is read; then the error is the one reported */
	if (!d.ntok) {
		rc = rd_fail(&r, 0, "no JSON value");
	} else if (d.tok[0].type == JSON_ARR) {
		rc = rd_models(&r, 0, inv, m);
	} else if (d.tok[0].type != JSON_OBJ) {
		rc = rd_fail(&r, 0, "expected an object");
	} else {
		for (uint32_t k = rd_next(&d, 0, 0, true); k && !rc; k = rd_next(&d, 0, k, true)) {
			uint64_t v;

			if (rd_key(&r, k, "models")) {
				rc = rd_models(&r, k + 1, inv, m);	/* what of it is whole */
				continue;
			}
			if (!jtok_complete(&d, k + 1))
				break;	/* a value the error cut: the parse error says why */
			if (rd_key(&r, k, "version")) {
				rc = rd_u64(&r, k + 1, &v);
				if (!rc && v != INV_VERSION)
					rc = rd_fail(&r, k + 1, "unknown version");
			} else if (rd_key(&r, k, "evicted")) {
				rc = rd_u64(&r, k + 1, &evicted);
			}
		}
	}
	if (!rc && prc) {
		snprintf(err, errlen, "offset %zu: %s", off, why);
		rc = -EINVAL;
	}
	if (!rc) {
		inventory_get_stats(inv, &st);
		/* the file's count plus what restoring it over the bound evicted now */
		inventory_set_evicted(inv, st.evicted + evicted);
	}
out:
	jtok_free(&d);
	free(m);
	return rc;
}

int inventory_load(struct inventory *inv, const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > (off_t)INV_FILE_MAX) {
		rc = -EINVAL;
		snprintf(err, errlen, "%s: not a regular file of at most %u MiB", path,
			 INV_FILE_MAX >> 20);
		goto out_close;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out_close;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	{
		char perr[160];

		rc = inventory_parse(inv, buf, got, perr, sizeof(perr));
		if (rc)
			snprintf(err, errlen, "%s: %s", path, perr);
	}
	inventory_mark_clean(inv);
out_close:
	free(buf);
	close(fd);
	return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int inventory_set_aside(const char *path, char *aside, size_t n)
{
	struct tm tm;
	time_t now = time(NULL);
	char ts[32];

	if (!gmtime_r(&now, &tm) || !strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", &tm)) {
		errno = EINVAL;
		return -1;
	}
	for (int k = 0; k < 100; k++) {
		int w = k ? snprintf(aside, n, "%s.corrupt-%s.%d", path, ts, k)
			  : snprintf(aside, n, "%s.corrupt-%s", path, ts);

		if (w < 0 || (size_t)w >= n) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (!renameat2(AT_FDCWD, path, AT_FDCWD, aside, RENAME_NOREPLACE))
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

int inventory_serialize(const struct inventory *inv, struct jbuf *b)
{
	write_doc(inv, b);
	return b->err;
}

int inventory_write_file(const char *path, const char *buf, size_t len)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	int fd = -1, dfd, rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp) ||
	    snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	/* a first save on a fresh host: /var/lib/ltrack may not exist yet */
	if (mkdir(dirname(dir), 0700) && errno != EEXIST)
		return -errno;
	snprintf(dir, sizeof(dir), "%s", path);	/* dirname() may have cut it */
	fd = mkostemp(tmp, O_CLOEXEC);	/* mode 0600 */
	if (fd < 0)
		return -errno;
	rc = write_all(fd, buf, len);
	if (!rc && fsync(fd))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc) {
		unlink(tmp);
		return rc;
	}
	/* the rename itself reaches the disk with the directory */
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int inventory_save(struct inventory *inv, const char *path)
{
	struct jbuf b;
	int rc;

	jbuf_init(&b);
	rc = inventory_serialize(inv, &b);
	if (!rc)
		rc = inventory_write_file(path, b.buf, b.len);
	if (!rc)
		inventory_mark_clean(inv);
	jbuf_release(&b);
	return rc;
}

/* ---- text --------------------------------------------------------------------- */

static void fmt_time(uint64_t ns, char *buf, size_t n)
{
	time_t t = (time_t)(ns / 1000000000ull);
	struct tm tm;

	if (!ns || !gmtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, n, "-");
}

static int print_entry(const struct inv_entry *e, void *ctx)
{
	FILE *out = ctx;
	char first[32], last[32];
	struct jbuf q;

	jbuf_init(&q);
	text_quote(&q, e->path, strlen(e->path));
	fmt_time(e->first_seen_ns, first, sizeof(first));
	fmt_time(e->last_seen_ns, last, sizeof(last));
	fprintf(out, "%-10s %-15s %-12.12s %12llu %6llu  %s  %s  %.*s\n",
		inventory_verdict_name(e->verdict), model_format_name(e->format),
		e->sha256[0] ? e->sha256 : "pending", (unsigned long long)e->size,
		(unsigned long long)e->load_count, first, last, (int)q.len, q.buf ? q.buf : "");
	for (unsigned i = 0; i < e->nloaders; i++) {
		const struct inv_loader *l = &e->loaders[i];

		jbuf_reset(&q);
		if (l->exe)
			text_quote(&q, l->exe, strlen(l->exe));
		fmt_time(l->ts_ns, last, sizeof(last));
		jbuf_putc(&q, '\0');
		struct jbuf c;

		jbuf_init(&c);
		text_quote(&c, l->comm, strlen(l->comm));
		fprintf(out, "%10s loaded by pid %u (%.*s) %s at %s\n", "", l->pid, (int)c.len,
			c.buf ? c.buf : "", l->exe && q.buf ? q.buf : "-", last);
		jbuf_release(&c);
	}
	jbuf_release(&q);
	return 0;
}

void inventory_print_text(const struct inventory *inv, FILE *out)
{
	struct inventory_stats st;

	inventory_get_stats(inv, &st);
	fprintf(out, "%-10s %-15s %-12s %12s %6s  %-20s  %-20s  %s\n", "VERDICT", "FORMAT",
		"SHA256", "SIZE", "LOADS", "FIRST SEEN", "LAST SEEN", "PATH");
	inventory_foreach(inv, print_entry, out);
	fprintf(out, "%llu model(s)", (unsigned long long)st.entries);
	if (st.evicted)
		fprintf(out, " (%llu older ones evicted)", (unsigned long long)st.evicted);
	fputc('\n', out);
}
