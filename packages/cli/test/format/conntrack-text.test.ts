import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userspaceTag, eventTimePrefix } from "../../src/format/index.js";
import { formatConntrackText, type ConntrackValue } from "./render.js";
import { S, TCP, V4, V6, counters, labels, ns, t4, t6, tcp } from "./build.js";

// Every expected line below was printed by conntrack 1.4.7 (../shared/docs/conntrack-tools.md §1.1, §1.5, §3).
const savedTz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = "UTC";
});
afterAll(() => {
  process.env.TZ = savedTz;
});

const NOW = 1795386535;
const plain = { nowSec: NOW };
const REPLIED = S.SEEN_REPLY | S.CONFIRMED;
const ASSURED = S.SEEN_REPLY | S.ASSURED | S.CONFIRMED;
const UNREPLIED = S.CONFIRMED;

function line(ct: ConntrackValue, family: { readonly family: number } = V4, opts: Parameters<typeof formatConntrackText>[2] = plain): string {
  return formatConntrackText(ct, family, opts);
}

describe("default line, -L examples", () => {
  it.each<[string, ConntrackValue, typeof V4 | typeof V6]>([
    [
      "tcp      6 3599 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=12345 dport=80 src=10.0.0.2 dst=10.0.0.1 sport=80 dport=12345 [ASSURED] mark=42 use=1",
      { tupleOrig: t4("10.0.0.1", "10.0.0.2", 6, { sport: 12345, dport: 80 }), tupleReply: t4("10.0.0.2", "10.0.0.1", 6, { sport: 80, dport: 12345 }), status: ASSURED, timeout: 3599, mark: 42, use: 1, id: 2864897269, protoinfo: tcp(TCP.ESTABLISHED) },
      V4,
    ],
    [
      "udp      17 29 src=10.0.0.1 dst=10.0.0.3 sport=5353 dport=53 [UNREPLIED] src=10.0.0.3 dst=10.0.0.1 sport=53 dport=5353 mark=0 use=1",
      { tupleOrig: t4("10.0.0.1", "10.0.0.3", 17, { sport: 5353, dport: 53 }), tupleReply: t4("10.0.0.3", "10.0.0.1", 17, { sport: 53, dport: 5353 }), status: UNREPLIED, timeout: 29, mark: 0, use: 1 },
      V4,
    ],
    [
      "icmpv6   58 29 src=2001:db8::1 dst=2001:db8::3 type=128 code=0 id=77 [UNREPLIED] src=2001:db8::3 dst=2001:db8::1 type=129 code=0 id=77 mark=0 use=1",
      { tupleOrig: t6("2001:db8::1", "2001:db8::3", 58, { type: 128, code: 0, id: 77, v6: true }), tupleReply: t6("2001:db8::3", "2001:db8::1", 58, { type: 129, code: 0, id: 77, v6: true }), status: UNREPLIED, timeout: 29, mark: 0, use: 1 },
      V6,
    ],
    [
      "tcp      6 119 SYN_SENT src=2001:db8::1 dst=2001:db8::2 sport=1000 dport=443 [UNREPLIED] src=2001:db8::2 dst=2001:db8::1 sport=443 dport=1000 mark=0 use=1",
      { tupleOrig: t6("2001:db8::1", "2001:db8::2", 6, { sport: 1000, dport: 443 }), tupleReply: t6("2001:db8::2", "2001:db8::1", 6, { sport: 443, dport: 1000 }), status: UNREPLIED, timeout: 119, protoinfo: tcp(TCP.SYN_SENT), mark: 0, use: 1 },
      V6,
    ],
    [
      "tcp      6 49 SYN_SENT2 src=1.1.1.1 dst=2.2.2.2 sport=10 dport=20 src=2.2.2.2 dst=1.1.1.1 sport=20 dport=10 mark=0 use=1",
      { tupleOrig: t4("1.1.1.1", "2.2.2.2", 6, { sport: 10, dport: 20 }), tupleReply: t4("2.2.2.2", "1.1.1.1", 6, { sport: 20, dport: 10 }), status: REPLIED, timeout: 49, protoinfo: tcp(TCP.SYN_SENT2), mark: 0, use: 1 },
      V4,
    ],
    [
      "tcp      6 99 ESTABLISHED src=10.0.0.5 dst=10.0.0.6 sport=1 dport=2 [UNREPLIED] src=10.0.0.6 dst=10.0.0.5 sport=2 dport=1 mark=0 zone=7 use=1",
      { tupleOrig: t4("10.0.0.5", "10.0.0.6", 6, { sport: 1, dport: 2 }), tupleReply: t4("10.0.0.6", "10.0.0.5", 6, { sport: 2, dport: 1 }), status: UNREPLIED, timeout: 99, protoinfo: tcp(TCP.ESTABLISHED), mark: 0, zone: 7, use: 1 },
      V4,
    ],
    [
      "icmp     1 28 src=10.0.0.1 dst=10.0.0.4 type=8 code=0 id=1226 [UNREPLIED] src=10.0.0.4 dst=10.0.0.1 type=0 code=0 id=1226 mark=0 use=1",
      { tupleOrig: t4("10.0.0.1", "10.0.0.4", 1, { type: 8, code: 0, id: 1226 }), tupleReply: t4("10.0.0.4", "10.0.0.1", 1, { type: 0, code: 0, id: 1226 }), status: UNREPLIED, timeout: 28, mark: 0, use: 1 },
      V4,
    ],
    [
      "tcp      6 99 ESTABLISHED src=10.0.0.5 dst=10.0.0.6 sport=5 dport=6 [UNREPLIED] src=10.0.0.6 dst=10.0.0.5 sport=6 dport=5 zone-reply=9 mark=0 use=1",
      { tupleOrig: t4("10.0.0.5", "10.0.0.6", 6, { sport: 5, dport: 6 }), tupleReply: t4("10.0.0.6", "10.0.0.5", 6, { sport: 6, dport: 5 }, 9), status: UNREPLIED, timeout: 99, protoinfo: tcp(TCP.ESTABLISHED), mark: 0, use: 1 },
      V4,
    ],
    [
      "tcp      6 99 ESTABLISHED src=10.0.0.5 dst=10.0.0.6 sport=3 dport=4 zone-orig=8 [UNREPLIED] src=10.0.0.6 dst=10.0.0.5 sport=4 dport=3 mark=0 use=1",
      { tupleOrig: t4("10.0.0.5", "10.0.0.6", 6, { sport: 3, dport: 4 }, 8), tupleReply: t4("10.0.0.6", "10.0.0.5", 6, { sport: 4, dport: 3 }), status: UNREPLIED, timeout: 99, protoinfo: tcp(TCP.ESTABLISHED), mark: 0, use: 1 },
      V4,
    ],
  ])("%s", (expected, ct, family) => {
    expect(line(ct, family)).toBe(expected);
  });
});

