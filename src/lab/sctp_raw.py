#!/usr/bin/env python3
"""SCTP over raw IP sockets for the netpol lab (stdlib only, needs root).

The lab kernel has no SCTP sockets (CONFIG_IP_SCTP unset, socket() fails with errno 93), but
nftables matches SCTP and conntrack tracks it. This helper therefore plays just enough SCTP for a
reachability probe: the first packet of an association (INIT) and its answer.

  serve   reads {"home": NETNS|null, "namespaces": [{"netns", "addresses", "ports"}]} on stdin.
          For every namespace it enters it (setns), opens one raw SCTP socket per address bound to
          that address, and returns to `home` (the lab's node namespace, so that the process is
          found among the node namespace's processes). It answers every INIT: INIT-ACK when the
          destination port is served, ABORT otherwise, as a kernel with SCTP does for a closed port.
          It prints {"ready": true, "sockets": N} once all sockets are bound.
  probe   reads {"timeoutMs", "inFlight", "sources": [{"netns", "addresses", "targets": [{"ip", "port"}]}]}
          on stdin. For each source it opens, inside the source's namespace (none: the current one),
          a raw SCTP socket per family bound to the source's address of that family, and an ICMP
          socket; then it sends one INIT per target, at most inFlight at a time over all sources, and
          prints one line per target: {"s": source index, "i": target index,
          "result": "ok"|"refused"|"timeout"|"error", "ms": float[, "error": text]}.
          ok = INIT-ACK (then an ABORT is sent so conntrack closes the entry), refused = ABORT or an
          ICMP destination-unreachable / ICMPv6 parameter-problem quoting our INIT, timeout = nothing.

What the kernel does without an SCTP stack (measured): an INIT reaching a namespace where no raw
SCTP socket is open is answered by the IP layer with ICMP protocol-unreachable (IPv4) or ICMPv6
parameter-problem "unrecognized next header" (IPv6); the kernel never sends an ABORT itself. Where a
raw SCTP socket is open, the packet is handed to it and no ICMP is sent. The lab keeps one `serve`
socket in every pod and external namespace, so every lab address answers SCTP like a real SCTP
host; the prober still maps an ICMP error to `refused` (e.g. an nft `reject` rule).
"""
import ctypes
import json
import os
import random
import resource
import select
import socket
import struct
import sys
import time

IPPROTO_SCTP = 132
CLONE_NEWNET = 0x40000000
INIT, INIT_ACK, ABORT = 1, 2, 6


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def packet(sport, dport, vtag, chunks):
    """Common header + chunks with the CRC32c checksum (RFC 9260 appendix A: stored little-endian)."""
    body = struct.pack('!HHII', sport, dport, vtag, 0) + chunks
    return body[:8] + struct.pack('<I', crc32c(body)) + body[12:]


def chunk(ctype, flags, value):
    length = 4 + len(value)
    return struct.pack('!BBH', ctype, flags, length) + value + b'\0' * (-length % 4)


def init_chunk(tag, tsn):
    # initiate tag, a_rwnd, outbound streams, inbound streams, initial TSN
    return chunk(INIT, 0, struct.pack('!IIHHI', tag, 65536, 10, 10, tsn))


def init_ack_chunk(tag, tsn, cookie):
    state_cookie = struct.pack('!HH', 7, 4 + len(cookie)) + cookie + b'\0' * (-len(cookie) % 4)
    return chunk(INIT_ACK, 0, struct.pack('!IIHHI', tag, 65536, 10, 10, tsn) + state_cookie)


def parse(data):
    """SCTP header and first chunk → (sport, dport, vtag, ctype, cflags, cvalue) or None if malformed."""
    if len(data) < 16:
        return None
    sport, dport, vtag = struct.unpack('!HHI', data[:8])
    (checksum,) = struct.unpack('<I', data[8:12])
    if crc32c(data[:8] + b'\0\0\0\0' + data[12:]) != checksum:
        return None
    ctype, cflags, clen = struct.unpack('!BBH', data[12:16])
    if clen < 4 or 12 + clen > len(data):
        return None
    return sport, dport, vtag, ctype, cflags, data[16:12 + clen]


def family_of(ip):
    return socket.AF_INET6 if ':' in ip else socket.AF_INET


def sockaddr(ip, port=0):
    return (ip, port, 0, 0) if ':' in ip else (ip, port)


def strip_ip_header(family, data):
    """Raw IPv4 sockets deliver the IP header, IPv6 ones do not."""
    return data[(data[0] & 0x0F) * 4:] if family == socket.AF_INET else data


