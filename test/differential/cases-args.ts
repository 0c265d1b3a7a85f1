// The argument parser's own cases (packages/cli/test/args/cases.ts), run end to end where they add
// something: of its accepted -L lists, the ones that spell an option or a value in a form no other
// differential case does (abbreviations, stray words, C number syntax, inet_aton forms, numbers that
// wrap). Its other accepted -L/-G lists only re-check options the read and write cases already run
// (coverage.test.ts proves that no option is lost), and the parser's tests compare every parse with
// conntrack 1.4.7 itself; each run here costs a Node start.

import { readFileSync } from "node:fs";
import { CASES } from "../../packages/cli/test/args/cases.js";
import { parseArgs, parseEtcProtocols, parseLabelMap, type ParsedCommand } from "../../packages/cli/src/args/index.js";
import type { DiffCase } from "./case.js";
import { LABEL_MAP } from "./etc-view.js";

const FILTERING = new Set(["list", "get"]);
const PROTOCOLS = parseEtcProtocols(readFileSync("/etc/protocols", "latin1"));
const LABELS = parseLabelMap(LABEL_MAP);

/** The parse of an argument list as the differential runs see it (label names from LABEL_MAP). */
export function parseForCoverage(args: readonly string[]): ParsedCommand | null {
  const parsed = parseArgs(args, { protocols: PROTOCOLS, loadLabelMap: () => (LABELS === null ? { error: "bad map" } : { map: LABELS }) });
  return parsed.ok ? parsed : null;
}

function isAcceptedFilteringList(args: readonly string[]): boolean {
  const parsed = parseForCoverage(args);
  return parsed !== null && FILTERING.has(parsed.command) && !parsed.zero && args.length > 2;
}

/** The parser's accepted -L/-G lists with filters (what the kernel, the filters and the printers see). */
export const PARSER_FILTERING_LISTS: readonly (readonly string[])[] = CASES.filter(
  (testCase) => !testCase.noRun && testCase.deviation === undefined && isAcceptedFilteringList(testCase.args),
).map((testCase) => testCase.args);

/** The forms kept, each with what it exercises beyond cases-read.ts. */
export const KEPT_PARSER_LISTS: readonly (readonly string[])[] = [
  ["-L", "--pro", "tcp", "--dp", "2"], // abbreviated long and protocol options
  ["-L", "--n", "1.1.1.1"], // `--n` stays conntrack's --nat-range, not our --netns
  ["x", "-p", "udp", "y", "-L", "conn", "z", "--sport", "5"], // stray words, table-name prefix
  ["-L", "--reply-zone", "1", "--orig-zone", "2", "-w", "3"], // all three zones at once
  ["-L", "-s", "0x7f.1"], // inet_aton hex
  ["-L", "-s", "::ffff:1.2.3.4"], // IPv4-mapped IPv6
  ["-L", "-s", "10.1.2.3/8"], // CIDR with host bits set
  ["-L", "-s", "1.1.1.1", "--mask-src", "255.255.0.0"], // a mask shorter than the address
  ["-L", "-p", "0x11", "--sport", "1"], // protocol number in hex
  ["-L", "-p", "tcp", "-p", "udp", "--sport", "7"], // tcp's option code fed to udp's parser
  ["-L", "-p", "tcp", "--sport", "70000"], // a port that wraps
  ["-L", "-u", "S"], // the SRC_NAT warning, then a status filter without bits
  ["-L", "-u", "se,!a,h,O,e,f"], // status prefixes and negation
  ["-L", "-m", "-1"], // a negative mark
  ["-L", "-w", "70000"], // a zone that wraps
  ["-L", "-o", "e,i,k,t,u,x"], // every -o prefix at once
];

const KEPT = new Set(KEPT_PARSER_LISTS.map((args) => JSON.stringify(args)));

/** The kept parser lists as differential cases, without a label map (the parser cases assume none). */
export const ARGS_CASES: readonly DiffCase[] = PARSER_FILTERING_LISTS.filter((args) => KEPT.has(JSON.stringify(args))).map(
  (args): DiffCase => ({ args, noLabelMap: true }),
);
