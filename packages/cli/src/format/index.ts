/**
 * Output formatters of tsconntrack, byte-exact with conntrack 1.4.7 (libnetfilter_conntrack
 * 1.0.9). Each writes one entry from its message view (see @tsconntrack/conntrack's flow-view)
 * into a ByteWriter; they never print. Conventions:
 * - per-entry writers write one line WITHOUT its newline; the XML header/footer constants are
 *   whole chunks WITH their newlines;
 * - anything time-dependent (delta-time, <deltatime>, <when>) takes `nowSec` from the caller;
 * - which options apply to which command is the caller's choice, e.g. -D/-U never pass
 *   `ktimestamp`, and -D never passes a label map (conntrack does the same).
 * The format* functions take decoded values instead (for callers that keep entries as objects,
 * such as tsconntrackd's caches): they encode the entry and write it through the same writer.
 */
import { ConntrackReply, conntrack, type ConntrackAttrs } from "@tsconntrack/codec/conntrack";
import { flowView, type MessageView } from "@tsconntrack/conntrack";
import { ByteWriter } from "../io/byte-writer.js";
import { writeConntrackText, type ConntrackTextOptions } from "./conntrack-text.js";
import { writeConntrackXml, type ConntrackXmlOptions } from "./conntrack-xml.js";
import type { MessageContext } from "./types.js";

export type { CpuStatsValue, EventType, ExpectCpuStatsValue, GlobalStatsValue, LabelMap, MessageContext, TimeVal } from "./types.js";
export { writeConntrackText, userspaceTag, deltaTimeText, type ConntrackTextOptions } from "./conntrack-text.js";
export { writeConntrackXml, CONNTRACK_XML_HEADER, CONNTRACK_XML_FOOTER, XML_DECLARATION, type ConntrackXmlOptions } from "./conntrack-xml.js";
export { writeConntrackSave, type SaveKind } from "./save.js";
export { writeExpectText, writeExpectXml, EXPECT_XML_HEADER, EXPECT_XML_FOOTER, type ExpectXmlOptions } from "./expect-text.js";
export { formatCpuStatsLine, formatExpectCpuStatsLine, formatProcStatsLine, formatCount, formatGlobalCount } from "./stats.js";
export {
  summaryLine, PROGRAM_PREFIX, FLUSH_CONNTRACK_LINE, FLUSH_EXPECT_LINE, VERSION_LINE, ENOBUFS_WARNING_LINES,
  bufferSizeNotice, type SummaryKind,
} from "./summary.js";
export { ctimeText, eventTimePrefix, expectTimePrefix, timeValFromMillis, nsToSeconds } from "./time.js";
export { labelBits, labelNames } from "./labels.js";
export {
  writeConntrackJson, writeConntrackEventJson, formatOverrunJson, writeExpectJson, writeExpectEventJson,
  formatCpuStatsJson, formatExpectCpuStatsJson, formatGlobalStatsJson, JsonListWriter, jsonString, timeValJson,
  type ConntrackJsonOptions,
} from "./json.js";
export { LazyXmlHeader } from "./xml-header.js";
export { ByteWriter } from "../io/byte-writer.js";

const scratch = new ByteWriter(4096);
let flows: MessageView | undefined;

/** A decoded entry as the kernel would send it, walked into a view (valid until the next call). */
export function flowViewOf(flow: ConntrackAttrs, family: number): MessageView {
  const bytes = conntrack.encodeMessage({ type: ConntrackReply.get, flags: 0, fixed: { nfgenFamily: family }, set: "conntrack-attrs", attrs: flow });
  return (flows ??= flowView()).walkMessage(bytes);
}

/** writeConntrackText of a decoded entry, as a string. */
export function formatConntrackText(flow: ConntrackAttrs, ctx: MessageContext, opts: ConntrackTextOptions): string {
  writeConntrackText(scratch, flowViewOf(flow, ctx.family), ctx, opts);
  return scratch.take();
}

/** writeConntrackXml of a decoded entry, as a string. */
export function formatConntrackXml(flow: ConntrackAttrs, ctx: MessageContext, opts: ConntrackXmlOptions): string {
  writeConntrackXml(scratch, flowViewOf(flow, ctx.family), ctx, opts);
  return scratch.take();
}
