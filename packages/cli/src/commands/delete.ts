// -D: list what matches (mark, status, tuple filters in the kernel where possible), delete in batches,
// print each entry the kernel really deleted. Entries that vanished meanwhile are skipped (1.4.8 fix).

import { nowMillis, nowSeconds } from "../io/clock.js";
import type { ParsedCommand } from "../args/types.js";
import { summaryLine } from "../format/summary.js";
import { withOurPrefix } from "../io/identity.js";
import { openConntrack } from "../io/session.js";
import type { Cli } from "./cli.js";
import { failOperation, failOnKernelError } from "./errors.js";
import { flowFilterFor } from "./flow-filter.js";
import { EntryPrinter } from "./printer.js";
import { flowView } from "@tsconntrack/conntrack";
import { UndecodableEntries } from "./undecodable.js";

export async function run(cmd: ParsedCommand, cli: Cli): Promise<number> {
  if (cmd.table === "expect") return (await import("./expect-commands.js")).deleteExpectation(cmd, cli);
  const printer = new EntryPrinter(cmd, "delete", undefined);
  const nowSec = nowSeconds();
  let stderr = "";
  const ct = openConntrack(cmd);
  const skipped = new UndecodableEntries();
  let deleted = 0;
  try {
    const out = cli.out;
    const view = flowView();
    const summary = ct.deleteMatchingSync(flowFilterFor(cmd, "delete"), {
      onUndecodable: skipped.report,
      onDeletedMessage: (message, family) => {
        const warning = printer.entry(out, view.walkMessage(message), family, nowSec);
        if (warning !== undefined) stderr += warning + "\n";
      },
    });
    deleted = summary.deleted;
    const failure = summary.errors[0];
    if (failure !== undefined) {
      cli.out.write(printer.end());
      return failOperation(failure.errno, cmd, cli, stderr);
    }
  } catch (error) {
    return failOnKernelError(error, cmd, cli, stderr);
  } finally {
    ct.close();
  }
  cli.out.write(printer.end());
  cli.out.finish(stderr + withOurPrefix(summaryLine("delete", deleted)) + "\n", cli.stdoutIsTty);
  return skipped.status(deleted === 0 ? 1 : 0);
}
