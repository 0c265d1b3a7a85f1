import { describe, expect, it } from "vitest";
import {
  AttrWriter, MAX_DEPTH, NLM_F_ACK, NLM_F_REQUEST, createFamilyCodec, isNetlinkDecodeError, isNetlinkEncodeError,
  parseMessages, type NetlinkDecodeError,
} from "../../src/index.js";
import { conntrack } from "../../src/conntrack.js";
import { hex, toHex } from "../helpers/hex.js";
import { miniFamily } from "../helpers/mini-family.js";

const mini = createFamilyCodec(miniFamily);

function decodeError(fn: () => unknown): NetlinkDecodeError {
  try {
    fn();
  } catch (e) {
    if (isNetlinkDecodeError(e)) return e;
    throw e;
  }
  throw new Error("expected a NetlinkDecodeError");
}

const entry = {
  tupleOrig: {
    tupleIp: { ipV4Src: "10.0.0.1", ipV4Dst: "10.0.0.2" },
    tupleProto: { protoNum: 6, protoSrcPort: 1234, protoDstPort: 80 },
  },
  tupleReply: {
    tupleIp: { ipV4Src: "10.0.0.2", ipV4Dst: "10.0.0.1" },
    tupleProto: { protoNum: 6, protoSrcPort: 80, protoDstPort: 1234 },
  },
  status: 0xe,
  timeout: 120,
  protoinfo: { protoinfoTcp: { tcpState: 3, tcpFlagsOriginal: { flags: 0x23, mask: 0x23 } } },
  countersOrig: { packets: 3n, bytes: 180n },
  help: { helpName: "ftp" },
};

describe("messages", () => {
  it("encodes and decodes a conntrack message: header, nfgenmsg, attributes", () => {
    const bytes = conntrack.encodeMessage({ type: 0x100, flags: NLM_F_REQUEST | NLM_F_ACK, seq: 9, pid: 0, fixed: { nfgenFamily: 2 }, attrs: entry });
    const [msg] = parseMessages(bytes);
    const decoded = conntrack.decodeMessage(msg!);
    expect(decoded.header).toEqual({ len: bytes.length, type: 0x100, flags: 5, seq: 9, pid: 0 });
    expect(decoded.fixed).toEqual({ nfgenFamily: 2, version: 0, resId: 0 });
    expect(decoded.attrs).toEqual(entry);
  });

  it("chooses the set by message type: replies and events first, then requests", () => {
    expect(conntrack.setForType(0x100)).toBe("conntrack-attrs");
    expect(mini.setForType(0x106)).toBe("inner-attrs");
    expect(mini.setForType(0x102)).toBe("inner-attrs");
    expect(mini.setForType(0x999)).toBeUndefined();
  });

  it("decodes a message given as plain views (not from parseMessages)", () => {
    const bytes = mini.encodeMessage({ type: 0x106, flags: 0, fixed: { resId: 0x1234 }, attrs: { value: 5 } });
    const header = { len: bytes.length, type: 0x106, flags: 0, seq: 0, pid: 0 };
    const d = mini.decodeMessage({ header, offset: 0, bytes, payload: bytes.subarray(16) });
    expect(d).toEqual({ header, fixed: { nfgenFamily: 0, version: 0, resId: 0x1234 }, attrs: { value: 5 } });
  });

  it("decodes an event whose nlmsg_len is not a multiple of 4", () => {
    const datagram = hex(`
      1d 00 00 00  02 01 00 00  00 00 00 00  00 00 00 00  # nlmsg_len 29, type 0x102 (event), seq 0
      02 00 00 00                                          # nfgenmsg AF_INET
      09 00 03 00  61 62 63 64 00                          # label "abcd": ends at nlmsg_len, unpadded
      00 00 00                                             # alignment before the next message
      14 00 00 00  03 00 02 00  00 00 00 00  00 00 00 00  00 00 00 00  # NLMSG_DONE`);
    const msgs = parseMessages(datagram);
    expect(msgs.map((m) => m.offset)).toEqual([0, 32]);
    expect(mini.decodeMessage(msgs[0]!).attrs).toEqual({ label: "abcd" });
  });

  it("rejects unknown message types and messages shorter than their fixed header", () => {
    const unknown = hex("14 00 00 00  99 09 00 00  00 00 00 00  00 00 00 00  00 00 00 00");
    expect(decodeError(() => mini.decodeMessage(parseMessages(unknown)[0]!)).code).toBe("unknown-type");
    const short = hex("12 00 00 00  00 01 00 00  00 00 00 00  00 00 00 00  02 00 00 00");
    expect(decodeError(() => mini.decodeMessage(parseMessages(short)[0]!))).toMatchObject({ code: "truncated", path: "nfgenmsg" });
  });
});

