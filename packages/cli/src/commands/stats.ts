// -S [expect]: one line per CPU, "cpu=%-4u\t" then "name=value " for each counter the kernel sent.

import type { ParsedCommand } from "../args/types.js";
import { formatCpuStatsLine, formatExpectCpuStatsLine } from "../format/stats.js";
import { formatCpuStatsJson, formatExpectCpuStatsJson, JsonListWriter } from "../format/json.js";
import { openConntrack } from "../io/session.js";
import type { Cli } from "./cli.js";
import { kernelErrno, failOperation } from "./errors.js";
import { procStatsText } from "./proc-stats.js";
import { MESSAGE_PREFIX } from "../io/identity.js";

export async function run(cmd: ParsedCommand, cli: Cli): Promise<number> {
  const ct = openConntrack(cmd);
  const jsonMode = cmd.output.json ? "json" : cmd.output.ndjson ? "ndjson" : null;
  const json = jsonMode === null ? null : new JsonListWriter(jsonMode);
  try {
    if (cmd.table === "expect") {
      for (const { cpu, stats } of ct.statsExpectSync()) {
        cli.out.write(json ? json.item(formatExpectCpuStatsJson(cpu, stats)) : formatExpectCpuStatsLine(cpu, stats) + "\n");
      }
    } else {
      for (const { cpu, stats } of ct.statsCpuSync()) {
        cli.out.write(json ? json.item(formatCpuStatsJson(cpu, stats)) : formatCpuStatsLine(cpu, stats) + "\n");
      }
    }
    if (json) cli.out.write(json.end());
    cli.out.finish("", cli.stdoutIsTty);
    return 0;
  } catch (error) {
    const errno = kernelErrno(error);
    if (errno === undefined) throw error;
    // conntrack falls back to /proc (-S and -S expect alike), prints it, and still fails with the
    // netlink error. A replay has no /proc of its own to read.
    if (cmd.extensions.replay === undefined && json === null) {
      const proc = procStatsText(cmd);
      if (proc === null) {
        cli.out.finish(`${MESSAGE_PREFIX}Can't open /proc interface\n`, cli.stdoutIsTty);
        return 1;
      }
      cli.out.write(proc);
    }
    return failOperation(errno, cmd, cli);
  } finally {
    ct.close();
  }
}
