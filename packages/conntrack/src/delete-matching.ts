/**
 * Conntrack#deleteMatchingSync: dump the matching entries and delete each one, with the DELETE
 * written straight from the dumped bytes into the datagram being filled (DeleteDatagram): no
 * request object, no encode pass, no result object per entry.
 *
 * On a live kernel the deletes go out on a socket of their own while the dump is still running,
 * as conntrack does, a full datagram at a time: only the entries waiting for their answer are
 * kept (in one reused ByteLog), and each is reported as soon as the kernel has acknowledged its
 * datagram, so memory stays constant and the bytes are still in cache. A capture or a caller's
 * transport is one conversation, so there the deletes are sent once the dump is over, in the
 * datagrams NetlinkClient#batchSync would have sent.
 *
 * Only entries the kernel really deleted are reported, in dump order; ENOENT (gone meanwhile)
 * counts as vanished, any other error is returned in `errors`, in request order.
 */
import { HOST_LITTLE_ENDIAN, NLMSG_ERROR, NLMSG_HDRLEN, parseMessages, parseErrorMessage, type MessageView } from "@tsconntrack/codec";
import { NetlinkProtocolError, type NetlinkClient } from "@tsconntrack/socket";
import { ByteLog } from "./byte-log.js";
import type { Conntrack, DeleteMatchingOptions, DeleteSummary } from "./conntrack.js";
import type { ConntrackAttrs } from "@tsconntrack/codec/conntrack";
import { ENOENT, SET_CONNTRACK } from "./constants.js";
import { DeleteDatagram } from "./delete-datagram.js";
import type { FlowFilter } from "./filter.js";
import { viewFamily } from "./flow-view.js";
import type { ListOptions, ListSummary } from "./list.js";
import { decodeMessageBytes } from "./view-decode.js";

/**
 * `second`: a client on another socket (live sessions) for the deletes, idle while the dump runs;
 * without it they go on the request socket once the dump is over. The entry bytes handed to
 * `onDeletedMessage` are valid only during the call.
 */
export function deleteMatchingSync(ct: Conntrack, filter: FlowFilter, options: DeleteMatchingOptions = {}, second?: () => NetlinkClient): DeleteSummary {
  const deleter = new Deleter(second === undefined ? ct.requests() : undefined, second, options);
  const list = ct.listViewsSync(listOptions(filter, options), (view) => deleter.add(view));
  return deleter.finish(list);
}

const listOptions = (filter: FlowFilter, options: DeleteMatchingOptions): ListOptions => ({
  filter,
  ...(options.kernelFilter !== undefined ? { kernelFilter: options.kernelFilter } : {}),
  ...(options.onUndecodable !== undefined ? { onUndecodable: options.onUndecodable } : {}),
});

/** Per message of a datagram: how the kernel answered. */
const OK = 0;
const VANISHED = 1;
const FAILED = 2;

class Deleter {
  private matched = 0;
  private deleted = 0;
  private vanished = 0;
  private readonly errors: DeleteSummary["errors"] = [];

  /** Who sends the deletes: `streaming` = on a socket of their own, during the dump. */
  private client: NetlinkClient | undefined;
  private readonly openSecond: (() => NetlinkClient) | undefined;
  private readonly streaming: boolean;
  private readonly options: DeleteMatchingOptions;
  /** The datagram being filled, and (without a socket of our own) the full ones waiting for the dump's end. */
  private current: DeleteDatagram | undefined;
  private readonly waiting: DeleteDatagram[] = [];
  /** The entries not reported yet, in order (tag = family), when a callback wants them. */
  private readonly entries: ByteLog | undefined;
  private reported = 0;
  private status = new Uint8Array(0);

  constructor(client: NetlinkClient | undefined, second: (() => NetlinkClient) | undefined, options: DeleteMatchingOptions) {
    this.client = client;
    this.openSecond = second;
    this.streaming = second !== undefined;
    this.options = options;
    if (options.onDeleted !== undefined || options.onDeletedMessage !== undefined) this.entries = new ByteLog(1 << 18, 1024);
  }

  add(view: MessageView): void {
    let current = this.current ?? this.start(undefined);
    if (!current.append(view)) {
      if (this.streaming) {
        // Our own socket: send the full datagram now and refill it.
        this.send(current);
        current.reset(current.nextSeq);
      } else {
        this.waiting.push(current);
        current = this.start(current.nextSeq);
      }
      current.append(view);
    }
    this.matched++;
    // A copy: the view's bytes are the reused receive buffer.
    this.entries?.append(view.u8, view.start, view.end, viewFamily(view));
  }

