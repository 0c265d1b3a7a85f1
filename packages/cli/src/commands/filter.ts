// conntrack's userspace filter (nfct_filter + nfct_cmp of libnetfilter_conntrack), applied to decoded
// entries. Kernel filters are a speed-up, this is the definition; the parts flowFilterFor hands to the
// conntrack API as FlowFilter fields (same semantics) are left to the API, which tests them in user
// space unless the kernel does them exactly. Semantics kept from 1.4.7: NAT address filters compare
// IPv4 addresses only, mark and zones are non-strict (missing = 0), tuple fields, id, timeout and
// states are strict (missing = no match), secmark is never compared. Fixed: a status filter always
// honours its "must be clear" bits (1.4.7's -D -u UNREPLIED matched, and deleted, every entry).

import { parseIPv4, parseIPv6 } from "@tsconntrack/codec";
import type { Address, NatTarget, ParsedCommand } from "../args/types.js";
import type { ConntrackValue, TupleProtoValue, TupleValue } from "../format/types.js";
import { labelBits } from "../format/labels.js";

/** Which command the filter serves: -U compares less (its mark, status, timeout are new values). */
export type FilterPurpose = "list" | "delete" | "update" | "event" | "get";

export type EntryPredicate = (ct: ConntrackValue, family: number) => boolean;

/** "all": the whole test (-G); "beyond-flow-filter": only what flowFilterFor's fields do not test. */
export type FilterScope = "all" | "beyond-flow-filter";

/** Protocols whose --sport/--dport flowFilterFor passes on as FlowFilter ports. */
export const PORT_HANDLERS: ReadonlySet<string> = new Set(["tcp", "udp", "udplite", "sctp", "dccp"]);

const AF_INET = 2;
const AF_INET6 = 10;
const IPS_SRC_NAT_DONE = 1 << 7;
const IPS_DST_NAT_DONE = 1 << 8;
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;

const FAMILY_NUMBER = { unspec: 0, ipv4: AF_INET, ipv6: AF_INET6 } as const;

export function familyNumber(name: ParsedCommand["family"]): number {
  return FAMILY_NUMBER[name];
}

function ipOf(tuple: TupleValue | undefined, which: "src" | "dst"): string | undefined {
  const ip = tuple?.tupleIp;
  if (ip === undefined) return undefined;
  return which === "src" ? (ip.ipV4Src ?? ip.ipV6Src) : (ip.ipV4Dst ?? ip.ipV6Dst);
}

function ipv4Of(tuple: TupleValue | undefined, which: "src" | "dst"): string | undefined {
  return which === "src" ? tuple?.tupleIp?.ipV4Src : tuple?.tupleIp?.ipV4Dst;
}

/** The library's 16-bit "all" view of a tuple's L4 source (port, or ICMP id) and destination. */
function l4Src(proto: TupleProtoValue | undefined): number | undefined {
  return proto?.protoSrcPort ?? proto?.protoIcmpId ?? proto?.protoIcmpv6Id;
}
function l4Dst(proto: TupleProtoValue | undefined): number | undefined {
  return proto?.protoDstPort;
}

/** IS_SNAT / IS_DNAT / IS_SPAT / IS_DPAT: with a status the *_NAT_DONE bit is needed too. */
function natDone(ct: ConntrackValue, bit: number): boolean {
  return ct.status === undefined || (ct.status & bit) !== 0;
}
function isSnat(ct: ConntrackValue): boolean {
  return natDone(ct, IPS_SRC_NAT_DONE) && ipOf(ct.tupleReply, "dst") !== ipOf(ct.tupleOrig, "src");
}
function isDnat(ct: ConntrackValue): boolean {
  return natDone(ct, IPS_DST_NAT_DONE) && ipOf(ct.tupleReply, "src") !== ipOf(ct.tupleOrig, "dst");
}
function isSpat(ct: ConntrackValue): boolean {
  return natDone(ct, IPS_SRC_NAT_DONE) && l4Dst(ct.tupleReply?.tupleProto) !== l4Src(ct.tupleOrig?.tupleProto);
}
function isDpat(ct: ConntrackValue): boolean {
  return natDone(ct, IPS_DST_NAT_DONE) && l4Src(ct.tupleReply?.tupleProto) !== l4Dst(ct.tupleOrig?.tupleProto);
}

/** One side of filter_nat(): does the entry have the NAT the option asks for? */
function hasNat(ct: ConntrackValue, target: NatTarget, side: "src" | "dst"): boolean {
  const isNat = side === "src" ? isSnat(ct) : isDnat(ct);
  const isPat = side === "src" ? isSpat(ct) : isDpat(ct);
  // Only IPv4 NAT addresses are compared (the library has no IPv6 SNAT/DNAT attribute).
  const address = target.address?.family === "ipv4" ? target.address.text : undefined;
  const natAddress = side === "src" ? ipv4Of(ct.tupleReply, "dst") : ipv4Of(ct.tupleReply, "src");
  const natPort = side === "src" ? l4Dst(ct.tupleReply?.tupleProto) : l4Src(ct.tupleReply?.tupleProto);
  let found = false;
  if (address !== undefined) found = isNat && natAddress === address;
  if (target.port !== undefined) {
    const portMatches = isPat && natPort === target.port;
    if (address !== undefined && found && !portMatches) found = false;
    if (address === undefined && portMatches) found = true;
  }
  if (address === undefined && target.port === undefined && (isNat || isPat)) found = true;
  return found;
}

