// The friendly shape of an entry or expectation: what `tsconntrack -o json` prints, as a value
// (addresses as text, names for families, protocols, states and status bits, instants as RFC 3339
// strings, counters exact). Built from a view; the CLI's JSON writer writes the same bytes as
// JSON.stringify of these objects (a drift test holds the two together).
import { NfCtExpectFlags } from "@tsconntrack/codec/conntrack";
import type { MessageView } from "@tsconntrack/codec";
import { IPPROTO_GRE } from "./constants.js";
import { COUNTERS, EXPECT, FLOW, TUPLE, viewFamily } from "./flow-view.js";
import { DCCP_STATE_NAMES, SCTP_STATE_NAMES, TCP_STATE_NAMES, familyName, protocolName, statusNames } from "./names.js";

/** A counter: exact as a number below 2^53, else the string of its digits (so no JSON reader rounds it). */
export type Counter = number | string;

export interface TupleJson {
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  /** GRE keys take the place of ports. */
  srckey?: number;
  dstkey?: number;
  /** ICMP or ICMPv6 type, code and id. */
  type?: number;
  code?: number;
  id?: number;
  zone?: number;
}

export interface DirectionJson extends TupleJson {
  packets?: Counter;
  bytes?: Counter;
}

export interface FlowJson {
  family: "ipv4" | "ipv6" | "unknown";
  proto?: string;
  protonum?: number;
  /** TCP, SCTP or DCCP state name. */
  state?: string;
  timeout?: number;
  orig?: DirectionJson;
  reply?: DirectionJson;
  /** Set status bits by name (SEEN_REPLY, ASSURED, ...), unnamed ones as BIT_n. */
  status?: string[];
  mark?: number;
  secmark?: number;
  zone?: number;
  use?: number;
  id?: number;
  /** Set label bits, ascending. */
  labels?: number[];
  /** Names of the set label bits the label map knows (with a label map only). */
  label_names?: string[];
  /** CTA_TIMESTAMP as RFC 3339 instants with nanoseconds. */
  timestamp?: { start?: string; stop?: string };
  helper?: string;
  secctx?: string;
  master?: TupleJson;
}

export interface ExpectJson {
  family: string;
  proto?: string;
  protonum?: number;
  timeout?: number;
  expected?: TupleJson;
  mask?: TupleJson;
  master?: TupleJson;
  zone?: number;
  flags?: string[];
  class?: number;
  helper?: string;
  fn?: string;
  id?: number;
}

export interface FlowJsonOptions {
  /** Label bit → name (connlabel.conf): adds `label_names`. */
  labelMap?: ReadonlyMap<number, string>;
}

/** The protocol name tsconntrack prints ("unknown" for protocols without a conntrack extension). */
export function protocolText(protonum: number): string {
  return protocolName(protonum) ?? "unknown";
}

/** A state name; anything past the table is NONE, as libnetfilter_conntrack prints it. */
export function stateText(table: readonly string[], state: number): string {
  return table[state] ?? "NONE";
}

/** Set bits of a CTA_LABELS bitmap (host-order words, little-endian here: bit i in byte i >> 3). */
export function labelBits(labels: Uint8Array): number[] {
  const bits: number[] = [];
  for (let byte = 0; byte < labels.length; byte++) {
    const v = labels[byte]!;
    if (v === 0) continue;
    for (let bit = 0; bit < 8; bit++) if (v & (1 << bit)) bits.push(byte * 8 + bit);
  }
  return bits;
}

/** Names of the set bits the map names (unnamed or empty-named bits are skipped). */
export function labelNames(labels: Uint8Array, map: ReadonlyMap<number, string>): string[] {
  const names: string[] = [];
  for (const bit of labelBits(labels)) {
    const name = map.get(bit);
    if (name !== undefined && name !== "") names.push(name);
  }
  return names;
}

/** CTA_SECMARK: the first four bytes, big-endian (0 when shorter). */
export function secmarkValue(bytes: Uint8Array): number {
  return bytes.length < 4 ? 0 : ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

/**
 * An instant as an RFC 3339 string in UTC with nine fraction digits, e.g.
 * "2026-11-22T22:28:52.000123000Z": lossless where nanoseconds since the epoch (above 2^53)
 * would not survive JSON.parse as a number.
 */
export function rfc3339(seconds: number, nanoseconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19) + "." + String(nanoseconds).padStart(9, "0") + "Z";
}

