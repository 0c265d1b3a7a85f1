// Text and JSON of the top view: the header (table fill, event rates, counters state) and the rows.

import { jsonString, rfc3339Json } from "../format/json.js";
import type { Grouping, SortKey, TopRow } from "./top-aggregate.js";
import type { ModelStats } from "./top-model.js";

export interface TopHeader {
  readonly entries: number | undefined;
  readonly maxEntries: number | undefined;
  /** nf_conntrack_acct: true, false, or undefined when it cannot be read. */
  readonly acct: boolean | undefined;
  readonly group: Grouping;
  readonly sort: SortKey;
  readonly interval: number;
  readonly stats: ModelStats;
  readonly shown: number;
  readonly total: number;
  readonly netns: string | undefined;
  /** The last refresh: reading the table and building the rows. */
  readonly refreshSeconds: number;
}

export const ACCT_OFF_NOTICE = "nf_conntrack_acct is off: no byte/packet counters (sysctl -w net.netfilter.nf_conntrack_acct=1; only flows created afterwards are counted)";

/** 1234 -> "1234", 12345 -> "12.3K", ... */
export function amount(value: number | undefined): string {
  if (value === undefined) return "-";
  if (value < 10_000) return Number.isInteger(value) ? String(value) : value.toFixed(1);
  const units = ["K", "M", "G", "T", "P"];
  let scaled = value;
  let unit = -1;
  while (scaled >= 1000 && unit < units.length - 1) {
    scaled /= 1000;
    unit++;
  }
  return `${scaled.toFixed(1)}${units[unit]}`;
}

export function duration(seconds: number, known: boolean): string {
  const s = Math.floor(seconds);
  const text = s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : s < 86400 ? `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, "0")}m` : `${Math.floor(s / 86400)}d${String(Math.floor(s / 3600) % 24).padStart(2, "0")}h`;
  return known ? text : `${text}+`;
}

export function headerLines(header: TopHeader, live: boolean): string[] {
  const { entries, maxEntries } = header;
  const fill = entries !== undefined && maxEntries ? ` (${((100 * entries) / maxEntries).toFixed(1)}%)` : "";
  const size = `${entries ?? "?"}/${maxEntries ?? "?"} entries${fill}`;
  const s = header.stats;
  const skipped = s.undecodable > 0 ? `  ${s.undecodable} undecodable entries left out` : "";
  const events = `new ${s.newPerSecond.toFixed(1)}/s  destroy ${s.destroyPerSecond.toFixed(1)}/s  overruns ${s.overruns}${skipped}`;
  const where = header.netns === undefined ? "" : `  netns ${header.netns}`;
  const lines = [`tsconntrack top  ${size}  ${events}${where}`];
  const keys = live ? "  g: group  s: sort  q: quit" : "";
  const took = `${Math.round(header.refreshSeconds * 1000)} ms`;
  lines.push(`group ${header.group}  sort ${header.sort}  every ${header.interval}s (refresh ${took})  ${header.shown}/${header.total} rows${keys}`);
  if (header.acct !== true) lines.push(header.acct === false ? ACCT_OFF_NOTICE : "nf_conntrack_acct cannot be read: counters may be missing");
  return lines;
}

const COLUMNS = ["FLOWS", "PKTS", "BYTES", "PKT/S", "BYTES/S", "AGE"] as const;

/** The table: the key column takes what the numbers leave of `width`. */
export function tableLines(rows: readonly TopRow[], group: Grouping, width: number): string[] {
  const cells = rows.map((row) => [
    String(row.flows),
    amount(row.packets),
    amount(row.bytes),
    amount(row.packetsPerSecond),
    amount(row.bytesPerSecond),
    duration(row.age, row.ageKnown),
  ]);
  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...cells.map((cell) => cell[i]!.length)));
  const numbers = widths.reduce((sum, w) => sum + w + 2, 0);
  const keyWidth = Math.max(12, width - numbers);
  const title = group === "flow" ? "FLOW" : group.toUpperCase();
  const line = (key: string, values: readonly string[]): string =>
    (key.length > keyWidth ? key.slice(0, keyWidth - 1) + "~" : key.padEnd(keyWidth)) + values.map((v, i) => "  " + v.padStart(widths[i]!)).join("");
  return [line(title, COLUMNS), ...rows.map((row, i) => line(row.key, cells[i]!))];
}

function num(value: number | undefined, digits?: number): string {
  if (value === undefined) return "null";
  return digits === undefined ? String(value) : String(Math.round(value * 10 ** digits) / 10 ** digits);
}

export function rowJson(row: TopRow): string {
  return `{"key":${jsonString(row.key)},"flows":${row.flows},"packets":${num(row.packets)},"bytes":${num(row.bytes)},"packets_per_second":${num(row.packetsPerSecond, 3)},"bytes_per_second":${num(row.bytesPerSecond, 3)},"age":${num(row.age, 3)},"age_known":${row.ageKnown}}`;
}

/** `time` is the refresh's instant in milliseconds since the epoch, printed as RFC 3339 like every instant of our JSON. */
export function topJson(header: TopHeader, rows: readonly TopRow[], timeMs: number): string {
  const s = header.stats;
  return (
    `{"time":${rfc3339Json(Math.floor(timeMs / 1000), Math.round((timeMs % 1000) * 1e6))},"entries":${num(header.entries)},"max_entries":${num(header.maxEntries)},"acct":${header.acct ?? null},` +
    `"group":"${header.group}","sort":"${header.sort}","interval":${header.interval},` +
    `"events":{"new_per_second":${num(s.newPerSecond, 3)},"destroy_per_second":${num(s.destroyPerSecond, 3)},"overruns":${s.overruns},"resyncs":${s.resyncs}},"undecodable":${s.undecodable},` +
    `"refresh_seconds":${num(header.refreshSeconds, 6)},"total_rows":${header.total},"rows":[${rows.map(rowJson).join(",")}]}\n`
  );
}
