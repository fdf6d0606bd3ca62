/* SPDX-License-Identifier: MIT */
/*
 * net - network events in user space: decoding the kernel's lt_net_ev,
 * formatting addresses, the JSON fields and the SysTracer-style text line,
 * and the in-kernel network policy built from the configuration.
 *
 * The field names and text forms are documented in docs/events.md
 * ("Network events").
 */
#ifndef LTRACK_NET_H
#define LTRACK_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ltrack/event.h>

struct event;
struct jbuf;
struct lt_config;

/* the longest text net_format_endpoint writes: "[v6%scope]:65535" and NUL */
#define NET_ENDPOINT_MAX 64
/* the longest text net_format_unix writes: "@" and 108 bytes and NUL */
#define NET_UNIX_MAX (LT_UNIX_PATH_MAX + 2)

/* net_is_event - @type is one of the network events (connect ... connect_result) */
bool net_is_event(uint32_t type);

/*
 * net_decode - the network part of ring record @rec (@len bytes) into
 * ev->net. Returns 0, or -EINVAL when the size does not match the family
 * (sizeof(lt_net_ev), plus sizeof(lt_net_unix) for AF_UNIX) or a name
 * length exceeds LT_UNIX_PATH_MAX.
 */
int net_decode(const void *rec, size_t len, struct event *ev);

/* net_family_name - "AF_INET", "AF_INET6", "AF_UNIX"; NULL for another family */
const char *net_family_name(unsigned int family);

/* net_protocol_name - "tcp", "udp", "unix", or "unknown" */
const char *net_protocol_name(unsigned int family, unsigned int sock_type, unsigned int proto);

/* net_socktype_name - "stream", "dgram", "seqpacket", "raw"...; NULL when unknown */
const char *net_socktype_name(unsigned int sock_type);

/* net_tcp_state_name - "ESTABLISHED", "SYN_SENT", "CLOSE"...; NULL when unknown */
const char *net_tcp_state_name(unsigned int state);

/*
 * net_format_addr - @addr (network order; IPv4 in its first 4 bytes) of
 * @family as text into @buf: "192.0.2.1", "::1", "::ffff:127.0.0.1".
 * Returns the length, or -EAFNOSUPPORT for another family, -ENOSPC when
 * @len is too small (@buf is then "").
 */
int net_format_addr(unsigned int family, const uint8_t addr[16], char *buf, size_t len);

/*
 * net_format_endpoint - address and port: "192.0.2.1:443", "[::1]:443".
 * Returns the length or -errno as net_format_addr.
 */
int net_format_endpoint(unsigned int family, const uint8_t addr[16], uint16_t port, char *buf,
			size_t len);

/*
 * net_format_unix - an AF_UNIX name as the kernel holds it (@n raw
 * sun_path bytes) into @buf: a path name up to its first NUL; an abstract
 * name (first byte NUL) as "@" and its bytes, each NUL among them shown as
 * '@' (as ss(8) does). Other bytes are copied as they are (the JSON and
 * text encoders escape them). Returns the length written (no NUL counted;
 * the result may be cut to fit @len - 1 bytes); 0 for an unnamed socket.
 */
size_t net_format_unix(const uint8_t *path, size_t n, char *buf, size_t len);

/*
 * net_errdesc - the lower-case description of errno @err (positive) in
 * the style of SysTracer ("connection refused"); "?" when unknown.
 */
const char *net_errdesc(int err, char *buf, size_t len);

/* net_fields - the fields of the network events (after the common ones; src/fields.h) */
struct ev_field_list;
extern const struct ev_field_list net_fields;

/*
 * net_text - the call part of a text line for @ev, without the newline:
 * connect_tcp(3, "192.0.2.1:443") = -111 (connection refused)
 */
void net_text(struct jbuf *b, const struct event *ev);

/*
 * net_policy_build - the kernel's network knobs for config @c: the event
 * groups (every one when [network_monitor] enabled, plus c->net_cli), the
 * protocols (empty list: all) and the port bitmap (empty list: any port).
 */
void net_policy_build(const struct lt_config *c, struct lt_net_policy *np);

#endif
