// A full OutputSink writes out what it holds mid-line. The line formatters drop the space their last
// field ends with only after writing it, so that space must still be in the buffer then: a flush
// once let one line in ~1,650 of a 100k-entry `-L` keep it ("use=1 \n").
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { flowViewOf, writeConntrackSave, writeConntrackText } from "../../src/format/index.js";
import { OutputSink } from "../../src/io/output.js";
import { S, TCP, V4, t4, tcp } from "../format/build.js";

const dir = mkdtempSync(join(tmpdir(), "output-sink-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `write` puts into a sink of `chunkBytes`, read back from its file. */
function through(chunkBytes: number, write: (sink: OutputSink) => void): string {
  const path = join(dir, `out-${chunkBytes}-${Math.random().toString(36).slice(2)}`);
  const fd = openSync(path, "w");
  try {
    const sink = new OutputSink(fd, { chunkBytes });
    write(sink);
    sink.flush();
  } finally {
    closeSync(fd);
  }
  return readFileSync(path, "latin1");
}

const flow = {
  tupleOrig: t4("10.0.0.1", "10.0.0.2", 6, { sport: 40000, dport: 22 }),
  tupleReply: t4("10.0.0.2", "10.0.0.1", 6, { sport: 22, dport: 40000 }),
  protoinfo: tcp(TCP.ESTABLISHED),
  status: S.SEEN_REPLY | S.ASSURED | S.CONFIRMED,
  timeout: 300,
  use: 1,
};

describe("OutputSink keeps the line being written when it fills up", () => {
  const lines = 50;
  // Every chunk size from smaller than a line to several lines: the flush lands at every offset of a line.
  for (const chunkBytes of [16, 37, 64, 101, 150, 199, 256, 4096]) {
    it(`conntrack's text and save lines, ${chunkBytes}-byte chunks`, () => {
      const writeAll = (sink: OutputSink): void => {
        for (let i = 0; i < lines; i++) {
          writeConntrackText(sink, flowViewOf(flow, V4.family), V4, { nowSec: 0 });
          sink.byte(0x0a);
          writeConntrackSave(sink, flowViewOf(flow, V4.family), V4, "dump");
          sink.byte(0x0a);
        }
      };
      const expected = through(1 << 20, writeAll);
      expect(expected.split("\n").filter((line) => line.endsWith(" "))).toEqual([]);
      expect(through(chunkBytes, writeAll)).toBe(expected);
    });
  }

  it("a line longer than the buffer grows it rather than splitting the trim", () => {
    const out = through(8, (sink) => {
      sink.beginLine();
      sink.text("a very long line that ends in a space ");
      sink.trimLineEnd(1);
      sink.byte(0x0a);
    });
    expect(out).toBe("a very long line that ends in a space\n");
  });

  it("without a line begun, a full buffer is written out whole", () => {
    const out = through(4, (sink) => {
      for (let i = 0; i < 10; i++) sink.text("abc ");
    });
    expect(out).toBe("abc ".repeat(10));
  });
});
