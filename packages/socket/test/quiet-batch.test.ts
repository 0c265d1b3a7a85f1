/** Quiet requests (no NLM_F_ACK): the kernel answers only failures; the last of a datagram is acknowledged. */
import { describe, expect, it } from "vitest";
import { NLM_F_ACK } from "@tsconntrack/codec";
import { ConntrackRequest } from "@tsconntrack/codec/conntrack";
import { NetlinkClient } from "../src/request.js";
import { ScriptedKernel } from "../src/testing.js";

const ENOENT = 2;

describe("quiet batch requests", () => {
  it("sends no ACK flag but on the last request of a datagram, and maps errors to their requests", () => {
    // An error for every odd quiet request of a datagram; the kernel acknowledges what asked for it
    // and says nothing of a quiet success.
    const kernel = new ScriptedKernel(({ index, ack }) => (index % 2 === 1 && !ack ? { errno: ENOENT } : undefined));
    const transport = kernel.socket();
    const client = new NetlinkClient(transport, { maxBatchMessages: 4 });
    const requests = Array.from({ length: 10 }, () => ({ type: ConntrackRequest.delete, payload: new Uint8Array([2, 0, 0, 0]), quiet: true }));
    const results = client.batchSync(requests);
    expect(transport.sent).toHaveLength(3);
    const flags = transport.sent.map((_, datagram) => transport.requests.filter((r) => r.datagram === datagram).map((r) => r.header.flags & NLM_F_ACK));
    expect(flags).toEqual([[0, 0, 0, NLM_F_ACK], [0, 0, 0, NLM_F_ACK], [0, NLM_F_ACK]]);
    // Failing quiet ones: the 2nd of the first datagram and of the second (the 4th of each is the acknowledged one).
    expect(results.map((r) => r.error?.errno)).toEqual([undefined, ENOENT, undefined, undefined, undefined, ENOENT, undefined, undefined, undefined, undefined]);
  });
});
