import { describe, expect, it } from "vitest";
import { ByteWriter, latin1 } from "../../src/io/byte-writer.js";

describe("ByteWriter", () => {
  it("copies constants of every length, short ones by the loop and long ones by set, across growth", () => {
    const w = new ByteWriter(8);
    let expected = "";
    for (let n = 0; n <= 40; n++) {
      const text = "abcdefghijklmnopqrstuvwxyz0123456789<>/=\"".slice(0, n);
      w.lit(latin1(text));
      expected += text;
    }
    expect(w.take()).toBe(expected);
  });

  it("writes every octet of a dotted quad as inet_ntoa does", () => {
    const w = new ByteWriter();
    for (let octet = 0; octet < 256; octet++) {
      w.ipv4(((octet << 24) | (octet << 16) | ((255 - octet) << 8) | octet) >>> 0);
      expect(w.take()).toBe(`${octet}.${octet}.${255 - octet}.${octet}`);
    }
  });
});
