import { describe, expect, it } from "vitest";
import { NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_EXCL, NLM_F_MULTI, NLM_F_REQUEST } from "@tsconntrack/codec";
import { conntrack, ConntrackReply, ConntrackRequest } from "@tsconntrack/codec/conntrack";
import { NetlinkClient } from "../src/request.js";
import { isNetlinkSocketError, type NetlinkSocketError } from "../src/errors.js";
import { ScriptedKernel, type Answer, type EncodedReply, type KernelHandler } from "../src/testing.js";

const AF_INET = 2;
const NFGEN = new Uint8Array([AF_INET, 0, 0, 0]);
const GET = { type: ConntrackRequest.get, payload: NFGEN };
const DUMP = { type: ConntrackRequest.get, flags: NLM_F_DUMP, payload: NFGEN };

/** An entry as ctnetlink sends it (only CTA_TIMEOUT); `overrides` change its header. */
const entry = (overrides: Partial<EncodedReply> = {}): EncodedReply => ({ type: ConntrackReply.get, fixed: { nfgenFamily: AF_INET }, attrs: { timeout: 30 }, ...overrides });

/** A socket of a kernel speaking ctnetlink through the conntrack codec. */
const socketOf = (handler: KernelHandler) => new ScriptedKernel({ codec: conntrack, handler }).socket();

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
    const transport = socketOf(() => ({ messages: [entry()] }));
    const client = new NetlinkClient(transport, { initialSeq: 100 });
    const replies = client.requestSync(GET);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.header.type).toBe(ConntrackReply.get);
    client.requestSync(GET);
    expect(transport.requests.map((r) => r.header.seq)).toEqual([101, 102]);
    expect(transport.requests[0]!.header.flags).toBe(NLM_F_REQUEST | NLM_F_ACK);
  });

  it("copies replies, so they survive the next receive", async () => {
    // The reply in one datagram, the ACK in the next.
    const client = new NetlinkClient(socketOf(() => ({ messages: [entry()], split: [1] })));
    const first = client.requestSync(GET);
    const second = await client.request(GET);
    expect(first[0]!.bytes).not.toBe(second[0]!.bytes);
    expect(first[0]!.header.seq).not.toBe(second[0]!.header.seq);
  });

  it("maps an error reply with extack to NetlinkSocketError with an attribute path", () => {
    const transport = socketOf(() => ({ errno: "EINVAL", extack: { message: "missing timeout", offset: 20 } }));
    const client = new NetlinkClient(transport, { attrPath: (request, offset) => (request.length >= offset ? ["tupleOrig", `@${offset}`] : undefined) });
    const payload = new Uint8Array([...NFGEN, ...conntrack.encodeAttrs("conntrack-attrs", { mark: 1 })]);
    const error = expectSocketError(() => client.requestSync({ type: ConntrackRequest.new, flags: NLM_F_CREATE | NLM_F_EXCL, payload }));
    expect(error).toMatchObject({ name: "NetlinkSocketError", errno: 22, code: "EINVAL", op: "request" });
    expect(error.extack).toEqual({ message: "missing timeout", offset: 20, attrPath: ["tupleOrig", "@20"] });
    expect(error.message).toContain("Invalid argument: missing timeout");
  });

  it("says plainly that EPERM needs root or CAP_NET_ADMIN", () => {
    const error = expectSocketError(() => new NetlinkClient(socketOf(() => ({ errno: "EPERM" }))).requestSync(GET));
    expect(error.code).toBe("EPERM");
    expect(error.message).toMatch(/root or CAP_NET_ADMIN/);
  });

  it("skips messages for other seqs and other port ids", () => {
    const transport = socketOf(({ header, socket }) => ({
      messages: [entry({ seq: header.seq - 1 }), entry({ pid: socket.portId + 1 }), entry()],
      split: [2],
    }));
    const client = new NetlinkClient(transport);
    expect(client.requestSync(GET)).toHaveLength(1);
    expect(client.skippedMessages).toBe(2);
  });
});

