/**
 * `-D -m 3` (a quarter of the entries carry mark 3) in a namespace of its own: at most
 * conntrack's time. The table is rebuilt before every run of either tool and checked after it;
 * only the delete command is timed.
 */
import { outcomeRow, type Outcome } from "../compare.js";
import { BENCH_MARK, countShapes } from "../flows.js";
import { formatCount } from "../report.js";
import { alternate, type Contender } from "../runner.js";
import type { BenchCase } from "./case.js";

const LIMIT = 1.0;

export const deleteCase: BenchCase = {
  name: "delete",
  steps: (options) => [
    {
      size: 0,
      run: (ctx) =>
        ctx.ownTable("delete", options.deleteSize, (table) => {
          const size = options.deleteSize;
          const args = ["-D", "-m", String(BENCH_MARK)];
          const remaining = size - countShapes(size, (shape) => shape.mark === BENCH_MARK);
          const { candidate, reference, candidateSkip } = ctx.tools;
          const contenders: Contender[] = [{ label: "conntrack", command: [...reference, ...args] }];
          if (candidateSkip === undefined) contenders.unshift({ label: "tsconntrack", command: [...candidate, ...args] });
          ctx.log(`  timing ${args.join(" ")} at ${size} entries, ${options.deleteRuns} alternated runs, table rebuilt before each`);
          const samples = alternate(table.netns, contenders, options.deleteRuns, {
            before: () => void table.refill(size),
            after: () => {
              const left = table.count();
              return left === remaining ? undefined : `left ${left} entries, expected ${remaining}`;
            },
          });
          const outcome: Outcome = candidateSkip === undefined ? { candidate: samples[0], reference: samples[1]! } : { candidate: undefined, reference: samples[0]! };
          return [outcomeRow("`-D -m 3`", formatCount(size), outcome, LIMIT, candidateSkip)];
        }),
    },
  ],
};
