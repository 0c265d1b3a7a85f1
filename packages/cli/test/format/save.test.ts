import { describe, expect, it } from "vitest";
import { userspaceTag } from "../../src/format/index.js";
import { formatConntrackSave, type ConntrackValue } from "./render.js";
import { S, TCP, t4, t6, tcp } from "./build.js";

const REPLIED = S.SEEN_REPLY | S.CONFIRMED;
const V4 = { family: 2 };

function save(ct: ConntrackValue, kind: Parameters<typeof formatConntrackSave>[2] = "dump", ctx = V4): string {
  const r = formatConntrackSave(ct, ctx, kind);
  expect(r.warning).toBeUndefined();
  return r.line;
}

const tcpFlow = (sport: number, dport: number, extra: Partial<ConntrackValue>): ConntrackValue => ({
  tupleOrig: t4("10.0.0.5", "10.0.0.6", 6, { sport, dport }, extra.tupleOrig?.tupleZone),
  tupleReply: t4("10.0.0.6", "10.0.0.5", 6, { sport: dport, dport: sport }),
  status: S.CONFIRMED,
  protoinfo: tcp(TCP.ESTABLISHED),
  mark: 0,
  use: 1,
  ...extra,
});

describe("-o save (documented lines)", () => {
  it("tcp with SEEN_REPLY,ASSURED", () => {
    const ct: ConntrackValue = { tupleOrig: t4("10.0.0.1", "10.0.0.2", 6, { sport: 12345, dport: 80 }), tupleReply: t4("10.0.0.2", "10.0.0.1", 6, { sport: 80, dport: 12345 }), status: REPLIED | S.ASSURED, protoinfo: tcp(TCP.ESTABLISHED), timeout: 3595, mark: 42, use: 1, id: 5 };
    expect(save(ct)).toBe("-A -t 3595 -u SEEN_REPLY,ASSURED -s 10.0.0.1 -d 10.0.0.2 -r 10.0.0.2 -q 10.0.0.1 -p tcp --sport 12345 --dport 80 --reply-port-src 80 --reply-port-dst 12345 --state ESTABLISHED");
  });
  it("zone and orig zone", () => {
    expect(save(tcpFlow(1, 2, { timeout: 95, zone: 7 }))).toBe("-A -t 95 -u UNSET -w 7 -s 10.0.0.5 -d 10.0.0.6 -r 10.0.0.6 -q 10.0.0.5 -p tcp --sport 1 --dport 2 --reply-port-src 2 --reply-port-dst 1 --state ESTABLISHED");
    const z = tcpFlow(3, 4, { timeout: 94 });
    const withZone = { ...z, tupleOrig: t4("10.0.0.5", "10.0.0.6", 6, { sport: 3, dport: 4 }, 8), tupleReply: t4("10.0.0.6", "10.0.0.5", 6, { sport: 4, dport: 3 }, 9) };
    expect(save(withZone)).toBe("-A -t 94 -u UNSET --orig-zone 8 --reply-zone 9 -s 10.0.0.5 -d 10.0.0.6 -r 10.0.0.6 -q 10.0.0.5 -p tcp --sport 3 --dport 4 --reply-port-src 4 --reply-port-dst 3 --state ESTABLISHED");
  });
  it("icmpv6", () => {
    const ct: ConntrackValue = { tupleOrig: t6("2001:db8::1", "2001:db8::3", 58, { type: 128, code: 0, id: 77, v6: true }), tupleReply: t6("2001:db8::3", "2001:db8::1", 58, { type: 129, code: 0, id: 77, v6: true }), status: S.CONFIRMED, timeout: 25, mark: 0, use: 1 };
    expect(save(ct, "dump", { family: 10 })).toBe("-A -t 25 -u UNSET -s 2001:db8::1 -d 2001:db8::3 -r 2001:db8::3 -q 2001:db8::1 -p icmpv6 --icmpv6-type 128 --icmpv6-code 0 --icmpv6-id 77");
  });
  it("icmp prints the ORIGINAL type", () => {
    const ct: ConntrackValue = { tupleOrig: t4("10.0.0.1", "10.0.0.4", 1, { type: 8, code: 0, id: 1226 }), tupleReply: t4("10.0.0.4", "10.0.0.1", 1, { type: 0, code: 0, id: 1226 }), status: S.CONFIRMED, timeout: 28 };
    expect(save(ct)).toBe("-A -t 28 -u UNSET -s 10.0.0.1 -d 10.0.0.4 -r 10.0.0.4 -q 10.0.0.1 -p icmp --icmp-type 8 --icmp-code 0 --icmp-id 1226");
  });
  it("DNAT uses -g, SNAT uses -n", () => {
    const dnat: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 6, { sport: 10, dport: 20 }), tupleReply: t4("3.3.3.3", "1.1.1.1", 6, { sport: 8080, dport: 10 }), status: REPLIED | S.DST_NAT | S.DST_NAT_DONE, protoinfo: tcp(TCP.ESTABLISHED), timeout: 49, mark: 0, use: 1 };
    expect(save(dnat)).toBe("-A -t 49 -u SEEN_REPLY -s 1.1.1.1 -d 2.2.2.2 -g 3.3.3.3 -q 1.1.1.1 -p tcp --sport 10 --dport 20 --reply-port-src 8080 --reply-port-dst 10 --state ESTABLISHED");
    const snat: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 17, { sport: 10, dport: 20 }), tupleReply: t4("2.2.2.2", "4.4.4.4", 17, { sport: 20, dport: 10 }), status: S.CONFIRMED | S.SRC_NAT | S.SRC_NAT_DONE, timeout: 49, mark: 0, use: 1 };
    expect(save(snat)).toBe("-A -t 49 -u UNSET -s 1.1.1.1 -d 2.2.2.2 -r 2.2.2.2 -n 4.4.4.4 -p udp --sport 10 --dport 20 --reply-port-src 20 --reply-port-dst 10");
  });
  it("a rewritten reply without the *_NAT_DONE bit is not NAT", () => {
    const ct: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 2), tupleReply: t4("3.3.3.3", "4.4.4.4", 2), status: S.CONFIRMED };
    expect(save(ct)).toBe("-A -u UNSET -s 1.1.1.1 -d 2.2.2.2 -r 3.3.3.3 -q 4.4.4.4 -p 2");
    // Without any status attribute the addresses alone decide.
    expect(save({ tupleOrig: ct.tupleOrig, tupleReply: ct.tupleReply })).toBe("-A -s 1.1.1.1 -d 2.2.2.2 -g 3.3.3.3 -n 4.4.4.4 -p 2");
  });
  it("unknown protocol, gre in decimal, sctp with vtags", () => {
    const base = { status: S.CONFIRMED, timeout: 49, mark: 0, use: 1 };
    expect(save({ ...base, tupleOrig: t4("1.1.1.1", "224.0.0.22", 2), tupleReply: t4("224.0.0.22", "1.1.1.1", 2) })).toBe("-A -t 49 -u UNSET -s 1.1.1.1 -d 224.0.0.22 -r 224.0.0.22 -q 1.1.1.1 -p 2");
    expect(save({ ...base, tupleOrig: t4("1.1.1.1", "2.2.2.2", 47, { sport: 0x1234, dport: 0x5678 }), tupleReply: t4("2.2.2.2", "1.1.1.1", 47, { sport: 0x5678, dport: 0x1234 }) })).toBe(
      "-A -t 49 -u UNSET -s 1.1.1.1 -d 2.2.2.2 -r 2.2.2.2 -q 1.1.1.1 -p gre --srckey 4660 --dstkey 22136 --reply-key-src 22136 --reply-key-dst 4660",
    );
    // conntrack created these with --orig-vtag 1 --reply-vtag 2; the kernel holds them byte-swapped.
    const sctp: ConntrackValue = { ...base, tupleOrig: t4("1.1.1.1", "2.2.2.2", 132, { sport: 5, dport: 6 }), tupleReply: t4("2.2.2.2", "1.1.1.1", 132, { sport: 6, dport: 5 }), protoinfo: { protoinfoSctp: { sctpState: 4, vtagOriginal: 0x01000000, vtagReply: 0x02000000 } } };
    expect(save(sctp)).toBe("-A -t 49 -u UNSET -s 1.1.1.1 -d 2.2.2.2 -r 2.2.2.2 -q 1.1.1.1 -p sctp --sport 5 --dport 6 --reply-port-src 6 --reply-port-dst 5 --state ESTABLISHED --orig-vtag 1 --reply-vtag 2");
  });
  it("sctp states past SHUTDOWN_ACK_SENT print (null); dccp without ports prints only -p dccp", () => {
    const sctp: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 132), protoinfo: { protoinfoSctp: { sctpState: 8 } } };
    expect(save(sctp)).toBe("-A -s 1.1.1.1 -d 2.2.2.2 -p sctp --state (null)");
    expect(save({ tupleOrig: t4("1.1.1.1", "2.2.2.2", 33), tupleReply: t4("2.2.2.2", "1.1.1.1", 33) })).toBe("-A -s 1.1.1.1 -d 2.2.2.2 -r 2.2.2.2 -q 1.1.1.1 -p dccp");
    const dccp: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 33, { sport: 1, dport: 2 }), protoinfo: { protoinfoDccp: { dccpState: 4, dccpRole: 1 } } };
    expect(save(dccp)).toBe("-A -s 1.1.1.1 -d 2.2.2.2 -p dccp --sport 1 --dport 2 --state OPEN --role server");
  });
  it("-D prefix, EXPECTED and FIXED_TIMEOUT bits, other bits ignored", () => {
    const ct: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 6, { sport: 17, dport: 80 }), tupleReply: t4("2.2.2.2", "1.1.1.1", 6, { sport: 80, dport: 17 }), status: REPLIED, protoinfo: tcp(TCP.SYN_SENT2), timeout: 97, zone: 55, mark: 3, use: 1 };
    expect(save(ct, "delete")).toBe("-D -t 97 -u SEEN_REPLY -w 55 -s 1.1.1.1 -d 2.2.2.2 -r 2.2.2.2 -q 1.1.1.1 -p tcp --sport 17 --dport 80 --reply-port-src 80 --reply-port-dst 17 --state SYN_SENT2");
    expect(save({ ...ct, status: 1 | (1 << 10) | (1 << 14) }, "destroy")).toContain("-D -t 97 -u EXPECTED,FIXED_TIMEOUT -w 55 ");
  });
  it("-D -m 0x10 -o save transcript", () => {
    const ct: ConntrackValue = { tupleOrig: t4("10.0.0.1", "10.0.0.3", 17, { sport: 5353, dport: 53 }), tupleReply: t4("10.0.0.3", "10.0.0.1", 17, { sport: 53, dport: 5353 }), status: S.CONFIRMED, timeout: 119, mark: 16, use: 1 };
    expect(save(ct, "delete")).toBe("-D -t 119 -u UNSET -s 10.0.0.1 -d 10.0.0.3 -r 10.0.0.3 -q 10.0.0.1 -p udp --sport 5353 --dport 53 --reply-port-src 53 --reply-port-dst 5353");
  });
  it("UPDATE event prefix with the userspace tag", () => {
    const ct: ConntrackValue = { tupleOrig: t4("10.7.0.1", "10.7.0.2", 6, { sport: 33, dport: 44 }), tupleReply: t4("10.7.0.2", "10.7.0.1", 6, { sport: 44, dport: 33 }), status: S.ASSURED | S.CONFIRMED, protoinfo: tcp(TCP.SYN_SENT), timeout: 98 };
    const text = save(ct, "update") + userspaceTag(2442023008, "conntrack");
    expect(text.startsWith("-U -t 98 -u ASSURED -s 10.7.0.1 ")).toBe(true);
    expect(text.endsWith(" --state SYN_SENT [USERSPACE] portid=2442023008 progname=conntrack")).toBe(true);
    expect(save(ct, "new").startsWith("-A ")).toBe(true);
  });
  it("an unsupported family warns and keeps the untrimmed prefix", () => {
    const r = formatConntrackSave({ tupleOrig: t4("1.1.1.1", "2.2.2.2", 6), timeout: 5, status: 0 }, { family: 7 }, "dump");
    expect(r).toEqual({ line: "-A -t 5 -u UNSET ", warning: "WARNING: unsupported l3proto 7, skipping." });
  });
});
