// The one-pass top-N selections give what a full sort would, ties broken the same way.

import { describe, expect, it } from "vitest";
import { topCounts } from "../../src/views/metrics-snapshot.js";
import { sortRows, type TopRow } from "../../src/views/top-aggregate.js";

function random(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) >>> 0) % 1000) / 1000;
}

describe("top-N selection", () => {
  it("topCounts: the highest counts, ties by the smaller key, as a full sort orders them", () => {
    const next = random(7);
    const counts = new Map<string, number>();
    for (let i = 0; i < 5000; i++) counts.set(`10.0.${i % 256}.${i >> 8}`, Math.floor(next() * 5));
    const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    for (const limit of [1, 10, 100, 6000]) expect(topCounts(counts, limit)).toEqual(sorted.slice(0, limit));
    expect(topCounts(counts, 0)).toEqual([]);
  });

  it("sortRows with a limit: the first rows of the full sort", () => {
    const next = random(11);
    const rows = (): TopRow[] =>
      Array.from({ length: 3000 }, (_, i) => ({ key: `k${i}`, flows: 1 + Math.floor(next() * 3), packets: 0, bytes: Math.floor(next() * 50), packetsPerSecond: 0, bytesPerSecond: Math.floor(next() * 10), age: next(), ageKnown: true }));
    for (const sort of ["rate", "bytes", "flows", "age"] as const) {
      const all = rows();
      const full = sortRows([...all], sort);
      expect(sortRows([...all], sort, 25)).toEqual(full.slice(0, 25));
    }
  });
});

describe("U32Counter", () => {
  it("counts 32-bit keys as a Map does, across growth, keys above 2^31 included", async () => {
    const { U32Counter } = await import("../../src/views/u32-counter.js");
    const next = random(3);
    const counter = new U32Counter();
    const map = new Map<number, number>();
    for (let i = 0; i < 50_000; i++) {
      const key = (Math.floor(next() * 4000) * 1_000_003) >>> 0;
      counter.add(key);
      map.set(key, (map.get(key) ?? 0) + 1);
    }
    for (const key of [0, 0xffffffff, 0x80000000]) {
      counter.add(key);
      map.set(key, (map.get(key) ?? 0) + 1);
    }
    expect(counter.size).toBe(map.size);
    expect(new Map(counter.entries())).toEqual(map);
  });
});
