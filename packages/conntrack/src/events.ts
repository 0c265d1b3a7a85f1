/** Conntrack and expectation events from the multicast groups, classified and decoded. */
import { isNetlinkDecodeError, NLM_F_CREATE, type MessageView, type NetlinkDecodeError, type NlMsgHeader } from "@tsconntrack/codec";
import { ConntrackMcastGroup, type ConntrackAttrs, type ExpectAttrs } from "@tsconntrack/codec/conntrack";
import { DEFAULT_EVENT_RECEIVE_BUFFER, EventSubscription, type EventItem, type Transport } from "@tsconntrack/socket";
import { CT_DELETE, CT_NEW, EXP_DELETE, EXP_NEW } from "./constants.js";
import { ConntrackArgumentError } from "./errors.js";
import { compileFilter, type FlowFilter, type ViewTest } from "./filter.js";
import { expectView, flowView, viewFamily } from "./flow-view.js";
import { decodeView } from "./view-decode.js";
import { expectJson, flowJson, rfc3339, type ExpectJson, type FlowJson } from "./flow-json.js";

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
  /** Closes the stream when aborted (the iteration then ends). */
  signal?: AbortSignal;
}

interface EventBase {
  /** nfgenmsg.nfgen_family. */
  family: number;
  header: NlMsgHeader;
  /** Source namespace id, with `allNetns`, for events from a peer namespace. */
  netnsId?: number;
  /** When the event was received, where the transport knows (a replay: the time it was captured). */
  receivedAt?: { seconds: number; nanoseconds: number };
  /** The event message's bytes, nlmsghdr included (a copy: walk a view of it, or keep it). */
  message: Uint8Array;
}

/** An event in the friendly shape of `tsconntrack -E -o json`: the kind, when known the time, then the entry. */
export type FlowEventJson = { event: FlowEvent["kind"]; time?: string } & FlowJson;
export type ExpectEventJson = { event: "new" | "destroy"; time?: string } & ExpectJson;

export interface FlowEvent extends EventBase {
  kind: "new" | "update" | "destroy";
  /** The decoded attributes (the codec's raw tree). */
  flow: ConntrackAttrs;
  /** JSON.stringify(event) gives the friendly shape (see flow-json.ts). */
  toJSON(): FlowEventJson;
}

export interface ExpectEvent extends EventBase {
  kind: "exp-new" | "exp-destroy";
  expect: ExpectAttrs;
  toJSON(): ExpectEventJson;
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

// One view per message kind, shared: an event is walked, tested and decoded before the next one.
let flows: MessageView | undefined;
let expects: MessageView | undefined;

/** Classifies one received message; undefined for anything that is not an event (or filtered out). */
export function classifyEvent(item: EventItem, predicate: ViewTest | undefined): ConntrackEvent | undefined {
  if (item.kind === "overrun") return { kind: "overrun", count: item.count };
  if (item.kind === "malformed") return { kind: "undecodable", error: item.error, message: item.bytes };
  try {
    return decodedEvent(item, predicate);
  } catch (error) {
    if (!isNetlinkDecodeError(error)) throw error;
    return { kind: "undecodable", error, message: item.message.bytes.slice() };
  }
}

function decodedEvent(item: Extract<EventItem, { kind: "message" }>, predicate: ViewTest | undefined): ConntrackEvent | undefined {
  const { message } = item;
  const type = message.header.type;
  const isFlow = type === CT_NEW || type === CT_DELETE;
  if (!isFlow && type !== EXP_NEW && type !== EXP_DELETE) return undefined;
  const view = isFlow ? (flows ??= flowView()) : (expects ??= expectView());
  view.walkMessage(message.bytes);
  // Expectation events are not filtered.
  if (isFlow && predicate !== undefined && !predicate(view)) return undefined;
  const base = { family: viewFamily(view), header: { ...message.header }, message: message.bytes.slice() };
  const time = item.receivedAt === undefined ? {} : { time: rfc3339(item.receivedAt.seconds, item.receivedAt.nanoseconds) };
  let event: FlowEvent | ExpectEvent;
  if (isFlow) {
    const kind = type === CT_DELETE ? "destroy" : (message.header.flags & NLM_F_CREATE) !== 0 ? "new" : "update";
    const json: FlowEventJson = { event: kind, ...time, ...flowJson(view) };
    event = { kind, flow: decodeView<ConntrackAttrs>(view), ...base, toJSON: () => json };
  } else {
    const json: ExpectEventJson = { event: type === EXP_NEW ? "new" : "destroy", ...time, ...expectJson(view) };
    event = { kind: type === EXP_NEW ? "exp-new" : "exp-destroy", expect: decodeView<ExpectAttrs>(view), ...base, toJSON: () => json };
  }
  if (item.nsid !== undefined) event.netnsId = item.nsid;
  if (item.receivedAt !== undefined) event.receivedAt = item.receivedAt;
  return event;
}

/**
 * An event stream on its own socket. `for await (const event of events)`; `close()` ends it.
 * Overruns are reported in the stream, never thrown.
 */
export class ConntrackEvents implements AsyncIterable<ConntrackEvent>, AsyncDisposable {
  private readonly subscription: EventSubscription;
  private readonly predicate: ViewTest | undefined;
  private readonly onClose: () => void;
  private readonly signal: AbortSignal | undefined;
  /** The receive buffer the kernel granted (bytes); compare with what was asked to spot a low rmem_max. */
  readonly receiveBufferSize: number;
  /** The group numbers joined. */
  readonly groups: readonly number[];

  /** @internal Use `Conntrack.events()`. */
  constructor(transport: Transport, groups: readonly number[], filter: FlowFilter | undefined, onClose: () => void, signal?: AbortSignal) {
    this.subscription = new EventSubscription(transport);
    this.groups = groups;
    this.predicate = compileFilter(filter).predicate;
    this.receiveBufferSize = transport.receiveBufferSize;
    this.signal = signal;
    let closed = false;
    this.onClose = () => {
      if (closed) return;
      closed = true;
      onClose();
    };
    if (signal !== undefined) {
      if (signal.aborted) this.onClose();
      else signal.addEventListener("abort", () => this.onClose(), { once: true });
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ConntrackEvent> {
    if (this.signal?.aborted) return;
    for await (const item of this.subscription) {
      const event = classifyEvent(item, this.predicate);
      if (event !== undefined) yield event;
      // A caller's transport is not closed by an abort: the iteration ends here instead.
      if (this.signal?.aborted) return;
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

  /** `await using events = ct.events()`: close() at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

export { DEFAULT_EVENT_RECEIVE_BUFFER };
