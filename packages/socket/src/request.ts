import {
  NLM_F_ACK,
  NLM_F_DUMP_INTR,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_MIN_TYPE,
  parseDoneMessage,
  parseErrorMessage,
  messageAt,
  parseMessages,
  writeMessageHeader,
  type NlMessage,
} from "@tsconntrack/codec";
import { NetlinkProtocolError, NetlinkSocketError, type ExtendedAck, type NetlinkOperation } from "./errors.js";
import type { Transport } from "./transport.js";
import { HEADER_SIZE, align4, viewOf } from "./wire.js";

/** nlmsghdr fields are in host byte order. */
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** One request: type and flags of the nlmsghdr plus the bytes after it. */
export interface NetlinkRequest {
  type: number;
  /** NLM_F_* flags; NLM_F_REQUEST is always added, and NLM_F_ACK for do-requests (unless `singleReply`). */
  flags?: number;
  /**
   * The kernel always answers this do-request with exactly one message, the reply or an error (a GET of
   * one object, GET_STATS): it is sent without NLM_F_ACK and completes on that message, so no ACK is
   * left waiting in the socket.
   */
  singleReply?: boolean;
  /**
   * Sent without NLM_F_ACK: the kernel answers only when it fails (a delete of many entries needs
   * no ACK per entry). In a batch it is done once a later acknowledged request of the same
   * datagram is answered (the kernel handles a datagram's messages in order); the last request of
   * each datagram is always acknowledged, so there is one.
   */
  quiet?: boolean;
  /** Everything after the 16-byte nlmsghdr (for netfilter: nfgenmsg, then attributes). */
  payload: Uint8Array;
}

/**
 * Maps an extended-ACK offset to an attribute path. Gets the whole request message (header
 * included) and the offset counted from its start, e.g.
 * `(bytes, offset) => conntrackCodec.attrPath("conntrack", bytes, offset)`.
 */
export type AttrPathMapper = (request: Uint8Array, offset: number) => string[] | undefined;

export interface NetlinkClientOptions {
  attrPath?: AttrPathMapper;
  /** First sequence number; default the current Unix time, as libmnl does. */
  initialSeq?: number;
  /** Most bytes sent in one datagram by `batch`; default from SO_SNDBUF (at most 256 KiB). */
  maxBatchBytes?: number;
  /** Most requests in flight at once by `batch`, so their ACKs fit the receive buffer; default from SO_RCVBUF. */
  maxBatchMessages?: number;
}

/** The outcome of one request of a batch. */
export interface BatchResult {
  seq: number;
  /** The kernel's error; absent when the request succeeded. */
  error?: NetlinkSocketError;
  /** Messages the kernel answered with before the ACK (copies). */
  replies: NlMessage[];
}

export interface DumpSummary {
  /** Messages passed to the caller (DONE not counted). */
  messages: number;
  datagrams: number;
  /** Some reply carried NLM_F_DUMP_INTR: the table changed during the dump, entries may be missing or repeated. */
  interrupted: boolean;
  /** The caller ended the dump early (DumpOptions.abandonWhen). */
  abandoned: boolean;
}

/** How a caller may end a dump before the kernel does. */
export interface DumpOptions {
  /**
   * Asked after each datagram: true ends the dump there, the rest of the answer unread (a probe
   * that has its answer). The client is spent then, every later call fails: its owner closes the
   * transport, and closing the socket ends the kernel's dump, which walks no further.
   */
  abandonWhen?: () => boolean;
}

/** An async iterable dump; `interrupted` is final once the iteration has ended. */
export interface DumpStream extends AsyncIterable<NlMessage> {
  readonly interrupted: boolean;
  readonly messages: number;
}

/**
 * Sends requests over a transport and matches replies by sequence number and port id. Messages
 * for other seqs (stale replies of an abandoned request) or other port ids are skipped.
 *
 * One operation at a time: starting a second one while a dump is being iterated throws.
 */
