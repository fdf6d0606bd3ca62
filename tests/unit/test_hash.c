// SPDX-License-Identifier: MIT
/*
 * test_hash.c - the digest cache (every identity field is part of the key,
 * LRU eviction, size reporting), SHA-256 of known vectors, the identity
 * check against a real file, the rule for a descriptor of an executed file
 * (hash_fd_rule) and a job that reads one, and the worker pool end to end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"

static const char D_ABC[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char D_EMPTY[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/* FIPS 180-2 vector: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq" */
static const char D_448[] = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
static const char D_MILLION_A[] =
	"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

static struct ev_file_id id_of(uint64_t n)
{
	struct ev_file_id id = { .ino = n, .size = 1000 + n, .mtime_ns = 2000 + n,
				 .ctime_ns = 3000 + n, .dev = (8u << 20) | 1 };
	return id;
}

static void hex_of(uint64_t n, char hex[65])
{
	snprintf(hex, 65, "%064llx", (unsigned long long)n);
}

static void test_cache_hit_and_stats(void **state)
{
	struct hash_cache *c = hash_cache_new(4);
	struct hash_cache_stats st;
	struct ev_file_id id = id_of(1);
	char want[65], got[65];

	(void)state;
	hex_of(0xabc, want);
	assert_false(hash_cache_get(c, &id, got));
	assert_int_equal(hash_cache_put(c, &id, want), 0);
	assert_true(hash_cache_get(c, &id, got));
	assert_string_equal(got, want);
	hash_cache_get_stats(c, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.max, 4);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.evictions, 0);
	/* the same id again replaces, it does not grow */
	hex_of(0xdef, want);
	hash_cache_put(c, &id, want);
	assert_true(hash_cache_get(c, &id, got));
	assert_string_equal(got, want);
	hash_cache_get_stats(c, &st);
	assert_int_equal(st.entries, 1);
	hash_cache_free(c);
}

/* a file changed in any one field of its identity must miss */
static void test_cache_key_each_field(void **state)
{
	struct hash_cache *c = hash_cache_new(8);
	struct ev_file_id base = id_of(7), v;
	char hex[65], got[65];

	(void)state;
	hex_of(7, hex);
	hash_cache_put(c, &base, hex);
	for (int f = 0; f < 5; f++) {
		v = base;
		switch (f) {
		case 0:
			v.dev++;
			break;
		case 1:
			v.ino++;
			break;
		case 2:
			v.size++;
			break;
		case 3:
			v.mtime_ns++;
			break;
		case 4:
			v.ctime_ns++;	/* a rewrite in place: only ctime may tell */
			break;
		}
		assert_false(hash_cache_get(c, &v, got));
	}
	assert_true(hash_cache_get(c, &base, got));
	assert_string_equal(got, hex);
	hash_cache_free(c);
}

static void test_cache_lru_eviction(void **state)
{
	struct hash_cache *c = hash_cache_new(3);
	struct hash_cache_stats st;
	struct ev_file_id ids[5];
	char hex[65], got[65];

	(void)state;
	for (int i = 0; i < 5; i++)
		ids[i] = id_of((uint64_t)i);
	for (int i = 0; i < 3; i++) {
		hex_of((uint64_t)i, hex);
		hash_cache_put(c, &ids[i], hex);
	}
	/* use 0: 1 is now the least recently used */
	assert_true(hash_cache_get(c, &ids[0], got));
	hex_of(3, hex);
	hash_cache_put(c, &ids[3], hex);
	assert_false(hash_cache_get(c, &ids[1], got));
	assert_true(hash_cache_get(c, &ids[0], got));
	assert_true(hash_cache_get(c, &ids[2], got));
	assert_true(hash_cache_get(c, &ids[3], got));
	hex_of(3, hex);
	assert_string_equal(got, hex);
	/* order now 3, 2, 0 (most recent first): 0 goes next */
	hex_of(4, hex);
	hash_cache_put(c, &ids[4], hex);
	assert_false(hash_cache_get(c, &ids[0], got));
	hash_cache_get_stats(c, &st);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.max, 3);
	assert_int_equal(st.evictions, 2);
	hash_cache_free(c);
	assert_null(hash_cache_new(0));
}

