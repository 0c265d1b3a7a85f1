// Runs conntrack or tsconntrack inside a test network namespace and an /etc view (etc-view.ts).

import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EtcView } from "./etc-view.js";

export type Tool = "conntrack" | "tsconntrack";

export interface ToolRun {
  readonly stdout: string;
  readonly stderr: string;
  /** The exit status, or 128 + signal number as a shell reports it. */
  readonly status: number;
}

/** Where each tool's argv starts. conntrack runs by name, so its argv[0] ("Usage: conntrack") is stable. */
export const TSCONNTRACK_BIN = fileURLToPath(new URL("../../bin/tsconntrack", import.meta.url));
const COMPILED_MAIN = fileURLToPath(new URL("../../packages/cli/dist/main.js", import.meta.url));

/** Local time zone for both tools, so `[start=...]` (ctime in local time) is comparable and not UTC by accident. */
export const PINNED_TZ = "Asia/Kolkata";

export interface RunOptions {
  /** TZ for this run (default PINNED_TZ). */
  tz?: string;
  timeoutMs?: number;
  /**
   * Give the tool a regular file as stdout instead of a pipe. Pipes are the default, as in scripts
   * (`conntrack -L | grep ...`); a few cases use a file to cover that path too.
   */
  stdoutFile?: boolean;
  /**
   * stdout and stderr into one pipe (`2>&1 | cat`): `stdout` then holds both in the order they
   * arrived, which shows where the stderr summary falls in buffered output.
   */
  merged?: boolean;
}

let outputDir: string | undefined;
let outputCount = 0;

/** A fresh file for one run's stdout, in a directory removeOutputFiles deletes. */
function outputFile(): string {
  outputDir ??= mkdtempSync(join(tmpdir(), "diff-out-"));
  return join(outputDir, `${outputCount++}.out`);
}

/** Deletes the stdout directory (call from afterAll: test workers may end without an exit event). */
export function removeOutputFiles(): void {
  if (outputDir !== undefined) rmSync(outputDir, { recursive: true, force: true });
  outputDir = undefined;
}

/** Null when bin/tsconntrack can run, else why not. */
export function tsconntrackMissingReason(): string | null {
  return existsSync(COMPILED_MAIN) ? null : `${COMPILED_MAIN} is missing: run \`pnpm build\` first`;
}

const SIGNALS: Readonly<Record<string, number>> = { SIGSEGV: 11, SIGABRT: 6, SIGKILL: 9, SIGTERM: 15, SIGBUS: 7 };

export function runTool(
  view: EtcView,
  ns: string,
  tool: Tool,
  args: readonly string[],
  options: RunOptions = {},
): Promise<ToolRun> {
  const command = tool === "conntrack" ? "conntrack" : TSCONNTRACK_BIN;
  return runIn(view, ns, command, args, options);
}

/** Any command in the namespace and view (nsenter opens both namespace files before it enters them). */
export function runIn(
  view: EtcView,
  ns: string,
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<ToolRun> {
  const file = options.stdoutFile ? outputFile() : undefined;
  const fd = file === undefined ? undefined : openSync(file, "w");
  const argv = options.merged ? ["sh", "-c", '"$0" "$@" 2>&1 | cat', command, ...args] : [command, ...args];
  const child = spawn("nsenter", [`--mount=${view.mountNamespace}`, `--net=/run/netns/${ns}`, "--", ...argv], {
    stdio: ["ignore", fd ?? "pipe", "pipe"],
    env: { PATH: process.env["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C", TZ: options.tz ?? PINNED_TZ },
  });
  if (fd !== undefined) closeSync(fd);
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
  return new Promise((resolve, reject) => {
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (file !== undefined) {
        stdout = readFileSync(file, "utf8");
        rmSync(file, { force: true });
      }
      const status = code ?? 128 + (signal ? (SIGNALS[signal] ?? 0) : 0);
      resolve({ stdout, stderr, status });
    });
  });
}

/** Like runIn, but throws with stderr unless the command exits 0. */
export async function runInOk(
  view: EtcView,
  ns: string,
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<ToolRun> {
  const run = await runIn(view, ns, command, args, options);
  if (run.status !== 0) throw new Error(`in ${ns}: ${command} ${args.join(" ")} exited ${run.status}: ${run.stderr.trim()}`);
  return run;
}

/** Runs jobs with at most `limit` in flight, keeping results in job order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, job: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await job(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
