// SPDX-License-Identifier: MIT
/*
 * test_ctx.c - context parsing (container.c), the filter parsers of
 * config.c (pid/uid ranges, event selection), and the process table's
 * argv and counters (proctree.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "container.h"
#include "proctree.h"

#define HEX "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9"
#define UID_ "1b2c3d4e_5f60_4718_8293_a4b5c6d7e8f9"

static bool parse(const char *path, struct ctr_info *ci)
{
	return ctr_parse_path(path, strlen(path), ci);
}

static void test_runtimes_by_name(void **state)
{
	static const struct {
		const char *path, *runtime;
	} cases[] = {
		{ "/system.slice/docker-" HEX ".scope", "docker" },
		{ "/docker/" HEX, "docker" },
		{ "/system.slice/cri-containerd-" HEX ".scope", "containerd" },
		{ "/machine.slice/crio-" HEX ".scope", "cri-o" },
		{ "/machine.slice/libpod-" HEX ".scope", "podman" },
		{ "/libpod_parent/libpod-" HEX, "podman" },
		{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" HEX
		  ".scope/container", "podman" },
	};
	struct ctr_info ci;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true(parse(cases[i].path, &ci));
		assert_string_equal(ci.id, HEX);
		assert_string_equal(ci.runtime, cases[i].runtime);
		assert_string_equal(ci.pod_uid, "");
	}
}

static void test_kubepods(void **state)
{
	struct ctr_info ci;

	(void)state;
	assert_true(parse("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
			  ".slice/cri-containerd-" HEX ".scope", &ci));
	assert_string_equal(ci.pod_uid, UID);
	assert_string_equal(ci.id, HEX);
	assert_string_equal(ci.runtime, "containerd");

	assert_true(parse("/kubepods.slice/kubepods-pod" UID_ ".slice", &ci));
	assert_string_equal(ci.pod_uid, UID);
	assert_string_equal(ci.id, "");

	/* cgroupfs driver: a bare id under the pod, runtime not named */
	assert_true(parse("/kubepods/burstable/pod" UID "/" HEX, &ci));
	assert_string_equal(ci.pod_uid, UID);
	assert_string_equal(ci.id, HEX);
	assert_string_equal(ci.runtime, "");
	assert_true(parse("/kubepods/pod" UID "/", &ci));
	assert_string_equal(ci.pod_uid, UID);
}

static void test_not_containers(void **state)
{
	static const char *const paths[] = {
		"/", "", "/user.slice/user-1000.slice/session-3.scope",
		"/process_api/857350679368a786c77fd28bceb6ef82",	/* 32 hex: not an id */
		"/x/" HEX,						/* bare id, no docker/pod */
		"/system.slice/docker-" HEX "0.scope",			/* 65 hex */
		"/system.slice/docker-" HEX,				/* no .scope */
		"/system.slice/docker-0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef.scope",
		"/machine.slice/libpod-conmon-" HEX ".scope",
		"/pod" UID "/" HEX,					/* pod outside kubepods */
		"/kubepods.slice/kubepods-burstable-pod" UID ".slice",	/* '-' in a slice */
		"/kubepods/burstable/pod" UID_,				/* '_' in cgroupfs */
		"/kubepods/burstable/pod1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f",
	};
	struct ctr_info ci;

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		assert_false(parse(paths[i], &ci));
		assert_string_equal(ci.id, "");
		assert_string_equal(ci.pod_uid, "");
	}
}

static void test_deepest_container_wins_and_nul_stops(void **state)
{
	struct ctr_info ci;
	char buf[256];

	(void)state;
	assert_true(parse("/docker/" HEX "/docker/fedcba9876543210fedcba9876543210fedcba9876543210"
			  "fedcba9876543210", &ci));
	assert_string_equal(ci.id, "fedcba9876543210fedcba9876543210fedcba9876543210"
			    "fedcba9876543210");
	/* bytes after an embedded NUL are not part of the path */
	snprintf(buf, sizeof(buf), "/a%c/docker/%s", 0, HEX);
	assert_false(ctr_parse_path(buf, 3 + 8 + 64 + 1, &ci));
}

