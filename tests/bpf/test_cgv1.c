// SPDX-License-Identifier: MIT
/*
 * test_cgv1.c - cg_v1_fill, run in the kernel by BPF_PROG_TEST_RUN (needs
 * root): the ids it reads for the calling task are the inodes of that
 * task's cgroup directories in the v1 hierarchies of cpu, memory, pids and
 * name=systemd, as /proc/self/cgroup and the mounts name them. On a host
 * without v1 hierarchies there is nothing to compare (the test says so).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <ltrack/event.h>

#include "cgv1_test.skel.h"

static struct cgv1_test_bpf *skel;

/* the option each LT_CG_V1_* hierarchy has in mountinfo and /proc/PID/cgroup */
static const char *const ctl_opt[LT_CG_V1_N] = { "cpu", "memory", "pids", "name=systemd" };

static int setup(void **state)
{
	(void)state;
	skel = cgv1_test_bpf__open_and_load();
	return skel ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	cgv1_test_bpf__destroy(skel);
	return 0;
}

/* does the comma list @l hold @name? */
static int list_has(const char *l, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = l; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, name, n) && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* the first v1 mount of @opt: its mount point and the cgroup mounted there; 0 if found */
static int v1_mount(const char *opt, char *mnt, char *root, size_t len)
{
	char line[4096], r[1024], m[1024], fs[64], src[256], opts[1024];
	FILE *f = fopen("/proc/self/mountinfo", "r");
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (rc && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %1023s %1023s", r, m) != 2 ||
		    sscanf(sep + 3, "%63s %255s %1023s", fs, src, opts) != 3)
			continue;
		if (!strcmp(fs, "cgroup") && list_has(opts, opt)) {
			snprintf(mnt, len, "%s", m);
			snprintf(root, len, "%s", r);
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

/* the calling process's cgroup in the hierarchy of @opt (/proc/self/cgroup); 0 if listed */
static int self_cgroup(const char *opt, char *path, size_t len)
{
	char line[4096];
	FILE *f = fopen("/proc/self/cgroup", "r");
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (rc && fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			continue;
		*c2 = '\0';
		c2[1 + strcspn(c2 + 1, "\n")] = '\0';
		if (list_has(c1 + 1, opt)) {
			snprintf(path, len, "%s", c2 + 1);
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

/* the directory of cgroup @path of the hierarchy mounted at @mnt (with @root mounted there) */
static void cg_dir(const char *mnt, const char *root, const char *path, char *out, size_t len)
{
	size_t rl = strcmp(root, "/") ? strlen(root) : 0;

	snprintf(out, len, "%s%s", mnt, strcmp(path + rl, "/") ? path + rl : "");
}

static void run_fill(void)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	memset(skel->bss->ids, 0xff, sizeof(skel->bss->ids));
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.test_cg_v1_fill),
						&opts), 0);
	assert_int_equal(opts.retval, 0);
}

static void test_ids_are_the_cgroup_directories(void **state)
{
	char mnt[1024], root[1024], path[1024], dir[2048];
	int checked = 0;

	(void)state;
	run_fill();
	for (int k = 0; k < LT_CG_V1_N; k++) {
		struct stat st;

		if (v1_mount(ctl_opt[k], mnt, root, sizeof(mnt)) ||
		    self_cgroup(ctl_opt[k], path, sizeof(path)))
			continue;	/* not a v1 hierarchy here */
		if (strncmp(path, root, strlen(root)))
			continue;	/* not below our view of the mount */
		cg_dir(mnt, root, path, dir, sizeof(dir));
		assert_int_equal(stat(dir, &st), 0);
		printf("  %-12s %-40s id %llu\n", ctl_opt[k], path,
		       (unsigned long long)skel->bss->ids[k]);
		assert_int_equal(skel->bss->ids[k], st.st_ino);
		checked++;
	}
	if (!checked)
		printf("  no cgroup v1 hierarchy mounted: nothing to compare\n");
}

/* write our pid into @dir's cgroup.procs: 0 or -errno */
static int move_to(const char *dir)
{
	char procs[2200];
	FILE *f;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	f = fopen(procs, "w");
	if (!f)
		return -errno;
	fprintf(f, "%d\n", (int)getpid());
	return fclose(f) ? -errno : 0;
}

/*
 * a task moved into a new cgroup below its own: the id follows it. Not in
 * memory: that is where a sandbox of the machine may account the tests.
 */
static void test_id_follows_a_move(void **state)
{
	static const int moved[] = { LT_CG_V1_CPU, LT_CG_V1_PIDS, LT_CG_V1_SYSTEMD };
	char mnt[1024], root[1024], path[1024], home[2048], dir[2100];
	int checked = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(moved) / sizeof(moved[0]); i++) {
		int k = moved[i], rc;
		struct stat st;

		if (v1_mount(ctl_opt[k], mnt, root, sizeof(mnt)) ||
		    self_cgroup(ctl_opt[k], path, sizeof(path)) || strncmp(path, root, strlen(root)))
			continue;
		cg_dir(mnt, root, path, home, sizeof(home));
		snprintf(dir, sizeof(dir), "%s/ltrack-bpft-%d", home, (int)getpid());
		assert_int_equal(mkdir(dir, 0755), 0);
		rc = move_to(dir);
		if (!rc)
			run_fill();
		/* back home before any assertion can end the test */
		assert_int_equal(move_to(home), 0);
		assert_int_equal(stat(dir, &st), 0);
		assert_int_equal(rmdir(dir), 0);
		assert_int_equal(rc, 0);
		printf("  %-12s %s id %llu\n", ctl_opt[k], dir, (unsigned long long)skel->bss->ids[k]);
		assert_int_equal(skel->bss->ids[k], st.st_ino);
		checked++;
	}
	if (!checked)
		printf("  no cgroup v1 cpu, pids or name=systemd hierarchy: skipped\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_are_the_cgroup_directories),
		cmocka_unit_test(test_id_follows_a_move),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
