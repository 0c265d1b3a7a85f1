/**
 * conntrackd 1.4.7's network messages (include/network.h): an 8-byte `struct nethdr`
 * (version in the high nibble of the first byte, type in the low one, flags, be16 length, be32
 * sequence), 16 bytes (`struct nethdr_ack`, plus be32 from/to) for ACK, NACK and RESYNC, then the
 * attributes of state messages. Several messages may share one datagram.
 */
import { decodeNtaAttrs, encodeNtaAttrs, type NtaAttrs, type NtaDecodeFailure, NTA_EXP_MAX, NTA_HEADER, ntaAlign } from "./nta.js";

/** CONNTRACKD_PROTOCOL_VERSION. */
export const PROTOCOL_VERSION = 1;
export const NETHDR_SIZE = 8;
export const NETHDR_ACK_SIZE = 16;

/** enum nethdr_type. */
export const NET_T = {
  STATE_CT_NEW: 0, STATE_CT_UPD: 1, STATE_CT_DEL: 2, STATE_EXP_NEW: 3, STATE_EXP_UPD: 4, STATE_EXP_DEL: 5,
  /** NET_T_STATE_MAX: types up to here carry state. */
  STATE_MAX: 5,
  CTL: 10,
} as const;

/** NET_F_* flags. */
export const NET_F = {
  UNUSED: 1 << 0, RESYNC: 1 << 1, NACK: 1 << 2, ACK: 1 << 3, ALIVE: 1 << 4, HELLO: 1 << 5, HELLO_BACK: 1 << 6,
} as const;

export interface NetHeader {
  version: number;
  type: number;
  flags: number;
  /** Length of the whole message, header included. */
  len: number;
  seq: number;
}

/** A header with the range of an ACK, NACK or RESYNC. */
export interface AckHeader extends NetHeader {
  from: number;
  to: number;
}

export const isCtl = (h: NetHeader): boolean => h.type === NET_T.CTL;
/** IS_DATA: a state type and no flags but the hello ones. */
export const isData = (h: NetHeader): boolean =>
  h.type <= NET_T.STATE_MAX && (h.flags & ~(NET_F.HELLO | NET_F.HELLO_BACK)) === 0;
export const isAck = (h: NetHeader): boolean => h.type === NET_T.CTL && (h.flags & NET_F.ACK) !== 0;
export const isNack = (h: NetHeader): boolean => h.type === NET_T.CTL && (h.flags & NET_F.NACK) !== 0;
export const isResync = (h: NetHeader): boolean => h.type === NET_T.CTL && (h.flags & NET_F.RESYNC) !== 0;
export const isAlive = (h: NetHeader): boolean => h.type === NET_T.CTL && (h.flags & NET_F.ALIVE) !== 0;
export const isHello = (h: NetHeader): boolean => (h.flags & NET_F.HELLO) !== 0;
export const isHelloBack = (h: NetHeader): boolean => (h.flags & NET_F.HELLO_BACK) !== 0;
/** Whether the header carries from/to (it is a `struct nethdr_ack`). */
export const hasRange = (h: NetHeader): boolean => isAck(h) || isNack(h) || isResync(h);

// Sequence arithmetic with wrap-around (include/network.h, from net/tcp.h).
export const before = (a: number, b: number): boolean => ((a - b) | 0) < 0;
export const after = (a: number, b: number): boolean => before(b, a);
/** b <= a <= c, modulo 2^32. */
export const between = (a: number, b: number, c: number): boolean => ((c - b) >>> 0) >= ((a - b) >>> 0);

// Encoding.

/** A state message: header + attributes. */
export function encodeStateMessage(type: number, seq: number, attrs: NtaAttrs, flags = 0): Uint8Array {
  const body = encodeNtaAttrs(attrs);
  const out = new Uint8Array(NETHDR_SIZE + body.length);
  writeHeader(out, { version: PROTOCOL_VERSION, type, flags, len: out.length, seq });
  out.set(body, NETHDR_SIZE);
  return out;
}

/** A control message: ALIVE (8 bytes) or ACK/NACK/RESYNC (16 bytes with the range). */
export function encodeCtlMessage(flags: number, seq: number, range?: { from: number; to: number }): Uint8Array {
  const header: NetHeader = { version: PROTOCOL_VERSION, type: NET_T.CTL, flags, len: NETHDR_SIZE, seq };
  const withRange = hasRange(header);
  const out = new Uint8Array(withRange ? NETHDR_ACK_SIZE : NETHDR_SIZE);
  header.len = out.length;
  writeHeader(out, header);
  if (withRange) {
    const dv = new DataView(out.buffer);
    dv.setUint32(8, (range?.from ?? 0) >>> 0);
    dv.setUint32(12, (range?.to ?? 0) >>> 0);
  }
  return out;
}

