/** Replay needs no root: a real kernel session (recorded by fixtures/record-session.ts) answers from its pcap. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { NLM_F_CREATE, NLM_F_EXCL } from "@tsconntrack/codec";
import { ConntrackEvent, ConntrackMcastGroup, ConntrackReply, ConntrackRequest } from "@tsconntrack/codec/conntrack";
import { readPcapFile } from "@tsconntrack/socket";
import { Conntrack } from "../src/conntrack.js";
import { AF_INET } from "../src/constants.js";
import { buildFlow } from "../src/tuple.js";
import { conntrackKernel } from "./helpers/conntrack-kernel.js";
import { runSession } from "./helpers/session-script.js";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));

describe("replay", () => {
  it("replays a recorded kernel session with the same results", async () => {
    const expected = JSON.parse(readFileSync(join(fixtures, "kernel-session.json"), "utf8"));
    const ct = Conntrack.open({ replay: join(fixtures, "kernel-session.pcap"), kernelRelease: "6.18.0" });
    try {
      expect(await runSession(ct)).toEqual(expected);
    } finally {
      ct.close();
    }
  });

  it("records both sockets into one pcap that replays", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ctapi-replay-"));
    try {
      const path = join(dir, "session.pcap");
      const flow = buildFlow({ orig: { src: "10.0.0.1", dst: "10.0.0.2", proto: "udp", sport: 1, dport: 2 } });
      const kernel = conntrackKernel((r) => (r.header.type === ConntrackRequest.get ? { messages: [{ type: ConntrackReply.get, fixed: { nfgenFamily: AF_INET }, attrs: flow }] } : {}));
      const recording = Conntrack.open({ transport: kernel.socket(), eventTransport: kernel.socket(), record: path });
      const first: unknown[] = [];
      recording.createSync([flow]);
      recording.listSync({}, (f) => first.push(f));
      const stream = recording.events();
      kernel.multicast(ConntrackMcastGroup.conntrackNew, { type: ConntrackEvent.eventNew, flags: NLM_F_CREATE | NLM_F_EXCL, fixed: { nfgenFamily: AF_INET }, attrs: flow });
      const live = stream.nextSync() as { toJSON?: () => unknown }[];
      // toJSON is a closure per event: compared through what it returns, below.
      for (const event of live) delete event.toJSON;
      first.push(live);
      recording.close();
      expect(readPcapFile(path).records.map((r) => r.direction)).toEqual(["sent", "received", "sent", "received", "received"]);

      const replay = Conntrack.open({ replay: path });
      const second: unknown[] = [];
      expect(replay.createSync([flow])).toEqual([{ ok: true }]);
      replay.listSync({}, (f) => second.push(f));
      const replayed = replay.events().nextSync() as { receivedAt?: { seconds: number }; toJSON?: () => { time?: string } }[];
      // A replayed event also says when it was captured (the record's time).
      expect(replayed[0]?.receivedAt?.seconds).toBe(readPcapFile(path).records[4]!.timestamp.seconds);
      const capturedAt = new Date(readPcapFile(path).records[4]!.timestamp.seconds * 1000).toISOString().slice(0, 19);
      expect(replayed[0]?.toJSON?.().time?.slice(0, 19)).toBe(capturedAt);
      for (const event of replayed) {
        delete event.receivedAt;
        delete event.toJSON;
      }
      second.push(replayed);
      replay.close();
      expect(second).toEqual(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a replay that departs from the capture", () => {
    const ct = Conntrack.open({ replay: join(fixtures, "kernel-session.pcap") });
    expect(() => ct.listSync({ filter: { mark: 99 } }, () => {})).toThrow(/replay/);
    ct.close();
  });
});
