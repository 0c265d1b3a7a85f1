// Records which files a Node process loads, to prove an installed CLI runs from its install prefix
// alone: ES modules through a `load` hook, CommonJS modules and native addons (ffi-rs) from
// require's cache at exit. Enabled with the NODE_OPTIONS and log path that `moduleTrace` returns.

import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const LOG_VARIABLE = "TSCONNTRACK_MODULE_TRACE";

const PRELOAD = `import { register, createRequire } from "node:module";
import { appendFileSync } from "node:fs";
register(new URL("./hooks.mjs", import.meta.url));
process.on("exit", () => {
  const files = Object.keys(createRequire(import.meta.url).cache);
  appendFileSync(process.env.${LOG_VARIABLE}, files.map((file) => file + "\\n").join(""));
});
`;

const HOOKS = `import { appendFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
export async function load(url, context, next) {
  if (url.startsWith("file:")) appendFileSync(process.env.${LOG_VARIABLE}, fileURLToPath(url) + "\\n");
  return next(url, context);
}
`;

export interface ModuleTrace {
  /** Environment variables that turn the trace on for a child process. */
  env: Record<string, string>;
  /** The real paths of every file loaded so far by traced processes (the trace's own files left out). */
  loadedFiles(): string[];
}

/** Writes the trace hooks into `dir` and returns how to use them. One log per trace. */
export function moduleTrace(dir: string): ModuleTrace {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "preload.mjs"), PRELOAD);
  writeFileSync(join(dir, "hooks.mjs"), HOOKS);
  const log = join(dir, "loaded.log");
  writeFileSync(log, "");
  const traceDir = realpathSync(dir);
  return {
    env: { NODE_OPTIONS: `--import ${join(dir, "preload.mjs")}`, [LOG_VARIABLE]: log },
    loadedFiles: () => {
      const lines = readFileSync(log, "utf8").split("\n").filter((line) => line !== "");
      const real = lines.map((file) => (existsSync(file) ? realpathSync(file) : file));
      return [...new Set(real)].filter((file) => !file.startsWith(traceDir + "/"));
    },
  };
}

