import { readHeader, messageOffsets, viewOf, HEADER_SIZE, type HeaderFields } from "../../src/wire.js";
import type { Datagram, Transport } from "../../src/transport.js";

export interface SentMessage {
  header: HeaderFields;
  payload: Uint8Array;
}

/** What the fake kernel queues for the client to receive: a datagram or an error to throw. */
export type Reply = Uint8Array | Error;

/** A fake kernel: each sent datagram is handed to `respond`, whose replies are queued for receive. */
export class ScriptedTransport implements Transport {
  readonly protocol = 12;
  readonly portId: number;
  receiveBufferSize = 1 << 20;
  sendBufferSize = 1 << 20;
  readonly sent: Uint8Array[] = [];
  readonly queue: Reply[] = [];
  readonly groups = new Set<number>();
  closed = false;
  private readonly respond: (messages: SentMessage[], transport: ScriptedTransport) => Reply[];

  constructor(respond: (messages: SentMessage[], transport: ScriptedTransport) => Reply[] = () => [], portId = 4242) {
    this.respond = respond;
    this.portId = portId;
  }

  send(datagram: Uint8Array): void {
    this.sent.push(datagram.slice());
    const view = viewOf(datagram);
    const messages = messageOffsets(datagram).map((at) => {
      const header = readHeader(view, at);
      return { header, payload: datagram.slice(at + HEADER_SIZE, at + header.len) };
    });
    this.queue.push(...this.respond(messages, this));
  }

  receiveSync(): Datagram | null {
    if (this.closed) return null;
    const next = this.queue.shift();
    if (next === undefined) return null;
    if (next instanceof Error) throw next;
    return { bytes: next };
  }

  async receive(): Promise<Datagram | null> {
    const datagram = this.receiveSync();
    return datagram && { bytes: datagram.bytes.slice() };
  }

  setReceiveBufferSize(bytes: number): number {
    this.receiveBufferSize = bytes * 2;
    return this.receiveBufferSize;
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
}
