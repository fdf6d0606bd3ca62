// SPDX-License-Identifier: MIT
/*
 * scan_bench - time the model scanner in-process: no process start-up, a
 * warm page cache and a warm buffer.
 *
 *   scan_bench [-n ITER] [-t MIN_OPS_PER_S] [-m MAX_MS] FILE
 *
 * Maps FILE read-only (as the agent does), scans it once to warm up, then ITER times
 * (default 20) with scan_buf() and prints one JSON line: the verdict, the
 * opcodes per scan, the minimum and median wall and CPU (thread) time,
 * opcodes per second at the CPU median, and the peak RSS. With -t and/or
 * -m it exits 1 when the CPU median misses the target (bench/scan-bench.sh
 * uses it for the check). CPU time, because on a shared machine the wall
 * time also counts waiting for a CPU; both are printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "scan/scan.h"

static double now_s(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* map_all - FILE mapped read-only, as scan_fd does (only what a parser touches is read) */
static uint8_t *map_all(const char *path, size_t *len)
{
	struct stat st;
	void *m = MAP_FAILED;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0)
		goto out;
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m != MAP_FAILED)
		*len = (size_t)st.st_size;
out:
	if (fd >= 0)
		close(fd);
	return m == MAP_FAILED ? NULL : m;
}

int main(int argc, char **argv)
{
	static struct scan_report r;
	struct scan_limits lim;
	struct rusage ru;
	double min_ops = 0, max_ms = 0, *t, *cpu;
	int iter = 20, opt, rc = 0;
	uint8_t *buf;
	size_t len = 0;

	while ((opt = getopt(argc, argv, "n:t:m:")) != -1) {
		switch (opt) {
		case 'n':
			iter = atoi(optarg);
			break;
		case 't':
			min_ops = atof(optarg);
			break;
		case 'm':
			max_ms = atof(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1 || iter < 1)
		goto usage;
	buf = map_all(argv[optind], &len);
	t = calloc((size_t)iter, sizeof(*t));
	cpu = calloc((size_t)iter, sizeof(*cpu));
	if (!buf || !t || !cpu) {
		fprintf(stderr, "scan_bench: %s: %s\n", argv[optind], strerror(errno ? errno : ENOMEM));
		return 2;
	}
	scan_limits_default(&lim);
	scan_report_init(&r);
	scan_buf(buf, len, argv[optind], &lim, &r);	/* warm-up */
	for (int i = 0; i < iter; i++) {
		double t0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_THREAD_CPUTIME_ID);

		scan_report_init(&r);
		scan_buf(buf, len, argv[optind], &lim, &r);
		cpu[i] = now_s(CLOCK_THREAD_CPUTIME_ID) - c0;
		t[i] = now_s(CLOCK_MONOTONIC) - t0;
	}
	qsort(t, (size_t)iter, sizeof(*t), cmp_d);
	qsort(cpu, (size_t)iter, sizeof(*cpu), cmp_d);
	/* the check uses CPU time: on a shared machine wall time includes waiting for a CPU */
	double med = cpu[iter / 2];
	double ops = med > 0 ? (double)r.opcodes / med : 0;

	getrusage(RUSAGE_SELF, &ru);
	printf("{\"file\":\"%s\",\"size\":%zu,\"verdict\":\"%s\",\"format\":\"%s\",\"opcodes\":%llu,"
	       "\"iterations\":%d,\"wall_min_ms\":%.3f,\"wall_median_ms\":%.3f,"
	       "\"cpu_min_ms\":%.3f,\"cpu_median_ms\":%.3f,\"mops_per_s_cpu_median\":%.1f,"
	       "\"peak_rss_kb\":%ld}\n",
	       argv[optind], len, scan_verdict_name(r.verdict), model_format_name(r.format),
	       (unsigned long long)r.opcodes, iter, t[0] * 1e3, t[iter / 2] * 1e3, cpu[0] * 1e3,
	       med * 1e3, ops / 1e6, ru.ru_maxrss);
	if ((min_ops > 0 && ops < min_ops) || (max_ms > 0 && med * 1e3 > max_ms))
		rc = 1;
	free(t);
	free(cpu);
	munmap(buf, len);
	return rc;
usage:
	fprintf(stderr, "usage: scan_bench [-n ITER] [-t MIN_OPS_PER_S] [-m MAX_MS] FILE\n");
	return 2;
}
