import type {
  AttrDescriptor, AttrSetDescriptor, EnumDescriptor, FamilyDescriptor, StructDescriptor, StructMemberDescriptor,
} from "../schema/descriptor.js";

// How an attribute's payload is turned into a value: one small integer per rule, so the decoder
// switches on numbers and the generated code stays monomorphic.
export const Kind = {
  /** Kept raw in $unknown, never a key. */
  pad: 0,
  flag: 1,
  u8: 2,
  u16: 3,
  u32: 4,
  u64: 5,
  s8: 6,
  s16: 7,
  s32: 8,
  s64: 9,
  /** Variable width: 4 bytes → number, 8 bytes → bigint. */
  uint: 10,
  sint: 11,
  string: 12,
  /** Uint8Array copy; also used for attribute types this runtime does not interpret. */
  binary: 13,
  struct: 14,
  /** u32 (either byte order) shown as a dotted quad. */
  ipv4: 15,
  /** 4 bytes shown as a dotted quad. */
  ipv4Bytes: 16,
  /** 16 bytes shown as inet_ntop text. */
  ipv6: 17,
  /** 4 or 16 bytes. */
  ipAny: 18,
  nest: 19,
  /** {value, selector}, host order. */
  bitfield32: 20,
  /** A YNL sub-message: read as the format its sibling selector names, else kept in $unknown. */
  subMessage: 21,
} as const;
export type KindCode = (typeof Kind)[keyof typeof Kind];

export interface AttrInfo {
  readonly desc: AttrDescriptor;
  readonly name: string;
  readonly key: string;
  readonly value: number;
  readonly kind: KindCode;
  /** Byte order of multi-byte scalars (true = little-endian). */
  readonly littleEndian: boolean;
  readonly multi: boolean;
  /** For nests. */
  nested: SetInfo | undefined;
  readonly struct: StructInfo | undefined;
  readonly enumDesc: EnumDescriptor | undefined;
  /** For sub-messages. */
  subMessage: SubMessageInfo | undefined;
}

/** One format of a sub-message, with the selector value that picks it already resolved. */
export interface FormatInfo {
  /** What the decoded selector attribute holds for this format (enum entries as their numbers). */
  readonly selects: number | string;
  readonly struct: StructInfo | undefined;
  readonly set: SetInfo | undefined;
  /** Keys of the fixed header's members (they sit beside the attributes in the value). */
  readonly memberKeys: ReadonlySet<string>;
}

export interface SubMessageInfo {
  readonly name: string;
  /** The sibling attribute whose decoded value picks the format. */
  readonly selector: AttrInfo;
  readonly formats: readonly FormatInfo[];
}

export interface SetInfo {
  readonly name: string;
  /** Index into the family's set list (used to name generated functions). */
  readonly index: number;
  /** Dense: byType[nla_type] (0..max), undefined where the spec has no attribute. */
  readonly byType: readonly (AttrInfo | undefined)[];
  readonly byKey: ReadonlyMap<string, AttrInfo>;
  readonly attrs: readonly AttrInfo[];
}

export interface MemberInfo {
  readonly key: string;
  readonly kind: KindCode;
  readonly littleEndian: boolean;
  readonly offset: number;
  readonly size: number;
  readonly enumDesc: EnumDescriptor | undefined;
}

export interface StructInfo {
  readonly name: string;
  readonly size: number;
  readonly members: readonly MemberInfo[];
}

export interface FamilyTables {
  readonly family: FamilyDescriptor;
  readonly sets: readonly SetInfo[];
  readonly setsByName: ReadonlyMap<string, SetInfo>;
  readonly structsByName: ReadonlyMap<string, StructInfo>;
}

export class SpecTableError extends Error {
  override readonly name = "SpecTableError";
}

const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isLittleEndian(order: string | undefined): boolean {
  return order === undefined ? HOST_LE : order === "little-endian";
}

const SCALAR_SIZES: Readonly<Record<string, number>> = { u8: 1, s8: 1, u16: 2, s16: 2, u32: 4, s32: 4, u64: 8, s64: 8 };

