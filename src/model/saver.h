/* SPDX-License-Identifier: MIT */
/*
 * saver - writes the inventory's file from a thread of its own, so the
 * event loop never waits for a disk (security review, finding 7: a save of
 * a large inventory froze the loop for seconds). The loop serializes the
 * table (bounded, see inventory.h) and hands the bytes over; the thread
 * writes them atomically (inventory_write_file) and posts the result,
 * which the loop collects. One write at a time.
 */
#ifndef LTRACK_SAVER_H
#define LTRACK_SAVER_H

#include <stdbool.h>

#include "output/jsonw.h"

struct saver;

/* saver_new - a saver for the file at @path (copied), its thread started; NULL with errno */
struct saver *saver_new(const char *path);

/*
 * saver_submit - write @doc: its buffer moves to the saver (@doc is left
 * empty, ready for reuse). 0, or -EBUSY while the last write is not
 * collected yet (saver_result).
 */
int saver_submit(struct saver *s, struct jbuf *doc);

/* saver_result - true once per finished write, with its 0 or -errno in *@rc */
bool saver_result(struct saver *s, int *rc);

/* saver_busy - a write was submitted and its result not collected */
bool saver_busy(struct saver *s);

/*
 * saver_wait - wait for the write in flight (if any) and collect it: true
 * with *@rc when there was one
 */
bool saver_wait(struct saver *s, int *rc);

/* saver_free - saver_wait, then stop the thread; NULL is a no-op */
void saver_free(struct saver *s);

#endif
