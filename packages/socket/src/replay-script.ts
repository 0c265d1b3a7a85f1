// A capture cut into messages: each request sent, the received messages that answer it, and the
// received messages that answer nothing (events, overruns). Replay then works per message, not per
// datagram, so a client that groups its requests differently from the recorded program (batches,
// one socket instead of two) is still answered correctly.

import { isOverrunMarker, type CaptureRecord } from "./capture.js";
import { align4, HEADER_SIZE, messageOffsets, readHeader, viewOf } from "./wire.js";

/** One netlink message inside a record. */
export interface ScriptMessage {
  record: number;
  /** Byte offset in the record. */
  at: number;
  len: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /**
   * Bytes after a datagram's last well-formed message (a header cut short, or an nlmsg_len past the
   * end): replayed as recorded, so the client meets the same fault it met live.
   */
  malformed?: true;
}

export interface ScriptRequest extends ScriptMessage {
  /** Socket that sent it: from the syscall log, else learnt from the port id of its first answer. */
  socket: number | undefined;
  portId: number | undefined;
  answers: ScriptMessage[];
}

/** A received record, or the part of one, that answers no recorded request. */
export interface UnsolicitedChunk {
  record: number;
  messages: ScriptMessage[];
  /** A recorded receive-side ENOBUFS (see `overrunMarker`). */
  overrun: boolean;
}

export interface ReplayScript {
  records: readonly CaptureRecord[];
  requests: ScriptRequest[];
  unsolicited: UnsolicitedChunk[];
  /** Port ids the recorded program's sockets had (the pids its answers were addressed to), first first. */
  portIds: number[];
}

/**
 * Assigns each received message to the request it answers: the latest request sent before it with the
 * same seq on the same socket. Programs such as conntrack give every request the same seq (time()),
 * so the socket matters: known from `sockets` (the syscall log) or, without a log, learnt by port id
 * (a request not yet answered takes the port id of the first message that answers it).
 */
export function buildReplayScript(records: readonly CaptureRecord[], sockets?: readonly (number | undefined)[]): ReplayScript {
  const requests: ScriptRequest[] = [];
  const unsolicited: UnsolicitedChunk[] = [];
  const portIds: number[] = [];
  records.forEach((record, index) => {
    const socket = sockets?.[index];
    if (record.direction === "received" && isOverrunMarker(record.bytes)) {
      unsolicited.push({ record: index, messages: [], overrun: true });
      return;
    }
    for (const message of messagesOf(record, index)) {
      if (record.direction === "sent") {
        // What the recorded program sent past its last whole message reached no kernel handler.
        if (message.malformed) continue;
        requests.push({ ...message, socket, portId: undefined, answers: [] });
        continue;
      }
      const request = answeredRequest(requests, message, socket);
      if (request === undefined) {
        const last = unsolicited[unsolicited.length - 1];
        if (last !== undefined && last.record === index && !last.overrun) last.messages.push(message);
        else unsolicited.push({ record: index, messages: [message], overrun: false });
        continue;
      }
      request.portId ??= message.pid;
      request.answers.push(message);
      if (message.pid !== 0 && !portIds.includes(message.pid)) portIds.push(message.pid);
    }
  });
  return { records, requests, unsolicited, portIds };
}

function answeredRequest(requests: readonly ScriptRequest[], message: ScriptMessage, socket: number | undefined): ScriptRequest | undefined {
  for (let i = requests.length - 1; i >= 0; i--) {
    const request = requests[i]!;
    if (request.seq !== message.seq) continue;
    if (socket !== undefined && request.socket !== undefined) {
      if (request.socket === socket) return request;
      continue;
    }
    if (request.portId === undefined || request.portId === message.pid) return request;
  }
  return undefined;
}

function messagesOf(record: CaptureRecord, index: number): ScriptMessage[] {
  const view = viewOf(record.bytes);
  const messages: ScriptMessage[] = messageOffsets(record.bytes).map((at) => {
    const header = readHeader(view, at);
    return { record: index, at, len: header.len, type: header.type, flags: header.flags, seq: header.seq, pid: header.pid };
  });
  const last = messages[messages.length - 1];
  const end = last === undefined ? 0 : align4(last.at + last.len);
  if (end < record.bytes.byteLength) {
    // A tail that is no message: it travels with the message before it (same seq), or alone.
    const header = record.bytes.byteLength - end >= HEADER_SIZE ? readHeader(view, end) : undefined;
    const seq = header?.seq ?? last?.seq ?? 0;
    const pid = header?.pid ?? last?.pid ?? 0;
    messages.push({ record: index, at: end, len: record.bytes.byteLength - end, type: header?.type ?? -1, flags: header?.flags ?? 0, seq, pid, malformed: true });
  }
  return messages;
}
