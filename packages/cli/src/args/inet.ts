// Address text conversions with glibc's exact rules: inet_aton (shorthand, octal and hex parts, anything
// after white space ignored), strict inet_pton for IPv6 (with an embedded dotted quad), and inet_ntop
// formatting for IPv6 (longest zero run compressed, dotted tail only for ::a.b.c.d and ::ffff:a.b.c.d).

import { strtoul } from "./c-numbers.js";

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= "0" && ch <= "9";
}

function isAsciiSpace(ch: string | undefined): boolean {
  return ch === " " || ch === "\t" || ch === "\n" || ch === "\v" || ch === "\f" || ch === "\r";
}

/** glibc inet_aton: returns the 4 address bytes, or null when it would return 0. */
export function inetAton(text: string): Uint8Array | null {
  const parts: number[] = [];
  let pos = 0;
  let value = 0n;
  for (;;) {
    if (!isDigit(text[pos])) return null;
    const { value: parsed, end } = strtoul(text.slice(pos), 0);
    if (parsed > 0xffffffffn) return null;
    value = parsed;
    pos += end;
    if (text[pos] === ".") {
      if (parts.length > 2 || value > 0xffn) return null;
      parts.push(Number(value));
      pos++;
    } else break;
  }
  const tail = text[pos];
  if (tail !== undefined && !isAsciiSpace(tail)) return null;
  const max = [0xffffffffn, 0xffffffn, 0xffffn, 0xffn][parts.length]!;
  if (value > max) return null;
  const word = Number(value);
  const bytes = new Uint8Array(4);
  parts.forEach((part, index) => (bytes[index] = part));
  for (let i = 3; i >= parts.length; i--) bytes[i] = (word >>> (8 * (3 - i))) & 0xff;
  return bytes;
}

/** glibc inet_pton(AF_INET): exactly four decimal octets, no leading zeros. */
export function inetPton4(text: string): Uint8Array | null {
  const out = new Uint8Array(4);
  let octets = 0;
  let sawDigit = false;
  let index = 0;
  for (const ch of text) {
    if (isDigit(ch)) {
      const next = out[index]! * 10 + (ch.charCodeAt(0) - 48);
      if (sawDigit && out[index] === 0) return null;
      if (next > 255) return null;
      out[index] = next;
      if (!sawDigit) {
        if (++octets > 4) return null;
        sawDigit = true;
      }
    } else if (ch === "." && sawDigit) {
      if (octets === 4) return null;
      index++;
      sawDigit = false;
    } else return null;
  }
  return octets < 4 ? null : out;
}

function hexValue(ch: string): number {
  const code = ch.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/** glibc inet_pton(AF_INET6): the 16 address bytes, or null. */
export function inetPton6(text: string): Uint8Array | null {
  const out = new Uint8Array(16);
  let tp = 0;
  let colonAt = -1;
  let pos = 0;
  if (text.length === 0) return null;
  if (text[0] === ":") {
    pos++;
    if (pos === text.length || text[pos] !== ":") return null;
  }
  let tokenStart = pos;
  let digitsSeen = 0;
  let value = 0;
  while (pos < text.length) {
    const ch = text[pos++]!;
    const digit = hexValue(ch);
    if (digit >= 0) {
      if (digitsSeen === 4) return null;
      value = (value << 4) | digit;
      if (value > 0xffff) return null;
      digitsSeen++;
      continue;
    }
    if (ch === ":") {
      tokenStart = pos;
      if (digitsSeen === 0) {
        if (colonAt >= 0) return null;
        colonAt = tp;
        continue;
      } else if (pos === text.length) return null;
      if (tp + 2 > 16) return null;
      out[tp++] = (value >> 8) & 0xff;
      out[tp++] = value & 0xff;
      digitsSeen = 0;
      value = 0;
      continue;
    }
    if (ch === "." && tp + 4 <= 16) {
      const quad = inetPton4(text.slice(tokenStart));
      if (quad !== null) {
        out.set(quad, tp);
        tp += 4;
        digitsSeen = 0;
        break;
      }
    }
    return null;
  }
  if (digitsSeen > 0) {
    if (tp + 2 > 16) return null;
    out[tp++] = (value >> 8) & 0xff;
    out[tp++] = value & 0xff;
  }
  if (colonAt >= 0) {
    if (tp === 16) return null;
    const moved = out.slice(colonAt, tp);
    out.fill(0, colonAt);
    out.set(moved, 16 - moved.length);
    tp = 16;
  }
  return tp === 16 ? out : null;
}

/** A netmask of `prefix` leading one bits over `length` bytes. */
export function prefixMask(prefix: number, length: 4 | 16): Uint8Array {
  const mask = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - 8 * i));
    mask[i] = bits === 0 ? 0 : (0xff << (8 - bits)) & 0xff;
  }
  return mask;
}
