// Table-driven encoder: writes an attribute-set value in key insertion order, splicing `$unknown`
// back at their indexes, so a decoded value re-encodes to the same bytes.
import { NetlinkEncodeError } from "../errors.js";
import type { EnumDescriptor, UnknownAttr } from "../schema/descriptor.js";
import { AttrWriter } from "../wire/attr-writer.js";
import type { Endian } from "../wire/attr-reader.js";
import { NLA_F_NESTED } from "../wire/constants.js";
import { parseIPv4, parseIPv6 } from "./ip.js";
import { Kind, type AttrInfo, type FormatInfo, type KindCode, type SetInfo, type StructInfo } from "./tables.js";
import { MAX_DEPTH } from "./rules.js";


const utf8 = new TextEncoder();

const RANGES: Partial<Record<KindCode, readonly [number, number]>> = {
  [Kind.u8]: [0, 0xff], [Kind.s8]: [-0x80, 0x7f], [Kind.u16]: [0, 0xffff], [Kind.s16]: [-0x8000, 0x7fff],
  [Kind.u32]: [0, 0xffffffff], [Kind.s32]: [-0x80000000, 0x7fffffff],
};

function bad(path: string, detail: string): never {
  throw new NetlinkEncodeError("bad-value", path, detail);
}

function enumValue(e: EnumDescriptor | undefined, v: unknown, path: string): unknown {
  if (e === undefined) return v;
  if (typeof v === "string") {
    const entry = e.entries.find((x) => x.name === v);
    if (entry === undefined) bad(path, `"${v}" is not a member of ${e.name}`);
    return entry.value;
  }
  if (Array.isArray(v) && e.type === "flags") {
    let mask = 0;
    for (const name of v) mask |= enumValue(e, name, path) as number;
    return mask >>> 0;
  }
  return v;
}

function intValue(kind: KindCode, v: unknown, path: string): number {
  const range = RANGES[kind]!;
  if (typeof v !== "number" || !Number.isInteger(v) || v < range[0] || v > range[1]) {
    bad(path, `expected an integer in [${range[0]}, ${range[1]}], got ${String(v)}`);
  }
  return v;
}

function bigValue(signed: boolean, v: unknown, path: string): bigint {
  let b: bigint;
  if (typeof v === "bigint") b = v;
  else if (typeof v === "number" && Number.isSafeInteger(v)) b = BigInt(v);
  else return bad(path, `expected a bigint, got ${String(v)}`);
  const ok = signed ? BigInt.asIntN(64, b) === b : BigInt.asUintN(64, b) === b;
  if (!ok) bad(path, `${b} does not fit in 64 bits`);
  return b;
}

function ipv4Value(v: unknown, path: string): number {
  if (typeof v === "number") return intValue(Kind.u32, v, path);
  const n = typeof v === "string" ? parseIPv4(v) : undefined;
  if (n === undefined) bad(path, `expected an IPv4 address, got ${String(v)}`);
  return n;
}

function ipv6Value(v: unknown, path: string): Uint8Array {
  if (v instanceof Uint8Array && v.length === 16) return v;
  const b = typeof v === "string" ? parseIPv6(v) : undefined;
  if (b === undefined) bad(path, `expected an IPv6 address, got ${String(v)}`);
  return b;
}

function bytesValue(v: unknown, path: string): Uint8Array {
  if (!(v instanceof Uint8Array)) bad(path, "expected a Uint8Array");
  return v;
}

