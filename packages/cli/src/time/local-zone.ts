// The local time zone as glibc's tzset finds it from $TZ, for ctime()-style output: unset means
// /etc/localtime; empty means UTC; a leading ':' is dropped; a file (absolute, or under $TZDIR or
// /usr/share/zoneinfo) is read as TZif; anything else is a POSIX TZ string; and what none of them
// accepts is UTC. (Node's own Date uses ICU's zone data and knows no POSIX rule strings.)

import { readFileSync } from "node:fs";
import { parsePosixTz, posixOffsetAt } from "./posix-tz.js";
import { parseTzif, tzifOffsetAt, withDefaultRules, type TzifZone } from "./tzif.js";

export type OffsetAt = (epochSeconds: number) => number;

const UTC: OffsetAt = () => 0;

function readTzif(path: string): TzifZone | undefined {
  try {
    return parseTzif(readFileSync(path));
  } catch {
    return undefined;
  }
}

function readZoneFile(path: string): OffsetAt | undefined {
  const zone = readTzif(path);
  return zone === undefined ? undefined : (t) => tzifOffsetAt(zone, t);
}

/** The offset function for a TZ value (undefined: the variable is unset). */
export function zoneFor(tz: string | undefined, tzdir = process.env["TZDIR"] || "/usr/share/zoneinfo"): OffsetAt {
  if (tz === undefined) return readZoneFile("/etc/localtime") ?? UTC;
  const name = tz.startsWith(":") ? tz.slice(1) : tz;
  if (name === "") return UTC;
  const file = readZoneFile(name.startsWith("/") ? name : `${tzdir}/${name}`);
  if (file !== undefined) return file;
  const rules = parsePosixTz(name);
  if (rules === undefined) return UTC;
  if (rules.defaultRules && rules.dst !== undefined) {
    const posixRules = readTzif(`${tzdir}/posixrules`);
    const zone = posixRules === undefined ? undefined : withDefaultRules(posixRules, rules.stdOffset, rules.dst.offset);
    if (zone !== undefined) return (t) => tzifOffsetAt(zone, t);
  }
  return (t) => posixOffsetAt(rules, t);
}

let cached: { tz: string | undefined; offsetAt: OffsetAt } | undefined;

/** Seconds east of UTC at `epochSeconds` in the zone $TZ names (read once per TZ value). */
export function localOffset(epochSeconds: number): number {
  const tz = process.env["TZ"];
  if (cached === undefined || cached.tz !== tz) cached = { tz, offsetAt: zoneFor(tz) };
  return cached.offsetAt(epochSeconds);
}
