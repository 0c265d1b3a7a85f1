import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from "../../src/index.js";

function bytesOf(text: string): Uint8Array {
  const b = parseIPv6(text);
  if (b === undefined) throw new Error(`unparsable ${text}`);
  return b;
}

describe("IPv6 text like glibc inet_ntop", () => {
  it.each([
    ["::", "::"],
    ["::1", "::1"],
    ["::2", "::2"],
    ["1::", "1::"],
    ["2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], // first of two equal runs
    ["2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"], // the longer run wins
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"], // a single zero group is not compressed
    ["::1.2.3.4", "::1.2.3.4"],
    ["::ffff:1.2.3.4", "::ffff:1.2.3.4"],
    ["::ffff:0:1.2.3.4", "::ffff:0:102:304"],
    ["2001:DB8::1.1.1.1", "2001:db8::101:101"],
    ["::0.0.1.0", "::100"],
    ["::ffff:0.0.0.0", "::ffff:0.0.0.0"],
    ["fe80::ABCD", "fe80::abcd"],
  ])("%s prints as %s", (input, expected) => {
    expect(formatIPv6(bytesOf(input), 0)).toBe(expected);
  });

  it("matches Python's socket.inet_ntop (glibc) on random and structured addresses", (ctx) => {
    // Addresses biased towards zero groups, so runs, ties and the dotted forms all occur.
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) / 65536;
    const inputs: Uint8Array[] = [];
    for (let i = 0; i < 3000; i++) {
      const b = new Uint8Array(16);
      for (let g = 0; g < 8; g++) {
        const r = rnd();
        const word = r < 0.55 ? 0 : r < 0.6 ? 0xffff : Math.floor(rnd() * 65536);
        b[2 * g] = word >> 8;
        b[2 * g + 1] = word & 255;
      }
      inputs.push(b);
    }
    const hexes = inputs.map((b) => Buffer.from(b).toString("hex"));
    const py = spawnSync("python3", ["-c", "import socket,sys\nfor l in sys.stdin: print(socket.inet_ntop(socket.AF_INET6, bytes.fromhex(l.strip())))"], {
      input: hexes.join("\n") + "\n", encoding: "utf8",
    });
    if (py.error !== undefined || py.status !== 0) {
      ctx.skip(`python3 unavailable: ${py.error?.message ?? py.stderr}`);
      return;
    }
    const expected = py.stdout.trim().split("\n");
    const actual = inputs.map((b) => formatIPv6(b, 0));
    expect(actual).toEqual(expected);
    // And the text parses back to the same bytes.
    for (let i = 0; i < inputs.length; i++) expect(parseIPv6(actual[i]!)).toEqual(inputs[i]);
  });
});

describe("IPv4 text", () => {
  it("formats and parses dotted quads (cached values stay right)", () => {
    for (const v of [0, 1, 0x0a000001, 0xffffffff, 0xc0a80114, 0x0a000001 + 4096]) {
      const text = formatIPv4(v);
      expect(formatIPv4(v)).toBe(text);
      expect(parseIPv4(text)).toBe(v);
    }
    expect(formatIPv4(0xc0a80114)).toBe("192.168.1.20");
  });

  it.each(["1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "a.b.c.d", "", "1..2.3"])("rejects %j", (text) => {
    expect(parseIPv4(text)).toBeUndefined();
  });

  it.each([":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "1.2.3.4::", "::g", "1:2:3:4:5:6:7"])("rejects IPv6 %j", (text) => {
    expect(parseIPv6(text)).toBeUndefined();
  });
});
