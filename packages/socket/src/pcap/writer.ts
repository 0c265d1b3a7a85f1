import { closeSync, constants, fchmodSync, fstatSync, ftruncateSync, lstatSync, openSync, writeSync } from "node:fs";
import type { CaptureRecord } from "../capture.js";
import { CaptureFileError } from "../errors.js";
import {
  ARPHRD_NETLINK,
  COOKED_HEADER_SIZE,
  DEFAULT_SNAPLEN,
  LINKTYPE_NETLINK,
  PACKET_HOST,
  PACKET_OUTGOING,
  PCAP_FILE_HEADER_SIZE,
  PCAP_MAGIC_MICROSECONDS,
  PCAP_MAGIC_NANOSECONDS,
  PCAP_RECORD_HEADER_SIZE,
} from "./format.js";

export interface PcapWriteOptions {
  /** Nanosecond timestamps (magic a1b23c4d) instead of the classic microseconds. Default false. */
  nanoseconds?: boolean;
}

/** The 24-byte pcap file header, little-endian, LINKTYPE_NETLINK. */
export function pcapFileHeader(options: PcapWriteOptions = {}): Uint8Array {
  const header = Buffer.alloc(PCAP_FILE_HEADER_SIZE);
  header.writeUInt32LE(options.nanoseconds ? PCAP_MAGIC_NANOSECONDS : PCAP_MAGIC_MICROSECONDS, 0);
  header.writeUInt16LE(2, 4); // version 2.4
  header.writeUInt16LE(4, 6);
  header.writeInt32LE(0, 8); // thiszone
  header.writeUInt32LE(0, 12); // sigfigs
  header.writeUInt32LE(DEFAULT_SNAPLEN, 16);
  header.writeUInt32LE(LINKTYPE_NETLINK, 20);
  return header;
}

/** One packet record: record header, cooked header, datagram. */
export function pcapRecord(record: CaptureRecord, options: PcapWriteOptions = {}): Uint8Array {
  const length = COOKED_HEADER_SIZE + record.bytes.byteLength;
  const out = Buffer.alloc(PCAP_RECORD_HEADER_SIZE + length);
  out.writeUInt32LE(record.timestamp.seconds >>> 0, 0);
  const fraction = options.nanoseconds ? record.timestamp.nanoseconds : Math.floor(record.timestamp.nanoseconds / 1000);
  out.writeUInt32LE(fraction, 4);
  out.writeUInt32LE(length, 8); // captured length
  out.writeUInt32LE(length, 12); // original length
  const cooked = PCAP_RECORD_HEADER_SIZE;
  // Direction in the packet type: OUTGOING for what we sent, HOST for what we received.
  out.writeUInt16BE(record.direction === "sent" ? PACKET_OUTGOING : PACKET_HOST, cooked);
  out.writeUInt16BE(ARPHRD_NETLINK, cooked + 2);
  out.writeUInt16BE(0, cooked + 4); // no link-layer address
  out.writeUInt16BE(record.protocol, cooked + 14);
  out.set(record.bytes, cooked + COOKED_HEADER_SIZE);
  return out;
}

/** A whole pcap file in memory. */
export function encodePcap(records: Iterable<CaptureRecord>, options: PcapWriteOptions = {}): Uint8Array {
  const parts: Uint8Array[] = [pcapFileHeader(options)];
  for (const record of records) parts.push(pcapRecord(record, options));
  return Buffer.concat(parts);
}

export interface PcapFileOptions extends PcapWriteOptions {
  /** Replace an existing regular file (default: refuse, CaptureFileError "exists"). */
  overwrite?: boolean;
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path, { bigint: true }).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Opens `path` for a new capture, safely for a root process in a directory others can write: never
 * through a symbolic link (O_NOFOLLOW), never onto an existing file unless asked (O_EXCL), and
 * readable by the owner only (0600: a capture holds the whole table). Overwriting accepts only a
 * regular file with one link (a hard link to another file is refused), and makes it 0600 too.
 */
function openCaptureFile(path: string, overwrite: boolean): number {
  // O_NONBLOCK: a FIFO planted at the path fails (ENXIO) instead of hanging the open; no effect on files.
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK | (overwrite ? 0 : constants.O_EXCL);
  let fd: number;
  try {
    fd = openSync(path, flags, 0o600);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "EEXIST") throw new CaptureFileError(path, isSymlink(path) ? "symlink" : "exists");
    if (code === "ELOOP") throw new CaptureFileError(path, "symlink");
    throw new CaptureFileError(path, "io", code);
  }
  if (overwrite) {
    const stat = fstatSync(fd, { bigint: true });
    if (!stat.isFile() || stat.nlink !== 1n) {
      closeSync(fd);
      throw new CaptureFileError(path, "not-regular");
    }
    // Checked before anything is cut, so a refused file keeps its contents.
    ftruncateSync(fd, 0);
    fchmodSync(fd, 0o600);
  }
  return fd;
}

/** Appends records to a pcap file as they happen (for `--record`); each write is one syscall. */
export class PcapFileWriter {
  private fd: number | undefined;

  private readonly options: PcapWriteOptions;

  constructor(path: string, options: PcapFileOptions = {}) {
    this.options = options;
    this.fd = openCaptureFile(path, options.overwrite ?? false);
    writeSync(this.fd, pcapFileHeader(options));
  }

  write(record: CaptureRecord): void {
    if (this.fd === undefined) throw new Error("PcapFileWriter is closed");
    writeSync(this.fd, pcapRecord(record, this.options));
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}
