// Packs the CLI with packages/cli/scripts/pack.ts, installs the tarball globally into a private
// prefix the way a user would (`npm install -g`), and runs the installed `tsconntrack` by name,
// from `/`, with a minimal environment, so nothing can come from this repository.

import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
const PACK_SCRIPT = join(REPO, "packages/cli/scripts/pack.ts");
const TSX = join(REPO, "node_modules/.bin/tsx");

/** npm's ways of saying it never reached the registry. */
const NETWORK_FAILURE = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ERR_SOCKET_TIMEOUT|socket hang up)\b|network/i;

export interface Run {
  stdout: string;
  stderr: string;
  status: number | null;
}

function finished(command: string, result: SpawnSyncReturns<string>): Run {
  if (result.error) throw new Error(`could not run ${command}: ${result.error.message}`);
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

/** The parent environment without what pnpm and npm pass down to scripts (npm_config_* would steer npm). */
function withoutPackageManagerVariables(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm|pnpm)_/i.test(key)));
}

/** Runs the pack script (without rebuilding: the suite builds first) and returns the tarball path. */
export function packCli(outDir: string): string {
  const run = finished("pack.ts", spawnSync(TSX, [PACK_SCRIPT, "--out", outDir, "--no-build"], { cwd: REPO, encoding: "utf8", timeout: 60_000 }));
  if (run.status !== 0) throw new Error(`pack.ts failed (exit ${run.status}):\n${run.stderr}`);
  return run.stdout.trim();
}

/** Fail fast on an unreachable registry instead of npm's minutes of back-off. */
const NPM_FETCH_LIMITS = ["--fetch-retries=1", "--fetch-retry-mintimeout=2000", "--fetch-retry-maxtimeout=5000", "--fetch-timeout=30000"];
const INSTALL_TIMEOUT_MS = 120_000;

/** `npm install -g --prefix PREFIX TARBALL`; a registry that cannot be reached is reported as such. */
export function installGlobally(tarball: string, prefix: string, cwd: string): void {
  const args = ["install", "-g", "--prefix", prefix, "--no-audit", "--no-fund", "--no-update-notifier", ...NPM_FETCH_LIMITS, tarball];
  const result = spawnSync("npm", args, { cwd, env: withoutPackageManagerVariables(), encoding: "utf8", timeout: INSTALL_TIMEOUT_MS });
  const timedOut = (result.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT";
  const run = timedOut ? { stdout: result.stdout, stderr: `npm did not finish in ${INSTALL_TIMEOUT_MS / 1000} s (network?)\n${result.stderr}`, status: null } : finished("npm", result);
  if (run.status === 0) return;
  if (timedOut || NETWORK_FAILURE.test(run.stderr)) {
    throw new Error(
      `npm install could not reach the npm registry; this test needs network access to fetch ffi-rs and chalk.\n${run.stderr}`,
    );
  }
  throw new Error(`npm install -g failed (exit ${run.status}):\n${run.stderr}`);
}

/** A fresh-machine environment: PATH holds the prefix's bin and node, nothing else from here. */
export function installedEnv(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  const path = [join(prefix, "bin"), dirname(process.execPath), "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
  return { PATH: path.join(":"), HOME: "/nonexistent", ...extra };
}

/** Runs `command args` from `/` with exactly `env`, optionally inside network namespace `netns`. */
export function runFromRoot(command: string, args: readonly string[], env: Record<string, string>, netns?: string): Run {
  const [file, argv] = netns === undefined ? [command, args] : ["ip", ["netns", "exec", netns, command, ...args]];
  return finished(command, spawnSync(file, argv, { cwd: "/", env, encoding: "utf8", timeout: 30_000, maxBuffer: 64 * 1024 * 1024 }));
}
