/**
 * The type guard of an error class, by the class's name: it also knows an instance made by another
 * copy of the package (two versions in one dependency tree), where instanceof does not.
 */
export function errorGuard<T extends Error>(name: string): (value: unknown) => value is T {
  return (value: unknown): value is T => value instanceof Error && value.name === name;
}

export type NetlinkDecodeErrorCode =
  | "truncated" // fewer bytes than a header or a declared length needs
  | "bad-length" // a length field is impossible (too small, past its parent) or wrong for the type
  | "bad-value" // bytes that cannot be a value of the declared type (missing NUL, invalid UTF-8)
  | "too-deep" // nesting beyond the depth limit
  | "unknown-type"; // no attribute set known for a message type

/** The only error decoding ever throws: where (spec path, byte offset) and why (code). */
export class NetlinkDecodeError extends Error {
  override readonly name = "NetlinkDecodeError";
  readonly code: NetlinkDecodeErrorCode;
  /** Spec path of the attribute being decoded, e.g. "conntrack-attrs.tuple-orig.tuple-ip.ip-v4-src". */
  readonly path: string;
  /** Byte offset in the input (datagram, message or buffer given to the decoder). */
  readonly offset: number;
  /** What was wrong, without the location. */
  readonly detail: string;

  constructor(code: NetlinkDecodeErrorCode, offset: number, detail: string, path = "") {
    super(`${detail} at offset ${offset}${path ? ` (${path})` : ""}`);
    this.code = code;
    this.offset = offset;
    this.path = path;
    this.detail = detail;
  }
}

export const isNetlinkDecodeError = errorGuard<NetlinkDecodeError>("NetlinkDecodeError");

export type NetlinkEncodeErrorCode = "unknown-key" | "bad-value" | "unknown-set" | "too-deep";

/** A value that cannot be encoded with the spec (unknown key, out-of-range number, bad address text). */
export class NetlinkEncodeError extends Error {
  override readonly name = "NetlinkEncodeError";
  readonly code: NetlinkEncodeErrorCode;
  readonly path: string;

  constructor(code: NetlinkEncodeErrorCode, path: string, detail: string) {
    super(`${detail} (${path})`);
    this.code = code;
    this.path = path;
  }
}

export const isNetlinkEncodeError = errorGuard<NetlinkEncodeError>("NetlinkEncodeError");
