// SPDX-License-Identifier: MIT
/*
 * net.c - network events in user space. See net.h.
 *
 * The kernel sends one record shape for every network event (struct
 * lt_net_ev, plus the AF_UNIX names for unix sockets); what each event
 * prints is decided here, per type, from the same decoded fields:
 *
 *   event          remote end          local end            extra
 *   connect        the address asked   when it has a port   -
 *   connect_result the peer            the source chosen    state, result, error
 *   bind           -                   the bound address    -
 *   listen         -                   the bound address    backlog
 *   accept         the new peer        the new socket's     listen_fd
 *   udp_send       the destination     when it has a port   connected
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "events.h"
#include "fields.h"
#include "output/jsonw.h"
#include "net.h"
#include "output/field_json.h"

#define NET_AF_UNIX 1
#define NET_AF_INET 2
#define NET_AF_INET6 10
#define NET_TCP_ESTABLISHED 1

bool net_is_event(uint32_t type)
{
	switch (type) {
	case LT_EV_CONNECT:
	case LT_EV_BIND:
	case LT_EV_LISTEN:
	case LT_EV_ACCEPT:
	case LT_EV_UDP_SEND:
	case LT_EV_CONNECT_RESULT:
		return true;
	}
	return false;
}

int net_decode(const void *rec, size_t len, struct event *ev)
{
	const struct lt_net_ev *e = rec;
	struct ev_net *n = &ev->net;

	if (len < sizeof(*e))
		return -EINVAL;
	memcpy(n->laddr, e->laddr, sizeof(n->laddr));
	memcpy(n->raddr, e->raddr, sizeof(n->raddr));
	n->dur_ns = e->dur_ns;
	n->fd = e->fd;
	n->arg = e->arg;
	n->family = e->family;
	n->rfamily = e->rfamily;
	n->sock_type = e->sock_type;
	n->protocol = e->protocol;
	n->lport = e->lport;
	n->rport = e->rport;
	n->state = e->state;
	n->nflags = e->nflags;
	n->err = e->err;
	n->path[0] = n->path[1] = NULL;
	n->path_len[0] = n->path_len[1] = 0;
	if (e->family != NET_AF_UNIX)
		return len == sizeof(*e) ? 0 : -EINVAL;
	if (len != sizeof(*e) + sizeof(struct lt_net_unix))
		return -EINVAL;
	for (int i = 0; i < 2; i++) {
		if (e->path_len[i] > LT_UNIX_PATH_MAX)
			return -EINVAL;
		n->path[i] = ((const struct lt_net_unix *)(e + 1))->path[i];
		n->path_len[i] = e->path_len[i];
	}
	return 0;
}

const char *net_family_name(unsigned int family)
{
	switch (family) {
	case NET_AF_UNIX:
		return "AF_UNIX";
	case NET_AF_INET:
		return "AF_INET";
	case NET_AF_INET6:
		return "AF_INET6";
	}
	return NULL;
}

const char *net_protocol_name(unsigned int family, unsigned int sock_type, unsigned int proto)
{
	if (family == NET_AF_UNIX)
		return "unix";
	if (family != NET_AF_INET && family != NET_AF_INET6)
		return "unknown";
	if (sock_type == 1 && proto == 6)
		return "tcp";
	if (sock_type == 2 && proto == 17)
		return "udp";
	return "unknown";
}

const char *net_socktype_name(unsigned int sock_type)
{
	static const char *const names[] = {
		[1] = "stream", [2] = "dgram", [3] = "raw", [4] = "rdm", [5] = "seqpacket",
		[6] = "dccp", [10] = "packet",
	};

	return sock_type < sizeof(names) / sizeof(names[0]) ? names[sock_type] : NULL;
}

const char *net_tcp_state_name(unsigned int state)
{
	static const char *const names[] = {
		[1] = "ESTABLISHED", [2] = "SYN_SENT",	 [3] = "SYN_RECV",  [4] = "FIN_WAIT1",
		[5] = "FIN_WAIT2",   [6] = "TIME_WAIT",	 [7] = "CLOSE",	    [8] = "CLOSE_WAIT",
		[9] = "LAST_ACK",    [10] = "LISTEN",	 [11] = "CLOSING",  [12] = "NEW_SYN_RECV",
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : NULL;
}

int net_format_addr(unsigned int family, const uint8_t addr[16], char *buf, size_t len)
{
	int af = family == NET_AF_INET ? AF_INET : family == NET_AF_INET6 ? AF_INET6 : -1;

	if (len)
		buf[0] = '\0';
	if (af < 0)
		return -EAFNOSUPPORT;
	if (af == AF_INET && len >= INET_ADDRSTRLEN) {
		/* glibc's inet_ntop formats IPv4 with sprintf: this is on every net event */
		char *o = buf;

		for (int i = 0; i < 4; i++) {
			unsigned v = addr[i];

			if (v >= 100)
				*o++ = '0' + v / 100;
			if (v >= 10)
				*o++ = '0' + v / 10 % 10;
			*o++ = '0' + v % 10;
			*o++ = i < 3 ? '.' : '\0';
		}
		return (int)(o - buf - 1);
	}
	if (!inet_ntop(af, addr, buf, len > (size_t)INT32_MAX ? INT32_MAX : (socklen_t)len)) {
		if (len)
			buf[0] = '\0';
		return -ENOSPC;
	}
	return (int)strlen(buf);
}

