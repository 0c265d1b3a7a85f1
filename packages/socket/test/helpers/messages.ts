/** Hand-built netlink messages for tests (host byte order headers); the kernel's ACK/DONE come from ../../src/testing.js. */
import { writeMessageHeader } from "@tsconntrack/codec";
import { HEADER_SIZE, align4 } from "../../src/wire.js";

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
  writeMessageHeader(out, 0, { len: HEADER_SIZE + payload.length, type: spec.type, flags: spec.flags ?? 0, seq: spec.seq, pid: spec.pid });
  out.set(payload, HEADER_SIZE);
  return out;
}

export function datagram(...messages: Uint8Array[]): Uint8Array {
  return Buffer.concat(messages);
}
