import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  decodeStateMessage, encodeCtlMessage, encodeNtaAttrs, encodeStateMessage, NET_F, NET_T, readHeader, splitDatagram,
  type NtaAttrs,
} from "@tsconntrack/conntrackd";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, "hex"));
const golden = readFileSync(join(__dirname, "fixtures/notrack-1.4.7.hex"), "utf8").split("\n").filter((l) => l && !l.startsWith("#"));

const SYN = { its: 0, isn: 0, tsoff: 0 };
/**
 * What each captured datagram says, as tsconntrackd decodes it. The SCTP tags read 0x64000000:
 * conntrack 1.4.7's `--orig-vtag 100` writes the tag in host order into a be32 attribute, and
 * conntrackd sends the kernel's bytes unchanged, so the wire holds the kernel's value.
 */
const EXPECTED: [type: number, flags: number, attrs: NtaAttrs | undefined][] = [
  [NET_T.CTL, NET_F.ALIVE, undefined],
  [NET_T.STATE_CT_NEW, 0, { ipv4: { src: "1.1.1.1", dst: "2.2.2.2" }, status: 0x0e, l4proto: 6, port: { sport: 1000, dport: 80 }, tcpState: 3, timeout: 300, mark: 7, synproxy: SYN }],
  [NET_T.STATE_CT_NEW, 0, { ipv4: { src: "1.1.1.3", dst: "2.2.2.4" }, status: 0x08, l4proto: 17, port: { sport: 53, dport: 53 }, timeout: 30, mark: 0, synproxy: SYN, zone: 5 }],
  [NET_T.STATE_CT_NEW, 0, { ipv4: { src: "1.1.1.3", dst: "2.2.2.4" }, status: 0x08, l4proto: 1, icmpType: 8, icmpCode: 0, icmpId: 77, timeout: 30, mark: 0, synproxy: SYN }],
  [NET_T.STATE_CT_NEW, 0, { ipv4: { src: "10.1.1.1", dst: "10.2.2.2" }, status: 0x198, l4proto: 6, port: { sport: 4000, dport: 443 }, tcpState: 1, timeout: 100, mark: 0, snatIpv4: "10.9.9.9", synproxy: SYN }],
  [NET_T.STATE_CT_NEW, 0, { ipv4: { src: "10.1.1.1", dst: "10.2.2.2" }, status: 0x1a8, l4proto: 6, port: { sport: 4001, dport: 443 }, tcpState: 1, timeout: 100, mark: 0, dnatIpv4: "10.8.8.8", dpatPort: 8443, synproxy: SYN }],
  [NET_T.STATE_CT_NEW, 0, { ipv6: { src: "2001:db8::1", dst: "2001:db8::2" }, status: 0x08, l4proto: 6, port: { sport: 5000, dport: 22 }, tcpState: 3, timeout: 200, mark: 0, synproxy: SYN }],
  [NET_T.STATE_CT_NEW, 0, { ipv4: { src: "1.1.1.5", dst: "2.2.2.6" }, status: 0x08, l4proto: 132, port: { sport: 7, dport: 8 }, sctpState: 4, sctpVtagOrig: 0x64000000, sctpVtagRepl: 0xc8000000, timeout: 50, mark: 0, synproxy: SYN }],
  [NET_T.STATE_CT_UPD, 0, { ipv4: { src: "1.1.1.1", dst: "2.2.2.2" }, status: 0x0e, l4proto: 6, port: { sport: 1000, dport: 80 }, tcpState: 3, timeout: 299, mark: 9, synproxy: SYN }],
  [NET_T.STATE_CT_DEL, 0, { ipv4: { src: "1.1.1.3", dst: "2.2.2.4" }, status: 0x08, l4proto: 17, port: { sport: 53, dport: 53 }, timeout: 30, mark: 0, synproxy: SYN, zone: 5 }],
  [NET_T.CTL, NET_F.ALIVE, undefined],
];

describe("conntrackd 1.4.7's own datagrams: bytes ⇄ values", () => {
  EXPECTED.forEach(([type, flags, attrs], i) => {
    it(`datagram ${i}`, () => {
      const datagram = bytes(golden[i]!);
      const items = splitDatagram(datagram);
      expect(items).toHaveLength(1);
      const item = items[0]!;
      expect(item.kind).toBe("message");
      if (item.kind !== "message") return;
      expect(item.header).toMatchObject({ version: 1, type, flags, len: datagram.length });
      if (attrs === undefined) {
        expect(hex(encodeCtlMessage(flags, item.header.seq))).toBe(golden[i]);
        return;
      }
      const decoded = decodeStateMessage(item.bytes);
      expect(decoded).toEqual({ ok: true, attrs });
      // And back: the same bytes, header included.
      expect(hex(encodeStateMessage(type, item.header.seq, attrs))).toBe(golden[i]);
    });
  });
});

