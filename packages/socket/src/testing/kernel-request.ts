/**
 * One request message as the scripted kernel sees it: header, fixed header and attribute bytes, and,
 * when the kernel has a family codec, the decoded fixed header and attributes.
 */
import {
  NLM_F_ACK,
  NLM_F_DUMP,
  isNetlinkDecodeError,
  parseMessages,
  type FamilyCodec,
  type NetlinkDecodeError,
  type NlMsgHeader,
} from "@tsconntrack/codec";
import type { ScriptedSocket } from "./scripted-socket.js";

export interface KernelRequest<A extends object = Record<string, unknown>, F extends object = Record<string, unknown>> {
  readonly header: NlMsgHeader;
  /** The whole message, nlmsghdr included (a copy: the sender may reuse its buffer). */
  readonly bytes: Uint8Array;
  /** Everything after the nlmsghdr. */
  readonly payload: Uint8Array;
  /** The family's fixed header (nfgenmsg for netfilter); empty without a codec or `fixedHeaderSize`. */
  readonly fixedHeader: Uint8Array;
  /** The attributes after the fixed header. */
  readonly attributes: Uint8Array;
  /** The fixed header decoded by the kernel's codec; `{}` without one. */
  readonly fixed: F;
  /** The attributes decoded by the kernel's codec (as `set`); `{}` without one. */
  readonly attrs: A;
  /** The attribute set the request was decoded as (the operation's, by its nlmsg_type). */
  readonly set?: string;
  /** Why the codec could not decode it; such a request is answered EINVAL without reaching the handler. */
  readonly decodeError?: NetlinkDecodeError;
  /** NLM_F_DUMP is set: answered as a multipart dump ending in NLMSG_DONE. */
  readonly dump: boolean;
  /** NLM_F_ACK is set: a successful do-request is acknowledged. */
  readonly ack: boolean;
  /** The socket that sent it; answers go there. */
  readonly socket: ScriptedSocket<A, F>;
  /** Which of the socket's datagrams (`socket.sent`) it came in, and where in it. */
  readonly datagram: number;
  readonly index: number;
}

/** How the requests of a family are laid out: the fixed header size and attribute set of each request type. */
export interface RequestLayout {
  readonly codec?: FamilyCodec;
  fixedSize(type: number): number;
  set(type: number): string | undefined;
}

/**
 * The layout of a codec's requests, from its operations' request values (the codec's own lookup
 * prefers reply types, which can differ: a ctnetlink 0x103 is a GET_CTRZERO request but an
 * expectation-stats reply).
 */
export function requestLayout(codec: FamilyCodec | undefined, fixedHeaderSize = 0): RequestLayout {
  if (codec === undefined) return { fixedSize: () => fixedHeaderSize, set: () => undefined };
  const family = codec.family;
  const sizeOf = (struct: string | undefined) => (struct === undefined ? 0 : family.structs[struct]?.size ?? 0);
  const routes = new Map<number, { set: string; fixedSize: number }>();
  for (const op of family.operations) {
    for (const mode of [op.do, op.dump]) {
      if (mode?.requestValue === undefined || routes.has(mode.requestValue)) continue;
      routes.set(mode.requestValue, { set: op.attributeSet, fixedSize: sizeOf(op.fixedHeader ?? family.fixedHeader) });
    }
  }
  const defaultSize = sizeOf(family.fixedHeader);
  return {
    codec,
    fixedSize: (type) => routes.get(type)?.fixedSize ?? defaultSize,
    set: (type) => routes.get(type)?.set,
  };
}

/** The requests of one sent datagram (already a copy), decoded where the layout has a codec. */
export function parseRequests<A extends object, F extends object>(
  datagram: Uint8Array,
  layout: RequestLayout,
  socket: ScriptedSocket<A, F>,
  datagramIndex: number,
): KernelRequest<A, F>[] {
  return parseMessages(datagram).map((message, index) => {
    const header = { ...message.header };
    const bytes = message.bytes;
    const payload = message.payload;
    const fixedSize = Math.min(layout.fixedSize(header.type), payload.length);
    const base = {
      header, bytes, payload,
      fixedHeader: payload.subarray(0, fixedSize),
      attributes: payload.subarray(fixedSize),
      dump: (header.flags & NLM_F_DUMP) === NLM_F_DUMP,
      ack: (header.flags & NLM_F_ACK) !== 0,
      socket, datagram: datagramIndex, index,
    };
    if (layout.codec === undefined) return { ...base, fixed: {} as F, attrs: {} as A };
    const set = layout.set(header.type);
    try {
      const decoded = layout.codec.decodeMessage<A, F>(message, set);
      return { ...base, fixed: decoded.fixed, attrs: decoded.attrs, ...(set !== undefined ? { set } : {}) };
    } catch (error) {
      if (!isNetlinkDecodeError(error)) throw error;
      return { ...base, fixed: {} as F, attrs: {} as A, ...(set !== undefined ? { set } : {}), decodeError: error };
    }
  });
}

