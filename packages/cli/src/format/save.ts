import type { ConntrackValue, EventType, MessageContext, TupleValue } from "./types.js";
import {
  AF_INET, AF_INET6, DCCP_STATES, IPPROTO_DCCP, IPPROTO_GRE, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_SCTP,
  IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDPLITE, IPS_DST_NAT_DONE, IPS_SRC_NAT_DONE, SAVE_DCCP_ROLES,
  SAVE_SCTP_STATES, TCP_STATES, l4Name, saveMapped,
} from "./names.js";
import { tupleFamily } from "./tuple.js";
import { secmarkNumber } from "./scalars.js";

/** Which command prefix a saved line gets: -A for dumps and NEW, -U for UPDATE, -D for -D and DESTROY. */
export type SaveKind = "dump" | "delete" | EventType;

export interface SaveResult {
  /** The line to print on stdout (no newline). */
  readonly line: string;
  /** `WARNING: unsupported l3proto N, skipping.` for stderr, when the family is neither IPv4 nor IPv6. */
  readonly warning?: string;
}

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

function ipKeys(family: number): { src: "ipV4Src" | "ipV6Src"; dst: "ipV4Dst" | "ipV6Dst" } {
  return family === AF_INET ? { src: "ipV4Src", dst: "ipV4Dst" } : { src: "ipV6Src", dst: "ipV6Dst" };
}

/** The library's NAT tests: with a status attribute the *_NAT_DONE bit must be set too. */
function isNat(status: number | undefined, doneBit: number, a: string | undefined, b: string | undefined, zero: string): boolean {
  if (status !== undefined && (status & doneBit) === 0) return false;
  return (a ?? zero) !== (b ?? zero);
}

/** The library keeps the vtag in host order and conntrack swaps it again: the value prints byte-swapped. */
function bswap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

function portOptions(orig: TupleValue | undefined, reply: TupleValue | undefined, names: readonly string[]): string {
  let s = "";
  const o = orig?.tupleProto;
  const r = reply?.tupleProto;
  if (o?.protoSrcPort !== undefined) s += names[0] + " " + o.protoSrcPort + " ";
  if (o?.protoDstPort !== undefined) s += names[1] + " " + o.protoDstPort + " ";
  if (r?.protoSrcPort !== undefined) s += names[2] + " " + r.protoSrcPort + " ";
  if (r?.protoDstPort !== undefined) s += names[3] + " " + r.protoDstPort + " ";
  return s;
}

const PORT_OPTS = ["--sport", "--dport", "--reply-port-src", "--reply-port-dst"] as const;
const GRE_OPTS = ["--srckey", "--dstkey", "--reply-key-src", "--reply-key-dst"] as const;

/**
 * ICMP type/code/id: the library marks them set from whichever tuple carried them, and reads the
 * ORIGINAL tuple's values.
 */
function icmpOptions(ct: ConntrackValue, v6: boolean): string {
  const p = ct.tupleOrig?.tupleProto;
  const r = ct.tupleReply?.tupleProto;
  const pick = (v4: "protoIcmpType" | "protoIcmpCode" | "protoIcmpId", v6k: "protoIcmpv6Type" | "protoIcmpv6Code" | "protoIcmpv6Id") => {
    const set = p?.[v4] !== undefined || p?.[v6k] !== undefined || r?.[v4] !== undefined || r?.[v6k] !== undefined;
    return set ? (p?.[v6k] ?? p?.[v4] ?? 0) : undefined;
  };
  const opt = v6 ? "--icmpv6-" : "--icmp-";
  const type = pick("protoIcmpType", "protoIcmpv6Type");
  const code = pick("protoIcmpCode", "protoIcmpv6Code");
  const id = pick("protoIcmpId", "protoIcmpv6Id");
  let s = "";
  if (type !== undefined) s += opt + "type " + type + " ";
  if (code !== undefined) s += opt + "code " + code + " ";
  if (id !== undefined) s += opt + "id " + id + " ";
  return s;
}