describe("accounting, timestamps, helpers", () => {
  const start = ns(NOW - 3, 123_456_789);
  it.each<[string, ConntrackValue]>([
    [
      "tcp      6 431996 ESTABLISHED src=192.168.77.1 dst=192.168.77.2 sport=40001 dport=8080 packets=4 bytes=220 src=192.168.77.2 dst=192.168.77.1 sport=8080 dport=40001 packets=3 bytes=193 [ASSURED] mark=0 delta-time=3 use=1",
      { tupleOrig: t4("192.168.77.1", "192.168.77.2", 6, { sport: 40001, dport: 8080 }), tupleReply: t4("192.168.77.2", "192.168.77.1", 6, { sport: 8080, dport: 40001 }), status: ASSURED, protoinfo: tcp(TCP.ESTABLISHED), timeout: 431996, mark: 0, countersOrig: counters(4, 220), countersReply: counters(3, 193), use: 1, timestamp: { start } },
    ],
    [
      "icmp     1 26 src=192.168.77.1 dst=192.168.77.2 type=8 code=0 id=4242 packets=1 bytes=36 src=192.168.77.2 dst=192.168.77.1 type=0 code=0 id=4242 packets=1 bytes=36 mark=0 delta-time=3 use=1",
      { tupleOrig: t4("192.168.77.1", "192.168.77.2", 1, { type: 8, code: 0, id: 4242 }), tupleReply: t4("192.168.77.2", "192.168.77.1", 1, { type: 0, code: 0, id: 4242 }), status: REPLIED, timeout: 26, mark: 0, countersOrig: counters(1, 36), countersReply: counters(1, 36), use: 1, timestamp: { start } },
    ],
    [
      "tcp      6 431998 ESTABLISHED src=192.168.77.1 dst=192.168.77.2 sport=40023 dport=21 packets=5 bytes=274 src=192.168.77.2 dst=192.168.77.1 sport=21 dport=40023 packets=4 bytes=274 [ASSURED] mark=0 delta-time=2 helper=ftp use=1",
      { tupleOrig: t4("192.168.77.1", "192.168.77.2", 6, { sport: 40023, dport: 21 }), tupleReply: t4("192.168.77.2", "192.168.77.1", 6, { sport: 21, dport: 40023 }), status: ASSURED, protoinfo: tcp(TCP.ESTABLISHED), timeout: 431998, mark: 0, countersOrig: counters(5, 274), countersReply: counters(4, 274), use: 1, timestamp: { start: ns(NOW - 2) }, help: { helpName: "ftp" } },
    ],
    [
      "tcp      6 6 CLOSE src=192.168.77.1 dst=192.168.77.2 sport=40022 dport=21 packets=3 bytes=164 src=192.168.77.2 dst=192.168.77.1 sport=21 dport=40022 packets=2 bytes=112 [ASSURED] mark=0 delta-time=10 helper=ftp use=1",
      { tupleOrig: t4("192.168.77.1", "192.168.77.2", 6, { sport: 40022, dport: 21 }), tupleReply: t4("192.168.77.2", "192.168.77.1", 6, { sport: 21, dport: 40022 }), status: ASSURED, protoinfo: tcp(TCP.CLOSE), timeout: 6, mark: 0, countersOrig: counters(3, 164), countersReply: counters(2, 112), use: 1, timestamp: { start: ns(NOW - 10, 999_999_999) }, help: { helpName: "ftp" } },
    ],
  ])("%s", (expected, ct) => {
    expect(line(ct)).toBe(expected);
  });

  it("-o extended,id,ktimestamp (ctime in local time)", () => {
    const opts = { nowSec: 1795386536, extended: true, id: true, ktimestamp: true };
    const udp: ConntrackValue = { tupleOrig: t4("192.168.77.1", "192.168.77.2", 17, { sport: 40004, dport: 5353 }), tupleReply: t4("192.168.77.2", "192.168.77.1", 17, { sport: 5353, dport: 40004 }), status: REPLIED, timeout: 26, mark: 0, countersOrig: counters(1, 32), countersReply: counters(1, 32), use: 1, id: 125031696, timestamp: { start: ns(1795386532, 566348667) } };
    expect(line(udp, V4, opts)).toBe(
      "ipv4     2 udp      17 26 src=192.168.77.1 dst=192.168.77.2 sport=40004 dport=5353 packets=1 bytes=32 src=192.168.77.2 dst=192.168.77.1 sport=5353 dport=40004 packets=1 bytes=32 mark=0 delta-time=4 [start=Sun Nov 22 22:28:52 2026] use=1 id=125031696",
    );
    const tcp6: ConntrackValue = { tupleOrig: t6("fd00:77::1", "fd00:77::2", 6, { sport: 40003, dport: 8080 }), tupleReply: t6("fd00:77::2", "fd00:77::1", 6, { sport: 8080, dport: 40003 }), status: ASSURED, protoinfo: tcp(TCP.ESTABLISHED), timeout: 431996, mark: 0, countersOrig: counters(4, 301), countersReply: counters(3, 254), use: 1, id: 377909908, timestamp: { start: ns(1795386532) } };
    expect(line(tcp6, V6, opts)).toBe(
      "ipv6     10 tcp      6 431996 ESTABLISHED src=fd00:77::1 dst=fd00:77::2 sport=40003 dport=8080 packets=4 bytes=301 src=fd00:77::2 dst=fd00:77::1 sport=8080 dport=40003 packets=3 bytes=254 [ASSURED] mark=0 delta-time=4 [start=Sun Nov 22 22:28:52 2026] use=1 id=377909908",
    );
  });

  it("ctime honours TZ and pads a single-digit day with a space", () => {
    process.env.TZ = "America/New_York";
    try {
      const ct: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 17, { sport: 1, dport: 2 }), timestamp: { start: ns(1793664000) } };
      // 1793664000 = Tue Nov 3 00:00:00 UTC 2026 = Mon Nov 2 19:00:00 EST 2026
      expect(line(ct, V4, { nowSec: 1793664000, ktimestamp: true })).toBe(
        "udp      17 src=1.1.1.1 dst=2.2.2.2 sport=1 dport=2 delta-time=0 [start=Mon Nov  2 19:00:00 2026]",
      );
    } finally {
      process.env.TZ = "UTC";
    }
  });

  it("delta-time is printed without -o ktimestamp and truncates each side first", () => {
    const ct: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 17, { sport: 1, dport: 2 }), timestamp: { start: ns(100, 999_999_999), stop: ns(130, 1) } };
    expect(line(ct)).toBe("udp      17 src=1.1.1.1 dst=2.2.2.2 sport=1 dport=2 delta-time=30");
  });

  it("a stop timestamp of 0 counts up to now; a start in the future wraps like %llu", () => {
    const a: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 253), timestamp: { start: ns(NOW - 7), stop: 0n } };
    expect(line(a)).toBe("unknown  253 src=1.1.1.1 dst=2.2.2.2 delta-time=7");
    const b: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 253), timestamp: { start: ns(NOW + 1) } };
    expect(line(b)).toBe("unknown  253 src=1.1.1.1 dst=2.2.2.2 delta-time=18446744073709551615");
  });
});

