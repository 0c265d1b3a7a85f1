// Prints plain data as a TypeScript literal: deterministic (insertion order), one line per flat
// object (so each attribute descriptor is one reviewable line), message types in hex.

import { propertyKey } from "./names.js";

const HEX_KEYS = new Set(["requestValue", "replyValue"]);
const MAX_INLINE_ARRAY = 100;

type Data = string | number | boolean | readonly Data[] | { readonly [key: string]: Data };

function isPrimitive(v: unknown): boolean {
  return typeof v !== "object" || v === null;
}

function formatNumber(n: number, key: string | undefined, parentKey: string | undefined): string {
  const hex = (key !== undefined && HEX_KEYS.has(key)) || (key === "value" && parentKey === "event");
  return hex ? `0x${n.toString(16)}` : String(n);
}

function print(v: Data, indent: string, key: string | undefined, parentKey: string | undefined): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") return formatNumber(v, key, parentKey);
  if (typeof v === "boolean") return String(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    const items = v.map((item) => print(item, inner, undefined, key));
    if (v.every(isPrimitive)) {
      const line = `[${items.join(", ")}]`;
      if (line.length <= MAX_INLINE_ARRAY) return line;
    }
    return `[\n${items.map((s) => `${inner}${s},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(v as { readonly [key: string]: Data });
  if (entries.length === 0) return "{}";
  const fields = entries.map(([k, value]) => `${propertyKey(k)}: ${print(value, inner, k, key)}`);
  if (entries.every(([, value]) => isPrimitive(value))) return `{ ${fields.join(", ")} }`;
  return `{\n${fields.map((s) => `${inner}${s},`).join("\n")}\n${indent}}`;
}

export function toTsLiteral(value: unknown, indent = ""): string {
  return print(value as Data, indent, undefined, undefined);
}
