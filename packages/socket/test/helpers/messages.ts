/** Hand-built netlink messages for tests (host byte order headers). */
import { HEADER_SIZE, align4, viewOf, writeHeader } from "../../src/wire.js";

export interface MessageSpec {
  type: number;
  flags?: number;
  seq: number;
  pid: number;
  payload?: Uint8Array;
}

export function message(spec: MessageSpec): Uint8Array {
  const payload = spec.payload ?? new Uint8Array(0);
  const out = new Uint8Array(align4(HEADER_SIZE + payload.length));
  writeHeader(viewOf(out), 0, { len: HEADER_SIZE + payload.length, type: spec.type, flags: spec.flags ?? 0, seq: spec.seq, pid: spec.pid });
  out.set(payload, HEADER_SIZE);
  return out;
}

export function datagram(...messages: Uint8Array[]): Uint8Array {
  return Buffer.concat(messages);
}

/** An extack TLV (host order u16 len/type). */
export function tlv(type: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(align4(4 + value.length));
  const view = viewOf(out);
  view.setUint16(0, 4 + value.length, true);
  view.setUint16(2, type, true);
  out.set(value, 4);
  return out;
}

export function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  viewOf(out).setUint32(0, value, true);
  return out;
}

export function cstring(text: string): Uint8Array {
  return Buffer.from(`${text}\0`);
}

/** NLMSG_ERROR answering `seq` (CAP_ACK style: only the request header echoed), with optional extack TLVs. */
export function errorMessage(seq: number, pid: number, error: number, extack: { message?: string; offset?: number } = {}): Uint8Array {
  const tlvs: Uint8Array[] = [];
  if (extack.message !== undefined) tlvs.push(tlv(1, cstring(extack.message)));
  if (extack.offset !== undefined) tlvs.push(tlv(2, u32(extack.offset)));
  const echoed = message({ type: 0x100, flags: 0x5, seq, pid: 0 });
  const errno = new Uint8Array(4);
  viewOf(errno).setInt32(0, error, true);
  const flags = 0x100 | (tlvs.length ? 0x200 : 0);
  return message({ type: 2, flags, seq, pid, payload: Buffer.concat([errno, echoed.subarray(0, 16), ...tlvs]) });
}

export function doneMessage(seq: number, pid: number, error = 0, flags = 0x2): Uint8Array {
  const payload = new Uint8Array(4);
  viewOf(payload).setInt32(0, error, true);
  return message({ type: 3, flags, seq, pid, payload });
}
