import { closeSync, openSync, readSync } from "node:fs";
import type { CaptureRecord } from "../capture.js";
import { CaptureFileError } from "../errors.js";
import {
  ARPHRD_NETLINK,
  COOKED_HEADER_SIZE,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_NETLINK,
  PACKET_HOST,
  PCAP_FILE_HEADER_SIZE,
  PCAP_MAGIC_MICROSECONDS,
  PCAP_MAGIC_NANOSECONDS,
  PCAP_RECORD_HEADER_SIZE,
} from "./format.js";
import { errorGuard, ErrorWithFields } from "@tsconntrack/codec";

const NLM_F_REQUEST = 0x1;

/** A capture file that is not a netlink pcap, or is cut short. */
export class PcapFormatError extends ErrorWithFields<PcapFormatError> {
  override readonly name = "PcapFormatError";
  declare readonly offset: number;
  /** The file, when the capture was read from one. */
  declare readonly path?: string;
  /** What is wrong, without the location. */
  declare readonly detail: string;
  constructor(message: string, offset: number, path?: string) {
    super(
      `${path !== undefined ? `${path}: ` : ""}${message} (at byte ${offset})`,
      { offset, detail: message, path },
    );
  }
}

export const isPcapFormatError = errorGuard<PcapFormatError>("PcapFormatError");

export interface PcapCapture {
  linktype: number;
  /** Whether timestamps had nanosecond resolution in the file. */
  nanoseconds: boolean;
  /** Whether the file header was big-endian. */
  bigEndian: boolean;
  records: CaptureRecord[];
}

/** Where a PcapReader gets bytes: `read(position, length)` returns what is there, shorter at the end. */
type ByteSource = (position: number, length: number) => Uint8Array;

/**
 * Reads a pcap file of netlink traffic record by record: LINKTYPE_NETLINK (253), or LINUX_SLL (113)
 * carrying ARPHRD_NETLINK packets. Accepts both byte orders and both microsecond and nanosecond
 * magics. A fault is reported at its byte offset as soon as it is reached, without reading on.
 *
 * Direction: a packet typed PACKET_HOST was received. nlmon marks every packet OUTGOING, so for
 * those the message decides: user space sets NLM_F_REQUEST on what it sends, the kernel never does.
 */
export class PcapReader implements Iterable<CaptureRecord> {
  readonly linktype: number;
  readonly nanoseconds: boolean;
  readonly bigEndian: boolean;
  private readonly source: ByteSource;
  private readonly path: string | undefined;
  private position = PCAP_FILE_HEADER_SIZE;

  constructor(source: ByteSource, path?: string) {
    this.source = source;
    this.path = path;
    const header = source(0, PCAP_FILE_HEADER_SIZE);
    if (header.byteLength < PCAP_FILE_HEADER_SIZE) throw this.fault("too short for a pcap file header", 0);
    const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
    const magicLE = view.getUint32(0, true);
    const magicBE = view.getUint32(0, false);
    let little: boolean;
    if (magicLE === PCAP_MAGIC_MICROSECONDS || magicLE === PCAP_MAGIC_NANOSECONDS) {
      little = true;
      this.nanoseconds = magicLE === PCAP_MAGIC_NANOSECONDS;
    } else if (magicBE === PCAP_MAGIC_MICROSECONDS || magicBE === PCAP_MAGIC_NANOSECONDS) {
      little = false;
      this.nanoseconds = magicBE === PCAP_MAGIC_NANOSECONDS;
    } else if (magicLE === 0x0a0d0d0a) {
      throw this.fault("this is a pcapng file; convert it with `editcap -F pcap in.pcapng out.pcap`", 0);
    } else {
      throw this.fault(`unknown pcap magic 0x${magicBE.toString(16)}`, 0);
    }
    this.bigEndian = !little;
    this.linktype = view.getUint32(20, little) & 0x0fffffff; // upper bits may carry FCS info
    if (this.linktype !== LINKTYPE_NETLINK && this.linktype !== LINKTYPE_LINUX_SLL) {
      throw this.fault(`link type ${this.linktype} is not LINKTYPE_NETLINK (253)`, 20);
    }
  }

