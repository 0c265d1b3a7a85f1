// Byte writers of the -L/-D line formatter (raw-text.ts): constant text, decimal numbers, IPv4 and
// IPv6 addresses written into a DataView of the output buffer. They write whole 16- and 32-bit words,
// so each may store up to 16 bytes past the end it returns; the formatter's RAW_LINE_MAX room covers
// that, and later writes (or nothing at all) cover the stray bytes.

/** ASCII text of at most 16 bytes as four little-endian words, stored with four writes. */
export interface Fragment {
  readonly w0: number;
  readonly w1: number;
  readonly w2: number;
  readonly w3: number;
  readonly length: number;
}

export const FRAGMENT_MAX = 16;

// One scratch for the ~800 fragments built at import.
const fragmentScratch = new Uint8Array(FRAGMENT_MAX);
const fragmentView = new DataView(fragmentScratch.buffer);

export function fragment(text: string): Fragment {
  if (text.length > FRAGMENT_MAX) throw new RangeError(`fragment longer than ${FRAGMENT_MAX} bytes: ${text}`);
  const bytes = fragmentScratch;
  bytes.fill(0);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  const view = fragmentView;
  return { w0: view.getInt32(0, true), w1: view.getInt32(4, true), w2: view.getInt32(8, true), w3: view.getInt32(12, true), length: text.length };
}

export function putFragment(out: DataView, pos: number, text: Fragment): number {
  out.setInt32(pos, text.w0, true);
  out.setInt32(pos + 4, text.w1, true);
  if (text.length > 8) {
    out.setInt32(pos + 8, text.w2, true);
    out.setInt32(pos + 12, text.w3, true);
  }
  return pos + text.length;
}

/** "00".."99" as little-endian 16-bit words (first digit in the low byte). */
const PAIRS = Uint16Array.from({ length: 100 }, (_, i) => (48 + ((i / 10) | 0)) | ((48 + (i % 10)) << 8));

/** Decimal digits of a non-negative integer below 2^53. */
export function putUint(out: DataView, pos: number, n: number): number {
  if (n < 100) {
    if (n < 10) {
      out.setUint8(pos, 48 + n);
      return pos + 1;
    }
    out.setUint16(pos, PAIRS[n]!, true);
    return pos + 2;
  }
  if (n > 0x7fffffff) return putLargeUint(out, pos, n);
  const end = pos + decimalLength(n);
  let p = end;
  // `| 0` keeps this int32 arithmetic: V8 turns the division by a constant into a multiplication.
  while (n >= 100) {
    const q = (n / 100) | 0;
    p -= 2;
    out.setUint16(p, PAIRS[n - q * 100]!, true);
    n = q;
  }
  if (n >= 10) out.setUint16(p - 2, PAIRS[n]!, true);
  else out.setUint8(p - 1, 48 + n);
  return end;
}

function decimalLength(n: number): number {
  if (n < 10_000) return n < 1000 ? 3 : 4;
  if (n < 1_000_000) return n < 100_000 ? 5 : 6;
  if (n < 100_000_000) return n < 10_000_000 ? 7 : 8;
  return n < 1_000_000_000 ? 9 : 10;
}

/** Above int32: doubles, so Math.floor divisions (rare: huge byte counters and timeouts). */
function putLargeUint(out: DataView, pos: number, n: number): number {
  let digits = 1;
  for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
  let p = pos + digits;
  while (n >= 10) {
    const q = Math.floor(n / 10);
    out.setUint8(--p, 48 + (n - q * 10));
    n = q;
  }
  out.setUint8(--p, 48 + n);
  return pos + digits;
}

export function putHex(out: DataView, pos: number, n: number): number {
  const text = n.toString(16);
  for (let i = 0; i < text.length; i++) out.setUint8(pos + i, text.charCodeAt(i));
  return pos + text.length;
}

/** Octet text followed by "." (OCTET_DOT) or " " (OCTET_SPACE), as one little-endian word, and its length. */
const octetWords = (separator: string): Int32Array =>
  Int32Array.from({ length: 256 }, (_, i) => fragment(String(i) + separator).w0);
