// conntrack 1.4.7's getopt tables (short option string and long options, in its order, which decides
// prefix matches and the names printed in messages), its command/option matrix, and our extensions.

import { NO_ARGUMENT, OPTIONAL_ARGUMENT, REQUIRED_ARGUMENT, type LongOption } from "./getopt.js";
import { CMD_BIT } from "./protocols.js";
import { OPTION_FLAGS } from "./types.js";

export const OPTSTRING = ":L::I::U::D::G::E::F::A::hVs:d:r:q:p:t:u:e:a:z[:]:{:}:m:i:f:o:n::g::c:b:C::Sj::w:l:<:>::(:):";

const c = (ch: string): number => ch.charCodeAt(0);

export const LONG_OPTIONS: readonly LongOption[] = [
  { name: "dump", hasArg: OPTIONAL_ARGUMENT, val: c("L") },
  { name: "create", hasArg: OPTIONAL_ARGUMENT, val: c("I") },
  { name: "add", hasArg: OPTIONAL_ARGUMENT, val: c("A") },
  { name: "delete", hasArg: OPTIONAL_ARGUMENT, val: c("D") },
  { name: "update", hasArg: OPTIONAL_ARGUMENT, val: c("U") },
  { name: "get", hasArg: OPTIONAL_ARGUMENT, val: c("G") },
  { name: "flush", hasArg: OPTIONAL_ARGUMENT, val: c("F") },
  { name: "event", hasArg: OPTIONAL_ARGUMENT, val: c("E") },
  { name: "counter", hasArg: OPTIONAL_ARGUMENT, val: c("C") },
  { name: "stats", hasArg: NO_ARGUMENT, val: c("S") },
  { name: "version", hasArg: NO_ARGUMENT, val: c("V") },
  { name: "help", hasArg: NO_ARGUMENT, val: c("h") },
  { name: "orig-src", hasArg: REQUIRED_ARGUMENT, val: c("s") },
  { name: "src", hasArg: REQUIRED_ARGUMENT, val: c("s") },
  { name: "orig-dst", hasArg: REQUIRED_ARGUMENT, val: c("d") },
  { name: "dst", hasArg: REQUIRED_ARGUMENT, val: c("d") },
  { name: "reply-src", hasArg: REQUIRED_ARGUMENT, val: c("r") },
  { name: "reply-dst", hasArg: REQUIRED_ARGUMENT, val: c("q") },
  { name: "protonum", hasArg: REQUIRED_ARGUMENT, val: c("p") },
  { name: "timeout", hasArg: REQUIRED_ARGUMENT, val: c("t") },
  { name: "status", hasArg: REQUIRED_ARGUMENT, val: c("u") },
  { name: "zero", hasArg: NO_ARGUMENT, val: c("z") },
  { name: "event-mask", hasArg: REQUIRED_ARGUMENT, val: c("e") },
  { name: "tuple-src", hasArg: REQUIRED_ARGUMENT, val: c("[") },
  { name: "tuple-dst", hasArg: REQUIRED_ARGUMENT, val: c("]") },
  { name: "mask-src", hasArg: REQUIRED_ARGUMENT, val: c("{") },
  { name: "mask-dst", hasArg: REQUIRED_ARGUMENT, val: c("}") },
  { name: "nat-range", hasArg: REQUIRED_ARGUMENT, val: c("a") },
  { name: "mark", hasArg: REQUIRED_ARGUMENT, val: c("m") },
  { name: "secmark", hasArg: REQUIRED_ARGUMENT, val: c("c") },
  // 1.4.7 declares this one optional, so `--id 5` parses a NULL and crashes; 1.4.9 made it required (DEVIATIONS.md).
  { name: "id", hasArg: REQUIRED_ARGUMENT, val: c("i") },
  { name: "family", hasArg: REQUIRED_ARGUMENT, val: c("f") },
  { name: "src-nat", hasArg: OPTIONAL_ARGUMENT, val: c("n") },
  { name: "dst-nat", hasArg: OPTIONAL_ARGUMENT, val: c("g") },
  { name: "output", hasArg: REQUIRED_ARGUMENT, val: c("o") },
  { name: "buffer-size", hasArg: REQUIRED_ARGUMENT, val: c("b") },
  { name: "any-nat", hasArg: OPTIONAL_ARGUMENT, val: c("j") },
  { name: "zone", hasArg: REQUIRED_ARGUMENT, val: c("w") },
  { name: "label", hasArg: REQUIRED_ARGUMENT, val: c("l") },
  { name: "label-add", hasArg: REQUIRED_ARGUMENT, val: c("<") },
  { name: "label-del", hasArg: OPTIONAL_ARGUMENT, val: c(">") },
  { name: "orig-zone", hasArg: REQUIRED_ARGUMENT, val: c("(") },
  { name: "reply-zone", hasArg: REQUIRED_ARGUMENT, val: c(")") },
];

