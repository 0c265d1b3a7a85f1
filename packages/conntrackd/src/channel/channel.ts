/**
 * Dedicated links (src/channel.c, channel_udp.c, channel_mcast.c, udp.c, mcast.c): a UDP socket
 * pair (bound receiver, sender to the peer) or an IPv4 multicast group, with 1.4.7's buffering:
 * messages are packed into one datagram up to the interface MTU minus 28 bytes (IP + UDP headers)
 * and flushed when the transmit queue has been drained.
 */
import { createSocket, type Socket } from "node:dgram";
import { readFileSync } from "node:fs";
import type { ChannelConfig } from "../config/types.js";
import type { LinkStats } from "../control/text.js";
import { disableChecksum, forceRecvBuffer, forceSendBuffer } from "./sockopt.js";

const HEADER_SIZE = 28;
/** The receive buffer asked for when the configuration gives none (see bind()). */
const DEFAULT_RCVBUF = 4 << 20;
const IFF_UP = 0x1;

function sysNet(ifname: string, file: string): string | undefined {
  try {
    return readFileSync(`/sys/class/net/${ifname}/${file}`, "latin1").trim();
  } catch {
    return undefined;
  }
}

/** if_nametoindex != 0: the interface exists in this network namespace. */
export const interfaceExists = (ifname: string): boolean => sysNet(ifname, "ifindex") !== undefined;

/**
 * `RUNNING`, `NO-CARRIER` or `DOWN`, as `-s link` prints it: IFF_UP from the interface flags,
 * IFF_RUNNING from the carrier (sysfs `flags` holds dev->flags, which never has IFF_RUNNING).
 */
export function linkStatus(ifname: string): string {
  const flags = Number.parseInt(sysNet(ifname, "flags") ?? "0", 16);
  if (!(flags & IFF_UP)) return "DOWN";
  return sysNet(ifname, "carrier") === "1" ? "RUNNING" : "NO-CARRIER";
}

export class ChannelOpenError extends Error {}

/** What the daemon needs of a dedicated link (UDP, multicast or TCP). */
export interface Link {
  readonly config: ChannelConfig;
  readonly ifname: string;
  send(message: Uint8Array): void;
  flush(): void;
  linkStats(): LinkStats;
  /** The `-s` title: `UDP traffic (active device=eth1)`. */
  statsTitle(): string;
  /** The `-s link` title: `UDP traffic device=eth1 status=RUNNING role=ACTIVE`. */
  statsTitleExtended(active: boolean): string;
  close(): void;
}

export class Channel implements Link {
  readonly kind: "UDP" | "Multicast";
  readonly ifname: string;
  readonly sendStats = { bytes: 0, messages: 0, errors: 0 };
  readonly recvStats = { bytes: 0, messages: 0, errors: 0 };
  private readonly sender: Socket;
  private readonly receiver: Socket;
  private readonly bufferSize: number;
  private buffer: Uint8Array;
  private used = 0;
  private readonly destination: string;
  private readonly scoped: (address: string | undefined) => string | undefined;
  private readonly port: number;
  private closed = false;

  readonly config: ChannelConfig;

  private constructor(config: ChannelConfig, onDatagram: (data: Uint8Array) => void) {
    this.config = config;
    this.kind = config.type === "mcast" ? "Multicast" : "UDP";
    this.ifname = config.interface;
    const mtu = Number(sysNet(config.interface, "mtu"));
    if (!config.interface || !Number.isFinite(mtu) || mtu <= HEADER_SIZE) throw new ChannelOpenError("No such device");
    this.bufferSize = mtu - HEADER_SIZE;
    this.buffer = new Uint8Array(this.bufferSize);
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

  /** channel_send: appends to the MTU-sized buffer, sending it first when the message does not fit. */
  send(message: Uint8Array): void {
    if (this.used + message.length >= this.bufferSize) this.flush();
    if (message.length >= this.bufferSize) {
      this.transmit(message.slice());
      return;
    }
    this.buffer.set(message, this.used);
    this.used += message.length;
  }

  /** channel_send_flush. */
  flush(): void {
    if (this.used === 0) return;
    const datagram = this.buffer.slice(0, this.used);
    this.used = 0;
    this.transmit(datagram);
  }

  private transmit(datagram: Uint8Array): void {
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
    return `${this.kind === "UDP" ? "UDP" : "multicast"} traffic (active device=${this.ifname})`;
  }

  statsTitleExtended(active: boolean): string {
    return `${this.kind === "UDP" ? "UDP" : "multicast"} traffic device=${this.ifname} status=${linkStatus(this.ifname)} role=${active ? "ACTIVE" : "BACKUP"}`;
  }

  linkStats(): LinkStats {
    return {
      sentBytes: this.sendStats.bytes, recvBytes: this.recvStats.bytes,
      sentPackets: this.sendStats.messages, recvPackets: this.recvStats.messages,
      sentErrors: this.sendStats.errors, recvErrors: this.recvStats.errors,
    };
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.sender.close();
    this.receiver.close();
  }
}