function attrKind(a: { type: string; displayHint?: string | undefined; struct?: string | undefined }): KindCode {
  switch (a.type) {
    case "pad": return Kind.pad;
    case "flag": return Kind.flag;
    case "u8": return Kind.u8;
    case "u16": return Kind.u16;
    case "u32": return a.displayHint === "ipv4" ? Kind.ipv4 : Kind.u32;
    case "u64": return Kind.u64;
    case "s8": return Kind.s8;
    case "s16": return Kind.s16;
    case "s32": return Kind.s32;
    case "s64": return Kind.s64;
    case "uint": return Kind.uint;
    case "sint": return Kind.sint;
    case "string": return Kind.string;
    case "bitfield32": return Kind.bitfield32;
    case "nest": return Kind.nest;
    case "sub-message": return Kind.subMessage;
    case "binary":
      if (a.struct !== undefined) return Kind.struct;
      if (a.displayHint === "ipv4") return Kind.ipv4Bytes;
      if (a.displayHint === "ipv6") return Kind.ipv6;
      if (a.displayHint === "ipv4-or-v6") return Kind.ipAny;
      return Kind.binary;
    // indexed-array, nest-type-value, unused: kept as bytes (round-trips exactly).
    default: return Kind.binary;
  }
}

function memberInfo(m: StructMemberDescriptor, offset: number, family: FamilyDescriptor, structName: string): MemberInfo {
  const kind = m.type === "pad" ? Kind.pad : attrKind({ type: m.type, displayHint: m.displayHint });
  let size: number;
  if (m.type === "pad" || m.type === "binary") {
    if (m.len === undefined) throw new SpecTableError(`struct ${structName}: member ${m.name} needs a len`);
    size = m.len;
  } else {
    const s = SCALAR_SIZES[m.type];
    if (s === undefined) throw new SpecTableError(`struct ${structName}: member type ${m.type} is not supported`);
    size = s;
  }
  const finalKind = kind === Kind.ipv6 && size !== 16 ? Kind.binary : kind === Kind.ipv4Bytes && size !== 4 ? Kind.binary : kind;
  return {
    key: m.key, kind: finalKind, littleEndian: isLittleEndian(m.byteOrder), offset, size,
    enumDesc: m.enum !== undefined ? family.enums[m.enum] : undefined,
  };
}

function structInfo(s: StructDescriptor, family: FamilyDescriptor): StructInfo {
  const members: MemberInfo[] = [];
  let offset = 0;
  for (const m of s.members) {
    const info = memberInfo(m, offset, family, s.name);
    members.push(info);
    offset += info.size;
  }
  return { name: s.name, size: Math.max(s.size, offset), members };
}

