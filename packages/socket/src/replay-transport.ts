import { readMessageHeader } from "@tsconntrack/codec";
import type { CaptureRecord } from "./capture.js";
import { readSyscallLogFor, type FailedBind } from "./capture-sockets.js";
import { ENOBUFS, NETLINK_NETFILTER } from "./constants.js";
import { NetlinkProtocolError, NetlinkSocketError } from "./errors.js";
import { openPcapFile } from "./pcap/reader.js";
import { withoutAttributePadding } from "./padding.js";
import { ReplayScript, type ScriptMessage, type ScriptRequest, type UnsolicitedChunk } from "./replay-script.js";
import type { Datagram, Transport } from "./transport.js";
import { HEADER_SIZE, align4, messageOffsets, setSeqAndPid, viewOf } from "./wire.js";

export interface ReplayOptions {
  /** Our port id; default the one the capture's replies were addressed to. */
  portId?: number;
  /**
   * Compare each sent message with the recorded request it is matched to, ignoring seq and pid
   * (default true). With false only the message type must match.
   */
  strict?: boolean;
  /** Only replay records of this netlink protocol; default NETLINK_NETFILTER. */
  protocol?: number;
  /**
   * The socket each record crossed (`sockets[i]` for `records[i]`), for captures of programs that
   * used several sockets. `fromPcap` reads it from the capture's `NAME.io` log when there is one.
   */
  sockets?: readonly (number | undefined)[];
  /** Group subscriptions the recorded kernel refused (`joinGroup` throws); `fromPcap` reads them from `NAME.io`. */
  failedBinds?: readonly FailedBind[];
}

const DEFAULT_PORT_ID = 0x7e57;
/** How many recorded requests past one of the right type but the other kind (dump, do) are searched for an exact one. */
const EXACT_LOOKAHEAD = 16;
/** NLM_F_ROOT | NLM_F_MATCH: tells a dump from a do-request of the same type. */
const DUMP_BITS = 0x300;

/** Answer messages waiting to be received, grouped as the capture grouped them into datagrams. */
interface PendingDatagram {
  record: number;
  messages: { message: ScriptMessage; seq: number }[];
}

/**
 * Answers from a capture instead of the kernel, message by message. Each message the client sends
 * is matched to the next unmatched recorded request of the same type (a dump to a dump, a
 * do-request to a do-request, when both exist); the recorded messages answering that request are
 * then handed out with their seq rewritten to the client's and their port id to ours, grouped into
 * datagrams as recorded. Messages that answer no request (events, overruns) come in recorded order.
 * So a client may batch what the recorded program sent one by one, or use one socket where it
 * used two, and higher layers, which check seq and port id, run unchanged without root or a kernel.
 *
 * The capture is read as the conversation needs it (`fromPcap` streams the file), and a record's
 * bytes are let go once everything in it has been matched or handed out: a replay of a huge
 * capture holds only the part in play.
 */
export class ReplayTransport implements Transport {
  readonly protocol: number;
  readonly receiveBufferSize = 0;
  readonly sendBufferSize = 1 << 20;
  /** Groups the client asked to join (recorded traffic is replayed regardless). */
  readonly groups = new Set<number>();

  private readonly script: ReplayScript;
  private readonly strict: boolean;
  private readonly recordedPortIds: Set<number>;
  /** The capture's records not yet read, with their index in the file (for `sockets`). */
  private readonly source: Iterator<CaptureRecord>;
  private sourceIndex = 0;
  private sourceDone = false;
  private readonly onEnd: (() => void) | undefined;
  /** Records read and still needed, by their index among this protocol's records. */
  private readonly records = new Map<number, CaptureRecord>();
  private recordCount = 0;
  private readonly matched: boolean[] = [];
  private firstUnmatched = 0;
  private readonly answers: PendingDatagram[] = [];
  private readonly unsolicited: UnsolicitedChunk[] = [];
  /** Per record still held: messages not yet matched (sent) or handed out (received). */
  private readonly unconsumed = new Map<number, number>();
  private readonly failedBinds: readonly FailedBind[];
  private readonly fixedPortId: number | undefined;
  private readonly sockets: readonly (number | undefined)[] | undefined;
  private closed = false;

  /** Replays a pcap file, read as it goes (see the class comment). */
  static fromPcap(path: string, options: ReplayOptions = {}): ReplayTransport {
    const log = options.sockets === undefined && options.failedBinds === undefined ? readSyscallLogFor(path) : undefined;
    const reader = openPcapFile(path);
    return new ReplayTransport(reader, { ...(log !== undefined ? log : {}), ...options }, () => reader.close());
  }

