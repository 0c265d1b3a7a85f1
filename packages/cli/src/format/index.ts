/**
 * Pure output formatters of tsconntrack, byte-exact with conntrack 1.4.7 (libnetfilter_conntrack
 * 1.0.9). They take decoded message values (see ./types.ts) plus the message context and return
 * strings; they never print. Conventions:
 * - per-entry functions return one line WITHOUT its newline; the XML header/footer constants are
 *   whole chunks WITH their newlines;
 * - anything time-dependent (delta-time, <deltatime>, <when>) takes `nowSec` from the caller;
 * - which options apply to which command is the caller's choice, e.g. -D/-U never pass
 *   `ktimestamp`, and -D never passes a label map (conntrack does the same).
 */
export type {
  ConntrackValue, CountersValue, CpuStatsValue, EventType, ExpectCpuStatsValue, ExpectValue, GlobalStatsValue,
  LabelMap, MessageContext, ProtoinfoValue, TimeVal, TupleIpValue, TupleProtoValue, TupleValue,
} from "./types.js";
export { formatConntrackText, userspaceTag, deltaTimeText, type ConntrackTextOptions } from "./conntrack-text.js";
export {
  formatConntrackXml, CONNTRACK_XML_HEADER, CONNTRACK_XML_FOOTER, XML_DECLARATION, type ConntrackXmlOptions,
} from "./conntrack-xml.js";
export { formatConntrackSave, type SaveKind, type SaveResult } from "./save.js";
export {
  formatExpectText, formatExpectXml, EXPECT_XML_HEADER, EXPECT_XML_FOOTER, type ExpectXmlOptions,
} from "./expect-text.js";
export {
  formatCpuStatsLine, formatExpectCpuStatsLine, formatProcStatsLine, formatCount, formatGlobalCount,
} from "./stats.js";
export {
  summaryLine, PROGRAM_PREFIX, FLUSH_CONNTRACK_LINE, FLUSH_EXPECT_LINE, VERSION_LINE, ENOBUFS_WARNING_LINES,
  bufferSizeNotice, type SummaryKind,
} from "./summary.js";
export { ctimeText, eventTimePrefix, expectTimePrefix, timeValFromMillis, nsToSeconds } from "./time.js";
export { labelBits, labelNames } from "./labels.js";
export {
  formatConntrackJson, formatConntrackEventJson, formatOverrunJson, formatExpectJson, formatExpectEventJson,
  formatCpuStatsJson, formatExpectCpuStatsJson, formatGlobalStatsJson, JsonListWriter, jsonString, statusNames,
  timeValJson, type ConntrackJsonOptions,
} from "./json.js";
export { LazyXmlHeader } from "./xml-header.js";
