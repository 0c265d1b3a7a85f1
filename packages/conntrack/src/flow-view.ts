// Views of conntrack messages (codec MessageView over conntrack-attrs / expect-attrs) and the slot
// numbers readers use, derived once from the generated constants: a tuple's fields relative to
// the tuple's first slot, so one reader serves the original, reply and master tuples alike.
import type { MessageView } from "@tsconntrack/codec";
import {
  ConntrackAttrsSlot as C, CounterAttrsSlot as CO, ExpectAttrsSlot as E, HelpAttrsSlot as H, NfgenmsgOffset,
  ProtoinfoAttrsSlot as PI, ProtoinfoDccpAttrsSlot as PD, ProtoinfoSctpAttrsSlot as PS, ProtoinfoTcpAttrsSlot as PT,
  SecctxAttrsSlot as SX, TimestampAttrsSlot as TS, TupleAttrsSlot as T, TupleIpAttrsSlot as IP, TupleProtoAttrsSlot as P,
  conntrack,
} from "@tsconntrack/codec/conntrack";
import { SET_CONNTRACK, SET_EXPECT } from "./constants.js";

export type { MessageView };

/** A reusable view of conntrack entry messages (IPCTNL_MSG_CT_NEW / DELETE). */
export function flowView(): MessageView {
  return conntrack.view(SET_CONNTRACK);
}

/** A reusable view of expectation messages (IPCTNL_MSG_EXP_NEW / DELETE). */
export function expectView(): MessageView {
  return conntrack.view(SET_EXPECT);
}

/** nfgenmsg.nfgen_family of the walked message (0 for bare attributes). */
export function viewFamily(view: MessageView): number {
  return view.fixed < 0 ? 0 : view.u8[view.fixed + NfgenmsgOffset.nfgenFamily]!;
}

/** nfgenmsg.res_id (host order; the CPU of a per-CPU statistics message). */
export function viewResId(view: MessageView): number {
  if (view.fixed < 0) return 0;
  const at = view.fixed + NfgenmsgOffset.resId;
  return (view.u8[at]! << 8) | view.u8[at + 1]!;
}

/** Fields of a tuple (tuple-attrs), relative to its first slot (a tuple nest's slot + 1). */
export const TUPLE = {
  /** CTA_TUPLE_IP */
  ip: T.tupleIp,
  /** CTA_IP_V4_SRC */
  v4src: T.tupleIp + 1 + IP.ipV4Src,
  /** CTA_IP_V4_DST */
  v4dst: T.tupleIp + 1 + IP.ipV4Dst,
  /** CTA_IP_V6_SRC */
  v6src: T.tupleIp + 1 + IP.ipV6Src,
  /** CTA_IP_V6_DST */
  v6dst: T.tupleIp + 1 + IP.ipV6Dst,
  /** CTA_TUPLE_PROTO */
  proto: T.tupleProto,
  /** CTA_PROTO_NUM */
  protoNum: T.tupleProto + 1 + P.protoNum,
  /** CTA_PROTO_SRC_PORT */
  srcPort: T.tupleProto + 1 + P.protoSrcPort,
  /** CTA_PROTO_DST_PORT */
  dstPort: T.tupleProto + 1 + P.protoDstPort,
  /** CTA_PROTO_ICMP_ID */
  icmpId: T.tupleProto + 1 + P.protoIcmpId,
  /** CTA_PROTO_ICMP_TYPE */
  icmpType: T.tupleProto + 1 + P.protoIcmpType,
  /** CTA_PROTO_ICMP_CODE */
  icmpCode: T.tupleProto + 1 + P.protoIcmpCode,
  /** CTA_PROTO_ICMPV6_ID */
  icmpv6Id: T.tupleProto + 1 + P.protoIcmpv6Id,
  /** CTA_PROTO_ICMPV6_TYPE */
  icmpv6Type: T.tupleProto + 1 + P.protoIcmpv6Type,
  /** CTA_PROTO_ICMPV6_CODE */
  icmpv6Code: T.tupleProto + 1 + P.protoIcmpv6Code,
  /** CTA_TUPLE_ZONE */
  zone: T.tupleZone,
} as const;

