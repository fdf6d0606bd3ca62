# SPDX-License-Identifier: MIT
# t_net.py - end-to-end tests of the network events (connect, connect_result,
# bind, listen, accept, udp_send), run by run.py in its own namespace.
#
# Listeners and receivers the tests connect to are opened by the runner
# itself (loopback only, ephemeral ports); the calls under test are made by
# the C helper, so the syscall, the descriptor numbers and the addresses are
# known exactly. A "closed" TCP port is a socket bound but not listening:
# the port stays ours, and a SYN to it gets a RST (connection refused).

TYPES.update({"connect": 3, "bind": 16, "listen": 17, "accept": 18, "udp_send": 19,
              "connect_result": 20})
NR.update({"socket": 41, "connect": 42, "accept": 43, "sendto": 44, "sendmsg": 46, "bind": 49,
           "listen": 50, "accept4": 288, "sendmmsg": 307})

SOCK_CLOEXEC = 0o2000000
ECONNREFUSED, EINPROGRESS, EADDRINUSE = 111, 115, 98
FAMILY = {socket.AF_INET: "AF_INET", socket.AF_INET6: "AF_INET6"}
LOOP = {socket.AF_INET: "127.0.0.1", socket.AF_INET6: "::1"}
NET_NO_OTHERS = NO_EXEC_POLICY + "[file_monitor]\nenabled = false\n"


class Socks:
    """the runner's own sockets of one test, closed at its end"""

    def __init__(self):
        self.all = []

    def _new(self, fam, typ):
        s = socket.socket(fam, typ)
        self.all.append(s)
        return s

    def listener(self, fam=socket.AF_INET, backlog=16):
        """a TCP listener on loopback; returns (socket, port)"""
        s = self._new(fam, socket.SOCK_STREAM)
        s.bind((LOOP[fam], 0))
        s.listen(backlog)
        return s, s.getsockname()[1]

    def closed(self, fam=socket.AF_INET):
        """a TCP port that refuses: bound, not listening"""
        s = self._new(fam, socket.SOCK_STREAM)
        s.bind((LOOP[fam], 0))
        return s.getsockname()[1]

    def udp(self, fam=socket.AF_INET):
        """a UDP receiver on loopback; returns its port"""
        s = self._new(fam, socket.SOCK_DGRAM)
        s.bind((LOOP[fam], 0))
        return s.getsockname()[1]

    def udp_closed(self, fam=socket.AF_INET):
        """a UDP port nobody listens on (bound, then closed)"""
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind((LOOP[fam], 0))
        port = s.getsockname()[1]
        s.close()
        return port

    def close(self):
        for s in self.all:
            s.close()


def ep(fam, port):
    """the helper's ADDR for loopback @port"""
    return "127.0.0.1:%d" % port if fam == socket.AF_INET else "[::1]:%d" % port


def nev(name, nr=None, ret=0, **kw):
    """the expected fields of a network event (@nr None: no syscall behind it)"""
    d = {"event_name": name, "event_type": TYPES[name]}
    if nr is None:
        d.update(syscall_nr=MISSING, ret_code=MISSING)
    else:
        d.update(syscall_nr=NR[nr], ret_code=ret)
    d.update(kw)
    return d


def inet(fam, proto, **kw):
    """family, protocol, socket_type of an IPv4/IPv6 socket"""
    d = {"family": FAMILY[fam], "protocol": proto,
         "socket_type": "stream" if proto == "tcp" else "dgram"}
    d.update(kw)
    return d


def local(fam, port):
    if port is None:
        return {"local_addr": MISSING, "local_port": MISSING}
    return {"local_addr": LOOP[fam], "local_port": port}


def connect_ev(fd, fam, proto, rport, ret=0, lport=None):
    return nev("connect", "connect", ret, fd=fd, remote_addr=LOOP[fam], remote_port=rport,
               **inet(fam, proto, **local(fam, lport)))


def result_ev(fd, fam, rport, lport=None, state="ESTABLISHED", err=0):
    d = nev("connect_result", fd=fd, remote_addr=LOOP[fam], remote_port=rport, state=state,
            result="established" if state == "ESTABLISHED" else "failed" if err else "aborted",
            error_code=err, **inet(fam, "tcp", **local(fam, lport)))
    d["error"] = os.strerror(-err)[0].lower() + os.strerror(-err)[1:] if err else MISSING
    return d


