/**
 * The attributes of a conntrackd 1.4.7 state message (include/network.h `enum nta_attr`), as one
 * table: number, value shape and the exact length 1.4.7's parser requires (src/parse.c: a fixed
 * attribute whose nta_len differs is a malformed message; variable ones have a maximum).
 *
 * Why not a YNL spec compiled by @tsconntrack/codec: these are not netlink attributes. The header
 * is `struct netattr { be16 nta_len; be16 nta_attr; }` in network byte order (nlattr is host
 * order, and the codec's reader and writer are built on that), there are no nests or flag bits,
 * the message header is conntrackd's own 8/16-byte `struct nethdr`, and several values are
 * fixed-layout groups (`nfct_attr_grp_ipv4` = two be32 addresses) rather than attributes. The
 * spec format has no way to say "big-endian TLV header", so a small table-driven codec it is.
 */
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from "@tsconntrack/codec";

/** NTA_* numbers (include/network.h). */
export const NTA = {
  IPV4: 0, IPV6: 1, L4PROTO: 2, PORT: 3, TCP_STATE: 4, STATUS: 5, TIMEOUT: 6, MARK: 7,
  MASTER_IPV4: 8, MASTER_IPV6: 9, MASTER_L4PROTO: 10, MASTER_PORT: 11, SNAT_IPV4: 12, DNAT_IPV4: 13,
  SPAT_PORT: 14, DPAT_PORT: 15, NAT_SEQ_ADJ: 16, SCTP_STATE: 17, SCTP_VTAG_ORIG: 18, SCTP_VTAG_REPL: 19,
  DCCP_STATE: 20, DCCP_ROLE: 21, ICMP_TYPE: 22, ICMP_CODE: 23, ICMP_ID: 24, TCP_WSCALE_ORIG: 25,
  TCP_WSCALE_REPL: 26, HELPER_NAME: 27, LABELS: 28, SNAT_IPV6: 29, DNAT_IPV6: 30, SYNPROXY: 31, ZONE: 32,
} as const;
/** NTA_MAX: an attribute number at or above it makes 1.4.7 drop the message. */
export const NTA_MAX = 33;

/** NTA_EXP_* numbers (expectation messages; decoded for counting only). */
export const NTA_EXP_MAX = 21;

export interface AddressPair {
  src: string;
  dst: string;
}
export interface PortPair {
  sport: number;
  dport: number;
}
/** struct nta_attr_natseqadj. */
export interface NatSeqAdj {
  origCorrectionPos: number;
  origOffsetBefore: number;
  origOffsetAfter: number;
  replCorrectionPos: number;
  replOffsetBefore: number;
  replOffsetAfter: number;
}
/** struct nta_attr_synproxy. */
export interface Synproxy {
  its: number;
  isn: number;
  tsoff: number;
}

/** The attributes of one conntrack state message, by 1.4.7's names. Every member is optional. */
export interface NtaAttrs {
  ipv4?: AddressPair;
  ipv6?: AddressPair;
  l4proto?: number;
  port?: PortPair;
  tcpState?: number;
  status?: number;
  timeout?: number;
  mark?: number;
  masterIpv4?: AddressPair;
  masterIpv6?: AddressPair;
  masterL4proto?: number;
  masterPort?: PortPair;
  snatIpv4?: string;
  dnatIpv4?: string;
  spatPort?: number;
  dpatPort?: number;
  natSeqAdj?: NatSeqAdj;
  sctpState?: number;
  sctpVtagOrig?: number;
  sctpVtagRepl?: number;
  dccpState?: number;
  dccpRole?: number;
  icmpType?: number;
  icmpCode?: number;
  icmpId?: number;
  tcpWscaleOrig?: number;
  tcpWscaleRepl?: number;
  helperName?: string;
  /** NTA_LABELS: the words as sent (each be32 holds label bits 32i..32i+31). */
  labels?: Uint8Array;
  snatIpv6?: string;
  dnatIpv6?: string;
  synproxy?: Synproxy;
  zone?: number;
}

type Kind =
  | "u8" | "u16" | "u32"
  // ct_build_u16 applied to a value libnetfilter_conntrack keeps in network order (ICMP id, NAT
  // ports): htons swaps it once more, so on the little-endian hosts conntrackd runs on these two
  // bytes travel least significant first.
  | "u16swapped"

  | "ipv4" | "ipv6" // one address, as ct_build_be32 / ct_build_be128 write it
  | "ipv4pair" | "ipv6pair" | "portpair"
  | "natseqadj" | "synproxy"
  | "string" // NUL-terminated
  | "labels";

