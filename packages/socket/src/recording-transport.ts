import { captureTimestamp, overrunMarker, type CaptureRecord } from "./capture.js";
import { ENOBUFS } from "./constants.js";
import { isNetlinkSocketError } from "./errors.js";
import type { Datagram, Transport } from "./transport.js";

export interface RecordingOptions {
  /** Called with each record as it happens (for example `PcapFileWriter.write`). */
  sink?: (record: CaptureRecord) => void;
  /** Keep records in `records` (default true; turn off for long event recordings with a sink). */
  keep?: boolean;
}

/** A copy that owns its memory (Buffer#slice, unlike Uint8Array#slice, would return a view). */
const copyOf = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes);

/** Wraps a transport and records every datagram both ways; a receive-side ENOBUFS is kept as an overrun marker. */
export class RecordingTransport implements Transport {
  readonly records: CaptureRecord[] = [];
  readonly inner: Transport;
  private readonly keep: boolean;
  private readonly options: RecordingOptions;

  constructor(inner: Transport, options: RecordingOptions = {}) {
    this.inner = inner;
    this.options = options;
    this.keep = options.keep ?? true;
  }

  get protocol(): number {
    return this.inner.protocol;
  }
  get portId(): number {
    return this.inner.portId;
  }
  get receiveBufferSize(): number {
    return this.inner.receiveBufferSize;
  }
  get sendBufferSize(): number {
    return this.inner.sendBufferSize;
  }

  send(datagram: Uint8Array): void {
    this.inner.send(datagram);
    this.record("sent", copyOf(datagram));
  }

  receiveSync(): Datagram | null {
    try {
      const datagram = this.inner.receiveSync();
      if (datagram !== null) this.record("received", copyOf(datagram.bytes));
      return datagram;
    } catch (error) {
      this.recordError(error);
      throw error;
    }
  }

  async receive(): Promise<Datagram | null> {
    try {
      const datagram = await this.inner.receive();
      if (datagram !== null) this.record("received", copyOf(datagram.bytes));
      return datagram;
    } catch (error) {
      this.recordError(error);
      throw error;
    }
  }

  setReceiveBufferSize(bytes: number): number {
    return this.inner.setReceiveBufferSize(bytes);
  }
  joinGroup(group: number): void {
    this.inner.joinGroup(group);
  }
  leaveGroup(group: number): void {
    this.inner.leaveGroup(group);
  }
  close(): void {
    this.inner.close();
  }

  private recordError(error: unknown): void {
    if (isNetlinkSocketError(error) && error.errno === ENOBUFS) this.record("received", overrunMarker());
  }

  private record(direction: CaptureRecord["direction"], bytes: Uint8Array): void {
    const record: CaptureRecord = { direction, bytes, timestamp: captureTimestamp(), protocol: this.inner.protocol };
    if (this.keep) this.records.push(record);
    this.options.sink?.(record);
  }
}
