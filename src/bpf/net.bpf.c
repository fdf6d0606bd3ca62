// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * net.bpf.c - network events: connect, bind, listen, accept, the first UDP
 * datagram to each destination, and the outcome of TCP handshakes.
 *
 * Design: exit-only per-syscall tracepoints, as in file.bpf.c. At
 * sys_exit_X the return value is known and the arguments are still in the
 * task's saved user registers. The socket is found from the descriptor
 * (fd -> struct file -> struct socket -> struct sock), which gives the
 * protocol, and the local (and for accept the peer) address. The address a
 * program passed (connect, bind, sendto, sendmsg) is read from its memory,
 * bounded by the length it passed.
 *
 * Every program rejects early, before any ring space is used: the event
 * type must be selected ([network_monitor] / --connect / --listen, and
 * ev_gate), the socket must be TCP, UDP or AF_UNIX and its protocol
 * selected, and the service port in the ports list: the remote port for
 * connect and udp_send, the local port for bind, listen and accept.
 *
 * connect_result. A TCP handshake ends (SYN_SENT -> ESTABLISHED or CLOSE,
 * tracepoint inet_sock_set_state) either inside the connect call (blocking
 * connects, and loopback, where the answer is processed when the socket
 * lock is released) or later in softirq context, possibly on another CPU
 * at the very moment the connect returns. So the record is prepared when
 * the SYN is sent (CLOSE -> SYN_SENT runs in the connecting task, inside
 * connect(2)), in lt_net_pend keyed by the struct sock, and whichever of
 * "the connect returned" (D) and "the handshake ended" (R) comes second
 * emits it. The arbiter is the deletion of the socket's token in
 * lt_net_tok: the party whose delete succeeds is first and leaves the
 * record to the other. Each party writes only its own part before deleting
 * (D: the header, copied from the connect's record, so the result carries
 * the connecting process; R: the outcome, the local end and the time), and
 * the map's bucket lock orders those writes before the other party's reads.
 * A connect that is not reported (filtered, or failed without --failed)
 * cancels the record, so a connect_result only follows a reported connect.
 *
 * udp_send is deduplicated in the kernel: an LRU set of (socket, remote
 * address, port) keeps one event per socket and destination (a DNS lookup
 * shows once per socket and server).
 */
#include "common.bpf.h"
#include <bpf/bpf_endian.h>

#define AF_UNIX_ 1
#define AF_INET_ 2
#define AF_INET6_ 10
#define SOCK_STREAM_ 1
#define SOCK_DGRAM_ 2
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define EAGAIN_ 11
#define EINPROGRESS_ 115
#define TCP_ESTABLISHED_ 1
#define TCP_SYN_SENT_ 2
#define TCP_CLOSE_ 7
#define S_IFMT__ 0170000
#define S_IFSOCK_ 0140000
#define NR_connect_ 42
#define NET_MMSG_MAX 4		/* sendmmsg: messages looked at per call */

/*
 * net_clamp - @x (a __u64) = min(@x, @max), written so the verifier sees
 * the bound: clang otherwise reuses an unclamped copy of the register.
 */
#define net_clamp(x, max) \
	asm volatile("if %[v] <= " #max " goto +1; %[v] = " #max : [v] "+r"(x))

/* the record of syscalls/sys_exit_* tracepoints (their "format" file) */
struct net_exit_ctx {
	__u64 common;
	int id;
	int pad;
	long ret;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LT_GENS);
	__type(key, __u32);
	__type(value, struct lt_net_policy);
} lt_net_pol SEC(".maps");

/* a TCP connect awaiting its handshake (see the design note) */
struct net_pend {
	/*
	 * the connect_result: addresses when the SYN was sent; the header (but
	 * its time) copied by D from the connect's own record; the outcome by R
	 */
	struct lt_net_ev ev;
	__u64 syn_ns;
	__u64 res_ns;		/* when the handshake ended (R): the record's time */
	__u32 tid;		/* the connecting thread */
	__u32 d_done;		/* its connect returned (written by that thread only) */
	__u32 cancel;		/* the connect was not reported: no result */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);	/* struct sock * */
	__type(value, struct net_pend);
} lt_net_pend SEC(".maps");

