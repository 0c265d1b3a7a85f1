import { describe, expect, it } from "vitest";
import { RecordingTransport } from "../src/recording-transport.js";
import { ReplayTransport } from "../src/replay-transport.js";
import { NetlinkClient } from "../src/request.js";
import { EventSubscription, type EventItem } from "../src/subscription.js";
import { NetlinkSocketError, isNetlinkProtocolError } from "../src/errors.js";
import { decodePcap } from "../src/pcap/reader.js";
import { encodePcap } from "../src/pcap/writer.js";
import { datagram, doneMessage, errorMessage, message } from "./helpers/messages.js";
import { ScriptedTransport, type SentMessage } from "./helpers/scripted-transport.js";

const PID = 31337;
const NFGEN = new Uint8Array([2, 0, 0, 0]);
const DUMP = { type: 0x101, flags: 0x300, payload: NFGEN };
const entry = (seq: number, id: number) => message({ type: 0x100, flags: 0x2, seq, pid: PID, payload: new Uint8Array([2, 0, 0, 0, 8, 0, 12, 0, 0, 0, 0, id]) });

function fakeKernel(sent: SentMessage[]): Uint8Array[] {
  const first = sent[0]!;
  if (first.header.flags & 0x300 && first.header.type === 0x101) {
    const seq = first.header.seq;
    return [datagram(entry(seq, 1), entry(seq, 2)), datagram(entry(seq, 3), doneMessage(seq, PID))];
  }
  return [datagram(...sent.map((m) => errorMessage(m.header.seq, PID, m.payload[4] === 9 ? -17 : 0)))];
}

async function session(client: NetlinkClient) {
  const ids: number[] = [];
  client.dumpSync(DUMP, (m) => ids.push(m.bytes[m.bytes.length - 1]!));
  const results = client.batchSync([1, 9, 2].map((n) => ({ type: 0x100, flags: 0x600, payload: new Uint8Array([2, 0, 0, 0, n, 0, 0, 0]) })));
  const asyncIds: number[] = [];
  for await (const m of client.dump(DUMP)) asyncIds.push(m.bytes[m.bytes.length - 1]!);
  return { ids, asyncIds, errors: results.map((r) => r.error?.code ?? "ok") };
}

function record() {
  const recording = new RecordingTransport(new ScriptedTransport(fakeKernel, PID));
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
    const inner = new ScriptedTransport();
    inner.queue.push(message({ type: 0x100, flags: 0x600, seq: 0, pid: 0, payload: NFGEN }), new NetlinkSocketError("recv", 105), message({ type: 0x102, seq: 0, pid: 0, payload: NFGEN }));
    const recording = new RecordingTransport(inner);
    const kinds = async (subscription: EventSubscription) => {
      const out: string[] = [];
      for await (const item of subscription as AsyncIterable<EventItem>) out.push(item.kind === "message" ? item.message.header.type.toString(16) : item.kind);
      return out;
    };
    const live = await kinds(new EventSubscription(recording, [1]));
    expect(live).toEqual(["100", "overrun", "102"]);
    const replayed = await kinds(new EventSubscription(new ReplayTransport(decodePcap(encodePcap(recording.records)).records), [1]));
    expect(replayed).toEqual(live);
  });
});