/** Counter fields (counter-attrs), relative to the counters nest's slot + 1. */
export const COUNTERS = {
  /** CTA_COUNTERS_PACKETS */
  packets: CO.packets,
  /** CTA_COUNTERS_BYTES */
  bytes: CO.bytes,
  /** CTA_COUNTERS32_PACKETS */
  packetsOld: CO.packetsOld,
  /** CTA_COUNTERS32_BYTES */
  bytesOld: CO.bytesOld,
} as const;

/**
 * The slots of a message's tuple nests: under its short name the first slot of a nest's tuple (add
 * TUPLE.*; the walker lays a nest's members right after it), under `prefix` + Name the nest itself.
 */
function tupleNests<P extends string, T extends Record<string, number>>(
  prefix: P,
  nests: T,
): { readonly [K in keyof T]: number } & { readonly [K in keyof T & string as `${P}${Capitalize<K>}`]: number } {
  const slots: Record<string, number> = {};
  for (const [name, slot] of Object.entries(nests)) {
    slots[name] = slot + 1;
    slots[prefix + name[0]!.toUpperCase() + name.slice(1)] = slot;
  }
  return slots as never;
}

/** Slots of a conntrack entry message (conntrack-attrs), absolute. */
export const FLOW = {
  /** orig, reply, master: CTA_TUPLE_ORIG's, CTA_TUPLE_REPLY's and CTA_TUPLE_MASTER's tuples; tupleOrig... the nests. */
  ...tupleNests("tuple", { orig: C.tupleOrig, reply: C.tupleReply, master: C.tupleMaster }),
  /** First slot of CTA_COUNTERS_ORIG's counters (add COUNTERS.*). */
  countersOrig: C.countersOrig + 1,
  countersReply: C.countersReply + 1,
  /** CTA_COUNTERS_ORIG itself (present even when empty). */
  countersOrigNest: C.countersOrig,
  countersReplyNest: C.countersReply,
  status: C.status,
  timeout: C.timeout,
  mark: C.mark,
  use: C.use,
  id: C.id,
  secmark: C.secmark,
  zone: C.zone,
  labels: C.labels,
  /** CTA_PROTOINFO_TCP_STATE */
  tcpState: C.protoinfo + 1 + PI.protoinfoTcp + 1 + PT.tcpState,
  /** CTA_PROTOINFO_SCTP_STATE */
  sctpState: C.protoinfo + 1 + PI.protoinfoSctp + 1 + PS.sctpState,
  /** CTA_PROTOINFO_SCTP_VTAG_ORIGINAL */
  sctpVtagOriginal: C.protoinfo + 1 + PI.protoinfoSctp + 1 + PS.vtagOriginal,
  /** CTA_PROTOINFO_SCTP_VTAG_REPLY */
  sctpVtagReply: C.protoinfo + 1 + PI.protoinfoSctp + 1 + PS.vtagReply,
  /** CTA_PROTOINFO_DCCP_STATE */
  dccpState: C.protoinfo + 1 + PI.protoinfoDccp + 1 + PD.dccpState,
  /** CTA_PROTOINFO_DCCP_ROLE */
  dccpRole: C.protoinfo + 1 + PI.protoinfoDccp + 1 + PD.dccpRole,
  /** CTA_HELP_NAME */
  helpName: C.help + 1 + H.helpName,
  /** CTA_SECCTX_NAME */
  secctxName: C.secctx + 1 + SX.secctxName,
  /** CTA_TIMESTAMP_START */
  timestampStart: C.timestamp + 1 + TS.start,
  /** CTA_TIMESTAMP_STOP */
  timestampStop: C.timestamp + 1 + TS.stop,
} as const;

/** Slots of an expectation message (expect-attrs), absolute. */
export const EXPECT = {
  /** master, tuple, mask: CTA_EXPECT_MASTER's, CTA_EXPECT_TUPLE's and CTA_EXPECT_MASK's tuples; expectMaster... the nests. */
  ...tupleNests("expect", { master: E.expectMaster, tuple: E.expectTuple, mask: E.expectMask }),
  timeout: E.expectTimeout,
  id: E.expectId,
  helpName: E.expectHelpName,
  zone: E.expectZone,
  flags: E.expectFlags,
  class: E.expectClass,
  fn: E.expectFn,
} as const;
