import { describe, expect, it } from "vitest";
import { NLM_F_ACK_TLVS, NLM_F_CAPPED, parseDoneMessage, parseErrorMessage, parseMessages } from "../../src/index.js";
import { hex } from "../helpers/hex.js";

const request = `
  1c 00 00 00  # orig nlmsg_len 28
  00 01        # type 0x100 (CT_NEW)
  05 04        # flags REQUEST|ACK|CREATE
  2a 00 00 00  # seq 42
  00 00 00 00  # pid`;

const tlvs = `
  12 00 01 00  6d 69 73 73 69 6e 67 20 74 75 70 6c 65 00  00 00  # MSG "missing tuple" NUL, pad
  08 00 02 00  18 00 00 00                                  # OFFS 24
  08 00 03 00  de ad be ef                                  # COOKIE
  08 00 05 00  01 00 00 00                                  # MISS_TYPE 1
  08 00 06 00  14 00 00 00                                  # MISS_NEST 20
  20 00 04 80                                               # POLICY (nest)
  08 00 01 00  03 00 00 00                                  #   type 3
  0c 00 05 00  ff 00 00 00 00 00 00 00                      #   max-value-u 255 (u64)
  08 00 07 00  10 00 00 00                                  #   max-length 16`;

const expectedExtack = {
  message: "missing tuple", offset: 24, cookie: Uint8Array.of(0xde, 0xad, 0xbe, 0xef), missingType: 1, missingNest: 20,
  policy: { type: 3, maxValueU: 255n, maxLength: 16 },
};

function errorMessage(flags: number, body: string): Uint8Array {
  const payload = hex(body);
  const head = new Uint8Array(16);
  const dv = new DataView(head.buffer);
  dv.setUint32(0, 16 + payload.length, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, flags, true);
  const out = new Uint8Array(16 + payload.length);
  out.set(head);
  out.set(payload, 16);
  return out;
}

describe("parseErrorMessage", () => {
  it("CAPPED: TLVs right after the echoed header", () => {
    const msg = parseMessages(errorMessage(NLM_F_CAPPED | NLM_F_ACK_TLVS, `ea ff ff ff ${request}
${tlvs}`))[0]!;
    const info = parseErrorMessage(msg);
    expect(info.error).toBe(-22);
    expect(info.request).toEqual({ len: 28, type: 0x100, flags: 0x405, seq: 42, pid: 0 });
    expect(info.extack).toEqual(expectedExtack);
  });

  it("not CAPPED: TLVs after the whole echoed request, aligned", () => {
    const echoedPayload = "02 00 00 00  05 00 03 00  07 00 00 00"; // 12 bytes: nfgenmsg + attr (orig len 28)
    const msg = parseMessages(errorMessage(NLM_F_ACK_TLVS, `fe ff ff ff ${request}
${echoedPayload}
${tlvs}`))[0]!;
    const info = parseErrorMessage(msg);
    expect(info.error).toBe(-2);
    expect(info.extack).toEqual(expectedExtack);
  });

  it("ignores TLVs without NLM_F_ACK_TLVS, and a plain ACK has error 0", () => {
    const msg = parseMessages(errorMessage(NLM_F_CAPPED, `00 00 00 00 ${request}`))[0]!;
    expect(parseErrorMessage(msg)).toEqual({ error: 0, request: { len: 28, type: 0x100, flags: 0x405, seq: 42, pid: 0 }, extack: {} });
  });

  it("rejects an echoed length that runs past the message", () => {
    const msg = parseMessages(errorMessage(NLM_F_ACK_TLVS, `ea ff ff ff ${request}`))[0]!;
    expect(() => parseErrorMessage(msg)).toThrow(expect.objectContaining({ name: "NetlinkDecodeError", code: "truncated" }));
  });

  it("rejects an error message without an error code", () => {
    const msg = parseMessages(errorMessage(0, "ea ff"))[0]!;
    expect(() => parseErrorMessage(msg)).toThrow(expect.objectContaining({ name: "NetlinkDecodeError", code: "truncated" }));
  });
});

describe("parseDoneMessage", () => {
  it("reads the dump's error and its TLVs at offset 4", () => {
    const done = errorMessage(NLM_F_ACK_TLVS, `f0 ff ff ff  12 00 01 00 6d 69 73 73 69 6e 67 20 74 75 70 6c 65 00 00 00`);
    new DataView(done.buffer).setUint16(4, 3, true);
    expect(parseDoneMessage(parseMessages(done)[0]!)).toEqual({ error: -16, extack: { message: "missing tuple" } });
  });

  it("treats an empty DONE as success", () => {
    const done = errorMessage(0, "");
    new DataView(done.buffer).setUint16(4, 3, true);
    expect(parseDoneMessage(parseMessages(done)[0]!)).toEqual({ error: 0, extack: {} });
  });
});