_libc = ctypes.CDLL(None, use_errno=True)


def setns_fd(fd):
    """Moves this (single-threaded) process into the network namespace `fd` refers to."""
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def setns(path):
    """Sockets opened afterwards belong to the namespace at `path`; those opened before keep theirs."""
    fd = os.open(path, os.O_RDONLY)
    try:
        setns_fd(fd)
    finally:
        os.close(fd)


def emit(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


def serve(spec):
    socks = {}  # fd → (socket, ports)
    for ns in spec['namespaces']:
        if ns.get('netns'):
            setns('/run/netns/' + ns['netns'])
        ports = frozenset(ns['ports'])
        for ip in ns['addresses']:
            s = socket.socket(family_of(ip), socket.SOCK_RAW, IPPROTO_SCTP)
            s.bind(sockaddr(ip))
            s.setblocking(False)
            socks[s.fileno()] = (s, ports)
    if spec.get('home'):
        setns('/run/netns/' + spec['home'])
    emit({'ready': True, 'sockets': len(socks)})
    sys.stdout.close()
    poller = select.poll()
    for fd in socks:
        poller.register(fd, select.POLLIN)
    while True:
        for fd, _ in poller.poll():
            s, ports = socks[fd]
            while True:
                try:
                    data, addr = s.recvfrom(65535)
                except BlockingIOError:
                    break
                answer(s, ports, strip_ip_header(s.family, data), addr[0])


def answer(s, ports, data, peer):
    p = parse(data)
    # Only an INIT (verification tag 0) starts an association; everything else is ignored.
    if p is None or p[3] != INIT or p[2] != 0 or len(p[5]) < 16:
        return
    sport, dport, _, _, _, value = p
    peer_tag = struct.unpack('!I', value[:4])[0]
    if dport in ports:
        reply = init_ack_chunk(random.randint(1, 0xFFFFFFFF), random.randint(0, 0xFFFFFFFF), os.urandom(16))
    else:
        # RFC 9260 8.4: an ABORT answering an INIT carries the INIT's initiate tag, T bit clear.
        reply = chunk(ABORT, 0, b'')
    try:
        s.sendto(packet(dport, sport, peer_tag, reply), sockaddr(peer))
    except OSError:
        pass


class Probe:
    __slots__ = ('s', 'i', 'ip', 'key', 'port', 'sport', 'tag', 'sent', 'sock')


def raise_fd_limit():
    """One raw socket per address and family in every namespace: lift the soft limit of 1024 to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def probe(spec):
    timeout = spec.get('timeoutMs', 300) / 1000.0
    in_flight = max(1, int(spec.get('inFlight', 256)))
    home = os.open('/proc/self/ns/net', os.O_RDONLY)
    socks = {}  # fd → raw SCTP socket
    icmp_of = {}  # fd of an ICMP socket → its namespace's raw SCTP socket of that family
    queue = []  # (source index, target index, ip, port, socket or error text)
    for si, src in enumerate(spec['sources']):
        if src.get('netns'):
            setns('/run/netns/' + src['netns'])
        addresses = {family_of(ip): ip for ip in src.get('addresses', [])}
        by_family = {}
        for family in sorted({family_of(t['ip']) for t in src['targets']}):
            if addresses and family not in addresses:
                by_family[family] = 'source has no IPv%d address' % (6 if family == socket.AF_INET6 else 4)
                continue
            s = socket.socket(family, socket.SOCK_RAW, IPPROTO_SCTP)
            if family in addresses:
                s.bind(sockaddr(addresses[family]))
            s.setblocking(False)
            proto = socket.IPPROTO_ICMP if family == socket.AF_INET else socket.IPPROTO_ICMPV6
            icmp = socket.socket(family, socket.SOCK_RAW, proto)
            icmp.setblocking(False)
            socks[s.fileno()] = s
            icmp_of[icmp.fileno()] = (icmp, s)
            by_family[family] = s
        for ti, t in enumerate(src['targets']):
            queue.append((si, ti, t['ip'], int(t['port']), by_family[family_of(t['ip'])]))
    setns_fd(home)
    os.close(home)
    queue.reverse()
    poller = select.poll()
    for fd in list(socks) + list(icmp_of):
        poller.register(fd, select.POLLIN)
    pending = {}  # (SCTP socket fd, peer address bytes, peer port, our port) → Probe
    next_port = random.randint(20000, 60000)

    def finish(pr, result, error=None):
        pending.pop(pr.key, None)
        out = {'s': pr.s, 'i': pr.i, 'result': result, 'ms': round((time.monotonic() - pr.sent) * 1000, 3)}
        if error:
            out['error'] = error
        emit(out)

    while queue or pending:
        while queue and len(pending) < in_flight:
            si, ti, ip, port, sock = queue.pop()
            pr = Probe()
            pr.s, pr.i, pr.ip, pr.port, pr.sent, pr.key = si, ti, ip, port, time.monotonic(), None
            if isinstance(sock, str):
                finish(pr, 'error', sock)
                continue
            try:
                peer = socket.inet_pton(sock.family, ip)
            except OSError:
                finish(pr, 'error', 'invalid address')
                continue
            for _ in range(65536):
                next_port = 1024 + (next_port - 1023) % 64512
                if (sock.fileno(), peer, port, next_port) not in pending:
                    break
            pr.sock, pr.sport, pr.tag = sock, next_port, random.randint(1, 0xFFFFFFFF)
            pr.key = (sock.fileno(), peer, port, pr.sport)
            pending[pr.key] = pr
            try:
                sock.sendto(packet(pr.sport, port, 0, init_chunk(pr.tag, random.randint(0, 0xFFFFFFFF))), sockaddr(ip))
            except OSError as e:
                finish(pr, 'error', str(e))
        if not pending:
            continue
        now = time.monotonic()
        oldest = min(pr.sent for pr in pending.values())
        for fd, _ in poller.poll(max(0, int((oldest + timeout - now) * 1000) + 1)):
            if fd in socks:
                s = socks[fd]
                on_readable(s, lambda data, addr: on_sctp(s, strip_ip_header(s.family, data), addr[0], pending, finish))
            else:
                icmp, s = icmp_of[fd]
                on_readable(icmp, lambda data, addr: on_icmp(s, data, pending, finish))
        now = time.monotonic()
        for pr in [pr for pr in pending.values() if now - pr.sent >= timeout]:
            finish(pr, 'timeout')


def on_readable(s, handle):
    while True:
        try:
            data, addr = s.recvfrom(65535)
        except BlockingIOError:
            return
        handle(data, addr)


def on_sctp(s, data, peer, pending, finish):
    p = parse(data)
    if p is None:
        return
    sport, dport, vtag, ctype, cflags, value = p
    pr = pending.get((s.fileno(), socket.inet_pton(s.family, peer), sport, dport))
    if pr is None:
        return
    if ctype == INIT_ACK and vtag == pr.tag and len(value) >= 4:
        peer_tag = struct.unpack('!I', value[:4])[0]
        try:
            s.sendto(packet(pr.sport, pr.port, peer_tag, chunk(ABORT, 0, b'')), sockaddr(pr.ip))
        except OSError:
            pass
        finish(pr, 'ok')
    elif ctype == ABORT and (vtag == pr.tag or (cflags & 1)):
        finish(pr, 'refused')


def on_icmp(s, data, pending, finish):
    """Match an ICMP error quoting one of our INITs: the quote holds the IP header and 8+ bytes of SCTP."""
    if s.family == socket.AF_INET:
        ihl = (data[0] & 0x0F) * 4
        icmp = data[ihl:]
        if len(icmp) < 8 + 20 or icmp[0] != 3:  # destination unreachable (any code)
            return
        inner = icmp[8:]
        inner_ihl = (inner[0] & 0x0F) * 4
        if inner[9] != IPPROTO_SCTP or len(inner) < inner_ihl + 8:
            return
        dst = inner[16:20]
        sctp = inner[inner_ihl:]
    else:
        if len(data) < 8 + 40 + 8 or data[0] not in (1, 4):  # destination unreachable, parameter problem
            return
        inner = data[8:]
        if inner[6] != IPPROTO_SCTP:
            return
        dst = inner[24:40]
        sctp = inner[40:]
    our_port, peer_port = struct.unpack('!HH', sctp[:4])
    pr = pending.get((s.fileno(), dst, peer_port, our_port))
    if pr is not None:
        finish(pr, 'refused')


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ''
    spec = json.load(sys.stdin)
    raise_fd_limit()
    if mode == 'serve':
        serve(spec)
    elif mode == 'probe':
        probe(spec)
    else:
        sys.stderr.write('usage: sctp_raw.py serve|probe < spec.json\n')
        sys.exit(2)


if __name__ == '__main__':
    main()
