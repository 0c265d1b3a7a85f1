// One entry that cannot be decoded (CTA_MARK cut to 2 bytes) is skipped and reported, the rest of
// the listing arrives, on every listing path; an event that cannot be decoded is an event of its own.

import { describe, expect, it } from "vitest";
import { HOST_LITTLE_ENDIAN, NLM_F_CREATE, NLM_F_EXCL, NLMSG_HDRLEN, readMessageHeader, type NetlinkDecodeError } from "@tsconntrack/codec";
import { conntrack, ConntrackEvent, ConntrackReply, ConntrackRequest } from "@tsconntrack/codec/conntrack";
import { AF_INET, classifyEvent, Conntrack, type ConntrackAttrs } from "../src/index.js";
import { conntrackKernel } from "./helpers/conntrack-kernel.js";

const tuple = (sport: number) => ({ tupleIp: { ipV4Src: "10.0.0.1", ipV4Dst: "10.0.0.2" }, tupleProto: { protoNum: 17, protoSrcPort: sport, protoDstPort: 53 } });
const entry = (sport: number, mark: number) => ({ tupleOrig: tuple(sport), tupleReply: tuple(sport), mark, use: 1 });
/** CTA_MARK = 0xdeadbeef, as the encoder writes it: len 8, its type, the value big-endian. */
const MARK_ATTR = conntrack.encodeAttrs("conntrack-attrs", { mark: 0xdeadbeef });

/** A conntrack message of `attrs` whose CTA_MARK above claims 6 bytes (a 2-byte u32). */
function withCutMark(type: number, flags: number, attrs: object): Uint8Array {
  const bytes = conntrack.encodeMessage({ type, flags, fixed: { nfgenFamily: AF_INET }, attrs });
  const at = bytes.findIndex((_, i) => MARK_ATTR.every((byte, j) => bytes[i + j] === byte));
  new DataView(bytes.buffer, bytes.byteOffset).setUint16(at, 6, HOST_LITTLE_ENDIAN);
  return bytes;
}

/** A kernel dumping three entries; the second's CTA_MARK is cut. */
function kernelWithABadEntry() {
  const fixed = { nfgenFamily: AF_INET };
  const bad = withCutMark(ConntrackReply.get, 0, entry(2, 0xdeadbeef));
  const messages = [
    { type: ConntrackReply.get, fixed, attrs: entry(1, 1) },
    { type: ConntrackReply.get, payload: bad.subarray(NLMSG_HDRLEN) },
    { type: ConntrackReply.get, fixed, attrs: entry(3, 3) },
  ];
  return conntrackKernel((request) => (request.header.type === ConntrackRequest.get ? { messages } : {})).socket();
}

describe("an undecodable entry", () => {
  const expectSkipped = (seen: number[], reported: NetlinkDecodeError[], undecodable: number | undefined) => {
    expect(seen).toEqual([1, 3]);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.path).toContain("mark");
    expect(undecodable).toBe(1);
  };

  it("is skipped and reported by listSync", () => {
    const ct = Conntrack.open({ transport: kernelWithABadEntry() });
    const seen: number[] = [];
    const reported: NetlinkDecodeError[] = [];
    const summary = ct.listSync({ filter: { orig: { proto: "udp" } }, onUndecodable: (error) => reported.push(error) }, (flow: ConntrackAttrs) => seen.push(flow.tupleOrig!.tupleProto!.protoSrcPort!));
    expectSkipped(seen, reported, summary.undecodable);
  });

  it("is skipped and reported by the async listing", async () => {
    const ct = Conntrack.open({ transport: kernelWithABadEntry() });
    const seen: number[] = [];
    const reported: NetlinkDecodeError[] = [];
    const list = ct.list({ onUndecodable: (error) => reported.push(error) });
    for await (const { flow } of list) seen.push(flow.tupleOrig!.tupleProto!.protoSrcPort!);
    expectSkipped(seen, reported, list.summary.undecodable);
  });

  it("is skipped by the message listing when the filter must decode", () => {
    const ct = Conntrack.open({ transport: kernelWithABadEntry() });
    const reported: NetlinkDecodeError[] = [];
    let count = 0;
    const summary = ct.listViewsSync({ filter: { orig: { proto: "udp" } }, kernelFilter: false, onUndecodable: (error) => reported.push(error) }, () => count++);
    expect([count, reported.length, summary.undecodable]).toEqual([2, 1, 1]);
  });
});

describe("an undecodable event", () => {
  it("is classified as such, not thrown", () => {
    const bytes = withCutMark(ConntrackEvent.eventNew, NLM_F_CREATE | NLM_F_EXCL, entry(9, 0xdeadbeef));
    const message = { header: readMessageHeader(bytes, 0), offset: 0, bytes, payload: bytes.subarray(NLMSG_HDRLEN) };
    const event = classifyEvent({ kind: "message", message }, undefined);
    expect(event?.kind).toBe("undecodable");
  });
});
