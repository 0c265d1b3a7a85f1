// --resync: after an overrun, dump the table (same filter as the events) on a request socket, so a
// consumer can rebuild its state. Events queued while the dump runs are printed after it and may be
// older than what the dump showed; the dump is a fresh view, not a snapshot (see the README).

import type { ParsedCommand } from "../args/types.js";
import { flowFilterFor } from "../commands/flow-filter.js";
import { openConntrack } from "../io/session.js";
import { viewFamily, type MessageView } from "@tsconntrack/conntrack";

/** Dumps the conntrack table through `onEntry` (each entry's view, valid during the call); returns the number of entries. */
export function resyncDump(cmd: ParsedCommand, onEntry: (view: MessageView, family: number) => void): number {
  const ct = openConntrack(cmd);
  let count = 0;
  try {
    ct.listViewsSync({ filter: flowFilterFor(cmd, "event") }, (view) => {
      onEntry(view, viewFamily(view));
      count++;
    });
  } finally {
    ct.close();
  }
  return count;
}

export function resyncNotice(entries: number): string {
  return `NOTICE: resynchronised after ENOBUFS: ${entries} flow entries dumped.\n`;
}
