/* SPDX-License-Identifier: MIT */
/*
 * loop - the agent's one event loop: descriptors, periodic work, and work
 * done on every turn (redis's ae.c is the model).
 *
 * One thread, one epoll set. A turn: wait for a descriptor (at most
 * LOOP_POLL_MS, or not at all when the last turn was busy), call the
 * handlers of the descriptors that are ready, then every "each turn"
 * callback in the order added (draining rings, flushing sinks), then the
 * periodic callbacks that are due. The rings are not waited on but read on
 * every turn: waking a reader for every record costs the writer (see
 * docs/architecture.md).
 */
#ifndef LTRACK_LOOP_H
#define LTRACK_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#define LOOP_POLL_MS 5		/* the longest wait of an idle turn */
#define LOOP_MAX_FDS 16
#define LOOP_MAX_CALLS 16

struct loop;

/* a ready descriptor (@events: EPOLLIN, EPOLLPRI, ...) */
typedef void (*loop_fd_fn)(void *ctx, uint32_t events);
/* work of a turn or a period; @now_ms: CLOCK_MONOTONIC in ms. true: busy, turn again at once */
typedef bool (*loop_call_fn)(void *ctx, uint64_t now_ms);

/* loop_new - an empty loop; NULL with errno */
struct loop *loop_new(void);

/* loop_free - NULL is a no-op; the descriptors are the callers' */
void loop_free(struct loop *l);

/* loop_add_fd - call @fn when @fd has @events; 0 or -errno (-ENOSPC past LOOP_MAX_FDS) */
int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_fn fn, void *ctx);

/* loop_each_turn - call @fn on every turn, after the descriptors; 0 or -ENOSPC */
int loop_each_turn(struct loop *l, loop_call_fn fn, void *ctx);

/*
 * loop_every - call @fn every @period_ms (the first time on loop_run's first
 * turn); in the order added among the turn's work; 0, -EINVAL (period 0),
 * -ENOSPC
 */
int loop_every(struct loop *l, uint64_t period_ms, loop_call_fn fn, void *ctx);

/* loop_stop - end loop_run after the current turn (from a callback) */
void loop_stop(struct loop *l);

/* loop_run - turns until loop_stop or *@stop_flag (may be NULL); 0 or -errno of epoll */
int loop_run(struct loop *l, const bool *stop_flag);

/* loop_now_ms - CLOCK_MONOTONIC in ms */
uint64_t loop_now_ms(void);

#endif