static void test_proc_cgroup(void **state)
{
	static const char text[] =
		"12:pids:/user.slice\n"
		"4:memory:/process_api/8573\n"
		"3:cpu,cpuacct:/docker/" HEX "\n"
		"1:name=systemd:/system.slice/x.service\n"
		"9:cpuset:/ignored\n"
		"bad line\n"
		"7::\n"
		"0::/\n";
	struct cg_proc cp;

	(void)state;
	assert_int_equal(cg_proc_parse(text, sizeof(text) - 1, &cp), 5);
	assert_true(cp.has_v2);
	assert_string_equal(cp.v2, "/");
	assert_string_equal(cp.v1[CG_V1_CPU], "/docker/" HEX);
	assert_string_equal(cp.v1[CG_V1_MEMORY], "/process_api/8573");
	assert_string_equal(cp.v1[CG_V1_PIDS], "/user.slice");
	assert_string_equal(cp.v1[CG_V1_SYSTEMD], "/system.slice/x.service");
	assert_string_equal(cg_v1_name(CG_V1_SYSTEMD), "systemd");
	/* "cpuacct" alone is not "cpu"; no trailing newline is fine */
	assert_int_equal(cg_proc_parse("2:cpuacct:/a\n0::/k", 18, &cp), 1);
	assert_false(cp.has_v1[CG_V1_CPU]);
	assert_string_equal(cp.v2, "/k");
}

static void test_mountinfo(void **state)
{
	static const char text[] =
		"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
		"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
		"41 31 0:38 / /sys/fs/cgroup/uni\\040fied rw,relatime - cgroup2 cgroup2 rw\n";
	struct cg_mounts m;

	(void)state;
	assert_int_equal(cg_mounts_parse(text, sizeof(text) - 1, &m), 0);
	assert_true(m.has_v2);
	assert_true(m.has_v1);
	assert_string_equal(m.v2, "/sys/fs/cgroup/uni fied");
	assert_int_equal(cg_mounts_parse("1 2 3:4 / /x rw - ext4 /dev/x rw\n", 32, &m), -ENOENT);
	assert_false(m.has_v2);
}

