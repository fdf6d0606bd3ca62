/* SPDX-License-Identifier: MIT */
/*
 * control - the agent's local control channel: a unix stream socket that
 * only root can use (the socket is mode 0600 in a 0700 directory, and each
 * client's SO_PEERCRED uid must be 0). A client sends one request line and
 * reads the answer until EOF. Requests:
 *   "models\n"  -> the model inventory as one JSON array and "\n"
 * Anything else, or a client that is not root, gets one line "error: ...".
 * See docs/models.md.
 */
#ifndef LTRACK_CONTROL_H
#define LTRACK_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "model/inventory.h"
#include "output/jsonw.h"

#define CONTROL_REQ_MAX 64		/* a request line, newline included */
#define CONTROL_CLIENTS_MAX 8		/* clients served at once; more get "error: busy" */
#define CONTROL_CLIENT_MS 2000		/* one client's whole exchange, from accept */

struct control;

struct control_stats {
	uint64_t served;		/* requests answered */
	uint64_t refused;		/* clients that were not root */
	uint64_t bad;			/* unknown or unreadable requests */
	uint64_t timed_out;		/* dropped at CONTROL_CLIENT_MS */
	uint64_t busy;			/* turned away: CONTROL_CLIENTS_MAX were being served */
};

/*
 * control_open - listen on @path. Creates its directory (mode 0700) when
 * missing; an existing one must pass control_dir_check and is never
 * chmod-ed. Replaces a stale socket, refuses one a live agent answers on
 * (-EADDRINUSE). NULL with errno set (control_last_error() says why a
 * directory was refused).
 */
struct control *control_open(const char *path);

/*
 * control_dir_check - the directory of socket @path is fit: missing (it
 * will be made 0700), or a directory owned by the effective uid that no
 * group or other may write in. 0, or -errno with the reason in
 * control_last_error(). `ltrack --check` runs it too.
 */
int control_dir_check(const char *path);

/* control_last_error - why the last check refused the directory, or "" */
const char *control_last_error(void);

/* control_free - close and unlink the socket; NULL is a no-op */
void control_free(struct control *c);

/*
 * control_fd - the descriptor for the event loop: an epoll set holding the
 * listening socket and the clients (readable: control_handle has work)
 */
int control_fd(const struct control *c);

/*
 * control_handle - accept new clients, read the lines that arrived, send
 * what the clients take, and drop those past their deadline; never waits
 * (the event loop calls it when control_fd is readable, and every 100 ms
 * for the deadlines). A client has CONTROL_CLIENT_MS for the whole
 * exchange; the answer is built when its line is in, from @inv (NULL: an
 * empty list).
 */
void control_handle(struct control *c, const struct inventory *inv);

void control_get_stats(const struct control *c, struct control_stats *st);

/*
 * control_request - the client side: send @req (a line with its "\n") to
 * the agent at @path and read the whole answer into @out. 0, or -errno:
 * -ENOENT/-ECONNREFUSED when no agent listens, -EACCES when the caller may
 * not use the socket, -ETIMEDOUT after @timeout_ms without progress.
 */
int control_request(const char *path, const char *req, struct jbuf *out, int timeout_ms);

#endif
