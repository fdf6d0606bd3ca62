/* SPDX-License-Identifier: MIT */
/*
 * loader - the BPF side as user space sees it: open, load and attach the
 * skeleton, fill the policy maps, read the drop counters, take the startup
 * snapshot.
 *
 * Policy swaps are atomic: loader_apply() fills the inactive generation of
 * every policy map, attaches any program the new policy needs, flips
 * lt_active_gen with one store, and only then removes the old generation
 * and detaches programs no longer needed. A policy that fails to apply
 * leaves the running one untouched.
 */
#ifndef LTRACK_LOADER_H
#define LTRACK_LOADER_H

#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>

#include <ltrack/event.h>

#include "config.h"

struct loader;
struct ring_buffer;

/* called for each ring record; return 0 to go on */
typedef int (*loader_record_fn)(void *ctx, void *data, size_t size);

/*
 * loader_open - mount tracefs if needed, open and load the BPF programs.
 * Besides the agent itself, the process @helper_tgid (the scan zygote; 0:
 * none) and its children are never reported. Returns NULL with errno set
 * and a message in @err on failure.
 */
struct loader *loader_open(pid_t helper_tgid, char *err, size_t errlen);

/*
 * loader_apply - make @c the active policy (watches, commands, knobs).
 * Returns 0, or -errno with a message in @err; the old policy stays.
 */
int loader_apply(struct loader *L, const struct lt_config *c, char *err, size_t errlen);

/*
 * loader_ring - a ring_buffer manager over the bulk ring, or NULL with
 * errno. Each ring has one manager, so each is mapped once (a ring's pages
 * count in the agent's RSS).
 */
struct ring_buffer *loader_ring(struct loader *L, loader_record_fn fn, void *ctx);

/*
 * loader_ring_crit - the manager of the critical ring (process lifecycle),
 * which a consumer drains first, and again before a bulk record that may
 * depend on it (an exec before its process's next events), or NULL.
 */
struct ring_buffer *loader_ring_crit(struct loader *L, loader_record_fn fn, void *ctx);

/*
 * loader_crit_pos - the critical ring's consumer and producer positions
 * (bytes, ever growing). Every record the kernel had reserved when
 * *@prod was read has been handed to the consumer once the consumer's
 * position reaches it: a record still being written stops the consumer.
 * Returns 0 or -errno.
 */
int loader_crit_pos(struct loader *L, uint64_t *cons, uint64_t *prod);

/*
 * loader_snapshot - run the task iterator and call @fn for each
 * LT_EV_PROC_SNAP record. Returns the number of records or -errno.
 */
int loader_snapshot(struct loader *L, loader_record_fn fn, void *ctx);

/* loader_drops - the kernel's drop counters, summed over CPUs */
int loader_drops(struct loader *L, uint64_t out[LT_DROP_NCAT]);

/*
 * loader_refresh - called periodically: re-read the path of every watched
 * directory from its held descriptor, and when one moved, rebuild the name
 * graph (lt_edges). Returns 1 if something changed.
 */
int loader_refresh(struct loader *L);

/* loader_watch_path - current path of watch @id of the active policy, or NULL */
const char *loader_watch_path(struct loader *L, uint32_t id);

/* loader_attached - number of attached programs */
int loader_attached(struct loader *L);

/* evade: loader_skel - the loaded skeleton (for modules that read their own maps) */
struct ltrack_bpf *loader_skel(struct loader *L);
/*
 * loader_prog - the loaded BPF program @name, for programs attached by
 * their own module (lib: the dlopen uprobes), or NULL
 */
struct bpf_program;
struct bpf_program *loader_prog(struct loader *L, const char *name);

/* loader_free - detach and free; NULL is a no-op */
void loader_free(struct loader *L);

/* fnv1a64 - the component hash shared with the kernel's lt_edges */
uint64_t fnv1a64(const char *s, size_t n);

#endif
