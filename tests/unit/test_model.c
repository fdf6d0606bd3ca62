// SPDX-License-Identifier: MIT
/*
 * test_model.c - the user-space half of the model monitor (src/model/model.c)
 * without the kernel: extension keys and loader patterns as the kernel
 * matches them, the path table behind model_modified, record decoding
 * and JSON, and the monitor's record handling (content sniffing of a
 * candidate, a splice exfil's path, a non-trainer's write, a changed
 * digest) with a monitor that has no loader (its kernel maps are skipped).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events.h"
#include "hash.h"
#include "output/jsonw.h"
#include "model/model.h"
#include "output/format.h"

static void ext_keys_are_lower_case_without_dot(void **state)
{
	struct lt_model_ext_key k;

	(void)state;
	assert_int_equal(model_ext_key(".SafeTensors", 1, &k), 0);
	assert_int_equal(k.gen, 1);
	assert_memory_equal(k.ext, "srosnetefas\0", 12);
	assert_int_equal(model_ext_key("pt", 0, &k), 0);
	assert_memory_equal(k.ext, "tp\0\0\0\0\0\0\0\0\0\0", 12);
	/* 11 bytes fit, 12 do not (the kernel packs at most LT_MEXT_LEN - 1) */
	assert_int_equal(model_ext_key(".abcdefghijk", 0, &k), 0);
	assert_int_equal(model_ext_key(".abcdefghijkl", 0, &k), -EINVAL);
	assert_int_equal(model_ext_key(".", 0, &k), -EINVAL);
	assert_int_equal(model_ext_key(".a.b", 0, &k), -EINVAL);
	assert_int_equal(model_ext_key(".a/b", 0, &k), -EINVAL);
}

static void quick_reject_by_length_and_last_byte(void **state)
{
	struct lt_model_policy mp;
	struct lt_model_ext_key k;

	(void)state;
	memset(&mp, 0, sizeof(mp));
	model_ext_key(".pt", 0, &k);
	model_quick_set(&mp, &k);
	model_ext_key(".npy", 0, &k);
	model_quick_set(&mp, &k);
	model_ext_key(".PT", 0, &k);
	assert_true(model_quick_test(&mp, &k));
	model_ext_key(".npy", 0, &k);
	assert_true(model_quick_test(&mp, &k));
	model_ext_key(".py", 0, &k);	/* length 2, ends in y: no listed one */
	assert_false(model_quick_test(&mp, &k));
	model_ext_key(".txt", 0, &k);	/* length 3, ends in t: no listed one */
	assert_false(model_quick_test(&mp, &k));
	model_ext_key(".so", 0, &k);
	assert_false(model_quick_test(&mp, &k));
}

static void loader_patterns_match_like_the_kernel(void **state)
{
	struct lt_model_pat p;

	(void)state;
	assert_int_equal(model_pat_make("python3", &p), 0);
	assert_int_equal(p.len, 7);
	assert_int_equal(p.prefix, 0);
	assert_true(model_pat_match(&p, "python3"));
	assert_false(model_pat_match(&p, "python3.11"));
	assert_false(model_pat_match(&p, "python"));
	assert_int_equal(model_pat_make("python3.*", &p), 0);
	assert_int_equal(p.prefix, 1);
	assert_true(model_pat_match(&p, "python3.11"));
	assert_false(model_pat_match(&p, "python3"));
	/* the kernel sees 15 bytes of a name: a long basename is cut like comm */
	assert_int_equal(model_pat_make("abcdefghijklmno", &p), 0);
	assert_true(model_pat_match(&p, "abcdefghijklmnopqrst"));
	assert_int_equal(model_pat_make("abcdefghijklmnop", &p), -EINVAL);
	assert_int_equal(model_pat_make("*", &p), -EINVAL);
	assert_int_equal(model_pat_make("py*thon", &p), -EINVAL);
	assert_int_equal(model_pat_make("a/b", &p), -EINVAL);
}

static void trainer_names_by_comm_or_basename(void **state)
{
	char *pats[] = { "cp", "train*.py" };

	(void)state;
	assert_true(model_names_match(pats, 2, "cp", NULL));
	assert_true(model_names_match(pats, 2, "python3", "/srv/train_v2.py"));
	assert_false(model_names_match(pats, 2, "python3", "/usr/bin/python3.11"));
	assert_false(model_names_match(pats, 0, "cp", "/bin/cp"));
}

