// Turns a structurally valid spec into the FamilyDescriptor the runtime interprets: resolves
// implicit values (resolve-values.ts), references between elements, keys and C names. Also returns
// what only the emitter needs (C names of enum entries and groups, resolved op message types).

import type {
  AttrDescriptor,
  AttrSetDescriptor,
  AttrType,
  ByteOrder,
  DisplayHint,
  EnumDescriptor,
  FamilyDescriptor,
  McastGroupDescriptor,
  OperationDescriptor,
  OpModeDescriptor,
  StructDescriptor,
  SubMessageDescriptor,
  StructMemberDescriptor,
} from "../src/schema/descriptor.js";
import { SpecError } from "./errors.js";
import { camelCase, cConstant, safeTypeName } from "./names.js";
import type { RawAttr, RawAttrSet, RawDefinition, RawEnumEntry, RawOperation, RawOpMode, RawSpec } from "./raw.js";
import {
  enumUserValue,
  resolveAttrValues,
  resolveDirectionalOps,
  resolveEnumRawValues,
  resolveIntOrDefine,
  resolveUnifiedOps,
  type OpValues,
} from "./resolve-values.js";

export interface CompiledOperation {
  readonly descriptor: OperationDescriptor;
  readonly values: OpValues;
  readonly isNotification: boolean;
}

export interface FamilyModel {
  readonly descriptor: FamilyDescriptor;
  /** Per enum: the C constant of each entry, in entry order. */
  readonly enumEntryCNames: ReadonlyMap<string, readonly string[]>;
  readonly operations: readonly CompiledOperation[];
  /** Per group name: its C define. */
  readonly mcastCNames: ReadonlyMap<string, string>;
}

