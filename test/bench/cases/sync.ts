/**
 * conntrackd sync load, side by side: the same number of flows as the `-E` case (50k, 5k with
 * --quick) created on A reach B's external cache; flows/s for conntrackd 1.4.7 → conntrackd and
 * tsconntrackd → tsconntrackd (see ../sync.ts).
 */
import { formatCount, formatRatio, skippedRow, type Row } from "../report.js";
import { measureSync, syncRate, type SyncRun } from "../sync.js";
import { pairUnsupported } from "../../conntrackd/pair.js";
import type { BenchCase } from "./case.js";

const cell = (run: SyncRun): string =>
  `${formatCount(Math.round(syncRate(run) / 100) * 100)} flows/s (${run.reached === run.flows ? "all" : `${run.reached}`} in ${run.seconds.toFixed(1)} s)`;

export const syncCase: BenchCase = {
  name: "sync",
  steps: (options) => [
    {
      size: 0,
      run: async (ctx): Promise<Row[]> => {
        const name = "tsconntrackd NOTRACK A→B";
        const entries = formatCount(options.eventEntries);
        const target = "all flows reach B";
        const skip = pairUnsupported();
        if (skip) return [skippedRow(name, entries, skip, target)];
        const theirs = await measureSync("conntrackd", options.eventEntries, (l) => ctx.log(l));
        const ours = await measureSync("tsconntrackd", options.eventEntries, (l) => ctx.log(l));
        return [{
          name, entries, ours: cell(ours), theirs: cell(theirs),
          // As a time ratio like the other rows.
          ratio: formatRatio(syncRate(theirs) / syncRate(ours)),
          target,
          verdict: ours.reached === ours.flows ? "PASS" : `FAIL (${ours.flows - ours.reached} missing)`,
          rss: "—",
        }];
      },
    },
  ],
};
