// What may differ between a conntrack run and a tsconntrack run, and nothing more: the program's
// name and version, and the two numbers that tick while the tools run back to back (a timeout and a
// delta-time, each allowed to be one second apart, or as many seconds as the two runs really took). Twin namespaces also differ in entry ids and in
// hash order, so twin comparisons can additionally ignore ids and sort lines.

import type { ToolRun } from "./run.js";

export interface Identity {
  readonly name: string;
  readonly version: string;
  readonly packageName: string;
}

/** Parses a `-V` line such as `conntrack v1.4.7 (conntrack-tools)`. */
export function parseIdentity(versionLine: string): Identity {
  const match = /^(\S+) v(\S+) \(([^)]*)\)\n$/.exec(versionLine);
  if (!match) throw new Error(`unexpected -V output: ${JSON.stringify(versionLine)}`);
  // tsconntrack's -V adds what it is compatible with; its messages name the package alone.
  return { name: match[1]!, version: match[2]!, packageName: match[3]!.replace(/ \S+ compatible$/, "") };
}

/** Rewrites tsconntrack's self-references (-V, message prefix, usage header, "Try ... -h", its man page) into conntrack's. */
export function asConntrack(text: string, ours: Identity, theirs: Identity): string {
  const replace = (from: string, to: string, input: string): string => input.split(from).join(to);
  // -V says what we reproduce; messages carry conntrack's shape with our name (io/identity.ts).
  let out = replace(`${ours.name} v${ours.version} (conntrack-tools 1.4.7 compatible)\n`, `${theirs.name} v${theirs.version} (${theirs.packageName})\n`, text);
  out = replace("tsconntrack(8) manpage", "conntrack(8) manpage", out);
  out = replace(
    `${ours.name} v${ours.version} (${ours.packageName})`,
    `${theirs.name} v${theirs.version} (${theirs.packageName})`,
    out,
  );
  out = replace(
    `Try \`${ours.name} -h' or '${ours.name} --help'`,
    `Try \`${theirs.name} -h' or '${theirs.name} --help'`,
    out,
  );
  out = replace(
    `connection tracking system. Version ${ours.version}\nUsage: ${ours.name} `,
    `connection tracking system. Version ${theirs.version}\nUsage: ${theirs.name} `,
    out,
  );
  return out;
}

const TIMER = "\u27e8T\u27e9";

/** Where a ticking number sits in each output format (default line, expect line, save, XML). */
const TIMER_PATTERNS: readonly RegExp[] = [
  /^((?:ipv4|ipv6|unknown) +\d+ )?([a-z0-9]+ +\d+ )(\d+)(?= )/,
  /^()()(\d+)(?= proto=)/,
  /^()(-[AUD] -t )(\d+)/,
];
const TIMER_FIELDS = /(delta-time=|<timeout>|<deltatime>)(\d+)/g;

/** A line with its timeout/delta-time numbers replaced by a marker, and those numbers in order. */
export interface MaskedLine {
  readonly template: string;
  readonly timers: readonly number[];
}

export function maskTimers(line: string): MaskedLine {
  const timers: number[] = [];
  let template = line;
  for (const pattern of TIMER_PATTERNS) {
    const match = pattern.exec(template);
    if (match) {
      timers.push(Number(match[3]));
      template = `${match[1] ?? ""}${match[2]}${TIMER}${template.slice(match[0].length)}`;
      break;
    }
  }
  template = template.replace(TIMER_FIELDS, (_all, field: string, value: string) => {
    timers.push(Number(value));
    return `${field}${TIMER}`;
  });
  return { template, timers };
}

/** Entry ids differ between twin namespaces. */
export function maskIds(line: string): string {
  return line.replace(/\bid=\d+/g, "id=\u27e8ID\u27e9").replace(/<id>\d+<\/id>/g, "<id>\u27e8ID\u27e9</id>");
}

export interface CompareOptions {
  /** Twin tables list in different hash orders. */
  readonly sortLines?: boolean;
  /** Twin tables give the same entry different ids. */
  readonly ignoreIds?: boolean;
  /**
   * How far apart two timers may be (default 1: the same table, listed back to back). Twin tables are
   * filled at slightly different moments, so their timers may drift further on a loaded machine.
   */
  readonly timerTolerance?: number;
}

/** Human-readable differences between the oracle's run and ours (empty when they match). */
export function differences(expected: ToolRun, actual: ToolRun, options: CompareOptions = {}): string[] {
  const problems: string[] = [];
  if (expected.status !== actual.status) problems.push(`exit status: conntrack ${expected.status}, tsconntrack ${actual.status}`);
  if (expected.stderr !== actual.stderr) {
    problems.push(`stderr:\n  conntrack:   ${JSON.stringify(expected.stderr)}\n  tsconntrack: ${JSON.stringify(actual.stderr)}`);
  }
  problems.push(...outputDifferences(expected.stdout, actual.stdout, options));
  return problems;
}

/** Compares two stdout texts line by line, templates exactly and timers within one second. */
export function outputDifferences(expected: string, actual: string, options: CompareOptions = {}): string[] {
  const prepare = (text: string): { raw: string; masked: MaskedLine }[] => {
    const lines = text.split("\n").map((raw) => ({ raw, masked: maskTimers(options.ignoreIds ? maskIds(raw) : raw) }));
    if (options.sortLines) lines.sort((a, b) => compareStrings(a.masked.template, b.masked.template));
    return lines;
  };
  const want = prepare(expected);
  const got = prepare(actual);
  const problems: string[] = [];
  if (want.length !== got.length) {
    problems.push(`stdout has ${got.length - 1} lines, conntrack printed ${want.length - 1}`);
  }
  for (let i = 0; i < Math.max(want.length, got.length) && problems.length < 4; i++) {
    const w = want[i];
    const g = got[i];
    if (w && g && sameLine(w.masked, g.masked, options.timerTolerance ?? 1)) continue;
    problems.push(`stdout line ${i + 1}:\n  conntrack:   ${JSON.stringify(w?.raw)}\n  tsconntrack: ${JSON.stringify(g?.raw)}`);
  }
  return problems;
}

function sameLine(a: MaskedLine, b: MaskedLine, tolerance: number): boolean {
  if (a.template !== b.template || a.timers.length !== b.timers.length) return false;
  return a.timers.every((value, i) => Math.abs(value - b.timers[i]!) <= tolerance);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