export function writeHeader(out: Uint8Array, h: NetHeader): void {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  dv.setUint8(0, ((h.version & 0x0f) << 4) | (h.type & 0x0f));
  dv.setUint8(1, h.flags & 0xff);
  dv.setUint16(2, h.len);
  dv.setUint32(4, h.seq >>> 0);
}

/** Sets flags and sequence of an encoded message in place (FTFW stamps hello flags at send time). */
export function restamp(msg: Uint8Array, flags: number, seq: number): void {
  const dv = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  dv.setUint8(1, flags & 0xff);
  dv.setUint32(4, seq >>> 0);
}

// Decoding.

export function readHeader(bytes: Uint8Array, at: number): NetHeader {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const b0 = dv.getUint8(at);
  return { version: b0 >> 4, type: b0 & 0x0f, flags: dv.getUint8(at + 1), len: dv.getUint16(at + 2), seq: dv.getUint32(at + 4) };
}

/**
 * The counters of 1.4.7's `-s network` (STATE_SYNC(error)): which one a rejected message bumps.
 * Every one of them also counts as "Malformed messages".
 */
export type MalformedReason = "truncated" | "bad-size" | "bad-version" | "bad-header" | "bad-payload" | "bad-type";

export type DatagramItem =
  | { kind: "message"; header: NetHeader | AckHeader; bytes: Uint8Array; offset: number }
  | { kind: "malformed"; reason: MalformedReason; offset: number };

/**
 * Splits a datagram into messages with 1.4.7's checks (src/sync-mode.c channel_handler_routine):
 * a short header is "truncated", a length of 0, beyond the datagram or below the header's size is
 * "bad size"; any of them ends the datagram. Versions and payloads are checked by the caller
 * (`classify`), which runs per message.
 */
export function splitDatagram(datagram: Uint8Array): DatagramItem[] {
  const items: DatagramItem[] = [];
  let at = 0;
  let remain = datagram.length;
  while (remain > 0) {
    if (remain < NETHDR_SIZE) {
      items.push({ kind: "malformed", reason: "truncated", offset: at });
      break;
    }
    const header = readHeader(datagram, at);
    const len = header.len;
    if (len <= 0 || len > remain) {
      items.push({ kind: "malformed", reason: "bad-size", offset: at });
      break;
    }
    if (hasRange(header)) {
      if (remain < NETHDR_ACK_SIZE) {
        items.push({ kind: "malformed", reason: "truncated", offset: at });
        break;
      }
      if (len < NETHDR_ACK_SIZE) {
        items.push({ kind: "malformed", reason: "bad-size", offset: at });
        break;
      }
      const dv = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
      (header as AckHeader).from = dv.getUint32(at + 8);
      (header as AckHeader).to = dv.getUint32(at + 12);
    } else if (len < NETHDR_SIZE) {
      items.push({ kind: "malformed", reason: "bad-size", offset: at });
      break;
    }
    items.push({ kind: "message", header, bytes: datagram.subarray(at, at + len), offset: at });
    at += len;
    remain -= len;
  }
  return items;
}

export type StateDecodeResult =
  | { ok: true; attrs: NtaAttrs }
  | { ok: false; failure: NtaDecodeFailure };

/** The attributes of a conntrack state message (types 0..2), checked as msg2ct checks them. */
export function decodeStateMessage(message: Uint8Array): StateDecodeResult {
  return decodeNtaAttrs(message, NETHDR_SIZE, message.length);
}

/**
 * Checks an expectation state message (types 3..5) the way msg2exp does, without keeping it:
 * tsconntrackd does not sync expectations, but a peer's are counted like 1.4.7 counts them.
 */
export function checkExpectMessage(message: Uint8Array): boolean {
  const dv = new DataView(message.buffer, message.byteOffset, message.byteLength);
  let at = NETHDR_SIZE;
  let len = message.length - NETHDR_SIZE;
  while (len > NTA_HEADER) {
    const ntaLen = dv.getUint16(at);
    const type = dv.getUint16(at + 2);
    if (ntaLen > len || type >= NTA_EXP_MAX || ntaLen < NTA_HEADER) return false;
    at += ntaAlign(ntaLen);
    len -= ntaAlign(ntaLen);
  }
  return true;
}
