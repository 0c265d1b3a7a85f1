// conntrack's userspace filter (nfct_filter + nfct_cmp of libnetfilter_conntrack), applied to entries'
// views. Kernel filters are a speed-up, this is the definition; the parts flowFilterFor hands to the
// conntrack API as FlowFilter fields (same semantics) are left to the API, which tests them in user
// space unless the kernel does them exactly. Semantics kept from 1.4.7: NAT address filters compare
// IPv4 addresses only, mark and zones are non-strict (missing = 0), tuple fields, id, timeout and
// states are strict (missing = no match), secmark is never compared. Fixed: a status filter always
// honours its "must be clear" bits (1.4.7's -D -u UNREPLIED matched, and deleted, every entry).

import { FLOW, TUPLE, type MessageView } from "@tsconntrack/conntrack";
import type { Address, NatTarget, ParsedCommand } from "../args/types.js";
import { labelBits } from "../format/labels.js";
import { AF_INET, AF_INET6, IPPROTO_ICMP, IPPROTO_ICMPV6, IPS_DST_NAT_DONE, IPS_SRC_NAT_DONE } from "../format/names.js";

/** Which command the filter serves: -U compares less (its mark, status, timeout are new values). */
export type FilterPurpose = "list" | "delete" | "update" | "event" | "get";

/** A test of an entry's view (see @tsconntrack/conntrack's flow-view) and its message family. */
export type EntryPredicate = (v: MessageView, family: number) => boolean;

/** "all": the whole test (-G); "beyond-flow-filter": only what flowFilterFor's fields do not test. */
export type FilterScope = "all" | "beyond-flow-filter";

/** Protocols whose --sport/--dport flowFilterFor passes on as FlowFilter ports. */
export const PORT_HANDLERS: ReadonlySet<string> = new Set(["tcp", "udp", "udplite", "sctp", "dccp"]);

const FAMILY_NUMBER = { unspec: 0, ipv4: AF_INET, ipv6: AF_INET6 } as const;

export function familyNumber(name: ParsedCommand["family"]): number {
  return FAMILY_NUMBER[name];
}

const has = (v: MessageView, slot: number): boolean => v.pos[slot]! >= 0;
/** A number slot, undefined when absent (strict comparisons). */
const num = (v: MessageView, slot: number): number | undefined => (v.pos[slot]! >= 0 ? v.num[slot] : undefined);

/** The address slot of a tuple's source or destination: IPv4 if present, else IPv6, else -1. */
function ipSlot(v: MessageView, b: number, which: "src" | "dst"): number {
  const v4 = b + (which === "src" ? TUPLE.v4src : TUPLE.v4dst);
  if (has(v, v4)) return v4;
  const v6 = b + (which === "src" ? TUPLE.v6src : TUPLE.v6dst);
  return has(v, v6) ? v6 : -1;
}

/** Two address slots (-1 = missing) hold the same address; two missing ones are equal. */
function sameIp(v: MessageView, a: number, b: number): boolean {
  if (a < 0 || b < 0) return a === b;
  if (v.len[a] !== v.len[b]) return false;
  if (v.len[a] !== 16) return v.num[a] === v.num[b];
  for (let i = 0; i < 16; i++) if (v.u8[v.pos[a]! + i] !== v.u8[v.pos[b]! + i]) return false;
  return true;
}

/** An address slot (-1 = missing) equals a parsed address. */
function ipIs(v: MessageView, slot: number, address: Address): boolean {
  if (slot < 0) return false;
  const bytes = address.bytes;
  if (v.len[slot] !== bytes.length) return false;
  const at = v.pos[slot]!;
  for (let i = 0; i < bytes.length; i++) if (v.u8[at + i] !== bytes[i]) return false;
  return true;
}

/** The library's 16-bit "all" view of a tuple's L4 source (port, or ICMP id) and destination. */
function l4Src(v: MessageView, b: number): number | undefined {
  return num(v, b + TUPLE.srcPort) ?? num(v, b + TUPLE.icmpId) ?? num(v, b + TUPLE.icmpv6Id);
}
function l4Dst(v: MessageView, b: number): number | undefined {
  return num(v, b + TUPLE.dstPort);
}

