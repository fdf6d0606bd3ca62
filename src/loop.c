// SPDX-License-Identifier: MIT
/*
 * loop.c - the event loop (see loop.h).
 */
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

struct loop_fd {
	loop_fd_fn fn;
	void *ctx;
};

struct loop_call {
	loop_call_fn fn;
	void *ctx;
	uint64_t period_ms;	/* 0: each turn */
	uint64_t next_ms;
};

struct loop {
	int epfd;
	bool stop;
	struct loop_fd fds[LOOP_MAX_FDS];
	size_t nfds;
	struct loop_call calls[LOOP_MAX_CALLS];
	size_t ncalls;
};

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000ULL + (uint64_t)ts.tv_nsec / 1000000ULL;
}

struct loop *loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		int e = errno;

		free(l);
		errno = e;
		return NULL;
	}
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	close(l->epfd);
	free(l);
}

int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_fn fn, void *ctx)
{
	struct epoll_event ev = { .events = events };

	if (fd < 0 || !fn)
		return -EINVAL;
	if (l->nfds >= LOOP_MAX_FDS)
		return -ENOSPC;
	ev.data.u32 = (uint32_t)l->nfds;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	l->fds[l->nfds++] = (struct loop_fd){ fn, ctx };
	return 0;
}

static int add_call(struct loop *l, uint64_t period_ms, loop_call_fn fn, void *ctx)
{
	if (!fn)
		return -EINVAL;
	if (l->ncalls >= LOOP_MAX_CALLS)
		return -ENOSPC;
	l->calls[l->ncalls++] = (struct loop_call){ fn, ctx, period_ms, 0 };
	return 0;
}

int loop_each_turn(struct loop *l, loop_call_fn fn, void *ctx)
{
	return add_call(l, 0, fn, ctx);
}

int loop_every(struct loop *l, uint64_t period_ms, loop_call_fn fn, void *ctx)
{
	return period_ms ? add_call(l, period_ms, fn, ctx) : -EINVAL;
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}

int loop_run(struct loop *l, const bool *stop_flag)
{
	struct epoll_event evs[LOOP_MAX_FDS];
	uint64_t now = loop_now_ms();
	bool busy = false;

	for (size_t i = 0; i < l->ncalls; i++)
		l->calls[i].next_ms = now;	/* due on the first turn */
	while (!l->stop && !(stop_flag && *stop_flag)) {
		/* a busy turn is followed at once; an idle one waits at most LOOP_POLL_MS */
		int n = epoll_wait(l->epfd, evs, LOOP_MAX_FDS, busy ? 0 : LOOP_POLL_MS);

		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n; i++) {
			struct loop_fd *f = &l->fds[evs[i].data.u32];

			f->fn(f->ctx, evs[i].events);
		}
		busy = false;
		now = loop_now_ms();
		for (size_t i = 0; i < l->ncalls; i++) {
			struct loop_call *c = &l->calls[i];

			if (c->period_ms) {
				if (now < c->next_ms)
					continue;
				c->next_ms = now + c->period_ms;
			}
			busy |= c->fn(c->ctx, now);
		}
	}
	return 0;
}
