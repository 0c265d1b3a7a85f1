// Replay is exactly as strict as live: a datagram whose last message's nlmsg_len runs past its end
// (or that ends in a cut header) reaches the client with that fault, which then fails the same way.

import { describe, expect, it } from "vitest";
import { isNetlinkDecodeError } from "@tsconntrack/codec";
import { RecordingTransport } from "../src/recording-transport.js";
import { ReplayTransport } from "../src/replay-transport.js";
import { NetlinkClient } from "../src/request.js";
import { datagram, message } from "./helpers/messages.js";
import { ScriptedTransport, type SentMessage } from "./helpers/scripted-transport.js";

const PID = 4242;
const DUMP = { type: 0x101, flags: 0x300, payload: new Uint8Array([2, 0, 0, 0]) };
const entry = (seq: number) => message({ type: 0x100, flags: 0x2, seq, pid: PID, payload: new Uint8Array([2, 0, 0, 0, 8, 0, 12, 0, 0, 0, 0, 1]) });

/** The datagram the kernel answers with: one entry, then `tail`. */
function answer(tail: (seq: number) => Uint8Array) {
  return (sent: SentMessage[]) => {
    const seq = sent[0]!.header.seq;
    return [datagram(entry(seq), tail(seq))];
  };
}

/** A message header claiming 200 bytes, with 4 behind it. */
const overrunning = (seq: number): Uint8Array => {
  const bytes = message({ type: 0x100, flags: 0x2, seq, pid: PID, payload: new Uint8Array(4) });
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(0, 200, true);
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
    const recording = new RecordingTransport(new ScriptedTransport(answer(tail), PID));
    const live = failure(new NetlinkClient(recording, { initialSeq: 10 }));
    expect(live).not.toBe("no error");
    const replay = new ReplayTransport(recording.records, { portId: 99 });
    expect(failure(new NetlinkClient(replay, { initialSeq: 1 }))).toBe(live);
  });
});