/** IS_SNAT / IS_DNAT / IS_SPAT / IS_DPAT: with a status the *_NAT_DONE bit is needed too. */
function natDone(v: MessageView, bit: number): boolean {
  return !has(v, FLOW.status) || (v.num[FLOW.status]! & bit) !== 0;
}
function isSnat(v: MessageView): boolean {
  return natDone(v, IPS_SRC_NAT_DONE) && !sameIp(v, ipSlot(v, FLOW.reply, "dst"), ipSlot(v, FLOW.orig, "src"));
}
function isDnat(v: MessageView): boolean {
  return natDone(v, IPS_DST_NAT_DONE) && !sameIp(v, ipSlot(v, FLOW.reply, "src"), ipSlot(v, FLOW.orig, "dst"));
}
function isSpat(v: MessageView): boolean {
  return natDone(v, IPS_SRC_NAT_DONE) && l4Dst(v, FLOW.reply) !== l4Src(v, FLOW.orig);
}
function isDpat(v: MessageView): boolean {
  return natDone(v, IPS_DST_NAT_DONE) && l4Src(v, FLOW.reply) !== l4Dst(v, FLOW.orig);
}

/** One side of filter_nat(): does the entry have the NAT the option asks for? */
function hasNat(v: MessageView, target: NatTarget, side: "src" | "dst"): boolean {
  const isNat = side === "src" ? isSnat(v) : isDnat(v);
  const isPat = side === "src" ? isSpat(v) : isDpat(v);
  // Only IPv4 NAT addresses are compared (the library has no IPv6 SNAT/DNAT attribute).
  const address = target.address?.family === "ipv4" ? target.address : undefined;
  const natSlot = FLOW.reply + (side === "src" ? TUPLE.v4dst : TUPLE.v4src);
  const natPort = side === "src" ? l4Dst(v, FLOW.reply) : l4Src(v, FLOW.reply);
  let found = false;
  if (address !== undefined) found = isNat && ipIs(v, has(v, natSlot) ? natSlot : -1, address);
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
    return (v) => hasNat(v, any, "src") || hasNat(v, any, "dst");
  }
  const src = cmd.srcNat;
  const dst = cmd.dstNat;
  if (src !== undefined && dst !== undefined) return (v) => hasNat(v, src, "src") && hasNat(v, dst, "dst");
  if (src !== undefined) return (v) => hasNat(v, src, "src");
  if (dst !== undefined) return (v) => hasNat(v, dst, "dst");
  return null;
}

/** (addr & mask) == (network & mask), and the entry's family must be the command's. */
function networkMatcher(network: Address, mask: Address, which: "src" | "dst", family: number): EntryPredicate {
  const want = network.bytes.map((byte, i) => byte & (mask.bytes[i] ?? 0));
  return (v, entryFamily) => {
    if (entryFamily !== family) return false;
    const slot = ipSlot(v, FLOW.orig, which);
    if (slot < 0 || v.len[slot] !== want.length) return false;
    const at = v.pos[slot]!;
    for (let i = 0; i < want.length; i++) if ((v.u8[at + i]! & (mask.bytes[i] ?? 0)) !== want[i]) return false;
    return true;
  };
}

function hasAllLabels(v: MessageView, bits: readonly number[]): boolean {
  if (!has(v, FLOW.labels)) return false;
  const set = new Set(labelBits(v.bytes(FLOW.labels)));
  return bits.every((bit) => set.has(bit));
}