/** Write a scalar or binary payload of `kind` (the attribute header is the caller's). */
function putScalar(w: AttrWriter, kind: KindCode, order: Endian, v: unknown, path: string, size?: number): void {
  switch (kind) {
    case Kind.u8: case Kind.s8: w.putU8(intValue(kind, v, path) & 0xff); return;
    case Kind.u16: case Kind.s16: w.putU16(intValue(kind, v, path) & 0xffff, order); return;
    case Kind.u32: case Kind.s32: w.putU32(intValue(kind, v, path) >>> 0, order); return;
    case Kind.u64: w.putU64(bigValue(false, v, path), order); return;
    case Kind.s64: w.putU64(bigValue(true, v, path), order); return;
    case Kind.ipv4: w.putU32(ipv4Value(v, path), order); return;
    case Kind.ipv4Bytes: w.putU32(ipv4Value(v, path), "big"); return;
    case Kind.ipv6: w.putBytes(ipv6Value(v, path)); return;
    case Kind.binary: {
      const b = bytesValue(v, path);
      if (size !== undefined && b.length !== size) bad(path, `expected ${size} bytes, got ${b.length}`);
      w.putBytes(b);
      return;
    }
    default: bad(path, `kind ${kind} is not a scalar`);
  }
}

function putStruct(w: AttrWriter, s: StructInfo, v: unknown, path: string): void {
  if (typeof v !== "object" || v === null) bad(path, `expected a ${s.name} object`);
  const obj = v as Record<string, unknown>;
  for (const m of s.members) {
    if (m.kind === Kind.pad) {
      w.putZeros(m.size);
      continue;
    }
    const mv = obj[m.key];
    const memberPath = `${path}.${m.key}`;
    if (mv === undefined) w.putZeros(m.size); // missing members are 0, as YNL does
    else putScalar(w, m.kind, m.littleEndian ? "little" : "big", enumValue(m.enumDesc, mv, memberPath), memberPath, m.size);
  }
}

/** Fixed header bytes of a struct value (missing members are 0). */
export function encodeStruct(s: StructInfo, v: unknown, path: string): Uint8Array {
  const w = new AttrWriter(s.size + 8);
  putStruct(w, s, v ?? {}, path);
  return w.finish();
}

function writeAttr(w: AttrWriter, a: AttrInfo, v: unknown, path: string, depth: number): void {
  const order: Endian = a.littleEndian ? "little" : "big";
  if (a.kind === Kind.nest) {
    const start = w.beginAttr(a.value | NLA_F_NESTED);
    writeSet(w, a.nested!, v, path, depth + 1);
    w.endAttr(start);
    return;
  }
  if (a.kind === Kind.flag) {
    if (v !== true) bad(path, "a flag attribute takes true (or false to omit it)");
    w.endAttr(w.beginAttr(a.value));
    return;
  }
  const start = w.beginAttr(a.value);
  const value = enumValue(a.enumDesc, v, path);
  switch (a.kind) {
    case Kind.string:
      if (typeof value !== "string") bad(path, "expected a string");
      w.putBytes(utf8.encode(value));
      w.putU8(0);
      break;
    case Kind.struct:
      putStruct(w, a.struct!, value, path);
      break;
    case Kind.uint:
    case Kind.sint:
      if (typeof value === "bigint") w.putU64(bigValue(a.kind === Kind.sint, value, path), order);
      else w.putU32(intValue(a.kind === Kind.uint ? Kind.u32 : Kind.s32, value, path) >>> 0, order);
      break;
    case Kind.bitfield32: {
      const bf = value as { value?: unknown; selector?: unknown } | null;
      if (typeof bf !== "object" || bf === null) bad(path, "expected {value, selector}");
      w.putU32(intValue(Kind.u32, bf.value, `${path}.value`));
      w.putU32(intValue(Kind.u32, bf.selector, `${path}.selector`));
      break;
    }
    case Kind.ipAny:
      if (typeof value === "string" && value.includes(":")) w.putBytes(ipv6Value(value, path));
      else w.putU32(ipv4Value(value, path), "big");
      break;
    default:
      putScalar(w, a.kind, order, value, path);
  }
  w.endAttr(start);
}