static const struct ev_file_id ID1 = { .ino = 11, .size = 100, .mtime_ns = 1, .ctime_ns = 2,
				       .dev = 0x800001 };
static const struct ev_file_id ID2 = { .ino = 11, .size = 120, .mtime_ns = 3, .ctime_ns = 4,
				       .dev = 0x800001 };
static const char H1[] = "1111111111111111111111111111111111111111111111111111111111111111";
static const char H2[] = "2222222222222222222222222222222222222222222222222222222222222222";
static const char H3[] = "3333333333333333333333333333333333333333333333333333333333333333";

static void table_digests_new_same_changed_expected(void **state)
{
	struct model_table *t = model_table_new(2);
	struct ev_file_id id;
	char old[65] = "", hex[65];

	(void)state;
	assert_non_null(t);
	assert_int_equal(model_table_seen(t, "/m/a.pt", &ID1), 0);
	assert_int_equal(model_table_digest(t, "/m/a.pt", &ID1, H1, old), MODEL_DIGEST_NEW);
	assert_int_equal(model_table_digest(t, "/m/a.pt", &ID1, H1, old), MODEL_DIGEST_SAME);
	assert_int_equal(model_table_digest(t, "/m/a.pt", &ID2, H2, old), MODEL_DIGEST_CHANGED);
	assert_string_equal(old, H1);
	assert_true(model_table_get(t, "/m/a.pt", &id, hex));
	assert_string_equal(hex, H2);
	assert_int_equal(id.size, 120);
	/* an expected change is quiet once, then changes count again */
	model_table_expect(t, "/m/a.pt");
	assert_int_equal(model_table_digest(t, "/m/a.pt", &ID1, H3, old), MODEL_DIGEST_EXPECTED);
	assert_int_equal(model_table_digest(t, "/m/a.pt", &ID1, H1, old), MODEL_DIGEST_CHANGED);
	assert_string_equal(old, H3);
	assert_string_equal(model_table_path(t, 0x800001, 11), "/m/a.pt");
	assert_null(model_table_path(t, 0x800001, 12));
	/* bounded: the least recently used path goes */
	assert_int_equal(model_table_seen(t, "/m/b.pt", &ID1), 0);
	assert_int_equal(model_table_digest(t, "/m/a.pt", &ID1, H1, old), MODEL_DIGEST_SAME);
	assert_int_equal(model_table_seen(t, "/m/c.pt", &ID1), 0);
	assert_int_equal(model_table_size(t), 2);
	assert_int_equal(model_table_evicted(t), 1);
	assert_false(model_table_get(t, "/m/b.pt", &id, hex));
	assert_true(model_table_get(t, "/m/a.pt", &id, hex));
	model_table_free(t);
	model_table_free(NULL);
}

/*
 * Review finding 15's table (harness mtab): 4096 paths sharing a 3000-byte
 * prefix, the worst case of the old linear strcmp. Every path is found
 * with its own identity, a path is found by its inode (the most recently
 * used of two with the same), and past the bound exactly the least
 * recently used go, in order.
 */
static void table_many_long_shared_prefix_paths(void **state)
{
	enum { N = 4096, PRE = 3000 };
	struct model_table *t = model_table_new(N);
	static char path[PRE + 32];
	struct ev_file_id id, got;
	char old[65], hex[65];

	(void)state;
	assert_non_null(t);
	memset(path, 'd', PRE);
	path[0] = '/';
	for (int i = 0; i < N; i++) {
		snprintf(path + PRE, 32, "/m%05d.pt", i);
		id = ID1;
		id.ino = 1000 + (uint64_t)i;
		assert_int_equal(model_table_digest(t, path, &id, H1, old), MODEL_DIGEST_NEW);
	}
	assert_int_equal(model_table_size(t), N);
	for (int i = 0; i < N; i++) {
		snprintf(path + PRE, 32, "/m%05d.pt", i);
		assert_true(model_table_get(t, path, &got, hex));
		assert_int_equal(got.ino, 1000 + (uint64_t)i);
		assert_string_equal(model_table_path(t, ID1.dev, 1000 + (uint64_t)i), path);
	}
	/* a second path of inode 1007 (a hard link), used last: the one by inode */
	id = ID1;
	id.ino = 1007;
	snprintf(path + PRE, 32, "/m%05d.pt", 7);
	assert_int_equal(model_table_digest(t, path, &id, H1, old), MODEL_DIGEST_SAME);
	snprintf(path + PRE, 32, "/link.pt");
	assert_int_equal(model_table_seen(t, path, &id), 0);	/* evicts m00000, used least */
	assert_string_equal(model_table_path(t, ID1.dev, 1007), path);
	assert_int_equal(model_table_evicted(t), 1);
	snprintf(path + PRE, 32, "/m%05d.pt", 0);
	assert_false(model_table_get(t, path, &got, hex));
	assert_null(model_table_path(t, ID1.dev, 1000));
	/* m00001 was used before m00002...: they go next, in that order; m00007 stays */
	for (int i = 0; i < 8; i++) {
		snprintf(path + PRE, 32, "/new%d.pt", i);
		assert_int_equal(model_table_seen(t, path, &ID1), 0);
	}
	for (int i = 1; i <= 10; i++) {
		snprintf(path + PRE, 32, "/m%05d.pt", i);
		assert_int_equal(model_table_get(t, path, &got, hex), i == 7 || i == 10);
	}
	assert_int_equal(model_table_evicted(t), 9);
	model_table_free(t);
}

