// The argument parser's own cases (packages/cli/test/args/cases.ts), now run end to end: the -L/-G
// lists with filters the parser accepts, so they reach the kernel, the filters and the printers. The
// rejected ones are already compared with the live binary by the parser's tests, and help, version,
// -C, -S and bare table words are in cases-read.ts; each run costs a Node start, so they are left out.
// Deliberate deviations and -E are left to their own tests; -L -z zeroes counters, so it runs on twins.

import { readFileSync } from "node:fs";
import { CASES } from "../../packages/cli/test/args/cases.js";
import { parseArgs, parseEtcProtocols } from "../../packages/cli/src/args/index.js";
import type { DiffCase } from "./case.js";

const FILTERING = new Set(["list", "get"]);
const PROTOCOLS = parseEtcProtocols(readFileSync("/etc/protocols", "latin1"));

function isAcceptedFilteringList(args: readonly string[]): boolean {
  const parsed = parseArgs(args, { protocols: PROTOCOLS });
  return parsed.ok && FILTERING.has(parsed.command) && !parsed.zero && args.length > 2;
}

/** The parser cases as differential cases, without a label map (the parser cases assume none). */
export const ARGS_CASES: readonly DiffCase[] = CASES.filter(
  (testCase) => !testCase.noRun && testCase.deviation === undefined && isAcceptedFilteringList(testCase.args),
).map((testCase): DiffCase => ({ args: testCase.args, noLabelMap: true }));
