/* SPDX-License-Identifier: MIT */
/*
 * scan - static analysis of ML model files. Nothing is ever executed or
 * unpickled: every parser reads bytes and reports findings.
 *
 * Layout of the scanner (src/scan/):
 *   scan.c      reports, verdicts, format names, scan_buf/scan_fd dispatch
 *   sniff.c     what a file is, from its first bytes (and its name as a hint)
 *   pickle.c    bounded abstract interpreter of the pickle VM (protocols 0-5)
 *   globals.c   allow-list (PyTorch weights_only style) and severity deny-lists
 *   zip.c       lenient zip reader (miniz-like: CRC, flags and bad entries tolerated)
 *   torch.c     PyTorch zip / legacy / tar / TorchScript, joblib, numpy
 *   formats.c   safetensors, GGUF, ONNX, Keras (.keras, .h5), 7z, tar
 *   report.c    text and JSON output of a report
 *   sandbox.c   the pre-forked, unprivileged, seccomp-confined scan worker
 *
 * Parsers work on one read-only mapping of the whole file (scan_fd maps it)
 * and touch only headers and pickle members, never tensor data. Every loop
 * is bounded by struct scan_limits; exceeding a bound gives an
 * "incomplete" finding, never a clean verdict.
 */
#ifndef LTRACK_SCAN_H
#define LTRACK_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * verdicts, in increasing order of severity (a report keeps the maximum):
 * what was found in the content outranks what could not be read, so a
 * parse error, a bound or a timeout never hides a finding made before it
 * or elsewhere in the file (the report says so in `incomplete` and `error`)
 */
enum scan_verdict {
	SCAN_CLEAN = 0,
	SCAN_ERROR,		/* could not be analysed: never reported as clean */
	SCAN_SUSPICIOUS,
	SCAN_DANGEROUS,
	SCAN_VERDICT_MAX = SCAN_DANGEROUS,
};

/* file formats, as named in model_load's "format" and in scan output */
enum model_format {
	MF_UNKNOWN = 0,
	MF_PYTORCH_ZIP,
	MF_PYTORCH_LEGACY,
	MF_PYTORCH_TAR,
	MF_TORCHSCRIPT,
	MF_PICKLE,
	MF_DILL,
	MF_NUMPY,
	MF_JOBLIB,
	MF_SAFETENSORS,
	MF_GGUF,
	MF_ONNX,
	MF_KERAS,
	MF_HDF5,
	MF_TF_SAVEDMODEL,
	MF_TFLITE,
	MF_TORCHSERVE_MAR,
	MF_7Z,
	MF_TAR,
	MF_ZIP,			/* a zip that is none of the above (an .npz is MF_NUMPY) */
	MF_COUNT,
};

/* scan_verdict_name - "clean", "suspicious", "dangerous", "error" */
const char *scan_verdict_name(enum scan_verdict v);

/* model_format_name - "pytorch-zip", "pickle", ..., "unknown" */
const char *model_format_name(enum model_format f);

/* model_format_by_name - the inverse; MF_UNKNOWN when @name is none */
enum model_format model_format_by_name(const char *name);

#define SCAN_MAX_FINDINGS 64
#define SCAN_MEMBER_MAX 128
#define SCAN_GLOBAL_MAX 256
#define SCAN_WHY_MAX 160

/* one thing found: where, what, why */
struct scan_finding {
	enum scan_verdict severity;	/* SCAN_SUSPICIOUS or SCAN_DANGEROUS (SCAN_ERROR for a parse error) */
	uint64_t offset;		/* byte offset in the member (or the file when member is "") */
	char member[SCAN_MEMBER_MAX];	/* zip/tar member, "pickle#2" for the 3rd stacked pickle, or "" */
	char global[SCAN_GLOBAL_MAX];	/* "module.qualname" imported there, or "" */
	char why[SCAN_WHY_MAX];		/* a short human reason */
};

/* the result of scanning one file */
struct scan_report {
	enum scan_verdict verdict;	/* max severity over findings and errors (SCAN_CLEAN when none) */
	enum model_format format;
	bool incomplete;		/* a limit was hit: the verdict covers only what was read */
	uint32_t nfindings;		/* findings kept (<= SCAN_MAX_FINDINGS) */
	uint32_t findings_dropped;	/* more findings than room: counted, not kept */
	uint64_t opcodes;		/* pickle opcodes interpreted, over all pickles */
	uint32_t pickles;		/* pickle streams interpreted */
	uint64_t size;			/* file size */
	char error[SCAN_WHY_MAX];	/* first error ("" when none); also beside a finding's verdict */
	struct scan_finding findings[SCAN_MAX_FINDINGS];
};