/* a record as the kernel writes it */
struct rec {
	struct lt_model_ev e;
	char path[64];
};

static size_t rec_fill(struct rec *r, uint32_t type, const char *path,
		       const struct ev_file_id *id)
{
	size_t plen = path ? strlen(path) + 1 : 0;

	memset(r, 0, sizeof(*r));
	r->e.hdr.type = type;
	r->e.hdr.size = (uint32_t)(sizeof(r->e) + plen);
	r->e.hdr.tgid = 4242;
	r->e.hdr.tid = 4242;
	r->e.hdr.start_ns = 777;
	r->e.hdr.flags = LT_HF_REPORT;
	memcpy(r->e.hdr.comm, "python3", 8);
	r->e.fid.ino = id->ino;
	r->e.fid.size = id->size;
	r->e.fid.mtime_ns = id->mtime_ns;
	r->e.fid.ctime_ns = id->ctime_ns;
	r->e.fid.dev = id->dev;
	r->e.fd = -1;
	r->e.path_len = (uint16_t)plen;
	if (plen)
		memcpy(r->path, path, plen);
	return r->e.hdr.size;
}

static void decode_and_json_of_an_exfil(void **state)
{
	struct rec r;
	struct event ev;
	struct jbuf b;
	struct fmt_ctx c = { .hostname = "h", .boot_id = "b" };
	size_t len = rec_fill(&r, LT_EV_MODEL_EXFIL, "/m/a.pt", &ID1);

	(void)state;
	r.e.method = LT_MX_SENDFILE;
	r.e.family = 2;
	r.e.protocol = 6;
	r.e.dport = 4444;
	r.e.bytes = 100;
	r.e.fd = 5;
	memcpy(r.e.daddr, "\x7f\0\0\x01", 4);
	assert_int_equal(event_decode(&r, len, &ev), 0);
	assert_string_equal(ev.name, "model_exfil");
	assert_string_equal(ev.filename, "/m/a.pt");
	assert_true(ev.has_fid);
	jbuf_init(&b);
	assert_int_equal(format_json(&b, &ev, &c), 0);
	assert_non_null(strstr(b.buf, "\"filename\":\"/m/a.pt\",\"dev\":\"8:1\",\"inode\":11,"
				      "\"size\":100,\"mtime\":1,\"ctime\":2,\"method\":\"sendfile\","
				      "\"fd\":5,\"remote_addr\":\"127.0.0.1\",\"remote_port\":4444,"
				      "\"protocol\":\"tcp\",\"bytes\":100"));
	/* a path without its NUL, or longer than the record, is refused */
	r.path[7] = 'x';
	assert_int_equal(event_decode(&r, len, &ev), -EINVAL);
	r.path[7] = '\0';
	r.e.path_len = 60;
	assert_int_equal(event_decode(&r, len, &ev), -EINVAL);
	jbuf_release(&b);
}

