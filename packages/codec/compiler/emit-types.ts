// TypeScript types for decoded values, following the codec's value conventions:
// u64/s64 → bigint, ipv4/ipv6 display hints → string, enums/flags → number, binary → Uint8Array,
// binary with struct → the struct's interface, nest → the nested set's interface, multi-attr → array.

import type { AttrDescriptor, FamilyDescriptor, StructMemberDescriptor } from "../src/schema/descriptor.js";
import { propertyKey } from "./names.js";

const ADDRESS_HINTS = new Set(["ipv4", "ipv6", "ipv4-or-v6"]);
const NUMBER_TYPES = new Set(["u8", "u16", "u32", "s8", "s16", "s32"]);

/** JSDoc text on one line; "*\/" cannot end the comment early. */
export function docComment(text: string, indent: string): string {
  const line = text.replace(/\s+/g, " ").trim().replace(/\*\//g, "*\\/");
  return `${indent}/** ${line} */`;
}

function scalarType(type: string, displayHint: string | undefined): string | undefined {
  if (displayHint !== undefined && ADDRESS_HINTS.has(displayHint) && (NUMBER_TYPES.has(type) || type === "binary")) return "string";
  if (NUMBER_TYPES.has(type)) return "number";
  if (type === "u64" || type === "s64") return "bigint";
  if (type === "uint" || type === "sint") return "number | bigint";
  if (type === "string") return "string";
  if (type === "binary") return "Uint8Array";
  return undefined;
}

/** The value type of an attribute, or undefined for attributes that never appear as keys (pad, unused). */
export function attrValueType(a: AttrDescriptor, family: FamilyDescriptor): string | undefined {
  let base: string;
  switch (a.type) {
    case "pad":
    case "unused":
      return undefined;
    case "flag":
      base = "true";
      break;
    case "bitfield32":
      base = "{ value: number; selector: number }";
      break;
    case "nest":
      base = family.attributeSets[a.nested!]!.typeName;
      break;
    case "indexed-array":
      base = a.nested !== undefined ? `${family.attributeSets[a.nested]!.typeName}[]` : "unknown[]";
      break;
    case "nest-type-value":
      base = "unknown";
      break;
    case "sub-message":
      base = subMessageType(a, family);
      break;
    default:
      base = a.struct !== undefined ? family.structs[a.struct]!.typeName : (scalarType(a.type, a.displayHint) ?? "unknown");
  }
  if (!a.multiAttr) return base;
  return /^[A-Za-z0-9_]+$/.test(base) ? `${base}[]` : `(${base})[]`;
}

/**
 * A sub-message's value: one of its formats (fixed-header members and attributes side by side).
 * A payload whose selector names no format is kept in $unknown, so it never needs a type here.
 */
function subMessageType(a: AttrDescriptor, family: FamilyDescriptor): string {
  const formats = family.subMessages?.[a.subMessage!]?.formats ?? [];
  const types = new Set<string>();
  for (const f of formats) {
    const parts = [f.fixedHeader, f.attributeSet].flatMap((name, i) => {
      if (name === undefined) return [];
      return [i === 0 ? family.structs[name]!.typeName : family.attributeSets[name]!.typeName];
    });
    types.add(parts.length === 0 ? "Record<string, never>" : parts.join(" & "));
  }
  if (types.size === 0) return "never";
  return [...types].join(" | ");
}

function memberValueType(m: StructMemberDescriptor): string | undefined {
  if (m.type === "pad") return undefined;
  return scalarType(m.type, m.displayHint) ?? "unknown";
}

export function emitStructInterfaces(family: FamilyDescriptor): string[] {
  return Object.values(family.structs).map((s) => {
    const lines = [`export interface ${s.typeName} {`];
    for (const m of s.members) {
      const type = memberValueType(m);
      if (type === undefined) continue;
      lines.push(`  ${propertyKey(m.key)}: ${type};`);
    }
    lines.push("}");
    return [docComment(`Struct ${s.name} (${s.size} bytes).`, ""), ...lines].join("\n");
  });
}

export function emitAttrSetInterfaces(family: FamilyDescriptor): string[] {
  return Object.values(family.attributeSets).map((set) => {
    const lines = [docComment(`Attribute set ${set.name}${set.doc ? `: ${set.doc}` : "."}`, ""), `export interface ${set.typeName} {`];
    for (const a of set.attrs) {
      const type = attrValueType(a, family);
      if (type === undefined) continue;
      lines.push(docComment(a.doc ? `${a.cName}: ${a.doc}` : a.cName, "  "));
      lines.push(`  ${propertyKey(a.key)}?: ${type};`);
    }
    lines.push("  /** Attributes this spec does not describe (and pads), kept for byte-exact re-encoding. */");
    lines.push("  $unknown?: UnknownAttr[];");
    lines.push("}");
    return lines.join("\n");
  });
}
