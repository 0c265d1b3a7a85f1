// Runs bin/tsnfct the way a user does, and maps its texts to nfct 1.4.7's for comparison.

import { spawnSync } from "node:child_process";
import { REPO } from "../cli/run-cli.js";

export const NFCT_BIN = `${REPO}bin/tsnfct`;

export interface NfctRunResult {
  stdout: string;
  stderr: string;
  status: number | null;
}

const isRoot = process.getuid?.() === 0;

/** bin/tsnfct ARGS, optionally as nobody (replays must not need privileges). */
export function runNfct(args: readonly string[], options: { unprivileged?: boolean; env?: Record<string, string | undefined> } = {}): NfctRunResult {
  const drop = options.unprivileged === true && isRoot;
  const argv = drop ? ["--reuid=65534", "--regid=65534", "--clear-groups", NFCT_BIN, ...args] : args;
  const result = spawnSync(drop ? "setpriv" : NFCT_BIN, argv, {
    encoding: "utf8",
    env: { ...process.env, LC_ALL: "C", ...options.env },
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

/**
 * tsnfct's self-references as nfct 1.4.7's: the message prefix and version text, and the program
 * name where nfct prints argv[0] or its own name (usage lines, syntax hints). Nothing else may differ.
 */
export function asNfct(text: string): string {
  return text
    .replace(/^tsnfct v\d+\.\d+\.\d+: /gm, "nfct v1.4.7: ")
    .replace(/^Usage: tsnfct /gm, "Usage: nfct ")
    .replace(/^syntax: tsnfct /gm, "syntax: nfct ")
    .replace(/^tsnfct (<list|helper )/gm, "nfct $1");
}