describe("NAT and other protocols", () => {
  it.each<[string, ConntrackValue]>([
    [
      "tcp      6 49 ESTABLISHED src=1.1.1.1 dst=2.2.2.2 sport=10 dport=20 src=3.3.3.3 dst=1.1.1.1 sport=8080 dport=10 mark=0 use=1",
      { tupleOrig: t4("1.1.1.1", "2.2.2.2", 6, { sport: 10, dport: 20 }), tupleReply: t4("3.3.3.3", "1.1.1.1", 6, { sport: 8080, dport: 10 }), status: REPLIED | S.DST_NAT | S.DST_NAT_DONE, protoinfo: tcp(TCP.ESTABLISHED), timeout: 49, mark: 0, use: 1 },
    ],
    [
      "udp      17 49 src=1.1.1.1 dst=2.2.2.2 sport=10 dport=20 [UNREPLIED] src=2.2.2.2 dst=4.4.4.4 sport=20 dport=10 mark=0 use=1",
      { tupleOrig: t4("1.1.1.1", "2.2.2.2", 17, { sport: 10, dport: 20 }), tupleReply: t4("2.2.2.2", "4.4.4.4", 17, { sport: 20, dport: 10 }), status: UNREPLIED | S.SRC_NAT | S.SRC_NAT_DONE, timeout: 49, mark: 0, use: 1 },
    ],
    [
      "unknown  2 49 src=1.1.1.1 dst=224.0.0.22 [UNREPLIED] src=224.0.0.22 dst=1.1.1.1 mark=0 use=1",
      { tupleOrig: t4("1.1.1.1", "224.0.0.22", 2), tupleReply: t4("224.0.0.22", "1.1.1.1", 2), status: UNREPLIED, timeout: 49, mark: 0, use: 1 },
    ],
    [
      "unknown  200 49 src=1.1.1.1 dst=2.2.2.2 [UNREPLIED] src=2.2.2.2 dst=1.1.1.1 mark=0 use=1",
      { tupleOrig: t4("1.1.1.1", "2.2.2.2", 200), tupleReply: t4("2.2.2.2", "1.1.1.1", 200), status: UNREPLIED, timeout: 49, mark: 0, use: 1 },
    ],
    [
      "udplite  136 49 src=1.1.1.1 dst=2.2.2.2 sport=5 dport=6 [UNREPLIED] src=2.2.2.2 dst=1.1.1.1 sport=6 dport=5 mark=0 use=1",
      { tupleOrig: t4("1.1.1.1", "2.2.2.2", 136, { sport: 5, dport: 6 }), tupleReply: t4("2.2.2.2", "1.1.1.1", 136, { sport: 6, dport: 5 }), status: UNREPLIED, timeout: 49, mark: 0, use: 1 },
    ],
    [
      "gre      47 49 src=1.1.1.1 dst=2.2.2.2 srckey=0x1234 dstkey=0x5678 [UNREPLIED] src=2.2.2.2 dst=1.1.1.1 srckey=0x5678 dstkey=0x1234 mark=0 use=1",
      { tupleOrig: t4("1.1.1.1", "2.2.2.2", 47, { sport: 0x1234, dport: 0x5678 }), tupleReply: t4("2.2.2.2", "1.1.1.1", 47, { sport: 0x5678, dport: 0x1234 }), status: UNREPLIED, timeout: 49, mark: 0, use: 1 },
    ],
    [
      "sctp     132 49 ESTABLISHED src=1.1.1.1 dst=2.2.2.2 sport=5 dport=6 [UNREPLIED] src=2.2.2.2 dst=1.1.1.1 sport=6 dport=5 mark=0 use=1",
      { tupleOrig: t4("1.1.1.1", "2.2.2.2", 132, { sport: 5, dport: 6 }), tupleReply: t4("2.2.2.2", "1.1.1.1", 132, { sport: 6, dport: 5 }), status: UNREPLIED, timeout: 49, protoinfo: { protoinfoSctp: { sctpState: 4, vtagOriginal: 0x01000000, vtagReply: 0x02000000 } }, mark: 0, use: 1 },
    ],
    [
      // No DCCP tracker: the kernel sends no ports and no state, the library still prints zeros.
      "dccp     33 49 src=1.1.1.1 dst=2.2.2.2 sport=0 dport=0 [UNREPLIED] src=2.2.2.2 dst=1.1.1.1 sport=0 dport=0 mark=0 use=1",
      { tupleOrig: t4("1.1.1.1", "2.2.2.2", 33), tupleReply: t4("2.2.2.2", "1.1.1.1", 33), status: UNREPLIED, timeout: 49, mark: 0, use: 1 },
    ],
  ])("%s", (expected, ct) => {
    expect(line(ct)).toBe(expected);
  });

  it("prints the SCTP and DCCP states from their own tables, out-of-range as NONE", () => {
    const base = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 33) };
    expect(line({ ...base, protoinfo: { protoinfoDccp: { dccpState: 4 } } })).toBe("dccp     33 OPEN src=1.1.1.1 dst=2.2.2.2 sport=0 dport=0");
    expect(line({ ...base, protoinfo: { protoinfoSctp: { sctpState: 9 } } })).toBe("dccp     33 HEARTBEAT_ACKED src=1.1.1.1 dst=2.2.2.2 sport=0 dport=0");
    expect(line({ ...base, protoinfo: { protoinfoTcp: { tcpState: 42 } } })).toBe("dccp     33 NONE src=1.1.1.1 dst=2.2.2.2 sport=0 dport=0");
  });

  it("zones in both directions and the 'both' zone together", () => {
    const ct: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 17, { sport: 1, dport: 2 }, 3), tupleReply: t4("2.2.2.2", "1.1.1.1", 17, { sport: 2, dport: 1 }, 4), zone: 5, status: REPLIED };
    expect(line(ct)).toBe("udp      17 src=1.1.1.1 dst=2.2.2.2 sport=1 dport=2 zone-orig=3 src=2.2.2.2 dst=1.1.1.1 sport=2 dport=1 zone-reply=4 zone=5");
  });

  it("OFFLOAD hides ASSURED, HW_OFFLOAD wins over both", () => {
    const base: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 6, { sport: 1, dport: 2 }), tupleReply: t4("2.2.2.2", "1.1.1.1", 6, { sport: 2, dport: 1 }) };
    const tail = "src=1.1.1.1 dst=2.2.2.2 sport=1 dport=2 src=2.2.2.2 dst=1.1.1.1 sport=2 dport=1";
    expect(line({ ...base, status: ASSURED | S.OFFLOAD })).toBe("tcp      6 " + tail + " [OFFLOAD]");
    expect(line({ ...base, status: ASSURED | S.OFFLOAD | S.HW_OFFLOAD })).toBe("tcp      6 " + tail + " [HW_OFFLOAD]");
    expect(line({ ...base, status: ASSURED })).toBe("tcp      6 " + tail + " [ASSURED]");
    // No status attribute at all: neither [UNREPLIED] nor [ASSURED].
    expect(line(base)).toBe("tcp      6 " + tail);
  });

  it("secmark, secctx and counters missing one half", () => {
    const ct: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 2), countersOrig: { packets: 5n }, secmark: Uint8Array.of(0, 0, 0, 7), secctx: { secctxName: "system_u:object_r:unlabeled_t:s0" } };
    expect(line(ct)).toBe("unknown  2 src=1.1.1.1 dst=2.2.2.2 secmark=7 secctx=system_u:object_r:unlabeled_t:s0");
  });

  it("secmark given as raw big-endian bytes", () => {
    expect(line({ tupleOrig: t4("1.1.1.1", "2.2.2.2", 2), secmark: Uint8Array.of(0, 0, 1, 2) })).toBe("unknown  2 src=1.1.1.1 dst=2.2.2.2 secmark=258");
  });

  it("u64 counters beyond 2^53 print exactly", () => {
    const ct: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 2), countersOrig: counters(18446744073709551615n, 9007199254740993n) };
    expect(line(ct)).toBe("unknown  2 src=1.1.1.1 dst=2.2.2.2 packets=18446744073709551615 bytes=9007199254740993");
  });

  it("an unknown family prints no addresses; -o extended says unknown", () => {
    const ct: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 6, { sport: 1, dport: 2 }), tupleReply: t4("2.2.2.2", "1.1.1.1", 6, { sport: 2, dport: 1 }) };
    expect(line(ct, { family: 7 } as unknown as typeof V4, { nowSec: 0, extended: true })).toBe("unknown  7 tcp      6 sport=1 dport=2 sport=2 dport=1");
  });
});

