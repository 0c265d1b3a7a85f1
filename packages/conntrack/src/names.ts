/** Names for conntrack numbers: status bits, protocol states, L3/L4 protocols. */
import {
  AF_INET,
  AF_INET6,
  IPPROTO_DCCP,
  IPPROTO_GRE,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPPROTO_UDPLITE,
} from "./constants.js";

/** enum ip_conntrack_status, bit i → STATUS_BIT_NAMES[i] (uAPI spelling; bit 12 is reused in-kernel as NAT_CLASH). */
export const STATUS_BIT_NAMES: readonly string[] = [
  "EXPECTED",
  "SEEN_REPLY",
  "ASSURED",
  "CONFIRMED",
  "SRC_NAT",
  "DST_NAT",
  "SEQ_ADJUST",
  "SRC_NAT_DONE",
  "DST_NAT_DONE",
  "DYING",
  "FIXED_TIMEOUT",
  "TEMPLATE",
  "UNTRACKED",
  "HELPER",
  "OFFLOAD",
  "HW_OFFLOAD",
];

/** Names of the status bits set in `bits`, lowest bit first; unnamed bits appear as "BIT_n". */
export function statusNames(bits: number): string[] {
  const names: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    if (((bits >>> bit) & 1) === 1) names.push(STATUS_BIT_NAMES[bit] ?? `BIT_${bit}`);
  }
  return names;
}

/** The status bit mask of a list of names (case-insensitive; "BIT_n" accepted); undefined for an unknown name. */
export function statusBits(names: readonly string[]): number | undefined {
  let bits = 0;
  for (const name of names) {
    const upper = name.toUpperCase();
    let bit = STATUS_BIT_NAMES.indexOf(upper === "NAT_CLASH" ? "UNTRACKED" : upper === "SEQ_ADJ" ? "SEQ_ADJUST" : upper);
    if (bit < 0 && /^BIT_\d+$/.test(upper)) bit = Number(upper.slice(4));
    if (bit < 0 || bit > 31) return undefined;
    bits = (bits | (1 << bit)) >>> 0;
  }
  return bits;
}

/** enum tcp_conntrack values 0..9 (9 is SYN_SENT2, formerly LISTEN). */
export const TCP_STATE_NAMES: readonly string[] = [
  "NONE",
  "SYN_SENT",
  "SYN_RECV",
  "ESTABLISHED",
  "FIN_WAIT",
  "CLOSE_WAIT",
  "LAST_ACK",
  "TIME_WAIT",
  "CLOSE",
  "SYN_SENT2",
];

/** enum sctp_conntrack values 0..9. */
export const SCTP_STATE_NAMES: readonly string[] = [
  "NONE",
  "CLOSED",
  "COOKIE_WAIT",
  "COOKIE_ECHOED",
  "ESTABLISHED",
  "SHUTDOWN_SENT",
  "SHUTDOWN_RECD",
  "SHUTDOWN_ACK_SENT",
  "HEARTBEAT_SENT",
  "HEARTBEAT_ACKED",
];

/** enum ct_dccp_states values 0..9. */
export const DCCP_STATE_NAMES: readonly string[] = [
  "NONE",
  "REQUEST",
  "RESPOND",
  "PARTOPEN",
  "OPEN",
  "CLOSEREQ",
  "CLOSING",
  "TIMEWAIT",
  "IGNORE",
  "INVALID",
];

export function tcpStateName(state: number): string | undefined {
  return TCP_STATE_NAMES[state];
}
export function sctpStateName(state: number): string | undefined {
  return SCTP_STATE_NAMES[state];
}
export function dccpStateName(state: number): string | undefined {
  return DCCP_STATE_NAMES[state];
}

/** A TCP/SCTP/DCCP state number from its name (case-insensitive), or undefined. */
export function stateNumber(protoNum: number, name: string): number | undefined {
  const table = protoNum === IPPROTO_TCP ? TCP_STATE_NAMES : protoNum === IPPROTO_SCTP ? SCTP_STATE_NAMES : protoNum === IPPROTO_DCCP ? DCCP_STATE_NAMES : [];
  const upper = name.toUpperCase();
  const index = table.indexOf(upper === "LISTEN" && protoNum === IPPROTO_TCP ? "SYN_SENT2" : upper);
  return index < 0 ? undefined : index;
}

const PROTOCOL_NAMES: ReadonlyMap<number, string> = new Map([
  [IPPROTO_ICMP, "icmp"],
  [IPPROTO_TCP, "tcp"],
  [IPPROTO_UDP, "udp"],
  [IPPROTO_DCCP, "dccp"],
  [IPPROTO_GRE, "gre"],
  [IPPROTO_ICMPV6, "icmpv6"],
  [IPPROTO_SCTP, "sctp"],
  [IPPROTO_UDPLITE, "udplite"],
]);
const PROTOCOL_NUMBERS: ReadonlyMap<string, number> = new Map([...PROTOCOL_NAMES].map(([n, s]) => [s, n]));

/** Name of an L4 protocol conntrack tracks specially ("tcp"), or undefined. */
export function protocolName(protoNum: number): string | undefined {
  return PROTOCOL_NAMES.get(protoNum);
}

/** Protocol number from a name ("tcp", "ipv6-icmp" too) or a decimal string. */
export function protocolNumber(name: string): number | undefined {
  const lower = name.toLowerCase();
  if (/^\d+$/.test(lower)) {
    const n = Number(lower);
    return n <= 255 ? n : undefined;
  }
  return PROTOCOL_NUMBERS.get(lower === "ipv6-icmp" ? "icmpv6" : lower);
}

/** "ipv4" / "ipv6" / "unknown". */
export function familyName(family: number): string {
  return family === AF_INET ? "ipv4" : family === AF_INET6 ? "ipv6" : "unknown";
}

/** AF_INET / AF_INET6 from "ipv4" / "ipv6" (or "inet"/"inet6"), undefined otherwise. */
export function familyNumber(name: string): number | undefined {
  const lower = name.toLowerCase();
  if (lower === "ipv4" || lower === "inet") return AF_INET;
  if (lower === "ipv6" || lower === "inet6") return AF_INET6;
  return undefined;
}
