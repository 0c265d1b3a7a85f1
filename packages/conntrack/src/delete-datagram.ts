/**
 * One datagram of DELETE requests written in place from dumped entries: no request object and no
 * encode pass per entry. Every message is quiet (no NLM_F_ACK: the kernel answers only a failure)
 * except the last, whose ACK tells that the kernel has handled the whole datagram. Sequence
 * numbers are consecutive from `firstSeq`, so a reply's seq gives its message's index.
 */
import { HOST_LITTLE_ENDIAN, NLMSG_HDRLEN, NLM_F_ACK, NLM_F_REQUEST, type MessageView } from "@tsconntrack/codec";
import { CT_DELETE } from "./constants.js";
import { DELETE_SCAN_SIZE, findDeleteAttrs, writeDeletePayload } from "./requests.js";

export class DeleteDatagram {
  private readonly maxBytes: number;
  private readonly maxMessages: number;
  private buffer: Uint8Array;
  private view: DataView;
  /** Start of each message in `buffer` (for errors that point into a request). */
  private readonly starts: Int32Array;
  private readonly found = new Int32Array(DELETE_SCAN_SIZE);
  private used = 0;
  /** Messages written. */
  count = 0;
  firstSeq = 0;

  /** `maxBytes` and `maxMessages`: as NetlinkClient's batches (a lone message may exceed maxBytes). */
  constructor(maxBytes: number, maxMessages: number) {
    this.maxBytes = maxBytes;
    this.maxMessages = maxMessages;
    this.buffer = new Uint8Array(maxBytes + 4096);
    this.view = new DataView(this.buffer.buffer);
    this.starts = new Int32Array(maxMessages);
  }

  /** Empties the datagram; its messages will be numbered from `firstSeq`. */
  reset(firstSeq: number): void {
    this.used = 0;
    this.count = 0;
    this.firstSeq = firstSeq >>> 0;
  }

  /**
   * Appends the DELETE of the dumped entry walked into `entry` (see deleteRequestFromView); false,
   * writing nothing, when the datagram is full (send it first).
   */
  append(entry: MessageView): boolean {
    const size = NLMSG_HDRLEN + findDeleteAttrs(entry, this.found);
    if (this.count > 0 && (this.count === this.maxMessages || this.used + size > this.maxBytes)) return false;
    if (this.used + size > this.buffer.length) this.grow(this.used + size);
    const at = this.used;
    const view = this.view;
    view.setUint32(at, size, HOST_LITTLE_ENDIAN);
    view.setUint16(at + 4, CT_DELETE, HOST_LITTLE_ENDIAN);
    view.setUint16(at + 6, NLM_F_REQUEST, HOST_LITTLE_ENDIAN);
    view.setUint32(at + 8, (this.firstSeq + this.count) >>> 0, HOST_LITTLE_ENDIAN);
    view.setUint32(at + 12, 0, HOST_LITTLE_ENDIAN);
    // The payload is a multiple of 4 bytes, so the next message starts right after it.
    this.used = writeDeletePayload(this.buffer, at + NLMSG_HDRLEN, entry, this.found);
    this.starts[this.count++] = at;
    return true;
  }

  /** The number the message after the last one would get. */
  get nextSeq(): number {
    return (this.firstSeq + this.count) >>> 0;
  }

  /** The bytes to send: the last message asks for an ACK. Valid until the next append or reset. */
  finish(): Uint8Array {
    const last = this.starts[this.count - 1]!;
    this.view.setUint16(last + 6, NLM_F_REQUEST | NLM_F_ACK, HOST_LITTLE_ENDIAN);
    return this.buffer.subarray(0, this.used);
  }

  /** The index of the message numbered `seq`, or -1 when it is not one of ours. */
  indexOf(seq: number): number {
    const index = (seq - this.firstSeq) >>> 0;
    return index < this.count ? index : -1;
  }

  /** Message `index` as sent (for mapping an extended ACK's offset to an attribute). */
  message(index: number): Uint8Array {
    const at = this.starts[index]!;
    return this.buffer.subarray(at, at + this.view.getUint32(at, HOST_LITTLE_ENDIAN));
  }

  private grow(need: number): void {
    const buffer = new Uint8Array(need + 4096);
    buffer.set(this.buffer.subarray(0, this.used));
    this.buffer = buffer;
    this.view = new DataView(buffer.buffer);
  }
}
