/**
 * Dedicated links (src/channel.c, channel_udp.c, channel_mcast.c, udp.c, mcast.c): a UDP socket
 * pair (bound receiver, sender to the peer) or an IPv4 multicast group, with 1.4.7's buffering:
 * messages are packed into one datagram up to the interface MTU minus 28 bytes (IP + UDP headers)
 * and flushed when the transmit queue has been drained.
 */
import { createSocket, type Socket } from "node:dgram";
import type { ChannelConfig } from "../config/types.js";
import { ChannelOpenError, PackingLink } from "./link.js";
import { disableChecksum, forceRecvBuffer, forceSendBuffer } from "./sockopt.js";

const HEADER_SIZE = 28;
/** The receive buffer asked for when the configuration gives none (see bind()). */
const DEFAULT_RCVBUF = 4 << 20;

export class Channel extends PackingLink {
  private readonly sender: Socket;
  private readonly receiver: Socket;
  private readonly destination: string;
  private readonly scoped: (address: string | undefined) => string | undefined;
  private readonly port: number;

  private constructor(config: ChannelConfig, onDatagram: (data: Uint8Array) => void) {
    super(config, HEADER_SIZE, config.type === "mcast" ? "multicast" : "UDP");
    this.port = config.port;
    const type = config.family === 6 ? "udp6" : "udp4";
    this.sender = createSocket({ type });
    this.receiver = createSocket({ type, reuseAddr: true });
    // IPv6 link-local addresses need the interface as their scope (1.4.7 takes it from Interface).
    this.scoped = (address: string | undefined): string | undefined =>
      config.family === 6 && address?.toLowerCase().startsWith("fe80:") && !address.includes("%") ? `${address}%${config.interface}` : address;
    this.destination = this.scoped((config.type === "mcast" ? config.address : config.destination) ?? (config.family === 6 ? "::" : "0.0.0.0"))!;
    this.receiver.on("message", (msg) => {
      this.recvStats.bytes += msg.length;
      this.recvStats.messages++;
      onDatagram(new Uint8Array(msg.buffer, msg.byteOffset, msg.length));
    });
    this.receiver.on("error", () => {
      this.recvStats.errors++;
    });
    this.sender.on("error", () => {
      this.sendStats.errors++;
    });
  }

  /** Opens and binds the sockets (channel_open): rejects when the interface or the address is unusable. */
  static async open(config: ChannelConfig, onDatagram: (data: Uint8Array) => void): Promise<Channel> {
    const channel = new Channel(config, onDatagram);
    await channel.bind();
    await channel.forceOptions();
    return channel;
  }

  private bind(): Promise<void> {
    const c = this.config;
    return new Promise((resolve, reject) => {
      const fail = (error: Error): void => reject(new ChannelOpenError(error.message));
      this.receiver.once("error", fail);
      const onBound = (): void => {
        this.receiver.off("error", fail);
        try {
          // Without RcvSocketBuffer 1.4.7 keeps the system default (about 200 KiB, some 90 full
          // datagrams): a burst of updates overflows it and NOTRACK never recovers what was
          // dropped. tsconntrackd then asks for DEFAULT_RCVBUF (the kernel caps it at rmem_max).
          this.receiver.setRecvBufferSize(c.rcvBuffer || DEFAULT_RCVBUF);
          // IPv6 joins on the Interface (ipv6mr_interface), IPv4 on IPv4_interface's address.
          if (c.type === "mcast") this.receiver.addMembership(c.address ?? "0.0.0.0", c.family === 6 ? `::%${c.interface}` : c.interfaceAddress);
        } catch (error) {
          reject(new ChannelOpenError((error as Error).message));
          return;
        }
        this.sender.bind(0, c.type === "mcast" ? undefined : undefined, () => {
          try {
            if (c.sndBuffer) this.sender.setSendBufferSize(c.sndBuffer);
            if (c.type === "mcast") {
              this.sender.setMulticastLoopback(false);
              if (c.family === 6) this.sender.setMulticastInterface(`::%${c.interface}`);
              else if (c.interfaceAddress) this.sender.setMulticastInterface(c.interfaceAddress);
            }
          } catch (error) {
            reject(new ChannelOpenError((error as Error).message));
            return;
          }
          resolve();
        });
      };
      // UDP binds the configured address; a multicast receiver binds INADDR_ANY on the group port.
      if (c.type === "mcast") this.receiver.bind(c.port, c.family === 6 ? "::" : "0.0.0.0", onBound);
      else this.receiver.bind(c.port, this.scoped(c.address) ?? (c.family === 6 ? "::" : "0.0.0.0"), onBound);
    });
  }

  /** Why an option of the configuration could not be applied (the daemon logs these). */
  readonly warnings: string[] = [];

  /** What dgram cannot do: `Checksum off`, and buffers beyond rmem_max/wmem_max (SO_*BUFFORCE). */
  private async forceOptions(): Promise<void> {
    const c = this.config;
    if (!c.checksum && !(await disableChecksum(this.sender))) this.warnings.push(`cannot turn UDP checksums off on ${c.interface}`);
    // The kernel reports twice what was set.
    if (c.rcvBuffer && this.receiver.getRecvBufferSize() < 2 * c.rcvBuffer && !(await forceRecvBuffer(this.receiver, c.rcvBuffer))) {
      this.warnings.push(`RcvSocketBuffer ${c.rcvBuffer} is above net.core.rmem_max; using ${this.receiver.getRecvBufferSize() / 2}`);
    }
    if (c.sndBuffer && this.sender.getSendBufferSize() < 2 * c.sndBuffer && !(await forceSendBuffer(this.sender, c.sndBuffer))) {
      this.warnings.push(`SndSocketBuffer ${c.sndBuffer} is above net.core.wmem_max; using ${this.sender.getSendBufferSize() / 2}`);
    }
  }

  protected transmit(datagram: Uint8Array): void {
    if (this.closed) return;
    this.sender.send(datagram, this.port, this.destination, (error, bytes) => {
      if (error) this.sendStats.errors++;
      else {
        this.sendStats.bytes += bytes;
        this.sendStats.messages++;
      }
    });
  }

  statsTitle(): string {
    return `${this.trafficName} traffic (active device=${this.ifname})`;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.sender.close();
    this.receiver.close();
  }
}
