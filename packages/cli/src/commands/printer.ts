// Turns decoded entries into conntrack's output for one command: the default line, XML, save or JSON,
// with the per-command rules (which -o flags apply, XML header/footer, save prefix).

import type { ParsedCommand } from "../args/types.js";
import { formatConntrackText } from "../format/conntrack-text.js";
import { CONNTRACK_XML_FOOTER, CONNTRACK_XML_HEADER, formatConntrackXml } from "../format/conntrack-xml.js";
import { formatConntrackSave, type SaveKind } from "../format/save.js";
import { formatConntrackEventJson, formatConntrackJson, JsonListWriter } from "../format/json.js";
import { LazyXmlHeader } from "../format/xml-header.js";
import type { ConntrackValue, EventType, LabelMap, TimeVal } from "../format/types.js";
import { RawConntrackText, rawTextSupported } from "./raw-text.js";

export type PrintPurpose = "list" | "get" | "delete" | "update" | "event";

export interface PrintedEntry {
  /** Text for stdout (with newline), possibly empty. */
  readonly stdout: string;
  /** Text for stderr (save's unsupported-family warning). */
  readonly stderr: string;
}

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

  /** One entry. `event` and `time` are for -E. */
  entry(ct: ConntrackValue, family: number, nowSec: number, event?: EventType, time?: TimeVal): PrintedEntry {
    const ctx = event === undefined ? { family } : { family, event };
    const output = this.cmd.output;
    if (this.json !== null) {
      const object =
        event !== undefined && time !== undefined
          ? formatConntrackEventJson(ct, ctx, time, { labelMap: this.labelMap })
          : formatConntrackJson(ct, ctx, { labelMap: this.labelMap });
      return { stdout: this.json.item(object), stderr: "" };
    }
    if (output.save) {
      const kind: SaveKind = event ?? (this.purpose === "delete" ? "delete" : "dump");
      const saved = formatConntrackSave(ct, ctx, kind);
      return { stdout: saved.line + "\n", stderr: saved.warning === undefined ? "" : saved.warning + "\n" };
    }
    if (output.xml) {
      const header = this.xml?.beforeFlow() ?? "";
      const line = formatConntrackXml(ct, ctx, {
        ktimestamp: this.ktimestamp,
        when: output.timestamp && event !== undefined,
        labelMap: this.labelMap,
        nowSec,
      });
      return { stdout: header + line + "\n", stderr: "" };
    }
    const line = formatConntrackText(ct, ctx, {
      extended: output.extended,
      id: output.id,
      ktimestamp: this.ktimestamp,
      labelMap: this.labelMap,
      nowSec,
    });
    return { stdout: line + "\n", stderr: "" };
  }

  /**
   * A formatter that writes this printer's lines straight from message bytes, when they are in the
   * default format (not JSON, XML, save or -o ktimestamp); entries it declines go through `entry`.
   */
  rawText(nowSec: number): RawConntrackText | undefined {
    const output = this.cmd.output;
    if (this.json !== null || output.save || output.xml || this.ktimestamp || !rawTextSupported()) return undefined;
    return new RawConntrackText({ extended: output.extended, id: output.id, nowSec });
  }

  /** What closes the listing: the XML footer of -L/-E, the JSON array's end. -G prints no footer. */
  end(): string {
    if (this.json !== null) return this.json.end();
    if (this.xml !== null && this.purpose !== "get") return this.xml.end();
    return "";
  }
}
