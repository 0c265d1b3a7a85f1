// -C with -L's filters (a tsconntrack extension; 1.4.7 allows no option with -C): the number of
// matching flows, counted by the conntrack API with the kernel-side filters and no per-entry output.
// Errors are -L's: a refused status filter or a kernel error is `Operation failed: ...` (exit 1),
// an entry that cannot be decoded is reported, skipped and makes the exit status 1.

import type { ParsedCommand } from "../args/types.js";
import { formatGlobalStatsJson } from "../format/json.js";
import { formatCount } from "../format/stats.js";
import { openConntrack } from "../io/session.js";
import type { Cli } from "./cli.js";
import { failOperation, failOnKernelError } from "./errors.js";
import { flowFilterFor, refusedListFilter } from "./flow-filter.js";
import { UndecodableEntries } from "./undecodable.js";

export async function countFiltered(cmd: ParsedCommand, cli: Cli): Promise<number> {
  const refused = refusedListFilter(cmd);
  if (refused !== undefined) return failOperation(refused, cmd, cli);
  const ct = openConntrack(cmd);
  const skipped = new UndecodableEntries();
  try {
    const summary = await ct.countMatching(flowFilterFor(cmd, "list"), { onUndecodable: skipped.report });
    const json = cmd.output.json || cmd.output.ndjson;
    cli.out.write((json ? formatGlobalStatsJson({ entries: summary.entries }) : formatCount(summary.entries)) + "\n");
    cli.out.finish("", cli.stdoutIsTty);
    return skipped.status(0);
  } catch (error) {
    return failOnKernelError(error, { ...cmd, command: "list" }, cli);
  } finally {
    ct.close();
  }
}
