// A capture cut into messages as it is read: each request sent, the received messages that answer it,
// and the received messages that answer nothing (events, overruns). Replay then works per message,
// not per datagram, so a client that groups its requests differently from the recorded program
// (batches, one socket instead of two) is still answered correctly. Records are added in file order,
// and each received message only looks back (at the requests before it), so a capture is never read
// further than the client's conversation needs.

import { readMessageHeader } from "@tsconntrack/codec";
import { isOverrunMarker, type CaptureRecord } from "./capture.js";
import { align4, HEADER_SIZE, messageOffsets } from "./wire.js";

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
  /** Answers read so far (more may come as the capture is read on). */
  answers: ScriptMessage[];
}

/** A received record, or the part of one, that answers no recorded request. */
export interface UnsolicitedChunk {
  record: number;
  messages: ScriptMessage[];
  /** A recorded receive-side ENOBUFS (see `overrunMarker`). */
  overrun: boolean;
}

/** What one record added: its requests, its answers (with the request each answers), its unsolicited part. */
export interface RecordParts {
  requests: ScriptRequest[];
  answers: { request: ScriptRequest; message: ScriptMessage }[];
  unsolicited: UnsolicitedChunk | undefined;
}

/**
 * Assigns each received message to the request it answers: the latest request sent before it with the
 * same seq on the same socket. Programs such as conntrack give every request the same seq (time()),
 * so the socket matters: known from `sockets` (the syscall log) or, without a log, learnt by port id
 * (a request not yet answered takes the port id of the first message that answers it).
 */
export class ReplayScript {
  readonly requests: ScriptRequest[] = [];
  /** Port ids the recorded program's sockets had (the pids its answers were addressed to), first first. */
  readonly portIds: number[] = [];
  /** Adds record `index` (records come in file order), which crossed `socket` (from the syscall log). */
  add(record: CaptureRecord, index: number, socket?: number): RecordParts {
    const parts: RecordParts = { requests: [], answers: [], unsolicited: undefined };
    if (record.direction === "received" && isOverrunMarker(record.bytes)) {
      parts.unsolicited = { record: index, messages: [], overrun: true };
      return parts;
    }
    for (const message of messagesOf(record, index)) {
      if (record.direction === "sent") {
        // What the recorded program sent past its last whole message reached no kernel handler.
        if (message.malformed) continue;
        const request: ScriptRequest = { ...message, socket, portId: undefined, answers: [] };
        this.requests.push(request);
        parts.requests.push(request);
        continue;
      }
      const request = this.answeredRequest(message, socket);
      if (request === undefined) {
        parts.unsolicited ??= { record: index, messages: [], overrun: false };
        parts.unsolicited.messages.push(message);
        continue;
      }
      request.portId ??= message.pid;
      request.answers.push(message);
      parts.answers.push({ request, message });
      if (message.pid !== 0 && !this.portIds.includes(message.pid)) this.portIds.push(message.pid);
    }
    return parts;
  }

  private answeredRequest(message: ScriptMessage, socket: number | undefined): ScriptRequest | undefined {
    const requests = this.requests;
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
}

/** The whole script of `records` at once (for inspection and tests). */
export function buildReplayScript(records: readonly CaptureRecord[], sockets?: readonly (number | undefined)[]) {
  const script = new ReplayScript();
  const unsolicited: UnsolicitedChunk[] = [];
  records.forEach((record, index) => {
    const parts = script.add(record, index, sockets?.[index]);
    if (parts.unsolicited !== undefined) unsolicited.push(parts.unsolicited);
  });
  return { records, requests: script.requests, unsolicited, portIds: script.portIds };
}

function messagesOf(record: CaptureRecord, index: number): ScriptMessage[] {
  const messages: ScriptMessage[] = messageOffsets(record.bytes).map((at) => {
    const header = readMessageHeader(record.bytes, at);
    return { record: index, at, len: header.len, type: header.type, flags: header.flags, seq: header.seq, pid: header.pid };
  });
  const last = messages[messages.length - 1];
  const end = last === undefined ? 0 : align4(last.at + last.len);
  if (end < record.bytes.byteLength) {
    // A tail that is no message: it travels with the message before it (same seq), or alone.
    const header = record.bytes.byteLength - end >= HEADER_SIZE ? readMessageHeader(record.bytes, end) : undefined;
    const seq = header?.seq ?? last?.seq ?? 0;
    const pid = header?.pid ?? last?.pid ?? 0;
    messages.push({ record: index, at: end, len: record.bytes.byteLength - end, type: header?.type ?? -1, flags: header?.flags ?? 0, seq, pid, malformed: true });
  }
  return messages;
}
