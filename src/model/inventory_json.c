// SPDX-License-Identifier: MIT
/*
 * inventory_json - the inventory's JSON: the file store (load at start,
 * atomic save), the list `ltrack models` prints, and its text table.
 *
 * The file is untrusted input as far as parsing goes (it may be truncated
 * by a crash of another writer, or edited): the reader is a bounded
 * recursive-descent parser that knows the schema, skips unknown keys
 * (nesting at most JP_DEPTH), caps every string and count, and stops at the
 * first error keeping the entries read before it.
 */
#include "model/inventory.h"
#include "hex.h"

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

/* ---- parsing -------------------------------------------------------------------- */

struct jp {
	const char *s;
	size_t n, i;
	char *err;
	size_t errlen;
	bool failed;
};

static int jp_fail(struct jp *p, const char *what)
{
	if (!p->failed)
		snprintf(p->err, p->errlen, "offset %zu: %s", p->i, what);
	p->failed = true;
	return -EINVAL;
}

static void jp_ws(struct jp *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' ||
			       p->s[p->i] == '\r'))
		p->i++;
}

/* the next non-blank byte is @c: consume it */
static bool jp_eat(struct jp *p, char c)
{
	jp_ws(p);
	if (p->i < p->n && p->s[p->i] == c) {
		p->i++;
		return true;
	}
	return false;
}

static int jp_u4(struct jp *p, unsigned *out)
{
	unsigned v = 0;

	if (p->n - p->i < 4)
		return jp_fail(p, "truncated \\u escape");
	for (int k = 0; k < 4; k++) {
		int h = hex_value(p->s[p->i + k]);

		if (h < 0)
			return jp_fail(p, "bad \\u escape");
		v = v << 4 | (unsigned)h;
	}
	p->i += 4;
	*out = v;
	return 0;
}