/* not LRU: an evicted token would make both parties think they are second */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u32);
} lt_net_tok SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct net_pend);
} lt_net_pscratch SEC(".maps");

/* udp_send dedup: (socket, destination) seen */
struct net_udp_key {
	__u64 sk;
	__u64 ino;		/* the socket's inode: a reused struct sock is another socket */
	__u8 addr[16];
	__u16 port;
	__u16 family;
	__u32 failed;		/* failed sends (--failed) are remembered apart */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct net_udp_key);
	__type(value, __u32);
} lt_udp_seen SEC(".maps");

/* the socket behind a descriptor */
struct net_sock {
	struct sock *sk;
	__u64 ino;
	__u16 family, type, proto, pad;
	__u32 pbit;		/* LT_NP_*, 0 = a socket we do not report */
};

/* what an event says, gathered before ring space is taken */
struct net_info {
	__u8 laddr[16];
	__u8 raddr[16];
	__s32 fd, arg;
	__u16 family, rfamily, type, proto, lport, rport, nflags, pad;
	const void *path[2];	/* AF_UNIX names: where to copy them from */
	__u32 plen[2];
	__u32 puser;		/* bit i: path[i] is user memory */
};

/* a sockaddr_in or sockaddr_in6 as a program passed it */
struct net_uaddr {
	__u16 family;
	__u16 port;		/* network order */
	__u32 v4;		/* sin_addr (sin6_flowinfo for IPv6) */
	__u8 v6[16];
	__u32 scope;
	__u32 pad;
};

static __always_inline bool net_restart(long ret)
{
	/* -ERESTARTSYS..-ERESTART_RESTARTBLOCK: the call is restarted and reported then */
	return ret <= -512 && ret >= -516;
}

static __always_inline __u32 net_pbit(__u16 family, __u16 type, __u16 proto)
{
	if (family == AF_UNIX_)
		return LT_NP_UNIX;
	if (family != AF_INET_ && family != AF_INET6_)
		return 0;
	if (type == SOCK_STREAM_ && proto == IPPROTO_TCP_)
		return LT_NP_TCP;
	if (type == SOCK_DGRAM_ && proto == IPPROTO_UDP_)
		return LT_NP_UDP;
	return 0;
}

/* the service port test: unix sockets have none and always pass */
static __always_inline bool net_port_ok(const struct lt_net_policy *np, __u32 pbit, __u32 port)
{
	if (np->any_port || pbit == LT_NP_UNIX)
		return true;
	return np->ports[(port >> 5) & (LT_NET_PORT_WORDS - 1)] & (1u << (port & 31));
}

/*
 * net_gate - the network policy when event @type is selected and the
 * current task is not ltrack; NULL otherwise. @polp gets the main policy.
 */
static __always_inline struct lt_net_policy *net_gate(__u32 type, struct lt_policy **polp)
{
	__u32 gen = gen_active();
	struct lt_policy *pol = policy_get(gen);
	struct lt_net_policy *np = bpf_map_lookup_elem(&lt_net_pol, &gen);

	if (!pol || !np || !(np->events & LT_NE(type)) || !ev_gate(pol, type) || is_self())
		return NULL;
	*polp = pol;
	return np;
}

/* net_sock_of_fd - the socket open on descriptor @fd of the current task */
static __always_inline bool net_sock_of_fd(long fd, struct net_sock *ns)
{
	struct file *f = fd_file(fd);
	struct inode *ino;
	struct socket *so;
	struct sock *sk;

	if (!f)
		return false;
	ino = KR(f, f_inode);
	if (!ino || (KR(ino, i_mode) & S_IFMT__) != S_IFSOCK_)
		return false;
	so = KR(f, private_data);
	if (!so)
		return false;
	/* a socket file's private_data is its struct socket, which points back */
	if (KR(so, file) != f)
		return false;
	sk = KR(so, sk);
	if (!sk)
		return false;
	ns->sk = sk;
	ns->ino = KR(ino, i_ino);
	ns->family = KR(sk, __sk_common.skc_family);
	ns->type = KR(sk, sk_type);
	ns->proto = KR(sk, sk_protocol);
	ns->pbit = net_pbit(ns->family, ns->type, ns->proto);
	return true;
}

