// The conntrack API's flowSummary (what top and metrics read of each entry's view) against the
// generic decoder: on every entry of the golden kernel captures and on 20,000 mutations of them,
// the summary of a walked view holds what the decoded entry says (the view's own agreement with the
// decoder is the codec's drift guard).

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isNetlinkDecodeError, NLMSG_MIN_TYPE, parseIPv4, parseMessages } from "@tsconntrack/codec";
import { readPcapFile } from "@tsconntrack/socket";
import { CT_DELETE, CT_NEW, decodeMessageBytes, emptyFlowSummary, flowSummary, flowView, type ConntrackAttrs, type FlowSummary } from "@tsconntrack/conntrack";
import { mutateMessage, Random } from "../../packages/cli/test/fuzz/mutate.js";

const fixtures = join(import.meta.dirname, "../../fixtures");

function captureEntries(): Uint8Array[] {
  const entries: Uint8Array[] = [];
  for (const file of readdirSync(fixtures).filter((name) => name.endsWith(".pcap")).sort()) {
    for (const record of readPcapFile(join(fixtures, file)).records) {
      if (record.direction !== "received") continue;
      for (const message of parseMessages(record.bytes)) {
        if (message.header.type < NLMSG_MIN_TYPE) continue;
        if (message.header.type === CT_NEW || message.header.type === CT_DELETE) entries.push(message.bytes.slice());
      }
    }
  }
  return entries;
}

/** The summary's meaning, spelled out on a decoded entry. */
function expected(flow: ConntrackAttrs, family: number): FlowSummary {
  const ip = flow.tupleOrig?.tupleIp;
  const l4 = flow.tupleOrig?.tupleProto;
  const proto = l4?.protoNum ?? 0;
  const v6 = proto === 58;
  const info = flow.protoinfo;
  const [state, stateProto] =
    info?.protoinfoTcp?.tcpState !== undefined ? [info.protoinfoTcp.tcpState, 6]
    : info?.protoinfoSctp?.sctpState !== undefined ? [info.protoinfoSctp.sctpState, 132]
    : info?.protoinfoDccp?.dccpState !== undefined ? [info.protoinfoDccp.dccpState, 33]
    : [undefined, undefined];
  const counted = flow.countersOrig !== undefined || flow.countersReply !== undefined;
  const sum = (key: "packets" | "bytes"): number => Number(flow.countersOrig?.[key] ?? 0n) + Number(flow.countersReply?.[key] ?? 0n);
  const start = flow.timestamp?.start;
  return {
    family, id: flow.id ?? 0, status: flow.status ?? 0, mark: flow.mark ?? 0, zone: flow.zone ?? 0,
    src: ip?.ipV4Src ?? ip?.ipV6Src ?? "?", dst: ip?.ipV4Dst ?? ip?.ipV6Dst ?? "?",
    srcV4: ip?.ipV4Src === undefined ? undefined : parseIPv4(ip.ipV4Src), dstV4: ip?.ipV4Dst === undefined ? undefined : parseIPv4(ip.ipV4Dst),
    proto, srcPort: l4?.protoSrcPort, dstPort: l4?.protoDstPort,
    icmpType: (v6 ? l4?.protoIcmpv6Type : l4?.protoIcmpType) ?? l4?.protoIcmpType ?? l4?.protoIcmpv6Type,
    icmpCode: (v6 ? l4?.protoIcmpv6Code : l4?.protoIcmpCode) ?? l4?.protoIcmpCode ?? l4?.protoIcmpv6Code,
    icmpId: (v6 ? l4?.protoIcmpv6Id : l4?.protoIcmpId) ?? l4?.protoIcmpId ?? l4?.protoIcmpv6Id,
    state, stateProto,
    packets: counted ? sum("packets") : undefined, bytes: counted ? sum("bytes") : undefined,
    startNs: start === undefined || start === 0n ? undefined : Number(start),
  };
}

const familyOf = (bytes: Uint8Array): number => bytes[16]!;
const decode = (bytes: Uint8Array) => decodeMessageBytes<ConntrackAttrs>(bytes, "conntrack-attrs");

describe("flowSummary", () => {
  const entries = captureEntries();
  const view = flowView();

  it("reads every captured entry as the decoded entry says", () => {
    expect(entries.length).toBeGreaterThan(300);
    const out = emptyFlowSummary();
    let withCounters = 0;
    for (const bytes of entries) {
      expect({ ...flowSummary(view.walkMessage(bytes), out) }).toEqual(expected(decode(bytes), familyOf(bytes)));
      if (out.bytes !== undefined) withCounters++;
    }
    expect(withCounters).toBeGreaterThan(10);
  });

  it("agrees with the decoded entry on 20,000 mutated entries the walk accepts", () => {
    const random = new Random(15);
    const out = emptyFlowSummary();
    let rejected = 0;
    for (let i = 0; i < 20_000; i++) {
      const bytes = mutateMessage(random.pick(entries), random);
      try {
        view.walkMessage(bytes);
      } catch (error) {
        if (!isNetlinkDecodeError(error)) throw error;
        rejected++;
        continue;
      }
      expect({ ...flowSummary(view, out) }).toEqual(expected(decode(bytes), familyOf(bytes)));
    }
    expect(rejected).toBeGreaterThan(1000);
  });
});
