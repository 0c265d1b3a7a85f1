// Generates one monomorphic decoder function per attribute set (and per struct) from the dense
// tables, with `new Function`: the data comes from the spec, the rules from rules.ts (shared with the view walker).
// Generated functions work on absolute offsets into the whole ArrayBuffer (`u8` spans it, `dv` views it).
import { HOST_LITTLE_ENDIAN } from "../wire/host-order.js";
import { formatIPv4, formatIPv4Bytes, formatIPv6 } from "./ip.js";
import {
  ATTR_HEADER, ATTR_NEXT, DEPTH_CHECK, FIXED_SIZES, IP_ANY_CHECK, MAX_DEPTH, VARINT_CHECK, decodeString, fail, lengthCheck,
  u16Expr, u32Expr,
} from "./rules.js";
import { Kind, type AttrInfo, type FamilyTables, type SetInfo, type StructInfo } from "./tables.js";

export { DecodeFault, MAX_DEPTH, toDecodeError } from "./rules.js";

export type SetDecoder = (dv: DataView, u8: Uint8Array, start: number, end: number, depth: number) => Record<string, unknown>;
export type StructDecoder = (dv: DataView, u8: Uint8Array, at: number) => Record<string, unknown>;

export interface Decoders {
  readonly sets: readonly SetDecoder[];
  readonly structs: ReadonlyMap<string, StructDecoder>;
}

function unknownAttr(u8: Uint8Array, p: number, len: number, raw: number, index: number) {
  return { type: raw & 0x3fff, flags: raw & 0xc000, data: u8.slice(p + 4, p + len), index };
}

const helpers = { fail, unknownAttr, decodeString, formatIPv4, formatIPv4Bytes, formatIPv6, MAX_DEPTH };

const LE = HOST_LITTLE_ENDIAN ? "true" : "false";

function prop(key: string): string {
  return `o[${JSON.stringify(key)}]`;
}

/** Expression reading a fixed-size scalar at `q`, or undefined when the kind is not a fixed scalar. */
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
      return `${VARINT_CHECK} v = len === 8 ? dv.get${s}32(q, ${order}) : dv.getBig${s}64(q, ${order});`;
    }
    case Kind.bitfield32:
      return `${lengthCheck(8)} v = { value: dv.getUint32(q, ${LE}), selector: dv.getUint32(q + 4, ${LE}) };`;
    case Kind.string: return `v = h.decodeString(u8, q, p + len, p);`;
    case Kind.binary: return `v = u8.slice(q, p + len);`;
    case Kind.ipAny:
      return `${IP_ANY_CHECK} v = len === 8 ? h.formatIPv4Bytes(u8, q) : h.formatIPv6(u8, q);`;
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
    ${DEPTH_CHECK}
    const o = {};
    let unk, idx = 0${subMessages.map((a) => `, ${pendingName(a)}`).join("")}${subMessages.length > 0 ? ", resort = false" : ""};
    while (p < end) {
${ATTR_HEADER}
      switch (raw & 0x3fff) {
${cases.join("\n")}
      default: (unk ??= []).push(h.unknownAttr(u8, p, len, raw, idx));
      }
      idx++;
      ${ATTR_NEXT}
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
