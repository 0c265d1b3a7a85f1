/**
 * Kernel flows (`ConntrackAttrs`, as ctnetlink dumps and events decode) to conntrackd's network
 * attributes and back, with the facts of conntrackd 1.4.7's ct2msg (src/build.c), msg2ct
 * (src/parse.c) and nl_create_conntrack / nl_update_conntrack (src/netlink.c).
 */
import type { ConntrackAttrs, TupleAttrs } from "@tsconntrack/conntrack";
import type { NtaAttrs } from "./nta.js";

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_DCCP = 33;
const IPPROTO_ICMPV6 = 58;
const IPPROTO_SCTP = 132;

export const IPS_EXPECTED = 1 << 0;
export const IPS_SEEN_REPLY = 1 << 1;
export const IPS_SRC_NAT = 1 << 4;
export const IPS_DST_NAT = 1 << 5;
export const IPS_NAT_MASK = IPS_SRC_NAT | IPS_DST_NAT;
export const IPS_SRC_NAT_DONE = 1 << 7;
export const IPS_DST_NAT_DONE = 1 << 8;
export const IPS_CONFIRMED = 1 << 3;
/** IP_CT_TCP_FLAG_BE_LIBERAL. */
const TCP_FLAG_BE_LIBERAL = 0x08;

export interface BuildOptions {
  /** `Options { TCPWindowTracking on }`: also send the window scale factors. */
  tcpWindowTracking: boolean;
  /** `CommitTimeout` set: the timeout does not travel. */
  commitTimeout: boolean;
}

/** libnetfilter_conntrack's bitmask to the NTA_LABELS words (each be32, bit b = label 32i+b). */
function labelsToWords(kernel: Uint8Array): Uint8Array | undefined {
  if (!kernel.some((b) => b !== 0)) return undefined;
  const words = Math.floor((kernel.length * 8 - 1) / 32) + 1;
  const out = new Uint8Array(words * 4);
  for (let bit = 0; bit < kernel.length * 8; bit++) {
    if ((kernel[bit >> 3]! & (1 << (bit & 7))) === 0) continue;
    const word = bit >> 5;
    const b = bit & 31;
    // be32: bit b of the word lives in byte 3 - (b >> 3).
    out[word * 4 + 3 - (b >> 3)]! |= 1 << (b & 7);
  }
  return out;
}

/** NTA_LABELS words back to the kernel's byte bitmap (CTA_LABELS, host order words on the wire). */
function wordsToLabels(words: Uint8Array): Uint8Array {
  const out = new Uint8Array(words.length);
  for (let bit = 0; bit < words.length * 8; bit++) {
    const word = bit >> 5;
    const b = bit & 31;
    if ((words[word * 4 + 3 - (b >> 3)]! & (1 << (b & 7))) !== 0) out[bit >> 3]! |= 1 << (bit & 7);
  }
  return out;
}

const ipsOf = (t: TupleAttrs | undefined): { src?: string; dst?: string; v6: boolean } => {
  const ip = t?.tupleIp;
  if (ip?.ipV4Src !== undefined || ip?.ipV4Dst !== undefined) return { src: ip.ipV4Src, dst: ip.ipV4Dst, v6: false };
  return { src: ip?.ipV6Src, dst: ip?.ipV6Dst, v6: true };
};

