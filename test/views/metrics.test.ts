// tsconntrack metrics: --once checked by promtool and against Debian's conntrack on the same table, and
// a real Prometheus that scrapes `metrics --listen` in the namespace (Prometheus runs there too: the
// namespace's loopback is its own) and answers queries with the values the table holds.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exec, execHost, execOk, hasCommand } from "../support/netns.js";
import { BIN, conntrackListCount, liveNetns, liveSkipReason, STATIC_ENTRIES, type LiveNetns } from "./live-netns.js";
import { Prometheus, scrapeConfig, startExporter, type Exporter } from "./prometheus.js";

const reason = liveSkipReason(["prometheus", "promtool", "curl"]);
if (reason !== undefined) console.log(`skipping the metrics tests: ${reason}${hasCommand("prometheus") ? "" : " (apt-get install -y prometheus)"}`);

/** `name{labels} value` lines of a Prometheus text exposition. */
function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    map.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return map;
}

/** conntrack -S 1.4.7: the sum of one counter over the CPUs. */
function statSum(ns: string, name: string): number {
  const text = execOk(ns, "conntrack", ["-S"]).stdout;
  return [...text.matchAll(new RegExp(`\\b${name}=(\\d+)`, "g"))].reduce((sum, match) => sum + Number(match[1]), 0);
}