static void test_ranges(void **state)
{
	struct lt_range r;
	char why[128];

	(void)state;
	assert_int_equal(lt_range_parse("100-200", 7, &r, why, sizeof(why)), 0);
	assert_int_equal(r.lo, 100);
	assert_int_equal(r.hi, 200);
	assert_int_equal(lt_range_parse("300", 3, &r, why, sizeof(why)), 0);
	assert_int_equal(r.lo, 300);
	assert_int_equal(r.hi, 300);
	assert_int_equal(lt_range_parse("0-4294967295", 12, &r, why, sizeof(why)), 0);
	assert_int_equal(r.hi, 4294967295u);
	assert_int_equal(lt_range_parse("4294967296", 10, &r, why, sizeof(why)), -EINVAL);
	assert_int_equal(lt_range_parse("5-3", 3, &r, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "LO is above HI");
	assert_int_equal(lt_range_parse("", 0, &r, why, sizeof(why)), -EINVAL);
	assert_int_equal(lt_range_parse("-5", 2, &r, why, sizeof(why)), -EINVAL);
	assert_int_equal(lt_range_parse("5-", 2, &r, why, sizeof(why)), -EINVAL);
	assert_int_equal(lt_range_parse("1-2-3", 5, &r, why, sizeof(why)), -EINVAL);
	assert_int_equal(lt_range_parse(" 1", 2, &r, why, sizeof(why)), -EINVAL);
	/* only @len bytes count */
	assert_int_equal(lt_range_parse("12,34", 2, &r, why, sizeof(why)), 0);
	assert_int_equal(r.lo, 12);
}

static void test_cli_lists(void **state)
{
	struct lt_config c;
	struct lt_config_err err;

	(void)state;
	config_init(&c);
	assert_int_equal(config_set_ranges(&c, false, "100-200,300", "--pid", &err), 0);
	assert_int_equal(c.npids, 2);
	assert_int_equal(c.pids[1].lo, 300);
	assert_int_equal(config_set_ranges(&c, true, "1,2,3,4,5,6,7,8", "--uid", &err), 0);
	assert_int_equal(c.nuids, 8);
	assert_int_equal(config_set_ranges(&c, true, "1,2,3,4,5,6,7,8,9", "--uid", &err),
			 -EINVAL);
	assert_string_equal(err.msg, "--uid '1,2,3,4,5,6,7,8,9': more than 8 ranges");
	assert_int_equal(c.nuids, 8);	/* unchanged on error */
	assert_int_equal(config_set_ranges(&c, false, "1,", "--pid", &err), -EINVAL);
	assert_int_equal(config_set_ranges(&c, false, "", "--pid", &err), 0);
	assert_int_equal(c.npids, 0);	/* empty: no filter */

	assert_true(config_event_selected(&c, LT_EV_OPEN));
	assert_int_equal(config_set_events(&c, "exec,openat,connect", "--events", &err), 0);
	assert_true(c.events_set);
	assert_true(config_event_selected(&c, LT_EV_EXEC));
	assert_true(config_event_selected(&c, LT_EV_OPEN));
	assert_true(config_event_selected(&c, LT_EV_CONNECT));
	assert_false(config_event_selected(&c, LT_EV_MKDIR));
	assert_int_equal(config_set_events(&c, "exec,mkdri", "--events", &err), -EINVAL);
	assert_string_equal(err.msg, "--events 'exec,mkdri': unknown event 'mkdri'; did you mean "
			    "'mkdir'?");
	assert_int_equal(config_set_events(&c, "stats", "--events", &err), -EINVAL);
	assert_int_equal(config_set_events(&c, "exec,,open", "--events", &err), -EINVAL);
	config_release(&c);
}

static void test_policy_filter(void **state)
{
	static const char pol[] = "[filter]\npids = [\"100-200\", 300]\nuids = [0, \"1000-2000\"]\n"
				  "events = [\"execve\", \"mkdir\"]\n[exec_monitor]\nancestors = 3\n";
	struct lt_config c;
	struct lt_config_err err;

	(void)state;
	config_init(&c);
	assert_int_equal(c.ancestors, 0);
	assert_int_equal(config_load_buf(&c, pol, sizeof(pol) - 1, "p.toml", &err), 0);
	assert_int_equal(c.npids, 2);
	assert_int_equal(c.pids[0].lo, 100);
	assert_int_equal(c.pids[0].hi, 200);
	assert_int_equal(c.pids[1].lo, 300);
	assert_int_equal(c.nuids, 2);
	assert_int_equal(c.uids[1].hi, 2000);
	assert_true(config_event_selected(&c, LT_EV_EXEC));
	assert_true(config_event_selected(&c, LT_EV_MKDIR));
	assert_false(config_event_selected(&c, LT_EV_OPEN));
	assert_int_equal(c.ancestors, 3);
	config_release(&c);
	assert_int_equal(c.npids, 0);
	assert_false(c.events_set);
}

static void test_proctree_args_and_counters(void **state)
{
	struct proctree *t = proctree_new(4);
	struct proctree_stats st;
	struct proc *p;
	const char *a;
	size_t n;
	char big[PROC_ARGS_MAX + 100];

	(void)state;
	p = proctree_put(t, 10, 1000, 1, 1, "/bin/sh");
	assert_int_equal(proctree_set_args(t, p, "sh\0-c\0x\0", 8), 0);
	p = proctree_exec(t, 10, 1000, 1, 1, "/bin/true", 5000);
	assert_int_equal(proctree_set_args(t, p, "true\0", 5), 0);
	a = proctree_args_at(p, 4000, &n);	/* before the exec: the old argv */
	assert_int_equal(n, 8);
	assert_memory_equal(a, "sh\0-c\0x\0", 8);
	a = proctree_args_at(p, 6000, &n);
	assert_int_equal(n, 5);
	assert_string_equal(a, "true");
	memset(big, 'a', sizeof(big));
	assert_int_equal(proctree_set_args(t, p, big, sizeof(big)), 0);
	assert_int_equal(p->args_len, PROC_ARGS_MAX);	/* bounded */

	/* exited entries go after their grace, and are counted */
	proctree_exit(t, 10, 1000, 100);
	proctree_expire(t, 150, 100);
	assert_non_null(proctree_get(t, 10, 1000));
	proctree_expire(t, 201, 100);
	assert_null(proctree_get(t, 10, 1000));
	proctree_get_stats(t, &st);
	assert_int_equal(st.expired, 1);
	/* PID reuse after the exit: a new process, its own argv */
	p = proctree_put(t, 10, 9000, 1, 1, "/bin/ls");
	assert_null(p->args);
	/* bound: 6 puts into 4 slots evict 2, counted */
	for (uint32_t i = 0; i < 5; i++)
		proctree_put(t, 20 + i, 1, 1, 1, "/x");
	proctree_get_stats(t, &st);
	assert_int_equal(st.entries, 4);
	assert_int_equal(st.evicted, 2);
	proctree_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runtimes_by_name),
		cmocka_unit_test(test_kubepods),
		cmocka_unit_test(test_not_containers),
		cmocka_unit_test(test_deepest_container_wins_and_nul_stops),
		cmocka_unit_test(test_proc_cgroup),
		cmocka_unit_test(test_mountinfo),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_cli_lists),
		cmocka_unit_test(test_policy_filter),
		cmocka_unit_test(test_proctree_args_and_counters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
