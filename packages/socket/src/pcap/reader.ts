import { readFileSync } from "node:fs";
import type { CaptureRecord } from "../capture.js";
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

const NLM_F_REQUEST = 0x1;

/** A capture file that is not a netlink pcap, or is cut short. */
export class PcapFormatError extends Error {
  override readonly name = "PcapFormatError";
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} (at byte ${offset})`);
    this.offset = offset;
  }
}

export function isPcapFormatError(value: unknown): value is PcapFormatError {
  return value instanceof Error && value.name === "PcapFormatError";
}

export interface PcapCapture {
  linktype: number;
  /** Whether timestamps had nanosecond resolution in the file. */
  nanoseconds: boolean;
  /** Whether the file header was big-endian. */
  bigEndian: boolean;
  records: CaptureRecord[];
}

/**
 * Reads a pcap file of netlink traffic: LINKTYPE_NETLINK (253), or LINUX_SLL (113) carrying
 * ARPHRD_NETLINK packets. Accepts both byte orders and both microsecond and nanosecond magics.
 *
 * Direction: a packet typed PACKET_HOST was received. nlmon marks every packet OUTGOING, so for
 * those the message decides: user space sets NLM_F_REQUEST on what it sends, the kernel never does.
 */
export function decodePcap(file: Uint8Array): PcapCapture {
  if (file.byteLength < PCAP_FILE_HEADER_SIZE) throw new PcapFormatError("too short for a pcap file header", 0);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magicLE = view.getUint32(0, true);
  const magicBE = view.getUint32(0, false);
  let little: boolean;
  let nanoseconds: boolean;
  if (magicLE === PCAP_MAGIC_MICROSECONDS || magicLE === PCAP_MAGIC_NANOSECONDS) {
    little = true;
    nanoseconds = magicLE === PCAP_MAGIC_NANOSECONDS;
  } else if (magicBE === PCAP_MAGIC_MICROSECONDS || magicBE === PCAP_MAGIC_NANOSECONDS) {
    little = false;
    nanoseconds = magicBE === PCAP_MAGIC_NANOSECONDS;
  } else if (magicLE === 0x0a0d0d0a) {
    throw new PcapFormatError("this is a pcapng file; convert it with `editcap -F pcap in.pcapng out.pcap`", 0);
  } else {
    throw new PcapFormatError(`unknown pcap magic 0x${magicBE.toString(16)}`, 0);
  }
  const linktype = view.getUint32(20, little) & 0x0fffffff; // upper bits may carry FCS info
  if (linktype !== LINKTYPE_NETLINK && linktype !== LINKTYPE_LINUX_SLL) {
    throw new PcapFormatError(`link type ${linktype} is not LINKTYPE_NETLINK (253)`, 20);
  }
  const records: CaptureRecord[] = [];
  let at = PCAP_FILE_HEADER_SIZE;
  while (at < file.byteLength) {
    if (at + PCAP_RECORD_HEADER_SIZE > file.byteLength) throw new PcapFormatError("truncated record header", at);
    const seconds = view.getUint32(at, little);
    const fraction = view.getUint32(at + 4, little);
    const captured = view.getUint32(at + 8, little);
    const original = view.getUint32(at + 12, little);
    const start = at + PCAP_RECORD_HEADER_SIZE;
    if (start + captured > file.byteLength) throw new PcapFormatError("truncated packet", start);
    if (captured < COOKED_HEADER_SIZE) throw new PcapFormatError("packet shorter than the cooked header", start);
    if (captured !== original) throw new PcapFormatError(`packet cut by the snap length (${captured} of ${original} bytes)`, start);
    const packetType = view.getUint16(start, false);
    const hatype = view.getUint16(start + 2, false);
    if (hatype !== ARPHRD_NETLINK) throw new PcapFormatError(`ARPHRD type ${hatype} is not ARPHRD_NETLINK (824)`, start + 2);
    const protocol = view.getUint16(start + 14, false);
    const bytes = file.slice(start + COOKED_HEADER_SIZE, start + captured);
    records.push({
      direction: directionOf(packetType, bytes),
      bytes,
      timestamp: { seconds, nanoseconds: nanoseconds ? fraction : fraction * 1000 },
      protocol,
    });
    at = start + captured;
  }
  return { linktype, nanoseconds, bigEndian: !little, records };
}

function directionOf(packetType: number, bytes: Uint8Array): CaptureRecord["direction"] {
  if (packetType === PACKET_HOST || bytes.byteLength < 16) return "received";
  // The netlink header is in the capturing host's byte order: pick the order whose nlmsg_len
  // is closer to the datagram length (Wireshark guesses the same way), then read nlmsg_flags.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = Math.abs(view.getUint32(0, true) - bytes.byteLength) <= Math.abs(view.getUint32(0, false) - bytes.byteLength);
  return (view.getUint16(6, little) & NLM_F_REQUEST) !== 0 ? "sent" : "received";
}

export function readPcapFile(path: string): PcapCapture {
  return decodePcap(readFileSync(path));
}
