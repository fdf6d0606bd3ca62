// SPDX-License-Identifier: MIT
/*
 * control - the root-only control channel (see control.h).
 *
 * The agent is single-threaded, so clients are served in the event loop,
 * never waited for: the listening socket and every client sit in the
 * control's own epoll set (its descriptor is the one the loop waits on),
 * each client socket is non-blocking, and each exchange has one overall
 * deadline (CONTROL_CLIENT_MS from accept, whatever the client does: idle,
 * drip-feeding its line or reading the answer slowly). A call of
 * control_handle does only what needs no waiting (security review, finding
 * 14: eight idle clients used to hold the loop for 8 s). Only root can reach
 * the socket at all (0700 directory, 0600 socket); SO_PEERCRED is checked
 * anyway, so loosened permissions do not open the channel.
 */
#include "model/control.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define CONTROL_ACCEPT_MAX 16		/* clients accepted per control_handle call */
#define CONTROL_ANSWER_MAX (512u << 20)	/* a client reads at most this much */

struct client {
	int fd;				/* -1: a free slot */
	uid_t uid;			/* SO_PEERCRED at accept ((uid_t)-1: unknown) */
	pid_t pid;
	uint64_t deadline_ms;		/* CLOCK_MONOTONIC: dropped then, whatever its state */
	bool answering;			/* the line is in, out holds the answer */
	size_t inlen, off;		/* bytes of in; bytes of out sent */
	char in[CONTROL_REQ_MAX + 1];
	struct jbuf out;
};

struct control {
	int fd;
	int ep;				/* epoll: fd and the clients; the loop waits on it */
	struct client cl[CONTROL_CLIENTS_MAX];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;			/* the socket file we made: only that one is unlinked */
	ino_t ino;
	struct control_stats st;
};

static int make_addr(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (!path || path[0] != '/' || strlen(path) >= sizeof(a->sun_path))
		return -EINVAL;
	memcpy(a->sun_path, path, strlen(path) + 1);
	return 0;
}

/* why the last control_open or control_dir_check refused the directory ("" when none) */
static __thread char dir_why[PATH_MAX + 256];

const char *control_last_error(void)
{
	return dir_why;
}

