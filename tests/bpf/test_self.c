// SPDX-License-Identifier: MIT
/*
 * test_self.c - is_self, run in the kernel by BPF_PROG_TEST_RUN (needs
 * root). The test process plays the scan zygote and a child of it a
 * worker. Review finding 15: the zygote's pid alone excluded it, so a
 * process given that pid once the zygote was gone would have been
 * invisible, with its children. The exclusion holds only for the
 * (pid, start) the agent recorded: the same pid with another start (a
 * recycled pid) is reported, and so are its children.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "self_test.skel.h"

/* this process's start in clock ticks since boot (/proc/self/stat, field 22) */
static unsigned long long my_start(void)
{
	char buf[1024];
	unsigned long long v = 0;
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n;
	char *p;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	assert_non_null(p);
	/* ") S ppid ..." : skip fields 3..21 */
	assert_int_equal(sscanf(p + 2, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
				"%*s %*s %*s %*s %*s %llu", &v), 1);
	return v;
}

/* is_self as this process sees it, and as a child of it (a worker) sees it */
static void run(__u32 helper, unsigned long long start, int *me, int *child)
{
	struct self_test_bpf *sk = self_test_bpf__open();
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	pid_t pid;
	int st;

	assert_non_null(sk);
	sk->rodata->lt_helper_tgid = helper;
	sk->rodata->lt_helper_start = start;
	sk->rodata->lt_tick_ns = 1000000000ull / (unsigned long long)sysconf(_SC_CLK_TCK);
	assert_int_equal(self_test_bpf__load(sk), 0);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(sk->progs.test_is_self), &opts),
			 0);
	*me = sk->data->self;
	sk->data->self = -1;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		LIBBPF_OPTS(bpf_test_run_opts, o2);

		_exit(bpf_prog_test_run_opts(bpf_program__fd(sk->progs.test_is_self), &o2) ? 1 :
											      0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(st, 0);
	*child = sk->data->self;	/* the map is shared: the child's answer */
	self_test_bpf__destroy(sk);
}

static void test_zygote_known_by_pid_and_start(void **state)
{
	unsigned long long start = my_start();
	int me, child;

	(void)state;
	run((__u32)getpid(), start, &me, &child);
	assert_int_equal(me, 1);	/* the zygote */
	assert_int_equal(child, 1);	/* a worker */
	/* the same pid, another start: a process that reuses a dead zygote's pid */
	run((__u32)getpid(), start + 1, &me, &child);
	assert_int_equal(me, 0);
	assert_int_equal(child, 0);
	run((__u32)getpid(), start - 1, &me, &child);
	assert_int_equal(me, 0);
	assert_int_equal(child, 0);
	/* no zygote */
	run(0, start, &me, &child);
	assert_int_equal(me, 0);
	assert_int_equal(child, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zygote_known_by_pid_and_start),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