export class NetlinkClient {
  private seq: number;
  private busy = false;
  /** A dump was abandoned (DumpOptions.abandonWhen): the rest of its answer is still in the socket. */
  private spent = false;
  /** Messages skipped because their seq or port id matched no pending request. */
  skippedMessages = 0;

  readonly transport: Transport;
  private readonly options: NetlinkClientOptions;

  constructor(transport: Transport, options: NetlinkClientOptions = {}) {
    this.transport = transport;
    this.options = options;
    this.seq = (options.initialSeq ?? Math.floor(Date.now() / 1000)) >>> 0;
  }

  /** A do-request: returns the reply messages (copies); throws `NetlinkSocketError` on a kernel error. */
  requestSync(request: NetlinkRequest): NlMessage[] {
    const [result] = this.batchSync([request]);
    if (result!.error) throw result!.error;
    return result!.replies;
  }

  async request(request: NetlinkRequest): Promise<NlMessage[]> {
    const [result] = await this.batch([request]);
    if (result!.error) throw result!.error;
    return result!.replies;
  }

  /**
   * Sends many do-requests, several per datagram, and returns one result per request in order.
   * Chunks respect the send buffer and keep ACKs in flight below what the receive buffer holds.
   */
  batchSync(requests: readonly NetlinkRequest[]): BatchResult[] {
    return this.exclusive(() => {
      const batch = new BatchExchange(this, requests);
      for (const chunk of this.chunks(requests)) {
        this.transport.send(batch.encode(chunk.start, chunk.end));
        while (batch.outstanding > 0) {
          const datagram = this.transport.receiveSync();
          if (datagram === null) throw closedError("request");
          batch.accept(datagram.bytes, true);
        }
      }
      return batch.results;
    });
  }

  async batch(requests: readonly NetlinkRequest[]): Promise<BatchResult[]> {
    this.enter();
    try {
      const batch = new BatchExchange(this, requests);
      for (const chunk of this.chunks(requests)) {
        this.transport.send(batch.encode(chunk.start, chunk.end));
        while (batch.outstanding > 0) {
          const datagram = await this.transport.receive();
          if (datagram === null) throw closedError("request");
          batch.accept(datagram.bytes, false);
        }
      }
      return batch.results;
    } finally {
      this.busy = false;
    }
  }

  /**
   * A dump, synchronously: `onMessage` sees each reply message as a view of the receive buffer,
   * valid only during the call. Throws on an error reply or an error in NLMSG_DONE.
   */
  dumpSync(request: NetlinkRequest, onMessage: (message: NlMessage) => void): DumpSummary {
    return this.dumpBytesSync(request, (datagram, offset) => onMessage(messageAt(datagram, offset)));
  }

  /**
   * A dump without per-message objects, for streaming formatters: `onMessage` gets the datagram (a
   * view of the receive buffer, valid only during the call), and the offset and nlmsg_len of each
   * reply message in it. Control messages (DONE, errors) are handled here as in dumpSync.
   */
  dumpBytesSync(request: NetlinkRequest, onMessage: MessageBytesHandler, options: DumpOptions = {}): DumpSummary {
    const dump = new DumpExchange(this, request);
    for (const datagram of this.dumpSessionSync(dump)) {
      dump.accept(datagram, onMessage);
      if (this.abandons(dump, options)) break;
    }
    return dump.summary();
  }

  /**
   * dumpBytesSync with the kernel's work overlapped: when the transport can receive batches on a
   * helper thread, the next batch is received while `onMessage` handles this one. Same contract as
   * dumpBytesSync (views valid only during the call); other transports take the synchronous path.
   */
  async dumpBytes(request: NetlinkRequest, onMessage: MessageBytesHandler, options: DumpOptions = {}): Promise<DumpSummary> {
    if (this.transport.receiveBatch === undefined) return this.dumpBytesSync(request, onMessage, options);
    const dump = new DumpExchange(this, request);
    for await (const datagram of this.dumpSession(dump, true)) {
      dump.accept(datagram, onMessage);
      if (this.abandons(dump, options)) break;
    }
    return dump.summary();
  }

