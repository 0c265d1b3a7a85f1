import { NetlinkDecodeError } from "../errors.js";
import { AttrReader } from "./attr-reader.js";
import {
  NLMSG_HDRLEN, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLMSGERR_ATTR_COOKIE, NLMSGERR_ATTR_MISS_NEST,
  NLMSGERR_ATTR_MISS_TYPE, NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS, NLMSGERR_ATTR_POLICY, align4,
} from "./constants.js";
import { HOST_LITTLE_ENDIAN as LE, dataViewOf } from "./host-order.js";
import { type NlMessage, type NlMsgHeader, readMessageHeader } from "./message.js";

/** Extended ACK TLVs (NLMSGERR_ATTR_*) of an error or done message. */
export interface Extack {
  /** NLMSGERR_ATTR_MSG: human-readable reason. */
  message?: string;
  /** NLMSGERR_ATTR_OFFS: offset of the offending attribute from the start of the request's nlmsghdr. */
  offset?: number;
  /** NLMSGERR_ATTR_COOKIE. */
  cookie?: Uint8Array;
  /** NLMSGERR_ATTR_POLICY: the violated policy (NL_POLICY_TYPE_ATTR_*), keys in camelCase. */
  policy?: Record<string, number | bigint>;
  /** NLMSGERR_ATTR_MISS_TYPE: type number of a missing attribute. */
  missingType?: number;
  /** NLMSGERR_ATTR_MISS_NEST: offset of the nest the missing attribute belongs in. */
  missingNest?: number;
}

export interface NlErrorInfo {
  /** Negative errno, or 0 for an ACK. */
  error: number;
  /** The header of the request this answers. */
  request?: NlMsgHeader;
  extack: Extack;
}

export interface NlDoneInfo {
  /** 0, or the negative errno a dump ended with. */
  error: number;
  extack: Extack;
}

// enum netlink_policy_type_attr, in camelCase; u64 members decode to bigint.
const POLICY_KEYS: readonly (readonly [string, "u32" | "s64" | "u64"] | undefined)[] = [
  undefined,
  ["type", "u32"],
  ["minValueS", "s64"],
  ["maxValueS", "s64"],
  ["minValueU", "u64"],
  ["maxValueU", "u64"],
  ["minLength", "u32"],
  ["maxLength", "u32"],
  ["policyIdx", "u32"],
  ["policyMaxtype", "u32"],
  ["bitfield32Mask", "u32"],
  undefined, // PAD
  ["mask", "u64"],
];

function parsePolicy(r: AttrReader): Record<string, number | bigint> {
  const policy: Record<string, number | bigint> = {};
  const inner = r.nestedReader();
  while (inner.next()) {
    const spec = POLICY_KEYS[inner.type];
    if (spec === undefined) continue;
    const [key, kind] = spec;
    if (kind === "u32" && inner.length === 4) policy[key] = inner.u32();
    else if (kind === "s64" && inner.length === 8) policy[key] = inner.s64();
    else if (kind === "u64" && inner.length === 8) policy[key] = inner.u64();
  }
  return policy;
}

/** Parse extack TLVs in `bytes[start, end)`; tolerant of unknown TLVs, strict on framing. */
export function parseExtackTlvs(bytes: Uint8Array, start: number, end: number): Extack {
  const extack: Extack = {};
  const r = new AttrReader(bytes, start, end);
  while (r.next()) {
    switch (r.type) {
      case NLMSGERR_ATTR_MSG: {
        const text = r.payload();
        const n = text.length > 0 && text[text.length - 1] === 0 ? text.length - 1 : text.length;
        extack.message = new TextDecoder().decode(text.subarray(0, n));
        break;
      }
      case NLMSGERR_ATTR_OFFS:
        if (r.length === 4) extack.offset = r.u32();
        break;
      case NLMSGERR_ATTR_COOKIE:
        extack.cookie = r.bytes();
        break;
      case NLMSGERR_ATTR_POLICY:
        extack.policy = parsePolicy(r);
        break;
      case NLMSGERR_ATTR_MISS_TYPE:
        if (r.length === 4) extack.missingType = r.u32();
        break;
      case NLMSGERR_ATTR_MISS_NEST:
        if (r.length === 4) extack.missingNest = r.u32();
        break;
    }
  }
  return extack;
}

function readError(payload: Uint8Array, what: string): number {
  if (payload.length < 4) throw new NetlinkDecodeError("truncated", NLMSG_HDRLEN, `${what} payload of ${payload.length} bytes has no error code`, what);
  return dataViewOf(payload).getInt32(payload.byteOffset, LE);
}

/** Parse an NLMSG_ERROR message (an ACK when error is 0). */
export function parseErrorMessage(msg: NlMessage): NlErrorInfo {
  const payload = msg.payload;
  const error = readError(payload, "nlmsgerr");
  const info: NlErrorInfo = { error, extack: {} };
  if (payload.length < 4 + NLMSG_HDRLEN) return info;
  const request = readMessageHeader(payload, 4);
  info.request = request;
  if ((msg.header.flags & NLM_F_ACK_TLVS) === 0) return info;
  // Without NETLINK_CAP_ACK the kernel echoes the whole request before the TLVs.
  const tlvStart = (msg.header.flags & NLM_F_CAPPED) !== 0 ? 4 + NLMSG_HDRLEN : 4 + align4(request.len);
  if (tlvStart > payload.length) {
    throw new NetlinkDecodeError("truncated", NLMSG_HDRLEN + 4, `echoed request of ${request.len} bytes runs past the error message`, "nlmsgerr.msg");
  }
  try {
    info.extack = parseExtackTlvs(payload, tlvStart, payload.length);
  } catch (e) {
    throw shiftError(e, NLMSG_HDRLEN, "nlmsgerr.extack");
  }
  return info;
}

/** Parse an NLMSG_DONE message: the dump's final error code and extack. */
export function parseDoneMessage(msg: NlMessage): NlDoneInfo {
  const payload = msg.payload;
  // Some old senders end a dump with an empty DONE.
  if (payload.length === 0) return { error: 0, extack: {} };
  const error = readError(payload, "done");
  if ((msg.header.flags & NLM_F_ACK_TLVS) === 0) return { error, extack: {} };
  try {
    return { error, extack: parseExtackTlvs(payload, 4, payload.length) };
  } catch (e) {
    throw shiftError(e, NLMSG_HDRLEN, "done.extack");
  }
}

function shiftError(e: unknown, by: number, path: string): unknown {
  if (e instanceof NetlinkDecodeError) return new NetlinkDecodeError(e.code, e.offset + by, e.detail, path);
  return e;
}
