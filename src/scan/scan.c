// SPDX-License-Identifier: MIT
/* scan - reports, verdicts, format names, and the scan entry points */
#include "scan/scan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include "scan/scan_int.h"

static const char *const verdict_names[] = {
	[SCAN_CLEAN] = "clean",
	[SCAN_ERROR] = "error",
	[SCAN_SUSPICIOUS] = "suspicious",
	[SCAN_DANGEROUS] = "dangerous",
};

static const char *const format_names[MF_COUNT] = {
	[MF_UNKNOWN] = "unknown",
	[MF_PYTORCH_ZIP] = "pytorch-zip",
	[MF_PYTORCH_LEGACY] = "pytorch-legacy",
	[MF_PYTORCH_TAR] = "pytorch-tar",
	[MF_TORCHSCRIPT] = "torchscript",
	[MF_PICKLE] = "pickle",
	[MF_DILL] = "dill",
	[MF_NUMPY] = "numpy",
	[MF_JOBLIB] = "joblib",
	[MF_SAFETENSORS] = "safetensors",
	[MF_GGUF] = "gguf",
	[MF_ONNX] = "onnx",
	[MF_KERAS] = "keras",
	[MF_HDF5] = "hdf5",
	[MF_TF_SAVEDMODEL] = "tf-savedmodel",
	[MF_TFLITE] = "tflite",
	[MF_TORCHSERVE_MAR] = "torchserve-mar",
	[MF_7Z] = "7z",
	[MF_TAR] = "tar",
	[MF_ZIP] = "zip",
};

const char *scan_verdict_name(enum scan_verdict v)
{
	if ((unsigned)v > SCAN_VERDICT_MAX)
		return "error";
	return verdict_names[v];
}

const char *model_format_name(enum model_format f)
{
	if ((unsigned)f >= MF_COUNT)
		return "unknown";
	return format_names[f];
}

enum model_format model_format_by_name(const char *name)
{
	for (int f = 0; f < MF_COUNT; f++)
		if (name && strcmp(name, format_names[f]) == 0)
			return (enum model_format)f;
	return MF_UNKNOWN;
}

void scan_limits_default(struct scan_limits *l)
{
	l->max_opcodes = 50u * 1000 * 1000;
	l->max_stack = 100000;
	l->max_memo = 1000000;
	l->max_members = 100000;
	l->max_member_bytes = 256ull << 20;
	l->max_depth = 8;
	l->max_pickles = 64;
	l->deadline_ns = 0;
	l->deadline_ms = 0;
}

bool scan_stop(struct scan_ctx *c)
{
	struct timespec ts;

	if (c->stopped)
		return true;
	if (!c->lim->deadline_ns)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if ((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec < c->lim->deadline_ns)
		return false;
	c->stopped = true;
	c->r->incomplete = true;
	scan_set_error(c->r, "timed out after %u ms: scan incomplete, what was read is reported",
		       c->lim->deadline_ms);
	return true;
}

struct scan_report *scan_report_dup(const struct scan_report *r)
{
	size_t n = scan_report_size(r);
	struct scan_report *c = malloc(n);

	if (c)
		memcpy(c, r, n);
	return c;
}

void scan_report_init(struct scan_report *r)
{
	memset(r, 0, sizeof(*r));
	r->verdict = SCAN_CLEAN;
	r->format = MF_UNKNOWN;
}

static void copy_str(char *dst, size_t n, const char *src)
{
	if (!src)
		src = "";
	snprintf(dst, n, "%s", src);
}

void scan_add_finding(struct scan_report *r, enum scan_verdict sev, uint64_t offset,
		      const char *member, const char *global, const char *fmt, ...)
{
	if (sev > r->verdict)
		r->verdict = sev;
	if (r->nfindings >= SCAN_MAX_FINDINGS) {
		r->findings_dropped++;
		return;
	}
	struct scan_finding *f = &r->findings[r->nfindings++];
	f->severity = sev;
	f->offset = offset;
	copy_str(f->member, sizeof(f->member), member);
	copy_str(f->global, sizeof(f->global), global);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
}

void scan_set_error(struct scan_report *r, const char *fmt, ...)
{
	if (r->verdict < SCAN_ERROR)
		r->verdict = SCAN_ERROR;
	if (r->error[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
}

int scan_buf(const uint8_t *buf, size_t len, const char *name, const struct scan_limits *lim,
	     struct scan_report *r)
{
	struct scan_limits def;
	if (!lim) {
		scan_limits_default(&def);
		lim = &def;
	}
	struct scan_ctx c = { .lim = lim, .r = r, .member = "" };
	r->size = len;
	r->format = scan_sniff(buf, len, len, name);
	/*
	 * a compressed pickle under any name (the sniffer decides by name for
	 * these); a compressed stream that does not decompress is never clean
	 */
	if (r->format == MF_UNKNOWN) {
		int k = decomp_head_is_pickle(&c, buf, len);

		if (k > 0) {
			r->format = MF_JOBLIB;
		} else if (k < 0) {
			scan_set_error(r, "%s stream that does not decompress: %s",
				       decomp_codec_name(decomp_codec_of(buf, len)),
				       k == -EFBIG ? "it needs more than a scan's memory" :
				       k == -ENOMEM ? "out of memory" : "corrupt or truncated");
			return 0;
		}
	}
	if (r->format == MF_PICKLE || r->format == MF_DILL) {
		scan_pickle(&c, buf, len, 0); /* a parse error is a finding in @r */
		return 0;
	}
	return scan_format(&c, r->format, buf, len);
}

int scan_fd(int fd, const char *name, const struct scan_limits *lim, struct scan_report *r)
{
	struct stat st;
	int ret;

	scan_report_init(r);
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		scan_set_error(r, "fstat: %s", strerror(-ret));
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		scan_set_error(r, "not a regular file");
		return -EINVAL;
	}
	if (st.st_size == 0) {
		r->format = MF_UNKNOWN;
		return scan_buf((const uint8_t *)"", 0, name, lim, r);
	}
	void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		ret = -errno;
		scan_set_error(r, "mmap: %s", strerror(-ret));
		return ret;
	}
	ret = scan_buf(map, (size_t)st.st_size, name, lim, r);
	munmap(map, (size_t)st.st_size);
	return ret;
}
