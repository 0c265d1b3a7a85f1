// Assembles the generated module: data and types only, no logic. Output depends on nothing but
// the model, so compiling the same spec twice gives the same bytes.

import { SpecError } from "./errors.js";
import { emitAttrSetInterfaces, emitStructInterfaces, docComment } from "./emit-types.js";
import { toTsLiteral } from "./emit-literal.js";
import type { FamilyModel } from "./model.js";
import { isSetLayout, slotted, viewLayouts } from "../src/codec/view-layout.js";
import { camelCase, propertyKey, safeIdentifier, safeTypeName } from "./names.js";

export interface EmitOptions {
  /** Spec path as printed in the header, e.g. "spec/conntrack.yaml". */
  readonly specPath: string;
  /** Where the generated file imports the descriptor types from. */
  readonly descriptorImport?: string;
}

const SCALAR_SIZES: Readonly<Record<string, number>> = { u8: 1, s8: 1, u16: 2, s16: 2, u32: 4, s32: 4, u64: 8, s64: 8 };

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function constObject(name: string, doc: string, entries: readonly { key: string; value: string; doc?: string }[]): string {
  const lines = [docComment(doc, ""), `export const ${name} = {`];
  for (const e of entries) {
    if (e.doc) lines.push(docComment(e.doc, "  "));
    lines.push(`  ${propertyKey(e.key)}: ${e.value},`);
  }
  lines.push("} as const;");
  return lines.join("\n");
}

export function emitFamilyModule(model: FamilyModel, options: EmitOptions): string {
  const family = model.descriptor;
  const familyType = safeTypeName(family.name);
  const file = options.specPath;
  const topLevel = new Map<string, string>();
  const claim = (id: string, what: string): string => {
    const previous = topLevel.get(id);
    if (previous !== undefined) throw new SpecError(file, "", `${what} and ${previous} both become the identifier "${id}"`);
    topLevel.set(id, what);
    return id;
  };

  const sections: string[] = [];

  for (const e of Object.values(family.enums)) {
    const name = claim(safeTypeName(e.name), `${e.type} "${e.name}"`);
    claim(`${name}Value`, `${e.type} "${e.name}" (value type)`);
    const cNames = model.enumEntryCNames.get(e.name) ?? [];
    const entries = e.entries.map((entry, i) => ({
      key: camelCase(entry.name),
      value: e.type === "flags" ? hex(entry.value) : String(entry.value),
      doc: [cNames[i], entry.doc].filter(Boolean).join(": "),
    }));
    const doc = `${e.type === "flags" ? "Flags" : "Enum"} ${e.name}${e.doc ? `: ${e.doc}` : "."}`;
    sections.push(
      `${constObject(name, doc, entries)}\nexport type ${name}Value = (typeof ${name})[keyof typeof ${name}];`,
    );
  }

  for (const s of Object.values(family.structs)) claim(s.typeName, `struct "${s.name}"`);
  sections.push(...emitStructInterfaces(family));
  for (const set of Object.values(family.attributeSets)) claim(set.typeName, `attribute set "${set.name}"`);
  sections.push(...emitAttrSetInterfaces(family));

  // Numbers of every attribute, slots of every viewable set, offsets of every struct member:
  // nothing outside generated code spells an attribute number.
  const layouts = viewLayouts(family);
  for (const set of Object.values(family.attributeSets)) {
    const numbered = set.attrs.filter(slotted);
    sections.push(
      constObject(
        claim(`${set.typeName}Type`, `the attribute numbers of "${set.name}"`),
        `nla_type of each attribute of ${set.name}.`,
        numbered.map((a) => ({ key: a.key, value: String(a.value), doc: a.cName })),
      ),
    );
    const layout = layouts.get(set.name)!;
    if (!isSetLayout(layout)) continue;
    sections.push(
      constObject(
        claim(`${set.typeName}Slot`, `the view slots of "${set.name}"`),
        `MessageView slots of ${set.name}, relative to the set's first slot; a nest's own attributes ` +
          "start at its slot + 1. $size is the slots the whole subtree takes.",
        [
          ...numbered.map((a) => ({ key: a.key, value: String(layout.slots.get(a.key)!), doc: a.cName })),
          { key: "$size", value: String(layout.size) },
        ],
      ),
    );
  }
  for (const st of Object.values(family.structs)) {
    let offset = 0;
    const members: { key: string; value: string }[] = [];
    for (const m of st.members) {
      if (m.type !== "pad") members.push({ key: m.key, value: String(offset) });
      offset += m.len ?? SCALAR_SIZES[m.type] ?? 0;
    }
    sections.push(
      constObject(claim(`${st.typeName}Offset`, `the member offsets of struct "${st.name}"`), `Byte offset of each member of struct ${st.name}.`, members),
    );
  }

  const requests = model.operations.filter((o) => o.values.request !== undefined && !o.isNotification);
  const replies = model.operations.filter((o) => o.values.reply !== undefined && !o.isNotification);
  const events = model.operations.filter((o) => o.isNotification);
  const opEntry = (value: number, doc: string | undefined, key: string) => ({ key, value: hex(value), ...(doc ? { doc } : {}) });
  sections.push(
    constObject(
      claim(`${familyType}Request`, "the request message types"),
      `nlmsg_type of each operation's request.`,
      requests.map((o) => opEntry(o.values.request!, o.descriptor.doc, o.descriptor.key)),
    ),
    constObject(
      claim(`${familyType}Reply`, "the reply message types"),
      `nlmsg_type of each operation's replies (several operations share one).`,
      replies.map((o) => opEntry(o.values.reply!, undefined, o.descriptor.key)),
    ),
  );
  if (events.length > 0) {
    sections.push(
      constObject(
        claim(`${familyType}Event`, "the event message types"),
        `nlmsg_type of each notification.`,
        events.map((o) => opEntry(o.values.reply!, o.descriptor.doc, o.descriptor.key)),
      ),
    );
  }
  if (family.mcastGroups.length > 0) {
    sections.push(
      constObject(
        claim(`${familyType}McastGroup`, "the multicast groups"),
        `Multicast group numbers (NETLINK_ADD_MEMBERSHIP; legacy nl_groups bit = 1 << (n - 1)).`,
        family.mcastGroups.map((g) => ({ key: camelCase(g.name), value: String(g.value), doc: model.mcastCNames.get(g.name) ?? "" })),
      ),
    );
  }

  const familyConst = claim(safeIdentifier(`${camelCase(family.name)}Family`), "the family descriptor");
  sections.push(
    `${docComment(`Everything the generic codec needs to encode and decode ${family.name} messages.`, "")}\n` +
      `export const ${familyConst} = ${toTsLiteral(family)} as const satisfies FamilyDescriptor;`,
  );

  const header = [
    `// Code generated by packages/codec/compiler from ${options.specPath}. DO NOT EDIT.`,
    "// Regenerate with `pnpm gen` from the repository root; `pnpm check:gen` fails when this file is stale.",
    "",
    `import type { FamilyDescriptor, UnknownAttr } from "${options.descriptorImport ?? "../schema/descriptor.js"}";`,
    "",
    "export type { UnknownAttr };",
  ];
  return `${[...header, ...sections.map((s) => `\n${s}`)].join("\n")}\n`;
}
