import { writeSync } from "node:fs";
import { endianness } from "node:os";
import {
  AF_NETLINK,
  EAGAIN,
  EINTR,
  EPERM,
  MSG_DONTWAIT,
  MSG_TRUNC,
  MSG_WAITFORONE,
  NETLINK_ADD_MEMBERSHIP,
  NETLINK_CAP_ACK,
  NETLINK_DROP_MEMBERSHIP,
  NETLINK_EXT_ACK,
  NETLINK_GET_STRICT_CHK,
  NETLINK_LISTEN_ALL_NSID,
  NETLINK_NETFILTER,
  NETLINK_NO_ENOBUFS,
  SOCK_CLOEXEC,
  SOCK_RAW,
  SOCKADDR_NL_SIZE,
  SOL_NETLINK,
  SOL_SOCKET,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SO_RCVTIMEO,
  SO_SNDBUF,
  SO_SNDBUFFORCE,
} from "./constants.js";
import { NetlinkProtocolError, NetlinkSocketError } from "./errors.js";
import { createLibcSyscalls } from "./libc.js";
import { withNetns } from "./netns.js";
import type { ReceiveBatch, RecvmsgInfo, Syscalls } from "./syscalls.js";
import type { Datagram, Transport } from "./transport.js";

const LITTLE = endianness() === "LE";
/**
 * receiveBatch: datagrams per recvmmsg and room for each. A dump datagram is at most 32 KiB (the
 * kernel caps its dump allocations there); 16 of them are about 2,500 conntrack entries.
 */
const BATCH_SLOTS = 16;
const BATCH_SLOT_SIZE = 64 << 10;

const truncated = (length: number, room: number) =>
  new NetlinkProtocolError(`recv: a ${length}-byte datagram did not fit the ${room}-byte read buffer and was truncated`, "truncated");

export interface LiveTransportOptions {
  /** Netlink protocol; default NETLINK_NETFILTER (12). */
  protocol?: number;
  /** Create the socket inside this network namespace (an `ip netns` name or a path). */
  netns?: string;
  /** SO_RCVBUF(FORCE) request in bytes; the kernel doubles it. Default 4 MiB (room for thousands of ACKs). */
  receiveBufferSize?: number;
  /** SO_SNDBUF(FORCE) request in bytes; default: leave the kernel default. */
  sendBufferSize?: number;
  /** Size of the user-space buffer one datagram is read into. Default 1 MiB (dump datagrams are ≤ 32 KiB). */
  readBufferSize?: number;
  /** Multicast groups to join right away. */
  groups?: readonly number[];
  /** NETLINK_EXT_ACK: error strings and offsets in error replies. Default true. */
  extendedAck?: boolean;
  /** NETLINK_CAP_ACK: errors do not echo the request payload. Default true. */
  capAck?: boolean;
  /** NETLINK_GET_STRICT_CHK. Default true. */
  strictCheck?: boolean;
  /** NETLINK_NO_ENOBUFS: overruns drop messages silently instead of reporting ENOBUFS. Default false. */
  noEnobufs?: boolean;
  /** NETLINK_LISTEN_ALL_NSID: also receive events from peer namespaces that have an nsid; reads use recvmsg. */
  listenAllNsid?: boolean;
  /** SO_RCVTIMEO for blocking reads, in milliseconds; a timeout throws EAGAIN. Default none. */
  receiveTimeoutMs?: number;
  /** Inject the system-call layer (tests, or another FFI). Default: ffi-rs on glibc. */
  syscalls?: Syscalls;
}

function sockaddrNl(portId: number, groups: number): Buffer {
  const address = Buffer.alloc(SOCKADDR_NL_SIZE);
  const view = new DataView(address.buffer, address.byteOffset, address.byteLength);
  view.setUint16(0, AF_NETLINK, LITTLE);
  view.setUint32(4, portId, LITTLE);
  view.setUint32(8, groups, LITTLE);
  return address;
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  if (LITTLE) buffer.writeInt32LE(value, 0);
  else buffer.writeInt32BE(value, 0);
  return buffer;
}

