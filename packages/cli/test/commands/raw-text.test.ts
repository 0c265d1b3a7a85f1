/**
 * The byte formatter of -L/-D must print exactly what decode + formatConntrackText prints, or
 * decline (-1) so the generic path prints the entry. Messages are built with the codec.
 */
import { describe, expect, it } from "vitest";
import { parseMessages } from "@tsconntrack/codec";
import { conntrack, type ConntrackAttrs } from "@tsconntrack/codec/conntrack";
import { formatConntrackText } from "../../src/format/conntrack-text.js";
import { RAW_LINE_MAX, RawConntrackText } from "../../src/commands/raw-text.js";

const NOW = 1_700_000_000;

function messageOf(attrs: ConntrackAttrs, family: number) {
  const bytes = conntrack.encodeMessage({ type: 0x100, flags: 2, fixed: { nfgenFamily: family, version: 0, resId: 0 }, attrs });
  // A datagram with a leading message, so offsets inside the datagram are exercised.
  const datagram = new Uint8Array(bytes.length * 2);
  datagram.set(bytes, 0);
  datagram.set(bytes, bytes.length);
  return parseMessages(datagram)[1]!;
}

function both(attrs: ConntrackAttrs, family: number, options = { extended: false, id: false }) {
  const message = messageOf(attrs, family);
  const out = new Uint8Array(RAW_LINE_MAX + 8);
  const datagram = (message as unknown as { datagram: Uint8Array }).datagram;
  const end = new RawConntrackText({ ...options, nowSec: NOW }).write(datagram, message.offset, message.header.len, family, out, 3);
  const decoded = conntrack.decodeMessage<ConntrackAttrs>(message, "conntrack-attrs").attrs;
  const expected = formatConntrackText(decoded, { family }, { ...options, nowSec: NOW }) + "\n";
  return { raw: end < 0 ? undefined : Buffer.from(out.subarray(3, end)).toString("latin1"), expected };
}

const v4 = (src: string, dst: string) => ({ ipV4Src: src, ipV4Dst: dst });
const v6 = (src: string, dst: string) => ({ ipV6Src: src, ipV6Dst: dst });

