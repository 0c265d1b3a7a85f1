// One reading of the table for `tsconntrack metrics`: GET_STATS, GET_STATS_CPU, nf_conntrack_acct and
// one filtered dump summarised into counts (by family/protocol/state, by zone, optionally the top
// sources and destinations). Nothing is kept between scrapes but the event counters (metrics.ts).

import type { Conntrack, FlowFilter, FlowSummary } from "@tsconntrack/conntrack";
import { formatIPv4 } from "@tsconntrack/codec";
import { CPU_STATS_FIELDS } from "../format/stats.js";
import { l3Name } from "../format/names.js";
import { protoName, stateText } from "./flow-sample.js";
import { readTable } from "./table-reading.js";
import { U32Counter } from "./u32-counter.js";

/** Most zones a scrape reports one by one; the rest are summed into zone="other". */
export const ZONE_LABEL_CAP = 64;
/** The hard cap of --top N (label values per top-N metric). */
export const TOP_LABEL_CAP = 100;

export interface FlowGroup {
  readonly labels: Readonly<Record<string, string>>;
  flows: number;
  packets: number;
  bytes: number;
}

export interface MetricsSnapshot {
  readonly entries: number | undefined;
  readonly maxEntries: number | undefined;
  /** Per CPU: [cpu, { insert_failed: 3, ... }] with conntrack -S's names. */
  readonly cpus: readonly (readonly [number, Readonly<Record<string, number>>])[];
  /** nf_conntrack_acct is 1 (undefined when it cannot be read). */
  readonly acct: boolean | undefined;
  readonly byState: readonly FlowGroup[];
  readonly byZone: readonly FlowGroup[];
  readonly topSources: readonly FlowGroup[];
  readonly topDestinations: readonly FlowGroup[];
  /** Flows the filtered dump matched (and that could be read). */
  readonly matched: number;
  /** Entries skipped because they cannot be decoded (never counted silently). */
  readonly undecodable: number;
  /** Some entry carried counters (so the byte and packet metrics mean something even when acct is unknown). */
  readonly counters: boolean;
  /** The dump was interrupted (NLM_F_DUMP_INTR): counts may be off by the entries that moved. */
  readonly interrupted: boolean;
  readonly seconds: number;
}

/** Flow counts by a label set; the labels are made once per group. */
class Groups<T> {
  private readonly map = new Map<string, FlowGroup>();
  private readonly labelsOf: (item: T) => Record<string, string>;
  constructor(labelsOf: (item: T) => Record<string, string>) {
    this.labelsOf = labelsOf;
  }
  add(key: string, item: T, packets: number | undefined, bytes: number | undefined): void {
    let group = this.map.get(key);
    if (group === undefined) this.map.set(key, (group = { labels: this.labelsOf(item), flows: 0, packets: 0, bytes: 0 }));
    group.flows++;
    group.packets += packets ?? 0;
    group.bytes += bytes ?? 0;
  }
  all(): FlowGroup[] {
    return [...this.map.values()];
  }
  /** At most `limit` groups (see topCounts), the rest summed into `label`="other". */
  top(limit: number, label: string): FlowGroup[] {
    const counts = new Map<string, number>();
    for (const [key, group] of this.map) counts.set(key, group.flows);
    return capped(counts, limit, label, (key) => this.map.get(key)!.labels);
  }
}

/**
 * Flow counts by address, for the top-N metrics (one key per source can mean 100k keys per scrape):
 * IPv4 addresses by their number (much cheaper to hash than text), IPv6 by text; `merged` names them.
 */
class Counts {
  private readonly v4 = new U32Counter();
  private readonly text = new Map<string, number>();
  add(v4: number | undefined, text: string): void {
    if (v4 !== undefined) this.v4.add(v4);
    else this.text.set(text, (this.text.get(text) ?? 0) + 1);
  }
  /**
   * The `limit` addresses with the most flows and the rest summed: ties by address, IPv4 (in numeric
   * order) before IPv6 (by text). Only the winners are turned into text.
   */
  top(limit: number, label: string): FlowGroup[] {
    const v4 = topCounts(this.v4.entries(), limit).map(([address, flows]): [string, number, number] => [formatIPv4(address), flows, 0]);
    const v6 = topCounts(this.text, limit).map(([address, flows]): [string, number, number] => [address, flows, 1]);
    const best = [...v4, ...v6].sort((a, b) => b[1] - a[1] || a[2] - b[2]).slice(0, limit);
    const groups: FlowGroup[] = best.map(([address, flows]) => ({ labels: { [label]: address }, flows, packets: 0, bytes: 0 }));
    if (this.v4.size + this.text.size > best.length) {
      let total = 0;
      for (const [, flows] of this.v4.entries()) total += flows;
      for (const flows of this.text.values()) total += flows;
      for (const group of groups) total -= group.flows;
      groups.push({ labels: { [label]: "other" }, flows: total, packets: 0, bytes: 0 });
    }
    return groups;
  }
}