describe("decode errors carry the spec path and the byte offset", () => {
  it("points at a bad attribute deep in a conntrack message", () => {
    const bytes = conntrack.encodeMessage({ type: 0x100, flags: 0, fixed: { nfgenFamily: 2 }, attrs: entry });
    // nlmsghdr 16 + nfgenmsg 4 + tuple-orig hdr 4 + tuple-ip hdr 4 → ip-v4-src header at 28.
    const bad = bytes.slice();
    bad[28] = 7; // nla_len 7: a 3-byte IPv4 address
    const e = decodeError(() => conntrack.decodeMessage(parseMessages(bad)[0]!));
    expect(e).toMatchObject({ code: "bad-length", offset: 28, path: "conntrack-attrs.tuple-orig.tuple-ip.ip-v4-src" });
  });

  it("offsets count from the start of the buffer given to decodeAttrs", () => {
    const attrs = mini.encodeAttrs("all-attrs", { u8: 1, inner: { value: 1 } });
    const buf = new Uint8Array(attrs.length + 10);
    buf.set(attrs, 10);
    buf[10 + 8 + 4] = 2; // inner's first child: nla_len 2
    expect(decodeError(() => mini.decodeAttrs("all-attrs", buf, 10))).toMatchObject({
      code: "bad-length", offset: 22, path: "all-attrs.inner.value",
    });
  });

  it.each([
    ["zero-length attribute", "00 00 01 00", "bad-length"],
    ["length past the end", "08 00 04 00 00 00", "bad-length"],
    ["stray bytes after the last attribute", "05 00 01 00 01 00 00 00 ff", "truncated"],
    ["u32 of the wrong size", "06 00 04 00 01 02 00 00", "bad-length"],
    ["string without NUL", "06 00 0c 00 61 62 00 00", "bad-value"],
    ["string that is not UTF-8", "06 00 0c 00 ff 00 00 00", "bad-value"],
    ["flag with a payload", "05 00 0e 00 01 00 00 00", "bad-length"],
    ["ipv6 of 4 bytes", "08 00 10 00 01 02 03 04", "bad-length"],
    ["struct of the wrong size", "08 00 11 00 01 02 03 04", "bad-length"],
    ["uint of 2 bytes", "06 00 15 00 01 02 00 00", "bad-length"],
  ])("%s", (_name, text, code) => {
    const e = decodeError(() => mini.decodeAttrs("all-attrs", hex(text)));
    expect(e.code).toBe(code);
    expect(e.path.startsWith("all-attrs")).toBe(true);
  });

  it("enforces a nesting depth limit", () => {
    const build = (depth: number): Uint8Array => {
      const w = new AttrWriter();
      const nest = (n: number): void => {
        if (n === 0) w.u32(1, 1, "big");
        else w.nested(2, () => nest(n - 1));
      };
      nest(depth);
      return w.finish();
    };
    expect(() => mini.decodeAttrs("inner-attrs", build(MAX_DEPTH))).not.toThrow();
    const e = decodeError(() => mini.decodeAttrs("inner-attrs", build(MAX_DEPTH + 1)));
    expect(e.code).toBe("too-deep");
    expect(e.path.split(".").length).toBeGreaterThan(MAX_DEPTH);
  });
});

describe("attrPath (extack offsets)", () => {
  const request = conntrack.encodeMessage({ type: 0x100, flags: 5, fixed: { nfgenFamily: 2 }, attrs: entry });
  it.each([
    [0, "nlmsghdr"],
    [16, "nfgenmsg"],
    [20, "conntrack-attrs.tuple-orig"],
    [24, "conntrack-attrs.tuple-orig.tuple-ip"],
    [28, "conntrack-attrs.tuple-orig.tuple-ip.ip-v4-src"],
    [36, "conntrack-attrs.tuple-orig.tuple-ip.ip-v4-dst"],
    [44, "conntrack-attrs.tuple-orig.tuple-proto"],
  ])("offset %i is %s", (offset, path) => {
    expect(conntrack.attrPath(undefined, request, offset)).toBe(path);
    expect(conntrack.attrPath("conntrack-attrs", request, offset)).toBe(path);
  });

  it("names attributes the spec lacks by number", () => {
    const bytes = mini.encodeMessage({ type: 0x101, flags: 1, attrs: { $unknown: [{ type: 77, flags: 0, data: new Uint8Array(4), index: 0 }] } });
    expect(mini.attrPath(undefined, bytes, 20)).toBe("all-attrs.77");
  });
});

