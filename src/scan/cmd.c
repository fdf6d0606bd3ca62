// SPDX-License-Identifier: MIT
/*
 * cmd - the `ltrack scan` subcommand.
 *
 * Directories are walked with nftw(FTW_PHYS): symlinks below a named
 * directory are never followed (so no loops), only regular files are
 * scanned, and the walk stops descending below SCAN_WALK_DEPTH levels.
 * A path named on the command line is followed if it is a symlink.
 * Each file is opened O_NOFOLLOW|O_NONBLOCK and scanned through scan_one():
 * the descriptor goes to a sandboxed worker (src/scan/sandbox.h: an
 * unprivileged, seccomp-confined process that never sees a path), as in
 * the agent. ltrack scan itself never parses a file.
 */
#include "scan/cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/jsonw.h"
#include "scan/report.h"
#include "scan/sandbox.h"
#include "scan/scan.h"

#define SCAN_WALK_DEPTH 64
#define SCAN_WALK_FDS 32

struct scan_run {
	FILE *out, *err;
	bool json;
	struct scan_limits lim;
	struct jbuf b;
	struct scan_report *r;	/* large: on the heap */
	struct scanner *sc;	/* the sandboxed workers */
	unsigned files, clean, suspicious, dangerous, errors;
	int status;
};

/* nftw has no user pointer */
static struct scan_run *walk_run;

/* scan_one - where the scan runs: in a sandboxed worker */
static int scan_one(struct scan_run *s, int fd, const char *name)
{
	return scanner_scan_sync(s->sc, fd, name, s->r);
}

static void raise_status(struct scan_run *s, int st)
{
	if (st > s->status)
		s->status = st;
}

static void emit(struct scan_run *s, const char *path)
{
	const struct scan_report *r = s->r;

	jbuf_reset(&s->b);
	if (s->json) {
		scan_report_json(&s->b, path, r);
		jbuf_putc(&s->b, '\n');
	} else {
		scan_report_text(&s->b, path, r);
	}
	if (s->b.err)
		fprintf(s->err, "ltrack scan: %s: cannot format the report: %s\n", path,
			strerror(-s->b.err));
	else
		fwrite(s->b.buf, 1, s->b.len, s->out);
	s->files++;
	switch (r->verdict) {
	case SCAN_CLEAN:
		s->clean++;
		break;
	case SCAN_SUSPICIOUS:
		s->suspicious++;
		raise_status(s, 1);
		break;
	case SCAN_DANGEROUS:
		s->dangerous++;
		raise_status(s, 1);
		break;
	default:
		s->errors++;
		raise_status(s, 2);
		break;
	}
}

/* a file that could not be opened or read: an error report */
static void emit_error(struct scan_run *s, const char *path, int errnum)
{
	scan_report_init(s->r);
	scan_set_error(s->r, "%s", strerror(errnum));
	emit(s, path);
}

static void scan_path_fd(struct scan_run *s, const char *path, int flags)
{
	const char *base = strrchr(path, '/');
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | flags);

	if (fd < 0) {
		emit_error(s, path, errno);
		return;
	}
	scan_one(s, fd, base ? base + 1 : path);	/* a failure is in the report */
	close(fd);
	emit(s, path);
}

static int walk_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct scan_run *s = walk_run;

	switch (type) {
	case FTW_F:
		if (S_ISREG(st->st_mode))
			scan_path_fd(s, path, O_NOFOLLOW);
		break;
	case FTW_D:
		if (ftw->level >= SCAN_WALK_DEPTH) {
			fprintf(s->err, "ltrack scan: %s: deeper than %d levels, not scanned\n",
				path, SCAN_WALK_DEPTH);
			raise_status(s, 2);
			return FTW_SKIP_SUBTREE;
		}
		break;
	case FTW_DNR:
	case FTW_NS:
		emit_error(s, path, errno ? errno : EACCES);
		break;
	default:	/* FTW_SL, FTW_SLN: not followed */
		break;
	}
	return FTW_CONTINUE;
}

static void scan_arg(struct scan_run *s, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		emit_error(s, path, errno);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		walk_run = s;
		if (nftw(path, walk_cb, SCAN_WALK_FDS, FTW_PHYS | FTW_ACTIONRETVAL) < 0) {
			fprintf(s->err, "ltrack scan: %s: %s\n", path, strerror(errno));
			raise_status(s, 2);
		}
		walk_run = NULL;
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(s->err, "ltrack scan: %s: not a regular file or directory, skipped\n", path);
		raise_status(s, 2);
		return;
	}
	scan_path_fd(s, path, 0);
}

static const char usage[] =
	"usage: ltrack scan [--format text|json] PATH...\n"
	"\n"
	"Statically scans model files (pickle, PyTorch, numpy, joblib, safetensors,\n"
	"GGUF, ONNX, Keras, ...) without executing them. Directories are scanned\n"
	"recursively. Exit status: 0 all clean, 1 something suspicious or dangerous\n"
	"found, 2 error (bad usage, unreadable file, a file that could not be\n"
	"analysed).\n"
	"\n"
	"  -f, --format FMT   text (default) or json (one object per file and line)\n"
	"  -h, --help         print this help\n";

int scan_cmd_main(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct scan_run s = { .out = out, .err = err };
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":f:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			if (!strcmp(optarg, "json")) {
				s.json = true;
			} else if (strcmp(optarg, "text")) {
				fprintf(err, "ltrack scan: --format: unknown format '%s' (expected "
					"text or json)\n%s", optarg, usage);
				return 2;
			}
			break;
		case 'h':
			fputs(usage, out);
			return 0;
		case ':':
			fprintf(err, "ltrack scan: option '%s' needs a value\n%s", argv[optind - 1],
				usage);
			return 2;
		default:
			fprintf(err, "ltrack scan: unknown option '%s'\n%s", argv[optind - 1], usage);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(err, "ltrack scan: no path given\n%s", usage);
		return 2;
	}
	s.r = malloc(sizeof(*s.r));
	if (!s.r) {
		fprintf(err, "ltrack scan: out of memory\n");
		return 2;
	}
	scan_limits_default(&s.lim);
	fflush(out);	/* the workers are forked: nothing buffered may be written twice */
	fflush(err);
	s.sc = scanner_new(&(struct scanner_opts){ .workers = 1 });
	if (!s.sc) {
		fprintf(err, "ltrack scan: cannot start the scan sandbox: %s\n", strerror(errno));
		free(s.r);
		return 2;
	}
	jbuf_init(&s.b);
	for (int i = optind; i < argc; i++)
		scan_arg(&s, argv[i]);
	if (!s.json)
		fprintf(out, "scanned %u file%s: %u clean, %u suspicious, %u dangerous, %u error%s\n",
			s.files, s.files == 1 ? "" : "s", s.clean, s.suspicious, s.dangerous,
			s.errors, s.errors == 1 ? "" : "s");
	fflush(out);
	jbuf_release(&s.b);
	scanner_free(s.sc);
	free(s.r);
	return s.status;
}
