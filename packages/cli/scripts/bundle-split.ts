// Splits a program's start-up bundle in two scripts, each with its own code cache (see bundle.ts):
//
//   front  the entry and everything it imports statically: argument parsing, usage, output. It
//          answers `--version`, `-h` and argument errors alone, so they read and deserialize
//          about a fifth of the code.
//   back   what the front loads with import() (the commands, their codec, socket and formatters),
//          loaded by the runner on the first such import().
//
// A module is in one of them only: when back code imports a front module, it gets the front's
// instance (its classes, its state), handed over by the runner as `frontModule(key)`. Keys are
// paths relative to the repository.

import { relative } from "node:path";
import { build, type BuildOptions, type Plugin } from "esbuild";

/** How import() of a deferred module reads in the front's text, until the runner's importBack replaces it. */
const BACK_PREFIX = "tsconntrack-back:";

export interface SplitBundle {
  /** esbuild's CommonJS text of each part; `back` is undefined when the front imports nothing lazily. */
  front: string;
  back: string | undefined;
}

/**
 * Collects the front's lazily imported modules (import() of a file of ours) and leaves them out of
 * the build: they are the back's entries.
 */
function deferDynamicImports(repo: string, deferred: Map<string, string>): Plugin {
  return {
    name: "defer-dynamic-imports",
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, async (args) => {
        if (args.kind !== "dynamic-import" || args.pluginData?.deferring === true) return undefined;
        const resolved = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { deferring: true } });
        if (resolved.errors.length > 0 || resolved.external) return undefined;
        const key = relative(repo, resolved.path);
        deferred.set(key, resolved.path);
        return { path: BACK_PREFIX + key, external: true };
      });
    },
  };
}

/** Back imports of front modules become `frontModule(key)`: the front's own instance. */
function frontModules(repo: string, front: ReadonlySet<string>): Plugin {
  return {
    name: "front-modules",
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === "entry-point" || args.pluginData?.resolvingFront === true) return undefined;
        const resolved = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { resolvingFront: true } });
        if (resolved.errors.length > 0 || resolved.external || !front.has(resolved.path)) return undefined;
        return { path: relative(repo, resolved.path), namespace: "front" };
      });
      b.onLoad({ filter: /.*/, namespace: "front" }, (args) => ({ contents: `module.exports = frontModule(${JSON.stringify(args.path)});`, loader: "js" }));
    },
  };
}

/**
 * The two parts of `entry`'s bundle. `options` are the common esbuild options (format, externals,
 * plugins); the front's and back's entries are made here.
 */
export async function splitBundle(repo: string, entry: string, options: BuildOptions): Promise<SplitBundle> {
  const common: BuildOptions = { ...options, absWorkingDir: repo, bundle: true, write: false, metafile: true };
  // 1. Which modules the entry imports statically, and which lazily.
  const deferred = new Map<string, string>();
  const probe = await build({ ...common, entryPoints: [entry], plugins: [deferDynamicImports(repo, deferred), ...(options.plugins ?? [])] });
  const frontFiles = new Set(Object.keys(probe.metafile!.inputs).map((input) => `${repo}/${input}`));
  if (deferred.size === 0) return { front: probe.outputFiles![0]!.text, back: undefined };

  // 2. The back: the deferred modules, front modules taken from the front.
  const backEntry = `export const modules = {\n${[...deferred].map(([key, path]) => `  ${JSON.stringify(key)}: () => import(${JSON.stringify(path)}),`).join("\n")}\n};\n`;
  const back = await build({
    ...common,
    stdin: { contents: backEntry, resolveDir: repo, sourcefile: "back-entry.js", loader: "js" },
    plugins: [frontModules(repo, frontFiles), ...(options.plugins ?? [])],
  });
  const shared = Object.keys(back.metafile!.inputs).filter((input) => input.startsWith("front:")).map((input) => input.slice("front:".length));

  // 3. The front, exporting the modules the back takes from it.
  const frontEntry = [
    ...shared.map((key, i) => `import * as m${i} from ${JSON.stringify(`${repo}/${key}`)};`),
    `export const frontModules = {\n${shared.map((key, i) => `  ${JSON.stringify(key)}: m${i},`).join("\n")}\n};`,
    `import ${JSON.stringify(entry)};`,
  ].join("\n");
  const front = await build({
    ...common,
    stdin: { contents: frontEntry, resolveDir: repo, sourcefile: "front-entry.js", loader: "js" },
    plugins: [deferDynamicImports(repo, new Map()), ...(options.plugins ?? [])],
  });
  return { front: front.outputFiles![0]!.text, back: back.outputFiles![0]!.text };
}

/** The front's import() of back modules, routed to the runner's importBack. */
export function routeBackImports(text: string): string {
  return text.replace(new RegExp(`\\bimport\\("${BACK_PREFIX}([^"]+)"\\)`, "g"), (_, key: string) => `importBack(${JSON.stringify(key)})`);
}