describe.skipIf(reason !== undefined)("tsconntrack metrics", () => {
  let live: LiveNetns;

  beforeAll(async () => {
    // No ruleset, so the scrapes' own loopback connections are not tracked and the table stays as made.
    live = await liveNetns("metrics", { traffic: false });
  });
  afterAll(() => live?.close());

  it("--once: a valid exposition (promtool) with the counts conntrack -L and -S show", () => {
    const run = exec(live.ns, BIN, ["metrics", "--once", "--top", "2"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const lint = exec(live.ns, "promtool", ["check", "metrics"], { input: run.stdout });
    expect(lint.stdout + lint.stderr).toBe("");
    expect(lint.status).toBe(0);
    const values = samples(run.stdout);
    const ns = live.ns;
    expect(values.get("conntrack_entries")).toBe(STATIC_ENTRIES.length);
    expect(values.get("conntrack_entries_max")).toBe(Number(execOk(ns, "sysctl", ["-n", "net.netfilter.nf_conntrack_max"]).stdout.trim()));
    expect(values.get("conntrack_acct_enabled")).toBe(1);
    expect(values.get('conntrack_flows{family="ipv4",proto="tcp",state="ESTABLISHED"}')).toBe(conntrackListCount(ns, ["-f", "ipv4", "-p", "tcp", "--state", "ESTABLISHED"]));
    expect(values.get('conntrack_flows{family="ipv4",proto="tcp",state="TIME_WAIT"}')).toBe(conntrackListCount(ns, ["-p", "tcp", "--state", "TIME_WAIT"]));
    expect(values.get('conntrack_flows{family="ipv6",proto="tcp",state="ESTABLISHED"}')).toBe(conntrackListCount(ns, ["-f", "ipv6"]));
    expect(values.get('conntrack_flows{family="ipv4",proto="udp",state=""}')).toBe(conntrackListCount(ns, ["-p", "udp"]));
    expect(values.get('conntrack_zone_flows{zone="5"}')).toBe(conntrackListCount(ns, ["-w", "5"]));
    expect(values.get('conntrack_top_source_flows{src="10.20.0.1"}')).toBe(conntrackListCount(ns, ["-s", "10.20.0.1"]));
    expect(values.get('conntrack_top_source_flows{src="other"}')).toBe(STATIC_ENTRIES.length - 3 - 1);
    let inserts = 0;
    for (const [key, value] of values) if (key.startsWith("conntrack_cpu_stat_total{") && key.endsWith('stat="insert"}')) inserts += value;
    expect(inserts).toBe(statSum(ns, "insert"));
    // Counters are for the flows themselves: the static entries were never hit by a packet.
    expect(values.get('conntrack_flow_bytes{family="ipv4",proto="tcp",state="ESTABLISHED"}')).toBe(0);
    // Nothing of the event stream in a one-shot exposition.
    expect([...values.keys()].some((key) => key.startsWith("conntrack_events_total"))).toBe(false);
  });

  it("--once with -L's filters counts only the matching flows; OpenMetrics on request", () => {
    const run = exec(live.ns, BIN, ["metrics", "--once", "--openmetrics", "-p", "tcp", "--dport", "443"]);
    expect(run.status).toBe(0);
    // OpenMetrics: counters are typed without their _total suffix, and the text ends with # EOF
    // (promtool lints only the Prometheus format; Prometheus itself reads this one in the scrape test).
    expect(run.stdout.endsWith("\n# EOF\n")).toBe(true);
    expect(run.stdout).toContain("\n# TYPE conntrack_cpu_stat counter\n");
    expect(run.stdout).toMatch(/\nconntrack_cpu_stat_total\{cpu="0",stat="found"\} \d+\n/);
    expect(samples(run.stdout).get("conntrack_scrape_flows_matched")).toBe(conntrackListCount(live.ns, ["-p", "tcp", "--dport", "443"]));
  });

  it("--once --record, then --replay without privileges: the same exposition from the capture", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsct-metrics-capture-"));
    try {
      const capture = join(dir, "metrics.pcap");
      const recorded = exec(live.ns, BIN, ["metrics", "--once", "--top", "3", "--record", capture]);
      expect(recorded.status, recorded.stderr).toBe(0);
      chmodSync(dir, 0o755);
      chmodSync(capture, 0o644);
      const replayed = execHost("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", BIN, "metrics", "--once", "--top", "3", "--replay", capture]);
      expect(replayed.stderr).toBe("");
      expect(replayed.status).toBe(0);
      // Only what a replay cannot know differs: the duration, and nf_conntrack_acct (no /proc of the capture's).
      const comparable = (text: string) => [...samples(text)].filter(([key]) => !key.startsWith("conntrack_scrape_duration") && key !== "conntrack_acct_enabled");
      expect(comparable(replayed.stdout)).toEqual(comparable(recorded.stdout));
      expect(samples(replayed.stdout).has("conntrack_acct_enabled")).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects bad options with one line", () => {
    for (const [args, message] of [
      [[], "give either --listen ADDR:PORT or --once"],
      [["--once", "--top", "101"], "--top takes a number from 0 to 100"],
      [["--listen", "nowhere"], "--listen wants ADDR:PORT, not `nowhere'"],
      [["--once", "-o", "json"], "-o is not an option of metrics"],
    ] as const) {
      const run = exec(live.ns, BIN, ["metrics", ...args]);
      expect(run.status).toBe(2);
      expect(run.stderr).toBe(`tsconntrack metrics: ${message}\nTry \`tsconntrack metrics --help' for more information.\n`);
    }
  });

  describe("scraped by Prometheus in the namespace", () => {
    let exporter: Exporter | undefined;
    let prometheus: Prometheus | undefined;
    afterAll(() => {
      prometheus?.stop();
      exporter?.stop();
    });

    it("Prometheus stores our series with the table's values, event counts included", async () => {
      const ns = live.ns;
      exporter = await startExporter(ns, ["--top", "3"]);
      prometheus = await Prometheus.start(ns, scrapeConfig([`127.0.0.1:${exporter.port}`]));
      const p = prometheus;
      const one = (expression: string): number | undefined => {
        const result = p.query(expression);
        return result.length === 1 ? result[0]!.value : undefined;
      };
      await p.until(() => one("conntrack_entries") === STATIC_ENTRIES.length, "the first scrape");
      expect(p.targets().map((t) => t.health)).toEqual(["up"]);
      // Prometheus asks for OpenMetrics first, and gets it.
      const served = exec(ns, "curl", ["-sf", "-H", "Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5", `http://127.0.0.1:${exporter.port}/metrics`]);
      expect(served.stdout.endsWith("\n# EOF\n")).toBe(true);
      // Two flows made while the exporter listens: the table and the event counter both show them.
      execOk(ns, "conntrack", ["-I", "-p", "udp", "-s", "10.30.0.1", "-d", "10.30.0.2", "--sport", "1", "--dport", "2", "-t", "3600", "-w", "5"]);
      execOk(ns, "conntrack", ["-I", "-p", "udp", "-s", "10.30.0.1", "-d", "10.30.0.2", "--sport", "3", "--dport", "4", "-t", "3600"]);
      const entries = STATIC_ENTRIES.length + 2;
      await p.until(() => one("conntrack_entries") === entries && one('conntrack_events_total{type="new"}') === 2, "a scrape after the new flows");
      expect(one("conntrack_entries_max")).toBe(Number(execOk(ns, "sysctl", ["-n", "net.netfilter.nf_conntrack_max"]).stdout.trim()));
      expect(one('conntrack_flows{family="ipv4",proto="tcp",state="ESTABLISHED"}')).toBe(conntrackListCount(ns, ["-f", "ipv4", "-p", "tcp", "--state", "ESTABLISHED"]));
      expect(one('conntrack_flows{family="ipv4",proto="udp",state=""}')).toBe(conntrackListCount(ns, ["-p", "udp"]));
      expect(one('conntrack_zone_flows{zone="5"}')).toBe(conntrackListCount(ns, ["-w", "5"]));
      expect(one('conntrack_top_source_flows{src="10.20.0.1"}')).toBe(conntrackListCount(ns, ["-s", "10.20.0.1"]));
      expect(one('conntrack_top_source_flows{src="10.30.0.1"}')).toBe(2);
      expect(one('sum(conntrack_cpu_stat_total{stat="insert"})')).toBe(statSum(ns, "insert"));
      expect(one("conntrack_event_overruns_total")).toBe(0);
      expect(one("conntrack_entries_fill_ratio")).toBeCloseTo(entries / one("conntrack_entries_max")!, 12);
    });
  });
});
