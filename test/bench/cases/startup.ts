/**
 * Start-up bound commands against a bare `node -e 0` of the same Node (the project's, which runs
 * bin/tsconntrack), measured alongside (node, tsconntrack, conntrack, node, …): `--version` at most
 * 1.1x, `-L` and `-L -o json` on an empty table at most 1.15x, `-C` on 10k entries at most 1.5x.
 * `-C` and `-L` output must match conntrack's.
 */
import { spawnSync } from "node:child_process";
import type { BenchContext } from "../context.js";
import { outcomeRow, type Outcome } from "../compare.js";
import { formatCount, type Row } from "../report.js";
import { inNetns } from "../command.js";
import { createNetns, deleteNetns } from "../netns.js";
import { alternate, type Contender } from "../runner.js";
import { median } from "../stats.js";
import type { BenchCase } from "./case.js";

const NODE: Contender = { label: "node -e 0", command: [process.execPath, "-e", "0"] };

function stdoutOf(netns: string, command: readonly string[]): string {
  const argv = inNetns(netns, command);
  return spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" }).stdout ?? "";
}

function startupRow(ctx: BenchContext, netns: string, entries: string, args: string[], compareOutput: boolean, limit: number, referenceArgs = args): Row {
  const { candidate, reference, candidateSkip } = ctx.tools;
  const contenders = [NODE, { label: "conntrack", command: [...reference, ...referenceArgs] }];
  if (candidateSkip === undefined) contenders.push({ label: "tsconntrack", command: [...candidate, ...args] });
  ctx.log(`  timing ${args.join(" ")} and node -e 0, ${ctx.options.startupRuns} alternated runs`);
  const [node, ref, cand] = alternate(netns, contenders, ctx.options.startupRuns);
  const outcome: Outcome = { candidate: cand, reference: ref! };
  if (cand && compareOutput) {
    const ours = stdoutOf(netns, [...candidate, ...args]);
    const theirs = stdoutOf(netns, [...reference, ...args]);
    if (ours !== theirs) outcome.wrong = `prints ${JSON.stringify(ours.trim())}, conntrack ${JSON.stringify(theirs.trim())}`;
  }
  return outcomeRow(`\`${args.join(" ")}\``, entries, outcome, limit, candidateSkip, { label: "node -e 0", seconds: median(node!.seconds) });
}

export const startupCase: BenchCase = {
  name: "startup",
  steps: (options) => [
    {
      size: options.rssSizes[0],
      run: (ctx) => {
        const size = options.rssSizes[0];
        const empty = createNetns("empty");
        let rows: Row[];
        try {
          rows = [
            startupRow(ctx, empty, "—", ["--version"], false, 1.1),
            startupRow(ctx, empty, "0", ["-L"], true, 1.15),
            // conntrack has no JSON: its column is plain -L.
            startupRow(ctx, empty, "0", ["-L", "-o", "json"], false, 1.15, ["-L"]),
          ];
        } finally {
          deleteNetns(empty);
        }
        const netns = ctx.mainTable(size).netns;
        return [...rows, startupRow(ctx, netns, formatCount(size), ["-C"], true, 1.5)];
      },
    },
  ],
};
