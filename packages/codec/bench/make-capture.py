#!/usr/bin/env python3
"""Make the codec benchmark's capture: a conntrack dump of N synthetic entries, as a netlink pcap.

Runs as root. Creates a private network namespace codec-bench-<pid>, fills its conntrack table
with IPCTNL_MSG_CT_NEW requests (a mix of TCP/UDP/ICMP over IPv4 and IPv6, with counters on),
dumps it with IPCTNL_MSG_CT_GET, writes the request and every received datagram as a pcap
(LINKTYPE_NETLINK, 16-byte big-endian cooked header per packet), gzips it, deletes the namespace.

    python3 packages/codec/bench/make-capture.py [N] [OUT]
    default: 100000 fixtures/bench/dump-100k.pcap.gz
"""
import gzip
import os
import random
import socket
import struct
import subprocess
import sys
import time

NETLINK_NETFILTER = 12
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP, NLM_F_EXCL, NLM_F_CREATE = 0x1, 0x4, 0x300, 0x200, 0x400
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLA_F_NESTED = 0x8000
CT_NEW, CT_GET = 0x100, 0x101

# ctattr numbers (nfnetlink_conntrack.h)
TUPLE_ORIG, TUPLE_REPLY, STATUS, PROTOINFO, TIMEOUT, MARK = 1, 2, 3, 4, 7, 8
TUPLE_IP, TUPLE_PROTO = 1, 2
IP_V4_SRC, IP_V4_DST, IP_V6_SRC, IP_V6_DST = 1, 2, 3, 4
PROTO_NUM, PROTO_SRC_PORT, PROTO_DST_PORT, PROTO_ICMP_ID, PROTO_ICMP_TYPE, PROTO_ICMP_CODE = 1, 2, 3, 4, 5, 6
PROTO_ICMPV6_ID, PROTO_ICMPV6_TYPE, PROTO_ICMPV6_CODE = 7, 8, 9
PROTOINFO_TCP, TCP_STATE = 1, 1
SEEN_REPLY, ASSURED, CONFIRMED = 0x2, 0x4, 0x8

LINKTYPE_NETLINK, ARPHRD_NETLINK, PACKET_HOST, PACKET_OUTGOING = 253, 824, 0, 4


def nla(kind, payload, nested=False):
    head = struct.pack("=HH", 4 + len(payload), kind | (NLA_F_NESTED if nested else 0))
    return head + payload + b"\0" * (-len(payload) % 4)


def nlmsg(kind, flags, seq, payload):
    return struct.pack("=IHHII", 16 + len(payload), kind, flags, seq, 0) + payload


def nfgen(family):
    return struct.pack("=BBH", family, 0, 0)


def tuple_of(kind, family, src, dst, l4):
    if family == socket.AF_INET:
        ip = nla(IP_V4_SRC, socket.inet_pton(family, src)) + nla(IP_V4_DST, socket.inet_pton(family, dst))
    else:
        ip = nla(IP_V6_SRC, socket.inet_pton(family, src)) + nla(IP_V6_DST, socket.inet_pton(family, dst))
    return nla(kind, nla(TUPLE_IP, ip, True) + nla(TUPLE_PROTO, l4, True), True)


def ports(proto, sport, dport):
    return nla(PROTO_NUM, bytes([proto])) + nla(PROTO_SRC_PORT, struct.pack(">H", sport)) + nla(PROTO_DST_PORT, struct.pack(">H", dport))


