/**
 * The sockets behind a netlink API object (Conntrack, Nfct): one for requests, one per event
 * subscription (so events never overrun a dump), opened on first use, optionally inside a network
 * namespace. Recording writes every socket into one pcap; replay answers all of them from one.
 */
import type { CaptureRecord } from "./capture.js";
import { createLibcSyscalls } from "./libc.js";
import { LiveTransport } from "./live-transport.js";
import { PcapFileWriter } from "./pcap/index.js";
import { RecordingTransport } from "./recording-transport.js";
import { ReplayTransport } from "./replay-transport.js";
import type { Syscalls } from "./syscalls.js";
import type { Transport } from "./transport.js";
import { errorGuard, FieldArgumentError } from "@tsconntrack/codec";

/** Options that cannot work together, or a closed session; nothing was opened or sent. */
export class SessionArgumentError extends FieldArgumentError {
  override readonly name = "SessionArgumentError";
}

export const isSessionArgumentError = errorGuard<SessionArgumentError>("SessionArgumentError");

/** How a session reports bad options: the API above it may have its own error type. */
export type SessionErrorFactory = (field: string, message: string) => Error;

export interface SessionOptions {
  /** Network namespace: an `ip netns` name or a path such as /run/netns/NAME. */
  netns?: string;
  /** Transport for requests (tests, custom sockets). Not closed by `close()` unless `ownTransport`. */
  transport?: Transport;
  /** Transport for events; default a new socket (or the replay). */
  eventTransport?: Transport;
  /** Close given transports on `close()` (default true). */
  ownTransport?: boolean;
  /**
   * Record every datagram both ways into this pcap file (LINKTYPE_NETLINK), created 0600 and never
   * over an existing file unless `recordOverwrite`; or into a writer shared with other sessions (not closed).
   */
  record?: string | PcapFileWriter;
  /** Let `record` replace an existing regular file. */
  recordOverwrite?: boolean;
  /** Answer from this pcap file instead of the kernel (no root needed). */
  replay?: string;
  /** Replay compares sent bytes with the capture (default true). */
  replayStrict?: boolean;
  /** Receive buffer asked for the request socket (default: the socket package's 4 MiB). */
  receiveBufferSize?: number;
  /** System-call layer for live sockets and namespace switching (default: libc through ffi-rs). */
  syscalls?: Syscalls;
}

export interface EventSocketOptions {
  groups: readonly number[];
  receiveBufferSize: number;
  allNetns: boolean;
}

export class NetlinkSession {
  private requestTransport: Transport | undefined;
  private secondTransport: Transport | undefined;
  private eventTransports: Transport[] = [];
  private replay: ReplayTransport | undefined;
  private writer: PcapFileWriter | undefined;
  /** A writer given by the caller: used, never closed. */
  private sharedWriter: PcapFileWriter | undefined;
  private closed = false;
  private readonly options: SessionOptions;
  private readonly argumentError: SessionErrorFactory;
  /** The API object's class name in messages ("Conntrack", "Nfct"). */
  private readonly owner: string;

  constructor(options: SessionOptions, argumentError: SessionErrorFactory = (field, message) => new SessionArgumentError(field, message), owner = "NetlinkSession") {
    this.argumentError = argumentError;
    this.owner = owner;
    if (options.replay !== undefined && options.record !== undefined) {
      throw argumentError("replay", "replay and record cannot be combined");
    }
    if (options.replay !== undefined && (options.transport !== undefined || options.netns !== undefined)) {
      throw argumentError("replay", "replay answers from a capture: no transport or netns with it");
    }
    this.options = options;
    if (options.replay !== undefined) {
      this.replay = ReplayTransport.fromPcap(options.replay, { strict: options.replayStrict ?? true });
    }
    if (typeof options.record === "string") this.writer = new PcapFileWriter(options.record, { overwrite: options.recordOverwrite ?? false });
    else if (options.record !== undefined) this.sharedWriter = options.record;
  }

  get netns(): string | undefined {
    return this.options.netns;
  }