/** A kernel timestamp (nanoseconds since the epoch) as rfc3339. */
export function rfc3339Ns(ns: bigint): string {
  return rfc3339(Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n));
}

function counter(v: MessageView, slot: number): Counter {
  const n = v.num[slot]!;
  return Number.isNaN(n) ? String(v.int64(slot)) : n;
}

const has = (v: MessageView, slot: number): boolean => v.pos[slot]! >= 0;

/** The packets and bytes slots of a direction's counters, when both are there. */
function counterSlots(v: MessageView, c: number): [number, number] | undefined {
  const packets = has(v, c + COUNTERS.packets) ? c + COUNTERS.packets : has(v, c + COUNTERS.packetsOld) ? c + COUNTERS.packetsOld : -1;
  const bytes = has(v, c + COUNTERS.bytes) ? c + COUNTERS.bytes : has(v, c + COUNTERS.bytesOld) ? c + COUNTERS.bytesOld : -1;
  return packets < 0 || bytes < 0 ? undefined : [packets, bytes];
}

function setNumber<T>(o: T, key: keyof T & string, v: MessageView, slot: number): void {
  if (has(v, slot)) (o as Record<string, unknown>)[key] = v.num[slot];
}

function tupleInto(o: TupleJson, v: MessageView, b: number, protonum: number | undefined): void {
  const src = has(v, b + TUPLE.v4src) ? b + TUPLE.v4src : b + TUPLE.v6src;
  const dst = has(v, b + TUPLE.v4dst) ? b + TUPLE.v4dst : b + TUPLE.v6dst;
  if (has(v, src)) o.src = v.address(src);
  if (has(v, dst)) o.dst = v.address(dst);
  if (has(v, b + TUPLE.proto)) {
    const own = has(v, b + TUPLE.protoNum) ? v.num[b + TUPLE.protoNum] : protonum;
    const gre = own === IPPROTO_GRE;
    setNumber(o, gre ? "srckey" : "sport", v, b + TUPLE.srcPort);
    setNumber(o, gre ? "dstkey" : "dport", v, b + TUPLE.dstPort);
    setNumber(o, "type", v, has(v, b + TUPLE.icmpv6Type) ? b + TUPLE.icmpv6Type : b + TUPLE.icmpType);
    setNumber(o, "code", v, has(v, b + TUPLE.icmpv6Code) ? b + TUPLE.icmpv6Code : b + TUPLE.icmpCode);
    setNumber(o, "id", v, has(v, b + TUPLE.icmpv6Id) ? b + TUPLE.icmpv6Id : b + TUPLE.icmpId);
  }
  setNumber(o, "zone", v, b + TUPLE.zone);
}

function tuple(v: MessageView, b: number, protonum: number | undefined): TupleJson {
  const o: TupleJson = {};
  tupleInto(o, v, b, protonum);
  return o;
}

function direction(v: MessageView, nest: number, b: number, countersNest: number, c: number, protonum: number | undefined): DirectionJson | undefined {
  if (!has(v, nest) && !has(v, countersNest)) return undefined;
  const o: DirectionJson = {};
  if (has(v, nest)) tupleInto(o, v, b, protonum);
  const counters = counterSlots(v, c);
  if (counters !== undefined) {
    o.packets = counter(v, counters[0]);
    o.bytes = counter(v, counters[1]);
  }
  return o;
}