interface AttrSpec {
  readonly type: number;
  readonly key: keyof NtaAttrs;
  readonly kind: Kind;
  /** Largest nta_len 1.4.7 accepts for a variable attribute (h[].max_size). */
  readonly maxLen?: number;
}

const VALUE_SIZE: Record<Exclude<Kind, "string" | "labels">, number> = {
  u8: 1, u16: 2, u16swapped: 2, u32: 4, ipv4: 4, ipv6: 16, ipv4pair: 8, ipv6pair: 32, portpair: 4, natseqadj: 24, synproxy: 12,
};

/**
 * The table, in the order ct2msg (src/build.c) writes attributes; the per-protocol groups never
 * meet in one message, so one order serves every protocol and our bytes equal 1.4.7's.
 */
export const NTA_SPECS: readonly AttrSpec[] = [
  { type: NTA.IPV4, key: "ipv4", kind: "ipv4pair" },
  { type: NTA.IPV6, key: "ipv6", kind: "ipv6pair" },
  { type: NTA.STATUS, key: "status", kind: "u32" },
  { type: NTA.L4PROTO, key: "l4proto", kind: "u8" },
  { type: NTA.PORT, key: "port", kind: "portpair" },
  { type: NTA.TCP_STATE, key: "tcpState", kind: "u8" },
  { type: NTA.TCP_WSCALE_ORIG, key: "tcpWscaleOrig", kind: "u8" },
  { type: NTA.TCP_WSCALE_REPL, key: "tcpWscaleRepl", kind: "u8" },
  { type: NTA.SCTP_STATE, key: "sctpState", kind: "u8" },
  { type: NTA.SCTP_VTAG_ORIG, key: "sctpVtagOrig", kind: "u32" },
  { type: NTA.SCTP_VTAG_REPL, key: "sctpVtagRepl", kind: "u32" },
  { type: NTA.DCCP_STATE, key: "dccpState", kind: "u8" },
  { type: NTA.DCCP_ROLE, key: "dccpRole", kind: "u8" },
  { type: NTA.ICMP_TYPE, key: "icmpType", kind: "u8" },
  { type: NTA.ICMP_CODE, key: "icmpCode", kind: "u8" },
  { type: NTA.ICMP_ID, key: "icmpId", kind: "u16swapped" },
  { type: NTA.TIMEOUT, key: "timeout", kind: "u32" },
  { type: NTA.MARK, key: "mark", kind: "u32" },
  { type: NTA.MASTER_IPV4, key: "masterIpv4", kind: "ipv4pair" },
  { type: NTA.MASTER_IPV6, key: "masterIpv6", kind: "ipv6pair" },
  { type: NTA.MASTER_L4PROTO, key: "masterL4proto", kind: "u8" },
  { type: NTA.MASTER_PORT, key: "masterPort", kind: "portpair" },
  { type: NTA.SNAT_IPV4, key: "snatIpv4", kind: "ipv4" },
  { type: NTA.DNAT_IPV4, key: "dnatIpv4", kind: "ipv4" },
  { type: NTA.SNAT_IPV6, key: "snatIpv6", kind: "ipv6" },
  { type: NTA.DNAT_IPV6, key: "dnatIpv6", kind: "ipv6" },
  { type: NTA.SPAT_PORT, key: "spatPort", kind: "u16swapped" },
  { type: NTA.DPAT_PORT, key: "dpatPort", kind: "u16swapped" },
  { type: NTA.NAT_SEQ_ADJ, key: "natSeqAdj", kind: "natseqadj" },
  // NFCT_HELPER_NAME_MAX (16) bounds nta_len, header included.
  { type: NTA.HELPER_NAME, key: "helperName", kind: "string", maxLen: 16 },
  // NTA_SIZE(NTA_LABELS_MAX_SIZE): 4 + 1024.
  { type: NTA.LABELS, key: "labels", kind: "labels", maxLen: 4 + 1024 },
  { type: NTA.SYNPROXY, key: "synproxy", kind: "synproxy" },
  { type: NTA.ZONE, key: "zone", kind: "u16" },
];