  /** Sends what is left once the dump is over. */
  finish(list: ListSummary): DeleteSummary {
    for (const datagram of this.waiting) this.send(datagram);
    this.waiting.length = 0;
    if (this.current !== undefined && this.current.count > 0) this.send(this.current);
    return { matched: this.matched, deleted: this.deleted, vanished: this.vanished, errors: this.errors, list };
  }

  /**
   * A new datagram numbered from `firstSeq` (undefined: a number of the client's own). The first
   * one opens the second socket, whose buffers size the datagrams as NetlinkClient's batches.
   * Every answer is read before we return, so no later request can take a number of ours for its own.
   */
  private start(firstSeq: number | undefined): DeleteDatagram {
    const client = (this.client ??= this.openSecond!());
    const transport = client.transport;
    const sendBuffer = transport.sendBufferSize;
    const receiveBuffer = transport.receiveBufferSize;
    const maxBytes = Math.min(256 << 10, sendBuffer > 0 ? sendBuffer - 64 : 64 << 10);
    const maxMessages = receiveBuffer > 0 ? Math.max(1, Math.min(1024, receiveBuffer >> 11)) : 256;
    const datagram = new DeleteDatagram(maxBytes, maxMessages);
    datagram.reset(firstSeq ?? client.nextSeq());
    return (this.current = datagram);
  }

  /** Sends one datagram, reads the kernel's answers until its ACK, and reports its entries. */
  private send(datagram: DeleteDatagram): void {
    const client = this.client!;
    const transport = client.transport;
    const count = datagram.count;
    if (this.status.length < count) this.status = new Uint8Array(count);
    const status = this.status;
    status.fill(OK, 0, count);
    transport.send(datagram.finish());
    for (let answered = false; !answered; ) {
      const received = transport.receiveSync();
      if (received === null) throw new NetlinkProtocolError("delete: the transport closed before the kernel finished answering", "closed");
      answered = this.accept(client, datagram, received.bytes);
    }
    for (let i = 0; i < count; i++) {
      const answer = status[i];
      if (answer === OK) {
        this.deleted++;
        if (this.entries !== undefined) this.report(this.reported + i);
      } else if (answer === VANISHED) this.vanished++;
    }
    this.reported += count;
    if (this.entries !== undefined && this.reported === this.entries.length) {
      this.entries.clear();
      this.reported = 0;
    }
  }

  /** The answers in one received datagram; true once the datagram's last message is answered. */
  private accept(client: NetlinkClient, datagram: DeleteDatagram, bytes: Uint8Array): boolean {
    const portId = client.transport.portId;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const last = datagram.count - 1;
    let answered = false;
    for (let at = 0; at < bytes.length; ) {
      const len = bytes.length - at >= NLMSG_HDRLEN ? view.getUint32(at, HOST_LITTLE_ENDIAN) : 0;
      if (len < NLMSG_HDRLEN || len > bytes.length - at) {
        parseMessages(bytes);
        throw new NetlinkProtocolError("delete: a malformed datagram", "unexpected");
      }
      const seq = view.getUint32(at + 8, HOST_LITTLE_ENDIAN);
      const index = datagram.indexOf(seq);
      if (index < 0 || view.getUint32(at + 12, HOST_LITTLE_ENDIAN) !== portId) client.skippedMessages++;
      else if (view.getUint16(at + 4, HOST_LITTLE_ENDIAN) === NLMSG_ERROR && len >= NLMSG_HDRLEN + 4) {
        const errno = -view.getInt32(at + NLMSG_HDRLEN, HOST_LITTLE_ENDIAN);
        if (errno === ENOENT) this.status[index] = VANISHED;
        else if (errno !== 0) {
          this.status[index] = FAILED;
          const message = parseMessages(bytes.subarray(at, at + len))[0]!;
          this.errors.push(client.kernelError("request", errno, parseErrorMessage(message).extack, datagram.message(index), seq));
        }
        if (index === last) answered = true;
      }
      at += (len + 3) & ~3;
    }
    return answered;
  }

  private report(index: number): void {
    const entries = this.entries!;
    const start = entries.start(index);
    const end = entries.end(index);
    const family = entries.tag(index);
    this.options.onDeletedMessage?.(entries.bytes.subarray(start, end), family);
    this.options.onDeleted?.(decodeMessageBytes<ConntrackAttrs>(entries.bytes.subarray(start, end), SET_CONNTRACK), family);
  }
}
