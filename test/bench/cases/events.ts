/**
 * `-E` side by side: events per second and lost events while N entries are created in batches
 * and flushed (2N events), in a namespace of its own. The candidate passes with no loss.
 */
import type { BenchContext } from "../context.js";
import { DRAIN_LIMIT_SECONDS, isListenerSkip, measureEvents, type EventRun } from "../events.js";
import { errorLine } from "../command.js";
import { formatCount, formatRatio, skippedRow, type Row } from "../report.js";
import { median } from "../stats.js";
import type { BenchCase } from "./case.js";

const TARGET = "0 lost";

interface ToolEvents {
  runs: EventRun[];
  skip?: string;
}

const rate = (run: EventRun) => run.lines / run.seconds;
const lost = (runs: readonly EventRun[]) => runs.reduce((sum, run) => sum + Math.max(0, run.expected - run.lines), 0);

function cell(tool: ToolEvents): string {
  if (tool.skip !== undefined) return "—";
  return `${formatCount(Math.round(median(tool.runs.map(rate)) / 100) * 100)} ev/s, ${lost(tool.runs)} lost`;
}

async function runTool(ctx: BenchContext, label: string, command: readonly string[], collect: ToolEvents, run: () => Promise<EventRun>): Promise<void> {
  if (collect.skip !== undefined) return;
  try {
    const result = await run();
    collect.runs.push(result);
    const cut = result.cutOff ? ` (still printing after ${DRAIN_LIMIT_SECONDS} s: cut off)` : "";
    const note = `${cut}${result.stderr.trim() ? ` (stderr: ${errorLine(result.stderr)})` : ""}`;
    ctx.log(`  ${label} -E: ${result.lines}/${result.expected} lines in ${result.seconds.toFixed(2)} s, offered in ${result.generateSeconds.toFixed(2)} s${note}`);
  } catch (error) {
    if (!isListenerSkip(error)) throw error;
    collect.skip = error.message;
    ctx.log(`  ${label} ${command.join(" ")} -E skipped: ${error.message}`);
  }
}

function lossCause(runs: readonly EventRun[]): string {
  if (runs.some((run) => /ENOBUFS/.test(run.stderr))) return ", ENOBUFS";
  if (runs.some((run) => run.cutOff)) return `, not printed within ${DRAIN_LIMIT_SECONDS} s`;
  return "";
}

const offered = (runs: readonly EventRun[]) => median(runs.map((run) => run.expected / run.generateSeconds));

function eventsRow(entries: number, ours: ToolEvents, theirs: ToolEvents, candidateSkip: string | undefined): Row {
  const name = "`-E` events";
  const all = [...ours.runs, ...theirs.runs];
  const rateNote = all.length > 0 ? `, offered ${formatCount(Math.round(offered(all) / 1000) * 1000)}/s` : "";
  const size = `${formatCount(entries)} (${formatCount(2 * entries)} events${rateNote})`;
  const skip = candidateSkip ?? ours.skip;
  if (skip !== undefined || ours.runs.length === 0) return { ...skippedRow(name, size, skip ?? "no run", TARGET), theirs: cell(theirs) };
  const oursLost = lost(ours.runs);
  const theirRate = theirs.runs.length > 0 ? median(theirs.runs.map(rate)) : Number.NaN;
  return {
    name,
    entries: size,
    ours: cell(ours),
    theirs: cell(theirs),
    // As a time ratio like the other rows: conntrack's rate over ours.
    ratio: formatRatio(theirRate / median(ours.runs.map(rate))),
    target: TARGET,
    verdict: oursLost === 0 ? "PASS" : `FAIL (${oursLost} lost${lossCause(ours.runs)})`,
    rss: "—",
  };
}

export const eventsCase: BenchCase = {
  name: "events",
  steps: (options) => [
    {
      size: 0,
      run: (ctx) =>
        ctx.ownTable("events", options.eventEntries, async (table) => {
          const { candidate, reference, candidateSkip } = ctx.tools;
          const ours: ToolEvents = { runs: [] };
          const theirs: ToolEvents = { runs: [] };
          if (candidateSkip !== undefined) ours.skip = candidateSkip;
          ctx.log(`  events: ${options.eventEntries} creates + flush, ${options.eventRuns} alternated runs`);
          for (let round = 0; round < options.eventRuns; round++) {
            await runTool(ctx, "tsconntrack", candidate, ours, () => measureEvents(table, candidate, options.eventEntries, "candidate"));
            await runTool(ctx, "conntrack", reference, theirs, () => measureEvents(table, reference, options.eventEntries, "reference"));
          }
          return [eventsRow(options.eventEntries, ours, theirs, candidateSkip)];
        }),
    },
  ],
};
