// Which parts of an -E command line the event socket's BPF filter runs: the family, the L4 protocol,
// addresses (exact or masked), ports/keys and ICMP fields, in either direction. Everything else (mark,
// labels, status, zones, NAT, states) stays in user space, which also re-checks all of these.

import type { Address, ParsedCommand } from "../args/types.js";
import { familyNumber } from "../commands/filter.js";
import type { AttributeCheck, EventFilterSpec } from "./bpf.js";

// Attribute numbers from include/uapi/linux/netfilter/nfnetlink_conntrack.h.
const CTA_TUPLE_ORIG = 1;
const CTA_TUPLE_REPLY = 2;
const CTA_TUPLE_IP = 1;
const CTA_TUPLE_PROTO = 2;
const CTA_IP_V4_SRC = 1;
const CTA_IP_V4_DST = 2;
const CTA_IP_V6_SRC = 3;
const CTA_IP_V6_DST = 4;
const CTA_PROTO_NUM = 1;
const CTA_PROTO_SRC_PORT = 2;
const CTA_PROTO_DST_PORT = 3;
const CTA_PROTO_ICMP_ID = 4;
const CTA_PROTO_ICMP_TYPE = 5;
const CTA_PROTO_ICMP_CODE = 6;
const CTA_PROTO_ICMPV6_ID = 7;
const CTA_PROTO_ICMPV6_TYPE = 8;
const CTA_PROTO_ICMPV6_CODE = 9;
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;

function words(bytes: Uint8Array, mask: Uint8Array | undefined): { value: number; mask?: number }[] {
  const out: { value: number; mask?: number }[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    const value = ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0;
    if (mask === undefined) out.push({ value });
    else out.push({ value, mask: ((mask[i]! << 24) | (mask[i + 1]! << 16) | (mask[i + 2]! << 8) | mask[i + 3]!) >>> 0 });
  }
  return out;
}

function addressCheck(direction: number, which: "src" | "dst", address: Address, mask: Address | undefined): AttributeCheck {
  const v4 = address.family === "ipv4";
  const type = v4 ? (which === "src" ? CTA_IP_V4_SRC : CTA_IP_V4_DST) : which === "src" ? CTA_IP_V6_SRC : CTA_IP_V6_DST;
  return { path: [direction, CTA_TUPLE_IP, type], size: 4, words: words(address.bytes, mask?.bytes) };
}

function protoCheck(direction: number, type: number, size: 1 | 2, value: number): AttributeCheck {
  return { path: [direction, CTA_TUPLE_PROTO, type], size, words: [{ value }] };
}

/** The kernel-side part of the event filter for `cmd` (the user-space filter stays the definition). */
export function eventFilterSpec(cmd: ParsedCommand): EventFilterSpec {
  const checks: AttributeCheck[] = [];
  const family = familyNumber(cmd.family);
  const { orig, reply, mask, l4 } = cmd;
  // A mask is compared on the orig tuple with the command's family (networkMatcher).
  if (orig.src !== undefined) checks.push(addressCheck(CTA_TUPLE_ORIG, "src", orig.src, mask.src));
  if (orig.dst !== undefined) checks.push(addressCheck(CTA_TUPLE_ORIG, "dst", orig.dst, mask.dst));
  if (reply.src !== undefined) checks.push(addressCheck(CTA_TUPLE_REPLY, "src", reply.src, undefined));
  if (reply.dst !== undefined) checks.push(addressCheck(CTA_TUPLE_REPLY, "dst", reply.dst, undefined));
  const protonum = cmd.proto?.protonum;
  if (protonum !== undefined) {
    checks.push(protoCheck(CTA_TUPLE_ORIG, CTA_PROTO_NUM, 1, protonum));
    if (protonum === IPPROTO_ICMP || protonum === IPPROTO_ICMPV6) {
      const v6 = protonum === IPPROTO_ICMPV6;
      if (l4.icmpType !== undefined) checks.push(protoCheck(CTA_TUPLE_ORIG, v6 ? CTA_PROTO_ICMPV6_TYPE : CTA_PROTO_ICMP_TYPE, 1, l4.icmpType));
      if (l4.icmpCode !== undefined) checks.push(protoCheck(CTA_TUPLE_ORIG, v6 ? CTA_PROTO_ICMPV6_CODE : CTA_PROTO_ICMP_CODE, 1, l4.icmpCode));
      if (l4.icmpId !== undefined) checks.push(protoCheck(CTA_TUPLE_ORIG, v6 ? CTA_PROTO_ICMPV6_ID : CTA_PROTO_ICMP_ID, 2, l4.icmpId));
    } else {
      if (l4.origSport !== undefined) checks.push(protoCheck(CTA_TUPLE_ORIG, CTA_PROTO_SRC_PORT, 2, l4.origSport));
      if (l4.origDport !== undefined) checks.push(protoCheck(CTA_TUPLE_ORIG, CTA_PROTO_DST_PORT, 2, l4.origDport));
      if (l4.replySport !== undefined) checks.push(protoCheck(CTA_TUPLE_REPLY, CTA_PROTO_SRC_PORT, 2, l4.replySport));
      if (l4.replyDport !== undefined) checks.push(protoCheck(CTA_TUPLE_REPLY, CTA_PROTO_DST_PORT, 2, l4.replyDport));
    }
  }
  return cmd.familyGiven && family !== 0 ? { family, checks } : { checks };
}
