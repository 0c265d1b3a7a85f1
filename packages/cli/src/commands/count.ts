// -C [expect]: the number of entries, printf("%d\n"). No summary line.

import type { ParsedCommand } from "../args/types.js";
import { formatCount } from "../format/stats.js";
import { formatGlobalStatsJson } from "../format/json.js";
import { openConntrack } from "../io/session.js";
import type { Cli } from "./cli.js";
import { kernelErrno, operationFailedText } from "./errors.js";

export async function run(cmd: ParsedCommand, cli: Cli): Promise<number> {
  const ct = openConntrack(cmd);
  try {
    const count = cmd.table === "expect" ? ct.countExpectSync({ family: 2 }) : ct.countSync();
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