int net_format_endpoint(unsigned int family, const uint8_t addr[16], uint16_t port, char *buf,
			size_t len)
{
	char a[INET6_ADDRSTRLEN];
	int n = net_format_addr(family, addr, a, sizeof(a));

	if (len)
		buf[0] = '\0';
	if (n < 0)
		return n;
	n = snprintf(buf, len, family == NET_AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
	if (n < 0 || (size_t)n >= len) {
		if (len)
			buf[0] = '\0';
		return -ENOSPC;
	}
	return n;
}

size_t net_format_unix(const uint8_t *path, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	if (!len)
		return 0;
	if (!path || !n) {
		buf[0] = '\0';
		return 0;
	}
	if (path[0] == '\0') {
		/* abstract: every byte counts, NULs included */
		buf[o++] = '@';
		for (size_t i = 1; i < n && o + 1 < len; i++)
			buf[o++] = path[i] ? (char)path[i] : '@';
	} else {
		for (size_t i = 0; i < n && path[i] && o + 1 < len; i++)
			buf[o++] = (char)path[i];
	}
	buf[o] = '\0';
	return o;
}

const char *net_errdesc(int err, char *buf, size_t len)
{
	const char *d = err > 0 && err < 4096 ? strerrordesc_np(err) : NULL;

	if (!d || !len)
		return "?";
	snprintf(buf, len, "%s", d);
	buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

/* ---- JSON ------------------------------------------------------------------------ */

static bool has_local(const struct ev_net *n)
{
	return n->nflags & LT_NF_LOCAL;
}

static bool is_unix(const struct ev_net *n)
{
	return n->family == NET_AF_UNIX;
}

static int addr_val(unsigned int family, const uint8_t addr[16], struct fld_val *v)
{
	if (net_format_addr(family, addr, v->buf, sizeof(v->buf)) < 0)
		return -ENOENT;
	v->s = v->buf;
	v->plain = true;
	return 0;
}

static int port_val(unsigned int family, const uint8_t addr[16], uint16_t port, struct fld_val *v)
{
	(void)addr;
	/* with its address only: an endpoint is both or neither (an address of these formats) */
	if (family != NET_AF_INET && family != NET_AF_INET6)
		return -ENOENT;
	v->u = port;
	return 0;
}

static int unix_val(const struct ev_net *n, int i, struct fld_val *v)
{
	net_format_unix(n->path[i], n->path_len[i], v->buf, sizeof(v->buf));
	v->s = v->buf;
	return 0;
}

static int get_fd(const struct event *ev, struct fld_val *v)
{
	v->i = ev->net.fd;
	return ev->type != LT_EV_ACCEPT || ev->net.fd >= 0 ? 0 : -ENOENT;
}

static int get_listen_fd(const struct event *ev, struct fld_val *v)
{
	v->i = ev->net.arg;
	return 0;
}

static int get_family(const struct event *ev, struct fld_val *v)
{
	v->s = net_family_name(ev->net.family);
	v->plain = true;
	return 0;
}

static int get_protocol(const struct event *ev, struct fld_val *v)
{
	v->s = net_protocol_name(ev->net.family, ev->net.sock_type, ev->net.protocol);
	v->plain = true;
	return 0;
}

static int get_socket_type(const struct event *ev, struct fld_val *v)
{
	v->s = net_socktype_name(ev->net.sock_type);
	v->plain = true;
	return 0;
}

/* connect: the name connected to */
static int get_unix_peer(const struct event *ev, struct fld_val *v)
{
	return is_unix(&ev->net) ? unix_val(&ev->net, 1, v) : -ENOENT;
}

/* bind, listen, accept: the socket's own name */
static int get_unix_own(const struct event *ev, struct fld_val *v)
{
	return is_unix(&ev->net) ? unix_val(&ev->net, 0, v) : -ENOENT;
}

static int get_peer_unix_path(const struct event *ev, struct fld_val *v)
{
	return is_unix(&ev->net) && ev->net.path_len[1] ? unix_val(&ev->net, 1, v) : -ENOENT;
}

/* connect (an IP socket), udp_send, connect_result: the other end */
static int get_remote_addr(const struct event *ev, struct fld_val *v)
{
	const struct ev_net *n = &ev->net;

	return is_unix(n) && ev->type == LT_EV_CONNECT ? -ENOENT : addr_val(n->rfamily, n->raddr, v);
}

static int get_remote_port(const struct event *ev, struct fld_val *v)
{
	const struct ev_net *n = &ev->net;

	return is_unix(n) && ev->type == LT_EV_CONNECT ? -ENOENT :
							  port_val(n->rfamily, n->raddr, n->rport, v);
}

/* accept: the new connection's peer, when the kernel gave one */
static int get_accept_remote_addr(const struct event *ev, struct fld_val *v)
{
	const struct ev_net *n = &ev->net;

	return is_unix(n) || !n->rfamily ? -ENOENT : addr_val(n->rfamily, n->raddr, v);
}

static int get_accept_remote_port(const struct event *ev, struct fld_val *v)
{
	const struct ev_net *n = &ev->net;

	return is_unix(n) || !n->rfamily ? -ENOENT : port_val(n->rfamily, n->raddr, n->rport, v);
}

/* the socket's own address, when it has a port */
static bool local_shown(const struct event *ev)
{
	if (!has_local(&ev->net))
		return false;
	/* udp_send and connect_result are never unix sockets: no test there */
	return ev->type == LT_EV_UDP_SEND || ev->type == LT_EV_CONNECT_RESULT || !is_unix(&ev->net);
}

static int get_local_addr(const struct event *ev, struct fld_val *v)
{
	return local_shown(ev) ? addr_val(ev->net.family, ev->net.laddr, v) : -ENOENT;
}

static int get_local_port(const struct event *ev, struct fld_val *v)
{
	return local_shown(ev) ? port_val(ev->net.family, ev->net.laddr, ev->net.lport, v) : -ENOENT;
}

static int get_backlog(const struct event *ev, struct fld_val *v)
{
	v->i = ev->net.arg;
	return 0;
}

static int get_connected(const struct event *ev, struct fld_val *v)
{
	v->b = ev->net.nflags & LT_NF_CONNECTED;
	return 0;
}

/* the state's name; a state without one as its number, in decimal */
static int get_state(const struct event *ev, struct fld_val *v)
{
	v->s = net_tcp_state_name(ev->net.state);
	if (!v->s) {
		snprintf(v->buf, sizeof(v->buf), "%u", ev->net.state);
		v->s = v->buf;
	}
	v->plain = true;
	return 0;
}

/* JSON keeps a number for a state without a name */
static void write_state(struct jbuf *b, const struct event *ev)
{
	const char *sn = net_tcp_state_name(ev->net.state);

	JSON_KEY(b, "state");
	if (sn)
		json_str_plain(b, sn, strlen(sn));
	else
		json_uint(b, ev->net.state);
}

static int get_result(const struct event *ev, struct fld_val *v)
{
	v->s = ev->net.state == NET_TCP_ESTABLISHED ? "established" : ev->net.err ? "failed" : "aborted";
	v->plain = true;
	return 0;
}

static int get_error_code(const struct event *ev, struct fld_val *v)
{
	v->i = ev->net.err;
	return 0;
}

static int get_error(const struct event *ev, struct fld_val *v)
{
	int err = ev->net.err;

	if (!err)
		return -ENOENT;
	/* the kernel writes -errno; anything else is "?" */
	v->s = net_errdesc(err < 0 && err > -4096 ? -err : 0, v->buf, sizeof(v->buf));
	return 0;
}

static int get_handshake_ns(const struct event *ev, struct fld_val *v)
{
	v->u = ev->net.dur_ns;
	return 0;
}

#define CO LT_EV_CONNECT
#define BI LT_EV_BIND
#define LI LT_EV_LISTEN
#define AC LT_EV_ACCEPT
#define US LT_EV_UDP_SEND
#define CR LT_EV_CONNECT_RESULT
static const struct ev_field net_rows[] = {
	FIELD_ROW("fd", FT_INT, 0, FG_OWN, get_fd, NULL,
		  "the socket's descriptor in the process; `accept`: the new one (absent when the accept "
		  "failed); `connect_result`: the descriptor connect was called on"),
	FIELD_ROW("listen_fd", FT_INT, 0, FG_OWN, get_listen_fd, NULL, "the listening socket's descriptor",
		  AC),
	FIELD_ROW("family", FT_STR, FLD_NULL, FG_OWN, get_family, NULL,
		  "the socket's family: `\"AF_INET\"`, `\"AF_INET6\"`, `\"AF_UNIX\"`"),
	FIELD_ROW("protocol", FT_STR, FLD_NULL, FG_OWN, get_protocol, NULL, "`\"tcp\"`, `\"udp\"` or `\"unix\"`"),
	FIELD_ROW("socket_type", FT_STR, FLD_NULL, FG_OWN, get_socket_type, NULL,
		  "`\"stream\"`, `\"dgram\"`, `\"seqpacket\"`"),
	FIELD_ROW("unix_path", FT_STR, 0, FG_OWN, get_unix_peer, NULL,
		  "unix sockets: the name connected to. Path names as passed (possibly relative); abstract "
		  "names with a leading `@`, each NUL inside them shown as `@` (as `ss` does); `\"\"` for an "
		  "unnamed socket", CO),
	FIELD_ROW("unix_path", FT_STR, 0, FG_OWN, get_unix_own, NULL,
		  "unix sockets: bind, listen: the name bound; accept: the listener's name (written as for "
		  "connect)", BI, LI, AC),
	FIELD_ROW("peer_unix_path", FT_STR, 0, FG_OWN, get_peer_unix_path, NULL,
		  "unix sockets: the connecting socket's name, when it had one", AC),
	FIELD_ROW("remote_addr", FT_IP, 0, FG_OWN, get_remote_addr, NULL,
		  "IP sockets: the other end. connect: for a connect that succeeded or is in progress, the "
		  "peer as the socket holds it (the address passed; a connect to 0.0.0.0 shows the loopback "
		  "address the kernel used, and an AF_INET address on an AF_INET6 UDP socket its v4-mapped "
		  "form); for a failed one, the address passed, read from the caller's memory. udp_send: the "
		  "destination passed, read from the caller's memory (the connected peer when none was "
		  "passed); connect_result: the peer of the socket. An AF_INET6 socket may show an AF_INET "
		  "destination (sendto with a `sockaddr_in`), and v4-mapped ones as `::ffff:a.b.c.d`",
		  CO, US, CR),
	FIELD_ROW("remote_port", FT_UINT, 0, FG_OWN, get_remote_port, NULL, "the other end's port", CO, US,
		  CR),
	FIELD_ROW("local_addr", FT_IP, 0, FG_OWN, get_local_addr, NULL,
		  "the socket's own address. bind: the address bound (for port 0, the port the kernel chose; "
		  "for a failed bind, the address asked for); listen: the listening address; accept: the new "
		  "socket's local address. Absent when the socket has no port (a refused connect gives its "
		  "port back before the call returns)"),
	FIELD_ROW("local_port", FT_UINT, 0, FG_OWN, get_local_port, NULL, "the socket's own port"),
	FIELD_ROW("remote_addr", FT_IP, 0, FG_OWN, get_accept_remote_addr, NULL,
		  "IP sockets: the new connection's peer", AC),
	FIELD_ROW("remote_port", FT_UINT, 0, FG_OWN, get_accept_remote_port, NULL, "its port", AC),
	FIELD_ROW("backlog", FT_INT, 0, FG_OWN, get_backlog, NULL,
		  "the backlog as passed to listen() (the kernel caps it at `net.core.somaxconn`)", LI),
	FIELD_ROW("connected", FT_BOOL, 0, FG_OWN, get_connected, NULL,
		  "true when no address was passed (send on a connected socket)", US),
	FIELD_ROW("state", FT_STR, 0, FG_OWN, get_state, write_state,
		  "the TCP state the handshake reached: `\"ESTABLISHED\"`, or `\"CLOSE\"`", CR),
	FIELD_ROW("result", FT_STR, 0, FG_OWN, get_result, NULL,
		  "`\"established\"`, `\"failed\"` (with `error_code`), or `\"aborted\"` (closed before the "
		  "handshake ended, without an error: e.g. the socket was closed)", CR),
	FIELD_ROW("error_code", FT_INT, 0, FG_OWN, get_error_code, NULL,
		  "0, or `-errno`: the socket's error (`-111` refused, `-110` timed out, `-113` no route); "
		  "for a blocking connect that failed without one, the call's own error", CR),
	FIELD_ROW("error", FT_STR, 0, FG_OWN, get_error, NULL,
		  "the error's description (`\"connection refused\"`), only when `error_code` is not 0", CR),
	FIELD_ROW("handshake_ns", FT_UINT, 0, FG_OWN, get_handshake_ns, NULL,
		  "ns from the SYN being sent to the result", CR),
};
#undef CO
#undef BI
#undef LI
#undef AC
#undef US
#undef CR
FIELD_LIST(net_fields, net_rows, "net");

/* ---- text ------------------------------------------------------------------------ */

static void text_endpoint(struct jbuf *b, unsigned int family, const uint8_t addr[16],
			  uint16_t port)
{
	char s[NET_ENDPOINT_MAX];
	int n = net_format_endpoint(family, addr, port, s, sizeof(s));

	text_quote(b, s, n > 0 ? (size_t)n : 0);
}

static void text_unix(struct jbuf *b, const struct ev_net *n, int i)
{
	char p[NET_UNIX_MAX];
	size_t len = net_format_unix(n->path[i], n->path_len[i], p, sizeof(p));

	text_quote(b, p, len);
}

static void text_local(struct jbuf *b, const struct ev_net *n)
{
	if (n->family == NET_AF_UNIX)
		text_unix(b, n, 0);
	else if (has_local(n))
		text_endpoint(b, n->family, n->laddr, n->lport);
	else
		text_quote(b, "", 0);
}

static void text_err(struct jbuf *b, int64_t ret)
{
	char d[128];

	jbuf_printf(b, " = %lld (%s)", (long long)ret,
		    ret < 0 && ret >= -4095 ? net_errdesc((int)-ret, d, sizeof(d)) : "?");
}

void net_text(struct jbuf *b, const struct event *ev)
{
	const struct ev_net *n = &ev->net;
	const char *proto = net_protocol_name(n->family, n->sock_type, n->protocol);

	jbuf_puts(b, ev->name ? ev->name : "unknown");
	if (ev->type != LT_EV_UDP_SEND) {
		jbuf_putc(b, '_');
		jbuf_puts(b, proto);
	}
	jbuf_printf(b, "(%d, ", ev->type == LT_EV_ACCEPT ? n->arg : n->fd);
	switch (ev->type) {
	case LT_EV_CONNECT:
		if (n->family == NET_AF_UNIX)
			text_unix(b, n, 1);
		else
			text_endpoint(b, n->rfamily, n->raddr, n->rport);
		jbuf_putc(b, ')');
		if (ev->ret)
			text_err(b, ev->ret);
		break;
	case LT_EV_BIND:
	case LT_EV_LISTEN:
		text_local(b, n);
		if (ev->type == LT_EV_LISTEN)
			jbuf_printf(b, ", %d", n->arg);
		jbuf_putc(b, ')');
		if (ev->ret)
			text_err(b, ev->ret);
		break;
	case LT_EV_ACCEPT:
		text_local(b, n);
		if (ev->ret >= 0) {
			jbuf_puts(b, ", ");
			if (n->family == NET_AF_UNIX)
				text_unix(b, n, 1);
			else
				text_endpoint(b, n->rfamily, n->raddr, n->rport);
			jbuf_printf(b, ") = %lld", (long long)ev->ret);
		} else {
			jbuf_putc(b, ')');
			text_err(b, ev->ret);
		}
		break;
	case LT_EV_UDP_SEND:
		text_endpoint(b, n->rfamily, n->raddr, n->rport);
		jbuf_putc(b, ')');
		if (ev->ret < 0)
			text_err(b, ev->ret);
		else
			jbuf_printf(b, " = %lld", (long long)ev->ret);
		break;
	case LT_EV_CONNECT_RESULT: {
		const char *sn = net_tcp_state_name(n->state);

		text_endpoint(b, n->rfamily, n->raddr, n->rport);
		jbuf_puts(b, ", ");
		text_quote(b, sn ? sn : "?", strlen(sn ? sn : "?"));
		jbuf_putc(b, ')');
		if (n->err)
			text_err(b, n->err);
		break;
	}
	default:
		jbuf_putc(b, ')');
	}
}

/* ---- policy ----------------------------------------------------------------------- */

void net_policy_build(const struct lt_config *c, struct lt_net_policy *np)
{
	memset(np, 0, sizeof(*np));
	np->events = c->net_cli;
	if (c->have_policy && c->net_enabled)
		np->events |= LT_NE_CONNECT_GROUP | LT_NE_LISTEN_GROUP;
	for (size_t i = 0; i < c->nprotocols; i++) {
		if (!strcmp(c->protocols[i], "tcp"))
			np->protos |= LT_NP_TCP;
		else if (!strcmp(c->protocols[i], "udp"))
			np->protos |= LT_NP_UDP;
		else if (!strcmp(c->protocols[i], "unix"))
			np->protos |= LT_NP_UNIX;
	}
	if (!c->nprotocols)
		np->protos = LT_NP_TCP | LT_NP_UDP | LT_NP_UNIX;
	np->any_port = c->nports == 0;
	for (size_t i = 0; i < c->nports; i++) {
		uint32_t p = (uint32_t)c->ports[i] & 0xffff;

		np->ports[p >> 5] |= 1u << (p & 31);
	}
}