static __always_inline void net_init(struct net_info *n, const struct net_sock *ns, long fd)
{
	n->fd = fd;
	n->family = ns->family;
	n->type = ns->type;
	n->proto = ns->family == AF_UNIX_ ? 0 : ns->proto;
}

/* the socket's local address, when it has a port */
static __always_inline void net_local(struct net_info *n, struct sock *sk)
{
	__u16 num = KR(sk, __sk_common.skc_num);

	if (!num)
		return;
	if (n->family == AF_INET6_)
		bpf_probe_read_kernel(n->laddr, 16, KADDR(sk, __sk_common.skc_v6_rcv_saddr));
	else
		__builtin_memcpy(n->laddr, &(__u32){ KR(sk, __sk_common.skc_rcv_saddr) }, 4);
	n->lport = num;
	n->nflags |= LT_NF_LOCAL;
}

/* the socket's peer (a connected socket; rport 0 when there is none) */
static __always_inline void net_remote(struct net_info *n, struct sock *sk)
{
	if (n->family == AF_INET6_)
		bpf_probe_read_kernel(n->raddr, 16, KADDR(sk, __sk_common.skc_v6_daddr));
	else
		__builtin_memcpy(n->raddr, &(__u32){ KR(sk, __sk_common.skc_daddr) }, 4);
	n->rport = bpf_ntohs(KR(sk, __sk_common.skc_dport));
	n->rfamily = n->family;
}

/*
 * net_uaddr_read - an AF_INET/AF_INET6 sockaddr at user address @ua of
 * @alen bytes into @u; u->family is 0 when there is none or it is too short.
 */
static __always_inline void net_uaddr_read(struct net_uaddr *u, const void *ua, long alen)
{
	__u64 n = alen;

	__builtin_memset(u, 0, sizeof(*u));
	if (!ua || alen < 16)
		return;
	net_clamp(n, 28);
	bpf_probe_read_user(u, n, ua);
	if (u->family == AF_INET_)
		return;
	if (u->family != AF_INET6_ || alen < 24)
		u->family = 0;
}

/* the remote end from a sockaddr the program passed */
static __always_inline void net_remote_user(struct net_info *n, const void *ua, long alen)
{
	struct net_uaddr u;

	net_uaddr_read(&u, ua, alen);
	if (!u.family)
		return;
	if (u.family == AF_INET_)
		__builtin_memcpy(n->raddr, &u.v4, 4);
	else
		__builtin_memcpy(n->raddr, u.v6, 16);
	n->rport = bpf_ntohs(u.port);
	n->rfamily = u.family;
}

/* the local end from a sockaddr the program passed (a failed bind) */
static __always_inline void net_local_user(struct net_info *n, const void *ua, long alen)
{
	struct net_uaddr u;

	net_uaddr_read(&u, ua, alen);
	if (u.family != n->family)
		return;
	if (u.family == AF_INET_)
		__builtin_memcpy(n->laddr, &u.v4, 4);
	else
		__builtin_memcpy(n->laddr, u.v6, 16);
	n->lport = bpf_ntohs(u.port);
	n->nflags |= LT_NF_LOCAL;
}

/* AF_UNIX name @i from a sockaddr_un at user address @ua of @alen bytes */
static __always_inline void net_unix_user(struct net_info *n, int i, const void *ua, long alen)
{
	if (!ua || alen <= 2)
		return;
	n->path[i & 1] = ua + 2;
	n->plen[i & 1] = alen - 2;
	n->puser |= 1u << (i & 1);
}

/* AF_UNIX name @i: the address socket @sk is bound to, if any */
static __always_inline void net_unix_bound(struct net_info *n, int i, struct sock *sk)
{
	struct unix_address *a;
	int len;

	if (!sk)
		return;
	a = KR((struct unix_sock *)sk, addr);
	if (!a)
		return;
	len = KR(a, len);
	if (len <= 2)
		return;
	n->path[i & 1] = KADDR(a, name[0].sun_path[0]);
	n->plen[i & 1] = len - 2;
}

