// Checks a FamilyDescriptor for internal consistency, the way the runtime relies on it:
// every reference resolves, wire ids and keys are unique per set, struct sizes add up.

import type { FamilyDescriptor } from "../../src/schema/descriptor.js";

const SCALAR_SIZES: Record<string, number> = { u8: 1, s8: 1, u16: 2, s16: 2, u32: 4, s32: 4, u64: 8, s64: 8 };

export function descriptorProblems(f: FamilyDescriptor): string[] {
  const problems: string[] = [];
  const typeNames = new Set<string>();
  for (const [name, s] of Object.entries(f.structs)) {
    if (s.name !== name) problems.push(`struct ${name}: name mismatch`);
    const size = s.members.reduce((n, m) => n + (SCALAR_SIZES[m.type] ?? m.len ?? NaN), 0);
    if (size !== s.size) problems.push(`struct ${name}: size ${s.size} but members add up to ${size}`);
    if (typeNames.has(s.typeName)) problems.push(`type name ${s.typeName} used twice`);
    typeNames.add(s.typeName);
  }
  for (const [name, set] of Object.entries(f.attributeSets)) {
    if (set.name !== name) problems.push(`set ${name}: name mismatch`);
    if (typeNames.has(set.typeName)) problems.push(`type name ${set.typeName} used twice`);
    typeNames.add(set.typeName);
    const values = new Set<number>();
    const keys = new Set<string>();
    for (const a of set.attrs) {
      const where = `${name}.${a.name}`;
      if (!Number.isInteger(a.value) || a.value < 0 || a.value > 0x3fff) problems.push(`${where}: bad value ${a.value}`);
      if (values.has(a.value)) problems.push(`${where}: value ${a.value} used twice`);
      values.add(a.value);
      if (keys.has(a.key)) problems.push(`${where}: key ${a.key} used twice`);
      keys.add(a.key);
      if (a.key === "$unknown") problems.push(`${where}: key collides with $unknown`);
      if ((a.type === "nest" || a.type === "indexed-array") && a.nested !== undefined && !(a.nested in f.attributeSets)) {
        problems.push(`${where}: unknown nested set ${a.nested}`);
      }
      if (a.type === "nest" && a.nested === undefined) problems.push(`${where}: nest without nested set`);
      if (a.enum !== undefined && !(a.enum in f.enums)) problems.push(`${where}: unknown enum ${a.enum}`);
      if (a.struct !== undefined && !(a.struct in f.structs)) problems.push(`${where}: unknown struct ${a.struct}`);
    }
  }
  const groups = new Set(f.mcastGroups.map((g) => g.name));
  for (const op of f.operations) {
    const set = f.attributeSets[op.attributeSet];
    if (!set) problems.push(`op ${op.name}: unknown attribute set ${op.attributeSet}`);
    if (op.fixedHeader !== undefined && !(op.fixedHeader in f.structs)) problems.push(`op ${op.name}: unknown fixed header`);
    if (op.mcgrp !== undefined && !groups.has(op.mcgrp)) problems.push(`op ${op.name}: unknown group ${op.mcgrp}`);
    const lists = [op.do?.requestAttrs, op.do?.replyAttrs, op.dump?.requestAttrs, op.dump?.replyAttrs, op.event?.attrs];
    for (const list of lists) {
      for (const n of list ?? []) {
        if (set && !set.attrs.some((a) => a.name === n)) problems.push(`op ${op.name}: unknown attribute ${n}`);
      }
    }
    if (!op.do && !op.dump && !op.event) problems.push(`op ${op.name}: neither call nor notification`);
  }
  return problems;
}
