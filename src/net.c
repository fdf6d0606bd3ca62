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
#include "output/jsonw.h"
#include "net.h"

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

static void kv_endpoint(struct jbuf *b, const char *addr_key, const char *port_key,
			unsigned int family, const uint8_t addr[16], uint16_t port)
{
	char a[INET6_ADDRSTRLEN];

	if (net_format_addr(family, addr, a, sizeof(a)) < 0)
		return;
	json_key(b, addr_key);
	json_str_plain(b, a, strlen(a));
	json_kv_uint(b, port_key, port);
}

static void kv_unix(struct jbuf *b, const char *key, const struct ev_net *n, int i)
{
	char p[NET_UNIX_MAX];
	size_t len = net_format_unix(n->path[i], n->path_len[i], p, sizeof(p));

	json_key(b, key);
	json_str(b, p, len);
}

static bool has_local(const struct ev_net *n)
{
	return n->nflags & LT_NF_LOCAL;
}

void net_json(struct jbuf *b, const struct event *ev)
{
	const struct ev_net *n = &ev->net;
	const char *fam = net_family_name(n->family), *st = net_socktype_name(n->sock_type);
	bool is_unix = n->family == NET_AF_UNIX;

	if (ev->type != LT_EV_ACCEPT || n->fd >= 0)
		json_kv_int(b, "fd", n->fd);
	if (ev->type == LT_EV_ACCEPT)
		json_kv_int(b, "listen_fd", n->arg);
	json_kv_str(b, "family", fam);
	json_kv_str(b, "protocol", net_protocol_name(n->family, n->sock_type, n->protocol));
	json_kv_str(b, "socket_type", st);
	switch (ev->type) {
	case LT_EV_CONNECT:
		if (is_unix)
			kv_unix(b, "unix_path", n, 1);
		else
			kv_endpoint(b, "remote_addr", "remote_port", n->rfamily, n->raddr, n->rport);
		if (!is_unix && has_local(n))
			kv_endpoint(b, "local_addr", "local_port", n->family, n->laddr, n->lport);
		break;
	case LT_EV_BIND:
	case LT_EV_LISTEN:
		if (is_unix)
			kv_unix(b, "unix_path", n, 0);
		else if (has_local(n))
			kv_endpoint(b, "local_addr", "local_port", n->family, n->laddr, n->lport);
		if (ev->type == LT_EV_LISTEN)
			json_kv_int(b, "backlog", n->arg);
		break;
	case LT_EV_ACCEPT:
		if (is_unix) {
			kv_unix(b, "unix_path", n, 0);
			if (n->path_len[1])
				kv_unix(b, "peer_unix_path", n, 1);
			break;
		}
		if (has_local(n))
			kv_endpoint(b, "local_addr", "local_port", n->family, n->laddr, n->lport);
		if (n->rfamily)
			kv_endpoint(b, "remote_addr", "remote_port", n->rfamily, n->raddr, n->rport);
		break;
	case LT_EV_UDP_SEND:
		kv_endpoint(b, "remote_addr", "remote_port", n->rfamily, n->raddr, n->rport);
		if (has_local(n))
			kv_endpoint(b, "local_addr", "local_port", n->family, n->laddr, n->lport);
		json_kv_bool(b, "connected", n->nflags & LT_NF_CONNECTED);
		break;
	case LT_EV_CONNECT_RESULT: {
		const char *sn = net_tcp_state_name(n->state);
		char d[128];

		kv_endpoint(b, "remote_addr", "remote_port", n->rfamily, n->raddr, n->rport);
		if (has_local(n))
			kv_endpoint(b, "local_addr", "local_port", n->family, n->laddr, n->lport);
		if (sn)
			json_kv_str(b, "state", sn);
		else
			json_kv_uint(b, "state", n->state);
		json_kv_str(b, "result", n->state == NET_TCP_ESTABLISHED ? "established" :
					 n->err ? "failed" : "aborted");
		json_kv_int(b, "error_code", n->err);
		if (n->err)	/* the kernel writes -errno; anything else is "?" */
			json_kv_str(b, "error", net_errdesc(n->err < 0 && n->err > -4096 ?
							    -n->err : 0, d, sizeof(d)));
		json_kv_uint(b, "handshake_ns", n->dur_ns);
		break;
	}
	}
}

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
