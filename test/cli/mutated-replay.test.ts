// The CLI end to end on mutated kernel answers: real captures (-L of the varied table, -E events) with
// their entries mutated (packages/cli/test/fuzz/mutate.ts), replayed through bin/tsconntrack in every
// output format. Whatever the bytes, a user sees entries, conntrack-style one-line messages and an
// exit status of 0 or 1: never Node's error text, a stack trace or a crash.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseMessages } from "@tsconntrack/codec";
import { encodePcap, readPcapFile, type CaptureRecord } from "@tsconntrack/socket";
import { afterAll, describe, expect, it } from "vitest";
import { mutateMessage, Random } from "../../packages/cli/test/fuzz/mutate.js";
import { BIN, REPO } from "./run-cli.js";

const scratch = mkdtempSync(join(tmpdir(), "mutated-replay-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const PREFIX = "tsconntrack v0.1.0 (conntrack-tools): ";
/** Lines 1.4.7 itself prints on stderr besides prefixed ones. */
const KNOWN_STDERR = [/^NOTICE: /, /^WARNING: /, /^ {2}/];

/** The capture with every received datagram's entry messages mutated (seeded), datagrams rebuilt. */
function mutatedCapture(fixture: string, seed: number): string {
  const random = new Random(seed);
  const records: CaptureRecord[] = readPcapFile(join(REPO, "fixtures", `${fixture}.pcap`)).records.map((record) => {
    if (record.direction !== "received") return record;
    let messages;
    try {
      messages = parseMessages(record.bytes);
    } catch {
      return record;
    }
    const parts = messages.map((message) => {
      const type = message.header.type;
      const entry = type === 0x100 || type === 0x102 || type === 0x200 || type === 0x202;
      return entry && random.below(3) === 0 ? mutateMessage(Uint8Array.from(message.bytes), random) : Uint8Array.from(message.bytes);
    });
    const size = parts.reduce((n, part) => n + ((part.length + 3) & ~3), 0);
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += (part.length + 3) & ~3;
    }
    return { ...record, bytes };
  });
  const path = join(scratch, `${fixture}-${seed}.pcap`);
  writeFileSync(path, encodePcap(records));
  return path;
}

const CASES: readonly [string, string][] = [
  ["varied-L", "-L"], ["varied-L", "-L -o extended,id"], ["varied-L", "-L -o ktimestamp,labels"], ["varied-L", "-L -o xml"],
  ["varied-L", "-L -o save"], ["varied-L", "-L -o json"], ["varied-L", "-L -o ndjson"], ["varied-L", "-L -p tcp"],
  ["events-E", "-E"], ["events-E", "-E -o xml"], ["events-E", "-E -o json"], ["events-E-expect", "-E expect"],
];
const SEEDS = [1, 2, 3, 4, 5, 6];

describe("bin/tsconntrack on mutated captures", () => {
  it(`prints only clean messages (${CASES.length * SEEDS.length} runs)`, () => {
    const failures: string[] = [];
    let skippedReports = 0;
    for (const [fixture, line] of CASES) {
      for (const seed of SEEDS) {
        const capture = mutatedCapture(fixture, seed);
        const run = spawnSync(BIN, [...line.split(" "), "--replay", capture], {
          encoding: "utf8",
          env: { ...process.env, TZ: "UTC", TSCONNTRACK_NOW: "1795386501", TSCONNTRACK_LABELMAP: join(REPO, "fixtures/connlabel.conf") },
          timeout: 30_000,
        });
        const name = `${line} on ${fixture} seed ${seed}`;
        skippedReports += run.stderr.split("skipped an entry that cannot be decoded").length - 1;
        if (run.status !== 0 && run.status !== 1) failures.push(`${name}: status ${run.status ?? run.signal}`);
        for (const errLine of run.stderr.split("\n").filter(Boolean)) {
          const clean = errLine.startsWith(PREFIX) || KNOWN_STDERR.some((pattern) => pattern.test(errLine));
          if (!clean || /\b(TypeError|RangeError|ReferenceError|Error:)|\n\s+at /.test(errLine)) failures.push(`${name}: ${errLine}`);
        }
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
    // The mutations reach the reporting path, not only harmless bytes.
    expect(skippedReports).toBeGreaterThan(0);
  });
});
