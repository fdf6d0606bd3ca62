// SPDX-License-Identifier: MIT
/*
 * zip - a lenient zip reader, as forgiving as PyTorch's miniz and Python's
 * zipfile put together: what either loader would read, we scan.
 *
 * Entries come from the central directory (zip64 extra fields and the
 * zip64 end record understood; an archive with bytes prepended is found by
 * the offset delta, like zipfile). CRCs, flag bits (data descriptors) and
 * local/central name mismatches are ignored. When the central directory is
 * missing, or breaks part-way, the local headers are walked instead (from
 * past the last entry the directory delivered), so one damaged entry
 * never hides the ones after it (modelscan issue 354).
 *
 * Stored members are pointers into the mapping: nothing is copied. Deflate
 * members are inflated into a buffer bounded per member (SCAN_INFLATE_CAP,
 * halved at each nesting level, so nested zips never hold more than twice
 * the cap) and in total (scan_limits.max_member_bytes per scan): zip bombs
 * end as an "incomplete" report.
 */
#include "scan/scan_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64 0x06064b50u
#define SIG_LOC64 0x07064b50u

static void set_name(struct zip_entry *e, const uint8_t *p, size_t n)
{
	size_t k = n < sizeof(e->name) - 1 ? n : sizeof(e->name) - 1;

	for (size_t i = 0; i < k; i++)
		e->name[i] = p[i] ? (char)p[i] : '?';
	e->name[k] = '\0';
	e->name_len = n;
}

/* set_data - locate the member's bytes from its local header at e->offset */
static void set_data(struct zip_entry *e, const uint8_t *buf, size_t len)
{
	e->data = NULL;
	e->avail = 0;
	if (e->offset > len || len - e->offset < 30 || rd32(buf + e->offset) != SIG_LOCAL)
		return;
	const uint8_t *h = buf + e->offset;
	uint64_t d = e->offset + 30 + (uint64_t)rd16(h + 26) + rd16(h + 28);
	if (d > len)
		return;
	e->data = buf + d;
	e->avail = e->csize < len - d ? e->csize : len - d;
}

/* zip64 extra field (id 1): the 0xffffffff fields, in order usize, csize, offset */
static void zip64_extra(struct zip_entry *e, const uint8_t *x, size_t n)
{
	while (n >= 4) {
		uint16_t id = rd16(x), sz = rd16(x + 2);

		if (sz > n - 4)
			return;
		if (id == 1) {
			const uint8_t *q = x + 4;
			size_t left = sz;

			if (e->usize == 0xffffffffu && left >= 8) {
				e->usize = rd64(q);
				q += 8;
				left -= 8;
			}
			if (e->csize == 0xffffffffu && left >= 8) {
				e->csize = rd64(q);
				q += 8;
				left -= 8;
			}
			if (e->offset == 0xffffffffu && left >= 8)
				e->offset = rd64(q);
			return;
		}
		x += 4 + sz;
		n -= 4 + sz;
	}
}

struct cd {
	uint64_t off;		/* central directory start (after the prefix delta) */
	uint64_t delta;		/* bytes prepended to the archive */
	uint64_t count;
};

static bool find_cd(const uint8_t *buf, size_t len, struct cd *cd)
{
	size_t lo, pos;

	if (len < 22)
		return false;
	lo = len - 22 > 65535 ? len - 22 - 65535 : 0;
	for (pos = len - 22 + 1; pos-- > lo;) {
		if (rd32(buf + pos) == SIG_EOCD)
			break;
		if (pos == lo)
			return false;
	}
	if (rd32(buf + pos) != SIG_EOCD)
		return false;
	uint64_t size = rd32(buf + pos + 12), off = rd32(buf + pos + 16);
	uint64_t count = rd16(buf + pos + 10);
	uint64_t end = pos;
	if (pos >= 20 && rd32(buf + pos - 20) == SIG_LOC64) {
		uint64_t o64 = rd64(buf + pos - 20 + 8);

		if (o64 <= len && len - o64 >= 56 && rd32(buf + o64) == SIG_EOCD64) {
			count = rd64(buf + o64 + 32);
			size = rd64(buf + o64 + 40);
			off = rd64(buf + o64 + 48);
			end = o64;
		}
	}
	cd->delta = 0;
	if (size <= end && off <= end - size && off + size != end) {
		uint64_t delta = end - size - off;

		if ((off > len - 4 || rd32(buf + off) != SIG_CENTRAL) && off + delta <= len - 4 &&
		    rd32(buf + off + delta) == SIG_CENTRAL)
			cd->delta = delta;
	}
	cd->off = off + cd->delta;
	cd->count = count;
	return cd->off <= len;
}

