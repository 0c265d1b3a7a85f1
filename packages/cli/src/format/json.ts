/**
 * `-o json` / `-o ndjson`: objects in the style of `ip -j` (snake_case keys, flags as arrays of
 * upper-case names, absent attributes left out), written from an entry's view straight into the
 * output buffer. The same objects, as values, are @tsconntrack/conntrack's flowJson/expectJson
 * (the drift test holds the two byte-identical). Counters are exact: a number below 2^53, else a
 * string of digits; instants are RFC 3339 strings with nanoseconds.
 */
import { EXPECT, FLOW, TUPLE, rfc3339, statusNames, type MessageView } from "@tsconntrack/conntrack";
import { latin1, type ByteWriter } from "../io/byte-writer.js";
import { hasCounterPair, writeBytesJson, writePacketsJson } from "./counters.js";
import type { CpuStatsValue, ExpectCpuStatsValue, GlobalStatsValue, LabelMap, MessageContext, TimeVal } from "./types.js";
import {
  DCCP_STATES, EXPECT_INACTIVE, EXPECT_PERMANENT, EXPECT_USERSPACE, IPPROTO_GRE, SCTP_STATES, TCP_STATES, l3Name, l4Name, stateName,
} from "./names.js";
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

function objectFrom(fields: string): string {
  return fields === "" ? "{}" : "{" + fields.slice(1) + "}";
}

function stringArray(values: readonly string[]): string {
  let s = "[";
  for (let i = 0; i < values.length; i++) s += (i === 0 ? "" : ",") + jsonString(values[i]!);
  return s + "]";
}

// Few distinct status words occur in a table, so their JSON arrays are memoized.
const statusJsonCache = new Map<number, Uint8Array>();

function statusJson(status: number): Uint8Array {
  let json = statusJsonCache.get(status);
  if (json === undefined) {
    json = latin1(stringArray(statusNames(status)));
    if (statusJsonCache.size < 4096) statusJsonCache.set(status, json);
  }
  return json;
}

/** A member name as bytes: `"name":` to open an object's members, `,"name":` after another. */
interface Key {
  readonly first: Uint8Array;
  readonly next: Uint8Array;
}
const key = (name: string): Key => ({ first: latin1('"' + name + '":'), next: latin1(',"' + name + '":') });

const K = {
  family: key("family"), proto: key("proto"), protonum: key("protonum"), state: key("state"), timeout: key("timeout"),
  orig: key("orig"), reply: key("reply"), status: key("status"), mark: key("mark"), secmark: key("secmark"), zone: key("zone"),
  use: key("use"), id: key("id"), labels: key("labels"), labelNames: key("label_names"), timestamp: key("timestamp"),
  start: key("start"), stop: key("stop"), helper: key("helper"), secctx: key("secctx"), master: key("master"),
  src: key("src"), dst: key("dst"), sport: key("sport"), dport: key("dport"), srckey: key("srckey"), dstkey: key("dstkey"),
  type: key("type"), code: key("code"), packets: key("packets"), bytes: key("bytes"), event: key("event"), time: key("time"),
  expected: key("expected"), mask: key("mask"), flags: key("flags"), class: key("class"), fn: key("fn"),
};

/** Writes a member's name; every writer below tracks `first` itself, so nothing is allocated per entry. */
function name(w: ByteWriter, k: Key, first: boolean): void {
  w.lit(first ? k.first : k.next);
}

/** A number slot as a member, if present; returns the new `first`. */
function numberMember(w: ByteWriter, k: Key, v: MessageView, slot: number, first: boolean): boolean {
  if (v.pos[slot]! < 0) return first;
  name(w, k, first);
  w.uint(v.num[slot]!);
  return false;
}

function stringMember(w: ByteWriter, k: Key, v: MessageView, slot: number, first: boolean): boolean {
  if (v.pos[slot]! < 0) return first;
  name(w, k, first);
  w.jsonStringSlot(v, slot);
  return false;
}

/** JSON string literals of a few names, made once each. */
const literals = new Map<string, Uint8Array>();
function literal(text: string): Uint8Array {
  let bytes = literals.get(text);
  if (bytes === undefined) literals.set(text, (bytes = latin1(jsonString(text))));
  return bytes;
}

