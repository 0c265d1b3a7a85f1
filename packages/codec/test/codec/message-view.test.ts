// The message view: bytes → slots tables, the generated slot constants, and the drift guard against
// the object decoder over every fixture capture and a message holding every attribute of the spec
// (the fuzz runs the same guard on its 100,000 inputs).
import { readdirSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { isNetlinkDecodeError, parseMessages, type NlMessage } from "../../src/index.js";
import {
  ConntrackAttrsSlot, ConntrackAttrsType, CounterAttrsSlot, ExpectAttrsSlot, TupleAttrsSlot, TupleIpAttrsSlot, TupleProtoAttrsSlot,
  conntrack, conntrackFamily,
} from "../../src/conntrack.js";
import { cttimeout } from "../../src/cttimeout.js";
import { everyAttributeValue } from "../../src/testing.js";
import { receivedDatagrams } from "../../bench/pcap.js";
import { checkView } from "../helpers/view-check.js";

const FIXTURES = new URL("../../../../fixtures/", import.meta.url);

function decodeOutcome(msg: NlMessage): { decoded: unknown; failed: boolean } {
  try {
    return { decoded: conntrack.decodeMessage(msg), failed: false };
  } catch (e) {
    if (!isNetlinkDecodeError(e)) throw e;
    return { decoded: e, failed: true };
  }
}

const ORIG = ConntrackAttrsSlot.tupleOrig + 1;
const ORIG_IP = ORIG + TupleAttrsSlot.tupleIp + 1;
const ORIG_PROTO = ORIG + TupleAttrsSlot.tupleProto + 1;

describe("MessageView", () => {
  const view = conntrack.view("conntrack-attrs");

  it("records where each attribute lies and reads fixed-size integers in their byte order", () => {
    const bytes = conntrack.encodeMessage({
      type: 0x100, flags: 2, seq: 7, pid: 9, fixed: { nfgenFamily: 2, version: 0, resId: 0 },
      attrs: {
        tupleOrig: { tupleIp: { ipV4Src: "10.0.0.1", ipV4Dst: "10.0.0.2" }, tupleProto: { protoNum: 6, protoSrcPort: 40000, protoDstPort: 22 } },
        status: 0x18e, timeout: 431999, mark: 0xdeadbeef,
        countersOrig: { packets: 5n, bytes: 2n ** 60n + 1n },
      },
    });
    view.walkMessage(bytes);
    expect([view.type, view.flags, view.seq, view.portId, view.u8[view.fixed]]).toEqual([0x100, 2, 7, 9, 2]);
    expect(view.address(ORIG_IP + TupleIpAttrsSlot.ipV4Src)).toBe("10.0.0.1");
    expect(view.num[ORIG_IP + TupleIpAttrsSlot.ipV4Dst]).toBe(0x0a000002);
    expect(view.num[ORIG_PROTO + TupleProtoAttrsSlot.protoNum]).toBe(6);
    expect(view.num[ORIG_PROTO + TupleProtoAttrsSlot.protoSrcPort]).toBe(40000);
    expect(view.num[ConntrackAttrsSlot.status]).toBe(0x18e);
    expect(view.num[ConntrackAttrsSlot.mark]).toBe(0xdeadbeef);
    const counters = ConntrackAttrsSlot.countersOrig + 1;
    expect(view.int64(counters + CounterAttrsSlot.packets)).toBe(5);
    // Above 2^53 a double would round: num says NaN and int64 reads the exact bigint.
    expect(view.num[counters + CounterAttrsSlot.bytes]).toBeNaN();
    expect(view.int64(counters + CounterAttrsSlot.bytes)).toBe(2n ** 60n + 1n);
    expect(view.has(ConntrackAttrsSlot.tupleReply)).toBe(false);
    expect(view.has(ConntrackAttrsSlot.use)).toBe(false);
    expect(view.unknownCount).toBe(0);
  });

  it("keeps the first of a repeated attribute and lists the repeat and unknown numbers as unknown", () => {
    const bytes = conntrack.encodeMessage({
      type: 0x100, flags: 0, fixed: { nfgenFamily: 2 },
      attrs: { mark: 1, $unknown: [{ type: ConntrackAttrsType.mark, flags: 0, data: Uint8Array.of(0, 0, 0, 2), index: 1 }, { type: 999, flags: 0, data: new Uint8Array(0), index: 2 }] },
    });
    view.walkMessage(bytes);
    expect(view.num[ConntrackAttrsSlot.mark]).toBe(1);
    expect(view.unknownCount).toBe(2);
    expect([...view.unknowns.subarray(0, 6)]).toEqual([bytes.indexOf(2, 28) - 7, 0, 1, view.unknowns[3], 0, 2]);
  });

  it("is reused from message to message: nothing of the previous one remains", () => {
    view.walkMessage(conntrack.encodeMessage({ type: 0x100, flags: 0, fixed: { nfgenFamily: 2 }, attrs: { mark: 1, use: 2 } }));
    view.walkMessage(conntrack.encodeMessage({ type: 0x100, flags: 0, fixed: { nfgenFamily: 10 }, attrs: { use: 3 } }));
    expect([view.has(ConntrackAttrsSlot.mark), view.num[ConntrackAttrsSlot.use], view.u8[view.fixed]]).toEqual([false, 3, 10]);
  });

  it("rejects exactly what the decoder rejects, with the same offset and path", () => {
    const bytes = conntrack.encodeMessage({ type: 0x100, flags: 0, fixed: { nfgenFamily: 2 }, attrs: { tupleOrig: { tupleProto: { protoSrcPort: 1 } } } });
    bytes[28] = 7; // protoSrcPort's nla_len (header at 16 + 4 + 4 + 4): 6 → 7
    const [msg] = parseMessages(bytes);
    const { decoded, failed } = decodeOutcome(msg!);
    expect(failed).toBe(true);
    expect(() => view.walkMessage(bytes)).toThrow(expect.objectContaining({ code: "bad-length", path: "conntrack-attrs.tuple-orig.tuple-proto.proto-src-port" }));
    expect(checkView(conntrack, msg!, decoded, true)).toBe(true);
  });

  it("agrees with the decoder on a message holding every attribute of each viewable set", () => {
    for (const [type, set] of [[0x100, "conntrack-attrs"], [0x200, "expect-attrs"], [0x104, "conntrack-stats-attrs"], [0x105, "stats-global-attrs"], [0x103, "exp-stats-attrs"]] as const) {
      for (const seed of [0, 1, 2]) {
        const attrs = everyAttributeValue(conntrackFamily, set, seed);
        const bytes = conntrack.encodeMessage({ type, flags: 0, fixed: { nfgenFamily: 2 }, set, attrs });
        const [msg] = parseMessages(bytes);
        const { decoded, failed } = decodeOutcome(msg!);
        expect(failed).toBe(false);
        expect(checkView(conntrack, msg!, decoded, false)).toBe(true);
      }
    }
    // Every slot of conntrack-attrs is filled by the every-attribute message.
    view.walkMessage(conntrack.encodeMessage({ type: 0x100, flags: 0, fixed: { nfgenFamily: 2 }, attrs: everyAttributeValue(conntrackFamily, "conntrack-attrs") }));
    const empty = [...view.pos].flatMap((p, slot) => (p < 0 ? [slot] : []));
    expect(empty).toEqual([]);
    expect(ConntrackAttrsSlot.$size).toBe(view.pos.length);
    expect(conntrack.view("expect-attrs").pos.length).toBe(ExpectAttrsSlot.$size);
  });

  it("agrees with the decoder on every message of every fixture capture", () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".pcap")).map((f) => readFileSync(new URL(f, FIXTURES)));
    // The first datagrams of the benchmark dump: real TCP, UDP, ICMP and IPv6 entries (all 100k take 15 s).
    const bench = gunzipSync(readFileSync(new URL("bench/dump-100k.pcap.gz", FIXTURES)));
    let viewed = 0;
    const datagrams = [...files.flatMap((f) => receivedDatagrams(f)), ...receivedDatagrams(bench).slice(0, 150)];
    {
      for (const datagram of datagrams) {
        let messages: NlMessage[];
        try {
          messages = parseMessages(datagram);
        } catch {
          continue; // a truncated datagram (ENOBUFS fixtures): nothing to compare
        }
        for (const msg of messages) {
          if (conntrack.setForType(msg.header.type) === undefined) continue;
          const { decoded, failed } = decodeOutcome(msg);
          if (checkView(conntrack, msg, decoded, failed)) viewed++;
        }
      }
    }
    console.log(`message view: ${viewed} fixture messages walked and compared with the decoder`);
    expect(viewed).toBeGreaterThan(10_000);
  });

  it("refuses a set whose attributes need more than one slot", () => {
    expect(() => cttimeout.view("cttimeout-attrs")).toThrow(/sub-message/);
  });
});
