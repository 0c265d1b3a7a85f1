import { isOverrunMarker, type CaptureRecord } from "./capture.js";
import { ENOBUFS, NETLINK_NETFILTER } from "./constants.js";
import { NetlinkProtocolError, NetlinkSocketError } from "./errors.js";
import { readPcapFile } from "./pcap/reader.js";
import type { Datagram, Transport } from "./transport.js";
import { HEADER_SIZE, messageOffsets, readHeader, setSeqAndPid, viewOf } from "./wire.js";

export interface ReplayOptions {
  /** Our port id; default the one the capture's replies were addressed to. */
  portId?: number;
  /**
   * Compare each sent datagram with the recorded one, ignoring seq and pid (default true).
   * With false only the message count must match.
   */
  strict?: boolean;
  /** Only replay records of this netlink protocol; default NETLINK_NETFILTER. */
  protocol?: number;
}

const DEFAULT_PORT_ID = 0x7e57;

/**
 * Answers from a capture instead of the kernel. Sent datagrams must match the recorded ones in
 * order; received datagrams are handed out in order with their seq rewritten to the seq actually
 * sent for the matching recorded request, and the recorded port id rewritten to ours. So higher
 * layers, which check seq and port id, run unchanged without root or a kernel.
 */
export class ReplayTransport implements Transport {
  readonly protocol: number;
  readonly portId: number;
  readonly receiveBufferSize = 0;
  readonly sendBufferSize = 1 << 20;
  /** Groups the client asked to join (recorded traffic is replayed regardless). */
  readonly groups = new Set<number>();

  private readonly records: CaptureRecord[];
  private readonly recordedPortId: number | undefined;
  private readonly strict: boolean;
  private readonly seqMap = new Map<number, number>();
  private next = 0;
  private closed = false;

  static fromPcap(path: string, options: ReplayOptions = {}): ReplayTransport {
    return new ReplayTransport(readPcapFile(path).records, options);
  }

  constructor(records: readonly CaptureRecord[], options: ReplayOptions = {}) {
    this.protocol = options.protocol ?? NETLINK_NETFILTER;
    this.records = records.filter((record) => record.protocol === this.protocol);
    this.strict = options.strict ?? true;
    this.recordedPortId = findRecordedPortId(this.records);
    this.portId = options.portId ?? this.recordedPortId ?? DEFAULT_PORT_ID;
  }

  /** Records not yet replayed. */
  get remaining(): number {
    return this.records.length - this.next;
  }

  send(datagram: Uint8Array): void {
    if (this.closed) throw new NetlinkProtocolError("the transport is closed", "closed");
    const record = this.records[this.next];
    if (record === undefined) throw new NetlinkProtocolError("replay: the client sent a datagram after the capture ended", "replay-exhausted");
    if (record.direction !== "sent") {
      throw new NetlinkProtocolError(`replay: the client sent a datagram but record ${this.next} is a received one`, "replay-mismatch");
    }
    const actual = messageOffsets(datagram);
    const recorded = messageOffsets(record.bytes);
    if (actual.length !== recorded.length) {
      throw new NetlinkProtocolError(
        `replay: record ${this.next} holds ${recorded.length} messages, the client sent ${actual.length}`,
        "replay-mismatch",
      );
    }
    const actualView = viewOf(datagram);
    const recordedView = viewOf(record.bytes);
    actual.forEach((at, i) => {
      const mine = readHeader(actualView, at);
      const theirs = readHeader(recordedView, recorded[i]!);
      if (this.strict) this.compare(datagram, at, mine.len, record.bytes, recorded[i]!, theirs.len, i);
      this.seqMap.set(theirs.seq, mine.seq);
    });
    this.next++;
  }

  receiveSync(): Datagram | null {
    if (this.closed) return null;
    const record = this.records[this.next];
    if (record === undefined) return null;
    if (record.direction !== "received") {
      throw new NetlinkProtocolError(`replay: the client waits for a datagram but record ${this.next} is a sent one`, "replay-mismatch");
    }
    this.next++;
    if (isOverrunMarker(record.bytes)) throw new NetlinkSocketError("recv", ENOBUFS, { detail: "recorded overrun" });
    return { bytes: this.rewrite(record.bytes) };
  }

  async receive(): Promise<Datagram | null> {
    return this.receiveSync();
  }

  setReceiveBufferSize(bytes: number): number {
    return bytes;
  }

  joinGroup(group: number): void {
    this.groups.add(group);
  }

  leaveGroup(group: number): void {
    this.groups.delete(group);
  }

  close(): void {
    this.closed = true;
  }

  private rewrite(recorded: Uint8Array): Uint8Array {
    const bytes = recorded.slice();
    const view = viewOf(bytes);
    for (const at of messageOffsets(bytes)) {
      const header = readHeader(view, at);
      const seq = this.seqMap.get(header.seq) ?? header.seq;
      const pid = header.pid === this.recordedPortId && header.pid !== 0 ? this.portId : header.pid;
      setSeqAndPid(view, at, seq, pid);
    }
    return bytes;
  }

  private compare(mine: Uint8Array, at: number, len: number, theirs: Uint8Array, theirAt: number, theirLen: number, index: number): void {
    // Same length, type and flags (bytes 0..8), same payload; seq and pid (8..16) may differ.
    const sameHead = len === theirLen && mine.subarray(at + 4, at + 8).every((b, i) => b === theirs[theirAt + 4 + i]);
    const a = mine.subarray(at + HEADER_SIZE, at + len);
    const b = theirs.subarray(theirAt + HEADER_SIZE, theirAt + theirLen);
    const firstDifference = a.findIndex((byte, i) => byte !== b[i]);
    if (sameHead && firstDifference < 0) return;
    const where = sameHead ? `payload byte ${firstDifference}` : "header (length, type or flags)";
    throw new NetlinkProtocolError(
      `replay: message ${index} of record ${this.next} differs from the capture at ${where}\n` +
        `  sent:     ${hex(mine.subarray(at, at + len))}\n  recorded: ${hex(theirs.subarray(theirAt, theirAt + theirLen))}`,
      "replay-mismatch",
    );
  }
}

function hex(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
}

/** The pid of the first received message answering a recorded request's seq. */
function findRecordedPortId(records: readonly CaptureRecord[]): number | undefined {
  const sentSeqs = new Set<number>();
  for (const record of records) {
    const view = viewOf(record.bytes);
    for (const at of messageOffsets(record.bytes)) {
      const header = readHeader(view, at);
      if (record.direction === "sent") sentSeqs.add(header.seq);
      else if (sentSeqs.has(header.seq) && header.pid !== 0) return header.pid;
    }
  }
  return undefined;
}
