#!/usr/bin/env python3
"""Dump the conntrack table of the current network namespace over raw AF_NETLINK and print one
JSON object per entry, shaped like the codec's decoded value ({"family": N, "value": {...}}).
u64 values are written as {"$big": "digits"}. Test helper for the formatter differential test."""
import json, socket, struct, sys

NETLINK_NETFILTER = 12
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
IPCTNL_MSG_CT_GET = (1 << 8) | 1
NLA_TYPE_MASK = 0x3FFF


def attrs(buf):
    off = 0
    while off + 4 <= len(buf):
        ln, typ = struct.unpack_from("=HH", buf, off)
        if ln < 4:
            break
        yield typ & NLA_TYPE_MASK, buf[off + 4:off + ln]
        off += (ln + 3) & ~3


be8 = lambda d: d[0]
be16 = lambda d: struct.unpack(">H", d[:2])[0]
be32 = lambda d: struct.unpack(">I", d[:4])[0]
be64 = lambda d: {"$big": str(struct.unpack(">Q", d[:8])[0])}
cstr = lambda d: d.split(b"\0", 1)[0].decode()
v4 = lambda d: socket.inet_ntop(socket.AF_INET, d[:4])
v6 = lambda d: socket.inet_ntop(socket.AF_INET6, d[:16])


def nest(spec):
    def parse(d):
        out = {}
        for typ, payload in attrs(d):
            if typ in spec:
                key, fn = spec[typ]
                out[key] = fn(payload)
        return out
    return parse


TUPLE = nest({
    1: ("tupleIp", nest({1: ("ipV4Src", v4), 2: ("ipV4Dst", v4), 3: ("ipV6Src", v6), 4: ("ipV6Dst", v6)})),
    2: ("tupleProto", nest({1: ("protoNum", be8), 2: ("protoSrcPort", be16), 3: ("protoDstPort", be16),
                            4: ("protoIcmpId", be16), 5: ("protoIcmpType", be8), 6: ("protoIcmpCode", be8),
                            7: ("protoIcmpv6Id", be16), 8: ("protoIcmpv6Type", be8), 9: ("protoIcmpv6Code", be8)})),
    3: ("tupleZone", be16),
})
COUNTERS = nest({1: ("packets", be64), 2: ("bytes", be64), 3: ("packetsOld", be32), 4: ("bytesOld", be32)})
CT = nest({
    1: ("tupleOrig", TUPLE), 2: ("tupleReply", TUPLE), 3: ("status", be32),
    4: ("protoinfo", nest({1: ("protoinfoTcp", nest({1: ("tcpState", be8)})),
                           2: ("protoinfoDccp", nest({1: ("dccpState", be8), 2: ("dccpRole", be8)})),
                           3: ("protoinfoSctp", nest({1: ("sctpState", be8), 2: ("vtagOriginal", be32), 3: ("vtagReply", be32)}))})),
    5: ("help", nest({1: ("helpName", cstr)})), 7: ("timeout", be32), 8: ("mark", be32),
    9: ("countersOrig", COUNTERS), 10: ("countersReply", COUNTERS), 11: ("use", be32), 12: ("id", be32),
    14: ("tupleMaster", TUPLE), 17: ("secmark", be32), 18: ("zone", be16),
    19: ("secctx", nest({1: ("secctxName", cstr)})),
    20: ("timestamp", nest({1: ("start", be64), 2: ("stop", be64)})),
    22: ("labels", lambda d: {"$bytes": list(d)}),
})


def main():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    s.bind((0, 0))
    body = struct.pack("=BBH", 0, 0, 0)
    s.send(struct.pack("=IHHII", 16 + len(body), IPCTNL_MSG_CT_GET, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + body)
    while True:
        data = s.recv(1 << 20)
        off = 0
        while off + 16 <= len(data):
            ln, typ, flags, seq, pid = struct.unpack_from("=IHHII", data, off)
            if typ == NLMSG_DONE:
                return
            if typ == NLMSG_ERROR:
                err = struct.unpack_from("=i", data, off + 16)[0]
                if err:
                    sys.exit("netlink error %d" % err)
                return
            family = data[off + 16]
            value = CT(data[off + 20:off + ln])
            print(json.dumps({"family": family, "value": value}))
            off += (ln + 3) & ~3


main()