/* append code point @cp as UTF-8 to @out (@cap with the NUL); 0 or -EINVAL */
static int put_utf8(struct jp *p, char *out, size_t cap, size_t *o, unsigned cp)
{
	char u[4];
	size_t k;

	if (cp == 0)
		return jp_fail(p, "NUL in a string");
	if (cp < 0x80) {
		u[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		k = 4;
	}
	if (out) {
		if (cap - 1 - *o < k)
			return jp_fail(p, "string too long");
		memcpy(out + *o, u, k);
	}
	*o += k;
	return 0;
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

/* a string into @out (NULL: skip it) of @cap bytes with its NUL */
static int jp_str(struct jp *p, char *out, size_t cap)
{
	size_t o = 0;

	if (!jp_eat(p, '"'))
		return jp_fail(p, "expected a string");
	while (p->i < p->n) {
		unsigned char c = (unsigned char)p->s[p->i++];

		if (c == '"') {
			if (out)
				out[o] = '\0';
			return 0;
		}
		if (c < 0x20)
			return jp_fail(p, "control character in a string");
		if (c >= 0x80) {
			/* JSON text is UTF-8 (and the writer never emits anything else) */
			size_t k = utf8_len(p->s + p->i - 1, p->n - (p->i - 1));

			if (!k)
				return jp_fail(p, "invalid UTF-8 in a string");
			if (out) {
				if (cap - 1 - o < k)
					return jp_fail(p, "string too long");
				memcpy(out + o, p->s + p->i - 1, k);
			}
			o += k;
			p->i += k - 1;
			continue;
		}
		if (c != '\\') {
			if (out) {
				if (o + 1 >= cap)
					return jp_fail(p, "string too long");
				out[o] = (char)c;
			}
			o++;
			continue;
		}
		if (p->i >= p->n)
			break;
		c = (unsigned char)p->s[p->i++];
		unsigned cp;

		switch (c) {
		case '"': cp = '"'; break;
		case '\\': cp = '\\'; break;
		case '/': cp = '/'; break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			if (jp_u4(p, &cp))
				return -EINVAL;
			if (cp >= 0xd800 && cp < 0xdc00) {
				unsigned lo;

				if (p->n - p->i < 2 || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u')
					return jp_fail(p, "lone surrogate");
				p->i += 2;
				if (jp_u4(p, &lo))
					return -EINVAL;
				if (lo < 0xdc00 || lo > 0xdfff)
					return jp_fail(p, "bad surrogate pair");
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				return jp_fail(p, "lone surrogate");
			}
			break;
		default:
			return jp_fail(p, "bad escape");
		}
		if (put_utf8(p, out, cap, &o, cp))
			return -EINVAL;
	}
	return jp_fail(p, "unterminated string");
}

static int jp_u64(struct jp *p, uint64_t *v)
{
	uint64_t x = 0;
	size_t start;

	jp_ws(p);
	start = p->i;
	while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9') {
		unsigned d = (unsigned)(p->s[p->i] - '0');

		if (x > (UINT64_MAX - d) / 10)
			return jp_fail(p, "number too large");
		x = x * 10 + d;
		p->i++;
	}
	if (p->i == start)
		return jp_fail(p, "expected an unsigned integer");
	if (p->i < p->n && (p->s[p->i] == '.' || p->s[p->i] == 'e' || p->s[p->i] == 'E'))
		return jp_fail(p, "expected an integer");
	*v = x;
	return 0;
}

static int jp_skip(struct jp *p, int depth);

static int jp_skip_container(struct jp *p, int depth, char close, bool obj)
{
	if (depth >= JP_DEPTH)
		return jp_fail(p, "nested too deep");
	if (jp_eat(p, close))
		return 0;
	do {
		if (obj && (jp_str(p, NULL, 0) || !jp_eat(p, ':')))
			return jp_fail(p, "expected a key");
		if (jp_skip(p, depth + 1))
			return -EINVAL;
	} while (jp_eat(p, ','));
	return jp_eat(p, close) ? 0 : jp_fail(p, "expected , or the end of a container");
}

/* skip any value */
static int jp_skip(struct jp *p, int depth)
{
	static const char *const words[] = { "true", "false", "null" };

	jp_ws(p);
	if (p->i >= p->n)
		return jp_fail(p, "truncated");
	switch (p->s[p->i]) {
	case '"':
		return jp_str(p, NULL, 0);
	case '{':
		p->i++;
		return jp_skip_container(p, depth, '}', true);
	case '[':
		p->i++;
		return jp_skip_container(p, depth, ']', false);
	}
	for (size_t k = 0; k < 3; k++) {
		size_t l = strlen(words[k]);

		if (p->n - p->i >= l && !memcmp(p->s + p->i, words[k], l)) {
			p->i += l;
			return 0;
		}
	}
	if (p->s[p->i] == '-')
		p->i++;
	if (p->i >= p->n || p->s[p->i] < '0' || p->s[p->i] > '9')
		return jp_fail(p, "unexpected character");
	while (p->i < p->n && strchr("0123456789.eE+-", p->s[p->i]))
		p->i++;
	return 0;
}

/*
 * iterate over an object's members: calls @fn with each key, which reads
 * (or skips) the value. 0 or -EINVAL.
 */
typedef int (*member_fn)(struct jp *p, const char *key, void *ctx);

static int jp_object(struct jp *p, member_fn fn, void *ctx)
{
	char key[32];

	if (!jp_eat(p, '{'))
		return jp_fail(p, "expected an object");
	if (jp_eat(p, '}'))
		return 0;
	do {
		jp_ws(p);
		size_t at = p->i;

		if (jp_str(p, key, sizeof(key))) {
			/* a long key is no key of ours: skip it */
			p->failed = false;
			p->i = at;
			key[0] = '\0';
			if (jp_str(p, NULL, 0))
				return -EINVAL;
		}
		if (!jp_eat(p, ':'))
			return jp_fail(p, "expected :");
		if (fn(p, key, ctx))
			return -EINVAL;
	} while (jp_eat(p, ','));
	return jp_eat(p, '}') ? 0 : jp_fail(p, "expected , or }");
}

/* a JSON array, @fn called at each element */
static int jp_array(struct jp *p, int (*fn)(struct jp *p, void *ctx), void *ctx, size_t max)
{
	size_t n = 0;

	if (!jp_eat(p, '['))
		return jp_fail(p, "expected an array");
	if (jp_eat(p, ']'))
		return 0;
	do {
		if (++n > max)
			return jp_fail(p, "too many elements");
		if (fn(p, ctx))
			return -EINVAL;
	} while (jp_eat(p, ','));
	return jp_eat(p, ']') ? 0 : jp_fail(p, "expected , or ]");
}

struct model_ctx {
	struct inv_entry e;
	char path[INV_PATH_MAX];
	char exes[INV_LOADERS_MAX][INV_PATH_MAX];
	bool have_path;
};

static int loader_member(struct jp *p, const char *key, void *ctx)
{
	struct model_ctx *m = ctx;
	struct inv_loader *l = &m->e.loaders[m->e.nloaders];
	uint64_t v;

	if (!strcmp(key, "pid")) {
		if (jp_u64(p, &v))
			return -EINVAL;
		if (v > UINT32_MAX)
			return jp_fail(p, "pid out of range");
		l->pid = (uint32_t)v;
		return 0;
	}
	if (!strcmp(key, "comm"))
		return jp_str(p, l->comm, sizeof(l->comm));
	if (!strcmp(key, "exe")) {
		jp_ws(p);
		if (p->n - p->i >= 4 && !memcmp(p->s + p->i, "null", 4)) {
			p->i += 4;
			l->exe = NULL;
			return 0;
		}
		l->exe = m->exes[m->e.nloaders];
		return jp_str(p, l->exe, INV_PATH_MAX);
	}
	if (!strcmp(key, "ts_ns"))
		return jp_u64(p, &l->ts_ns);
	return jp_skip(p, 2);
}

static int loader_elem(struct jp *p, void *ctx)
{
	struct model_ctx *m = ctx;

	memset(&m->e.loaders[m->e.nloaders], 0, sizeof(m->e.loaders[0]));
	if (jp_object(p, loader_member, m))
		return -EINVAL;
	m->e.nloaders++;
	return 0;
}

static int model_member(struct jp *p, const char *key, void *ctx)
{
	struct model_ctx *m = ctx;
	char word[32];
	uint64_t v;

	if (!strcmp(key, "path")) {
		m->have_path = true;
		return jp_str(p, m->path, sizeof(m->path));
	}
	if (!strcmp(key, "sha256"))
		return jp_str(p, m->e.sha256, sizeof(m->e.sha256));
	if (!strcmp(key, "format")) {
		if (jp_str(p, word, sizeof(word)))
			return -EINVAL;
		m->e.format = model_format_by_name(word);
		return 0;
	}
	if (!strcmp(key, "verdict")) {
		if (jp_str(p, word, sizeof(word)))
			return -EINVAL;
		m->e.verdict = INV_VERDICT_NONE;
		for (int vv = SCAN_CLEAN; vv <= SCAN_ERROR; vv++)
			if (!strcmp(word, scan_verdict_name((enum scan_verdict)vv)))
				m->e.verdict = vv;
		return 0;
	}
	if (!strcmp(key, "loaders"))
		return jp_array(p, loader_elem, m, INV_LOADERS_MAX);
	uint64_t *dst = !strcmp(key, "size")		? &m->e.size
			: !strcmp(key, "dev")		? &m->e.dev
			: !strcmp(key, "inode")		? &m->e.ino
			: !strcmp(key, "first_seen_ns") ? &m->e.first_seen_ns
			: !strcmp(key, "last_seen_ns")	? &m->e.last_seen_ns
			: !strcmp(key, "load_count")	? &m->e.load_count
							: NULL;

	if (!dst)
		return jp_skip(p, 2);
	if (jp_u64(p, &v))
		return -EINVAL;
	*dst = v;
	return 0;
}

struct doc_ctx {
	struct inventory *inv;
	struct model_ctx *m;
	uint64_t evicted;
};

static int model_elem(struct jp *p, void *ctx)
{
	struct doc_ctx *d = ctx;
	struct model_ctx *m = d->m;
	int rc;

	memset(&m->e, 0, sizeof(m->e));
	m->e.verdict = INV_VERDICT_NONE;
	m->have_path = false;
	m->path[0] = '\0';
	if (jp_object(p, model_member, m))
		return -EINVAL;
	if (!m->have_path)
		return jp_fail(p, "a model without a path");
	m->e.path = m->path;
	rc = inventory_restore(d->inv, &m->e);
	if (rc == -EINVAL)
		return jp_fail(p, "a model with an invalid path, sha256 or loaders");
	if (rc)
		return jp_fail(p, "out of memory");
	return 0;
}

static int doc_member(struct jp *p, const char *key, void *ctx)
{
	struct doc_ctx *d = ctx;
	uint64_t v;

	if (!strcmp(key, "version")) {
		if (jp_u64(p, &v))
			return -EINVAL;
		return v == INV_VERSION ? 0 : jp_fail(p, "unknown version");
	}
	if (!strcmp(key, "evicted"))
		return jp_u64(p, &d->evicted);
	if (!strcmp(key, "models"))
		return jp_array(p, model_elem, d, JP_MODELS_MAX);
	return jp_skip(p, 1);
}

int inventory_parse(struct inventory *inv, const char *buf, size_t len, char *err, size_t errlen)
{
	struct jp p = { .s = buf, .n = len, .err = err, .errlen = errlen };
	struct doc_ctx d = { .inv = inv };
	int rc;

	if (errlen)
		err[0] = '\0';
	d.m = malloc(sizeof(*d.m));
	if (!d.m) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	jp_ws(&p);
	if (p.i < p.n && p.s[p.i] == '[')
		rc = jp_array(&p, model_elem, &d, JP_MODELS_MAX);
	else
		rc = jp_object(&p, doc_member, &d);
	if (!rc) {
		jp_ws(&p);
		if (p.i != p.n)
			rc = jp_fail(&p, "trailing bytes");
	}
	if (!rc) {
		struct inventory_stats st;

		inventory_get_stats(inv, &st);
		/* the file's count plus what restoring it over the bound evicted now */
		inventory_set_evicted(inv, st.evicted + d.evicted);
	}
	free(d.m);
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

int inventory_save(struct inventory *inv, const char *path)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	struct jbuf b;
	int fd = -1, dfd, rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp) ||
	    snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	jbuf_init(&b);
	write_doc(inv, &b);
	rc = b.err;
	if (rc)
		goto out;
	/* a first save on a fresh host: /var/lib/ltrack may not exist yet */
	if (mkdir(dirname(dir), 0700) && errno != EEXIST) {
		rc = -errno;
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s", path);	/* dirname() may have cut it */
	fd = mkostemp(tmp, O_CLOEXEC);	/* mode 0600 */
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	rc = write_all(fd, b.buf, b.len);
	if (!rc && fsync(fd))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc) {
		unlink(tmp);
		goto out;
	}
	/* the rename itself reaches the disk with the directory */
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	inventory_mark_clean(inv);
out:
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