static __always_inline void net_fill(struct lt_net_ev *e, const struct net_info *n, __u32 type,
				     int nr, long ret)
{
	hdr_fill(&e->hdr, type, bpf_get_current_task_btf());
	e->hdr.syscall_nr = nr;
	e->hdr.ret = ret;
	e->hdr.flags = LT_HF_REPORT;
	__builtin_memcpy(e->laddr, n->laddr, 16);
	__builtin_memcpy(e->raddr, n->raddr, 16);
	e->dur_ns = 0;
	e->fd = n->fd;
	e->arg = n->arg;
	e->family = n->family;
	e->rfamily = n->rfamily;
	e->sock_type = n->type;
	e->protocol = n->proto;
	e->lport = n->lport;
	e->rport = n->rport;
	e->state = 0;
	e->nflags = n->nflags;
	e->err = 0;
	e->path_len[0] = 0;
	e->path_len[1] = 0;
}

static __always_inline __u32 net_copy_path(__u8 *dst, const struct net_info *n, int i)
{
	__u64 len = n->plen[i & 1];

	net_clamp(len, 108);	/* LT_UNIX_PATH_MAX */
	if (!len)
		return 0;
	if (n->puser & (1u << (i & 1)))
		bpf_probe_read_user(dst, len, n->path[i & 1]);
	else
		bpf_probe_read_kernel(dst, len, n->path[i & 1]);
	return len;
}

/*
 * net_submit - the record of @n to ring_bulk (counted as a drop when full).
 * @hcopy: where to copy its header too (a connect's, for its connect_result),
 * or NULL. Returns whether the record was written.
 */
static __always_inline bool net_submit(const struct net_info *n, __u32 type, int nr, long ret,
				       struct lt_hdr *hcopy)
{
	struct lt_net_ev *e;

	if (n->family == AF_UNIX_) {
		struct lt_net_unix *u;

		e = bpf_ringbuf_reserve(&ring_bulk, sizeof(*e) + sizeof(*u), 0);
		if (!e) {
			drop_count(LT_DROP_NET);
			return false;
		}
		net_fill(e, n, type, nr, ret);
		e->hdr.size = sizeof(*e) + sizeof(*u);
		u = (void *)(e + 1);
		__builtin_memset(u, 0, sizeof(*u));
		e->path_len[0] = net_copy_path(u->path[0], n, 0);
		e->path_len[1] = net_copy_path(u->path[1], n, 1);
		bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
		return true;
	}
	e = bpf_ringbuf_reserve(&ring_bulk, sizeof(*e), 0);
	if (!e) {
		drop_count(LT_DROP_NET);
		return false;
	}
	net_fill(e, n, type, nr, ret);
	e->hdr.size = sizeof(*e);
	if (hcopy)
		__builtin_memcpy(hcopy, &e->hdr, sizeof(*hcopy));
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return true;
}

/* ---- connect and its handshake --------------------------------------------- */

/* the second party: the record is whole; write it and forget the socket */
static __always_inline void pend_emit(struct net_pend *p, __u64 key)
{
	if (!p->cancel) {
		p->ev.hdr.type = LT_EV_CONNECT_RESULT;
		p->ev.hdr.size = sizeof(p->ev);
		p->ev.hdr.syscall_nr = -1;
		p->ev.hdr.ret = 0;
		p->ev.hdr.ts_boot_ns = p->res_ns;
		if (bpf_ringbuf_output(&ring_bulk, &p->ev, sizeof(p->ev), BPF_RB_NO_WAKEUP))
			drop_count(LT_DROP_NET);
	}
	bpf_map_delete_elem(&lt_net_pend, &key);
}

