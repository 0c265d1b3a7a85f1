import { errnoCode, errnoText } from "./errno.js";
import { EPERM } from "./constants.js";
import { errorGuard, ErrorWithFields } from "@tsconntrack/codec";

/** Which step failed: a socket call, or a netlink request the kernel answered with an error. */
export type NetlinkOperation =
  | "socket"
  | "bind"
  | "connect"
  | "getsockname"
  | "setsockopt"
  | "getsockopt"
  | "send"
  | "recv"
  | "poll"
  | "request"
  | "dump"
  | "replay";

/** The kernel's extended ACK for a failed request, with the attribute path when a mapper was given. */
export interface ExtendedAck {
  message?: string;
  /** Byte offset of the offending attribute, counted from the start of the request's nlmsghdr. */
  offset?: number;
  /** Attribute path of `offset` in the request, e.g. ["tupleOrig", "tupleIp", "ipV4Src"]. */
  attrPath?: string[];
  /** NLMSGERR_ATTR_MISS_TYPE: the attribute type the kernel said is missing. */
  missingType?: number;
  /** NLMSGERR_ATTR_MISS_NEST: offset of the nest that lacks `missingType`. */
  missingNest?: number;
}

export interface NetlinkSocketErrorOptions {
  extack?: ExtendedAck;
  /** Extra words for the message (for example the socket option that failed). */
  detail?: string;
  /** Sequence number of the failed request, when there is one. */
  seq?: number;
  cause?: unknown;
}

/** A failed socket call or a negative netlink error reply. */
export class NetlinkSocketError extends ErrorWithFields<NetlinkSocketError> {
  override readonly name = "NetlinkSocketError";
  /** Positive errno (1 for EPERM). */
  declare readonly errno: number;
  /** Symbolic errno, "EPERM". */
  declare readonly code: string;
  declare readonly op: NetlinkOperation;
  declare readonly extack?: ExtendedAck;
  declare readonly seq?: number;

  constructor(op: NetlinkOperation, errno: number, options: NetlinkSocketErrorOptions = {}) {
    const positive = Math.abs(errno);
    super(
      describe(op, positive, options),
      { errno: positive, code: errnoCode(positive), op, extack: options.extack, seq: options.seq },
      options.cause === undefined ? undefined : { cause: options.cause },
    );
  }
}

function describe(op: NetlinkOperation, errno: number, options: NetlinkSocketErrorOptions): string {
  const parts = [`${op}${options.detail ? ` (${options.detail})` : ""}: ${errnoText(errno)}`];
  if (options.extack?.message) parts.push(`: ${options.extack.message}`);
  if (options.extack?.attrPath?.length) parts.push(` [at ${options.extack.attrPath.join(".")}]`);
  if (errno === EPERM) parts.push(" (root or CAP_NET_ADMIN is needed)");
  return parts.join("");
}

/** A protocol problem that is not an errno: a malformed reply, a replay that departs from its capture. */
export type NetlinkProtocolReason = "malformed" | "truncated" | "closed" | "replay-mismatch" | "replay-exhausted" | "unexpected";

export class NetlinkProtocolError extends ErrorWithFields<NetlinkProtocolError> {
  override readonly name = "NetlinkProtocolError";
  declare readonly reason: NetlinkProtocolReason;
  constructor(message: string, reason: NetlinkProtocolReason) {
    super(message, { reason });
  }
}

/** Why a capture file could not be opened: kept apart so a CLI can say what to do about it. */
export type CaptureFileReason = "exists" | "symlink" | "not-regular" | "io";

/** A pcap file that cannot be created, overwritten or read. */
export class CaptureFileError extends ErrorWithFields<CaptureFileError> {
  override readonly name = "CaptureFileError";
  declare readonly path: string;
  declare readonly reason: CaptureFileReason;
  /** The errno name behind an "io" failure (ENOENT, EACCES...). */
  declare readonly code?: string;
  constructor(path: string, reason: CaptureFileReason, code?: string) {
    super(`${path}: ${code !== undefined ? `${reason} (${code})` : reason}`, { path, reason, code });
  }
}

/**
 * Why `--netns` could not be entered: the name is neither an `ip netns` name nor an absolute path;
 * the file cannot be opened (`code`: ENOENT, EACCES...); it is not a network namespace; or setns
 * failed otherwise (`code`: EPERM without CAP_SYS_ADMIN).
 */
export type NetnsErrorReason = "bad-name" | "open" | "not-netns" | "setns";

export class NetnsError extends ErrorWithFields<NetnsError> {
  override readonly name = "NetnsError";
  /** What the caller gave (a name or a path). */
  declare readonly netns: string;
  /** The file that was opened. */
  declare readonly path: string;
  declare readonly reason: NetnsErrorReason;
  declare readonly code?: string;
  constructor(netns: string, path: string, reason: NetnsErrorReason, code?: string) {
    super(
      `network namespace ${netns} (${path}): ${reason}${code !== undefined ? ` ${code}` : ""}`,
      { netns, path, reason, code },
    );
  }
}

// The type guards, by name (see errorGuard).
export const isNetlinkSocketError = errorGuard<NetlinkSocketError>("NetlinkSocketError");
export const isNetlinkProtocolError = errorGuard<NetlinkProtocolError>("NetlinkProtocolError");
export const isCaptureFileError = errorGuard<CaptureFileError>("CaptureFileError");
export const isNetnsError = errorGuard<NetnsError>("NetnsError");