/** The format the sibling selector of `a` names in `parent` (enum member names accepted). */
function subMessageFormat(a: AttrInfo, parent: Record<string, unknown>, path: string): FormatInfo {
  const sm = a.subMessage!;
  const selector = sm.selector;
  let sel = parent[selector.key];
  if (typeof sel === "string" && selector.kind !== Kind.string) sel = enumValue(selector.enumDesc, sel, path);
  const format = sm.formats.find((f) => f.selects === sel);
  if (format === undefined) {
    const known = sm.formats.map((f) => String(f.selects)).join(", ");
    bad(path, sel === undefined ? `needs ${selector.name} beside it to pick a format of ${sm.name}` : `${selector.name} = ${String(sel)} names no format of ${sm.name} (known: ${known}); give raw bytes in $unknown instead`);
  }
  return format;
}

function writeSubMessage(w: AttrWriter, a: AttrInfo, v: unknown, parent: Record<string, unknown>, path: string, depth: number): void {
  const format = subMessageFormat(a, parent, path);
  if (typeof v !== "object" || v === null || Array.isArray(v)) bad(path, `expected an object for ${a.subMessage!.name}`);
  // As YNL: a payload of attributes is a nest.
  const start = w.beginAttr(a.value | (format.set !== undefined ? NLA_F_NESTED : 0));
  if (format.struct !== undefined) putStruct(w, format.struct, v, path);
  if (format.set !== undefined) writeSet(w, format.set, v, path, depth + 1, format.memberKeys);
  else {
    for (const key of Object.keys(v)) {
      if (!format.memberKeys.has(key) && (v as Record<string, unknown>)[key] !== undefined) {
        throw new NetlinkEncodeError("unknown-key", `${path}.${key}`, `this format of ${a.subMessage!.name} has no "${key}"`);
      }
    }
  }
  w.endAttr(start);
}

function writeUnknown(w: AttrWriter, u: UnknownAttr): void {
  const start = w.beginAttr((u.type & 0x3fff) | (u.flags & 0xc000));
  w.putBytes(u.data);
  w.endAttr(start);
}

/**
 * Write the attributes of `value` (an object of the set's keys) into `w`. `skipKeys` are keys that
 * belong to something else written beside the set (a sub-message's fixed header).
 */
export function writeSet(w: AttrWriter, set: SetInfo, value: unknown, path: string, depth: number, skipKeys?: ReadonlySet<string>): void {
  if (depth > MAX_DEPTH) throw new NetlinkEncodeError("too-deep", path, `nesting deeper than ${MAX_DEPTH} levels`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) bad(path, `expected an object for ${set.name}`);
  const obj = value as Record<string, unknown>;
  const unknown = obj.$unknown as UnknownAttr[] | undefined;
  let pending: UnknownAttr[] = [];
  if (unknown !== undefined) {
    if (!Array.isArray(unknown)) bad(`${path}.$unknown`, "expected an array");
    pending = [...unknown].sort((x, y) => x.index - y.index);
  }
  let next = 0;
  let count = 0;
  const spliceUnknown = (): void => {
    while (next < pending.length && pending[next]!.index <= count) {
      writeUnknown(w, pending[next++]!);
      count++;
    }
  };
  for (const key of Object.keys(obj)) {
    if (key === "$unknown" || skipKeys?.has(key)) continue;
    const v = obj[key];
    if (v === undefined) continue;
    const a = set.byKey.get(key);
    const attrPath = `${path}.${a?.name ?? key}`;
    if (a === undefined) throw new NetlinkEncodeError("unknown-key", attrPath, `${set.name} has no attribute "${key}"`);
    if (a.multi) {
      if (!Array.isArray(v)) bad(attrPath, "expected an array (multi-attr)");
      for (const item of v) {
        spliceUnknown();
        if (a.kind === Kind.subMessage) writeSubMessage(w, a, item, obj, attrPath, depth);
        else writeAttr(w, a, item, attrPath, depth);
        count++;
      }
    } else {
      if (a.kind === Kind.flag && v === false) continue;
      spliceUnknown();
      if (a.kind === Kind.subMessage) writeSubMessage(w, a, v, obj, attrPath, depth);
      else writeAttr(w, a, v, attrPath, depth);
      count++;
    }
  }
  while (next < pending.length) writeUnknown(w, pending[next++]!);
}