def check_handshake(ev, lo_ns=0, hi_ns=10 * 10**9):
    """handshake_ns is an int in [lo, hi]; returns it (to put in an exact match)"""
    v = ev.get("handshake_ns")
    check(type(v) is int and lo_ns <= v <= hi_ns,
          "handshake_ns %r not within [%d, %d] ns: %s" % (v, lo_ns, hi_ns, json.dumps(ev)))
    return v


def expect_net(events, h, wants, what="network events"):
    """@events (the helper's) are exactly @wants, each with the helper's identity"""
    for ev, want in zip(events, wants):
        if want["event_name"] == "connect_result" and "handshake_ns" not in want:
            want["handshake_ns"] = check_handshake(ev)
    expect_seq(events, wants, what=what)
    for ev in events:
        match(ev, ident(h))
        check_ids(ev, h)


def net_of(evs, pid):
    return [e for e in evs if e["pid"] == pid and e["event_type"] in
            (3, 16, 17, 18, 19, 20)]


# ---- connect ------------------------------------------------------------------------


@test
def net_connect_tcp(t):
    """connect to a loopback listener (reported, then its connect_result) and to a closed
    port (not reported without --failed), IPv4 and IPv6; fd, addresses and ports exact"""
    socks = Socks()
    try:
        _, l4 = socks.listener(socket.AF_INET)
        c4 = socks.closed(socket.AF_INET)
        _, l6 = socks.listener(socket.AF_INET6)
        c6 = socks.closed(socket.AF_INET6)
        lt = t.ltrack(["--connect"])
        h = t.helper(["socket", 0, "inet", "stream", "connect", 0, ep(socket.AF_INET, l4),
                      "localport", 0,
                      "socket", 1, "inet", "stream", "?connect", 1, ep(socket.AF_INET, c4),
                      "socket", 2, "inet6", "stream", "connect", 2, ep(socket.AF_INET6, l6),
                      "localport", 2,
                      "socket", 3, "inet6", "stream", "?connect", 3, ep(socket.AF_INET6, c6),
                      # to 0.0.0.0: the peer is what the kernel connected to
                      "socket", 4, "inet", "stream", "connect", 4, "0.0.0.0:%d" % l4,
                      "localport", 4])
        evs = lt.stop()
    finally:
        socks.close()
    r = h.results
    eq([r[4], r[9]], [-ECONNREFUSED, -ECONNREFUSED], "the closed ports refused")
    A4, A6 = socket.AF_INET, socket.AF_INET6
    expect_net(net_of(evs, h.pid), h, [
        connect_ev(r[0], A4, "tcp", l4, lport=r[2]),
        result_ev(r[0], A4, l4, lport=r[2]),
        connect_ev(r[5], A6, "tcp", l6, lport=r[7]),
        result_ev(r[5], A6, l6, lport=r[7]),
        connect_ev(r[10], A4, "tcp", l4, lport=r[12]),
        result_ev(r[10], A4, l4, lport=r[12]),
    ])


@test
def net_connect_failed(t):
    """--failed: a refused connect is reported with ret -111, and its connect_result says
    CLOSE / failed / -111; IPv4 and IPv6"""
    socks = Socks()
    try:
        c4 = socks.closed(socket.AF_INET)
        c6 = socks.closed(socket.AF_INET6)
        lt = t.ltrack(["--connect", "--failed"])
        h = t.helper(["socket", 0, "inet", "stream", "?connect", 0, ep(socket.AF_INET, c4),
                      "socket", 1, "inet6", "stream", "?connect", 1, ep(socket.AF_INET6, c6)])
        evs = lt.stop()
    finally:
        socks.close()
    r = h.results
    A4, A6 = socket.AF_INET, socket.AF_INET6
    # the refused socket gave its port back before the call returned: no local end
    expect_net(net_of(evs, h.pid), h, [
        connect_ev(r[0], A4, "tcp", c4, ret=-ECONNREFUSED),
        result_ev(r[0], A4, c4, state="CLOSE", err=-ECONNREFUSED),
        connect_ev(r[2], A6, "tcp", c6, ret=-ECONNREFUSED),
        result_ev(r[2], A6, c6, state="CLOSE", err=-ECONNREFUSED),
    ])


