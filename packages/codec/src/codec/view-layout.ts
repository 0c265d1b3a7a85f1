// Where a message view keeps each attribute: one slot per attribute path under an attribute set.
// A set's slots are contiguous (its subtree), and a nest's own subtree follows the nest's slot, so
// one walker per set serves every place the set is nested at, given the first slot there. The
// compiler emits these numbers as constants and the runtime computes the same from the descriptor.
import type { AttrDescriptor, FamilyDescriptor } from "../schema/descriptor.js";

export interface SetLayout {
  readonly set: string;
  /** Slots the set's subtree takes. */
  readonly size: number;
  /** Attribute key → slot, relative to the set's first slot. Nests' children follow at slot + 1. */
  readonly slots: ReadonlyMap<string, number>;
}

/** A set a view cannot hold, and why (repeated attributes and sub-messages need more than one slot). */
export interface UnviewableSet {
  readonly set: string;
  readonly reason: string;
}

export type LayoutResult = SetLayout | UnviewableSet;

export function isSetLayout(r: LayoutResult): r is SetLayout {
  return "slots" in r;
}

/** The attributes that get a slot (pads and unused numbers never hold a value). */
export function slotted(a: AttrDescriptor): boolean {
  return a.type !== "pad" && a.type !== "unused";
}

/** A nest the view descends into (a nest without a nested set is kept as bytes). */
export function descends(a: AttrDescriptor): boolean {
  return a.type === "nest" && a.nested !== undefined;
}

/** Layouts of every attribute set of `family`, by set name. */
export function viewLayouts(family: FamilyDescriptor): ReadonlyMap<string, LayoutResult> {
  const done = new Map<string, LayoutResult>();
  const visiting = new Set<string>();
  const layout = (name: string): LayoutResult => {
    const known = done.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return { set: name, reason: `${name} nests itself` };
    visiting.add(name);
    const result = build(name);
    visiting.delete(name);
    done.set(name, result);
    return result;
  };
  const build = (name: string): LayoutResult => {
    const set = family.attributeSets[name];
    if (set === undefined) return { set: name, reason: `no attribute set ${name}` };
    const slots = new Map<string, number>();
    let size = 0;
    for (const a of set.attrs) {
      if (!slotted(a)) continue;
      if (a.multiAttr === true) return { set: name, reason: `${name}.${a.name} may repeat` };
      if (a.type === "sub-message") return { set: name, reason: `${name}.${a.name} is a sub-message` };
      slots.set(a.key, size++);
      if (descends(a)) {
        const child = layout(a.nested!);
        if (!isSetLayout(child)) return { set: name, reason: child.reason };
        size += child.size;
      }
    }
    return { set: name, size, slots };
  };
  for (const name of Object.keys(family.attributeSets)) layout(name);
  return done;
}
