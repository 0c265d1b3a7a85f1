/**
 * Runs one command inside a namespace and measures it: wall time by hyperfine (one run per call,
 * so we can alternate tools), peak RSS by GNU time's %M. Every tool gets the same wrapping
 * (time → nsenter → tool), so the wrappers' small constant cost is on both sides of a ratio.
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { errorLine, inNetns, scratchFile } from "./command.js";

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

/** Peak RSS (KiB) from GNU time's `-f %M` output, which a "Command exited with non-zero status N" line may precede. */
export function parseTimeOutput(text: string): number | undefined {
  const last = text.trim().split("\n").at(-1)?.trim() ?? "";
  const rss = last === "" ? Number.NaN : Number(last);
  return Number.isFinite(rss) ? rss : undefined;
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
  /** One untimed run of each first; default true (off when the caller already ran them, e.g. to check output). */
  warmUp?: boolean;
}

/** Runs the contenders alternately (a, b, a, b, …) `runs` times, after one untimed warm-up each unless told not to. */
export function alternate(netns: string | undefined, contenders: readonly Contender[], runs: number, hooks: AlternateHooks = {}): Samples[] {
  const samples: Samples[] = contenders.map(() => ({ seconds: [], rssKiB: [] }));
  for (let round = hooks.warmUp === false ? 0 : -1; round < runs; round++) {
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