@test
def net_connect_nonblocking(t):
    """non-blocking connects are reported with -115 (EINPROGRESS) by default, then their
    connect_result: at once on loopback; ~1 s later when the listener's queue was full
    (the handshake ends after the call returned); "aborted" when closed while pending"""
    socks = Socks()
    try:
        _, l4 = socks.listener(socket.AF_INET)
        lt = t.ltrack(["--connect"])
        # slot 1 listens with backlog 0: one connection fills its queue, and a SYN
        # meanwhile is dropped, then retransmitted a second later
        h = t.helper(["socket", 0, "inet", "stream-nb", "?connect", 0, ep(socket.AF_INET, l4),
                      "connwait", 0, 5000, "localport", 0,
                      "socket", 1, "inet", "stream", "bind", 1, "127.0.0.1:0", "listen", 1, 0,
                      "localport", 1,
                      "socket", 2, "inet", "stream", "connect", 2, "sock:1", "localport", 2,
                      "socket", 3, "inet", "stream-nb", "?connect", 3, "sock:1",
                      "accept", 1, 4, "connwait", 3, 5000, "localport", 3,
                      "socket", 5, "inet", "stream-nb", "?connect", 5, "sock:1",
                      "localport", 5, "close", 5])
        evs = lt.stop()
    finally:
        socks.close()
    r = h.results
    A4 = socket.AF_INET
    eq([r[1], r[2], r[12], r[14], r[17]], [-EINPROGRESS, 0, -EINPROGRESS, 0, -EINPROGRESS],
       "connect and connwait results")
    mine = net_of(evs, h.pid)
    p1 = r[7]
    check(len(mine) == 8, "8 network events:%s" % dump(mine))
    slow = check_handshake(mine[5], lo_ns=5 * 10**8)     # a SYN retransmission away
    expect_net(mine, h, [
        connect_ev(r[0], A4, "tcp", l4, ret=-EINPROGRESS, lport=r[3]),
        result_ev(r[0], A4, l4, lport=r[3]),
        connect_ev(r[8], A4, "tcp", p1, lport=r[10]),
        result_ev(r[8], A4, p1, lport=r[10]),
        connect_ev(r[11], A4, "tcp", p1, ret=-EINPROGRESS, lport=r[15]),
        dict(result_ev(r[11], A4, p1, lport=r[15]), handshake_ns=slow),
        connect_ev(r[16], A4, "tcp", p1, ret=-EINPROGRESS, lport=r[18]),
        # closed while pending: no error, and the port was given back
        result_ev(r[16], A4, p1, state="CLOSE"),
    ])


