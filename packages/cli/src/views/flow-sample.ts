// What top and metrics keep of an entry: the API's FlowSummary with names instead of numbers, made
// once per flow (top updates it in place at every reading).

import { flowSummary, flowView, type FlowSummary } from "@tsconntrack/conntrack";
import { DCCP_STATES, l4Name, SCTP_STATES, stateName, TCP_STATES } from "../format/names.js";

/** Identity fields are read-only; the others change while the flow lives (see updateSample). */
export interface FlowSample {
  /** CTA_ID (0 when absent, which no kernel since 2.6.x sends). */
  readonly id: number;
  readonly family: number;
  readonly proto: number;
  readonly src: string;
  readonly dst: string;
  /** Original direction's ports (TCP/UDP/SCTP/DCCP/UDPlite); undefined for other protocols. */
  readonly sport: number | undefined;
  readonly dport: number | undefined;
  readonly zone: number;
  /** TCP/SCTP/DCCP state name, e.g. ESTABLISHED; undefined for stateless protocols. */
  state: string | undefined;
  mark: number;
  status: number;
  /** Both directions added up; undefined without counters (nf_conntrack_acct off). */
  packets: number | undefined;
  bytes: number | undefined;
  /** CTA_TIMESTAMP_START in seconds since the epoch (nf_conntrack_timestamp on), else undefined. */
  start: number | undefined;
}

const IPPROTO_GRE = 47;
const STATE_TABLES: Readonly<Record<number, readonly string[]>> = { 6: TCP_STATES, 132: SCTP_STATES, 33: DCCP_STATES };

/** The state's name (TCP, SCTP, DCCP), or undefined. */
export function stateText(summary: FlowSummary): string | undefined {
  if (summary.state === undefined || summary.stateProto === undefined) return undefined;
  // A TCP state on a non-TCP tuple is not shown (conntrack prints states by protocol).
  if (summary.stateProto !== summary.proto) return undefined;
  return stateName(STATE_TABLES[summary.stateProto]!, summary.state);
}

export function sampleOf(s: FlowSummary): FlowSample {
  const ports = s.srcPort !== undefined && s.proto !== IPPROTO_GRE;
  return {
    id: s.id,
    family: s.family,
    proto: s.proto,
    src: s.src,
    dst: s.dst,
    sport: ports ? s.srcPort : undefined,
    dport: ports ? s.dstPort : undefined,
    zone: s.zone,
    state: stateText(s),
    mark: s.mark,
    status: s.status,
    packets: s.packets,
    bytes: s.bytes,
    start: s.startNs === undefined ? undefined : s.startNs / 1e9,
  };
}

const events = flowView();

/** A sample from an event's message bytes. */
export function flowSample(message: Uint8Array): FlowSample {
  return sampleOf(flowSummary(events.walkMessage(message)));
}

/** Copies what can change (state, mark, status, counters, start) from a newer reading of the same flow. */
export function updateSample(kept: FlowSample, newer: FlowSummary): void {
  kept.state = stateText(newer);
  kept.mark = newer.mark;
  kept.status = newer.status;
  kept.packets = newer.packets;
  kept.bytes = newer.bytes;
  kept.start = newer.startNs === undefined ? undefined : newer.startNs / 1e9;
}

/** The protocol's name as conntrack prints it (tcp, udp, icmp, ...), else its number. */
export function protoName(protonum: number): string {
  const name = l4Name(protonum);
  return name === "unknown" ? String(protonum) : name;
}
