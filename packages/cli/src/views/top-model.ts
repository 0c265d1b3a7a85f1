// The table as `top` sees it: one dump, then the event stream (NEW adds, UPDATE changes, DESTROY ends a
// flow with its final counters), and a counter refresh every interval. Events carry no counters except
// on DESTROY, so the per-second rates come from the refresh dumps' deltas (plus the final counters of
// flows that ended in between, so short flows count too). An event overrun re-reads the table (resync).

import type { Conntrack, ConntrackEvent, FlowFilter } from "@tsconntrack/conntrack";
import { flowSample, sampleOf, updateSample, type FlowSample } from "./flow-sample.js";
import { readTable } from "./table-reading.js";

export interface TopFlow {
  sample: FlowSample;
  /** When we first saw it (seconds, monotonic); undefined for flows already there at the first dump. */
  firstSeen: number | undefined;
  /** Counter rates over the last interval (undefined without counters or before the second reading). */
  bytesRate: number | undefined;
  packetsRate: number | undefined;
  /** Counters at the last reading, for the next delta. */
  lastBytes: number | undefined;
  lastPackets: number | undefined;
  /** The row key of `--group flow`, made once (the tuple and zone never change). */
  flowKey?: string;
  /** DESTROY seen: shown for one more refresh (its last delta), then dropped. */
  ended: boolean;
  endAccounted: boolean;
  /** The last reading that listed it. */
  reading: number;
}

export interface ModelStats {
  readonly newPerSecond: number;
  readonly destroyPerSecond: number;
  readonly overruns: number;
  readonly resyncs: number;
  /** Entries of the last reading that could not be decoded (left out of the view). */
  readonly undecodable: number;
}

const now = (): number => performance.now() / 1000;

export class TopModel {
  readonly flows = new Map<number, TopFlow>();
  private readings = 0;
  private lastRefresh: number | undefined;
  private readonly started = now();
  private eventCounts = { new: 0, destroy: 0 };
  private rates = { new: 0, destroy: 0 };
  overruns = 0;
  resyncs = 0;
  private undecodable = 0;
  /** Seconds since the first reading. */
  get uptime(): number {
    return now() - this.started;
  }

  private readonly ct: Conntrack;
  private readonly filter: FlowFilter;

  constructor(ct: Conntrack, filter: FlowFilter) {
    this.ct = ct;
    this.filter = filter;
  }

  /** Reads the whole table: counters, new flows, flows that left without an event. */
  async refresh(): Promise<void> {
    const at = now();
    const interval = this.lastRefresh === undefined ? undefined : at - this.lastRefresh;
    const first = this.lastRefresh === undefined;
    const reading = ++this.readings;
    const result = await readTable(this.ct, this.filter, (summary) => {
      let state = this.flows.get(summary.id);
      if (state === undefined) {
        const sample = sampleOf(summary);
        state = { sample, firstSeen: first ? undefined : at, bytesRate: undefined, packetsRate: undefined, lastBytes: first ? sample.bytes : 0, lastPackets: first ? sample.packets : 0, ended: false, endAccounted: false, reading };
        this.flows.set(summary.id, state);
      } else updateSample(state.sample, summary);
      state.reading = reading;
      this.account(state, interval);
    });
    this.undecodable = result.skipped;
    for (const [id, state] of this.flows) {
      if (state.reading === reading) continue;
      // Ended since the last reading: its final counters give its last rate, shown once more.
      if (state.ended && !state.endAccounted) {
        this.account(state, interval);
        state.endAccounted = true;
      } else this.flows.delete(id);
    }
    if (interval !== undefined && interval > 0) {
      this.rates = { new: this.eventCounts.new / interval, destroy: this.eventCounts.destroy / interval };
    }
    this.eventCounts = { new: 0, destroy: 0 };
    this.lastRefresh = at;
  }

  /** The rates since the last reading, from the sample's counters (updated in place by the reading). */
  private account(state: TopFlow, interval: number | undefined): void {
    const sample = state.sample;
    if (sample.bytes !== undefined && interval !== undefined && interval > 0) {
      state.bytesRate = Math.max(0, sample.bytes - (state.lastBytes ?? 0)) / interval;
      state.packetsRate = Math.max(0, (sample.packets ?? 0) - (state.lastPackets ?? 0)) / interval;
    }
    state.lastBytes = sample.bytes;
    state.lastPackets = sample.packets;
  }

  /** One event from the stream (an overrun re-reads the table: await the result before the next). */
  apply(event: ConntrackEvent): Promise<void> | undefined {
    if (event.kind === "overrun") {
      this.overruns++;
      return this.resync();
    }
    if (event.kind !== "new" && event.kind !== "update" && event.kind !== "destroy") return;
    const sample = flowSample(event.message);
    const state = this.flows.get(sample.id);
    if (event.kind === "destroy") {
      this.eventCounts.destroy++;
      if (state === undefined) return undefined;
      // DESTROY carries the final counters (with acct); other fields stay as last seen.
      state.sample = { ...state.sample, bytes: sample.bytes ?? state.sample.bytes, packets: sample.packets ?? state.sample.packets };
      state.ended = true;
      return undefined;
    }
    if (event.kind === "new") this.eventCounts.new++;
    if (state === undefined) {
      this.flows.set(sample.id, { sample: { ...sample, bytes: sample.bytes ?? 0, packets: sample.packets ?? 0 }, firstSeen: now(), bytesRate: undefined, packetsRate: undefined, lastBytes: 0, lastPackets: 0, ended: false, endAccounted: false, reading: 0 });
      return undefined;
    }
    // UPDATE carries no counters: keep the last ones.
    state.sample = { ...sample, bytes: state.sample.bytes, packets: state.sample.packets, start: sample.start ?? state.sample.start };
    return undefined;
  }

  /** After an overrun: read the table again (flows whose DESTROY was lost go, new ones come). */
  resync(): Promise<void> {
    this.resyncs++;
    return this.refresh();
  }

  stats(): ModelStats {
    return { newPerSecond: this.rates.new, destroyPerSecond: this.rates.destroy, overruns: this.overruns, resyncs: this.resyncs, undecodable: this.undecodable };
  }
}
