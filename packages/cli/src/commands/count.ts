// -C [expect]: the number of entries, printf("%d\n"). No summary line. -C expect counts every family
// (1.4.7 counted only IPv4 expectations: DEVIATIONS.md) and, like 1.4.7, prints its count (0) before
// the error when the dump fails.

import type { ParsedCommand } from "../args/types.js";
import { formatCount } from "../format/stats.js";
import { formatGlobalStatsJson } from "../format/json.js";
import { openConntrack } from "../io/session.js";
import type { Cli } from "./cli.js";
import { kernelErrno, operationFailedText } from "./errors.js";

/** -C expect: a dump of every family; 1.4.7 prints the counter (still 0) even when the dump fails. */
function countExpectations(ct: ReturnType<typeof openConntrack>, cmd: ParsedCommand, cli: Cli): number {
  try {
    return ct.countExpectSync({ family: 0 });
  } catch (error) {
    if (kernelErrno(error) !== undefined && !(cmd.output.json || cmd.output.ndjson)) cli.out.write(formatCount(0) + "\n");
    throw error;
  }
}

export async function run(cmd: ParsedCommand, cli: Cli): Promise<number> {
  const ct = openConntrack(cmd);
  try {
    const count = cmd.table === "expect" ? countExpectations(ct, cmd, cli) : ct.countSync();
    const json = cmd.output.json || cmd.output.ndjson;
    cli.out.write((json ? formatGlobalStatsJson({ entries: count }) : formatCount(count)) + "\n");
    cli.out.finish("", cli.stdoutIsTty);
    return 0;
  } catch (error) {
    const errno = kernelErrno(error);
    if (errno === undefined) throw error;
    cli.out.finish(operationFailedText(errno, cmd), cli.stdoutIsTty);
    return 1;
  } finally {
    ct.close();
  }
}
