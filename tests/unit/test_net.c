// SPDX-License-Identifier: MIT
/*
 * test_net.c - network events in user space (src/net.c): address and name
 * formatting, decoding lt_net_ev records as the BPF side lays them out, the
 * JSON fields and SysTracer text lines, and the kernel policy built from a
 * configuration.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "events.h"
#include "output/jsonw.h"
#include "net.h"
#include "output/format.h"

struct nrec {
	struct lt_net_ev ev;
	struct lt_net_unix un;
};

static const struct fmt_ctx ctx0 = { .hostname = "host", .boot_id = "b-1", .seq = 1 };

static void rec_init(struct nrec *r, uint32_t type, int nr, long ret)
{
	memset(r, 0, sizeof(*r));
	r->ev.hdr.type = type;
	r->ev.hdr.size = sizeof(r->ev);
	r->ev.hdr.ts_boot_ns = 5000000000ULL;
	r->ev.hdr.tgid = 42;
	r->ev.hdr.tid = 42;
	r->ev.hdr.syscall_nr = nr;
	r->ev.hdr.ret = ret;
	r->ev.hdr.flags = LT_HF_REPORT;
	memcpy(r->ev.hdr.comm, "curl", 5);
}

static void v4(uint8_t a[16], const char *s)
{
	memset(a, 0, 16);
	assert_int_equal(inet_pton(AF_INET, s, a), 1);
}

static void v6(uint8_t a[16], const char *s)
{
	assert_int_equal(inet_pton(AF_INET6, s, a), 1);
}

/* decode @r (@len bytes) and encode it; returns the text */
static const char *enc(struct jbuf *b, struct event *ev, const struct nrec *r, size_t len,
		       bool text)
{
	assert_int_equal(event_decode(r, len, ev), 0);
	ev->ts_ns = 1795309796006040837ULL;
	jbuf_reset(b);
	assert_int_equal(text ? format_text(b, ev, &ctx0) : format_json(b, ev, &ctx0), 0);
	return jbuf_cstr(b);
}

static void test_abi_sizes(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct lt_net_ev), 200);
	assert_int_equal(offsetof(struct lt_net_ev, laddr), 128);
	assert_int_equal(offsetof(struct lt_net_ev, fd), 168);
	assert_int_equal(offsetof(struct lt_net_ev, path_len), 196);
	assert_int_equal(sizeof(struct lt_net_unix), 216);
}