/** ct2msg: the attributes 1.4.7 sends for a kernel flow. */
export function flowToNta(ct: ConntrackAttrs, options: BuildOptions): NtaAttrs {
  const n: NtaAttrs = {};
  const orig = ct.tupleOrig;
  const reply = ct.tupleReply;
  const ip = orig?.tupleIp;
  if (ip?.ipV4Src !== undefined && ip.ipV4Dst !== undefined) n.ipv4 = { src: ip.ipV4Src, dst: ip.ipV4Dst };
  else if (ip?.ipV6Src !== undefined && ip.ipV6Dst !== undefined) n.ipv6 = { src: ip.ipV6Src, dst: ip.ipV6Dst };
  // nfct_get_attr_u32 of an unset attribute is 0, and ct_build_u32 writes it all the same.
  n.status = ct.status ?? 0;
  const proto = orig?.tupleProto;
  const l4 = proto?.protoNum ?? 0;
  n.l4proto = l4;
  const port = { sport: proto?.protoSrcPort ?? 0, dport: proto?.protoDstPort ?? 0 };
  const pi = ct.protoinfo;
  switch (l4) {
    case IPPROTO_TCP:
      n.port = port;
      if (pi?.protoinfoTcp?.tcpState !== undefined) {
        n.tcpState = pi.protoinfoTcp.tcpState;
        if (options.tcpWindowTracking) {
          n.tcpWscaleOrig = pi.protoinfoTcp.tcpWscaleOriginal ?? 0;
          n.tcpWscaleRepl = pi.protoinfoTcp.tcpWscaleReply ?? 0;
        }
      }
      break;
    case IPPROTO_SCTP:
      n.port = port;
      if (pi?.protoinfoSctp?.sctpState !== undefined) {
        n.sctpState = pi.protoinfoSctp.sctpState;
        n.sctpVtagOrig = pi.protoinfoSctp.vtagOriginal ?? 0;
        n.sctpVtagRepl = pi.protoinfoSctp.vtagReply ?? 0;
      }
      break;
    case IPPROTO_DCCP:
      n.port = port;
      if (pi?.protoinfoDccp?.dccpState !== undefined) {
        n.dccpState = pi.protoinfoDccp.dccpState;
        n.dccpRole = pi.protoinfoDccp.dccpRole ?? 0;
      }
      break;
    case IPPROTO_ICMP:
      if (proto?.protoIcmpType !== undefined) {
        n.icmpType = proto.protoIcmpType;
        n.icmpCode = proto.protoIcmpCode ?? 0;
        n.icmpId = proto.protoIcmpId ?? 0;
      }
      break;
    case IPPROTO_ICMPV6:
      if (proto?.protoIcmpv6Type !== undefined) {
        n.icmpType = proto.protoIcmpv6Type;
        n.icmpCode = proto.protoIcmpv6Code ?? 0;
        n.icmpId = proto.protoIcmpv6Id ?? 0;
      }
      break;
    case IPPROTO_UDP:
      n.port = port;
      break;
  }
  if (!options.commitTimeout && ct.timeout !== undefined) n.timeout = ct.timeout;
  if (ct.mark !== undefined) n.mark = ct.mark;

  const master = ct.tupleMaster;
  const mip = master?.tupleIp;
  const masterPort = master?.tupleProto;
  const masterPorts = masterPort?.protoSrcPort !== undefined && masterPort.protoDstPort !== undefined
    ? { sport: masterPort.protoSrcPort, dport: masterPort.protoDstPort } : undefined;
  if (mip?.ipV4Src !== undefined && mip.ipV4Dst !== undefined) {
    n.masterIpv4 = { src: mip.ipV4Src, dst: mip.ipV4Dst };
    n.masterL4proto = masterPort?.protoNum ?? 0;
    if (masterPorts) n.masterPort = masterPorts;
  } else if (mip?.ipV6Src !== undefined && mip.ipV6Dst !== undefined) {
    n.masterIpv6 = { src: mip.ipV6Src, dst: mip.ipV6Dst };
    n.masterL4proto = masterPort?.protoNum ?? 0;
    if (masterPorts) n.masterPort = masterPorts;
  }

  // NAT, as libnetfilter_conntrack's NFCT_GOPT_IS_SNAT/DNAT/SPAT/DPAT decide it.
  const status = ct.status;
  const srcDone = status === undefined || (status & IPS_SRC_NAT_DONE) !== 0;
  const dstDone = status === undefined || (status & IPS_DST_NAT_DONE) !== 0;
  const o = ipsOf(orig);
  const r = ipsOf(reply);
  if (reply !== undefined) {
    if (srcDone && r.dst !== undefined && r.dst !== o.src) {
      if (n.ipv4) n.snatIpv4 = r.dst;
      else if (n.ipv6) n.snatIpv6 = r.dst;
    }
    if (dstDone && r.src !== undefined && r.src !== o.dst) {
      if (n.ipv4) n.dnatIpv4 = r.src;
      else if (n.ipv6) n.dnatIpv6 = r.src;
    }
    const rp = reply.tupleProto;
    if (srcDone && (rp?.protoDstPort ?? 0) !== (proto?.protoSrcPort ?? 0)) n.spatPort = rp?.protoDstPort ?? 0;
    if (dstDone && (rp?.protoSrcPort ?? 0) !== (proto?.protoDstPort ?? 0)) n.dpatPort = rp?.protoSrcPort ?? 0;
  }

  const so = ct.seqAdjOrig;
  const sr = ct.seqAdjReply;
  if (
    so?.correctionPos !== undefined && so.offsetBefore !== undefined && so.offsetAfter !== undefined &&
    sr?.correctionPos !== undefined && sr.offsetBefore !== undefined && sr.offsetAfter !== undefined
  ) {
    n.natSeqAdj = {
      origCorrectionPos: so.correctionPos, origOffsetBefore: so.offsetBefore, origOffsetAfter: so.offsetAfter,
      replCorrectionPos: sr.correctionPos, replOffsetBefore: sr.offsetBefore, replOffsetAfter: sr.offsetAfter,
    };
  }
  if (ct.help?.helpName !== undefined) n.helperName = ct.help.helpName;
  if (ct.labels !== undefined) {
    const words = labelsToWords(ct.labels);
    if (words) n.labels = words;
  }
  const sp = ct.synproxy;
  if (sp?.isn !== undefined && sp.its !== undefined && sp.tsoff !== undefined) n.synproxy = { its: sp.its, isn: sp.isn, tsoff: sp.tsoff };
  if (ct.zone !== undefined) n.zone = ct.zone;
  return n;
}

