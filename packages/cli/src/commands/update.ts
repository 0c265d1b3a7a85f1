// -U: every matching entry gets the new mark ((old & ~mask) ^ value), status bits (OR-ed), timeout and
// labels; entries that would not change are skipped. Updates are batched, then each updated entry is
// read back and printed. Each entry's own family and zone are used (1.4.7 sent AF_UNSPEC and no zone).

import { UndecodableEntries } from "./undecodable.js";
import type { ConntrackAttrs } from "@tsconntrack/codec/conntrack";
import { nowMillis, nowSeconds } from "../io/clock.js";
import type { ParsedCommand } from "../args/types.js";
import { summaryLine } from "../format/summary.js";
import { withOurPrefix } from "../io/identity.js";
import { openConntrack } from "../io/session.js";
import type { Cli } from "./cli.js";
import { kernelErrno, failOperation, failOnKernelError } from "./errors.js";
import { flowFilterFor } from "./flow-filter.js";
import { loadedLabelMap } from "./labels.js";
import { EntryPrinter } from "./printer.js";
import { viewEntryFamily } from "./tuples.js";
import type { MessageView } from "@tsconntrack/conntrack";

const ENOENT = 2;

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function changedLabels(old: Uint8Array | undefined, cmd: ParsedCommand): Uint8Array | undefined {
  if (cmd.labelAdd === undefined && cmd.labelDel === undefined) return undefined;
  const size = Math.max(old?.length ?? 0, 16);
  const next = new Uint8Array(size);
  if (old !== undefined) next.set(old);
  for (const bit of cmd.labelAdd ?? []) next[bit >>> 3]! |= 1 << (bit & 7);
  if (cmd.labelDel === "all") next.fill(0);
  else for (const bit of cmd.labelDel ?? []) next[bit >>> 3]! &= ~(1 << (bit & 7));
  return next;
}

/** The update request for one entry, or null when nothing would change. */
export function updateFor(old: ConntrackAttrs, cmd: ParsedCommand): ConntrackAttrs | null {
  const next: ConntrackAttrs = { tupleOrig: old.tupleOrig! };
  if (old.zone !== undefined) next.zone = old.zone;
  let changed = false;
  if (cmd.mark !== undefined) {
    const mark = (((old.mark ?? 0) & ~cmd.mark.mask) ^ cmd.mark.value) >>> 0;
    next.mark = mark;
    if (mark !== (old.mark ?? 0)) changed = true;
  }
  if (cmd.status !== undefined) {
    const status = ((old.status ?? 0) | cmd.status.set) >>> 0;
    next.status = status;
    if (status !== old.status) changed = true;
  }
  if (cmd.timeout !== undefined) {
    next.timeout = cmd.timeout;
    if (cmd.timeout !== old.timeout) changed = true;
  }
  const labels = changedLabels(old.labels, cmd);
  if (labels !== undefined) {
    next.labels = labels;
    next.labelsMask = new Uint8Array(labels.length).fill(0xff);
    if (!sameBytes(labels, old.labels) && !(old.labels === undefined && labels.every((b) => b === 0))) changed = true;
  }
  return changed ? next : null;
}

export async function run(cmd: ParsedCommand, cli: Cli): Promise<number> {
  const printer = new EntryPrinter(cmd, "update", loadedLabelMap(cmd));
  const nowSec = nowSeconds();
  const ct = openConntrack(cmd);
  const skipped = new UndecodableEntries();
  let updated = 0;
  try {
    const updates: ConntrackAttrs[] = [];
    ct.listSync({ filter: flowFilterFor(cmd, "update"), onUndecodable: skipped.report }, (flow) => {
      const next = updateFor(flow, cmd);
      if (next !== null) updates.push(next);
    });
    const results = updates.length === 0 ? [] : ct.updateSync(updates);
    for (let i = 0; i < results.length; i++) {
      const result = results[i]!;
      if (!result.ok) {
        // Gone since the dump: nothing to update.
        if (result.error?.errno === ENOENT) continue;
        return failOperation(result.error?.errno ?? 0, cmd, cli);
      }
      const request = updates[i]!;
      let fresh: MessageView;
      try {
        fresh = ct.getViewSync({ tupleOrig: request.tupleOrig!, ...(request.zone !== undefined ? { zone: request.zone } : {}) });
      } catch (error) {
        if (kernelErrno(error) === ENOENT) continue;
        throw error;
      }
      updated++;
      printer.entry(cli.out, fresh, viewEntryFamily(fresh), nowSec);
    }
  } catch (error) {
    return failOnKernelError(error, cmd, cli);
  } finally {
    ct.close();
  }
  cli.out.write(printer.end());
  cli.out.finish(withOurPrefix(summaryLine("update", updated)) + "\n", cli.stdoutIsTty);
  return skipped.status(updated === 0 ? 1 : 0);
}
