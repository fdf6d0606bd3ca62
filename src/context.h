/* SPDX-License-Identifier: MIT */
/*
 * context.h - what an event's process is, beyond the record: its image
 * (exe), ancestry, cgroup paths, container and pod, and the canonical form
 * of a path the kernel could only build lexically.
 *
 * The pipeline's enrichment stage between decode and output
 * (docs/architecture.md). It keeps the process table (proctree.h) in step
 * with the snapshot, exec and fork records, and reads the cgroup cache
 * (container.h). Everything it puts on an event points into its caches:
 * valid until the next context_fill().
 */
#ifndef LTRACK_CONTEXT_H
#define LTRACK_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event;
struct proctree;
struct cgcache;
struct lt_config;
struct context;
struct hooks;

/*
 * context_new - the stage over process table @procs (borrowed) with a
 * cgroup cache of @cg_max ids; @cfg (borrowed, may be replaced in place on
 * reload) gives [exec_monitor] ancestors. NULL with errno on failure.
 */
struct context *context_new(struct proctree *procs, const struct lt_config *cfg, size_t cg_max);

/* context_free - NULL is a no-op */
void context_free(struct context *c);

/*
 * context_subscribe - keep the process table in step (hooks.h): snapshot,
 * exec and fork records as they are decoded (context_on_*), and the exit
 * once the event went out. 0 or -errno.
 */
int context_subscribe(struct context *c, struct hooks *h);

/*
 * context_self - ltrack's own process key (start times of itself and its
 * parent), from the startup snapshot: false while unknown
 */
bool context_self(const struct context *c, uint64_t *start_ns, uint64_t *parent_start_ns);

/* context_cgcache - its cgroup cache (for the stats event) */
struct cgcache *context_cgcache(struct context *c);

/*
 * context_on_snapshot - a process running when ltrack started (the
 * startup snapshot record @ev): into the table, with argv from /proc and
 * the v1 cgroups the kernel recorded
 */
void context_on_snapshot(struct context *c, const struct event *ev);

/* context_on_exec - @ev is an exec: a new image, argv and v1 cgroups */
void context_on_exec(struct context *c, const struct event *ev);

/* context_on_fork - @ev is a fork: the child starts with its parent's image, argv and cgroups */
void context_on_fork(struct context *c, const struct event *ev);

/*
 * context_exe - the image of @ev's process at the event's time, or NULL:
 * from the table, a parent's (a child that has not exec'd), or
 * /proc/PID/exe; what it learns goes into the table
 */
const char *context_exe(struct context *c, const struct event *ev);

/* context_exe_of - context_exe for a callback (@c: the struct context) */
const char *context_exe_of(void *c, const struct event *ev);

/*
 * context_canonicalise - for a path the kernel built lexically
 * (LT_PF_INEXACT), resolve its directory (which still exists after the
 * operation) when the process shares ltrack's root: ev->canon (and
 * ev->canon2 for rename and link), or "" when it cannot. realpath()
 * results are cached a second by directory.
 */
void context_canonicalise(struct context *c, struct event *ev);

/*
 * context_fill - the cgroup path, v1 paths, container, pod and ancestors
 * of @ev, as it goes out (now, or when a held event is released), so a
 * held copy never keeps pointers into the caches
 */
void context_fill(struct context *c, struct event *ev);

#endif