/* a temp file with @len bytes of @data repeated; returns an fd at offset 0 */
static int temp_file(char *path, size_t plen, const void *data, size_t len, size_t times)
{
	int fd;

	snprintf(path, plen, "/tmp/test_hash.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	for (size_t i = 0; i < times; i++)
		assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static void test_digest_known_vectors(void **state)
{
	static const char m448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char path[64], hex[65], a1000[1000];
	int fd;

	(void)state;
	fd = temp_file(path, sizeof(path), "abc", 3, 1);
	assert_int_equal(hash_fd_sha256(fd, hex, NULL), 3);
	assert_string_equal(hex, D_ABC);
	close(fd);
	unlink(path);

	fd = temp_file(path, sizeof(path), "", 0, 0);
	assert_int_equal(hash_fd_sha256(fd, hex, NULL), 0);
	assert_string_equal(hex, D_EMPTY);
	close(fd);
	unlink(path);

	fd = temp_file(path, sizeof(path), m448, strlen(m448), 1);
	assert_int_equal(hash_fd_sha256(fd, hex, NULL), 56);
	assert_string_equal(hex, D_448);
	close(fd);
	unlink(path);

	/* one million 'a': more than one read chunk */
	memset(a1000, 'a', sizeof(a1000));
	fd = temp_file(path, sizeof(path), a1000, sizeof(a1000), 1000);
	assert_int_equal(hash_fd_sha256(fd, hex, NULL), 1000000);
	assert_string_equal(hex, D_MILLION_A);
	close(fd);
	unlink(path);

	assert_string_equal(hash_state_name(HASH_OK), "ok");
	assert_string_equal(hash_state_name(HASH_PENDING), "pending");
	assert_string_equal(hash_state_name(HASH_UNAVAILABLE), "unavailable");
	assert_string_equal(hash_state_name(HASH_SKIPPED), "skipped");
	assert_null(hash_state_name(HASH_NONE));
}

/*
 * A generated file of 5 MiB + 4097 bytes (21 read chunks, the last partial):
 * byte i is the top byte of the (i+1)-th state of the LCG x = x * 1103515245
 * + 12345 mod 2^32 from x = 1. Digests from coreutils sha256sum, of the
 * whole file and of what follows its first 1000000 bytes.
 */
#define GEN_SIZE (5u * 1024 * 1024 + 4097)
static const char D_GEN[] = "46b385e791e2cbc0c42f79f40028cc46a8974d870da250c66860180c975a48be";
static const char D_GEN_TAIL[] = "377bdd2523f8bfec3cf0a0f7c08c22e8e08f5b2218631a5ec9c73ec748240fcb";

static void test_digest_generated_file(void **state)
{
	unsigned char *data = malloc(GEN_SIZE);
	uint32_t x = 1;
	char path[64], hex[65];
	int fd;

	(void)state;
	assert_non_null(data);
	for (size_t i = 0; i < GEN_SIZE; i++) {
		x = x * 1103515245u + 12345u;
		data[i] = x >> 24;
	}
	fd = temp_file(path, sizeof(path), data, GEN_SIZE, 1);
	assert_int_equal(hash_fd_sha256(fd, hex, NULL), GEN_SIZE);
	assert_string_equal(hex, D_GEN);
	/* what remains to be read: from the descriptor's offset on */
	assert_int_equal(lseek(fd, 1000000, SEEK_SET), 1000000);
	assert_int_equal(hash_fd_sha256(fd, hex, NULL), GEN_SIZE - 1000000);
	assert_string_equal(hex, D_GEN_TAIL);
	close(fd);
	unlink(path);
	free(data);
}

/* the identity a kernel would have captured for @path */
static struct ev_file_id kernel_id(const char *path)
{
	struct statx sx;
	struct ev_file_id id;

	assert_int_equal(statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &sx), 0);
	id.ino = sx.stx_ino;
	id.size = sx.stx_size;
	id.mtime_ns = (uint64_t)sx.stx_mtime.tv_sec * 1000000000ULL + sx.stx_mtime.tv_nsec;
	id.ctime_ns = (uint64_t)sx.stx_ctime.tv_sec * 1000000000ULL + sx.stx_ctime.tv_nsec;
	id.dev = kdev_from_user(makedev(sx.stx_dev_major, sx.stx_dev_minor));
	return id;
}

static void test_check_file_identity(void **state)
{
	struct hash_job *j = calloc(1, sizeof(*j));
	struct hash_result r;
	char path[64];
	int fd;

	(void)state;
	fd = temp_file(path, sizeof(path), "abc", 3, 1);
	close(fd);
	j->id = kernel_id(path);
	j->pid = 0;	/* no process: by name only */
	snprintf(j->path, sizeof(j->path), "%s", path);
	j->cookie = 42;
	hash_check_file(j, 1 << 20, &r, NULL);
	assert_int_equal(r.state, HASH_OK);
	assert_int_equal(r.cookie, 42);
	assert_string_equal(r.hex, D_ABC);

	/* each field of the identity differing: unavailable, "changed", no digest */
	for (int f = 0; f < 5; f++) {
		struct ev_file_id keep = j->id;

		switch (f) {
		case 0:
			j->id.dev ^= 1;
			break;
		case 1:
			j->id.ino++;
			break;
		case 2:
			j->id.size = 4;
			break;
		case 3:
			j->id.mtime_ns--;
			break;
		case 4:
			j->id.ctime_ns++;
			break;
		}
		hash_check_file(j, 1 << 20, &r, NULL);
		assert_int_equal(r.state, HASH_UNAVAILABLE);
		assert_string_equal(r.why, "changed");
		assert_string_equal(r.hex, "");
		j->id = keep;
	}
	/* over the size limit: skipped without reading */
	hash_check_file(j, 2, &r, NULL);
	assert_int_equal(r.state, HASH_SKIPPED);
	assert_string_equal(r.why, "too_large");
	/* gone */
	unlink(path);
	hash_check_file(j, 1 << 20, &r, NULL);
	assert_int_equal(r.state, HASH_UNAVAILABLE);
	assert_string_equal(r.why, "gone");
	/* the process image through /proc/PID/exe: our own */
	j->pid = (uint32_t)getpid();
	j->path[0] = '\0';
	{
		char self[4096];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		assert_true(n > 0);
		self[n] = '\0';
		j->id = kernel_id(self);
	}
	hash_check_file(j, 1ULL << 30, &r, NULL);
	assert_int_equal(r.state, HASH_OK);
	assert_int_equal(strlen(r.hex), 64);
	/* a mapping that does not exist, and no name: gone */
	j->vm_start = 0x1000;
	j->vm_end = 0x2000;
	hash_check_file(j, 1ULL << 30, &r, NULL);
	assert_int_equal(r.state, HASH_UNAVAILABLE);
	free(j);
}

/*
 * hash_fd_rule: a descriptor's bytes stand for the exec only when the file
 * is the very one, whole, with its content time; when ctime alone moved
 * (unlink, rename over it: or a write with mtime put back) only a witness
 * can vouch, and only where the filesystem enforces ETXTBSY
 */
static void test_fd_rule(void **state)
{
	struct ev_file_id k = id_of(5), seen = k, after = k;

	(void)state;
	/* nothing moved */
	assert_int_equal(hash_fd_rule(&k, &seen, &after, k.size, true), HASH_FD_SAME);
	assert_int_equal(hash_fd_rule(&k, &seen, &after, k.size, false), HASH_FD_SAME);
	/* a short read is never the file */
	assert_int_equal(hash_fd_rule(&k, &seen, &after, k.size - 1, true), HASH_FD_CHANGED);
	/* unlinked or renamed over after the descriptor was seen: ctime after the read */
	after.ctime_ns += 1000;
	assert_int_equal(hash_fd_rule(&k, &seen, &after, k.size, true), HASH_FD_WITNESS);
	/* ... where no one vouches for ETXTBSY (NFS, FUSE, overlayfs): no digest */
	assert_int_equal(hash_fd_rule(&k, &seen, &after, k.size, false), HASH_FD_CHANGED);
	/* before it was seen: both ctimes later than the kernel's */
	seen.ctime_ns += 1000;
	assert_int_equal(hash_fd_rule(&k, &seen, &after, k.size, true), HASH_FD_WITNESS);
	/* seen while the exec still ran, renamed over before the kernel's look */
	seen = k;
	seen.ctime_ns -= 1000;
	after = k;
	assert_int_equal(hash_fd_rule(&k, &seen, &after, k.size, true), HASH_FD_WITNESS);
	/* new content keeping the size: mtime differs, whatever the witness */
	for (int f = 0; f < 4; f++) {
		struct ev_file_id *v = f < 2 ? &seen : &after;

		seen = after = k;
		switch (f % 2) {
		case 0:
			v->mtime_ns++;
			break;
		case 1:
			v->size++;
			break;
		}
		assert_int_equal(hash_fd_rule(&k, &seen, &after, k.size, true), HASH_FD_CHANGED);
	}
	/* another file (a rename brought another inode, or another device) */
	seen = after = k;
	after.ino++;
	assert_int_equal(hash_fd_rule(&k, &seen, &after, k.size, true), HASH_FD_CHANGED);
	after = k;
	seen.dev++;
	assert_int_equal(hash_fd_rule(&k, &seen, &after, k.size, true), HASH_FD_CHANGED);

	/* filesystems that keep a running image from changing, and some that do not */
	assert_true(hash_fs_denies_write(0xEF53));	/* ext4 */
	assert_true(hash_fs_denies_write(0x01021994));	/* tmpfs */
	assert_true(hash_fs_denies_write(0x58465342));	/* xfs */
	assert_false(hash_fs_denies_write(0x6969));	/* nfs */
	assert_false(hash_fs_denies_write(0x65735546));	/* fuse */
	assert_false(hash_fs_denies_write(0x794c7630));	/* overlayfs */
	assert_false(hash_fs_denies_write(0));
}

/* a job with a descriptor: read from its start, judged by hash_fd_rule, closed */
static void test_check_fd(void **state)
{
	struct hash_job *j = calloc(1, sizeof(*j));
	struct hash_result r;
	struct statfs sf;
	char path[64];
	bool denies;
	int fd;

	(void)state;
	fd = temp_file(path, sizeof(path), "abc", 3, 1);
	assert_int_equal(fstatfs(fd, &sf), 0);
	denies = hash_fs_denies_write((uint64_t)sf.f_type);
	j->id = kernel_id(path);
	j->has_fd = true;
	j->fd = fd;
	j->seen = j->id;
	assert_int_equal(lseek(fd, 2, SEEK_SET), 2);	/* from its start, whatever its offset */
	hash_check_file(j, 1 << 20, &r, NULL);
	assert_int_equal(r.state, HASH_OK);
	assert_false(r.witness);
	assert_string_equal(r.hex, D_ABC);
	assert_int_equal(fcntl(fd, F_GETFD), -1);	/* the job's descriptor is closed */

	/* unlinked after it was seen: ctime moved, a witness must vouch */
	j->fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(j->fd >= 0);
	j->seen = kernel_id(path);
	j->id = j->seen;
	j->looked = true;
	assert_int_equal(unlink(path), 0);
	assert_int_equal(hash_fd_id(j->fd, &j->look_id), 0);	/* a look after the unlink */
	hash_check_file(j, 1 << 20, &r, NULL);
	if (denies && j->look_id.ctime_ns != j->id.ctime_ns) {
		assert_int_equal(r.state, HASH_OK);
		assert_true(r.witness);
		assert_true(r.early);	/* nothing moved since the look */
		assert_string_equal(r.hex, D_ABC);
	} else if (!denies) {
		assert_int_equal(r.state, HASH_UNAVAILABLE);
	}

	/* rewritten in place with the same size and mtime put back: never "ok" without a witness */
	fd = temp_file(path, sizeof(path), "abc", 3, 1);
	j->id = kernel_id(path);
	j->seen = j->id;
	j->fd = fd;
	j->looked = false;
	{
		struct timespec ts[2] = { { 0, UTIME_OMIT },
					  { (time_t)(j->id.mtime_ns / 1000000000ULL),
					    (long)(j->id.mtime_ns % 1000000000ULL) } };

		assert_int_equal(pwrite(fd, "xyz", 3, 0), 3);
		assert_int_equal(futimens(fd, ts), 0);
	}
	hash_check_file(j, 1 << 20, &r, NULL);
	if (r.state == HASH_OK) {	/* ctime moved: only a witness could let it stand */
		assert_true(r.witness);
		assert_false(r.early);
	}
	assert_true(r.state == HASH_OK || r.state == HASH_UNAVAILABLE);
	unlink(path);

	/* too large: skipped, and the descriptor closed all the same */
	fd = temp_file(path, sizeof(path), "abc", 3, 1);
	j->id = kernel_id(path);
	j->fd = fd;
	hash_check_file(j, 2, &r, NULL);
	assert_int_equal(r.state, HASH_SKIPPED);
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	unlink(path);
	free(j);
}

static void test_pool_end_to_end(void **state)
{
	struct hash_pool *p = hash_pool_new(2, 4, 1 << 20, 10);
	struct hash_job *j = calloc(1, sizeof(*j));
	struct hash_result rs[8];
	struct hash_pool_stats st;
	struct pollfd pfd;
	char path[64];
	size_t got = 0;
	int fd;

	(void)state;
	assert_non_null(p);
	fd = temp_file(path, sizeof(path), "abc", 3, 1);
	close(fd);
	j->id = kernel_id(path);
	snprintf(j->path, sizeof(j->path), "%s", path);
	for (int i = 0; i < 3; i++) {
		j->cookie = 100 + (uint64_t)i;
		assert_int_equal(hash_pool_submit(p, j), 0);
	}
	pfd.fd = hash_pool_fd(p);
	pfd.events = POLLIN;
	while (got < 3) {
		assert_int_equal(poll(&pfd, 1, 5000), 1);
		got += hash_pool_take(p, rs + got, 8 - got);
	}
	for (size_t i = 0; i < got; i++) {
		assert_int_equal(rs[i].state, HASH_OK);
		assert_string_equal(rs[i].hex, D_ABC);
		assert_true(rs[i].cookie >= 100 && rs[i].cookie <= 102);
	}
	hash_pool_get_stats(p, &st);
	assert_int_equal(st.submitted, 3);
	assert_int_equal(st.rejected, 0);
	assert_int_equal(st.queue_max, 4);
	assert_int_equal(st.workers, 2);
	assert_int_equal(hash_pool_take(p, rs, 8), 0);
	unlink(path);
	hash_pool_free(p);
	hash_pool_free(NULL);
	free(j);
}

/* field @n (1-based, proc(5) numbering) of /proc/self/task/@tid/stat */
static long task_stat_field(long tid, int n)
{
	char path[64], buf[1024], *p;
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')'))) {
		p += 2;	/* field 3 */
		for (int i = 3; i < n && p; i++) {
			p = strchr(p, ' ');
			if (p)
				p++;
		}
		if (p)
			v = strtol(p, NULL, 10);
	}
	fclose(f);
	return v;
}

