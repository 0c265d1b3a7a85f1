/**
 * `-o json` / `-o ndjson`: objects in the style of `ip -j` (snake_case keys, flags as arrays of
 * upper-case names, absent attributes left out). Built by string concatenation because -L on a
 * million entries goes through here; u64 counters are written from the bigint's digits, so they
 * stay exact beyond 2^53.
 */
import type {
  ConntrackValue, CpuStatsValue, EventType, ExpectCpuStatsValue, ExpectValue, GlobalStatsValue, LabelMap,
  MessageContext, TimeVal, TupleValue,
} from "./types.js";
import {
  DCCP_STATES, EXPECT_INACTIVE, EXPECT_PERMANENT, EXPECT_USERSPACE, IPPROTO_GRE, SCTP_STATES, STATUS_BITS,
  TCP_STATES, l3Name, l4Name, stateName,
} from "./names.js";
import { counterPair } from "./conntrack-text.js";
import { labelBits, labelNames } from "./labels.js";
import { CPU_STATS_FIELDS, unknownCpuStats } from "./stats.js";
import { secmarkNumber } from "./scalars.js";

// Control characters, quote, backslash, and any surrogate (lone ones must be escaped).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A JSON string literal; the common case (nothing to escape) skips JSON.stringify. */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"';
}

function field(name: string, value: string): string {
  return ',"' + name + '":' + value;
}

/** Status bits as names; bits past HW_OFFLOAD are written as BIT<n>. */
export function statusNames(status: number): string[] {
  const names: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    if (status & (1 << bit)) names.push(STATUS_BITS[bit] ?? "BIT" + bit);
  }
  return names;
}

// Few distinct status words occur in a table, so their JSON arrays are memoized.
const statusJsonCache = new Map<number, string>();

function statusJson(status: number): string {
  let json = statusJsonCache.get(status);
  if (json === undefined) {
    json = stringArray(statusNames(status));
    if (statusJsonCache.size < 4096) statusJsonCache.set(status, json);
  }
  return json;
}

const FAMILY_JSON: Readonly<Record<number, string>> = { 2: '"family":"ipv4"', 10: '"family":"ipv6"' };

function stringArray(values: readonly string[]): string {
  let s = "[";
  for (let i = 0; i < values.length; i++) s += (i === 0 ? "" : ",") + jsonString(values[i]);
  return s + "]";
}

/** A tuple's own attributes; `fields` continues an object that already has a member. */
function tupleFields(t: TupleValue, protonum: number | undefined): string {
  let s = "";
  const ip = t.tupleIp;
  const src = ip?.ipV4Src ?? ip?.ipV6Src;
  const dst = ip?.ipV4Dst ?? ip?.ipV6Dst;
  if (src !== undefined) s += field("src", jsonString(src));
  if (dst !== undefined) s += field("dst", jsonString(dst));
  const p = t.tupleProto;
  if (p !== undefined) {
    const gre = (p.protoNum ?? protonum) === IPPROTO_GRE;
    if (p.protoSrcPort !== undefined) s += field(gre ? "srckey" : "sport", String(p.protoSrcPort));
    if (p.protoDstPort !== undefined) s += field(gre ? "dstkey" : "dport", String(p.protoDstPort));
    const type = p.protoIcmpv6Type ?? p.protoIcmpType;
    const code = p.protoIcmpv6Code ?? p.protoIcmpCode;
    const id = p.protoIcmpv6Id ?? p.protoIcmpId;
    if (type !== undefined) s += field("type", String(type));
    if (code !== undefined) s += field("code", String(code));
    if (id !== undefined) s += field("id", String(id));
  }
  if (t.tupleZone !== undefined) s += field("zone", String(t.tupleZone));
  return s;
}

function objectFrom(fields: string): string {
  return fields === "" ? "{}" : "{" + fields.slice(1) + "}";
}

function directionJson(t: TupleValue | undefined, protonum: number | undefined, counters: ConntrackValue["countersOrig"]): string {
  let s = t === undefined ? "" : tupleFields(t, protonum);
  if (counters !== undefined) {
    const c = counterPair(counters);
    if (c !== undefined) s += ',"packets":' + c[0] + ',"bytes":' + c[1];
  }
  return objectFrom(s);
}

const NO_OPTIONS: ConntrackJsonOptions = {};

export interface ConntrackJsonOptions {
  /** When given, `label_names` lists the named bits next to the `labels` bit numbers. */
  readonly labelMap?: LabelMap | undefined;
}

