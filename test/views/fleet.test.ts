// The README's fleet recipes, as written there: its prometheus.yml (only the targets replaced: there is
// no fw1.example.net here) scraping two firewall namespaces through `tsconntrack metrics --netns`, with
// its PromQL queries; and its `-E -o ndjson --resync | kcat -P ...` pipeline, checked up to the input
// kcat reads (no Kafka broker here): one JSON event per line, which is one message per kcat's default
// delimiter.

import { readFileSync } from "node:fs";
import AjvModule from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNetns, destroyNetns, execHost, execOk, spawnInNetns } from "../support/netns.js";
import { BIN, conntrackListCount, liveNetns, liveSkipReason, REPO, STATIC_ENTRIES, type LiveNetns } from "./live-netns.js";
import { Prometheus, startExporter, type Exporter } from "./prometheus.js";

const README = readFileSync(`${REPO}README.md`, "utf8");

/** The first fenced block of `language` after the paragraph that starts with `title`. */
function blockAfter(title: string, language: string): string {
  const start = README.indexOf(title);
  if (start < 0) throw new Error(`README.md has no ${JSON.stringify(title)}`);
  const match = new RegExp("```" + language + "\\n([\\s\\S]*?)```").exec(README.slice(start));
  if (match === null) throw new Error(`no ${language} block after ${title}`);
  return match[1]!;
}

const prometheusSkip = liveSkipReason(["prometheus", "curl"]);
if (prometheusSkip !== undefined) console.log(`skipping the Prometheus fleet recipe: ${prometheusSkip}`);
const kcatSkip = liveSkipReason(["kcat"]);
if (kcatSkip !== undefined) console.log(`skipping the kcat fleet recipe: ${kcatSkip}`);

const PROMETHEUS_TITLE = "**Prometheus scraping many firewalls.**";
const KCAT_TITLE = "**Events into a log pipeline.**";

describe.skipIf(prometheusSkip !== undefined)("README fleet recipe: Prometheus scraping many firewalls", () => {
  const fws: LiveNetns[] = [];
  let mon = "";
  const exporters: Exporter[] = [];
  let prometheus: Prometheus | undefined;

  beforeAll(async () => {
    fws.push(await liveNetns("fleet1", { traffic: false }), await liveNetns("fleet2", { traffic: false }));
    // fw2 is busier: three more established flows.
    for (let port = 1; port <= 3; port++) {
      execOk(fws[1]!.ns, "conntrack", ["-I", "-p", "tcp", "-s", "10.40.0.1", "-d", "10.40.0.2", "--sport", String(port), "--dport", "80", "--state", "ESTABLISHED", "-t", "3600"]);
    }
    // The monitoring host: Prometheus and, standing in for the firewalls' own exporters, one
    // `metrics --netns fwN` each, all on this namespace's loopback.
    mon = createNetns("fleetmon");
    for (const fw of fws) exporters.push(await startExporter(mon, ["--netns", fw.ns]));
  });
  afterAll(() => {
    prometheus?.stop();
    for (const exporter of exporters) exporter.stop();
    if (mon) destroyNetns(mon);
    for (const fw of fws) fw.close();
  });

  it("scrapes both with the README's prometheus.yml and answers its queries per firewall", async () => {
    const written = blockAfter(PROMETHEUS_TITLE, "yaml");
    const config = written.replace('"fw1.example.net:9466"', `"127.0.0.1:${exporters[0]!.port}"`).replace('"fw2.example.net:9466"', `"127.0.0.1:${exporters[1]!.port}"`);
    expect(config).not.toContain("example.net");
    prometheus = await Prometheus.start(mon, config);
    const p = prometheus;
    const instances = exporters.map((exporter) => `127.0.0.1:${exporter.port}`);
    // scrape_interval 15s as written: the first scrape of each target comes within one interval.
    await p.until(() => p.query("conntrack_entries").length === 2, "a scrape of both firewalls", 60_000);
    expect(p.targets().map((t) => t.health)).toEqual(["up", "up"]);
    const byInstance = (expression: string): Record<string, number> =>
      Object.fromEntries(p.query(expression).map((sample) => [sample.metric["instance"]!, sample.value]));
    const [fill, established, drops] = blockAfter(PROMETHEUS_TITLE, "promql").trim().split("\n");
    const max = Number(execOk(fws[0]!.ns, "sysctl", ["-n", "net.netfilter.nf_conntrack_max"]).stdout.trim());
    expect(byInstance(fill!)).toEqual({
      [instances[0]!]: STATIC_ENTRIES.length / max,
      [instances[1]!]: (STATIC_ENTRIES.length + 3) / max,
    });
    const tcp = (fw: LiveNetns) => conntrackListCount(fw.ns, ["-p", "tcp", "--state", "ESTABLISHED"]);
    expect(byInstance(established!)).toEqual({ [instances[0]!]: tcp(fws[0]!), [instances[1]!]: tcp(fws[1]!) });
    // A rate needs two scrapes; whatever Prometheus has so far, nothing was dropped.
    expect(Object.values(byInstance(drops!)).every((value) => value === 0)).toBe(true);
  });
});

describe.skipIf(kcatSkip !== undefined)("README fleet recipe: -E -o ndjson into kcat", () => {
  let ns = "";
  beforeAll(() => {
    ns = createNetns("fleetkcat");
  });
  afterAll(() => {
    if (ns) destroyNetns(ns);
  });

  it("writes one JSON event per line: one Kafka message each with kcat's default delimiter", async () => {
    const line = blockAfter(KCAT_TITLE, "sh").trim();
    const [producer, consumer] = line.split(" | ");
    expect(consumer).toMatch(/^kcat -P -b \S+ -t \S+$/);
    // kcat -P splits its input at the -D delimiter, by default a newline.
    expect(execHost("kcat", ["-h"]).stderr + execHost("kcat", ["-h"]).stdout).toMatch(/-D <delim>\s+Message delimiter string:[\s\S]*?Default: \\n/);
    const [program, ...args] = producer!.split(" ");
    expect(program).toBe("tsconntrack");
    const child = await spawnInNetns(ns, BIN, [...args]);
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const made = ["-I -p tcp -s 10.50.0.1 -d 10.50.0.2 --sport 1 --dport 2 --state ESTABLISHED -t 100", "-I -p udp -s 10.50.0.1 -d 10.50.0.3 --sport 3 --dport 4 -t 100"];
    for (const command of made) execOk(ns, "conntrack", command.split(" "));
    execOk(ns, "conntrack", ["-D", "-s", "10.50.0.1"]);
    const deadline = Date.now() + 10_000;
    while (out.split("\n").length <= 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const messages = out.split("\n");
    expect(messages.pop()).toBe("");
    const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
    const ajv = new Ajv({ allErrors: true, strict: true });
    for (const name of ["conntrack-entry", "conntrack-event"]) ajv.addSchema(JSON.parse(readFileSync(`${REPO}packages/cli/schema/${name}.schema.json`, "utf8")));
    const validate = ajv.getSchema("https://tsconntrack.invalid/schema/conntrack-event.schema.json")!;
    const events = messages.map((message) => JSON.parse(message) as { event: string; proto: string });
    for (const event of events) expect(validate(event), ajv.errorsText(validate.errors)).toBe(true);
    // -D deletes in the table's hash order.
    expect(events.map((event) => `${event.event} ${event.proto}`).slice(0, 2)).toEqual(["new tcp", "new udp"]);
    expect(events.map((event) => `${event.event} ${event.proto}`).slice(2).sort()).toEqual(["destroy tcp", "destroy udp"]);
  });
});
