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

/* level: the component that named the container (else the pod), to compare paths */
static void test_container_level(void **state)
{
	struct ctr_info ci;

	(void)state;
	assert_true(parse("/docker/" HEX, &ci));
	assert_int_equal(ci.level, 2);
	assert_true(parse("//system.slice///docker-" HEX ".scope/", &ci));
	assert_int_equal(ci.level, 2);	/* empty components do not count */
	/* podman's inner "container" cgroup: named one level up */
	assert_true(parse("/machine.slice/libpod-" HEX ".scope/container", &ci));
	assert_int_equal(ci.level, 2);
	assert_true(parse("/docker/" HEX "/ltrack-t-1/libpod-" HEX ".scope", &ci));
	assert_string_equal(ci.runtime, "podman");
	assert_int_equal(ci.level, 4);
	/* a pod alone: the pod's component */
	assert_true(parse("/kubepods/burstable/pod" UID, &ci));
	assert_int_equal(ci.level, 3);
	assert_true(parse("/kubepods/burstable/pod" UID "/" HEX, &ci));
	assert_int_equal(ci.level, 4);
	assert_false(parse("/process_api/857350679368a786c77fd28bceb6ef82", &ci));
	assert_int_equal(ci.level, 0);
}

/*
 * which container, of a process's v2 and v1 paths: the deepest, whichever
 * hierarchy names it; a path naming none (a CI sandbox's memory cgroup)
 * never hides one
 */
static void test_pick_deepest_across_paths(void **state)
{
	struct ctr_info v2, cpu, mem, pids;
	const struct ctr_info *cand[4] = { &v2, &cpu, &mem, &pids };

	(void)state;
	/* this host: memory in the sandbox's own cgroup, the container in cpu only */
	parse("/", &v2);
	parse("/ltrack-t-1/libpod-" HEX ".scope", &cpu);
	parse("/process_api/857350679368a786c77fd28bceb6ef82", &mem);
	parse("/", &pids);
	assert_ptr_equal(ctr_pick(cand, 4), &cpu);
	/* a CI job in a docker sandbox (systemd driver) runs a podman container */
	parse("/system.slice/docker-" HEX ".scope", &v2);
	parse("/system.slice/docker-" HEX ".scope/ltrack-t-1/libpod-fedcba9876543210"
	      "fedcba9876543210fedcba9876543210fedcba9876543210.scope", &cpu);
	assert_ptr_equal(ctr_pick(cand, 4), &cpu);
	assert_string_equal(ctr_pick(cand, 4)->runtime, "podman");
	/* the same container in every hierarchy: a tie, the first (v2) */
	parse("/system.slice/docker-" HEX ".scope", &cpu);
	parse("/system.slice/docker-" HEX ".scope", &mem);
	assert_ptr_equal(ctr_pick(cand, 4), &v2);
	/* a pod in one path, its container in another: the container is deeper */
	parse("/kubepods/besteffort/pod" UID, &v2);
	parse("/kubepods/besteffort/pod" UID "/" HEX, &pids);
	assert_ptr_equal(ctr_pick(cand, 4), &pids);
	/* none, or no candidates at all */
	parse("/", &v2);
	parse("/", &cpu);
	parse("/", &mem);
	parse("/user.slice", &pids);
	assert_null(ctr_pick(cand, 4));
	cand[1] = NULL;
	assert_null(ctr_pick(cand, 2));
	assert_null(ctr_pick(cand, 0));
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
	static struct cg_mounts m;

	(void)state;
	assert_int_equal(cg_mounts_parse(text, sizeof(text) - 1, &m), 0);
	assert_true(m.has_v2);
	assert_true(m.has_v1);
	assert_string_equal(m.v2, "/sys/fs/cgroup/uni fied");
	assert_true(m.has_v1_ctl[CG_V1_CPU]);
	assert_string_equal(m.v1[CG_V1_CPU], "/sys/fs/cgroup/cpu");
	assert_string_equal(m.v1_root[CG_V1_CPU], "/");
	assert_false(m.has_v1_ctl[CG_V1_MEMORY]);
	assert_int_equal(cg_mounts_parse("1 2 3:4 / /x rw - ext4 /dev/x rw\n", 32, &m), -ENOENT);
	assert_false(m.has_v2);
	assert_false(m.has_v1_ctl[CG_V1_CPU]);
}

/* where each v1 hierarchy's ids resolve, and which cgroup is mounted there */
static void test_mountinfo_v1_hierarchies(void **state)
{
	static const char text[] =
		/* a container without a cgroup namespace: subtrees of the host's hierarchies */
		"40 31 0:33 /docker/" HEX " /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup "
		"rw,cpu,cpuacct\n"
		"41 31 0:34 / /sys/fs/cgroup/cpuacct rw - cgroup cgroup rw,cpuacct\n"
		"42 31 0:35 /a\\040b /sys/fs/cgroup/mem\\040ory rw - cgroup cgroup rw,memory\n"
		"43 31 0:36 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
		/* a second mount of a hierarchy (a bind mount): the first one stays */
		"44 31 0:35 / /mnt/memory rw - cgroup cgroup rw,memory\n"
		/* pids: no separator, a truncated line */
		"45 31 0:37 / /sys/fs/cgroup/pids rw cgroup cgroup rw,pids\n"
		"46 31 0:38 / /sys/fs/cgroup/pids2 rw - cgroup";
	/* no path holds a NUL, raw or escaped (\000): such a field is no mount (fuzzing) */
	static const char nul[] = "40 31 0:33 / /sys/fs/cg\0 rw - cgroup cgroup rw,cpu\n"
				  "41 31 0:34 / /x\\000y rw - cgroup cgroup rw,pids\n"
				  "42 31 0:35 /\0 /m rw - cgroup cgroup rw,memory\n";
	static struct cg_mounts m;

	(void)state;
	assert_int_equal(cg_mounts_parse(text, sizeof(text) - 1, &m), 0);
	assert_false(m.has_v2);
	assert_true(m.has_v1);
	assert_true(m.has_v1_ctl[CG_V1_CPU]);
	assert_string_equal(m.v1[CG_V1_CPU], "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(m.v1_root[CG_V1_CPU], "/docker/" HEX);
	assert_true(m.has_v1_ctl[CG_V1_MEMORY]);
	assert_string_equal(m.v1[CG_V1_MEMORY], "/sys/fs/cgroup/mem ory");
	assert_string_equal(m.v1_root[CG_V1_MEMORY], "/a b");
	assert_true(m.has_v1_ctl[CG_V1_SYSTEMD]);
	assert_string_equal(m.v1[CG_V1_SYSTEMD], "/sys/fs/cgroup/systemd");
	assert_false(m.has_v1_ctl[CG_V1_PIDS]);
	assert_string_equal(m.v1[CG_V1_PIDS], "");
	assert_int_equal(cg_mounts_parse(nul, sizeof(nul) - 1, &m), 0);
	assert_true(m.has_v1);
	assert_false(m.has_v1_ctl[CG_V1_CPU]);
	assert_false(m.has_v1_ctl[CG_V1_PIDS]);
	assert_false(m.has_v1_ctl[CG_V1_MEMORY]);
	assert_string_equal(m.v1_root[CG_V1_MEMORY], "");
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
		cmocka_unit_test(test_container_level),
		cmocka_unit_test(test_pick_deepest_across_paths),
		cmocka_unit_test(test_proc_cgroup),
		cmocka_unit_test(test_mountinfo),
		cmocka_unit_test(test_mountinfo_v1_hierarchies),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_cli_lists),
		cmocka_unit_test(test_policy_filter),
		cmocka_unit_test(test_proctree_args_and_counters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