const OCTET_DOT = octetWords(".");
const OCTET_SPACE = octetWords(" ");
const OCTET_LENGTH = Uint8Array.from({ length: 256 }, (_, i) => String(i).length + 1);

/** The dotted quad of the 4 bytes at `u8[at]`, and a space. */
export function putIPv4(out: DataView, pos: number, u8: Uint8Array, at: number): number {
  let octet = u8[at]!;
  out.setInt32(pos, OCTET_DOT[octet]!, true);
  pos += OCTET_LENGTH[octet]!;
  octet = u8[at + 1]!;
  out.setInt32(pos, OCTET_DOT[octet]!, true);
  pos += OCTET_LENGTH[octet]!;
  octet = u8[at + 2]!;
  out.setInt32(pos, OCTET_DOT[octet]!, true);
  pos += OCTET_LENGTH[octet]!;
  octet = u8[at + 3]!;
  out.setInt32(pos, OCTET_SPACE[octet]!, true);
  return pos + OCTET_LENGTH[octet]!;
}

/** A byte in hex: both digits (HEX_PAIR) or without a leading zero (HEX_SHORT, HEX_SHORT_LENGTH), as words. */
const HEX_PAIR = Uint16Array.from({ length: 256 }, (_, i) => fragment(i.toString(16).padStart(2, "0")).w0);
const HEX_SHORT = Uint16Array.from({ length: 256 }, (_, i) => fragment(i.toString(16)).w0);
const HEX_SHORT_LENGTH = Uint8Array.from({ length: 256 }, (_, i) => i.toString(16).length);

/** A 16-bit group in lowercase hex without leading zeros, from its two bytes. */
function putHexGroup(out: DataView, pos: number, high: number, low: number): number {
  if (high === 0) {
    out.setUint16(pos, HEX_SHORT[low]!, true);
    return pos + HEX_SHORT_LENGTH[low]!;
  }
  out.setUint16(pos, HEX_SHORT[high]!, true);
  pos += HEX_SHORT_LENGTH[high]!;
  out.setUint16(pos, HEX_PAIR[low]!, true);
  return pos + 2;
}

/**
 * glibc inet_ntop(AF_INET6) of the 16 bytes at `u8[at]`, and a space: what formatIPv6 (codec) returns,
 * written as bytes. Lowercase, the longest run (≥ 2) of zero groups compressed (the first on a tie),
 * and the dotted tail for ::a.b.c.d and ::ffff:a.b.c.d.
 */
export function putIPv6(out: DataView, pos: number, u8: Uint8Array, at: number): number {
  let zeros = 0;
  for (let i = 0; i < 8; i++) if ((u8[at + 2 * i]! | u8[at + 2 * i + 1]!) === 0) zeros |= 1 << i;
  const run = LONGEST_ZERO_RUN[zeros]!;
  const runBase = run === 0 ? -1 : run >>> 4;
  const runEnd = runBase + (run & 15);
  for (let i = 0; i < 8; i++) {
    if (i >= runBase && i < runEnd) {
      if (i === runBase) out.setUint8(pos++, 58);
      continue;
    }
    if (i !== 0) out.setUint8(pos++, 58);
    if (i === 6 && runBase === 0 && (runEnd === 6 || (runEnd === 5 && u8[at + 10] === 0xff && u8[at + 11] === 0xff))) {
      return putIPv4(out, pos, u8, at + 12);
    }
    pos = putHexGroup(out, pos, u8[at + 2 * i]!, u8[at + 2 * i + 1]!);
  }
  if (runEnd === 8) out.setUint8(pos++, 58);
  out.setUint8(pos, 32);
  return pos + 1;
}

/**
 * For each set of zero groups (bit i = group i is zero): the run "::" replaces, as base * 16 + length,
 * or 0 when no run is 2 groups long. The longest run wins, the first on a tie.
 */
const LONGEST_ZERO_RUN = Uint8Array.from({ length: 256 }, (_, zeros) => {
  let best = 0;
  let bestLength = 1;
  for (let base = 0; base < 8; base++) {
    let length = 0;
    while (base + length < 8 && (zeros & (1 << (base + length))) !== 0) length++;
    if (length > bestLength) {
      best = base * 16 + length;
      bestLength = length;
    }
  }
  return best;
});
