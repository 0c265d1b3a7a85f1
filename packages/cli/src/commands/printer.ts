// Writes entries in conntrack's output for one command: the default line, XML, save or JSON, with
// the per-command rules (which -o flags apply, XML header/footer, save prefix). Every entry comes
// as a view (see @tsconntrack/conntrack's flow-view) and goes straight into a ByteWriter.

import type { MessageView } from "@tsconntrack/conntrack";
import type { ParsedCommand } from "../args/types.js";
import { writeConntrackText } from "../format/conntrack-text.js";
import { CONNTRACK_XML_FOOTER, CONNTRACK_XML_HEADER, writeConntrackXml } from "../format/conntrack-xml.js";
import { writeConntrackSave, type SaveKind } from "../format/save.js";
import { JsonListWriter, writeConntrackEventJson, writeConntrackJson } from "../format/json.js";
import { LazyXmlHeader } from "../format/xml-header.js";
import type { EventType, LabelMap, TimeVal } from "../format/types.js";
import type { ByteWriter } from "../io/byte-writer.js";

export type PrintPurpose = "list" | "get" | "delete" | "update" | "event";

export class EntryPrinter {
  private readonly cmd: ParsedCommand;
  private readonly purpose: PrintPurpose;
  private readonly labelMap: LabelMap | undefined;
  private readonly xml: LazyXmlHeader | null;
  readonly json: JsonListWriter | null;
  private readonly ktimestamp: boolean;

  constructor(cmd: ParsedCommand, purpose: PrintPurpose, labelMap: LabelMap | undefined) {
    this.cmd = cmd;
    this.purpose = purpose;
    // -D never prints labels; the others do when a map was loaded.
    this.labelMap = purpose === "delete" ? undefined : labelMap;
    this.ktimestamp = cmd.output.ktimestamp && purpose !== "delete" && purpose !== "update";
    const withHeader = purpose === "list" || purpose === "get" || purpose === "event";
    this.xml = cmd.output.xml && withHeader ? new LazyXmlHeader(CONNTRACK_XML_HEADER, CONNTRACK_XML_FOOTER) : null;
    const jsonMode = cmd.output.json ? "json" : cmd.output.ndjson ? "ndjson" : null;
    this.json = jsonMode === null ? null : new JsonListWriter(purpose === "event" ? "ndjson" : jsonMode);
  }

  /**
   * One entry with its newline; `family` is the message's (viewFamily). `event` and `time` are for
   * -E, `jsonExtra` holds already-encoded JSON members for events. Returns save's warning for stderr.
   */
  entry(w: ByteWriter, v: MessageView, family: number, nowSec: number, event?: EventType, time?: TimeVal, jsonExtra = ""): string | undefined {
    const ctx = event === undefined ? { family } : { family, event };
    const output = this.cmd.output;
    if (this.json !== null) {
      const before = this.json.before();
      if (before !== "") w.byte(before.charCodeAt(0));
      if (event !== undefined && time !== undefined) writeConntrackEventJson(w, v, ctx, time, { labelMap: this.labelMap }, jsonExtra);
      else writeConntrackJson(w, v, ctx, { labelMap: this.labelMap });
      w.text(this.json.after());
      return undefined;
    }
    if (output.save) {
      const kind: SaveKind = event ?? (this.purpose === "delete" ? "delete" : "dump");
      const warning = writeConntrackSave(w, v, ctx, kind);
      w.byte(0x0a);
      return warning;
    }
    if (output.xml) {
      // Only the first entry has a header to write (an empty text() still costs a native call).
      const header = this.xml?.beforeFlow() ?? "";
      if (header !== "") w.text(header);
      writeConntrackXml(w, v, ctx, {
        ktimestamp: this.ktimestamp,
        when: output.timestamp && event !== undefined,
        labelMap: this.labelMap,
        nowSec,
      });
      w.byte(0x0a);
      return undefined;
    }
    writeConntrackText(w, v, ctx, {
      extended: output.extended,
      id: output.id,
      ktimestamp: this.ktimestamp,
      labelMap: this.labelMap,
      nowSec,
    });
    w.byte(0x0a);
    return undefined;
  }

  /** What closes the listing: the XML footer of -L/-E, the JSON array's end. -G prints no footer. */
  end(): string {
    if (this.json !== null) return this.json.end();
    if (this.xml !== null && this.purpose !== "get") return this.xml.end();
    return "";
  }
}