function natFilter(cmd: ParsedCommand): EntryPredicate | null {
  if (cmd.anyNat !== undefined) {
    const any = cmd.anyNat;
    return (ct) => hasNat(ct, any, "src") || hasNat(ct, any, "dst");
  }
  const src = cmd.srcNat;
  const dst = cmd.dstNat;
  if (src !== undefined && dst !== undefined) return (ct) => hasNat(ct, src, "src") && hasNat(ct, dst, "dst");
  if (src !== undefined) return (ct) => hasNat(ct, src, "src");
  if (dst !== undefined) return (ct) => hasNat(ct, dst, "dst");
  return null;
}

function addressBytes(text: string): Uint8Array | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return new Uint8Array([v4 >>> 24, (v4 >>> 16) & 255, (v4 >>> 8) & 255, v4 & 255]);
  return parseIPv6(text);
}

/** (addr & mask) == (network & mask), and the entry's family must be the command's. */
function networkMatcher(network: Address, mask: Address, which: "src" | "dst", family: number): EntryPredicate {
  const want = network.bytes.map((byte, i) => byte & (mask.bytes[i] ?? 0));
  return (ct, entryFamily) => {
    if (entryFamily !== family) return false;
    const text = ipOf(ct.tupleOrig, which);
    if (text === undefined) return false;
    const bytes = addressBytes(text);
    if (bytes === undefined || bytes.length !== want.length) return false;
    for (let i = 0; i < bytes.length; i++) if ((bytes[i]! & (mask.bytes[i] ?? 0)) !== want[i]) return false;
    return true;
  };
}

function hasAllLabels(labels: Uint8Array | undefined, bits: readonly number[]): boolean {
  if (labels === undefined) return false;
  const set = new Set(labelBits(labels));
  return bits.every((bit) => set.has(bit));
}

/** Tuple comparisons (strict: a field the entry lacks does not match). */
function tupleChecks(cmd: ParsedCommand, checks: EntryPredicate[], orig: boolean, reply: boolean, scope: FilterScope): void {
  const l4 = cmd.l4;
  const protonum = cmd.proto?.protonum;
  const inFlowFilter = scope === "beyond-flow-filter";
  if (protonum !== undefined && !inFlowFilter) {
    checks.push((ct) => ct.tupleOrig?.tupleProto?.protoNum === protonum);
  }
  // A whole IPv4 address is compared as text by the FlowFilter too (IPv6 stays here: only IPv4
  // can be kernel-exact, so nothing is saved by moving it).
  const covered = (address: Address): boolean => inFlowFilter && address.family === "ipv4";
  if (orig) {
    const src = cmd.orig.src;
    if (src !== undefined && cmd.mask.src === undefined && !covered(src)) checks.push((ct) => ipOf(ct.tupleOrig, "src") === src.text);
    const dst = cmd.orig.dst;
    if (dst !== undefined && cmd.mask.dst === undefined && !covered(dst)) checks.push((ct) => ipOf(ct.tupleOrig, "dst") === dst.text);
  }
  if (reply) {
    const rsrc = cmd.reply.src;
    if (rsrc !== undefined && !covered(rsrc)) checks.push((ct) => ipOf(ct.tupleReply, "src") === rsrc.text);
    const rdst = cmd.reply.dst;
    if (rdst !== undefined && !covered(rdst)) checks.push((ct) => ipOf(ct.tupleReply, "dst") === rdst.text);
  }
  if (protonum === IPPROTO_ICMP || protonum === IPPROTO_ICMPV6) {
    const v6 = protonum === IPPROTO_ICMPV6;
    const type = l4.icmpType;
    const code = l4.icmpCode;
    const id = l4.icmpId;
    if (type !== undefined) checks.push((ct) => (v6 ? ct.tupleOrig?.tupleProto?.protoIcmpv6Type : ct.tupleOrig?.tupleProto?.protoIcmpType) === type);
    if (code !== undefined) checks.push((ct) => (v6 ? ct.tupleOrig?.tupleProto?.protoIcmpv6Code : ct.tupleOrig?.tupleProto?.protoIcmpCode) === code);
    if (id !== undefined) checks.push((ct) => (v6 ? ct.tupleOrig?.tupleProto?.protoIcmpv6Id : ct.tupleOrig?.tupleProto?.protoIcmpId) === id);
    return;
  }
  // Ports of a port-carrying protocol go into the FlowFilter with the protocol (reply ports with
  // the reply tuple's protocol too, which the kernel always gives the same number as the original's).
  const portsCovered = inFlowFilter && cmd.proto !== undefined && PORT_HANDLERS.has(cmd.proto.handler);
  const port = (value: number | undefined, pick: (ct: ConntrackValue) => number | undefined): void => {
    if (value !== undefined && !portsCovered) checks.push((ct) => pick(ct) === value);
  };
  if (orig || protonum !== undefined) {
    port(l4.origSport, (ct) => ct.tupleOrig?.tupleProto?.protoSrcPort);
    port(l4.origDport, (ct) => ct.tupleOrig?.tupleProto?.protoDstPort);
  }
  if (reply || protonum !== undefined) {
    port(l4.replySport, (ct) => ct.tupleReply?.tupleProto?.protoSrcPort);
    port(l4.replyDport, (ct) => ct.tupleReply?.tupleProto?.protoDstPort);
  }
}