function addressMember(w: ByteWriter, k: Key, v: MessageView, v4: number, v6: number, first: boolean): boolean {
  const slot = v.pos[v4]! >= 0 ? v4 : v.pos[v6]! >= 0 ? v6 : -1;
  if (slot < 0) return first;
  name(w, k, first);
  w.byte(0x22);
  w.address(v, slot);
  w.byte(0x22);
  return false;
}

/** An ICMP field: the ICMPv6 attribute when present, else the ICMP one. */
function icmpMember(w: ByteWriter, k: Key, v: MessageView, v4: number, v6: number, first: boolean): boolean {
  return numberMember(w, k, v, v.pos[v6]! >= 0 ? v6 : v4, first);
}

/** A tuple's own members (`b` its first slot); `protonum` of the entry decides sport vs srckey. */
function tupleMembers(w: ByteWriter, v: MessageView, b: number, protonum: number | undefined, first: boolean): boolean {
  first = addressMember(w, K.src, v, b + TUPLE.v4src, b + TUPLE.v6src, first);
  first = addressMember(w, K.dst, v, b + TUPLE.v4dst, b + TUPLE.v6dst, first);
  if (v.pos[b + TUPLE.proto]! >= 0) {
    const own = v.pos[b + TUPLE.protoNum]! >= 0 ? v.num[b + TUPLE.protoNum]! : protonum;
    const gre = own === IPPROTO_GRE;
    first = numberMember(w, gre ? K.srckey : K.sport, v, b + TUPLE.srcPort, first);
    first = numberMember(w, gre ? K.dstkey : K.dport, v, b + TUPLE.dstPort, first);
    first = icmpMember(w, K.type, v, b + TUPLE.icmpType, b + TUPLE.icmpv6Type, first);
    first = icmpMember(w, K.code, v, b + TUPLE.icmpCode, b + TUPLE.icmpv6Code, first);
    first = icmpMember(w, K.id, v, b + TUPLE.icmpId, b + TUPLE.icmpv6Id, first);
  }
  return numberMember(w, K.zone, v, b + TUPLE.zone, first);
}

/** A tuple as a member object. */
function tupleMember(w: ByteWriter, k: Key, v: MessageView, nest: number, b: number, protonum: number | undefined, first: boolean): boolean {
  if (v.pos[nest]! < 0) return first;
  name(w, k, first);
  w.byte(0x7b);
  tupleMembers(w, v, b, protonum, true);
  w.byte(0x7d);
  return false;
}

/** orig / reply: the tuple's members and the direction's counters. */
function directionMember(w: ByteWriter, k: Key, v: MessageView, nest: number, b: number, countersNest: number, c: number, protonum: number | undefined, first: boolean): boolean {
  if (v.pos[nest]! < 0 && v.pos[countersNest]! < 0) return first;
  name(w, k, first);
  w.byte(0x7b);
  let inner = v.pos[nest]! >= 0 ? tupleMembers(w, v, b, protonum, true) : true;
  if (hasCounterPair(v, c)) {
    name(w, K.packets, inner);
    writePacketsJson(w, v, c);
    name(w, K.bytes, false);
    writeBytesJson(w, v, c);
    inner = false;
  }
  w.byte(0x7d);
  return false;
}

export interface ConntrackJsonOptions {
  /** When given, `label_names` lists the named bits next to the `labels` bit numbers. */
  readonly labelMap?: LabelMap | undefined;
}

const NO_OPTIONS: ConntrackJsonOptions = {};

const FAMILY_LITERALS: Readonly<Record<number, Uint8Array>> = { 2: latin1('"ipv4"'), 10: latin1('"ipv6"') };
const UNKNOWN_FAMILY = latin1('"unknown"');
const protoLiterals: (Uint8Array | undefined)[] = [];
const stateLiterals = new Map<readonly string[], Uint8Array[]>();
function stateLiteral(table: readonly string[], state: number): Uint8Array {
  let all = stateLiterals.get(table);
  if (all === undefined) stateLiterals.set(table, (all = Array.from({ length: 256 }, (_, i) => latin1(jsonString(stateName(table, i))))));
  return all[state & 255]!;
}