/**
 * The flow as the receiving side holds it (msg2ct): the original tuple, status, protocol state,
 * mark, timeout and the rest; no reply tuple. This is what `-e` prints.
 */
export function ntaToFlow(n: NtaAttrs): ConntrackAttrs {
  const ct: ConntrackAttrs = {};
  const tupleIp = n.ipv4 ? { ipV4Src: n.ipv4.src, ipV4Dst: n.ipv4.dst } : n.ipv6 ? { ipV6Src: n.ipv6.src, ipV6Dst: n.ipv6.dst } : undefined;
  const tupleProto: NonNullable<TupleAttrs["tupleProto"]> = {};
  if (n.l4proto !== undefined) tupleProto.protoNum = n.l4proto;
  if (n.port) {
    tupleProto.protoSrcPort = n.port.sport;
    tupleProto.protoDstPort = n.port.dport;
  }
  if (n.icmpType !== undefined || n.icmpCode !== undefined || n.icmpId !== undefined) {
    if (n.l4proto === IPPROTO_ICMPV6) {
      if (n.icmpId !== undefined) tupleProto.protoIcmpv6Id = n.icmpId;
      if (n.icmpType !== undefined) tupleProto.protoIcmpv6Type = n.icmpType;
      if (n.icmpCode !== undefined) tupleProto.protoIcmpv6Code = n.icmpCode;
    } else {
      if (n.icmpId !== undefined) tupleProto.protoIcmpId = n.icmpId;
      if (n.icmpType !== undefined) tupleProto.protoIcmpType = n.icmpType;
      if (n.icmpCode !== undefined) tupleProto.protoIcmpCode = n.icmpCode;
    }
  }
  const orig: TupleAttrs = {};
  if (tupleIp) orig.tupleIp = tupleIp;
  if (Object.keys(tupleProto).length > 0) orig.tupleProto = tupleProto;
  if (orig.tupleIp || orig.tupleProto) ct.tupleOrig = orig;
  if (n.status !== undefined) ct.status = n.status;
  if (n.tcpState !== undefined || n.tcpWscaleOrig !== undefined || n.tcpWscaleRepl !== undefined) {
    const tcp: NonNullable<NonNullable<ConntrackAttrs["protoinfo"]>["protoinfoTcp"]> = {};
    if (n.tcpState !== undefined) tcp.tcpState = n.tcpState;
    if (n.tcpWscaleOrig !== undefined) tcp.tcpWscaleOriginal = n.tcpWscaleOrig;
    if (n.tcpWscaleRepl !== undefined) tcp.tcpWscaleReply = n.tcpWscaleRepl;
    ct.protoinfo = { protoinfoTcp: tcp };
  } else if (n.sctpState !== undefined) {
    ct.protoinfo = { protoinfoSctp: { sctpState: n.sctpState, vtagOriginal: n.sctpVtagOrig ?? 0, vtagReply: n.sctpVtagRepl ?? 0 } };
  } else if (n.dccpState !== undefined) {
    ct.protoinfo = { protoinfoDccp: { dccpState: n.dccpState, dccpRole: n.dccpRole ?? 0 } };
  }
  if (n.timeout !== undefined) ct.timeout = n.timeout;
  if (n.mark !== undefined) ct.mark = n.mark;
  const m = n.masterIpv4 ?? n.masterIpv6;
  if (m) {
    const master: TupleAttrs = { tupleIp: n.masterIpv4 ? { ipV4Src: m.src, ipV4Dst: m.dst } : { ipV6Src: m.src, ipV6Dst: m.dst } };
    const mp: NonNullable<TupleAttrs["tupleProto"]> = {};
    if (n.masterL4proto !== undefined) mp.protoNum = n.masterL4proto;
    if (n.masterPort) {
      mp.protoSrcPort = n.masterPort.sport;
      mp.protoDstPort = n.masterPort.dport;
    }
    master.tupleProto = mp;
    ct.tupleMaster = master;
  }
  if (n.natSeqAdj) {
    const s = n.natSeqAdj;
    ct.seqAdjOrig = { correctionPos: s.origCorrectionPos, offsetBefore: s.origOffsetBefore, offsetAfter: s.origOffsetAfter };
    ct.seqAdjReply = { correctionPos: s.replCorrectionPos, offsetBefore: s.replOffsetBefore, offsetAfter: s.replOffsetAfter };
  }
  if (n.helperName !== undefined) ct.help = { helpName: n.helperName };
  if (n.labels) ct.labels = wordsToLabels(n.labels);
  if (n.synproxy) ct.synproxy = { isn: n.synproxy.isn, its: n.synproxy.its, tsoff: n.synproxy.tsoff };
  if (n.zone !== undefined) ct.zone = n.zone;
  return ct;
}

