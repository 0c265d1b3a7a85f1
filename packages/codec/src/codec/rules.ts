// The decoding rules every generated reader follows, in one place: the object decoder
// (decode-gen.ts) and the message view's walker (walk-gen.ts) are emitted from these fragments, so
// they accept and reject exactly the same bytes.
import { NetlinkDecodeError, type NetlinkDecodeErrorCode } from "../errors.js";
import { HOST_LITTLE_ENDIAN } from "../wire/host-order.js";
import { Kind } from "./tables.js";

/** Deepest nest a decoder follows; deeper input is rejected (no spec needs more than a handful). */
export const MAX_DEPTH = 32;

/** Thrown inside generated code with an absolute offset; the caller rebases it and adds the path. */
export class DecodeFault {
  readonly code: NetlinkDecodeErrorCode;
  readonly offset: number;
  readonly detail: string;
  constructor(code: NetlinkDecodeErrorCode, offset: number, detail: string) {
    this.code = code;
    this.offset = offset;
    this.detail = detail;
  }
}

const CODES: readonly NetlinkDecodeErrorCode[] = ["truncated", "bad-length", "bad-value", "too-deep"];

export function fail(code: number, offset: number, detail: string): never {
  throw new DecodeFault(CODES[code]!, offset, detail);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** NUL-terminated UTF-8 in u8[start, end); `at` is the attribute offset for errors. */
export function decodeString(u8: Uint8Array, start: number, end: number, at: number): string {
  if (end <= start || u8[end - 1] !== 0) fail(2, at, "string attribute without a terminating NUL");
  const last = end - 1;
  if (last - start <= 32) {
    let s = "";
    for (let i = start; i < last; i++) {
      const c = u8[i]!;
      if (c >= 0x80) return decodeUtf8(u8, start, last, at);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decodeUtf8(u8, start, last, at);
}

/** What decodeString accepts, without building the string (ASCII needs no decoder at all). */
export function checkString(u8: Uint8Array, start: number, end: number, at: number): void {
  if (end <= start || u8[end - 1] !== 0) fail(2, at, "string attribute without a terminating NUL");
  const last = end - 1;
  for (let i = start; i < last; i++) {
    if (u8[i]! >= 0x80) {
      decodeUtf8(u8, start, last, at);
      return;
    }
  }
}

function decodeUtf8(u8: Uint8Array, start: number, end: number, at: number): string {
  try {
    return utf8.decode(u8.subarray(start, end));
  } catch {
    return fail(2, at, "string attribute is not valid UTF-8");
  }
}

/** Turn a fault from generated code into the public error, offsets relative to `base`. */
export function toDecodeError(e: unknown, base: number, pathAt: (offset: number) => string): unknown {
  if (e instanceof DecodeFault) {
    const offset = e.offset - base;
    return new NetlinkDecodeError(e.code, offset, e.detail, pathAt(offset));
  }
  return e;
}

// Plain byte arithmetic beats DataView calls for the small widths in V8's optimizing tiers.
export function u16Expr(le: boolean, q: string): string {
  return le ? `(u8[${q}] | (u8[${q} + 1] << 8))` : `((u8[${q}] << 8) | u8[${q} + 1])`;
}

export function u32Expr(le: boolean, q: string): string {
  return le
    ? `((u8[${q}] | (u8[${q} + 1] << 8) | (u8[${q} + 2] << 16) | (u8[${q} + 3] << 24)) >>> 0)`
    : `(((u8[${q}] << 24) | (u8[${q} + 1] << 16) | (u8[${q} + 2] << 8) | u8[${q} + 3]) >>> 0)`;
}

/** Payload sizes of the fixed-size kinds. */
export const FIXED_SIZES: Partial<Record<number, number>> = {
  [Kind.u8]: 1, [Kind.s8]: 1, [Kind.u16]: 2, [Kind.s16]: 2, [Kind.u32]: 4, [Kind.s32]: 4,
  [Kind.u64]: 8, [Kind.s64]: 8, [Kind.ipv4]: 4, [Kind.ipv4Bytes]: 4, [Kind.ipv6]: 16, [Kind.flag]: 0, [Kind.bitfield32]: 8,
};

/** Statement rejecting an attribute (p = header, len = nla_len) whose payload is not `size` bytes. */
export function lengthCheck(size: number): string {
  return `if (len !== ${size + 4}) h.fail(1, p, "expected a ${size}-byte payload, got " + (len - 4));`;
}

/** Statement rejecting a variable-width integer (uint/sint) that is neither 4 nor 8 bytes. */
export const VARINT_CHECK = `if (len !== 8 && len !== 12) h.fail(1, p, "expected a 4- or 8-byte payload, got " + (len - 4));`;

/** Statement rejecting an ipv4-or-v6 address that is neither 4 nor 16 bytes. */
export const IP_ANY_CHECK = `if (len !== 8 && len !== 20) h.fail(1, p, "expected a 4- or 16-byte address, got " + (len - 4));`;

/** Start of a set reader: the depth limit. */
export const DEPTH_CHECK = `if (depth > h.MAX_DEPTH) h.fail(3, p, "nesting deeper than " + h.MAX_DEPTH + " levels");`;

/**
 * Top of the attribute loop over u8[p, end): reads `len` and `raw` (nla_type with flags) of the
 * attribute at p and rejects headers that do not fit, then sets q to the payload.
 */
export const ATTR_HEADER = `
      if (end - p < 4) h.fail(0, p, (end - p) + " bytes left, too short for an nlattr");
      const len = ${u16Expr(HOST_LITTLE_ENDIAN, "p")};
      const raw = ${u16Expr(HOST_LITTLE_ENDIAN, "p + 2")};
      if (len < 4) h.fail(1, p, "nla_len " + len + " is smaller than the attribute header");
      if (len > end - p) h.fail(1, p, "nla_len " + len + " runs past the end of its parent (" + (end - p) + " bytes left)");
      const q = p + 4;`;

/** Bottom of the attribute loop: the next attribute starts at the aligned end of this one. */
export const ATTR_NEXT = `p += (len + 3) & ~3;`;
