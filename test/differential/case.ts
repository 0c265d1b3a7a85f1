// One argument list to compare, and the placeholders that stand for namespace-specific values.

import type { ToolRun } from "./run.js";

export interface DiffCase {
  /** tsconntrack's argument list. `{ID:<conntrack -L filter>}` stands for the one matching entry's id. */
  readonly args: readonly string[];
  /**
   * What conntrack runs instead, for a deliberate deviation (packages/cli/DEVIATIONS.md) where
   * conntrack 1.4.7 can only show the correct result through other arguments.
   */
  readonly conntrackArgs?: readonly string[];
  /** Why conntrackArgs differ; shown in the test name. */
  readonly deviation?: string;
  /**
   * For a deliberate deviation that no conntrack 1.4.7 argument list shows directly: the correct result,
   * derived from conntrack's run of conntrackArgs (e.g. its listing narrowed to the entries meant).
   */
  readonly expected?: (conntrackRun: ToolRun) => ToolRun;
  /** Run without any label map (default: the LABEL_MAP view). */
  readonly noLabelMap?: true;
  /** TZ for both tools (default run.ts PINNED_TZ). */
  readonly tz?: string;
  /** Both tools write to a file instead of a pipe (run.ts RunOptions.stdoutFile). */
  readonly stdoutFile?: true;
  /** stdout and stderr share one pipe, as `2>&1 | cat` (run.ts RunOptions.merged). */
  readonly merged?: true;
}

export function caseTitle(testCase: DiffCase): string {
  const shown = testCase.args.map((arg) => (arg === "" || /[\s"'\\]/.test(arg) ? JSON.stringify(arg) : arg)).join(" ");
  const extras = [
    testCase.noLabelMap ? "no label map" : "",
    testCase.tz ? `TZ=${testCase.tz}` : "",
    testCase.stdoutFile ? "stdout to a file" : "",
    testCase.merged ? "2>&1 | cat" : "",
    testCase.deviation ? `deliberate deviation: ${testCase.deviation}` : "",
  ].filter(Boolean);
  return `${shown}${extras.length ? ` (${extras.join("; ")})` : ""}`;
}

/** The key a known difference is filed under. */
export function caseKey(testCase: DiffCase): string {
  return caseTitle(testCase);
}

const ID_PLACEHOLDER = /\{ID:([^}]*)\}/;

/** Replaces `{ID:filter}` placeholders using `lookup(filterArgs)`, which returns the entry's id. */
export async function resolveIds(
  args: readonly string[],
  lookup: (filter: readonly string[]) => Promise<string>,
): Promise<string[]> {
  const out: string[] = [];
  for (const arg of args) {
    const match = ID_PLACEHOLDER.exec(arg);
    out.push(match ? arg.replace(ID_PLACEHOLDER, await lookup(match[1]!.trim().split(/\s+/))) : arg);
  }
  return out;
}

/** The id of the single entry `conntrack -L -o id FILTER` prints (throws unless exactly one). */
export function parseSingleId(listing: string, filter: readonly string[]): string {
  const lines = listing.split("\n").filter(Boolean);
  const id = lines.length === 1 ? / id=(\d+)/.exec(lines[0]!)?.[1] : undefined;
  if (id === undefined) throw new Error(`{ID:${filter.join(" ")}} matched ${lines.length} entries:\n${listing}`);
  return id;
}
