/** Quiet requests (no NLM_F_ACK): the kernel answers only failures; the last of a datagram is acknowledged. */
import { describe, expect, it } from "vitest";
import { NetlinkClient } from "../src/request.js";
import { datagram, errorMessage } from "./helpers/messages.js";
import { ScriptedTransport } from "./helpers/scripted-transport.js";

const PID = 4242;
const NLM_F_ACK = 0x4;
const ENOENT = 2;

describe("quiet batch requests", () => {
  it("sends no ACK flag but on the last request of a datagram, and maps errors to their requests", () => {
    const transport = new ScriptedTransport((sent) => {
      // Like the kernel: an error for every odd request, then the ACK the last one asked for.
      const replies = sent.filter((m, i) => i % 2 === 1 && (m.header.flags & NLM_F_ACK) === 0).map((m) => errorMessage(m.header.seq, PID, -ENOENT));
      const last = sent.at(-1)!;
      return [datagram(...replies), errorMessage(last.header.seq, PID, 0)];
    }, PID);
    const client = new NetlinkClient(transport, { maxBatchMessages: 4 });
    const requests = Array.from({ length: 10 }, () => ({ type: 0x102, payload: new Uint8Array([2, 0, 0, 0]), quiet: true }));
    const results = client.batchSync(requests);
    expect(transport.sent).toHaveLength(3);
    const flags = transport.sent.map((d) => {
      const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
      const out: number[] = [];
      for (let at = 0; at < d.length; at += view.getUint32(at, true)) out.push(view.getUint16(at + 6, true) & NLM_F_ACK);
      return out;
    });
    expect(flags).toEqual([[0, 0, 0, NLM_F_ACK], [0, 0, 0, NLM_F_ACK], [0, NLM_F_ACK]]);
    // Failing quiet ones: the 2nd of the first datagram and of the second (the 4th of each is the acknowledged one).
    expect(results.map((r) => r.error?.errno)).toEqual([undefined, ENOENT, undefined, undefined, undefined, ENOENT, undefined, undefined, undefined, undefined]);
  });
});
