// Fuzzing every output path on structured mutations of real kernel captures (fixtures/*.pcap): the
// entries and events the kernel sent, each mutated one to three times (mutate.ts), walked into a view
// and written by every formatter of -L/-D/-G/-U (default, extended, id, ktimestamp, labels, xml,
// save, json, ndjson) and of -E (flows and expectations). The rules, per input:
//  - the walk fails only with NetlinkDecodeError (the CLI reports that one entry and goes on);
//  - nothing else throws, anywhere;
//  - JSON output parses, as one object per entry.

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { classifyEvent, flowView, type ConntrackEvent } from "@tsconntrack/conntrack";
import { isNetlinkDecodeError, parseMessages, type NlMessage } from "@tsconntrack/codec";
import { readPcapFile } from "@tsconntrack/socket";
import { beforeAll, describe, expect, it } from "vitest";
import { parseArgs, type ParsedCommand } from "../../src/args/index.js";
import { EntryPrinter, type PrintPurpose } from "../../src/commands/printer.js";
import { EventLines } from "../../src/events/event-lines.js";
import type { Painter } from "../../src/io/color.js";
import { ByteWriter } from "../../src/io/byte-writer.js";
import { mutateMessage, Random } from "./mutate.js";

const FIXTURES = fileURLToPath(new URL("../../../../fixtures/", import.meta.url));
const INPUTS = 100_000;
const NOW = 1_795_386_501;
const TIME = { sec: NOW, usec: 123_456 };
const CT_NEW = 0x100;
const CT_DELETE = 0x102;
const EXP_NEW = 0x200;
const EXP_DELETE = 0x202;
const PLAIN: Painter = { enabled: false, event: (_kind, text) => text, key: (text) => text };

/** The entry and event messages of every capture the kernel answered, deduplicated. */
function seedMessages(): { entries: Uint8Array[]; events: Uint8Array[] } {
  const entries = new Map<string, Uint8Array>();
  const events = new Map<string, Uint8Array>();
  const names = readdirSync(FIXTURES).filter((name) => name.endsWith(".pcap"));
  if (names.length === 0) throw new Error(`no captures in ${FIXTURES}: the fuzz needs the committed fixtures`);
  for (const name of names) {
    for (const record of readPcapFile(join(FIXTURES, name)).records) {
      if (record.direction !== "received") continue;
      let messages: NlMessage[];
      try {
        messages = parseMessages(record.bytes);
      } catch {
        continue;
      }
      for (const message of messages) {
        const type = message.header.type;
        const bytes = Uint8Array.from(message.bytes);
        const key = Buffer.from(bytes).toString("hex");
        // Dump entries carry no NLM_F_CREATE-style event flags; events come unsolicited (seq 0).
        if (type === CT_NEW && message.header.seq !== 0) entries.set(key, bytes);
        else if (type === CT_NEW || type === CT_DELETE || type === EXP_NEW || type === EXP_DELETE) events.set(key, bytes);
      }
    }
  }
  return { entries: [...entries.values()], events: [...events.values()] };
}

function command(line: string): ParsedCommand {
  const parsed = parseArgs(line.split(" ").filter(Boolean), { loadLabelMap: () => ({ map: new Map([["eth0-in", 0], ["eth0-out", 1], ["bulk", 5], ["seven", 7], ["last", 127]]) }) });
  if (!parsed.ok) throw new Error(`${line}: ${parsed.stderr}`);
  return parsed;
}