/* CLOSE -> SYN_SENT, in the connecting task: prepare the connect_result */
static __always_inline int pend_start(struct sock *sk0)
{
	struct sock *sk = sk0;
	__u16 family = KR(sk, __sk_common.skc_family);
	struct lt_net_policy *np;
	struct lt_policy *pol;
	struct pt_regs *r;
	struct net_pend *p;
	__u64 key = (__u64)sk0;
	__u32 zero = 0;

	if (KR(sk, sk_protocol) != IPPROTO_TCP_ || (family != AF_INET_ && family != AF_INET6_))
		return 0;
	np = net_gate(LT_EV_CONNECT, &pol);
	if (!np || !(np->protos & LT_NP_TCP) || !(np->events & LT_NE(LT_EV_CONNECT_RESULT)) ||
	    !ev_gate(pol, LT_EV_CONNECT_RESULT))
		return 0;
	/* only connect(2) itself (not TCP Fast Open's sendmsg, not io_uring) */
	r = cur_regs();
	if (KR(r, orig_ax) != NR_connect_)
		return 0;
	if (!net_port_ok(np, LT_NP_TCP, bpf_ntohs(KR(sk, __sk_common.skc_dport))))
		return 0;
	p = bpf_map_lookup_elem(&lt_net_pscratch, &zero);
	if (!p)
		return 0;
	__builtin_memset(p, 0, sizeof(*p));
	p->ev.fd = sys_arg(r, 0);
	p->ev.family = family;
	p->ev.rfamily = family;
	p->ev.sock_type = KR(sk, sk_type);
	p->ev.protocol = IPPROTO_TCP_;
	if (family == AF_INET6_)
		bpf_probe_read_kernel(p->ev.raddr, 16, KADDR(sk, __sk_common.skc_v6_daddr));
	else
		__builtin_memcpy(p->ev.raddr, &(__u32){ KR(sk, __sk_common.skc_daddr) }, 4);
	p->ev.rport = bpf_ntohs(KR(sk, __sk_common.skc_dport));
	p->syn_ns = bpf_ktime_get_boot_ns();
	p->tid = (__u32)bpf_get_current_pid_tgid();
	if (bpf_map_update_elem(&lt_net_tok, &key, &zero, BPF_ANY)) {
		drop_count(LT_DROP_NET_TRACK);
		return 0;
	}
	if (bpf_map_update_elem(&lt_net_pend, &key, p, BPF_ANY)) {
		bpf_map_delete_elem(&lt_net_tok, &key);
		drop_count(LT_DROP_NET_TRACK);
	}
	return 0;
}

/* SYN_SENT -> @newstate: the handshake ended (R) */
static __always_inline int pend_result(struct sock *sk0, int newstate)
{
	struct sock *sk = sk0;
	__u64 key = (__u64)sk0;
	struct net_pend *p = bpf_map_lookup_elem(&lt_net_pend, &key);
	__u64 now;

	if (!p)
		return 0;
	now = bpf_ktime_get_boot_ns();
	p->res_ns = now;
	p->ev.dur_ns = now - p->syn_ns;
	p->ev.state = newstate;
	/* a simultaneous open (SYN_SENT -> SYN_RECV, rare) is not followed further */
	if (newstate != TCP_ESTABLISHED_ && newstate != TCP_CLOSE_)
		p->cancel = 1;
	p->ev.err = newstate == TCP_ESTABLISHED_ ? 0 : -KR(sk, sk_err);
	if (KR(sk, __sk_common.skc_num)) {
		if (p->ev.family == AF_INET6_)
			bpf_probe_read_kernel(p->ev.laddr, 16,
					      KADDR(sk, __sk_common.skc_v6_rcv_saddr));
		else
			__builtin_memcpy(p->ev.laddr,
					 &(__u32){ KR(sk, __sk_common.skc_rcv_saddr) }, 4);
		p->ev.lport = KR(sk, __sk_common.skc_num);
		p->ev.nflags |= LT_NF_LOCAL;
	}
	if (bpf_map_delete_elem(&lt_net_tok, &key) == 0)
		return 0;	/* the connect has not returned yet: it emits */
	pend_emit(p, key);
	return 0;
}

/*
 * pend_mine - the pending handshake this connect call started (not a later
 * EALREADY call's, not another thread's), or NULL
 */
static __always_inline struct net_pend *pend_mine(struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct net_pend *p = bpf_map_lookup_elem(&lt_net_pend, &key);

	if (!p || p->tid != (__u32)bpf_get_current_pid_tgid() || p->d_done)
		return NULL;
	return p;
}

