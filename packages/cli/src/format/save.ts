// `-o save`: the entry as a conntrack command line (conntrack's own ct_save_snprintf), from its view.
import { FLOW, TUPLE, type MessageView } from "@tsconntrack/conntrack";
import { latin1, type ByteWriter } from "../io/byte-writer.js";
import {
  AF_INET, AF_INET6, DCCP_STATES, IPPROTO_DCCP, IPPROTO_GRE, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_SCTP,
  IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDPLITE, IPS_DST_NAT_DONE, IPS_SRC_NAT_DONE, SAVE_DCCP_ROLES,
  SAVE_SCTP_STATES, TCP_STATES, l4Name, saveMapped,
} from "./names.js";
import { secmarkNumber } from "./scalars.js";
import { numOr0, tupleFamily } from "./tuple.js";
import type { EventType, MessageContext } from "./types.js";

/** Which command prefix a saved line gets: -A for dumps and NEW, -U for UPDATE, -D for -D and DESTROY. */
export type SaveKind = "dump" | "delete" | EventType;

const PREFIX: Readonly<Record<SaveKind, string>> = {
  dump: "-A ",
  new: "-A ",
  update: "-U ",
  destroy: "-D ",
  delete: "-D ",
};

/** Status bits `-u` can express, in bit order (EXPECTED, SEEN_REPLY, ASSURED, FIXED_TIMEOUT). */
const SAVE_STATUS: readonly (readonly [number, string])[] = [
  [0, "EXPECTED"],
  [1, "SEEN_REPLY"],
  [2, "ASSURED"],
  [10, "FIXED_TIMEOUT"],
];

function statusText(status: number): string {
  const names: string[] = [];
  for (const [bit, name] of SAVE_STATUS) if (status & (1 << bit)) names.push(name);
  return names.length === 0 ? "UNSET" : names.join(",");
}

/** The library keeps the vtag in host order and conntrack swaps it again: the value prints byte-swapped. */
function bswap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** Two address slots hold the same address, a missing one counting as the zero address. */
function sameAddress(v: MessageView, a: number, b: number): boolean {
  const hasA = v.pos[a]! >= 0;
  const hasB = v.pos[b]! >= 0;
  const len = hasA ? v.len[a]! : hasB ? v.len[b]! : 0;
  if (len !== 16) return (hasA ? v.num[a]! : 0) === (hasB ? v.num[b]! : 0);
  for (let i = 0; i < 16; i++) {
    const x = hasA ? v.u8[v.pos[a]! + i]! : 0;
    const y = hasB ? v.u8[v.pos[b]! + i]! : 0;
    if (x !== y) return false;
  }
  return true;
}

/** The library's NAT tests: with a status attribute the *_NAT_DONE bit must be set too. */
function isNat(v: MessageView, doneBit: number, a: number, b: number): boolean {
  if (v.pos[FLOW.status]! >= 0 && (v.num[FLOW.status]! & doneBit) === 0) return false;
  return !sameAddress(v, a, b);
}

function numberOption(w: ByteWriter, v: MessageView, slot: number, option: string, map?: (n: number) => string | number): void {
  if (v.pos[slot]! < 0) return;
  const n = v.num[slot]!;
  w.text(option + " " + (map === undefined ? n : map(n)) + " ");
}

const PORT_OPTS = ["--sport", "--dport", "--reply-port-src", "--reply-port-dst"] as const;
const GRE_OPTS = ["--srckey", "--dstkey", "--reply-key-src", "--reply-key-dst"] as const;

function portOptions(w: ByteWriter, v: MessageView, names: readonly string[]): void {
  numberOption(w, v, FLOW.orig + TUPLE.srcPort, names[0]!);
  numberOption(w, v, FLOW.orig + TUPLE.dstPort, names[1]!);
  numberOption(w, v, FLOW.reply + TUPLE.srcPort, names[2]!);
  numberOption(w, v, FLOW.reply + TUPLE.dstPort, names[3]!);
}

/**
 * ICMP type/code/id: the library marks them set from whichever tuple carried them, and reads the
 * ORIGINAL tuple's values.
 */
function icmpOptions(w: ByteWriter, v: MessageView, v6: boolean): void {
  const opt = v6 ? "--icmpv6-" : "--icmp-";
  for (const [name, f4, f6] of [["type", TUPLE.icmpType, TUPLE.icmpv6Type], ["code", TUPLE.icmpCode, TUPLE.icmpv6Code], ["id", TUPLE.icmpId, TUPLE.icmpv6Id]] as const) {
    const set = [FLOW.orig, FLOW.reply].some((b) => v.pos[b + f4]! >= 0 || v.pos[b + f6]! >= 0);
    if (!set) continue;
    const value = v.pos[FLOW.orig + f6]! >= 0 ? v.num[FLOW.orig + f6]! : numOr0(v, FLOW.orig + f4);
    w.text(opt + name + " " + value + " ");
  }
}