/** The members of an entry object, each with its leading comma. */
function entryFields(ct: ConntrackValue, ctx: MessageContext, opts: ConntrackJsonOptions): string {
  let s = "," + (FAMILY_JSON[ctx.family] ?? '"family":"unknown"');
  const protonum = ct.tupleOrig?.tupleProto?.protoNum;
  if (protonum !== undefined) s += field("proto", jsonString(l4Name(protonum))) + field("protonum", String(protonum));
  const pi = ct.protoinfo;
  const tcp = pi?.protoinfoTcp?.tcpState;
  const sctp = pi?.protoinfoSctp?.sctpState;
  const dccp = pi?.protoinfoDccp?.dccpState;
  if (tcp !== undefined) s += field("state", jsonString(stateName(TCP_STATES, tcp)));
  else if (sctp !== undefined) s += field("state", jsonString(stateName(SCTP_STATES, sctp)));
  else if (dccp !== undefined) s += field("state", jsonString(stateName(DCCP_STATES, dccp)));
  if (ct.timeout !== undefined) s += field("timeout", String(ct.timeout));
  if (ct.tupleOrig !== undefined || ct.countersOrig !== undefined) {
    s += field("orig", directionJson(ct.tupleOrig, protonum, ct.countersOrig));
  }
  if (ct.tupleReply !== undefined || ct.countersReply !== undefined) {
    s += field("reply", directionJson(ct.tupleReply, protonum, ct.countersReply));
  }
  if (ct.status !== undefined) s += field("status", statusJson(ct.status));
  if (ct.mark !== undefined) s += field("mark", String(ct.mark));
  if (ct.secmark !== undefined) s += field("secmark", String(secmarkNumber(ct.secmark)));
  if (ct.zone !== undefined) s += field("zone", String(ct.zone));
  if (ct.use !== undefined) s += field("use", String(ct.use));
  if (ct.id !== undefined) s += field("id", String(ct.id));
  if (ct.labels !== undefined && ct.labels.length > 0) {
    s += field("labels", "[" + labelBits(ct.labels).join(",") + "]");
    if (opts.labelMap !== undefined) s += field("label_names", stringArray(labelNames(ct.labels, opts.labelMap)));
  }
  const ts = ct.timestamp;
  if (ts !== undefined && (ts.start !== undefined || ts.stop !== undefined)) {
    let t = "";
    if (ts.start !== undefined) t += field("start", nsJson(ts.start));
    if (ts.stop !== undefined) t += field("stop", nsJson(ts.stop));
    s += field("timestamp", objectFrom(t));
  }
  const helper = ct.help?.helpName;
  if (helper !== undefined) s += field("helper", jsonString(helper));
  const secctx = ct.secctx?.secctxName;
  if (secctx !== undefined) s += field("secctx", jsonString(secctx));
  if (ct.tupleMaster !== undefined) s += field("master", objectFrom(tupleFields(ct.tupleMaster, undefined)));
  return s;
}

/** One conntrack entry as a JSON object (no newline). */
export function formatConntrackJson(ct: ConntrackValue, ctx: MessageContext, opts: ConntrackJsonOptions = NO_OPTIONS): string {
  // entryFields always starts with the family member, so only its comma needs replacing.
  return "{" + entryFields(ct, ctx, opts).slice(1) + "}";
}

/**
 * An instant as JSON: an RFC 3339 string in UTC with nine fraction digits, e.g.
 * "2026-11-22T22:28:52.000123000Z" (as Cilium's flow JSON writes times). Lossless where the
 * nanoseconds since the epoch (above 2^53) would not survive jq or JSON.parse as a number.
 */
export function rfc3339Json(seconds: number, nanoseconds: number): string {
  const date = new Date(seconds * 1000);
  return '"' + date.toISOString().slice(0, 19) + "." + String(nanoseconds).padStart(9, "0") + 'Z"';
}

/** A kernel timestamp (nanoseconds since the epoch) as rfc3339Json. */
function nsJson(ns: bigint): string {
  return rfc3339Json(Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n));
}

/** When an event was received (seconds, microseconds) as rfc3339Json. */
export function timeValJson(tv: TimeVal): string {
  return rfc3339Json(tv.sec, tv.usec * 1000);
}

function eventFields(event: EventType | undefined, time: TimeVal): string {
  return field("event", jsonString(event ?? "unknown")) + field("time", timeValJson(time));
}

/** One `-E` event: the entry plus `event` and `time` (when it was received), first for easy grepping. */
export function formatConntrackEventJson(
  ct: ConntrackValue,
  ctx: MessageContext,
  time: TimeVal,
  opts: ConntrackJsonOptions = {},
): string {
  return objectFrom(eventFields(ctx.event, time) + entryFields(ct, ctx, opts));
}

