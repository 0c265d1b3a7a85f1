// -C [expect]: the number of entries, printf("%d\n"). No summary line. -C expect counts every family
// (1.4.7 counted only IPv4 expectations: DEVIATIONS.md) and, like 1.4.7, prints its count (0) before
// the error when the dump fails. The netlink stack is loaded only when the /proc fast path below
// cannot give the kernel's exact answer. -C with -L's filters is count-filtered.ts.

import { readFileSync } from "node:fs";
import type { ParsedCommand } from "../args/types.js";
import { formatCount } from "../format/stats.js";
import type { openConntrack } from "../io/session.js";
import { MESSAGE_PREFIX } from "../io/identity.js";
import type { Cli } from "./cli.js";

/** Whether a -C line is the filtered extension (plain `-C` takes no option in 1.4.7; `-o json|ndjson` alone chooses its output). */
function isFilteredCount(cmd: ParsedCommand): boolean {
  return cmd.command === "count" && cmd.table === "conntrack" && [...cmd.options].some((option) => option !== "output");
}

const COUNT_PATH = "/proc/sys/net/netfilter/nf_conntrack_count";
const CAP_NET_ADMIN = 12;

/** CAP_NET_ADMIN in the effective set, and the initial user namespace (which owns every netns we can be in). */
function netAdminOverEveryNetns(): boolean {
  try {
    const status = readFileSync("/proc/self/status", "latin1");
    const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
    if (capEff === undefined || (BigInt(`0x${capEff}`) & (1n << BigInt(CAP_NET_ADMIN))) === 0n) return false;
    return /^\s*0\s+0\s+4294967295\s*$/.test(readFileSync("/proc/self/uid_map", "latin1"));
  } catch {
    return false;
  }
}

/**
 * nf_conntrack_count is net->ct.count of the namespace this process is in, the very counter
 * GET_STATS returns as CTA_STATS_GLOBAL_ENTRIES. It is used only when the netlink request could
 * not answer differently: the conntrack table, no --netns (our socket would be elsewhere), no
 * --record/--replay (the capture is the point), and CAP_NET_ADMIN over this namespace (without it
 * the kernel refuses the request with EPERM, which conntrack reports).
 */
function procCount(cmd: ParsedCommand): number | undefined {
  const { netns, record, replay } = cmd.extensions;
  if (cmd.table !== "conntrack" || netns !== undefined || record !== undefined || replay !== undefined) return undefined;
  if (!netAdminOverEveryNetns()) return undefined;
  try {
    const value = Number(readFileSync(COUNT_PATH, "latin1").trim());
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

async function print(cmd: ParsedCommand, cli: Cli, count: number): Promise<void> {
  const json = cmd.output.json || cmd.output.ndjson;
  const text = json ? (await import("../format/json.js")).formatGlobalStatsJson({ entries: count }) : formatCount(count);
  cli.out.write(text + "\n");
  cli.out.finish("", cli.stdoutIsTty);
}

/** -C expect: a dump of every family; 1.4.7 prints the counter (still 0) even when the dump fails. */
function countExpectations(ct: ReturnType<typeof openConntrack>, cmd: ParsedCommand, cli: Cli, kernelErrno: (error: unknown) => number | undefined): number {
  try {
    return ct.countExpectSync({ family: 0 });
  } catch (error) {
    if (kernelErrno(error) !== undefined && !(cmd.output.json || cmd.output.ndjson)) cli.out.write(formatCount(0) + "\n");
    throw error;
  }
}

export async function run(cmd: ParsedCommand, cli: Cli): Promise<number> {
  // -C with filters is our extension; plain -C below stays 1.4.7's.
  if (isFilteredCount(cmd)) return (await import("./count-filtered.js")).countFiltered(cmd, cli);
  const fast = procCount(cmd);
  if (fast !== undefined) {
    await print(cmd, cli, fast);
    return 0;
  }
  const { openConntrack } = await import("../io/session.js");
  const { kernelErrno, failOperation } = await import("./errors.js");
  const ct = openConntrack(cmd);
  try {
    const count = cmd.table === "expect" ? countExpectations(ct, cmd, cli, kernelErrno) : ct.countSync();
    await print(cmd, cli, count);
    return 0;
  } catch (error) {
    const errno = kernelErrno(error);
    if (errno === undefined) throw error;
    // conntrack falls back to /proc for the flow count, prints it, and still fails with the netlink
    // error. A replay has no /proc of its own to read.
    if (cmd.table === "conntrack" && cmd.extensions.replay === undefined && !(cmd.output.json || cmd.output.ndjson)) {
      const count = ct.procCount();
      if (count === undefined) {
        cli.out.finish(`${MESSAGE_PREFIX}Can't open ${COUNT_PATH}\n`, cli.stdoutIsTty);
        return 1;
      }
      cli.out.write(formatCount(count) + "\n");
    }
    return failOperation(errno, cmd, cli);
  } finally {
    ct.close();
  }
}
