// Generates the message view's walkers, one per attribute set, with `new Function` like the object
// decoder (decode-gen.ts) and from the same rules (rules.ts): a walker checks every attribute as the
// decoder does and records where each one lies instead of building a value. Fixed-size integers and
// IPv4 addresses are also read into `num`, so formatters never deal with byte order.
import { HOST_LITTLE_ENDIAN } from "../wire/host-order.js";
import {
  ATTR_HEADER, ATTR_NEXT, DEPTH_CHECK, FIXED_SIZES, IP_ANY_CHECK, MAX_DEPTH, VARINT_CHECK, checkString, fail, lengthCheck,
  u16Expr, u32Expr,
} from "./rules.js";
import { Kind, type AttrInfo, type FamilyTables, type SetInfo } from "./tables.js";
import { descends, isSetLayout, type LayoutResult, type SetLayout } from "./view-layout.js";

/** What a walker writes into; MessageView implements it. */
export interface WalkTarget {
  /** Payload offset of each slot's attribute in the walked buffer, -1 while absent. */
  readonly pos: Int32Array;
  /** Payload length of each present slot. */
  readonly len: Int32Array;
  /** Fixed-size integers (and IPv4 addresses as u32) of present slots; NaN for a 64-bit value above 2^53. */
  readonly num: Float64Array;
  /** An attribute no slot holds (unknown, a pad, a repeat): header offset, the set's first slot, its index in the set. */
  unknown(at: number, base: number, index: number): void;
}

const TWO32 = 2 ** 32;
/** Largest high word of a u64 that a double holds exactly with any low word. */
const SAFE_HIGH = 2 ** 21 - 1;

/** A 64-bit integer at u8[q] as a number, NaN when a double cannot hold it exactly. */
function u64(u8: Uint8Array, q: number, le: boolean, signed: boolean): number {
  const a = (u8[q]! << 24 | u8[q + 1]! << 16 | u8[q + 2]! << 8 | u8[q + 3]!) >>> 0;
  const b = (u8[q + 4]! << 24 | u8[q + 5]! << 16 | u8[q + 6]! << 8 | u8[q + 7]!) >>> 0;
  const hi = le ? swap32(b) : a;
  const lo = le ? swap32(a) : b;
  if (signed && hi >= 0x80000000) {
    // Two's complement: -(2^64 - v); exact only while the magnitude stays below 2^53.
    const negHi = ~hi >>> 0;
    const negLo = (~lo >>> 0) + 1;
    const magHi = negLo === TWO32 ? negHi + 1 : negHi;
    return magHi > SAFE_HIGH ? NaN : -(magHi * TWO32 + (negLo % TWO32));
  }
  return hi > SAFE_HIGH ? NaN : hi * TWO32 + lo;
}

function swap32(x: number): number {
  return ((x & 0xff) << 24 | (x & 0xff00) << 8 | (x >>> 8) & 0xff00 | x >>> 24) >>> 0;
}

const helpers = { fail, checkString, u64, MAX_DEPTH };

/** Statements checking one attribute and computing `n` (its number, when it has one). */
function checkCode(a: AttrInfo): { check: string; value: string | undefined } {
  const le = a.littleEndian;
  const size = FIXED_SIZES[a.kind];
  const fixed = size !== undefined ? lengthCheck(size) : "";
  switch (a.kind) {
    case Kind.u8: return { check: fixed, value: "u8[q]" };
    case Kind.s8: return { check: fixed, value: "(u8[q] << 24) >> 24" };
    case Kind.u16: return { check: fixed, value: u16Expr(le, "q") };
    case Kind.s16: return { check: fixed, value: `(${u16Expr(le, "q")} << 16) >> 16` };
    case Kind.u32:
    case Kind.ipv4: return { check: fixed, value: u32Expr(le, "q") };
    case Kind.ipv4Bytes: return { check: fixed, value: u32Expr(false, "q") };
    case Kind.s32: return { check: fixed, value: `${u32Expr(le, "q")} | 0` };
    // Inline for counters (the common 64-bit values): exact below 2^53, else NaN like h.u64.
    case Kind.u64: {
      const hi = u32Expr(le, le ? "q + 4" : "q");
      const lo = u32Expr(le, le ? "q" : "q + 4");
      return { check: `${fixed} const hi = ${hi};`, value: `hi <= ${SAFE_HIGH} ? hi * ${TWO32} + ${lo} : NaN` };
    }
    case Kind.s64: return { check: fixed, value: `h.u64(u8, q, ${le}, true)` };
    case Kind.flag: return { check: fixed, value: "1" };
    case Kind.uint:
    case Kind.sint: {
      const signed = a.kind === Kind.sint;
      const word = signed ? `${u32Expr(le, "q")} | 0` : u32Expr(le, "q");
      return { check: VARINT_CHECK, value: `len === 8 ? ${word} : h.u64(u8, q, ${le}, ${signed})` };
    }
    case Kind.bitfield32:
    case Kind.ipv6: return { check: fixed, value: undefined };
    case Kind.ipAny: return { check: IP_ANY_CHECK, value: `len === 8 ? ${u32Expr(false, "q")} : NaN` };
    case Kind.string: return { check: "h.checkString(u8, q, p + len, p);", value: undefined };
    case Kind.struct: return { check: lengthCheck(a.struct!.size), value: undefined };
    case Kind.binary:
    case Kind.nest: return { check: "", value: undefined };
    default: throw new Error(`no view walker for kind ${a.kind} (${a.name})`);
  }
}

