// Generates one monomorphic decoder function per attribute set (and per struct) from the dense
// tables, with `new Function`: the data comes from the spec, the rules from this one file.
// Generated functions work on absolute offsets into the whole ArrayBuffer (`u8` spans it, `dv` views it).
import { NetlinkDecodeError, type NetlinkDecodeErrorCode } from "../errors.js";
import { HOST_LITTLE_ENDIAN } from "../wire/host-order.js";
import { formatIPv4, formatIPv4Bytes, formatIPv6 } from "./ip.js";
import { Kind, type AttrInfo, type FamilyTables, type SetInfo, type StructInfo } from "./tables.js";

/** Deepest nest a decoder follows; deeper input is rejected (no spec needs more than a handful). */
export const MAX_DEPTH = 32;

export type SetDecoder = (dv: DataView, u8: Uint8Array, start: number, end: number, depth: number) => Record<string, unknown>;
export type StructDecoder = (dv: DataView, u8: Uint8Array, at: number) => Record<string, unknown>;

export interface Decoders {
  readonly sets: readonly SetDecoder[];
  readonly structs: ReadonlyMap<string, StructDecoder>;
}

/** Thrown inside generated code with an absolute offset; the caller rebases it and adds the path. */
export class DecodeFault {
  readonly code: NetlinkDecodeErrorCode;
  readonly offset: number;
  readonly detail: string;
  constructor(code: NetlinkDecodeErrorCode, offset: number, detail: string) {
    this.code = code;
    this.offset = offset;
    this.detail = detail;
  }
}

const CODES: readonly NetlinkDecodeErrorCode[] = ["truncated", "bad-length", "bad-value", "too-deep"];

function fail(code: number, offset: number, detail: string): never {
  throw new DecodeFault(CODES[code]!, offset, detail);
}

