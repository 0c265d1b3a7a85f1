// Bundles the compiled CLI (packages/cli/dist, from `tsc -b`) into packages/cli/dist-bundle, which
// bin/tsconntrack (and bin/tsnfct: tsnfct.cjs and its cache, built the same way) runs when fresh:
//
//   tsconntrack.cjs         the front (bundle-split.ts): the entry and what it imports statically,
//                           argument parsing, usage and output, in one CommonJS function
//                           expression (a script, not a module: run.cjs calls it)
//   tsconntrack.back.cjs    the back: what the front loads with import() (the commands and the
//                           workspace packages), loaded on the first such import(); each module's
//                           top level still runs only when first imported (esbuild's lazy init
//                           wrappers)
//   run.cjs                 runs them through vm.Script with V8 code caches (scripts/bundle-runner.cjs)
//   warm.cjs                writes those caches (scripts/warm-cache.cjs), here from the fixtures
//   NAME-ID-vN-ARCH.v8cache the cache of script NAME for Node vN
//
// One script and a code cache start faster than ES modules: a short run spent most of its own
// time resolving, reading and compiling ~20 module files.
//
//   tsx packages/cli/scripts/bundle.ts                 the repository's bundle
//   tsx packages/cli/scripts/bundle.ts --package DIR   a packed CLI's DIR/dist-bundle (pack.ts): ffi-rs
//                                                      found from the bundle itself, warm.cjs and the
//                                                      warm runs' captures, no cache (npm install writes it)
//
// ffi-rs (native, found at run time), chalk (loaded only for colour) and prom-client (metrics) stay external.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { ffiFromSocket, LOAD_FILE_IMPORTS } from "./bundle-plugins.js";
import { routeBackImports, splitBundle } from "./bundle-split.js";

const CLI = fileURLToPath(new URL("../", import.meta.url));
const DIST = `${CLI}dist`;
const packageAt = process.argv.indexOf("--package");
/** Where the bundle goes: the repository's dist-bundle, or a packed CLI's. */
const PACKAGE_DIR = packageAt >= 0 ? process.argv[packageAt + 1] : undefined;
const OUT = PACKAGE_DIR === undefined ? `${CLI}dist-bundle` : `${PACKAGE_DIR}/dist-bundle`;
const REPO = fileURLToPath(new URL("../../../", import.meta.url));
// prom-client (CommonJS, for `metrics` only) stays a package of its own: never in the script every command parses.
const EXTERNAL = ["ffi-rs", "chalk", "prom-client"];

interface Program {
  readonly name: "tsconntrack" | "tsnfct";
  /** Its main module in dist. */
  readonly entry: string;
}

const PROGRAMS: readonly Program[] = [
  { name: "tsconntrack", entry: "main.js" },
  { name: "tsnfct", entry: "nfct/main.js" },
];

/** One script of a bundle (see bundle-split.ts): its file's text and build ID. */
interface BundleScript {
  /** "tsconntrack", "tsconntrack.back", ... */
  readonly name: string;
  readonly text: string;
  readonly id: string;
}

/**
 * A bundle's scripts (esbuild's CommonJS output, ASCII only, with the external import()s routed
 * through the runner): the front, and the back when the front loads modules lazily.
 */
async function bundleScripts(program: Program): Promise<BundleScript[]> {
  const split = await splitBundle(REPO.replace(/\/$/, ""), `${DIST}/${program.entry}`, {
    format: "cjs",
    platform: "node",
    target: "node22",
    external: EXTERNAL,
    // Parameters of the function the bundle is (see scriptText), passed by bundle-runner.cjs.
    define: { "import.meta.url": "importMetaUrl" },
    // In a packed CLI, ffi-rs is the CLI package's own dependency: libc.js then finds it from the bundle.
    plugins: PACKAGE_DIR === undefined ? [ffiFromSocket(OUT), LOAD_FILE_IMPORTS] : [LOAD_FILE_IMPORTS],
    logLevel: "warning",
  });
  const scripts = [scriptText(program.name, routeBackImports(split.front), "importBack")];
  if (split.back !== undefined) scripts.push(scriptText(`${program.name}.back`, split.back, "frontModule"));
  return scripts;
}