@test
def net_udp(t):
    """UDP: connect reported (protocol udp), then the first datagram per socket and
    destination (sendto, sendmsg, sendmmsg; connected or addressed), never the repeats;
    IPv4 and IPv6; a send refused by an ICMP error only with --failed"""
    A4, A6 = socket.AF_INET, socket.AF_INET6
    for failed in (False, True):
        socks = Socks()
        try:
            u4, u4b, u4c = socks.udp(A4), socks.udp(A4), socks.udp(A4)
            u6 = socks.udp(A6)
            closed = socks.udp_closed(A4)
            lt = t.ltrack(["--connect"] + (["--failed"] if failed else []))
            h = t.helper(["socket", 0, "inet", "dgram", "connect", 0, ep(A4, u4),
                          "localport", 0, "sendto", 0, "-", "sendto", 0, "-", "sendmsg", 0, "-",
                          "socket", 1, "inet", "dgram", "sendto", 1, ep(A4, u4),
                          "localport", 1, "sendto", 1, ep(A4, u4), "sendmsg", 1, ep(A4, u4b),
                          "sendmmsg", 1, ep(A4, u4c), 3, "sendmmsg", 1, ep(A4, u4), 2,
                          "socket", 2, "inet6", "dgram", "connect", 2, ep(A6, u6),
                          "localport", 2, "sendmmsg", 2, "-", 2,
                          "socket", 3, "inet", "dgram", "connect", 3, ep(A4, closed),
                          "localport", 3, "sendto", 3, "-", "?sendto", 3, "-"])
            evs = lt.stop()
        finally:
            socks.close()
        r = h.results
        eq([r[11], r[12], r[16], r[20], r[21]], [3, 2, 2, 1, -ECONNREFUSED],
           "sendmmsg counts; the send after the port unreachable")
        fd0, fd1, fd2, fd3 = r[0], r[6], r[13], r[17]
        lp0, lp1, lp2, lp3 = r[2], r[8], r[15], r[19]
        anyv4 = {"local_addr": "0.0.0.0", "local_port": lp1}

        def send(fd, fam, port, nr, ret, connected, loc):
            return nev("udp_send", nr, ret, fd=fd, remote_addr=LOOP[fam], remote_port=port,
                       connected=connected, **inet(fam, "udp", **loc))
        wants = [
            connect_ev(fd0, A4, "udp", u4, lport=lp0),
            send(fd0, A4, u4, "sendto", 1, True, local(A4, lp0)),
            send(fd1, A4, u4, "sendto", 1, False, anyv4),
            send(fd1, A4, u4b, "sendmsg", 1, False, anyv4),
            send(fd1, A4, u4c, "sendmmsg", 3, False, anyv4),
            connect_ev(fd2, A6, "udp", u6, lport=lp2),
            send(fd2, A6, u6, "sendmmsg", 2, True, local(A6, lp2)),
            connect_ev(fd3, A4, "udp", closed, lport=lp3),
            send(fd3, A4, closed, "sendto", 1, True, local(A4, lp3)),
        ]
        if failed:      # failures are remembered apart from successes
            wants.append(send(fd3, A4, closed, "sendto", -ECONNREFUSED, True, local(A4, lp3)))
        expect_net(net_of(evs, h.pid), h, wants, what="udp events, --failed %s" % failed)


@test
def net_listen_accept(t):
    """--listen: bind (the port the kernel chose for port 0), listen with its backlog,
    accept and accept4 with the new fd, the listening fd, and both ends exact; IPv4,
    IPv6, UDP bind; no connect events"""
    lt = t.ltrack(["--listen"])
    h = t.helper(["socket", 0, "inet", "stream", "bind", 0, "127.0.0.1:0", "listen", 0, 128,
                  "localport", 0, "socket", 1, "inet", "stream", "connect", 1, "sock:0",
                  "localport", 1, "accept", 0, 2,
                  "socket", 3, "inet6", "stream", "bind", 3, "[::1]:0", "listen", 3, 7,
                  "localport", 3, "socket", 4, "inet6", "stream", "connect", 4, "sock:3",
                  "localport", 4, "accept4", 3, 5, SOCK_CLOEXEC,
                  "socket", 6, "inet", "dgram", "bind", 6, "0.0.0.0:0", "localport", 6])
    evs = lt.stop()
    r = h.results
    A4, A6 = socket.AF_INET, socket.AF_INET6
    fd0, p0, fd1, c1, fd2 = r[0], r[3], r[4], r[6], r[7]
    fd3, p3, fd4, c4, fd5 = r[8], r[11], r[12], r[14], r[15]
    fd6, p6 = r[16], r[18]
    expect_net(net_of(evs, h.pid), h, [
        nev("bind", "bind", fd=fd0, **inet(A4, "tcp", **local(A4, p0))),
        nev("listen", "listen", fd=fd0, backlog=128, **inet(A4, "tcp", **local(A4, p0))),
        nev("accept", "accept", fd2, fd=fd2, listen_fd=fd0, remote_addr="127.0.0.1",
            remote_port=c1, **inet(A4, "tcp", **local(A4, p0))),
        nev("bind", "bind", fd=fd3, **inet(A6, "tcp", **local(A6, p3))),
        nev("listen", "listen", fd=fd3, backlog=7, **inet(A6, "tcp", **local(A6, p3))),
        nev("accept", "accept4", fd5, fd=fd5, listen_fd=fd3, remote_addr="::1",
            remote_port=c4, **inet(A6, "tcp", **local(A6, p3))),
        nev("bind", "bind", fd=fd6, local_addr="0.0.0.0", local_port=p6, **inet(A4, "udp")),
    ])
    check(fd1 != fd2 and fd4 != fd5, "accepted sockets are new descriptors")


