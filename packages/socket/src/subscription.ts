import { isNetlinkDecodeError, parseMessages, type NetlinkDecodeError, type NlMessage } from "@tsconntrack/codec";
import { ENOBUFS } from "./constants.js";
import { isNetlinkSocketError } from "./errors.js";
import { LiveTransport, type LiveTransportOptions } from "./live-transport.js";
import type { Datagram, Transport } from "./transport.js";

/** One item of an event stream. */
export type EventItem =
  | {
      kind: "message";
      message: NlMessage;
      /** source netns id with NETLINK_LISTEN_ALL_NSID */
      nsid?: number;
      /** when the datagram was received, where the transport knows (a replay: the capture's time) */
      receivedAt?: { seconds: number; nanoseconds: number };
    }
  /**
   * The socket overran (ENOBUFS): events were lost between the previous item and the next.
   * `count` is the number of overruns reported so far on this subscription (1, 2, …).
   * The stream goes on; re-dump the table to resynchronise.
   */
  | { kind: "overrun"; count: number }
  /** A datagram that is not well-formed netlink (its messages cannot be split): reported, the stream goes on. */
  | { kind: "malformed"; error: NetlinkDecodeError; bytes: Uint8Array };

export interface SubscribeOptions extends Omit<LiveTransportOptions, "groups"> {
  /** Multicast groups to join (for conntrack: 1 NEW, 2 UPDATE, 3 DESTROY). */
  groups: readonly number[];
}

/**
 * Default receive buffer for event sockets: the kernel doubles it, so 128 MiB are granted with
 * CAP_NET_ADMIN. It is a limit, not an allocation: memory is used only while events wait unread,
 * and a flush of a big table queues a burst of DESTROY events faster than any reader drains them.
 */
export const DEFAULT_EVENT_RECEIVE_BUFFER = 64 << 20;

/**
 * Multicast events on their own socket (sharing a socket with requests lets events overrun a
 * dump). Iterate it with `for await`; `close()` ends the iteration.
 */
export class EventSubscription implements AsyncIterable<EventItem> {
  overruns = 0;

  /** Opens a kernel socket, joins `groups` and asks for a large receive buffer (SO_RCVBUFFORCE, then SO_RCVBUF). */
  static open(options: SubscribeOptions): EventSubscription {
    const { groups, ...rest } = options;
    const transport = LiveTransport.open({ receiveBufferSize: DEFAULT_EVENT_RECEIVE_BUFFER, ...rest, groups });
    return new EventSubscription(transport);
  }

  /** Wraps an existing transport (replay, recording); joins `groups` on it. */
  readonly transport: Transport;

  constructor(transport: Transport, groups: readonly number[] = []) {
    this.transport = transport;
    for (const group of groups) transport.joinGroup(group);
  }

  /** The receive buffer the kernel granted, in bytes (compare with what was asked to warn about rmem_max). */
  get receiveBufferSize(): number {
    return this.transport.receiveBufferSize;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<EventItem> {
    for (;;) {
      let datagram: Datagram | null;
      try {
        datagram = await this.transport.receive();
      } catch (error) {
        if (isNetlinkSocketError(error) && error.errno === ENOBUFS) {
          yield { kind: "overrun", count: ++this.overruns };
          continue;
        }
        throw error;
      }
      if (datagram === null) return;
      yield* this.items(datagram);
    }
  }

  /**
   * Blocks for the next datagram and returns its items; null at end of stream. For synchronous
   * consumers; message bytes are views valid until the next call.
   */
  nextSync(): EventItem[] | null {
    let datagram: Datagram | null;
    try {
      datagram = this.transport.receiveSync();
    } catch (error) {
      if (isNetlinkSocketError(error) && error.errno === ENOBUFS) return [{ kind: "overrun", count: ++this.overruns }];
      throw error;
    }
    return datagram === null ? null : [...this.items(datagram)];
  }

  close(): void {
    this.transport.close();
  }

  private *items(datagram: Datagram): Generator<EventItem> {
    let messages: NlMessage[];
    try {
      messages = parseMessages(datagram.bytes);
    } catch (error) {
      if (!isNetlinkDecodeError(error)) throw error;
      yield { kind: "malformed", error, bytes: datagram.bytes };
      return;
    }
    for (const message of messages) {
      yield {
        kind: "message",
        message,
        ...(datagram.nsid !== undefined ? { nsid: datagram.nsid } : {}),
        ...(datagram.receivedAt !== undefined ? { receivedAt: datagram.receivedAt } : {}),
      };
    }
  }
}