describe("round trips", () => {
  it("unknown attributes at every level survive byte for byte", () => {
    const bytes = hex(`
      08 00 63 00  01 02 03 04   # unknown 99 first
      18 00 12 80                # inner (nest)
      05 00 09 00  aa 00 00 00   #   unknown 9 inside the nest
      08 00 01 00  00 00 00 05   #   value 5
      04 00 42 80                #   unknown nested 66, empty
      05 00 01 00  01 00 00 00   # u8 1
      06 00 7f 40  be ef 00 00   # unknown 127 with NLA_F_NET_BYTEORDER, last`);
    const value = mini.decodeAttrs("all-attrs", bytes);
    expect(value).toEqual({
      inner: { value: 5, $unknown: [{ type: 9, flags: 0, data: Uint8Array.of(0xaa), index: 0 }, { type: 66, flags: 0x8000, data: new Uint8Array(0), index: 2 }] },
      u8: 1,
      $unknown: [{ type: 99, flags: 0, data: Uint8Array.of(1, 2, 3, 4), index: 0 }, { type: 127, flags: 0x4000, data: Uint8Array.of(0xbe, 0xef), index: 3 }],
    });
    expect(toHex(mini.encodeAttrs("all-attrs", value))).toBe(toHex(bytes));
  });

  it("binary values are plain copies even when decoding a Node Buffer", () => {
    const bytes = Buffer.from(mini.encodeAttrs("all-attrs", { blob: Uint8Array.of(1, 2, 3) }));
    const value = mini.decodeAttrs<{ blob: Uint8Array }>("all-attrs", bytes);
    bytes[4] = 9;
    expect(value.blob).toEqual(Uint8Array.of(1, 2, 3));
    expect(Buffer.isBuffer(value.blob)).toBe(false);
  });

  it("binary values are copies, not views of the input", () => {
    const bytes = mini.encodeAttrs("all-attrs", { blob: Uint8Array.of(1, 2, 3) });
    const value = mini.decodeAttrs<{ blob: Uint8Array }>("all-attrs", bytes);
    bytes[4] = 9;
    expect(value.blob).toEqual(Uint8Array.of(1, 2, 3));
  });
});

describe("encode errors", () => {
  it.each([
    [{ nope: 1 }, "unknown-key", "all-attrs.nope"],
    [{ u8: 256 }, "bad-value", "all-attrs.u8"],
    [{ u32Be: -1 }, "bad-value", "all-attrs.u32-be"],
    [{ u64Be: 1.5 }, "bad-value", "all-attrs.u64-be"],
    [{ u64Be: 1n << 64n }, "bad-value", "all-attrs.u64-be"],
    [{ addr4: "10.0.0" }, "bad-value", "all-attrs.addr4"],
    [{ addr6: "1::2::3" }, "bad-value", "all-attrs.addr6"],
    [{ inner: { value: "x" } }, "bad-value", "all-attrs.inner.value"],
    [{ many: 1 }, "bad-value", "all-attrs.many"],
    [{ state: "sideways" }, "bad-value", "all-attrs.state"],
  ])("%o → %s at %s", (value, code, path) => {
    try {
      mini.encodeAttrs("all-attrs", value);
      throw new Error("no error");
    } catch (e) {
      expect(isNetlinkEncodeError(e)).toBe(true);
      expect(e).toMatchObject({ code, path });
    }
  });
});

describe("enum helpers", () => {
  it("names enum values and flag bits", () => {
    expect(mini.enumName("state", 1)).toBe("up");
    expect(mini.enumName("state", 9)).toBeUndefined();
    expect(mini.flagNames("bits", 0x80000005)).toEqual(["a", "c", "top"]);
    expect(mini.enumValue("bits", "b")).toBe(2);
    expect(conntrack.enumName("nf-ct-tcp-state", 3)).toBe("established");
  });
});
