// Expectations (-L/-G/-E expect) in the default and XML formats, written from their view.
import { EXPECT, type MessageView } from "@tsconntrack/conntrack";
import { latin1, type ByteWriter } from "../io/byte-writer.js";
import { EXPECT_INACTIVE, EXPECT_PERMANENT, EXPECT_USERSPACE, l3Name, l4Name } from "./names.js";
import { whenXml } from "./time.js";
import { tupleProtonum, writeAddressText, writeAddressXml, writeL4Text, writeL4Xml } from "./tuple.js";
import type { EventType, MessageContext } from "./types.js";

const EVENT_PREFIX: Readonly<Record<EventType, Uint8Array>> = {
  new: latin1("    [NEW] "),
  update: latin1(" [UPDATE] "),
  destroy: latin1("[DESTROY] "),
};

/**
 * The library hands out each expectation tuple's family from the presence of a DIFFERENT attribute
 * (expected ← MASTER, mask ← TUPLE, master ← MASK). The kernel always sends all three, so this
 * only matters for hand-made values; it is kept to print what conntrack prints.
 */
function families(v: MessageView, family: number): { expected: number; mask: number; master: number } {
  return {
    expected: v.pos[EXPECT.expectMaster]! >= 0 ? family : 0,
    mask: v.pos[EXPECT.expectTuple]! >= 0 ? family : 0,
    master: v.pos[EXPECT.expectMask]! >= 0 ? family : 0,
  };
}

const T = {
  proto: latin1("proto="), src: latin1("src="), dst: latin1(" dst="), maskSrc: latin1("mask-src="), maskDst: latin1(" mask-dst="),
  masterSrc: latin1("master-src="), masterDst: latin1(" master-dst="), zone: latin1("zone="), class: latin1("class="), helper: latin1("helper="),
};

function flagNames(flags: number): string[] {
  const names: string[] = [];
  if (flags & EXPECT_PERMANENT) names.push("PERMANENT");
  if (flags & EXPECT_INACTIVE) names.push("INACTIVE");
  if (flags & EXPECT_USERSPACE) names.push("USERSPACE");
  return names;
}

/** One line of `-L expect` / `-E expect` / `-G expect` in the default format (no newline). */
export function writeExpectText(w: ByteWriter, v: MessageView, ctx: MessageContext): void {
  w.beginLine();
  if (ctx.event !== undefined) w.lit(EVENT_PREFIX[ctx.event]);
  const fam = families(v, ctx.family);
  if (v.pos[EXPECT.timeout]! >= 0) {
    w.uint(v.num[EXPECT.timeout]!);
    w.byte(0x20);
  }
  w.lit(T.proto);
  w.uint(tupleProtonum(v, EXPECT.tuple));
  w.byte(0x20);
  // The mask tuple is printed with its own protonum (the kernel copies the expected one).
  writeAddressText(w, v, EXPECT.tuple, fam.expected, T.src, T.dst);
  writeL4Text(w, v, EXPECT.tuple);
  writeAddressText(w, v, EXPECT.mask, fam.mask, T.maskSrc, T.maskDst);
  writeL4Text(w, v, EXPECT.mask);
  writeAddressText(w, v, EXPECT.master, fam.master, T.masterSrc, T.masterDst);
  writeL4Text(w, v, EXPECT.master);
  if (v.pos[EXPECT.zone]! >= 0) {
    w.lit(T.zone);
    w.uint(v.num[EXPECT.zone]!);
    w.byte(0x20);
  }
  const flags = v.pos[EXPECT.flags]! >= 0 ? v.num[EXPECT.flags]! : 0;
  w.text(flagNames(flags).join(","));
  // Any flag bit (even one without a name) adds the separating space.
  if (flags !== 0) w.byte(0x20);
  if (v.pos[EXPECT.class]! >= 0) {
    w.lit(T.class);
    w.uint(v.num[EXPECT.class]!);
    w.byte(0x20);
  }
  if (v.pos[EXPECT.helpName]! >= 0) {
    w.lit(T.helper);
    w.stringSlot(v, EXPECT.helpName);
  }
  w.trimLineEnd(1);
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

function xmlNumber(w: ByteWriter, v: MessageView, slot: number, tag: string): void {
  if (v.pos[slot]! < 0) return;
  w.text("<" + tag + ">");
  w.uint(v.num[slot]!);
  w.text("</" + tag + ">");
}

/** One expectation `<flow>...</flow>` line (no newline). */
export function writeExpectXml(w: ByteWriter, v: MessageView, ctx: MessageContext, opts: ExpectXmlOptions): void {
  const fam = families(v, ctx.family);
  const proto = tupleProtonum(v, EXPECT.tuple);
  w.text(ctx.event === undefined ? "<flow>" : FLOW_OPEN[ctx.event]);
  w.text('<layer3 protonum="' + fam.expected + '" protoname="' + l3Name(fam.expected) + '"><expected>');
  writeAddressXml(w, v, EXPECT.tuple, fam.expected);
  w.text("</expected><mask>");
  writeAddressXml(w, v, EXPECT.mask, fam.mask);
  w.text("</mask><master>");
  writeAddressXml(w, v, EXPECT.master, fam.master);
  w.text('</master></layer3><layer4 protonum="' + proto + '" protoname="' + l4Name(proto) + '"><expected>');
  writeL4Xml(w, v, EXPECT.tuple);
  w.text("</expected><mask>");
  writeL4Xml(w, v, EXPECT.mask);
  w.text("</mask><master>");
  writeL4Xml(w, v, EXPECT.master);
  w.text("</master></layer4><meta>");
  if (v.pos[EXPECT.helpName]! >= 0) {
    w.text("<helper-name>");
    w.stringSlot(v, EXPECT.helpName);
    w.text("</helper-name>");
  }
  xmlNumber(w, v, EXPECT.timeout, "timeout");
  xmlNumber(w, v, EXPECT.class, "class");
  xmlNumber(w, v, EXPECT.zone, "zone");
  if (opts.when) w.text(whenXml(opts.nowSec));
  const flags = v.pos[EXPECT.flags]! >= 0 ? v.num[EXPECT.flags]! : 0;
  if (flags & EXPECT_PERMANENT) w.text("<permanent/>");
  if (flags & EXPECT_INACTIVE) w.text("<inactive/>");
  if (flags & EXPECT_USERSPACE) w.text("<userspace/>");
  w.text("</meta></flow>");
}
