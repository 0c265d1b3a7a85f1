// Packs the CLI into OUT/tsconntrack-<version>.tgz, a tarball that installs on a machine without
// this repository: `npm install -g tsconntrack-<version>.tgz` puts `tsconntrack` on the PATH.
// The workspace packages ride inside it as bundled dependencies; ffi-rs and chalk come from the
// registry at install time (ffi-rs picks its prebuilt binary there). It carries the start-up bundle
// too (dist-bundle, as in the repository), whose code cache npm install writes.
//
//   tsx packages/cli/scripts/pack.ts [--out DIR] [--no-build]
//
// Builds with `tsc -b` first (unless --no-build), stages in a temporary folder, runs `npm pack`
// there and prints the tarball's absolute path on stdout. npm gives every entry the same mtime,
// so the same build packs to the same bytes.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stagePackage } from "./stage.js";
import { type Manifest, PackError, isPackError, readWorkspace } from "./workspace.js";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const CLI_PACKAGE = "tsconntrack";

interface PackOptions {
  outDir: string;
  build: boolean;
}

function parseOptions(argv: readonly string[]): PackOptions {
  const options: PackOptions = { outDir: process.cwd(), build: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--no-build") options.build = false;
    else if (arg === "--out" && argv[i + 1] !== undefined) options.outDir = resolve(argv[++i]!);
    else if (arg?.startsWith("--out=")) options.outDir = resolve(arg.slice("--out=".length));
    else throw new PackError(`unknown argument ${JSON.stringify(arg)}; usage: pack.ts [--out DIR] [--no-build]`);
  }
  return options;
}

/** Our environment minus the npm_config_* that pnpm passes to scripts (npm would read them as its own). */
function npmEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm|pnpm)_config_/i.test(key)));
}

/** Runs a command, its output going to our stderr (stdout is kept for the tarball path). */
function run(command: string, args: readonly string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, env: npmEnvironment(), encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (result.error) throw new PackError(`could not run ${command}: ${result.error.message}`);
  if (result.status !== 0) {
    process.stderr.write(result.stdout);
    throw new PackError(`${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
  }
  return result.stdout;
}

/** The files a staged manifest promises (bin and export targets), so a half-built dist fails here. */
function checkEntryPoints(dir: string, manifest: Manifest): void {
  const targets: string[] = [];
  if (typeof manifest["bin"] === "object" && manifest["bin"] !== null) targets.push(...Object.values(manifest["bin"] as Record<string, string>));
  const exports = manifest["exports"] as Record<string, { default?: string }> | undefined;
  for (const entry of Object.values(exports ?? {})) if (entry.default !== undefined) targets.push(entry.default);
  for (const target of targets) {
    if (!existsSync(join(dir, target))) throw new PackError(`${manifest.name}: ${target} is missing from the staged package`, manifest.name);
  }
}

function pack(options: PackOptions): string {
  if (options.build) run(process.execPath, [join(REPO, "node_modules/typescript/bin/tsc"), "-b"], REPO);
  const workspace = readWorkspace(REPO);
  const cli = workspace.get(CLI_PACKAGE);
  if (cli === undefined) throw new PackError(`no workspace package is named ${CLI_PACKAGE}`);
  const staging = mkdtempSync(join(tmpdir(), "tsconntrack-pack-"));
  try {
    const staged = stagePackage(cli, workspace, staging);
    // The start-up bundle, laid out for the package; npm install writes its code cache for the Node
    // that installs it (postinstall), which never fails the install.
    run(process.execPath, [join(REPO, "node_modules/tsx/dist/cli.mjs"), join(REPO, "packages/cli/scripts/bundle.ts"), "--package", staging], REPO);
    staged.files = [...(staged.files ?? []), "dist-bundle"];
    staged.scripts = { postinstall: "node dist-bundle/warm.cjs" };
    writeFileSync(join(staging, "package.json"), JSON.stringify(staged, null, 2) + "\n");
    checkEntryPoints(staging, staged);
    for (const name of staged.bundleDependencies ?? []) checkEntryPoints(join(staging, "node_modules", name), workspace.get(name)!.manifest);
    mkdirSync(options.outDir, { recursive: true });
    const report = run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", options.outDir], staging);
    const [packed] = JSON.parse(report) as { filename: string }[];
    if (packed === undefined) throw new PackError("npm pack reported no tarball");
    return join(options.outDir, packed.filename);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

try {
  process.stdout.write(pack(parseOptions(process.argv.slice(2))) + "\n");
} catch (error) {
  if (!isPackError(error)) throw error;
  process.stderr.write(`pack: ${error.message}\n`);
  process.exitCode = 1;
}
