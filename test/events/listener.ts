// Runs an event listener (conntrack -E or tsconntrack -E) inside a namespace with stdout going to a
// file, so that the test's own synchronous work never blocks the listener's writes.

import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, REPO } from "../cli/run-cli.js";

export const BUILT = existsSync(join(REPO, "packages/cli/dist/main.js"));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Listener {
  readonly path: string;
  readonly child: ChildProcess;
  stderr = "";
  private exit: Promise<void>;

  constructor(ns: string, tool: "conntrack" | "tsconntrack", args: readonly string[], dir: string, label: string) {
    this.path = join(dir, `${label}.out`);
    const out = openSync(this.path, "w");
    const argv = tool === "conntrack" ? ["conntrack", ...args] : [BIN, ...args];
    this.child = spawn("ip", ["netns", "exec", ns, ...argv], { stdio: ["ignore", out, "pipe"] });
    closeSync(out);
    this.child.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exit = new Promise((resolve) => this.child.once("exit", () => resolve()));
  }

  get stdout(): string {
    return readFileSync(this.path, "utf8");
  }

  lines(): string[] {
    const text = this.stdout;
    return text === "" ? [] : text.slice(0, text.lastIndexOf("\n") + 1).split("\n").slice(0, -1);
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Waits until `predicate(lines)` holds; false after `timeoutMs`. */
  async waitFor(predicate: (lines: string[]) => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (predicate(this.lines())) return true;
      if (this.exited) return predicate(this.lines());
      await sleep(20);
    }
    return false;
  }

  /** Waits until no line was added for `quietMs` (or `limitMs` passed); returns the line count. */
  async settle(quietMs: number, limitMs: number, until = Infinity): Promise<number> {
    const start = Date.now();
    let count = this.lines().length;
    let changed = Date.now();
    while (Date.now() - changed < quietMs && Date.now() - start < limitMs && count < until) {
      await sleep(25);
      const now = this.lines().length;
      if (now !== count) {
        count = now;
        changed = Date.now();
      }
    }
    return count;
  }

  /** SIGINT (SIGKILL after 5 s); resolves with the exit status. */
  async stop(signal: NodeJS.Signals = "SIGINT"): Promise<number | null> {
    if (!this.exited) {
      // `ip netns exec` execs the tool, so the child's pid is the tool's.
      this.child.kill(signal);
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
      await this.exit;
      clearTimeout(timer);
    }
    return this.child.exitCode;
  }
}

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), "ev-test-"));
}
