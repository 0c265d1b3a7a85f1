/**
 * Conntrack request bodies built by hand (nfgenmsg + attributes), so the socket tests do not
 * depend on the codec's conntrack layer. Numbers: ../shared/docs/kernel-spec.md §1a.
 */
import type { NetlinkRequest } from "../../src/request.js";

const NLA_F_NESTED = 0x8000;

export function nla(type: number, value: Uint8Array): Buffer {
  const out = Buffer.alloc((4 + value.length + 3) & ~3);
  out.writeUInt16LE(4 + value.length, 0);
  out.writeUInt16LE(type, 2);
  out.set(value, 4);
  return out;
}

const nest = (type: number, ...children: Uint8Array[]) => nla(type | NLA_F_NESTED, Buffer.concat(children));
const be32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const be16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const ipv4 = (text: string) => Buffer.from(text.split(".").map(Number));

export interface Flow {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** IP protocol; default 17 (UDP). */
  proto?: number;
}

/** CTA_TUPLE_* nest body for a flow. */
export function tuple(type: 1 | 2, flow: Flow): Buffer {
  return nest(
    type,
    nest(1, nla(1, ipv4(flow.src)), nla(2, ipv4(flow.dst))),
    nest(2, nla(1, Buffer.from([flow.proto ?? 17])), nla(2, be16(flow.sport)), nla(3, be16(flow.dport))),
  );
}

const reverse = (flow: Flow): Flow => ({ src: flow.dst, dst: flow.src, sport: flow.dport, dport: flow.sport, proto: flow.proto ?? 17 });

function body(family: number, version: number, ...attrs: Uint8Array[]): Uint8Array {
  return Buffer.concat([Buffer.from([family, version, 0, 0]), ...attrs]);
}

export const CT_NEW = 0x100;
export const CT_GET = 0x101;
export const CT_DELETE = 0x102;
const CREATE = 0x400;
const EXCL = 0x200;

export function createRequest(flow: Flow, options: { timeout?: number; mark?: number } = {}): NetlinkRequest {
  const attrs = [tuple(1, flow), tuple(2, reverse(flow)), nla(7, be32(options.timeout ?? 120))];
  if (options.mark !== undefined) attrs.push(nla(8, be32(options.mark)));
  return { type: CT_NEW, flags: CREATE | EXCL, payload: body(2, 0, ...attrs) };
}

/** Creation without CTA_TIMEOUT: the kernel refuses it with EINVAL. */
export function createWithoutTimeout(flow: Flow): NetlinkRequest {
  return { type: CT_NEW, flags: CREATE | EXCL, payload: body(2, 0, tuple(1, flow), tuple(2, reverse(flow))) };
}

export function updateRequest(flow: Flow, mark: number): NetlinkRequest {
  return { type: CT_NEW, flags: 0, payload: body(2, 0, tuple(1, flow), nla(8, be32(mark))) };
}

export function getRequest(flow: Flow): NetlinkRequest {
  return { type: CT_GET, flags: 0, payload: body(2, 0, tuple(1, flow)) };
}

export function deleteRequest(flow: Flow): NetlinkRequest {
  return { type: CT_DELETE, flags: 0, payload: body(2, 0, tuple(1, flow)) };
}

export function flushRequest(): NetlinkRequest {
  return { type: CT_DELETE, flags: 0, payload: body(0, 0) };
}

export function dumpRequest(family = 0): NetlinkRequest {
  return { type: CT_GET, flags: 0x300, payload: body(family, 0) };
}

/** Distinct UDP flows 10.x.y.z:n → 10.200.0.1:53. */
export function flows(count: number, offset = 0): Flow[] {
  return Array.from({ length: count }, (_, i) => {
    const n = i + offset;
    return { src: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, dst: "10.200.0.1", sport: 1024 + (n % 60000), dport: 53 };
  });
}

/** Reads CTA_MARK (be32) from a conntrack message payload, or undefined. */
export function markOf(payload: Uint8Array): number | undefined {
  const view = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  for (let at = 4; at + 4 <= view.length; ) {
    const len = view.readUInt16LE(at);
    if (len < 4) break;
    if ((view.readUInt16LE(at + 2) & 0x3fff) === 8) return view.readUInt32BE(at + 4);
    at += (len + 3) & ~3;
  }
  return undefined;
}
