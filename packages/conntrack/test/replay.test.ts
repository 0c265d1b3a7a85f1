/** Replay needs no root: a real kernel session (recorded by fixtures/record-session.ts) answers from its pcap. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readPcapFile } from "@tsconntrack/socket";
import { Conntrack } from "../src/conntrack.js";
import { AF_INET } from "../src/constants.js";
import { buildFlow } from "../src/tuple.js";
import { FakeKernel } from "./helpers/fake-kernel.js";
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
      const kernel = new FakeKernel((r) => (r.header.type === 0x101 ? { messages: [{ type: 0x100, family: AF_INET, attrs: flow }] } : {}));
      const events = new FakeKernel();
      events.pushEvent(0x100, 0x600, AF_INET, "conntrack-attrs", flow);
      const recording = Conntrack.open({ transport: kernel, eventTransport: events, record: path });
      const first: unknown[] = [];
      recording.createSync([flow]);
      recording.listSync({}, (f) => first.push(f));
      const stream = recording.events();
      first.push(stream.nextSync());
      recording.close();
      expect(readPcapFile(path).records.map((r) => r.direction)).toEqual(["sent", "received", "sent", "received", "received"]);

      const replay = Conntrack.open({ replay: path });
      const second: unknown[] = [];
      expect(replay.createSync([flow])).toEqual([{ ok: true }]);
      replay.listSync({}, (f) => second.push(f));
      const replayed = replay.events().nextSync() as { receivedAt?: { seconds: number } }[];
      // A replayed event also says when it was captured (the record's time).
      expect(replayed[0]?.receivedAt?.seconds).toBe(readPcapFile(path).records[4]!.timestamp.seconds);
      for (const event of replayed) delete event.receivedAt;
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
