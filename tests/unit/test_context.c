// SPDX-License-Identifier: MIT
/*
 * test_context.c - the context stage (src/context.c): a lexical path gets
 * its directory's real path only when the kernel flagged it inexact and
 * not truncated; the image of a process comes from the table, its parent's
 * (a fork that has not exec'd) or /proc; exec and fork keep argv for
 * ancestry, which goes out parent first, as deep as the policy asks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "context.h"
#include "events.h"
#include "proctree.h"

#define NO_PID 0x3ffffff0u	/* above pid_max: no /proc entry */

struct fix {
	struct lt_config cfg;
	struct proctree *procs;
	struct context *ctx;
	struct event *ev;
	char dir[64];
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->procs = proctree_new(64);
	assert_non_null(f->procs);
	f->cfg.ancestors = 2;
	f->ctx = context_new(f->procs, &f->cfg, 16);
	assert_non_null(f->ctx);
	f->ev = calloc(1, sizeof(*f->ev));
	assert_non_null(f->ev);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char cmd[128];

	if (f->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
		assert_int_equal(system(cmd), 0);
	}
	context_free(f->ctx);
	proctree_free(f->procs);
	free(f->ev);
	free(f);
	return 0;
}

static void canon_only_inexact_untruncated(void **state)
{
	struct fix *f = *state;
	struct event *ev = f->ev;
	char link[128], real[PATH_MAX], rp[PATH_MAX], want[PATH_MAX + 8], path[160];

	snprintf(f->dir, sizeof(f->dir), "/tmp/ltrack-ctx.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(real, sizeof(real), "%s/real", f->dir);
	assert_int_equal(mkdir(real, 0700), 0);
	snprintf(link, sizeof(link), "%s/link", f->dir);
	assert_int_equal(symlink("real", link), 0);
	assert_non_null(realpath(real, rp));	/* the directory's real path, "/f" added */
	snprintf(want, sizeof(want), "%s/f", rp);

	snprintf(path, sizeof(path), "%s/f", link);
	ev->type = LT_EV_CREATE;
	ev->pid = (uint32_t)getpid();	/* shares our root */
	ev->start_ns = 1;
	ev->filename = path;
	ev->filename_flags = LT_PF_INEXACT;
	context_canonicalise(f->ctx, ev);
	assert_string_equal(ev->canon, want);
	/* twice: the cached answer is the same */
	context_canonicalise(f->ctx, ev);
	assert_string_equal(ev->canon, want);

	ev->filename_flags = 0;		/* exact: nothing to add */
	context_canonicalise(f->ctx, ev);
	assert_string_equal(ev->canon, "");
	ev->filename_flags = LT_PF_INEXACT | LT_PF_TRUNC;	/* a cut path resolves to nothing */
	context_canonicalise(f->ctx, ev);
	assert_string_equal(ev->canon, "");
	ev->filename_flags = LT_PF_INEXACT;	/* a directory that does not exist */
	snprintf(path, sizeof(path), "%s/nodir/f", f->dir);
	context_canonicalise(f->ctx, ev);
	assert_string_equal(ev->canon, "");
	ev->filename = "f";		/* no directory in it */
	context_canonicalise(f->ctx, ev);
	assert_string_equal(ev->canon, "");

	/* rename: both names */
	snprintf(path, sizeof(path), "%s/f", link);
	ev->filename = path;
	ev->type = LT_EV_RENAME;
	ev->path2 = path;
	ev->path2_flags = LT_PF_INEXACT;
	context_canonicalise(f->ctx, ev);
	assert_string_equal(ev->canon, want);
	assert_string_equal(ev->canon2, want);
}

/* canonicalise @path (inexact) at event time @ts; the canonical form */
static const char *canon_at(struct fix *f, const char *path, uint64_t ts)
{
	struct event *ev = f->ev;

	ev->type = LT_EV_CREATE;
	ev->pid = (uint32_t)getpid();
	ev->start_ns = 1;
	ev->ts_boot_ns = ts;
	ev->filename = path;
	ev->filename_flags = LT_PF_INEXACT;
	context_canonicalise(f->ctx, ev);
	return ev->canon;
}

/*
 * The cache of directories ages in event time: a symlink swapped under a
 * cached directory is seen once its entry is a second old (of the events'
 * clock), and at once by an event older than the entry; alternating
 * directories of one length each get their own answer.
 */
static void canon_cache_ages_in_event_time(void **state)
{
	struct fix *f = *state;
	char da[128], db[128], a[PATH_MAX], b[PATH_MAX], link[128], p1[160], p2[160];
	char want[PATH_MAX + 8];
	const uint64_t t0 = 5000000000ULL;

	snprintf(f->dir, sizeof(f->dir), "/tmp/ltrack-ctx.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(da, sizeof(da), "%s/aa", f->dir);
	snprintf(db, sizeof(db), "%s/bb", f->dir);
	assert_int_equal(mkdir(da, 0700), 0);
	assert_int_equal(mkdir(db, 0700), 0);
	snprintf(link, sizeof(link), "%s/ln", f->dir);
	assert_int_equal(symlink("aa", link), 0);
	snprintf(p1, sizeof(p1), "%s/f", link);
	assert_non_null(realpath(da, a));
	assert_non_null(realpath(db, b));

	snprintf(want, sizeof(want), "%s/f", a);
	assert_string_equal(canon_at(f, p1, t0), want);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink("bb", link), 0);
	/* within the second: the cached target */
	assert_string_equal(canon_at(f, p1, t0 + 900000000ULL), want);
	/* an event from before the entry was made: asked again */
	snprintf(want, sizeof(want), "%s/f", b);
	assert_string_equal(canon_at(f, p1, t0 - 1), want);
	/* a second later than that: asked again, the same answer */
	assert_string_equal(canon_at(f, p1, t0 + 1000000000ULL), want);

	/* two directories of the same length, alternating: each its own */
	snprintf(p2, sizeof(p2), "%s/g", db);
	for (int i = 0; i < 3; i++) {
		assert_string_equal(canon_at(f, p1, t0 + 1000000001ULL + i), want);
		snprintf(want, sizeof(want), "%s/g", b);
		assert_string_equal(canon_at(f, p2, t0 + 1000000001ULL + i), want);
		snprintf(want, sizeof(want), "%s/f", b);
	}
}

static void exe_from_proc_table_and_parent(void **state)
{
	struct fix *f = *state;
	struct event *ev = f->ev;
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *exe;

	assert_true(n > 0);
	self[n] = '\0';
	/* unknown: /proc/PID/exe, and the table learns it */
	ev->pid = (uint32_t)getpid();
	ev->start_ns = 7;
	exe = context_exe(f->ctx, ev);
	assert_non_null(exe);
	assert_string_equal(exe, self);
	assert_non_null(proctree_get(f->procs, ev->pid, 7));

	/* gone and unknown, its parent too: nothing */
	ev->pid = NO_PID;
	ev->ppid = NO_PID - 1;
	ev->parent_start_ns = 3;
	assert_null(context_exe(f->ctx, ev));

	/* a child that has not exec'd runs its parent's image, with its argv */
	assert_non_null(proctree_exec(f->procs, NO_PID - 1, 3, 1, 1, "/usr/bin/parent", 10));
	ev->type = LT_EV_EXEC;
	ev->pid = NO_PID - 1;
	ev->start_ns = 3;
	ev->ppid = 1;
	ev->parent_start_ns = 1;
	ev->filename = "/usr/bin/parent";
	ev->args = "parent\0-v";
	ev->args_len = 10;
	context_on_exec(f->ctx, ev);
	memset(ev, 0, sizeof(*ev));
	ev->pid = NO_PID;
	ev->start_ns = 5;
	ev->ppid = NO_PID - 1;
	ev->parent_start_ns = 3;
	exe = context_exe(f->ctx, ev);
	assert_non_null(exe);
	assert_string_equal(exe, "/usr/bin/parent");
}

static void ancestors_parent_first_as_deep_as_asked(void **state)
{
	struct fix *f = *state;
	struct event *ev = f->ev;

	/* 100 execs /bin/a; it forks 101, which execs /bin/b; 101 forks 102 */
	ev->type = LT_EV_EXEC;
	ev->pid = 100;
	ev->start_ns = 1;
	ev->filename = "/bin/a";
	ev->args = "a\0-x";
	ev->args_len = 5;
	ev->ts_boot_ns = 10;
	context_on_exec(f->ctx, ev);
	memset(ev, 0, sizeof(*ev));
	ev->type = LT_EV_FORK;
	ev->pid = 100;
	ev->start_ns = 1;
	ev->child_pid = 101;
	ev->child_start_ns = 2;
	ev->ts_boot_ns = 20;
	context_on_fork(f->ctx, ev);
	{
		struct proc *c = proctree_get(f->procs, 101, 2);

		assert_non_null(c);	/* the fork: the parent's image and argv */
		assert_string_equal(c->exe, "/bin/a");
		assert_int_equal(c->args_len, 5);
		assert_memory_equal(c->args, "a\0-x", 5);
	}
	memset(ev, 0, sizeof(*ev));
	ev->type = LT_EV_EXEC;
	ev->pid = 101;
	ev->start_ns = 2;
	ev->ppid = 100;
	ev->parent_start_ns = 1;
	ev->filename = "/bin/b";
	ev->args = "b";
	ev->args_len = 2;
	ev->ts_boot_ns = 30;
	context_on_exec(f->ctx, ev);

	memset(ev, 0, sizeof(*ev));
	ev->type = LT_EV_OPEN;
	ev->pid = 102;
	ev->start_ns = 3;
	ev->ppid = 101;
	ev->parent_start_ns = 2;
	ev->ts_boot_ns = 40;
	ev->has_ctx = true;
	ev->cgroup_id = 1;
	context_fill(f->ctx, ev);
	assert_int_equal(ev->nancestors, 2);
	assert_int_equal(ev->ancestors[0].pid, 101);
	assert_string_equal(ev->ancestors[0].exe, "/bin/b");
	assert_int_equal(ev->ancestors[0].args_len, 2);
	assert_int_equal(ev->ancestors[1].pid, 100);
	assert_string_equal(ev->ancestors[1].exe, "/bin/a");
	assert_memory_equal(ev->ancestors[1].args, "a\0-x", 5);

	/* before 101's exec (ts 25): it ran /bin/a */
	memset(ev->ancestors, 0, sizeof(ev->ancestors));
	ev->ts_boot_ns = 25;
	context_fill(f->ctx, ev);
	assert_string_equal(ev->ancestors[0].exe, "/bin/a");

	/* one level when the policy says 1 (a reload changes it in place); none without context */
	f->cfg.ancestors = 1;
	ev->nancestors = 0;
	ev->ts_boot_ns = 40;
	context_fill(f->ctx, ev);
	assert_int_equal(ev->nancestors, 1);
	ev->nancestors = 0;
	ev->has_ctx = false;
	context_fill(f->ctx, ev);
	assert_int_equal(ev->nancestors, 0);

	/* an unknown parent: its pid and key only */
	ev->has_ctx = true;
	ev->ppid = 555;
	ev->parent_start_ns = 9;
	context_fill(f->ctx, ev);
	assert_int_equal(ev->nancestors, 1);
	assert_int_equal(ev->ancestors[0].pid, 555);
	assert_int_equal(ev->ancestors[0].start_ns, 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(canon_only_inexact_untruncated, setup, teardown),
		cmocka_unit_test_setup_teardown(canon_cache_ages_in_event_time, setup, teardown),
		cmocka_unit_test_setup_teardown(exe_from_proc_table_and_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(ancestors_parent_first_as_deep_as_asked, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
