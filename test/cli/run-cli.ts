// Runs bin/tsconntrack the way a user does (the launcher, compiled JS, real stdio), optionally as an unprivileged user.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = `${REPO}bin/tsconntrack`;

export interface CliRun {
  stdout: string;
  stderr: string;
  status: number | null;
}

export interface CliRunOptions {
  /** Run as nobody (uid/gid 65534) through setpriv when we are root: replays must not need privileges. */
  unprivileged?: boolean;
  env?: Record<string, string | undefined>;
  input?: string;
}

const isRoot = process.getuid?.() === 0;

export function runCli(args: readonly string[], options: CliRunOptions = {}): CliRun {
  const drop = options.unprivileged === true && isRoot;
  const command = drop ? "setpriv" : BIN;
  const argv = drop ? ["--reuid=65534", "--regid=65534", "--clear-groups", BIN, ...args] : args;
  const result = spawnSync(command, argv, {
    encoding: "utf8",
    env: { ...process.env, ...options.env },
    input: options.input,
    timeout: 60_000,
    maxBuffer: 512 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}
