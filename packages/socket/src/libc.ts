/**
 * The one file that talks to ffi-rs: glibc's socket calls behind the `Syscalls` interface.
 *
 * Rules learned by measurement (../shared/docs/peers.md §C):
 * - `load()` with a reused params object is about 2.5x cheaper than `define()`;
 * - `errno: true` reports `last_os_error()`, which is stale after a successful call, so the errno
 *   is read only when the return value is -1;
 * - a `U8Array` parameter passes the Buffer's own memory (no copy), so the kernel writes in place.
 *
 * ffi-rs is loaded lazily, so importing this package (for replay, pcap or types) costs nothing.
 */
import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { endianness } from "node:os";
import type * as FfiRs from "ffi-rs";
import type { ReceiveBatch, RecvmsgInfo, Syscalls } from "./syscalls.js";
import { NETLINK_LISTEN_ALL_NSID, POLLERR, POLLIN, SOL_NETLINK, SO_ATTACH_FILTER, SOL_SOCKET } from "./constants.js";

type Ffi = typeof FfiRs;
type ErrnoResult = { value: number; errnoCode: number };

const LIBRARY = "tsconntrack-libc";
const LITTLE = endianness() === "LE";
/** msghdr/iovec/cmsghdr/sock_fprog offsets below assume 8-byte pointers and size_t. */
const POINTER_SIZE = 8;

/** What Call needs from ffi-rs: its types, `open`, and a `load` that takes array lengths in paramsType. */
interface FfiCore {
  DataType: Ffi["DataType"];
  open: Ffi["open"];
  /** The native load: U8Array parameters must be described as { ffiTypeTag: Array, type, length }. */
  load: (params: unknown) => unknown;
  /** Tag of array parameter descriptors. */
  arrayTag: number;
}

let ffi: FfiCore | undefined;

/**
 * The glibc build of ffi-rs's native binding, loaded directly: ffi-rs's index.js first runs
 * process.report.getReport() to tell glibc from musl (about 20 ms) and wraps every call in a
 * copy of paramsType. We use libc.so.6, so glibc is a given. Anything unexpected falls back to
 * the package's own entry.
 */
function loadNative(require: NodeJS.Require): FfiCore | undefined {
  if (process.platform !== "linux" || (process.arch !== "x64" && process.arch !== "arm64")) return undefined;
  try {
    // The binding is ffi-rs's sibling in pnpm's store, found from ffi-rs's real folder. libc's
    // realpath, not Node's: Node's walk trusts a stat buffer that a plain fstat of a pipe elsewhere
    // in the process can leave behind, and then returns the symlinked path.
    const fromFfiRs = createRequire(realpathSync.native(require.resolve("ffi-rs")));
    return coreOf(fromFfiRs(`@yuuang/ffi-rs-linux-${process.arch}-gnu`));
  } catch {
    return undefined;
  }
}

/** What we need from a loaded native binding, or undefined when it is not one. */
function coreOf(binding: unknown): FfiCore | undefined {
  const native = binding as Ffi & { FFITypeTag?: { Array: number } };
  if (typeof native?.load !== "function" || typeof native.FFITypeTag?.Array !== "number") return undefined;
  return { DataType: native.DataType, open: native.open, load: native.load as (params: unknown) => unknown, arrayTag: native.FFITypeTag.Array };
}

/**
 * A binding handed over by a host that carries it itself: the single-file build sets
 * `globalThis.tsconntrackFfiBinding` (a getter that extracts it on first use) before anything runs.
 */
function injectedBinding(): FfiCore | undefined {
  const injected = (globalThis as { tsconntrackFfiBinding?: unknown }).tsconntrackFfiBinding;
  if (injected === undefined) return undefined;
  const core = coreOf(injected);
  if (core === undefined) throw new Error("globalThis.tsconntrackFfiBinding is not ffi-rs's native binding");
  return core;
}

function loadFfi(): FfiCore {
  if (ffi === undefined) {
    const require = createRequire(import.meta.url);
    let core = injectedBinding() ?? loadNative(require);
    if (core === undefined) {
      const wrapped = require("ffi-rs") as Ffi;
      // The package's load describes array parameters itself; Call then passes plain types.
      core = { DataType: wrapped.DataType, open: wrapped.open, load: wrapped.load as (params: unknown) => unknown, arrayTag: -1 };
    }
    core.open({ library: LIBRARY, path: "libc.so.6" });
    ffi = core;
  }
  return ffi;
}

