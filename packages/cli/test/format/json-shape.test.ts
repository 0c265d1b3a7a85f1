// The drift guard between the two JSON paths that remain: the CLI's byte writer (-o json/ndjson)
// and the library's friendly objects (flowJson/expectJson, what JSON.stringify of list() entries
// gives). On every message of every fixture capture, messages holding every attribute of the spec
// (three families) and 20,000 mutated entries, the writer's bytes are JSON.stringify of the object.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isNetlinkDecodeError, parseMessages } from "@tsconntrack/codec";
import { ConntrackEvent, ConntrackReply, conntrack, conntrackFamily } from "@tsconntrack/codec/conntrack";
import { everyAttributeValue } from "@tsconntrack/codec/testing";
import { expectJson, expectView, flowJson, flowView, type MessageView } from "@tsconntrack/conntrack";
import { readPcapFile } from "@tsconntrack/socket";
import { ByteWriter } from "../../src/io/byte-writer.js";
import { writeConntrackJson, writeExpectJson } from "../../src/format/json.js";
import { mutateMessage, Random } from "../fuzz/mutate.js";

const FIXTURES = fileURLToPath(new URL("../../../../fixtures/", import.meta.url));
const LABELS = new Map([[0, "eth0-in"], [1, "eth0-out"], [5, "bulk"], [127, "last"]]);
const w = new ByteWriter(4096);
const flows = flowView();
const expects = expectView();

function sameFlow(view: MessageView, family: number): void {
  for (const labelMap of [undefined, LABELS]) {
    writeConntrackJson(w, view, { family }, { labelMap });
    const options = labelMap === undefined ? {} : { labelMap };
    expect(w.take()).toBe(JSON.stringify(flowJson(view, options, family)));
  }
}

function sameExpect(view: MessageView, family: number): void {
  writeExpectJson(w, view, { family });
  expect(w.take()).toBe(JSON.stringify(expectJson(view, family)));
}

function captured(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const name of readdirSync(FIXTURES).filter((n) => n.endsWith(".pcap"))) {
    for (const record of readPcapFile(join(FIXTURES, name)).records) {
      if (record.direction !== "received") continue;
      try {
        for (const message of parseMessages(record.bytes)) out.push(Uint8Array.from(message.bytes));
      } catch {
        // a malformed capture (the undecodable fixtures): its messages are the fuzz's business
      }
    }
  }
  return out;
}

const isFlow = (type: number) => type === ConntrackEvent.eventNew || type === ConntrackEvent.eventDestroy;
const isExpect = (type: number) => type === ConntrackEvent.expEventNew || type === ConntrackEvent.expEventDestroy;
const typeOf = (bytes: Uint8Array) => bytes[4]! | (bytes[5]! << 8);

describe("the JSON writer and the friendly objects", () => {
  const messages = captured();

  it("agree on every message of every fixture capture", () => {
    let compared = 0;
    for (const bytes of messages) {
      const type = typeOf(bytes);
      const view = isFlow(type) ? flows : isExpect(type) ? expects : undefined;
      if (view === undefined) continue;
      try {
        view.walkMessage(bytes);
      } catch (error) {
        if (!isNetlinkDecodeError(error)) throw error;
        continue;
      }
      if (view === flows) sameFlow(view, bytes[16]!);
      else sameExpect(view, bytes[16]!);
      compared++;
    }
    expect(compared).toBeGreaterThan(300);
  });

  it("agree on messages holding every attribute of the spec, in three families", () => {
    for (const family of [2, 10, 7]) {
      for (const seed of [0, 1, 2, 3]) {
        const flow = everyAttributeValue(conntrackFamily, "conntrack-attrs", seed);
        sameFlow(flows.walkMessage(conntrack.encodeMessage({ type: ConntrackReply.get, flags: 0, fixed: { nfgenFamily: family }, set: "conntrack-attrs", attrs: flow })), family);
        const exp = everyAttributeValue(conntrackFamily, "expect-attrs", seed);
        sameExpect(expects.walkMessage(conntrack.encodeMessage({ type: ConntrackReply.expGet, flags: 0, fixed: { nfgenFamily: family }, set: "expect-attrs", attrs: exp })), family);
      }
    }
  });

  it("agree on 20,000 mutated entries the walk accepts", () => {
    const entries = messages.filter((bytes) => isFlow(typeOf(bytes)));
    const random = new Random(12);
    let compared = 0;
    for (let i = 0; i < 20_000; i++) {
      const bytes = mutateMessage(random.pick(entries), random);
      try {
        flows.walkMessage(bytes);
      } catch (error) {
        if (!isNetlinkDecodeError(error)) throw error;
        continue;
      }
      sameFlow(flows, bytes.length > 16 ? bytes[16]! : 0);
      compared++;
    }
    expect(compared).toBeGreaterThan(5000);
  });
});