/** The members of an entry object; returns the new `first`. */
function entryMembers(w: ByteWriter, v: MessageView, family: number, opts: ConntrackJsonOptions, first: boolean): boolean {
  name(w, K.family, first);
  w.lit(FAMILY_LITERALS[family] ?? UNKNOWN_FAMILY);
  const protoSlot = FLOW.orig + TUPLE.protoNum;
  const protonum = v.pos[protoSlot]! >= 0 ? v.num[protoSlot]! : undefined;
  if (protonum !== undefined) {
    name(w, K.proto, false);
    w.lit((protoLiterals[protonum] ??= latin1(jsonString(l4Name(protonum)))));
    name(w, K.protonum, false);
    w.uint(protonum);
  }
  const stateTable = v.pos[FLOW.tcpState]! >= 0 ? TCP_STATES : v.pos[FLOW.sctpState]! >= 0 ? SCTP_STATES : v.pos[FLOW.dccpState]! >= 0 ? DCCP_STATES : undefined;
  if (stateTable !== undefined) {
    const slot = stateTable === TCP_STATES ? FLOW.tcpState : stateTable === SCTP_STATES ? FLOW.sctpState : FLOW.dccpState;
    name(w, K.state, false);
    w.lit(stateLiteral(stateTable, v.num[slot]!));
  }
  numberMember(w, K.timeout, v, FLOW.timeout, false);
  directionMember(w, K.orig, v, FLOW.tupleOrig, FLOW.orig, FLOW.countersOrigNest, FLOW.countersOrig, protonum, false);
  directionMember(w, K.reply, v, FLOW.tupleReply, FLOW.reply, FLOW.countersReplyNest, FLOW.countersReply, protonum, false);
  if (v.pos[FLOW.status]! >= 0) {
    name(w, K.status, false);
    w.lit(statusJson(v.num[FLOW.status]!));
  }
  numberMember(w, K.mark, v, FLOW.mark, false);
  if (v.pos[FLOW.secmark]! >= 0) {
    name(w, K.secmark, false);
    w.uint(secmarkNumber(v.bytes(FLOW.secmark)));
  }
  numberMember(w, K.zone, v, FLOW.zone, false);
  numberMember(w, K.use, v, FLOW.use, false);
  numberMember(w, K.id, v, FLOW.id, false);
  if (v.pos[FLOW.labels]! >= 0 && v.len[FLOW.labels]! > 0) {
    const labels = v.bytes(FLOW.labels);
    name(w, K.labels, false);
    w.text("[" + labelBits(labels).join(",") + "]");
    if (opts.labelMap !== undefined) {
      name(w, K.labelNames, false);
      w.text(stringArray(labelNames(labels, opts.labelMap)));
    }
  }
  const hasStart = v.pos[FLOW.timestampStart]! >= 0;
  const hasStop = v.pos[FLOW.timestampStop]! >= 0;
  if (hasStart || hasStop) {
    name(w, K.timestamp, false);
    w.byte(0x7b);
    if (hasStart) {
      name(w, K.start, true);
      w.text(nsJson(BigInt(v.int64(FLOW.timestampStart))));
    }
    if (hasStop) {
      name(w, K.stop, !hasStart);
      w.text(nsJson(BigInt(v.int64(FLOW.timestampStop))));
    }
    w.byte(0x7d);
  }
  stringMember(w, K.helper, v, FLOW.helpName, false);
  stringMember(w, K.secctx, v, FLOW.secctxName, false);
  tupleMember(w, K.master, v, FLOW.tupleMaster, FLOW.master, undefined, false);
  return false;
}

/** One conntrack entry as a JSON object (no newline). */
export function writeConntrackJson(w: ByteWriter, v: MessageView, ctx: MessageContext, opts: ConntrackJsonOptions = NO_OPTIONS): void {
  w.byte(0x7b);
  entryMembers(w, v, ctx.family, opts, true);
  w.byte(0x7d);
}

/** `"event":…,"time":…` first in an event object, for easy grepping. */
function eventMembers(w: ByteWriter, event: string, time: TimeVal): void {
  name(w, K.event, true);
  w.lit(literal(event));
  name(w, K.time, false);
  w.text(timeValJson(time));
}