  constructor(records: Iterable<CaptureRecord>, options: ReplayOptions = {}, onEnd?: () => void) {
    this.protocol = options.protocol ?? NETLINK_NETFILTER;
    this.source = records[Symbol.iterator]();
    this.onEnd = onEnd;
    this.sockets = options.sockets;
    this.script = new ReplayScript();
    this.strict = options.strict ?? true;
    this.failedBinds = options.failedBinds ?? [];
    this.fixedPortId = options.portId;
    this.recordedPortIds = new Set();
  }

  /** Ours: given, else the one the recorded answers were addressed to (read up to the first answer). */
  get portId(): number {
    if (this.fixedPortId !== undefined) return this.fixedPortId;
    while (this.script.portIds.length === 0 && this.readRecord());
    return this.script.portIds[0] ?? DEFAULT_PORT_ID;
  }

  /** Records not yet fully replayed (a request not yet matched, or a message not yet handed out); reads the rest. */
  get remaining(): number {
    while (this.readRecord());
    let count = 0;
    for (const left of this.unconsumed.values()) if (left > 0) count++;
    return count;
  }

  send(datagram: Uint8Array): void {
    if (this.closed) throw new NetlinkProtocolError("the transport is closed", "closed");
    const view = viewOf(datagram);
    // Match every message first, so a datagram that departs from the capture changes nothing.
    const matches: { index: number; request: ScriptRequest; seq: number }[] = [];
    try {
      messageOffsets(datagram).forEach((at, i) => {
        const header = readMessageHeader(datagram, at);
        const index = this.findRequest(header.type, header.flags, i);
        const request = this.script.requests[index]!;
        if (this.strict) this.compare(datagram.subarray(at, at + header.len), request, i);
        this.matched[index] = true;
        matches.push({ index, request, seq: header.seq });
      });
    } catch (error) {
      for (const { index } of matches) this.matched[index] = false;
      throw error;
    }
    for (const { request, seq } of matches) {
      this.consume(request.record, 1);
      this.seqOf.set(request, seq);
      for (const message of request.answers) this.queueAnswer(message, seq);
    }
    while (this.firstUnmatched < this.matched.length && this.matched[this.firstUnmatched]) this.firstUnmatched++;
  }

  receiveSync(): Datagram | null {
    for (;;) {
      if (this.closed) return null;
      const answer = this.answers[0];
      const unsolicited = this.unsolicited[0];
      if (answer !== undefined && (unsolicited === undefined || answer.record <= unsolicited.record)) {
        this.answers.shift();
        const bytes = this.build(answer.record, answer.messages);
        const receivedAt = this.records.get(answer.record)!.timestamp;
        this.consume(answer.record, answer.messages.length);
        return { bytes, receivedAt };
      }
      if (unsolicited !== undefined) {
        this.unsolicited.shift();
        if (unsolicited.overrun) {
          this.consume(unsolicited.record, 1);
          throw new NetlinkSocketError("recv", ENOBUFS, { detail: "recorded overrun" });
        }
        const bytes = this.build(unsolicited.record, unsolicited.messages.map((message) => ({ message, seq: message.seq })));
        const receivedAt = this.records.get(unsolicited.record)!.timestamp;
        this.consume(unsolicited.record, unsolicited.messages.length);
        return { bytes, receivedAt };
      }
      // Nothing to hand out yet: read on in the capture, until it has something or ends.
      if (!this.readRecord()) return null;
    }
  }

  async receive(): Promise<Datagram | null> {
    return this.receiveSync();
  }

  setReceiveBufferSize(bytes: number): number {
    return bytes;
  }

  joinGroup(group: number): void {
    const refused = group >= 1 && group <= 32 ? this.failedBinds.find((bind) => (bind.groups >>> (group - 1)) & 1) : undefined;
    if (refused !== undefined) throw new NetlinkSocketError("bind", refused.errno, { detail: "recorded refusal" });
    this.groups.add(group);
  }

  leaveGroup(group: number): void {
    this.groups.delete(group);
  }

  close(): void {
    this.closed = true;
    this.finishSource();
  }

  /** The seq the client used for each matched request (its answers carry it). */
  private readonly seqOf = new Map<ScriptRequest, number>();

