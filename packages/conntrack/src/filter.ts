/**
 * Flow filters: what the kernel can do in a dump request (family, mark, status, zone, CTA_FILTER
 * tuple fields) and the exact predicate that always runs in user space as well.
 * See FILTERS.md for which field runs where and since which kernel.
 */
import type { MessageView } from "@tsconntrack/codec";
import type { ConntrackAttrs, TupleAttrs, TupleProtoAttrs } from "@tsconntrack/codec/conntrack";
import { NfCtFilterFlags } from "@tsconntrack/codec/conntrack";
import { FLOW, TUPLE, viewFamily } from "./flow-view.js";
import { decodeView } from "./view-decode.js";
import { parseAddressSpec, type AddressMatch, type AddressSpec } from "./address.js";
import { AF_INET, AF_INET6, AF_UNSPEC, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP } from "./constants.js";
import { ConntrackArgumentError } from "./errors.js";
import { protocolNumber } from "./names.js";

/** Fields of one direction's tuple. Addresses accept CIDR ("10.0.0.0/8") or a netmask. */
export interface TupleFilter {
  src?: AddressSpec;
  dst?: AddressSpec;
  /** L4 protocol: a number or a name ("tcp"). */
  proto?: number | string;
  srcPort?: number;
  dstPort?: number;
  /** ICMP type/code/id for protocol 1, ICMPv6 for 58 (both are tried when no protocol is given). */
  icmpType?: number;
  icmpCode?: number;
  icmpId?: number;
  /** CTA_TUPLE_ZONE of this direction (absent counts as 0). */
  zone?: number;
}

export interface FlowFilter {
  /** AF_INET (2) or AF_INET6 (10). Implied by addresses when not given. */
  family?: number;
  /** Matches when (mark & markMask) === mark; markMask defaults to 0xffffffff. A missing mark counts as 0. */
  mark?: number;
  markMask?: number;
  /** Matches when (status & statusMask) === status; statusMask defaults to `status`. */
  status?: number;
  statusMask?: number;
  /** CTA_ZONE (absent counts as 0). */
  zone?: number;
  orig?: TupleFilter;
  reply?: TupleFilter;
  /** Extra user-space test of the decoded entry, run after the others (decoding only what got that far). */
  predicate?: (flow: ConntrackAttrs, family: number) => boolean;
  /** Extra user-space test of the entry's view (flow-view.ts), run after the others, without a decode. */
  viewPredicate?: (view: MessageView, family: number) => boolean;
}

/** Which filters may go to the kernel (all by default). Used to fall back on older kernels or to mimic conntrack's requests. */
export interface KernelFilterChoice {
  family?: boolean;
  mark?: boolean;
  status?: boolean;
  zone?: boolean;
  /** CTA_FILTER with tuple fields (Linux 5.8+). */
  tuple?: boolean;
}

/** What a compiled filter puts in the dump request, for reporting. */
export interface KernelFilterSummary {
  family: number;
  mark: boolean;
  status: boolean;
  zone: boolean;
  /** CTA_FILTER_ORIG_FLAGS / REPLY_FLAGS sent (0 = none). */
  origFlags: number;
  replyFlags: number;
}

export interface CompiledFilter {
  /** nfgenmsg.nfgen_family for the request. */
  family: number;
  /** Attributes for the dump request (kernel-side filters). */
  attrs: ConntrackAttrs;
  kernel: KernelFilterSummary;
  /**
   * The exact test of an entry's view (see flow-view.ts), undefined when the filter is empty.
   * Always run on what the kernel returns, except: */
  predicate: ViewTest | undefined;
  /**
   * Every test of the predicate is done exactly by the kernel part (family, mark, CTA_FILTER
   * protocol, TCP/UDP ports, whole IPv4 addresses): "mark" needs the mark filter, "tuple" also
   * CTA_FILTER. Undefined when the predicate tests anything else. See FILTERS.md.
   */
  kernelExact: "mark" | "tuple" | undefined;
}

/** A TupleFilter checked: addresses as masks, the protocol as its number. */
type CompiledTuple = Omit<TupleFilter, "src" | "dst" | "proto"> & {
  src?: AddressMatch;
  dst?: AddressMatch;
  proto?: number;
};

const F = NfCtFilterFlags;