  /** Whether the caller ends `dump` here, unread to its end; the client is spent if so. */
  private abandons(dump: DumpExchange, options: DumpOptions): boolean {
    if (dump.done || options.abandonWhen?.() !== true) return false;
    this.spent = true;
    dump.abandoned = true;
    return true;
  }

  /** A dump as a synchronous iterator; each message is valid until the next step. */
  *dumpIterSync(request: NetlinkRequest): Generator<NlMessage, DumpSummary, undefined> {
    const dump = new DumpExchange(this, request);
    for (const datagram of this.dumpSessionSync(dump)) yield* dump.messagesOf(datagram);
    return dump.summary();
  }

  /** A dump as an async iterable; messages are the caller's to keep. */
  dump(request: NetlinkRequest): DumpStream {
    const client = this;
    let exchange: DumpExchange | undefined;
    return {
      get interrupted() {
        return exchange?.interrupted ?? false;
      },
      get messages() {
        return exchange?.count ?? 0;
      },
      async *[Symbol.asyncIterator]() {
        const dump = (exchange = new DumpExchange(client, request));
        for await (const datagram of client.dumpSession(dump, false)) yield* dump.messagesOf(datagram);
      },
    };
  }

  /**
   * One dump from start to end, synchronously: takes the client, sends the request and yields each
   * datagram of the answer until the dump is done. However it ends (an error, the consumer stopping
   * early), the rest of the answer is drained unless the kernel already ended it (or the request never went out), and the client is
   * free again.
   */
  private *dumpSessionSync(dump: DumpExchange): Generator<Uint8Array, void, undefined> {
    this.enter();
    let sent = false;
    try {
      this.transport.send(dump.encode());
      sent = true;
      yield* this.dumpDatagramsSync(dump);
    } finally {
      if (sent && !dump.done && !dump.failed && !dump.abandoned) this.drainSync(dump);
      this.busy = false;
    }
  }

  /** dumpSessionSync, asynchronously; `readAhead`: see dumpDatagrams. */
  private async *dumpSession(dump: DumpExchange, readAhead: boolean): AsyncGenerator<Uint8Array, void, undefined> {
    this.enter();
    let sent = false;
    try {
      this.transport.send(dump.encode());
      sent = true;
      yield* this.dumpDatagrams(dump, readAhead);
    } finally {
      if (sent && !dump.done && !dump.failed && !dump.abandoned) await this.drain(dump);
      this.busy = false;
    }
  }

  /** The synchronous receive loop: the dump's datagrams until it is done. */
  private *dumpDatagramsSync(dump: DumpExchange): Generator<Uint8Array, void, undefined> {
    while (!dump.done) {
      const datagram = this.transport.receiveSync();
      if (datagram === null) throw closedError("dump");
      yield datagram.bytes;
    }
  }

  /**
   * The asynchronous receive loop: the dump's datagrams until it is done. With `readAhead` (a
   * transport that receives batches on a helper thread) the next batch is being received while the
   * consumer handles this one.
   */
  private async *dumpDatagrams(dump: DumpExchange, readAhead: boolean): AsyncGenerator<Uint8Array, void, undefined> {
    const transport = this.transport;
    const receiveBatch =
      readAhead && transport.receiveBatch !== undefined
        ? transport.receiveBatch.bind(transport)
        : async (): Promise<readonly Uint8Array[] | null> => {
            const datagram = await transport.receive();
            return datagram === null ? null : [datagram.bytes];
          };
    let pending: Promise<readonly Uint8Array[] | null> | undefined;
    try {
      while (!dump.done) {
        const batch = await (pending ?? receiveBatch());
        pending = undefined;
        if (batch === null) throw closedError("dump");
        // Read ahead unless this batch may end the dump: a receive after the end would never return.
        if (readAhead && !dump.mayEndIn(batch)) pending = receiveBatch();
        for (const datagram of batch) {
          if (!dump.done) yield datagram;
        }
      }
    } finally {
      // A receive still under way owns the socket until it returns.
      if (pending !== undefined) await pending.catch(() => null);
    }
  }

