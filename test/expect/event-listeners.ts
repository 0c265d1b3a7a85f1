// `-E expect` of conntrack and tsconntrack side by side in one namespace: both listen, then the test
// makes events and compares what each printed after the point where both were surely listening.

import { type ChildProcess, spawn } from "node:child_process";
import { BIN } from "../cli/run-cli.js";
import { asConntrack } from "./run-both.js";

export interface Listener {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
}

export function listen(ns: string, tool: "conntrack" | "tsconntrack", args: readonly string[]): Listener {
  const command = tool === "conntrack" ? ["conntrack"] : [BIN];
  const child = spawn("ip", ["netns", "exec", ns, ...command, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const listener: Listener = { child, stdout: "", stderr: "" };
  child.stdout.on("data", (chunk: Buffer) => (listener.stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (listener.stderr += chunk.toString()));
  return listener;
}

/** Repeats `poke` until every listener printed a line containing `marker` (or the deadline passes). */
export async function untilAllSaw(listeners: readonly Listener[], marker: string, poke: () => void, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!listeners.every((l) => l.stdout.includes(marker))) {
    if (Date.now() > deadline) throw new Error(`not every listener printed ${JSON.stringify(marker)} in time`);
    poke();
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** SIGINT, then the exit; stderr under conntrack's name. */
export async function stop(listener: Listener): Promise<{ stdout: string; stderr: string; status: number | null }> {
  const exited = new Promise<number | null>((resolve) => listener.child.once("exit", (code) => resolve(code)));
  listener.child.kill("SIGINT");
  const status = await exited;
  return { stdout: listener.stdout, stderr: asConntrack(listener.stderr), status };
}
