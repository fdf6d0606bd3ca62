// SPDX-License-Identifier: MIT
/*
 * verify_cmd - `ltrack verify`. See verify_cmd.h.
 *
 * Each program is loaded alone from a fresh object, prepared exactly as
 * the agent prepares it (loader_prepare: the same rodata, a nonzero helper
 * tgid as when the scan sandbox runs, the same feature knobs), so the
 * numbers are the ones the agent's load pays. A program whose hook this
 * kernel lacks is listed as absent, never counted as a failure.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "concern.h"
#include "output/jsonw.h"
#include "log.h"
#include "verify_cmd.h"

static const char usage[] =
	"usage: ltrack verify [--budget N] [--format text|json]\n"
	"\n"
	"Load each BPF program on its own, as the agent would, and print what the\n"
	"kernel's verifier processed for it, most first: instructions, states,\n"
	"verification time, and ok, OVER BUDGET, refused (with the verifier's reason)\n"
	"or absent (its hook does not exist on this kernel). Needs root.\n"
	"\n"
	"  -b, --budget N     processed instructions allowed per program (default 200000,\n"
	"                     a 5x margin under the verifier's limit of 1000000)\n"
	"  -f, --format FMT   text (default) or json (one object)\n"
	"  -h, --help         this help\n"
	"Exit status: 0 every program present within the budget, 1 one over it or\n"
	"refused, 2 bad usage.\n";

static const struct option opts[] = {
	{ "budget", required_argument, NULL, 'b' },
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

enum vstatus { VS_OK, VS_OVER, VS_REFUSED, VS_ABSENT };

static const char *const vs_json[] = { "ok", "over_budget", "refused", "absent" };

static enum vstatus status_of(const struct loader_verify *v, unsigned long budget)
{
	if (v->status == LOADER_V_ABSENT)
		return VS_ABSENT;
	if (v->status == LOADER_V_REFUSED)
		return VS_REFUSED;
	return v->st.insns > budget ? VS_OVER : VS_OK;
}

static int by_cost(const void *a, const void *b)
{
	const struct loader_verify *x = a, *y = b;
	bool xa = x->status == LOADER_V_ABSENT, ya = y->status == LOADER_V_ABSENT;

	if (xa != ya)
		return xa ? 1 : -1;
	if (x->st.insns != y->st.insns)
		return x->st.insns > y->st.insns ? -1 : 1;
	return strcmp(x->program, y->program);
}

static const char *concern_name(int c)
{
	return c >= 0 && c < LT_NCONCERNS ? concern_defs[c].name : "?";
}

static void report_text(const struct loader_verify *rows, size_t n, unsigned long budget,
			const char *kernel, const size_t count[4], FILE *out)
{
	unsigned long long total_us = 0;

	fprintf(out, "%-28s %-18s %8s %8s %8s %9s  %s\n", "PROGRAM", "CONCERN", "INSNS", "STATES",
		"PEAK", "TIME_MS", "STATUS");
	for (size_t i = 0; i < n; i++) {
		const struct loader_verify *v = &rows[i];
		enum vstatus s = status_of(v, budget);

		total_us += v->st.time_us;
		if (s == VS_ABSENT) {
			fprintf(out, "%-28s %-18s %8s %8s %8s %9s  absent: %s\n", v->program,
				concern_name(v->concern), "-", "-", "-", "-", v->reason);
			continue;
		}
		fprintf(out, "%-28s %-18s %8lu %8lu %8lu %9.1f  ", v->program,
			concern_name(v->concern), v->st.insns, v->st.total_states,
			v->st.peak_states, v->st.time_us / 1000.0);
		if (s == VS_OK)
			fprintf(out, "ok\n");
		else if (s == VS_OVER)
			fprintf(out, "OVER BUDGET (%.1fx)\n", (double)v->st.insns / (double)budget);
		else
			fprintf(out, "refused: %s (%s)\n", v->reason, strerror(v->err));
	}
	fprintf(out, "\n%zu programs on Linux %s: %zu ok, %zu over budget, %zu refused, %zu absent; "
		"budget %lu processed instructions (the verifier's limit: 1000000); %.1f s of "
		"verification\n", n, kernel, count[VS_OK], count[VS_OVER], count[VS_REFUSED],
		count[VS_ABSENT], budget, total_us / 1e6);
}

static void report_json(const struct loader_verify *rows, size_t n, unsigned long budget,
			const char *kernel, const size_t count[4], FILE *out)
{
	struct jbuf b;

	jbuf_init(&b);
	json_obj_begin(&b);
	json_kv_str(&b, "kernel", kernel);
	json_kv_uint(&b, "budget", budget);
	json_key(&b, "programs");
	json_arr_begin(&b);
	for (size_t i = 0; i < n; i++) {
		const struct loader_verify *v = &rows[i];
		enum vstatus s = status_of(v, budget);

		json_obj_begin(&b);
		json_kv_str(&b, "program", v->program);
		json_kv_str(&b, "concern", concern_name(v->concern));
		json_kv_str(&b, "status", vs_json[s]);
		if (s != VS_ABSENT) {
			json_kv_uint(&b, "insns", v->st.insns);
			json_kv_uint(&b, "max_states_per_insn", v->st.max_states_per_insn);
			json_kv_uint(&b, "total_states", v->st.total_states);
			json_kv_uint(&b, "peak_states", v->st.peak_states);
			json_kv_uint(&b, "time_us", v->st.time_us);
		}
		if (s == VS_REFUSED || s == VS_ABSENT)
			json_kv_str(&b, "reason", v->reason);
		if (s == VS_REFUSED) {
			const char *en = strerrorname_np(v->err);

			json_kv_str(&b, "errno", en ? en : "unknown");
			json_kv_str(&b, "tail", v->tail);
		}
		json_obj_end(&b);
	}
	json_arr_end(&b);
	json_key(&b, "summary");
	json_obj_begin(&b);
	for (int s = VS_OK; s <= VS_ABSENT; s++)
		json_kv_uint(&b, vs_json[s], count[s]);
	json_obj_end(&b);
	json_obj_end(&b);
	jbuf_putc(&b, '\n');
	if (b.buf)
		fwrite(b.buf, 1, b.len, out);
	jbuf_release(&b);
}

int verify_report(struct loader_verify *rows, size_t n, unsigned long budget, bool json,
		  const char *kernel, FILE *out)
{
	size_t count[4] = { 0 };

	if (n)
		qsort(rows, n, sizeof(*rows), by_cost);
	for (size_t i = 0; i < n; i++)
		count[status_of(&rows[i], budget)]++;
	if (json)
		report_json(rows, n, budget, kernel, count, out);
	else
		report_text(rows, n, budget, kernel, count, out);
	return count[VS_OVER] || count[VS_REFUSED] ? 1 : 0;
}

struct collect {
	struct loader_verify *rows;
	size_t n, cap;
	bool progress;
	int err;
};

static void collect_one(void *ctx, const struct loader_verify *v)
{
	struct collect *c = ctx;

	if (c->progress)
		fprintf(stderr, "\rltrack verify: %-28s", v->program);
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 64;
		void *p = realloc(c->rows, nc * sizeof(*c->rows));

		if (!p) {
			c->err = -ENOMEM;
			return;
		}
		c->rows = p;
		c->cap = nc;
	}
	c->rows[c->n++] = *v;
}

int verify_main(int argc, char **argv)
{
	/* the scan sandbox's zygote: any nonzero tgid takes the agent's code path */
	struct loader_opts lo = { .helper_tgid = 1 };
	struct collect col = { .progress = isatty(STDERR_FILENO) };
	unsigned long budget = VERIFY_BUDGET_DEFAULT;
	struct utsname un;
	const char *fault;
	bool json = false;
	char err[1024];
	int opt, rc, ret = 1;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":b:f:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'b': {
			char *end;

			errno = 0;
			budget = strtoul(optarg, &end, 10);
			if (!optarg[0] || *end || errno || optarg[0] == '-' || !budget ||
			    budget > 1000000) {
				fprintf(stderr, "ltrack verify: --budget: '%s' is not 1..1000000\n%s",
					optarg, usage);
				return 2;
			}
			break;
		}
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				fprintf(stderr, "ltrack verify: --format: '%s' is not text or json\n%s",
					optarg, usage);
				return 2;
			}
			json = !strcmp(optarg, "json");
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case ':':
			fprintf(stderr, "ltrack verify: option '%s' needs a value\n%s",
				argv[optind - 1], usage);
			return 2;
		default:
			fprintf(stderr, "ltrack verify: bad option '%s'\n%s", argv[optind - 1], usage);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ltrack verify: unexpected argument '%s'\n%s", argv[optind], usage);
		return 2;
	}
	fault = getenv("LTRACK_FAULT_CONCERN");
	if (fault && fault[0]) {
		if (concern_by_name(fault) < 0) {
			concern_names(err, sizeof(err));
			fprintf(stderr, "ltrack verify: LTRACK_FAULT_CONCERN: no concern '%s' (one of: "
				"%s)\n", fault, err);
			return 2;
		}
		fprintf(stderr, "ltrack verify: LTRACK_FAULT_CONCERN=%s: one of its programs is made "
			"invalid (a test aid)\n", fault);
	}
	rc = loader_verify(&lo, collect_one, &col, err, sizeof(err));
	if (col.progress)
		fprintf(stderr, "\r%-50s\r", "");
	if (rc < 0) {
		fprintf(stderr, "ltrack verify: %s\n", err);
		goto out;
	}
	if (col.err) {
		fprintf(stderr, "ltrack verify: out of memory\n");
		goto out;
	}
	if (uname(&un))
		snprintf(un.release, sizeof(un.release), "?");
	ret = verify_report(col.rows, col.n, budget, json, un.release, stdout);
out:
	free(col.rows);
	return ret;
}
