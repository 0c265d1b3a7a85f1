/** Tuple and flow helpers: family of a tuple, inversion, a flow for create built from its original tuple. */
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from "@tsconntrack/codec";
import type { ConntrackAttrs, TupleAttrs, TupleIpAttrs, TupleProtoAttrs } from "@tsconntrack/codec/conntrack";
import { AF_INET, AF_INET6, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP } from "./constants.js";
import { ConntrackArgumentError } from "./errors.js";
import { protocolNumber } from "./names.js";
import { defaultTimeout } from "./timeouts.js";

const IPS_CONFIRMED = 0x8;

/** AF_INET or AF_INET6 from the addresses a tuple carries; undefined without addresses. */
export function tupleFamily(tuple: TupleAttrs | undefined): number | undefined {
  const ip = tuple?.tupleIp;
  if (ip === undefined) return undefined;
  if (ip.ipV4Src !== undefined || ip.ipV4Dst !== undefined) return AF_INET;
  if (ip.ipV6Src !== undefined || ip.ipV6Dst !== undefined) return AF_INET6;
  return undefined;
}

/** The L3 family of a flow (from its original, else reply, else master tuple). */
export function flowFamily(flow: Pick<ConntrackAttrs, "tupleOrig" | "tupleReply" | "tupleMaster">): number | undefined {
  return tupleFamily(flow.tupleOrig) ?? tupleFamily(flow.tupleReply) ?? tupleFamily(flow.tupleMaster);
}

/** ICMP types whose reply type the kernel knows (echo, timestamp, info, address mask). */
const ICMP_INVERSE: ReadonlyMap<number, number> = new Map([
  [8, 0], [0, 8], [13, 14], [14, 13], [15, 16], [16, 15], [17, 18], [18, 17],
]);
/** ICMPv6 echo and node information. */
const ICMPV6_INVERSE: ReadonlyMap<number, number> = new Map([
  [128, 129], [129, 128], [139, 140], [140, 139],
]);

/**
 * The ICMP or ICMPv6 type the reply direction of a request of `type` carries (echo -> echo reply),
 * or undefined when the type has no reply (the kernel refuses such a tuple with EINVAL).
 */
export function icmpReplyType(protoNum: number, type: number): number | undefined {
  return (protoNum === IPPROTO_ICMPV6 ? ICMPV6_INVERSE : ICMP_INVERSE).get(type);
}

/**
 * The tuple seen in the other direction without NAT: addresses and ports swapped, ICMP request
 * types turned into their reply types (id and code kept). The tuple zone is kept.
 */
export function invertTuple(tuple: TupleAttrs): TupleAttrs {
  const out: TupleAttrs = {};
  if (tuple.tupleIp !== undefined) out.tupleIp = invertIp(tuple.tupleIp);
  if (tuple.tupleProto !== undefined) out.tupleProto = invertProto(tuple.tupleProto);
  if (tuple.tupleZone !== undefined) out.tupleZone = tuple.tupleZone;
  return out;
}

function invertIp(ip: TupleIpAttrs): TupleIpAttrs {
  const out: TupleIpAttrs = {};
  if (ip.ipV4Dst !== undefined) out.ipV4Src = ip.ipV4Dst;
  if (ip.ipV4Src !== undefined) out.ipV4Dst = ip.ipV4Src;
  if (ip.ipV6Dst !== undefined) out.ipV6Src = ip.ipV6Dst;
  if (ip.ipV6Src !== undefined) out.ipV6Dst = ip.ipV6Src;
  return out;
}

function invertProto(proto: TupleProtoAttrs): TupleProtoAttrs {
  const out: TupleProtoAttrs = {};
  if (proto.protoNum !== undefined) out.protoNum = proto.protoNum;
  if (proto.protoDstPort !== undefined) out.protoSrcPort = proto.protoDstPort;
  if (proto.protoSrcPort !== undefined) out.protoDstPort = proto.protoSrcPort;
  if (proto.protoIcmpId !== undefined) out.protoIcmpId = proto.protoIcmpId;
  if (proto.protoIcmpType !== undefined) out.protoIcmpType = ICMP_INVERSE.get(proto.protoIcmpType) ?? proto.protoIcmpType;
  if (proto.protoIcmpCode !== undefined) out.protoIcmpCode = proto.protoIcmpCode;
  if (proto.protoIcmpv6Id !== undefined) out.protoIcmpv6Id = proto.protoIcmpv6Id;
  if (proto.protoIcmpv6Type !== undefined) out.protoIcmpv6Type = ICMPV6_INVERSE.get(proto.protoIcmpv6Type) ?? proto.protoIcmpv6Type;
  if (proto.protoIcmpv6Code !== undefined) out.protoIcmpv6Code = proto.protoIcmpv6Code;
  return out;
}