static void decode_modified_old_digest(void **state)
{
	struct rec r;
	struct event ev;
	size_t len = rec_fill(&r, LT_EV_MODEL_MODIFIED, "/m/a.pt", &ID2);

	(void)state;
	for (int i = 0; i < 32; i++)
		r.e.old_sha256[i] = (uint8_t)(0xa0 + (i & 15));
	r.e.mflags = LT_MF_OLD_HASH | LT_MF_WRITER;
	assert_int_equal(event_decode(&r, len, &ev), 0);
	assert_string_equal(ev.model.old_sha256,
			    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafa0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
	r.e.mflags = 0;
	assert_int_equal(event_decode(&r, len, &ev), 0);
	assert_string_equal(ev.model.old_sha256, "");
}

/* ---- the monitor without a kernel -------------------------------------------- */

#define OUT_MAX 8
struct outs {
	size_t n;
	struct rec r[OUT_MAX];
	size_t len[OUT_MAX];
};

static void collect(void *ctx, const void *rec, size_t len)
{
	struct outs *o = ctx;

	assert_true(o->n < OUT_MAX && len <= sizeof(o->r[0]));
	memcpy(&o->r[o->n], rec, len);
	o->len[o->n++] = len;
}

static void id_of(const char *path, struct ev_file_id *id)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	id->ino = st.st_ino;
	id->dev = kdev_from_user(st.st_dev);
	id->size = st.st_size;
	id->mtime_ns = st.st_mtim.tv_sec * 1000000000ULL + st.st_mtim.tv_nsec;
	id->ctime_ns = st.st_ctim.tv_sec * 1000000000ULL + st.st_ctim.tv_nsec;
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void candidate_is_sniffed(void **state)
{
	char dir[] = "/tmp/ltrack-model-XXXXXX", pk[96], txt[96];
	static const uint8_t pickle[] = { 0x80, 0x04, 0x95, 0x05, 0, 0, 0, 0, 0, 0, 0, 0x4b,
					  0x01, 0x2e };
	struct outs o = { 0 };
	struct model *m = model_new(NULL, collect, &o);
	struct ev_file_id id;
	struct rec r;

	(void)state;
	assert_non_null(m);
	assert_non_null(mkdtemp(dir));
	snprintf(pk, sizeof(pk), "%s/weights.dat", dir);
	snprintf(txt, sizeof(txt), "%s/notes.dat", dir);
	write_file(pk, pickle, sizeof(pickle));
	write_file(txt, "just some text\n", 15);
	/* a pickle: a model_load, same identity, access as the kernel said */
	id_of(pk, &id);
	rec_fill(&r, LT_EV_MODEL_CAND, pk, &id);
	r.e.access = LT_MA_OPEN | LT_MA_CONTENT;
	assert_true(model_on_record(m, &r, r.e.hdr.size));
	/* text: nothing */
	id_of(txt, &id);
	rec_fill(&r, LT_EV_MODEL_CAND, txt, &id);
	assert_true(model_on_record(m, &r, r.e.hdr.size));
	/* another file now at the name: refused by its identity (the kernel saw another ctime) */
	id_of(pk, &id);
	id.ctime_ns += 1;
	rec_fill(&r, LT_EV_MODEL_CAND, pk, &id);
	assert_true(model_on_record(m, &r, r.e.hdr.size));
	model_tick(m, 1000);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.r[0].e.hdr.type, LT_EV_MODEL_LOAD);
	assert_int_equal(o.r[0].e.access, LT_MA_OPEN | LT_MA_CONTENT);
	assert_string_equal(o.r[0].path, pk);
	id_of(pk, &id);
	assert_int_equal(o.r[0].e.fid.ino, id.ino);
	/* other records are not the monitor's */
	rec_fill(&r, LT_EV_MODEL_LOAD, pk, &id);
	assert_false(model_on_record(m, &r, r.e.hdr.size));
	unlink(pk);
	unlink(txt);
	rmdir(dir);
	model_free(m);
}

/* a decoded model_load of @path digest @hex, as it goes out */
static void emit_load(struct model *m, const char *path, const struct ev_file_id *id,
		      const char *hex, uint32_t pid)
{
	static struct event ev;
	struct rec r;

	rec_fill(&r, LT_EV_MODEL_LOAD, path, id);
	r.e.hdr.tgid = pid;
	assert_int_equal(event_decode(&r, r.e.hdr.size, &ev), 0);
	model_on_load(m, &ev);
	ev.hash_state = HASH_OK;
	snprintf(ev.sha256, sizeof(ev.sha256), "%s", hex);
	model_on_emit(m, &ev);
}