bool zip_has_cd(const uint8_t *buf, size_t len)
{
	struct cd cd;

	return find_cd(buf, len, &cd) && cd.off <= len - 4 && len >= 4 &&
	       rd32(buf + cd.off) == SIG_CENTRAL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* walk_local - entries found by their local headers from @start, skipping @seen offsets */
static int walk_local(const uint8_t *buf, size_t len, size_t start, uint32_t max, uint32_t *n,
		      const uint64_t *seen, size_t nseen, zip_entry_fn fn, void *arg, bool *truncated)
{
	size_t pos = start;

	while (pos < len) {
		const uint8_t *h = mem_find(buf + pos, len - pos, "PK\3\4", 4);
		struct zip_entry e = { 0 };

		if (!h)
			break;
		pos = (size_t)(h - buf);
		if (len - pos < 30) {
			pos++;
			continue;
		}
		size_t nlen = rd16(h + 26), xlen = rd16(h + 28);
		if (30 + nlen + xlen > len - pos) {
			pos++;
			continue;
		}
		e.flags = rd16(h + 6);
		e.method = rd16(h + 8);
		e.csize = rd32(h + 18);
		e.usize = rd32(h + 22);
		e.offset = pos;
		set_name(&e, h + 30, nlen);
		zip64_extra(&e, h + 30 + nlen, xlen);
		size_t d = pos + 30 + nlen + xlen;
		if ((e.flags & 8) || e.csize == 0 || e.csize > len - d) {
			/* size in a data descriptor (or lying): up to the next header */
			const uint8_t *nx = mem_find(buf + d, len - d, "PK", 2);

			while (nx && (size_t)(nx - buf) + 4 <= len && rd32(nx) != SIG_LOCAL &&
			       rd32(nx) != SIG_CENTRAL && rd32(nx) != SIG_EOCD)
				nx = mem_find(nx + 1, len - (size_t)(nx + 1 - buf), "PK", 2);
			e.csize = nx ? (uint64_t)(nx - buf) - d : len - d;
		}
		e.data = buf + d;
		e.avail = e.csize;
		pos = d + (size_t)e.csize > pos ? d + (size_t)e.csize : pos + 1;
		if (seen && bsearch(&e.offset, seen, nseen, sizeof(*seen), cmp_u64))
			continue;
		if (*n >= max) {
			*truncated = true;
			break;
		}
		(*n)++;
		int ret = fn(arg, &e);
		if (ret)
			return ret;
	}
	return 0;
}

int zip_walk(const uint8_t *buf, size_t len, uint32_t max, zip_entry_fn fn, void *arg,
	     bool *damaged, bool *truncated)
{
	struct cd cd;
	uint32_t n = 0;
	uint64_t *seen = NULL;
	size_t nseen = 0;
	int ret = 0;

	*damaged = false;
	*truncated = false;
	if (!find_cd(buf, len, &cd)) {
		*damaged = true;
		ret = walk_local(buf, len, 0, max, &n, NULL, 0, fn, arg, truncated);
		goto out;
	}
	size_t pos = (size_t)cd.off;
	uint64_t want = cd.count;
	for (;;) {
		struct zip_entry e = { 0 };

		if (pos > len || len - pos < 46 || rd32(buf + pos) != SIG_CENTRAL) {
			*damaged = n < want;
			break;
		}
		const uint8_t *h = buf + pos;
		size_t nlen = rd16(h + 28), xlen = rd16(h + 30), clen = rd16(h + 32);
		if (46 + nlen + xlen + clen > len - pos) {
			*damaged = true;
			break;
		}
		if (n >= max) {
			*truncated = true;
			goto out;
		}
		e.flags = rd16(h + 8);
		e.method = rd16(h + 10);
		e.csize = rd32(h + 20);
		e.usize = rd32(h + 24);
		e.offset = rd32(h + 42);
		set_name(&e, h + 46, nlen);
		zip64_extra(&e, h + 46 + nlen, xlen);
		e.offset += cd.delta;
		set_data(&e, buf, len);
		if (!(nseen & 255)) {
			uint64_t *ns = realloc(seen, (nseen + 256) * sizeof(*seen));

			if (!ns) {
				ret = -ENOMEM;
				goto out;
			}
			seen = ns;
		}
		seen[nseen++] = e.offset;
		n++;
		ret = fn(arg, &e);
		if (ret)
			goto out;
		pos += 46 + nlen + xlen + clen;
	}
	if (!n && want)
		*damaged = true;
	if (*damaged) {
		if (nseen)
			qsort(seen, nseen, sizeof(*seen), cmp_u64);
		ret = walk_local(buf, len, 0, max, &n, seen, nseen, fn, arg, truncated);
	}
out:
	free(seen);
	return ret < 0 ? ret : (int)n;
}

uint64_t inflate_budget(const struct scan_ctx *c)
{
	return c->lim->max_member_bytes;
}

size_t inflate_cap(const struct scan_ctx *c)
{
	uint32_t d = c->depth > 8 ? 8 : c->depth;
	size_t cap = SCAN_INFLATE_CAP >> d;

	if (cap > c->lim->max_member_bytes)
		cap = (size_t)c->lim->max_member_bytes;
	return cap < SCAN_HEAD ? SCAN_HEAD : cap;
}

int inflate_mem(struct scan_ctx *c, const uint8_t *in, uint64_t inlen, int wbits, uint64_t hint,
		size_t cap, uint8_t **out, size_t *outlen, bool *cut)
{
	z_stream z = { 0 };
	uint8_t *b;
	size_t bcap;
	int ret = 0;

	*out = NULL;
	*outlen = 0;
	*cut = false;
	if (c->inflated >= inflate_budget(c))
		return -E2BIG;
	bcap = hint && hint < cap ? (size_t)hint : cap < 65536 ? cap : 65536;
	b = malloc(bcap ? bcap : 1);
	if (!b)
		return -ENOMEM;
	if (inflateInit2(&z, wbits) != Z_OK) {
		free(b);
		return -ENOMEM;
	}
	z.next_in = (uint8_t *)in;
	uint64_t in_left = inlen;
	for (;;) {
		if (z.total_out == bcap) {
			if (bcap >= cap) {
				*cut = true;
				break;
			}
			size_t ncap = bcap * 2 > cap ? cap : bcap * 2;
			uint8_t *nb = realloc(b, ncap);
			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			b = nb;
			bcap = ncap;
		}
		if (!z.avail_in && in_left) {
			z.avail_in = in_left > (1u << 30) ? (1u << 30) : (uInt)in_left;
			in_left -= z.avail_in;
		}
		uint64_t room = inflate_budget(c) - c->inflated;
		size_t want = bcap - z.total_out;
		if (want > room)
			want = (size_t)room;
		if (!want) {
			*cut = true;
			ret = -E2BIG;
			break;
		}
		z.next_out = b + z.total_out;
		z.avail_out = want > (1u << 30) ? (1u << 30) : (uInt)want;
		uLong before = z.total_out;
		int zr = inflate(&z, Z_NO_FLUSH);
		c->inflated += z.total_out - before;
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_BUF_ERROR && !z.avail_in && !in_left) {
			*cut = true;	/* the data ends early */
			break;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			ret = -EIO;
			break;
		}
	}
	inflateEnd(&z);
	if (!z.total_out && ret) {
		free(b);
		return ret;
	}
	*out = b;
	*outlen = z.total_out;
	return ret;
}