/* bounds on the work done for one file (scan_limits_default fills them) */
struct scan_limits {
	uint64_t max_opcodes;		/* pickle opcodes per member (the whole file when not a container) */
	uint32_t max_stack;		/* pickle stack depth and mark-stack depth */
	uint32_t max_memo;		/* pickle memo entries */
	uint32_t max_members;		/* zip/tar entries looked at */
	uint64_t max_member_bytes;	/* a compressed member is inflated up to this */
	uint32_t max_depth;		/* nesting: pickle in zip in zip, pickle in bytes ... */
	uint32_t max_pickles;		/* concatenated pickle streams per member */
	/*
	 * CLOCK_MONOTONIC ns at which the scan stops and reports what it
	 * found so far (incomplete, error "timed out ..."); 0: none. The scan
	 * workers set it ahead of the agent's hard timeout.
	 */
	uint64_t deadline_ns;
	uint32_t deadline_ms;		/* the budget it came from, for the message */
};

/* scan_report_size - the bytes of @r that matter: the header and its kept findings */
static inline size_t scan_report_size(const struct scan_report *r)
{
	uint32_t n = r->nfindings < SCAN_MAX_FINDINGS ? r->nfindings : SCAN_MAX_FINDINGS;

	return offsetof(struct scan_report, findings) + n * sizeof(struct scan_finding);
}

/*
 * scan_report_dup - a heap copy of @r of scan_report_size(@r) bytes (only
 * its kept findings may be read), or NULL; free() it
 */
struct scan_report *scan_report_dup(const struct scan_report *r);

/* scan_limits_default - the defaults (documented in docs/scanner.md) */
void scan_limits_default(struct scan_limits *l);

/* scan_report_init - an empty report: clean, unknown format */
void scan_report_init(struct scan_report *r);

/*
 * scan_add_finding - record a finding and raise the verdict to @sev. @member
 * and @global may be NULL. When the report is full the finding is counted in
 * findings_dropped (its severity still counts).
 */
void scan_add_finding(struct scan_report *r, enum scan_verdict sev, uint64_t offset,
		      const char *member, const char *global, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/*
 * scan_set_error - record @fmt as the report's error (the first one is
 * kept) and raise the verdict to SCAN_ERROR: a finding already made keeps
 * its higher verdict
 */
void scan_set_error(struct scan_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* the state one scan carries through nested parsers */
struct scan_ctx {
	const struct scan_limits *lim;
	struct scan_report *r;
	const char *member;		/* current member name, "" at top level */
	uint32_t depth;			/* current nesting */
	uint64_t inflated;		/* bytes inflated so far (bounded by max_member_bytes * max_members) */
	uint64_t op_base;		/* r->opcodes when the current member began (its own budget) */
	bool stopped;			/* the deadline passed: every parser returns at once */
};

/*
 * scan_stop - true once the scan's deadline has passed (it reads the
 * clock: call it every member, every 1024 opcodes); the first time, the
 * report becomes incomplete with a "timed out" error. Parsers call it in
 * their long loops and return.
 */
bool scan_stop(struct scan_ctx *c);

/*
 * scan_sniff - the format of a file whose first @len bytes are @head and
 * whose total size is @size; @name (may be NULL) only breaks ties (an
 * unsniffable .onnx, .pb, .tflite). Looks at content first: a pickle named
 * .txt is a pickle.
 */
enum model_format scan_sniff(const uint8_t *head, size_t len, uint64_t size, const char *name);

/*
 * scan_buf - scan a whole file image @buf of @len bytes named @name (may be
 * NULL). Fills @r (format, findings, verdict). Returns 0, or -errno when
 * the scan could not run at all (then @r says SCAN_ERROR).
 */
int scan_buf(const uint8_t *buf, size_t len, const char *name, const struct scan_limits *lim,
	     struct scan_report *r);

/* scan_fd - scan_buf over a read-only private mapping of @fd */
int scan_fd(int fd, const char *name, const struct scan_limits *lim, struct scan_report *r);

/* ---- parsers (called through scan_buf and by each other) ------------------- */

/*
 * scan_pickle - interpret every pickle stream concatenated in @buf (until
 * EOF or bytes that are not a pickle), adding findings to c->r. @base is
 * added to offsets. Returns 0, or -EINVAL when not even the first stream
 * parsed (findings made before the error are kept).
 */
int scan_pickle(struct scan_ctx *c, const uint8_t *buf, size_t len, uint64_t base);

/* scan_format - dispatch a detected non-pickle format (formats.c / torch.c) */
int scan_format(struct scan_ctx *c, enum model_format f, const uint8_t *buf, size_t len);

#endif