/** Tuple comparisons (strict: a field the entry lacks does not match). */
function tupleChecks(cmd: ParsedCommand, checks: EntryPredicate[], orig: boolean, reply: boolean, scope: FilterScope): void {
  const l4 = cmd.l4;
  const protonum = cmd.proto?.protonum;
  const inFlowFilter = scope === "beyond-flow-filter";
  if (protonum !== undefined && !inFlowFilter) {
    checks.push((v) => num(v, FLOW.orig + TUPLE.protoNum) === protonum);
  }
  // A whole IPv4 address is compared as text by the FlowFilter too (IPv6 stays here: only IPv4
  // can be kernel-exact, so nothing is saved by moving it).
  const covered = (address: Address): boolean => inFlowFilter && address.family === "ipv4";
  if (orig) {
    const src = cmd.orig.src;
    if (src !== undefined && cmd.mask.src === undefined && !covered(src)) checks.push((v) => ipIs(v, ipSlot(v, FLOW.orig, "src"), src));
    const dst = cmd.orig.dst;
    if (dst !== undefined && cmd.mask.dst === undefined && !covered(dst)) checks.push((v) => ipIs(v, ipSlot(v, FLOW.orig, "dst"), dst));
  }
  if (reply) {
    const rsrc = cmd.reply.src;
    if (rsrc !== undefined && !covered(rsrc)) checks.push((v) => ipIs(v, ipSlot(v, FLOW.reply, "src"), rsrc));
    const rdst = cmd.reply.dst;
    if (rdst !== undefined && !covered(rdst)) checks.push((v) => ipIs(v, ipSlot(v, FLOW.reply, "dst"), rdst));
  }
  if (protonum === IPPROTO_ICMP || protonum === IPPROTO_ICMPV6) {
    const v6 = protonum === IPPROTO_ICMPV6;
    const type = l4.icmpType;
    const code = l4.icmpCode;
    const id = l4.icmpId;
    if (type !== undefined) checks.push((v) => num(v, FLOW.orig + (v6 ? TUPLE.icmpv6Type : TUPLE.icmpType)) === type);
    if (code !== undefined) checks.push((v) => num(v, FLOW.orig + (v6 ? TUPLE.icmpv6Code : TUPLE.icmpCode)) === code);
    if (id !== undefined) checks.push((v) => num(v, FLOW.orig + (v6 ? TUPLE.icmpv6Id : TUPLE.icmpId)) === id);
    return;
  }
  // Ports of a port-carrying protocol go into the FlowFilter with the protocol (reply ports with
  // the reply tuple's protocol too, which the kernel always gives the same number as the original's).
  const portsCovered = inFlowFilter && cmd.proto !== undefined && PORT_HANDLERS.has(cmd.proto.handler);
  const port = (value: number | undefined, slot: number): void => {
    if (value !== undefined && !portsCovered) checks.push((v) => num(v, slot) === value);
  };
  if (orig || protonum !== undefined) {
    port(l4.origSport, FLOW.orig + TUPLE.srcPort);
    port(l4.origDport, FLOW.orig + TUPLE.dstPort);
  }
  if (reply || protonum !== undefined) {
    port(l4.replySport, FLOW.reply + TUPLE.srcPort);
    port(l4.replyDport, FLOW.reply + TUPLE.dstPort);
  }
}

function stateCheck(cmd: ParsedCommand, checks: EntryPredicate[]): void {
  const state = cmd.l4.state;
  const handler = cmd.proto?.handler;
  if (state === undefined) return;
  if (handler === "tcp") checks.push((v) => num(v, FLOW.tcpState) === state.value);
  else if (handler === "sctp") checks.push((v) => num(v, FLOW.sctpState) === state.value);
  else if (handler === "dccp") checks.push((v) => num(v, FLOW.dccpState) === state.value);
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
  if (cmd.familyGiven && family !== 0 && !inFlowFilter) checks.push((_v, entryFamily) => entryFamily === family);
  const nat = natFilter(cmd);
  if (nat !== null) checks.push(nat);
  // Mark: the FlowFilter's (mark & mask) === value, a missing mark being 0, is conntrack's test.
  if (purpose !== "update" && cmd.mark !== undefined && !inFlowFilter) {
    const { value, mask } = cmd.mark;
    checks.push((v) => (((num(v, FLOW.mark) ?? 0) & mask) >>> 0) === value >>> 0);
  }
  const labels = cmd.labels;
  if (labels !== undefined && labels.length > 0) checks.push((v) => hasAllLabels(v, labels));
  if (cmd.mask.src !== undefined && cmd.orig.src !== undefined) {
    checks.push(networkMatcher(cmd.orig.src, cmd.mask.src, "src", family));
  }
  if (cmd.mask.dst !== undefined && cmd.orig.dst !== undefined) {
    checks.push(networkMatcher(cmd.orig.dst, cmd.mask.dst, "dst", family));
  }
  if (cmd.id !== undefined) {
    const id = cmd.id;
    checks.push((v) => num(v, FLOW.id) === id);
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
      checks.push((v) => {
        const status = num(v, FLOW.status) ?? 0;
        return (status & set) === set && (status & unset) === 0;
      });
    }
    if (cmd.timeout !== undefined && purpose === "delete") {
      const timeout = cmd.timeout;
      checks.push((v) => num(v, FLOW.timeout) === timeout);
    }
    const zone = cmd.zone;
    if (zone !== undefined) checks.push((v) => (num(v, FLOW.zone) ?? 0) === zone);
    const origZone = cmd.origZone;
    if (origZone !== undefined) checks.push((v) => (num(v, FLOW.orig + TUPLE.zone) ?? 0) === origZone);
    const replyZone = cmd.replyZone;
    if (replyZone !== undefined) checks.push((v) => (num(v, FLOW.reply + TUPLE.zone) ?? 0) === replyZone);
  }
  if (checks.length === 0) return null;
  if (checks.length === 1) return checks[0]!;
  return (v, entryFamily) => {
    for (const check of checks) if (!check(v, entryFamily)) return false;
    return true;
  };
}

