// The C library number parsers conntrack 1.4.7 uses, with their lenient edge cases: leading white space,
// a sign, base prefixes, silent stop at the first bad character, and clamping/truncation on overflow.
// Values are computed as bigint and narrowed the way the C code narrows them.

const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);
const ULONG_MAX = (1n << 64n) - 1n;

function isCSpace(ch: string | undefined): boolean {
  return ch === " " || ch === "\t" || ch === "\n" || ch === "\v" || ch === "\f" || ch === "\r";
}

function digitValue(ch: string | undefined): number {
  if (ch === undefined) return 99;
  const code = ch.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 122) return code - 87;
  if (code >= 65 && code <= 90) return code - 55;
  return 99;
}

export interface CParse {
  /** Mathematical value before clamping (sign applied). */
  readonly magnitude: bigint;
  readonly negative: boolean;
  /** Index of the first character not consumed (`endptr`); 0 when no conversion happened. */
  readonly end: number;
}

/** The scanning part shared by strtol/strtoul (glibc rules for base 0 and the "0x" without digits case). */
export function scanInteger(text: string, base: 0 | 10): CParse {
  let i = 0;
  while (isCSpace(text[i])) i++;
  let negative = false;
  if (text[i] === "+" || text[i] === "-") {
    negative = text[i] === "-";
    i++;
  }
  let radix: number = base;
  if (text[i] === "0" && base === 0) {
    if (text[i + 1] === "x" || text[i + 1] === "X") {
      radix = 16;
      i += 2;
    } else radix = 8;
  } else if (radix === 0) radix = 10;
  const start = i;
  let magnitude = 0n;
  while (digitValue(text[i]) < radix) {
    magnitude = magnitude * BigInt(radix) + BigInt(digitValue(text[i]));
    i++;
  }
  if (i === start) {
    // No digits: glibc points endptr at the "x" of a bare "0x", else at the very beginning.
    const end = radix === 16 && base === 0 ? start - 1 : 0;
    return { magnitude: 0n, negative: false, end };
  }
  return { magnitude, negative, end: i };
}

/** strtoul: unsigned long (64-bit); a leading '-' negates modulo 2^64; overflow gives ULONG_MAX. */
export function strtoul(text: string, base: 0 | 10 = 0): { value: bigint; end: number } {
  const scan = scanInteger(text, base);
  if (scan.magnitude > ULONG_MAX) return { value: ULONG_MAX, end: scan.end };
  const value = scan.negative ? (ULONG_MAX + 1n - scan.magnitude) & ULONG_MAX : scan.magnitude;
  return { value, end: scan.end };
}

/** strtol: signed long (64-bit), clamped to LONG_MIN..LONG_MAX. */
export function strtol(text: string, base: 0 | 10 = 10): { value: bigint; end: number } {
  const scan = scanInteger(text, base);
  let value = scan.negative ? -scan.magnitude : scan.magnitude;
  if (value > LONG_MAX) value = LONG_MAX;
  if (value < LONG_MIN) value = LONG_MIN;
  return { value, end: scan.end };
}

/** Truncates to the low `bits` bits, unsigned (a C cast to uint8_t/uint16_t/uint32_t). */
export function toUnsigned(value: bigint, bits: 8 | 16 | 32): number {
  return Number(BigInt.asUintN(bits, value));
}

/** Truncates to a signed 32-bit int (a C cast to int). */
export function toInt32(value: bigint): number {
  return Number(BigInt.asIntN(32, value));
}

/** atoi(s) = (int) strtol(s, NULL, 10). */
export function atoi(text: string): number {
  return toInt32(strtol(text, 10).value);
}

/** atol(s) = strtol(s, NULL, 10), a 64-bit long. */
export function atol(text: string): bigint {
  return strtol(text, 10).value;
}

/** strtoul(s, NULL, 0) stored into a uintN_t attribute. */
export function strtoulAs(text: string, bits: 16 | 32): number {
  return toUnsigned(strtoul(text, 0).value, bits);
}

/**
 * A whole unsigned 32-bit number in strtoul base-0 notation (decimal, 0x hex, 0 octal) and nothing
 * else: no blanks, no sign, no trailing text, no value above 2^32 - 1. Undefined otherwise.
 */
export function strictU32(text: string): number | undefined {
  if (!/^[0-9]/.test(text)) return undefined;
  const scan = scanInteger(text, 0);
  if (scan.end !== text.length || scan.magnitude > 0xffffffffn) return undefined;
  return Number(scan.magnitude);
}
