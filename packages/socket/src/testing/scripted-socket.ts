/**
 * One socket of a scripted kernel: a `Transport` that hands what it sends to its kernel and
 * receives what the kernel queued for it (answers, events of the groups it joined, errors).
 */
import { errnoNumber } from "@tsconntrack/codec";
import { ENOBUFS } from "../constants.js";
import { NetlinkSocketError } from "../errors.js";
import type { Datagram, Transport } from "../transport.js";
import type { KernelRequest } from "./kernel-request.js";

/** The kernel side of a socket: what it does with a sent datagram. */
export interface SocketPeer<A extends object, F extends object> {
  readonly protocol: number;
  /** Handles one sent datagram (a copy) and queues the answers on `socket`. */
  receiveFrom(socket: ScriptedSocket<A, F>, datagram: Uint8Array): void;
}

export interface ScriptedSocketOptions {
  /** nl_pid; by default the kernel numbers its sockets from 4242. */
  portId?: number;
  /** SO_RCVBUF as read back (default 1 MiB); NetlinkClient sizes its batches by it. */
  receiveBufferSize?: number;
  /** SO_SNDBUF as read back (default 1 MiB); NetlinkClient cuts batch datagrams to fit it. */
  sendBufferSize?: number;
}

const INT_MAX = 0x7fffffff;

export class ScriptedSocket<A extends object = Record<string, unknown>, F extends object = Record<string, unknown>> implements Transport {
  readonly protocol: number;
  readonly portId: number;
  receiveBufferSize: number;
  sendBufferSize: number;
  /** Every datagram sent, as copies, in order. */
  readonly sent: Uint8Array[] = [];
  /** Every request message sent on this socket, in order. */
  readonly requests: KernelRequest<A, F>[] = [];
  /** The multicast groups joined (NETLINK_ADD_MEMBERSHIP). */
  readonly groups = new Set<number>();
  closed = false;
  readonly #peer: SocketPeer<A, F>;
  readonly #queue: (Datagram | Error)[] = [];

  constructor(peer: SocketPeer<A, F>, portId: number, options: ScriptedSocketOptions = {}) {
    this.#peer = peer;
    this.protocol = peer.protocol;
    this.portId = portId;
    this.receiveBufferSize = options.receiveBufferSize ?? 1 << 20;
    this.sendBufferSize = options.sendBufferSize ?? 1 << 20;
  }

  /** Datagrams and errors waiting to be received. */
  get pending(): number {
    return this.#queue.length;
  }

  send(datagram: Uint8Array): void {
    if (this.closed) throw new NetlinkSocketError("send", errnoNumber("EBADF")!);
    const copy = new Uint8Array(datagram);
    this.sent.push(copy);
    this.#peer.receiveFrom(this, copy);
  }

  /**
   * The next queued datagram, or null when nothing is queued: a scripted kernel has said all it
   * will, so a test that expects more fails at once instead of blocking for ever.
   */
  receiveSync(): Datagram | null {
    if (this.closed) return null;
    const next = this.#queue.shift();
    if (next === undefined) return null;
    if (next instanceof Error) throw next;
    return next;
  }

  async receive(): Promise<Datagram | null> {
    const datagram = this.receiveSync();
    return datagram && { ...datagram, bytes: new Uint8Array(datagram.bytes) };
  }

  /** Doubles the request as the kernel does (SO_RCVBUF keeps room for its bookkeeping), within an int. */
  setReceiveBufferSize(bytes: number): number {
    this.receiveBufferSize = Math.min(INT_MAX, Math.max(0, Math.floor(bytes)) * 2);
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

  /** Queues a datagram for this socket (a unicast from the kernel; `nsid` as NETLINK_LISTEN_ALL_NSID reports it). */
  deliver(bytes: Uint8Array, options: { nsid?: number } = {}): void {
    this.#queue.push(options.nsid !== undefined ? { bytes, nsid: options.nsid } : { bytes });
  }

  /** Queues an error for a receive to throw (a NetlinkSocketError, as LiveTransport throws them). */
  pushError(error: Error): void {
    this.#queue.push(error);
  }

  /** Queues ENOBUFS: the receive buffer overflowed and events were lost. */
  overrun(): void {
    this.pushError(new NetlinkSocketError("recv", ENOBUFS));
  }
}
