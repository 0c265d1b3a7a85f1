/**
 * Sync load: N flows created on A (batched creates through the conntrack API, as fast as the
 * kernel takes them) must reach B's external cache. Measured for conntrackd 1.4.7 → conntrackd
 * and tsconntrackd → tsconntrackd, NOTRACK over UDP between two namespaces, from the first create
 * until B counts all N (polled with conntrackd's own client, the same for both). Both daemons get
 * a 64 MiB event buffer; an overrun costs 1.4.7 a resync after NetlinkOverrunResync (30 s).
 *
 * Alone: `pnpm exec tsx test/bench/sync.ts [--flows N]` (root). In `pnpm bench`: the `sync` case.
 */
import { parseArgs } from "node:util";
import { Conntrack } from "@tsconntrack/conntrack";
import { Pair, pairUnsupported, sleep, type Impl } from "../conntrackd/pair.js";
import { flowAttrs } from "./flows.js";

export interface SyncRun {
  impl: Impl;
  flows: number;
  /** Flows in B's external cache at the end. */
  reached: number;
  /** Seconds from the first create until B had them all (or until the limit). */
  seconds: number;
  /** Seconds the creates took on A. */
  createSeconds: number;
}

const LIMIT_SECONDS = 120;
const BATCH = 1000;

function externalCount(pair: Pair): number {
  const out = pair.ctl("B", ["-s"], "conntrackd").stdout;
  const external = out.split("cache external:")[1] ?? "";
  return Number(/current active connections:\s+(\d+)/.exec(external)?.[1] ?? 0);
}

export async function measureSync(impl: Impl, flows: number, log: (line: string) => void = () => {}): Promise<SyncRun> {
  const pair = await Pair.start(impl, impl, {
    mode: "Mode NOTRACK { }",
    general: "NetlinkBufferSize 67108864\n\tNetlinkBufferSizeMaxGrowth 134217728",
  });
  const ct = Conntrack.open({ netns: pair.ns.A });
  try {
    await sleep(1000);
    const started = performance.now();
    for (let i = 0; i < flows; i += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, flows - i) }, (_, k) => flowAttrs(i + k));
      const results = await ct.create(batch);
      const failed = results.filter((r) => !r.ok).length;
      if (failed) throw new Error(`${failed} creates failed on A`);
    }
    const createSeconds = (performance.now() - started) / 1000;
    let reached = 0;
    while ((performance.now() - started) / 1000 < LIMIT_SECONDS) {
      reached = externalCount(pair);
      if (reached >= flows) break;
      await sleep(200);
    }
    const seconds = (performance.now() - started) / 1000;
    log(`  ${impl} → ${impl}: ${reached}/${flows} flows on B in ${seconds.toFixed(2)} s (created in ${createSeconds.toFixed(2)} s)`);
    return { impl, flows, reached, seconds, createSeconds };
  } finally {
    ct.close();
    pair.stop();
  }
}

export const syncRate = (run: SyncRun): number => run.reached / run.seconds;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { flows: { type: "string", default: "50000" } } });
  const flows = Number(values.flows);
  const skip = pairUnsupported();
  if (skip) {
    console.log(`sync bench skipped: ${skip}`);
    return 0;
  }
  const runs: SyncRun[] = [];
  for (const impl of ["conntrackd", "tsconntrackd"] as const) runs.push(await measureSync(impl, flows, console.error));
  for (const run of runs) {
    console.log(`${run.impl}: ${run.reached === run.flows ? "all" : `${run.reached} of`} ${run.flows} flows on B in ${run.seconds.toFixed(2)} s: ${Math.round(syncRate(run))} flows/s`);
  }
  return 0;
}

if (process.argv[1]?.endsWith("sync.ts")) process.exitCode = await main();