/**
 * The `limit` keys with the highest counts, ties broken by the smaller key (so the same table gives
 * the same label set at every scrape), in that order. One pass: a key is inserted into the sorted
 * short list only when it ranks above its last entry.
 */
export function topCounts<K extends string | number>(counts: Iterable<readonly [K, number]>, limit: number): [K, number][] {
  const best: [K, number][] = [];
  if (limit <= 0) return best;
  const ranksBefore = (a: readonly [K, number], b: readonly [K, number]): boolean => a[1] > b[1] || (a[1] === b[1] && a[0] < b[0]);
  for (const entry of counts) {
    if (best.length === limit && !ranksBefore(entry, best[limit - 1]!)) continue;
    let low = 0;
    let high = best.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (ranksBefore(best[middle]!, entry)) low = middle + 1;
      else high = middle;
    }
    best.splice(low, 0, [entry[0], entry[1]]);
    if (best.length > limit) best.pop();
  }
  return best;
}

function capped(counts: ReadonlyMap<string, number>, limit: number, label: string, labelsOf: (key: string) => Readonly<Record<string, string>>): FlowGroup[] {
  const best = topCounts(counts, limit);
  const groups: FlowGroup[] = best.map(([key, flows]) => ({ labels: labelsOf(key), flows, packets: 0, bytes: 0 }));
  if (counts.size > best.length) {
    let total = 0;
    for (const flows of counts.values()) total += flows;
    for (const group of groups) total -= group.flows;
    groups.push({ labels: { [label]: "other" }, flows: total, packets: 0, bytes: 0 });
  }
  return groups;
}

const stateLabels = (s: FlowSummary): Record<string, string> => ({ family: l3Name(s.family), proto: protoName(s.proto), state: stateText(s) ?? "" });

export async function takeSnapshot(ct: Conntrack, filter: FlowFilter, top: number): Promise<MetricsSnapshot> {
  const started = performance.now();
  const global = ct.statsGlobalSync();
  const cpus = ct.statsCpuSync().map(({ cpu, stats }): [number, Record<string, number>] => {
    const values: Record<string, number> = {};
    for (const [key, name] of CPU_STATS_FIELDS) {
      const value = stats[key as keyof typeof stats];
      if (typeof value === "number") values[name] = value;
    }
    return [cpu, values];
  });
  const acctText = ct.sysctl("nf_conntrack_acct");
  const byState = new Groups<FlowSummary>(stateLabels);
  const byZone = new Groups<FlowSummary>((s) => ({ zone: String(s.zone) }));
  const sources = new Counts();
  const destinations = new Counts();
  let matched = 0;
  let counters = false;
  const summary = await readTable(ct, filter, (s) => {
    matched++;
    if (s.bytes !== undefined) counters = true;
    byState.add(`${s.family} ${s.proto} ${s.stateProto === s.proto ? s.state : ""}`, s, s.packets, s.bytes);
    byZone.add(String(s.zone), s, s.packets, s.bytes);
    if (top > 0) {
      sources.add(s.srcV4, s.src);
      destinations.add(s.dstV4, s.dst);
    }
  });
  return {
    entries: global.entries,
    maxEntries: global.maxEntries,
    cpus,
    acct: acctText === undefined ? undefined : acctText === "1",
    byState: byState.all(),
    byZone: byZone.top(ZONE_LABEL_CAP, "zone"),
    topSources: top > 0 ? sources.top(top, "src") : [],
    topDestinations: top > 0 ? destinations.top(top, "dst") : [],
    matched,
    undecodable: summary.skipped,
    counters,
    interrupted: summary.interrupted,
    seconds: (performance.now() - started) / 1000,
  };
}