/** The recording walker of a set: checks each attribute, keeps the first of each in its slot. */
function recordSource(set: SetInfo, layout: SetLayout): string {
  const cases: string[] = [];
  for (const a of set.byType) {
    if (a === undefined || a.kind === Kind.pad) continue;
    const slot = layout.slots.get(a.key)!;
    if (a.kind === Kind.nest && descends(a.desc)) {
      cases.push(`      case ${a.value}: { const s = b + ${slot}; ` +
        `if (pos[s] < 0) { pos[s] = q; ln[s] = len - 4; w${a.nested!.index}(u8, q, p + len, s + 1, depth + 1); } ` +
        `else { t.unknown(p, b, idx); v${a.nested!.index}(u8, q, p + len, depth + 1); } break; }`);
      continue;
    }
    const { check, value } = checkCode(a);
    const store = value === undefined ? "" : ` num[s] = ${value};`;
    cases.push(`      case ${a.value}: { ${check} const s = b + ${slot}; ` +
      `if (pos[s] < 0) { pos[s] = q; ln[s] = len - 4;${store} } else t.unknown(p, b, idx); break; }`);
  }
  return `
  function w${set.index}(u8, p, end, b, depth) {
    ${DEPTH_CHECK}
    let idx = 0;
    while (p < end) {${ATTR_HEADER}
      switch (raw & 0x3fff) {
${cases.join("\n")}
      default: t.unknown(p, b, idx);
      }
      idx++;
      ${ATTR_NEXT}
    }
  }`;
}

/** The checking walker of a set (a repeated nest is checked as the decoder checks it, and kept nowhere). */
function checkSource(set: SetInfo): string {
  const cases: string[] = [];
  for (const a of set.byType) {
    if (a === undefined || a.kind === Kind.pad) continue;
    if (a.kind === Kind.nest && descends(a.desc)) {
      cases.push(`      case ${a.value}: v${a.nested!.index}(u8, q, p + len, depth + 1); break;`);
      continue;
    }
    const { check } = checkCode(a);
    if (check !== "") cases.push(`      case ${a.value}: { ${check} break; }`);
  }
  return `
  function v${set.index}(u8, p, end, depth) {
    ${DEPTH_CHECK}
    while (p < end) {${ATTR_HEADER}
      switch (raw & 0x3fff) {
${cases.join("\n")}
      }
      ${ATTR_NEXT}
    }
  }`;
}

/** Makes the walkers of one view (its arrays bound in), by set index; undefined where a set has no view. */
export type WalkerFactory = (target: WalkTarget) => readonly (RootWalker | undefined)[];
/** Walks u8[p, end) as the set's attributes into the target, from slot 0. */
export type RootWalker = (u8: Uint8Array, p: number, end: number) => void;

export function generateWalkers(tables: FamilyTables, layouts: ReadonlyMap<string, LayoutResult>): WalkerFactory {
  const viewable = tables.sets.filter((s) => {
    const l = layouts.get(s.name);
    return l !== undefined && isSetLayout(l);
  });
  const parts = [`"use strict";
  // host ${HOST_LITTLE_ENDIAN ? "little" : "big"}-endian
  return function bind(t) {
  const pos = t.pos, ln = t.len, num = t.num;`];
  for (const set of viewable) parts.push(recordSource(set, layouts.get(set.name) as SetLayout), checkSource(set));
  parts.push(`
  return [${tables.sets.map((s) => (viewable.includes(s) ? `(u8, p, end) => w${s.index}(u8, p, end, 0, 0)` : "undefined")).join(", ")}];
  };`);
  return new Function("h", parts.join("\n"))(helpers) as WalkerFactory;
}
