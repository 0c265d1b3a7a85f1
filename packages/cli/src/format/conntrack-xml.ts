import type { ConntrackValue, EventType, LabelMap, MessageContext, TupleValue } from "./types.js";
import { IPS_ASSURED, IPS_SEEN_REPLY, TCP_STATES, l3Name, l4Name } from "./names.js";
import { addressXml, l4Xml, tupleFamily, tupleProtonum } from "./tuple.js";
import { labelNames } from "./labels.js";
import { whenXml } from "./time.js";
import { counterPair } from "./conntrack-text.js";
import { secmarkNumber } from "./scalars.js";

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

const FLOW_OPEN: Readonly<Record<EventType, string>> = {
  new: '<flow type="new">',
  update: '<flow type="update">',
  destroy: '<flow type="destroy">',
};

/**
 * XML looks up the SCTP and DCCP states in the TCP table too (a library bug kept for fidelity);
 * anything past the table prints NONE.
 */
function xmlState(state: number): string {
  return TCP_STATES[state] ?? "NONE";
}

function directionXml(
  ct: ConntrackValue,
  tuple: TupleValue | undefined,
  family: number,
  direction: "original" | "reply",
): string {
  const proto = tupleProtonum(tuple);
  let s =
    '<meta direction="' + direction + '"><layer3 protonum="' + family + '" protoname="' + l3Name(family) +
    '">' + addressXml(tuple, family) + '</layer3><layer4 protonum="' + proto + '" protoname="' +
    l4Name(proto) + '">' + l4Xml(tuple) + "</layer4>";
  if (tuple?.tupleZone !== undefined) s += "<zone>" + tuple.tupleZone + "</zone>";
  // The library tests the ORIGINAL counters for both directions.
  if (counterPair(ct.countersOrig) !== undefined) {
    const own = counterPair(direction === "original" ? ct.countersOrig : ct.countersReply);
    const [packets, bytes] = own ?? [0n, 0n];
    s += "<counters><packets>" + packets + "</packets><bytes>" + bytes + "</bytes></counters>";
  }
  return s + "</meta>";
}

function hasIndependentMeta(ct: ConntrackValue): boolean {
  const pi = ct.protoinfo;
  return (
    pi?.protoinfoTcp?.tcpState !== undefined ||
    pi?.protoinfoSctp?.sctpState !== undefined ||
    pi?.protoinfoDccp?.dccpState !== undefined ||
    ct.timeout !== undefined ||
    ct.mark !== undefined ||
    ct.secmark !== undefined ||
    ct.zone !== undefined ||
    ct.use !== undefined ||
    ct.status !== undefined ||
    ct.id !== undefined ||
    (ct.labels !== undefined && ct.labels.length > 0) ||
    ct.timestamp?.start !== undefined ||
    ct.timestamp?.stop !== undefined
  );
}

/** XML deltatime: computed in nanoseconds when both ends exist, so it can be 1 below delta-time. */
function deltaTimeXml(start: bigint, stop: bigint | undefined, nowSec: number): string {
  const delta =
    stop !== undefined
      ? BigInt.asUintN(64, stop - start) / 1_000_000_000n
      : BigInt.asUintN(64, BigInt(nowSec) - start / 1_000_000_000n);
  return "<deltatime>" + delta + "</deltatime>";
}

/** One `<flow>...</flow>` line (no newline). Nothing is escaped, as in conntrack. */
export function formatConntrackXml(ct: ConntrackValue, ctx: MessageContext, opts: ConntrackXmlOptions): string {
  let s = ctx.event === undefined ? "<flow>" : FLOW_OPEN[ctx.event];
  s += directionXml(ct, ct.tupleOrig, tupleFamily(ct.tupleOrig, ctx.family), "original");
  s += directionXml(ct, ct.tupleReply, tupleFamily(ct.tupleReply, ctx.family), "reply");

  const meta = hasIndependentMeta(ct);
  if (meta) s += '<meta direction="independent">';
  const pi = ct.protoinfo;
  const tcp = pi?.protoinfoTcp?.tcpState;
  if (tcp !== undefined) s += "<state>" + xmlState(tcp) + "</state>";
  const sctp = pi?.protoinfoSctp?.sctpState;
  if (sctp !== undefined) s += "<state>" + xmlState(sctp) + "</state>";
  const dccp = pi?.protoinfoDccp?.dccpState;
  if (dccp !== undefined) s += "<state>" + xmlState(dccp) + "</state>";
  if (ct.timeout !== undefined) s += "<timeout>" + ct.timeout + "</timeout>";
  if (ct.mark !== undefined) s += "<mark>" + ct.mark + "</mark>";
  if (opts.labelMap !== undefined && ct.labels !== undefined && ct.labels.length > 0) {
    s += "<labels>";
    for (const name of labelNames(ct.labels, opts.labelMap)) s += "<label>" + name + "</label>";
    s += "</labels>";
  }
  if (ct.secmark !== undefined) s += "<secmark>" + secmarkNumber(ct.secmark) + "</secmark>";
  // secctx does not open the independent meta by itself (library quirk).
  const secctx = ct.secctx?.secctxName;
  if (secctx !== undefined) s += "<secctx>" + secctx + "</secctx>";
  if (ct.zone !== undefined) s += "<zone>" + ct.zone + "</zone>";
  if (ct.use !== undefined) s += "<use>" + ct.use + "</use>";
  if (ct.id !== undefined) s += "<id>" + ct.id + "</id>";
  const status = ct.status;
  if (status !== undefined && (status & IPS_ASSURED) !== 0) s += "<assured/>";
  if (status !== undefined && (status & IPS_SEEN_REPLY) === 0) s += "<unreplied/>";

  const start = ct.timestamp?.start;
  const stop = ct.timestamp?.stop;
  if (opts.ktimestamp && (start !== undefined || stop !== undefined)) {
    s += "<timestamp>";
    if (start !== undefined) s += "<start>" + start + "</start>";
    if (stop !== undefined) s += "<stop>" + stop + "</stop>";
    s += "</timestamp>";
  }
  if (start !== undefined) s += deltaTimeXml(start, stop, opts.nowSec);
  if (meta) s += "</meta>";

  if (opts.when) s += whenXml(opts.nowSec);
  const helper = ct.help?.helpName;
  if (helper !== undefined) s += "<helper>" + helper + "</helper>";
  return s + "</flow>";
}
