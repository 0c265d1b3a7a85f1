/**
 * The TCP dedicated link (src/tcp.c, channel_tcp.c): a listening socket on IPv4_address:Port
 * that keeps one accepted peer connection (a new one replaces it), and a client connection to
 * IPv4_Destination_Address:Port for sending. Messages are packed up to the MTU minus 40 bytes and
 * read back from the byte stream, keeping a partial message for the next read. While the client
 * is not connected (a reconnect is tried at most once a second, on the next send), packed
 * datagrams wait in the error queue (ErrorQueueLength, oldest dropped), as CHANNEL_F_ERRORS does.
 */
import { createServer, connect, type Server, type Socket } from "node:net";
import type { ChannelConfig } from "../config/types.js";
import type { Queue, QueueNode } from "../queue.js";
import { ChannelOpenError, PackingLink } from "./link.js";

const HEADER_SIZE = 40;
const CONNECT_INTERVAL_MS = 1000;

/** A packed datagram that could not be sent yet (a queue_object of type Q_ELEM_ERR). */
class ErrorNode implements QueueNode {
  owner?: Queue | undefined;
  readonly data: Uint8Array;
  constructor(data: Uint8Array) {
    this.data = data;
  }
}

export class TcpChannel extends PackingLink {
  private server: Server | undefined;
  private peer: Socket | undefined;
  private client: Socket | undefined;
  private clientConnected = false;
  private lastConnect = 0;
  private pending = new Uint8Array(0);
  private readonly errors: Queue;
  private readonly onMessages: (data: Uint8Array) => void;

  private constructor(config: ChannelConfig, errors: Queue, onMessages: (data: Uint8Array) => void) {
    super(config, HEADER_SIZE, "TCP");
    this.errors = errors;
    this.onMessages = onMessages;
  }

  static async open(config: ChannelConfig, errors: Queue, onMessages: (data: Uint8Array) => void): Promise<TcpChannel> {
    const channel = new TcpChannel(config, errors, onMessages);
    await channel.listen();
    channel.connectClient();
    return channel;
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => this.accept(socket));
      server.once("error", (error) => reject(new ChannelOpenError(error.message)));
      server.listen({ port: this.config.port, host: this.config.address ?? (this.config.family === 6 ? "::" : "0.0.0.0"), backlog: 1 }, () => {
        this.server = server;
        resolve();
      });
    });
  }

  private accept(socket: Socket): void {
    this.peer?.destroy();
    this.peer = socket;
    this.pending = new Uint8Array(0);
    socket.setKeepAlive(true);
    socket.on("data", (chunk: Buffer) => {
      this.recvStats.bytes += chunk.length;
      this.recvStats.messages++;
      this.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    });
    socket.on("error", () => {
      this.recvStats.errors++;
    });
    socket.on("close", () => {
      if (this.peer === socket) this.peer = undefined;
    });
  }

  /** channel_stream: hands over whole messages, keeps a partial one for the next read. */
  private receive(chunk: Uint8Array): void {
    const data = this.pending.length === 0 ? chunk : concat(this.pending, chunk);
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let at = 0;
    while (data.length - at >= 8) {
      const len = dv.getUint16(at + 2);
      // A length that cannot be right goes to the decoder, which counts it and drops the rest.
      if (len < 8) {
        at = data.length;
        break;
      }
      if (at + len > data.length) break;
      at += len;
    }
    if (at > 0) this.onMessages(data.slice(0, at));
    this.pending = data.slice(at);
  }

  private connectClient(): void {
    if (this.closed || this.client !== undefined) return;
    this.lastConnect = Date.now();
    const client = connect({ port: this.config.port, host: this.config.destination ?? (this.config.family === 6 ? "::1" : "127.0.0.1") });
    this.client = client;
    client.setKeepAlive(true);
    client.on("connect", () => {
      this.clientConnected = true;
      this.drainErrors();
    });
    client.on("error", () => {
      this.sendStats.errors++;
    });
    client.on("close", () => {
      this.clientConnected = false;
      if (this.client === client) this.client = undefined;
    });
  }

  protected transmit(data: Uint8Array): void {
    if (this.closed) return;
    if (!this.clientConnected) {
      this.enqueueError(data);
      if (this.client === undefined && Date.now() - this.lastConnect >= CONNECT_INTERVAL_MS) this.connectClient();
      return;
    }
    // Keep the order: older undelivered data first.
    if (this.errors.length > 0) {
      this.enqueueError(data);
      this.drainErrors();
      return;
    }
    this.write(data);
  }

  private write(data: Uint8Array): void {
    this.client!.write(data);
    this.sendStats.bytes += data.length;
    this.sendStats.messages++;
  }

  private enqueueError(data: Uint8Array): void {
    const node = new ErrorNode(data);
    if (this.errors.add(node) < 0) {
      this.errors.delHead();
      this.errors.add(node);
    }
  }

  private drainErrors(): void {
    if (!this.clientConnected) return;
    this.errors.iterate((node) => {
      this.errors.del(node);
      this.write((node as ErrorNode).data);
    });
  }

  statsTitle(): string {
    const server = this.peer !== undefined ? "connected" : "disconnected";
    const client = this.clientConnected ? "connected" : "disconnected";
    return `TCP traffic (active device=${this.ifname}) server=${server} client=${client}`;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.client?.end();
    this.peer?.destroy();
    this.server?.close();
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
