/* SPDX-License-Identifier: MIT */
/*
 * model - the user-space half of the model monitor (issue 4): what the
 * kernel (src/bpf/model.bpf.c) cannot do.
 *
 *   - content sniffing: a model_cand record (a file an ML loader opened
 *     whose name is not a model's) is read here, its first bytes go to
 *     scan_sniff(), and a model becomes a model_load (found_by "content");
 *     the kernel maps learn it as a model (holder, inode);
 *   - the format of every model_load (scan_sniff on its first bytes);
 *   - model_modified: a bounded table path -> (identity, last sha256). A
 *     load whose digest differs from the last one at that path, or a write
 *     (model_write record) by a process that is not a [model_monitor]
 *     trainer whose result differs from the loaded file, makes one, with
 *     the old and the new digest (the new one through the hash pipeline);
 *   - model_exfil records of the splice path carry no path: it is filled
 *     in from the table;
 *   - model_access: at a process's exit, for each model it loaded, what it
 *     did with it (open, mmap, content, bytes read) from the kernel's
 *     lt_model_seen entry, which is then deleted.
 *
 * Records made here are ring-format records (struct lt_model_ev) handed
 * to the caller's model_out_fn, which treats them like ring records
 * (decode, enrichment, hashing, output). They are never made from inside
 * the output path: model_on_emit only queues, model_tick sends.
 *
 * Seam for the scanner and the inventory: model_on_load() is called for
 * every model_load before it is enriched and written. That is where the
 * scan verdict attaches (ev->model.scan, integration) and where the
 * inventory learns of the load.
 */
#ifndef LTRACK_MODEL_H
#define LTRACK_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ltrack/event.h>

#include "config.h"
#include "events.h"

struct loader;
struct ltrack_bpf;
struct jbuf;

#define MODEL_TABLE_MAX 4096	/* paths remembered for model_modified */
#define MODEL_PROCS_MAX 4096	/* (process, model) pairs awaiting their model_access */
#define MODEL_WRITES_MAX 256	/* writes being watched for their result */
#define MODEL_SNIFF_BYTES 4096	/* bytes read from a file to sniff its format */
#define MODEL_WRITE_WAIT_MS 30000	/* a write that changes nothing in this time is dropped */

/* a ring-format record (struct lt_model_ev) made by user space */
typedef void (*model_out_fn)(void *ctx, const void *rec, size_t len);

struct model;

/*
 * model_new - the monitor over loader @L (may be NULL in tests: no kernel
 * maps), writing its records through @out. NULL with errno on failure.
 */
struct model *model_new(struct loader *L, model_out_fn out, void *ctx);

/* model_free - NULL is a no-op */
void model_free(struct model *m);

/* model_apply - take @c's [model_monitor] settings (trainers). 0 or -ENOMEM */
int model_apply(struct model *m, const struct lt_config *c);

/*
 * model_kernel_fill - fill generation @gen of the kernel's model maps
 * (lt_model_pol, lt_model_ext, lt_model_pats) from @c; called by
 * loader_apply before the generation becomes active. 0 or -errno with @err.
 */
int model_kernel_fill(struct ltrack_bpf *sk, const struct lt_config *c, uint32_t gen, char *err,
		      size_t errlen);

/*
 * model_on_record - a ring record before decoding. Consumes (returns
 * true) model_cand and model_write records, and a model_exfil without a
 * path (made again with the path through the out function); returns false
 * for every other record, which the caller then decodes as usual.
 */
bool model_on_record(struct model *m, const void *rec, size_t len);

/*
 * model_on_load - THE SEAM: called for every decoded model_load before it
 * is enriched and written. Sets ev->model.format, remembers the path and
 * the (process, file) pair for model_access. The scanner's verdict and the
 * inventory hook in here.
 */
void model_on_load(struct model *m, struct event *ev);

/*
 * model_set_load_hook - @fn is called from model_on_load with each loaded
 * model's file open as @fd (identity checked against the kernel's; valid
 * only during the call): the scan verdict (src/model/modelscan.h) plugs in here.
 */
typedef void (*model_load_hook_fn)(void *ctx, struct event *ev, int fd);
void model_set_load_hook(struct model *m, model_load_hook_fn fn, void *ctx);

/* model_on_exfil - a decoded model_exfil: completes nothing today (reserved for the inventory) */
void model_on_exfil(struct model *m, struct event *ev);

/*
 * model_on_emit - an event was written (after hashing): learns the digest
 * of model_load and model_modified (and of their hash_update) per path;
 * a load whose digest differs from the path's last one queues a
 * model_modified
 */
void model_on_emit(struct model *m, const struct event *ev);

/* model_on_exit - process (@pid, @start_ns) ended at @ts_boot_ns: queue its model_access records */
void model_on_exit(struct model *m, uint32_t pid, uint64_t start_ns, uint64_t ts_boot_ns);

/* model_on_snapshot - a process running at start: mark it as a loader in the kernel if it is one */
void model_on_snapshot(struct model *m, uint32_t pid, uint64_t start_ns, const char *comm,
		       const char *exe);

struct hooks;

/*
 * model_subscribe - the model monitor's hooks (hooks.h): snapshots (ML
 * loaders already running), exits (model_access summaries), model_load
 * (the seam) and model_exfil. 0 or -errno.
 */
int model_subscribe(struct model *m, struct hooks *h);