const SCALAR_SIZES: Readonly<Record<string, number>> = { u8: 1, s8: 1, u16: 2, s16: 2, u32: 4, s32: 4, u64: 8, s64: 8 };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function buildFamilyModel(spec: RawSpec, file: string): FamilyModel {
  const fail = (path: string, message: string): never => {
    throw new SpecError(file, path, message);
  };
  const family = spec.name;
  const definitions = spec.definitions ?? [];

  const consts = new Map<string, number>();
  definitions.forEach((d) => {
    if (d.type === "const" && typeof d.value === "number") consts.set(d.name, d.value);
  });
  const intOrDefine = (v: string | number, path: string): number =>
    resolveIntOrDefine(v, consts) ?? fail(path, `cannot resolve ${JSON.stringify(v)} to a number`);

  // --- definitions: enums, flags, structs
  const seenDefs = new Set<string>();
  const enums: Record<string, EnumDescriptor> = {};
  const enumEntryCNames = new Map<string, string[]>();
  const structDefs: { def: RawDefinition; index: number }[] = [];
  definitions.forEach((d, i) => {
    const path = `definitions[${i}]`;
    if (seenDefs.has(d.name)) fail(path, `duplicate definition "${d.name}"`);
    seenDefs.add(d.name);
    if (d.type === "enum" || d.type === "flags") {
      // YNL allows an entry to be a bare name.
      const entries = (d.entries ?? []).map((e): RawEnumEntry => (typeof e === "string" ? { name: e } : e));
      const start = d["value-start"] === undefined ? 0 : intOrDefine(d["value-start"], `${path}.value-start`);
      const raw = resolveEnumRawValues(entries, start);
      const names = new Set<string>();
      const prefix = d["name-prefix"] ?? `${family}-${d.name}-`;
      enums[d.name] = {
        name: d.name,
        type: d.type,
        entries: entries.map((e, j) => {
          if (names.has(e.name)) fail(`${path}.entries[${j}]`, `duplicate entry "${e.name}"`);
          names.add(e.name);
          return { name: e.name, value: enumUserValue(raw[j]!, d.type === "flags"), ...(e.doc ? { doc: e.doc } : {}) };
        }),
        ...(d.doc ? { doc: d.doc } : {}),
      };
      enumEntryCNames.set(d.name, entries.map((e) => cConstant(prefix + e.name)));
    } else if (d.type === "struct") {
      structDefs.push({ def: d, index: i });
    }
  });

  const checkEnumRef = (name: string | undefined, path: string): void => {
    if (name !== undefined && !(name in enums)) fail(path, `unknown enum "${name}"`);
  };

  const structs: Record<string, StructDescriptor> = {};
  const structByName = new Map(structDefs.map((s) => [s.def.name, s]));
  const resolving = new Set<string>();
  const resolveStruct = (name: string, path: string): StructDescriptor => {
    const known = structs[name];
    if (known) return known;
    const entry = structByName.get(name) ?? fail(path, `unknown struct "${name}"`);
    if (resolving.has(name)) fail(path, `struct "${name}" contains itself`);
    resolving.add(name);
    const sPath = `definitions[${entry.index}]`;
    let size = 0;
    const members: StructMemberDescriptor[] = (entry.def.members ?? []).map((m, j) => {
      const mPath = `${sPath}.members[${j}]`;
      checkEnumRef(m.enum, `${mPath}.enum`);
      let len: number | undefined;
      if (m.type in SCALAR_SIZES) {
        size += SCALAR_SIZES[m.type]!;
      } else {
        len = m.len !== undefined ? intOrDefine(m.len, `${mPath}.len`) : resolveStruct(m.struct!, `${mPath}.struct`).size;
        size += len;
      }
      const out: Mutable<StructMemberDescriptor> = { name: m.name, key: camelCase(m.name), type: m.type as AttrType };
      if (m["byte-order"]) out.byteOrder = m["byte-order"] as ByteOrder;
      if (len !== undefined) out.len = len;
      if (m.enum) out.enum = m.enum;
      if (m["enum-as-flags"]) out.enumAsFlags = true;
      if (m["display-hint"]) out.displayHint = m["display-hint"] as DisplayHint;
      return out;
    });
    resolving.delete(name);
    const desc: StructDescriptor = { name, typeName: safeTypeName(name), members, size };
    structs[name] = desc;
    return desc;
  };
  // Keep the spec's order of structs in the output regardless of resolution order.
  structDefs.forEach((s) => resolveStruct(s.def.name, `definitions[${s.index}]`));
  const orderedStructs: Record<string, StructDescriptor> = {};
  structDefs.forEach((s) => (orderedStructs[s.def.name] = structs[s.def.name]!));

  // --- sub-messages (their references are checked once the attribute sets exist)
  const rawSubMessages = new Map((spec["sub-messages"] ?? []).map((sm, i) => [sm.name, { sm, index: i }]));
  if (rawSubMessages.size !== (spec["sub-messages"] ?? []).length) fail("sub-messages", "duplicate sub-message name");

  // --- attribute sets
  const rawSets = new Map<string, { set: RawAttrSet; index: number }>();
  spec["attribute-sets"].forEach((set, i) => {
    if (rawSets.has(set.name)) fail(`attribute-sets[${i}]`, `duplicate attribute set "${set.name}"`);
    rawSets.set(set.name, { set, index: i });
  });
  const setPrefix = (set: RawAttrSet): string => {
    if (set["subset-of"]) {
      const parent = rawSets.get(set["subset-of"]);
      if (parent) return setPrefix(parent.set);
    }
    return set["name-prefix"] ?? (set.name === family ? `${family}-a-` : `${family}-a-${set.name}-`);
  };

  const parentValues = new Map<string, Map<string, { attr: RawAttr; value: number }>>();
  for (const [name, { set }] of rawSets) {
    if (set["subset-of"]) continue;
    const values = resolveAttrValues(set.attributes);
    parentValues.set(name, new Map(set.attributes.map((a, j) => [a.name, { attr: a, value: values[j]! }])));
  }

  const attributeSets: Record<string, AttrSetDescriptor> = {};
  for (const [name, { set, index }] of rawSets) {
    const path = `attribute-sets[${index}]`;
    const prefix = setPrefix(set);
    let resolved: { attr: RawAttr; value: number }[];
    if (set["subset-of"]) {
      const parent = parentValues.get(set["subset-of"]) ?? fail(`${path}.subset-of`, `unknown attribute set "${set["subset-of"]}"`);
      resolved = set.attributes.map((a, j) => {
        const p = parent.get(a.name) ?? fail(`${path}.attributes[${j}]`, `"${a.name}" is not in "${set["subset-of"]}"`);
        return { attr: { ...p.attr, ...a }, value: p.value };
      });
    } else {
      resolved = set.attributes.map((a) => parentValues.get(name)!.get(a.name)!);
    }
    const byValue = new Map<number, string>();
    const names = new Set<string>();
    const attrs = resolved.map(({ attr, value }, j) => {
      const aPath = `${path}.attributes[${j}]`;
      if (names.has(attr.name)) fail(aPath, `duplicate attribute "${attr.name}"`);
      names.add(attr.name);
      const clash = byValue.get(value);
      if (clash !== undefined) fail(aPath, `"${attr.name}" has the same value ${value} as "${clash}"`);
      byValue.set(value, attr.name);
      return buildAttr(attr, value, attr["name-prefix"] ?? prefix, aPath);
    });
    attributeSets[name] = {
      name,
      typeName: safeTypeName(name),
      attrs,
      ...(set.doc ? { doc: set.doc } : {}),
    };
  }

  function buildAttr(a: RawAttr, value: number, prefix: string, path: string): AttrDescriptor {
    const type = (a.type ?? fail(path, "missing type")) as AttrType;
    if (a["nested-attributes"] !== undefined && !rawSets.has(a["nested-attributes"])) {
      fail(`${path}.nested-attributes`, `unknown attribute set "${a["nested-attributes"]}"`);
    }
    checkEnumRef(a.enum, `${path}.enum`);
    if (a.struct !== undefined && !(a.struct in structs)) fail(`${path}.struct`, `unknown struct "${a.struct}"`);
    const out: Mutable<AttrDescriptor> = { name: a.name, key: camelCase(a.name), cName: cConstant(prefix + a.name), value, type };
    if (a["byte-order"]) out.byteOrder = a["byte-order"] as ByteOrder;
    if (a["nested-attributes"]) out.nested = a["nested-attributes"];
    if (a.enum) out.enum = a.enum;
    if (a["enum-as-flags"]) out.enumAsFlags = true;
    if (a["display-hint"]) out.displayHint = a["display-hint"] as DisplayHint;
    if (a.struct) out.struct = a.struct;
    if (a["multi-attr"]) out.multiAttr = true;
    if (type === "sub-message") {
      const sub = a["sub-message"] ?? fail(path, 'a sub-message needs "sub-message"');
      if (!rawSubMessages.has(sub)) fail(`${path}.sub-message`, `unknown sub-message "${sub}"`);
      out.subMessage = sub;
      out.selector = a.selector ?? fail(path, 'a sub-message needs "selector"');
    }
    const checks = a.checks ?? {};
    const check = (key: string): number | undefined =>
      checks[key] === undefined ? undefined : intOrDefine(checks[key] as string | number, `${path}.checks.${key}`);
    const exactLen = check("exact-len");
    const maxLen = check("max-len");
    const minLen = check("min-len");
    if (exactLen !== undefined) out.exactLen = exactLen;
    if (maxLen !== undefined) out.maxLen = maxLen;
    if (minLen !== undefined) out.minLen = minLen;
    if (a.doc) out.doc = a.doc;
    return out;
  }

  const subMessages: Record<string, SubMessageDescriptor> = {};
  for (const [name, { sm, index }] of rawSubMessages) {
    const path = `sub-messages[${index}]`;
    const values = new Set<string>();
    subMessages[name] = {
      name,
      formats: sm.formats.map((f, j) => {
        const fPath = `${path}.formats[${j}]`;
        if (values.has(f.value)) fail(`${fPath}.value`, `duplicate format value "${f.value}"`);
        values.add(f.value);
        const fixed = f["fixed-header"];
        const set = f["attribute-set"];
        if (fixed !== undefined && !(fixed in structs)) fail(`${fPath}.fixed-header`, `unknown struct "${fixed}"`);
        if (set !== undefined && !(set in attributeSets)) fail(`${fPath}.attribute-set`, `unknown attribute set "${set}"`);
        return { value: f.value, ...(fixed !== undefined ? { fixedHeader: fixed } : {}), ...(set !== undefined ? { attributeSet: set } : {}) };
      }),
    };
  }
  // Each sub-message attribute's selector is a sibling whose values can name every format.
  for (const [setName, { index }] of rawSets) {
    const set = attributeSets[setName]!;
    set.attrs.forEach((a, j) => {
      if (a.type !== "sub-message") return;
      const aPath = `attribute-sets[${index}].attributes[${j}]`;
      const selector = set.attrs.find((b) => b.name === a.selector) ?? fail(`${aPath}.selector`, `"${a.selector}" is not an attribute of "${setName}" (only a sibling can select)`);
      for (const f of subMessages[a.subMessage!]!.formats) {
        const problem = selectorValueProblem(selector, f.value, enums);
        if (problem !== undefined) fail(`${aPath}.selector`, `format "${f.value}" of "${a.subMessage}": ${problem}`);
      }
    });
  }

  // --- operations
  const model = spec.operations["enum-model"] ?? "unified";
  const opList = spec.operations.list;
  const values = model === "directional" ? resolveDirectionalOps(opList) : resolveUnifiedOps(opList);
  const defaultFixedHeader = spec.operations["fixed-header"];
  const mcastNames = new Set((spec["mcast-groups"]?.list ?? []).map((g) => g.name));
  const opsByName = new Map<string, RawOperation>();
  opList.forEach((op, i) => {
    if (opsByName.has(op.name)) fail(`operations.list[${i}]`, `duplicate operation "${op.name}"`);
    opsByName.set(op.name, op);
  });

  const checkAttrNames = (setName: string, attrs: readonly string[] | undefined, path: string): void => {
    const set = attributeSets[setName];
    if (!set || !attrs) return;
    attrs.forEach((n, i) => {
      if (!set.attrs.some((a) => a.name === n)) fail(`${path}[${i}]`, `"${n}" is not an attribute of "${setName}"`);
    });
  };

  const operations: CompiledOperation[] = opList.map((op, i) => {
    const path = `operations.list[${i}]`;
    const v = values[i]!;
    const notifyTarget =
      op.notify === undefined ? undefined : (opsByName.get(op.notify) ?? fail(`${path}.notify`, `unknown operation "${op.notify}"`));
    const attributeSet = op["attribute-set"] ?? notifyTarget?.["attribute-set"] ?? "";
    if (attributeSet && !(attributeSet in attributeSets)) fail(`${path}.attribute-set`, `unknown attribute set "${attributeSet}"`);
    const fixedHeader = op["fixed-header"] ?? defaultFixedHeader;
    if (fixedHeader !== undefined && !(fixedHeader in structs)) fail(`${path}.fixed-header`, `unknown struct "${fixedHeader}"`);
    if (op.mcgrp !== undefined && !mcastNames.has(op.mcgrp)) fail(`${path}.mcgrp`, `unknown multicast group "${op.mcgrp}"`);

    const desc: Mutable<OperationDescriptor> = { name: op.name, key: camelCase(op.name), attributeSet };
    if (fixedHeader !== undefined) desc.fixedHeader = fixedHeader;
    for (const modeName of ["do", "dump"] as const) {
      const mode = op[modeName];
      if (!mode) continue;
      checkAttrNames(attributeSet, mode.request?.attributes, `${path}.${modeName}.request.attributes`);
      checkAttrNames(attributeSet, mode.reply?.attributes, `${path}.${modeName}.reply.attributes`);
      desc[modeName] = buildMode(mode, v);
    }
    if (op.event !== undefined || notifyTarget !== undefined) {
      const attrs = op.event?.attributes ?? notifyTarget?.do?.reply?.attributes ?? [];
      checkAttrNames(attributeSet, op.event?.attributes, `${path}.event.attributes`);
      desc.event = { value: v.reply ?? fail(path, "notification without a message type"), attrs };
    }
    if (op.mcgrp !== undefined) desc.mcgrp = op.mcgrp;
    if (op.doc) desc.doc = op.doc;
    return { descriptor: desc, values: v, isNotification: desc.event !== undefined };
  });

  // --- multicast groups
  const mcastCNames = new Map<string, string>();
  const mcastGroups: McastGroupDescriptor[] = (spec["mcast-groups"]?.list ?? []).map((g, i) => {
    const value = g.value ?? fail(`mcast-groups.list[${i}]`, `group "${g.name}" has no value (netlink-raw groups need one)`);
    mcastCNames.set(g.name, cConstant(g["c-define-name"] ?? `${family}-mcgrp-${g.name}`));
    return { name: g.name, value };
  });

  const descriptor: Mutable<FamilyDescriptor> = {
    name: family,
    protocol: (spec.protocol ?? "genetlink") as FamilyDescriptor["protocol"],
    enums,
    structs: orderedStructs,
    attributeSets,
    operations: operations.map((o) => o.descriptor),
    mcastGroups,
  };
  if (spec.protonum !== undefined) descriptor.protonum = spec.protonum;
  if (defaultFixedHeader !== undefined) descriptor.fixedHeader = defaultFixedHeader;
  // Keep a stable key order: name, protocol, protonum, fixedHeader, then the tables.
  const ordered: FamilyDescriptor = {
    name: descriptor.name,
    protocol: descriptor.protocol,
    ...(descriptor.protonum !== undefined ? { protonum: descriptor.protonum } : {}),
    ...(descriptor.fixedHeader !== undefined ? { fixedHeader: descriptor.fixedHeader } : {}),
    enums,
    structs: orderedStructs,
    attributeSets,
    ...(Object.keys(subMessages).length > 0 ? { subMessages } : {}),
    operations: descriptor.operations,
    mcastGroups,
  };
  return { descriptor: ordered, enumEntryCNames, operations, mcastCNames };
}

