// One -E event → the text printed for it (with newline): conntrack's default line, XML or save form,
// or a JSON object. Adds what conntrack adds (the -o timestamp prefix, the [USERSPACE] tag) and what
// only tsconntrack has: ` netns=ID` (--all-netns, events from a peer namespace) and the JSON keys
// `netns`, `portid`, `progname`.

import { expectView, flowView, type ConntrackEvent, type MessageView } from "@tsconntrack/conntrack";
import type { ParsedCommand } from "../args/types.js";
import { userspaceTag } from "../format/conntrack-text.js";
import { formatOverrunJson, jsonString, timeValJson, writeConntrackJson, writeExpectEventJson } from "../format/json.js";
import { EXPECT_XML_FOOTER, EXPECT_XML_HEADER, writeExpectText, writeExpectXml } from "../format/expect-text.js";
import { eventTimePrefix, expectTimePrefix } from "../format/time.js";
import type { TimeVal } from "../format/types.js";
import { ByteWriter } from "../io/byte-writer.js";
import { LazyXmlHeader } from "../format/xml-header.js";
import type { Painter } from "../io/color.js";
import { EntryPrinter } from "../commands/printer.js";
import { loadedLabelMap } from "../commands/labels.js";

/** Width of the `%9s ` event prefix. */
const PREFIX_WIDTH = 10;

export interface EventOrigin {
  /** Port id of the process that caused the event (nlmsg_pid), 0 for the kernel. */
  readonly portId: number;
  readonly progname: string | undefined;
  /** Source namespace id (--all-netns), absent for the listener's own namespace. */
  readonly netnsId: number | undefined;
}

function jsonExtras(origin: EventOrigin): string {
  let s = "";
  if (origin.netnsId !== undefined) s += ',"netns":' + origin.netnsId;
  if (origin.portId !== 0) {
    s += ',"portid":' + (origin.portId >>> 0);
    if (origin.progname !== undefined) s += ',"progname":' + jsonString(origin.progname);
  }
  return s;
}

/** Appends members to a JSON object text. */
function withMembers(objectJson: string, members: string): string {
  return members === "" ? objectJson : objectJson.slice(0, -1) + members + "}";
}

/** What one event prints; `stderr` carries save's unsupported-family warning. */
export interface PrintedEvent {
  readonly stdout: string;
  readonly stderr: string;
}

export class EventLines {
  private readonly cmd: ParsedCommand;
  private readonly painter: Painter;
  private readonly printer: EntryPrinter;
  private readonly expectXml: LazyXmlHeader | null;
  readonly json: boolean;
  /** Each event is walked into its own view and written here first: its line gets post-processed. */
  private readonly scratch = new ByteWriter(4096);
  private readonly flows: MessageView = flowView();
  private readonly expects: MessageView = expectView();

  constructor(cmd: ParsedCommand, painter: Painter) {
    this.cmd = cmd;
    this.painter = painter;
    const labelMap = loadedLabelMap(cmd);
    this.printer = new EntryPrinter(cmd, "event", labelMap);
    this.json = cmd.output.json || cmd.output.ndjson;
    this.expectXml = cmd.table === "expect" && cmd.output.xml && !this.json ? new LazyXmlHeader(EXPECT_XML_HEADER, EXPECT_XML_FOOTER) : null;
  }