def entry(i, rng):
    """One CT_NEW payload; the index makes every original tuple unique."""
    roll = rng.random()
    v6 = roll >= 0.85
    family = socket.AF_INET6 if v6 else socket.AF_INET
    if v6:
        client = "2001:db8:%x:%x::%x" % (i >> 16, (i >> 8) & 0xff, (i & 0xff) + 1)
        server = "2001:db8:ffff::%x" % rng.randrange(1, 40)
    else:
        client = "10.%d.%d.%d" % ((i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff)
        server = "192.0.2.%d" % rng.randrange(1, 60)
    sport = 1024 + (i * 7919) % 60000
    status = 0
    extra = b""
    if roll < 0.55 or 0.85 <= roll < 0.95:  # TCP
        dport = rng.choice([22, 80, 443, 443, 443, 5432, 8080])
        orig, reply = ports(6, sport, dport), ports(6, dport, sport)
        state = rng.choice([3, 3, 3, 3, 1, 7, 5, 8])
        extra = nla(PROTOINFO, nla(PROTOINFO_TCP, nla(TCP_STATE, bytes([state])), True), True)
        status = SEEN_REPLY | ASSURED if state != 1 else 0
        timeout = rng.randrange(60, 432000)
    elif roll < 0.80 or roll >= 0.95:  # UDP
        dport = rng.choice([53, 123, 443, 5353])
        orig, reply = ports(17, sport, dport), ports(17, dport, sport)
        status = rng.choice([0, SEEN_REPLY, SEEN_REPLY | ASSURED])
        timeout = rng.randrange(60, 180)  # outlives the fill
    else:  # ICMP echo
        ident = i & 0xffff
        orig = nla(PROTO_NUM, bytes([1])) + nla(PROTO_ICMP_ID, struct.pack(">H", ident)) + nla(PROTO_ICMP_TYPE, b"\x08") + nla(PROTO_ICMP_CODE, b"\x00")
        reply = nla(PROTO_NUM, bytes([1])) + nla(PROTO_ICMP_ID, struct.pack(">H", ident)) + nla(PROTO_ICMP_TYPE, b"\x00") + nla(PROTO_ICMP_CODE, b"\x00")
        timeout = rng.randrange(60, 90)
    attrs = tuple_of(TUPLE_ORIG, family, client, server, orig) + tuple_of(TUPLE_REPLY, family, server, client, reply)
    attrs += nla(TIMEOUT, struct.pack(">I", timeout)) + extra
    # The kernel refuses to clear CONFIRMED (EBUSY), so it is always part of the status.
    attrs += nla(STATUS, struct.pack(">I", status | CONFIRMED))
    if rng.random() < 0.2:
        attrs += nla(MARK, struct.pack(">I", rng.randrange(1, 1 << 16)))
    return nfgen(family) + attrs


def fill(sock, count, rng):
    batch = 400
    seq = 1
    for first in range(0, count, batch):
        n = min(batch, count - first)
        sock.send(b"".join(nlmsg(CT_NEW, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq + k, entry(first + k, rng)) for k in range(n)))
        acked = 0
        while acked < n:
            data = sock.recv(1 << 20)
            at = 0
            while at + 16 <= len(data):
                length, kind = struct.unpack_from("=IH", data, at)
                if kind == NLMSG_ERROR:
                    err = struct.unpack_from("=i", data, at + 16)[0]
                    if err != 0:
                        raise SystemExit("CT_NEW failed: %s" % os.strerror(-err))
                    acked += 1
                at += (length + 3) & ~3
        seq += n


def pcap_record(packet_type, datagram, now):
    cooked = struct.pack(">HHH8sH", packet_type, ARPHRD_NETLINK, 0, b"\0" * 8, NETLINK_NETFILTER)
    body = cooked + datagram
    sec = int(now)
    return struct.pack("=IIII", sec, int((now - sec) * 1e6), len(body), len(body)) + body


def dump(sock):
    request = nlmsg(CT_GET, NLM_F_REQUEST | NLM_F_DUMP, 0x5eed, nfgen(socket.AF_UNSPEC))
    records = [pcap_record(PACKET_OUTGOING, request, time.time())]
    sock.send(request)
    entries = 0
    while True:
        data = sock.recv(1 << 20)
        records.append(pcap_record(PACKET_HOST, data, time.time()))
        at = 0
        while at + 16 <= len(data):
            length, kind = struct.unpack_from("=IH", data, at)
            if kind == NLMSG_DONE:
                return records, entries
            if kind == NLMSG_ERROR:
                raise SystemExit("dump failed: %s" % os.strerror(-struct.unpack_from("=i", data, at + 16)[0]))
            entries += 1
            at += (length + 3) & ~3


def inner(count, out):
    for key in ("nf_conntrack_acct",):
        with open("/proc/sys/net/netfilter/" + key, "w") as f:
            f.write("1")
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((0, 0))
    fill(sock, count, random.Random(20261123))
    records, entries = dump(sock)
    header = struct.pack("=IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, LINKTYPE_NETLINK)
    with gzip.open(out, "wb", compresslevel=9) as f:
        f.write(header + b"".join(records))
    print("%d entries in %d datagrams -> %s (%d bytes)" % (entries, len(records) - 1, out, os.path.getsize(out)))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--inner":
        inner(int(sys.argv[2]), sys.argv[3])
        return
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    out = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else "fixtures/bench/dump-100k.pcap.gz")
    netns = "codec-bench-%d" % os.getpid()
    subprocess.run(["ip", "netns", "add", netns], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", netns, sys.executable, os.path.abspath(__file__), "--inner", str(count), out], check=True)
    finally:
        subprocess.run(["ip", "netns", "del", netns], check=False)


if __name__ == "__main__":
    main()
