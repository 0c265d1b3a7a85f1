/** The two tools compared, and whether the candidate can run at all. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { errorLine } from "./command.js";

/** bin/tsconntrack at the repository top (test/bench → ../..). */
export const TSCONNTRACK = fileURLToPath(new URL("../../bin/tsconntrack", import.meta.url));
export const CONNTRACK = "conntrack";

export interface Tools {
  /** The candidate's command prefix (default bin/tsconntrack; `--candidate` replaces it). */
  candidate: string[];
  reference: string[];
  /** Why the candidate cannot run (every candidate cell is then "skipped: …"). */
  candidateSkip: string | undefined;
}

/** Splits a `--candidate` value on spaces (no quoting needed for paths without spaces). */
export const splitCommand = (text: string): string[] => text.trim().split(/\s+/).filter(Boolean);

/** The candidate runs when `--version` exits 0 and prints something. */
export function probeCandidate(candidate: readonly string[]): string | undefined {
  const run = spawnSync(candidate[0]!, [...candidate.slice(1), "--version"], { encoding: "utf8", timeout: 20_000 });
  if (run.error) return `${candidate.join(" ")} does not start (${run.error.message})`;
  const output = `${run.stdout}${run.stderr}`.trim();
  if (run.status !== 0) return `${candidate.join(" ")} --version exited with ${run.status ?? run.signal}: ${errorLine(output)}`;
  if (output === "") return `${candidate.join(" ")} --version printed nothing`;
  return undefined;
}

export function resolveTools(candidateOption: string | undefined): Tools {
  const candidate = candidateOption ? splitCommand(candidateOption) : [TSCONNTRACK];
  return { candidate, reference: [CONNTRACK], candidateSkip: probeCandidate(candidate) };
}