/** Short form of a tuple: addresses as text, protocol as a name or number. */
export interface TupleSpec {
  src: string;
  dst: string;
  /** "tcp", "udp", "icmp", … or a protocol number. */
  proto: string | number;
  sport?: number;
  dport?: number;
  /** ICMP or ICMPv6 type/code/id (by the protocol). */
  icmpType?: number;
  icmpCode?: number;
  icmpId?: number;
  /** CTA_TUPLE_ZONE (a directional zone). */
  zone?: number;
}

/** Builds TupleAttrs from a TupleSpec; addresses are normalised to the codec's canonical text. */
export function makeTuple(spec: TupleSpec): TupleAttrs {
  const protoNum = typeof spec.proto === "number" ? spec.proto : protocolNumber(spec.proto);
  if (protoNum === undefined || !Number.isInteger(protoNum) || protoNum < 0 || protoNum > 255) {
    throw new ConntrackArgumentError("proto", `unknown protocol ${JSON.stringify(spec.proto)}`);
  }
  const src4 = parseIPv4(spec.src);
  const dst4 = parseIPv4(spec.dst);
  let tupleIp: TupleIpAttrs;
  if (src4 !== undefined && dst4 !== undefined) tupleIp = { ipV4Src: formatIPv4(src4), ipV4Dst: formatIPv4(dst4) };
  else {
    const src6 = parseIPv6(spec.src);
    const dst6 = parseIPv6(spec.dst);
    if (src6 === undefined || dst6 === undefined) {
      throw new ConntrackArgumentError("src/dst", `need two addresses of one family, got ${JSON.stringify(spec.src)} and ${JSON.stringify(spec.dst)}`);
    }
    tupleIp = { ipV6Src: formatIPv6(src6, 0), ipV6Dst: formatIPv6(dst6, 0) };
  }
  const tupleProto: TupleProtoAttrs = { protoNum };
  if (protoNum === IPPROTO_ICMP) {
    if (spec.icmpId !== undefined) tupleProto.protoIcmpId = spec.icmpId;
    if (spec.icmpType !== undefined) tupleProto.protoIcmpType = spec.icmpType;
    if (spec.icmpCode !== undefined) tupleProto.protoIcmpCode = spec.icmpCode;
  } else if (protoNum === IPPROTO_ICMPV6) {
    if (spec.icmpId !== undefined) tupleProto.protoIcmpv6Id = spec.icmpId;
    if (spec.icmpType !== undefined) tupleProto.protoIcmpv6Type = spec.icmpType;
    if (spec.icmpCode !== undefined) tupleProto.protoIcmpv6Code = spec.icmpCode;
  } else {
    if (spec.sport !== undefined) tupleProto.protoSrcPort = spec.sport;
    if (spec.dport !== undefined) tupleProto.protoDstPort = spec.dport;
  }
  const tuple: TupleAttrs = { tupleIp, tupleProto };
  if (spec.zone !== undefined) tuple.tupleZone = spec.zone;
  return tuple;
}

/** What `buildFlow` takes: the original tuple (TupleAttrs or the short form) plus any other attributes. */
export interface FlowSpec extends Omit<ConntrackAttrs, "tupleOrig" | "tupleReply"> {
  orig: TupleAttrs | TupleSpec;
  /** Default: the inverted original tuple (no NAT). */
  reply?: TupleAttrs | TupleSpec;
}

/**
 * A flow ready for `create`: both tuples (reply = inverted original unless given) and a timeout
 * (the kernel default for the protocol and TCP state unless given). Other attributes are copied,
 * except that a given status gets IPS_CONFIRMED added: the kernel confirms a created entry and
 * answers EBUSY to a status that would clear that bit.
 */
export function buildFlow(spec: FlowSpec): ConntrackAttrs {
  const { orig, reply, ...rest } = spec;
  const tupleOrig = isTupleSpec(orig) ? makeTuple(orig) : orig;
  const tupleReply = reply === undefined ? invertTuple(tupleOrig) : isTupleSpec(reply) ? makeTuple(reply) : reply;
  const flow: ConntrackAttrs = { tupleOrig, tupleReply, ...rest };
  if (flow.status !== undefined) flow.status = (flow.status | IPS_CONFIRMED) >>> 0;
  if (flow.timeout === undefined) {
    const protoNum = tupleOrig.tupleProto?.protoNum ?? 0;
    const tcpState = protoNum === IPPROTO_TCP ? flow.protoinfo?.protoinfoTcp?.tcpState : undefined;
    flow.timeout = defaultTimeout(protoNum, tcpState);
  }
  return flow;
}

function isTupleSpec(value: TupleAttrs | TupleSpec): value is TupleSpec {
  return typeof (value as TupleSpec).src === "string";
}
