// -L [conntrack|dying|unconfirmed|expect]: stream the table, filter, format into big chunks.

import { nowMillis, nowSeconds } from "../io/clock.js";
import type { ParsedCommand } from "../args/types.js";
import { summaryLine } from "../format/summary.js";
import { withOurPrefix } from "../io/identity.js";
import { openConntrack } from "../io/session.js";
import type { Cli } from "./cli.js";
import { failOperation, failOnKernelError } from "./errors.js";
import { flowFilterFor, refusedListFilter } from "./flow-filter.js";
import { loadedLabelMap } from "./labels.js";
import { EntryPrinter } from "./printer.js";
import { viewFamily } from "@tsconntrack/conntrack";
import { UndecodableEntries } from "./undecodable.js";

export async function run(cmd: ParsedCommand, cli: Cli): Promise<number> {
  // The expectation table has its own module: -L of flows does not load it.
  if (cmd.table === "expect") return (await import("./expect.js")).listExpectations(cmd, cli);
  const refused = refusedListFilter(cmd);
  if (refused !== undefined) return failOperation(refused, cmd, cli);
  const printer = new EntryPrinter(cmd, "list", loadedLabelMap(cmd));
  const nowSec = nowSeconds();
  const out = cli.out;
  let stderr = "";
  let count = 0;
  const ct = openConntrack(cmd);
  const skipped = new UndecodableEntries();
  const options = { table: cmd.table, filter: flowFilterFor(cmd, "list"), zero: cmd.zero, onUndecodable: skipped.report };
  try {
    // Each entry goes from the receive buffer through its view straight into the output buffer.
    await ct.listViews(options, (view) => {
      const warning = printer.entry(out, view, viewFamily(view), nowSec);
      if (warning !== undefined) stderr += warning + "\n";
      count++;
    });
  } catch (error) {
    return failOnKernelError(error, cmd, cli);
  } finally {
    ct.close();
  }
  const footer = printer.end();
  // conntrack fflush()es after </conntrack>: the summary always follows the whole document.
  if (footer !== "") {
    out.write(footer);
    out.flush();
  }
  out.finish(stderr + withOurPrefix(summaryLine("list", count)) + "\n", cli.stdoutIsTty);
  return skipped.status(0);
}
