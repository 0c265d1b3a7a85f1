/** Conntrack and expectation events from the multicast groups, classified and decoded. */
import { isNetlinkDecodeError, NLM_F_CREATE, type NetlinkDecodeError, type NlMsgHeader } from "@tsconntrack/codec";
import { ConntrackMcastGroup, conntrack, type ConntrackAttrs, type ExpectAttrs, type Nfgenmsg } from "@tsconntrack/codec/conntrack";
import { DEFAULT_EVENT_RECEIVE_BUFFER, EventSubscription, type EventItem, type Transport } from "@tsconntrack/socket";
import { CT_DELETE, CT_NEW, EXP_DELETE, EXP_NEW, SET_CONNTRACK, SET_EXPECT } from "./constants.js";
import { ConntrackArgumentError } from "./errors.js";
import { compileFilter, type FlowFilter } from "./filter.js";

export type EventGroup = "new" | "update" | "destroy" | "exp-new" | "exp-destroy";

const GROUP_NUMBERS: Record<EventGroup, number> = {
  new: ConntrackMcastGroup.conntrackNew,
  update: ConntrackMcastGroup.conntrackUpdate,
  destroy: ConntrackMcastGroup.conntrackDestroy,
  "exp-new": ConntrackMcastGroup.conntrackExpNew,
  "exp-destroy": ConntrackMcastGroup.conntrackExpDestroy,
};

export interface EventOptions {
  /** Default ["new", "update", "destroy"]. */
  groups?: readonly EventGroup[];
  /** Receive buffer to ask for (SO_RCVBUFFORCE, the kernel doubles it); default 64 MiB. */
  receiveBufferSize?: number;
  /** NETLINK_LISTEN_ALL_NSID: also events of peer namespaces that have an nsid (`netnsId` says which). */
  allNetns?: boolean;
  /** User-space filter for flow events (expectation events are not filtered). */
  filter?: FlowFilter;
}

interface EventBase {
  /** nfgenmsg.nfgen_family. */
  family: number;
  header: NlMsgHeader;
  /** Source namespace id, with `allNetns`, for events from a peer namespace. */
  netnsId?: number;
  /** When the event was received, where the transport knows (a replay: the time it was captured). */
  receivedAt?: { seconds: number; nanoseconds: number };
}

export interface FlowEvent extends EventBase {
  kind: "new" | "update" | "destroy";
  flow: ConntrackAttrs;
}

export interface ExpectEvent extends EventBase {
  kind: "exp-new" | "exp-destroy";
  expect: ExpectAttrs;
}

/** Events were lost (ENOBUFS) between the previous item and the next; re-list to resynchronise. */
export interface OverrunEvent {
  kind: "overrun";
  /** Overruns so far on this subscription. */
  count: number;
}

/**
 * An event message that cannot be decoded (a malformed attribute): reported, never thrown, so one
 * bad message does not end the stream.
 */
export interface UndecodableEvent {
  kind: "undecodable";
  error: NetlinkDecodeError;
  /** The message's bytes, nlmsghdr included. */
  message: Uint8Array;
}

export type ConntrackEvent = FlowEvent | ExpectEvent | OverrunEvent | UndecodableEvent;

export function groupNumbers(groups: readonly EventGroup[]): number[] {
  return groups.map((group) => {
    const number = GROUP_NUMBERS[group];
    if (number === undefined) throw new ConntrackArgumentError("groups", `unknown event group ${JSON.stringify(group)}`);
    return number;
  });
}

/** Classifies one received message; undefined for anything that is not an event (or filtered out). */
export function classifyEvent(
  item: EventItem,
  predicate: ((flow: ConntrackAttrs, family: number) => boolean) | undefined,
): ConntrackEvent | undefined {
  if (item.kind === "overrun") return { kind: "overrun", count: item.count };
  if (item.kind === "malformed") return { kind: "undecodable", error: item.error, message: item.bytes };
  try {
    return decodedEvent(item, predicate);
  } catch (error) {
    if (!isNetlinkDecodeError(error)) throw error;
    return { kind: "undecodable", error, message: item.message.bytes };
  }
}

function decodedEvent(
  item: Extract<EventItem, { kind: "message" }>,
  predicate: ((flow: ConntrackAttrs, family: number) => boolean) | undefined,
): ConntrackEvent | undefined {
  const { message } = item;
  const type = message.header.type;
  if (type === CT_NEW || type === CT_DELETE) {
    const decoded = conntrack.decodeMessage<ConntrackAttrs>(message, SET_CONNTRACK);
    const family = (decoded.fixed as unknown as Nfgenmsg).nfgenFamily;
    if (predicate !== undefined && !predicate(decoded.attrs, family)) return undefined;
    const kind = type === CT_DELETE ? "destroy" : (message.header.flags & NLM_F_CREATE) !== 0 ? "new" : "update";
    const event: FlowEvent = { kind, flow: decoded.attrs, family, header: { ...message.header } };
    if (item.nsid !== undefined) event.netnsId = item.nsid;
    if (item.receivedAt !== undefined) event.receivedAt = item.receivedAt;
    return event;
  }
  if (type === EXP_NEW || type === EXP_DELETE) {
    const decoded = conntrack.decodeMessage<ExpectAttrs>(message, SET_EXPECT);
    const family = (decoded.fixed as unknown as Nfgenmsg).nfgenFamily;
    const event: ExpectEvent = { kind: type === EXP_NEW ? "exp-new" : "exp-destroy", expect: decoded.attrs, family, header: { ...message.header } };
    if (item.nsid !== undefined) event.netnsId = item.nsid;
    if (item.receivedAt !== undefined) event.receivedAt = item.receivedAt;
    return event;
  }
  return undefined;
}

/**
 * An event stream on its own socket. `for await (const event of events)`; `close()` ends it.
 * Overruns are reported in the stream, never thrown.
 */
export class ConntrackEvents implements AsyncIterable<ConntrackEvent> {
  private readonly subscription: EventSubscription;
  private readonly predicate: ((flow: ConntrackAttrs, family: number) => boolean) | undefined;
  private readonly onClose: () => void;
  /** The receive buffer the kernel granted (bytes); compare with what was asked to spot a low rmem_max. */
  readonly receiveBufferSize: number;
  /** The group numbers joined. */
  readonly groups: readonly number[];

  /** @internal Use `Conntrack.events()`. */
  constructor(transport: Transport, groups: readonly number[], filter: FlowFilter | undefined, onClose: () => void) {
    this.subscription = new EventSubscription(transport);
    this.groups = groups;
    this.predicate = compileFilter(filter).predicate;
    this.receiveBufferSize = transport.receiveBufferSize;
    this.onClose = onClose;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ConntrackEvent> {
    for await (const item of this.subscription) {
      const event = classifyEvent(item, this.predicate);
      if (event !== undefined) yield event;
    }
  }

  /** Blocks for the next datagram; its events (possibly none after filtering), or null at the end of the stream. */
  nextSync(): ConntrackEvent[] | null {
    const items = this.subscription.nextSync();
    if (items === null) return null;
    const events: ConntrackEvent[] = [];
    for (const item of items) {
      const event = classifyEvent(item, this.predicate);
      if (event !== undefined) events.push(event);
    }
    return events;
  }

  /** Overruns seen so far. */
  get overruns(): number {
    return this.subscription.overruns;
  }

  /** Closes the event socket (a replay or a caller's transport is left to its owner). */
  close(): void {
    this.onClose();
  }
}

export { DEFAULT_EVENT_RECEIVE_BUFFER };