function protocolOptions(w: ByteWriter, v: MessageView, protonum: number): void {
  switch (protonum) {
    case IPPROTO_TCP:
      portOptions(w, v, PORT_OPTS);
      numberOption(w, v, FLOW.tcpState, "--state", (n) => saveMapped(TCP_STATES, n));
      return;
    case IPPROTO_UDP:
    case IPPROTO_UDPLITE:
      portOptions(w, v, PORT_OPTS);
      return;
    case IPPROTO_SCTP:
      portOptions(w, v, PORT_OPTS);
      numberOption(w, v, FLOW.sctpState, "--state", (n) => saveMapped(SAVE_SCTP_STATES, n));
      numberOption(w, v, FLOW.sctpVtagOriginal, "--orig-vtag", bswap32);
      numberOption(w, v, FLOW.sctpVtagReply, "--reply-vtag", bswap32);
      return;
    case IPPROTO_DCCP:
      portOptions(w, v, PORT_OPTS);
      numberOption(w, v, FLOW.dccpState, "--state", (n) => saveMapped(DCCP_STATES, n));
      numberOption(w, v, FLOW.dccpRole, "--role", (n) => saveMapped(SAVE_DCCP_ROLES, n));
      return;
    case IPPROTO_ICMP:
      icmpOptions(w, v, false);
      return;
    case IPPROTO_ICMPV6:
      icmpOptions(w, v, true);
      return;
    case IPPROTO_GRE:
      // GRE keys are printed in decimal here, unlike the 0x form of the default output.
      portOptions(w, v, GRE_OPTS);
      return;
    default:
      return;
  }
}

const T = { s: latin1("-s "), d: latin1("-d "), g: latin1("-g "), r: latin1("-r "), n: latin1("-n "), q: latin1("-q ") };

function addressOption(w: ByteWriter, v: MessageView, slot: number, option: Uint8Array): void {
  w.lit(option);
  w.address(v, slot);
  w.byte(0x20);
}

/**
 * Writes the saved line (no newline). Returns `WARNING: unsupported l3proto N, skipping.` for
 * stderr when the family is neither IPv4 nor IPv6 (the line is then the partial one conntrack prints).
 */
export function writeConntrackSave(w: ByteWriter, v: MessageView, ctx: MessageContext, kind: SaveKind): string | undefined {
  w.beginLine();
  w.text(PREFIX[kind]);
  numberOption(w, v, FLOW.timeout, "-t");
  numberOption(w, v, FLOW.status, "-u", statusText);
  if (v.pos[FLOW.secmark]! >= 0) w.text("-c " + secmarkNumber(v.bytes(FLOW.secmark)) + " ");
  numberOption(w, v, FLOW.zone, "-w");
  numberOption(w, v, FLOW.orig + TUPLE.zone, "--orig-zone");
  numberOption(w, v, FLOW.reply + TUPLE.zone, "--reply-zone");

  const family = tupleFamily(v, FLOW.tupleOrig, ctx.family) || tupleFamily(v, FLOW.tupleReply, ctx.family);
  if (family !== AF_INET && family !== AF_INET6) {
    // conntrack returns before trimming, so the partial line keeps its trailing space.
    w.trimLineEnd(0);
    return "WARNING: unsupported l3proto " + family + ", skipping.";
  }
  const v4 = family === AF_INET;
  const oSrc = FLOW.orig + (v4 ? TUPLE.v4src : TUPLE.v6src);
  const oDst = FLOW.orig + (v4 ? TUPLE.v4dst : TUPLE.v6dst);
  const rSrc = FLOW.reply + (v4 ? TUPLE.v4src : TUPLE.v6src);
  const rDst = FLOW.reply + (v4 ? TUPLE.v4dst : TUPLE.v6dst);
  if (v.pos[oSrc]! >= 0) addressOption(w, v, oSrc, T.s);
  if (v.pos[oDst]! >= 0) addressOption(w, v, oDst, T.d);
  if (v.pos[rSrc]! >= 0) addressOption(w, v, rSrc, isNat(v, IPS_DST_NAT_DONE, rSrc, oDst) ? T.g : T.r);
  if (v.pos[rDst]! >= 0) addressOption(w, v, rDst, isNat(v, IPS_SRC_NAT_DONE, rDst, oSrc) ? T.n : T.q);

  const protonum = numOr0(v, FLOW.orig + TUPLE.protoNum);
  const name = l4Name(protonum);
  if (name === "unknown") w.text("-p " + protonum + " ");
  else {
    w.text("-p " + name + " ");
    protocolOptions(w, v, protonum);
  }
  w.trimLineEnd(Infinity);
  return undefined;
}