int zip_read(struct scan_ctx *c, const struct zip_entry *e, size_t cap, const uint8_t **out,
	     size_t *outlen, bool *owned, bool *cut)
{
	uint8_t *b;
	int ret;

	*out = NULL;
	*outlen = 0;
	*owned = false;
	*cut = false;
	if (!e->data)
		return -EIO;
	if (e->method == 0) {
		*out = e->data;
		*outlen = (size_t)e->avail;
		*cut = e->avail < e->csize;
		return 0;
	}
	if (e->method != 8)
		return -ENOTSUP;
	ret = inflate_mem(c, e->data, e->avail, -15, e->usize, cap, &b, outlen, cut);
	*out = b;
	*owned = b != NULL;
	return ret;
}

/* ---- scanning every member -------------------------------------------------- */

struct zscan {
	struct scan_ctx *c;
	enum model_format f;
	uint32_t bad;
	int pass;		/* 1: the loader's entry points only; 2: the rest */
};

/*
 * an entry point of the loader: what torch.load (data.pkl) and
 * torch.jit.load (constants.pkl, data.pkl) unpickle first. These members
 * are scanned before the others, so no decoy placed ahead of them in the
 * archive can spend the scan's time or inflation budget first.
 */
static bool loader_first(const char *name)
{
	const char *base = strrchr(name, '/');

	base = base ? base + 1 : name;
	return strcmp(base, "data.pkl") == 0 || strcmp(base, "constants.pkl") == 0;
}

/* a raw storage record of a torch zip: <prefix>/data/<key> */
static bool tensor_record(const char *name)
{
	const char *d = strstr(name, "/data/");

	if (strncmp(name, "data/", 5) == 0)
		d = name - 1;
	return d && !str_ends_with(name, ".pkl") && !strchr(d + 6, '/');
}

