// SPDX-License-Identifier: MIT
/*
 * saver - the inventory's writer thread (see saver.h).
 *
 * States under one mutex: idle -> queued (the loop submitted) -> done (the
 * thread wrote, rc set) -> idle (the loop collected). The thread sleeps on
 * a condition variable between writes.
 */
#include "model/saver.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "model/inventory.h"

enum saver_state { SV_IDLE, SV_QUEUED, SV_DONE };

struct saver {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* the state changed */
	enum saver_state state;
	bool stop;
	int rc;
	struct jbuf doc;
	char *path;
};

static void *saver_main(void *arg)
{
	struct saver *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->state != SV_QUEUED && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->state != SV_QUEUED)
			break;	/* stopping with nothing to write */
		pthread_mutex_unlock(&s->mu);
		int rc = inventory_write_file(s->path, s->doc.buf, s->doc.len);

		pthread_mutex_lock(&s->mu);
		s->rc = rc;
		s->state = SV_DONE;
		jbuf_reset(&s->doc);
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

struct saver *saver_new(const char *path)
{
	struct saver *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return NULL;
	jbuf_init(&s->doc);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->path = strdup(path);
	if (!s->path) {
		rc = ENOMEM;
		goto fail;
	}
	rc = pthread_create(&s->th, NULL, saver_main, s);
	if (rc)
		goto fail;
	return s;
fail:
	free(s->path);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
	errno = rc;
	return NULL;
}

int saver_submit(struct saver *s, struct jbuf *doc)
{
	struct jbuf t;
	int rc = 0;

	pthread_mutex_lock(&s->mu);
	if (s->state != SV_IDLE) {
		rc = -EBUSY;
		goto out;
	}
	t = s->doc;		/* swap: the caller gets the saver's empty buffer back */
	s->doc = *doc;
	*doc = t;
	jbuf_reset(doc);
	s->state = SV_QUEUED;
	pthread_cond_broadcast(&s->cv);
out:
	pthread_mutex_unlock(&s->mu);
	return rc;
}

/* with the lock held: collect a finished write */
static bool take(struct saver *s, int *rc)
{
	if (s->state != SV_DONE)
		return false;
	*rc = s->rc;
	s->state = SV_IDLE;
	return true;
}

bool saver_result(struct saver *s, int *rc)
{
	bool done;

	pthread_mutex_lock(&s->mu);
	done = take(s, rc);
	pthread_mutex_unlock(&s->mu);
	return done;
}

bool saver_busy(struct saver *s)
{
	bool busy;

	pthread_mutex_lock(&s->mu);
	busy = s->state != SV_IDLE;
	pthread_mutex_unlock(&s->mu);
	return busy;
}

bool saver_wait(struct saver *s, int *rc)
{
	bool had;

	pthread_mutex_lock(&s->mu);
	while (s->state == SV_QUEUED)
		pthread_cond_wait(&s->cv, &s->mu);
	had = take(s, rc);
	pthread_mutex_unlock(&s->mu);
	return had;
}

void saver_free(struct saver *s)
{
	int rc;

	if (!s)
		return;
	saver_wait(s, &rc);
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->th, NULL);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	jbuf_release(&s->doc);
	free(s->path);
	free(s);
}