  /** @internal */
  nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0;
    if (this.seq === 0) this.seq = 1;
    return this.seq;
  }

  /** @internal */
  kernelError(op: NetlinkOperation, errno: number, extack: ExtendedAck, request: Uint8Array | undefined, seq: number): NetlinkSocketError {
    const mapped: ExtendedAck = {};
    if (extack.message !== undefined) mapped.message = extack.message;
    if (extack.offset !== undefined) {
      mapped.offset = extack.offset;
      const path = request && this.options.attrPath?.(request, extack.offset);
      if (path) mapped.attrPath = path;
    }
    if (extack.missingType !== undefined) mapped.missingType = extack.missingType;
    if (extack.missingNest !== undefined) mapped.missingNest = extack.missingNest;
    return new NetlinkSocketError(op, errno, { extack: mapped, seq });
  }

  private *chunks(requests: readonly NetlinkRequest[]): Generator<{ start: number; end: number }> {
    const sendBuffer = this.transport.sendBufferSize;
    const maxBytes = this.options.maxBatchBytes ?? Math.min(256 << 10, sendBuffer > 0 ? sendBuffer - 64 : 64 << 10);
    const receiveBuffer = this.transport.receiveBufferSize;
    // An ACK costs about 1 KiB of receive buffer (skb overhead, not its 36 bytes); keep half spare.
    const maxMessages = this.options.maxBatchMessages ?? (receiveBuffer > 0 ? Math.max(1, Math.min(1024, receiveBuffer >> 11)) : 256);
    let start = 0;
    while (start < requests.length) {
      let end = start;
      let bytes = 0;
      while (end < requests.length && end - start < maxMessages) {
        const size = align4(HEADER_SIZE + requests[end]!.payload.byteLength);
        if (end > start && bytes + size > maxBytes) break;
        bytes += size;
        end++;
      }
      yield { start, end };
      start = end;
    }
  }

  /** Reads the rest of a dump that failed for the caller, so that no reply is left in the socket. */
  private drainSync(dump: DumpExchange): void {
    try {
      for (const datagram of this.dumpDatagramsSync(dump)) dump.accept(datagram, ignoreMessage);
    } catch {
      // The dump already failed for the caller; what remains is best effort.
    }
  }

  private async drain(dump: DumpExchange): Promise<void> {
    try {
      for await (const datagram of this.dumpDatagrams(dump, false)) dump.accept(datagram, ignoreMessage);
    } catch {
      // As above.
    }
  }

  private exclusive<T>(fn: () => T): T {
    this.enter();
    try {
      return fn();
    } finally {
      this.busy = false;
    }
  }

  private enter(): void {
    if (this.spent) throw new NetlinkProtocolError("this client abandoned a dump: its socket still holds the rest; close it", "closed");
    if (this.busy) throw new NetlinkProtocolError("another request is in progress on this client", "unexpected");
    this.busy = true;
  }
}

function closedError(op: string): NetlinkProtocolError {
  return new NetlinkProtocolError(`${op}: the transport closed before the kernel finished answering`, "closed");
}

/**
 * Copies a message out of a reused receive buffer. `new Uint8Array(view)` always copies, even when
 * a transport hands out Node Buffers (whose `slice` returns a view of the same memory).
 */
function copyMessage(message: NlMessage): NlMessage {
  const bytes = new Uint8Array(message.bytes);
  return { header: { ...message.header }, offset: 0, bytes, payload: bytes.subarray(HEADER_SIZE) };
}

function encodeRequest(out: Uint8Array, at: number, request: NetlinkRequest, flags: number, seq: number): number {
  const len = HEADER_SIZE + request.payload.byteLength;
  writeMessageHeader(out, at, { len, type: request.type, flags, seq, pid: 0 });
  out.set(request.payload, at + HEADER_SIZE);
  return at + align4(len);
}