function stateCheck(cmd: ParsedCommand, checks: EntryPredicate[]): void {
  const state = cmd.l4.state;
  const handler = cmd.proto?.handler;
  if (state === undefined) return;
  if (handler === "tcp") checks.push((ct) => ct.protoinfo?.protoinfoTcp?.tcpState === state.value);
  else if (handler === "sctp") checks.push((ct) => ct.protoinfo?.protoinfoSctp?.sctpState === state.value);
  else if (handler === "dccp") checks.push((ct) => ct.protoinfo?.protoinfoDccp?.dccpState === state.value);
}

/**
 * The predicate conntrack would apply for this command line, or null when it filters nothing.
 * With scope "beyond-flow-filter", the checks that flowFilterFor's FlowFilter fields already make
 * with the same semantics (family, mark, protocol, whole IPv4 addresses, TCP/UDP/... ports) are left
 * out: the conntrack API tests those itself, and when the kernel does them exactly it can skip
 * decoding entries altogether (FILTERS.md, "When the predicate is skipped").
 */
export function buildEntryFilter(cmd: ParsedCommand, purpose: FilterPurpose, scope: FilterScope = "all"): EntryPredicate | null {
  const checks: EntryPredicate[] = [];
  const inFlowFilter = scope === "beyond-flow-filter";
  const family = familyNumber(cmd.family);
  if (cmd.familyGiven && family !== 0 && !inFlowFilter) checks.push((_ct, entryFamily) => entryFamily === family);
  const nat = natFilter(cmd);
  if (nat !== null) checks.push(nat);
  // Mark: the FlowFilter's (mark & mask) === value, a missing mark being 0, is conntrack's test.
  if (purpose !== "update" && cmd.mark !== undefined && !inFlowFilter) {
    const { value, mask } = cmd.mark;
    checks.push((ct) => (((ct.mark ?? 0) & mask) >>> 0) === value >>> 0);
  }
  const labels = cmd.labels;
  if (labels !== undefined && labels.length > 0) checks.push((ct) => hasAllLabels(ct.labels, labels));
  if (cmd.mask.src !== undefined && cmd.orig.src !== undefined) {
    checks.push(networkMatcher(cmd.orig.src, cmd.mask.src, "src", family));
  }
  if (cmd.mask.dst !== undefined && cmd.orig.dst !== undefined) {
    checks.push(networkMatcher(cmd.orig.dst, cmd.mask.dst, "dst", family));
  }
  if (cmd.id !== undefined) {
    const id = cmd.id;
    checks.push((ct) => ct.id === id);
  }
  if (purpose === "update") {
    const orig = cmd.orig.src !== undefined || cmd.orig.dst !== undefined || cmd.proto !== undefined;
    const reply = cmd.reply.src !== undefined || cmd.reply.dst !== undefined || cmd.proto !== undefined;
    tupleChecks(cmd, checks, orig, reply, "all");
    stateCheck(cmd, checks);
  } else {
    tupleChecks(cmd, checks, true, true, scope);
    stateCheck(cmd, checks);
    if (cmd.status !== undefined) {
      const { set, unset } = cmd.status;
      checks.push((ct) => ((ct.status ?? 0) & set) === set && ((ct.status ?? 0) & unset) === 0);
    }
    if (cmd.timeout !== undefined && purpose === "delete") {
      const timeout = cmd.timeout;
      checks.push((ct) => ct.timeout === timeout);
    }
    const zone = cmd.zone;
    if (zone !== undefined) checks.push((ct) => (ct.zone ?? 0) === zone);
    const origZone = cmd.origZone;
    if (origZone !== undefined) checks.push((ct) => (ct.tupleOrig?.tupleZone ?? 0) === origZone);
    const replyZone = cmd.replyZone;
    if (replyZone !== undefined) checks.push((ct) => (ct.tupleReply?.tupleZone ?? 0) === replyZone);
  }
  if (checks.length === 0) return null;
  if (checks.length === 1) return checks[0]!;
  return (ct, entryFamily) => {
    for (const check of checks) if (!check(ct, entryFamily)) return false;
    return true;
  };
}