  /** The next record, or undefined at the end of the file. */
  next(): CaptureRecord | undefined {
    const at = this.position;
    const head = this.source(at, PCAP_RECORD_HEADER_SIZE);
    if (head.byteLength === 0) return undefined;
    if (head.byteLength < PCAP_RECORD_HEADER_SIZE) throw this.fault("truncated record header", at);
    const little = !this.bigEndian;
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const seconds = view.getUint32(0, little);
    const fraction = view.getUint32(4, little);
    const captured = view.getUint32(8, little);
    const original = view.getUint32(12, little);
    const start = at + PCAP_RECORD_HEADER_SIZE;
    if (captured < COOKED_HEADER_SIZE) throw this.fault("packet shorter than the cooked header", start);
    if (captured !== original) throw this.fault(`packet cut by the snap length (${captured} of ${original} bytes)`, start);
    if (captured > MAX_PACKET) throw this.fault(`packet of ${captured} bytes: larger than any netlink datagram`, start);
    const packet = this.source(start, captured);
    if (packet.byteLength < captured) throw this.fault("truncated packet", start);
    const packetView = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
    const packetType = packetView.getUint16(0, false);
    const hatype = packetView.getUint16(2, false);
    if (hatype !== ARPHRD_NETLINK) throw this.fault(`ARPHRD type ${hatype} is not ARPHRD_NETLINK (824)`, start + 2);
    const protocol = packetView.getUint16(14, false);
    const bytes = packet.slice(COOKED_HEADER_SIZE);
    this.position = start + captured;
    return {
      direction: directionOf(packetType, bytes),
      bytes,
      timestamp: { seconds, nanoseconds: this.nanoseconds ? fraction : fraction * 1000 },
      protocol,
    };
  }

  private fault(message: string, offset: number): PcapFormatError {
    return new PcapFormatError(message, offset, this.path);
  }

  *[Symbol.iterator](): Iterator<CaptureRecord> {
    for (let record = this.next(); record !== undefined; record = this.next()) yield record;
  }
}

/** No netlink datagram is larger (the kernel's dump buffers are 32 KiB; 16 MiB leaves room for anything). */
const MAX_PACKET = 16 << 20;

/** A whole pcap file in memory, decoded. */
export function decodePcap(file: Uint8Array): PcapCapture {
  const reader = new PcapReader((position, length) => file.subarray(position, position + length));
  return { linktype: reader.linktype, nanoseconds: reader.nanoseconds, bigEndian: reader.bigEndian, records: [...reader] };
}

/**
 * A pcap file read as it is used: one chunk in memory at a time, so a huge capture costs neither the
 * time to read it all nor the memory, and a fault near its start is reported at once. `close()` when done.
 */
export function openPcapFile(path: string): PcapReader & { close(): void } {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw new CaptureFileError(path, "io", (error as NodeJS.ErrnoException).code ?? "EIO");
  }
  const chunk = { start: 0, bytes: new Uint8Array(0) };
  const read = (position: number, length: number): Uint8Array => {
    if (position < chunk.start || position + length > chunk.start + chunk.bytes.byteLength) {
      const size = Math.max(length, READ_CHUNK);
      const buffer = Buffer.allocUnsafe(size);
      let got = 0;
      while (got < size) {
        const n = readSync(fd, buffer, got, size - got, position + got);
        if (n === 0) break;
        got += n;
      }
      chunk.start = position;
      chunk.bytes = buffer.subarray(0, got);
    }
    const from = position - chunk.start;
    return chunk.bytes.subarray(from, Math.min(from + length, chunk.bytes.byteLength));
  };
  const named = (fault: (position: number, length: number) => Uint8Array) => (position: number, length: number) => {
    try {
      return fault(position, length);
    } catch (error) {
      throw new CaptureFileError(path, "io", (error as NodeJS.ErrnoException).code ?? "EIO");
    }
  };
  try {
    const reader = new PcapReader(named(read), path);
    return Object.assign(reader, { close: () => closeSync(fd) });
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

const READ_CHUNK = 1 << 20;

function directionOf(packetType: number, bytes: Uint8Array): CaptureRecord["direction"] {
  if (packetType === PACKET_HOST || bytes.byteLength < 16) return "received";
  // The netlink header is in the capturing host's byte order: pick the order whose nlmsg_len
  // is closer to the datagram length (Wireshark guesses the same way), then read nlmsg_flags.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = Math.abs(view.getUint32(0, true) - bytes.byteLength) <= Math.abs(view.getUint32(0, false) - bytes.byteLength);
  return (view.getUint16(6, little) & NLM_F_REQUEST) !== 0 ? "sent" : "received";
}

/** Every record of a pcap file (read in chunks; for captures that fit in memory). */
export function readPcapFile(path: string): PcapCapture {
  const reader = openPcapFile(path);
  try {
    return { linktype: reader.linktype, nanoseconds: reader.nanoseconds, bigEndian: reader.bigEndian, records: [...reader] };
  } finally {
    reader.close();
  }
}
