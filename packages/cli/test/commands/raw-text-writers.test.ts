/**
 * The byte writers of the -L/-D formatter print what the string formatters print: String(n),
 * formatIPv4, formatIPv6 (glibc inet_ntop), n.toString(16).
 */
import { describe, expect, it } from "vitest";
import { formatIPv4, formatIPv6 } from "@tsconntrack/codec";
import { FRAGMENT_MAX, fragment, putFragment, putHex, putIPv4, putIPv6, putUint } from "../../src/commands/raw-text-writers.js";

const bytes = new Uint8Array(256);
const view = new DataView(bytes.buffer);
const AT = 5;

function written(write: (out: DataView, pos: number) => number): string {
  bytes.fill(0x7e);
  const end = write(view, AT);
  return Buffer.from(bytes.subarray(AT, end)).toString("latin1");
}

describe("raw text writers", () => {
  it("putUint prints every digit count, int32 and beyond", () => {
    const values = [0, 9, 10, 99, 100, 101, 999, 1000, 65535, 99999, 100000, 431999, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 53 - 1];
    for (let d = 1; d <= 15; d++) values.push(10 ** d - 1, 10 ** d, 10 ** d + 7);
    for (let i = 0; i < 2000; i++) values.push(Math.floor(Math.random() * 2 ** (1 + (i % 53))));
    for (const n of values) expect(written((out, pos) => putUint(out, pos, n)), String(n)).toBe(String(n));
  });

  it("putHex prints lowercase hex without leading zeros", () => {
    for (const n of [0, 1, 0xabc, 0xffff, 0x10000]) expect(written((out, pos) => putHex(out, pos, n))).toBe(n.toString(16));
  });

  it("fragments hold up to 16 bytes", () => {
    expect(written((out, pos) => putFragment(out, pos, fragment("dport=")))).toBe("dport=");
    expect(written((out, pos) => putFragment(out, pos, fragment("[HW_OFFLOAD] ")))).toBe("[HW_OFFLOAD] ");
    expect(() => fragment("x".repeat(FRAGMENT_MAX + 1))).toThrow(RangeError);
  });

  it("putIPv4 prints the dotted quad and a space", () => {
    const address = new Uint8Array(8);
    for (const octets of [[0, 0, 0, 0], [255, 255, 255, 255], [10, 0, 138, 114], [1, 22, 133, 9]]) {
      address.set(octets, 2);
      expect(written((out, pos) => putIPv4(out, pos, address, 2))).toBe(formatIPv4(new DataView(address.buffer).getUint32(2)) + " ");
    }
  });

  it("putIPv6 prints what inet_ntop prints, for every pattern of zero groups", () => {
    const address = new Uint8Array(20);
    const groups = [0x1, 0xabcd, 0x20, 0xfff, 0x100, 0xffff];
    for (let zeros = 0; zeros < 256; zeros++) {
      for (let variant = 0; variant < groups.length; variant++) {
        for (let i = 0; i < 8; i++) {
          const word = (zeros & (1 << i)) !== 0 ? 0 : groups[(i + variant) % groups.length]!;
          address[3 + 2 * i] = word >>> 8;
          address[4 + 2 * i] = word & 255;
        }
        expect(written((out, pos) => putIPv6(out, pos, address, 3))).toBe(formatIPv6(address, 3) + " ");
      }
    }
    // The dotted tails: ::a.b.c.d and ::ffff:a.b.c.d, and their near misses.
    for (const text of [[0, 0, 0, 0, 0, 0, 0x0102, 0x0304], [0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001], [0, 0, 0, 0, 0, 0xfffe, 1, 2], [0, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0xffff, 0, 1, 2]]) {
      text.forEach((word, i) => {
        address[3 + 2 * i] = word >>> 8;
        address[4 + 2 * i] = word & 255;
      });
      expect(written((out, pos) => putIPv6(out, pos, address, 3))).toBe(formatIPv6(address, 3) + " ");
    }
  });
});