/** Parses and checks a filter once; `choice` says which parts may run in the kernel. */
export function compileFilter(filter: FlowFilter = {}, choice: KernelFilterChoice = {}): CompiledFilter {
  const orig = filter.orig && compileTuple(filter.orig, "filter.orig");
  const reply = filter.reply && compileTuple(filter.reply, "filter.reply");
  const family = resolveFamily(filter, orig, reply);
  const allow = { family: true, mark: true, status: true, zone: true, tuple: true, ...choice };

  const attrs: ConntrackAttrs = {};
  const kernel: KernelFilterSummary = { family: allow.family ? family : AF_UNSPEC, mark: false, status: false, zone: false, origFlags: 0, replyFlags: 0 };

  const markMask = (filter.markMask ?? 0xffffffff) >>> 0;
  if (filter.mark !== undefined && allow.mark) {
    // Always both: kernels before 5.8 filter by mark only when CTA_MARK_MASK is present too.
    attrs.mark = filter.mark >>> 0;
    attrs.markMask = markMask;
    kernel.mark = true;
  }
  const statusMask = (filter.statusMask ?? filter.status ?? 0) >>> 0;
  if (filter.status !== undefined && allow.status && statusMask !== 0) {
    // A zero mask is EINVAL in the kernel; such a filter stays in user space.
    attrs.status = filter.status >>> 0;
    attrs.statusMask = statusMask;
    kernel.status = true;
  }
  // The kernel treats zone 0 as "no zone filter", and compares the zone id in any direction, so it
  // over-approximates CTA_ZONE and tuple zones alike; the user-space test is exact.
  const kernelZone = filter.zone ?? orig?.zone ?? reply?.zone;
  if (kernelZone !== undefined && kernelZone !== 0 && allow.zone) {
    attrs.zone = kernelZone;
    kernel.zone = true;
  }
  if (allow.tuple && allow.family && (family === AF_INET || family === AF_INET6)) {
    const origKernel = orig && kernelTuple(orig);
    const replyKernel = reply && kernelTuple(reply);
    if (origKernel || replyKernel) {
      attrs.filter = {};
      if (origKernel) {
        attrs.filter.origFlags = origKernel.flags;
        kernel.origFlags = origKernel.flags;
      }
      if (replyKernel) {
        attrs.filter.replyFlags = replyKernel.flags;
        kernel.replyFlags = replyKernel.flags;
      }
      if (origKernel) attrs.tupleOrig = origKernel.tuple;
      if (replyKernel) attrs.tupleReply = replyKernel.tuple;
    }
  }
  const predicate = buildPredicate(filter, family, markMask, statusMask, orig, reply);
  return { family: kernel.family, attrs, kernel, predicate, kernelExact: kernelExactness(filter, family, kernel, orig, reply) };
}

function resolveFamily(filter: FlowFilter, orig: CompiledTuple | undefined, reply: CompiledTuple | undefined): number {
  let family = filter.family ?? AF_UNSPEC;
  if (family !== AF_UNSPEC && family !== AF_INET && family !== AF_INET6) {
    throw new ConntrackArgumentError("filter.family", `must be AF_INET (2) or AF_INET6 (10), got ${family}`);
  }
  for (const [name, match] of [
    ["filter.orig.src", orig?.src],
    ["filter.orig.dst", orig?.dst],
    ["filter.reply.src", reply?.src],
    ["filter.reply.dst", reply?.dst],
  ] as const) {
    if (match === undefined) continue;
    if (family === AF_UNSPEC) family = match.family;
    else if (match.family !== family) throw new ConntrackArgumentError(name, `address family does not match the filter's family ${family}`);
  }
  return family;
}