/* threads of this process with nice @nice and policy SCHED_BATCH (3) */
static int batch_threads(long nice)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		long tid = strtol(de->d_name, NULL, 10);

		if (tid > 0 && task_stat_field(tid, 19) == nice && task_stat_field(tid, 41) == 3)
			n++;
	}
	closedir(d);
	return n;
}

/* each worker lowers itself: SCHED_BATCH at the pool's nice value; the main thread stays */
static void test_pool_worker_priority(void **state)
{
	struct hash_pool_stats st;
	struct hash_pool *p;
	int n = 0;

	(void)state;
	errno = 0;
	assert_null(hash_pool_new(1, 4, 1 << 20, 20));
	assert_int_equal(errno, EINVAL);
	assert_null(hash_pool_new(1, 4, 1 << 20, -1));
	assert_int_equal(errno, EINVAL);

	assert_int_equal(batch_threads(13), 0);
	p = hash_pool_new(3, 4, 1 << 20, 13);
	assert_non_null(p);
	/* the workers set it as they start: wait for them (at most 5 s) */
	for (int i = 0; i < 500 && (n = batch_threads(13)) < 3; i++)
		usleep(10000);
	assert_int_equal(n, 3);
	assert_int_equal(task_stat_field(syscall(SYS_gettid), 19), 0);
	hash_pool_get_stats(p, &st);
	assert_int_equal(st.prio_failed, 0);
	hash_pool_free(p);
	assert_int_equal(batch_threads(13), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_hit_and_stats),
		cmocka_unit_test(test_cache_key_each_field),
		cmocka_unit_test(test_cache_lru_eviction),
		cmocka_unit_test(test_digest_known_vectors),
		cmocka_unit_test(test_digest_generated_file),
		cmocka_unit_test(test_pool_worker_priority),
		cmocka_unit_test(test_check_file_identity),
		cmocka_unit_test(test_fd_rule),
		cmocka_unit_test(test_check_fd),
		cmocka_unit_test(test_pool_end_to_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
