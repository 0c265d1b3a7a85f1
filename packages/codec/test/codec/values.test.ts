// Two-way table: each case decodes its annotated bytes to the value and encodes the value back to
// the same bytes. nlattr headers are host order (these literals assume a little-endian host).
import { describe, expect, it } from "vitest";
import { createFamilyCodec } from "../../src/index.js";
import { hex, toHex } from "../helpers/hex.js";
import { miniFamily } from "../helpers/mini-family.js";

const codec = createFamilyCodec(miniFamily);

const cases: { name: string; hex: string; value: Record<string, unknown> }[] = [
  { name: "u8 (padded to 4)", value: { u8: 0x2a }, hex: `
    05 00        # nla_len 5
    01 00        # nla_type 1 (u8)
    2a           # 42
    00 00 00     # padding` },
  { name: "u16 big-endian", value: { u16Be: 0x1234 }, hex: `
    06 00 02 00  # len 6, type 2
    12 34        # 0x1234
    00 00        # padding` },
  { name: "u16 little-endian", value: { u16Le: 0x1234 }, hex: `
    06 00 03 00  # len 6, type 3
    34 12        # 0x1234
    00 00        # padding` },
  { name: "u16 host order", value: { u16Host: 0x1234 }, hex: `
    06 00 21 00  # len 6, type 33
    34 12 00 00  # 0x1234 host (LE), padding` },
  { name: "u32 big-endian", value: { u32Be: 0xdeadbeef }, hex: `
    08 00 04 00  # len 8, type 4
    de ad be ef  # 0xdeadbeef` },
  { name: "u32 little-endian", value: { u32Le: 0xdeadbeef }, hex: `
    08 00 05 00  # len 8, type 5
    ef be ad de  # 0xdeadbeef` },
  { name: "u32 host order", value: { u32Host: 7 }, hex: `
    08 00 19 00  # len 8, type 25
    07 00 00 00  # 7` },
  { name: "u64 big-endian is a bigint", value: { u64Be: 0x0102030405060708n }, hex: `
    0c 00 06 00              # len 12, type 6
    01 02 03 04 05 06 07 08  # value` },
  { name: "u64 little-endian, max", value: { u64Le: 0xffffffffffffffffn }, hex: `
    0c 00 07 00              # len 12, type 7
    ff ff ff ff ff ff ff ff  # 2^64-1` },
  { name: "u64 host order", value: { u64Host: 1n }, hex: `
    0c 00 1d 00              # len 12, type 29
    01 00 00 00 00 00 00 00  # 1` },
  { name: "s8 negative", value: { s8: -2 }, hex: `
    05 00 08 00  # len 5, type 8
    fe 00 00 00  # -2, padding` },
  { name: "s16 big-endian", value: { s16Be: -2 }, hex: `
    06 00 09 00  # len 6, type 9
    ff fe 00 00  # -2, padding` },
  { name: "s16 little-endian", value: { s16Le: -300 }, hex: `
    06 00 1e 00  # len 6, type 30
    d4 fe 00 00  # -300, padding` },
  { name: "s32 little-endian", value: { s32Le: -1 }, hex: `
    08 00 0a 00  # len 8, type 10
    ff ff ff ff  # -1` },
  { name: "s32 big-endian", value: { s32Be: -0x80000000 }, hex: `
    08 00 1f 00  # len 8, type 31
    80 00 00 00  # INT32_MIN` },
  { name: "s64 big-endian", value: { s64Be: -5n }, hex: `
    0c 00 0b 00              # len 12, type 11
    ff ff ff ff ff ff ff fb  # -5` },
  { name: "s64 little-endian", value: { s64Le: -0x8000000000000000n }, hex: `
    0c 00 20 00              # len 12, type 32
    00 00 00 00 00 00 00 80  # INT64_MIN` },
  { name: "string with NUL, padded", value: { name: "ftp" }, hex: `
    08 00 0c 00  # len 8, type 12
    66 74 70 00  # "ftp" NUL` },
  { name: "empty string", value: { name: "" }, hex: `
    05 00 0c 00  # len 5, type 12
    00 00 00 00  # NUL, padding` },
  { name: "UTF-8 string", value: { name: "é" }, hex: `
    07 00 0c 00  # len 7, type 12
    c3 a9 00 00  # "é" NUL, padding` },
  { name: "binary", value: { blob: Uint8Array.of(1, 2, 3, 4, 5) }, hex: `
    09 00 0d 00     # len 9, type 13
    01 02 03 04 05  # bytes
    00 00 00        # padding` },
  { name: "empty binary", value: { blob: new Uint8Array(0) }, hex: `
    04 00 0d 00  # len 4, type 13` },
  { name: "flag", value: { on: true }, hex: `
    04 00 0e 00  # len 4, type 14` },
  { name: "ipv4 display hint", value: { addr4: "192.168.1.20" }, hex: `
    08 00 0f 00  # len 8, type 15
    c0 a8 01 14  # 192.168.1.20` },
  { name: "ipv4 binary", value: { addr4Bytes: "10.0.0.1" }, hex: `
    08 00 1a 00  # len 8, type 26
    0a 00 00 01  # 10.0.0.1` },
  { name: "ipv6 display hint", value: { addr6: "2001:db8::1" }, hex: `
    14 00 10 00                                      # len 20, type 16
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01  # 2001:db8::1` },
  { name: "ipv4-or-v6 (4 bytes)", value: { anyAddr: "1.2.3.4" }, hex: `
    08 00 18 00  # len 8, type 24
    01 02 03 04  # 1.2.3.4` },
  { name: "ipv4-or-v6 (16 bytes)", value: { anyAddr: "::ffff:1.2.3.4" }, hex: `
    14 00 18 00                                      # len 20, type 24
    00 00 00 00 00 00 00 00 00 00 ff ff 01 02 03 04  # ::ffff:1.2.3.4` },
  { name: "struct with pad, ipv4, binary and signed members", value: { mixed: { a: 0x0102, b: 0x03040506, addr: "10.1.2.3", tail: Uint8Array.of(7, 8, 9), s: -1 } }, hex: `
    14 00 11 00  # len 20, type 17
    02 01        # a: u16 LE 0x0102
    00 00        # pad member
    03 04 05 06  # b: u32 BE
    0a 01 02 03  # addr: 10.1.2.3
    07 08 09     # tail: 3 bytes
    ff           # s: -1` },
  { name: "nest sets NLA_F_NESTED", value: { inner: { value: 1, label: "x" } }, hex: `
    14 00 12 80  # len 20, type 18 | NLA_F_NESTED
    08 00 01 00  #   len 8, type 1
    00 00 00 01  #   value 1
    06 00 03 00  #   len 6, type 3
    78 00 00 00  #   "x" NUL, padding` },
  { name: "empty nest", value: { inner: {} }, hex: `
    04 00 12 80  # len 4, nested type 18` },
  { name: "multi-attr is an array", value: { many: [1, 2] }, hex: `
    08 00 13 00  # len 8, type 19
    00 00 00 01  # 1
    08 00 13 00  # len 8, type 19
    00 00 00 02  # 2` },
  { name: "uint, 4 bytes → number", value: { uint: 5 }, hex: `
    08 00 15 00  # len 8, type 21
    05 00 00 00  # 5 (host order)` },
  { name: "uint, 8 bytes → bigint", value: { uint: 5n }, hex: `
    0c 00 15 00              # len 12, type 21
    05 00 00 00 00 00 00 00  # 5` },
  { name: "sint, 4 bytes", value: { sint: -5 }, hex: `
    08 00 16 00  # len 8, type 22
    fb ff ff ff  # -5` },
  { name: "bitfield32", value: { bf: { value: 1, selector: 3 } }, hex: `
    0c 00 17 00  # len 12, type 23
    01 00 00 00  # value
    03 00 00 00  # selector` },
  { name: "enum scalar stays a number", value: { state: 2 }, hex: `
    05 00 1b 00  # len 5, type 27
    02 00 00 00  # down, padding` },
  { name: "flags scalar stays a number", value: { bits: 0x80000005 }, hex: `
    08 00 1c 00  # len 8, type 28
    80 00 00 05  # top|c|a` },
  { name: "unknown attribute kept raw", value: { $unknown: [{ type: 99, flags: 0x4000, data: Uint8Array.of(1, 2), index: 0 }] }, hex: `
    06 00 63 40  # len 6, type 99 | NLA_F_NET_BYTEORDER
    01 02 00 00  # payload, padding` },
  { name: "pad attribute kept raw, never a key", value: { $unknown: [{ type: 20, flags: 0, data: new Uint8Array(4), index: 0 }], u64Be: 1n }, hex: `
    08 00 14 00              # len 8, type 20 (pad)
    00 00 00 00              # pad payload
    0c 00 06 00              # len 12, type 6
    00 00 00 00 00 00 00 01  # 1` },
];

