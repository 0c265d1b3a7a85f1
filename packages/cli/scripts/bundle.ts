// Bundles the compiled CLI (packages/cli/dist, from `tsc -b`) into packages/cli/dist-bundle, which
// bin/tsconntrack (and bin/tsnfct: tsnfct.cjs and its cache, built the same way) runs when fresh:
//
//   tsconntrack.cjs         every module of the CLI and the workspace packages in one CommonJS
//                           function expression (a script, not a module: run.cjs calls it); each
//                           module's top level still runs only when first imported (esbuild's
//                           lazy init wrappers), so `--version` builds no codec
//   run.cjs                 runs it through vm.Script with the V8 code cache (scripts/bundle-runner.cjs)
//   warm.cjs                writes that cache (scripts/warm-cache.cjs), here from the fixtures
//   tsconntrack-ID-vN-ARCH.v8cache  the cache for Node vN
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
import { build } from "esbuild";
import { ffiFromSocket, LOAD_FILE_IMPORTS } from "./bundle-plugins.js";

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

/**
 * The bundle's text (esbuild's CommonJS output, ASCII only, with the external import()s routed
 * through the runner) and its build ID.
 */
async function bundleText(program: Program): Promise<{ text: string; id: string }> {
  const result = await build({
    entryPoints: [`${DIST}/${program.entry}`],
    outfile: `${OUT}/${program.name}.cjs`,
    write: false,
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node22",
    external: EXTERNAL,
    // Parameters of the function the bundle is (see bundleText), passed by bundle-runner.cjs.
    define: { "import.meta.url": "importMetaUrl" },
    // In a packed CLI, ffi-rs is the CLI package's own dependency: libc.js then finds it from the bundle.
    plugins: PACKAGE_DIR === undefined ? [ffiFromSocket(OUT), LOAD_FILE_IMPORTS] : [LOAD_FILE_IMPORTS],
    logLevel: "warning",
  });
  let text = result.outputFiles[0]!.text;
  for (const name of EXTERNAL) text = text.replaceAll(`import(${JSON.stringify(name)})`, `importExternal(${JSON.stringify(name)})`);
  const leftover = /\bimport\((?!\))/.exec(text);
  if (leftover !== null) throw new Error(`the bundle still calls import() (${text.slice(leftover.index, leftover.index + 60)}): a vm script cannot`);
  // esbuild escapes non-ASCII in code (charset ascii); what is left is in comments.
  text = text.replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
  // A function expression, so the runner's Script evaluates to it and never copies the text to wrap it.
  text = `(function (exports, require, module, __filename, __dirname, importMetaUrl, importExternal) {${text}\n})`;
  const id = createHash("sha256").update(text).digest("hex").slice(0, 20);
  return { text: `// ${program.name}-bundle ${id}\n${text}`, id };
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
  const bundle = await bundleText(program);
  writeAtomically(`${OUT}/${program.name}.cjs`, bundle.text);
  kept.push(`${program.name}.cjs`, `${program.name}-${bundle.id}-`);
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
