// What a decode → encode round trip must reproduce, computed independently of the codec: the input
// re-serialised attribute by attribute from the FamilyDescriptor, with the encoder's canonical choices
// (zero padding, padded nest lengths, NLA_F_NESTED on nests and no flags on other known attributes).
// Unknown, pad and repeated attributes are copied as they are.
import type { FamilyDescriptor } from "../../src/schema/descriptor.js";

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
      else parts.push(attr(type, payload));
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
