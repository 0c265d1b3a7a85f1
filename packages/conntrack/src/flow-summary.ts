/**
 * A few fields of a conntrack entry read from its view (flow-view.ts), for views that count or rank
 * flows (top, metrics): no decoded object per entry, so 100k entries cost a few milliseconds and
 * little garbage.
 */
import type { MessageView } from "@tsconntrack/codec";
import { COUNTERS, FLOW, TUPLE, viewFamily } from "./flow-view.js";

export interface FlowSummary {
  /** nfgenmsg family: AF_INET or AF_INET6. */
  family: number;
  /** CTA_ID (0 when absent). */
  id: number;
  status: number;
  /** CTA_MARK (0 when absent). */
  mark: number;
  /** CTA_ZONE (0 when absent). */
  zone: number;
  /** The original tuple: addresses as text ("?" when absent), protocol, ports (or ICMP type, code, id). */
  src: string;
  dst: string;
  /** The IPv4 addresses as 32-bit numbers (undefined for IPv6): cheap map keys for counting by address. */
  srcV4: number | undefined;
  dstV4: number | undefined;
  proto: number;
  srcPort: number | undefined;
  dstPort: number | undefined;
  icmpType: number | undefined;
  icmpCode: number | undefined;
  icmpId: number | undefined;
  /** The state of TCP (CTA_PROTOINFO_TCP_STATE), SCTP or DCCP, with `stateProto` saying which (6, 132, 33). */
  state: number | undefined;
  stateProto: number | undefined;
  /** Both directions' counters added up; undefined when the entry has none (nf_conntrack_acct off). */
  packets: number | undefined;
  bytes: number | undefined;
  /** CTA_TIMESTAMP_START in nanoseconds since the epoch, as a number (µs precision); undefined when absent. */
  startNs: number | undefined;
}

const IPPROTO_TCP = 6;
const IPPROTO_SCTP = 132;
const IPPROTO_DCCP = 33;
const IPPROTO_ICMPV6 = 58;

export function emptyFlowSummary(): FlowSummary {
  return {
    family: 0, id: 0, status: 0, mark: 0, zone: 0, src: "?", dst: "?", srcV4: undefined, dstV4: undefined, proto: 0, srcPort: undefined, dstPort: undefined,
    icmpType: undefined, icmpCode: undefined, icmpId: undefined, state: undefined, stateProto: undefined,
    packets: undefined, bytes: undefined, startNs: undefined,
  };
}

function resetSummary(out: FlowSummary): void {
  out.family = out.id = out.status = out.mark = out.zone = out.proto = 0;
  out.src = out.dst = "?";
  out.srcV4 = out.dstV4 = undefined;
  out.srcPort = out.dstPort = out.icmpType = out.icmpCode = out.icmpId = out.state = out.stateProto = undefined;
  out.packets = out.bytes = out.startNs = undefined;
}

const num = (v: MessageView, slot: number): number | undefined => (v.pos[slot]! >= 0 ? v.num[slot] : undefined);
const counter = (v: MessageView, slot: number): number => (v.pos[slot]! >= 0 ? Number(v.int64(slot)) : 0);

function address(v: MessageView, b: number, v4: number, v6: number): string {
  return v.pos[b + v4]! >= 0 ? v.address(b + v4) : v.pos[b + v6]! >= 0 ? v.address(b + v6) : "?";
}

/** The summary's fields from an entry's view (see flow-view.ts); `out` is reused and returned. */
export function flowSummary(v: MessageView, out: FlowSummary = emptyFlowSummary()): FlowSummary {
  resetSummary(out);
  const o = FLOW.orig;
  out.family = viewFamily(v);
  out.id = num(v, FLOW.id) ?? 0;
  out.status = num(v, FLOW.status) ?? 0;
  out.mark = num(v, FLOW.mark) ?? 0;
  out.zone = num(v, FLOW.zone) ?? 0;
  out.src = address(v, o, TUPLE.v4src, TUPLE.v6src);
  out.dst = address(v, o, TUPLE.v4dst, TUPLE.v6dst);
  out.srcV4 = num(v, o + TUPLE.v4src);
  out.dstV4 = num(v, o + TUPLE.v4dst);
  out.proto = num(v, o + TUPLE.protoNum) ?? 0;
  out.srcPort = num(v, o + TUPLE.srcPort);
  out.dstPort = num(v, o + TUPLE.dstPort);
  // The protocol's own ICMP fields first, else whichever the tuple has.
  const v6 = out.proto === IPPROTO_ICMPV6;
  const icmp = (f4: number, f6: number): number | undefined =>
    num(v, o + (v6 ? f6 : f4)) ?? num(v, o + f4) ?? num(v, o + f6);
  out.icmpType = icmp(TUPLE.icmpType, TUPLE.icmpv6Type);
  out.icmpCode = icmp(TUPLE.icmpCode, TUPLE.icmpv6Code);
  out.icmpId = icmp(TUPLE.icmpId, TUPLE.icmpv6Id);
  if (v.pos[FLOW.tcpState]! >= 0) [out.state, out.stateProto] = [v.num[FLOW.tcpState]!, IPPROTO_TCP];
  else if (v.pos[FLOW.sctpState]! >= 0) [out.state, out.stateProto] = [v.num[FLOW.sctpState]!, IPPROTO_SCTP];
  else if (v.pos[FLOW.dccpState]! >= 0) [out.state, out.stateProto] = [v.num[FLOW.dccpState]!, IPPROTO_DCCP];
  if (v.pos[FLOW.countersOrigNest]! >= 0 || v.pos[FLOW.countersReplyNest]! >= 0) {
    out.packets = counter(v, FLOW.countersOrig + COUNTERS.packets) + counter(v, FLOW.countersReply + COUNTERS.packets);
    out.bytes = counter(v, FLOW.countersOrig + COUNTERS.bytes) + counter(v, FLOW.countersReply + COUNTERS.bytes);
  }
  const start = v.pos[FLOW.timestampStart]! >= 0 ? Number(v.int64(FLOW.timestampStart)) : 0;
  out.startNs = start === 0 ? undefined : start;
  return out;
}
