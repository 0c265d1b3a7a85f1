// The comma-separated lists of -o, -e and -u. Each item is a case-insensitive prefix of a keyword; the first
// keyword in list order wins. Before that, a prefix of SRC_NAT / DST_NAT only prints a warning (so `-o s`
// is not "save"). Errors quote the rest of the list from the bad item on, as conntrack does.

import { ArgsError } from "./errors.js";

export const IPS = {
  EXPECTED: 1 << 0,
  SEEN_REPLY: 1 << 1,
  ASSURED: 1 << 2,
  FIXED_TIMEOUT: 1 << 10,
  OFFLOAD: 1 << 14,
  HW_OFFLOAD: 1 << 15,
} as const;

export const OUTPUT_BIT = {
  xml: 1 << 0, extended: 1 << 1, timestamp: 1 << 2, id: 1 << 3, ktimestamp: 1 << 4, labels: 1 << 5,
  userspace: 0, save: 1 << 6, json: 1 << 7, ndjson: 1 << 8,
} as const;

export const EVENT_BIT = { new: 1, update: 2, destroy: 4 } as const;

type Keywords = readonly (readonly [string, number])[];

const STATUS_KEYWORDS: Keywords = [
  ["ASSURED", IPS.ASSURED], ["SEEN_REPLY", IPS.SEEN_REPLY], ["UNSET", 0], ["FIXED_TIMEOUT", IPS.FIXED_TIMEOUT],
  ["EXPECTED", IPS.EXPECTED], ["OFFLOAD", IPS.OFFLOAD], ["HW_OFFLOAD", IPS.HW_OFFLOAD],
];
const EVENT_KEYWORDS: Keywords = [["ALL", 7], ["NEW", 1], ["UPDATES", 2], ["DESTROY", 4]];
// json and ndjson are ours; appended last so no abbreviation conntrack accepts changes meaning.
const OUTPUT_KEYWORDS: Keywords = [
  ["xml", OUTPUT_BIT.xml], ["extended", OUTPUT_BIT.extended], ["timestamp", OUTPUT_BIT.timestamp],
  ["id", OUTPUT_BIT.id], ["ktimestamp", OUTPUT_BIT.ktimestamp], ["labels", OUTPUT_BIT.labels],
  ["userspace", OUTPUT_BIT.userspace], ["save", OUTPUT_BIT.save], ["json", OUTPUT_BIT.json], ["ndjson", OUTPUT_BIT.ndjson],
];

function isPrefixIgnoringCase(item: string, keyword: string): boolean {
  return item.length <= keyword.length && keyword.slice(0, item.length).toLowerCase() === item.toLowerCase();
}

/** One item: returns its bits, or null when it is unknown. Warnings go to `warn`. */
function parseItem(item: string, keywords: Keywords, warn: (line: string) => void): number | null {
  if (isPrefixIgnoringCase(item, "SRC_NAT")) {
    warn("WARNING: ignoring SRC_NAT, use --src-nat instead\n");
    return 0;
  }
  if (isPrefixIgnoringCase(item, "DST_NAT")) {
    warn("WARNING: ignoring DST_NAT, use --dst-nat instead\n");
    return 0;
  }
  for (const [keyword, bits] of keywords) if (isPrefixIgnoringCase(item, keyword)) return bits;
  return null;
}

const badParameter = (rest: string): ArgsError => new ArgsError(`Bad parameter \`${rest}'`, 2);

function parseList(arg: string, keywords: Keywords, warn: (line: string) => void): number {
  let bits = 0;
  let rest = arg;
  for (;;) {
    const comma = rest.indexOf(",");
    const item = comma < 0 ? rest : rest.slice(0, comma);
    if (item === "") throw badParameter(rest);
    const value = parseItem(item, keywords, warn);
    if (value === null) throw badParameter(rest);
    bits |= value;
    if (comma < 0) return bits;
    rest = rest.slice(comma + 1);
  }
}

export function parseOutputList(arg: string, warn: (line: string) => void): number {
  return parseList(arg, OUTPUT_KEYWORDS, warn);
}

export function parseEventList(arg: string, warn: (line: string) => void): number {
  return parseList(arg, EVENT_KEYWORDS, warn);
}

/**
 * `-u [!]NAME,...`: NAME bits go to `set`, `!NAME` bits and UNREPLIED (any item starting with it, case
 * sensitive) to `unset`.
 */
export function parseStatusList(arg: string, warn: (line: string) => void): { set: number; unset: number } {
  let set = 0;
  let unset = 0;
  let rest = arg;
  for (;;) {
    const comma = rest.indexOf(",");
    if (comma === 0) throw badParameter(rest);
    const negated = rest.startsWith("!");
    if (negated) rest = rest.slice(1);
    const end = comma < 0 ? rest.length : comma - (negated ? 1 : 0);
    if (comma >= 0 && end === 0) throw badParameter(rest);
    if (!negated && rest.startsWith("UNREPLIED")) {
      unset |= IPS.SEEN_REPLY;
    } else {
      const item = rest.slice(0, end);
      const value = item === "" ? null : parseItem(item, STATUS_KEYWORDS, warn);
      if (value === null) throw badParameter(rest);
      if (negated) unset |= value;
      else set |= value;
    }
    if (comma < 0) return { set, unset };
    rest = rest.slice(end + 1);
  }
}