/*
 * the connect returned (D): @reported says whether its record was written
 * (and its header copied into @p)
 */
static __always_inline void pend_finish(struct net_pend *p, struct sock *sk, bool reported,
					long ret)
{
	__u64 key = (__u64)sk;

	p->d_done = 1;
	if (!reported) {
		p->cancel = 1;
		bpf_map_delete_elem(&lt_net_tok, &key);
		bpf_map_delete_elem(&lt_net_pend, &key);
		return;
	}
	if (bpf_map_delete_elem(&lt_net_tok, &key) == 0)
		return;	/* the handshake has not ended yet: it emits */
	/* a handshake that failed before any error was recorded: the call's error */
	if (!p->ev.err && p->ev.state != TCP_ESTABLISHED_ && ret < 0 && ret != -EINPROGRESS_)
		p->ev.err = ret;
	pend_emit(p, key);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(lt_tcp_state, struct sock *sk, int oldstate, int newstate)
{
	if (newstate == TCP_SYN_SENT_)
		return pend_start(sk);
	if (oldstate == TCP_SYN_SENT_)
		return pend_result(sk, newstate);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int lt_exit_connect(struct net_exit_ctx *ctx)
{
	long ret = ctx->ret;
	bool ok = ret == 0 || ret == -EINPROGRESS_, sel, reported;
	struct lt_net_policy *np;
	struct lt_policy *pol;
	struct net_info n = {};
	struct net_pend *p;
	struct net_sock ns;
	struct pt_regs *r;
	const void *ua;
	long fd, alen;

	if (net_restart(ret))
		return 0;
	np = net_gate(LT_EV_CONNECT, &pol);
	if (!np)
		return 0;
	r = cur_regs();
	fd = (int)sys_arg(r, 0);
	if (!net_sock_of_fd(fd, &ns))
		return 0;
	sel = ns.pbit & np->protos;
	if (sel) {
		ua = (const void *)sys_arg(r, 1);
		alen = (int)sys_arg(r, 2);
		net_init(&n, &ns, fd);
		if (ns.pbit == LT_NP_UNIX) {
			net_unix_user(&n, 1, ua, alen);
			n.rfamily = AF_UNIX_;
		} else {
			net_remote_user(&n, ua, alen);
			/*
			 * once connected (or connecting), the kernel's own view of the
			 * peer: the caller's memory may have been changed since the
			 * kernel read it, by another thread
			 */
			if (ok && n.rfamily && KR(ns.sk, __sk_common.skc_dport))
				net_remote(&n, ns.sk);
			/* AF_UNSPEC dissolves an association: not a connect */
			sel = n.rfamily && net_port_ok(np, ns.pbit, n.rport);
			if (sel)
				net_local(&n, ns.sk);
		}
	}
	reported = sel && (ok || pol->failed);
	p = ns.pbit == LT_NP_TCP ? pend_mine(ns.sk) : NULL;
	if (reported)
		reported = net_submit(&n, LT_EV_CONNECT, ctx->id, ret, p ? &p->ev.hdr : NULL);
	if (p)
		pend_finish(p, ns.sk, reported, ret);
	return 0;
}

/* ---- bind, listen, accept ----------------------------------------------------- */

SEC("tracepoint/syscalls/sys_exit_bind")
int lt_exit_bind(struct net_exit_ctx *ctx)
{
	long ret = ctx->ret, fd, alen;
	struct lt_net_policy *np;
	struct lt_policy *pol;
	struct net_info n = {};
	struct net_sock ns;
	struct pt_regs *r;
	const void *ua;

	if (net_restart(ret))
		return 0;
	np = net_gate(LT_EV_BIND, &pol);
	if (!np || (ret < 0 && !pol->failed))
		return 0;
	r = cur_regs();
	fd = (int)sys_arg(r, 0);
	if (!net_sock_of_fd(fd, &ns) || !(ns.pbit & np->protos))
		return 0;
	ua = (const void *)sys_arg(r, 1);
	alen = (int)sys_arg(r, 2);
	net_init(&n, &ns, fd);
	if (ns.pbit == LT_NP_UNIX) {
		if (ret == 0)
			net_unix_bound(&n, 0, ns.sk);	/* autobind names too */
		else
			net_unix_user(&n, 0, ua, alen);
	} else {
		if (ret == 0)
			net_local(&n, ns.sk);		/* port 0: the port the kernel chose */
		else
			net_local_user(&n, ua, alen);
		if (!net_port_ok(np, ns.pbit, n.lport))
			return 0;
	}
	net_submit(&n, LT_EV_BIND, ctx->id, ret, NULL);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_listen")
int lt_exit_listen(struct net_exit_ctx *ctx)
{
	long ret = ctx->ret, fd;
	struct lt_net_policy *np;
	struct lt_policy *pol;
	struct net_info n = {};
	struct net_sock ns;
	struct pt_regs *r;

	if (net_restart(ret))
		return 0;
	np = net_gate(LT_EV_LISTEN, &pol);
	if (!np || (ret < 0 && !pol->failed))
		return 0;
	r = cur_regs();
	fd = (int)sys_arg(r, 0);
	if (!net_sock_of_fd(fd, &ns) || !(ns.pbit & np->protos))
		return 0;
	net_init(&n, &ns, fd);
	n.arg = (int)sys_arg(r, 1);
	if (ns.pbit == LT_NP_UNIX) {
		net_unix_bound(&n, 0, ns.sk);
	} else {
		net_local(&n, ns.sk);
		if (!net_port_ok(np, ns.pbit, n.lport))
			return 0;
	}
	net_submit(&n, LT_EV_LISTEN, ctx->id, ret, NULL);
	return 0;
}

static __always_inline int accept_exit(struct net_exit_ctx *ctx)
{
	long ret = ctx->ret, lfd;
	struct lt_net_policy *np;
	struct lt_policy *pol;
	struct net_info n = {};
	struct net_sock ns;

	if (net_restart(ret))
		return 0;
	np = net_gate(LT_EV_ACCEPT, &pol);
	/* EAGAIN is "nobody yet" on a non-blocking listener, not a failed attempt */
	if (!np || (ret < 0 && (!pol->failed || ret == -EAGAIN_)))
		return 0;
	lfd = (int)sys_arg(cur_regs(), 0);
	/* the new socket; for a failure, the listening one */
	if (!net_sock_of_fd(ret >= 0 ? ret : lfd, &ns) || !(ns.pbit & np->protos))
		return 0;
	net_init(&n, &ns, ret >= 0 ? ret : -1);
	n.arg = lfd;
	if (ns.pbit == LT_NP_UNIX) {
		net_unix_bound(&n, 0, ns.sk);	/* the listener's name */
		if (ret >= 0)
			net_unix_bound(&n, 1, KR((struct unix_sock *)ns.sk, peer));
	} else {
		net_local(&n, ns.sk);
		if (ret >= 0)
			net_remote(&n, ns.sk);
		if (!net_port_ok(np, ns.pbit, n.lport))
			return 0;
	}
	net_submit(&n, LT_EV_ACCEPT, ctx->id, ret, NULL);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept")
int lt_exit_accept(struct net_exit_ctx *ctx)
{
	return accept_exit(ctx);
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int lt_exit_accept4(struct net_exit_ctx *ctx)
{
	return accept_exit(ctx);
}

/* ---- udp_send --------------------------------------------------------------------- */

/* the UDP socket behind @fd when udp_send is selected; NULL policy otherwise */
static __always_inline struct lt_net_policy *udp_gate(long ret, long fd, struct net_sock *ns)
{
	struct lt_net_policy *np;
	struct lt_policy *pol;

	if (net_restart(ret))
		return NULL;
	np = net_gate(LT_EV_UDP_SEND, &pol);
	if (!np || !(np->protos & LT_NP_UDP) || (ret < 0 && (!pol->failed || ret == -EAGAIN_)))
		return NULL;
	if (!net_sock_of_fd(fd, ns) || ns->pbit != LT_NP_UDP)
		return NULL;
	return np;
}

/* one datagram to @ua (or the connected peer when none): reported once per destination */
/* a datagram sent: the syscall, its result and the destination the caller gave */
struct udp_args {
	__s64 fd;
	__s64 ret;
	__u64 ua;		/* const struct sockaddr __user *, or 0 */
	__s64 alen;
	__s32 nr;
	__u32 pad;
};

/*
 * udp_dest - report the first datagram of socket @ns to each destination
 * (a global function, verified once however many messages sendmmsg has)
 */
__noinline int udp_dest(struct net_sock *ns, struct udp_args *a)
{
	__u32 gen = gen_active();
	struct lt_net_policy *np = bpf_map_lookup_elem(&lt_net_pol, &gen);
	struct net_udp_key k = {};
	struct net_info n = {};
	__u32 one = 1;
	long ret;

	if (!ns || !a || !np)
		return 0;
	ret = a->ret;
	net_init(&n, ns, a->fd);
	net_remote_user(&n, (const void *)a->ua, a->alen);
	if (!n.rfamily) {
		net_remote(&n, ns->sk);
		n.nflags |= LT_NF_CONNECTED;
		if (!n.rport)
			return 0;	/* not connected: the send failed, nothing to say */
	}
	if (!net_port_ok(np, LT_NP_UDP, n.rport))
		return 0;
	k.sk = (__u64)ns->sk;
	k.ino = ns->ino;
	__builtin_memcpy(k.addr, n.raddr, 16);
	k.port = n.rport;
	k.family = n.rfamily;
	k.failed = ret < 0;
	if (bpf_map_lookup_elem(&lt_udp_seen, &k))
		return 0;
	/* NOEXIST: when two threads race, one reports */
	if (bpf_map_update_elem(&lt_udp_seen, &k, &one, BPF_NOEXIST))
		return 0;
	net_local(&n, ns->sk);
	net_submit(&n, LT_EV_UDP_SEND, a->nr, ret, NULL);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int lt_exit_sendto(struct net_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();
	long fd = (int)sys_arg(r, 0);
	struct udp_args a = { .fd = fd, .ret = ctx->ret, .nr = ctx->id };
	struct net_sock ns = {};

	if (!udp_gate(ctx->ret, fd, &ns))
		return 0;
	a.ua = sys_arg(r, 4);
	a.alen = (int)sys_arg(r, 5);
	return udp_dest(&ns, &a);
}

/* the start of struct user_msghdr */
struct net_umsg {
	const void *name;
	int namelen;
	int pad;
};

SEC("tracepoint/syscalls/sys_exit_sendmsg")
int lt_exit_sendmsg(struct net_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();
	long fd = (int)sys_arg(r, 0);
	struct udp_args a = { .fd = fd, .ret = ctx->ret, .nr = ctx->id };
	struct net_umsg m = {};
	struct net_sock ns = {};

	if (!udp_gate(ctx->ret, fd, &ns))
		return 0;
	bpf_probe_read_user(&m, sizeof(m), (const void *)sys_arg(r, 1));
	a.ua = (__u64)m.name;
	a.alen = m.namelen;
	return udp_dest(&ns, &a);
}

SEC("tracepoint/syscalls/sys_exit_sendmmsg")
int lt_exit_sendmmsg(struct net_exit_ctx *ctx)
{
	struct pt_regs *r = cur_regs();
	long fd = (int)sys_arg(r, 0), ret = ctx->ret;
	const char *vec = (const char *)sys_arg(r, 1);
	struct udp_args a = { .fd = fd, .ret = ret, .nr = ctx->id };
	struct net_sock ns = {};
	long n;

	if (!udp_gate(ret, fd, &ns))
		return 0;
	/* the messages sent (ret of them); for a failure, the first one */
	n = ret < 0 ? 1 : ret;
	for (int i = 0; i < NET_MMSG_MAX; i++) {
		struct net_umsg m = {};

		if (i >= n)
			break;
		/* struct mmsghdr: a user_msghdr (56 bytes) and msg_len, 64 bytes */
		bpf_probe_read_user(&m, sizeof(m), vec + i * 64);
		a.ua = (__u64)m.name;
		a.alen = m.namelen;
		udp_dest(&ns, &a);
	}
	return 0;
}
