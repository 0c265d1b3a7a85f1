// One filtered reading of the table for the views, through the API's fast listing: the dump's receives
// run on helper threads (listViews, recvmmsg batches) and each entry's view is read into one reused
// FlowSummary. Entries that cannot be decoded are counted and skipped, never fatal.

import { emptyFlowSummary, flowSummary, type Conntrack, type FlowFilter, type FlowSummary, type ListSummary } from "@tsconntrack/conntrack";

export interface Reading extends ListSummary {
  /** Entries skipped because they cannot be decoded. */
  readonly skipped: number;
}

/** `onFlow`'s summary is reused for the next entry: copy what you keep. */
export async function readTable(ct: Conntrack, filter: FlowFilter, onFlow: (summary: FlowSummary) => void): Promise<Reading> {
  let skipped = 0;
  const summary = emptyFlowSummary();
  const result = await ct.listViews({ filter, onUndecodable: () => void skipped++ }, (view) => onFlow(flowSummary(view, summary)));
  return { ...result, skipped };
}
