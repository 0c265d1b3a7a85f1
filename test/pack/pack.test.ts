// The CLI package packs into a tarball that installs on a fresh machine and puts `tsconntrack` on
// the PATH. Packs with packages/cli/scripts/pack.ts, installs with `npm install -g --prefix`
// (ffi-rs and chalk come from the npm registry, so this needs the network; it fails, never skips,
// without it), and runs the installed command from `/` with a minimal environment while tracing
// every file Node loads: all of them must live under the install prefix.

import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { canRunKernelTests, hasCommand, withNetns } from "../support/netns.js";
import { REPO, installGlobally, installedEnv, packCli, runFromRoot } from "./installed-cli.js";
import { type ModuleTrace, moduleTrace } from "./module-trace.js";

const built = existsSync(join(REPO, "packages/cli/dist/main.js"));
const { version } = JSON.parse(readFileSync(join(REPO, "packages/cli/package.json"), "utf8")) as { version: string };
const FIXTURE = join(REPO, "fixtures/varied-L");
const REPLAY_ENV = { TSCONNTRACK_NOW: readFileSync(`${FIXTURE}.time`, "utf8").trim(), TZ: "UTC", LC_ALL: "C" };
const kernel = canRunKernelTests();
if (!kernel.ok) console.log(`skipping the installed CLI's -C in a pack- namespace: ${kernel.reason}`);

let scratch: string;
let prefix: string;
let installed: string;
let traceCount = 0;

/** A fresh trace for one run of the installed CLI. */
function newTrace(): ModuleTrace {
  return moduleTrace(join(scratch, `trace-${++traceCount}`));
}

/** Every traced file lies under the prefix, and the trace did see `mustInclude` (so it is not vacuous). */
function expectLoadedFromPrefix(trace: ModuleTrace, mustInclude: readonly string[]): void {
  const loaded = trace.loadedFiles();
  expect(loaded.filter((file) => !file.startsWith(prefix + "/"))).toEqual([]);
  for (const part of mustInclude) expect(loaded.some((file) => file.includes(part)), `a loaded file contains ${part}`).toBe(true);
}

