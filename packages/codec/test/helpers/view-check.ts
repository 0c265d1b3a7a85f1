// The drift guard between the message view and the object decoder: for one message, the view's
// walk must fail exactly where decodeMessage fails (same code, offset and path), and otherwise hold
// the same values (read back generically by kind) and the same unknown attributes.
import { expect } from "vitest";
import { formatIPv6, isNetlinkDecodeError, type FamilyCodec, type NlMessage } from "../../src/index.js";
import type { MessageView } from "../../src/codec/message-view.js";
import { Kind, buildTables, type FamilyTables, type SetInfo } from "../../src/codec/tables.js";
import { isSetLayout, viewLayouts, type SetLayout } from "../../src/codec/view-layout.js";

interface Family {
  readonly tables: FamilyTables;
  readonly layouts: ReadonlyMap<string, unknown>;
  readonly views: Map<string, MessageView | null>;
}
const families = new WeakMap<FamilyCodec, Family>();

function familyOf(codec: FamilyCodec): Family {
  let f = families.get(codec);
  if (f === undefined) families.set(codec, (f = { tables: buildTables(codec.family), layouts: viewLayouts(codec.family), views: new Map() }));
  return f;
}

function viewFor(codec: FamilyCodec, set: string): MessageView | null {
  const f = familyOf(codec);
  let v = f.views.get(set);
  if (v === undefined) {
    const layout = f.layouts.get(set) as SetLayout;
    f.views.set(set, (v = isSetLayout(layout) ? codec.view(set) : null));
  }
  return v;
}

/** The view's content as the decoder's value shape ($unknown left out; unknowns listed apart). */
function materialize(view: MessageView, f: Family, set: SetInfo, base: number): Record<string, unknown> {
  const layout = f.layouts.get(set.name) as SetLayout;
  const o: Record<string, unknown> = {};
  for (const a of set.attrs) {
    const k = layout.slots.get(a.key);
    if (k === undefined || a.kind === Kind.pad) continue;
    const s = base + k;
    if (!view.has(s)) continue;
    const q = view.pos[s]!;
    const n = view.num[s]!;
    const dv = new DataView(view.u8.buffer);
    switch (a.kind) {
      case Kind.u8: case Kind.s8: case Kind.u16: case Kind.s16: case Kind.u32: case Kind.s32: o[a.key] = n; break;
      case Kind.u64: o[a.key] = BigInt(view.int64(s)); break;
      case Kind.s64: o[a.key] = BigInt(view.int64(s, true)); break;
      case Kind.uint: case Kind.sint:
        o[a.key] = view.len[s] === 4 ? n : BigInt(view.int64(s, a.kind === Kind.sint));
        break;
      case Kind.flag: o[a.key] = true; break;
      case Kind.string: o[a.key] = view.string(s); break;
      case Kind.binary: o[a.key] = Uint8Array.from(view.bytes(s)); break;
      case Kind.struct: o[a.key] = { $bytes: Uint8Array.from(view.bytes(s)) }; break;
      case Kind.ipv4: case Kind.ipv4Bytes: case Kind.ipAny: o[a.key] = view.address(s); break;
      case Kind.ipv6: o[a.key] = formatIPv6(view.u8, q); break;
      case Kind.bitfield32: {
        const le = view.plan.littleEndian[s] === 1;
        o[a.key] = { value: dv.getUint32(q, le), selector: dv.getUint32(q + 4, le) };
        break;
      }
      case Kind.nest: o[a.key] = materialize(view, f, a.nested!, s + 1); break;
      default: throw new Error(`kind ${a.kind} in a viewable set`);
    }
  }
  return o;
}

/** The decoder's value with $unknown taken out into `unknowns` ([set base path, index, type]), structs as bytes. */
function normalize(value: Record<string, unknown>, set: SetInfo, codec: FamilyCodec, path: string, unknowns: string[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === "$unknown") {
      for (const u of v as { type: number; index: number }[]) unknowns.push(`${path}#${u.index}:${u.type}`);
      continue;
    }
    const a = set.byKey.get(key)!;
    if (a.kind === Kind.nest) o[key] = normalize(v as Record<string, unknown>, a.nested!, codec, `${path}.${key}`, unknowns);
    else if (a.kind === Kind.struct) o[key] = { $bytes: Uint8Array.from(codec.encodeAttrs(set.name, { [key]: v }).subarray(4, 4 + a.struct!.size)) };
    else o[key] = v;
  }
  return o;
}

/** The view's unknown list in normalize's form. */
function viewUnknowns(view: MessageView, f: Family, root: SetInfo): string[] {
  const out: string[] = [];
  for (let i = 0; i < view.unknownCount; i++) {
    const at = view.unknowns[i * 3]!;
    const base = view.unknowns[i * 3 + 1]!;
    const index = view.unknowns[i * 3 + 2]!;
    const type = (view.u8[at + 2]! | (view.u8[at + 3]! << 8)) & 0x3fff;
    out.push(`${pathOfBase(f, root, base)}#${index}:${type}`);
  }
  return out;
}

/** The key path of the set instance whose first slot is `base`. */
function pathOfBase(f: Family, set: SetInfo, base: number, path = "", at = 0): string {
  if (base === at) return path;
  const layout = f.layouts.get(set.name) as SetLayout;
  for (const a of set.attrs) {
    const k = layout.slots.get(a.key);
    if (k === undefined || a.kind !== Kind.nest) continue;
    const child = f.layouts.get(a.nested!.name) as SetLayout;
    const start = at + k + 1;
    if (base >= start && base < start + child.size) return pathOfBase(f, a.nested!, base, `${path}.${a.key}`, start);
  }
  throw new Error(`no set starts at slot ${base}`);
}

/**
 * Checks the view against the decoder's outcome for `msg`: `decoded` is what decodeMessage
 * returned, or the error it threw. Returns false when the message's set has no view.
 */
export function checkView(codec: FamilyCodec, msg: NlMessage, decoded: { attrs: object } | unknown, failed: boolean): boolean {
  const set = codec.setForType(msg.header.type);
  if (set === undefined) return false;
  const view = viewFor(codec, set);
  if (view === null) return false;
  const f = familyOf(codec);
  const root = f.tables.setsByName.get(set)!;
  let walkError: unknown;
  try {
    view.walkMessage(msg.bytes);
  } catch (e) {
    if (!isNetlinkDecodeError(e)) throw e;
    walkError = e;
  }
  const hex = Buffer.from(msg.bytes).toString("hex");
  if (failed) {
    const d = decoded as { code: string; offset: number; path: string };
    if (walkError === undefined) throw new Error(`the view accepts what the decoder rejects (${d.code} at ${d.offset} ${d.path})\n input ${hex}`);
    const w = walkError as { code: string; offset: number; path: string };
    expect({ code: w.code, offset: w.offset, path: w.path }, hex).toEqual({ code: d.code, offset: d.offset, path: d.path });
    return true;
  }
  if (walkError !== undefined) throw new Error(`the view rejects what the decoder accepts: ${String(walkError)}\n input ${hex}`);
  const unknowns: string[] = [];
  const want = normalize((decoded as { attrs: Record<string, unknown> }).attrs, root, codec, "", unknowns);
  expect(materialize(view, f, root, 0), hex).toEqual(want);
  expect(viewUnknowns(view, f, root).sort(), hex).toEqual(unknowns.sort());
  return true;
}