/** Turn a family descriptor into dense lookup tables (once, at codec creation). */
export function buildTables(family: FamilyDescriptor): FamilyTables {
  const structsByName = new Map<string, StructInfo>();
  for (const [name, s] of Object.entries(family.structs)) structsByName.set(name, structInfo(s, family));

  const sets: SetInfo[] = [];
  const setsByName = new Map<string, SetInfo>();
  const pendingNests: [AttrInfo, string][] = [];
  const pendingSubMessages: [AttrInfo, AttrInfo[]][] = [];
  Object.values(family.attributeSets).forEach((setDesc: AttrSetDescriptor, index) => {
    const attrs: AttrInfo[] = [];
    const byKey = new Map<string, AttrInfo>();
    let max = 0;
    for (const a of setDesc.attrs) {
      if (!Number.isInteger(a.value) || a.value < 0 || a.value > 0x3fff) {
        throw new SpecTableError(`${setDesc.name}.${a.name}: attribute value ${a.value} out of range`);
      }
      let kind = attrKind(a);
      const struct = kind === Kind.struct ? structsByName.get(a.struct!) : undefined;
      if (kind === Kind.struct && struct === undefined) throw new SpecTableError(`${setDesc.name}.${a.name}: unknown struct ${a.struct}`);
      if (kind === Kind.nest && a.nested === undefined) kind = Kind.binary;
      if (kind === Kind.subMessage && (a.subMessage === undefined || a.selector === undefined)) kind = Kind.binary;
      const info: AttrInfo = {
        desc: a, name: a.name, key: a.key, value: a.value, kind,
        littleEndian: isLittleEndian(a.byteOrder), multi: a.multiAttr === true,
        nested: undefined, struct, enumDesc: a.enum !== undefined ? family.enums[a.enum] : undefined,
        subMessage: undefined,
      };
      if (kind === Kind.nest) pendingNests.push([info, a.nested!]);
      if (kind === Kind.subMessage) pendingSubMessages.push([info, attrs]);
      attrs.push(info);
      if (kind !== Kind.pad) {
        if (byKey.has(a.key)) throw new SpecTableError(`${setDesc.name}: duplicate key ${a.key}`);
        byKey.set(a.key, info);
      }
      max = Math.max(max, a.value);
    }
    const byType: (AttrInfo | undefined)[] = new Array<AttrInfo | undefined>(max + 1).fill(undefined);
    for (const info of attrs) {
      // The first definition of a number wins; later duplicates are a spec error.
      if (byType[info.value] !== undefined) throw new SpecTableError(`${setDesc.name}: attribute number ${info.value} defined twice`);
      byType[info.value] = info;
    }
    const set: SetInfo = { name: setDesc.name, index, byType, byKey, attrs };
    sets.push(set);
    setsByName.set(setDesc.name, set);
  });
  for (const [info, nestedName] of pendingNests) {
    const nested = setsByName.get(nestedName);
    if (nested === undefined) throw new SpecTableError(`${info.name}: unknown nested set ${nestedName}`);
    info.nested = nested;
  }
  for (const [info, siblings] of pendingSubMessages) info.subMessage = subMessageInfo(family, info, siblings, setsByName, structsByName);
  return { family, sets, setsByName, structsByName };
}

const SELECTOR_KINDS = new Set<KindCode>([Kind.u8, Kind.u16, Kind.u32, Kind.s8, Kind.s16, Kind.s32, Kind.string]);

function subMessageInfo(
  family: FamilyDescriptor,
  info: AttrInfo,
  siblings: readonly AttrInfo[],
  setsByName: ReadonlyMap<string, SetInfo>,
  structsByName: ReadonlyMap<string, StructInfo>,
): SubMessageInfo {
  const where = `${info.name} (sub-message ${info.desc.subMessage})`;
  const desc = family.subMessages?.[info.desc.subMessage!];
  if (desc === undefined) throw new SpecTableError(`${where}: unknown sub-message`);
  const selector = siblings.find((s) => s.name === info.desc.selector);
  if (selector === undefined) throw new SpecTableError(`${where}: selector ${info.desc.selector} is not a sibling attribute`);
  if (!SELECTOR_KINDS.has(selector.kind)) throw new SpecTableError(`${where}: selector ${selector.name} is neither a string nor a fixed-size integer`);
  const formats = desc.formats.map((f): FormatInfo => {
    let selects: number | string = f.value;
    if (selector.kind !== Kind.string) {
      const entry = selector.enumDesc?.entries.find((e) => e.name === f.value);
      selects = entry !== undefined ? entry.value : /^-?[0-9]+$/.test(f.value) ? Number(f.value) : NaN;
      if (Number.isNaN(selects)) throw new SpecTableError(`${where}: format value ${f.value} is not a value of ${selector.name}`);
    }
    const set = f.attributeSet !== undefined ? setsByName.get(f.attributeSet) : undefined;
    if (f.attributeSet !== undefined && set === undefined) throw new SpecTableError(`${where}: unknown attribute set ${f.attributeSet}`);
    const struct = f.fixedHeader !== undefined ? structsByName.get(f.fixedHeader) : undefined;
    if (f.fixedHeader !== undefined && struct === undefined) throw new SpecTableError(`${where}: unknown struct ${f.fixedHeader}`);
    return { selects, struct, set, memberKeys: new Set(struct?.members.filter((m) => m.kind !== Kind.pad).map((m) => m.key) ?? []) };
  });
  return { name: desc.name, selector, formats };
}
