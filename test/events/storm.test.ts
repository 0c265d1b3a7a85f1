// No silent loss. (1) A storm with default settings: 20,000 entries created in batches, then flushed
// (40,000 events) must all be printed (conntrack 1.4.7 printed about 4,100 of them here). (2) A tiny
// -b forces ENOBUFS: the NOTICE shows the granted size, every overrun prints conntrack's warning
// (JSON: an overrun record), --resync dumps the table, and listening goes on. JSON lines validate.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import AjvModule from "ajv";
import { afterEach, describe, expect, it } from "vitest";
import { BenchTable } from "../bench/table.js";
import { REPO } from "../cli/run-cli.js";
import { canRunKernelTests, createNetns, destroyNetns, exec } from "../support/netns.js";
import { BUILT, Listener, scratchDir } from "./listener.js";

const support = canRunKernelTests();
const reason = !support.ok ? support.reason : !BUILT ? "packages/cli/dist is missing: run `pnpm build`" : undefined;
if (reason !== undefined) console.log(`skipping ev- storm tests: ${reason}`);

const STORM_ENTRIES = 20_000;
const WARNING = [
  "WARNING: We have hit ENOBUFS! We are losing events.",
  "This message means that the current netlink socket buffer size is too small.",
  "Please, check --buffer-size in tsconntrack(8) manpage.",
].join("\n");

const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;

function eventValidator(): (line: string) => string | undefined {
  const ajv = new Ajv({ allErrors: true, strict: true });
  for (const name of ["conntrack-entry", "conntrack-event"]) {
    ajv.addSchema(JSON.parse(readFileSync(join(REPO, `packages/cli/schema/${name}.schema.json`), "utf8")));
  }
  const validate = ajv.getSchema("https://tsconntrack.invalid/schema/conntrack-event.schema.json")!;
  return (line) => (validate(JSON.parse(line)) ? undefined : `${line}: ${ajv.errorsText(validate.errors)}`);
}

/** Starts a listener and waits until it provably receives events (a probe entry is printed). */
async function readyListener(ns: string, args: readonly string[], label: string): Promise<Listener> {
  const listener = new Listener(ns, "tsconntrack", ["-E", ...args], scratchDir(), label);
  for (let port = 1; port < 100; port++) {
    exec(ns, "conntrack", ["-I", "-p", "udp", "-s", "10.99.0.1", "-d", "10.99.0.2", "--sport", String(port), "--dport", "1", "-t", "30"]);
    if (await listener.waitFor((lines) => lines.length > 0, 150)) break;
  }
  exec(ns, "conntrack", ["-F"]);
  await listener.settle(300, 3000);
  return listener;
}