describe("labels", () => {
  const map = new Map([
    [0, "eth0-in"],
    [1, "eth0-out"],
    [5, "bulk"],
    [6, "ppp-in"],
    [127, "far-label"],
    [9, ""],
  ]);
  const base: ConntrackValue = { tupleOrig: t4("10.9.0.1", "10.9.0.2", 6, { sport: 100, dport: 200 }), tupleReply: t4("10.9.0.2", "10.9.0.1", 6, { sport: 200, dport: 100 }), status: UNREPLIED, protoinfo: tcp(TCP.ESTABLISHED), timeout: 99, mark: 0, use: 1 };
  const head = "tcp      6 99 ESTABLISHED src=10.9.0.1 dst=10.9.0.2 sport=100 dport=200 [UNREPLIED] src=10.9.0.2 dst=10.9.0.1 sport=200 dport=100 mark=0 use=1";

  it("names in ascending bit order (-o labels)", () => {
    expect(line({ ...base, labels: labels(5, 0) }, V4, { nowSec: 0, labelMap: map })).toBe(head + " labels=eth0-in,bulk");
    expect(line({ ...base, labels: labels(127) }, V4, { nowSec: 0, labelMap: map })).toBe(head + " labels=far-label");
  });
  it("no label attribute: nothing", () => {
    expect(line(base, V4, { nowSec: 0, labelMap: map })).toBe(head);
  });
  it("bits without names (or with an empty name) give a bare 'labels'", () => {
    expect(line({ ...base, labels: labels(3, 9) }, V4, { nowSec: 0, labelMap: map })).toBe(head + " labels");
  });
  it("without a loaded label map labels are never printed", () => {
    expect(line({ ...base, labels: labels(0) })).toBe(head);
  });
  it("-G -o labels,id puts id before labels (use=2 from GET)", () => {
    const ct: ConntrackValue = { tupleOrig: t4("10.9.0.1", "10.9.0.2", 6, { sport: 103, dport: 200 }), tupleReply: t4("10.9.0.2", "10.9.0.1", 6, { sport: 200, dport: 103 }), status: UNREPLIED, protoinfo: tcp(TCP.ESTABLISHED), timeout: 93, mark: 0, use: 2, id: 708847853, labels: labels(6) };
    expect(line(ct, V4, { nowSec: 0, id: true, labelMap: map })).toBe(
      "tcp      6 93 ESTABLISHED src=10.9.0.1 dst=10.9.0.2 sport=103 dport=200 [UNREPLIED] src=10.9.0.2 dst=10.9.0.1 sport=200 dport=103 mark=0 use=2 id=708847853 labels=ppp-in",
    );
    expect(line({ ...ct, labels: labels(1, 6) }, V4, { nowSec: 0, labelMap: map })).toBe(
      "tcp      6 93 ESTABLISHED src=10.9.0.1 dst=10.9.0.2 sport=103 dport=200 [UNREPLIED] src=10.9.0.2 dst=10.9.0.1 sport=200 dport=103 mark=0 use=2 labels=eth0-out,ppp-in",
    );
  });
});

