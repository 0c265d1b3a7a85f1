// The argument parser's own cases (packages/cli/test/args/cases.ts), now run end to end: those the
// parser accepts as read-only commands, so they reach the kernel and the printers. The rejected ones
// are already compared with the live binary by the parser's tests (and cost a Node start each here).
// Deliberate deviations and -E are left to their own tests; -L -z zeroes counters, so it runs on twins.

import { readFileSync } from "node:fs";
import { CASES } from "../../packages/cli/test/args/cases.js";
import { parseArgs, parseEtcProtocols } from "../../packages/cli/src/args/index.js";
import type { DiffCase } from "./case.js";

const READ_ONLY = new Set(["list", "get", "count", "stats", "help", "usage", "version"]);
const PROTOCOLS = parseEtcProtocols(readFileSync("/etc/protocols", "latin1"));

function isAcceptedReadOnly(args: readonly string[]): boolean {
  const parsed = parseArgs(args, { protocols: PROTOCOLS });
  return parsed.ok && READ_ONLY.has(parsed.command) && !parsed.zero;
}

/** The parser cases as differential cases, without a label map (the parser cases assume none). */
export const ARGS_CASES: readonly DiffCase[] = CASES.filter(
  (testCase) => !testCase.noRun && testCase.deviation === undefined && isAcceptedReadOnly(testCase.args),
).map((testCase): DiffCase => ({ args: testCase.args, noLabelMap: true }));
