import { NetlinkDecodeError } from "../errors.js";
import { NLMSG_HDRLEN, align4 } from "./constants.js";
import { HOST_LITTLE_ENDIAN as LE, dataViewOf } from "./host-order.js";

/** struct nlmsghdr, host byte order on the wire. */
export interface NlMsgHeader {
  /** nlmsg_len: header plus payload, without trailing padding. */
  len: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
}

export interface NlMessage {
  header: NlMsgHeader;
  /** Offset of the message in its datagram. */
  offset: number;
  /** The whole message (header included), a view of the datagram. */
  bytes: Uint8Array;
  /** The bytes after the 16-byte header, a view of the datagram. */
  payload: Uint8Array;
}

/**
 * A message of a received datagram. The views are made on first use: a dump decoder
 * reads through the datagram directly and never needs them.
 */
export class DatagramMessage implements NlMessage {
  readonly header: NlMsgHeader;
  readonly offset: number;
  readonly datagram: Uint8Array;
  #bytes: Uint8Array | undefined;
  #payload: Uint8Array | undefined;

  constructor(datagram: Uint8Array, offset: number, header: NlMsgHeader) {
    this.datagram = datagram;
    this.offset = offset;
    this.header = header;
  }

  get bytes(): Uint8Array {
    return (this.#bytes ??= this.datagram.subarray(this.offset, this.offset + this.header.len));
  }

  get payload(): Uint8Array {
    return (this.#payload ??= this.datagram.subarray(this.offset + NLMSG_HDRLEN, this.offset + this.header.len));
  }
}

/** Read an nlmsghdr at `offset` of `bytes` (bounds are the caller's job). */
export function readMessageHeader(bytes: Uint8Array, offset: number): NlMsgHeader {
  const dv = dataViewOf(bytes);
  const p = bytes.byteOffset + offset;
  return {
    len: dv.getUint32(p, LE),
    type: dv.getUint16(p + 4, LE),
    flags: dv.getUint16(p + 6, LE),
    seq: dv.getUint32(p + 8, LE),
    pid: dv.getUint32(p + 12, LE),
  };
}

/** The message at `offset` of a received datagram (its header already checked to lie within it). */
export function messageAt(datagram: Uint8Array, offset: number): NlMessage {
  return new DatagramMessage(datagram, offset, readMessageHeader(datagram, offset));
}

/**
 * Split a datagram into its netlink messages. A message's nlmsg_len need not be a multiple of 4
 * (conntrack events); the next message starts at the aligned length. Padding after the last
 * message may be cut off by the datagram end.
 */
export function parseMessages(datagram: Uint8Array): NlMessage[] {
  const messages: NlMessage[] = [];
  const end = datagram.length;
  let offset = 0;
  while (offset < end) {
    if (end - offset < NLMSG_HDRLEN) {
      throw new NetlinkDecodeError("truncated", offset, `${end - offset} bytes left, too short for an nlmsghdr`, "nlmsghdr");
    }
    const header = readMessageHeader(datagram, offset);
    if (header.len < NLMSG_HDRLEN) {
      throw new NetlinkDecodeError("bad-length", offset, `nlmsg_len ${header.len} is smaller than the header`, "nlmsghdr.len");
    }
    if (header.len > end - offset) {
      throw new NetlinkDecodeError("truncated", offset, `nlmsg_len ${header.len} runs past the datagram end (${end - offset} bytes left)`, "nlmsghdr.len");
    }
    messages.push(new DatagramMessage(datagram, offset, header));
    offset += align4(header.len);
  }
  return messages;
}

/** Write a 16-byte nlmsghdr at `offset` of `buf`. */
export function writeMessageHeader(buf: Uint8Array, offset: number, header: NlMsgHeader): void {
  if (offset < 0 || offset + NLMSG_HDRLEN > buf.length) {
    throw new RangeError(`no room for an nlmsghdr at offset ${offset} of ${buf.length} bytes`);
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  dv.setUint32(offset, header.len >>> 0, LE);
  dv.setUint16(offset + 4, header.type & 0xffff, LE);
  dv.setUint16(offset + 6, header.flags & 0xffff, LE);
  dv.setUint32(offset + 8, header.seq >>> 0, LE);
  dv.setUint32(offset + 12, header.pid >>> 0, LE);
}

/** A whole message from a header (its len is computed) and a payload, padded to 4 bytes. */
export function buildMessage(header: Omit<NlMsgHeader, "len">, payload: Uint8Array): Uint8Array {
  const len = NLMSG_HDRLEN + payload.length;
  const out = new Uint8Array(align4(len));
  writeMessageHeader(out, 0, { ...header, len });
  out.set(payload, NLMSG_HDRLEN);
  return out;
}
