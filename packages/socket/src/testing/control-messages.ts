/**
 * The kernel's control messages, as bytes: NLMSG_ERROR (an ACK when the error is 0) and NLMSG_DONE,
 * with extended-ACK TLVs (NLMSGERR_ATTR_*). What af_netlink.c's netlink_ack() and netlink_dump_done()
 * put on the wire, for tests that need a kernel's answer without a kernel.
 */
import {
  AttrWriter,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_MULTI,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLMSGERR_ATTR_COOKIE,
  NLMSGERR_ATTR_MISS_NEST,
  NLMSGERR_ATTR_MISS_TYPE,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
  HOST_LITTLE_ENDIAN as HOST_LE,
  buildMessage,
  errnoNumber,
  readMessageHeader,
  writeMessageHeader,
  type NlMsgHeader,
} from "@tsconntrack/codec";
import { viewOf } from "../wire.js";

/** A positive errno, or its C name ("EEXIST"). */
export type Errno = number | string;

/** The extended ACK a kernel attaches to an error, an ACK or a DONE (each field one NLMSGERR_ATTR_* TLV). */
export interface ExtackSpec {
  /** NLMSGERR_ATTR_MSG. */
  message?: string;
  /** NLMSGERR_ATTR_OFFS: offset of the offending attribute from the start of the request's nlmsghdr. */
  offset?: number;
  /** NLMSGERR_ATTR_COOKIE. */
  cookie?: Uint8Array;
  /** NLMSGERR_ATTR_MISS_TYPE: the type of a missing attribute. */
  missingType?: number;
  /** NLMSGERR_ATTR_MISS_NEST: offset of the nest that lacks it. */
  missingNest?: number;
}

export interface ErrorMessageSpec {
  /** nlmsg_seq: the request's sequence number. */
  seq: number;
  /** nlmsg_pid: the port id of the socket the answer goes to. */
  portId: number;
  /** Positive errno (or its name); 0, the default, makes an ACK. */
  errno?: Errno;
  extack?: ExtackSpec;
  /**
   * The request answered: its header (echoed), or its whole message. Default: a bare header with `seq`.
   * The whole message is echoed only for an error on a socket without NETLINK_CAP_ACK (`capped: false`).
   */
  request?: NlMsgHeader | Uint8Array;
  /** NETLINK_CAP_ACK was set (default true, as LiveTransport sets it): only the request's header is echoed. */
  capped?: boolean;
}

export interface DoneMessageSpec {
  /** nlmsg_seq: the dump request's sequence number. */
  seq: number;
  /** nlmsg_pid: the port id of the socket the answer goes to. */
  portId: number;
  /** Positive errno (or its name) the dump ended with; 0 by default. */
  errno?: Errno;
  extack?: ExtackSpec;
  /** More nlmsg_flags besides NLM_F_MULTI, e.g. NLM_F_DUMP_INTR. */
  flags?: number;
}

/** The positive errno of a number or a C name; throws for anything else, so a typo fails the test. */
export function errnoValue(errno: Errno): number {
  const value = typeof errno === "string" ? errnoNumber(errno) : errno;
  if (value === undefined || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`not an errno: ${String(errno)} (a positive number or a C name such as "EEXIST")`);
  }
  return value;
}

/** NLMSGERR_ATTR_* TLVs of an extended ACK; empty when it has nothing. */
export function extackTlvs(extack: ExtackSpec | undefined): Uint8Array {
  const writer = new AttrWriter(64);
  if (extack?.message !== undefined) writer.string(NLMSGERR_ATTR_MSG, extack.message);
  if (extack?.offset !== undefined) writer.u32(NLMSGERR_ATTR_OFFS, extack.offset);
  if (extack?.cookie !== undefined) writer.bytes(NLMSGERR_ATTR_COOKIE, extack.cookie);
  if (extack?.missingType !== undefined) writer.u32(NLMSGERR_ATTR_MISS_TYPE, extack.missingType);
  if (extack?.missingNest !== undefined) writer.u32(NLMSGERR_ATTR_MISS_NEST, extack.missingNest);
  return writer.finish();
}

/** An NLMSG_ERROR message: `-errno`, the echoed request, then the extack TLVs. */
export function errorMessage(spec: ErrorMessageSpec): Uint8Array {
  const errno = errnoValue(spec.errno ?? 0);
  const request = spec.request ?? { len: NLMSG_HDRLEN, type: 0, flags: 0, seq: spec.seq, pid: 0 };
  // The kernel never echoes the payload of an ACK, and with NETLINK_CAP_ACK not that of an error either.
  const whole = request instanceof Uint8Array && errno !== 0 && spec.capped === false;
  const echoed = whole ? request : echoedHeader(request);
  const tlvs = extackTlvs(spec.extack);
  const payload = new Uint8Array(4 + echoed.length + tlvs.length);
  viewOf(payload).setInt32(0, -errno, HOST_LE);
  payload.set(echoed, 4);
  payload.set(tlvs, 4 + echoed.length);
  const flags = (whole ? 0 : NLM_F_CAPPED) | (tlvs.length > 0 ? NLM_F_ACK_TLVS : 0);
  return buildMessage({ type: NLMSG_ERROR, flags, seq: spec.seq, pid: spec.portId }, payload);
}

/** An NLMSG_DONE message ending a dump: NLM_F_MULTI, `-errno`, then the extack TLVs. */
export function doneMessage(spec: DoneMessageSpec): Uint8Array {
  const tlvs = extackTlvs(spec.extack);
  const payload = new Uint8Array(4 + tlvs.length);
  viewOf(payload).setInt32(0, -errnoValue(spec.errno ?? 0), HOST_LE);
  payload.set(tlvs, 4);
  const flags = NLM_F_MULTI | (spec.flags ?? 0) | (tlvs.length > 0 ? NLM_F_ACK_TLVS : 0);
  return buildMessage({ type: NLMSG_DONE, flags, seq: spec.seq, pid: spec.portId }, payload);
}

function echoedHeader(request: NlMsgHeader | Uint8Array): Uint8Array {
  const header = request instanceof Uint8Array ? readMessageHeader(request, 0) : request;
  const out = new Uint8Array(NLMSG_HDRLEN);
  writeMessageHeader(out, 0, header);
  return out;
}
