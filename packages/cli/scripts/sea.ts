// Builds tsconntrack as one file to copy onto a firewall without Node: a Node single executable
// application (Node's own binary, the project's Node 24) holding the whole CLI in one script with
// its V8 code cache, and ffi-rs's native binding as an asset that scripts/sea-entry.cjs writes to a
// private folder and loads on the first socket. Output: packages/cli/dist-sea/tsconntrack.
//
//   pnpm build:sea [--out DIR]      (after pnpm install / pnpm build)

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { LOAD_FILE_IMPORTS } from "./bundle-plugins.js";

const CLI = fileURLToPath(new URL("../", import.meta.url));
const outAt = process.argv.indexOf("--out");
const OUT = outAt >= 0 ? process.argv[outAt + 1]! : join(CLI, "dist-sea");
/** Node's marker that postject flips to say a blob is there (from Node's single-executable docs). */
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

function run(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { stdio: ["ignore", "inherit", "inherit"] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
}

/** ffi-rs's prebuilt binding for this machine, found from the socket package as it finds it. */
function bindingPath(): string {
  const fromSocket = createRequire(join(CLI, "../socket/package.json"));
  const ffiRs = realpathSync(fromSocket.resolve("ffi-rs"));
  const manifest = createRequire(ffiRs).resolve(`@yuuang/ffi-rs-linux-${process.arch}-gnu/package.json`);
  const file = readdirSync(dirname(manifest)).find((name) => name.endsWith(".node"));
  if (file === undefined) throw new Error(`no .node file next to ${manifest}`);
  return join(dirname(manifest), file);
}

/** The CLI in one CommonJS script after sea-entry.cjs (chalk and every workspace package inside). */
async function mainScript(bindingId: string): Promise<string> {
  const result = await build({
    entryPoints: [join(CLI, "dist/main.js")],
    write: false,
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node24",
    // Never required here: libc.js takes the binding the entry hands over.
    external: ["ffi-rs"],
    define: { "import.meta.url": "importMetaUrl" },
    plugins: [LOAD_FILE_IMPORTS],
    logLevel: "warning",
  });
  const entry = readFileSync(new URL("./sea-entry.cjs", import.meta.url), "utf8").replace("@@BINDING_ID@@", bindingId);
  const bundle = result.outputFiles[0]!.text;
  return `${entry}\n;(function (exports, require, module, __filename, __dirname, importMetaUrl) {${bundle}\n})(module.exports, require, module, __filename, __dirname, require("node:url").pathToFileURL(process.execPath).href);\n`;
}

const major = Number(process.versions.node.split(".")[0]);
if (major < 24) throw new Error(`build:sea needs Node 24 (the project's, through pnpm); this is ${process.version}`);
const binding = bindingPath();
const bindingId = createHash("sha256").update(readFileSync(binding)).digest("hex").slice(0, 16);
const work = mkdtempSync(join(tmpdir(), "tsconntrack-sea-"));
try {
  const main = join(work, "main.cjs");
  writeFileSync(main, await mainScript(bindingId));
  const blob = join(work, "prep.blob");
  const config = join(work, "sea-config.json");
  writeFileSync(config, JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, assets: { "ffi-rs.node": binding } }));
  run(process.execPath, ["--experimental-sea-config", config]);
  mkdirSync(OUT, { recursive: true });
  const target = join(OUT, "tsconntrack");
  rmSync(target, { force: true });
  copyFileSync(process.execPath, target);
  chmodSync(target, 0o755);
  // Node's binary carries its debug symbols (about 18 MiB): a firewall needs none of them.
  if (spawnSync("strip", ["--version"]).status === 0) run("strip", [target]);
  const postject = createRequire(import.meta.url).resolve("postject/dist/cli.js");
  run(process.execPath, [postject, target, "NODE_SEA_BLOB", blob, "--sentinel-fuse", SEA_FUSE]);
  console.log(`${target}: ${(statSync(target).size / 2 ** 20).toFixed(1)} MiB (Node ${process.version}, binding ${bindingId})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