@test
def net_bind_failed(t):
    """--failed: a bind to a port in use is reported with -98 and the address asked for;
    without --failed it is not"""
    socks = Socks()
    try:
        _, busy = socks.listener(socket.AF_INET)
        for failed in (False, True):
            lt = t.ltrack(["--listen"] + (["--failed"] if failed else []))
            h = t.helper(["socket", 0, "inet", "stream", "?bind", 0, ep(socket.AF_INET, busy)])
            evs = lt.stop()
            eq(h.results[1], -EADDRINUSE, "bind to a busy port")
            wants = [nev("bind", "bind", -EADDRINUSE, fd=h.results[0],
                         **inet(socket.AF_INET, "tcp", **local(socket.AF_INET, busy)))]
            expect_net(net_of(evs, h.pid), h, wants if failed else [],
                       what="--failed %s" % failed)
    finally:
        socks.close()


# ---- unix sockets ----------------------------------------------------------------------


@test
def net_unix(t):
    """unix sockets: bind/listen/connect/accept with the path name, abstract names with
    a leading '@', datagram sockets (socket_type dgram); no ports, no addresses"""
    path, dpath = t.path("s.sock"), t.path("d.sock")
    abstract = "ltrack-e2e-%d-%d" % (os.getpid(), time.monotonic_ns())
    lt = t.ltrack(["--all"])
    h = t.helper(["socket", 0, "unix", "stream", "bind", 0, "unix:" + path, "listen", 0, 5,
                  "socket", 1, "unix", "stream", "connect", 1, "unix:" + path, "accept", 0, 2,
                  "socket", 3, "unix", "stream", "bind", 3, "unix:@" + abstract,
                  "listen", 3, 9, "socket", 4, "unix", "stream", "connect", 4,
                  "unix:@" + abstract, "accept4", 3, 5, 0,
                  "socket", 6, "unix", "dgram", "bind", 6, "unix:" + dpath,
                  "socket", 7, "unix", "dgram", "connect", 7, "unix:" + dpath])
    evs = lt.stop()
    r = h.results
    U = {"family": "AF_UNIX", "protocol": "unix", "socket_type": "stream"}
    D = dict(U, socket_type="dgram")
    at = "@" + abstract
    expect_net(net_of(evs, h.pid), h, [
        nev("bind", "bind", fd=r[0], unix_path=path, **U),
        nev("listen", "listen", fd=r[0], unix_path=path, backlog=5, **U),
        nev("connect", "connect", fd=r[3], unix_path=path, **U),
        nev("accept", "accept", r[5], fd=r[5], listen_fd=r[0], unix_path=path, **U),
        nev("bind", "bind", fd=r[6], unix_path=at, **U),
        nev("listen", "listen", fd=r[6], unix_path=at, backlog=9, **U),
        nev("connect", "connect", fd=r[9], unix_path=at, **U),
        nev("accept", "accept4", r[11], fd=r[11], listen_fd=r[6], unix_path=at, **U),
        nev("bind", "bind", fd=r[12], unix_path=dpath, **D),
        nev("connect", "connect", fd=r[14], unix_path=dpath, **D),
    ])


# ---- filters and flags -----------------------------------------------------------------


