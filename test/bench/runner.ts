/**
 * Runs one command inside a namespace and measures it: wall time by hyperfine (one run per call,
 * so we can alternate tools), peak RSS by GNU time's %M. Every tool gets the same wrapping
 * (time → nsenter → tool), so the wrappers' small constant cost is on both sides of a ratio.
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const GNU_TIME = "/usr/bin/time";

export interface Measurement {
  seconds: number;
  /** Peak resident set in KiB; undefined without GNU time. */
  rssKiB: number | undefined;
  status: number | null;
  /** First line of stderr when the command failed. */
  error?: string;
}

export const hasGnuTime = (): boolean => existsSync(GNU_TIME);

let scratch: string | undefined;
export function scratchFile(name: string): string {
  scratch ??= mkdtempSync(join(tmpdir(), "bench-"));
  return join(scratch, name);
}

export function removeScratch(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

/** argv that runs `command` in `netns` (no namespace: as is). */
export function inNetns(netns: string | undefined, command: readonly string[]): string[] {
  return netns === undefined ? [...command] : ["nsenter", `--net=/run/netns/${netns}`, ...command];
}

/** Peak RSS (KiB) from GNU time's `-f %M` output, which a "Command exited with non-zero status N" line may precede. */
export function parseTimeOutput(text: string): number | undefined {
  const last = text.trim().split("\n").at(-1)?.trim() ?? "";
  const rss = last === "" ? Number.NaN : Number(last);
  return Number.isFinite(rss) ? rss : undefined;
}

/** The telling line of a failure's stderr: an `...Error:` line (Node stack traces) or the first one. */
export function errorLine(text: string): string {
  const lines = text.split("\n").map((line) => line.trim()).filter(Boolean);
  return (lines.find((line) => /^[A-Za-z]*Error\b/.test(line)) ?? lines[0] ?? "").slice(0, 160);
}

const HYPERFINE = "/usr/bin/hyperfine";
export const hasHyperfine = (): boolean => existsSync(HYPERFINE);

/** Seconds and exit status of one run as hyperfine timed it (its own spawn overhead is excluded). */
function timeWithHyperfine(argv: readonly string[]): { seconds: number; status: number | null } {
  const json = scratchFile("hyperfine.json");
  // -N: no shell; --output=null: the command's stdout/stderr go to /dev/null; -i: record failures.
  const run = spawnSync(HYPERFINE, ["-N", "-i", "--runs", "1", "--output=null", "--style", "none", "--export-json", json, argv.join(" ")], {
    stdio: "ignore",
  });
  if (run.status !== 0) throw new Error(`hyperfine exited with ${run.status ?? run.signal} for ${argv.join(" ")}`);
  const result = JSON.parse(readFileSync(json, "utf8")).results[0] as { times: number[]; exit_codes: (number | null)[] };
  return { seconds: result.times[0]!, status: result.exit_codes[0] ?? null };
}

/** Seconds from this process (spawn to exit, including Node's fork), when hyperfine is missing. */
function timeWithSpawn(argv: readonly string[]): { seconds: number; status: number | null } {
  const devNull = openSync("/dev/null", "w");
  try {
    const start = process.hrtime.bigint();
    const run = spawnSync(argv[0]!, argv.slice(1), { stdio: ["ignore", devNull, devNull] });
    return { seconds: Number(process.hrtime.bigint() - start) / 1e9, status: run.status };
  } finally {
    closeSync(devNull);
  }
}

/** The failing command's stderr, from one more (untimed) run. */
function failureOf(argv: readonly string[], status: number | null): string {
  const run = spawnSync(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", maxBuffer: 1 << 24 });
  return errorLine(run.stderr ?? "") || `exit status ${status}`;
}

/** Runs `command` once with its output to /dev/null. */
export function measure(netns: string | undefined, command: readonly string[]): Measurement {
  const argv = inNetns(netns, command);
  const timeFile = scratchFile("time.out");
  const wrapped = hasGnuTime() ? [GNU_TIME, "-f", "%M", "-o", timeFile, ...argv] : argv;
  const { seconds, status } = hasHyperfine() ? timeWithHyperfine(wrapped) : timeWithSpawn(wrapped);
  const rssKiB = hasGnuTime() ? parseTimeOutput(readFileSync(timeFile, "utf8")) : undefined;
  const result: Measurement = { seconds, rssKiB, status };
  if (status !== 0) result.error = failureOf(argv, status);
  return result;
}

export interface LineCount {
  lines: number;
  status: number | null;
  stderr: string;
}

/** Runs `command` once and counts the lines it prints (for checking a tool's output, untimed). */
export function countLines(netns: string | undefined, command: readonly string[]): Promise<LineCount> {
  const argv = inNetns(netns, command);
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let lines = 0;
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ lines, status, stderr }));
  });
}

export interface Contender {
  /** Column label, e.g. "tsconntrack". */
  label: string;
  command: readonly string[];
}

export interface Samples {
  seconds: number[];
  rssKiB: number[];
  /** The first failure, if any run failed. */
  error?: string;
}

export interface AlternateHooks {
  /** Untimed, before every run (e.g. to rebuild the table). */
  before?: (index: number) => void;
  /** Untimed, after every run (e.g. to check what it did); a string is recorded as the run's error. */
  after?: (index: number) => string | undefined;
}

/** Runs the contenders alternately (a, b, a, b, …) `runs` times, after one untimed warm-up each. */
export function alternate(netns: string | undefined, contenders: readonly Contender[], runs: number, hooks: AlternateHooks = {}): Samples[] {
  const samples: Samples[] = contenders.map(() => ({ seconds: [], rssKiB: [] }));
  for (let round = -1; round < runs; round++) {
    contenders.forEach((contender, i) => {
      hooks.before?.(i);
      const m = measure(netns, contender.command);
      const s = samples[i]!;
      const problem = m.error ?? hooks.after?.(i);
      if (problem !== undefined) s.error ??= problem;
      if (round < 0) return;
      s.seconds.push(m.seconds);
      if (m.rssKiB !== undefined) s.rssKiB.push(m.rssKiB);
    });
  }
  return samples;
}
