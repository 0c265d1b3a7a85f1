// Deterministic fuzzing of the message decoder: mutated captures of conntrackd 1.4.7 and random
// bytes. Nothing may throw; whatever decodes must encode back to something that decodes the same.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeStateMessage, encodeStateMessage, splitDatagram, checkExpectMessage } from "@tsconntrack/conntrackd";

const golden = readFileSync(join(__dirname, "fixtures/notrack-1.4.7.hex"), "utf8")
  .split("\n").filter((l) => l && !l.startsWith("#")).map((h) => new Uint8Array(Buffer.from(h, "hex")));

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 0x100000000;
  };
}

function mutate(input: Uint8Array, r: () => number): Uint8Array {
  let b = input.slice();
  const ops = 1 + Math.floor(r() * 4);
  for (let k = 0; k < ops; k++) {
    const op = Math.floor(r() * 6);
    if (op === 0 && b.length) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
    else if (op === 1) b = b.slice(0, Math.floor(r() * (b.length + 1)));
    else if (op === 2) b = new Uint8Array([...b, ...Array.from({ length: Math.floor(r() * 24) }, () => Math.floor(r() * 256))]);
    else if (op === 3 && b.length > 3) new DataView(b.buffer).setUint16(2, Math.floor(r() * 0x10000)); // message length
    else if (op === 4 && b.length > 12) new DataView(b.buffer).setUint16(8 + 4 * Math.floor(r() * ((b.length - 8) / 4 - 1)), Math.floor(r() * 64)); // an nta_len
    else if (op === 5) b = new Uint8Array([...b, ...golden[Math.floor(r() * golden.length)]!]);
  }
  return b;
}

describe("fuzzing the datagram and message decoders", () => {
  it("never throws on 50,000 mutated and random datagrams, and round-trips what decodes", () => {
    const r = rng(0x5eed);
    let decoded = 0;
    let refused = 0;
    for (let i = 0; i < 50_000; i++) {
      const datagram = i % 5 === 4
        ? new Uint8Array(Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256)))
        : mutate(golden[Math.floor(r() * golden.length)]!, r);
      for (const item of splitDatagram(datagram)) {
        if (item.kind !== "message") continue;
        const { header } = item;
        if (header.type >= 3 && header.type <= 5) {
          checkExpectMessage(item.bytes);
          continue;
        }
        const result = decodeStateMessage(item.bytes);
        if (!result.ok) {
          refused++;
          continue;
        }
        decoded++;
        const again = decodeStateMessage(encodeStateMessage(header.type, header.seq, result.attrs));
        expect(again).toEqual(result);
      }
    }
    // Both paths were exercised.
    expect(decoded).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
  });
});
