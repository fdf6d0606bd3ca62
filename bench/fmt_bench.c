// SPDX-License-Identifier: MIT
/*
 * fmt_bench - the JSON encoder alone (src/output/format.c): what the event
 * loop spends per event on formatting, without the kernel, the rings or
 * the output file.
 *
 * The events are decoded from records laid out as the BPF side writes them
 * (include/ltrack/event.h): `make bench`'s open phase, the most of its
 * events (read-only opens of files in a watched directory, one process),
 * and one create in eight (its rename phase), each with the process
 * context the enrichment stage gives (exe, cgroups). Every event
 * gets a new seq and a timestamp a few microseconds later, as on a busy
 * host. Prints one JSON line: ns per event (best of ROUNDS), bytes per event;
 * with FMT_BENCH_SHOW set, the last event encoded too (on stderr).
 *
 *   fmt_bench [EVENTS_PER_ROUND [ROUNDS]]      defaults 1000000 5
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "output/format.h"
#include "output/jsonw.h"

union rec {
	struct lt_hdr hdr;
	struct lt_file_ev file;
	char bytes[4096];
};

static size_t file_rec(union rec *r, uint32_t type, const char *path, uint32_t flags)
{
	size_t l = strlen(path) + 1;

	memset(r, 0, sizeof(*r));
	r->hdr.type = type;
	r->hdr.ts_boot_ns = 10701914377120ULL;
	r->hdr.start_ns = 10701337758462ULL;
	r->hdr.parent_start_ns = 10701336953955ULL;
	r->hdr.tgid = 20661;
	r->hdr.tid = 20661;
	r->hdr.ppid = 20644;
	r->hdr.loginuid = 4294967295u;
	r->hdr.sessionid = 4294967295u;
	r->hdr.syscall_nr = 257;
	r->hdr.ret = 3;
	r->hdr.flags = LT_HF_REPORT;
	memcpy(r->hdr.comm, "ltbench-wl", 11);
	r->hdr.cgroup_id = 1;
	r->hdr.pid_ns = 4026531836u;
	r->hdr.mnt_ns = 4026531832u;
	r->hdr.net_ns = 4026531833u;
	r->file.dev = 25u << 20 | 3;
	r->file.ino = 812345;
	r->file.mode = 0100644;
	r->file.open_flags = flags;
	memcpy(r->bytes + sizeof(struct lt_file_ev), path, l);
	r->file.len[0] = (uint16_t)l;
	r->hdr.size = (uint32_t)(sizeof(struct lt_file_ev) + l);
	return r->hdr.size;
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000, rounds = argc > 2 ? atol(argv[2]) : 5;
	static union rec r[2];
	size_t len[2];
	struct event *ev[2];
	struct fmt_ctx c = { .hostname = "vm", .boot_id = "abba0b22-64f6-4b29-99f5-2412c991bc37" };
	struct jbuf b;
	double best = 0;
	uint64_t ts = 1796695584367865672ULL, bytes = 0, sink = 0;

	if (n <= 0 || rounds <= 0) {
		fprintf(stderr, "usage: fmt_bench [EVENTS_PER_ROUND [ROUNDS]]\n");
		return 2;
	}
	len[0] = file_rec(&r[0], LT_EV_OPEN, "/work/bench/out/wl-tmpfs/ltbench.Xa9c2Q/f17",
			  O_RDONLY | O_CLOEXEC);
	len[1] = file_rec(&r[1], LT_EV_CREATE, "/work/bench/out/wl-tmpfs/ltbench.Xa9c2Q/n17",
			  O_WRONLY | O_CREAT | O_TRUNC);
	for (int i = 0; i < 2; i++) {
		ev[i] = calloc(1, sizeof(*ev[i]));
		if (!ev[i] || event_decode(&r[i], len[i], ev[i])) {
			fprintf(stderr, "fmt_bench: cannot decode the sample records\n");
			return 1;
		}
		ev[i]->exe = "/work/main/bench/out/20261208-012620/ltbench-wl";
		ev[i]->cgroup = "/";
		ev[i]->cgroup_v1[0] = "/process_api/4abb8b7948ed7a3ff129246bf70d787d";
	}
	if (format_ctx_prepare(&c)) {
		fprintf(stderr, "fmt_bench: %s\n", strerror(ENOMEM));
		return 1;
	}
	c.watch = "/work/bench/out/wl-tmpfs";
	jbuf_init(&b);
	for (long k = 0; k < rounds; k++) {
		double t0 = now_ns(), dt;

		bytes = 0;
		for (long i = 0; i < n; i++) {
			struct event *e = ev[(i & 7) == 7];

			ts += 2113;
			e->ts_ns = ts;
			c.seq++;
			jbuf_reset(&b);
			if (format_json(&b, e, &c))
				return 1;
			bytes += b.len;
			sink += (unsigned char)b.buf[b.len / 2];
		}
		dt = (now_ns() - t0) / (double)n;
		if (!k || dt < best)
			best = dt;
	}
	printf("{\"ns_per_event\":%.1f,\"bytes_per_event\":%.1f,\"events\":%ld,\"rounds\":%ld,"
	       "\"check\":%llu}\n",
	       best, (double)bytes / (double)n, n, rounds, (unsigned long long)(sink & 0xff));
	if (getenv("FMT_BENCH_SHOW"))	/* the last event, to see what was measured */
		fwrite(b.buf, 1, b.len, stderr);
	jbuf_release(&b);
	format_ctx_release(&c);
	free(ev[0]);
	free(ev[1]);
	return 0;
}