static int zscan_entry(void *arg, const struct zip_entry *e)
{
	struct zscan *z = arg;
	struct scan_ctx *c = z->c;
	const uint8_t *data;
	size_t dlen;
	bool owned = false, cut = false;
	uint8_t head[SCAN_HEAD];
	size_t hlen = 0;
	int ret;

	if ((z->pass == 1) != loader_first(e->name))
		return 0;
	if (scan_stop(c))
		return 1;
	if (!e->data) {
		z->bad++;
		scan_add_finding(c->r, SCAN_SUSPICIOUS, e->offset, e->name, NULL,
				 "damaged zip entry: no local header at its offset");
		return 0;
	}
	if (e->flags & 1) {
		scan_add_finding(c->r, SCAN_SUSPICIOUS, e->offset, e->name, NULL,
				 "encrypted zip member not scanned");
		return 0;
	}
	if (e->method != 0 && e->method != 8) {
		c->r->incomplete = true;
		scan_add_finding(c->r, SCAN_SUSPICIOUS, e->offset, e->name, NULL,
				 "zip member compressed with method %u not scanned", e->method);
		return 0;
	}
	/* the head: what the member is */
	ret = zip_read(c, e, SCAN_HEAD, &data, &dlen, &owned, &cut);
	if (data) {
		hlen = dlen < sizeof(head) ? dlen : sizeof(head);
		memcpy(head, data, hlen);
	}
	if (owned)
		free((void *)data);
	if (ret == -E2BIG) {
		c->r->incomplete = true;
		scan_add_finding(c->r, SCAN_SUSPICIOUS, e->offset, e->name, NULL,
				 "inflation budget spent: member not scanned (zip bomb?)");
		return 1;
	}
	if (ret && !hlen) {
		scan_add_finding(c->r, SCAN_SUSPICIOUS, e->offset, e->name, NULL,
				 "corrupt deflate stream in zip member");
		return 0;
	}
	bool tensor = (z->f == MF_PYTORCH_ZIP || z->f == MF_TORCHSCRIPT) && tensor_record(e->name);
	enum model_format mf = scan_sniff(head, hlen, e->usize > hlen ? e->usize : hlen, e->name);
	bool want;
	if (tensor)
		want = (hlen >= 2 && head[0] == 0x80 && pk_looks_like(head, hlen)) ||
		       (hlen >= 4 && memcmp(head, "PK\3\4", 4) == 0);
	else if (mf == MF_NUMPY && str_ends_with(e->name, ".npy") && hlen >= 6 &&
		 memcmp(head, "\x93NUMPY", 6) == 0)
		/* objects, or a header not whole in the head: read it */
		want = e->method == 0 || npy_header_objects(head, hlen, NULL) != 0;
	else
		want = mf != MF_UNKNOWN || strcmp(e->name, "config.json") == 0 ||
		       (z->f == MF_TORCHSCRIPT && (strncmp(e->name, "code/", 5) == 0 ||
						  strstr(e->name, "/code/"))) ||
		       (z->f == MF_TORCHSERVE_MAR && str_ends_with(e->name, ".py"));
	if (!want)
		return 0;
	ret = zip_read(c, e, inflate_cap(c), &data, &dlen, &owned, &cut);
	if (ret == -E2BIG || (cut && e->method != 0)) {
		c->r->incomplete = true;
		scan_add_finding(c->r, SCAN_SUSPICIOUS, e->offset, e->name, NULL,
				 ret == -E2BIG ? "inflation budget spent: member scanned only in part"
					       : "member inflates past %zu bytes: scanned only in part",
				 inflate_cap(c));
	}
	if (data && dlen)
		scan_member(c, z->f, e->name, data, dlen, tensor);
	if (owned)
		free((void *)data);
	return ret == -E2BIG ? 1 : 0;
}

int zip_scan(struct scan_ctx *c, enum model_format f, const uint8_t *buf, size_t len)
{
	struct zscan z = { .c = c, .f = f, .pass = 1 };
	bool damaged, truncated;
	int n;

	/* the loader's order: its entry points first, then every other member */
	n = zip_walk(buf, len, c->lim->max_members, zscan_entry, &z, &damaged, &truncated);
	if (n >= 0 && !c->stopped) {
		z.pass = 2;
		n = zip_walk(buf, len, c->lim->max_members, zscan_entry, &z, &damaged, &truncated);
	}
	if (n < 0) {
		scan_set_error(c->r, "zip: %s", n == -ENOMEM ? "out of memory" : "unreadable");
		return 0;
	}
	if (truncated) {
		c->r->incomplete = true;
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 0, c->member, NULL,
				 "more zip entries than max_members: the rest not scanned");
	}
	if (damaged && n > 0)
		scan_add_finding(c->r, SCAN_SUSPICIOUS, 0, c->member, NULL,
				 "damaged zip central directory: entries read from local headers");
	if (n == 0 && len >= 4 && memcmp(buf, "PK\5\6", 4) != 0)
		scan_set_error(c->r, "zip: no readable entry");
	return 0;
}
