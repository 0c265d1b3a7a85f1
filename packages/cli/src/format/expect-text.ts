import type { EventType, ExpectValue, MessageContext, TupleValue } from "./types.js";
import { EXPECT_INACTIVE, EXPECT_PERMANENT, EXPECT_USERSPACE, l3Name, l4Name } from "./names.js";
import { addressText, addressXml, l4Text, l4Xml, tupleProtonum } from "./tuple.js";
import { whenXml } from "./time.js";

const EVENT_PREFIX: Readonly<Record<EventType, string>> = {
  new: "    [NEW] ",
  update: " [UPDATE] ",
  destroy: "[DESTROY] ",
};

/**
 * The library hands out each expectation tuple's family from the presence of a DIFFERENT attribute
 * (expected ← MASTER, mask ← TUPLE, master ← MASK). The kernel always sends all three, so this
 * only matters for hand-made values; it is kept to print what conntrack prints.
 */
function families(exp: ExpectValue, family: number): { expected: number; mask: number; master: number } {
  return {
    expected: exp.expectMaster === undefined ? 0 : family,
    mask: exp.expectTuple === undefined ? 0 : family,
    master: exp.expectMask === undefined ? 0 : family,
  };
}

/** The mask tuple is printed with its own protonum (the kernel copies the expected one). */
function tupleText(t: TupleValue | undefined, family: number, src: string, dst: string): string {
  return addressText(t, family, src, dst) + l4Text(t);
}

/** One line of `-L expect` / `-E expect` / `-G expect` in the default format (no newline). */
export function formatExpectText(exp: ExpectValue, ctx: MessageContext): string {
  let s = ctx.event === undefined ? "" : EVENT_PREFIX[ctx.event];
  const fam = families(exp, ctx.family);
  if (exp.expectTimeout !== undefined) s += exp.expectTimeout + " ";
  s += "proto=" + tupleProtonum(exp.expectTuple) + " ";
  s += tupleText(exp.expectTuple, fam.expected, "src", "dst");
  s += tupleText(exp.expectMask, fam.mask, "mask-src", "mask-dst");
  s += tupleText(exp.expectMaster, fam.master, "master-src", "master-dst");
  if (exp.expectZone !== undefined) s += "zone=" + exp.expectZone + " ";
  const flags = exp.expectFlags ?? 0;
  const names: string[] = [];
  if (flags & EXPECT_PERMANENT) names.push("PERMANENT");
  if (flags & EXPECT_INACTIVE) names.push("INACTIVE");
  if (flags & EXPECT_USERSPACE) names.push("USERSPACE");
  s += names.join(",");
  // Any flag bit (even one without a name) adds the separating space.
  if (flags !== 0) s += " ";
  if (exp.expectClass !== undefined) s += "class=" + exp.expectClass + " ";
  if (exp.expectHelpName !== undefined) s += "helper=" + exp.expectHelpName;
  return s.endsWith(" ") ? s.slice(0, -1) : s;
}

export const EXPECT_XML_HEADER = '<?xml version="1.0" encoding="utf-8"?>\n<expect>\n';
export const EXPECT_XML_FOOTER = "</expect>\n";

export interface ExpectXmlOptions {
  /** `-o timestamp`: a `<when>` element with the local time of nowSec. */
  readonly when?: boolean;
  readonly nowSec: number;
}

const FLOW_OPEN: Readonly<Record<EventType, string>> = {
  new: '<flow type="new">',
  update: '<flow type="update">',
  destroy: '<flow type="destroy">',
};

/** One expectation `<flow>...</flow>` line (no newline). */
export function formatExpectXml(exp: ExpectValue, ctx: MessageContext, opts: ExpectXmlOptions): string {
  const fam = families(exp, ctx.family);
  const proto = tupleProtonum(exp.expectTuple);
  let s = ctx.event === undefined ? "<flow>" : FLOW_OPEN[ctx.event];
  s += '<layer3 protonum="' + fam.expected + '" protoname="' + l3Name(fam.expected) + '">';
  s += "<expected>" + addressXml(exp.expectTuple, fam.expected) + "</expected>";
  s += "<mask>" + addressXml(exp.expectMask, fam.mask) + "</mask>";
  s += "<master>" + addressXml(exp.expectMaster, fam.master) + "</master></layer3>";
  s += '<layer4 protonum="' + proto + '" protoname="' + l4Name(proto) + '">';
  s += "<expected>" + l4Xml(exp.expectTuple) + "</expected>";
  s += "<mask>" + l4Xml(exp.expectMask) + "</mask>";
  s += "<master>" + l4Xml(exp.expectMaster) + "</master></layer4>";
  s += "<meta>";
  if (exp.expectHelpName !== undefined) s += "<helper-name>" + exp.expectHelpName + "</helper-name>";
  if (exp.expectTimeout !== undefined) s += "<timeout>" + exp.expectTimeout + "</timeout>";
  if (exp.expectClass !== undefined) s += "<class>" + exp.expectClass + "</class>";
  if (exp.expectZone !== undefined) s += "<zone>" + exp.expectZone + "</zone>";
  if (opts.when) s += whenXml(opts.nowSec);
  const flags = exp.expectFlags ?? 0;
  if (flags & EXPECT_PERMANENT) s += "<permanent/>";
  if (flags & EXPECT_INACTIVE) s += "<inactive/>";
  if (flags & EXPECT_USERSPACE) s += "<userspace/>";
  return s + "</meta></flow>";
}