/** A script's file: `// NAME-bundle ID`, then the code as a function expression of the runner's parameters. */
function scriptText(name: string, code: string, link: "importBack" | "frontModule"): BundleScript {
  let text = code;
  for (const external of EXTERNAL) text = text.replaceAll(`import(${JSON.stringify(external)})`, `importExternal(${JSON.stringify(external)})`);
  const leftover = /\bimport\((?!\))/.exec(text);
  if (leftover !== null) throw new Error(`${name} still calls import() (${text.slice(leftover.index, leftover.index + 60)}): a vm script cannot`);
  // esbuild escapes non-ASCII in code (charset ascii); what is left is in comments.
  text = text.replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
  // A function expression, so the runner's Script evaluates to it and never copies the text to wrap it.
  text = `(function (exports, require, module, __filename, __dirname, importMetaUrl, importExternal, ${link}) {${text}\n})`;
  const id = createHash("sha256").update(text).digest("hex").slice(0, 20);
  return { name, text: `// ${name}-bundle ${id}\n${text}`, id };
}

/** Writes through a temporary file and a rename: a CLI started meanwhile never reads half a file. */
function writeAtomically(path: string, contents: string | Buffer): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

// In place, runner first: a CLI started during the build runs the old bundle or the new one, the
// new one without its cache until the warm runs have written it.
mkdirSync(OUT, { recursive: true });
writeAtomically(`${OUT}/run.cjs`, readFileSync(new URL("./bundle-runner.cjs", import.meta.url)));
writeAtomically(`${OUT}/warm.cjs`, readFileSync(new URL("./warm-cache.cjs", import.meta.url)));
const kept = ["run.cjs", "warm.cjs"];
for (const program of PROGRAMS) {
  // The back first: a CLI started meanwhile whose front is still the old one never loads it (another build's back has another ID).
  for (const script of (await bundleScripts(program)).reverse()) {
    writeAtomically(`${OUT}/${script.name}.cjs`, script.text);
    kept.push(`${script.name}.cjs`, `${script.name}-${script.id}-`);
  }
}
if (PACKAGE_DIR === undefined) {
  // Every warm run must exit 0 when the bundle works, so this also checks the bundle.
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env["NODE_OPTIONS"];
  const warm = spawnSync(process.execPath, [`${OUT}/warm.cjs`, `${REPO}fixtures`, "--strict"], { env, stdio: ["ignore", "inherit", "inherit"] });
  if (warm.status !== 0) throw new Error(`warm.cjs failed (exit ${warm.status ?? warm.signal})`);
} else {
  const { captureNames } = createRequire(import.meta.url)("./warm-cache.cjs") as { captureNames(): string[] };
  for (const name of captureNames()) {
    // .io: the syscall log that tells a replay which socket each record crossed, where there is one.
    for (const ext of [".cmd", ".pcap", ".io"]) {
      if (existsSync(`${REPO}fixtures/${name}${ext}`)) cpSync(`${REPO}fixtures/${name}${ext}`, `${OUT}/warm/${name}${ext}`, { recursive: true });
    }
  }
  kept.push("warm");
}
// Older builds' caches and layouts. A cache's name is the runner's: NAME-ID-vN-ARCH.v8cache; the caches
// of this build for other Node versions stay (a CI run on Node 22 builds its own).
const current = (name: string): boolean => kept.some((prefix) => (prefix.endsWith("-") ? name.startsWith(prefix) : name === prefix));
for (const name of readdirSync(OUT)) if (!current(name)) rmSync(`${OUT}/${name}`, { recursive: true, force: true });
