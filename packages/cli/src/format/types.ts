/**
 * Shapes the formatters read. They mirror the values the spec-driven codec decodes (keys are the
 * camelCase spec names, u64 → bigint, addresses → strings) and are kept structurally compatible with
 * the generated `ConntrackAttrs` family of types: every member is optional and read-only, so a
 * generated value can be passed straight in.
 */

export interface TupleIpValue {
  readonly ipV4Src?: string;
  readonly ipV4Dst?: string;
  readonly ipV6Src?: string;
  readonly ipV6Dst?: string;
}

export interface TupleProtoValue {
  readonly protoNum?: number;
  readonly protoSrcPort?: number;
  readonly protoDstPort?: number;
  readonly protoIcmpId?: number;
  readonly protoIcmpType?: number;
  readonly protoIcmpCode?: number;
  readonly protoIcmpv6Id?: number;
  readonly protoIcmpv6Type?: number;
  readonly protoIcmpv6Code?: number;
}

export interface TupleValue {
  readonly tupleIp?: TupleIpValue;
  readonly tupleProto?: TupleProtoValue;
  readonly tupleZone?: number;
}

export interface CountersValue {
  readonly packets?: bigint;
  readonly bytes?: bigint;
  /** CTA_COUNTERS32_*: only very old kernels send these. */
  readonly packetsOld?: number;
  readonly bytesOld?: number;
}

export interface ProtoinfoValue {
  readonly protoinfoTcp?: { readonly tcpState?: number };
  readonly protoinfoSctp?: {
    readonly sctpState?: number;
    readonly vtagOriginal?: number;
    readonly vtagReply?: number;
  };
  readonly protoinfoDccp?: { readonly dccpState?: number; readonly dccpRole?: number };
}

/** One decoded conntrack message (CTA_* attributes). */
export interface ConntrackValue {
  readonly tupleOrig?: TupleValue;
  readonly tupleReply?: TupleValue;
  readonly status?: number;
  readonly protoinfo?: ProtoinfoValue;
  readonly help?: { readonly helpName?: string };
  readonly timeout?: number;
  readonly mark?: number;
  readonly countersOrig?: CountersValue;
  readonly countersReply?: CountersValue;
  readonly use?: number;
  readonly id?: number;
  readonly tupleMaster?: TupleValue;
  /** CTA_SECMARK: a u32; the codec may hand it over as its raw 4 big-endian bytes. */
  readonly secmark?: number | Uint8Array;
  readonly zone?: number;
  readonly secctx?: { readonly secctxName?: string };
  readonly timestamp?: { readonly start?: bigint; readonly stop?: bigint };
  readonly labels?: Uint8Array;
}

/** One decoded expectation message (CTA_EXPECT_* attributes). */
export interface ExpectValue {
  readonly expectMaster?: TupleValue;
  readonly expectTuple?: TupleValue;
  readonly expectMask?: TupleValue;
  readonly expectTimeout?: number;
  readonly expectId?: number;
  readonly expectHelpName?: string;
  readonly expectZone?: number;
  readonly expectFlags?: number;
  readonly expectClass?: number;
  readonly expectNat?: unknown;
  readonly expectFn?: string;
}

/** Per-CPU statistics (IPCTNL_MSG_CT_GET_STATS_CPU), CTA_STATS_* keys. */
export interface CpuStatsValue {
  readonly searched?: number;
  readonly found?: number;
  readonly new?: number;
  readonly invalid?: number;
  readonly ignore?: number;
  readonly delete?: number;
  readonly deleteList?: number;
  readonly insert?: number;
  readonly insertFailed?: number;
  readonly drop?: number;
  readonly earlyDrop?: number;
  readonly error?: number;
  readonly searchRestart?: number;
  readonly clashResolve?: number;
  readonly chainToolong?: number;
  /** Attributes newer than this table, by attribute type (conntrack names them unknown1..4). */
  readonly $unknown?: readonly { readonly type: number; readonly data: Uint8Array }[];
}

/** Per-CPU expectation statistics (IPCTEXP_MSG_GET_STATS_CPU), CTA_STATS_EXP_* keys. */
export interface ExpectCpuStatsValue {
  readonly new?: number;
  readonly create?: number;
  readonly delete?: number;
}

/** Global statistics (IPCTNL_MSG_CT_GET_STATS), CTA_STATS_GLOBAL_* keys. */
export interface GlobalStatsValue {
  readonly entries?: number;
  readonly maxEntries?: number;
}

export type EventType = "new" | "update" | "destroy";

/** What the message header says, passed next to the attributes. */
export interface MessageContext {
  /** nfgenmsg.nfgen_family: 2 (AF_INET), 10 (AF_INET6), anything else prints as "unknown". */
  readonly family: number;
  /** Set for event messages only; dumps have no event type. */
  readonly event?: EventType | undefined;
}

/** A wall-clock instant split like `struct timeval`. */
export interface TimeVal {
  readonly sec: number;
  readonly usec: number;
}

/** Label bit → name, as loaded from connlabel.conf. */
export type LabelMap = ReadonlyMap<number, string>;
