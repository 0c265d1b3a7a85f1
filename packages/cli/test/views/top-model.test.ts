// TopModel without a kernel: a fake listing and hand-made events. Rates come from counter deltas
// between readings plus the final counters of DESTROY; an overrun re-reads the table.

import { describe, expect, it, vi } from "vitest";
import { classifyEvent, flowView, type Conntrack, type ConntrackAttrs, type ConntrackEvent, type MessageView } from "@tsconntrack/conntrack";
import { ConntrackEvent as EventType, ConntrackReply, conntrack } from "@tsconntrack/codec/conntrack";
import { NLM_F_CREATE, parseMessages } from "@tsconntrack/codec";
import { TopModel } from "../../src/views/top-model.js";
import { aggregate, sortRows } from "../../src/views/top-aggregate.js";

function flow(id: number, dport: number, bytes: bigint, packets: bigint): ConntrackAttrs {
  return {
    id,
    tupleOrig: { tupleIp: { ipV4Src: "10.0.0.1", ipV4Dst: "10.0.0.2" }, tupleProto: { protoNum: 17, protoSrcPort: 1000 + id, protoDstPort: dport } },
    countersOrig: { bytes, packets },
    countersReply: { bytes: 0n, packets: 0n },
  };
}

/** An entry message as the kernel would send it. */
const message = (type: number, attrs: ConntrackAttrs, flags = 0): Uint8Array =>
  conntrack.encodeMessage({ type, flags, fixed: { nfgenFamily: 2 }, set: "conntrack-attrs", attrs });

function fakeTable(): { ct: Conntrack; table: Map<number, ConntrackAttrs>; dumps: () => number } {
  const table = new Map<number, ConntrackAttrs>();
  let dumps = 0;
  const view = flowView();
  const ct = {
    listViews: async (_options: unknown, onView: (view: MessageView) => void) => {
      dumps++;
      for (const entry of table.values()) onView(view.walkMessage(message(ConntrackReply.get, entry)));
      return { entries: table.size, received: table.size, interrupted: false, fallbacks: [], undecodable: 0 };
    },
  } as unknown as Conntrack;
  return { ct, table, dumps: () => dumps };
}

/** An event as the API classifies the kernel's message. */
const eventOf = (bytes: Uint8Array): ConntrackEvent => classifyEvent({ kind: "message", message: parseMessages(bytes)[0]! }, undefined)!;
const destroy = (attrs: ConntrackAttrs): ConntrackEvent => eventOf(message(EventType.eventDestroy, attrs));
const created = (attrs: ConntrackAttrs): ConntrackEvent => eventOf(message(EventType.eventNew, { ...attrs, countersOrig: undefined, countersReply: undefined }, NLM_F_CREATE));

describe("TopModel", () => {
  it("computes rates from counter deltas, counts a flow that ended between readings, and resyncs on overrun", async () => {
    vi.useFakeTimers({ toFake: ["performance"] });
    try {
      const { ct, table, dumps } = fakeTable();
      const model = new TopModel(ct, {});
      table.set(1, flow(1, 53, 1000n, 10n));
      table.set(2, flow(2, 53, 5000n, 50n));
      await model.refresh();
      expect(model.flows.get(1)?.bytesRate).toBeUndefined();
      vi.advanceTimersByTime(2000);
      table.set(1, flow(1, 53, 3000n, 30n));
      // Flow 2 ends with 9000 bytes; flow 3 comes and goes between the readings.
      table.delete(2);
      await model.apply(destroy(flow(2, 53, 9000n, 90n)));
      await model.apply(created(flow(3, 80, 0n, 0n)));
      await model.apply(destroy(flow(3, 80, 400n, 4n)));
      await model.refresh();
      expect(model.flows.get(1)).toMatchObject({ bytesRate: 1000, packetsRate: 10 });
      expect(model.flows.get(2)).toMatchObject({ bytesRate: 2000, packetsRate: 20, ended: true });
      expect(model.flows.get(3)).toMatchObject({ bytesRate: 200, packetsRate: 2, ended: true });
      expect(model.stats()).toMatchObject({ newPerSecond: 0.5, destroyPerSecond: 1 });
      const rows = sortRows(aggregate(model.flows.values(), "port", Date.now() / 1000, model.uptime, performance.now() / 1000), "rate");
      expect(rows.map((row) => [row.key, row.flows, row.bytesPerSecond])).toEqual([
        ["udp/53", 2, 3000],
        ["udp/80", 1, 200],
      ]);
      // Ended flows are shown for one reading only.
      vi.advanceTimersByTime(1000);
      await model.refresh();
      expect([...model.flows.keys()]).toEqual([1]);
      const before = dumps();
      await model.apply({ kind: "overrun", count: 1 });
      expect(dumps()).toBe(before + 1);
      expect(model.stats()).toMatchObject({ overruns: 1, resyncs: 1 });
    } finally {
      vi.useRealTimers();
    }
  });
});
