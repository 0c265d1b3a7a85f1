// The views' libraries load only with their subcommand: `-L` and `--version` (bundle and tsc output
// alike) load neither prom-client nor any file of src/views, while `metrics` does load prom-client
// (so the trace is not vacuous). `top` has no library of its own.

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { canRunKernelTests, execHost, withNetns, exec } from "../support/netns.js";
import { moduleTrace } from "../pack/module-trace.js";
import { BIN, REPO } from "./live-netns.js";

const DIST_MAIN = `${REPO}packages/cli/dist/main.js`;
const built = existsSync(DIST_MAIN);
if (!built) console.log("skipping the module-trace tests: packages/cli/dist is missing (pnpm build)");
const FIXTURE = `${REPO}fixtures/varied-L`;
const ENV = { TSCONNTRACK_NOW: existsSync(`${FIXTURE}.time`) ? readFileSync(`${FIXTURE}.time`, "utf8").trim() : "0", TZ: "UTC", LC_ALL: "C" };

const kernel = canRunKernelTests();
if (!kernel.ok) console.log(`skipping top --once in the module trace: ${kernel.reason}`);

const scratch = mkdtempSync(join(tmpdir(), "tsct-views-trace-"));
let traces = 0;

/** The files one run of `entry args` loaded. */
function loaded(entry: string, args: readonly string[], ns?: string): { files: string[]; status: number | null; stderr: string } {
  const trace = moduleTrace(join(scratch, `trace-${++traces}`));
  const env = { ...ENV, ...trace.env };
  // The launcher starts the project's Node itself; a .js entry runs on the Node running this test.
  const [command, argv] = entry.endsWith(".js") ? [process.execPath, [entry, ...args]] : [entry, [...args]];
  const run = ns === undefined ? execHost(command, argv, { env }) : exec(ns, command, argv, { env });
  return { files: trace.loadedFiles(), status: run.status, stderr: run.stderr };
}

const isViewCode = (file: string): boolean => file.includes("/prom-client/") || /\/packages\/cli\/dist\/views\//.test(file);

describe.skipIf(!built)("views load only with their subcommand", () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  for (const [name, entry] of [
    ["bin/tsconntrack (the bundle)", BIN],
    ["packages/cli/dist/main.js (tsc output)", DIST_MAIN],
  ] as const) {
    it(`${name}: --version and -L load no view code and no prom-client`, () => {
      for (const args of [["--version"], ["-L", "--replay", `${FIXTURE}.pcap`]]) {
        const run = loaded(entry, args);
        expect(run.status, run.stderr).toBe(0);
        expect(run.files.length).toBeGreaterThan(0);
        expect(run.files.filter(isViewCode)).toEqual([]);
      }
    });
  }

  it("metrics --once loads prom-client (so the traces above would have seen it)", async () => {
    const hasPromClient = (run: ReturnType<typeof loaded>): boolean => run.files.some((file) => file.includes("/node_modules/prom-client/"));
    if (kernel.ok) {
      await withNetns("trace", (ns) => {
        const run = loaded(BIN, ["metrics", "--once"], ns);
        expect(run.status, run.stderr).toBe(0);
        expect(hasPromClient(run)).toBe(true);
      });
    } else {
      // Without a kernel the capture cannot answer metrics' requests, but prom-client loads first.
      expect(hasPromClient(loaded(BIN, ["metrics", "--once", "--replay", `${FIXTURE}.pcap`]))).toBe(true);
    }
  });

  it.skipIf(!kernel.ok)("top --once loads no library of its own", async () => {
    await withNetns("trace", (ns) => {
      const run = loaded(DIST_MAIN, ["top", "--once", "--interval", "0"], ns);
      expect(run.status, run.stderr).toBe(0);
      const outside = run.files.filter((file) => file.includes("/node_modules/") && !file.includes("/@tsconntrack/") && !file.includes("/ffi-rs") && !file.includes("/chalk/"));
      expect(outside).toEqual([]);
      expect(run.files.some((file) => file.endsWith("/dist/views/top.js"))).toBe(true);
    });
  });
});