/** A netlink socket connected to the kernel. */
export class LiveTransport implements Transport {
  readonly protocol: number;
  readonly portId: number;
  receiveBufferSize = 0;
  sendBufferSize = 0;
  /** Which of the requested socket options the kernel refused (older kernels lack some). */
  readonly unsupportedOptions: string[] = [];

  private readonly sys: Syscalls;
  private readonly fd: number;
  /** The read buffer, handed to recv (a Buffer, so its address is cached by the libc layer). */
  private readonly buffer: Buffer;
  /**
   * The same memory as a plain Uint8Array: received datagrams are views of it, so `slice()` on them
   * copies (Buffer#slice would share the memory that the next read overwrites).
   */
  private readonly bytes: Uint8Array;
  private readonly useRecvmsg: boolean;
  private readonly info: RecvmsgInfo = { nsid: undefined, senderPortId: 0, groups: 0 };
  private readonly batches: (ReceiveBatch | undefined)[] = [undefined, undefined];
  private nextBatch = 0;
  private wakeFd = -1;
  private polling = false;
  private closed = false;

  static open(options: LiveTransportOptions = {}): LiveTransport {
    return new LiveTransport(options);
  }

  private constructor(options: LiveTransportOptions) {
    this.sys = options.syscalls ?? createLibcSyscalls();
    this.protocol = options.protocol ?? NETLINK_NETFILTER;
    const create = () => this.sys.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, this.protocol);
    const fd = options.netns === undefined ? create() : withNetns(this.sys, options.netns, create);
    if (fd < 0) throw new NetlinkSocketError("socket", -fd, { detail: `AF_NETLINK protocol ${this.protocol}` });
    this.fd = fd;
    try {
      this.check("bind", this.sys.bind(fd, sockaddrNl(0, 0)));
      // Connected to the kernel (port 0): the kernel refuses unicasts to us from any other port.
      this.check("connect", this.sys.connect(fd, sockaddrNl(0, 0)));
      const self = Buffer.alloc(SOCKADDR_NL_SIZE);
      this.check("getsockname", this.sys.getsockname(fd, self));
      this.portId = LITTLE ? self.readUInt32LE(4) : self.readUInt32BE(4);
      if (options.extendedAck ?? true) this.optionalFlag("NETLINK_EXT_ACK", NETLINK_EXT_ACK, true);
      if (options.capAck ?? true) this.optionalFlag("NETLINK_CAP_ACK", NETLINK_CAP_ACK, true);
      if (options.strictCheck ?? true) this.optionalFlag("NETLINK_GET_STRICT_CHK", NETLINK_GET_STRICT_CHK, true);
      if (options.noEnobufs) this.setFlag("NETLINK_NO_ENOBUFS", NETLINK_NO_ENOBUFS, true);
      if (options.listenAllNsid) this.setFlag("NETLINK_LISTEN_ALL_NSID", NETLINK_LISTEN_ALL_NSID, true);
      this.setReceiveBufferSize(options.receiveBufferSize ?? 4 << 20);
      if (options.sendBufferSize !== undefined) this.setSendBufferSize(options.sendBufferSize);
      else this.sendBufferSize = this.getInt(SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF");
      if (options.receiveTimeoutMs !== undefined) this.setReceiveTimeout(options.receiveTimeoutMs);
      for (const group of options.groups ?? []) this.joinGroup(group);
    } catch (error) {
      this.sys.close(fd);
      throw error;
    }
    this.useRecvmsg = options.listenAllNsid ?? false;
    this.buffer = Buffer.alloc(options.readBufferSize ?? 1 << 20);
    this.bytes = new Uint8Array(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  }

  /** The file descriptor, for `fs.read`/`poll` by callers who know what they are doing. */
  get fileDescriptor(): number {
    return this.fd;
  }

  send(datagram: Uint8Array): void {
    this.assertOpen();
    for (;;) {
      const n = this.sys.send(this.fd, datagram, 0);
      if (n >= 0) return;
      if (n !== -EINTR) throw new NetlinkSocketError("send", -n, { detail: `${datagram.byteLength} bytes` });
    }
  }

  async receiveBatch(): Promise<readonly Uint8Array[] | null> {
    if (this.closed) return null;
    if (this.useRecvmsg || this.sys.recvBatchAsync === undefined || this.sys.createReceiveBatch === undefined) {
      const datagram = await this.receive();
      return datagram === null ? null : [datagram.bytes];
    }
    const batch = (this.batches[this.nextBatch] ??= this.sys.createReceiveBatch(BATCH_SLOTS, BATCH_SLOT_SIZE));
    this.nextBatch ^= 1;
    for (;;) {
      const n = await this.sys.recvBatchAsync(this.fd, batch, MSG_WAITFORONE | MSG_TRUNC);
      if (n === -EINTR) continue;
      if (n < 0) throw new NetlinkSocketError("recv", -n);
      const datagrams: Uint8Array[] = [];
      for (let i = 0; i < n; i++) {
        if (batch.length(i) > batch.slotSize) throw truncated(batch.length(i), batch.slotSize);
        datagrams.push(batch.slot(i));
      }
      return datagrams;
    }
  }

  receiveSync(): Datagram | null {
    if (this.closed) return null;
    for (;;) {
      const n = this.read(MSG_TRUNC);
      if (n >= 0) return this.datagram(n);
      if (n !== -EINTR) throw new NetlinkSocketError("recv", -n);
    }
  }

  async receive(): Promise<Datagram | null> {
    for (;;) {
      if (this.closed) return null;
      const n = this.read(MSG_TRUNC | MSG_DONTWAIT);
      if (n >= 0) {
        const datagram = this.datagram(n);
        // The caller keeps these bytes: copy them out of the reused read buffer.
        datagram.bytes = new Uint8Array(datagram.bytes);
        return datagram;
      }
      if (n === -EINTR) continue;
      if (n !== -EAGAIN) throw new NetlinkSocketError("recv", -n);
      await this.waitReadable();
    }
  }

  setReceiveBufferSize(bytes: number): number {
    this.receiveBufferSize = this.setBuffer(SO_RCVBUFFORCE, SO_RCVBUF, "SO_RCVBUF", bytes);
    return this.receiveBufferSize;
  }

  setSendBufferSize(bytes: number): number {
    this.sendBufferSize = this.setBuffer(SO_SNDBUFFORCE, SO_SNDBUF, "SO_SNDBUF", bytes);
    return this.sendBufferSize;
  }

  setReceiveTimeout(milliseconds: number): void {
    // struct timeval { time_t tv_sec; suseconds_t tv_usec; } on a 64-bit ABI.
    const timeval = Buffer.alloc(16);
    const view = new DataView(timeval.buffer, timeval.byteOffset, 16);
    view.setBigInt64(0, BigInt(Math.floor(milliseconds / 1000)), LITTLE);
    view.setBigInt64(8, BigInt((milliseconds % 1000) * 1000), LITTLE);
    this.check("setsockopt", this.sys.setsockopt(this.fd, SOL_SOCKET, SO_RCVTIMEO, timeval), "SO_RCVTIMEO");
  }

  joinGroup(group: number): void {
    this.check("setsockopt", this.sys.setsockopt(this.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, int32(group)), `NETLINK_ADD_MEMBERSHIP ${group}`);
  }

  leaveGroup(group: number): void {
    this.check("setsockopt", this.sys.setsockopt(this.fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, int32(group)), `NETLINK_DROP_MEMBERSHIP ${group}`);
  }

  /** Attaches a classic BPF socket filter (8-byte `sock_filter` instructions in host order). */
  attachFilter(instructions: Uint8Array): void {
    this.check("setsockopt", this.sys.attachFilter(this.fd, instructions), "SO_ATTACH_FILTER");
  }

  /** Generic setsockopt with an int value. */
  setIntOption(level: number, name: number, value: number): void {
    this.check("setsockopt", this.sys.setsockopt(this.fd, level, name, int32(value)), `level ${level} option ${name}`);
  }

  /** Generic getsockopt of an int value. */
  getIntOption(level: number, name: number): number {
    return this.getInt(level, name, `level ${level} option ${name}`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.polling) {
      // A worker thread is in poll(): wake it; it closes the descriptors when it returns.
      const one = Buffer.alloc(8);
      one[LITTLE ? 0 : 7] = 1;
      writeSync(this.wakeFd, one);
      return;
    }
    this.release();
  }

  private release(): void {
    this.sys.close(this.fd);
    if (this.wakeFd >= 0) this.sys.close(this.wakeFd);
  }

  private async waitReadable(): Promise<void> {
    if (this.wakeFd < 0) {
      this.wakeFd = this.sys.eventfd();
      if (this.wakeFd < 0) throw new NetlinkSocketError("poll", -this.wakeFd, { detail: "eventfd" });
    }
    this.polling = true;
    let rc: number;
    try {
      rc = await this.sys.pollAsync([this.fd, this.wakeFd], -1);
    } finally {
      this.polling = false;
    }
    if (this.closed) {
      this.release();
      return;
    }
    if (rc < 0 && rc !== -EINTR) throw new NetlinkSocketError("poll", -rc);
  }

  private read(flags: number): number {
    return this.useRecvmsg
      ? this.sys.recvmsg(this.fd, this.buffer, flags, this.info)
      : this.sys.recv(this.fd, this.buffer, flags);
  }

  private datagram(length: number): Datagram {
    if (length > this.buffer.byteLength) throw truncated(length, this.buffer.byteLength);
    const datagram: Datagram = { bytes: this.bytes.subarray(0, length) };
    if (this.useRecvmsg && this.info.nsid !== undefined) datagram.nsid = this.info.nsid;
    return datagram;
  }

  private setBuffer(forced: number, plain: number, label: string, requested: number): number {
    // The kernel takes an int and clamps it (negative to its minimum, huge to INT_MAX / 2): so do we.
    const bytes = Number.isNaN(requested) ? 0 : Math.min(Math.max(Math.trunc(requested), 0), 0x7fffffff);
    // The FORCE variant ignores rmem_max/wmem_max but needs CAP_NET_ADMIN; fall back quietly.
    const rc = this.sys.setsockopt(this.fd, SOL_SOCKET, forced, int32(bytes));
    if (rc < 0) {
      if (rc !== -EPERM) throw new NetlinkSocketError("setsockopt", -rc, { detail: `${label}FORCE` });
      this.check("setsockopt", this.sys.setsockopt(this.fd, SOL_SOCKET, plain, int32(bytes)), label);
    }
    return this.getInt(SOL_SOCKET, plain, label);
  }

  private getInt(level: number, name: number, label: string): number {
    const value = Buffer.alloc(4);
    const rc = this.sys.getsockopt(this.fd, level, name, value);
    if (rc < 0) throw new NetlinkSocketError("getsockopt", -rc, { detail: label });
    return LITTLE ? value.readInt32LE(0) : value.readInt32BE(0);
  }

  private setFlag(label: string, name: number, on: boolean): void {
    this.check("setsockopt", this.sys.setsockopt(this.fd, SOL_NETLINK, name, int32(on ? 1 : 0)), label);
  }

  private optionalFlag(label: string, name: number, on: boolean): void {
    if (this.sys.setsockopt(this.fd, SOL_NETLINK, name, int32(on ? 1 : 0)) < 0) this.unsupportedOptions.push(label);
  }

  private check(op: "bind" | "connect" | "getsockname" | "setsockopt", rc: number, detail?: string): void {
    if (rc < 0) throw new NetlinkSocketError(op, -rc, detail === undefined ? {} : { detail });
  }

  private assertOpen(): void {
    if (this.closed) throw new NetlinkProtocolError("the transport is closed", "closed");
  }
}