/** ICMP echo and friends: the reply tuple's type (nf_conntrack_proto_icmp invmap). */
const ICMP_REPLY: Readonly<Record<number, number>> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 17: 18, 18: 17 };
const ICMPV6_REPLY: Readonly<Record<number, number>> = { 128: 129, 129: 128, 139: 140, 140: 139 };

/**
 * The request nl_create_conntrack sends: the flow plus a reply tuple set up from the original one
 * (NFCT_SOPT_SETUP_REPLY, NAT applied), IPS_EXPECTED cleared, the timeout given, and TCP made
 * liberal unless window tracking is on.
 */
export function commitFlow(n: NtaAttrs, timeout: number, tcpWindowTracking: boolean): ConntrackAttrs {
  const ct = ntaToFlow(n);
  const orig = ct.tupleOrig ?? {};
  const oip = orig.tupleIp ?? {};
  const op = orig.tupleProto ?? {};
  const v4 = oip.ipV4Src !== undefined;
  const rsrc = (v4 ? n.dnatIpv4 : n.dnatIpv6) ?? (v4 ? oip.ipV4Dst : oip.ipV6Dst);
  const rdst = (v4 ? n.snatIpv4 : n.snatIpv6) ?? (v4 ? oip.ipV4Src : oip.ipV6Src);
  const rp: NonNullable<TupleAttrs["tupleProto"]> = {};
  if (op.protoNum !== undefined) rp.protoNum = op.protoNum;
  if (op.protoSrcPort !== undefined || op.protoDstPort !== undefined) {
    rp.protoSrcPort = n.dpatPort ?? op.protoDstPort ?? 0;
    rp.protoDstPort = n.spatPort ?? op.protoSrcPort ?? 0;
  }
  if (op.protoIcmpType !== undefined) {
    rp.protoIcmpType = ICMP_REPLY[op.protoIcmpType] ?? op.protoIcmpType;
    rp.protoIcmpCode = op.protoIcmpCode ?? 0;
    rp.protoIcmpId = op.protoIcmpId ?? 0;
  }
  if (op.protoIcmpv6Type !== undefined) {
    rp.protoIcmpv6Type = ICMPV6_REPLY[op.protoIcmpv6Type] ?? op.protoIcmpv6Type;
    rp.protoIcmpv6Code = op.protoIcmpv6Code ?? 0;
    rp.protoIcmpv6Id = op.protoIcmpv6Id ?? 0;
  }
  ct.tupleReply = {
    tupleIp: v4 ? { ipV4Src: rsrc, ipV4Dst: rdst } : { ipV6Src: rsrc, ipV6Dst: rdst },
    tupleProto: rp,
  };
  // The kernel refuses a create whose status lacks IPS_CONFIRMED (EBUSY) or carries IPS_EXPECTED.
  if (ct.status !== undefined) ct.status = (ct.status & ~IPS_EXPECTED) | IPS_CONFIRMED;
  if (timeout > 0) ct.timeout = timeout;
  // NAT travels as CTA_NAT_SRC / CTA_NAT_DST ranges of one address (and port).
  const snat = v4 ? n.snatIpv4 : n.snatIpv6;
  const dnat = v4 ? n.dnatIpv4 : n.dnatIpv6;
  if (snat !== undefined || n.spatPort !== undefined) {
    ct.natSrc = {
      ...(snat !== undefined ? (v4 ? { natV4Minip: snat, natV4Maxip: snat } : { natV6Minip: snat, natV6Maxip: snat }) : {}),
      ...(n.spatPort !== undefined ? { natProto: { natPortMin: n.spatPort, natPortMax: n.spatPort } } : {}),
    };
  }
  if (dnat !== undefined || n.dpatPort !== undefined) {
    ct.natDst = {
      ...(dnat !== undefined ? (v4 ? { natV4Minip: dnat, natV4Maxip: dnat } : { natV6Minip: dnat, natV6Maxip: dnat }) : {}),
      ...(n.dpatPort !== undefined ? { natProto: { natPortMin: n.dpatPort, natPortMax: n.dpatPort } } : {}),
    };
  }
  if (!tcpWindowTracking && op.protoNum === IPPROTO_TCP) {
    const tcp = { ...(ct.protoinfo?.protoinfoTcp ?? {}) };
    tcp.tcpFlagsOriginal = { flags: TCP_FLAG_BE_LIBERAL, mask: TCP_FLAG_BE_LIBERAL };
    tcp.tcpFlagsReply = { flags: TCP_FLAG_BE_LIBERAL, mask: TCP_FLAG_BE_LIBERAL };
    ct.protoinfo = { ...(ct.protoinfo ?? {}), protoinfoTcp: tcp };
  }
  return ct;
}

/** The key 1.4.7's caches compare (nfct_cmp NFCT_CMP_ORIG): family, addresses, protocol, ports/ICMP, zone. */
export function ntaKey(n: NtaAttrs): string {
  const a = n.ipv4 ?? n.ipv6;
  return `${n.ipv4 ? 4 : 6}|${a?.src}|${a?.dst}|${n.l4proto ?? 0}|${n.port?.sport ?? ""}|${n.port?.dport ?? ""}|` +
    `${n.icmpType ?? ""}|${n.icmpCode ?? ""}|${n.icmpId ?? ""}|${n.zone ?? 0}`;
}
