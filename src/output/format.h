/* SPDX-License-Identifier: MIT */
/*
 * format - encode a struct event as one JSON object or one text line.
 *
 * Field names follow eTracee (timestamp, time_str, pid, ppid, uid, gid,
 * event_type, event_name, comm, filename, syscall_nr, ret_code) and are
 * listed with their meaning in docs/events.md. Both encoders append to a
 * jbuf and end the record with '\n'.
 */
#ifndef LTRACK_FORMAT_H
#define LTRACK_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "events.h"
#include "output/jsonw.h"

struct fmt_ctx {
	const char *hostname;
	const char *boot_id;
	const struct lt_extra_field *extra;	/* [storage.extra_fields] */
	size_t nextra;
	uint64_t seq;				/* sequence number of this record */
	const char *watch;			/* the matching watch's path (set for EVT_WATCH types only), or NULL */
	char *prefix;				/* schema, hostname, boot_id, encoded once */
	size_t prefix_len;
	struct fmt_pcache *pcache;		/* each process's context, encoded once */
};

struct fmt_pcache;

/*
 * format_ctx_prepare - encode the fields that are the same in every record
 * once (format_json copies them), and make the cache of each process's
 * context (the FLD_PROC rows, src/fields.h). Returns 0 or -ENOMEM; without
 * them, format_json encodes everything per record. format_ctx_release
 * frees them.
 */
int format_ctx_prepare(struct fmt_ctx *c);

/* format_ctx_bytes - the memory format_ctx_prepare took (the process cache) */
size_t format_ctx_bytes(const struct fmt_ctx *c);
void format_ctx_release(struct fmt_ctx *c);

/* format_json - one JSON object and '\n'; returns 0 or b->err */
int format_json(struct jbuf *b, const struct event *ev, const struct fmt_ctx *c);

/* format_text - one SysTracer-style line and '\n'; returns 0 or b->err */
int format_text(struct jbuf *b, const struct event *ev, const struct fmt_ctx *c);

/* format_time - RFC 3339 UTC with microseconds of @ns since the epoch; returns its length */
size_t format_time(uint64_t ns, char *buf, size_t len);

/* format_mode - ls-style mode ("-rw-r--r--"; '?' type when unknown) */
void format_mode(uint32_t mode, char *buf, size_t len);

/*
 * format_kdev - "major:minor" of a kernel-encoded dev_t ("" when @len is too
 * small); returns its length
 */
size_t format_kdev(uint32_t kdev, char *buf, size_t len);

/* format_file_type - "file", "dir", "chr", "blk", "fifo", "sock", "symlink", or NULL */
const char *format_file_type(uint32_t mode);

/* format_open_flags - "O_WRONLY|O_CREAT|O_CLOEXEC"; returns its length */
size_t format_open_flags(uint32_t flags, char *buf, size_t len);

/* format_exec_id - the process key "tgid-start_ns" */
void format_exec_id(uint32_t tgid, uint64_t start_ns, char *buf, size_t len);

struct ev_field_list;

/* ev_fields_stats - the fields of the stats event (src/fields.h) */
extern const struct ev_field_list ev_fields_stats;

/*
 * The encoders format.c keeps for the types whose fields are not rows yet
 * (stats, scan_update's verdict) and the text encoders of process, file,
 * lib and the agent's own events. format_text_ret: " = ret" of a
 * successful call.
 */
void format_text_exec(struct jbuf *b, const struct event *ev);
void format_text_fork(struct jbuf *b, const struct event *ev);
void format_text_exit(struct jbuf *b, const struct event *ev);
void format_text_file(struct jbuf *b, const struct event *ev);
void format_text_create(struct jbuf *b, const struct event *ev);
void format_text_two_paths(struct jbuf *b, const struct event *ev);
void format_text_attrib(struct jbuf *b, const struct event *ev);
void format_text_open(struct jbuf *b, const struct event *ev);
void format_text_stats(struct jbuf *b, const struct event *ev);
void format_text_hash_update(struct jbuf *b, const struct event *ev);
void format_text_scan_update(struct jbuf *b, const struct event *ev);
void format_text_lib_load(struct jbuf *b, const struct event *ev);
void format_text_dlopen(struct jbuf *b, const struct event *ev);
void format_text_ret(struct jbuf *b, const struct event *ev);

/* evade: the type-specific fields of events 36..50 (evade_fmt.c; src/fields.h) */
extern const struct ev_field_list evade_fields;
void format_text_evade(struct jbuf *b, const struct event *ev);
/* evade_iou_op_name - "IORING_OP_OPENAT" for opcode @op ("IORING_OP_<n>" when unknown) */
const char *evade_iou_op_name(uint32_t op, char *buf, size_t len);
/* lib: format_dlopen_flags - "RTLD_NOW|RTLD_GLOBAL" text of dlopen @flags into @buf */
void format_dlopen_flags(uint32_t flags, char *buf, size_t len);

#endif
