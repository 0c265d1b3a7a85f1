// TZif files (RFC 8536; /usr/share/zoneinfo, /etc/localtime) applied as glibc's localtime does:
// before the first transition the first standard-time type, between transitions a binary search,
// after the last one the footer's POSIX TZ string (or the last type when there is none).

import { parsePosixTz, posixOffsetAt, type PosixZone } from "./posix-tz.js";

export interface TzifZone {
  /** Transition instants (seconds since the epoch), ascending. */
  readonly transitions: readonly number[];
  /** The type (index into `offsets`) in force from each transition on. */
  readonly transitionTypes: readonly number[];
  /** Each local time type's UTC offset, seconds east. */
  readonly offsets: readonly number[];
  /** Each type's DST flag. */
  readonly isDst: readonly boolean[];
  /** Each type's "transition times are UT" flag (ttisut). */
  readonly isUt: readonly boolean[];
  /** The footer's rules for instants after the last transition (version 2 and later). */
  readonly footer?: PosixZone;
}

/** The zone in a TZif file's bytes, or undefined when they are not a TZif file. */
export function parseTzif(bytes: Uint8Array): TzifZone | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = (at: number) => {
    if (at + 44 > bytes.length || String.fromCharCode(...bytes.subarray(at, at + 4)) !== "TZif") return undefined;
    const count = (i: number) => view.getUint32(at + 20 + i * 4);
    return { version: bytes[at + 4]!, isut: count(0), isstd: count(1), leap: count(2), time: count(3), type: count(4), chars: count(5) };
  };
  const first = header(0);
  if (first === undefined) return undefined;
  type Header = NonNullable<typeof first>;
  const dataLength = (h: Header, timeSize: number) => h.time * timeSize + h.time + h.type * 6 + h.chars + h.leap * (timeSize + 4) + h.isstd + h.isut;
  let h: Header = first;
  let at = 44;
  let timeSize = 4;
  // Version 2 and later repeat the data with 64-bit times after the version 1 block: use those.
  if (first.version >= 0x32) {
    const second = header(44 + dataLength(first, 4));
    if (second === undefined) return undefined;
    h = second;
    at = 44 + dataLength(first, 4) + 44;
    timeSize = 8;
  }
  if (at + dataLength(h, timeSize) > bytes.length || h.type === 0) return undefined;
  const transitions: number[] = [];
  for (let i = 0; i < h.time; i++) transitions.push(timeSize === 8 ? Number(view.getBigInt64(at + i * 8)) : view.getInt32(at + i * 4));
  at += h.time * timeSize;
  const transitionTypes = [...bytes.subarray(at, at + h.time)];
  at += h.time;
  const offsets: number[] = [];
  const isDst: boolean[] = [];
  for (let i = 0; i < h.type; i++) {
    offsets.push(view.getInt32(at + i * 6));
    isDst.push(bytes[at + i * 6 + 4] !== 0);
  }
  if (transitionTypes.some((type) => type >= h.type)) return undefined;
  at += h.type * 6 + h.chars + h.leap * (timeSize + 4) + h.isstd;
  const isUt = offsets.map((_, i) => i < h.isut && bytes[at + i] !== 0);
  at += h.isut;
  let footer: PosixZone | undefined;
  if (timeSize === 8 && bytes[at] === 0x0a) {
    const end = bytes.indexOf(0x0a, at + 1);
    if (end > at + 1) footer = parsePosixTz(String.fromCharCode(...bytes.subarray(at + 1, end)));
  }
  return { transitions, transitionTypes, offsets, isDst, isUt, ...(footer ? { footer } : {}) };
}

/** Seconds east of UTC at `epochSeconds`. */
export function tzifOffsetAt(zone: TzifZone, epochSeconds: number): number {
  const { transitions } = zone;
  if (transitions.length === 0 || epochSeconds < transitions[0]!) {
    const standard = zone.isDst.indexOf(false);
    return zone.offsets[standard < 0 ? 0 : standard]!;
  }
  if (epochSeconds >= transitions[transitions.length - 1]! && zone.footer !== undefined) return posixOffsetAt(zone.footer, epochSeconds);
  // The last transition at or before the instant.
  let low = 0;
  let high = transitions.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (transitions[mid]! <= epochSeconds) low = mid;
    else high = mid - 1;
  }
  return zone.offsets[zone.transitionTypes[low]!]!;
}

/**
 * A zone with the user's standard and DST offsets on the changes of `rules` (glibc's handling of a TZ
 * string with DST but no rules, using the posixrules file). Measured against glibc 2.36: a change
 * into DST moves by (stdOffset - the file's standard offset) and a change out of it by dstOffset,
 * unless the file marks the type's times as UT; after the file's last change its own footer rules
 * apply, with the file's offsets.
 */
export function withDefaultRules(rules: TzifZone, stdOffset: number, dstOffset: number): TzifZone | undefined {
  if (rules.offsets.length < 2) return undefined;
  let fileStd = rules.offsets[0]!;
  for (let i = rules.transitionTypes.length - 1; i >= 0; i--) {
    const type = rules.transitionTypes[i]!;
    if (!rules.isDst[type]) {
      fileStd = rules.offsets[type]!;
      break;
    }
  }
  const transitions = rules.transitions.map((t, i) => {
    const type = rules.transitionTypes[i]!;
    if (rules.isUt[type]) return t;
    return rules.isDst[type] ? t + stdOffset - fileStd : t + dstOffset;
  });
  const transitionTypes = rules.transitionTypes.map((type) => (rules.isDst[type] ? 1 : 0));
  return { transitions, transitionTypes, offsets: [stdOffset, dstOffset], isDst: [false, true], isUt: [false, false], ...(rules.footer ? { footer: rules.footer } : {}) };
}
