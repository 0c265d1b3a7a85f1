/**
 * Root-only: NetlinkClient.dumpBytes, whose datagrams arrive in recvmmsg batches from a helper
 * thread while the previous batch is handled, must hand over exactly what dumpBytesSync does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LiveTransport } from "../src/live-transport.js";
import { NetlinkClient } from "../src/request.js";
import { isNetlinkSocketError } from "../src/errors.js";
import { createNetns, deleteNetns, kernelSkipReason } from "./helpers/netns.js";
import { createRequest, dumpRequest, flows } from "./helpers/conntrack-bytes.js";
import type { NetlinkRequest } from "../src/request.js";

const skip = kernelSkipReason();
if (skip) console.warn(`[socket batch dump tests skipped] ${skip}`);

/** Enough entries for many 16-datagram batches (a datagram holds ~150 entries). */
const ENTRIES = 6000;

function collectSync(client: NetlinkClient, request: NetlinkRequest): string[] {
  const seen: string[] = [];
  client.dumpBytesSync(request, (datagram, offset, length) => seen.push(Buffer.from(datagram.subarray(offset, offset + length)).toString("hex")));
  return seen;
}

describe.skipIf(skip !== undefined)("batched dump (private netns)", () => {
  let netns = "";
  let transport: LiveTransport;
  let client: NetlinkClient;

  beforeAll(() => {
    netns = createNetns("batch");
    transport = LiveTransport.open({ netns });
    client = new NetlinkClient(transport);
    const failed = client.batchSync(flows(ENTRIES).map((flow) => createRequest(flow, { timeout: 600 }))).filter((r) => r.error);
    expect(failed).toEqual([]);
  });
  afterAll(() => {
    transport?.close();
    if (netns) deleteNetns(netns);
  });

  it("receives several datagrams per call, on fewer calls than datagrams", async () => {
    const receiveBatch = transport.receiveBatch.bind(transport);
    const sizes: number[] = [];
    transport.receiveBatch = async () => {
      const batch = await receiveBatch();
      sizes.push(batch?.length ?? -1);
      return batch;
    };
    try {
      const summary = await client.dumpBytes(dumpRequest(), () => {});
      expect(summary.messages).toBe(ENTRIES);
      expect(Math.max(...sizes)).toBeGreaterThan(1);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(summary.datagrams);
      expect(sizes.length).toBeLessThan(summary.datagrams);
    } finally {
      transport.receiveBatch = receiveBatch;
    }
  });

  it("hands over the same messages, in the same order, as the synchronous dump", async () => {
    const expected = collectSync(client, dumpRequest());
    expect(expected).toHaveLength(ENTRIES);
    const seen: string[] = [];
    const summary = await client.dumpBytes(dumpRequest(), (datagram, offset, length) => {
      seen.push(Buffer.from(datagram.subarray(offset, offset + length)).toString("hex"));
    });
    expect(summary.messages).toBe(ENTRIES);
    expect(summary.datagrams).toBeGreaterThan(16);
    // Each dump has its own sequence number, and timeouts tick between the two dumps: compare the
    // messages after the netlink header, without CTA_TIMEOUT's value.
    const strip = (hex: string) => hex.slice(32).replace(/08000700[0-9a-f]{8}/, "");
    expect(seen.map(strip)).toEqual(expected.map(strip));
  });

  it("throws the kernel's error and leaves the client usable", async () => {
    // An unknown table message type: the kernel answers with an error instead of a dump.
    const bad: NetlinkRequest = { type: (1 << 8) | 0x3f, flags: 0x300, payload: new Uint8Array(4) };
    const error = await client.dumpBytes(bad, () => {}).catch((e: unknown) => e);
    expect(isNetlinkSocketError(error)).toBe(true);
    let count = 0;
    await client.dumpBytes(dumpRequest(), () => count++);
    expect(count).toBe(ENTRIES);
  });

  it("drains the rest when the callback throws, then dumps again", async () => {
    let handled = 0;
    const error = await client
      .dumpBytes(dumpRequest(), () => {
        if (++handled === 1000) throw new Error("stop");
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe("stop");
    expect(collectSync(client, dumpRequest())).toHaveLength(ENTRIES);
  });

  it("takes the family filter of the request (an IPv6 dump of an IPv4 table is empty)", async () => {
    let count = 0;
    const request = dumpRequest(10);
    await client.dumpBytes(request, () => count++);
    expect(count).toBe(0);
  });
});
