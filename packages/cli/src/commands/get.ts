// -G: one entry by tuple (the reply tuple when the original is incomplete: 1.4.7 sent an empty original
// tuple and got EINVAL); printed like -L, with the XML header but no footer.

import { nowMillis, nowSeconds } from "../io/clock.js";
import type { ParsedCommand } from "../args/types.js";
import { summaryLine } from "../format/summary.js";
import { withOurPrefix } from "../io/identity.js";
import { openConntrack } from "../io/session.js";
import type { Cli } from "./cli.js";
import { failOnKernelError } from "./errors.js";
import { buildEntryFilter, familyNumber } from "./filter.js";
import { loadedLabelMap } from "./labels.js";
import { EntryPrinter } from "./printer.js";
import { lookupKey, viewEntryFamily } from "./tuples.js";

export async function run(cmd: ParsedCommand, cli: Cli): Promise<number> {
  if (cmd.table === "expect") return (await import("./expect-commands.js")).getExpectation(cmd, cli);
  const printer = new EntryPrinter(cmd, "get", loadedLabelMap(cmd));
  const filter = buildEntryFilter(cmd, "get");
  const ct = openConntrack(cmd);
  let count = 0;
  try {
    const family = familyNumber(cmd.family);
    const view = ct.getViewSync(lookupKey(cmd), family === 0 ? undefined : family);
    const entryFamily = viewEntryFamily(view);
    if (filter === null || filter(view, entryFamily)) {
      printer.entry(cli.out, view, entryFamily, nowSeconds());
      count++;
    }
  } catch (error) {
    return failOnKernelError(error, cmd, cli);
  } finally {
    ct.close();
  }
  cli.out.write(printer.end());
  cli.out.finish(withOurPrefix(summaryLine("get", count)) + "\n", cli.stdoutIsTty);
  // An answer the user-space filter drops (-i of another entry, DCCP's zeroed ports): "0 ... shown", exit 1.
  return count === 0 ? 1 : 0;
}