function protocolOptions(ct: ConntrackValue, protonum: number): string {
  const orig = ct.tupleOrig;
  const reply = ct.tupleReply;
  const pi = ct.protoinfo;
  switch (protonum) {
    case IPPROTO_TCP: {
      const state = pi?.protoinfoTcp?.tcpState;
      return portOptions(orig, reply, PORT_OPTS) + (state === undefined ? "" : "--state " + saveMapped(TCP_STATES, state) + " ");
    }
    case IPPROTO_UDP:
    case IPPROTO_UDPLITE:
      return portOptions(orig, reply, PORT_OPTS);
    case IPPROTO_SCTP: {
      const sctp = pi?.protoinfoSctp;
      let s = portOptions(orig, reply, PORT_OPTS);
      if (sctp?.sctpState !== undefined) s += "--state " + saveMapped(SAVE_SCTP_STATES, sctp.sctpState) + " ";
      if (sctp?.vtagOriginal !== undefined) s += "--orig-vtag " + bswap32(sctp.vtagOriginal) + " ";
      if (sctp?.vtagReply !== undefined) s += "--reply-vtag " + bswap32(sctp.vtagReply) + " ";
      return s;
    }
    case IPPROTO_DCCP: {
      const dccp = pi?.protoinfoDccp;
      let s = portOptions(orig, reply, PORT_OPTS);
      if (dccp?.dccpState !== undefined) s += "--state " + saveMapped(DCCP_STATES, dccp.dccpState) + " ";
      if (dccp?.dccpRole !== undefined) s += "--role " + saveMapped(SAVE_DCCP_ROLES, dccp.dccpRole) + " ";
      return s;
    }
    case IPPROTO_ICMP:
      return icmpOptions(ct, false);
    case IPPROTO_ICMPV6:
      return icmpOptions(ct, true);
    case IPPROTO_GRE:
      // GRE keys are printed in decimal here, unlike the 0x form of the default output.
      return portOptions(orig, reply, GRE_OPTS);
    default:
      return "";
  }
}

/** `-o save`: the entry as a conntrack command line (conntrack's own ct_save_snprintf). */
export function formatConntrackSave(ct: ConntrackValue, ctx: MessageContext, kind: SaveKind): SaveResult {
  let s = PREFIX[kind];
  const orig = ct.tupleOrig;
  const reply = ct.tupleReply;
  if (ct.timeout !== undefined) s += "-t " + ct.timeout + " ";
  if (ct.status !== undefined) s += "-u " + statusText(ct.status) + " ";
  if (ct.secmark !== undefined) s += "-c " + secmarkNumber(ct.secmark) + " ";
  if (ct.zone !== undefined) s += "-w " + ct.zone + " ";
  if (orig?.tupleZone !== undefined) s += "--orig-zone " + orig.tupleZone + " ";
  if (reply?.tupleZone !== undefined) s += "--reply-zone " + reply.tupleZone + " ";

  const family = tupleFamily(orig, ctx.family) || tupleFamily(reply, ctx.family);
  if (family !== AF_INET && family !== AF_INET6) {
    // conntrack returns before trimming, so the partial line keeps its trailing space.
    return { line: s, warning: "WARNING: unsupported l3proto " + family + ", skipping." };
  }
  const k = ipKeys(family);
  const zero = family === AF_INET ? "0.0.0.0" : "::";
  const oIp = orig?.tupleIp;
  const rIp = reply?.tupleIp;
  if (oIp?.[k.src] !== undefined) s += "-s " + oIp[k.src] + " ";
  if (oIp?.[k.dst] !== undefined) s += "-d " + oIp[k.dst] + " ";
  if (rIp?.[k.src] !== undefined) {
    s += (isNat(ct.status, IPS_DST_NAT_DONE, rIp[k.src], oIp?.[k.dst], zero) ? "-g " : "-r ") + rIp[k.src] + " ";
  }
  if (rIp?.[k.dst] !== undefined) {
    s += (isNat(ct.status, IPS_SRC_NAT_DONE, rIp[k.dst], oIp?.[k.src], zero) ? "-n " : "-q ") + rIp[k.dst] + " ";
  }

  const protonum = orig?.tupleProto?.protoNum ?? 0;
  const name = l4Name(protonum);
  s += name === "unknown" ? "-p " + protonum + " " : "-p " + name + " " + protocolOptions(ct, protonum);
  return { line: s.replace(/ +$/, "") };
}
