/** Turns alternated samples of candidate vs reference into a report row. */
import { formatRatio, formatRss, formatSeconds, skippedRow, type Row } from "./report.js";
import type { Samples } from "./runner.js";
import { max, median, ratio, verdictFor } from "./stats.js";

export interface Comparison {
  name: string;
  entries: string;
  candidate: Samples;
  reference: Samples;
  /** Largest passing ratio candidate/reference. */
  limit: number;
  /** What the ratio is taken against; default the reference tool. */
  basis?: { label: string; seconds: number };
  /** Why the candidate's result is wrong even if fast (e.g. output line count differs). */
  wrong?: string;
}

// Two decimals where a target has them (1.15x), else one (0.7x).
const limitText = (limit: number, basis?: string) => `≤ ${Math.round(limit * 100) % 10 === 0 ? limit.toFixed(1) : limit.toFixed(2)}x${basis ? ` ${basis}` : ""}`;

export function comparisonRow(c: Comparison): Row {
  const ours = median(c.candidate.seconds);
  const theirs = median(c.reference.seconds);
  const basis = c.basis?.seconds ?? theirs;
  const value = ratio(ours, basis);
  const target = c.basis ? `${limitText(c.limit, c.basis.label)} (${formatSeconds(c.basis.seconds)})` : limitText(c.limit);
  let verdict: string = verdictFor(value, c.limit);
  if (c.candidate.error !== undefined) verdict = `FAIL (${c.candidate.error})`;
  else if (c.wrong !== undefined) verdict = `FAIL (${c.wrong})`;
  if (c.reference.error !== undefined) verdict += ` (conntrack failed: ${c.reference.error})`;
  return {
    name: c.name,
    entries: c.entries,
    ours: formatSeconds(ours),
    theirs: formatSeconds(theirs),
    ratio: formatRatio(value, c.basis ? ` ${c.basis.label}` : ""),
    target,
    verdict,
    rss: formatRss(peak(c.candidate), peak(c.reference)),
  };
}

export const peak = (samples: Samples): number | undefined => (samples.rssKiB.length > 0 ? max(samples.rssKiB) : undefined);

/** The row when the candidate cannot run: the reference is still measured and shown. */
export function candidateSkippedRow(name: string, entries: string, reason: string, target: string, reference?: Samples): Row {
  const row = skippedRow(name, entries, reason, target);
  if (reference) {
    row.theirs = formatSeconds(median(reference.seconds));
    row.rss = formatRss(undefined, peak(reference));
  }
  return row;
}

/** Samples of both tools for one case; the candidate's are absent when it cannot run. */
export interface Outcome {
  candidate: Samples | undefined;
  reference: Samples;
  /** Why the candidate's result is wrong. */
  wrong?: string;
}

/** The row of an outcome: a comparison, or the reference alone with the candidate skipped. */
export function outcomeRow(
  name: string,
  entries: string,
  outcome: Outcome,
  limit: number,
  skipReason: string | undefined,
  basis?: { label: string; seconds: number },
): Row {
  if (!outcome.candidate) {
    const target = basis ? `${limitText(limit, basis.label)} (${formatSeconds(basis.seconds)})` : limitText(limit);
    return candidateSkippedRow(name, entries, skipReason ?? "not measured", target, outcome.reference);
  }
  const comparison: Comparison = { name, entries, candidate: outcome.candidate, reference: outcome.reference, limit };
  if (basis) comparison.basis = basis;
  if (outcome.wrong !== undefined) comparison.wrong = outcome.wrong;
  return comparisonRow(comparison);
}
