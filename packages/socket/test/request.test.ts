import { describe, expect, it } from "vitest";
import { NetlinkClient } from "../src/request.js";
import { isNetlinkSocketError, type NetlinkSocketError } from "../src/errors.js";
import { datagram, doneMessage, errorMessage, message } from "./helpers/messages.js";
import { ScriptedTransport, type SentMessage } from "./helpers/scripted-transport.js";

const PID = 4242;
const NFGEN = new Uint8Array([2, 0, 0, 0]);
const GET = { type: 0x101, payload: NFGEN };
const DUMP = { type: 0x101, flags: 0x300, payload: NFGEN };

function entry(seq: number, flags = 0x2, pid = PID): Uint8Array {
  return message({ type: 0x100, flags, seq, pid, payload: new Uint8Array([2, 0, 0, 0, 8, 0, 7, 0, 0, 0, 0, 30]) });
}

function acking(messages: SentMessage[]): Uint8Array[] {
  return [datagram(...messages.map((m) => errorMessage(m.header.seq, PID, 0)))];
}

function expectSocketError(fn: () => unknown): NetlinkSocketError {
  try {
    fn();
  } catch (error) {
    expect(isNetlinkSocketError(error)).toBe(true);
    return error as NetlinkSocketError;
  }
  throw new Error("expected a NetlinkSocketError");
}

describe("do-requests", () => {
  it("adds REQUEST|ACK, increments seq and returns the replies before the ACK", () => {
    const transport = new ScriptedTransport((sent) => [datagram(entry(sent[0]!.header.seq, 0), errorMessage(sent[0]!.header.seq, PID, 0))]);
    const client = new NetlinkClient(transport, { initialSeq: 100 });
    const replies = client.requestSync(GET);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.header.type).toBe(0x100);
    client.requestSync(GET);
    const seqs = transport.sent.map((d) => new DataView(d.buffer).getUint32(8, true));
    expect(seqs).toEqual([101, 102]);
    expect(new DataView(transport.sent[0]!.buffer).getUint16(6, true)).toBe(0x5);
  });

  it("copies replies, so they survive the next receive", async () => {
    const transport = new ScriptedTransport((sent) => [entry(sent[0]!.header.seq, 0), errorMessage(sent[0]!.header.seq, PID, 0)]);
    const client = new NetlinkClient(transport);
    const first = client.requestSync(GET);
    const second = await client.request(GET);
    expect(first[0]!.bytes).not.toBe(second[0]!.bytes);
    expect(first[0]!.header.seq).not.toBe(second[0]!.header.seq);
  });

  it("maps an error reply with extack to NetlinkSocketError with an attribute path", () => {
    const transport = new ScriptedTransport((sent) => [errorMessage(sent[0]!.header.seq, PID, -22, { message: "missing timeout", offset: 20 })]);
    const client = new NetlinkClient(transport, { attrPath: (request, offset) => (request.length >= offset ? ["tupleOrig", `@${offset}`] : undefined) });
    const error = expectSocketError(() => client.requestSync({ type: 0x100, flags: 0x600, payload: new Uint8Array(12) }));
    expect(error).toMatchObject({ name: "NetlinkSocketError", errno: 22, code: "EINVAL", op: "request" });
    expect(error.extack).toEqual({ message: "missing timeout", offset: 20, attrPath: ["tupleOrig", "@20"] });
    expect(error.message).toContain("Invalid argument: missing timeout");
  });

  it("says plainly that EPERM needs root or CAP_NET_ADMIN", () => {
    const transport = new ScriptedTransport((sent) => [errorMessage(sent[0]!.header.seq, PID, -1)]);
    const error = expectSocketError(() => new NetlinkClient(transport).requestSync(GET));
    expect(error.code).toBe("EPERM");
    expect(error.message).toMatch(/root or CAP_NET_ADMIN/);
  });

  it("skips messages for other seqs and other port ids", () => {
    const transport = new ScriptedTransport((sent) => {
      const seq = sent[0]!.header.seq;
      return [datagram(entry(seq - 1, 0), entry(seq, 0, PID + 1)), datagram(entry(seq, 0), errorMessage(seq, PID, 0))];
    });
    const client = new NetlinkClient(transport);
    expect(client.requestSync(GET)).toHaveLength(1);
    expect(client.skippedMessages).toBe(2);
  });
});