describe("packed CLI installed with npm install -g", () => {
  if (!built) {
    it.skip("packages/cli/dist/main.js is missing: run `pnpm build` first", () => {});
    return;
  }

  beforeAll(() => {
    scratch = realpathSync(mkdtempSync(join(tmpdir(), "tsconntrack-pack-test-")));
    prefix = join(scratch, "prefix");
    const tarball = packCli(join(scratch, "out"));
    expect(tarball).toBe(join(scratch, "out", `tsconntrack-${version}.tgz`));
    installGlobally(tarball, prefix, scratch);
    installed = join(prefix, "lib/node_modules/tsconntrack");
  }, 180_000);

  afterAll(() => {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  it("wrote the start-up bundles' code caches for this Node at install (postinstall)", () => {
    const caches = readdirSync(join(installed, "dist-bundle")).filter((name) => name.endsWith(`-${process.version}-${process.arch}.v8cache`));
    // Each program is two scripts (bundle-split.ts): the front and the back, each with its cache.
    expect(caches.map((name) => name.split("-")[0]).sort()).toEqual(["tsconntrack", "tsconntrack.back", "tsnfct", "tsnfct.back"]);
  });

  it.skipIf(!hasCommand("man"))("installs the man pages: man tsconntrack, man tsnfct", () => {
    for (const [page, title] of [["tsconntrack", "tsconntrack - connection tracking tool"], ["tsnfct", "tsnfct"]] as const) {
      const run = spawnSync("man", ["-P", "cat", page], { encoding: "utf8", env: { ...process.env, MANPATH: join(prefix, "share/man"), MANWIDTH: "100" } });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain(title);
    }
  });

  it("puts tsconntrack on the PATH and prints the version", () => {
    const trace = newTrace();
    const run = runFromRoot("tsconntrack", ["--version"], installedEnv(prefix, trace.env));
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(`tsconntrack v${version} (conntrack-tools 1.4.7 compatible)\n`);
    expect(run.status).toBe(0);
    // The packed CLI runs its start-up bundle (read by run.cjs), as the repository does.
    expectLoadedFromPrefix(trace, [`${installed}/bin/tsconntrack.js`, `${installed}/dist-bundle/run.cjs`]);
  });

  it("replays -L exactly like bin/tsconntrack from the repository", () => {
    const args = ["-L", "--replay", `${FIXTURE}.pcap`];
    const fromRepo = runFromRoot(join(REPO, "bin/tsconntrack"), args, installedEnv("/nonexistent", REPLAY_ENV));
    const trace = newTrace();
    const run = runFromRoot("tsconntrack", args, installedEnv(prefix, { ...REPLAY_ENV, ...trace.env }));
    expect(fromRepo.status).toBe(0);
    expect(run.stdout).toBe(fromRepo.stdout);
    expect(run.stderr).toBe(fromRepo.stderr);
    expect(run.status).toBe(0);
    expectLoadedFromPrefix(trace, [`${installed}/dist-bundle/run.cjs`]);
  });

  it("puts tsnfct on the PATH too, replaying nfct's capture like bin/tsnfct from the repository", () => {
    const args = ["list", "timeout", "--replay", join(REPO, "fixtures/nfct/policies-list.pcap")];
    const fromRepo = runFromRoot(join(REPO, "bin/tsnfct"), args, installedEnv("/nonexistent"));
    const trace = newTrace();
    const run = runFromRoot("tsnfct", args, installedEnv(prefix, trace.env));
    expect(fromRepo.status).toBe(0);
    expect(run.stdout).toBe(fromRepo.stdout);
    expect(run.stdout).toBe(readFileSync(join(REPO, "fixtures/nfct/policies-list.out"), "utf8"));
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expectLoadedFromPrefix(trace, [`${installed}/bin/tsnfct.js`, `${installed}/dist-bundle/run.cjs`]);
  });

  it("loads ffi-rs and its prebuilt binary from next to the bundled socket package", () => {
    // Needs no root: ffi-rs calls getpid() in libc. -C below does the same through the CLI, as root.
    const socketIndex = join(installed, "node_modules/@tsconntrack/socket/dist/index.js");
    const script = `const ffi = require("node:module").createRequire(${JSON.stringify(socketIndex)})("ffi-rs");
ffi.open({ library: "libc", path: "libc.so.6" });
const pid = ffi.load({ library: "libc", funcName: "getpid", retType: ffi.DataType.I32, paramsType: [], paramsValue: [] });
process.stdout.write(String(pid === process.pid));`;
    const trace = newTrace();
    const run = runFromRoot(process.execPath, ["-e", script], installedEnv(prefix, trace.env));
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe("true");
    expectLoadedFromPrefix(trace, [`${installed}/node_modules/ffi-rs/index.js`, ".node"]);
  });

  it.skipIf(!kernel.ok)("counts (-C) and lists (-L, netlink through ffi-rs) an empty table in a private network namespace", async () => {
    await withNetns("pack", (ns) => {
      const countTrace = newTrace();
      const count = runFromRoot("tsconntrack", ["-C"], installedEnv(prefix, countTrace.env), ns);
      expect(count.stderr).toBe("");
      expect(count.stdout).toBe("0\n");
      expect(count.status).toBe(0);
      expectLoadedFromPrefix(countTrace, [`${installed}/dist-bundle/run.cjs`]);
      // As root -C reads /proc; -L has to go through the netlink socket, so ffi-rs and its binary.
      const listTrace = newTrace();
      const list = runFromRoot("tsconntrack", ["-L"], installedEnv(prefix, listTrace.env), ns);
      expect(list.stderr).toBe(`tsconntrack v${version} (conntrack-tools): 0 flow entries have been shown.\n`);
      expect(list.stdout).toBe("");
      expect(list.status).toBe(0);
      // libc.js may load ffi-rs's native binding without its index.js: the binary is what must be ours.
      expectLoadedFromPrefix(listTrace, [`${installed}/node_modules/@yuuang/`, ".node"]);
      // metrics brings prom-client, a dependency of the package, installed from the registry with it.
      const metricsTrace = newTrace();
      const metrics = runFromRoot("tsconntrack", ["metrics", "--once"], installedEnv(prefix, metricsTrace.env), ns);
      expect(metrics.stderr).toBe("");
      expect(metrics.stdout).toMatch(/\nconntrack_entries 0\n/);
      expect(metrics.status).toBe(0);
      expectLoadedFromPrefix(metricsTrace, [`${installed}/node_modules/prom-client/`]);
    });
  });
});
