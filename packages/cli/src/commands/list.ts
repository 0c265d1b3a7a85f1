// -L [conntrack|dying|unconfirmed|expect]: stream the table, filter, format into big chunks.

import { nowMillis, nowSeconds } from "../io/clock.js";
import type { ParsedCommand } from "../args/types.js";
import { summaryLine } from "../format/summary.js";
import { withOurPrefix } from "../io/identity.js";
import { openConntrack } from "../io/session.js";
import type { Cli } from "./cli.js";
import { operationFailedText, kernelErrno } from "./errors.js";
import { flowFilterFor } from "./flow-filter.js";
import { loadedLabelMap } from "./labels.js";
import { EntryPrinter } from "./printer.js";
import { listExpectations } from "./expect.js";

export async function run(cmd: ParsedCommand, cli: Cli): Promise<number> {
  if (cmd.table === "expect") return listExpectations(cmd, cli);
  const printer = new EntryPrinter(cmd, "list", loadedLabelMap(cmd));
  const nowSec = nowSeconds();
  const out = cli.out;
  let stderr = "";
  let count = 0;
  const ct = openConntrack(cmd);
  try {
    ct.listSync({ table: cmd.table, filter: flowFilterFor(cmd, "list"), zero: cmd.zero }, (flow, family) => {
      const printed = printer.entry(flow, family, nowSec);
      out.write(printed.stdout);
      if (printed.stderr !== "") stderr += printed.stderr;
      count++;
    });
  } catch (error) {
    const errno = kernelErrno(error);
    if (errno === undefined) throw error;
    out.finish(operationFailedText(errno, cmd), cli.stdoutIsTty);
    return 1;
  } finally {
    ct.close();
  }
  out.write(printer.end());
  out.finish(stderr + withOurPrefix(summaryLine("list", count)) + "\n", cli.stdoutIsTty);
  return 0;
}