describe("dumps", () => {
  /** Six entries in three datagrams, the last with NLMSG_DONE. */
  const threeDatagrams = (): Answer => ({ messages: Array.from({ length: 6 }, () => entry()), split: [2, 3] });

  it("collects a multipart dump synchronously", () => {
    const client = new NetlinkClient(socketOf(threeDatagrams));
    const types: number[] = [];
    const summary = client.dumpSync(DUMP, (m) => types.push(m.header.type));
    expect(summary).toEqual({ messages: 6, datagrams: 3, interrupted: false, abandoned: false });
    expect(types.every((t) => t === ConntrackReply.get)).toBe(true);
  });

  it("iterates a dump synchronously and asynchronously", async () => {
    const client = new NetlinkClient(socketOf(threeDatagrams));
    expect([...client.dumpIterSync(DUMP)]).toHaveLength(6);
    const stream = client.dump(DUMP);
    let n = 0;
    for await (const m of stream) n += m.header.type === ConntrackReply.get ? 1 : 0;
    expect(n).toBe(6);
    expect(stream.messages).toBe(6);
  });

  it("does not add NLM_F_ACK to a dump request", () => {
    const transport = socketOf(threeDatagrams);
    new NetlinkClient(transport).dumpSync(DUMP, () => {});
    expect(transport.requests[0]!.header.flags).toBe(NLM_F_DUMP | NLM_F_REQUEST);
  });

  it("throws the error carried by NLMSG_DONE", () => {
    const transport = socketOf(() => ({ messages: [entry()], doneErrno: "EOPNOTSUPP" }));
    const error = expectSocketError(() => new NetlinkClient(transport).dumpSync(DUMP, () => {}));
    expect(error).toMatchObject({ op: "dump", code: "EOPNOTSUPP" });
  });

  it("throws an error reply to the dump request", () => {
    const transport = socketOf(() => ({ errno: "EPERM" }));
    expect(expectSocketError(() => new NetlinkClient(transport).dumpSync(DUMP, () => {})).code).toBe("EPERM");
  });

  it("surfaces NLM_F_DUMP_INTR", async () => {
    const answer = (): Answer => ({ messages: [entry(), entry({ flags: NLM_F_MULTI | NLM_F_DUMP_INTR })], interrupted: true, split: [2] });
    const client = new NetlinkClient(socketOf(answer));
    expect(client.dumpSync(DUMP, () => {}).interrupted).toBe(true);
    const stream = client.dump(DUMP);
    for await (const _ of stream);
    expect(stream.interrupted).toBe(true);
  });

  it("drains the rest of a dump when the consumer stops early", async () => {
    const client = new NetlinkClient(socketOf((request) => (request.dump ? threeDatagrams() : undefined)));
    for await (const _ of client.dump(DUMP)) break;
    expect(client.requestSync({ type: ConntrackRequest.new, payload: NFGEN })).toEqual([]);
    for (const _ of client.dumpIterSync(DUMP)) break;
    expect(() => client.dumpSync(DUMP, () => {
      throw new Error("consumer failed");
    })).toThrow("consumer failed");
    expect(client.requestSync({ type: ConntrackRequest.new, payload: NFGEN })).toEqual([]);
  });

  it("abandons a dump when the caller says so: the rest stays unread and the client is spent", async () => {
    for (const run of ["sync", "async"] as const) {
      const socket = socketOf(threeDatagrams);
      const client = new NetlinkClient(socket);
      let seen = 0;
      const options = { abandonWhen: () => seen >= 2 };
      const count = (): void => {
        seen++;
      };
      const summary = run === "sync" ? client.dumpBytesSync(DUMP, count, options) : await client.dumpBytes(DUMP, count, options);
      expect({ run, summary }).toEqual({ run, summary: { messages: 2, datagrams: 1, interrupted: false, abandoned: true } });
      // The first datagram's two entries only: the other two datagrams (and DONE) are still queued.
      expect(socket.pending).toBe(2);
      expect(() => client.requestSync(GET)).toThrow(/abandoned a dump/);
    }
  });

  it("reads a dump to its end when abandonWhen never says so", () => {
    const client = new NetlinkClient(socketOf(threeDatagrams));
    const summary = client.dumpBytesSync(DUMP, () => {}, { abandonWhen: () => false });
    expect(summary).toEqual({ messages: 6, datagrams: 3, interrupted: false, abandoned: false });
  });

  it("refuses a second operation while a dump is being iterated", () => {
    const client = new NetlinkClient(socketOf(threeDatagrams));
    const iterator = client.dumpIterSync(DUMP);
    iterator.next();
    expect(() => client.requestSync(GET)).toThrow(/in progress/);
    iterator.return(undefined as never);
  });
});

describe("batches", () => {
  it("returns one result per request, in order, across chunks", () => {
    // Raw payloads tagged in their 5th byte (no codec: they are not valid attributes). Every 7th
    // request fails with EEXIST; the answers to a datagram arrive together in one datagram.
    const kernel = new ScriptedKernel({ coalesce: true, handler: ({ payload }) => (payload[4] === 7 ? { errno: "EEXIST", extack: { message: "exists" } } : undefined) });
    const transport = kernel.socket();
    const client = new NetlinkClient(transport, { maxBatchMessages: 100 });
    const requests = Array.from({ length: 5000 }, (_, i) => ({ type: ConntrackRequest.new, flags: NLM_F_CREATE | NLM_F_EXCL, payload: new Uint8Array([AF_INET, 0, 0, 0, i % 10, 0, 0, 0]) }));
    const results = client.batchSync(requests);
    expect(transport.sent).toHaveLength(50);
    expect(results).toHaveLength(5000);
    expect(results.filter((r) => r.error).length).toBe(500);
    expect(results[7]!.error).toMatchObject({ code: "EEXIST", extack: { message: "exists" } });
    expect(results[8]!.error).toBeUndefined();
    expect(new Set(results.map((r) => r.seq)).size).toBe(5000);
  });

  it("chunks by bytes so one datagram fits the send buffer", async () => {
    const transport = new ScriptedKernel().socket({ sendBufferSize: 1064 }); // leaves 1000 bytes per datagram
    const client = new NetlinkClient(transport);
    const results = await client.batch(Array.from({ length: 30 }, () => ({ type: ConntrackRequest.new, payload: new Uint8Array(84) })));
    expect(results.every((r) => !r.error)).toBe(true);
    expect(transport.sent.map((d) => d.length)).toEqual([1000, 1000, 1000]);
  });
});
