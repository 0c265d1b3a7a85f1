import { errorGuard, ErrorWithFields } from "./error-class.js";

export type NetlinkDecodeErrorCode =
  | "truncated" // fewer bytes than a header or a declared length needs
  | "bad-length" // a length field is impossible (too small, past its parent) or wrong for the type
  | "bad-value" // bytes that cannot be a value of the declared type (missing NUL, invalid UTF-8)
  | "too-deep" // nesting beyond the depth limit
  | "unknown-type"; // no attribute set known for a message type

/** The only error decoding ever throws: where (spec path, byte offset) and why (code). */
export class NetlinkDecodeError extends ErrorWithFields<NetlinkDecodeError> {
  override readonly name = "NetlinkDecodeError";
  declare readonly code: NetlinkDecodeErrorCode;
  /** Spec path of the attribute being decoded, e.g. "conntrack-attrs.tuple-orig.tuple-ip.ip-v4-src". */
  declare readonly path: string;
  /** Byte offset in the input (datagram, message or buffer given to the decoder). */
  declare readonly offset: number;
  /** What was wrong, without the location. */
  declare readonly detail: string;

  constructor(code: NetlinkDecodeErrorCode, offset: number, detail: string, path = "") {
    super(`${detail} at offset ${offset}${path ? ` (${path})` : ""}`, { code, offset, path, detail });
  }
}

export const isNetlinkDecodeError = errorGuard<NetlinkDecodeError>("NetlinkDecodeError");

export type NetlinkEncodeErrorCode = "unknown-key" | "bad-value" | "unknown-set" | "too-deep";

/** A value that cannot be encoded with the spec (unknown key, out-of-range number, bad address text). */
export class NetlinkEncodeError extends ErrorWithFields<NetlinkEncodeError> {
  override readonly name = "NetlinkEncodeError";
  declare readonly code: NetlinkEncodeErrorCode;
  declare readonly path: string;

  constructor(code: NetlinkEncodeErrorCode, path: string, detail: string) {
    super(`${detail} (${path})`, { code, path });
  }
}

export const isNetlinkEncodeError = errorGuard<NetlinkEncodeError>("NetlinkEncodeError");