function unknownAttr(u8: Uint8Array, p: number, len: number, raw: number, index: number) {
  return { type: raw & 0x3fff, flags: raw & 0xc000, data: u8.slice(p + 4, p + len), index };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** NUL-terminated UTF-8 in u8[start, end); `at` is the attribute offset for errors. */
function decodeString(u8: Uint8Array, start: number, end: number, at: number): string {
  if (end <= start || u8[end - 1] !== 0) fail(2, at, "string attribute without a terminating NUL");
  const last = end - 1;
  if (last - start <= 32) {
    let s = "";
    for (let i = start; i < last; i++) {
      const c = u8[i]!;
      if (c >= 0x80) return decodeUtf8(u8, start, last, at);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decodeUtf8(u8, start, last, at);
}

function decodeUtf8(u8: Uint8Array, start: number, end: number, at: number): string {
  try {
    return utf8.decode(u8.subarray(start, end));
  } catch {
    return fail(2, at, "string attribute is not valid UTF-8");
  }
}

const helpers = { fail, unknownAttr, decodeString, formatIPv4, formatIPv4Bytes, formatIPv6, MAX_DEPTH };

const LE = HOST_LITTLE_ENDIAN ? "true" : "false";

function prop(key: string): string {
  return `o[${JSON.stringify(key)}]`;
}

/** Expression reading a fixed-size scalar at `q`, or undefined when the kind is not a fixed scalar. */
// Plain byte arithmetic beats DataView calls for the small widths in V8's optimizing tiers.
function u16Expr(le: boolean, q: string): string {
  return le ? `(u8[${q}] | (u8[${q} + 1] << 8))` : `((u8[${q}] << 8) | u8[${q} + 1])`;
}

function u32Expr(le: boolean, q: string): string {
  return le
    ? `((u8[${q}] | (u8[${q} + 1] << 8) | (u8[${q} + 2] << 16) | (u8[${q} + 3] << 24)) >>> 0)`
    : `(((u8[${q}] << 24) | (u8[${q} + 1] << 16) | (u8[${q} + 2] << 8) | u8[${q} + 3]) >>> 0)`;
}

function scalarExpr(kind: number, le: boolean, q: string): string | undefined {
  const order = le ? "true" : "false";
  switch (kind) {
    case Kind.u8: return `u8[${q}]`;
    case Kind.s8: return `dv.getInt8(${q})`;
    case Kind.u16: return u16Expr(le, q);
    case Kind.s16: return `dv.getInt16(${q}, ${order})`;
    case Kind.u32: return u32Expr(le, q);
    case Kind.s32: return `dv.getInt32(${q}, ${order})`;
    case Kind.u64: return `dv.getBigUint64(${q}, ${order})`;
    case Kind.s64: return `dv.getBigInt64(${q}, ${order})`;
    case Kind.ipv4: return `h.formatIPv4(${u32Expr(le, q)})`;
    case Kind.ipv4Bytes: return `h.formatIPv4Bytes(u8, ${q})`;
    case Kind.ipv6: return `h.formatIPv6(u8, ${q})`;
    default: return undefined;
  }
}

const FIXED_SIZES: Partial<Record<number, number>> = {
  [Kind.u8]: 1, [Kind.s8]: 1, [Kind.u16]: 2, [Kind.s16]: 2, [Kind.u32]: 4, [Kind.s32]: 4,
  [Kind.u64]: 8, [Kind.s64]: 8, [Kind.ipv4]: 4, [Kind.ipv4Bytes]: 4, [Kind.ipv6]: 16, [Kind.flag]: 0, [Kind.bitfield32]: 8,
};

function lengthCheck(size: number): string {
  return `if (len !== ${size + 4}) h.fail(1, p, "expected a ${size}-byte payload, got " + (len - 4));`;
}

/** Statements computing `v` for one attribute (inside the switch case; p/len/q in scope). */
function valueCode(a: AttrInfo, structIndex: ReadonlyMap<string, number>): string {
  const size = FIXED_SIZES[a.kind];
  const scalar = scalarExpr(a.kind, a.littleEndian, "q");
  if (scalar !== undefined) return `${lengthCheck(size!)} v = ${scalar};`;
  switch (a.kind) {
    case Kind.flag: return `${lengthCheck(0)} v = true;`;
    case Kind.uint:
    case Kind.sint: {
      const s = a.kind === Kind.uint ? "Uint" : "Int";
      const order = a.littleEndian ? "true" : "false";
      return `if (len === 8) v = dv.get${s}32(q, ${order}); else if (len === 12) v = dv.getBig${s}64(q, ${order}); ` +
        `else h.fail(1, p, "expected a 4- or 8-byte payload, got " + (len - 4));`;
    }
    case Kind.bitfield32:
      return `${lengthCheck(8)} v = { value: dv.getUint32(q, ${LE}), selector: dv.getUint32(q + 4, ${LE}) };`;
    case Kind.string: return `v = h.decodeString(u8, q, p + len, p);`;
    case Kind.binary: return `v = u8.slice(q, p + len);`;
    case Kind.ipAny:
      return `if (len === 8) v = h.formatIPv4Bytes(u8, q); else if (len === 20) v = h.formatIPv6(u8, q); ` +
        `else h.fail(1, p, "expected a 4- or 16-byte address, got " + (len - 4));`;
    case Kind.struct: {
      const st = a.struct!;
      return `${lengthCheck(st.size)} v = s${structIndex.get(st.name)}(dv, u8, q);`;
    }
    case Kind.nest: return `v = d${a.nested!.index}(dv, u8, q, p + len, depth + 1);`;
    default: throw new Error(`no decoder for kind ${a.kind}`);
  }
}

/** The local that collects [p, len, raw, idx] of one sub-message attribute's occurrences. */
function pendingName(a: AttrInfo): string {
  return `sm${a.value}`;
}

/** In the attribute loop: remember where a sub-message is (its selector may come later) and hold its key's place. */
function subMessageCase(a: AttrInfo): string {
  const pending = `(${pendingName(a)} ??= []).push(p, len, raw, idx);`;
  if (a.multi) return `      case ${a.value}: { if (${prop(a.key)} === undefined) ${prop(a.key)} = []; ${pending} break; }`;
  return `      case ${a.value}: { if (${prop(a.key)} === undefined) { ${prop(a.key)} = null; ${pending} } ` +
    `else (unk ??= []).push(h.unknownAttr(u8, p, len, raw, idx)); break; }`;
}

/**
 * After the attribute loop: decode each remembered sub-message as the format its selector names.
 * A payload no format fits (unknown selector value, wrong fixed-header size) goes to $unknown.
 */
function subMessageResolve(a: AttrInfo, structIndex: ReadonlyMap<string, number>): string {
  const sm = a.subMessage!;
  const cases = sm.formats.map((f) => {
    const size = f.struct?.size ?? 0;
    const parts: string[] = [];
    if (f.struct !== undefined) {
      parts.push(f.set === undefined ? `if (sl - 4 !== ${size}) break;` : `if (sl - 4 < ${size}) break;`);
      parts.push(`v = s${structIndex.get(f.struct.name)}(dv, u8, sq);`);
    } else if (f.set === undefined) parts.push("if (sl !== 4) break; v = {};");
    if (f.set !== undefined) {
      const inner = `d${f.set.index}(dv, u8, sq + ${size}, sp + sl, depth + 1)`;
      parts.push(f.struct !== undefined ? `Object.assign(v, ${inner});` : `v = ${inner};`);
    }
    return `          case ${JSON.stringify(f.selects)}: ${parts.join(" ")} break;`;
  });
  const list = pendingName(a);
  const store = a.multi ? `${prop(a.key)}.push(v);` : `${prop(a.key)} = v;`;
  const empty = a.multi ? `${prop(a.key)}.length === 0` : `${prop(a.key)} === null`;
  return `
    if (${list} !== undefined) {
      const sel = ${prop(a.subMessage!.selector.key)};
      for (let k = 0; k < ${list}.length; k += 4) {
        const sp = ${list}[k], sl = ${list}[k + 1], sq = sp + 4;
        let v;
        switch (sel) {
${cases.join("\n")}
        }
        if (v === undefined) { (unk ??= []).push(h.unknownAttr(u8, sp, sl, ${list}[k + 2], ${list}[k + 3])); resort = true; }
        else ${store}
      }
      if (${empty}) delete ${prop(a.key)};
    }`;
}

function setDecoderSource(set: SetInfo, structIndex: ReadonlyMap<string, number>): string {
  const cases: string[] = [];
  const subMessages = set.attrs.filter((a) => a.kind === Kind.subMessage);
  for (const a of set.byType) {
    if (a === undefined || a.kind === Kind.pad) continue;
    if (a.kind === Kind.subMessage) {
      cases.push(subMessageCase(a));
      continue;
    }
    const store = a.multi
      ? `{ const arr = ${prop(a.key)}; if (arr === undefined) ${prop(a.key)} = [v]; else arr.push(v); }`
      : `if (${prop(a.key)} === undefined) ${prop(a.key)} = v; else (unk ??= []).push(h.unknownAttr(u8, p, len, raw, idx));`;
    cases.push(`      case ${a.value}: { let v; ${valueCode(a, structIndex)} ${store} break; }`);
  }
  return `
  function d${set.index}(dv, u8, p, end, depth) {
    if (depth > h.MAX_DEPTH) h.fail(3, p, "nesting deeper than " + h.MAX_DEPTH + " levels");
    const o = {};
    let unk, idx = 0${subMessages.map((a) => `, ${pendingName(a)}`).join("")}${subMessages.length > 0 ? ", resort = false" : ""};
    while (p < end) {
      if (end - p < 4) h.fail(0, p, (end - p) + " bytes left, too short for an nlattr");
      const len = ${u16Expr(HOST_LITTLE_ENDIAN, "p")};
      const raw = ${u16Expr(HOST_LITTLE_ENDIAN, "p + 2")};
      if (len < 4) h.fail(1, p, "nla_len " + len + " is smaller than the attribute header");
      if (len > end - p) h.fail(1, p, "nla_len " + len + " runs past the end of its parent (" + (end - p) + " bytes left)");
      const q = p + 4;
      switch (raw & 0x3fff) {
${cases.join("\n")}
      default: (unk ??= []).push(h.unknownAttr(u8, p, len, raw, idx));
      }
      idx++;
      p += (len + 3) & ~3;
    }${subMessages.map((a) => subMessageResolve(a, structIndex)).join("")}${subMessages.length > 0 ? "\n    if (resort) unk.sort((x, y) => x.index - y.index);" : ""}
    if (unk !== undefined) o.$unknown = unk;
    return o;
  }`;
}

function structDecoderSource(s: StructInfo, index: number): string {
  const fields: string[] = [];
  for (const m of s.members) {
    if (m.kind === Kind.pad) continue;
    const at = `q + ${m.offset}`;
    const expr = m.kind === Kind.binary ? `u8.slice(${at}, ${at} + ${m.size})` : scalarExpr(m.kind, m.littleEndian, at);
    if (expr === undefined) throw new Error(`struct ${s.name}: member ${m.key} cannot be decoded`);
    fields.push(`${JSON.stringify(m.key)}: ${expr}`);
  }
  return `
  function s${index}(dv, u8, q) { return { ${fields.join(", ")} }; }`;
}

export function generateDecoders(tables: FamilyTables): Decoders {
  const structNames = [...tables.structsByName.keys()];
  const structIndex = new Map(structNames.map((n, i) => [n, i]));
  const parts: string[] = ['"use strict";'];
  structNames.forEach((name, i) => parts.push(structDecoderSource(tables.structsByName.get(name)!, i)));
  for (const set of tables.sets) parts.push(setDecoderSource(set, structIndex));
  parts.push(`
  return { sets: [${tables.sets.map((s) => `d${s.index}`).join(", ")}], structs: [${structNames.map((_, i) => `s${i}`).join(", ")}] };`);
  const build = new Function("h", parts.join("\n")) as (h: typeof helpers) => { sets: SetDecoder[]; structs: StructDecoder[] };
  const built = build(helpers);
  return { sets: built.sets, structs: new Map(structNames.map((n, i) => [n, built.structs[i]!])) };
}

/** Turn a fault from generated code into the public error, offsets relative to `base`. */
export function toDecodeError(e: unknown, base: number, pathAt: (offset: number) => string): unknown {
  if (e instanceof DecodeFault) {
    const offset = e.offset - base;
    return new NetlinkDecodeError(e.code, offset, e.detail, pathAt(offset));
  }
  return e;
}
