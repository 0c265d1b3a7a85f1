/** Name tables conntrack 1.4.7 (with libnetfilter_conntrack 1.0.9) prints. Indexes are kernel values. */

export const AF_INET = 2;
export const AF_INET6 = 10;

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_DCCP = 33;
export const IPPROTO_GRE = 47;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_SCTP = 132;
export const IPPROTO_UDPLITE = 136;

const L4_NAMES: Readonly<Record<number, string>> = {
  [IPPROTO_TCP]: "tcp",
  [IPPROTO_UDP]: "udp",
  [IPPROTO_UDPLITE]: "udplite",
  [IPPROTO_ICMP]: "icmp",
  [IPPROTO_ICMPV6]: "icmpv6",
  [IPPROTO_SCTP]: "sctp",
  [IPPROTO_GRE]: "gre",
  [IPPROTO_DCCP]: "dccp",
};

/** L4 protocol name; every protocol without a conntrack extension is "unknown". */
export function l4Name(protonum: number): string {
  return L4_NAMES[protonum] ?? "unknown";
}

/** True when conntrack has a protocol extension (and so a `-p NAME` in save output). */
export function hasL4Extension(protonum: number): boolean {
  return L4_NAMES[protonum] !== undefined;
}

export function l3Name(family: number): string {
  return family === AF_INET ? "ipv4" : family === AF_INET6 ? "ipv6" : "unknown";
}

/** How a tuple's L4 part is printed, chosen by protonum alone (not by which attributes exist). */
export type L4Layout = "ports" | "gre" | "icmp" | "none";

export function l4Layout(protonum: number): L4Layout {
  switch (protonum) {
    case IPPROTO_TCP:
    case IPPROTO_UDP:
    case IPPROTO_UDPLITE:
    case IPPROTO_SCTP:
    case IPPROTO_DCCP:
      return "ports";
    case IPPROTO_GRE:
      return "gre";
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
      return "icmp";
    default:
      return "none";
  }
}

export const TCP_STATES: readonly string[] = [
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

export const SCTP_STATES: readonly string[] = [
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

export const DCCP_STATES: readonly string[] = [
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

/** Library lookup: an index outside the table prints as NONE. */
export function stateName(table: readonly string[], state: number): string {
  return table[state] ?? "NONE";
}

/**
 * conntrack's own SCTP table (save output) stops at SHUTDOWN_ACK_SENT; glibc prints a NULL `%s`
 * as "(null)", which is what the missing entries and out-of-range values produce.
 */
export const SAVE_SCTP_STATES: readonly string[] = SCTP_STATES.slice(0, 8);
export const SAVE_DCCP_ROLES: readonly string[] = ["client", "server"];

export function saveMapped(table: readonly string[], value: number): string {
  return table[value] ?? "(null)";
}

/** enum ip_conntrack_status bit names (uapi nf_conntrack_common.h), bit i → STATUS_BITS[i]. */
export const STATUS_BITS: readonly string[] = [
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

export const IPS_EXPECTED = 1 << 0;
export const IPS_SEEN_REPLY = 1 << 1;
export const IPS_ASSURED = 1 << 2;
export const IPS_SRC_NAT_DONE = 1 << 7;
export const IPS_DST_NAT_DONE = 1 << 8;
export const IPS_FIXED_TIMEOUT = 1 << 10;
export const IPS_OFFLOAD = 1 << 14;
export const IPS_HW_OFFLOAD = 1 << 15;

/** NF_CT_EXPECT_* flags. */
export const EXPECT_PERMANENT = 1 << 0;
export const EXPECT_INACTIVE = 1 << 1;
export const EXPECT_USERSPACE = 1 << 2;
