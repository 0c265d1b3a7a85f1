import { describe, expect, it } from "vitest";
import { conntrack } from "@tsconntrack/codec/conntrack";
import { AF_INET, AF_INET6, IPPROTO_TCP } from "../src/constants.js";
import { statusBits, statusNames, tcpStateName, sctpStateName, dccpStateName, stateNumber, protocolName, protocolNumber, familyName, familyNumber } from "../src/names.js";
import { buildFlow, flowFamily, invertTuple, makeTuple } from "../src/tuple.js";
import { defaultTimeout } from "../src/timeouts.js";
import { deleteRequest, dumpRequest, flushRequest, getRequest, newRequest, expectStatsCpuRequest } from "../src/requests.js";
import { parseRelease, releaseAtLeast } from "../src/kernel.js";

describe("names", () => {
  it("names status bits in bit order and parses them back", () => {
    expect(statusNames(0x0e)).toEqual(["SEEN_REPLY", "ASSURED", "CONFIRMED"]);
    expect(statusNames(1 << 20)).toEqual(["BIT_20"]);
    expect(statusBits(["assured", "SEEN_REPLY", "nat_clash"])).toBe(0x1006);
    expect(statusBits(["NOPE"])).toBeUndefined();
  });

  it("names protocol states, protocols and families", () => {
    expect(tcpStateName(3)).toBe("ESTABLISHED");
    expect(tcpStateName(9)).toBe("SYN_SENT2");
    expect(sctpStateName(9)).toBe("HEARTBEAT_ACKED");
    expect(dccpStateName(4)).toBe("OPEN");
    expect(stateNumber(IPPROTO_TCP, "time_wait")).toBe(7);
    expect(stateNumber(IPPROTO_TCP, "LISTEN")).toBe(9);
    expect(protocolName(58)).toBe("icmpv6");
    expect(protocolNumber("ipv6-icmp")).toBe(58);
    expect(protocolNumber("47")).toBe(47);
    expect(protocolNumber("999")).toBeUndefined();
    expect(familyName(AF_INET6)).toBe("ipv6");
    expect(familyNumber("inet")).toBe(AF_INET);
  });
});

describe("tuples and flows", () => {
  it("inverts addresses, ports and ICMP request types", () => {
    const tuple = makeTuple({ src: "10.0.0.1", dst: "10.0.0.2", proto: "icmp", icmpType: 8, icmpCode: 0, icmpId: 3, zone: 1 });
    expect(invertTuple(tuple)).toEqual({
      tupleIp: { ipV4Src: "10.0.0.2", ipV4Dst: "10.0.0.1" },
      tupleProto: { protoNum: 1, protoIcmpId: 3, protoIcmpType: 0, protoIcmpCode: 0 },
      tupleZone: 1,
    });
    const udp = makeTuple({ src: "fd00:0::1", dst: "fd00::2", proto: 17, sport: 1, dport: 2 });
    expect(udp.tupleIp).toEqual({ ipV6Src: "fd00::1", ipV6Dst: "fd00::2" });
    expect(invertTuple(udp).tupleProto).toEqual({ protoNum: 17, protoSrcPort: 2, protoDstPort: 1 });
    const v6echo = makeTuple({ src: "::1", dst: "::2", proto: "icmpv6", icmpType: 128, icmpId: 1 });
    expect(invertTuple(v6echo).tupleProto?.protoIcmpv6Type).toBe(129);
  });

  it("builds a flow: inverted reply, default timeout, CONFIRMED added to a given status", () => {
    const flow = buildFlow({ orig: { src: "10.0.0.1", dst: "10.0.0.2", proto: "tcp", sport: 1, dport: 2 }, status: 0x6, mark: 3 });
    expect(flow.tupleReply?.tupleIp).toEqual({ ipV4Src: "10.0.0.2", ipV4Dst: "10.0.0.1" });
    expect(flow.timeout).toBe(432000);
    expect(flow.status).toBe(0xe);
    expect(flow.mark).toBe(3);
    expect(flowFamily(flow)).toBe(AF_INET);
    expect(defaultTimeout(17)).toBe(30);
    expect(defaultTimeout(6, 7)).toBe(120);
    expect(() => makeTuple({ src: "10.0.0.1", dst: "fd00::1", proto: 6 })).toThrow(/one family/);
  });
});

describe("request bytes", () => {
  it("flushes one family with nfgenmsg version 1, everything with version 0", () => {
    expect([...flushRequest(AF_INET6).payload]).toEqual([10, 1, 0, 0]);
    expect([...flushRequest().payload]).toEqual([0, 0, 0, 0]);
    expect(flushRequest().type).toBe(0x102);
  });

  it("picks the message type per table and GET_CTRZERO for zero", () => {
    expect(dumpRequest("conntrack", 0, undefined).type).toBe(0x101);
    expect(dumpRequest("dying", 0, undefined).type).toBe(0x106);
    expect(dumpRequest("unconfirmed", 0, undefined).type).toBe(0x107);
    expect(dumpRequest("conntrack", 2, {}, true)).toMatchObject({ type: 0x103, flags: 0x300 });
    expect(expectStatsCpuRequest().type).toBe(0x203);
  });

  it("deletes a dumped entry by original tuple, zone and id", () => {
    const dumped = buildFlow({ orig: { src: "10.0.0.1", dst: "10.0.0.2", proto: "udp", sport: 1, dport: 2, zone: 5 }, zone: 9, id: 1234, mark: 1 });
    const request = deleteRequest(dumped);
    const attrs = conntrack.decodeAttrs("conntrack-attrs", request.payload, 4);
    expect(attrs).toEqual({ tupleOrig: dumped.tupleOrig, zone: 9, id: 1234 });
    expect(request.payload[0]).toBe(AF_INET);
  });

  it("sets NLM_F_CREATE|EXCL for create, CREATE for create-or-update, nothing for update", () => {
    const flow = buildFlow({ orig: { src: "10.0.0.1", dst: "10.0.0.2", proto: "udp", sport: 1, dport: 2 } });
    expect(newRequest(flow, "create").flags).toBe(0x600);
    expect(newRequest(flow, "create-or-update").flags).toBe(0x400);
    expect(newRequest(flow, "update").flags).toBe(0);
    expect(() => getRequest({})).toThrow(/tupleOrig or tupleReply/);
    expect(() => getRequest({ tupleOrig: { tupleProto: { protoNum: 6 } } })).toThrow(/family/);
  });

  it("reads kernel releases", () => {
    expect(parseRelease("6.18.44-fc-v769")).toEqual([6, 18]);
    expect(releaseAtLeast("4.19.0", 5, 0)).toBe(false);
    expect(releaseAtLeast("5.0.1", 5, 0)).toBe(true);
    expect(releaseAtLeast("garbage", 5, 0)).toBe(false);
  });
});