const CASES: [string, ConntrackAttrs, number][] = [
  [
    "udp unreplied with mark",
    {
      tupleOrig: { tupleIp: v4("10.0.0.1", "192.0.2.1"), tupleProto: { protoNum: 17, protoSrcPort: 1024, protoDstPort: 53 } },
      tupleReply: { tupleIp: v4("192.0.2.1", "10.0.0.1"), tupleProto: { protoNum: 17, protoSrcPort: 53, protoDstPort: 1024 } },
      status: 8, timeout: 30, mark: 3, use: 1, id: 77,
    },
    2,
  ],
  [
    "tcp established, assured, counters, zones, synproxy",
    {
      tupleOrig: { tupleIp: v4("10.0.0.1", "10.0.0.2"), tupleProto: { protoNum: 6, protoSrcPort: 40000, protoDstPort: 22 }, tupleZone: 4 },
      tupleReply: { tupleIp: v4("10.0.0.2", "10.0.0.1"), tupleProto: { protoNum: 6, protoSrcPort: 22, protoDstPort: 40000 }, tupleZone: 5 },
      status: 0xe, protoinfo: { protoinfoTcp: { tcpState: 3, tcpWscaleOriginal: 7, tcpWscaleReply: 7, tcpFlagsOriginal: { flags: 0, mask: 0 } } },
      timeout: 431999, mark: 0, countersOrig: { packets: 12n, bytes: 3456789012345n }, countersReply: { packets: 0n, bytes: 0n },
      zone: 9, use: 2, id: 0xffffffff, synproxy: { isn: 0, its: 0, tsoff: 0 },
    },
    2,
  ],
  [
    "ipv6 icmpv6 with timestamps",
    {
      tupleOrig: { tupleIp: v6("2001:db8::1", "fe80::1:2"), tupleProto: { protoNum: 58, protoIcmpv6Id: 9, protoIcmpv6Type: 128, protoIcmpv6Code: 0 } },
      tupleReply: { tupleIp: v6("fe80::1:2", "2001:db8::1"), tupleProto: { protoNum: 58, protoIcmpv6Id: 9, protoIcmpv6Type: 129, protoIcmpv6Code: 0 } },
      status: 0x2, timeout: 29, timestamp: { start: 1_699_999_000_123_456_789n }, use: 1,
    },
    10,
  ],
  [
    "icmp v4, offload, stop timestamp",
    {
      tupleOrig: { tupleIp: v4("1.2.3.4", "5.6.7.8"), tupleProto: { protoNum: 1, protoIcmpId: 1, protoIcmpType: 8, protoIcmpCode: 0 } },
      tupleReply: { tupleIp: v4("5.6.7.8", "1.2.3.4"), tupleProto: { protoNum: 1, protoIcmpId: 1, protoIcmpType: 0, protoIcmpCode: 0 } },
      status: (1 << 14) | 6, timestamp: { start: 5_000_000_000n, stop: 9_999_999_999n },
    },
    2,
  ],
  [
    "gre keys, hw offload",
    {
      tupleOrig: { tupleIp: v4("1.1.1.1", "2.2.2.2"), tupleProto: { protoNum: 47, protoSrcPort: 0xabc, protoDstPort: 0 } },
      tupleReply: { tupleIp: v4("2.2.2.2", "1.1.1.1"), tupleProto: { protoNum: 47 } },
      status: (1 << 15) | 6, timeout: 1,
    },
    2,
  ],
  [
    "unknown protocol, missing addresses, no reply tuple",
    { tupleOrig: { tupleProto: { protoNum: 99 } }, timeout: 600, use: 1 },
    2,
  ],
  ["no tuples at all", { timeout: 5, mark: 1 }, 2],
  ["ipv4 family with ipv6 addresses", { tupleOrig: { tupleIp: v6("::1", "::2"), tupleProto: { protoNum: 17 } } }, 2],
];

describe("RawConntrackText", () => {
  for (const [name, attrs, family] of CASES) {
    for (const options of [{ extended: false, id: false }, { extended: true, id: true }]) {
      it(`${name} (${options.extended ? "-o extended,id" : "default"})`, () => {
        const { raw, expected } = both(attrs, family, options);
        expect(raw).toBe(expected);
      });
    }
  }

  it("declines what it does not print itself (helper, labels, secmark, sctp, repeated nests)", () => {
    const base: ConntrackAttrs = { tupleOrig: { tupleIp: v4("1.1.1.1", "2.2.2.2"), tupleProto: { protoNum: 6 } } };
    for (const extra of [
      { help: { helpName: "ftp" } },
      { labels: new Uint8Array(16) },
      { secmark: new Uint8Array(4) },
      { protoinfo: { protoinfoSctp: { sctpState: 3 } } },
      { tupleMaster: { tupleIp: v4("1.1.1.1", "2.2.2.2") } },
      { countersOrig: { packetsOld: 1, bytesOld: 2 } },
      { $unknown: [{ type: 1, flags: 0x8000, data: new Uint8Array(0), index: 1 }] },
    ] as ConntrackAttrs[]) {
      const { raw } = both({ ...base, ...extra }, 2);
      expect(raw, JSON.stringify(Object.keys(extra))).toBeUndefined();
    }
  });

  it("ignores attribute types beyond the spec, as the decoder does", () => {
    const attrs: ConntrackAttrs = {
      tupleOrig: { tupleIp: v4("1.1.1.1", "2.2.2.2"), tupleProto: { protoNum: 17, protoSrcPort: 1, protoDstPort: 2 } },
      timeout: 3,
      $unknown: [{ type: 40, flags: 0, data: new Uint8Array([1, 2, 3, 4]), index: 1 }],
    };
    const { raw, expected } = both(attrs, 2);
    expect(raw).toBe(expected);
  });
});