/*
 * model_tick - call every ~100 ms and after each batch of records: checks
 * watched writes, sends queued records. @now_ms: CLOCK_MONOTONIC in ms.
 */
void model_tick(struct model *m, uint64_t now_ms);

/* model_get_stats - @m's counters since start (stats.model_monitor, docs/events.md) */
void model_get_stats(const struct model *m, struct ev_model_stats *st);

/* ---- decoding and output (events.c, output/format.c) ---- */

/* model_is_event - one of the model events written out (load, modified, exfil, access) */
bool model_is_event(uint32_t type);

/* model_decode - the model part of ring record @rec (@len bytes). 0 or -EINVAL */
int model_decode(const void *rec, size_t len, struct event *ev);

/*
 * model_scan_json - the "scan" member of a model_load or scan_update: the
 * scanner's report (docs/scanner.md) or {"verdict": "pending"}; nothing
 * when the event has no scan
 */
void model_scan_json(struct jbuf *b, const struct event *ev);

/* model_scan_verdict - "clean" ... "error", "pending", or NULL (no scan) */
const char *model_scan_verdict(const struct event *ev);

/* model_fields - the fields of the model events (docs/events.md; src/fields.h) */
struct ev_field_list;
struct fld_val;
extern const struct ev_field_list model_fields;

/* model_get_verdict - the field scan.verdict (a getter of src/fields.h) */
int model_get_verdict(const struct event *ev, struct fld_val *v);

/* model_text - the text line's body of a model event */
void model_text(struct jbuf *b, const struct event *ev);

/* model_access_str - LT_MA_* as "open,mmap,content,read" into @buf; returns @buf */
const char *model_access_str(uint32_t access, char *buf, size_t len);

/* model_method_name - "sendfile", "splice", "send"; NULL when unknown */
const char *model_method_name(uint32_t method);

/* ---- pure helpers (unit tests) ---- */

/*
 * model_ext_key - the lt_model_ext key of extension @ext (".PT" or "pt")
 * in generation @gen: lower-case, without the dot, reversed ("tp"). -EINVAL when it does
 * not fit LT_MEXT_LEN - 1 bytes or is empty or holds '.' or '/'.
 */
int model_ext_key(const char *ext, uint32_t gen, struct lt_model_ext_key *k);

/* model_quick_set / model_quick_test - the quick-reject bitmap of lt_model_policy for key @k */
void model_quick_set(struct lt_model_policy *mp, const struct lt_model_ext_key *k);
bool model_quick_test(const struct lt_model_policy *mp, const struct lt_model_ext_key *k);

/* model_pat_make - a loader pattern "NAME" or "PREFIX*" as the kernel matches it. 0 or -EINVAL */
int model_pat_make(const char *s, struct lt_model_pat *p);

/* model_pat_match - the kernel's match of @name (comm or basename) against @p, in C */
bool model_pat_match(const struct lt_model_pat *p, const char *name);

/* model_names_match - @comm or the basename of @exe (either may be NULL) matches a glob of @pats */
bool model_names_match(char *const *pats, size_t n, const char *comm, const char *exe);

/*
 * model_sniff_fd - the format of the file open at @fd (its first
 * MODEL_SNIFF_BYTES bytes through scan_sniff, @name as the hint).
 * MF_UNKNOWN (0) when it cannot be read. Returns an enum model_format.
 */
int model_sniff_fd(int fd, uint64_t size, const char *name);

/* ---- the path table (model_modified) ---- */

struct model_table;

/* model_table_new - at most @max paths (oldest use out first); NULL + errno */
struct model_table *model_table_new(size_t max);
void model_table_free(struct model_table *t);

/* what model_table_digest found */
enum model_digest_res {
	MODEL_DIGEST_NEW = 0,		/* the path was not known (or had no digest yet) */
	MODEL_DIGEST_SAME,		/* the same digest as before */
	MODEL_DIGEST_CHANGED,		/* a different digest: @old holds the one before */
	MODEL_DIGEST_EXPECTED,		/* different, but a trainer wrote it or it was reported */
};

/*
 * model_table_digest - @path (identity @id) now has digest @hex: remember
 * it and say how it compares with the last one. @old (65 bytes) gets the
 * previous digest when CHANGED. Returns enum model_digest_res, or -ENOMEM.
 */
int model_table_digest(struct model_table *t, const char *path, const struct ev_file_id *id,
		       const char *hex, char old[65]);

/* model_table_seen - remember @path with identity @id (no digest yet). 0 or -ENOMEM */
int model_table_seen(struct model_table *t, const char *path, const struct ev_file_id *id);

/*
 * model_table_expect - a change of @path is accounted for (a trainer's
 * write, or a model_modified already made): the next different digest is
 * MODEL_DIGEST_EXPECTED, once
 */
void model_table_expect(struct model_table *t, const char *path);

/* model_table_path - the path last seen with (@dev, @ino), or NULL */
const char *model_table_path(const struct model_table *t, uint32_t dev, uint64_t ino);

/*
 * model_table_get - the identity and digest (65 bytes, "" unknown) of
 * @path; false when it is not in the table
 */
bool model_table_get(const struct model_table *t, const char *path, struct ev_file_id *id,
		     char hex[65]);

/* model_table_size / evicted - entries now, entries pushed out */
size_t model_table_size(const struct model_table *t);
uint64_t model_table_evicted(const struct model_table *t);

#endif
