/* SPDX-License-Identifier: MIT */
/*
 * modelscan - the scan verdict of every model_load.
 *
 * The model monitor (src/model/model.c) opens each loaded model file, checked
 * against the identity the kernel captured, and hands the descriptor here.
 * A verdict cached for that identity (dev, inode, size, mtime, ctime: a
 * changed file is a new identity, so a verdict is never stale) is attached
 * at once. Otherwise the descriptor goes to the sandboxed scanner
 * (src/scan/sandbox.h; it also caches verdicts by SHA-256 when the digest
 * is known) and the event waits for the verdict, for at most
 * [model_monitor] scan_wait_ms, in the enrichment stage (src/enrich.h).
 * A verdict that comes later goes out as a scan_update event.
 *
 * Results are read on the event loop (modelscan_poll when modelscan_fd is
 * readable). A file that could not be submitted (queue full) gets an
 * "error" verdict, never "clean".
 */
#ifndef LTRACK_MODELSCAN_H
#define LTRACK_MODELSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "events.h"

struct scanner;
struct enrich;
struct modelscan;

#define MODELSCAN_CACHE_MAX 512	/* verdicts kept by file identity */
#define MODELSCAN_INFLIGHT_MAX 256
#define MODELSCAN_RETRY_MS 300000	/* a timeout or crash of the sandbox is cached this long */

struct modelscan_stats {
	uint64_t submitted;	/* files given to the scanner */
	uint64_t cache_hits;	/* verdicts attached from the identity cache */
	uint64_t results;	/* verdicts received */
	uint64_t refused;	/* files the scanner could not take (error verdict) */
	uint64_t joined;	/* loads that waited for a scan of the same file already running */
	uint64_t cache_entries;
};

/* modelscan_new - over scanner @s (not owned). NULL with errno. */
struct modelscan *modelscan_new(struct scanner *s);

/* modelscan_free - NULL is a no-op */
void modelscan_free(struct modelscan *ms);

/* modelscan_fd - readable when verdicts wait (the scanner's descriptor) */
int modelscan_fd(const struct modelscan *ms);

/*
 * modelscan_on_load - a model_load @ev whose file is open as @fd (identity
 * checked; the caller keeps it): attach a cached verdict (EV_SCAN_DONE)
 * or submit a scan (EV_SCAN_WAITING, ev->model.scan_cookie set). @fd -1:
 * a file the agent does not open (FUSE): an error verdict that says so.
 */
void modelscan_on_load(struct modelscan *ms, struct event *ev, int fd);

/* modelscan_poll - take the verdicts that are in; each goes to enrich_scan_done */
void modelscan_poll(struct modelscan *ms, struct enrich *e);

/* modelscan_inflight - scans submitted and not yet received */
size_t modelscan_inflight(const struct modelscan *ms);

void modelscan_get_stats(const struct modelscan *ms, struct modelscan_stats *st);

#endif
