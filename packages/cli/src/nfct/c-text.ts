// The C library behaviour nfct's parsing relies on.

const C_SPACE = /^[ \t\n\v\f\r]*/;
const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);

/**
 * atoi() as glibc computes it ((int) strtol(s, NULL, 10) on LP64): leading C white space, a sign,
 * decimal digits up to the first other character; out-of-range values saturate at LONG_MIN/LONG_MAX
 * before the cast to int keeps the low 32 bits. Garbage gives 0.
 */
export function atoi(text: string): number {
  const rest = text.replace(C_SPACE, "");
  const match = /^([+-]?)([0-9]+)/.exec(rest);
  if (match === null) return 0;
  let value = BigInt(match[2]!);
  if (match[1] === "-") value = -value;
  if (value > LONG_MAX) value = LONG_MAX;
  if (value < LONG_MIN) value = LONG_MIN;
  return Number(BigInt.asIntN(32, value));
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * strncpy(buf, text, size) with buf[size - 1] = '\0': at most size - 1 bytes of UTF-8. A character
 * the cut would split is left out whole (nfct would send the partial bytes).
 */
export function truncateBytes(text: string, size: number): string {
  const bytes = encoder.encode(text);
  if (bytes.length < size) return text;
  let end = size - 1;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return decoder.decode(bytes.subarray(0, end));
}
