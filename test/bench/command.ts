/** Running tools in a namespace outside the timed path: argv, scratch files, stderr summaries, line counts. */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { guardDir, releaseDir } from "./guard.js";

let scratch: string | undefined;
export function scratchFile(name: string): string {
  if (scratch === undefined) {
    scratch = mkdtempSync(join(tmpdir(), "bench-"));
    guardDir(scratch);
  }
  return join(scratch, name);
}

export function removeScratch(): void {
  if (scratch === undefined) return;
  rmSync(scratch, { recursive: true, force: true });
  releaseDir(scratch);
  scratch = undefined;
}

/** argv that runs `command` in `netns` (no namespace: as is). */
export function inNetns(netns: string | undefined, command: readonly string[]): string[] {
  return netns === undefined ? [...command] : ["nsenter", `--net=/run/netns/${netns}`, ...command];
}

/** The telling line of a failure's stderr: an `...Error:` line (Node stack traces) or the first one. */
export function errorLine(text: string): string {
  const lines = text.split("\n").map((line) => line.trim()).filter(Boolean);
  return (lines.find((line) => /^[A-Za-z]*Error\b/.test(line)) ?? lines[0] ?? "").slice(0, 160);
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

