/**
 * Start-up bound commands, `--version` and `-C`: at most 1.5x a bare `node -e 0`, which is
 * measured alongside (node, tsconntrack, conntrack, node, …). `-C` output must match conntrack's.
 */
import { spawnSync } from "node:child_process";
import type { BenchContext } from "../context.js";
import { outcomeRow, type Outcome } from "../compare.js";
import { formatCount, type Row } from "../report.js";
import { inNetns } from "../command.js";
import { alternate, type Contender } from "../runner.js";
import { median } from "../stats.js";
import type { BenchCase } from "./case.js";

const LIMIT = 1.5;
const NODE: Contender = { label: "node -e 0", command: [process.execPath, "-e", "0"] };

function stdoutOf(netns: string, command: readonly string[]): string {
  const argv = inNetns(netns, command);
  return spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" }).stdout ?? "";
}

function startupRow(ctx: BenchContext, netns: string, entries: string, args: string[], compareOutput: boolean): Row {
  const { candidate, reference, candidateSkip } = ctx.tools;
  const contenders = [NODE, { label: "conntrack", command: [...reference, ...args] }];
  if (candidateSkip === undefined) contenders.push({ label: "tsconntrack", command: [...candidate, ...args] });
  ctx.log(`  timing ${args.join(" ")} and node -e 0, ${ctx.options.startupRuns} alternated runs`);
  const [node, ref, cand] = alternate(netns, contenders, ctx.options.startupRuns);
  const outcome: Outcome = { candidate: cand, reference: ref! };
  if (cand && compareOutput) {
    const ours = stdoutOf(netns, [...candidate, ...args]);
    const theirs = stdoutOf(netns, [...reference, ...args]);
    if (ours !== theirs) outcome.wrong = `prints ${JSON.stringify(ours.trim())}, conntrack ${JSON.stringify(theirs.trim())}`;
  }
  return outcomeRow(`\`${args.join(" ")}\``, entries, outcome, LIMIT, candidateSkip, { label: "node -e 0", seconds: median(node!.seconds) });
}

export const startupCase: BenchCase = {
  name: "startup",
  steps: (options) => [
    {
      size: options.rssSizes[0],
      run: (ctx) => {
        const size = options.rssSizes[0];
        const netns = ctx.mainTable(size).netns;
        return [startupRow(ctx, netns, "—", ["--version"], false), startupRow(ctx, netns, formatCount(size), ["-C"], true)];
      },
    },
  ],
};