  /** Text for one event. */
  event(event: Exclude<ConntrackEvent, { kind: "overrun" | "undecodable" }>, origin: EventOrigin, time: TimeVal, nowSec: number): PrintedEvent {
    const output = this.cmd.output;
    const w = this.scratch;
    if (!("flow" in event)) {
      const view = this.expects.walkMessage(event.message);
      const ctx = { family: event.family, event: event.kind === "exp-new" ? ("new" as const) : ("destroy" as const) };
      if (this.json) {
        writeExpectEventJson(w, view, ctx, time, jsonExtras(origin));
        return { stdout: w.take() + "\n", stderr: "" };
      }
      // No [USERSPACE] tag here: 1.4.7's expectation event callback never adds it (only flow events do).
      if (this.expectXml !== null) {
        writeExpectXml(w, view, ctx, { nowSec, when: output.timestamp });
        return { stdout: this.expectXml.beforeFlow() + this.xmlNetns(w.take(), origin) + "\n", stderr: "" };
      }
      const prefix = output.timestamp ? expectTimePrefix(time) : "";
      writeExpectText(w, view, ctx);
      return { stdout: prefix + w.take() + this.netnsText(origin) + "\n", stderr: "" };
    }
    const view = this.flows.walkMessage(event.message);
    const warning = this.printer.entry(w, view, event.family, nowSec, event.kind, time, this.json ? jsonExtras(origin) : "");
    const stderr = warning === undefined ? "" : warning + "\n";
    let line = w.take().slice(0, -1);
    if (this.json) return { stdout: line + "\n", stderr };
    if (output.xml) {
      // The lazy header comes first in the text; the netns attribute goes on the <flow> element.
      const at = line.indexOf("<flow ");
      line = at < 0 ? line : line.slice(0, at) + this.xmlNetns(line.slice(at), origin);
      return { stdout: line + this.tag(origin) + "\n", stderr };
    }
    if (this.painter.enabled && !output.save) {
      line = this.painter.event(event.kind, line.slice(0, PREFIX_WIDTH)) + line.slice(PREFIX_WIDTH);
    }
    const prefix = output.timestamp && !output.save ? eventTimePrefix(time) : "";
    const netns = output.save ? "" : this.netnsText(origin);
    return { stdout: prefix + line + netns + this.tag(origin) + "\n", stderr };
  }

  /** The overrun record of JSON modes. */
  overrun(time: TimeVal, overruns: number): string {
    return withMembers(formatOverrunJson(time), ',"overruns":' + overruns) + "\n";
  }

  /** One entry of a --resync dump: ` [RESYNC] ` + the -L line, `{"event":"resync",...}`, or -L's XML/save form. */
  resyncEntry(view: MessageView, family: number, time: TimeVal, nowSec: number): PrintedEvent {
    const w = this.scratch;
    if (this.json) {
      writeConntrackJson(w, view, { family });
      return { stdout: '{"event":"resync","time":' + timeValJson(time) + "," + w.take().slice(1) + "\n", stderr: "" };
    }
    // No event type: the -L forms, sharing the event printer's lazy XML header.
    const warning = this.printer.entry(w, view, family, nowSec);
    const printed = { stdout: w.take(), stderr: warning === undefined ? "" : warning + "\n" };
    if (this.cmd.output.xml || this.cmd.output.save) return printed;
    const prefix = this.cmd.output.timestamp ? eventTimePrefix(time) : "";
    return { stdout: prefix + " [RESYNC] " + printed.stdout, stderr: printed.stderr };
  }

  /** The JSON line that closes a --resync dump. */
  resyncDone(time: TimeVal, entries: number): string {
    return '{"event":"resync-done","time":' + timeValJson(time) + ',"entries":' + entries + "}\n";
  }

  /** What ends the output at SIGINT/SIGTERM: the XML footer if the header was printed. */
  end(): string {
    if (this.json) return "";
    return this.expectXml !== null ? this.expectXml.end() : this.printer.end();
  }

  private tag(origin: EventOrigin): string {
    return origin.portId === 0 ? "" : userspaceTag(origin.portId >>> 0, origin.progname);
  }

  private netnsText(origin: EventOrigin): string {
    return origin.netnsId === undefined ? "" : " netns=" + origin.netnsId;
  }

  private xmlNetns(flowXml: string, origin: EventOrigin): string {
    if (origin.netnsId === undefined) return flowXml;
    const close = flowXml.indexOf(">");
    return close < 0 ? flowXml : flowXml.slice(0, close) + ' netns="' + origin.netnsId + '"' + flowXml.slice(close);
  }
}
