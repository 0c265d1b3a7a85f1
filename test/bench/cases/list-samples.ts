/**
 * `-L` on the main table at one size, measured once and shared by the list and rss cases. Before
 * timing, both tools' output is counted once: a tool printing the wrong number of lines fails.
 */
import type { BenchContext } from "../context.js";
import type { Outcome } from "../compare.js";
import { countLines } from "../command.js";
import { alternate, type Contender } from "../runner.js";

export type ListResult = Outcome;

/** Tables this big take seconds per run: fewer runs keep the full benchmark under 10 minutes. */
const BIG_TABLE = 500_000;
const BIG_TABLE_RUNS = 3;

/** What conntrack runs instead, where ours has no counterpart in it (`-o json` against its plain `-L`). */
export interface ReferenceRun {
  args: readonly string[];
  lines: number;
}

/** Runs `args` against the main table at `size`; `expectedLines` is what a correct tool prints. */
export async function measureListing(ctx: BenchContext, size: number, args: readonly string[], expectedLines: number, against?: ReferenceRun): Promise<ListResult> {
  const table = ctx.mainTable(size);
  const { candidate, reference, candidateSkip } = ctx.tools;
  const referenceArgs = against?.args ?? args;
  const referenceLines = against?.lines ?? expectedLines;
  const contenders: Contender[] = [{ label: "conntrack", command: [...reference, ...referenceArgs] }];
  let wrong: string | undefined;
  if (candidateSkip === undefined) {
    const counted = await countLines(table.netns, [...candidate, ...args]);
    if (counted.status === 0 && counted.lines !== expectedLines) wrong = `printed ${counted.lines} lines, expected ${expectedLines}`;
    contenders.unshift({ label: "tsconntrack", command: [...candidate, ...args] });
  }
  const check = await countLines(table.netns, [...reference, ...referenceArgs]);
  if (check.lines !== referenceLines) ctx.log(`  note: conntrack ${referenceArgs.join(" ")} printed ${check.lines} lines, expected ${referenceLines}`);
  const runs = size >= BIG_TABLE ? Math.min(ctx.options.runs, BIG_TABLE_RUNS) : ctx.options.runs;
  ctx.log(`  timing ${args.join(" ")}${against ? ` (conntrack ${referenceArgs.join(" ")})` : ""} at ${size} entries, ${runs} alternated runs`);
  // The counting runs above were the warm-up.
  const samples = alternate(table.netns, contenders, runs, { warmUp: false });
  const result: ListResult = candidateSkip === undefined ? { candidate: samples[0], reference: samples[1]! } : { candidate: undefined, reference: samples[0]! };
  if (wrong !== undefined) result.wrong = wrong;
  return result;
}

/** Plain `-L` (every entry, one line each), memoized per size. */
export async function listAt(ctx: BenchContext, size: number): Promise<ListResult> {
  const known = ctx.listResults.get(size);
  if (known) return known;
  const result = await measureListing(ctx, size, ["-L"], size);
  ctx.listResults.set(size, result);
  return result;
}
