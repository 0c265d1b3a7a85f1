/**
 * Default conntrack timeouts (seconds) of current kernels, used when a created flow has none.
 * Real values are per network namespace sysctls (net.netfilter.nf_conntrack_*_timeout*).
 */
import { IPPROTO_DCCP, IPPROTO_GRE, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDPLITE } from "./constants.js";

/** TCP timeout by state number (NONE … SYN_SENT2). */
export const TCP_TIMEOUTS: readonly number[] = [
  120, // NONE: no kernel timeout; the SYN_SENT value is a safe choice
  120, // SYN_SENT
  60, // SYN_RECV
  432000, // ESTABLISHED (5 days)
  120, // FIN_WAIT
  60, // CLOSE_WAIT
  30, // LAST_ACK
  120, // TIME_WAIT
  10, // CLOSE
  120, // SYN_SENT2
];

export const DEFAULT_TIMEOUTS = {
  tcpEstablished: 432000,
  udp: 30,
  udpStream: 120,
  icmp: 30,
  icmpv6: 30,
  generic: 600,
  gre: 30,
  /** SCTP and DCCP timeouts depend on the state; a created entry without one gets this (our choice). */
  stateful: 30,
} as const;

/** The kernel's default timeout for a new entry of `protoNum` (TCP: of `tcpState`, default ESTABLISHED). */
export function defaultTimeout(protoNum: number, tcpState?: number): number {
  switch (protoNum) {
    case IPPROTO_TCP:
      return TCP_TIMEOUTS[tcpState ?? 3] ?? DEFAULT_TIMEOUTS.tcpEstablished;
    case IPPROTO_UDP:
    case IPPROTO_UDPLITE:
      return DEFAULT_TIMEOUTS.udp;
    case IPPROTO_ICMP:
      return DEFAULT_TIMEOUTS.icmp;
    case IPPROTO_ICMPV6:
      return DEFAULT_TIMEOUTS.icmpv6;
    case IPPROTO_GRE:
      return DEFAULT_TIMEOUTS.gre;
    case IPPROTO_SCTP:
    case IPPROTO_DCCP:
      return DEFAULT_TIMEOUTS.stateful;
    default:
      return DEFAULT_TIMEOUTS.generic;
  }
}
