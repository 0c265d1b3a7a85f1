// The formatters' tables are written as decoded values: each value is encoded as the kernel would
// send it, walked into a view and written by the real writer, so the tables test the one path.
import { ConntrackReply, conntrack, type ConntrackAttrs, type ExpectAttrs, type TupleAttrs, type TupleProtoAttrs } from "@tsconntrack/codec/conntrack";
import { expectView } from "@tsconntrack/conntrack";
import { ByteWriter, flowViewOf } from "../../src/format/index.js";
import { writeConntrackSave, type SaveKind } from "../../src/format/save.js";
import { writeExpectText, writeExpectXml, type ExpectXmlOptions } from "../../src/format/expect-text.js";
import { writeConntrackEventJson, writeConntrackJson, writeExpectEventJson, writeExpectJson, type ConntrackJsonOptions } from "../../src/format/json.js";
import type { MessageContext, TimeVal } from "../../src/format/types.js";

export { formatConntrackText, formatConntrackXml } from "../../src/format/index.js";

export type ConntrackValue = ConntrackAttrs;
export type ExpectValue = ExpectAttrs;
export type TupleValue = TupleAttrs;
export type TupleProtoValue = TupleProtoAttrs;

const w = new ByteWriter(4096);

function expectViewOf(exp: ExpectAttrs, family: number) {
  const bytes = conntrack.encodeMessage({ type: ConntrackReply.expGet, flags: 0, fixed: { nfgenFamily: family }, set: "expect-attrs", attrs: exp });
  return expectView().walkMessage(bytes);
}

export function formatConntrackSave(ct: ConntrackAttrs, ctx: MessageContext, kind: SaveKind): { line: string; warning?: string } {
  const warning = writeConntrackSave(w, flowViewOf(ct, ctx.family), ctx, kind);
  const line = w.take();
  return warning === undefined ? { line } : { line, warning };
}

export function formatConntrackJson(ct: ConntrackAttrs, ctx: MessageContext, opts?: ConntrackJsonOptions): string {
  writeConntrackJson(w, flowViewOf(ct, ctx.family), ctx, opts);
  return w.take();
}

export function formatConntrackEventJson(ct: ConntrackAttrs, ctx: MessageContext, time: TimeVal, opts?: ConntrackJsonOptions): string {
  writeConntrackEventJson(w, flowViewOf(ct, ctx.family), ctx, time, opts);
  return w.take();
}

export function formatExpectText(exp: ExpectAttrs, ctx: MessageContext): string {
  writeExpectText(w, expectViewOf(exp, ctx.family), ctx);
  return w.take();
}

export function formatExpectXml(exp: ExpectAttrs, ctx: MessageContext, opts: ExpectXmlOptions): string {
  writeExpectXml(w, expectViewOf(exp, ctx.family), ctx, opts);
  return w.take();
}

export function formatExpectJson(exp: ExpectAttrs, ctx: MessageContext): string {
  writeExpectJson(w, expectViewOf(exp, ctx.family), ctx);
  return w.take();
}

export function formatExpectEventJson(exp: ExpectAttrs, ctx: MessageContext, time: TimeVal): string {
  writeExpectEventJson(w, expectViewOf(exp, ctx.family), ctx, time);
  return w.take();
}
