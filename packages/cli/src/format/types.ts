/**
 * Shapes of the statistics formatters' inputs (decoded values, structurally compatible with the
 * generated ConntrackStatsAttrs family) and the context every formatter takes.
 */

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