/** The line `-E -o json` prints when the socket overran (ENOBUFS) and events were lost. */
export function formatOverrunJson(time: TimeVal): string {
  return '{"event":"overrun","time":' + timeValJson(time) + ',"lost":true}';
}

function expectFields(exp: ExpectValue, ctx: MessageContext): string {
  let s = field("family", jsonString(l3Name(ctx.family)));
  const protonum = exp.expectTuple?.tupleProto?.protoNum;
  if (protonum !== undefined) s += field("proto", jsonString(l4Name(protonum))) + field("protonum", String(protonum));
  if (exp.expectTimeout !== undefined) s += field("timeout", String(exp.expectTimeout));
  if (exp.expectTuple !== undefined) s += field("expected", objectFrom(tupleFields(exp.expectTuple, protonum)));
  if (exp.expectMask !== undefined) s += field("mask", objectFrom(tupleFields(exp.expectMask, protonum)));
  if (exp.expectMaster !== undefined) s += field("master", objectFrom(tupleFields(exp.expectMaster, undefined)));
  if (exp.expectZone !== undefined) s += field("zone", String(exp.expectZone));
  if (exp.expectFlags !== undefined) {
    const names: string[] = [];
    if (exp.expectFlags & EXPECT_PERMANENT) names.push("PERMANENT");
    if (exp.expectFlags & EXPECT_INACTIVE) names.push("INACTIVE");
    if (exp.expectFlags & EXPECT_USERSPACE) names.push("USERSPACE");
    s += field("flags", stringArray(names));
  }
  if (exp.expectClass !== undefined) s += field("class", String(exp.expectClass));
  if (exp.expectHelpName !== undefined) s += field("helper", jsonString(exp.expectHelpName));
  if (exp.expectFn !== undefined) s += field("fn", jsonString(exp.expectFn));
  if (exp.expectId !== undefined) s += field("id", String(exp.expectId));
  return s;
}

/** One expectation as a JSON object. */
export function formatExpectJson(exp: ExpectValue, ctx: MessageContext): string {
  return objectFrom(expectFields(exp, ctx));
}

/** One `-E expect` event. */
export function formatExpectEventJson(exp: ExpectValue, ctx: MessageContext, time: TimeVal): string {
  return objectFrom(eventFields(ctx.event, time) + expectFields(exp, ctx));
}

/** `-S -o json`: one object per CPU, conntrack's stat names as keys. */
export function formatCpuStatsJson(cpu: number, stats: CpuStatsValue): string {
  let s = field("cpu", String(cpu));
  for (const [key, name] of CPU_STATS_FIELDS) {
    const v = stats[key];
    if (typeof v === "number") s += field(name, String(v));
  }
  for (const [name, v] of unknownCpuStats(stats)) s += field(name, String(v));
  return objectFrom(s);
}

export function formatExpectCpuStatsJson(cpu: number, stats: ExpectCpuStatsValue): string {
  let s = field("cpu", String(cpu));
  if (stats.new !== undefined) s += field("expect_new", String(stats.new));
  if (stats.create !== undefined) s += field("expect_create", String(stats.create));
  if (stats.delete !== undefined) s += field("expect_delete", String(stats.delete));
  return objectFrom(s);
}

/** Global table numbers (`-C -o json`, and next to the per-CPU objects of `-S`). */
export function formatGlobalStatsJson(stats: GlobalStatsValue): string {
  let s = "";
  if (stats.entries !== undefined) s += field("entries", String(stats.entries));
  if (stats.maxEntries !== undefined) s += field("max", String(stats.maxEntries));
  return objectFrom(s);
}

/**
 * Streams objects as one JSON array (`-o json`) or one object per line (`-o ndjson`). It only
 * builds strings; the caller writes them. An empty listing is `[]`.
 */
export class JsonListWriter {
  readonly mode: "json" | "ndjson";
  private count = 0;

  constructor(mode: "json" | "ndjson") {
    this.mode = mode;
  }

  /** Text to write for the next object. */
  item(objectJson: string): string {
    this.count++;
    if (this.mode === "ndjson") return objectJson + "\n";
    return (this.count === 1 ? "[" : ",") + objectJson;
  }

  /** Text that closes the listing. */
  end(): string {
    if (this.mode === "ndjson") return "";
    return this.count === 0 ? "[]\n" : "]\n";
  }

  get written(): number {
    return this.count;
  }
}