describe("headers", () => {
  it("puts the version in the high nibble and the type in the low one", () => {
    expect(readHeader(bytes("1a100008000000ff"), 0)).toEqual({ version: 1, type: 10, flags: 0x10, len: 8, seq: 255 });
  });
  it("writes ACK/NACK/RESYNC with from/to (16 bytes) and ALIVE without (8)", () => {
    expect(hex(encodeCtlMessage(NET_F.ACK, 7, { from: 1, to: 2 }))).toBe("1a080010000000070000000100000002");
    expect(hex(encodeCtlMessage(NET_F.NACK | NET_F.HELLO, 0xfffffffe, { from: 0xfffffff0, to: 3 }))).toBe("1a240010fffffffefffffff000000003");
    expect(hex(encodeCtlMessage(NET_F.RESYNC, 1))).toBe("1a020010000000010000000000000000");
    expect(hex(encodeCtlMessage(NET_F.ALIVE, 1))).toBe("1a10000800000001");
  });
});

describe("attributes", () => {
  const cases: [string, NtaAttrs, string][] = [
    ["helper name, NUL-terminated and padded", { helperName: "ftp" }, "0008001b66747000"],
    ["labels words", { labels: bytes("0000000100000000") }, "000c001c0000000100000000"],
    ["SNAT IPv6", { snatIpv6: "fe80::1" }, "0014001dfe800000000000000000000000000001"],
    ["NAT sequence adjustment", { natSeqAdj: { origCorrectionPos: 1, origOffsetBefore: 2, origOffsetAfter: 3, replCorrectionPos: 4, replOffsetBefore: 5, replOffsetAfter: 6 } }, "001c0010000000010000000200000003000000040000000500000006"],
    ["master tuple", { masterIpv4: { src: "1.2.3.4", dst: "5.6.7.8" }, masterL4proto: 6, masterPort: { sport: 21, dport: 1024 } }, "000c000801020304050607080005000a06000000" + "0008000b00150400"],
    ["SPAT is sent swapped like DPAT", { spatPort: 8443 }, "0006000efb200000"],
  ];
  for (const [name, attrs, expected] of cases) {
    it(name, () => {
      expect(hex(encodeNtaAttrs(attrs))).toBe(expected);
      const message = new Uint8Array(8 + expected.length / 2);
      message.set(bytes(expected), 8);
      expect(decodeStateMessage(message)).toEqual({ ok: true, attrs });
    });
  }
});

describe("what 1.4.7 refuses is refused, with the reason", () => {
  const msg = (attrs: string): Uint8Array => bytes("10000000" + "00000001" + attrs);
  it("an attribute longer than the message", () => {
    expect(decodeStateMessage(msg("00ff000500000000"))).toEqual({ ok: false, failure: { reason: "attr-too-long", offset: 8 } });
  });
  it("an attribute shorter than its header", () => {
    expect(decodeStateMessage(msg("00020005aaaa"))).toEqual({ ok: false, failure: { reason: "attr-too-short", offset: 8 } });
  });
  it("an unknown attribute (NTA_MAX or above): the whole message is dropped", () => {
    expect(decodeStateMessage(msg("000800210000000a"))).toEqual({ ok: false, failure: { reason: "unknown-attr", offset: 8, type: 33 } });
  });
  it("a fixed attribute of the wrong size", () => {
    expect(decodeStateMessage(msg("0006000500000000"))).toEqual({ ok: false, failure: { reason: "bad-attr-size", offset: 8, type: 5, len: 6 } });
  });
  it("a helper name longer than NFCT_HELPER_NAME_MAX", () => {
    expect(decodeStateMessage(msg("0011001b" + "61".repeat(13) + "000000"))).toMatchObject({ ok: false, failure: { reason: "bad-attr-size" } });
  });
  it("labels that are not whole words are skipped, not refused", () => {
    expect(decodeStateMessage(msg("0007001c01020300"))).toEqual({ ok: true, attrs: {} });
  });
  it("trailing bytes shorter than a header are ignored", () => {
    expect(decodeStateMessage(msg("00050002060000000000"))).toEqual({ ok: true, attrs: { l4proto: 6 } });
  });
});

describe("datagrams: several messages, and the ways one can be broken", () => {
  it("splits back-to-back messages", () => {
    const a = encodeCtlMessage(NET_F.ALIVE, 1);
    const b = encodeStateMessage(0, 2, { l4proto: 6 });
    const items = splitDatagram(new Uint8Array([...a, ...b]));
    expect(items.map((i) => i.kind === "message" && i.header.seq)).toEqual([1, 2]);
  });
  const cases: [string, string, string][] = [
    ["fewer than 8 bytes", "1a1000", "truncated"],
    ["length 0", "1a10000000000001", "bad-size"],
    ["length beyond the datagram", "1a10000900000001", "bad-size"],
    ["length below the header", "1a10000400000001", "bad-size"],
    ["an ACK shorter than 16 bytes", "1a0800080000000100000000", "truncated"],
    ["an ACK whose length says 8", "1a080008000000010000000000000000", "bad-size"],
  ];
  for (const [name, datagram, reason] of cases) {
    it(name, () => {
      const items = splitDatagram(bytes(datagram));
      expect(items.at(-1)).toMatchObject({ kind: "malformed", reason });
    });
  }
});
