// The single-file tsconntrack (pnpm build:sea) on a machine without Node: run with an environment
// whose PATH holds no node at all, it prints what bin/tsconntrack prints, from a replay, from a live
// table in a private namespace and as an event monitor next to it.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, REPO } from "../cli/run-cli.js";
import { canRunKernelTests, createNetns, destroyNetns, execOk } from "../support/netns.js";

const kernel = canRunKernelTests();
if (!kernel.ok) console.log(`the single-file build's kernel runs are skipped: ${kernel.reason}`);
const scratch = mkdtempSync(join(tmpdir(), "sea-test-"));
const SEA = join(scratch, "tsconntrack");
/** No node anywhere on PATH, nothing from the environment: a firewall with only the file. */
const BARE = ["env", "-i", "PATH=/nonexistent", "TZ=UTC", "TSCONNTRACK_NOW=1795386501"];

function runSea(args: readonly string[], ns?: string) {
  const argv = [...(ns !== undefined ? ["ip", "netns", "exec", ns] : []), ...BARE, SEA, ...args];
  return spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 60_000 });
}

function runBin(args: readonly string[], ns?: string) {
  const argv = [...(ns !== undefined ? ["ip", "netns", "exec", ns] : []), "env", "TZ=UTC", "TSCONNTRACK_NOW=1795386501", BIN, ...args];
  return spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 60_000 });
}

const same = (a: { stdout: string; stderr: string; status: number | null }, b: typeof a) => expect({ stdout: a.stdout, stderr: a.stderr, status: a.status }).toEqual({ stdout: b.stdout, stderr: b.stderr, status: b.status });

describe("tsconntrack as one file (Node single executable)", () => {
  beforeAll(() => {
    const built = spawnSync(join(REPO, "node_modules/.bin/tsx"), [join(REPO, "packages/cli/scripts/sea.ts"), "--out", scratch], { cwd: REPO, encoding: "utf8", timeout: 180_000 });
    if (built.status !== 0) throw new Error(`pnpm build:sea failed:\n${built.stdout}${built.stderr}`);
  }, 240_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("is built", () => expect(existsSync(SEA)).toBe(true));

  it.each([["--version"], ["-h"], ["--help-extensions"], ["-L", "--sport", "1"]])("%s without Node", (...args) => same(runSea(args), runBin(args)));

  it.each(["", "-o extended,id", "-o xml", "-o json", "-o save", "-o ktimestamp"])("replays -L %s like bin/tsconntrack", (output) => {
    const args = ["-L", ...output.split(" ").filter(Boolean), "--replay", join(REPO, "fixtures/varied-L.pcap")];
    same(runSea(args), runBin(args));
  });

  describe.skipIf(!kernel.ok)("in a private namespace", () => {
    let ns = "";
    beforeAll(() => {
      ns = createNetns("sea");
      for (const port of ["1", "2", "3"]) execOk(ns, "conntrack", ["-I", "-p", "tcp", "-s", "10.5.0.1", "-d", "10.5.0.2", "--sport", port, "--dport", "80", "--state", "ESTABLISHED", "-t", "500"]);
    });
    afterAll(() => destroyNetns(ns));

    it("lists (-L, -o json) and counts (-C) like bin/tsconntrack", () => {
      const timers = (text: string) => text.replace(/ 49\d /g, " T ").replace(/"timeout":\d+/g, '"timeout":T');
      for (const args of [["-L"], ["-L", "-o", "json"], ["-C"], ["-L", "-p", "tcp", "--sport", "2"]]) {
        const sea = runSea(args, ns);
        const bin = runBin(args, ns);
        expect({ ...sea, stdout: timers(sea.stdout) }).toMatchObject({ stdout: timers(bin.stdout), stderr: bin.stderr, status: bin.status });
      }
    });

    // prom-client and the top view are inside the one file too: no package to find at run time.
    it("serves metrics (--once) and top (--once -o json) like bin/tsconntrack", () => {
      const entries = (text: string) => text.split("\n").filter((line) => line.startsWith("conntrack_entries ") || line.startsWith("conntrack_flows"));
      const sea = runSea(["metrics", "--once"], ns);
      const bin = runBin(["metrics", "--once"], ns);
      expect({ status: sea.status, stderr: sea.stderr }).toEqual({ status: 0, stderr: "" });
      expect(entries(sea.stdout)).toEqual(entries(bin.stdout));
      expect(entries(sea.stdout)).toContain("conntrack_entries 3");
      const rows = (text: string) => (JSON.parse(text) as { rows: { key: string; flows: number }[] }).rows.map((row) => [row.key, row.flows]);
      const seaTop = runSea(["top", "--once", "-o", "json"], ns);
      expect(seaTop.status).toBe(0);
      expect(rows(seaTop.stdout)).toEqual(rows(runBin(["top", "--once", "-o", "json"], ns).stdout));
    });

    it("prints the same events (-E) as bin/tsconntrack listening beside it", async () => {
      const listen = (argv: string[]) => {
        const child = spawn("ip", ["netns", "exec", ns, ...argv, "-E", "-o", "id"], { stdio: ["ignore", "pipe", "pipe"] });
        const state = { out: "" };
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => (state.out += chunk));
        const done = new Promise<void>((resolve) => child.on("close", () => resolve()));
        return { child, state, done };
      };
      const sea = listen([...BARE, SEA]);
      const bin = listen([BIN]);
      // Both listen once both print a probe entry's event (a start-up under load takes its time).
      const probe = ["-p", "udp", "-s", "10.5.0.7", "-d", "10.5.0.6", "--dport", "9"];
      for (let port = 1000; !(sea.state.out.includes("sport=") && bin.state.out.includes("sport=")); port++) {
        if (port > 1100) throw new Error("the listeners never printed the probe's events");
        execOk(ns, "conntrack", ["-I", ...probe, "--sport", String(port), "-t", "30"]);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      const seaStart = sea.state.out.length;
      const binStart = bin.state.out.length;
      execOk(ns, "conntrack", ["-I", "-p", "udp", "-s", "10.5.0.9", "-d", "10.5.0.8", "--sport", "7", "--dport", "53", "-t", "30"]);
      execOk(ns, "conntrack", ["-D", "-p", "udp", "-s", "10.5.0.9"]);
      const events = (text: string) => text.split("\n").filter((line) => line.includes("src=10.5.0.9"));
      for (let wait = 0; (events(sea.state.out).length < 2 || events(bin.state.out).length < 2) && wait < 100; wait++) await new Promise((resolve) => setTimeout(resolve, 100));
      sea.child.kill("SIGINT");
      bin.child.kill("SIGINT");
      await Promise.all([sea.done, bin.done]);
      expect(events(bin.state.out.slice(binStart))).toHaveLength(2);
      // progname= names the sender's process from /proc/PORTID when the event is read (as 1.4.7 does):
      // `conntrack -D` may have exited by then for one listener and not the other, so it is not compared.
      const stable = (text: string) => text.replace(/ progname=\S+/g, "");
      expect(stable(sea.state.out.slice(seaStart))).toBe(stable(bin.state.out.slice(binStart)));
    });
  });
});
