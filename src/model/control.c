// SPDX-License-Identifier: MIT
/*
 * control - the root-only control channel (see control.h).
 *
 * The agent is single-threaded, so a client is served to completion inside
 * control_handle: the accepted socket is blocking with 1 s send and receive
 * timeouts, which bounds what one client can cost the event loop. Only root
 * can reach the socket at all (0700 directory, 0600 socket); SO_PEERCRED is
 * checked anyway, so loosened permissions do not open the channel.
 */
#include "model/control.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define CONTROL_ACCEPT_MAX 16		/* clients served per control_handle call */
#define CONTROL_ANSWER_MAX (512u << 20)	/* a client reads at most this much */

struct control {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;			/* the socket file we made: only that one is unlinked */
	ino_t ino;
	struct control_stats st;
	struct jbuf out;
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
	jbuf_init(&c->out);
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
	return c;
fail:
	if (c->fd >= 0)
		close(c->fd);
	jbuf_release(&c->out);
	free(c);
	errno = -rc;
	return NULL;
}

void control_free(struct control *c)
{
	if (!c)
		return;
	if (c->fd >= 0) {
		struct stat st;

		close(c->fd);
		/* a later agent may have replaced it already: leave that one alone */
		if (lstat(c->path, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino)
			unlink(c->path);
	}
	jbuf_release(&c->out);
	free(c);
}

int control_fd(const struct control *c)
{
	return c ? c->fd : -1;
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

/* read one line (without its "\n") of at most CONTROL_REQ_MAX bytes; 0 or -errno */
static int read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap) {
		ssize_t r = recv(fd, buf + n, cap - 1 - n, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
		if (memchr(buf, '\n', n))
			break;
	}
	buf[n] = '\0';
	if (n == 0)
		return -ENODATA;	/* connected and left: a probe (control_open does it) */
	char *nl = strchr(buf, '\n');

	if (!nl)
		return -EPROTO;
	*nl = '\0';
	return 0;
}

static void serve(struct control *c, int fd, const struct inventory *inv)
{
	struct timeval tv = { .tv_sec = 1 };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char line[CONTROL_REQ_MAX + 1];

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/*
	 * the line is read first, even from a client about to be refused:
	 * closing on unread bytes would reset the connection before the
	 * client reads why
	 */
	int rl = read_line(fd, line, sizeof(line));

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || len != sizeof(cred) ||
	    cred.uid != 0) {
		c->st.refused++;
		log_warn("control: refused a client (uid %d, pid %d): root only",
			 len == sizeof(cred) ? (int)cred.uid : -1,
			 len == sizeof(cred) ? (int)cred.pid : -1);
		send_all(fd, "error: permission denied (root only)\n", 37);
		return;
	}
	if (rl == -ENODATA)
		return;
	if (rl) {
		c->st.bad++;
		send_all(fd, "error: no request line\n", 23);
		return;
	}
	if (strcmp(line, "models") != 0) {
		c->st.bad++;
		send_all(fd, "error: unknown request\n", 23);
		return;
	}
	jbuf_reset(&c->out);
	if (inv) {
		inventory_write_list(inv, &c->out);
	} else {
		json_arr_begin(&c->out);
		json_arr_end(&c->out);
	}
	jbuf_putc(&c->out, '\n');
	if (c->out.err) {
		send_all(fd, "error: out of memory\n", 21);
		return;
	}
	c->st.served++;
	if (send_all(fd, c->out.buf, c->out.len))
		log_warn("control: a client left before its answer: %s", strerror(errno));
}

void control_handle(struct control *c, const struct inventory *inv)
{
	for (int i = 0; c && i < CONTROL_ACCEPT_MAX; i++) {
		int fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("control: accept: %s", strerror(errno));
			return;
		}
		serve(c, fd, inv);
		close(fd);
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
