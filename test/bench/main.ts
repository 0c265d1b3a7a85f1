/**
 * `pnpm bench`: tsconntrack against conntrack 1.4.7 in private namespaces, runs alternated,
 * medians and peak RSS, ending with a markdown table for README.md. Options: see ./options.ts.
 */
import { CASES, type Step } from "./cases/index.js";
import { BenchContext } from "./context.js";
import { conntrackLimits, kernelSkipReason } from "./netns.js";
import { isUsageRequest, parseOptions, USAGE } from "./options.js";
import { markdownTable, type Row } from "./report.js";
import { removeScratch } from "./command.js";
import { hasGnuTime, hasHyperfine } from "./runner.js";
import { resolveTools } from "./tools.js";

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(isUsageRequest(error) ? USAGE : `${(error as Error).message}\n${USAGE}`);
    return isUsageRequest(error) ? 0 : 2;
  }
  const unknown = options.only.filter((name) => !CASES.some((c) => c.name === name));
  if (unknown.length > 0) {
    console.error(`unknown case ${unknown.join(", ")}\n${USAGE}`);
    return 2;
  }
  const skip = kernelSkipReason();
  if (skip) {
    console.log(`bench skipped: ${skip}`);
    return 0;
  }
  const tools = resolveTools(options.candidate);
  const selected = CASES.filter((c) => options.only.length === 0 || options.only.includes(c.name));
  // Steps in their own namespace (size 0) first, then the main table growing; sort is stable.
  const steps: { step: Step; order: number }[] = selected
    .flatMap((c, order) => c.steps(options).map((step) => ({ step, order })))
    .sort((a, b) => a.step.size - b.step.size);

  const limits = conntrackLimits();
  console.error(`candidate: ${tools.candidate.join(" ")}${tools.candidateSkip ? ` (skipped: ${tools.candidateSkip})` : ""}`);
  console.error(`nf_conntrack_max ${limits.max}, hashsize ${limits.hashsize ?? "?"}${hasGnuTime() ? "" : "; /usr/bin/time missing (apt-get install -y time): no RSS"}`);

  const ctx = new BenchContext(options, tools);
  const cleanUp = () => {
    ctx.close();
    removeScratch();
  };
  const onSignal = () => {
    cleanUp();
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const rowsByCase: Row[][] = selected.map(() => []);
  const started = performance.now();
  try {
    for (const { step, order } of steps) rowsByCase[order]!.push(...(await step.run(ctx)));
  } finally {
    cleanUp();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  console.log(`\n${markdownTable(rowsByCase.flat())}\n`);
  console.log(`${options.quick ? "quick run" : "full run"} in ${((performance.now() - started) / 1e3).toFixed(0)} s; medians of ${options.runs} alternated runs (tables of 500k+ entries: at most 3; delete: ${options.deleteRuns}; start-up: ${options.startupRuns}), wall time${hasHyperfine() ? " by hyperfine" : " from spawn to exit"}, including the exec of GNU time and nsenter.`);
  return 0;
}

process.exitCode = await main();