export const SPEC_BY_TYPE: readonly (AttrSpec | undefined)[] = (() => {
  const table: (AttrSpec | undefined)[] = new Array(NTA_MAX).fill(undefined);
  for (const spec of NTA_SPECS) table[spec.type] = spec;
  return table;
})();

export const NTA_HEADER = 4;
export const ntaAlign = (n: number): number => (n + 3) & ~3;

// Values.

function ipv4Text(bytes: Uint8Array, at: number): string {
  return formatIPv4(((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0);
}
function writeIpv4(buf: Uint8Array, at: number, text: string): void {
  const parsed = parseIPv4(text);
  if (parsed === undefined) throw new RangeError(`not an IPv4 address: ${text}`);
  new DataView(buf.buffer, buf.byteOffset, buf.byteLength).setUint32(at, parsed >>> 0);
}
function writeIpv6(buf: Uint8Array, at: number, text: string): void {
  const parsed = parseIPv6(text);
  if (parsed === undefined) throw new RangeError(`not an IPv6 address: ${text}`);
  buf.set(parsed, at);
}

/** Length of the value in bytes for the encoder. */
function valueLength(spec: AttrSpec, value: unknown): number {
  if (spec.kind === "string") return (value as string).length + 1;
  if (spec.kind === "labels") return (value as Uint8Array).length;
  return VALUE_SIZE[spec.kind];
}

function writeValue(spec: AttrSpec, value: unknown, buf: Uint8Array, at: number): void {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  switch (spec.kind) {
    case "u8": dv.setUint8(at, value as number); return;
    case "u16": dv.setUint16(at, value as number); return;
    case "u16swapped": dv.setUint16(at, value as number, true); return;
    case "u32": dv.setUint32(at, (value as number) >>> 0); return;
    case "ipv4": writeIpv4(buf, at, value as string); return;
    case "ipv6": writeIpv6(buf, at, value as string); return;
    case "ipv4pair": {
      const p = value as AddressPair;
      writeIpv4(buf, at, p.src);
      writeIpv4(buf, at + 4, p.dst);
      return;
    }
    case "ipv6pair": {
      const p = value as AddressPair;
      writeIpv6(buf, at, p.src);
      writeIpv6(buf, at + 16, p.dst);
      return;
    }
    case "portpair": {
      const p = value as PortPair;
      dv.setUint16(at, p.sport);
      dv.setUint16(at + 2, p.dport);
      return;
    }
    case "natseqadj": {
      const n = value as NatSeqAdj;
      const words = [n.origCorrectionPos, n.origOffsetBefore, n.origOffsetAfter, n.replCorrectionPos, n.replOffsetBefore, n.replOffsetAfter];
      words.forEach((w, i) => dv.setUint32(at + 4 * i, w >>> 0));
      return;
    }
    case "synproxy": {
      const s = value as Synproxy;
      dv.setUint32(at, s.its >>> 0);
      dv.setUint32(at + 4, s.isn >>> 0);
      dv.setUint32(at + 8, s.tsoff >>> 0);
      return;
    }
    case "string": {
      // Byte for byte (latin1): names are ASCII, and any other byte survives a round trip.
      const text = value as string;
      for (let i = 0; i < text.length; i++) buf[at + i] = text.charCodeAt(i) & 0xff;
      return; // the NUL is already zero
    }
    case "labels": buf.set(value as Uint8Array, at); return;
  }
}

/** The attribute bytes of a message (without the nethdr), in 1.4.7's order. */
export function encodeNtaAttrs(attrs: NtaAttrs): Uint8Array {
  let total = 0;
  for (const spec of NTA_SPECS) {
    const v = attrs[spec.key];
    if (v !== undefined) total += ntaAlign(NTA_HEADER + valueLength(spec, v));
  }
  const buf = new Uint8Array(total);
  const dv = new DataView(buf.buffer);
  let at = 0;
  for (const spec of NTA_SPECS) {
    const v = attrs[spec.key];
    if (v === undefined) continue;
    const len = NTA_HEADER + valueLength(spec, v);
    dv.setUint16(at, len);
    dv.setUint16(at + 2, spec.type);
    writeValue(spec, v, buf, at + NTA_HEADER);
    at += ntaAlign(len);
  }
  return buf;
}

/** Why 1.4.7's msg2ct would refuse the attributes (it then counts a malformed, bad-payload message). */
export type NtaDecodeFailure =
  | { reason: "attr-too-long"; offset: number }
  | { reason: "attr-too-short"; offset: number }
  | { reason: "unknown-attr"; offset: number; type: number }
  | { reason: "bad-attr-size"; offset: number; type: number; len: number };

export type NtaDecodeResult = { ok: true; attrs: NtaAttrs } | { ok: false; failure: NtaDecodeFailure };

function readValue(spec: AttrSpec, bytes: Uint8Array, at: number, len: number): unknown {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (spec.kind) {
    case "u8": return dv.getUint8(at);
    case "u16": return dv.getUint16(at);
    case "u16swapped": return dv.getUint16(at, true);
    case "u32": return dv.getUint32(at);
    case "ipv4": return ipv4Text(bytes, at);
    case "ipv6": return formatIPv6(bytes, at);
    case "ipv4pair": return { src: ipv4Text(bytes, at), dst: ipv4Text(bytes, at + 4) };
    case "ipv6pair": return { src: formatIPv6(bytes, at), dst: formatIPv6(bytes, at + 16) };
    case "portpair": return { sport: dv.getUint16(at), dport: dv.getUint16(at + 2) };
    case "natseqadj":
      return {
        origCorrectionPos: dv.getUint32(at), origOffsetBefore: dv.getUint32(at + 4), origOffsetAfter: dv.getUint32(at + 8),
        replCorrectionPos: dv.getUint32(at + 12), replOffsetBefore: dv.getUint32(at + 16), replOffsetAfter: dv.getUint32(at + 20),
      };
    case "synproxy": return { its: dv.getUint32(at), isn: dv.getUint32(at + 4), tsoff: dv.getUint32(at + 8) };
    case "string": {
      // nfct_set_attr copies up to the NUL (1.4.7 trusts the sender to include one).
      let end = at;
      while (end < at + len && bytes[end] !== 0) end++;
      return String.fromCharCode(...bytes.subarray(at, end));
    }
    case "labels": return bytes.slice(at, at + len);
  }
}

/**
 * Decodes the attributes of a state message with 1.4.7's checks (src/parse.c msg2ct): the loop
 * runs while more than a header's worth remains, every attribute must fit, be at least a header
 * long, have a number below NTA_MAX and, when fixed, exactly its size. NTA_LABELS whose length is
 * not a multiple of 4, or zero words, is skipped as 1.4.7 skips it.
 */
export function decodeNtaAttrs(bytes: Uint8Array, start: number, end: number): NtaDecodeResult {
  const attrs: NtaAttrs = {};
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = start;
  let len = end - start;
  while (len > NTA_HEADER) {
    const ntaLen = dv.getUint16(at);
    const type = dv.getUint16(at + 2);
    if (ntaLen > len) return { ok: false, failure: { reason: "attr-too-long", offset: at } };
    if (ntaLen < NTA_HEADER) return { ok: false, failure: { reason: "attr-too-short", offset: at } };
    if (type >= NTA_MAX) return { ok: false, failure: { reason: "unknown-attr", offset: at, type } };
    const spec = SPEC_BY_TYPE[type];
    // Numbers below NTA_MAX without a parser (none in 1.4.7) are skipped as it skips them.
    if (spec !== undefined) {
      const valueLen = ntaLen - NTA_HEADER;
      if (spec.maxLen === undefined) {
        if (valueLen !== VALUE_SIZE[spec.kind as keyof typeof VALUE_SIZE]) {
          return { ok: false, failure: { reason: "bad-attr-size", offset: at, type, len: ntaLen } };
        }
        (attrs as Record<string, unknown>)[spec.key] = readValue(spec, bytes, at + NTA_HEADER, valueLen);
      } else {
        if (ntaLen > spec.maxLen) return { ok: false, failure: { reason: "bad-attr-size", offset: at, type, len: ntaLen } };
        const skip = spec.kind === "labels" && (valueLen === 0 || valueLen % 4 !== 0);
        if (!skip) (attrs as Record<string, unknown>)[spec.key] = readValue(spec, bytes, at + NTA_HEADER, valueLen);
      }
    }
    at += ntaAlign(ntaLen);
    len -= ntaAlign(ntaLen);
  }
  return { ok: true, attrs };
}
