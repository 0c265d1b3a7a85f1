/**
 * One event-listener run: start `<tool> -E` in the table's namespace with stdout to a file, wait
 * until it provably receives events, then create N entries in batches and flush them (2N events)
 * and count the lines it printed. Writing to a file keeps our synchronous filler from ever
 * blocking the listener's output.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { errorLine, inNetns, scratchFile } from "./command.js";
import { guardPid, releasePid } from "./guard.js";
import type { BenchTable } from "./table.js";

export interface EventRun {
  /** Lines printed for the 2N events. */
  lines: number;
  expected: number;
  /** Seconds from the first create to the last line seen. */
  seconds: number;
  /** Seconds our filler took to create and flush (the offered rate's bound). */
  generateSeconds: number;
  /** Still printing when DRAIN_LIMIT_SECONDS ran out: the missing lines count as lost. */
  cutOff: boolean;
  stderr: string;
}

export class ListenerSkip extends Error {
  override readonly name = "ListenerSkip";
}

export const isListenerSkip = (error: unknown): error is ListenerSkip => error instanceof ListenerSkip;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.now() / 1e3;

/** Counts newlines appended to a file since the last call. */
class LineCounter {
  lines = 0;
  private offset = 0;
  private readonly fd: number;
  private readonly buffer = Buffer.alloc(1 << 20);

  constructor(path: string) {
    this.fd = openSync(path, "r");
  }

  /** True when new lines arrived. */
  poll(): boolean {
    const before = this.lines;
    while (this.offset < fstatSync(this.fd).size) {
      const got = readSync(this.fd, this.buffer, 0, this.buffer.length, this.offset);
      if (got <= 0) break;
      this.offset += got;
      for (let at = this.buffer.indexOf(10); at !== -1 && at < got; at = this.buffer.indexOf(10, at + 1)) this.lines++;
    }
    return this.lines > before;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Longest wait for a listener to print the events after they were all generated. */
export const DRAIN_LIMIT_SECONDS = 30;

/**
 * Polls until `until` lines, no new line for `quietMs`, or `limitSeconds`; returns when the last
 * line came.
 */
async function settle(counter: LineCounter, quietMs: number, until = Infinity, limitSeconds = Infinity): Promise<number> {
  const start = now();
  let last = start;
  while (counter.lines < until && now() - last < quietMs / 1e3 && now() - start < limitSeconds) {
    await sleep(10);
    if (counter.poll()) last = now();
  }
  return last;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stop(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  const done = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await done;
  clearTimeout(timer);
}

export async function measureEvents(table: BenchTable, command: readonly string[], entries: number, label: string): Promise<EventRun> {
  const path = scratchFile(`events-${label}.out`);
  const out = openSync(path, "w");
  const argv = inNetns(table.netns, [...command, "-E"]);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", out, "pipe"] });
  closeSync(out);
  if (child.pid !== undefined) guardPid(child.pid);
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    if (stderr.length < 4096) stderr += chunk.toString();
  });
  child.on("error", (error) => (stderr += `${error.message}\n`));
  const counter = new LineCounter(path);
  try {
    table.flush();
    // Ready once a probe entry's event shows up; the probes are flushed before counting starts.
    const deadline = now() + 15;
    while (counter.lines === 0) {
      if (exited(child)) throw new ListenerSkip(`${command.join(" ")} -E exited: ${errorLine(stderr) || `status ${child.exitCode}`}`);
      if (now() > deadline) throw new ListenerSkip(`${command.join(" ")} -E printed no event within 15 s`);
      table.growTo(table.size + 1);
      await sleep(50);
      counter.poll();
    }
    table.flush();
    await settle(counter, 300);
    const baseline = counter.lines;
    const start = now();
    table.growTo(entries);
    table.flush();
    const generateSeconds = now() - start;
    const last = await settle(counter, 1500, baseline + 2 * entries, DRAIN_LIMIT_SECONDS);
    const lines = counter.lines - baseline;
    const cutOff = lines < 2 * entries && now() - last < 1.5;
    return { lines, expected: 2 * entries, seconds: last - start, generateSeconds, cutOff, stderr };
  } finally {
    await stop(child);
    if (child.pid !== undefined) releasePid(child.pid);
    counter.close();
  }
}
