import { describe, expect, it } from "vitest";
import { FlowCache, flowBucket, scaleHash } from "@tsconntrack/conntrackd";

// That jhash2 and the bucket order equal 1.4.7's is shown by the kernel tests: every -i/-e
// listing of several flows comes out in conntrackd 1.4.7's order.

describe("the caches hash like conntrackd 1.4.7", () => {
  it("scales a hash into the table exactly like (u64)h * size >> 32", () => {
    let x = 0x12345678;
    for (let i = 0; i < 10_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      for (const size of [1, 7, 8192, 65536, 262144, 0x7fffffff]) {
        expect(scaleHash(x, size)).toBe(Number((BigInt(x) * BigInt(size)) >> 32n));
      }
    }
    expect(scaleHash(0xffffffff, 0x7fffffff)).toBe(Number((0xffffffffn * 0x7fffffffn) >> 32n));
  });
  it("keeps HashLimit objects and lists buckets in order, newest first in a bucket", () => {
    const cache = new FlowCache<number>({ name: "t", hashSize: 4, hashLimit: 3, now: () => 100 });
    const flow = (i: number) => ({ ipv4: { src: `10.0.0.${i}`, dst: "10.0.1.1" }, l4proto: 6, port: { sport: 1000 + i, dport: 80 } });
    for (let i = 1; i <= 4; i++) cache.add(i, flow(i));
    expect(cache.size).toBe(3);
    expect(cache.stats).toMatchObject({ addOk: 3, addFail: 1, addFailEnospc: 1, active: 3 });
    const order = [...cache.objects()].map((o) => [o.bucket, o.value]);
    const sorted = [...order].sort((a, b) => a[0]! - b[0]! || 0);
    expect(order.map((o) => o[0])).toEqual(sorted.map((o) => o[0]));
    for (let i = 1; i <= 3; i++) expect(flowBucket(flow(i), 4)).toBe(cache.find(flow(i))!.bucket);
  });
});
