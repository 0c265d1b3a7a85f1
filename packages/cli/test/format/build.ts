/** Terse builders for hand-made decoded values, shaped like the codec's output. */
import type { ConntrackValue, TupleProtoValue, TupleValue } from "./render.js";

export const S = {
  SEEN_REPLY: 1 << 1,
  ASSURED: 1 << 2,
  CONFIRMED: 1 << 3,
  SRC_NAT: 1 << 4,
  DST_NAT: 1 << 5,
  SRC_NAT_DONE: 1 << 7,
  DST_NAT_DONE: 1 << 8,
  OFFLOAD: 1 << 14,
  HW_OFFLOAD: 1 << 15,
} as const;

type L4 =
  | { sport?: number; dport?: number }
  | { type: number; code: number; id: number; v6?: boolean }
  | undefined;

function proto(num: number, l4: L4): TupleProtoValue {
  if (l4 === undefined) return { protoNum: num };
  if ("type" in l4) {
    return l4.v6
      ? { protoNum: num, protoIcmpv6Id: l4.id, protoIcmpv6Type: l4.type, protoIcmpv6Code: l4.code }
      : { protoNum: num, protoIcmpId: l4.id, protoIcmpType: l4.type, protoIcmpCode: l4.code };
  }
  const p: { protoNum: number; protoSrcPort?: number; protoDstPort?: number } = { protoNum: num };
  if (l4.sport !== undefined) p.protoSrcPort = l4.sport;
  if (l4.dport !== undefined) p.protoDstPort = l4.dport;
  return p;
}

export function t4(src: string, dst: string, num: number, l4?: L4, zone?: number): TupleValue {
  const t: { tupleIp: object; tupleProto: TupleProtoValue; tupleZone?: number } = {
    tupleIp: { ipV4Src: src, ipV4Dst: dst },
    tupleProto: proto(num, l4),
  };
  if (zone !== undefined) t.tupleZone = zone;
  return t as TupleValue;
}

export function t6(src: string, dst: string, num: number, l4?: L4, zone?: number): TupleValue {
  const t: { tupleIp: object; tupleProto: TupleProtoValue; tupleZone?: number } = {
    tupleIp: { ipV6Src: src, ipV6Dst: dst },
    tupleProto: proto(num, l4),
  };
  if (zone !== undefined) t.tupleZone = zone;
  return t as TupleValue;
}

export function tcp(state: number): ConntrackValue["protoinfo"] {
  return { protoinfoTcp: { tcpState: state } };
}

export function counters(packets: number | bigint, bytes: number | bigint) {
  return { packets: BigInt(packets), bytes: BigInt(bytes) };
}

export const TCP = { SYN_SENT: 1, SYN_RECV: 2, ESTABLISHED: 3, FIN_WAIT: 4, CLOSE_WAIT: 5, LAST_ACK: 6, TIME_WAIT: 7, CLOSE: 8, SYN_SENT2: 9 };

/** Nanoseconds of a UTC wall time plus an offset, as the kernel's CTA_TIMESTAMP. */
export function ns(epochSeconds: number, extraNs = 0): bigint {
  return BigInt(epochSeconds) * 1_000_000_000n + BigInt(extraNs);
}

/** Label bitmap (16 bytes like the kernel's) with the given bits set. */
export function labels(...bits: number[]): Uint8Array {
  const b = new Uint8Array(16);
  for (const bit of bits) b[bit >> 3] |= 1 << (bit & 7);
  return b;
}

export const V4 = { family: 2 } as const;
export const V6 = { family: 10 } as const;
