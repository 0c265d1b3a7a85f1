import type { TupleValue } from "./types.js";
import { AF_INET, AF_INET6, l4Layout } from "./names.js";

/**
 * The library gives every tuple of a message the nfgenmsg family, and only a tuple that was present
 * gets one; an absent tuple has family 0 and prints no addresses.
 */
export function tupleFamily(tuple: TupleValue | undefined, family: number): number {
  return tuple === undefined ? 0 : family;
}

/** Source and destination text, or undefined when the family is neither IPv4 nor IPv6. */
export function tupleAddresses(tuple: TupleValue | undefined, family: number): [string, string] | undefined {
  const ip = tuple?.tupleIp;
  if (family === AF_INET) return [ip?.ipV4Src ?? "0.0.0.0", ip?.ipV4Dst ?? "0.0.0.0"];
  if (family === AF_INET6) return [ip?.ipV6Src ?? "::", ip?.ipV6Dst ?? "::"];
  return undefined;
}

export function tupleProtonum(tuple: TupleValue | undefined): number {
  return tuple?.tupleProto?.protoNum ?? 0;
}

/** Ports (or GRE keys); missing attributes read as 0 because the library's tuple starts zeroed. */
export function tuplePorts(tuple: TupleValue | undefined): [number, number] {
  const p = tuple?.tupleProto;
  return [p?.protoSrcPort ?? 0, p?.protoDstPort ?? 0];
}

/** ICMP and ICMPv6 share one slot in the library, the ICMPv6 attribute being parsed last. */
export function tupleIcmp(tuple: TupleValue | undefined): [type: number, code: number, id: number] {
  const p = tuple?.tupleProto;
  return [
    p?.protoIcmpv6Type ?? p?.protoIcmpType ?? 0,
    p?.protoIcmpv6Code ?? p?.protoIcmpCode ?? 0,
    p?.protoIcmpv6Id ?? p?.protoIcmpId ?? 0,
  ];
}

/** `"src=A dst=B "` with the given tags, or "" for a family without addresses. */
export function addressText(tuple: TupleValue | undefined, family: number, srcTag: string, dstTag: string): string {
  const addrs = tupleAddresses(tuple, family);
  return addrs === undefined ? "" : srcTag + "=" + addrs[0] + " " + dstTag + "=" + addrs[1] + " ";
}

/** The L4 part of a tuple in the default format, chosen by protonum alone. */
export function l4Text(tuple: TupleValue | undefined): string {
  switch (l4Layout(tupleProtonum(tuple))) {
    case "ports": {
      const [s, d] = tuplePorts(tuple);
      return "sport=" + s + " dport=" + d + " ";
    }
    case "gre": {
      const [s, d] = tuplePorts(tuple);
      return "srckey=0x" + s.toString(16) + " dstkey=0x" + d.toString(16) + " ";
    }
    case "icmp": {
      const [type, code, id] = tupleIcmp(tuple);
      return "type=" + type + " code=" + code + " id=" + id + " ";
    }
    case "none":
      return "";
  }
}

/** The L4 part in XML: ports or keys only; ICMP and unknown protocols leave the element empty. */
export function l4Xml(tuple: TupleValue | undefined): string {
  switch (l4Layout(tupleProtonum(tuple))) {
    case "ports": {
      const [s, d] = tuplePorts(tuple);
      return "<sport>" + s + "</sport><dport>" + d + "</dport>";
    }
    case "gre": {
      const [s, d] = tuplePorts(tuple);
      return "<srckey>0x" + s.toString(16) + "</srckey><dstkey>0x" + d.toString(16) + "</dstkey>";
    }
    default:
      return "";
  }
}

/** `<src>A</src><dst>B</dst>`; an unknown family gives empty elements. */
export function addressXml(tuple: TupleValue | undefined, family: number): string {
  const addrs = tupleAddresses(tuple, family);
  return addrs === undefined
    ? "<src></src><dst></dst>"
    : "<src>" + addrs[0] + "</src><dst>" + addrs[1] + "</dst>";
}
