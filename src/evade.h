/* SPDX-License-Identifier: MIT */
/*
 * evade - the user-space side of the evade events: io_uring_ops summaries
 * made from the kernel's per-process opcode counts (map lt_iou_ops), and
 * the enrichment of process_vm_writev with the target's comm.
 *
 * A summary carries the process's counts since its first submission
 * (cumulative). One is emitted for a process when its counts changed since
 * the last one, at every flush (each stats interval), and a last one
 * (final: true) after the process exits or when ltrack stops.
 */
#ifndef LTRACK_EVADE_H
#define LTRACK_EVADE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"

struct loader;
struct evade;

/* called with an LT_EV_IO_URING_OPS record of @len bytes */
typedef void (*evade_emit_fn)(void *ctx, const void *rec, size_t len, bool final);

/* evade_new - state over @L's lt_iou_ops map; NULL with errno on failure */
struct evade *evade_new(struct loader *L);

/* evade_free - NULL is a no-op */
void evade_free(struct evade *x);

/*
 * evade_iou_flush - emit a summary for every process whose counts changed
 * since its last one; with @final (ltrack stops), for every process, final
 */
void evade_iou_flush(struct evade *x, bool final, evade_emit_fn fn, void *ctx);

/*
 * evade_iou_exit - process (@tgid, @start_ns) ended: its final summary is
 * emitted by the next evade_iou_reap (after the rings were drained, so the
 * summary follows every event the process made)
 */
void evade_iou_exit(struct evade *x, uint32_t tgid, uint64_t start_ns);

/* evade_iou_reap - the final summaries of the processes that ended */
void evade_iou_reap(struct evade *x, evade_emit_fn fn, void *ctx);

/*
 * evade_enrich - process_vm_writev: the target's comm from /proc when the
 * writer shares our pid namespace (the pid is the writer's view)
 */
void evade_enrich(struct event *ev);

struct hooks;

/*
 * evade_subscribe - the pipeline's hooks (hooks.h): a process's last
 * io_uring_ops summary at its exit (@x may be NULL: no summaries), and
 * evade_enrich for process_vm_writev. 0 or -errno.
 */
int evade_subscribe(struct evade *x, struct hooks *h);

#endif