  /** The syscall layer for namespace-switching fallbacks; undefined when replaying or given transports. */
  get syscalls(): (() => Syscalls) | undefined {
    if (this.replay !== undefined || this.options.transport !== undefined) return undefined;
    return () => (this.options.syscalls ??= createLibcSyscalls());
  }

  get live(): boolean {
    return this.replay === undefined && this.options.transport === undefined;
  }

  requests(): Transport {
    this.ensureOpen();
    if (this.requestTransport === undefined) {
      this.requestTransport = this.wrap(this.replay ?? this.options.transport ?? this.openRequestSocket());
    }
    return this.requestTransport;
  }

  /**
   * A second request socket, for work that runs while a dump is under way on the first (another
   * dump, or deletes). Live sessions only: a replay or a caller's transport has one conversation.
   */
  secondRequests(): Transport {
    this.ensureOpen();
    if (!this.live) throw this.argumentError(this.owner.toLowerCase(), "a second request socket needs a live session");
    return (this.secondTransport ??= this.wrap(this.openRequestSocket()));
  }

  /**
   * Closes the second request socket (one that abandoned a dump, say: closing it ends the kernel's
   * walk); the next secondRequests() opens a new one.
   */
  discardSecondRequests(): void {
    const transport = this.secondTransport;
    this.secondTransport = undefined;
    if (transport !== undefined) transport.close();
  }

  private openRequestSocket(): Transport {
    return LiveTransport.open({
      ...(this.options.netns !== undefined ? { netns: this.options.netns } : {}),
      ...(this.options.receiveBufferSize !== undefined ? { receiveBufferSize: this.options.receiveBufferSize } : {}),
      ...(this.options.syscalls !== undefined ? { syscalls: this.options.syscalls } : {}),
    });
  }

  /** A transport subscribed to `groups`. Each call opens a new live socket. */
  events(options: EventSocketOptions): Transport {
    this.ensureOpen();
    let inner: Transport;
    if (this.replay !== undefined || this.options.eventTransport !== undefined) {
      inner = this.replay ?? this.options.eventTransport!;
      for (const group of options.groups) inner.joinGroup(group);
      if (this.options.eventTransport !== undefined && options.receiveBufferSize > 0) inner.setReceiveBufferSize(options.receiveBufferSize);
    } else if (this.options.transport !== undefined) {
      throw this.argumentError("eventTransport", "a custom request transport needs an eventTransport for events");
    } else {
      inner = LiveTransport.open({
        ...(this.options.netns !== undefined ? { netns: this.options.netns } : {}),
        ...(this.options.syscalls !== undefined ? { syscalls: this.options.syscalls } : {}),
        receiveBufferSize: options.receiveBufferSize,
        groups: options.groups,
        listenAllNsid: options.allNetns,
      });
    }
    const transport = this.wrap(inner);
    this.eventTransports.push(transport);
    return transport;
  }

  /** Closes an event transport opened by `events` (a shared replay or a caller's transport stays open). */
  closeEvents(transport: Transport): void {
    this.eventTransports = this.eventTransports.filter((t) => t !== transport);
    if (this.owns(transport)) transport.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const own = this.options.ownTransport ?? true;
    const requests = [this.requestTransport, this.secondTransport].filter((t): t is Transport => t !== undefined);
    const all = new Set<Transport>([...requests, ...this.eventTransports]);
    for (const transport of all) {
      if (this.owns(transport) || own) transport.close();
    }
    this.replay?.close();
    this.writer?.close();
  }

  /** True for sockets this session opened itself (not the replay, not a caller's transport). */
  private owns(transport: Transport): boolean {
    const inner = transport instanceof RecordingTransport ? transport.inner : transport;
    return inner !== this.replay && inner !== this.options.transport && inner !== this.options.eventTransport;
  }

  private wrap(inner: Transport): Transport {
    const writer = this.writer ?? this.sharedWriter;
    if (writer === undefined) return inner;
    return new RecordingTransport(inner, { keep: false, sink: (record: CaptureRecord) => writer.write(record) });
  }

  private ensureOpen(): void {
    if (this.closed) throw this.argumentError(this.owner.toLowerCase(), `this ${this.owner} is closed`);
  }
}