/** tsconntrack's own options. getopt tries them only when no conntrack option matches (see Getopt). */
export const EXT = { netns: 0x10001, allNetns: 0x10002, replay: 0x10003, record: 0x10004, resync: 0x10005, labelMap: 0x10006, recordForce: 0x10007 } as const;

export const EXTENSION_OPTIONS: readonly LongOption[] = [
  { name: "netns", hasArg: REQUIRED_ARGUMENT, val: EXT.netns },
  { name: "all-netns", hasArg: NO_ARGUMENT, val: EXT.allNetns },
  { name: "replay", hasArg: REQUIRED_ARGUMENT, val: EXT.replay },
  { name: "record", hasArg: REQUIRED_ARGUMENT, val: EXT.record },
  { name: "record-force", hasArg: REQUIRED_ARGUMENT, val: EXT.recordForce },
  { name: "resync", hasArg: NO_ARGUMENT, val: EXT.resync },
  { name: "labelmap", hasArg: REQUIRED_ARGUMENT, val: EXT.labelMap },
];

/** The first long name of a short option code, as conntrack's get_long_opt() finds it. */
export function longNameOf(code: number): string {
  return LONG_OPTIONS.find((option) => option.val === code)?.name ?? "unknown";
}

/**
 * commands_v_options, one digit per option flag in OPTION_FLAGS order (s d r q p t u z e [ ] { } a m i f
 * n g o c b j w l < > ( )). The "none" row is what 1.4.7 reads past the end of its table when no command
 * was given; on the Debian build it allows only --reply-zone (observed).
 */
const ROWS: readonly [number, string][] = [
  [CMD_BIT.list, "22222022000220202222202220022"],
  [CMD_BIT.create, "33331120000002200220000202022"],
  [CMD_BIT.update, "22222220000220222222000022200"],
  [CMD_BIT.delete, "22222220000220222222000220022"],
  [CMD_BIT.get, "33331000000000020002000020000"],
  [CMD_BIT.flush, "00000000000000002000000000000"],
  [CMD_BIT.event, "22222000200220202222222220022"],
  [CMD_BIT.version, "00000000000000000000000000000"],
  [CMD_BIT.help, "00002000000000000000000000000"],
  [CMD_BIT.expList, "00000000000000002002000000000"],
  [CMD_BIT.expCreate, "11221120011110000000000000000"],
  [CMD_BIT.expDelete, "11221000000000000000000000000"],
  [CMD_BIT.expGet, "11221000000000000000000000000"],
  [CMD_BIT.expFlush, "00000000000000000000000000000"],
  [CMD_BIT.expEvent, "00000000000000000002000000000"],
  [CMD_BIT.count, "00000000000000000000000000000"],
  [CMD_BIT.expCount, "00000000000000000000000000000"],
  [CMD_BIT.stats, "00000000000000000000000000000"],
  [CMD_BIT.expStats, "00000000000000000000000000000"],
  [CMD_BIT.add, "33331120000002200220000202022"],
  [CMD_BIT.none, "00000000000000000000000000002"],
];

export const OPTION_MATRIX: ReadonlyMap<number, string> = new Map(ROWS);

/**
 * tsconntrack's filtered `-C` (an extension: 1.4.7 allows no option with -C): -L's row without the
 * options that are not filters there (-z, -o, and -c, which -L accepts but never compares). Used only
 * for the conntrack table; a line this row refuses still gets 1.4.7's message from the plain row.
 */
export const FILTERED_COUNT_ROW: string = (() => {
  const row = [...OPTION_MATRIX.get(CMD_BIT.list)!];
  for (const flag of ["zero", "output", "secmark"] as const) row[OPTION_FLAGS.indexOf(flag)] = "0";
  return row.join("");
})();
