// The metrics of `tsconntrack metrics`, as prom-client objects in a registry of one exposition format.
// Two registries (Prometheus text 0.0.4 and OpenMetrics 1.0) each with their own metric objects: prom-client
// renames counters in place when it writes OpenMetrics, so one object must not serve both formats.

import type * as Prom from "prom-client";
import type { FlowGroup, MetricsSnapshot } from "./metrics-snapshot.js";

export type PromClient = typeof Prom;
export type ExpositionFormat = "prometheus" | "openmetrics";

export interface EventCounts {
  readonly new: number;
  readonly update: number;
  readonly destroy: number;
  readonly overruns: number;
}

export class MetricSet {
  readonly registry: Prom.Registry<Prom.RegistryContentType>;
  private readonly entries: Prom.Gauge;
  private readonly maxEntries: Prom.Gauge;
  private readonly fill: Prom.Gauge;
  private readonly acct: Prom.Gauge;
  private readonly cpuStats: Prom.Counter;
  private readonly flows: Prom.Gauge;
  private readonly flowBytes: Prom.Gauge;
  private readonly flowPackets: Prom.Gauge;
  private readonly zoneFlows: Prom.Gauge;
  private readonly sourceFlows: Prom.Gauge;
  private readonly destinationFlows: Prom.Gauge;
  private readonly matched: Prom.Gauge;
  private readonly interrupted: Prom.Gauge;
  private readonly undecodable: Prom.Gauge;
  private readonly duration: Prom.Gauge;
  private readonly events: Prom.Counter | undefined;
  private readonly overruns: Prom.Counter | undefined;

  constructor(prom: PromClient, format: ExpositionFormat, withEvents: boolean) {
    const registry = new prom.Registry<Prom.RegistryContentType>();
    registry.setContentType(format === "openmetrics" ? prom.Registry.OPENMETRICS_CONTENT_TYPE : prom.Registry.PROMETHEUS_CONTENT_TYPE);
    this.registry = registry;
    const registers = [registry];
    const gauge = (name: string, help: string, labelNames: string[] = []): Prom.Gauge => new prom.Gauge({ name, help, labelNames, registers });
    const counter = (name: string, help: string, labelNames: string[] = []): Prom.Counter => new prom.Counter({ name, help, labelNames, registers });
    this.entries = gauge("conntrack_entries", "Entries in the conntrack table (nf_conntrack_count, GET_STATS).");
    this.maxEntries = gauge("conntrack_entries_max", "Size limit of the conntrack table (nf_conntrack_max).");
    this.fill = gauge("conntrack_entries_fill_ratio", "conntrack_entries / conntrack_entries_max.");
    this.acct = gauge("conntrack_acct_enabled", "1 when nf_conntrack_acct is on (per-flow byte and packet counters).");
    this.cpuStats = counter("conntrack_cpu_stat_total", "Per-CPU conntrack statistics (conntrack -S fields: found, invalid, insert, insert_failed, drop, early_drop, error, search_restart, clash_resolve, chaintoolong).", ["cpu", "stat"]);
    this.flows = gauge("conntrack_flows", "Flows matching the filter, by family, protocol and state (empty for stateless protocols).", ["family", "proto", "state"]);
    this.flowBytes = gauge("conntrack_flow_bytes", "Bytes counted by the flows now in the table (both directions; needs nf_conntrack_acct), by family, protocol and state.", ["family", "proto", "state"]);
    this.flowPackets = gauge("conntrack_flow_packets", "Packets counted by the flows now in the table (both directions; needs nf_conntrack_acct), by family, protocol and state.", ["family", "proto", "state"]);
    this.zoneFlows = gauge("conntrack_zone_flows", "Flows matching the filter by conntrack zone (at most 64 zones, the rest as zone=\"other\").", ["zone"]);
    this.sourceFlows = gauge("conntrack_top_source_flows", "Flows of the sources with the most flows (--top N; the rest as src=\"other\").", ["src"]);
    this.destinationFlows = gauge("conntrack_top_destination_flows", "Flows of the destinations with the most flows (--top N; the rest as dst=\"other\").", ["dst"]);
    this.matched = gauge("conntrack_scrape_flows_matched", "Flows the scrape's dump matched (all flows without a filter).");
    this.undecodable = gauge("conntrack_scrape_undecodable_entries", "Entries of the scrape's dump that could not be decoded (malformed attributes) and so are in no other flow metric.");
    this.interrupted = gauge("conntrack_scrape_dump_interrupted", "1 when the table changed during the scrape's dump (NLM_F_DUMP_INTR): counts may be slightly off.");
    this.duration = gauge("conntrack_scrape_duration_seconds", "Time the scrape took to read the kernel's statistics and dump the table.");
    if (withEvents) {
      this.events = counter("conntrack_events_total", "Flow events received since the exporter started, by type.", ["type"]);
      this.overruns = counter("conntrack_event_overruns_total", "Times the event socket overflowed (ENOBUFS: events were lost) since the exporter started.");
    }
  }

  /** Sets every value from a snapshot (and the event counters so far). */
  apply(snapshot: MetricsSnapshot, events: EventCounts | undefined): void {
    this.setOrOmit(this.entries, snapshot.entries);
    this.setOrOmit(this.maxEntries, snapshot.maxEntries);
    this.setOrOmit(this.fill, snapshot.entries !== undefined && snapshot.maxEntries ? snapshot.entries / snapshot.maxEntries : undefined);
    // Unknown on a replay (no /proc to read): left out rather than shown as 0.
    this.setOrOmit(this.acct, snapshot.acct === undefined ? undefined : snapshot.acct ? 1 : 0);
    this.cpuStats.reset();
    for (const [cpu, stats] of snapshot.cpus) {
      for (const [stat, value] of Object.entries(stats)) this.cpuStats.inc({ cpu: String(cpu), stat }, value);
    }
    groups(this.flows, snapshot.byState, "flows");
    const counted = snapshot.acct === true || snapshot.counters;
    groups(this.flowBytes, counted ? snapshot.byState : [], "bytes");
    groups(this.flowPackets, counted ? snapshot.byState : [], "packets");
    groups(this.zoneFlows, snapshot.byZone, "flows");
    groups(this.sourceFlows, snapshot.topSources, "flows");
    groups(this.destinationFlows, snapshot.topDestinations, "flows");
    this.matched.set(snapshot.matched);
    this.interrupted.set(snapshot.interrupted ? 1 : 0);
    this.undecodable.set(snapshot.undecodable);
    this.duration.set(snapshot.seconds);
    if (events !== undefined && this.events !== undefined && this.overruns !== undefined) {
      this.events.reset();
      for (const type of ["new", "update", "destroy"] as const) this.events.inc({ type }, events[type]);
      this.overruns.reset();
      this.overruns.inc(events.overruns);
    }
  }

  /** A gauge without labels always has a value in prom-client: an unknown one leaves the registry instead. */
  private setOrOmit(gauge: Prom.Gauge, value: number | undefined): void {
    const name = (gauge as unknown as { name: string }).name;
    const registered = this.registry.getSingleMetric(name) !== undefined;
    if (value === undefined) {
      if (registered) this.registry.removeSingleMetric(name);
      return;
    }
    if (!registered) this.registry.registerMetric(gauge);
    gauge.set(value);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}


function groups(gauge: Prom.Gauge, list: readonly FlowGroup[], field: "flows" | "bytes" | "packets"): void {
  gauge.reset();
  for (const group of list) gauge.set(group.labels, group[field]);
}