describe.skipIf(reason !== undefined)("ev- events are never lost silently", () => {
  let ns = "";
  afterEach(() => {
    if (ns !== "") destroyNetns(ns);
    ns = "";
  });

  it(`prints all ${2 * STORM_ENTRIES} events of a ${STORM_ENTRIES}-entry create + flush storm with default settings`, async () => {
    ns = createNetns("ev-storm");
    const table = new BenchTable(ns);
    const listener = await readyListener(ns, [], "storm");
    const baseline = listener.lines().length;
    const start = performance.now();
    table.growTo(STORM_ENTRIES);
    table.flush();
    const generated = (performance.now() - start) / 1e3;
    await listener.settle(3000, 60_000, baseline + 2 * STORM_ENTRIES);
    const seconds = (performance.now() - start) / 1e3;
    await listener.stop();
    const lines = listener.lines().slice(baseline);
    console.log(
      `ev-storm: ${lines.length} of ${2 * STORM_ENTRIES} events printed; generated in ${generated.toFixed(2)} s, ` +
        `all printed after ${seconds.toFixed(2)} s (${Math.round(lines.length / seconds)} events/s)`,
    );
    expect(listener.stderr).not.toContain("ENOBUFS");
    expect(lines.filter((line) => line.startsWith("    [NEW] ")).length).toBe(STORM_ENTRIES);
    expect(lines.filter((line) => line.startsWith("[DESTROY] ")).length).toBe(STORM_ENTRIES);
    expect(listener.child.exitCode).toBe(0);
  }, 120_000);

  it("tiny -b: NOTICE, a warning per overrun, --resync dump, and listening goes on (text)", async () => {
    ns = createNetns("ev-enobufs");
    const table = new BenchTable(ns);
    const listener = await readyListener(ns, ["-b", "4096", "--resync"], "enobufs");
    expect(listener.stderr).toMatch(/^NOTICE: Netlink socket buffer size has been set to \d+ bytes\.\n/);
    table.growTo(3000);
    await listener.waitFor(() => listener.stderr.includes("NOTICE: resynchronised after ENOBUFS"), 20_000);
    await listener.settle(500, 10_000);
    // Still listening after the overruns: a new entry is printed.
    exec(ns, "conntrack", ["-I", "-p", "tcp", "-s", "10.98.0.1", "-d", "10.98.0.2", "--sport", "1", "--dport", "2", "--state", "SYN_SENT", "-t", "30"]);
    expect(await listener.waitFor((lines) => lines.some((line) => line.startsWith("    [NEW] tcp") && line.includes("10.98.0.1")), 10_000)).toBe(true);
    await listener.stop();
    const warnings = listener.stderr.split(WARNING).length - 1;
    const resyncs = listener.stderr.match(/NOTICE: resynchronised after ENOBUFS: (\d+) flow entries dumped\./g) ?? [];
    expect(warnings).toBeGreaterThan(0);
    expect(resyncs.length).toBe(warnings);
    const resyncLines = listener.lines().filter((line) => line.startsWith(" [RESYNC] "));
    expect(resyncLines.length).toBeGreaterThan(0);
    // Dump lines: the -L form after the prefix (dumps carry use=). The table mixes protocols and a
    // dump comes in hash order, so any of them may come first.
    for (const line of resyncLines) expect(line).toMatch(/^ \[RESYNC\] (tcp|udp) +(6|17) \d+ .*src=.* use=\d+$/);
    expect(listener.stderr).toMatch(/tsconntrack v0\.1\.0 \(conntrack-tools\): \d+ flow events have been shown\.\n$/);
    expect(listener.child.exitCode).toBe(0);
  }, 60_000);

  it("tiny -b with -o json: overrun records, resync records, and every line validates (ajv)", async () => {
    ns = createNetns("ev-json");
    const table = new BenchTable(ns);
    const listener = await readyListener(ns, ["-o", "json", "-b", "4096", "--resync"], "json");
    table.growTo(3000);
    await listener.waitFor((lines) => lines.some((line) => line.includes('"event":"resync-done"')), 20_000);
    await listener.settle(500, 10_000);
    table.flush();
    exec(ns, "conntrack", ["-I", "-p", "tcp", "-s", "10.98.0.1", "-d", "10.98.0.2", "--sport", "1", "--dport", "2", "--state", "SYN_SENT", "-t", "30"]);
    exec(ns, "conntrack", ["-U", "-p", "tcp", "-s", "10.98.0.1", "-m", "3"]);
    await listener.waitFor((lines) => lines.some((line) => line.includes('"event":"update"')), 10_000);
    await listener.stop();
    const lines = listener.lines();
    const validate = eventValidator();
    expect(lines.map(validate).filter((error) => error !== undefined)).toEqual([]);
    const objects = lines.map((line) => JSON.parse(line) as { event: string; overruns?: number; entries?: number; portid?: number });
    const overruns = objects.filter((o) => o.event === "overrun");
    expect(overruns.length).toBeGreaterThan(0);
    expect(overruns.map((o) => o.overruns)).toEqual(overruns.map((_o, i) => i + 1));
    const done = objects.filter((o) => o.event === "resync-done");
    expect(done.length).toBe(overruns.length);
    expect(objects.filter((o) => o.event === "resync").length).toBe(done.reduce((sum, o) => sum + o.entries!, 0));
    expect(listener.stderr).toContain(WARNING);
    const update = objects.find((o) => o.event === "update")!;
    expect(update.portid).toBeGreaterThan(0);
  }, 60_000);
});
