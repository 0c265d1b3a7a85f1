/**
 * The benchmark's table contents, a pure function of the entry index so any size is the prefix
 * of a bigger one: UDP to port 53 mostly, every 10th entry TCP to port 22 (ESTABLISHED), every
 * 10th (offset 5) TCP to 443, and every 4th entry marked 3. Every 20th entry (half of the port-22
 * ones) is IPv6, 5% of the table as in ctfill.py: a family-less filter such as `-p tcp --dport 22`
 * then matches in both families.
 */
import { NfCtTcpState, type ConntrackAttrs } from "@tsconntrack/codec/conntrack";

export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const BENCH_MARK = 3;
export const AF_INET = 2;
export const AF_INET6 = 10;

export interface FlowShape {
  proto: number;
  dport: number;
  mark: number | undefined;
  family: typeof AF_INET | typeof AF_INET6;
}

export function flowShape(index: number): FlowShape {
  const kind = index % 10;
  const proto = kind === 0 || kind === 5 ? IPPROTO_TCP : IPPROTO_UDP;
  const dport = kind === 0 ? 22 : kind === 5 ? 443 : 53;
  return { proto, dport, mark: index % 4 === 0 ? BENCH_MARK : undefined, family: index % 20 === 10 ? AF_INET6 : AF_INET };
}

/** How many of the first `count` entries match a predicate on the shape (computed, not dumped). */
export function countShapes(count: number, predicate: (shape: FlowShape) => boolean): number {
  let n = 0;
  for (let i = 0; i < count; i++) if (predicate(flowShape(i))) n++;
  return n;
}

const octets = (n: number) => `${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

type TupleIp = NonNullable<NonNullable<ConntrackAttrs["tupleOrig"]>["tupleIp"]>;

function ipv4Pair(index: number): [TupleIp, TupleIp] {
  const src = `10.${octets(index)}`;
  const dst = "192.0.2.1";
  return [{ ipV4Src: src, ipV4Dst: dst }, { ipV4Src: dst, ipV4Dst: src }];
}

function ipv6Pair(index: number): [TupleIp, TupleIp] {
  const src = `2001:db8::${(index >>> 16).toString(16)}:${(index & 0xffff).toString(16)}`;
  const dst = "2001:db8:ffff::1";
  return [{ ipV6Src: src, ipV6Dst: dst }, { ipV6Src: dst, ipV6Dst: src }];
}

/** Attributes of a create request for entry `index` (distinct by source address; index < 2^24). */
export function flowAttrs(index: number, timeout = 3600): ConntrackAttrs {
  const { proto, dport, mark, family } = flowShape(index);
  const sport = 1024 + (index % 60000);
  const [orig, reply] = family === AF_INET6 ? ipv6Pair(index) : ipv4Pair(index);
  const attrs: ConntrackAttrs = {
    tupleOrig: { tupleIp: orig, tupleProto: { protoNum: proto, protoSrcPort: sport, protoDstPort: dport } },
    tupleReply: { tupleIp: reply, tupleProto: { protoNum: proto, protoSrcPort: dport, protoDstPort: sport } },
    timeout,
  };
  if (proto === IPPROTO_TCP) attrs.protoinfo = { protoinfoTcp: { tcpState: NfCtTcpState.established } };
  if (mark !== undefined) attrs.mark = mark;
  return attrs;
}
