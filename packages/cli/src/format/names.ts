// Names and numbers the formatters print or test. The facts live once: protocol and state names
// and the status bit names in @tsconntrack/conntrack, status and expectation flag values in the
// generated spec enums. What is only 1.4.7's presentation (the L4 layouts, save's own tables) is here.
import { NfCtExpectFlags, NfCtStatus } from "@tsconntrack/codec/conntrack";
import {
  DCCP_STATE_NAMES, IPPROTO_DCCP, IPPROTO_GRE, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP,
  IPPROTO_UDPLITE, SCTP_STATE_NAMES, STATUS_BIT_NAMES, TCP_STATE_NAMES, familyName, protocolName, protocolText, stateText,
} from "@tsconntrack/conntrack";

export { AF_INET, AF_INET6, IPPROTO_DCCP, IPPROTO_GRE, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDPLITE } from "@tsconntrack/conntrack";

/** L4 protocol name; every protocol without a conntrack extension is "unknown". */
export const l4Name = protocolText;

/** True when conntrack has a protocol extension (and so a `-p NAME` in save output). */
export function hasL4Extension(protonum: number): boolean {
  return protocolName(protonum) !== undefined;
}

/** "ipv4", "ipv6" or "unknown". */
export const l3Name = familyName;

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

export const TCP_STATES = TCP_STATE_NAMES;
export const SCTP_STATES = SCTP_STATE_NAMES;
export const DCCP_STATES = DCCP_STATE_NAMES;

/** Library lookup: an index outside the table prints as NONE. */
export const stateName = stateText;

/**
 * conntrack's own SCTP table (save output) stops at SHUTDOWN_ACK_SENT; glibc prints a NULL `%s`
 * as "(null)", which is what the missing entries and out-of-range values produce.
 */
export const SAVE_SCTP_STATES: readonly string[] = SCTP_STATES.slice(0, 8);
export const SAVE_DCCP_ROLES: readonly string[] = ["client", "server"];

export function saveMapped(table: readonly string[], value: number): string {
  return table[value] ?? "(null)";
}

/** enum ip_conntrack_status bit names, bit i → STATUS_BITS[i]. */
export const STATUS_BITS = STATUS_BIT_NAMES;

export const IPS_EXPECTED = NfCtStatus.expected;
export const IPS_SEEN_REPLY = NfCtStatus.seenReply;
export const IPS_ASSURED = NfCtStatus.assured;
export const IPS_SRC_NAT_DONE = NfCtStatus.srcNatDone;
export const IPS_DST_NAT_DONE = NfCtStatus.dstNatDone;
export const IPS_FIXED_TIMEOUT = NfCtStatus.fixedTimeout;
export const IPS_OFFLOAD = NfCtStatus.offload;
export const IPS_HW_OFFLOAD = NfCtStatus.hwOffload;

/** NF_CT_EXPECT_* flags. */
export const EXPECT_PERMANENT = NfCtExpectFlags.permanent;
export const EXPECT_INACTIVE = NfCtExpectFlags.inactive;
export const EXPECT_USERSPACE = NfCtExpectFlags.userspace;