/** An entry's friendly shape, from its view; `family` defaults to the message's. */
export function flowJson(v: MessageView, options: FlowJsonOptions = {}, family = viewFamily(v)): FlowJson {
  const o: FlowJson = { family: familyName(family) as FlowJson["family"] };
  const protonum = has(v, FLOW.orig + TUPLE.protoNum) ? v.num[FLOW.orig + TUPLE.protoNum]! : undefined;
  if (protonum !== undefined) {
    o.proto = protocolText(protonum);
    o.protonum = protonum;
  }
  if (has(v, FLOW.tcpState)) o.state = stateText(TCP_STATE_NAMES, v.num[FLOW.tcpState]!);
  else if (has(v, FLOW.sctpState)) o.state = stateText(SCTP_STATE_NAMES, v.num[FLOW.sctpState]!);
  else if (has(v, FLOW.dccpState)) o.state = stateText(DCCP_STATE_NAMES, v.num[FLOW.dccpState]!);
  setNumber(o, "timeout", v, FLOW.timeout);
  const orig = direction(v, FLOW.tupleOrig, FLOW.orig, FLOW.countersOrigNest, FLOW.countersOrig, protonum);
  if (orig !== undefined) o.orig = orig;
  const reply = direction(v, FLOW.tupleReply, FLOW.reply, FLOW.countersReplyNest, FLOW.countersReply, protonum);
  if (reply !== undefined) o.reply = reply;
  if (has(v, FLOW.status)) o.status = statusNames(v.num[FLOW.status]!);
  setNumber(o, "mark", v, FLOW.mark);
  if (has(v, FLOW.secmark)) o.secmark = secmarkValue(v.bytes(FLOW.secmark));
  setNumber(o, "zone", v, FLOW.zone);
  setNumber(o, "use", v, FLOW.use);
  setNumber(o, "id", v, FLOW.id);
  if (has(v, FLOW.labels) && v.len[FLOW.labels]! > 0) {
    const labels = v.bytes(FLOW.labels);
    o.labels = labelBits(labels);
    if (options.labelMap !== undefined) o.label_names = labelNames(labels, options.labelMap);
  }
  if (has(v, FLOW.timestampStart) || has(v, FLOW.timestampStop)) {
    o.timestamp = {};
    if (has(v, FLOW.timestampStart)) o.timestamp.start = rfc3339Ns(BigInt(v.int64(FLOW.timestampStart)));
    if (has(v, FLOW.timestampStop)) o.timestamp.stop = rfc3339Ns(BigInt(v.int64(FLOW.timestampStop)));
  }
  if (has(v, FLOW.helpName)) o.helper = v.string(FLOW.helpName);
  if (has(v, FLOW.secctxName)) o.secctx = v.string(FLOW.secctxName);
  if (has(v, FLOW.tupleMaster)) o.master = tuple(v, FLOW.master, undefined);
  return o;
}

/** Names of NF_CT_EXPECT_* flags that are set, in bit order. */
export function expectFlagNames(flags: number): string[] {
  const names: string[] = [];
  if (flags & NfCtExpectFlags.permanent) names.push("PERMANENT");
  if (flags & NfCtExpectFlags.inactive) names.push("INACTIVE");
  if (flags & NfCtExpectFlags.userspace) names.push("USERSPACE");
  return names;
}

/** An expectation's friendly shape, from its view. */
export function expectJson(v: MessageView, family = viewFamily(v)): ExpectJson {
  const o: ExpectJson = { family: familyName(family) };
  const protonum = has(v, EXPECT.tuple + TUPLE.protoNum) ? v.num[EXPECT.tuple + TUPLE.protoNum]! : undefined;
  if (protonum !== undefined) {
    o.proto = protocolText(protonum);
    o.protonum = protonum;
  }
  setNumber(o, "timeout", v, EXPECT.timeout);
  if (has(v, EXPECT.expectTuple)) o.expected = tuple(v, EXPECT.tuple, protonum);
  if (has(v, EXPECT.expectMask)) o.mask = tuple(v, EXPECT.mask, protonum);
  if (has(v, EXPECT.expectMaster)) o.master = tuple(v, EXPECT.master, undefined);
  setNumber(o, "zone", v, EXPECT.zone);
  if (has(v, EXPECT.flags)) o.flags = expectFlagNames(v.num[EXPECT.flags]!);
  setNumber(o, "class", v, EXPECT.class);
  if (has(v, EXPECT.helpName)) o.helper = v.string(EXPECT.helpName);
  if (has(v, EXPECT.fn)) o.fn = v.string(EXPECT.fn);
  setNumber(o, "id", v, EXPECT.id);
  return o;
}
