import { describe, expect, it } from "vitest";
import { AttrReader, AttrWriter, NLA_F_NESTED, NLA_F_NET_BYTEORDER, isNetlinkDecodeError } from "../../src/index.js";
import { hex, toHex } from "../helpers/hex.js";

describe("AttrWriter", () => {
  it("writes every width in either byte order, strings, bytes, flags and nests with padding", () => {
    const w = new AttrWriter(16); // small, so it has to grow
    w.u8(1, 0xab)
      .u16(2, 0x1234, "big")
      .u16(3, 0x1234, "little")
      .u32(4, 0x01020304, "big")
      .u64(5, 0x0102030405060708n, "big")
      .s32(6, -2, "little")
      .string(7, "hi")
      .bytes(8, Uint8Array.of(9))
      .flag(9)
      .nested(10, (n) => n.u32(1, 1, "big").nested(2, (m) => m.u8(1, 5)));
    expect(toHex(w.finish())).toBe(toHex(hex(`
      05 00 01 00  ab 00 00 00                # u8
      06 00 02 00  12 34 00 00                # u16 big
      06 00 03 00  34 12 00 00                # u16 little
      08 00 04 00  01 02 03 04                # u32 big
      0c 00 05 00  01 02 03 04 05 06 07 08    # u64 big
      08 00 06 00  fe ff ff ff                # s32 little
      07 00 07 00  68 69 00 00                # "hi" NUL
      05 00 08 00  09 00 00 00                # bytes
      04 00 09 00                             # flag
      18 00 0a 80                             # nest 10 | NLA_F_NESTED, len 24
      08 00 01 00  00 00 00 01                #   u32
      0c 00 02 80                             #   nest 2
      05 00 01 00  05 00 00 00                #     u8`)));
  });

  it("zeroes padding even when the buffer is reused", () => {
    const w = new AttrWriter();
    w.u32(1, 0xffffffff);
    w.reset();
    w.u8(1, 1);
    expect(toHex(w.finish())).toBe("0500010001000000");
  });
});

describe("AttrReader", () => {
  const bytes = hex(`
    05 00 01 00  ab 00 00 00        # u8 0xab
    0c 00 02 80                     # nest 2 with NLA_F_NESTED
    08 00 01 40  00 00 00 2a        #   type 1 with NLA_F_NET_BYTEORDER: 42 big-endian
    07 00 03 00  68 69 00 00        # "hi"`);

  it("iterates attributes with the type masked and the flags apart", () => {
    const seen: [number, number, number][] = [];
    for (const a of new AttrReader(bytes)) seen.push([a.offset, a.type, a.flags]);
    expect(seen).toEqual([[0, 1, 0], [8, 2, NLA_F_NESTED], [20, 3, 0]]);
  });

  it("reads payloads and nests", () => {
    const r = new AttrReader(bytes);
    r.next();
    expect(r.u8()).toBe(0xab);
    r.next();
    expect(r.nested).toBe(true);
    const inner = r.nestedReader();
    inner.next();
    expect([inner.type, inner.netByteOrder, inner.u32("big"), inner.u32("little")]).toEqual([1, true, 42, 0x2a000000]);
    expect(inner.flags).toBe(NLA_F_NET_BYTEORDER);
    expect(inner.next()).toBe(false);
    r.next();
    expect(r.string()).toBe("hi");
    expect(r.next()).toBe(false);
  });

  it.each([
    ["nla_len below 4", "03 00 01 00", "bad-length", 0],
    ["zero nla_len", "00 00 01 00 00 00 00 00", "bad-length", 0],
    ["nla_len past the parent", "08 00 01 00 00 00", "bad-length", 0],
    ["1 to 3 stray bytes after the last attribute", "04 00 01 00 00 00", "truncated", 4],
  ])("rejects %s", (_name, text, code, offset) => {
    const r = new AttrReader(hex(text));
    try {
      while (r.next());
      throw new Error("no error");
    } catch (e) {
      expect(isNetlinkDecodeError(e)).toBe(true);
      expect(e).toMatchObject({ code, offset });
    }
  });

  it("rejects a payload of the wrong size for the read", () => {
    const r = new AttrReader(hex("06 00 01 00 01 02 00 00"));
    r.next();
    expect(() => r.u32()).toThrow(expect.objectContaining({ name: "NetlinkDecodeError", code: "bad-length" }));
  });
});
