// One entry that cannot be decoded (CTA_MARK cut to 2 bytes) is skipped and reported, the rest of
// the listing arrives, on every listing path; an event that cannot be decoded is an event of its own.

import { describe, expect, it } from "vitest";
import type { NetlinkDecodeError } from "@tsconntrack/codec";
import { classifyEvent, Conntrack, type ConntrackAttrs } from "../src/index.js";
import { FakeKernel, type SentRequest } from "./helpers/fake-kernel.js";

const tuple = (sport: number) => ({ tupleIp: { ipV4Src: "10.0.0.1", ipV4Dst: "10.0.0.2" }, tupleProto: { protoNum: 17, protoSrcPort: sport, protoDstPort: 53 } });
const entry = (sport: number, mark: number) => ({ tupleOrig: tuple(sport), tupleReply: tuple(sport), mark, use: 1 });
/** CTA_MARK (type 8) = 0xdeadbeef, as the encoder writes it: len 8, type 8, the value big-endian. */
const MARK_ATTR = [8, 0, 8, 0, 0xde, 0xad, 0xbe, 0xef];

/** A kernel dumping three entries; the second's CTA_MARK claims 6 bytes (a 2-byte u32). */
class KernelWithABadEntry extends FakeKernel {
  constructor() {
    super((request: SentRequest) => (request.header.type === 0x101 ? { messages: [entry(1, 1), entry(2, 0xdeadbeef), entry(3, 3)].map((attrs) => ({ type: 0x100, attrs })) } : {}));
  }
  override send(datagram: Uint8Array): void {
    super.send(datagram);
    for (const queued of this.queue) {
      if (queued instanceof Error) continue;
      const at = queued.findIndex((_, i) => MARK_ATTR.every((byte, j) => queued[i + j] === byte));
      if (at >= 0) queued[at] = 6;
    }
  }
}

describe("an undecodable entry", () => {
  const expectSkipped = (seen: number[], reported: NetlinkDecodeError[], undecodable: number | undefined) => {
    expect(seen).toEqual([1, 3]);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.path).toContain("mark");
    expect(undecodable).toBe(1);
  };

  it("is skipped and reported by listSync", () => {
    const ct = Conntrack.open({ transport: new KernelWithABadEntry() });
    const seen: number[] = [];
    const reported: NetlinkDecodeError[] = [];
    const summary = ct.listSync({ filter: { orig: { proto: "udp" } }, onUndecodable: (error) => reported.push(error) }, (flow: ConntrackAttrs) => seen.push(flow.tupleOrig!.tupleProto!.protoSrcPort!));
    expectSkipped(seen, reported, summary.undecodable);
  });

  it("is skipped and reported by the async listing", async () => {
    const ct = Conntrack.open({ transport: new KernelWithABadEntry() });
    const seen: number[] = [];
    const reported: NetlinkDecodeError[] = [];
    const list = ct.list({ onUndecodable: (error) => reported.push(error) });
    for await (const { flow } of list) seen.push(flow.tupleOrig!.tupleProto!.protoSrcPort!);
    expectSkipped(seen, reported, list.summary.undecodable);
  });

  it("is skipped by the message listing when the filter must decode", () => {
    const ct = Conntrack.open({ transport: new KernelWithABadEntry() });
    const reported: NetlinkDecodeError[] = [];
    let count = 0;
    const summary = ct.listMessagesSync({ filter: { orig: { proto: "udp" } }, kernelFilter: false, onUndecodable: (error) => reported.push(error) }, () => count++);
    expect([count, reported.length, summary.undecodable]).toEqual([2, 1, 1]);
  });
});

describe("an undecodable event", () => {
  it("is classified as such, not thrown", () => {
    const kernel = new FakeKernel();
    kernel.pushEvent(0x100, 0x600, 2, "conntrack-attrs", entry(9, 0xdeadbeef));
    const bytes = kernel.queue[0] as Uint8Array;
    bytes[bytes.findIndex((_, i) => MARK_ATTR.every((byte, j) => bytes[i + j] === byte))] = 6;
    const message = { header: { len: bytes.length, type: 0x100, flags: 0x600, seq: 0, pid: 0 }, offset: 0, bytes, payload: bytes.subarray(16) };
    const event = classifyEvent({ kind: "message", message }, undefined);
    expect(event?.kind).toBe("undecodable");
  });
});