/** A prepared call: one params object reused for every invocation. */
class Call {
  private readonly params: { library: string; funcName: string; retType: FfiRs.DataType; paramsType: unknown[]; paramsValue: unknown[]; errno: boolean; runInNewThread: boolean; freeResultMemory: boolean };
  private readonly paramsType: FfiRs.DataType[];
  private readonly ffiRs: FfiCore;
  /** Indexes of U8Array parameters, whose descriptors carry the length of each call's buffer. */
  private readonly arrays: number[];
  /** paramsType for the native load: array descriptors are reused, their length set per call. */
  private readonly described: unknown[];

  constructor(ffiRs: FfiCore, funcName: string, retType: FfiRs.DataType, paramsType: FfiRs.DataType[], runInNewThread = false) {
    this.ffiRs = ffiRs;
    this.paramsType = paramsType;
    this.arrays = ffiRs.arrayTag < 0 ? [] : paramsType.flatMap((type, i) => (type === ffiRs.DataType.U8Array ? [i] : []));
    this.described = paramsType.map((type, i) => (this.arrays.includes(i) ? { ffiTypeTag: ffiRs.arrayTag, type, length: 0 } : type));
    this.params = { library: LIBRARY, funcName, retType, paramsType: [], paramsValue: [], errno: true, runInNewThread, freeResultMemory: false };
  }

  /** paramsType for these arguments. */
  private typesFor(args: unknown[]): unknown[] {
    // The package's wrapper rewrites paramsType in place for array types: hand it the plain template each time.
    if (this.ffiRs.arrayTag < 0) return this.paramsType;
    for (const i of this.arrays) (this.described[i] as { length: number }).length = (args[i] as Uint8Array).length;
    return this.described;
  }

  /** Returns the value, or -errno when the call returned -1. */
  invoke(...args: unknown[]): number {
    this.params.paramsType = this.typesFor(args);
    this.params.paramsValue = args;
    const result = this.ffiRs.load(this.params) as ErrnoResult;
    return result.value === -1 ? -result.errnoCode : Number(result.value);
  }