class BatchExchange {
  readonly results: BatchResult[];
  outstanding = 0;
  private readonly index = new Map<number, number>();
  private readonly sent = new Map<number, Uint8Array>();
  /** Seqs sent without NLM_F_ACK: an error reply for one does not count down `outstanding`. */
  private readonly quiet = new Set<number>();

  private readonly client: NetlinkClient;
  private readonly requests: readonly NetlinkRequest[];

  constructor(client: NetlinkClient, requests: readonly NetlinkRequest[]) {
    this.client = client;
    this.requests = requests;
    this.results = new Array(requests.length);
  }

  encode(start: number, end: number): Uint8Array {
    let size = 0;
    for (let i = start; i < end; i++) size += align4(HEADER_SIZE + this.requests[i]!.payload.byteLength);
    const out = new Uint8Array(size);
    let at = 0;
    this.sent.clear();
    // Quiet requests of the previous datagram that got no error succeeded: forget them.
    for (const seq of this.quiet) this.index.delete(seq);
    this.quiet.clear();
    for (let i = start; i < end; i++) {
      const request = this.requests[i]!;
      const seq = this.client.nextSeq();
      const quiet = request.quiet === true && i !== end - 1;
      const ack = request.singleReply === true || quiet ? 0 : NLM_F_ACK;
      const next = encodeRequest(out, at, request, (request.flags ?? 0) | NLM_F_REQUEST | ack, seq);
      this.sent.set(seq, out.subarray(at, at + HEADER_SIZE + request.payload.byteLength));
      at = next;
      this.index.set(seq, i);
      this.results[i] = { seq, replies: [] };
      // A quiet request is waited for through the acknowledged one after it.
      if (!quiet) this.outstanding++;
      else this.quiet.add(seq);
    }
    return out;
  }

  accept(datagram: Uint8Array, copy: boolean): void {
    for (const message of parseMessages(datagram)) {
      const { seq, pid, type } = message.header;
      const i = this.index.get(seq);
      if (i === undefined || pid !== this.client.transport.portId) {
        this.client.skippedMessages++;
        continue;
      }
      const result = this.results[i]!;
      if (type === NLMSG_ERROR) {
        const info = parseErrorMessage(message);
        if (info.error !== 0) result.error = this.client.kernelError("request", -info.error, info.extack, this.sent.get(seq), seq);
        this.index.delete(seq);
        if (!this.quiet.delete(seq)) this.outstanding--;
      } else if (type >= NLMSG_MIN_TYPE) {
        result.replies.push(copy ? copyMessage(message) : message);
        if (this.requests[i]!.singleReply === true) {
          this.index.delete(seq);
          this.outstanding--;
        }
      }
    }
  }
}

/** What a dump hands over of each reply message: its datagram, offset and nlmsg_len. */
type MessageBytesHandler = (datagram: Uint8Array, offset: number, length: number) => void;

const ignoreMessage: MessageBytesHandler = () => {};

/** One dump's state and the reading of its datagrams, whichever way they were received. */
class DumpExchange {
  /** Set when the request is encoded. */
  private seq = 0;
  done = false;
  /** The kernel reported an error: nothing more will come for this dump. */
  failed = false;
  /** The caller ended it early (DumpOptions.abandonWhen); the rest stays unread. */
  abandoned = false;
  interrupted = false;
  count = 0;
  datagrams = 0;
  private request: Uint8Array | undefined;

  private readonly client: NetlinkClient;
  private readonly spec: NetlinkRequest;

  constructor(client: NetlinkClient, spec: NetlinkRequest) {
    this.client = client;
    this.spec = spec;
  }

  encode(): Uint8Array {
    this.seq = this.client.nextSeq();
    const out = new Uint8Array(align4(HEADER_SIZE + this.spec.payload.byteLength));
    encodeRequest(out, 0, this.spec, (this.spec.flags ?? 0) | NLM_F_REQUEST, this.seq);
    this.request = out.subarray(0, HEADER_SIZE + this.spec.payload.byteLength);
    return out;
  }

