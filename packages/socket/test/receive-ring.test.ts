/** ReceiveRing against a scripted recvmmsg: order, reading ahead, the end of a dump, errors. */
import { describe, expect, it } from "vitest";
import { EINTR } from "../src/constants.js";
import { ReceiveRing } from "../src/receive-ring.js";
import { isNetlinkSocketError } from "../src/errors.js";
import type { ReceiveBatch } from "../src/syscalls.js";

class FakeBatch implements ReceiveBatch {
  readonly slots: number;
  readonly slotSize: number;
  readonly data: Uint8Array[] = [];
  lengths: number[] = [];
  constructor(slots: number, slotSize: number) {
    this.slots = slots;
    this.slotSize = slotSize;
  }
  slot(i: number): Uint8Array {
    return this.data[i]!.subarray(0, Math.min(this.lengths[i]!, this.slotSize));
  }
  length(i: number): number {
    return this.lengths[i] ?? 0;
  }
  clearLengths(): void {
    this.lengths = [];
  }
}

/** A kernel with `datagrams` queued (one byte each: its index; 255 = the end). Calls fill at once, return later. */
function scripted(datagrams: number[], results: (number | undefined)[] = [], length = 1) {
  const queue = [...datagrams];
  let calls = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const sys = {
    createReceiveBatch: (slots: number, slotSize: number) => new FakeBatch(slots, slotSize),
    recvBatchAsync(_fd: number, batch: ReceiveBatch, _flags: number): Promise<number> {
      const fake = batch as FakeBatch;
      const forced = results[calls++];
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      let n = 0;
      if (forced === undefined) {
        while (n < fake.slots && queue.length > 0) {
          const value = queue.shift()!;
          fake.data[n] = Uint8Array.of(value);
          fake.lengths[n] = length;
          n++;
          if (value === 255) break;
        }
      }
      return new Promise((resolve) =>
        setImmediate(() => {
          inFlight--;
          resolve(forced ?? n);
        }),
      );
    },
  };
  return { sys, stats: () => ({ calls, maxInFlight }) };
}

async function drain(ring: ReceiveRing): Promise<number[]> {
  const seen: number[] = [];
  for (;;) {
    const datagram = ring.poll();
    if (datagram === null) return seen;
    if (datagram === undefined) await ring.wait();
    else seen.push(datagram[0]!);
  }
}

const isEnd = (datagram: Uint8Array) => datagram[0] === 255;

describe("ReceiveRing", () => {
  it("hands over every datagram in order and stops calling after the end", async () => {
    const datagrams = [...Array.from({ length: 40 }, (_, i) => i), 255];
    const { sys, stats } = scripted(datagrams);
    const ring = new ReceiveRing(sys, 3, 0, 4, 64, isEnd);
    expect(await drain(ring)).toEqual(datagrams);
    // 41 datagrams in calls of 4: 11 calls, none after the one that brought the end.
    expect(stats().calls).toBe(11);
    // Full calls count as done (they read no more): the next starts before the last returns, within the ring.
    if (process.arch === "x64") expect(stats().maxInFlight).toBeGreaterThan(1);
    expect(stats().maxInFlight).toBeLessThanOrEqual(3);
  });

  it("retries an interrupted call and reports a failed one", async () => {
    const interrupted = scripted([1, 2, 255], [-EINTR]);
    expect(await drain(new ReceiveRing(interrupted.sys, 3, 0, 4, 64, isEnd))).toEqual([1, 2, 255]);

    const failed = scripted([1, 2, 3, 4, 5, 255], [undefined, -105]);
    const ring = new ReceiveRing(failed.sys, 3, 0, 4, 64, isEnd);
    const error = await drain(ring).catch((e: unknown) => e);
    expect(isNetlinkSocketError(error) && error.errno).toBe(105);
  });

  it("refuses a datagram longer than its slot (truncated)", async () => {
    const { sys } = scripted([1, 255], [], 100);
    const error = await drain(new ReceiveRing(sys, 3, 0, 4, 64, isEnd)).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/truncated/);
  });

  it("settle waits for the call under way and lets the rest be read", async () => {
    const { sys } = scripted([1, 2, 3, 255]);
    const ring = new ReceiveRing(sys, 3, 0, 2, 64, isEnd);
    await ring.settle();
    const rest: number[] = [];
    for (let d = ring.poll(); d; d = ring.poll()) rest.push(d[0]!);
    expect(rest).toEqual([1, 2]);
  });
});