static void writes_and_digests_make_model_modified(void **state)
{
	char dir[] = "/tmp/ltrack-model-XXXXXX", p[96];
	struct outs o = { 0 };
	struct model *m = model_new(NULL, collect, &o);
	struct lt_config c;
	struct ev_file_id id, id2;
	struct rec r;
	char *tr[] = { "cp" };
	size_t len;

	(void)state;
	assert_non_null(m);
	config_init(&c);
	c.have_policy = true;
	c.model_trainers = tr;
	c.nmodel_trainers = 1;
	assert_int_equal(model_apply(m, &c), 0);
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/m.pt", dir);
	write_file(p, "version one", 11);
	id_of(p, &id);
	emit_load(m, p, &id, H1, 100);
	model_tick(m, 1000);
	assert_int_equal(o.n, 0);
	/* a trainer's write: nothing, and the next digest is expected */
	len = rec_fill(&r, LT_EV_MODEL_WRITE, p, &id);
	memcpy(r.e.hdr.comm, "cp", 3);
	assert_true(model_on_record(m, &r, len));
	emit_load(m, p, &id, H2, 101);
	model_tick(m, 1200);
	assert_int_equal(o.n, 0);
	/* python (not a trainer, pid 4242 long gone or not ours) rewrites it */
	len = rec_fill(&r, LT_EV_MODEL_WRITE, p, &id);
	r.e.hdr.tgid = 0x7ffffff0;	/* no such process: the write is over */
	assert_true(model_on_record(m, &r, len));
	model_tick(m, 1400);
	assert_int_equal(o.n, 0);	/* the file has not changed yet */
	usleep(10000);
	write_file(p, "version two!", 12);
	id_of(p, &id2);
	model_tick(m, 1600);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.r[0].e.hdr.type, LT_EV_MODEL_MODIFIED);
	assert_int_equal(o.r[0].e.hdr.tgid, 0x7ffffff0);
	assert_int_equal(o.r[0].e.mflags, LT_MF_WRITER | LT_MF_OLD_HASH);
	assert_int_equal(o.r[0].e.old_sha256[0], 0x22);
	assert_int_equal(o.r[0].e.fid.size, 12);
	assert_int_equal(o.r[0].e.fid.ino, id2.ino);
	assert_string_equal(o.r[0].path, p);
	/* its own digest is expected; a later load with yet another digest is a change */
	emit_load(m, p, &id2, H3, 102);
	model_tick(m, 1800);
	assert_int_equal(o.n, 1);
	emit_load(m, p, &id2, H1, 103);
	model_tick(m, 2000);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.r[1].e.hdr.type, LT_EV_MODEL_MODIFIED);
	assert_int_equal(o.r[1].e.hdr.tgid, 103);
	assert_int_equal(o.r[1].e.mflags, LT_MF_OLD_HASH);
	assert_int_equal(o.r[1].e.old_sha256[31], 0x33);
	/* a splice's exfil gets the path from the table */
	len = rec_fill(&r, LT_EV_MODEL_EXFIL, NULL, &id2);
	r.e.method = LT_MX_SPLICE;
	assert_true(model_on_record(m, &r, len));
	model_tick(m, 2200);
	assert_int_equal(o.n, 3);
	assert_string_equal(o.r[2].path, p);
	assert_int_equal(o.r[2].e.method, LT_MX_SPLICE);
	/* one with a path passes through */
	len = rec_fill(&r, LT_EV_MODEL_EXFIL, p, &id2);
	assert_false(model_on_record(m, &r, len));
	c.model_trainers = NULL;
	c.nmodel_trainers = 0;
	unlink(p);
	rmdir(dir);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ext_keys_are_lower_case_without_dot),
		cmocka_unit_test(quick_reject_by_length_and_last_byte),
		cmocka_unit_test(loader_patterns_match_like_the_kernel),
		cmocka_unit_test(trainer_names_by_comm_or_basename),
		cmocka_unit_test(table_digests_new_same_changed_expected),
		cmocka_unit_test(table_many_long_shared_prefix_paths),
		cmocka_unit_test(decode_and_json_of_an_exfil),
		cmocka_unit_test(decode_modified_old_digest),
		cmocka_unit_test(candidate_is_sniffed),
		cmocka_unit_test(writes_and_digests_make_model_modified),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
