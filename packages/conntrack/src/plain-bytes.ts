import type { Datagram, Transport } from "@tsconntrack/socket";

/**
 * Hands out received bytes as plain Uint8Arrays. A transport that reads into a Node Buffer returns
 * Buffer views, and Buffer#slice does not copy, so the request engine's "copies" of replies (and
 * the async reads' "own" bytes) would still share the reused read buffer. Here receiveSync returns
 * a Uint8Array view (so slice copies) and receive returns a real copy.
 */
export class PlainBytesTransport implements Transport {
  readonly inner: Transport;

  constructor(inner: Transport) {
    this.inner = inner;
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
  }

  receiveSync(): Datagram | null {
    const datagram = this.inner.receiveSync();
    if (datagram === null || datagram.bytes.constructor === Uint8Array) return datagram;
    const { bytes } = datagram;
    return { ...datagram, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  }

  async receive(): Promise<Datagram | null> {
    const datagram = await this.inner.receive();
    if (datagram === null) return null;
    return { ...datagram, bytes: new Uint8Array(datagram.bytes) };
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
}
