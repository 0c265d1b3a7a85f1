import { HOST_LITTLE_ENDIAN as LE, dataViewOf } from "../wire/host-order.js";
import { MAX_DEPTH } from "./decode-gen.js";
import { Kind, type SetInfo } from "./tables.js";

/**
 * Spec path ("set.attr.child...") of the deepest attribute of `buf[start, end)` containing byte
 * `target`. Tolerant of malformed input: it stops at the first bad header, so it can name the
 * attribute a decode error points at. Attributes the spec lacks appear as their number.
 */
export function pathAt(set: SetInfo, buf: Uint8Array, start: number, end: number, target: number): string {
  const dv = dataViewOf(buf);
  const base = buf.byteOffset;
  let path = set.name;
  let cur = set;
  let p = start;
  let e = Math.min(end, buf.length);
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    let descended = false;
    while (p < e) {
      if (e - p < 4 || target < p) return path;
      const len = dv.getUint16(base + p, LE);
      const type = dv.getUint16(base + p + 2, LE) & 0x3fff;
      const span = Math.max(len, 4);
      if (target < p + span) {
        const a = cur.byType[type];
        path += `.${a !== undefined ? a.name : String(type)}`;
        if (a?.kind === Kind.nest && len >= 4 && len <= e - p && target >= p + 4) {
          cur = a.nested!;
          e = p + len;
          p += 4;
          descended = true;
          break;
        }
        return path;
      }
      if (len < 4) return path;
      p += (len + 3) & ~3;
    }
    if (!descended) return path;
  }
  return path;
}
