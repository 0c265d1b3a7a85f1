// Lists every way our compiled spec differs from a compiled kernel spec, as stable strings
// ("attr:nat-attrs.nat-proto:value(5→3)"), so a test can compare them with a reviewed list.
// Additions on our side (new sets, attributes, entries, operations) are not differences.

import type { AttrDescriptor, FamilyDescriptor, OpModeDescriptor } from "../../src/schema/descriptor.js";

const NUMERIC = new Set(["u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "uint", "sint"]);

function findAttr(attrs: readonly AttrDescriptor[], name: string): { attr: AttrDescriptor; renamed: boolean } | undefined {
  const exact = attrs.find((a) => a.name === name);
  if (exact) return { attr: exact, renamed: false };
  const fixed = attrs.find((a) => a.name === name.replace(/ /g, "-"));
  return fixed ? { attr: fixed, renamed: true } : undefined;
}

function listDiff(kernel: readonly string[] | undefined, ours: readonly string[] | undefined): string | undefined {
  const k = new Set((kernel ?? []).map((n) => n.replace(/ /g, "-")));
  const o = new Set(ours ?? []);
  const changes = [...[...k].filter((n) => !o.has(n)).map((n) => `-${n}`), ...[...o].filter((n) => !k.has(n)).map((n) => `+${n}`)];
  const duplicates = (kernel ?? []).length !== k.size ? ["dup"] : [];
  const all = [...changes.sort(), ...duplicates];
  return all.length > 0 ? all.join(",") : undefined;
}

export function diffAgainstKernel(kernel: FamilyDescriptor, ours: FamilyDescriptor): string[] {
  const out: string[] = [];

  for (const [name, kEnum] of Object.entries(kernel.enums)) {
    const oEnum = ours.enums[name];
    if (!oEnum) {
      out.push(`enum:${name}:missing`);
      continue;
    }
    if (oEnum.type !== kEnum.type) out.push(`enum:${name}:type(${kEnum.type}→${oEnum.type})`);
    for (const entry of kEnum.entries) {
      const mine = oEnum.entries.find((e) => e.name === entry.name);
      if (!mine) out.push(`enum:${name}.${entry.name}:missing`);
      else if (mine.value !== entry.value) out.push(`enum:${name}.${entry.name}:value(${entry.value}→${mine.value})`);
    }
  }

  for (const [name, kStruct] of Object.entries(kernel.structs)) {
    const oStruct = ours.structs[name];
    if (!oStruct) {
      out.push(`struct:${name}:missing`);
      continue;
    }
    if (JSON.stringify(oStruct.members) !== JSON.stringify(kStruct.members)) out.push(`struct:${name}:members`);
  }

  for (const [setName, kSet] of Object.entries(kernel.attributeSets)) {
    const oSet = ours.attributeSets[setName];
    if (!oSet) {
      out.push(`set:${setName}:missing`);
      continue;
    }
    for (const k of kSet.attrs) {
      const where = `attr:${setName}.${k.name}`;
      const found = findAttr(oSet.attrs, k.name);
      if (!found) {
        out.push(`${where}:missing`);
        continue;
      }
      const o = found.attr;
      if (found.renamed) out.push(`${where}:renamed(${o.name})`);
      if (o.value !== k.value) out.push(`${where}:value(${k.value}→${o.value})`);
      if (o.type !== k.type) out.push(`${where}:type(${k.type}→${o.type})`);
      if (o.nested !== k.nested) out.push(`${where}:nested(${k.nested}→${o.nested})`);
      if (NUMERIC.has(k.type) && NUMERIC.has(o.type) && o.byteOrder !== k.byteOrder) {
        out.push(`${where}:byteOrder(${k.byteOrder ?? "host"}→${o.byteOrder ?? "host"})`);
      }
      if (o.enum !== k.enum) out.push(`${where}:enum(${k.enum}→${o.enum})`);
      if (o.displayHint !== k.displayHint) out.push(`${where}:displayHint(${k.displayHint}→${o.displayHint})`);
      if (o.struct !== k.struct) out.push(`${where}:struct(${k.struct}→${o.struct})`);
    }
  }

  for (const kOp of kernel.operations) {
    const requestValue = kOp.do?.requestValue ?? kOp.dump?.requestValue;
    const oOp = ours.operations.find((o) => (o.do?.requestValue ?? o.dump?.requestValue) === requestValue);
    const where = `op:${kOp.name}`;
    if (!oOp) {
      out.push(`${where}:missing`);
      continue;
    }
    if (oOp.name !== kOp.name) out.push(`${where}:renamed(${oOp.name})`);
    if (oOp.attributeSet !== kOp.attributeSet) out.push(`${where}:attributeSet(${oOp.attributeSet})`);
    if (oOp.fixedHeader !== kOp.fixedHeader) out.push(`${where}:fixedHeader(${oOp.fixedHeader})`);
    for (const modeName of ["do", "dump"] as const) {
      const km: OpModeDescriptor | undefined = kOp[modeName];
      const om: OpModeDescriptor | undefined = oOp[modeName];
      if (!km) continue;
      if (!om) {
        out.push(`${where}.${modeName}:missing`);
        continue;
      }
      if (om.requestValue !== km.requestValue) out.push(`${where}.${modeName}.request:value`);
      if (om.replyValue !== km.replyValue) out.push(`${where}.${modeName}.reply:value`);
      const req = listDiff(km.requestAttrs, om.requestAttrs);
      if (req) out.push(`${where}.${modeName}.request:attrs(${req})`);
      const rep = listDiff(km.replyAttrs, om.replyAttrs);
      if (rep) out.push(`${where}.${modeName}.reply:attrs(${rep})`);
    }
  }
  return out.sort();
}
