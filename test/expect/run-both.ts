// Runs conntrack 1.4.7 and tsconntrack inside a namespace and compares what they print. Expectation
// timeouts count down, so they may differ by a second or two between two runs.

import { expect } from "vitest";
import { exec, type ExecResult } from "../support/netns.js";
import { BIN } from "../cli/run-cli.js";

export interface Run {
  stdout: string;
  stderr: string;
  status: number | null;
}

export interface RunOptions {
  /** As uid/gid 65534 (no CAP_NET_ADMIN). */
  nobody?: boolean;
}

const NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];

function finish(result: ExecResult): Run {
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

export function runReal(ns: string, args: readonly string[], options: RunOptions = {}): Run {
  const command = options.nobody ? [...NOBODY, "conntrack"] : ["conntrack"];
  return finish(exec(ns, command[0]!, [...command.slice(1), ...args]));
}

/** tsconntrack, with its name in messages replaced by conntrack's so the texts compare directly. */
export function runOurs(ns: string, args: readonly string[], options: RunOptions = {}): Run {
  const command = options.nobody ? [...NOBODY, BIN] : [BIN];
  const result = finish(exec(ns, command[0]!, [...command.slice(1), ...args]));
  return { ...result, stderr: asConntrack(result.stderr) };
}

export function asConntrack(text: string): string {
  return text
    .replace(/^tsconntrack v\S+ \(conntrack-tools\): /gm, "conntrack v1.4.7 (conntrack-tools): ")
    .replace(/`tsconntrack -h' or 'tsconntrack --help'/g, "`conntrack -h' or 'conntrack --help'");
}

/** The text with every expectation timeout replaced by T, and the timeouts. */
export function withoutTimeouts(text: string): { text: string; timeouts: number[] } {
  const timeouts: number[] = [];
  const keep = (value: string): string => {
    timeouts.push(Number(value));
    return "T";
  };
  const stripped = text
    .replace(/^(\[[^\]]*\]\t)?(\d+)(?= proto=)/gm, (_all, prefix: string | undefined, value: string) => (prefix ?? "") + keep(value))
    .replace(/<timeout>(\d+)<\/timeout>/g, (_all, value: string) => `<timeout>${keep(value)}</timeout>`);
  return { text: stripped, timeouts };
}

/** Same text except timeouts, which may be at most `slack` seconds apart. */
export function expectSameUpToTimeouts(ours: string, theirs: string, slack = 2): void {
  const a = withoutTimeouts(ours);
  const b = withoutTimeouts(theirs);
  expect(a.text).toBe(b.text);
  expect(a.timeouts.length).toBe(b.timeouts.length);
  a.timeouts.forEach((value, i) => expect(Math.abs(value - b.timeouts[i]!)).toBeLessThanOrEqual(slack));
}

/** stdout (timeouts ± slack), stderr and exit status all alike. */
export function expectSameRun(ours: Run, theirs: Run): void {
  expectSameUpToTimeouts(ours.stdout, theirs.stdout);
  expect(ours.stderr).toBe(theirs.stderr);
  expect(ours.status).toBe(theirs.status);
}