function compileTuple(tuple: TupleFilter, field: string): CompiledTuple {
  const out: CompiledTuple = {};
  if (tuple.src !== undefined) out.src = parseAddressSpec(tuple.src, `${field}.src`);
  if (tuple.dst !== undefined) out.dst = parseAddressSpec(tuple.dst, `${field}.dst`);
  if (tuple.proto !== undefined) {
    const proto = typeof tuple.proto === "number" ? tuple.proto : protocolNumber(tuple.proto);
    if (proto === undefined || !Number.isInteger(proto) || proto < 0 || proto > 255) {
      throw new ConntrackArgumentError(`${field}.proto`, `unknown protocol ${JSON.stringify(tuple.proto)}`);
    }
    out.proto = proto;
  }
  for (const key of ["srcPort", "dstPort", "icmpId"] as const) {
    const value = tuple[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new ConntrackArgumentError(`${field}.${key}`, `not a 16-bit number: ${value}`);
    out[key] = value;
  }
  for (const key of ["icmpType", "icmpCode"] as const) {
    const value = tuple[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new ConntrackArgumentError(`${field}.${key}`, `not an 8-bit number: ${value}`);
    out[key] = value;
  }
  if (tuple.zone !== undefined) out.zone = tuple.zone;
  return out;
}

/**
 * The CTA_FILTER flags and tuple the kernel can compare exactly: whole IPv4 addresses only, and
 * ports/ICMP fields only with the protocol (PROTO_NUM is required).
 *
 * IPv6 addresses never go to the kernel: its IPv6 comparison is inverted (`!ipv6_addr_cmp(...)`
 * rejects equal addresses), so a filtered dump returns the entries that do NOT match. Measured on
 * 6.18 (see kernel.test.ts); present since CTA_FILTER appeared in 5.8.
 */
function kernelTuple(t: CompiledTuple): { flags: number; tuple: TupleAttrs } | undefined {
  let flags = 0;
  const tuple: TupleAttrs = {};
  const ip: NonNullable<TupleAttrs["tupleIp"]> = {};
  if (t.src?.exact && t.src.family === AF_INET) {
    flags |= F.ipSrc;
    ip.ipV4Src = t.src.text;
  }
  if (t.dst?.exact && t.dst.family === AF_INET) {
    flags |= F.ipDst;
    ip.ipV4Dst = t.dst.text;
  }
  if (flags !== 0) tuple.tupleIp = ip;
  if (t.proto !== undefined) {
    const proto: TupleProtoAttrs = { protoNum: t.proto };
    flags |= F.protoNum;
    if (t.proto === IPPROTO_ICMP) {
      if (t.icmpType !== undefined) (flags |= F.protoIcmpType), (proto.protoIcmpType = t.icmpType);
      if (t.icmpCode !== undefined) (flags |= F.protoIcmpCode), (proto.protoIcmpCode = t.icmpCode);
      if (t.icmpId !== undefined) (flags |= F.protoIcmpId), (proto.protoIcmpId = t.icmpId);
    } else if (t.proto === IPPROTO_ICMPV6) {
      if (t.icmpType !== undefined) (flags |= F.protoIcmpv6Type), (proto.protoIcmpv6Type = t.icmpType);
      if (t.icmpCode !== undefined) (flags |= F.protoIcmpv6Code), (proto.protoIcmpv6Code = t.icmpCode);
      if (t.icmpId !== undefined) (flags |= F.protoIcmpv6Id), (proto.protoIcmpv6Id = t.icmpId);
    } else {
      if (t.srcPort !== undefined) (flags |= F.protoSrcPort), (proto.protoSrcPort = t.srcPort);
      if (t.dstPort !== undefined) (flags |= F.protoDstPort), (proto.protoDstPort = t.dstPort);
    }
    tuple.tupleProto = proto;
  }
  return flags === 0 ? undefined : { flags, tuple };
}

/** Whether the kernel part alone decides the filter (see CompiledFilter.kernelExact). */
function kernelExactness(
  filter: FlowFilter,
  family: number,
  kernel: KernelFilterSummary,
  orig: CompiledTuple | undefined,
  reply: CompiledTuple | undefined,
): CompiledFilter["kernelExact"] {
  if (filter.predicate !== undefined || filter.viewPredicate !== undefined || filter.status !== undefined || filter.zone !== undefined) return undefined;
  if (family !== AF_UNSPEC && kernel.family !== family) return undefined;
  if (filter.mark !== undefined && !kernel.mark) return undefined;
  const tuples = [
    [orig, kernel.origFlags],
    [reply, kernel.replyFlags],
  ] as const;
  let tuple = false;
  for (const [t, flags] of tuples) {
    if (t === undefined) continue;
    if (!tupleExact(t, flags)) return undefined;
    tuple ||= flags !== 0;
  }
  return tuple ? "tuple" : "mark";
}

/** Every field of the tuple went to the kernel, which compares it as the predicate does. */
function tupleExact(t: CompiledTuple, flags: number): boolean {
  if (t.zone !== undefined || t.icmpType !== undefined || t.icmpCode !== undefined || t.icmpId !== undefined) return false;
  if (t.src !== undefined && (flags & F.ipSrc) === 0) return false;
  if (t.dst !== undefined && (flags & F.ipDst) === 0) return false;
  if (t.proto !== undefined && (flags & F.protoNum) === 0) return false;
  // The kernel compares the generic 16-bit port field; TCP and UDP ports are exactly that.
  const portsExact = t.proto === IPPROTO_TCP || t.proto === IPPROTO_UDP;
  if (t.srcPort !== undefined && (!portsExact || (flags & F.protoSrcPort) === 0)) return false;
  if (t.dstPort !== undefined && (!portsExact || (flags & F.protoDstPort) === 0)) return false;
  return true;
}

/** A test of a walked conntrack entry message. */
export type ViewTest = (view: MessageView) => boolean;

/** A value slot that is absent reads as 0, as the kernel's zeroed defaults do. */
const numOr0 = (v: MessageView, slot: number): number => (v.pos[slot]! >= 0 ? v.num[slot]! : 0);
/** An absent slot never equals a number. */
const numIs = (v: MessageView, slot: number, value: number): boolean => v.pos[slot]! >= 0 && v.num[slot] === value;

function buildPredicate(
  filter: FlowFilter,
  family: number,
  markMask: number,
  statusMask: number,
  orig: CompiledTuple | undefined,
  reply: CompiledTuple | undefined,
): ViewTest | undefined {
  const tests: ViewTest[] = [];
  if (family !== AF_UNSPEC) tests.push((v) => viewFamily(v) === family);
  if (filter.mark !== undefined) {
    const mark = filter.mark >>> 0;
    tests.push((v) => (numOr0(v, FLOW.mark) & markMask) >>> 0 === mark);
  }
  if (filter.status !== undefined) {
    const status = filter.status >>> 0;
    tests.push((v) => (numOr0(v, FLOW.status) & statusMask) >>> 0 === status);
  }
  if (filter.zone !== undefined) {
    const zone = filter.zone;
    tests.push((v) => numOr0(v, FLOW.zone) === zone);
  }
  if (orig) pushTupleTests(tests, orig, FLOW.orig);
  if (reply) pushTupleTests(tests, reply, FLOW.reply);
  const viewTest = filter.viewPredicate;
  if (viewTest) tests.push((v) => viewTest(v, viewFamily(v)));
  const user = filter.predicate;
  // The caller's own test takes the typed entry: decoded only for entries every other test passed.
  if (user) tests.push((v) => user(decodeView<ConntrackAttrs>(v), viewFamily(v)));
  if (tests.length === 0) return undefined;
  if (tests.length === 1) return tests[0];
  return (v) => {
    for (let i = 0; i < tests.length; i++) if (!tests[i]!(v)) return false;
    return true;
  };
}

/** Tests of one direction's tuple, whose fields start at slot `b`. */
function pushTupleTests(tests: ViewTest[], t: CompiledTuple, b: number): void {
  const { src, dst } = t;
  if (src) {
    const slot = b + (src.family === AF_INET ? TUPLE.v4src : TUPLE.v6src);
    tests.push((v) => src.matchesSlot(v, slot));
  }
  if (dst) {
    const slot = b + (dst.family === AF_INET ? TUPLE.v4dst : TUPLE.v6dst);
    tests.push((v) => dst.matchesSlot(v, slot));
  }
  if (t.proto !== undefined) {
    const proto = t.proto;
    tests.push((v) => numIs(v, b + TUPLE.protoNum, proto));
  }
  const { srcPort, dstPort, icmpType, icmpCode, icmpId } = t;
  if (srcPort !== undefined) tests.push((v) => numIs(v, b + TUPLE.srcPort, srcPort));
  if (dstPort !== undefined) tests.push((v) => numIs(v, b + TUPLE.dstPort, dstPort));
  // ICMP and ICMPv6 fields: the protocol of the tuple says which attribute holds them.
  const icmp = (v4: number, v6: number, value: number): ViewTest =>
    (v) => numIs(v, b + (numIs(v, b + TUPLE.protoNum, IPPROTO_ICMPV6) ? v6 : v4), value);
  if (icmpType !== undefined) tests.push(icmp(TUPLE.icmpType, TUPLE.icmpv6Type, icmpType));
  if (icmpCode !== undefined) tests.push(icmp(TUPLE.icmpCode, TUPLE.icmpv6Code, icmpCode));
  if (icmpId !== undefined) tests.push(icmp(TUPLE.icmpId, TUPLE.icmpv6Id, icmpId));
  if (t.zone !== undefined) {
    const zone = t.zone;
    // An absent tuple (all its slots empty) has zone 0, as a tuple without CTA_TUPLE_ZONE.
    tests.push((v) => numOr0(v, b + TUPLE.zone) === zone);
  }
}

/** True when the filter has nothing to test. */
export function isEmptyFilter(filter: FlowFilter | undefined): boolean {
  return compileFilter(filter).predicate === undefined;
}
