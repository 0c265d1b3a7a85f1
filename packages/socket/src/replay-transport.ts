import type { CaptureRecord } from "./capture.js";
import { readSyscallLogFor, type FailedBind } from "./capture-sockets.js";
import { ENOBUFS, NETLINK_NETFILTER } from "./constants.js";
import { NetlinkProtocolError, NetlinkSocketError } from "./errors.js";
import { readPcapFile } from "./pcap/reader.js";
import { withoutAttributePadding } from "./padding.js";
import { buildReplayScript, type ReplayScript, type ScriptMessage, type ScriptRequest } from "./replay-script.js";
import type { Datagram, Transport } from "./transport.js";
import { HEADER_SIZE, align4, messageOffsets, readHeader, setSeqAndPid, viewOf } from "./wire.js";

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
 */
export class ReplayTransport implements Transport {
  readonly protocol: number;
  readonly portId: number;
  readonly receiveBufferSize = 0;
  readonly sendBufferSize = 1 << 20;
  /** Groups the client asked to join (recorded traffic is replayed regardless). */
  readonly groups = new Set<number>();

  private readonly script: ReplayScript;
  private readonly strict: boolean;
  private readonly recordedPortIds: Set<number>;
  private readonly matched: boolean[];
  private firstUnmatched = 0;
  private readonly answers: PendingDatagram[] = [];
  private nextUnsolicited = 0;
  /** Per record: messages not yet matched (sent) or handed out (received). */
  private readonly unconsumed: number[];
  private readonly failedBinds: readonly FailedBind[];
  private closed = false;

  static fromPcap(path: string, options: ReplayOptions = {}): ReplayTransport {
    const log = options.sockets === undefined && options.failedBinds === undefined ? readSyscallLogFor(path) : undefined;
    return new ReplayTransport(readPcapFile(path).records, { ...(log !== undefined ? log : {}), ...options });
  }

  constructor(records: readonly CaptureRecord[], options: ReplayOptions = {}) {
    this.protocol = options.protocol ?? NETLINK_NETFILTER;
    const kept = records.flatMap((record, i) => (record.protocol === this.protocol ? [{ record, socket: options.sockets?.[i] }] : []));
    this.script = buildReplayScript(
      kept.map((k) => k.record),
      options.sockets !== undefined ? kept.map((k) => k.socket) : undefined,
    );
    this.strict = options.strict ?? true;
    this.failedBinds = options.failedBinds ?? [];
    this.recordedPortIds = new Set(this.script.portIds);
    this.portId = options.portId ?? this.script.portIds[0] ?? DEFAULT_PORT_ID;
    this.matched = this.script.requests.map(() => false);
    this.unconsumed = this.script.records.map(() => 0);
    for (const request of this.script.requests) {
      this.unconsumed[request.record]!++;
      for (const answer of request.answers) this.unconsumed[answer.record]!++;
    }
    for (const chunk of this.script.unsolicited) this.unconsumed[chunk.record]! += chunk.overrun ? 1 : chunk.messages.length;
  }

  /** Records not yet fully replayed (a request not yet matched, or a message not yet handed out). */
  get remaining(): number {
    return this.unconsumed.filter((count) => count > 0).length;
  }

  send(datagram: Uint8Array): void {
    if (this.closed) throw new NetlinkProtocolError("the transport is closed", "closed");
    const view = viewOf(datagram);
    // Match every message first, so a datagram that departs from the capture changes nothing.
    const matches: { index: number; request: ScriptRequest; seq: number }[] = [];
    try {
      messageOffsets(datagram).forEach((at, i) => {
        const header = readHeader(view, at);
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
      this.unconsumed[request.record]!--;
      this.queueAnswers(request, seq);
    }
    while (this.firstUnmatched < this.matched.length && this.matched[this.firstUnmatched]) this.firstUnmatched++;
  }

  receiveSync(): Datagram | null {
    if (this.closed) return null;
    const answer = this.answers[0];
    const unsolicited = this.script.unsolicited[this.nextUnsolicited];
    if (answer !== undefined && (unsolicited === undefined || answer.record <= unsolicited.record)) {
      this.answers.shift();
      this.unconsumed[answer.record]! -= answer.messages.length;
      return { bytes: this.build(answer.record, answer.messages) };
    }
    if (unsolicited === undefined) return null;
    this.nextUnsolicited++;
    if (unsolicited.overrun) {
      this.unconsumed[unsolicited.record]!--;
      throw new NetlinkSocketError("recv", ENOBUFS, { detail: "recorded overrun" });
    }
    this.unconsumed[unsolicited.record]! -= unsolicited.messages.length;
    const messages = unsolicited.messages.map((message) => ({ message, seq: message.seq }));
    return { bytes: this.build(unsolicited.record, messages) };
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
  }

  /** The next unmatched request of this type, preferring one that is a dump exactly when ours is. */
  private findRequest(type: number, flags: number, messageIndex: number): number {
    let sameType = -1;
    const requests = this.script.requests;
    for (let i = this.firstUnmatched; i < requests.length; i++) {
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

  private queueAnswers(request: ScriptRequest, seq: number): void {
    for (const message of request.answers) {
      const last = this.answers[this.answers.length - 1];
      if (last !== undefined && last.record === message.record) last.messages.push({ message, seq });
      else this.answers.push({ record: message.record, messages: [{ message, seq }] });
    }
  }

  /** One datagram of recorded messages, seq as given, recorded port ids rewritten to ours. */
  private build(record: number, messages: readonly { message: ScriptMessage; seq: number }[]): Uint8Array {
    const source = this.script.records[record]!.bytes;
    let size = 0;
    messages.forEach(({ message }, i) => (size += i === messages.length - 1 ? message.len : align4(message.len)));
    const bytes = new Uint8Array(size);
    const view = viewOf(bytes);
    let at = 0;
    for (const { message, seq } of messages) {
      bytes.set(source.subarray(message.at, message.at + message.len), at);
      const pid = this.recordedPortIds.has(message.pid) ? this.portId : message.pid;
      setSeqAndPid(view, at, seq, pid);
      at += align4(message.len);
    }
    return bytes;
  }

  private compare(mine: Uint8Array, request: ScriptRequest, index: number): void {
    // Same length, type and flags (bytes 0..8), same payload; seq and pid (8..16) may differ, and so
    // may the content of attribute padding.
    const theirs = this.script.records[request.record]!.bytes.subarray(request.at, request.at + request.len);
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
