/**
 * What a scripted kernel answers to one request, and how that becomes datagrams: reply messages
 * (NLM_F_MULTI in a dump), then the closing NLMSG_ERROR, ACK or NLMSG_DONE, as ctnetlink and
 * af_netlink.c would send them.
 */
import { NLM_F_DUMP_INTR, NLM_F_MULTI, buildMessage, type FamilyCodec } from "@tsconntrack/codec";
import { doneMessage, errnoValue, errorMessage, type Errno, type ExtackSpec } from "./control-messages.js";
import type { KernelRequest } from "./kernel-request.js";

/** Header fields of a reply; seq and pid default to the request's seq and the socket's port id (0 and 0 for events). */
export interface ReplyHeader {
  /** nlmsg_type, e.g. a generated ConntrackReply.get. */
  type: number;
  /** nlmsg_flags; NLM_F_MULTI is added in a dump. */
  flags?: number;
  seq?: number;
  pid?: number;
}

/** A reply whose payload (everything after the nlmsghdr) the test gives as bytes. */
export interface RawReply extends ReplyHeader {
  payload: Uint8Array;
}

/** A reply encoded with the kernel's codec: fixed header members (missing ones 0) and attributes of `set`. */
export interface EncodedReply extends ReplyHeader {
  fixed?: object;
  /** Attribute set of `attrs`; by default the codec's set for `type`. */
  set?: string;
  attrs?: object;
}

/**
 * One message of an answer. Bytes are sent as they are (not renumbered, never aligned): the way to
 * put a malformed or truncated message on the wire.
 */
export type ReplyMessage = RawReply | EncodedReply | Uint8Array;

/**
 * A kernel's answer to one request. The default, `{}`, is the kernel's answer to a success: an
 * empty dump (NLMSG_DONE), an ACK where NLM_F_ACK asked for one, else nothing.
 */
export interface Answer {
  /** Reply messages, before the closing message. */
  messages?: readonly ReplyMessage[];
  /** The request fails: NLMSG_ERROR with -errno closes the answer (for a dump: the kernel refused to start it). */
  errno?: Errno;
  /** A dump that fails on the way: NLMSG_DONE carries -errno (as netlink_dump_done() sends a dump callback's error). */
  doneErrno?: Errno;
  /** Extended ACK TLVs of the closing message (NLM_F_ACK_TLVS): the error's reason, or a warning on an ACK or DONE. */
  extack?: ExtackSpec;
  /** The dump's NLMSG_DONE carries NLM_F_DUMP_INTR (the table changed during the dump). */
  interrupted?: boolean;
  /** No closing message at all: a kernel that stops answering, or bytes a test makes up. */
  silent?: boolean;
  /**
   * How many messages (the closing one counted) go in each datagram but the last, which takes the
   * rest. Default: one datagram, as the kernel fills one skb while the replies fit.
   */
  split?: readonly number[];
}

/** What framing needs to know about the kernel and the socket. */
export interface FramingContext {
  readonly codec?: FamilyCodec;
  readonly portId: number;
  /** NETLINK_CAP_ACK: errors echo only the request's header. */
  readonly capAck: boolean;
}

/** The datagrams answering `request` (none for a quiet success). */
export function frameAnswer(answer: Answer, request: KernelRequest<object, object>, context: FramingContext): Uint8Array[] {
  const { seq } = request.header;
  const multi = request.dump ? NLM_F_MULTI : 0;
  const parts = (answer.messages ?? []).map((reply) => encodeReply(reply, { seq, pid: context.portId, flags: multi }, context.codec));
  if (answer.silent !== true) {
    const closing = closingMessage(answer, request, context);
    if (closing !== undefined) parts.push(closing);
  }
  return splitDatagrams(parts, answer.split);
}

/** One reply message as bytes; `defaults` fill the header fields the reply leaves out (flags are or-ed in). */
export function encodeReply(reply: ReplyMessage, defaults: { seq: number; pid: number; flags: number }, codec: FamilyCodec | undefined): Uint8Array {
  if (reply instanceof Uint8Array) return reply;
  const header = { type: reply.type, flags: (reply.flags ?? 0) | defaults.flags, seq: reply.seq ?? defaults.seq, pid: reply.pid ?? defaults.pid };
  if ("payload" in reply) return buildMessage(header, reply.payload);
  if (codec === undefined) throw new TypeError(`reply of type 0x${reply.type.toString(16)} has no payload, and the kernel no codec to encode its attributes`);
  return codec.encodeMessage({ ...header, fixed: reply.fixed ?? {}, ...(reply.set !== undefined ? { set: reply.set } : {}), attrs: reply.attrs ?? {} });
}

function closingMessage(answer: Answer, request: KernelRequest<object, object>, context: FramingContext): Uint8Array | undefined {
  const { header } = request;
  const errno = answer.errno === undefined ? 0 : errnoValue(answer.errno);
  if (!request.dump && (answer.doneErrno !== undefined || answer.interrupted !== undefined)) {
    throw new RangeError(`doneErrno and interrupted answer dumps; request 0x${header.type.toString(16)} is not one`);
  }
  const extack = answer.extack !== undefined ? { extack: answer.extack } : {};
  if (errno !== 0) {
    return errorMessage({ seq: header.seq, portId: context.portId, errno, ...extack, request: request.bytes, capped: context.capAck });
  }
  if (request.dump) {
    const flags = answer.interrupted === true ? NLM_F_DUMP_INTR : 0;
    return doneMessage({ seq: header.seq, portId: context.portId, errno: answer.doneErrno ?? 0, flags, ...extack });
  }
  return request.ack ? errorMessage({ seq: header.seq, portId: context.portId, ...extack, request: header }) : undefined;
}

function splitDatagrams(parts: Uint8Array[], split: readonly number[] = []): Uint8Array[] {
  const datagrams: Uint8Array[] = [];
  let at = 0;
  for (const count of split) {
    if (!Number.isInteger(count) || count < 1 || at + count > parts.length) {
      throw new RangeError(`split ${JSON.stringify(split)} does not fit an answer of ${parts.length} messages`);
    }
    datagrams.push(concatBytes(parts.slice(at, at + count)));
    at += count;
  }
  if (at < parts.length) datagrams.push(concatBytes(parts.slice(at)));
  return datagrams;
}

/** The parts one after another, in a new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