int control_dir_check(const char *path)
{
	char dir[PATH_MAX];
	struct stat st;
	char *slash;

	dir_why[0] = '\0';
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir) {
		snprintf(dir_why, sizeof(dir_why), "a socket directly in / needs a directory of its own");
		return -EPERM;
	}
	*slash = '\0';
	if (lstat(dir, &st))
		return errno == ENOENT ? 0 : -errno;	/* missing: made 0700 */
	if (!S_ISDIR(st.st_mode)) {
		snprintf(dir_why, sizeof(dir_why), "%s is not a directory", dir);
		return -ENOTDIR;
	}
	if (st.st_uid != geteuid()) {
		snprintf(dir_why, sizeof(dir_why), "%s is owned by uid %u, not by uid %u", dir,
			 (unsigned)st.st_uid, (unsigned)geteuid());
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(dir_why, sizeof(dir_why),
			 "%s is shared (mode %04o): others may write in it; the socket needs a "
			 "directory of its own, e.g. /run/ltrack/control.sock (an existing "
			 "directory is never chmod-ed)", dir, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/*
 * the socket's directory: created 0700 when missing; an existing one is
 * used as it is when it is root's and nobody else may write in it, never
 * chmod-ed (security review, finding 9: a shared /tmp or /run made 0700)
 */
static int prepare_dir(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int rc = control_dir_check(path);

	if (rc)
		return rc;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	return control_dir_check(path);	/* what is there now, made by us or not */
}

struct control *control_open(const char *path)
{
	struct control *c = calloc(1, sizeof(*c));
	struct sockaddr_un a;
	int rc;

	if (!c)
		return NULL;
	c->fd = -1;
	c->ep = -1;
	for (int i = 0; i < CONTROL_CLIENTS_MAX; i++)
		c->cl[i].fd = -1;
	rc = make_addr(path, &a);
	if (rc)
		goto fail;
	rc = prepare_dir(path);
	if (rc)
		goto fail;
	/* a socket a live agent answers on is not ours to take */
	{
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (probe >= 0 && connect(probe, (struct sockaddr *)&a, sizeof(a)) == 0) {
			close(probe);
			rc = -EADDRINUSE;
			goto fail;
		}
		if (probe >= 0)
			close(probe);
	}
	unlink(path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		rc = -errno;
		goto fail;
	}
	{
		mode_t old = umask(0177);	/* born 0600: no window where others can connect */

		rc = bind(c->fd, (struct sockaddr *)&a, sizeof(a)) ? -errno : 0;
		umask(old);
	}
	if (rc)
		goto fail;
	if (chmod(path, 0600) || listen(c->fd, 16)) {
		rc = -errno;
		unlink(path);
		goto fail;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	{
		struct stat st;

		if (lstat(path, &st) == 0) {
			c->dev = st.st_dev;
			c->ino = st.st_ino;
		}
	}
	{
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = CONTROL_CLIENTS_MAX };

		c->ep = epoll_create1(EPOLL_CLOEXEC);
		if (c->ep < 0 || epoll_ctl(c->ep, EPOLL_CTL_ADD, c->fd, &ev)) {
			rc = -errno;
			unlink(path);
			goto fail;
		}
	}
	return c;
fail:
	if (c->ep >= 0)
		close(c->ep);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	errno = -rc;
	return NULL;
}

static void drop_client(struct control *c, struct client *k);

void control_free(struct control *c)
{
	if (!c)
		return;
	for (int i = 0; i < CONTROL_CLIENTS_MAX; i++)
		if (c->cl[i].fd >= 0)
			drop_client(c, &c->cl[i]);
	if (c->ep >= 0)
		close(c->ep);
	if (c->fd >= 0) {
		struct stat st;

		close(c->fd);
		/* a later agent may have replaced it already: leave that one alone */
		if (lstat(c->path, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino)
			unlink(c->path);
	}
	free(c);
}

int control_fd(const struct control *c)
{
	return c ? c->ep : -1;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void drop_client(struct control *c, struct client *k)
{
	epoll_ctl(c->ep, EPOLL_CTL_DEL, k->fd, NULL);
	close(k->fd);
	k->fd = -1;
	jbuf_release(&k->out);
}

/* a fixed answer (an error line) */
static void answer_str(struct client *k, const char *s)
{
	jbuf_reset(&k->out);
	jbuf_puts(&k->out, s);
}

/* the request line is in: decide the answer (built whole, then sent as the client takes it) */
static void answer(struct control *c, struct client *k, const struct inventory *inv, bool eof)
{
	char *nl = memchr(k->in, '\n', k->inlen);

	k->answering = true;
	jbuf_init(&k->out);
	/*
	 * the line is read first, even from a client about to be refused:
	 * closing on unread bytes would reset the connection before the
	 * client reads why
	 */
	if (k->uid != 0) {
		c->st.refused++;
		log_warn("control: refused a client (uid %d, pid %d): root only", (int)k->uid,
			 (int)k->pid);
		answer_str(k, "error: permission denied (root only)\n");
		return;
	}
	if (eof && k->inlen == 0) {
		k->out.len = 0;	/* connected and left: a probe (control_open does it) */
		return;
	}
	if (!nl) {
		c->st.bad++;
		answer_str(k, "error: no request line\n");
		return;
	}
	*nl = '\0';
	if (strcmp(k->in, "models") != 0) {
		c->st.bad++;
		answer_str(k, "error: unknown request\n");
		return;
	}
	if (inv) {
		inventory_write_list(inv, &k->out);
	} else {
		json_arr_begin(&k->out);
		json_arr_end(&k->out);
	}
	jbuf_putc(&k->out, '\n');
	if (k->out.err) {
		answer_str(k, "error: out of memory\n");
		return;
	}
	c->st.served++;
}

/* send what the client takes now; true when the exchange is over (answered or failed) */
static bool send_some(struct client *k)
{
	while (k->off < k->out.len) {
		ssize_t w = send(k->fd, k->out.buf + k->off, k->out.len - k->off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return false;
		if (w <= 0) {
			log_warn("control: a client left before its answer: %s", strerror(errno));
			return true;
		}
		k->off += (size_t)w;
	}
	return true;
}

static void client_io(struct control *c, struct client *k, const struct inventory *inv)
{
	while (!k->answering) {
		ssize_t r = recv(k->fd, k->in + k->inlen, CONTROL_REQ_MAX - k->inlen, MSG_DONTWAIT);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r < 0) {
			drop_client(c, k);
			return;
		}
		k->inlen += (size_t)r;
		if (r == 0 || memchr(k->in, '\n', k->inlen) || k->inlen == CONTROL_REQ_MAX) {
			struct epoll_event ev = { .events = EPOLLOUT, .data.u64 = (uint64_t)(k - c->cl) };

			answer(c, k, inv, r == 0);
			epoll_ctl(c->ep, EPOLL_CTL_MOD, k->fd, &ev);
		}
	}
	if (send_some(k))
		drop_client(c, k);
}

static void accept_clients(struct control *c, uint64_t now)
{
	for (int i = 0; i < CONTROL_ACCEPT_MAX; i++) {
		struct ucred cred;
		socklen_t len = sizeof(cred);
		struct client *k = NULL;
		int fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("control: accept: %s", strerror(errno));
			return;
		}
		for (int j = 0; j < CONTROL_CLIENTS_MAX && !k; j++)
			if (c->cl[j].fd < 0)
				k = &c->cl[j];
		if (!k) {
			c->st.busy++;
			send(fd, "error: busy\n", 12, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			continue;
		}
		memset(k, 0, sizeof(*k));
		k->fd = fd;
		k->deadline_ms = now + CONTROL_CLIENT_MS;
		k->uid = (uid_t)-1;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
		    len == sizeof(cred)) {
			k->uid = cred.uid;
			k->pid = cred.pid;
		}
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)(k - c->cl) };

		if (epoll_ctl(c->ep, EPOLL_CTL_ADD, fd, &ev)) {
			log_warn("control: epoll: %s", strerror(errno));
			close(fd);
			k->fd = -1;
		}
	}
}

void control_handle(struct control *c, const struct inventory *inv)
{
	struct epoll_event ev[CONTROL_CLIENTS_MAX + 1];
	uint64_t now;
	int n;

	if (!c)
		return;
	now = now_ms();
	n = epoll_wait(c->ep, ev, CONTROL_CLIENTS_MAX + 1, 0);
	for (int i = 0; i < n; i++) {
		uint64_t id = ev[i].data.u64;

		if (id == CONTROL_CLIENTS_MAX)
			accept_clients(c, now);
		else if (c->cl[id].fd >= 0)
			client_io(c, &c->cl[id], inv);
	}
	/* the overall deadline: idle, drip-feeding or slow-reading clients alike */
	for (int i = 0; i < CONTROL_CLIENTS_MAX; i++) {
		struct client *k = &c->cl[i];

		if (k->fd < 0 || now < k->deadline_ms)
			continue;
		c->st.timed_out++;
		log_warn("control: dropped a client (pid %d) after %d ms: %s", (int)k->pid,
			 CONTROL_CLIENT_MS, k->answering ? "its answer not taken" : "no request line");
		drop_client(c, k);
	}
}

void control_get_stats(const struct control *c, struct control_stats *st)
{
	*st = c->st;
}

int control_request(const char *path, const char *req, struct jbuf *out, int timeout_ms)
{
	struct sockaddr_un a;
	int fd, rc;

	rc = make_addr(path, &a);
	if (rc)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		rc = -errno;
		goto out;
	}
	rc = send_all(fd, req, strlen(req));
	if (rc)
		goto out;
	shutdown(fd, SHUT_WR);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = poll(&p, 1, timeout_ms);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n == 0 ? -ETIMEDOUT : -errno;
			goto out;
		}
		if (jbuf_reserve(out, 65536)) {
			rc = -ENOMEM;
			goto out;
		}
		ssize_t r = recv(fd, out->buf + out->len, 65536, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			goto out;
		}
		if (r == 0)
			break;
		out->len += (size_t)r;
		if (out->len > CONTROL_ANSWER_MAX) {
			rc = -EFBIG;
			goto out;
		}
	}
	rc = 0;
out:
	close(fd);
	return rc;
}
