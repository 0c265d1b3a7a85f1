import { describe, expect, it } from "vitest";
import {
  NLMSG_DONE, NLM_F_MULTI, buildMessage, isNetlinkDecodeError, NetlinkDecodeError, parseMessages, writeMessageHeader,
} from "../../src/index.js";
import { hex, toHex } from "../helpers/hex.js";

function decodeError(fn: () => unknown): NetlinkDecodeError {
  try {
    fn();
  } catch (e) {
    if (isNetlinkDecodeError(e)) return e;
    throw e;
  }
  throw new Error("expected a NetlinkDecodeError");
}

describe("parseMessages", () => {
  it("splits a datagram; an unaligned nlmsg_len is decoded and the next message starts aligned", () => {
    const datagram = hex(`
      19 00 00 00  # nlmsg_len 25 (not a multiple of 4, as conntrack events can be)
      00 01        # type 0x100
      00 00        # flags
      01 00 00 00  # seq 1
      00 00 00 00  # pid
      02 00 00 00  # nfgenmsg
      05 00 03 00  # nla_len 5, type 3: ends exactly at nlmsg_len
      07           # payload
      00 00 00     # padding to the aligned length (not counted by nlmsg_len)
      14 00 00 00  # nlmsg_len 20
      03 00        # NLMSG_DONE
      02 00        # NLM_F_MULTI
      02 00 00 00  # seq 2
      00 00 00 00  # pid
      00 00 00 00  # error 0`);
    const msgs = parseMessages(datagram);
    expect(msgs.map((m) => [m.offset, m.header])).toEqual([
      [0, { len: 25, type: 0x100, flags: 0, seq: 1, pid: 0 }],
      [28, { len: 20, type: NLMSG_DONE, flags: NLM_F_MULTI, seq: 2, pid: 0 }],
    ]);
    expect(msgs[0]!.bytes.length).toBe(25);
    expect(msgs[0]!.payload.length).toBe(9);
    expect(msgs[0]!.payload[8]).toBe(7);
    expect(msgs[1]!.payload.length).toBe(4);
  });

  it("accepts a final unaligned message whose padding the datagram leaves out", () => {
    const datagram = hex(`11 00 00 00  00 01 00 00  00 00 00 00  00 00 00 00  ff`);
    expect(parseMessages(datagram)[0]!.payload).toEqual(Uint8Array.of(0xff));
  });

  it("returns nothing for an empty datagram", () => {
    expect(parseMessages(new Uint8Array(0))).toEqual([]);
  });

  it.each([
    ["a header cut short", "10 00 00 00 00 01", "truncated", 0],
    ["nlmsg_len below the header size", "0f 00 00 00  00 01 00 00  00 00 00 00  00 00 00 00", "bad-length", 0],
    ["nlmsg_len past the datagram", "20 00 00 00  00 01 00 00  00 00 00 00  00 00 00 00", "truncated", 0],
    ["a second message cut short", "10 00 00 00  00 01 00 00  00 00 00 00  00 00 00 00  10 00", "truncated", 16],
  ])("rejects %s", (_name, text, code, offset) => {
    const e = decodeError(() => parseMessages(hex(text)));
    expect([e.code, e.offset]).toEqual([code, offset]);
    expect(e.name).toBe("NetlinkDecodeError");
    expect(e.path).toMatch(/^nlmsghdr/);
  });

  it("works on a view into a larger buffer", () => {
    const backing = new Uint8Array(64);
    backing.set(hex("10 00 00 00  03 00 02 00  05 00 00 00  06 00 00 00"), 8);
    const [msg] = parseMessages(backing.subarray(8, 24));
    expect(msg!.header).toEqual({ len: 16, type: 3, flags: 2, seq: 5, pid: 6 });
  });
});

describe("writeMessageHeader / buildMessage", () => {
  it("writes the 16-byte header in host order", () => {
    const buf = new Uint8Array(20);
    writeMessageHeader(buf, 4, { len: 16, type: 0x101, flags: 0x301, seq: 0x01020304, pid: 7 });
    expect(toHex(buf)).toBe("00000000" + "10000000" + "0101" + "0103" + "04030201" + "07000000");
  });

  it("builds a padded message with its length", () => {
    const msg = buildMessage({ type: 0x100, flags: 1, seq: 2, pid: 0 }, Uint8Array.of(2, 0, 0, 0, 9));
    expect(msg.length).toBe(24);
    expect(parseMessages(msg)[0]!.header.len).toBe(21);
  });

  it("refuses to write outside the buffer", () => {
    expect(() => writeMessageHeader(new Uint8Array(15), 0, { len: 16, type: 0, flags: 0, seq: 0, pid: 0 })).toThrow(RangeError);
  });
});
