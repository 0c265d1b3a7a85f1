// The tuples of -I/-G/-D expect, built the way libnetfilter_conntrack builds them: both addresses, the
// protocol number, and the protocol's L4 fields with 0 for those not given (the kernel refuses a port or
// ICMP tuple with a field missing). -I expect: master = -s/-d/--sport/--dport, expected = --tuple-*,
// mask = --mask-*. -G/-D expect look an expectation up by its expected tuple, given as -s/-d/--sport/--dport.

import type { ExpectAttrs, TupleAttrs, TupleProtoAttrs } from "@tsconntrack/codec/conntrack";
import type { Address, ParsedCommand } from "../args/types.js";

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_DCCP = 33;
const IPPROTO_GRE = 47;
const IPPROTO_ICMPV6 = 58;
const IPPROTO_SCTP = 132;
const IPPROTO_UDPLITE = 136;

/** Protocols whose tuple carries a source and destination port (GRE: its keys, stored in the same place). */
const PORT_PROTOCOLS: ReadonlySet<number> = new Set([IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_DCCP, IPPROTO_GRE, IPPROTO_UDPLITE]);

interface L4Fields {
  readonly sport: number | undefined;
  readonly dport: number | undefined;
}

function ipPart(src: Address, dst: Address): NonNullable<TupleAttrs["tupleIp"]> {
  return src.family === "ipv4" ? { ipV4Src: src.text, ipV4Dst: dst.text } : { ipV6Src: src.text, ipV6Dst: dst.text };
}

function protoPart(protoNum: number, l4: L4Fields, cmd: ParsedCommand): TupleProtoAttrs {
  const proto: TupleProtoAttrs = { protoNum };
  if (PORT_PROTOCOLS.has(protoNum)) {
    proto.protoSrcPort = l4.sport ?? 0;
    proto.protoDstPort = l4.dport ?? 0;
  } else if (protoNum === IPPROTO_ICMP) {
    proto.protoIcmpCode = cmd.l4.icmpCode ?? 0;
    proto.protoIcmpType = cmd.l4.icmpType ?? 0;
    proto.protoIcmpId = cmd.l4.icmpId ?? 0;
  } else if (protoNum === IPPROTO_ICMPV6) {
    proto.protoIcmpv6Code = cmd.l4.icmpCode ?? 0;
    proto.protoIcmpv6Type = cmd.l4.icmpType ?? 0;
    proto.protoIcmpv6Id = cmd.l4.icmpId ?? 0;
  }
  return proto;
}

function tuple(src: Address | undefined, dst: Address | undefined, l4: L4Fields, cmd: ParsedCommand): TupleAttrs | undefined {
  if (src === undefined || dst === undefined) return undefined;
  return { tupleIp: ipPart(src, dst), tupleProto: protoPart(cmd.proto?.protonum ?? 0, l4, cmd) };
}

/** -s/-d with -p and --sport/--dport: the master of -I expect, the expected tuple of -G/-D expect. */
export function origTuple(cmd: ParsedCommand): TupleAttrs | undefined {
  return tuple(cmd.orig.src, cmd.orig.dst, { sport: cmd.l4.origSport, dport: cmd.l4.origDport }, cmd);
}

/**
 * The expectation -I expect describes. The expected and mask tuples take -p's protocol (1.4.7 wrote the
 * high byte of --tuple-port-* into the expected tuple's protocol instead: DEVIATIONS.md).
 */
export function expectationFromCommand(cmd: ParsedCommand): ExpectAttrs {
  const expect: ExpectAttrs = {};
  const expected = tuple(cmd.tuple.src, cmd.tuple.dst, { sport: cmd.l4.tupleSport, dport: cmd.l4.tupleDport }, cmd);
  const master = origTuple(cmd);
  const mask = tuple(cmd.mask.src, cmd.mask.dst, { sport: cmd.l4.maskSport, dport: cmd.l4.maskDport }, cmd);
  // conntrack's attribute order: expected, master, mask, timeout.
  if (expected !== undefined) expect.expectTuple = expected;
  if (master !== undefined) expect.expectMaster = master;
  if (mask !== undefined) expect.expectMask = mask;
  if (cmd.timeout !== undefined) expect.expectTimeout = cmd.timeout >>> 0;
  return expect;
}