describe("attribute values ⇄ bytes", () => {
  it.each(cases)("$name", ({ hex: text, value }) => {
    const bytes = hex(text);
    expect(codec.decodeAttrs("all-attrs", bytes)).toEqual(value);
    expect(toHex(codec.encodeAttrs("all-attrs", value))).toBe(toHex(bytes));
  });

  it("decodes keys in wire order, not spec order", () => {
    const bytes = codec.encodeAttrs("all-attrs", { name: "a", u8: 1 });
    expect(Object.keys(codec.decodeAttrs("all-attrs", bytes))).toEqual(["name", "u8"]);
  });

  it("keeps a repeated non-multi attribute in $unknown and re-encodes it in place", () => {
    const bytes = hex(`
      05 00 01 00  01 00 00 00  # u8 = 1
      08 00 04 00  00 00 00 09  # u32-be = 9
      05 00 01 00  02 00 00 00  # u8 again = 2 (kept raw)
      05 00 1b 00  01 00 00 00  # state = 1`);
    const value = codec.decodeAttrs("all-attrs", bytes);
    expect(value).toEqual({ u8: 1, u32Be: 9, state: 1, $unknown: [{ type: 1, flags: 0, data: Uint8Array.of(2), index: 2 }] });
    expect(toHex(codec.encodeAttrs("all-attrs", value))).toBe(toHex(bytes));
  });

  it("masks NLA_F_NESTED and NLA_F_NET_BYTEORDER off the type and ignores them for known attributes", () => {
    const bytes = hex(`
      0c 00 12 00  # nest type 18 WITHOUT NLA_F_NESTED (the kernel accepts both)
      08 00 01 40  # value, with NLA_F_NET_BYTEORDER set: byte order still comes from the spec
      00 00 01 00  # 256`);
    expect(codec.decodeAttrs("all-attrs", bytes)).toEqual({ inner: { value: 256 } });
  });

  it("accepts encode conveniences: enum names, flag name lists, numbers for addresses", () => {
    const bytes = codec.encodeAttrs("all-attrs", { state: "up", bits: ["a", "top"], addr4: 0x0a000001, on: false });
    expect(codec.decodeAttrs("all-attrs", bytes)).toEqual({ state: 1, bits: 0x80000001, addr4: "10.0.0.1" });
  });
});
