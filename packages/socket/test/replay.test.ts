import { describe, expect, it } from "vitest";
import { NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL } from "@tsconntrack/codec";
import { conntrack, ConntrackEvent, ConntrackMcastGroup, ConntrackReply, ConntrackRequest } from "@tsconntrack/codec/conntrack";
import { RecordingTransport } from "../src/recording-transport.js";
import { ReplayTransport } from "../src/replay-transport.js";
import { NetlinkClient } from "../src/request.js";
import { EventSubscription, type EventItem } from "../src/subscription.js";
import { isNetlinkProtocolError } from "../src/errors.js";
import { decodePcap } from "../src/pcap/reader.js";
import { encodePcap } from "../src/pcap/writer.js";
import { ScriptedKernel, type RawReply } from "../src/testing.js";

const PID = 31337;
const NFGEN = new Uint8Array([2, 0, 0, 0]);
const DUMP = { type: ConntrackRequest.get, flags: NLM_F_DUMP, payload: NFGEN };
/** An entry with only CTA_ID, whose last byte the session reads back. */
const entry = (id: number): RawReply => ({ type: ConntrackReply.get, payload: new Uint8Array([...NFGEN, ...conntrack.encodeAttrs("conntrack-attrs", { id })]) });

/**
 * Dumps three entries in two datagrams; of a batch (raw payloads tagged in their 5th byte) fails
 * the one tagged 9 with EEXIST, the acknowledgements of a datagram together in one.
 */
const kernel = () =>
  new ScriptedKernel({
    coalesce: true,
    handler: (request) => (request.dump ? { messages: [entry(1), entry(2), entry(3)], split: [2] } : request.payload[4] === 9 ? { errno: "EEXIST" } : undefined),
  });

async function session(client: NetlinkClient) {
  const ids: number[] = [];
  client.dumpSync(DUMP, (m) => ids.push(m.bytes[m.bytes.length - 1]!));
  const results = client.batchSync([1, 9, 2].map((n) => ({ type: ConntrackRequest.new, flags: NLM_F_CREATE | NLM_F_EXCL, payload: new Uint8Array([...NFGEN, n, 0, 0, 0]) })));
  const asyncIds: number[] = [];
  for await (const m of client.dump(DUMP)) asyncIds.push(m.bytes[m.bytes.length - 1]!);
  return { ids, asyncIds, errors: results.map((r) => r.error?.code ?? "ok") };
}

function record() {
  const recording = new RecordingTransport(kernel().socket({ portId: PID }));
  return { recording, client: new NetlinkClient(recording, { initialSeq: 5000 }) };
}

describe("record and replay", () => {
  it("replays a recorded session through pcap with other seqs and another port id", async () => {
    const { recording, client } = record();
    const live = await session(client);
    expect(live).toEqual({ ids: [1, 2, 3], asyncIds: [1, 2, 3], errors: ["ok", "EEXIST", "ok"] });
    const capture = decodePcap(encodePcap(recording.records));
    expect(capture.records.map((r) => r.direction)).toEqual(["sent", "received", "received", "sent", "received", "sent", "received", "received"]);

    const replay = new ReplayTransport(capture.records, { portId: 77 });
    const replayed = await session(new NetlinkClient(replay, { initialSeq: 1 }));
    expect(replayed).toEqual(live);
    expect(replay.remaining).toBe(0);
    expect(replay.receiveSync()).toBeNull();
  });

  it("defaults to the recorded port id", () => {
    const { recording, client } = record();
    client.dumpSync(DUMP, () => {});
    expect(new ReplayTransport(recording.records).portId).toBe(PID);
  });

  it("reports a request that departs from the capture", async () => {
    const { recording, client } = record();
    client.dumpSync(DUMP, () => {});
    const replay = new NetlinkClient(new ReplayTransport(recording.records));
    try {
      replay.dumpSync({ ...DUMP, payload: new Uint8Array([10, 0, 0, 0]) }, () => {});
      expect.unreachable();
    } catch (error) {
      expect(isNetlinkProtocolError(error) && error.reason).toBe("replay-mismatch");
      expect(String(error)).toMatch(/payload byte 0/);
    }
    // Loose mode only checks the message count.
    const loose = new NetlinkClient(new ReplayTransport(recording.records, { strict: false }));
    expect(loose.dumpSync({ ...DUMP, payload: new Uint8Array([10, 0, 0, 0]) }, () => {}).messages).toBe(3);
  });

  it("records an ENOBUFS as an overrun marker and replays it as ENOBUFS", async () => {
    const events = new ScriptedKernel();
    const socket = events.socket();
    const recording = new RecordingTransport(socket);
    const subscription = new EventSubscription(recording, [ConntrackMcastGroup.conntrackNew]);
    events.multicast(ConntrackMcastGroup.conntrackNew, { type: ConntrackEvent.eventNew, flags: NLM_F_CREATE | NLM_F_EXCL, payload: NFGEN });
    socket.overrun();
    events.multicast(ConntrackMcastGroup.conntrackNew, { type: ConntrackEvent.eventDestroy, payload: NFGEN });
    const kinds = async (subscription: EventSubscription) => {
      const out: string[] = [];
      for await (const item of subscription as AsyncIterable<EventItem>) out.push(item.kind === "message" ? item.message.header.type.toString(16) : item.kind);
      return out;
    };
    const live = await kinds(subscription);
    expect(live).toEqual(["100", "overrun", "102"]);
    const replayed = await kinds(new EventSubscription(new ReplayTransport(decodePcap(encodePcap(recording.records)).records), [ConntrackMcastGroup.conntrackNew]));
    expect(replayed).toEqual(live);
  });
});
