export * from "./constants.js";
export type { Syscalls, RecvmsgInfo } from "./syscalls.js";
export {
  NetlinkSocketError,
  isNetlinkSocketError,
  NetlinkProtocolError,
  isNetlinkProtocolError,
  CaptureFileError,
  isCaptureFileError,
  type CaptureFileReason,
  NetnsError,
  isNetnsError,
  type NetnsErrorReason,
  type NetlinkProtocolReason,
  type ExtendedAck,
  type NetlinkOperation,
  type NetlinkSocketErrorOptions,
} from "./errors.js";
export type { Datagram, Transport } from "./transport.js";
export { LiveTransport, type LiveTransportOptions } from "./live-transport.js";
export { ReplayTransport, type ReplayOptions } from "./replay-transport.js";
export { RecordingTransport, type RecordingOptions } from "./recording-transport.js";
export { type CaptureRecord, overrunMarker, isOverrunMarker } from "./capture.js";
export { withNetns, netnsPath } from "./netns.js";
export { createLibcSyscalls, dieOfSignal } from "./libc.js";
export { withoutAttributePadding } from "./padding.js";
export {
  NetlinkClient,
  type NetlinkClientOptions,
  type NetlinkRequest,
  type AttrPathMapper,
  type BatchResult,
  type DumpOptions,
  type DumpSummary,
  type DumpStream,
} from "./request.js";
export {
  NetlinkSession,
  SessionArgumentError,
  isSessionArgumentError,
  type SessionOptions,
  type EventSocketOptions,
  type SessionErrorFactory,
} from "./session.js";
export { EventSubscription, DEFAULT_EVENT_RECEIVE_BUFFER, type EventItem, type SubscribeOptions } from "./subscription.js";
export * from "./pcap/index.js";
