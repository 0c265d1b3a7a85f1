// What a decode → encode round trip must reproduce, computed independently of the codec: the input
// re-serialised attribute by attribute from the FamilyDescriptor, with the encoder's canonical choices
// (zero padding, padded nest lengths, NLA_F_NESTED on nests and no flags on other known attributes).
// Unknown, pad and repeated attributes are copied as they are. A sub-message is re-serialised as the
// format its selector (the first one at its level) names, and copied as it is when none fits.
import type { AttrDescriptor, FamilyDescriptor, SubMessageFormatDescriptor } from "../../src/schema/descriptor.js";

function u16(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}

function attr(type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array((4 + payload.length + 3) & ~3);
  out[0] = (4 + payload.length) & 255;
  out[1] = (4 + payload.length) >> 8;
  out[2] = type & 255;
  out[3] = type >> 8;
  out.set(payload, 4);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The selector's value as the codec decodes it (enum names not resolved: format values are compared after). */
function selectorValue(selector: AttrDescriptor, b: Uint8Array, start: number, end: number): number | string | undefined {
  for (let p = start; p < end; p += (u16(b, p) + 3) & ~3) {
    const len = u16(b, p);
    if ((u16(b, p + 2) & 0x3fff) !== selector.value) continue;
    const payload = b.subarray(p + 4, p + len);
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const le = selector.byteOrder !== "big-endian";
    if (selector.type === "string") return new TextDecoder().decode(payload.subarray(0, payload.length - 1));
    if (selector.type === "u8") return view.getUint8(0);
    if (selector.type === "u16") return view.getUint16(0, le);
    if (selector.type === "u32") return view.getUint32(0, le);
    return undefined;
  }
  return undefined;
}

function formatFor(family: FamilyDescriptor, set: FamilyDescriptor["attributeSets"][string], a: AttrDescriptor, b: Uint8Array, start: number, end: number): SubMessageFormatDescriptor | undefined {
  const selector = set.attrs.find((x) => x.name === a.selector)!;
  const value = selectorValue(selector, b, start, end);
  return family.subMessages![a.subMessage!]!.formats.find((f) => {
    if (selector.type === "string") return f.value === value;
    const entry = selector.enum !== undefined ? family.enums[selector.enum]!.entries.find((e) => e.name === f.value) : undefined;
    return (entry !== undefined ? entry.value : Number(f.value)) === value;
  });
}

export function canonicalAttrs(family: FamilyDescriptor, setName: string, b: Uint8Array, start: number, end: number): Uint8Array {
  const set = family.attributeSets[setName]!;
  const parts: Uint8Array[] = [];
  const seen = new Set<number>();
  for (let p = start; p < end; ) {
    const len = u16(b, p);
    const raw = u16(b, p + 2);
    const type = raw & 0x3fff;
    const payload = b.subarray(p + 4, p + len);
    const a = set.attrs.find((x) => x.value === type);
    if (a !== undefined && a.type !== "pad" && (a.multiAttr === true || !seen.has(type))) {
      seen.add(type);
      if (a.type === "nest") parts.push(attr(type | 0x8000, canonicalAttrs(family, a.nested!, b, p + 4, p + len)));
      else if (a.type === "sub-message") {
        const format = formatFor(family, set, a, b, start, end);
        const fixed = format?.fixedHeader !== undefined ? family.structs[format.fixedHeader]!.size : 0;
        const fits = format !== undefined && (format.attributeSet !== undefined ? len - 4 >= fixed : len - 4 === fixed);
        if (!fits) parts.push(attr(raw, payload));
        else if (format.attributeSet === undefined) parts.push(attr(type, payload));
        else parts.push(attr(type | 0x8000, concat([payload.subarray(0, fixed), canonicalAttrs(family, format.attributeSet, b, p + 4 + fixed, p + len)])));
      } else parts.push(attr(type, payload));
    } else parts.push(attr(raw, payload));
    p += (len + 3) & ~3;
  }
  return concat(parts);
}

export function canonicalMessage(family: FamilyDescriptor, setName: string, fixedSize: number, msg: Uint8Array): Uint8Array {
  const len = msg[0]! | (msg[1]! << 8) | (msg[2]! << 16) | (msg[3]! << 24);
  const attrs = canonicalAttrs(family, setName, msg, 16 + fixedSize, len);
  const out = new Uint8Array(16 + fixedSize + attrs.length);
  out.set(msg.subarray(0, 16 + fixedSize));
  new DataView(out.buffer).setUint32(0, out.length, true);
  out.set(attrs, 16 + fixedSize);
  return out;
}
