import { viewOf } from "./helpers/view-of.js";
import { describe, expect, it } from "vitest";
import type { ConntrackAttrs } from "@tsconntrack/codec/conntrack";
import { compileFilter, isEmptyFilter } from "../src/filter.js";
import { parseAddressSpec } from "../src/address.js";
import { AF_INET, AF_INET6 } from "../src/constants.js";
import { isConntrackArgumentError } from "../src/errors.js";

const v4 = (src: string, dst: string, proto: number, sport: number, dport: number, extra: ConntrackAttrs = {}): ConntrackAttrs => ({
  tupleOrig: { tupleIp: { ipV4Src: src, ipV4Dst: dst }, tupleProto: { protoNum: proto, protoSrcPort: sport, protoDstPort: dport } },
  tupleReply: { tupleIp: { ipV4Src: dst, ipV4Dst: src }, tupleProto: { protoNum: proto, protoSrcPort: dport, protoDstPort: sport } },
  ...extra,
});

describe("compileFilter: what goes to the kernel", () => {
  it("sends nothing for an empty filter", () => {
    const c = compileFilter({});
    expect(c).toMatchObject({ family: 0, attrs: {}, predicate: undefined });
    expect(isEmptyFilter(undefined)).toBe(true);
  });

  it("sends mark with a full mask, status with its mask, and a non-zero zone", () => {
    const c = compileFilter({ mark: 7, status: 0x4, zone: 3 });
    expect(c.attrs).toEqual({ mark: 7, markMask: 0xffffffff, status: 4, statusMask: 4, zone: 3 });
    expect(c.kernel).toMatchObject({ mark: true, status: true, zone: true });
  });

  it("keeps zone 0 and a zero status mask in user space (the kernel reads them as no filter / EINVAL)", () => {
    const c = compileFilter({ zone: 0, status: 0, statusMask: 0 });
    expect(c.attrs).toEqual({});
    expect(c.predicate!(viewOf({ zone: 0, status: 0x8 }, AF_INET))).toBe(true);
    expect(c.predicate!(viewOf({ zone: 1 }, AF_INET))).toBe(false);
  });

  it("builds CTA_FILTER from exact IPv4 addresses, protocol, ports and ICMP fields, and implies the family", () => {
    const c = compileFilter({ orig: { src: "10.0.0.1", proto: "tcp", dstPort: 80 }, reply: { proto: 1, icmpType: 0, icmpId: 5 } });
    expect(c.family).toBe(AF_INET);
    expect(c.attrs).toEqual({
      filter: { origFlags: 0x1 | 0x8 | 0x20, replyFlags: 0x8 | 0x40 | 0x100 },
      tupleOrig: { tupleIp: { ipV4Src: "10.0.0.1" }, tupleProto: { protoNum: 6, protoDstPort: 80 } },
      tupleReply: { tupleProto: { protoNum: 1, protoIcmpType: 0, protoIcmpId: 5 } },
    });
  });

  it("keeps CIDR prefixes, IPv6 addresses and ports without a protocol in user space", () => {
    expect(compileFilter({ orig: { src: "10.0.0.0/8" } }).attrs).toEqual({});
    const v6 = compileFilter({ orig: { src: "fd00::1", proto: 17, srcPort: 5 } });
    expect(v6.family).toBe(AF_INET6);
    expect(v6.attrs.filter).toEqual({ origFlags: 0x8 | 0x10 });
    expect(v6.attrs.tupleOrig).toEqual({ tupleProto: { protoNum: 17, protoSrcPort: 5 } });
    expect(compileFilter({ family: AF_INET, orig: { srcPort: 5 } }).attrs).toEqual({});
  });

  it("needs a family for CTA_FILTER and honours the kernel choice", () => {
    expect(compileFilter({ orig: { proto: 6 } }).attrs).toEqual({});
    expect(compileFilter({ family: AF_INET, orig: { proto: 6 } }).attrs.filter).toEqual({ origFlags: 0x8 });
    const none = compileFilter({ family: AF_INET, mark: 1, orig: { proto: 6 } }, { family: false, mark: false, tuple: false });
    expect(none.attrs).toEqual({});
    expect(none.family).toBe(0);
    expect(none.predicate!(viewOf({ mark: 1, ...v4("1.1.1.1", "2.2.2.2", 6, 1, 2) }, AF_INET6))).toBe(false);
  });

  it("uses a tuple zone as an over-approximating kernel zone filter", () => {
    const c = compileFilter({ orig: { zone: 4 } });
    expect(c.attrs).toEqual({ zone: 4 });
    expect(c.predicate!(viewOf({ tupleOrig: { tupleZone: 4 } }, AF_INET))).toBe(true);
    expect(c.predicate!(viewOf({ zone: 4 }, AF_INET))).toBe(false);
  });

  it("refuses contradictory families and bad values", () => {
    const attempt = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return isConntrackArgumentError(error) ? error.field : "other";
      }
      return "none";
    };
    expect(attempt(() => compileFilter({ family: AF_INET6, orig: { src: "10.0.0.1" } }))).toBe("filter.orig.src");
    expect(attempt(() => compileFilter({ orig: { src: "nope" } }))).toBe("filter.orig.src");
    expect(attempt(() => compileFilter({ orig: { srcPort: 70000 } }))).toBe("filter.orig.srcPort");
    expect(attempt(() => compileFilter({ orig: { proto: "nope" } }))).toBe("filter.orig.proto");
    expect(attempt(() => compileFilter({ family: 7 }))).toBe("filter.family");
  });
});

