/**
 * What every dedicated link (UDP, multicast, TCP) shares: the interface facts read from sysfs, and
 * 1.4.7's packing of messages into one buffer of the interface MTU minus the headers (channel_send,
 * channel_send_flush), with the link counters `-s link` prints.
 */
import { readFileSync } from "node:fs";
import type { ChannelConfig } from "../config/types.js";
import type { LinkStats } from "../control/text.js";

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

/** A link that packs messages up to the interface MTU minus `headerSize` and hands each full buffer to transmit(). */
export abstract class PackingLink implements Link {
  readonly config: ChannelConfig;
  readonly ifname: string;
  readonly sendStats = { bytes: 0, messages: 0, errors: 0 };
  readonly recvStats = { bytes: 0, messages: 0, errors: 0 };
  private readonly bufferSize: number;
  private readonly buffer: Uint8Array;
  private used = 0;
  protected closed = false;
  protected readonly trafficName: string;

  /** `trafficName` starts the `-s` titles: "UDP", "multicast", "TCP". */
  protected constructor(config: ChannelConfig, headerSize: number, trafficName: string) {
    this.config = config;
    this.trafficName = trafficName;
    this.ifname = config.interface;
    const mtu = Number(sysNet(config.interface, "mtu"));
    if (!config.interface || !Number.isFinite(mtu) || mtu <= headerSize) throw new ChannelOpenError("No such device");
    this.bufferSize = mtu - headerSize;
    this.buffer = new Uint8Array(this.bufferSize);
  }

  /** Sends one packed buffer (or one message too large to pack); it is the caller's to keep. */
  protected abstract transmit(data: Uint8Array): void;

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

  linkStats(): LinkStats {
    return {
      sentBytes: this.sendStats.bytes, recvBytes: this.recvStats.bytes,
      sentPackets: this.sendStats.messages, recvPackets: this.recvStats.messages,
      sentErrors: this.sendStats.errors, recvErrors: this.recvStats.errors,
    };
  }

  abstract statsTitle(): string;

  statsTitleExtended(active: boolean): string {
    return `${this.trafficName} traffic device=${this.ifname} status=${linkStatus(this.ifname)} role=${active ? "ACTIVE" : "BACKUP"}`;
  }

  abstract close(): void;
}
