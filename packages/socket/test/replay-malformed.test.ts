// Replay is exactly as strict as live: a datagram whose last message's nlmsg_len runs past its end
// (or that ends in a cut header) reaches the client with that fault, which then fails the same way.

import { describe, expect, it } from "vitest";
import { HOST_LITTLE_ENDIAN, NLM_F_DUMP, NLM_F_MULTI, buildMessage, isNetlinkDecodeError } from "@tsconntrack/codec";
import { conntrack, ConntrackReply, ConntrackRequest } from "@tsconntrack/codec/conntrack";
import { RecordingTransport } from "../src/recording-transport.js";
import { ReplayTransport } from "../src/replay-transport.js";
import { NetlinkClient } from "../src/request.js";
import { ScriptedKernel } from "../src/testing.js";
import { viewOf } from "../src/wire.js";

const AF_INET = 2;
const DUMP = { type: ConntrackRequest.get, flags: NLM_F_DUMP, payload: new Uint8Array([AF_INET, 0, 0, 0]) };

/** A kernel answering a dump with one entry, then `tail` (made up bytes), and no NLMSG_DONE. */
function kernelEndingIn(tail: (seq: number, pid: number) => Uint8Array) {
  return new ScriptedKernel({
    codec: conntrack,
    handler: ({ header, socket }) => ({
      messages: [{ type: ConntrackReply.get, fixed: { nfgenFamily: AF_INET }, attrs: { id: 1 } }, tail(header.seq, socket.portId)],
      silent: true,
    }),
  });
}

/** A message header claiming 200 bytes, with 4 behind it. */
const overrunning = (seq: number, pid: number): Uint8Array => {
  const bytes = buildMessage({ type: ConntrackReply.get, flags: NLM_F_MULTI, seq, pid }, new Uint8Array(4));
  viewOf(bytes).setUint32(0, 200, HOST_LITTLE_ENDIAN);
  return bytes;
};
const cutHeader = (): Uint8Array => new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);

function failure(client: NetlinkClient): string {
  try {
    client.dumpSync(DUMP, () => {});
  } catch (error) {
    return isNetlinkDecodeError(error) ? `${error.code} at ${error.offset}` : String(error);
  }
  return "no error";
}

describe("a malformed tail", () => {
  it.each([
    ["an nlmsg_len past the datagram end", overrunning],
    ["a cut header", cutHeader],
  ])("%s fails live and in replay alike", (_name, tail) => {
    const recording = new RecordingTransport(kernelEndingIn(tail).socket());
    const live = failure(new NetlinkClient(recording, { initialSeq: 10 }));
    expect(live).not.toBe("no error");
    const replay = new ReplayTransport(recording.records, { portId: 99 });
    expect(failure(new NetlinkClient(replay, { initialSeq: 1 }))).toBe(live);
  });
});
