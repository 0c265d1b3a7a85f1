// Address text the way glibc prints it (inet_ntoa / inet_ntop), and the strict parsers the encoder needs.

const OCTETS: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

// Dumps repeat the same addresses a lot; a small direct-mapped cache turns most formats into a lookup.
const CACHE_SIZE = 4096;
const cacheKeys = new Int32Array(CACHE_SIZE);
const cacheValues: (string | undefined)[] = new Array<string | undefined>(CACHE_SIZE).fill(undefined);

/** Dotted quad of a u32 whose most significant byte is the first octet. */
export function formatIPv4(value: number): string {
  const slot = (value ^ (value >>> 12) ^ (value >>> 24)) & (CACHE_SIZE - 1);
  const cached = cacheValues[slot];
  if (cached !== undefined && cacheKeys[slot] === (value | 0)) return cached;
  const text = OCTETS[value >>> 24]! + "." + OCTETS[(value >>> 16) & 255]! + "." + OCTETS[(value >>> 8) & 255]! + "." + OCTETS[value & 255]!;
  cacheKeys[slot] = value | 0;
  cacheValues[slot] = text;
  return text;
}

/** Dotted quad of 4 bytes at `at`. */
export function formatIPv4Bytes(bytes: Uint8Array, at: number): string {
  return formatIPv4(((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0);
}

const scratchWords = new Uint16Array(8);
// Filled as groups are seen: a 65,536-slot table built at import would cost every start-up.
const hexGroups = new Map<number, string>();

function hexGroup(word: number): string {
  let text = hexGroups.get(word);
  if (text === undefined) hexGroups.set(word, (text = word.toString(16)));
  return text;
}

/**
 * glibc inet_ntop(AF_INET6) of 16 bytes at `at`: lowercase, the longest run (≥ 2) of zero groups
 * compressed (the first on a tie), and the dotted tail for ::a.b.c.d and ::ffff:a.b.c.d.
 */
export function formatIPv6(bytes: Uint8Array, at: number): string {
  const words = scratchWords;
  for (let i = 0; i < 8; i++) words[i] = (bytes[at + 2 * i]! << 8) | bytes[at + 2 * i + 1]!;
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && curLen > bestLen) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestLen < 2) bestBase = -1;
  let text = "";
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) text += ":";
      continue;
    }
    if (i !== 0) text += ":";
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      return text + formatIPv4Bytes(bytes, at + 12);
    }
    text += hexGroup(words[i]!);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) text += ":";
  return text;
}

const DECIMAL_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;

/** Strict dotted quad → u32 (first octet most significant), or undefined. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!DECIMAL_OCTET.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** RFC 4291 text (with "::" and an optional dotted tail) → 16 bytes, or undefined. */
export function parseIPv6(text: string): Uint8Array | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === "") return [];
    const groups: number[] = [];
    const fields = part.split(":");
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      if (i === fields.length - 1 && field.includes(".")) {
        const v4 = parseIPv4(field);
        if (v4 === undefined) return undefined;
        groups.push(v4 >>> 16, v4 & 0xffff);
      } else if (HEX_GROUP.test(field)) {
        groups.push(parseInt(field, 16));
      } else return undefined;
    }
    return groups;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  // A dotted tail is only allowed at the very end.
  if (halves.length === 2 && halves[0]!.includes(".")) return undefined;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const words = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i]! >>> 8;
    out[2 * i + 1] = words[i]! & 255;
  }
  return out;
}