/**
 * One `-E` event: `event` and `time` (when it was received) first, then the entry's members and
 * `extra` (already-encoded members, each with its leading comma).
 */
export function writeConntrackEventJson(w: ByteWriter, v: MessageView, ctx: MessageContext, time: TimeVal, opts: ConntrackJsonOptions = NO_OPTIONS, extra = ""): void {
  w.byte(0x7b);
  eventMembers(w, ctx.event ?? "unknown", time);
  entryMembers(w, v, ctx.family, opts, false);
  if (extra !== "") w.text(extra);
  w.byte(0x7d);
}

/** An instant as a JSON string: RFC 3339 in UTC with nine fraction digits (the conntrack API's rfc3339). */
export function rfc3339Json(seconds: number, nanoseconds: number): string {
  return '"' + rfc3339(seconds, nanoseconds) + '"';
}

/** A kernel timestamp (nanoseconds since the epoch) as rfc3339Json. */
function nsJson(ns: bigint): string {
  return rfc3339Json(Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n));
}

/** When an event was received (seconds, microseconds) as rfc3339Json. */
export function timeValJson(tv: TimeVal): string {
  return rfc3339Json(tv.sec, tv.usec * 1000);
}

/** One `-E -o json` line when the socket overran (ENOBUFS) and events were lost. */
export function formatOverrunJson(time: TimeVal): string {
  return '{"event":"overrun","time":' + timeValJson(time) + ',"lost":true}';
}

function expectMembers(w: ByteWriter, v: MessageView, family: number, first: boolean): void {
  name(w, K.family, first);
  w.lit(literal(l3Name(family)));
  const protoSlot = EXPECT.tuple + TUPLE.protoNum;
  const protonum = v.pos[protoSlot]! >= 0 ? v.num[protoSlot]! : undefined;
  if (protonum !== undefined) {
    name(w, K.proto, false);
    w.lit(literal(l4Name(protonum)));
    name(w, K.protonum, false);
    w.uint(protonum);
  }
  numberMember(w, K.timeout, v, EXPECT.timeout, false);
  tupleMember(w, K.expected, v, EXPECT.expectTuple, EXPECT.tuple, protonum, false);
  tupleMember(w, K.mask, v, EXPECT.expectMask, EXPECT.mask, protonum, false);
  tupleMember(w, K.master, v, EXPECT.expectMaster, EXPECT.master, undefined, false);
  numberMember(w, K.zone, v, EXPECT.zone, false);
  if (v.pos[EXPECT.flags]! >= 0) {
    const flags = v.num[EXPECT.flags]!;
    const names: string[] = [];
    if (flags & EXPECT_PERMANENT) names.push("PERMANENT");
    if (flags & EXPECT_INACTIVE) names.push("INACTIVE");
    if (flags & EXPECT_USERSPACE) names.push("USERSPACE");
    name(w, K.flags, false);
    w.text(stringArray(names));
  }
  numberMember(w, K.class, v, EXPECT.class, false);
  stringMember(w, K.helper, v, EXPECT.helpName, false);
  stringMember(w, K.fn, v, EXPECT.fn, false);
  numberMember(w, K.id, v, EXPECT.id, false);
}

/** One expectation as a JSON object. */
export function writeExpectJson(w: ByteWriter, v: MessageView, ctx: MessageContext): void {
  w.byte(0x7b);
  expectMembers(w, v, ctx.family, true);
  w.byte(0x7d);
}

/** One `-E expect` event, with `extra` members as for writeConntrackEventJson. */
export function writeExpectEventJson(w: ByteWriter, v: MessageView, ctx: MessageContext, time: TimeVal, extra = ""): void {
  w.byte(0x7b);
  eventMembers(w, ctx.event ?? "unknown", time);
  expectMembers(w, v, ctx.family, false);
  if (extra !== "") w.text(extra);
  w.byte(0x7d);
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
    return this.before() + objectJson + this.after();
  }

  /** Text before the next object (which it counts), for objects written in place. */
  before(): string {
    this.count++;
    return this.mode === "ndjson" ? "" : this.count === 1 ? "[" : ",";
  }

  /** Text after an object. */
  after(): string {
    return this.mode === "ndjson" ? "\n" : "";
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