static void test_format_addr_and_endpoint(void **state)
{
	uint8_t a[16];
	char buf[NET_ENDPOINT_MAX];

	(void)state;
	v4(a, "192.0.2.1");
	assert_int_equal(net_format_addr(2, a, buf, sizeof(buf)), 9);
	assert_string_equal(buf, "192.0.2.1");
	assert_int_equal(net_format_endpoint(2, a, 443, buf, sizeof(buf)), 13);
	assert_string_equal(buf, "192.0.2.1:443");
	v6(a, "::1");
	net_format_endpoint(10, a, 443, buf, sizeof(buf));
	assert_string_equal(buf, "[::1]:443");
	v6(a, "::ffff:127.0.0.1");
	net_format_addr(10, a, buf, sizeof(buf));
	assert_string_equal(buf, "::ffff:127.0.0.1");
	/* the longest form fits NET_ENDPOINT_MAX */
	v6(a, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
	assert_int_equal(net_format_endpoint(10, a, 65535, buf, sizeof(buf)),
			 (int)strlen("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe]:65535"));
	/* errors leave "" */
	assert_int_equal(net_format_addr(1, a, buf, sizeof(buf)), -EAFNOSUPPORT);
	assert_string_equal(buf, "");
	v4(a, "10.0.0.1");
	assert_int_equal(net_format_endpoint(2, a, 80, buf, 8), -ENOSPC);
	assert_string_equal(buf, "");
	assert_int_equal(net_format_addr(2, a, buf, 4), -ENOSPC);
	assert_string_equal(buf, "");
	/* IPv4 is formatted by hand: the same text as inet_ntop, every octet value */
	for (unsigned i = 0; i < 256; i++) {
		char want[INET_ADDRSTRLEN];

		memset(a, 0, sizeof(a));
		a[0] = (uint8_t)i;
		a[1] = (uint8_t)(255 - i);
		a[2] = (uint8_t)(i / 2);
		a[3] = (uint8_t)(i * 7);
		assert_non_null(inet_ntop(AF_INET, a, want, sizeof(want)));
		assert_int_equal(net_format_addr(2, a, buf, sizeof(buf)), (int)strlen(want));
		assert_string_equal(buf, want);
	}
}

static void test_format_unix_names(void **state)
{
	char buf[NET_UNIX_MAX];
	static const uint8_t path[] = "/run/x.sock\0garbage";
	static const uint8_t abs[] = { 0, 'a', 0, 'b' };

	(void)state;
	assert_int_equal(net_format_unix(path, sizeof(path), buf, sizeof(buf)), 11);
	assert_string_equal(buf, "/run/x.sock");
	/* abstract: a leading '@', and every NUL within shown as '@' too */
	assert_int_equal(net_format_unix(abs, sizeof(abs), buf, sizeof(buf)), 4);
	assert_string_equal(buf, "@a@b");
	assert_int_equal(net_format_unix(NULL, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	/* a path without its NUL, cut to the buffer */
	assert_int_equal(net_format_unix((const uint8_t *)"/abcdef", 7, buf, 4), 3);
	assert_string_equal(buf, "/ab");
}

static void test_names(void **state)
{
	char d[64];

	(void)state;
	assert_string_equal(net_family_name(2), "AF_INET");
	assert_string_equal(net_family_name(10), "AF_INET6");
	assert_string_equal(net_family_name(1), "AF_UNIX");
	assert_null(net_family_name(16));
	assert_string_equal(net_protocol_name(2, 1, 6), "tcp");
	assert_string_equal(net_protocol_name(10, 2, 17), "udp");
	assert_string_equal(net_protocol_name(1, 5, 0), "unix");
	assert_string_equal(net_protocol_name(2, 3, 1), "unknown");
	assert_string_equal(net_socktype_name(5), "seqpacket");
	assert_null(net_socktype_name(9));
	assert_null(net_socktype_name(4000));
	assert_string_equal(net_tcp_state_name(1), "ESTABLISHED");
	assert_string_equal(net_tcp_state_name(7), "CLOSE");
	assert_null(net_tcp_state_name(99));
	assert_string_equal(net_errdesc(111, d, sizeof(d)), "connection refused");
	assert_string_equal(net_errdesc(115, d, sizeof(d)), "operation now in progress");
	assert_string_equal(net_errdesc(0, d, sizeof(d)), "?");
	assert_string_equal(net_errdesc(5000, d, sizeof(d)), "?");
}

static void test_decode_checks_sizes(void **state)
{
	struct nrec r;
	struct event *ev = calloc(1, sizeof(*ev));

	(void)state;
	rec_init(&r, LT_EV_CONNECT, 42, 0);
	r.ev.family = 2;
	assert_int_equal(event_decode(&r, sizeof(r.ev), ev), 0);
	assert_string_equal(ev->name, "connect");
	/* an IP record with the unix part, a unix record without it */
	r.ev.hdr.size = sizeof(r);
	assert_int_equal(event_decode(&r, sizeof(r), ev), -EINVAL);
	r.ev.family = 1;
	r.ev.hdr.size = sizeof(r.ev);
	assert_int_equal(event_decode(&r, sizeof(r.ev), ev), -EINVAL);
	r.ev.hdr.size = sizeof(r);
	r.ev.path_len[1] = LT_UNIX_PATH_MAX;
	assert_int_equal(event_decode(&r, sizeof(r), ev), 0);
	assert_int_equal(ev->net.path_len[1], LT_UNIX_PATH_MAX);
	assert_ptr_equal(ev->net.path[1], (const uint8_t *)&r.un.path[1]);
	r.ev.path_len[0] = LT_UNIX_PATH_MAX + 1;
	assert_int_equal(event_decode(&r, sizeof(r), ev), -EINVAL);
	/* every network type decodes; a short record does not */
	for (uint32_t t = LT_EV_BIND; t <= LT_EV_CONNECT_RESULT; t++) {
		rec_init(&r, t, -1, 0);
		r.ev.family = 10;
		assert_int_equal(event_decode(&r, sizeof(r.ev), ev), 0);
		assert_true(net_is_event(t));
		r.ev.hdr.size = sizeof(r.ev) - 8;
		assert_int_equal(event_decode(&r, sizeof(r.ev) - 8, ev), -EINVAL);
	}
	assert_false(net_is_event(LT_EV_OPEN));
	free(ev);
}

static void test_connect_refused_text_and_json(void **state)
{
	struct nrec r;
	struct event *ev = calloc(1, sizeof(*ev));
	struct jbuf b;
	const char *s;

	(void)state;
	jbuf_init(&b);
	rec_init(&r, LT_EV_CONNECT, 42, -111);
	r.ev.fd = 3;
	r.ev.family = r.ev.rfamily = 2;
	r.ev.sock_type = 1;
	r.ev.protocol = 6;
	v4(r.ev.raddr, "1.2.3.4");
	r.ev.rport = 443;
	s = enc(&b, ev, &r, sizeof(r.ev), true);
	assert_string_equal(s, "2026-11-22T01:09:56.006040Z \"curl\"[42] "
			       "connect_tcp(3, \"1.2.3.4:443\") = -111 (connection refused)\n");
	s = enc(&b, ev, &r, sizeof(r.ev), false);
	assert_non_null(strstr(s, "\"event_type\":3,\"event_name\":\"connect\","));
	assert_non_null(strstr(s, "\"syscall_nr\":42,\"ret_code\":-111,\"fd\":3,"
				  "\"family\":\"AF_INET\",\"protocol\":\"tcp\","
				  "\"socket_type\":\"stream\",\"remote_addr\":\"1.2.3.4\","
				  "\"remote_port\":443}\n"));
	/* with its local end, IPv6, success: no " = " part */
	r.ev.hdr.ret = 0;
	r.ev.family = r.ev.rfamily = 10;
	v6(r.ev.raddr, "::1");
	v6(r.ev.laddr, "::1");
	r.ev.lport = 50000;
	r.ev.nflags = LT_NF_LOCAL;
	s = enc(&b, ev, &r, sizeof(r.ev), true);
	assert_non_null(strstr(s, "] connect_tcp(3, \"[::1]:443\")\n"));
	s = enc(&b, ev, &r, sizeof(r.ev), false);
	assert_non_null(strstr(s, "\"remote_addr\":\"::1\",\"remote_port\":443,"
				  "\"local_addr\":\"::1\",\"local_port\":50000}"));
	jbuf_release(&b);
	free(ev);
}

static void test_listen_bind_accept_udp(void **state)
{
	struct nrec r;
	struct event *ev = calloc(1, sizeof(*ev));
	struct jbuf b;
	const char *s;

	(void)state;
	jbuf_init(&b);
	rec_init(&r, LT_EV_LISTEN, 50, 0);
	r.ev.fd = 3;
	r.ev.arg = 128;
	r.ev.family = 2;
	r.ev.sock_type = 1;
	r.ev.protocol = 6;
	v4(r.ev.laddr, "0.0.0.0");
	r.ev.lport = 8080;
	r.ev.nflags = LT_NF_LOCAL;
	s = enc(&b, ev, &r, sizeof(r.ev), true);
	assert_non_null(strstr(s, "] listen_tcp(3, \"0.0.0.0:8080\", 128)\n"));
	s = enc(&b, ev, &r, sizeof(r.ev), false);
	assert_non_null(strstr(s, "\"fd\":3,\"family\":\"AF_INET\",\"protocol\":\"tcp\","
				  "\"socket_type\":\"stream\",\"local_addr\":\"0.0.0.0\","
				  "\"local_port\":8080,\"backlog\":128}"));

	r.ev.hdr.type = LT_EV_BIND;
	r.ev.hdr.ret = -98;
	r.ev.sock_type = 2;
	r.ev.protocol = 17;
	s = enc(&b, ev, &r, sizeof(r.ev), true);
	assert_non_null(strstr(s, "] bind_udp(3, \"0.0.0.0:8080\") = -98 (address already in use)\n"));

	rec_init(&r, LT_EV_ACCEPT, 288, 5);
	r.ev.fd = 5;
	r.ev.arg = 3;
	r.ev.family = r.ev.rfamily = 2;
	r.ev.sock_type = 1;
	r.ev.protocol = 6;
	v4(r.ev.laddr, "127.0.0.1");
	r.ev.lport = 8080;
	v4(r.ev.raddr, "127.0.0.1");
	r.ev.rport = 41234;
	r.ev.nflags = LT_NF_LOCAL;
	s = enc(&b, ev, &r, sizeof(r.ev), true);
	assert_non_null(strstr(s, "] accept_tcp(3, \"127.0.0.1:8080\", \"127.0.0.1:41234\") = 5\n"));
	s = enc(&b, ev, &r, sizeof(r.ev), false);
	assert_non_null(strstr(s, "\"ret_code\":5,\"fd\":5,\"listen_fd\":3,\"family\":\"AF_INET\","
				  "\"protocol\":\"tcp\",\"socket_type\":\"stream\","
				  "\"local_addr\":\"127.0.0.1\",\"local_port\":8080,"
				  "\"remote_addr\":\"127.0.0.1\",\"remote_port\":41234}"));
	/* a failed accept: no new fd, the listening socket's end only */
	r.ev.hdr.ret = -24;
	r.ev.fd = -1;
	r.ev.rfamily = 0;
	s = enc(&b, ev, &r, sizeof(r.ev), false);
	assert_null(strstr(s, "\"fd\":"));
	assert_null(strstr(s, "remote_addr"));
	s = enc(&b, ev, &r, sizeof(r.ev), true);
	assert_non_null(strstr(s, "] accept_tcp(3, \"127.0.0.1:8080\") = -24 (too many open files)\n"));

	rec_init(&r, LT_EV_UDP_SEND, 44, 32);
	r.ev.fd = 4;
	r.ev.family = 10;
	r.ev.rfamily = 2;	/* an AF_INET6 socket sending to an AF_INET address */
	r.ev.sock_type = 2;
	r.ev.protocol = 17;
	v4(r.ev.raddr, "8.8.8.8");
	r.ev.rport = 53;
	s = enc(&b, ev, &r, sizeof(r.ev), true);
	assert_non_null(strstr(s, "] udp_send(4, \"8.8.8.8:53\") = 32\n"));
	s = enc(&b, ev, &r, sizeof(r.ev), false);
	assert_non_null(strstr(s, "\"family\":\"AF_INET6\",\"protocol\":\"udp\","
				  "\"socket_type\":\"dgram\",\"remote_addr\":\"8.8.8.8\","
				  "\"remote_port\":53,\"connected\":false}"));
	jbuf_release(&b);
	free(ev);
}

static void test_connect_result(void **state)
{
	struct nrec r;
	struct event *ev = calloc(1, sizeof(*ev));
	struct jbuf b;
	const char *s;

	(void)state;
	jbuf_init(&b);
	rec_init(&r, LT_EV_CONNECT_RESULT, -1, 0);
	r.ev.fd = 3;
	r.ev.family = r.ev.rfamily = 2;
	r.ev.sock_type = 1;
	r.ev.protocol = 6;
	v4(r.ev.raddr, "1.2.3.4");
	r.ev.rport = 443;
	r.ev.state = 7;
	r.ev.err = -111;
	r.ev.dur_ns = 1500;
	s = enc(&b, ev, &r, sizeof(r.ev), false);
	assert_null(strstr(s, "syscall_nr"));
	assert_non_null(strstr(s, "\"remote_addr\":\"1.2.3.4\",\"remote_port\":443,"
				  "\"state\":\"CLOSE\",\"result\":\"failed\",\"error_code\":-111,"
				  "\"error\":\"connection refused\",\"handshake_ns\":1500}"));
	s = enc(&b, ev, &r, sizeof(r.ev), true);
	assert_non_null(strstr(s, "] connect_result_tcp(3, \"1.2.3.4:443\", \"CLOSE\") = -111 "
				  "(connection refused)\n"));
	r.ev.err = 0;
	s = enc(&b, ev, &r, sizeof(r.ev), false);
	assert_non_null(strstr(s, "\"result\":\"aborted\",\"error_code\":0,\"handshake_ns\""));
	r.ev.state = 1;
	v4(r.ev.laddr, "10.0.0.2");
	r.ev.lport = 40000;
	r.ev.nflags = LT_NF_LOCAL;
	s = enc(&b, ev, &r, sizeof(r.ev), false);
	assert_non_null(strstr(s, "\"local_addr\":\"10.0.0.2\",\"local_port\":40000,"
				  "\"state\":\"ESTABLISHED\",\"result\":\"established\","
				  "\"error_code\":0,\"handshake_ns\":1500}"));
	s = enc(&b, ev, &r, sizeof(r.ev), true);
	assert_non_null(strstr(s, "] connect_result_tcp(3, \"1.2.3.4:443\", \"ESTABLISHED\")\n"));
	jbuf_release(&b);
	free(ev);
}

static void test_unix_names_in_events(void **state)
{
	struct nrec r;
	struct event *ev = calloc(1, sizeof(*ev));
	struct jbuf b;
	const char *s;

	(void)state;
	jbuf_init(&b);
	rec_init(&r, LT_EV_CONNECT, 42, 0);
	r.ev.hdr.size = sizeof(r);
	r.ev.fd = 3;
	r.ev.family = 1;
	r.ev.sock_type = 2;
	memcpy(r.un.path[1], "\0ab\"c", 5);
	r.ev.path_len[1] = 5;
	s = enc(&b, ev, &r, sizeof(r), true);
	assert_non_null(strstr(s, "] connect_unix(3, \"@ab\\\"c\")\n"));
	s = enc(&b, ev, &r, sizeof(r), false);
	assert_non_null(strstr(s, "\"fd\":3,\"family\":\"AF_UNIX\",\"protocol\":\"unix\","
				  "\"socket_type\":\"dgram\",\"unix_path\":\"@ab\\\"c\"}"));
	/* accept: the listener's name and the peer's (when bound) */
	rec_init(&r, LT_EV_ACCEPT, 43, 6);
	r.ev.hdr.size = sizeof(r);
	r.ev.fd = 6;
	r.ev.arg = 3;
	r.ev.family = 1;
	r.ev.sock_type = 1;
	memcpy(r.un.path[0], "/run/l.sock", 12);
	r.ev.path_len[0] = 12;
	s = enc(&b, ev, &r, sizeof(r), false);
	assert_non_null(strstr(s, "\"unix_path\":\"/run/l.sock\"}"));
	s = enc(&b, ev, &r, sizeof(r), true);
	assert_non_null(strstr(s, "] accept_unix(3, \"/run/l.sock\", \"\") = 6\n"));
	memcpy(r.un.path[1], "/run/p", 6);
	r.ev.path_len[1] = 6;
	s = enc(&b, ev, &r, sizeof(r), false);
	assert_non_null(strstr(s, "\"unix_path\":\"/run/l.sock\",\"peer_unix_path\":\"/run/p\"}"));
	jbuf_release(&b);
	free(ev);
}

static void test_policy_build(void **state)
{
	struct lt_config c;
	struct lt_net_policy *np = calloc(1, sizeof(*np));
	int64_t ports[] = { 80, 443, 65535 };
	char *protos[] = { "udp", "unix" };

	(void)state;
	config_init(&c);
	/* nothing asked: no event; every protocol and port once something is */
	net_policy_build(&c, np);
	assert_int_equal(np->events, 0);
	assert_int_equal(np->protos, LT_NP_TCP | LT_NP_UDP | LT_NP_UNIX);
	assert_int_equal(np->any_port, 1);
	/* enabled counts only with a policy file; flags always */
	c.net_enabled = true;
	net_policy_build(&c, np);
	assert_int_equal(np->events, 0);
	c.have_policy = true;
	net_policy_build(&c, np);
	assert_int_equal(np->events, LT_NE_CONNECT_GROUP | LT_NE_LISTEN_GROUP);
	c.net_enabled = false;
	c.net_cli = LT_NE_LISTEN_GROUP;
	net_policy_build(&c, np);
	assert_int_equal(np->events, LT_NE(LT_EV_BIND) | LT_NE(LT_EV_LISTEN) | LT_NE(LT_EV_ACCEPT));
	c.ports = ports;
	c.nports = 3;
	c.protocols = protos;
	c.nprotocols = 2;
	net_policy_build(&c, np);
	assert_int_equal(np->protos, LT_NP_UDP | LT_NP_UNIX);
	assert_int_equal(np->any_port, 0);
	assert_int_equal(np->ports[80 / 32], 1u << (80 % 32));
	assert_int_equal(np->ports[443 / 32], 1u << (443 % 32));
	assert_int_equal(np->ports[2047], 1u << 31);
	assert_int_equal(np->ports[0], 0);
	c.ports = NULL;
	c.nports = 0;
	c.protocols = NULL;
	c.nprotocols = 0;
	config_release(&c);
	free(np);
}

static void test_config_protocols_and_flags(void **state)
{
	static const char good[] = "[network_monitor]\nenabled = true\nports = [53]\n"
				   "protocols = [\"unix\", \"tcp\"]\n";
	static const char bad[] = "[network_monitor]\nprotocols = [\"tcp\", \"icmp\"]\n";
	struct lt_config c;
	struct lt_config_err err = {};

	(void)state;
	config_init(&c);
	assert_int_equal(config_load_buf(&c, good, sizeof(good) - 1, "p.toml", &err), 0);
	assert_true(c.net_enabled);
	assert_int_equal(c.nprotocols, 2);
	config_release(&c);
	config_init(&c);
	assert_int_equal(config_load_buf(&c, bad, sizeof(bad) - 1, "p.toml", &err), -EINVAL);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "icmp"));
	config_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abi_sizes),
		cmocka_unit_test(test_format_addr_and_endpoint),
		cmocka_unit_test(test_format_unix_names),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_decode_checks_sizes),
		cmocka_unit_test(test_connect_refused_text_and_json),
		cmocka_unit_test(test_listen_bind_accept_udp),
		cmocka_unit_test(test_connect_result),
		cmocka_unit_test(test_unix_names_in_events),
		cmocka_unit_test(test_policy_build),
		cmocka_unit_test(test_config_protocols_and_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