describe("dumps", () => {
  const threeDatagrams = (sent: SentMessage[]) => {
    const seq = sent[0]!.header.seq;
    return [datagram(entry(seq), entry(seq)), datagram(entry(seq), entry(seq), entry(seq)), datagram(entry(seq), doneMessage(seq, PID))];
  };

  it("collects a multipart dump synchronously", () => {
    const client = new NetlinkClient(new ScriptedTransport(threeDatagrams));
    const types: number[] = [];
    const summary = client.dumpSync(DUMP, (m) => types.push(m.header.type));
    expect(summary).toEqual({ messages: 6, datagrams: 3, interrupted: false });
    expect(types.every((t) => t === 0x100)).toBe(true);
  });

  it("iterates a dump synchronously and asynchronously", async () => {
    const client = new NetlinkClient(new ScriptedTransport(threeDatagrams));
    expect([...client.dumpIterSync(DUMP)]).toHaveLength(6);
    const stream = client.dump(DUMP);
    let n = 0;
    for await (const m of stream) n += m.header.type === 0x100 ? 1 : 0;
    expect(n).toBe(6);
    expect(stream.messages).toBe(6);
  });

  it("does not add NLM_F_ACK to a dump request", () => {
    const transport = new ScriptedTransport(threeDatagrams);
    new NetlinkClient(transport).dumpSync(DUMP, () => {});
    expect(new DataView(transport.sent[0]!.buffer).getUint16(6, true)).toBe(0x301);
  });

  it("throws the error carried by NLMSG_DONE", () => {
    const transport = new ScriptedTransport((sent) => [datagram(entry(sent[0]!.header.seq), doneMessage(sent[0]!.header.seq, PID, -95))]);
    const error = expectSocketError(() => new NetlinkClient(transport).dumpSync(DUMP, () => {}));
    expect(error).toMatchObject({ op: "dump", code: "EOPNOTSUPP" });
  });

  it("throws an error reply to the dump request", () => {
    const transport = new ScriptedTransport((sent) => [errorMessage(sent[0]!.header.seq, PID, -1)]);
    expect(expectSocketError(() => new NetlinkClient(transport).dumpSync(DUMP, () => {})).code).toBe("EPERM");
  });

  it("surfaces NLM_F_DUMP_INTR", async () => {
    const respond = (sent: SentMessage[]) => {
      const seq = sent[0]!.header.seq;
      return [datagram(entry(seq), entry(seq, 0x2 | 0x10)), datagram(doneMessage(seq, PID, 0, 0x12))];
    };
    const client = new NetlinkClient(new ScriptedTransport(respond));
    expect(client.dumpSync(DUMP, () => {}).interrupted).toBe(true);
    const stream = client.dump(DUMP);
    for await (const _ of stream);
    expect(stream.interrupted).toBe(true);
  });

  it("drains the rest of a dump when the consumer stops early", async () => {
    const client = new NetlinkClient(new ScriptedTransport((sent) => (sent[0]!.header.type === 0x101 && sent[0]!.header.flags & 0x300 ? threeDatagrams(sent) : acking(sent))));
    for await (const _ of client.dump(DUMP)) break;
    expect(client.requestSync({ type: 0x100, payload: NFGEN })).toEqual([]);
    for (const _ of client.dumpIterSync(DUMP)) break;
    expect(() => client.dumpSync(DUMP, () => {
      throw new Error("consumer failed");
    })).toThrow("consumer failed");
    expect(client.requestSync({ type: 0x100, payload: NFGEN })).toEqual([]);
  });

  it("refuses a second operation while a dump is being iterated", () => {
    const client = new NetlinkClient(new ScriptedTransport(threeDatagrams));
    const iterator = client.dumpIterSync(DUMP);
    iterator.next();
    expect(() => client.requestSync(GET)).toThrow(/in progress/);
    iterator.return(undefined as never);
  });
});

describe("batches", () => {
  it("returns one result per request, in order, across chunks", () => {
    let datagrams = 0;
    const transport = new ScriptedTransport((sent) => {
      datagrams++;
      // Every 7th request fails with EEXIST; acks arrive in two datagrams, the second first-come.
      const replies = sent.map((m) => errorMessage(m.header.seq, PID, m.payload[4] === 7 ? -17 : 0, m.payload[4] === 7 ? { message: "exists" } : {}));
      return [datagram(...replies.slice(0, 3)), datagram(...replies.slice(3))];
    });
    const client = new NetlinkClient(transport, { maxBatchMessages: 100 });
    const requests = Array.from({ length: 5000 }, (_, i) => ({ type: 0x100, flags: 0x600, payload: new Uint8Array([2, 0, 0, 0, i % 10, 0, 0, 0]) }));
    const results = client.batchSync(requests);
    expect(datagrams).toBe(50);
    expect(results).toHaveLength(5000);
    expect(results.filter((r) => r.error).length).toBe(500);
    expect(results[7]!.error).toMatchObject({ code: "EEXIST", extack: { message: "exists" } });
    expect(results[8]!.error).toBeUndefined();
    expect(new Set(results.map((r) => r.seq)).size).toBe(5000);
  });

  it("chunks by bytes so one datagram fits the send buffer", async () => {
    const sizes: number[] = [];
    const transport = new ScriptedTransport((sent, t) => {
      sizes.push(t.sent.at(-1)!.length);
      return acking(sent);
    });
    transport.sendBufferSize = 1064; // leaves 1000 bytes per datagram
    const client = new NetlinkClient(transport);
    const results = await client.batch(Array.from({ length: 30 }, () => ({ type: 0x100, payload: new Uint8Array(84) })));
    expect(results.every((r) => !r.error)).toBe(true);
    expect(sizes).toEqual([1000, 1000, 1000]);
  });
});