@test
def net_policy_filters(t):
    """[network_monitor] ports and protocols filter in the kernel: connect by remote port,
    accept/bind/listen by local port, udp by protocol, unix by protocol only; enabled =
    false reports nothing (and says so)"""
    A4 = socket.AF_INET
    socks = Socks()
    try:
        la, pa = socks.listener(A4)
        lb, pb = socks.listener(A4)
        us = socks._new(socket.AF_UNIX, socket.SOCK_STREAM)
        upath = t.path("u.sock")
        us.bind(upath)
        us.listen(4)
        ops = ["socket", 0, "inet", "stream", "connect", 0, ep(A4, pa), "localport", 0,
               "socket", 1, "inet", "stream", "connect", 1, ep(A4, pb),
               "socket", 2, "inet", "dgram", "sendto", 2, ep(A4, pa),
               "socket", 3, "unix", "stream", "connect", 3, "unix:" + upath,
               "socket", 4, "inet", "stream", "bind", 4, "127.0.0.1:0", "listen", 4, 3]

        def run(net):
            lt = t.ltrack([], policy=NET_NO_OTHERS + "[network_monitor]\n" + net)
            h = t.helper(ops)
            for l in (la, lb):
                l.accept()[0].close()
            return lt, h

        # tcp and unix, on port pa only
        lt, h = run("enabled = true\nports = [%d]\nprotocols = [\"tcp\", \"unix\"]\n" % pa)
        evs = lt.stop()
        r = h.results
        expect_net(net_of(evs, h.pid), h, [
            connect_ev(r[0], A4, "tcp", pa, lport=r[2]),
            result_ev(r[0], A4, pa, lport=r[2]),
            nev("connect", "connect", fd=r[7], unix_path=upath, family="AF_UNIX",
                protocol="unix", socket_type="stream"),
        ], what="tcp and unix on port %d" % pa)
        eq([(e["event_name"], e["local_port"], e["syscall_nr"]) for e in net_of(evs, RUNNER_PID)],
           [("accept", pa, NR["accept4"])], "the runner's accepts: only the one on port pa")

        # udp only, every port
        lt, h = run("enabled = true\nprotocols = [\"udp\"]\n")
        evs = lt.stop()
        eq([(e["event_name"], e["protocol"], e["remote_port"], e["fd"])
            for e in net_of(evs, h.pid)], [("udp_send", "udp", pa, h.results[5])], "udp only")
        eq(net_of(evs, RUNNER_PID), [], "the runner's tcp accepts with udp only")

        # enabled = false: nothing at all, and a warning that ports/protocols are unused
        lt, h = run("enabled = false\nports = [%d]\nprotocols = [\"tcp\"]\n" % pa)
        lt.wait_log("[network_monitor] enabled = false: its ports and protocols are not used")
        evs = lt.stop()
        eq(net_of(evs, h.pid) + net_of(evs, RUNNER_PID), [], "network events when disabled")
    finally:
        socks.close()


@test
def net_cli_flags(t):
    """--connect, --listen and --all without --config: only what they ask for, and the
    policy.toml in the current directory is not read (as with --watch); with --config
    they add to the policy"""
    # a policy.toml in ltrack's cwd that would report process and every network event
    t.write("policy.toml", EXEC_POLICY + "[network_monitor]\nenabled = true\n")
    other = t.write("other.toml", EXEC_POLICY + "[network_monitor]\nenabled = false\n")
    ops = ["socket", 0, "inet", "stream", "bind", 0, "127.0.0.1:0", "listen", 0, 4,
           "socket", 1, "inet", "stream", "connect", 1, "sock:0", "accept", 0, 2]
    cases = [
        (["--connect"], ["connect", "connect_result"], False),
        (["--listen"], ["bind", "listen", "accept"], False),
        (["--all"], ["bind", "listen", "connect", "connect_result", "accept"], False),
        (["--config", other, "--connect"], ["connect", "connect_result"], True),
        (["--config", other], [], True),
    ]
    for args, names, execs in cases:
        lt = t.ltrack(args)
        h = t.helper(ops)
        evs = lt.stop()
        eq([e["event_name"] for e in net_of(evs, h.pid)], names, "events with %s" % args)
        eq(bool(select(evs, pid=h.pid, event_name="exit")), execs,
           "process events with %s" % args)


@test
def net_sighup_reload(t):
    """SIGHUP switches the network policy: off -> on (port p1) -> port p2 -> off; the
    programs follow (nothing reported while off), and each connect is judged by the
    policy in force"""
    A4 = socket.AF_INET
    socks = Socks()
    try:
        _, p1 = socks.listener(A4)
        _, p2 = socks.listener(A4)
        pol = NET_NO_OTHERS + "[network_monitor]\nenabled = %s\nports = [%d]\n"
        lt = t.ltrack([], policy=pol % ("false", p1))
        off = 0
        hs = []
        for enabled, port in (("true", p1), ("true", p2), ("false", p2), (None, None)):
            hs.append(t.helper(["socket", 0, "inet", "stream", "connect", 0, ep(A4, p1),
                                "socket", 1, "inet", "stream", "connect", 1, ep(A4, p2)]))
            if enabled is None:
                break
            with open(lt.policy_path, "w") as f:
                f.write(pol % (enabled, port))
            off = len(lt.stderr())
            os.kill(lt.pid, signal.SIGHUP)
            off = lt.wait_log("policy reloaded", after=off)
        evs = lt.stop()
    finally:
        socks.close()
    got = [[(e["event_name"], e["remote_port"]) for e in net_of(evs, h.pid)] for h in hs]
    eq(got, [[], [("connect", p1), ("connect_result", p1)],
             [("connect", p2), ("connect_result", p2)], []], "connects under each policy")


