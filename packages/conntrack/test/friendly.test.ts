/** The library's friendly side: JSON of entries and events, AbortSignal, disposal. Over a scripted kernel. */
import { describe, expect, it, vi } from "vitest";
import { NLM_F_CREATE, NLM_F_EXCL } from "@tsconntrack/codec";
import { ConntrackEvent as EventType, ConntrackMcastGroup, ConntrackReply, ConntrackRequest, type ConntrackAttrs } from "@tsconntrack/codec/conntrack";
import { Conntrack } from "../src/conntrack.js";
import { AF_INET } from "../src/constants.js";
import { buildFlow } from "../src/tuple.js";
import { conntrackKernel } from "./helpers/conntrack-kernel.js";

const flows: ConntrackAttrs[] = [1, 2, 3].map((i) => ({
  ...buildFlow({ orig: { src: `10.0.0.${i}`, dst: "10.0.0.9", proto: "tcp", sport: 1000 + i, dport: 443 }, mark: i, id: 10 + i, status: 0xe, timeout: 60 }),
  countersOrig: { packets: 2n ** 60n, bytes: 1500n },
  countersReply: { packets: 1n, bytes: 60n },
  protoinfo: { protoinfoTcp: { tcpState: 3 } },
}));

function dumpingKernel() {
  return conntrackKernel((request) =>
    request.header.type === ConntrackRequest.get
      ? { messages: flows.map((attrs) => ({ type: ConntrackReply.get, fixed: { nfgenFamily: AF_INET }, attrs })) }
      : {},
  );
}

describe("list(): the friendly shape", () => {
  it("hands each entry's JSON shape beside the raw tree; JSON.stringify works on entries", async () => {
    const ct = Conntrack.open({ transport: dumpingKernel().socket() });
    const entries = [];
    for await (const entry of ct.list()) entries.push(entry);
    expect(entries).toHaveLength(3);
    const first = entries[0]!;
    expect(typeof first.flow.countersOrig!.packets).toBe("bigint");
    expect(JSON.parse(JSON.stringify(first))).toEqual(first.json);
    expect(first.json).toEqual({
      family: "ipv4", proto: "tcp", protonum: 6, state: "ESTABLISHED", timeout: 60,
      orig: { src: "10.0.0.1", dst: "10.0.0.9", sport: 1001, dport: 443, packets: "1152921504606846976", bytes: 1500 },
      reply: { src: "10.0.0.9", dst: "10.0.0.1", sport: 443, dport: 1001, packets: 1, bytes: 60 },
      status: ["SEEN_REPLY", "ASSURED", "CONFIRMED"], mark: 1, id: 11,
    });
  });

  it("ends with the signal's reason, and the socket serves the next request", async () => {
    const ct = Conntrack.open({ transport: dumpingKernel().socket() });
    const controller = new AbortController();
    const seen: number[] = [];
    await expect(async () => {
      for await (const entry of ct.list({ signal: controller.signal })) {
        seen.push(entry.json.mark!);
        controller.abort(new Error("enough"));
      }
    }).rejects.toThrow("enough");
    expect(seen).toEqual([1]);
    expect(ct.listSync({}, () => {}).entries).toBe(3);
    // Aborted before it starts: nothing is sent.
    await expect(async () => {
      for await (const _ of ct.list({ signal: AbortSignal.abort() }));
    }).rejects.toThrow(/abort/i);
  });

  it("await using ends an iteration still running and frees the socket", async () => {
    const ct = Conntrack.open({ transport: dumpingKernel().socket() });
    {
      await using list = ct.list();
      const iterator = list[Symbol.asyncIterator]();
      expect((await iterator.next()).value!.json.mark).toBe(1);
    }
    expect(ct.listSync({}, () => {}).entries).toBe(3);
  });

  it("using closes the Conntrack object at the end of the scope", () => {
    let opened: Conntrack | undefined;
    {
      using ct = Conntrack.open({ transport: dumpingKernel().socket() });
      opened = ct;
      vi.spyOn(ct, "close");
    }
    expect(opened!.close).toHaveBeenCalledTimes(1);
  });
});

describe("events(): the friendly shape, AbortSignal, disposal", () => {
  const fixed = { nfgenFamily: AF_INET };

  it("JSON.stringify of an event is -E -o json's object without the receive time", async () => {
    const kernel = conntrackKernel();
    const ct = Conntrack.open({ transport: kernel.socket(), eventTransport: kernel.socket() });
    await using stream = ct.events({ groups: ["new"] });
    kernel.multicast(ConntrackMcastGroup.conntrackNew, { type: EventType.eventNew, flags: NLM_F_CREATE | NLM_F_EXCL, fixed, attrs: flows[0]! });
    for await (const event of stream) {
      expect(JSON.parse(JSON.stringify(event))).toMatchObject({ event: "new", family: "ipv4", proto: "tcp", orig: { src: "10.0.0.1", sport: 1001 } });
    }
  });

  it("an aborted signal ends the stream", async () => {
    const kernel = conntrackKernel();
    const ct = Conntrack.open({ transport: kernel.socket(), eventTransport: kernel.socket() });
    const controller = new AbortController();
    const stream = ct.events({ groups: ["new"], signal: controller.signal });
    for (let i = 0; i < 3; i++) kernel.multicast(ConntrackMcastGroup.conntrackNew, { type: EventType.eventNew, flags: NLM_F_CREATE, fixed, attrs: flows[i]! });
    const kinds: string[] = [];
    for await (const event of stream) {
      kinds.push(event.kind);
      controller.abort();
    }
    expect(kinds).toEqual(["new"]);
  });
});