  /**
   * Reads one datagram: each reply message of this dump goes to `onMessage`, in order, then a
   * kernel error (an error reply, an error in DONE) is thrown. Reads each header in place; an
   * irregular datagram (a bad nlmsg_len) is left to parseMessages, which reports it.
   */
  accept(datagram: Uint8Array, onMessage: MessageBytesHandler): void {
    const error = this.scan(datagram, onMessage);
    if (error !== undefined) throw error;
  }

  /** The reply messages of one datagram as objects (views of it), then its kernel error, as accept. */
  *messagesOf(datagram: Uint8Array): Generator<NlMessage, void, undefined> {
    const messages: NlMessage[] = [];
    const error = this.scan(datagram, (bytes, offset) => messages.push(messageAt(bytes, offset)));
    yield* messages;
    if (error !== undefined) throw error;
  }

  /** accept's reading; returns the kernel's error instead of throwing it, so what came before it is handed over first. */
  private scan(datagram: Uint8Array, onMessage: MessageBytesHandler): NetlinkSocketError | undefined {
    this.datagrams++;
    const view = viewOf(datagram);
    const portId = this.client.transport.portId;
    const end = datagram.length;
    for (let offset = 0; offset < end; ) {
      const len = end - offset >= HEADER_SIZE ? view.getUint32(offset, LITTLE) : 0;
      if (len < HEADER_SIZE || len > end - offset) {
        parseMessages(datagram);
        throw new NetlinkProtocolError("dump: a malformed datagram", "unexpected");
      }
      const type = view.getUint16(offset + 4, LITTLE);
      const flags = view.getUint16(offset + 6, LITTLE);
      if (view.getUint32(offset + 8, LITTLE) !== this.seq || view.getUint32(offset + 12, LITTLE) !== portId) {
        this.client.skippedMessages++;
      } else {
        if ((flags & NLM_F_DUMP_INTR) !== 0) this.interrupted = true;
        if (type === NLMSG_DONE || type === NLMSG_ERROR) {
          const error = this.control(messageAt(datagram, offset));
          if (error !== undefined || this.done) return error;
        } else if (type >= NLMSG_MIN_TYPE) {
          this.count++;
          onMessage(datagram, offset, len);
        }
      }
      offset += align4(len);
    }
    return undefined;
  }

  /** Whether any of these datagrams holds a DONE or error message of this dump (so it may be the last). */
  mayEndIn(datagrams: readonly Uint8Array[]): boolean {
    const portId = this.client.transport.portId;
    for (const datagram of datagrams) {
      const view = viewOf(datagram);
      for (let offset = 0; offset + HEADER_SIZE <= datagram.length; ) {
        const len = view.getUint32(offset, LITTLE);
        if (len < HEADER_SIZE) return true;
        const type = view.getUint16(offset + 4, LITTLE);
        if ((type === NLMSG_DONE || type === NLMSG_ERROR) && view.getUint32(offset + 8, LITTLE) === this.seq && view.getUint32(offset + 12, LITTLE) === portId) return true;
        offset += align4(len);
      }
    }
    return false;
  }

  /** DONE or an error reply: sets done (and failed) when the dump is over; returns the kernel's error. */
  private control(message: NlMessage): NetlinkSocketError | undefined {
    const isDone = message.header.type === NLMSG_DONE;
    const info = isDone ? parseDoneMessage(message) : parseErrorMessage(message);
    // An ACK (error 0) in a dump ends nothing; DONE ends it, with an error when it carries one.
    const failed = isDone ? info.error < 0 : info.error !== 0;
    if (isDone || failed) this.done = true;
    if (!failed) return undefined;
    this.failed = true;
    return this.client.kernelError("dump", -info.error, info.extack, this.request, message.header.seq);
  }

  summary(): DumpSummary {
    return { messages: this.count, datagrams: this.datagrams, interrupted: this.interrupted, abandoned: this.abandoned };
  }
}
