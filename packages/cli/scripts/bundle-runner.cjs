"use strict";
// Runs a CLI bundle (dist-bundle/tsconntrack.cjs or tsnfct.cjs, built by scripts/bundle.ts, which
// copies this file next to them as run.cjs) as one script with V8's code cache: no ES module loader,
// one file read, and most functions deserialized instead of parsed and compiled.
//
// The bundle's first line names its build (`// NAME-bundle ID`, ID a hash of the rest), and
// the cache file carries that ID: V8 only compares a cache with the source's length, so a cache of
// another build must never be offered. A cache V8 rejects anyway (another Node, other V8 flags) only
// costs the compile it would have saved.

const { readFileSync, renameSync, writeFileSync } = require("node:fs");
const { createRequire } = require("node:module");
const { pathToFileURL } = require("node:url");
const { Script } = require("node:vm");

/**
 * The cache file of program `name`'s bundle whose text is `source`, for the Node running now, or
 * undefined for a bundle without an ID. The Node version is in the name: V8 rejects another
 * version's cache, and a run on another Node (CI's Node 22) must compile from source rather than look cached.
 */
function cachePath(name, source) {
  const match = /^\/\/ ([a-z]+)-bundle ([0-9a-f]{16,})\n/.exec(source.slice(0, 80));
  return match === null || match[1] !== name ? undefined : `${__dirname}/${name}-${match[2]}-${process.version}-${process.arch}.v8cache`;
}

function readCache(path) {
  try {
    return path === undefined ? undefined : readFileSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Runs a bundle's main with process.argv: `program` is "tsconntrack" (default) or "tsnfct".
 * `writeCache` (scripts/bundle.ts only) saves, at exit, the code of every function compiled so far,
 * so chained runs build up one cache for all commands.
 */
function run(options = {}) {
  const name = options.program ?? "tsconntrack";
  const BUNDLE = `${__dirname}/${name}.cjs`;
  // The bundle is ASCII (bundle.ts makes it so), so latin1 reads it without UTF-8 decoding.
  const source = readFileSync(BUNDLE, "latin1");
  const cacheFile = cachePath(name, source);
  const script = new Script(source, { filename: BUNDLE, cachedData: readCache(cacheFile) });
  const requireHere = createRequire(BUNDLE);
  // import() from inside a vm script would need --experimental-vm-modules: externals (chalk, ES
  // modules only) are resolved from the bundle's folder and imported from here.
  const importExternal = (specifier) => import(pathToFileURL(requireHere.resolve(specifier)).href);
  const module = { exports: {} };
  if (options.writeCache === true && cacheFile !== undefined) {
    process.once("exit", () => {
      const temporary = `${cacheFile}.${process.pid}`;
      writeFileSync(temporary, script.createCachedData());
      renameSync(temporary, cacheFile);
    });
  }
  // The bundle is `(function (exports, require, module, __filename, __dirname, importMetaUrl, importExternal) {...})`.
  const bundle = script.runInThisContext();
  bundle(module.exports, requireHere, module, BUNDLE, __dirname, pathToFileURL(BUNDLE).href, importExternal);
}

module.exports = { run };
