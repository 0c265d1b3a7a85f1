// Building the attributes of -I/-A/-G requests from a parsed command line.

import { FLOW, TUPLE, type MessageView } from "@tsconntrack/conntrack";
import type { ConntrackAttrs, TupleAttrs, TupleProtoAttrs } from "@tsconntrack/codec/conntrack";
import { icmpReplyType } from "@tsconntrack/conntrack";
import type { Address, ParsedCommand } from "../args/types.js";

const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;
/** What libnetfilter_conntrack puts in a reply tuple for an ICMP type that has no reply. */
const ICMP_TYPE_WITHOUT_REPLY = 255;

function ipAttrs(src: Address | undefined, dst: Address | undefined): TupleAttrs["tupleIp"] | undefined {
  if (src === undefined && dst === undefined) return undefined;
  const family = (src ?? dst)!.family;
  if (family === "ipv4") {
    return { ...(src ? { ipV4Src: src.text } : {}), ...(dst ? { ipV4Dst: dst.text } : {}) };
  }
  return { ...(src ? { ipV6Src: src.text } : {}), ...(dst ? { ipV6Dst: dst.text } : {}) };
}

function protoAttrs(cmd: ParsedCommand, direction: "orig" | "reply"): TupleProtoAttrs | undefined {
  if (cmd.proto === undefined) return undefined;
  const protoNum = cmd.proto.protonum;
  const proto: TupleProtoAttrs = { protoNum };
  const l4 = cmd.l4;
  if (protoNum === IPPROTO_ICMP || protoNum === IPPROTO_ICMPV6) {
    // --icmp-* describe the original direction. The kernel needs type, code and id in every tuple it
    // is given (conntrack sends id 0 when --icmp-id is missing); a reply tuple given with -r/-q gets the
    // same code and id and the reply type (255, which the kernel refuses, for a type without a reply).
    const v6 = protoNum === IPPROTO_ICMPV6;
    proto[v6 ? "protoIcmpv6Id" : "protoIcmpId"] = l4.icmpId ?? 0;
    let type = l4.icmpType;
    if (type !== undefined && direction === "reply") type = icmpReplyType(protoNum, type) ?? ICMP_TYPE_WITHOUT_REPLY;
    if (type !== undefined) proto[v6 ? "protoIcmpv6Type" : "protoIcmpType"] = type;
    if (l4.icmpCode !== undefined) proto[v6 ? "protoIcmpv6Code" : "protoIcmpCode"] = l4.icmpCode;
    return proto;
  }
  const sport = direction === "orig" ? l4.origSport : l4.replySport;
  const dport = direction === "orig" ? l4.origDport : l4.replyDport;
  if (sport !== undefined) proto.protoSrcPort = sport;
  if (dport !== undefined) proto.protoDstPort = dport;
  return proto;
}

/** The tuple of one direction from -s/-d (or -r/-q) and the protocol options; undefined if no address. */
export function tupleFrom(cmd: ParsedCommand, direction: "orig" | "reply"): TupleAttrs | undefined {
  const addresses = direction === "orig" ? cmd.orig : cmd.reply;
  const ip = ipAttrs(addresses.src, addresses.dst);
  if (ip === undefined) return undefined;
  const tuple: TupleAttrs = { tupleIp: ip };
  const proto = protoAttrs(cmd, direction);
  if (proto !== undefined) tuple.tupleProto = proto;
  const zone = direction === "orig" ? cmd.origZone : cmd.replyZone;
  if (zone !== undefined) tuple.tupleZone = zone;
  return tuple;
}

/** The key -G looks up: the original tuple if complete, else the reply tuple; plus the zone and id. */
export function lookupKey(cmd: ParsedCommand): Pick<ConntrackAttrs, "tupleOrig" | "tupleReply" | "zone" | "id"> {
  const key: Pick<ConntrackAttrs, "tupleOrig" | "tupleReply" | "zone" | "id"> = {};
  const origComplete = cmd.orig.src !== undefined && cmd.orig.dst !== undefined;
  const tuple = tupleFrom(cmd, origComplete ? "orig" : "reply");
  if (tuple !== undefined) {
    if (origComplete) key.tupleOrig = tuple;
    else key.tupleReply = tuple;
  }
  if (cmd.zone !== undefined) key.zone = cmd.zone;
  if (cmd.id !== undefined) key.id = cmd.id;
  return key;
}

/** A label bitmap (host-order words, 16 bytes) with the given bits set. */
export function labelBitmap(bits: readonly number[], size = 16): Uint8Array {
  const bytes = new Uint8Array(size);
  for (const bit of bits) if (bit >>> 3 < size) bytes[bit >>> 3]! |= 1 << (bit & 7);
  return bytes;
}

/** AF_INET or AF_INET6 from the addresses of an entry's tuples (2 when it has none). */
export function entryFamily(flow: Pick<ConntrackAttrs, "tupleOrig" | "tupleReply">): number {
  const ip = flow.tupleOrig?.tupleIp ?? flow.tupleReply?.tupleIp;
  return ip?.ipV6Src !== undefined || ip?.ipV6Dst !== undefined ? 10 : 2;
}

/** entryFamily of an entry's view: its first tuple's addresses, not the message's family. */
export function viewEntryFamily(v: MessageView): number {
  const b = v.pos[FLOW.orig + TUPLE.ip]! >= 0 ? FLOW.orig : FLOW.reply;
  return v.pos[b + TUPLE.ip]! >= 0 && (v.pos[b + TUPLE.v6src]! >= 0 || v.pos[b + TUPLE.v6dst]! >= 0) ? 10 : 2;
}
