/** The result rows and their markdown table (pasteable into README.md). */

export interface Row {
  /** e.g. "`-L`". */
  name: string;
  /** Table size, e.g. "100k". */
  entries: string;
  /** Candidate (tsconntrack) cell, already formatted. */
  ours: string;
  /** Reference (conntrack) cell. */
  theirs: string;
  ratio: string;
  target: string;
  /** "PASS", "FAIL", "FAIL (why)" or "skipped: why". */
  verdict: string;
  /** Peak RSS of both sides, e.g. "48 / 3 MiB". */
  rss: string;
}

const HEADER = ["case", "entries", "tsconntrack", "conntrack", "ratio", "target", "verdict", "peak RSS (ts / ct)"];

const cells = (row: Row) => [row.name, row.entries, row.ours, row.theirs, row.ratio, row.target, row.verdict, row.rss];

/** Pipes inside cells would split columns. */
const escapeCell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function markdownTable(rows: readonly Row[]): string {
  const lines = [HEADER, HEADER.map(() => "---"), ...rows.map(cells)].map((line) => `| ${line.map(escapeCell).join(" | ")} |`);
  return lines.join("\n");
}

/** 1000 → "1k", 1000000 → "1M", 2500 → "2.5k". */
export function formatCount(n: number): string {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}k`;
  return String(n);
}

/** Seconds as "12.3 ms" below one second, "1.23 s" above. */
export function formatSeconds(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return "—";
  return seconds < 1 ? `${(seconds * 1e3).toFixed(1)} ms` : `${seconds.toFixed(2)} s`;
}

export function formatRatio(value: number, suffix = ""): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x${suffix}` : "—";
}

/** KiB (as /usr/bin/time reports) to "12.3 MiB". */
export function formatKiB(kib: number | undefined): string {
  if (kib === undefined || !Number.isFinite(kib)) return "—";
  return `${(kib / 1024).toFixed(1)} MiB`;
}

export function formatRss(ours: number | undefined, theirs: number | undefined): string {
  if (ours === undefined && theirs === undefined) return "—";
  return `${formatKiB(ours)} / ${formatKiB(theirs)}`;
}

/** A row for a case that could not run at all. */
export function skippedRow(name: string, entries: string, reason: string, target = ""): Row {
  return { name, entries, ours: "—", theirs: "—", ratio: "—", target, verdict: `skipped: ${reason}`, rss: "—" };
}
