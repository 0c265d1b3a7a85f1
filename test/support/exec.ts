import { spawnSync } from "node:child_process";

/** What a finished command left behind. `status` is null when a signal ended it. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  status: number | null;
  signal: NodeJS.Signals | null;
}

export interface ExecOptions {
  /** Bytes or text written to the command's stdin. */
  input?: string | Uint8Array;
  /** Extra environment variables (merged over process.env). */
  env?: Record<string, string | undefined>;
  /** Kill the command after this many milliseconds (default 30 s). */
  timeoutMs?: number;
}

/** A command that could not be started at all (missing binary, ...), as opposed to one that failed. */
export class SpawnFailedError extends Error {
  override readonly name = "SpawnFailedError";
  readonly command: string;
  readonly args: readonly string[];
  constructor(command: string, args: readonly string[], cause: unknown) {
    super(`could not run ${command} ${args.join(" ")}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.command = command;
    this.args = args;
  }
}

export function isSpawnFailedError(value: unknown): value is SpawnFailedError {
  return value instanceof Error && value.name === "SpawnFailedError";
}

/** Runs a command in the current (root) namespace. Only for tools that do not touch conntrack. */
export function execHost(command: string, args: readonly string[], options: ExecOptions = {}): ExecResult {
  const result = spawnSync(command, args, {
    input: options.input,
    env: options.env ? { ...process.env, ...options.env } : process.env,
    timeout: options.timeoutMs ?? 30_000,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code !== "ETIMEDOUT") {
    throw new SpawnFailedError(command, args, result.error);
  }
  return {
    stdout: result.stdout ?? "",
    stderr: result.stderr ?? "",
    status: result.status,
    signal: result.signal,
  };
}

/**
 * Runs `command args` inside network namespace `ns` (through `ip netns exec`) and waits for it.
 * The namespace is required on purpose: there is no way to reach the root conntrack table here.
 */
export function exec(ns: string, command: string, args: readonly string[], options: ExecOptions = {}): ExecResult {
  if (!ns) throw new Error("exec needs a network namespace name");
  return execHost("ip", ["netns", "exec", ns, command, ...args], options);
}

/** Like exec, but throws with the command's stderr when it exits non-zero. */
export function execOk(ns: string, command: string, args: readonly string[], options: ExecOptions = {}): ExecResult {
  const result = exec(ns, command, args, options);
  if (result.status !== 0) {
    throw new Error(
      `in netns ${ns}: ${command} ${args.join(" ")} exited ${result.status ?? result.signal}: ${result.stderr.trim()}`,
    );
  }
  return result;
}

/** Whether an executable is on PATH (checked once per name). */
const whichCache = new Map<string, boolean>();
export function hasCommand(name: string): boolean {
  let known = whichCache.get(name);
  if (known === undefined) {
    known = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).status === 0;
    whichCache.set(name, known);
  }
  return known;
}
