import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CaptureRecord } from "../src/capture.js";
import { decodePcap, isPcapFormatError } from "../src/pcap/reader.js";
import { encodePcap } from "../src/pcap/writer.js";
import { doneMessage, errorMessage } from "../src/testing.js";
import { datagram, message } from "./helpers/messages.js";

const dir = mkdtempSync(join(tmpdir(), "sock-pcap-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** CTA_TUPLE_ORIG { CTA_TUPLE_IP { V4_SRC 10.0.0.1, V4_DST 10.0.0.2 }, CTA_TUPLE_PROTO { NUM 17, SPORT 1000, DPORT 53 } } */
function conntrackEntry(seq: number, pid: number): Uint8Array {
  const ip = Buffer.from("1400018008000100" + "0a000001" + "08000200" + "0a000002", "hex");
  const proto = Buffer.from("1c000280" + "0500010011000000" + "0600020003e80000" + "0600030000350000", "hex");
  const tuple = Buffer.concat([Buffer.from([4 + ip.length + proto.length, 0, 1, 0x80]), ip, proto]);
  const timeout = Buffer.from("080007000000001e", "hex");
  return message({ type: 0x100, flags: 0x2, seq, pid, payload: Buffer.concat([Buffer.from([2, 0, 0, 0]), tuple, timeout]) });
}

function sampleRecords(): CaptureRecord[] {
  const at = (n: number) => ({ seconds: 1_700_000_000 + n, nanoseconds: 123_456_000 + n });
  return [
    { direction: "sent", bytes: message({ type: 0x101, flags: 0x301, seq: 7, pid: 0, payload: new Uint8Array([2, 0, 0, 0]) }), timestamp: at(0), protocol: 12 },
    { direction: "received", bytes: datagram(conntrackEntry(7, 999), conntrackEntry(7, 999)), timestamp: at(1), protocol: 12 },
    { direction: "received", bytes: doneMessage({ seq: 7, portId: 999 }), timestamp: at(2), protocol: 12 },
    { direction: "sent", bytes: message({ type: 0x102, flags: 0x5, seq: 8, pid: 0, payload: new Uint8Array([2, 0, 0, 0]) }), timestamp: at(3), protocol: 12 },
    { direction: "received", bytes: errorMessage({ seq: 8, portId: 999, errno: "ENOENT" }), timestamp: at(4), protocol: 12 },
  ];
}

/** Rewrites a little-endian pcap into the big-endian file layout (same packets). */
function toBigEndianFile(file: Uint8Array): Uint8Array {
  const out = Buffer.from(file);
  for (const offset of [0, 8, 12, 16, 20]) out.writeUInt32BE(out.readUInt32LE(offset), offset);
  out.writeUInt16BE(out.readUInt16LE(4), 4);
  out.writeUInt16BE(out.readUInt16LE(6), 6);
  for (let at = 24; at < out.length; ) {
    const captured = out.readUInt32LE(at + 8);
    for (let i = 0; i < 16; i += 4) out.writeUInt32BE(out.readUInt32LE(at + i), at + i);
    at += 16 + captured;
  }
  return out;
}

describe("pcap", () => {
  it("round-trips records, microsecond timestamps", () => {
    const records = sampleRecords();
    const decoded = decodePcap(encodePcap(records));
    expect(decoded.linktype).toBe(253);
    expect(decoded.records.map((r) => r.direction)).toEqual(records.map((r) => r.direction));
    expect(decoded.records.map((r) => Buffer.from(r.bytes).toString("hex"))).toEqual(records.map((r) => Buffer.from(r.bytes).toString("hex")));
    expect(decoded.records[1]!.timestamp).toEqual({ seconds: 1_700_000_001, nanoseconds: 123_456_000 });
  });

  it("keeps nanoseconds with the nanosecond magic", () => {
    const decoded = decodePcap(encodePcap(sampleRecords(), { nanoseconds: true }));
    expect(decoded.nanoseconds).toBe(true);
    expect(decoded.records[1]!.timestamp).toEqual({ seconds: 1_700_000_001, nanoseconds: 123_456_001 });
  });

  it("reads big-endian files", () => {
    const decoded = decodePcap(toBigEndianFile(encodePcap(sampleRecords(), { nanoseconds: true })));
    expect(decoded.bigEndian).toBe(true);
    expect(decoded.records).toHaveLength(5);
    expect(decoded.records[4]!.timestamp.nanoseconds).toBe(123_456_004);
  });

  it("infers direction from NLM_F_REQUEST when nlmon marks every packet outgoing", () => {
    const file = Buffer.from(encodePcap(sampleRecords()));
    for (let at = 24; at < file.length; at += 16 + file.readUInt32LE(at + 8)) file.writeUInt16BE(4, at + 16);
    expect(decodePcap(file).records.map((r) => r.direction)).toEqual(["sent", "received", "received", "sent", "received"]);
  });

  it("rejects other link types and pcapng with a reason", () => {
    const file = Buffer.from(encodePcap([]));
    file.writeUInt32LE(1, 20);
    expect(() => decodePcap(file)).toThrow(/link type 1/);
    const pcapng = Buffer.alloc(28);
    pcapng.writeUInt32LE(0x0a0d0d0a, 0);
    try {
      decodePcap(pcapng);
    } catch (error) {
      expect(isPcapFormatError(error)).toBe(true);
      expect(String(error)).toMatch(/pcapng/);
    }
  });

  const tshark = spawnSync("tshark", ["--version"], { encoding: "utf8" });
  it.skipIf(tshark.status !== 0)("is decoded by tshark as netlink netfilter / conntrack", (context) => {
    if (tshark.status !== 0) context.skip("tshark is not installed");
    const path = join(dir, "sample.pcap");
    writeFileSync(path, encodePcap(sampleRecords()));
    const text = execFileSync("tshark", ["-r", path, "-V"], { encoding: "utf8" });
    expect(text).toContain("Linux netlink (cooked header)");
    expect(text).toMatch(/Family: Netfilter \(0x000c\)/);
    expect(text).toContain("Linux netlink netfilter protocol");
    expect(text).toMatch(/Subsystem: Conntrack \(1\)/);
    expect(text).toMatch(/IPv4 source address[\s\S]*IPv4 address: 10\.0\.0\.1/);
    expect(text).toMatch(/Port: 1000/);
    expect(text).toMatch(/Error code: No such file or directory \(-ENOENT\)/);
  });
});
