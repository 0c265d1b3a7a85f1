// --replay reads its capture as the conversation needs it: a fault near the start of a huge file is
// reported at its byte offset at once, without reading (or holding) the rest.

import { spawnSync } from "node:child_process";
import { closeSync, existsSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, REPO } from "./run-cli.js";

const scratch = mkdtempSync(join(tmpdir(), "replay-stream-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const PCAP_HEADER = 24;
const RECORD_HEADER = 16;
const HUGE = 1500 * 1024 * 1024;

/** The records of many-L.pcap (a 300-entry dump) up to the one holding `cutAt`, a record header claiming 2 GiB, then a sparse 1.5 GB. */
function hugeCaptureWithAFault(cutAt: number): { path: string; faultAt: number } {
  const original = readFileSync(join(REPO, "fixtures/many-L.pcap"));
  let at = PCAP_HEADER;
  while (at <= cutAt) at += RECORD_HEADER + original.readUInt32LE(at + 8);
  const path = join(scratch, "huge.pcap");
  const fd = openSync(path, "w");
  writeSync(fd, original.subarray(0, at));
  const bad = Buffer.alloc(RECORD_HEADER);
  bad.writeUInt32LE(1, 0);
  bad.writeUInt32LE(0x7fffffff, 8);
  bad.writeUInt32LE(0x7fffffff, 12);
  writeSync(fd, bad);
  ftruncateSync(fd, HUGE);
  closeSync(fd);
  return { path, faultAt: at + RECORD_HEADER };
}

const timeTool = existsSync("/usr/bin/time");
if (!timeTool) console.warn("replay-stream: /usr/bin/time is missing (Debian package time); peak memory is not checked");

describe("--replay of a 1.5 GB capture with a fault at byte 10,300", () => {
  it("fails at once, naming the byte, in little memory", () => {
    const { path, faultAt } = hugeCaptureWithAFault(10_300);
    const argv = [BIN, "-L", "--replay", path];
    const run = timeTool
      ? spawnSync("/usr/bin/time", ["-f", "peak-rss-kib %M", ...argv], { encoding: "utf8", timeout: 60_000 })
      : spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 60_000 });
    const lines = run.stderr.split("\n").filter((line) => line !== "" && !line.startsWith("Command exited with non-zero status"));
    const rss = lines.find((line) => line.startsWith("peak-rss-kib "));
    expect(lines.filter((line) => line !== rss)).toEqual([
      `tsconntrack v0.1.0 (conntrack-tools): not a netlink capture: ${path}: packet of 2147483647 bytes: larger than any netlink datagram (at byte ${faultAt})`,
    ]);
    expect(run.status).toBe(1);
    // Node alone takes about 45 MiB; the whole file would be 1.5 GB.
    if (rss !== undefined) expect(Number(rss.split(" ")[1])).toBeLessThan(200 * 1024);
  });
});
