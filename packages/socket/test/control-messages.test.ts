// The kit's control messages byte for byte (little-endian hosts: nlmsghdr and nlmsgerr are in host
// order), and read back by the codec's parsers, which the request engine uses.
import { describe, expect, it } from "vitest";
import {
  HOST_LITTLE_ENDIAN, NLM_F_ACK, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLM_F_DUMP_INTR, NLM_F_MULTI, NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR,
  buildMessage, parseDoneMessage, parseErrorMessage, parseMessages,
} from "@tsconntrack/codec";
import { ConntrackRequest } from "@tsconntrack/codec/conntrack";
import { doneMessage, errorMessage } from "../src/testing.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const request = { len: 20, type: ConntrackRequest.new, flags: NLM_F_REQUEST | NLM_F_ACK, seq: 7, pid: 0 };

describe.skipIf(!HOST_LITTLE_ENDIAN)("control messages on the wire", () => {
  it.each([
    [
      "an ACK: error 0 and the request's header, capped",
      errorMessage({ seq: 7, portId: 4242, request }),
      // nlmsghdr: len 36, NLMSG_ERROR, NLM_F_CAPPED, seq 7, pid 4242 | error 0 | the request's header
      "24000000" + "0200" + "0001" + "07000000" + "92100000" + "00000000" + "14000000" + "0001" + "0500" + "07000000" + "00000000",
    ],
    [
      "an error with an extended ACK",
      errorMessage({ seq: 7, portId: 4242, request, errno: "EINVAL", extack: { message: "bad", offset: 20 } }),
      // len 52, NLM_F_CAPPED | NLM_F_ACK_TLVS | -22 | header | NLMSGERR_ATTR_MSG "bad\0" | NLMSGERR_ATTR_OFFS 20
      "34000000" + "0200" + "0003" + "07000000" + "92100000" + "eaffffff" + "14000000" + "0001" + "0500" + "07000000" + "00000000" +
        "08000100" + "62616400" + "08000200" + "14000000",
    ],
    [
      "an error echoing the whole request (no NETLINK_CAP_ACK)",
      errorMessage({ seq: 7, portId: 4242, request: buildMessage(request, new Uint8Array([2, 0, 0, 0])), errno: 1, capped: false }),
      // len 40, no flags | -1 | the whole 20-byte request (nfgenmsg AF_INET)
      "28000000" + "0200" + "0000" + "07000000" + "92100000" + "ffffffff" + "14000000" + "0001" + "0500" + "07000000" + "00000000" + "02000000",
    ],
    [
      "the NLMSG_DONE of a dump",
      doneMessage({ seq: 7, portId: 4242 }),
      // len 20, NLMSG_DONE, NLM_F_MULTI | error 0
      "14000000" + "0300" + "0200" + "07000000" + "92100000" + "00000000",
    ],
    [
      "an interrupted dump's NLMSG_DONE with an error and a message",
      doneMessage({ seq: 7, portId: 4242, errno: "EOPNOTSUPP", flags: NLM_F_DUMP_INTR, extack: { message: "no" } }),
      // len 28, NLM_F_MULTI | NLM_F_DUMP_INTR | NLM_F_ACK_TLVS | -95 | NLMSGERR_ATTR_MSG "no\0" (padded)
      "1c000000" + "0300" + "1202" + "07000000" + "92100000" + "a1ffffff" + "07000100" + "6e6f0000",
    ],
  ])("%s", (_name, bytes, expected) => {
    expect(hex(bytes)).toBe(expected);
  });
});

describe("control messages read back", () => {
  it("give the codec's parsers the errno, the echoed request and every extack field", () => {
    const cookie = new Uint8Array([1, 2, 3, 4]);
    const extack = { message: "missing", offset: 24, cookie, missingType: 7, missingNest: 20 };
    const [error] = parseMessages(errorMessage({ seq: 9, portId: 1, request, errno: "ENOENT", extack }));
    expect(error!.header).toMatchObject({ type: NLMSG_ERROR, flags: NLM_F_CAPPED | NLM_F_ACK_TLVS, seq: 9, pid: 1 });
    expect(parseErrorMessage(error!)).toEqual({ error: -2, request, extack });
    const [done] = parseMessages(doneMessage({ seq: 9, portId: 1, errno: 4, extack: { message: "x" } }));
    expect(done!.header).toMatchObject({ type: NLMSG_DONE, flags: NLM_F_MULTI | NLM_F_ACK_TLVS });
    expect(parseDoneMessage(done!)).toEqual({ error: -4, extack: { message: "x" } });
  });

  it("refuse what is not an errno", () => {
    expect(() => errorMessage({ seq: 1, portId: 1, errno: "ENOPE" })).toThrow(RangeError);
    expect(() => doneMessage({ seq: 1, portId: 1, errno: -2 })).toThrow(/not an errno/);
  });
});
