// Decode speed of the conntrack codec on a captured 100,000-entry dump (fixtures/bench/dump-100k.pcap.gz,
// made by make-capture.py). Measures parseMessages + decodeMessage of every entry to typed values.
//   pnpm bench:codec [capture.pcap.gz]
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { conntrack } from "../src/conntrack.js";
import { parseMessages } from "../src/index.js";
import { receivedDatagrams } from "./pcap.js";

const here = dirname(fileURLToPath(import.meta.url));
const path = process.argv[2] ?? resolve(here, "../../../fixtures/bench/dump-100k.pcap.gz");
const raw = readFileSync(path);
const datagrams = receivedDatagrams(path.endsWith(".gz") ? gunzipSync(raw) : raw);
const totalBytes = datagrams.reduce((n, d) => n + d.length, 0);
const IPCTNL_MSG_CT_NEW = 0x100;

let sink = 0;
function decodeAll(): number {
  let entries = 0;
  for (const datagram of datagrams) {
    for (const msg of parseMessages(datagram)) {
      if (msg.header.type !== IPCTNL_MSG_CT_NEW) continue;
      const decoded = conntrack.decodeMessage(msg);
      sink += (decoded.attrs as { timeout?: number }).timeout ?? 0;
      entries++;
    }
  }
  return entries;
}

const entries = decodeAll(); // warm-up, and the entry count
for (let i = 0; i < 3; i++) decodeAll();
const rounds = 10;
const rates: number[] = [];
const cpuRates: number[] = [];
for (let i = 0; i < rounds; i++) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  decodeAll();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  rates.push(entries / seconds);
  // CPU time of this process (GC threads included): less disturbed by other load on a shared box.
  cpuRates.push(entries / ((cpu.user + cpu.system) / 1e6));
}
rates.sort((a, b) => a - b);
cpuRates.sort((a, b) => a - b);
const median = rates[Math.floor(rates.length / 2)]!;
const best = rates[rates.length - 1]!;
const cpuMedian = cpuRates[Math.floor(cpuRates.length / 2)]!;
const mb = (rate: number) => ((rate / entries) * totalBytes) / 1e6;
console.log(`capture: ${path}`);
console.log(`${entries} entries, ${datagrams.length} datagrams, ${(totalBytes / 1e6).toFixed(1)} MB, ${(totalBytes / entries).toFixed(0)} B/entry`);
console.log(`decode (median of ${rounds}): ${Math.round(median).toLocaleString("en-US")} entries/s, ${mb(median).toFixed(0)} MB/s`);
console.log(`decode (best):         ${Math.round(best).toLocaleString("en-US")} entries/s, ${mb(best).toFixed(0)} MB/s`);
console.log(`per CPU second (median): ${Math.round(cpuMedian).toLocaleString("en-US")} entries/s`);
if (sink === -1) console.log(sink);