describe("-o id and -D -o extended,id transcripts", () => {
  it("-D -o extended,id", () => {
    const ct: ConntrackValue = { tupleOrig: t4("10.0.0.1", "10.0.0.3", 17, { sport: 5353, dport: 53 }), tupleReply: t4("10.0.0.3", "10.0.0.1", 17, { sport: 53, dport: 5353 }), status: UNREPLIED, timeout: 119, mark: 16, use: 1, id: 3828764426 };
    expect(line(ct, V4, { nowSec: 0, extended: true, id: true })).toBe(
      "ipv4     2 udp      17 119 src=10.0.0.1 dst=10.0.0.3 sport=5353 dport=53 [UNREPLIED] src=10.0.0.3 dst=10.0.0.1 sport=53 dport=5353 mark=16 use=1 id=3828764426",
    );
  });
});

describe("events", () => {
  const o = t4("192.168.77.1", "192.168.77.2", 6, { sport: 40001, dport: 8080 });
  const r = t4("192.168.77.2", "192.168.77.1", 6, { sport: 8080, dport: 40001 });
  it.each<[string, ConntrackValue, "new" | "update" | "destroy"]>([
    ["    [NEW] tcp      6 120 SYN_SENT src=192.168.77.1 dst=192.168.77.2 sport=40001 dport=8080 [UNREPLIED] src=192.168.77.2 dst=192.168.77.1 sport=8080 dport=40001", { tupleOrig: o, tupleReply: r, status: UNREPLIED, protoinfo: tcp(TCP.SYN_SENT), timeout: 120 }, "new"],
    [" [UPDATE] tcp      6 60 SYN_RECV src=192.168.77.1 dst=192.168.77.2 sport=40001 dport=8080 src=192.168.77.2 dst=192.168.77.1 sport=8080 dport=40001", { tupleOrig: o, tupleReply: r, status: REPLIED, protoinfo: tcp(TCP.SYN_RECV), timeout: 60 }, "update"],
    [" [UPDATE] tcp      6 432000 ESTABLISHED src=192.168.77.1 dst=192.168.77.2 sport=40001 dport=8080 src=192.168.77.2 dst=192.168.77.1 sport=8080 dport=40001 [ASSURED]", { tupleOrig: o, tupleReply: r, status: ASSURED, protoinfo: tcp(TCP.ESTABLISHED), timeout: 432000 }, "update"],
    [
      "    [NEW] icmpv6   58 30 src=fd00:77::1 dst=fd00:77::2 type=128 code=0 id=4343 [UNREPLIED] src=fd00:77::2 dst=fd00:77::1 type=129 code=0 id=4343",
      { tupleOrig: t6("fd00:77::1", "fd00:77::2", 58, { type: 128, code: 0, id: 4343, v6: true }), tupleReply: t6("fd00:77::2", "fd00:77::1", 58, { type: 129, code: 0, id: 4343, v6: true }), status: UNREPLIED, timeout: 30 },
      "new",
    ],
  ])("%s", (expected, ct, event) => {
    expect(formatConntrackText(ct, { family: ct.tupleOrig?.tupleIp?.ipV6Src ? 10 : 2, event }, plain)).toBe(expected);
  });

  const udpDestroy: ConntrackValue = {
    tupleOrig: t4("192.168.77.1", "192.168.77.2", 17, { sport: 40004, dport: 5353 }),
    tupleReply: t4("192.168.77.2", "192.168.77.1", 17, { sport: 5353, dport: 40004 }),
    status: REPLIED,
    countersOrig: counters(1, 32),
    countersReply: counters(1, 32),
    timestamp: { start: ns(1795386532, 566348667), stop: ns(1795386562, 600000000) },
  };
  it("expiry DESTROY has no timeout but a delta-time", () => {
    expect(formatConntrackText(udpDestroy, { family: 2, event: "destroy" }, plain)).toBe(
      "[DESTROY] udp      17 src=192.168.77.1 dst=192.168.77.2 sport=40004 dport=5353 packets=1 bytes=32 src=192.168.77.2 dst=192.168.77.1 sport=5353 dport=40004 packets=1 bytes=32 delta-time=30",
    );
  });
  it("DESTROY with -o ktimestamp,extended shows start and stop", () => {
    expect(formatConntrackText(udpDestroy, { family: 2, event: "destroy" }, { nowSec: 0, ktimestamp: true, extended: true })).toBe(
      "[DESTROY] ipv4     2 udp      17 src=192.168.77.1 dst=192.168.77.2 sport=40004 dport=5353 packets=1 bytes=32 src=192.168.77.2 dst=192.168.77.1 sport=5353 dport=40004 packets=1 bytes=32 delta-time=30 [start=Sun Nov 22 22:28:52 2026] [stop=Sun Nov 22 22:29:22 2026]",
    );
  });
  it("userspace tags", () => {
    const ct: ConntrackValue = { tupleOrig: t4("10.7.0.1", "10.7.0.2", 6, { sport: 33, dport: 44 }), tupleReply: t4("10.7.0.2", "10.7.0.1", 6, { sport: 44, dport: 33 }), status: UNREPLIED, protoinfo: tcp(TCP.SYN_SENT), timeout: 100, mark: 0 };
    expect(formatConntrackText(ct, { family: 2, event: "new" }, plain) + userspaceTag(9223, "conntrack")).toBe(
      "    [NEW] tcp      6 100 SYN_SENT src=10.7.0.1 dst=10.7.0.2 sport=33 dport=44 [UNREPLIED] src=10.7.0.2 dst=10.7.0.1 sport=44 dport=33 mark=0 [USERSPACE] portid=9223 progname=conntrack",
    );
    const udp: ConntrackValue = { tupleOrig: t4("10.7.0.1", "10.7.0.2", 17, { sport: 33, dport: 44 }), tupleReply: t4("10.7.0.2", "10.7.0.1", 17, { sport: 44, dport: 33 }), status: UNREPLIED, timeout: 98, mark: 5 };
    expect(formatConntrackText(udp, { family: 2, event: "destroy" }, plain) + userspaceTag(3110692974)).toBe(
      "[DESTROY] udp      17 98 src=10.7.0.1 dst=10.7.0.2 sport=33 dport=44 [UNREPLIED] src=10.7.0.2 dst=10.7.0.1 sport=44 dport=33 mark=5 [USERSPACE] portid=3110692974",
    );
  });
  it("-o id,extended,labels event with a userspace tag", () => {
    const ct: ConntrackValue = { tupleOrig: t4("10.3.3.3", "10.3.3.4", 6, { sport: 1, dport: 2 }), tupleReply: t4("10.3.3.4", "10.3.3.3", 6, { sport: 2, dport: 1 }), status: UNREPLIED, protoinfo: tcp(TCP.ESTABLISHED), timeout: 500, mark: 7, id: 724480387, labels: labels(5) };
    const text = formatConntrackText(ct, { family: 2, event: "new" }, { nowSec: 0, id: true, extended: true, labelMap: new Map([[5, "bulk"]]) }) + userspaceTag(11872);
    expect(text.startsWith("    [NEW] ipv4     2 tcp      6 500 ESTABLISHED src=10.3.3.3 ")).toBe(true);
    expect(text.endsWith(" mark=7 id=724480387 labels=bulk [USERSPACE] portid=11872")).toBe(true);
  });
  it("-o timestamp prefix: zero padded seconds.microseconds and a TAB", () => {
    expect(eventTimePrefix({ sec: 1795386501, usec: 881193 })).toBe("[1795386501.881193]\t");
    expect(eventTimePrefix({ sec: 1795386633, usec: 1053 })).toBe("[1795386633.001053]\t");
    expect(eventTimePrefix({ sec: 12, usec: 5 })).toBe("[00000012.000005]\t");
  });
});
