// Strict replay compares nfnetlink requests with attribute padding cleared (nfct leaves stack bytes there).
import { describe, expect, it } from "vitest";
import { NETLINK_NETFILTER, NETLINK_ROUTE } from "../src/constants.js";
import { withoutAttributePadding } from "../src/padding.js";

const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ""), "hex"));
const show = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

// nfct's `default-get timeout inet tcp` with the garbage byte it really sent after CTA_TIMEOUT_L4PROTO,
// and a nest (CTA_TIMEOUT_DATA) whose inner u8 padding is dirty too.
const DIRTY = hex(`
  30000000 0408 0500 0faa0f6b 00000000  00000000
  0600 0200 0002 aabb
  0500 0300 06 030000
  0c00 0480 0500 0100 01 ffeedd
`);

describe("withoutAttributePadding", () => {
  it("zeroes the padding of top-level and nested attributes of NETLINK_NETFILTER messages", () => {
    expect(show(withoutAttributePadding(DIRTY, NETLINK_NETFILTER))).toBe(
      "3000000004080500" + "0faa0f6b00000000" + "00000000" + "0600020000020000" + "0500030006000000" + "0c00048005000100" + "01000000",
    );
    expect(show(DIRTY)).toContain("aabb"); // the input is not changed
  });

  it("leaves other protocols and malformed attributes alone", () => {
    expect(withoutAttributePadding(DIRTY, NETLINK_ROUTE)).toBe(DIRTY);
    const broken = DIRTY.slice();
    broken[20] = 0xff; // nla_len past the end: nothing after it is touched
    expect(show(withoutAttributePadding(broken, NETLINK_NETFILTER))).toBe(show(broken));
  });
});
