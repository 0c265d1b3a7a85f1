// Bundles the compiled CLI (packages/cli/dist, from `tsc -b`) into packages/cli/dist-bundle: a few
// files instead of ~95 ES modules, which is most of the start-up time of a short run. Command
// modules stay separate entry points at their dist paths (main.ts imports them by computed name),
// so `--version` still loads none of them and each command loads only its own chunks.
//
//   tsx packages/cli/scripts/bundle.ts
//
// ffi-rs (native, found at run time) and chalk (loaded only for colour) stay external. The bundle
// is for running from this repository; the packed CLI runs dist (see pack.ts).

import { readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const CLI = fileURLToPath(new URL("../", import.meta.url));
const DIST = `${CLI}dist`;
const OUT = `${CLI}dist-bundle`;

/** Entry points by output name: main plus every module main.ts and load-file.ts import by name. */
const COMMANDS = ["list", "get", "delete", "create", "update", "flush", "count", "stats", "event", "load-file"];
const ENTRY_POINTS = Object.fromEntries([["main", `${DIST}/main.js`], ...COMMANDS.map((name) => [`commands/${name}`, `${DIST}/commands/${name}.js`])]);

/**
 * libc.js resolves ffi-rs from its own location, which in the bundle is dist-bundle (the CLI
 * package, which does not depend on ffi-rs). Resolve it from @tsconntrack/socket's location, as
 * the unbundled code does.
 */
const FFI_FROM_SOCKET: Plugin = {
  name: "ffi-rs-from-socket",
  setup(build) {
    build.onLoad({ filter: /[\\/]socket[\\/]dist[\\/]libc\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const from = "createRequire(import.meta.url)";
      if (source.split(from).length !== 2) throw new Error(`${args.path}: expected exactly one ${from}; update ${import.meta.url}`);
      const to = 'createRequire(createRequire(import.meta.url).resolve("@tsconntrack/socket"))';
      return { contents: source.replace(from, to), loader: "js" };
    });
  },
};

rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: ENTRY_POINTS,
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["ffi-rs", "chalk"],
  chunkNames: "chunks/[name]-[hash]",
  plugins: [FFI_FROM_SOCKET],
  logLevel: "warning",
});
