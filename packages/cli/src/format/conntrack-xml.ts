// `-o xml`: one `<flow>` line per entry, written from its view. Nothing is escaped, as in conntrack.
import { FLOW, TUPLE, type MessageView } from "@tsconntrack/conntrack";
import { latin1, type ByteWriter } from "../io/byte-writer.js";
import { hasCounterPair, writeBytes, writePackets } from "./counters.js";
import { labelNames } from "./labels.js";
import { IPS_ASSURED, IPS_SEEN_REPLY, TCP_STATES, l3Name, l4Layout, l4Name } from "./names.js";
import { secmarkNumber } from "./scalars.js";
import { whenXml } from "./time.js";
import { XML_PAIR_LABELS, hasAddresses, tupleFamily, tupleProtonum, writePairRest, writeTupleAddress } from "./tuple.js";
import type { EventType, LabelMap, MessageContext } from "./types.js";

export interface ConntrackXmlOptions {
  /** `-o ktimestamp`: `<timestamp><start/><stop/></timestamp>`. */
  readonly ktimestamp?: boolean;
  /** `-o timestamp` on events: a `<when>` element with the local time of nowSec. */
  readonly when?: boolean;
  readonly labelMap?: LabelMap | undefined;
  /** time(NULL), whole seconds: `<deltatime>` without a stop timestamp, and `<when>`. */
  readonly nowSec: number;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';
/** Printed lazily before the first `<flow>` of -L, -G and -E (never by -D or -U). */
export const CONNTRACK_XML_HEADER = XML_DECLARATION + "<conntrack>\n";
/** Printed by -L after the listing, and by -E on SIGINT/SIGTERM, only if the header was printed. */
export const CONNTRACK_XML_FOOTER = "</conntrack>\n";

const FLOW_OPEN: Readonly<Record<EventType, Uint8Array>> = {
  new: latin1('<flow type="new">'),
  update: latin1('<flow type="update">'),
  destroy: latin1('<flow type="destroy">'),
};

const T = {
  flow: latin1("<flow>"), flowEnd: latin1("</flow>"),
  srcEndDst: latin1("</src><dst>"), layer4End: latin1("</layer4>"), zone: latin1("<zone>"), zoneEnd: latin1("</zone>"),
  counters: latin1("<counters><packets>"), packetsEnd: latin1("</packets><bytes>"), countersEnd: latin1("</bytes></counters>"),
  zeroCounters: latin1("<counters><packets>0</packets><bytes>0</bytes></counters>"),
  metaEnd: latin1("</meta>"), independent: latin1('<meta direction="independent">'),
  timeout: latin1("<timeout>"), timeoutEnd: latin1("</timeout>"),
  mark: latin1("<mark>"), markEnd: latin1("</mark>"), labels: latin1("<labels>"), labelsEnd: latin1("</labels>"),
  secmark: latin1("<secmark>"), secmarkEnd: latin1("</secmark>"), secctx: latin1("<secctx>"), secctxEnd: latin1("</secctx>"),
  use: latin1("<use>"), useEnd: latin1("</use>"), id: latin1("<id>"), idEnd: latin1("</id>"),
  assured: latin1("<assured/>"), unreplied: latin1("<unreplied/>"),
  timestamp: latin1("<timestamp>"), timestampEnd: latin1("</timestamp>"), start: latin1("<start>"), startEnd: latin1("</start>"),
  stop: latin1("<stop>"), stopEnd: latin1("</stop>"), delta: latin1("<deltatime>"), deltaEnd: latin1("</deltatime>"),
  helper: latin1("<helper>"), helperEnd: latin1("</helper>"),
};

/**
 * XML looks up the SCTP and DCCP states in the TCP table too (a library bug kept for fidelity);
 * anything past the table prints NONE.
 */
const STATE_ELEMENTS = Array.from({ length: 256 }, (_, i) => latin1("<state>" + (TCP_STATES[i] ?? "NONE") + "</state>"));

function stateElement(w: ByteWriter, v: MessageView, slot: number): void {
  if (v.pos[slot]! >= 0) w.lit(STATE_ELEMENTS[v.num[slot]! & 255]!);
}

function element(w: ByteWriter, v: MessageView, slot: number, open: Uint8Array, close: Uint8Array): void {
  if (v.pos[slot]! < 0) return;
  w.lit(open);
  w.uint(v.num[slot]!);
  w.lit(close);
}

/*
 * A direction is mostly constant text, and copying it costs per copy more than per byte, so the
 * constants are joined into as few copies as possible, each made once:
 *   `<meta direction="D"><layer3 protonum="N" protoname="NAME"><src>`   by direction and family,
 *   `</dst></layer3><layer4 protonum="P" protoname="NAME"><sport>`      by protocol (and family kind),
 *   `</sport><dport>`, then `</dport></layer4>`                          by the protocol's layout.
 * A family without addresses has `<src></src><dst></dst>` in the first instead.
 */
const directionOpens: (Uint8Array | undefined)[] = [];
const layer4Opens: (Uint8Array | undefined)[] = [];

function directionOpen(original: boolean, fam: number): Uint8Array {
  const key = (original ? 0 : 256) + (fam & 255);
  return (directionOpens[key] ??= latin1(
    '<meta direction="' + (original ? "original" : "reply") + '"><layer3 protonum="' + fam + '" protoname="' + l3Name(fam) + '">' +
      (hasAddresses(fam) ? "<src>" : "<src></src><dst></dst>"),
  ));
}

function layer4Open(withAddresses: boolean, proto: number): Uint8Array {
  const key = (withAddresses ? 0 : 256) + (proto & 255);
  return (layer4Opens[key] ??= makeLayer4Open(withAddresses, proto));
}

function makeLayer4Open(withAddresses: boolean, proto: number): Uint8Array {
  const layout = l4Layout(proto);
  const pairOpen = layout === "ports" || layout === "gre" ? XML_PAIR_LABELS[layout][0] : "";
  return latin1((withAddresses ? "</dst>" : "") + '</layer3><layer4 protonum="' + proto + '" protoname="' + l4Name(proto) + '">' + pairOpen);
}

const PAIR_BETWEEN = { ports: latin1(XML_PAIR_LABELS.ports[1]), gre: latin1(XML_PAIR_LABELS.gre[1]) };
const PAIR_CLOSE = { ports: latin1(XML_PAIR_LABELS.ports[2] + "</layer4>"), gre: latin1(XML_PAIR_LABELS.gre[2] + "</layer4>") };

function writeDirection(w: ByteWriter, v: MessageView, nest: number, b: number, c: number, family: number, original: boolean): void {
  const fam = tupleFamily(v, nest, family);
  const proto = tupleProtonum(v, b);
  const withAddresses = hasAddresses(fam);
  w.lit(directionOpen(original, fam));
  if (withAddresses) {
    writeTupleAddress(w, v, b, fam, false);
    w.lit(T.srcEndDst);
    writeTupleAddress(w, v, b, fam, true);
  }
  w.lit(layer4Open(withAddresses, proto));
  const layout = l4Layout(proto);
  if (layout === "ports" || layout === "gre") writePairRest(w, v, b, layout, PAIR_BETWEEN[layout], PAIR_CLOSE[layout]);
  else w.lit(T.layer4End);
  element(w, v, b + TUPLE.zone, T.zone, T.zoneEnd);
  // The library tests the ORIGINAL counters for both directions.
  if (hasCounterPair(v, FLOW.countersOrig)) {
    if (hasCounterPair(v, c)) {
      w.lit(T.counters);
      writePackets(w, v, c);
      w.lit(T.packetsEnd);
      writeBytes(w, v, c);
      w.lit(T.countersEnd);
    } else w.lit(T.zeroCounters);
  }
  w.lit(T.metaEnd);
}

const INDEPENDENT_SLOTS = [
  FLOW.tcpState, FLOW.sctpState, FLOW.dccpState, FLOW.timeout, FLOW.mark, FLOW.secmark, FLOW.zone, FLOW.use, FLOW.status, FLOW.id,
  FLOW.timestampStart, FLOW.timestampStop,
];

function hasIndependentMeta(v: MessageView): boolean {
  for (const slot of INDEPENDENT_SLOTS) if (v.pos[slot]! >= 0) return true;
  return v.pos[FLOW.labels]! >= 0 && v.len[FLOW.labels]! > 0;
}

/** XML deltatime: computed in nanoseconds when both ends exist, so it can be 1 below delta-time. */
function deltaTimeXml(start: bigint, stop: bigint | undefined, nowSec: number): string {
  const delta =
    stop !== undefined
      ? BigInt.asUintN(64, stop - start) / 1_000_000_000n
      : BigInt.asUintN(64, BigInt(nowSec) - start / 1_000_000_000n);
  return delta.toString();
}

/** One `<flow>...</flow>` line (no newline). */
export function writeConntrackXml(w: ByteWriter, v: MessageView, ctx: MessageContext, opts: ConntrackXmlOptions): void {
  w.lit(ctx.event === undefined ? T.flow : FLOW_OPEN[ctx.event]);
  writeDirection(w, v, FLOW.tupleOrig, FLOW.orig, FLOW.countersOrig, ctx.family, true);
  writeDirection(w, v, FLOW.tupleReply, FLOW.reply, FLOW.countersReply, ctx.family, false);

  const meta = hasIndependentMeta(v);
  if (meta) w.lit(T.independent);
  stateElement(w, v, FLOW.tcpState);
  stateElement(w, v, FLOW.sctpState);
  stateElement(w, v, FLOW.dccpState);
  element(w, v, FLOW.timeout, T.timeout, T.timeoutEnd);
  element(w, v, FLOW.mark, T.mark, T.markEnd);
  if (opts.labelMap !== undefined && v.pos[FLOW.labels]! >= 0 && v.len[FLOW.labels]! > 0) {
    w.lit(T.labels);
    for (const name of labelNames(v.bytes(FLOW.labels), opts.labelMap)) w.text("<label>" + name + "</label>");
    w.lit(T.labelsEnd);
  }
  if (v.pos[FLOW.secmark]! >= 0) {
    w.lit(T.secmark);
    w.uint(secmarkNumber(v.bytes(FLOW.secmark)));
    w.lit(T.secmarkEnd);
  }
  // secctx does not open the independent meta by itself (library quirk).
  if (v.pos[FLOW.secctxName]! >= 0) {
    w.lit(T.secctx);
    w.stringSlot(v, FLOW.secctxName);
    w.lit(T.secctxEnd);
  }
  element(w, v, FLOW.zone, T.zone, T.zoneEnd);
  element(w, v, FLOW.use, T.use, T.useEnd);
  element(w, v, FLOW.id, T.id, T.idEnd);
  const hasStatus = v.pos[FLOW.status]! >= 0;
  const status = hasStatus ? v.num[FLOW.status]! : 0;
  if (hasStatus && (status & IPS_ASSURED) !== 0) w.lit(T.assured);
  if (hasStatus && (status & IPS_SEEN_REPLY) === 0) w.lit(T.unreplied);

  const start = v.pos[FLOW.timestampStart]! >= 0 ? BigInt(v.int64(FLOW.timestampStart)) : undefined;
  const stop = v.pos[FLOW.timestampStop]! >= 0 ? BigInt(v.int64(FLOW.timestampStop)) : undefined;
  if (opts.ktimestamp && (start !== undefined || stop !== undefined)) {
    w.lit(T.timestamp);
    if (start !== undefined) {
      w.lit(T.start);
      w.big(start);
      w.lit(T.startEnd);
    }
    if (stop !== undefined) {
      w.lit(T.stop);
      w.big(stop);
      w.lit(T.stopEnd);
    }
    w.lit(T.timestampEnd);
  }
  if (start !== undefined) {
    w.lit(T.delta);
    w.text(deltaTimeXml(start, stop, opts.nowSec));
    w.lit(T.deltaEnd);
  }
  if (meta) w.lit(T.metaEnd);

  if (opts.when) w.text(whenXml(opts.nowSec));
  if (v.pos[FLOW.helpName]! >= 0) {
    w.lit(T.helper);
    w.stringSlot(v, FLOW.helpName);
    w.lit(T.helperEnd);
  }
  w.lit(T.flowEnd);
}
