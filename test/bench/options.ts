/** Command-line options and the sizes/run counts they select. */
import { parseArgs } from "node:util";

export interface BenchOptions {
  quick: boolean;
  /** Case names to run (all when empty). */
  only: string[];
  /** `--candidate "CMD ARGS"`: benchmark another command instead of bin/tsconntrack (e.g. conntrack itself). */
  candidate: string | undefined;
  listSizes: number[];
  filterSize: number;
  deleteSize: number;
  /** [small, big] table sizes whose `-L` peak RSS are compared. */
  rssSizes: [number, number];
  eventEntries: number;
  /** Table of the views case (top, metrics). */
  viewSize: number;
  /** Scrapes of `metrics`, one every 15 s. */
  scrapes: number;
  /** Timed runs per tool and case (after one warm-up). */
  runs: number;
  startupRuns: number;
  deleteRuns: number;
  eventRuns: number;
}

export const USAGE = `usage: pnpm bench [--quick] [--only NAME[,NAME…]] [--candidate "CMD ARGS"] [--runs N]
cases: startup, list, filter, delete, rss, events, sync, views`;

export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string", multiple: true },
      candidate: { type: "string" },
      runs: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) throw new UsageRequest();
  const quick = values.quick ?? false;
  const only = (values.only ?? []).flatMap((value) => value.split(",")).filter(Boolean);
  const sizes = quick
    ? { listSizes: [2_000, 20_000], filterSize: 20_000, deleteSize: 10_000, rssSizes: [2_000, 20_000] as [number, number], eventEntries: 5_000 }
    : { listSizes: [100_000, 1_000_000], filterSize: 100_000, deleteSize: 100_000, rssSizes: [10_000, 1_000_000] as [number, number], eventEntries: 50_000 };
  const runs = values.runs !== undefined ? Number(values.runs) : quick ? 3 : 5;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not ${values.runs}`);
  return {
    quick,
    only,
    candidate: values.candidate,
    ...sizes,
    runs,
    startupRuns: quick ? 5 : 20,
    // Every delete run rebuilds the table first (seconds at 100k).
    deleteRuns: quick ? 2 : Math.min(runs, 3),
    viewSize: quick ? 20_000 : 100_000,
    scrapes: quick ? 2 : 8,
    eventRuns: quick ? 1 : 2,
  };
}

/** `--help`: main prints USAGE. */
export class UsageRequest extends Error {
  override readonly name = "UsageRequest";
  constructor() {
    super(USAGE);
  }
}

export const isUsageRequest = (error: unknown): error is UsageRequest => error instanceof UsageRequest;
