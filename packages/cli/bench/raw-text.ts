// Speed of the -L/-D byte formatter (RawConntrackText) on a captured 100,000-entry dump
// (fixtures/bench/dump-100k.pcap.gz). The capture is split into entry messages once; each pass formats
// every entry. Modes:
//   buffer  (default) lines go into one reused 1 MiB Uint8Array: the formatter alone
//   sink    lines go through OutputSink (reserve/commit) to /dev/null, as `tsconntrack -L >/dev/null`
//   check   no timing: every line must equal decode + formatConntrackText (byte-exact on real data)
//   pnpm exec tsx packages/cli/bench/raw-text.ts [buffer|sink|check] [passes] [capture.pcap.gz]
import { closeSync, openSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { decodePcap } from "@tsconntrack/socket";
import { decodeEntryAt } from "@tsconntrack/conntrack";
import { RAW_LINE_MAX, RawConntrackText } from "../src/commands/raw-text.js";
import { formatConntrackText } from "../src/format/conntrack-text.js";
import { OutputSink } from "../src/io/output.js";

const here = dirname(fileURLToPath(import.meta.url));
const mode = process.argv[2] ?? "buffer";
const passes = Number(process.argv[3] ?? 30);
const path = process.argv[4] ?? resolve(here, "../../../fixtures/bench/dump-100k.pcap.gz");
const NOW_SEC = 1_700_000_000;
const IPCTNL_MSG_CT_NEW = 0x100;

interface Entries {
  datagram: Uint8Array[];
  offset: number[];
  length: number[];
  family: number[];
}

/** Every CT_NEW message the kernel sent, as (datagram, offset, length, family). */
function entriesOf(file: Uint8Array): Entries {
  const entries: Entries = { datagram: [], offset: [], length: [], family: [] };
  for (const record of decodePcap(file).records) {
    if (record.direction !== "received") continue;
    // Plain Uint8Array views, as the live socket hands them over (not Buffers).
    const bytes = new Uint8Array(record.bytes.buffer, record.bytes.byteOffset, record.bytes.byteLength);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let at = 0; at + 16 <= bytes.length; ) {
      const len = dv.getUint32(at, true);
      if (len < 16) break;
      if (dv.getUint16(at + 4, true) === IPCTNL_MSG_CT_NEW) {
        entries.datagram.push(bytes);
        entries.offset.push(at);
        entries.length.push(len);
        entries.family.push(bytes[at + 16]!);
      }
      at += (len + 3) & ~3;
    }
  }
  return entries;
}

const raw = readFileSync(path);
const entries = entriesOf(path.endsWith(".gz") ? gunzipSync(raw) : raw);
const count = entries.offset.length;
const formatter = new RawConntrackText({ extended: false, id: false, nowSec: NOW_SEC });

// A Buffer, as OutputSink.reserve returns.
const buffer = Buffer.allocUnsafe(1 << 20);
let declined = 0;
let totalBytes = 0;

function passBuffer(): void {
  const { datagram, offset, length, family } = entries;
  const limit = buffer.length - RAW_LINE_MAX;
  let pos = 0;
  let bytes = 0;
  declined = 0;
  // No branch that is rarely taken: its missing type feedback would deoptimize this loop again and again.
  for (let i = 0; i < count; i++) {
    const end = formatter.write(datagram[i]!, offset[i]!, length[i]!, family[i]!, buffer, pos);
    if (end < 0) {
      declined++;
      continue;
    }
    bytes += end - pos;
    pos = end > limit ? 0 : end;
  }
  totalBytes = bytes;
}

let sink: OutputSink | undefined;
function passSink(): void {
  const { datagram, offset, length, family } = entries;
  const out = sink!;
  declined = 0;
  for (let i = 0; i < count; i++) {
    const end = formatter.write(datagram[i]!, offset[i]!, length[i]!, family[i]!, out.reserve(RAW_LINE_MAX), out.position);
    if (end >= 0) out.commit(end);
    else declined++;
  }
  out.flush();
}

function check(): void {
  const out = new Uint8Array(RAW_LINE_MAX);
  let mismatches = 0;
  for (let i = 0; i < count; i++) {
    const { datagram, offset, length, family } = entries;
    for (const options of [{ extended: false, id: false }, { extended: true, id: true }]) {
      const end = new RawConntrackText({ ...options, nowSec: NOW_SEC }).write(datagram[i]!, offset[i]!, length[i]!, family[i]!, out, 0);
      if (end < 0) {
        declined++;
        continue;
      }
      const line = Buffer.from(out.subarray(0, end)).toString("latin1");
      const flow = decodeEntryAt(datagram[i]!, offset[i]!, length[i]!);
      const expected = formatConntrackText(flow, { family: family[i]! }, { ...options, nowSec: NOW_SEC }) + "\n";
      if (line !== expected && mismatches++ < 5) console.log(`entry ${i}:\n  raw      ${JSON.stringify(line)}\n  expected ${JSON.stringify(expected)}`);
    }
  }
  console.log(`${count} entries x 2 option sets: ${mismatches} mismatches, ${declined} declined`);
  if (mismatches > 0) process.exitCode = 1;
}

if (mode === "check") {
  check();
} else {
  let pass: () => void;
  let fd = -1;
  if (mode === "sink") {
    fd = openSync("/dev/null", "w");
    sink = new OutputSink(fd);
    pass = passSink;
  } else if (mode === "buffer") {
    pass = passBuffer;
  } else {
    throw new Error(`unknown mode ${mode} (buffer, sink or check)`);
  }
  for (let i = 0; i < 5; i++) pass(); // warm-up
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < passes; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    pass();
    times.push(Number(process.hrtime.bigint() - t0) / count);
    const cpu = process.cpuUsage(c0);
    // CPU time of the process (GC threads included): less disturbed by other load on a shared box.
    cpuTimes.push(((cpu.user + cpu.system) * 1000) / count);
  }
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  if (fd >= 0) closeSync(fd);
  console.log(`${mode}: ${count} entries (${declined} declined), ${passes} passes${mode === "buffer" ? `, ${(totalBytes / count).toFixed(1)} B/line` : ""}`);
  const median = (list: number[]) => list[Math.floor(list.length / 2)]!.toFixed(0);
  console.log(`ns/entry (wall): min ${times[0]!.toFixed(0)}, median ${median(times)}`);
  console.log(`ns/entry (CPU):  min ${cpuTimes[0]!.toFixed(0)}, median ${median(cpuTimes)}`);
}
