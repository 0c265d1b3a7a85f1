// esbuild plugins shared by the start-up bundle (bundle.ts) and the single-file build (sea.ts).

import { readFileSync } from "node:fs";
import { relative } from "node:path";
import type { Plugin } from "esbuild";

/** Fails the build when a rewritten source no longer has the shape a plugin expects. */
function replaceOnce(path: string, source: string, from: string, to: string): string {
  if (source.split(from).length !== 2) throw new Error(`${path}: expected exactly one ${from}; update ${import.meta.url}`);
  return source.replace(from, () => to);
}

/**
 * libc.js finds ffi-rs from its own location. In the bundle that location is dist-bundle (the CLI
 * package, which does not depend on ffi-rs): give it socket's dist/libc.js, by a path relative to
 * the bundle (resolving @tsconntrack/socket by name at run time costs several milliseconds).
 */
export const ffiFromSocket = (out: string): Plugin => ({
  name: "ffi-rs-from-socket",
  setup(build) {
    build.onLoad({ filter: /[\\/]socket[\\/]dist[\\/]libc\.js$/ }, (args) => {
      const fromBundle = relative(out, args.path);
      const source = replaceOnce(args.path, readFileSync(args.path, "utf8"), "createRequire(import.meta.url)", `createRequire(new URL(${JSON.stringify(fromBundle)}, import.meta.url))`);
      return { contents: source, loader: "js" };
    });
  },
});

/**
 * load-file.js imports the module of each line by a computed name, which a bundler cannot follow:
 * route it through a function with one literal import() per module its MODULES table names.
 */
export const LOAD_FILE_IMPORTS: Plugin = {
  name: "load-file-imports",
  setup(build) {
    build.onLoad({ filter: /[\\/]cli[\\/]dist[\\/]commands[\\/]load-file\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const table = /\nconst MODULES = \{([^}]*)\}/.exec(source)?.[1];
      const modules = [...new Set([...(table ?? "").matchAll(/"(\.\/[\w-]+\.js)"/g)].map((match) => match[1]!))];
      if (modules.length === 0) throw new Error(`${args.path}: no MODULES table of "./name.js" paths; update ${import.meta.url}`);
      const cases = modules.map((path) => `case ${JSON.stringify(path)}: return import(${JSON.stringify(path)});`).join(" ");
      const loader = `\nfunction importLineModule(path) { switch (path) { ${cases} } throw new Error("no bundled module " + path); }\n`;
      return { contents: replaceOnce(args.path, source, "import(MODULES[", "importLineModule(MODULES[") + loader, loader: "js" };
    });
  },
};

