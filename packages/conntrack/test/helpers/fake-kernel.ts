/** A scripted stand-in for ctnetlink: decodes what the API sends and answers with encoded messages. */
import { NLM_F_MULTI, NLMSG_DONE, NLMSG_ERROR, parseMessages, type NlMsgHeader } from "@tsconntrack/codec";
import { conntrack } from "@tsconntrack/codec/conntrack";
import { NetlinkSocketError, type Datagram, type Transport } from "@tsconntrack/socket";

export interface SentRequest {
  header: NlMsgHeader;
  family: number;
  version: number;
  /** Decoded attributes (conntrack-attrs for 0x1xx, expect-attrs for 0x2xx). */
  attrs: Record<string, unknown>;
}

/** What the handler answers for one request: messages to send back (before the ACK/DONE), or an errno. */
export type Answer = { messages?: { type: number; flags?: number; family?: number; resId?: number; set?: string; attrs: object }[]; errno?: number };

const PORT = 4242;
const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class FakeKernel implements Transport {
  readonly protocol = 12;
  readonly portId = PORT;
  receiveBufferSize = 1 << 20;
  sendBufferSize = 1 << 20;
  readonly requests: SentRequest[] = [];
  readonly groups = new Set<number>();
  readonly queue: (Uint8Array | Error)[] = [];
  closed = false;
  private readonly handler: (request: SentRequest) => Answer;

  constructor(handler: (request: SentRequest) => Answer = () => ({})) {
    this.handler = handler;
  }

  send(datagram: Uint8Array): void {
    for (const message of parseMessages(datagram)) {
      const set = message.header.type >> 8 === 2 ? "expect-attrs" : "conntrack-attrs";
      const decoded = conntrack.decodeMessage(message, set);
      const fixed = decoded.fixed as { nfgenFamily: number; version: number };
      const request: SentRequest = { header: { ...message.header }, family: fixed.nfgenFamily, version: fixed.version, attrs: decoded.attrs };
      this.requests.push(request);
      this.answer(request, this.handler(request));
    }
  }

  /** Queues an event (seq 0, pid 0) as its own datagram. */
  pushEvent(type: number, flags: number, family: number, set: string, attrs: object): void {
    this.queue.push(conntrack.encodeMessage({ type, flags, seq: 0, pid: 0, fixed: { nfgenFamily: family, version: 0, resId: 0 }, set, attrs }));
  }

  pushError(error: Error): void {
    this.queue.push(error);
  }

  receiveSync(): Datagram | null {
    if (this.closed) return null;
    const next = this.queue.shift();
    if (next === undefined) return null;
    if (next instanceof Error) throw next;
    return { bytes: next };
  }

  async receive(): Promise<Datagram | null> {
    return this.receiveSync();
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

  private answer(request: SentRequest, answer: Answer): void {
    const { seq } = request.header;
    const dump = (request.header.flags & 0x300) === 0x300;
    const parts: Uint8Array[] = [];
    for (const m of answer.messages ?? []) {
      parts.push(
        conntrack.encodeMessage({
          type: m.type,
          flags: (m.flags ?? 0) | (dump ? NLM_F_MULTI : 0),
          seq,
          pid: PORT,
          fixed: { nfgenFamily: m.family ?? 2, version: 0, resId: m.resId ?? 0 },
          ...(m.set !== undefined ? { set: m.set } : {}),
          attrs: m.attrs,
        }),
      );
    }
    if (dump && answer.errno === undefined) parts.push(control(NLMSG_DONE, seq, 0, request.header));
    else parts.push(control(NLMSG_ERROR, seq, -(answer.errno ?? 0), request.header));
    this.queue.push(concat(parts));
  }
}

function control(type: number, seq: number, error: number, original: NlMsgHeader): Uint8Array {
  const withHeader = type === NLMSG_ERROR;
  const out = new Uint8Array(16 + 4 + (withHeader ? 16 : 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, out.length, HOST_LE);
  view.setUint16(4, type, HOST_LE);
  view.setUint16(6, withHeader ? 0x100 : NLM_F_MULTI, HOST_LE);
  view.setUint32(8, seq, HOST_LE);
  view.setUint32(12, PORT, HOST_LE);
  view.setInt32(16, error, HOST_LE);
  if (withHeader) {
    view.setUint32(20, original.len, HOST_LE);
    view.setUint16(24, original.type, HOST_LE);
    view.setUint16(26, original.flags, HOST_LE);
    view.setUint32(28, original.seq, HOST_LE);
    view.setUint32(32, original.pid, HOST_LE);
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function enobufs(): NetlinkSocketError {
  return new NetlinkSocketError("recv", 105);
}
