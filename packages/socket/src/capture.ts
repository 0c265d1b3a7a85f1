import { NLMSG_HDRLEN } from "@tsconntrack/codec";
import { ENOBUFS } from "./constants.js";

/** One datagram of a capture, in the order it crossed the socket. */
export interface CaptureRecord {
  /** "sent" = user space → kernel; "received" = kernel → user space. */
  direction: "sent" | "received";
  bytes: Uint8Array;
  /** Wall-clock time: whole seconds since the epoch plus nanoseconds. */
  timestamp: { seconds: number; nanoseconds: number };
  /** Netlink protocol (12 = NETLINK_NETFILTER). */
  protocol: number;
}

export function captureTimestamp(): CaptureRecord["timestamp"] {
  const ns = process.hrtime.bigint() - hrtimeOrigin + epochOriginNs;
  return { seconds: Number(ns / 1_000_000_000n), nanoseconds: Number(ns % 1_000_000_000n) };
}
const hrtimeOrigin = process.hrtime.bigint();
const epochOriginNs = BigInt(Date.now()) * 1_000_000n;

const NLMSG_OVERRUN_TYPE = 4;

/**
 * How a receive-side ENOBUFS is kept in a capture: one NLMSG_OVERRUN message whose payload is
 * -ENOBUFS. The kernel never sends NLMSG_OVERRUN, so the marker cannot be confused with traffic,
 * and Wireshark shows it as "Overrun".
 */
export function overrunMarker(): Uint8Array {
  const bytes = new Uint8Array(NLMSG_HDRLEN + 4);
  const view = new DataView(bytes.buffer);
  const little = isLittleEndianHost();
  view.setUint32(0, bytes.length, little);
  view.setUint16(4, NLMSG_OVERRUN_TYPE, little);
  view.setInt32(NLMSG_HDRLEN, -ENOBUFS, little);
  return bytes;
}

export function isOverrunMarker(bytes: Uint8Array): boolean {
  if (bytes.length !== NLMSG_HDRLEN + 4) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = isLittleEndianHost();
  return view.getUint32(0, little) === bytes.length && view.getUint16(4, little) === NLMSG_OVERRUN_TYPE;
}

function isLittleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}
