// Opens the event stream for -E. Live: our own socket from the socket package (the conntrack API's
// events() has no hook for a BPF filter yet), with the large receive buffer, the BPF filter,
// NETLINK_LISTEN_ALL_NSID for --all-netns, and --record. Replay: the conntrack API's session.

import { classifyEvent, compileFilter, type ConntrackEvent, type EventGroup, type FlowFilter } from "@tsconntrack/conntrack";
import { ConntrackMcastGroup } from "@tsconntrack/codec/conntrack";
import { readSync } from "node:fs";
import { isNetlinkDecodeError, parseMessages } from "@tsconntrack/codec";
import { EventSubscription, LiveTransport, PcapFileWriter, RecordingTransport, type Transport } from "@tsconntrack/socket";
import type { ParsedCommand } from "../args/types.js";
import { openConntrack } from "../io/session.js";

export type EventPredicate = Parameters<typeof classifyEvent>[1];

export interface EventSourceOptions {
  readonly groups: readonly EventGroup[];
  /** SO_RCVBUF(FORCE) request in bytes (the kernel doubles it). */
  readonly receiveBufferSize: number;
  /** cBPF program for SO_ATTACH_FILTER, or null. */
  readonly program: Uint8Array | null;
  /** The user-space filter of flow events (expectation events are not filtered). */
  readonly filter: FlowFilter | undefined;
}

export interface EventSource extends AsyncIterable<ConntrackEvent> {
  /** The receive buffer granted (SO_RCVBUF read back); 0 for a replay. */
  readonly receiveBufferSize: number;
  /** The BPF filter runs in the kernel. */
  readonly kernelFilter: boolean;
  readonly live: boolean;
  close(): void;
}

const GROUP_NUMBERS: Readonly<Record<EventGroup, number>> = {
  new: ConntrackMcastGroup.conntrackNew,
  update: ConntrackMcastGroup.conntrackUpdate,
  destroy: ConntrackMcastGroup.conntrackDestroy,
  "exp-new": ConntrackMcastGroup.conntrackExpNew,
  "exp-destroy": ConntrackMcastGroup.conntrackExpDestroy,
};

async function* classified(subscription: EventSubscription, predicate: EventPredicate): AsyncGenerator<ConntrackEvent> {
  for await (const item of subscription) {
    const event = classifyEvent(item, predicate);
    if (event !== undefined) yield event;
  }
}

/** How long a synchronous read waits for more before the stream falls back to an async poll. */
const SYNC_READ_TIMEOUT_MS = 1;

/**
 * The storm path: plain read(2) through fs.readSync drains the socket at a few µs per datagram (an
 * ffi call costs tens), with SO_RCVTIMEO bounding the wait once it is empty; then an async poll
 * (the transport's receive) waits without blocking the event loop, so signals and the idle flush run.
 * Not usable with NETLINK_LISTEN_ALL_NSID (the nsid comes in a control message) or --record.
 */
async function* drained(live: LiveTransport, predicate: EventPredicate): AsyncGenerator<ConntrackEvent> {
  const fd = live.fileDescriptor;
  const buffer = Buffer.alloc(256 * 1024);
  let overruns = 0;
  for (;;) {
    let length: number;
    try {
      length = readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOBUFS") {
        yield { kind: "overrun", count: ++overruns };
        continue;
      }
      if (code === "EINTR") continue;
      if (code !== "EAGAIN" && code !== "EWOULDBLOCK") throw error;
      // Empty: wait asynchronously (the datagram that ends the wait is handled here too).
      let datagram;
      try {
        datagram = await live.receive();
      } catch (failure) {
        if ((failure as { errno?: number }).errno === ENOBUFS_ERRNO) {
          yield { kind: "overrun", count: ++overruns };
          continue;
        }
        throw failure;
      }
      if (datagram === null) return;
      yield* eventsIn(datagram.bytes, predicate);
      continue;
    }
    yield* eventsIn(buffer.subarray(0, length), predicate);
  }
}

/** The events of one datagram; a datagram that is not well-formed netlink is one undecodable event. */
function* eventsIn(bytes: Uint8Array, predicate: EventPredicate): Generator<ConntrackEvent> {
  let messages;
  try {
    messages = parseMessages(bytes);
  } catch (error) {
    if (!isNetlinkDecodeError(error)) throw error;
    yield classifyEvent({ kind: "malformed", error, bytes: bytes.slice() }, predicate)!;
    return;
  }
  for (const message of messages) {
    const event = classifyEvent({ kind: "message", message }, predicate);
    if (event !== undefined) yield event;
  }
}

const ENOBUFS_ERRNO = 105;

function openLive(cmd: ParsedCommand, options: EventSourceOptions): EventSource {
  const live = LiveTransport.open({
    ...(cmd.extensions.netns !== undefined ? { netns: cmd.extensions.netns } : {}),
    receiveBufferSize: options.receiveBufferSize,
    groups: options.groups.map((group) => GROUP_NUMBERS[group]),
    listenAllNsid: cmd.extensions.allNetns,
    // Event datagrams hold one message of a few hundred bytes.
    readBufferSize: 64 * 1024,
  });
  let writer: PcapFileWriter | undefined;
  let transport: Transport = live;
  try {
    if (options.program !== null) live.attachFilter(options.program);
    if (cmd.extensions.record !== undefined) {
      const file = new PcapFileWriter(cmd.extensions.record, { overwrite: cmd.extensions.recordOverwrite ?? false });
      writer = file;
      transport = new RecordingTransport(live, { keep: false, sink: (record) => file.write(record) });
    }
  } catch (error) {
    live.close();
    throw error;
  }
  const fast = writer === undefined && !cmd.extensions.allNetns;
  if (fast) live.setReceiveTimeout(SYNC_READ_TIMEOUT_MS);
  const subscription = new EventSubscription(transport);
  return {
    receiveBufferSize: live.receiveBufferSize,
    kernelFilter: options.program !== null,
    live: true,
    [Symbol.asyncIterator]: () => {
      const predicate = options.filter === undefined ? undefined : compileFilter(options.filter).predicate;
      return fast ? drained(live, predicate) : classified(subscription, predicate);
    },
    close: () => {
      subscription.close();
      writer?.close();
    },
  };
}

function openReplay(cmd: ParsedCommand, options: EventSourceOptions): EventSource {
  const ct = openConntrack(cmd);
  const events = ct.events({
    groups: options.groups,
    receiveBufferSize: options.receiveBufferSize,
    ...(options.filter !== undefined ? { filter: options.filter } : {}),
  });
  return {
    receiveBufferSize: events.receiveBufferSize,
    kernelFilter: false,
    live: false,
    [Symbol.asyncIterator]: () => events[Symbol.asyncIterator](),
    close: () => {
      events.close();
      ct.close();
    },
  };
}

export function openEventSource(cmd: ParsedCommand, options: EventSourceOptions): EventSource {
  return cmd.extensions.replay !== undefined ? openReplay(cmd, options) : openLive(cmd, options);
}