describe("compileFilter: the user-space predicate", () => {
  const flow = v4("10.0.0.5", "192.168.1.1", 6, 1234, 443, { mark: 0x12, status: 0xe, zone: 2 });

  it.each([
    [{ mark: 0x12 }, true],
    [{ mark: 0x10, markMask: 0xf0 }, true],
    [{ mark: 0x11, markMask: 0xf0 }, false],
    [{ status: 0x4 }, true],
    [{ status: 0x1 }, false],
    [{ status: 0, statusMask: 0x1 }, true],
    [{ zone: 2 }, true],
    [{ orig: { src: "10.0.0.0/24" } }, true],
    [{ orig: { src: "10.0.1.0/24" } }, false],
    [{ orig: { src: { address: "10.0.0.1", mask: "255.0.0.255" } } }, false],
    [{ orig: { src: { address: "10.9.9.5", mask: "255.0.0.255" } } }, true],
    [{ orig: { dst: "192.168.1.1", proto: "tcp", srcPort: 1234, dstPort: 443 } }, true],
    [{ reply: { src: "192.168.1.1", srcPort: 443, dstPort: 1234 } }, true],
    [{ reply: { dstPort: 1 } }, false],
    [{ family: AF_INET6 }, false],
    [{ predicate: (f: ConntrackAttrs) => f.mark === 0x12 }, true],
  ])("%j → %s", (filter, expected) => {
    expect(compileFilter(filter).predicate!(viewOf(flow, AF_INET))).toBe(expected);
  });

  it("treats a missing mark or zone as 0 and missing tuple fields as no match", () => {
    expect(compileFilter({ mark: 0 }).predicate!(viewOf({}, AF_INET))).toBe(true);
    expect(compileFilter({ orig: { srcPort: 1 } }).predicate!(viewOf({}, AF_INET))).toBe(false);
  });

  it("matches ICMP and ICMPv6 fields by the entry's protocol", () => {
    const icmp6: ConntrackAttrs = { tupleOrig: { tupleIp: { ipV6Src: "fd00::1", ipV6Dst: "fd00::2" }, tupleProto: { protoNum: 58, protoIcmpv6Type: 128, protoIcmpv6Id: 9 } } };
    expect(compileFilter({ orig: { icmpType: 128, icmpId: 9 } }).predicate!(viewOf(icmp6, AF_INET6))).toBe(true);
    expect(compileFilter({ orig: { src: "fd00::/64", icmpType: 129 } }).predicate!(viewOf(icmp6, AF_INET6))).toBe(false);
    expect(compileFilter({ orig: { src: "fd00::1" } }).predicate!(viewOf(icmp6, AF_INET6))).toBe(true);
    expect(compileFilter({ orig: { src: "fd00:0::0001/128" } }).predicate!(viewOf(icmp6, AF_INET6))).toBe(true);
  });
});

describe("parseAddressSpec", () => {
  it("normalises addresses and masks the network", () => {
    expect(parseAddressSpec("10.1.2.3/16", "x")).toMatchObject({ family: AF_INET, text: "10.1.0.0", exact: false });
    expect(parseAddressSpec("10.1.2.3", "x")).toMatchObject({ text: "10.1.2.3", exact: true });
    expect(parseAddressSpec({ address: "fd00:0:0:0::1", prefix: 128 }, "x")).toMatchObject({ family: AF_INET6, text: "fd00::1", exact: true });
    expect(parseAddressSpec("fd00::1:2/112", "x").text).toBe("fd00::1:0");
    expect(parseAddressSpec("10.0.0.1/255.255.255.255", "x").exact).toBe(true);
    expect(parseAddressSpec("0.0.0.0/0", "x").matches("1.2.3.4")).toBe(true);
  });

  it("refuses bad prefixes and masks", () => {
    expect(() => parseAddressSpec("10.0.0.1/33", "f")).toThrow(/f: bad IPv4 prefix/);
    expect(() => parseAddressSpec("fd00::/129", "f")).toThrow(/bad IPv6 prefix/);
    expect(() => parseAddressSpec({ address: "10.0.0.1", mask: "x" }, "f")).toThrow(/netmask/);
  });
});
