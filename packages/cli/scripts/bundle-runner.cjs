"use strict";
// Runs a CLI bundle (dist-bundle/tsconntrack.cjs or tsnfct.cjs and their .back.cjs, built by
// scripts/bundle.ts, which copies this file next to them as run.cjs) as scripts with V8's code
// caches: no ES module loader, and most functions deserialized instead of parsed and compiled.
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
 * The cache file of script `name`'s bundle whose text is `source`, for the Node running now, or
 * undefined for a bundle without an ID. The Node version is in the name: V8 rejects another
 * version's cache, and a run on another Node (CI's Node 22) must compile from source rather than look cached.
 */
function cachePath(name, source) {
  const match = /^\/\/ ([a-z.]+)-bundle ([0-9a-f]{16,})\n/.exec(source.slice(0, 80));
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
 * Script `name` (NAME.cjs beside this file) compiled with its cache: the function it evaluates to.
 * `writeCache` saves, at exit, the code of every function compiled so far.
 */
function loadScript(name, writeCache) {
  const file = `${__dirname}/${name}.cjs`;
  // The bundle is ASCII (bundle.ts makes it so), so latin1 reads it without UTF-8 decoding.
  const source = readFileSync(file, "latin1");
  const cacheFile = cachePath(name, source);
  const script = new Script(source, { filename: file, cachedData: readCache(cacheFile) });
  if (writeCache && cacheFile !== undefined) {
    process.once("exit", () => {
      const temporary = `${cacheFile}.${process.pid}`;
      writeFileSync(temporary, script.createCachedData());
      renameSync(temporary, cacheFile);
    });
  }
  return { file, run: script.runInThisContext() };
}

/**
 * Runs a bundle's main with process.argv: `program` is "tsconntrack" (default) or "tsnfct".
 * `writeCache` (scripts/bundle.ts only) saves, at exit, the code of every function compiled so far,
 * so chained runs build up one cache per script for all commands.
 */
function run(options = {}) {
  const name = options.program ?? "tsconntrack";
  const writeCache = options.writeCache === true;
  const front = loadScript(name, writeCache);
  const requireHere = createRequire(front.file);
  // import() from inside a vm script would need --experimental-vm-modules: externals (chalk, ES
  // modules only) are resolved from the bundle's folder and imported from here.
  const importExternal = (specifier) => import(pathToFileURL(requireHere.resolve(specifier)).href);
  const frontModule = { exports: {} };
  // The back (bundle-split.ts), on the front's first import() of one of its modules; it shares the
  // front's modules through frontModule(key). Later, so the front has finished its top level.
  let back;
  const importBack = (key) =>
    Promise.resolve().then(() => {
      if (back === undefined) {
        const script = loadScript(`${name}.back`, writeCache);
        const backModule = { exports: {} };
        const shared = frontModule.exports.frontModules;
        script.run(backModule.exports, requireHere, backModule, script.file, __dirname, pathToFileURL(script.file).href, importExternal, (key) => shared[key]);
        back = backModule.exports.modules;
      }
      const load = back[key];
      if (load === undefined) throw new Error(`${name}.back.cjs has no module ${key}: rebuild the bundle (pnpm build)`);
      return load();
    });
  // Each script is `(function (exports, require, module, __filename, __dirname, importMetaUrl, importExternal, link) {...})`.
  front.run(frontModule.exports, requireHere, frontModule, front.file, __dirname, pathToFileURL(front.file).href, importExternal, importBack);
}

module.exports = { run };