# ---- text --------------------------------------------------------------------------------


def check_lines(lines, h, wants):
    """the text lines of helper @h end exactly with @wants, in order"""
    tag = '"%s"[%d] ' % (HELPER_COMM, h.pid)
    mine = [l for l in lines if tag in l]
    eq(len(mine), len(wants), "text lines of the helper:\n    %s" % "\n    ".join(mine))
    for line, want in zip(mine, wants):
        check(line.endswith(tag + want), "line %r does not end with %r" % (line, tag + want))
        check(TIME_STR_RE.fullmatch(line.split(" ", 1)[0]) is not None,
              "line %r starts with its time" % line)


@test
def net_text_format(t):
    """--format text: connect_tcp(3, "127.0.0.1:P") = -111 (connection refused),
    listen_tcp(3, "0.0.0.0:P", 128), IPv6 as "[::1]:P", and the bind, accept,
    connect_result, udp_send and unix forms"""
    A4, A6 = socket.AF_INET, socket.AF_INET6
    socks = Socks()
    nobody = "ltrack-e2e-nobody-%d-%d" % (os.getpid(), time.monotonic_ns())
    try:
        c4 = socks.closed(A4)
        _, l6 = socks.listener(A6)
        u4 = socks.udp(A4)
        lt = t.ltrack(["--all", "--failed", "--format", "text"], text=True)
        h1 = t.helper(["socket", 0, "inet", "stream", "?connect", 0, ep(A4, c4)])
        h2 = t.helper(["socket", 0, "inet", "stream", "bind", 0, "0.0.0.0:0", "listen", 0, 128,
                       "localport", 0])
        h3 = t.helper(["socket", 0, "inet", "stream", "bind", 0, "127.0.0.1:0", "listen", 0, 5,
                       "localport", 0, "socket", 1, "inet", "stream", "connect", 1, "sock:0",
                       "localport", 1, "accept", 0, 2,
                       "socket", 3, "inet6", "stream", "connect", 3, ep(A6, l6),
                       "socket", 4, "inet", "dgram", "sendto", 4, ep(A4, u4),
                       "socket", 5, "unix", "stream", "?connect", 5, "unix:@" + nobody])
        lt.stop()
    finally:
        socks.close()
    with open(lt.out) as f:
        lines = f.read().splitlines()
    check_lines(lines, h1, [
        'connect_tcp(3, "127.0.0.1:%d") = -111 (connection refused)' % c4,
        'connect_result_tcp(3, "127.0.0.1:%d", "CLOSE") = -111 (connection refused)' % c4])
    p = h2.results[3]
    check_lines(lines, h2, ['bind_tcp(3, "0.0.0.0:%d")' % p,
                            'listen_tcp(3, "0.0.0.0:%d", 128)' % p])
    r = h3.results
    p, c = r[3], r[6]
    check_lines(lines, h3, [
        'bind_tcp(3, "127.0.0.1:%d")' % p,
        'listen_tcp(3, "127.0.0.1:%d", 5)' % p,
        'connect_tcp(4, "127.0.0.1:%d")' % p,
        'connect_result_tcp(4, "127.0.0.1:%d", "ESTABLISHED")' % p,
        'accept_tcp(3, "127.0.0.1:%d", "127.0.0.1:%d") = 5' % (p, c),
        'connect_tcp(6, "[::1]:%d")' % l6,
        'connect_result_tcp(6, "[::1]:%d", "ESTABLISHED")' % l6,
        'udp_send(7, "127.0.0.1:%d") = 1' % u4,
        'connect_unix(8, "@%s") = -111 (connection refused)' % nobody,
    ])
