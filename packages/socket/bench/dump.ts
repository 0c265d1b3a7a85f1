/**
 * Raw dump throughput of @tsconntrack/socket against `conntrack -L > /dev/null`, same netns, same table.
 *
 *   pnpm exec tsx packages/socket/bench/dump.ts [--entries 100000] [--rounds 5]
 *
 * Needs root. Fills a private namespace's table with batched creates through this package, then
 * times both dumps alternately and prints medians and the ratio. The namespace is deleted at the end.
 * Note: a dump walks the global conntrack hash, so entries in other namespaces on the host add a
 * fixed cost to both sides.
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { LiveTransport } from "../src/live-transport.js";
import { NetlinkClient } from "../src/request.js";
import { createRequest, dumpRequest, flows, flushRequest } from "../test/helpers/conntrack-bytes.js";
import { createNetns, deleteNetns, kernelSkipReason } from "../test/helpers/netns.js";

const { values } = parseArgs({ options: { entries: { type: "string", default: "100000" }, rounds: { type: "string", default: "5" } } });
const entries = Number(values.entries);
const rounds = Number(values.rounds);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

function main(): void {
  const skip = kernelSkipReason();
  if (skip) {
    console.log(`bench skipped: ${skip}`);
    return;
  }
  const netns = createNetns("bench");
  const transport = LiveTransport.open({ netns });
  const client = new NetlinkClient(transport);
  try {
    let start = process.hrtime.bigint();
    const results = client.batchSync(flows(entries).map((flow) => createRequest(flow, { timeout: 3600 })));
    const failed = results.filter((r) => r.error).length;
    const fill = seconds(start);
    console.log(`filled ${entries - failed} entries in ${fill.toFixed(2)} s (${Math.round(entries / fill)} creates/s, ${failed} failed)`);

    const ours: number[] = [];
    const theirs: number[] = [];
    let messages = 0;
    let bytes = 0;
    for (let round = 0; round < rounds; round++) {
      messages = 0;
      bytes = 0;
      start = process.hrtime.bigint();
      client.dumpSync(dumpRequest(), (message) => {
        messages++;
        bytes += message.header.len;
      });
      ours.push(seconds(start));
      start = process.hrtime.bigint();
      const run = spawnSync("ip", ["netns", "exec", netns, "conntrack", "-L"], { stdio: ["ignore", "ignore", "ignore"] });
      theirs.push(seconds(start));
      if (run.status !== 0) throw new Error(`conntrack -L exited with ${run.status}`);
    }
    const a = median(ours);
    const b = median(theirs);
    console.log(`entries dumped: ${messages}, ${(bytes / 1e6).toFixed(1)} MB of messages`);
    console.log(`@tsconntrack/socket raw dump: median ${a.toFixed(3)} s  ${Math.round(messages / a)} entries/s  ${(bytes / a / 1e6).toFixed(1)} MB/s`);
    console.log(`conntrack -L > /dev/null:     median ${b.toFixed(3)} s  ${Math.round(messages / b)} entries/s`);
    console.log(`ratio (conntrack -L time / ours): ${(b / a).toFixed(2)}x`);
  } finally {
    try {
      client.requestSync(flushRequest());
    } finally {
      transport.close();
      deleteNetns(netns);
    }
  }
}

main();