const INTEGER_SELECTORS = new Set(["u8", "u16", "u32", "s8", "s16", "s32"]);

/** Why a format value cannot match the selector attribute (undefined when it can). */
function selectorValueProblem(selector: AttrDescriptor, value: string, enums: Readonly<Record<string, EnumDescriptor>>): string | undefined {
  if (selector.type === "string") return undefined;
  if (!INTEGER_SELECTORS.has(selector.type)) return `a ${selector.type} attribute cannot select (use a string or a fixed-size integer)`;
  if (selector.enum !== undefined) {
    if (selector.enumAsFlags) return "a flags attribute cannot select";
    return enums[selector.enum]!.entries.some((e) => e.name === value) ? undefined : `"${value}" is not an entry of enum "${selector.enum}"`;
  }
  return /^-?[0-9]+$/.test(value) ? undefined : `"${value}" is not a decimal number (the selector has no enum)`;
}

function buildMode(mode: RawOpMode, v: OpValues): OpModeDescriptor {
  const out: Mutable<OpModeDescriptor> = {};
  const requestValue = mode.request?.value || v.request;
  if (requestValue !== undefined) out.requestValue = requestValue;
  if (mode.request) out.requestAttrs = mode.request.attributes ?? [];
  if (mode.reply) {
    const replyValue = mode.reply.value || v.reply;
    if (replyValue !== undefined) out.replyValue = replyValue;
    out.replyAttrs = mode.reply.attributes ?? [];
  }
  return out;
}
