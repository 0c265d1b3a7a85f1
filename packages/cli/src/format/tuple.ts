// A tuple read from a view: `b` is the tuple's first slot (FLOW.orig, EXPECT.mask, ...), `nest` the
// slot of the tuple attribute itself. Missing fields read as libnetfilter_conntrack reads them
// from its zeroed struct: 0, or the all-zero address.
import { TUPLE, type MessageView } from "@tsconntrack/conntrack";
import type { ByteWriter } from "../io/byte-writer.js";
import { latin1 } from "../io/byte-writer.js";
import { AF_INET, AF_INET6, l4Layout } from "./names.js";

/** The library gives every tuple of a message the nfgenmsg family, and only a present tuple gets one. */
export function tupleFamily(v: MessageView, nest: number, family: number): number {
  return v.pos[nest]! >= 0 ? family : 0;
}

/** A number slot, 0 when absent. */
export function numOr0(v: MessageView, slot: number): number {
  return v.pos[slot]! >= 0 ? v.num[slot]! : 0;
}

export function tupleProtonum(v: MessageView, b: number): number {
  return numOr0(v, b + TUPLE.protoNum);
}

/** ICMP and ICMPv6 share one field in the library, the ICMPv6 attribute being parsed last. */
export function icmpField(v: MessageView, b: number, v4: number, v6: number): number {
  return v.pos[b + v6]! >= 0 ? v.num[b + v6]! : numOr0(v, b + v4);
}

const ZERO_V4 = latin1("0.0.0.0");
const ZERO_V6 = latin1("::");

/** The source (or destination) address of the family, or the zero address when the attribute is missing. */
export function writeTupleAddress(w: ByteWriter, v: MessageView, b: number, family: number, dst: boolean): void {
  const slot = b + (family === AF_INET ? (dst ? TUPLE.v4dst : TUPLE.v4src) : dst ? TUPLE.v6dst : TUPLE.v6src);
  if (v.pos[slot]! >= 0) w.address(v, slot);
  else w.lit(family === AF_INET ? ZERO_V4 : ZERO_V6);
}

export function hasAddresses(family: number): boolean {
  return family === AF_INET || family === AF_INET6;
}

/** `"src=A dst=B "` with the given tags (`src=`, ` dst=`), nothing for a family without addresses. */
export function writeAddressText(w: ByteWriter, v: MessageView, b: number, family: number, srcTag: Uint8Array, dstTag: Uint8Array): void {
  if (!hasAddresses(family)) return;
  w.lit(srcTag);
  writeTupleAddress(w, v, b, family, false);
  w.lit(dstTag);
  writeTupleAddress(w, v, b, family, true);
  w.byte(0x20);
}

const T = {
  type: latin1("type="), code: latin1(" code="), id: latin1(" id="),
  srcXml: latin1("<src>"), dstXml: latin1("</src><dst>"), dstEnd: latin1("</dst>"), emptyXml: latin1("<src></src><dst></dst>"),
};

/** What stands before the source, between the two and after the destination port (or GRE key). */
type PairLabels = readonly [open: Uint8Array, between: Uint8Array, close: Uint8Array];

const PAIR_TEXT: Readonly<Record<"ports" | "gre", PairLabels>> = {
  ports: [latin1("sport="), latin1(" dport="), latin1(" ")],
  gre: [latin1("srckey=0x"), latin1(" dstkey=0x"), latin1(" ")],
};

/** The XML labels of a port pair as text: the flow XML's longer constants contain them. */
export const XML_PAIR_LABELS: Readonly<Record<"ports" | "gre", readonly [open: string, between: string, close: string]>> = {
  ports: ["<sport>", "</sport><dport>", "</dport>"],
  gre: ["<srckey>0x", "</srckey><dstkey>0x", "</dstkey>"],
};

const labelBytes = ([open, between, close]: readonly [string, string, string]): PairLabels => [latin1(open), latin1(between), latin1(close)];

const PAIR_XML: Readonly<Record<"ports" | "gre", PairLabels>> = {
  ports: labelBytes(XML_PAIR_LABELS.ports),
  gre: labelBytes(XML_PAIR_LABELS.gre),
};

/** One port (decimal) or GRE key (hex, which shares the port slots). */
function writePairValue(w: ByteWriter, n: number, layout: "ports" | "gre"): void {
  if (layout === "gre") w.hex(n);
  else w.uint(n);
}

/**
 * The source value, `between`, the destination value and `close`: a port pair after its opening
 * label, which callers may have written as part of a longer constant.
 */
export function writePairRest(w: ByteWriter, v: MessageView, b: number, layout: "ports" | "gre", between: Uint8Array, close: Uint8Array): void {
  writePairValue(w, numOr0(v, b + TUPLE.srcPort), layout);
  w.lit(between);
  writePairValue(w, numOr0(v, b + TUPLE.dstPort), layout);
  w.lit(close);
}

/** The source and destination port or GRE key between their labels. */
function writePortPair(w: ByteWriter, v: MessageView, b: number, layout: "ports" | "gre", labels: PairLabels): void {
  w.lit(labels[0]);
  writePairRest(w, v, b, layout, labels[1], labels[2]);
}

/** The L4 part of a tuple in the default format, chosen by protonum alone. */
export function writeL4Text(w: ByteWriter, v: MessageView, b: number): void {
  const layout = l4Layout(tupleProtonum(v, b));
  switch (layout) {
    case "ports":
    case "gre":
      writePortPair(w, v, b, layout, PAIR_TEXT[layout]);
      return;
    case "icmp":
      w.lit(T.type);
      w.uint(icmpField(v, b, TUPLE.icmpType, TUPLE.icmpv6Type));
      w.lit(T.code);
      w.uint(icmpField(v, b, TUPLE.icmpCode, TUPLE.icmpv6Code));
      w.lit(T.id);
      w.uint(icmpField(v, b, TUPLE.icmpId, TUPLE.icmpv6Id));
      w.byte(0x20);
      return;
    case "none":
      return;
  }
}

/** The L4 part in XML: ports or keys only; ICMP and unknown protocols leave the element empty. */
export function writeL4Xml(w: ByteWriter, v: MessageView, b: number): void {
  const layout = l4Layout(tupleProtonum(v, b));
  if (layout === "ports" || layout === "gre") writePortPair(w, v, b, layout, PAIR_XML[layout]);
}

/** `<src>A</src><dst>B</dst>`; an unknown family gives empty elements. */
export function writeAddressXml(w: ByteWriter, v: MessageView, b: number, family: number): void {
  if (!hasAddresses(family)) {
    w.lit(T.emptyXml);
    return;
  }
  w.lit(T.srcXml);
  writeTupleAddress(w, v, b, family, false);
  w.lit(T.dstXml);
  writeTupleAddress(w, v, b, family, true);
  w.lit(T.dstEnd);
}
