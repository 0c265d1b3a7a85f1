// Deterministic fuzzing of the cttimeout and cthelper decoders (sub-messages included): 40,000
// mutated and random inputs per family. Only NetlinkDecodeError may escape, and whatever decodes
// must re-encode to the canonical form of its input.
import { describe, expect, it } from "vitest";
import { NLM_F_MULTI, type FamilyCodec } from "../../src/index.js";
import { cthelper } from "../../src/cthelper.js";
import { cttimeout } from "../../src/cttimeout.js";
import { attrOffsets, check, mutate, prng, type Tally } from "../helpers/fuzz.js";

const timeoutSeeds = (): Uint8Array[] => {
  const enc = (type: number, attrs: object) => cttimeout.encodeMessage({ type, flags: NLM_F_MULTI, seq: 7, fixed: {}, attrs });
  return [
    enc(0x800, { name: "t1", l3proto: 2, l4proto: 17, use: 1, data: { unreplied: 7, replied: 9 } }),
    enc(0x800, { name: "tcp", l3proto: 10, l4proto: 6, data: { synSent: 1, established: 2, unack: 3 }, use: 2 }),
    enc(0x803, { l3proto: 2, l4proto: 132, data: { closed: 1, heartbeatSent: 2, heartbeatAcked: 0 } }),
    enc(0x800, { data: { timeout: 600 }, l4proto: 255, name: "generic-after" }),
    enc(0x803, { l3proto: 2, l4proto: 1, data: { timeout: 30 } }),
    enc(0x800, { name: "esp", l4proto: 50, $unknown: [{ type: 4, flags: 0x8000, data: Uint8Array.of(8, 0, 1, 0, 0, 0, 2, 0x58), index: 2 }] }),
  ];
};

const helperSeeds = (): Uint8Array[] => {
  const enc = (type: number, attrs: object) => cthelper.encodeMessage({ type, flags: NLM_F_MULTI, seq: 7, fixed: {}, attrs });
  return [
    enc(0x900, {
      name: "ftp", queueNum: 5, tuple: { l3protonum: 2, l4protonum: 6 },
      policy: { setNum: 2, set1: { name: "ftp", expectMax: 1, expectTimeout: 300 }, set2: { name: "ftp-data", expectMax: 8, expectTimeout: 5 } },
      privDataLen: 24, status: 1,
    }),
    enc(0x900, { name: "tftp", tuple: { l3protonum: 10, l4protonum: 17 }, status: 0 }),
  ];
};

function fuzz(codec: FamilyCodec, seeds: Uint8Array[], types: readonly number[], seed: number): Tally {
  const rng = prng(seed);
  const offsets = seeds.map(attrOffsets);
  const tally: Tally = { inputs: 0, decoded: 0, rejected: 0 };
  for (let i = 0; i < 36_000; i++) {
    const k = rng.below(seeds.length);
    check(codec, mutate(rng, seeds[k]!, offsets[k]!), tally);
  }
  for (let i = 0; i < 4_000; i++) {
    const b = new Uint8Array(16 + rng.below(96));
    for (let j = 0; j < b.length; j++) b[j] = rng.below(256);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, rng.chance(0.8) ? b.length : rng.next(), true);
    if (rng.chance(0.8)) dv.setUint16(4, types[rng.below(types.length)]!, true);
    check(codec, b, tally);
  }
  return tally;
}

describe("fuzz (cttimeout, cthelper)", () => {
  it.each([
    { name: "cttimeout", codec: cttimeout, seeds: timeoutSeeds(), types: [0x800, 0x801, 0x802, 0x803, 0x804, 2, 3], seed: 0x7173 },
    { name: "cthelper", codec: cthelper, seeds: helperSeeds(), types: [0x900, 0x901, 0x902, 2, 3], seed: 0x9e1 },
  ])("$name: 40,000 inputs, only NetlinkDecodeError escapes; decodes re-encode canonically", ({ name, codec, seeds, types, seed }) => {
    const tally = fuzz(codec, seeds, types, seed);
    expect(tally.inputs).toBe(40_000);
    console.log(`fuzz ${name}: ${tally.decoded} messages decoded and re-encoded, ${tally.rejected} rejected with NetlinkDecodeError`);
    expect(tally.decoded).toBeGreaterThan(4_000);
    expect(tally.rejected).toBeGreaterThan(4_000);
  });
});
