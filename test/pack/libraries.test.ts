// Each library package packs on its own (`pnpm pack`: workspace ranges become versions) and installs
// into a scratch project with npm, as another project would depend on it; its README's example then
// runs from that install with Node's own TypeScript support (no tsx, nothing from this repository):
// the codec's as it is, the others' in a private namespace, and the conntrack and nfct examples
// once more as nobody against the capture of that live run (`record`, then `replay`).

import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canRunKernelTests, withNetns } from "../support/netns.js";
import { REPO, installedEnv } from "./installed-cli.js";

const LIBRARIES = ["codec", "socket", "conntrack", "nfct"] as const;
const kernel = canRunKernelTests();
if (!kernel.ok) console.log(`the installed libraries' kernel examples are skipped: ${kernel.reason}`);
const built = LIBRARIES.every((name) => existsSync(join(REPO, `packages/${name}/dist/index.js`)));

let scratch = "";
let project = "";

function example(name: string): string {
  const readme = readFileSync(join(REPO, `packages/${name}/README.md`), "utf8");
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (code === undefined) throw new Error(`packages/${name}/README.md has no ts example`);
  return code;
}

/** Runs `code` as project/NAME.ts on the Node running the tests, inside `ns` when given, as nobody when asked. */
function runIn(code: string, file: string, options: { ns?: string; nobody?: boolean } = {}) {
  const path = join(project, file);
  writeFileSync(path, code);
  chmodSync(path, 0o644);
  const node = [process.execPath, path];
  const argv = [...(options.ns !== undefined ? ["ip", "netns", "exec", options.ns] : []), ...(options.nobody ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []), ...node];
  return spawnSync(argv[0]!, argv.slice(1), { cwd: project, encoding: "utf8", timeout: 60_000, env: installedEnv("/nonexistent") });
}

describe.skipIf(!built)("library packages packed and installed alone", () => {
  beforeAll(() => {
    scratch = realpathSync(mkdtempSync(join(tmpdir(), "tsconntrack-libs-")));
    chmodSync(scratch, 0o755);
    project = join(scratch, "project");
    const tarballs = LIBRARIES.map((name) => {
      const packed = spawnSync("pnpm", ["pack", "--pack-destination", scratch], { cwd: join(REPO, "packages", name), encoding: "utf8" });
      if (packed.status !== 0) throw new Error(`pnpm pack ${name}: ${packed.stderr}`);
      return join(scratch, `tsconntrack-${name}-0.1.0.tgz`);
    });
    spawnSync("mkdir", ["-p", project]);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "scratch", private: true, type: "module" }));
    const install = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--no-update-notifier", ...tarballs], {
      cwd: project,
      encoding: "utf8",
      timeout: 180_000,
      env: Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm|pnpm)_/i.test(key))),
    });
    if (install.status !== 0) throw new Error(`npm install of the packed libraries failed (the npm registry is needed for ffi-rs):\n${install.stderr}`);
  }, 240_000);

  afterAll(() => {
    if (scratch !== "") rmSync(scratch, { recursive: true, force: true });
  });

  it.each(LIBRARIES)("%s ships its README, LICENSE, types and no build info", (name) => {
    const dir = join(project, "node_modules/@tsconntrack", name);
    for (const file of ["README.md", "LICENSE", "dist/index.d.ts", "dist/index.js"]) expect(existsSync(join(dir, file)), file).toBe(true);
    expect(existsSync(join(dir, "dist/.tsbuildinfo"))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    expect(Object.values(manifest.dependencies ?? {}).filter((range) => range.startsWith("workspace:"))).toEqual([]);
  });

  it("runs the codec's README example", () => {
    const run = runIn(example("codec"), "codec.ts");
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("conntrack-attrs.tuple-orig.tuple-ip.ip-v4-src");
    expect(run.status).toBe(0);
  });

  it("runs the socket README's scripted-kernel example through @tsconntrack/socket/testing (no root)", () => {
    const readme = readFileSync(join(REPO, "packages/socket/README.md"), "utf8");
    const code = /```ts\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf("## Testing with a scripted kernel")))?.[1];
    expect(code).toBeDefined();
    // As nobody where we can switch to it: the kit needs no privilege and no kernel.
    const run = runIn(code!, "socket-testing.ts", { nobody: process.getuid?.() === 0 });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it.skipIf(!kernel.ok).each(["socket", "conntrack", "nfct"])("runs the %s README example in a namespace", async (name) => {
    await withNetns("libs", (ns) => {
      const run = runIn(example(name).replaceAll('netns: "lab"', `netns: ${JSON.stringify(ns)}`), `${name}.ts`);
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
    });
  });

  it.skipIf(!kernel.ok).each(["conntrack", "nfct"])("replays the %s README example as nobody from the capture of its live run", async (name) => {
    await withNetns("libs-rec", (ns) => {
      const capture = join(scratch, `${name}.pcap`);
      const live = runIn(example(name).replaceAll('netns: "lab"', `netns: ${JSON.stringify(ns)}, record: ${JSON.stringify(capture)}`), `${name}-live.ts`);
      expect(live.status, live.stderr).toBe(0);
      chmodSync(capture, 0o644);
      const replayed = runIn(example(name).replaceAll('netns: "lab"', `replay: ${JSON.stringify(capture)}`), `${name}-replay.ts`, { nobody: true });
      expect(replayed.stderr).toBe("");
      expect(replayed.stdout).toBe(live.stdout);
      expect(replayed.status).toBe(0);
    });
  });
});
