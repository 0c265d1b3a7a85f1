// Real kernel bytes: every conntrack message in the golden captures (fixtures/*.pcap, recorded from
// conntrack 1.4.7 talking to a 6.18 kernel) decodes to a typed value and re-encodes byte for byte.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NLMSG_MIN_TYPE, parseMessages } from "@tsconntrack/codec";
import { conntrack, type ConntrackAttrs } from "@tsconntrack/codec/conntrack";
import { readPcapFile } from "@tsconntrack/socket";

const fixtures = join(import.meta.dirname, "../../fixtures");
const captures = readdirSync(fixtures).filter((f) => f.endsWith(".pcap")).sort();

/** Re-encodes a decoded message and returns the bytes, header and length included. */
function roundTrip(bytes: Uint8Array, type: number, flags: number, seq: number, pid: number, set: string, fixed: object, attrs: object) {
  const out = conntrack.encodeMessage({ type, flags, seq, pid, set, fixed, attrs });
  // Events may carry an nlmsg_len that is not a multiple of 4; the encoder always pads, so compare
  // the declared length only.
  return out.subarray(0, bytes.length);
}

describe("golden kernel captures decode and re-encode exactly", () => {
  it("has captures to check", () => {
    expect(captures.length).toBeGreaterThanOrEqual(20);
  });

  let total = 0;
  for (const file of captures) {
    it(file, () => {
      const capture = readPcapFile(join(fixtures, file));
      let checked = 0;
      for (const record of capture.records) {
        // Only what the kernel wrote: conntrack's own requests carry uninitialised padding bytes.
        if (record.direction !== "received") continue;
        for (const msg of parseMessages(record.bytes)) {
          if (msg.header.type < NLMSG_MIN_TYPE) continue; // NOOP/ERROR/DONE/OVERRUN
          const set = conntrack.setForType(msg.header.type);
          if (set === undefined) continue;
          const decoded = conntrack.decodeMessage(msg, set);
          const { type, flags, seq, pid } = msg.header;
          const again = roundTrip(msg.bytes, type, flags, seq, pid, set, decoded.fixed, decoded.attrs);
          expect(Buffer.from(again).toString("hex")).toBe(Buffer.from(msg.bytes).toString("hex"));
          checked++;
        }
      }
      total += checked;
    });
  }

  it("checked a real number of kernel messages in all", () => {
    expect(total).toBeGreaterThan(500);
  });

  it("a varied table dump decodes to the typed values conntrack printed", () => {
    const capture = readPcapFile(join(fixtures, "varied-L.pcap"));
    const flows: ConntrackAttrs[] = [];
    for (const record of capture.records) {
      if (record.direction !== "received") continue;
      for (const msg of parseMessages(record.bytes)) {
        if (msg.header.type === 0x100) flows.push(conntrack.decodeMessage<ConntrackAttrs>(msg, "conntrack-attrs").attrs);
      }
    }
    expect(flows.length).toBeGreaterThan(20);
    const protos = new Set(flows.map((f) => f.tupleOrig?.tupleProto?.protoNum));
    for (const p of [1, 6, 17, 47, 58, 132, 136, 200]) expect(protos).toContain(p);
    expect(flows.some((f) => f.tupleOrig?.tupleIp?.ipV6Src !== undefined)).toBe(true);
    expect(flows.some((f) => typeof f.countersOrig?.packets === "bigint")).toBe(true);
    expect(flows.some((f) => typeof f.timestamp?.start === "bigint")).toBe(true);
    expect(flows.some((f) => f.zone !== undefined || f.tupleOrig?.tupleZone !== undefined)).toBe(true);
    const dnat = flows.find((f) => f.tupleOrig?.tupleIp?.ipV4Dst === "2.2.2.2" && f.tupleReply?.tupleIp?.ipV4Src === "3.3.3.3");
    expect(dnat?.tupleReply?.tupleProto?.protoSrcPort).toBe(8080);
  });
});