  /** Reads one more record of our protocol into the script; false at the end of the capture. */
  private readRecord(): boolean {
    while (!this.sourceDone) {
      const next = this.source.next();
      const fileIndex = this.sourceIndex++;
      if (next.done === true) {
        this.finishSource();
        return false;
      }
      const record = next.value;
      if (record.protocol !== this.protocol) continue;
      const index = this.recordCount++;
      this.records.set(index, record);
      this.unconsumed.set(index, 0);
      const parts = this.script.add(record, index, this.sockets?.[fileIndex]);
      for (let n = parts.requests.length; n > 0; n--) {
        this.matched.push(false);
        this.hold(index, 1);
      }
      for (const { request, message } of parts.answers) {
        this.hold(index, 1);
        const seq = this.seqOf.get(request);
        if (seq !== undefined) this.queueAnswer(message, seq);
      }
      if (parts.unsolicited !== undefined) {
        this.hold(index, parts.unsolicited.overrun ? 1 : parts.unsolicited.messages.length);
        this.unsolicited.push(parts.unsolicited);
      }
      for (const pid of this.script.portIds) this.recordedPortIds.add(pid);
      this.consume(index, 0);
      return true;
    }
    return false;
  }

  private finishSource(): void {
    if (this.sourceDone) return;
    this.sourceDone = true;
    this.onEnd?.();
  }

  private hold(record: number, count: number): void {
    this.unconsumed.set(record, (this.unconsumed.get(record) ?? 0) + count);
  }

  /** Counts `count` messages of `record` as done; lets the record's bytes go when none is left. */
  private consume(record: number, count: number): void {
    const left = (this.unconsumed.get(record) ?? 0) - count;
    this.unconsumed.set(record, left);
    if (left <= 0) this.records.delete(record);
  }

  private queueAnswer(message: ScriptMessage, seq: number): void {
    const last = this.answers[this.answers.length - 1];
    if (last !== undefined && last.record === message.record) last.messages.push({ message, seq });
    else this.answers.push({ record: message.record, messages: [{ message, seq }] });
  }

  /** The next unmatched request of this type, preferring one that is a dump exactly when ours is. */
  private findRequest(type: number, flags: number, messageIndex: number): number {
    let sameType = -1;
    const requests = this.script.requests;
    for (let i = this.firstUnmatched; ; i++) {
      // Read on in the capture for the next request; once one of the same type but the other kind
      // is known, look only a few requests further for an exact one.
      while (i >= requests.length && this.readRecord());
      if (i >= requests.length || (sameType >= 0 && i - sameType > EXACT_LOOKAHEAD)) break;
      if (this.matched[i] || requests[i]!.type !== type) continue;
      if ((requests[i]!.flags & DUMP_BITS) === (flags & DUMP_BITS)) return i;
      if (sameType < 0) sameType = i;
    }
    if (sameType >= 0) return sameType;
    const left = this.matched.some((done) => !done);
    throw new NetlinkProtocolError(
      left
        ? `replay: message ${messageIndex} the client sent (type 0x${type.toString(16)}) matches no request left in the capture`
        : "replay: the client sent a datagram after every recorded request was answered",
      left ? "replay-mismatch" : "replay-exhausted",
    );
  }

  /** One datagram of recorded messages, seq as given, recorded port ids rewritten to ours. */
  private build(record: number, messages: readonly { message: ScriptMessage; seq: number }[]): Uint8Array {
    const source = this.records.get(record)!.bytes;
    let size = 0;
    messages.forEach(({ message }, i) => (size += i === messages.length - 1 ? message.len : align4(message.len)));
    const bytes = new Uint8Array(size);
    const view = viewOf(bytes);
    let at = 0;
    for (const { message, seq } of messages) {
      bytes.set(source.subarray(message.at, message.at + message.len), at);
      const pid = this.recordedPortIds.has(message.pid) ? this.portId : message.pid;
      // A malformed tail keeps its bytes; only a whole header gets our seq and pid.
      if (message.len >= HEADER_SIZE) setSeqAndPid(view, at, seq, pid);
      at += align4(message.len);
    }
    return bytes;
  }

  private compare(mine: Uint8Array, request: ScriptRequest, index: number): void {
    // Same length, type and flags (bytes 0..8), same payload; seq and pid (8..16) may differ, and so
    // may the content of attribute padding.
    const theirs = this.records.get(request.record)!.bytes.subarray(request.at, request.at + request.len);
    const sameHead = mine.length === theirs.length && mine.subarray(4, 8).every((b, i) => b === theirs[4 + i]);
    const a = withoutAttributePadding(mine, this.protocol).subarray(HEADER_SIZE);
    const b = withoutAttributePadding(theirs, this.protocol).subarray(HEADER_SIZE);
    const firstDifference = a.findIndex((byte, i) => byte !== b[i]);
    if (sameHead && firstDifference < 0) return;
    const where = sameHead ? `payload byte ${firstDifference}` : "header (length, type or flags)";
    throw new NetlinkProtocolError(
      `replay: message ${index} the client sent differs from the request in record ${request.record} at ${where}\n` +
        `  sent:     ${hex(mine)}\n  recorded: ${hex(theirs)}`,
      "replay-mismatch",
    );
  }
}

function hex(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
}