  async invokeAsync(...args: unknown[]): Promise<number> {
    const types = this.typesFor(args).map((type) => (typeof type === "object" ? { ...(type as object) } : type));
    const params = { ...this.params, paramsType: types, paramsValue: args, runInNewThread: true };
    const result = (await this.ffiRs.load(params)) as ErrnoResult;
    return result.value === -1 ? -result.errnoCode : Number(result.value);
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function writeHostU32(buffer: Buffer, value: number): void {
  if (LITTLE) buffer.writeUInt32LE(value, 0);
  else buffer.writeUInt32BE(value, 0);
}

function readHostU32(buffer: Buffer, offset: number): number {
  return LITTLE ? buffer.readUInt32LE(offset) : buffer.readUInt32BE(offset);
}

function writePointer(view: DataView, offset: number, value: number): void {
  view.setBigUint64(offset, BigInt(value), LITTLE);
}

/** struct mmsghdr { struct msghdr msg_hdr; unsigned int msg_len; } is 64 bytes on 64-bit ABIs. */
const MMSGHDR_SIZE = 64;
const MSGHDR_SIZE = 56;
const IOVEC_SIZE = 16;

/** recvmmsg's headers, each pointing at its own slot of one buffer; set up once, reused for every call. */
class MmsgBatch implements ReceiveBatch {
  readonly slots: number;
  readonly slotSize: number;
  readonly headersAddress: number;
  // Referenced here so their memory stays alive (and in place) while the kernel writes into it.
  private readonly data: Buffer;
  private readonly headers: Buffer;
  private readonly iovecs: Buffer;
  private readonly headerView: DataView;

  constructor(slots: number, slotSize: number, addressOf: (buffer: Buffer) => number) {
    this.slots = slots;
    this.slotSize = slotSize;
    this.data = Buffer.allocUnsafeSlow(slots * slotSize);
    this.headers = Buffer.alloc(slots * MMSGHDR_SIZE);
    this.iovecs = Buffer.alloc(slots * IOVEC_SIZE);
    this.headerView = new DataView(this.headers.buffer, this.headers.byteOffset, this.headers.byteLength);
    const iovView = new DataView(this.iovecs.buffer, this.iovecs.byteOffset, this.iovecs.byteLength);
    const dataAddress = addressOf(this.data);
    const iovecsAddress = addressOf(this.iovecs);
    for (let i = 0; i < slots; i++) {
      writePointer(iovView, i * IOVEC_SIZE, dataAddress + i * slotSize);
      writePointer(iovView, i * IOVEC_SIZE + POINTER_SIZE, slotSize);
      // msg_name and msg_control stay NULL: a dump's source is the kernel, and no control data is asked for.
      writePointer(this.headerView, i * MMSGHDR_SIZE + 16, iovecsAddress + i * IOVEC_SIZE);
      writePointer(this.headerView, i * MMSGHDR_SIZE + 24, 1);
    }
    this.headersAddress = addressOf(this.headers);
  }

  slot(i: number): Uint8Array {
    const length = Math.min(this.length(i), this.slotSize);
    return new Uint8Array(this.data.buffer, this.data.byteOffset + i * this.slotSize, length);
  }

  length(i: number): number {
    return this.headerView.getUint32(i * MMSGHDR_SIZE + MSGHDR_SIZE, LITTLE);
  }
}

/** Creates the ffi-rs implementation of `Syscalls`. Throws if ffi-rs or libc.so.6 cannot be loaded. */
export function createLibcSyscalls(): Syscalls {
  const f = loadFfi();
  const T = f.DataType;
  const socket = new Call(f, "socket", T.I32, [T.I32, T.I32, T.I32]);
  const bind = new Call(f, "bind", T.I32, [T.I32, T.U8Array, T.I32]);
  const connect = new Call(f, "connect", T.I32, [T.I32, T.U8Array, T.I32]);
  const getsockname = new Call(f, "getsockname", T.I32, [T.I32, T.U8Array, T.U8Array]);
  const setsockopt = new Call(f, "setsockopt", T.I32, [T.I32, T.I32, T.I32, T.U8Array, T.I32]);
  const getsockopt = new Call(f, "getsockopt", T.I32, [T.I32, T.I32, T.I32, T.U8Array, T.U8Array]);
  const send = new Call(f, "send", T.I64, [T.I32, T.U8Array, T.U64, T.I32]);
  const recv = new Call(f, "recv", T.I64, [T.I32, T.U8Array, T.U64, T.I32]);
  const recvmsg = new Call(f, "recvmsg", T.I64, [T.I32, T.U8Array, T.I32]);
  const poll = new Call(f, "poll", T.I32, [T.U8Array, T.U64, T.I32]);
  const eventfd = new Call(f, "eventfd", T.I32, [T.I32, T.I32]);
  const setns = new Call(f, "setns", T.I32, [T.I32, T.I32]);
  const close = new Call(f, "close", T.I32, [T.I32]);
  // Pointers as integers: the helper thread writes into memory that the JavaScript side keeps alive.
  const recvmmsg = new Call(f, "recvmmsg", T.I32, [T.I32, T.U64, T.I32, T.I32, T.U64]);
  // memchr(buf, buf[0], 1) returns buf itself: the cheapest way to learn a Buffer's address.
  const memchr = new Call(f, "memchr", T.U64, [T.U8Array, T.I32, T.U64]);

  const socklen = Buffer.alloc(4);
  const addresses = new WeakMap<Buffer, number>();
  const addressOf = (buffer: Buffer): number => {
    let address = addresses.get(buffer);
    if (address === undefined) {
      // Backing stores of Buffers never move, so the address stays valid while `buffer` lives.
      address = memchr.invoke(buffer, buffer[0], 1);
      addresses.set(buffer, address);
    }
    return address;
  };

  // recvmsg scratch: msghdr (56 bytes), one iovec, sockaddr_nl, a control buffer for one int cmsg.
  const msghdr = Buffer.alloc(56);
  const iovec = Buffer.alloc(16);
  const source = Buffer.alloc(12);
  const control = Buffer.alloc(64);
  const msgView = new DataView(msghdr.buffer, msghdr.byteOffset, msghdr.byteLength);
  const iovView = new DataView(iovec.buffer, iovec.byteOffset, iovec.byteLength);
  const controlView = new DataView(control.buffer, control.byteOffset, control.byteLength);

  return {
    recvBatchAsync: (fd, batch, flags) => recvmmsg.invokeAsync(fd, (batch as MmsgBatch).headersAddress, batch.slots, flags, 0),
    createReceiveBatch: (slots, slotSize) => new MmsgBatch(slots, slotSize, addressOf),
    socket: (domain, type, protocol) => socket.invoke(domain, type, protocol),
    bind: (fd, sockaddr) => bind.invoke(fd, asBuffer(sockaddr), sockaddr.byteLength),
    connect: (fd, sockaddr) => connect.invoke(fd, asBuffer(sockaddr), sockaddr.byteLength),
    getsockname(fd, sockaddr) {
      writeHostU32(socklen, sockaddr.byteLength);
      return getsockname.invoke(fd, asBuffer(sockaddr), socklen);
    },
    setsockopt: (fd, level, name, value) => setsockopt.invoke(fd, level, name, asBuffer(value), value.byteLength),
    getsockopt(fd, level, name, value) {
      writeHostU32(socklen, value.byteLength);
      const rc = getsockopt.invoke(fd, level, name, asBuffer(value), socklen);
      if (rc < 0) return rc;
      return readHostU32(socklen, 0);
    },
    send: (fd, data, flags) => send.invoke(fd, asBuffer(data), data.byteLength, flags),
    recv: (fd, buffer, flags) => recv.invoke(fd, asBuffer(buffer), buffer.byteLength, flags),
    recvmsg(fd, buffer, flags, out: RecvmsgInfo) {
      const target = asBuffer(buffer);
      writePointer(iovView, 0, addressOf(target));
      writePointer(iovView, POINTER_SIZE, target.byteLength);
      writePointer(msgView, 0, addressOf(source));
      msgView.setUint32(8, source.byteLength, LITTLE);
      writePointer(msgView, 16, addressOf(iovec));
      writePointer(msgView, 24, 1);
      writePointer(msgView, 32, addressOf(control));
      writePointer(msgView, 40, control.byteLength);
      msgView.setInt32(48, 0, LITTLE);
      const n = recvmsg.invoke(fd, msghdr, flags);
      out.nsid = undefined;
      if (n < 0) return n;
      out.senderPortId = readHostU32(source, 4);
      out.groups = readHostU32(source, 8);
      const controlLength = Number(msgView.getBigUint64(40, LITTLE));
      // cmsghdr: size_t cmsg_len, int cmsg_level, int cmsg_type, then data aligned to 8.
      for (let at = 0; at + 16 <= controlLength; ) {
        const length = Number(controlView.getBigUint64(at, LITTLE));
        if (length < 16) break;
        const level = controlView.getInt32(at + 8, LITTLE);
        const type = controlView.getInt32(at + 12, LITTLE);
        if (level === SOL_NETLINK && type === NETLINK_LISTEN_ALL_NSID && length >= 20) {
          out.nsid = controlView.getInt32(at + 16, LITTLE);
        }
        at += (length + 7) & ~7;
      }
      return n;
    },
    async pollAsync(fds, timeoutMs) {
      const pollfds = Buffer.alloc(8 * fds.length);
      const view = new DataView(pollfds.buffer, pollfds.byteOffset, pollfds.byteLength);
      fds.forEach((fd, i) => {
        view.setInt32(i * 8, fd, LITTLE);
        view.setInt16(i * 8 + 4, POLLIN | POLLERR, LITTLE);
      });
      return poll.invokeAsync(pollfds, fds.length, timeoutMs);
    },
    eventfd: () => eventfd.invoke(0, 0o2000000 /* EFD_CLOEXEC */),
    attachFilter(fd, instructions) {
      const program = Buffer.from(instructions);
      // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
      const fprog = Buffer.alloc(16);
      const view = new DataView(fprog.buffer, fprog.byteOffset, fprog.byteLength);
      view.setUint16(0, program.byteLength / 8, LITTLE);
      writePointer(view, 8, addressOf(program));
      return setsockopt.invoke(fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, fprog.byteLength);
    },
    setns: (fd, nstype) => setns.invoke(fd, nstype),
    close: (fd) => close.invoke(fd),
  };
}

/**
 * Ends the process by `signal` with its default action (Node ignores SIGPIPE, so a reader that goes
 * away cannot kill us as it kills conntrack): signal(signal, SIG_DFL), then raise(signal). Returns
 * only when that could not be done (no ffi-rs or libc): the caller then exits with 128 + signal.
 */
export function dieOfSignal(signal: number): void {
  try {
    const f = loadFfi();
    const T = f.DataType;
    new Call(f, "signal", T.I64, [T.I32, T.I64]).invoke(signal, 0);
    new Call(f, "raise", T.I32, [T.I32]).invoke(signal);
  } catch {
    // Fall through: the caller exits with the shell's status for the signal.
  }
}
