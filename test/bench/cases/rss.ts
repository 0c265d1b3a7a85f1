/** Peak RSS of `-L` on a big table against a small one: at most 1.5x (the listing streams). */
import { peak } from "../compare.js";
import { formatCount, formatKiB, formatRatio, skippedRow, type Row } from "../report.js";
import { ratio, verdictFor } from "../stats.js";
import type { BenchCase } from "./case.js";
import { listAt, type ListResult } from "./list-samples.js";

const LIMIT = 1.5;

function rssRow(small: number, big: number, atSmall: ListResult, atBig: ListResult, skip: string | undefined): Row {
  const name = "peak RSS of `-L`";
  const entries = `${formatCount(big)} vs ${formatCount(small)}`;
  const target = `≤ ${LIMIT.toFixed(1)}x`;
  const theirs = `${formatKiB(peak(atBig.reference))} (${formatKiB(peak(atSmall.reference))})`;
  if (!atSmall.candidate || !atBig.candidate) return { ...skippedRow(name, entries, skip ?? "not measured", target), theirs };
  const oursBig = peak(atBig.candidate);
  const oursSmall = peak(atSmall.candidate);
  const value = ratio(oursBig, oursSmall);
  const failure = atBig.candidate.error ?? atSmall.candidate.error;
  return {
    name,
    entries,
    ours: `${formatKiB(oursBig)} (${formatKiB(oursSmall)})`,
    theirs,
    ratio: formatRatio(value),
    target,
    verdict: failure !== undefined ? `FAIL (${failure})` : verdictFor(value, LIMIT),
    rss: "—",
  };
}

export const rssCase: BenchCase = {
  name: "rss",
  steps: (options) => {
    const [small, big] = options.rssSizes;
    return [
      { size: small, run: async (ctx) => (await listAt(ctx, small), []) },
      {
        size: big,
        run: async (ctx) => [rssRow(small, big, await listAt(ctx, small), await listAt(ctx, big), ctx.tools.candidateSkip)],
      },
    ];
  },
};
