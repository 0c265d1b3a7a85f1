// Value resolution must match YNL's nlspec.py exactly: wire ids depend on it.

import { describe, expect, it } from "vitest";
import type { RawOperation } from "../../compiler/raw.js";
import {
  enumUserValue,
  resolveAttrValues,
  resolveDirectionalOps,
  resolveEnumRawValues,
  resolveIntOrDefine,
  resolveUnifiedOps,
} from "../../compiler/resolve-values.js";

describe("attribute values", () => {
  it("count from 1", () => expect(resolveAttrValues([{}, {}, {}])).toEqual([1, 2, 3]));
  it("restart from an explicit value", () => expect(resolveAttrValues([{}, { value: 5 }, {}, { value: 2 }, {}])).toEqual([1, 5, 6, 2, 3]));
  it("accept an explicit 0", () => expect(resolveAttrValues([{ value: 0 }, {}])).toEqual([0, 1]));
});

describe("enum values", () => {
  it("count from value-start (default 0)", () => {
    expect(resolveEnumRawValues([{}, {}], 0)).toEqual([0, 1]);
    expect(resolveEnumRawValues([{}, {}], 3)).toEqual([3, 4]);
  });
  it("continue after an explicit value", () => expect(resolveEnumRawValues([{}, { value: 10 }, {}], 0)).toEqual([0, 10, 11]));
  it("become masks for flags", () => {
    expect([0, 1, 15, 31].map((v) => enumUserValue(v, true))).toEqual([1, 2, 0x8000, 0x80000000]);
    expect(enumUserValue(5, false)).toBe(5);
  });
});

describe("lengths and defines", () => {
  const consts = new Map([["IFNAMSIZ", 16]]);
  it.each([
    [4, 4],
    ["16", 16],
    ["IFNAMSIZ", 16],
    ["IFNAMSIZ - 1", 15],
    ["UNKNOWN", undefined],
  ] as const)("%s → %s", (v, n) => expect(resolveIntOrDefine(v, consts)).toBe(n));
});

describe("operations", () => {
  it("unified: one counter from 1, explicit values reset it", () => {
    expect(resolveUnifiedOps([{}, { value: 7 }, {}])).toEqual([
      { request: 1, reply: 1 },
      { request: 7, reply: 7 },
      { request: 8, reply: 8 },
    ]);
  });

  it("directional: separate counters, do over dump, no reply value without a reply", () => {
    const ops: RawOperation[] = [
      { name: "a", do: { request: { value: 0x101 }, reply: { value: 0x100 } }, dump: { request: { value: 0x999 } } },
      { name: "b", do: { request: {} } },
      { name: "c", dump: { request: {}, reply: {} } },
      { name: "d", do: { request: { value: 0 }, reply: {} } },
    ];
    expect(resolveDirectionalOps(ops)).toEqual([
      { request: 0x101, reply: 0x100 },
      // no reply: the reply counter does not move and the op has no reply value
      { request: 0x102, reply: undefined },
      { request: 0x103, reply: 0x101 },
      // 0 counts as "not given" in nlspec.py
      { request: 0x104, reply: 0x102 },
    ]);
  });

  it("directional: notifications take reply values and have no request", () => {
    const ops: RawOperation[] = [
      { name: "get", do: { request: { value: 0x101 }, reply: { value: 0x100 } } },
      { name: "ev", value: 0x102, event: { attributes: [] } },
      { name: "ev2", event: { attributes: [] } },
      { name: "ntf", notify: "get" },
      { name: "next", do: { request: {} } },
    ];
    expect(resolveDirectionalOps(ops)).toEqual([
      { request: 0x101, reply: 0x100 },
      { request: undefined, reply: 0x102 },
      { request: undefined, reply: 0x103 },
      { request: undefined, reply: 0x104 },
      { request: 0x102, reply: undefined },
    ]);
  });
});
