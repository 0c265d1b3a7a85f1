// Real bytes of both sides: every cttimeout and cthelper message in nfct's golden captures
// (fixtures/nfct, nfct 1.4.7 talking to a 6.18 kernel) decodes to a typed value and re-encodes byte
// for byte. nfct's own requests carry stack bytes in their attribute padding, so those are compared
// with the padding cleared (the encoder writes zeros there).
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NLMSG_MIN_TYPE, parseMessages, type FamilyCodec } from "@tsconntrack/codec";
import { cthelper } from "@tsconntrack/codec/cthelper";
import { cttimeout } from "@tsconntrack/codec/cttimeout";
import { NETLINK_NETFILTER, readPcapFile, withoutAttributePadding } from "@tsconntrack/socket";

const fixtures = join(import.meta.dirname, "../../fixtures/nfct");
const captures = readdirSync(fixtures).filter((f) => f.endsWith(".pcap")).sort();
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

function codecFor(type: number): FamilyCodec | undefined {
  return [cttimeout, cthelper].find((codec) => codec.setForType(type) !== undefined);
}

describe("nfct captures decode and re-encode exactly", () => {
  const counts = { sent: 0, received: 0 };
  for (const file of captures) {
    it(file, () => {
      for (const record of readPcapFile(join(fixtures, file)).records) {
        for (const msg of parseMessages(record.bytes)) {
          if (msg.header.type < NLMSG_MIN_TYPE) continue; // ACKs and errors
          const codec = codecFor(msg.header.type);
          expect(codec, `type 0x${msg.header.type.toString(16)}`).toBeDefined();
          const decoded = codec!.decodeMessage(msg);
          const { type, flags, seq, pid } = msg.header;
          const again = codec!.encodeMessage({ type, flags, seq, pid, fixed: decoded.fixed, attrs: decoded.attrs });
          expect(hex(again)).toBe(hex(withoutAttributePadding(msg.bytes, NETLINK_NETFILTER)));
          counts[record.direction === "sent" ? "sent" : "received"]++;
        }
      }
    });
  }

  it("checked both directions", () => {
    expect(counts.sent).toBeGreaterThanOrEqual(40);
    expect(counts.received).toBeGreaterThanOrEqual(20);
  });
});
