/** Root-only tests against the kernel, each in a private network namespace. */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ECONNREFUSED_TEST, connectTo } from "./helpers/raw-socket.js";
import { LiveTransport } from "../src/live-transport.js";
import { NetlinkClient } from "../src/request.js";
import { EventSubscription, type EventItem } from "../src/subscription.js";
import { isNetlinkSocketError, type NetlinkSocketError } from "../src/errors.js";
import { createNetns, deleteNetns, kernelSkipReason } from "./helpers/netns.js";
import {
  createRequest,
  createWithoutTimeout,
  deleteRequest,
  dumpRequest,
  flows,
  flushRequest,
  getRequest,
  markOf,
  nla,
  tuple,
  updateRequest,
} from "./helpers/conntrack-bytes.js";

const skip = kernelSkipReason();
if (skip) console.warn(`[socket live tests skipped] ${skip}`);

function countEntries(client: NetlinkClient): number {
  return client.dumpSync(dumpRequest(), () => {}).messages;
}

function caught(fn: () => unknown): NetlinkSocketError {
  try {
    fn();
  } catch (error) {
    if (isNetlinkSocketError(error)) return error;
    throw error;
  }
  throw new Error("expected a kernel error");
}

describe.skipIf(skip !== undefined)("live kernel (private netns)", () => {
  let netns = "";
  let transport: LiveTransport;
  let client: NetlinkClient;

  beforeAll(() => {
    netns = createNetns("live");
    transport = LiveTransport.open({ netns });
    client = new NetlinkClient(transport);
  });
  afterAll(() => {
    transport?.close();
    if (netns) deleteNetns(netns);
  });

  it("reports the port id, the granted buffers and the options it set", () => {
    expect(transport.portId).toBeGreaterThan(0);
    expect(transport.receiveBufferSize).toBeGreaterThanOrEqual(4 << 20);
    expect(transport.sendBufferSize).toBeGreaterThan(0);
    expect(transport.unsupportedOptions).toEqual([]);
  });

  it("creates, gets, updates, dumps, deletes and flushes", async () => {
    const [a, b, c] = flows(3);
    const results = client.batchSync([createRequest(a!), createRequest(b!), createRequest(c!, { mark: 7 })]);
    expect(results.map((r) => r.error?.code ?? "ok")).toEqual(["ok", "ok", "ok"]);
    expect(countEntries(client)).toBe(3);

    const [got] = client.requestSync(getRequest(c!));
    expect(got!.header.type).toBe(0x100);
    expect(markOf(got!.payload)).toBe(7);

    await client.request(updateRequest(c!, 42));
    expect(markOf(client.requestSync(getRequest(c!))[0]!.payload)).toBe(42);

    let seen = 0;
    for await (const message of client.dump(dumpRequest(2))) seen += message.header.type === 0x100 ? 1 : 0;
    expect(seen).toBe(3);

    client.requestSync(deleteRequest(a!));
    expect(countEntries(client)).toBe(2);
    client.requestSync(flushRequest());
    expect(countEntries(client)).toBe(0);
  });

  it("maps kernel errors: ENOENT, EEXIST, EINVAL with the extended ACK", () => {
    const [flow] = flows(1, 500);
    expect(caught(() => client.requestSync(getRequest(flow!)))).toMatchObject({ code: "ENOENT", errno: 2, op: "request" });
    expect(caught(() => client.requestSync(deleteRequest(flow!))).code).toBe("ENOENT");
    client.requestSync(createRequest(flow!));
    const exists = caught(() => client.requestSync(createRequest(flow!)));
    expect(exists.code).toBe("EEXIST");
    expect(exists.message).toMatch(/^request: File exists/);
    const invalid = caught(() => client.requestSync(createWithoutTimeout(flows(1, 501)[0]!)));
    expect(invalid.code).toBe("EINVAL");
    // Whatever text this kernel gives (if any) is carried through and shown.
    if (invalid.extack?.message) expect(invalid.message).toContain(invalid.extack.message);
    client.requestSync(flushRequest());
  });

  it("carries the kernel's extended-ACK text and offset, mapped to an attribute path", () => {
    const [flow] = flows(1, 600);
    // CTA_TIMEOUT with 2 bytes instead of 4 fails the nfnetlink policy check.
    const payload = Buffer.concat([Buffer.from([2, 0, 0, 0]), tuple(1, flow!), nla(7, Buffer.from([0, 1]))]);
    const names: Record<number, string> = { 1: "tupleOrig", 7: "timeout" };
    const topLevel = (request: Uint8Array, offset: number) => {
      const view = Buffer.from(request.buffer, request.byteOffset, request.byteLength);
      for (let at = 20; at + 4 <= view.length; at += (view.readUInt16LE(at) + 3) & ~3) {
        if (at === offset) return [names[view.readUInt16LE(at + 2) & 0x3fff] ?? "?"];
      }
      return undefined;
    };
    const mapped = new NetlinkClient(transport, { attrPath: topLevel });
    const error = caught(() => mapped.requestSync({ type: 0x100, flags: 0x600, payload }));
    expect(error.code).toBe("ERANGE");
    expect(error.extack).toEqual({ message: "Attribute failed policy validation", offset: 16 + 4 + tuple(1, flow!).length, attrPath: ["timeout"] });
    expect(error.message).toBe("request: Numerical result out of range: Attribute failed policy validation [at timeout]");
  });

  it("batches thousands of creates with one result each", () => {
    const batch = flows(5000, 1000).map((flow) => createRequest(flow));
    batch.push(batch[0]!); // a duplicate: EEXIST for that one only
    const results = client.batchSync(batch);
    expect(results.filter((r) => r.error).map((r) => r.error!.code)).toEqual(["EEXIST"]);
    expect(countEntries(client)).toBe(5000);
    client.requestSync(flushRequest());
  });

  it("refuses datagrams from any port but the kernel (connected socket)", () => {
    expect(connectTo(netns, transport.portId)).toBe(-ECONNREFUSED_TEST);
  });

  it("delivers NEW, UPDATE and DESTROY events", async () => {
    const subscription = EventSubscription.open({ netns, groups: [1, 2, 3] });
    try {
      expect(subscription.receiveBufferSize).toBeGreaterThanOrEqual(16 << 20);
      const [flow] = flows(1, 9000);
      client.requestSync(createRequest(flow!));
      client.requestSync(updateRequest(flow!, 5));
      client.requestSync(deleteRequest(flow!));
      const kinds: string[] = [];
      for await (const item of subscription) {
        if (item.kind !== "message") continue;
        const { type, flags } = item.message.header;
        kinds.push(type === 0x102 ? "destroy" : flags & 0x400 ? "new" : "update");
        if (kinds.length === 3) break;
      }
      expect(kinds).toEqual(["new", "update", "destroy"]);
    } finally {
      subscription.close();
    }
  });

  it("turns an overrun into an overrun item and keeps going", async () => {
    const subscription = EventSubscription.open({ netns, groups: [1], receiveBufferSize: 4096 });
    try {
      client.batchSync(flows(2000, 20000).map((flow) => createRequest(flow)));
      const items: EventItem[] = [];
      for await (const item of subscription) {
        items.push(item);
        if (item.kind === "overrun") break;
      }
      expect(items.at(-1)).toEqual({ kind: "overrun", count: 1 });
      expect(items.length).toBeLessThan(2000);
      // The stream goes on after the overrun.
      client.requestSync(createRequest(flows(1, 30000)[0]!));
      const next = await subscription[Symbol.asyncIterator]().next();
      expect(next.value).toMatchObject({ kind: "message" });
    } finally {
      subscription.close();
      client.requestSync(flushRequest());
    }
  });

  it("tells which peer namespace an event came from with listenAllNsid", async () => {
    const peer = createNetns("peer");
    const peerTransport = LiveTransport.open({ netns: peer });
    try {
      execFileSync("ip", ["-n", netns, "netns", "set", peer, "17"]);
      const subscription = EventSubscription.open({ netns, groups: [1], listenAllNsid: true });
      try {
        new NetlinkClient(peerTransport).requestSync(createRequest(flows(1, 40000)[0]!));
        client.requestSync(createRequest(flows(1, 40001)[0]!));
        const nsids: (number | undefined)[] = [];
        for await (const item of subscription) {
          if (item.kind === "message") nsids.push(item.nsid);
          if (nsids.length === 2) break;
        }
        expect(nsids).toEqual([17, undefined]);
      } finally {
        subscription.close();
      }
    } finally {
      peerTransport.close();
      deleteNetns(peer);
      client.requestSync(flushRequest());
    }
  });

  it("attaches a classic BPF socket filter", () => {
    // One instruction each: BPF_RET|BPF_K with k = 0 (drop) or 0xffffffff (accept).
    const program = (k: number) => {
      const instruction = Buffer.alloc(8);
      instruction.writeUInt16LE(0x06, 0);
      instruction.writeUInt32LE(k >>> 0, 4);
      return instruction;
    };
    const dropAll = LiveTransport.open({ netns, groups: [1], receiveTimeoutMs: 50 });
    const acceptAll = LiveTransport.open({ netns, groups: [1], receiveTimeoutMs: 50 });
    try {
      dropAll.attachFilter(program(0));
      acceptAll.attachFilter(program(0xffffffff));
      client.requestSync(createRequest(flows(1, 50000)[0]!));
      expect(acceptAll.receiveSync()?.bytes.length).toBeGreaterThan(16);
      expect(caught(() => dropAll.receiveSync()).code).toBe("EAGAIN");
    } finally {
      dropAll.close();
      acceptAll.close();
      client.requestSync(flushRequest());
    }
  });

  it("close() ends a pending async receive", async () => {
    const subscription = EventSubscription.open({ netns, groups: [3] });
    const pending = subscription[Symbol.asyncIterator]().next();
    setTimeout(() => subscription.close(), 20);
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
  });
});