const ENTRY_OUTPUTS: readonly [PrintPurpose, string][] = [
  ["list", "-L"], ["list", "-L -o extended"], ["list", "-L -o id"], ["list", "-L -o ktimestamp"], ["list", "-L -o labels"],
  ["list", "-L -o extended,id,ktimestamp,labels"], ["list", "-L -o xml"], ["list", "-L -o xml,ktimestamp,labels"],
  ["list", "-L -o save"], ["list", "-L -o json"], ["list", "-L -o ndjson"], ["delete", "-D"], ["delete", "-D -o xml"],
  ["get", "-G -s 1.1.1.1 -d 2.2.2.2 -p udp --sport 1 --dport 2 -o extended"], ["update", "-U -m 1 -o save"],
];
const EVENT_OUTPUTS = ["-E", "-E -o xml", "-E -o json", "-E -o timestamp", "-E -o save", "-E -o extended,id,labels", "-E expect", "-E expect -o xml,timestamp", "-E expect -o json"];

describe("formatters on mutated kernel messages", () => {
  let seeds: { entries: Uint8Array[]; events: Uint8Array[] };
  beforeAll(() => {
    seeds = seedMessages();
  });

  it(`never throw but for decode errors, and write JSON that parses (${INPUTS} inputs)`, () => {
    expect(seeds.entries.length).toBeGreaterThan(50);
    expect(seeds.events.length).toBeGreaterThan(20);
    const printers = ENTRY_OUTPUTS.map(([purpose, line]) => {
      const cmd = command(line);
      const printer = new EntryPrinter(cmd, purpose, purpose === "delete" ? undefined : new Map([[0, "eth0-in"], [1, "eth0-out"], [5, "bulk"], [127, "last"]]));
      return { line, printer, json: line.includes("json") };
    });
    const eventLines = EVENT_OUTPUTS.map((line) => ({ line, lines: new EventLines(command(line), PLAIN) }));
    const out = new ByteWriter(4096);
    const view = flowView();
    const failures: string[] = [];
    const fail = (seed: number, what: string, error: unknown) => {
      if (failures.length < 10) failures.push(`seed ${seed}: ${what}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    };
    let decodeErrors = 0;
    let lines = 0;
    let eventsPrinted = 0;
    for (let seed = 1; seed <= INPUTS; seed++) {
      const random = new Random(seed);
      const isEvent = seed % 4 === 0;
      const original = random.pick(isEvent ? seeds.events : seeds.entries);
      let bytes = original;
      for (let n = 1 + random.below(3); n > 0; n--) bytes = mutateMessage(bytes, random);
      const family = bytes.length > 16 ? bytes[16]! : 0;
      if (isEvent) {
        let event: ConntrackEvent | undefined;
        try {
          const messages = parseMessages(bytes);
          event = messages.length === 0 ? undefined : classifyEvent({ kind: "message", message: messages[0]! }, undefined);
        } catch (error) {
          if (!isNetlinkDecodeError(error)) fail(seed, "event framing", error);
          continue;
        }
        if (event === undefined || event.kind === "overrun") continue;
        if (event.kind === "undecodable") {
          decodeErrors++;
          continue;
        }
        for (const { line, lines } of eventLines) {
          if ((event.kind === "exp-new" || event.kind === "exp-destroy") !== line.includes("expect")) continue;
          try {
            lines.event(event, { portId: 1234, progname: "fuzz", netnsId: undefined }, TIME, NOW);
            eventsPrinted++;
          } catch (error) {
            fail(seed, `${line} event`, error);
          }
        }
        continue;
      }
      try {
        view.walkMessage(bytes);
      } catch (error) {
        if (!isNetlinkDecodeError(error)) fail(seed, "walk", error);
        decodeErrors++;
        continue;
      }
      for (const { line, printer, json } of printers) {
        try {
          printer.entry(out, view, family, NOW);
          const text = out.take();
          if (json) JSON.parse(text.replace(/^[[,]/, ""));
          lines++;
        } catch (error) {
          fail(seed, line, error);
        }
      }
    }
    expect(failures).toEqual([]);
    // The mutations reach both outcomes.
    expect(decodeErrors).toBeGreaterThan(INPUTS / 20);
    expect(lines).toBeGreaterThan(INPUTS * 2);
    expect(eventsPrinted).toBeGreaterThan(INPUTS / 10);
  });
});
