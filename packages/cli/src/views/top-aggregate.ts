// Rows of the top view: flows one by one, or summed by a key; sorted by counters, rates, age or count.

import type { TopFlow } from "./top-model.js";
import { protoName } from "./flow-sample.js";

export const GROUPS = ["flow", "src", "dst", "proto", "port", "state", "zone", "mark"] as const;
export type Grouping = (typeof GROUPS)[number];
export const SORTS = ["rate", "bytes", "packets", "age", "flows"] as const;
export type SortKey = (typeof SORTS)[number];

export interface TopRow {
  readonly key: string;
  flows: number;
  /** undefined: no counters (nf_conntrack_acct off). */
  packets: number | undefined;
  bytes: number | undefined;
  packetsPerSecond: number | undefined;
  bytesPerSecond: number | undefined;
  /** Seconds; for a group, its oldest flow's. `known` is false when some flow predates the view (age is then at least this). */
  age: number;
  ageKnown: boolean;
}

function endpoint(address: string, port: number | undefined, family: number): string {
  if (port === undefined) return address;
  return family === 10 ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The group key of a flow. */
export function groupKey(flow: TopFlow, grouping: Grouping): string {
  const s = flow.sample;
  switch (grouping) {
    case "flow":
      return (flow.flowKey ??= `${protoName(s.proto)} ${endpoint(s.src, s.sport, s.family)} > ${endpoint(s.dst, s.dport, s.family)}${s.zone !== 0 ? ` zone=${s.zone}` : ""}`);
    case "src":
      return s.src;
    case "dst":
      return s.dst;
    case "proto":
      return protoName(s.proto);
    case "port":
      return s.dport === undefined ? protoName(s.proto) : `${protoName(s.proto)}/${s.dport}`;
    case "state":
      return s.state === undefined ? protoName(s.proto) : `${protoName(s.proto)} ${s.state}`;
    case "zone":
      return String(s.zone);
    case "mark":
      return String(s.mark);
  }
}

const add = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined ? a : a + b);

/** Ages: from CTA_TIMESTAMP_START when the kernel keeps it, else since we first saw the flow. */
export function aggregate(flows: Iterable<TopFlow>, grouping: Grouping, nowEpoch: number, uptime: number, nowMono: number): TopRow[] {
  const rows = new Map<string, TopRow>();
  const single: TopRow[] = [];
  for (const flow of flows) {
    const key = groupKey(flow, grouping);
    const s = flow.sample;
    const known = s.start !== undefined || flow.firstSeen !== undefined;
    const age = s.start !== undefined ? Math.max(0, nowEpoch - s.start) : flow.firstSeen !== undefined ? Math.max(0, nowMono - flow.firstSeen) : uptime;
    if (grouping === "flow") {
      // One row per flow (ids are unique, keys need not be).
      single.push({ key, flows: 1, packets: s.packets, bytes: s.bytes, packetsPerSecond: flow.packetsRate, bytesPerSecond: flow.bytesRate, age, ageKnown: known });
      continue;
    }
    let row = rows.get(key);
    if (row === undefined) {
      rows.set(key, (row = { key, flows: 0, packets: undefined, bytes: undefined, packetsPerSecond: undefined, bytesPerSecond: undefined, age: 0, ageKnown: true }));
    }
    row.flows++;
    row.packets = add(row.packets, s.packets);
    row.bytes = add(row.bytes, s.bytes);
    row.packetsPerSecond = add(row.packetsPerSecond, flow.packetsRate);
    row.bytesPerSecond = add(row.bytesPerSecond, flow.bytesRate);
    if (age > row.age || (age === row.age && !known)) {
      row.age = age;
      row.ageKnown = known;
    }
  }
  return grouping === "flow" ? single : [...rows.values()];
}

const VALUE: Readonly<Record<SortKey, (row: TopRow) => number>> = {
  rate: (row) => row.bytesPerSecond ?? -1,
  bytes: (row) => row.bytes ?? -1,
  packets: (row) => row.packets ?? -1,
  age: (row) => row.age,
  flows: (row) => row.flows,
};

/**
 * Largest first; ties by flows, then by key, so the order is stable from one refresh to the next.
 * With a `limit` below the row count only that many are picked (one pass, no sort of 100k rows).
 */
export function sortRows(rows: TopRow[], sort: SortKey, limit = 0): TopRow[] {
  const value = VALUE[sort];
  const order = (a: TopRow, b: TopRow): number => value(b) - value(a) || b.flows - a.flows || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  if (limit <= 0 || limit >= rows.length) return rows.sort(order);
  const best: TopRow[] = [];
  for (const row of rows) {
    if (best.length === limit && order(row, best[limit - 1]!) >= 0) continue;
    let low = 0;
    let high = best.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (order(best[middle]!, row) <= 0) low = middle + 1;
      else high = middle;
    }
    best.splice(low, 0, row);
    if (best.length > limit) best.pop();
  }
  return best;
}
