import { HOST_LITTLE_ENDIAN as LE, dataViewOf } from "../wire/host-order.js";
import { MAX_DEPTH } from "./rules.js";
import { Kind, type AttrInfo, type FormatInfo, type SetInfo } from "./tables.js";

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
    const levelStart = p;
    let descended = false;
    while (p < e) {
      if (e - p < 4 || target < p) return path;
      const len = dv.getUint16(base + p, LE);
      const type = dv.getUint16(base + p + 2, LE) & 0x3fff;
      const span = Math.max(len, 4);
      if (target < p + span) {
        const a = cur.byType[type];
        path += `.${a !== undefined ? a.name : String(type)}`;
        const inside = len >= 4 && len <= e - p && target >= p + 4;
        if (a?.kind === Kind.nest && inside) {
          cur = a.nested!;
          e = p + len;
          p += 4;
          descended = true;
          break;
        }
        if (a?.kind === Kind.subMessage && inside) {
          const format = formatAt(a, dv, base, levelStart, e);
          const headerEnd = p + 4 + (format?.struct?.size ?? 0);
          if (format?.set === undefined || target < headerEnd) return path;
          cur = format.set;
          e = p + len;
          p = headerEnd;
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

/** The format the first selector attribute of the level [start, end) names, if it can be read. */
function formatAt(a: AttrInfo, dv: DataView, base: number, start: number, end: number): FormatInfo | undefined {
  const selector = a.subMessage!.selector;
  for (let p = start; end - p >= 4; ) {
    const len = dv.getUint16(base + p, LE);
    if (len < 4 || len > end - p) return undefined;
    if ((dv.getUint16(base + p + 2, LE) & 0x3fff) === selector.value) {
      const value = readSelector(selector, dv, base + p + 4, len - 4);
      return value === undefined ? undefined : a.subMessage!.formats.find((f) => f.selects === value);
    }
    p += (len + 3) & ~3;
  }
  return undefined;
}

function readSelector(selector: AttrInfo, dv: DataView, at: number, size: number): number | string | undefined {
  const le = selector.littleEndian;
  switch (selector.kind) {
    case Kind.u8: return size === 1 ? dv.getUint8(at) : undefined;
    case Kind.s8: return size === 1 ? dv.getInt8(at) : undefined;
    case Kind.u16: return size === 2 ? dv.getUint16(at, le) : undefined;
    case Kind.s16: return size === 2 ? dv.getInt16(at, le) : undefined;
    case Kind.u32: return size === 4 ? dv.getUint32(at, le) : undefined;
    case Kind.s32: return size === 4 ? dv.getInt32(at, le) : undefined;
    case Kind.string: {
      let text = "";
      for (let i = 0; i < size; i++) {
        const c = dv.getUint8(at + i);
        if (c === 0) return text;
        text += String.fromCharCode(c);
      }
      return undefined;
    }
    default: return undefined;
  }
}
