// Public API of @tsconntrack/conntrack.
export {
  Conntrack,
  type ConntrackOptions,
  type OperationResult,
  type DeleteMatchingOptions,
  type DeleteSummary,
  type FlushOptions,
  type FlushResult,
  type CpuStats,
  type ConntrackStats,
  type ConntrackList,
} from "./conntrack.js";
export type { SessionOptions } from "./session.js";
export type { ListOptions, ListSummary, ConntrackEntry, EntryCallback, ViewCallback } from "./list.js";
export type { MessageView } from "@tsconntrack/codec";
export { flowView, expectView, viewFamily, viewResId, FLOW, EXPECT, TUPLE, COUNTERS } from "./flow-view.js";
export { decodeView, decodeMessageBytes, viewBytes } from "./view-decode.js";
export {
  flowJson, expectJson, protocolText, stateText, labelBits, labelNames, secmarkValue, rfc3339, rfc3339Ns, expectFlagNames,
  type FlowJson, type ExpectJson, type TupleJson, type DirectionJson, type Counter, type FlowJsonOptions,
} from "./flow-json.js";
export {
  compileFilter,
  isEmptyFilter,
  type FlowFilter,
  type TupleFilter,
  type KernelFilterChoice,
  type KernelFilterSummary,
  type CompiledFilter,
  type ViewTest,
} from "./filter.js";
export { parseAddressSpec, type AddressSpec, type AddressMatch } from "./address.js";
export {
  ConntrackEvents,
  classifyEvent,
  groupNumbers,
  DEFAULT_EVENT_RECEIVE_BUFFER,
  type EventGroup,
  type EventOptions,
  type ConntrackEvent,
  type UndecodableEvent,
  type FlowEvent,
  type FlowEventJson,
  type ExpectEventJson,
  type ExpectEvent,
  type OverrunEvent,
} from "./events.js";
export { ExpectApi, type ExpectListOptions, type ExpectEntry, type ExpectResult, type ExpectCpuStats } from "./expect-api.js";
export {
  dumpRequest,
  deleteRequestFromView,
  getRequest,
  newRequest,
  deleteRequest,
  flushRequest,
  statsRequest,
  statsCpuRequest,
  expectDumpRequest,
  expectGetRequest,
  expectNewRequest,
  expectDeleteRequest,
  expectFlushRequest,
  expectStatsCpuRequest,
  type Table,
  type FlowKey,
  type NewMode,
} from "./requests.js";
export { invertTuple, icmpReplyType, tupleFamily, flowFamily, makeTuple, buildFlow, type TupleSpec, type FlowSpec } from "./tuple.js";
export {
  STATUS_BIT_NAMES,
  TCP_STATE_NAMES,
  SCTP_STATE_NAMES,
  DCCP_STATE_NAMES,
  statusNames,
  statusBits,
  tcpStateName,
  sctpStateName,
  dccpStateName,
  stateNumber,
  protocolName,
  protocolNumber,
  familyName,
  familyNumber,
} from "./names.js";
export { defaultTimeout, DEFAULT_TIMEOUTS, TCP_TIMEOUTS } from "./timeouts.js";
export { type KernelCapabilities, parseRelease, releaseAtLeast } from "./kernel.js";
export { ConntrackArgumentError, isConntrackArgumentError, isNotFoundError, isExistsError } from "./errors.js";
export * from "./constants.js";
export type { ConntrackAttrs, ExpectAttrs, TupleAttrs, ConntrackStatsAttrs, StatsGlobalAttrs, ExpStatsAttrs } from "@tsconntrack/codec/conntrack";
export { isNetlinkSocketError, type NetlinkSocketError } from "@tsconntrack/socket";
export { flowSummary, emptyFlowSummary, type FlowSummary } from "./flow-summary.js";
