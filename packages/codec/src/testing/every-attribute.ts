// A value holding every attribute of an attribute set (every nest filled in, down to a depth
// limit), for drift guards: whatever reads messages must handle each attribute the spec knows.
// Values vary with `seed` so that two messages differ in every field.
import type { AttrDescriptor, FamilyDescriptor, StructDescriptor } from "../schema/descriptor.js";

const TEXT = ["ftp", "sip", "system_u:object_r:unlabeled_t:s0", "nat-follow-master", "tftp"];

function sampleScalar(a: { type: string; displayHint?: string | undefined; len?: number | undefined }, n: number): unknown {
  const v = n & 0x7f;
  switch (a.type) {
    case "u8": return 1 + (v % 200);
    case "s8": return -1 - (v % 100);
    case "u16": return 1000 + v;
    case "s16": return -1000 - v;
    case "u32":
      return a.displayHint === "ipv4" ? `10.${v}.0.${1 + (n % 250)}` : 100_000 + v;
    case "s32": return -100_000 - v;
    case "u64": return 2n ** 53n + BigInt(n);
    case "s64": return -(2n ** 40n) - BigInt(n);
    case "uint": return 70_000 + v;
    case "sint": return -70_000 - v;
    case "flag": return true;
    case "string": return TEXT[n % TEXT.length];
    case "bitfield32": return { value: 5 + v, selector: 7 };
    case "binary":
      if (a.displayHint === "ipv4") return `192.0.2.${1 + (n % 250)}`;
      if (a.displayHint === "ipv6") return `2001:db8::${(n % 0xffff).toString(16)}`;
      if (a.displayHint === "ipv4-or-v6") return `198.51.100.${1 + (n % 250)}`;
      return Uint8Array.from({ length: a.len ?? 16 }, (_, i) => (i * 37 + n) & 0xff);
    default: return undefined;
  }
}

function sampleStruct(s: StructDescriptor, n: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  s.members.forEach((m, i) => {
    if (m.type !== "pad") o[m.key] = sampleScalar(m, n + i);
  });
  return o;
}

function sampleAttr(family: FamilyDescriptor, a: AttrDescriptor, n: number, depth: number): unknown {
  if (a.type === "nest" && a.nested !== undefined) return depth >= 6 ? {} : everyAttributeValue(family, a.nested, n, depth + 1);
  if (a.struct !== undefined) return sampleStruct(family.structs[a.struct]!, n);
  if (a.type === "sub-message" || a.type === "indexed-array" || a.type === "nest-type-value" || a.type === "nest") return undefined;
  const v = sampleScalar(a, n);
  return a.multiAttr === true && v !== undefined ? [v] : v;
}

/**
 * Every attribute of `set` with a sample value (pads, unused numbers and sub-messages left out).
 * Addresses are IPv4 or IPv6 as the attribute's hint says, so a tuple carries both families.
 */
export function everyAttributeValue(family: FamilyDescriptor, set: string, seed = 0, depth = 0): Record<string, unknown> {
  const desc = family.attributeSets[set];
  if (desc === undefined) throw new Error(`${family.name} has no attribute set ${set}`);
  const o: Record<string, unknown> = {};
  desc.attrs.forEach((a, i) => {
    if (a.type === "pad" || a.type === "unused") return;
    const v = sampleAttr(family, a, seed * 31 + i, depth);
    if (v !== undefined) o[a.key] = v;
  });
  return o;
}
