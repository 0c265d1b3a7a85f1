#!/usr/bin/env node
// The esbuild bundle (scripts/bundle.ts: one script and its V8 code cache, faster to start) when it
// was built after the last compile of every package (in the repository; a packed CLI ships its own),
// else the tsc output.
import { statSync } from "node:fs";
import { createRequire } from "node:module";

const at = (path) => new URL(path, import.meta.url);
const mtime = (path) => statSync(at(path), { throwIfNoEntry: false })?.mtimeMs ?? Infinity;
const bundled = mtime("../dist-bundle/tsconntrack.cjs");
const built = ["codec", "socket", "conntrack"].map((pkg) => `../../${pkg}/dist/.tsbuildinfo`).concat("../dist/.tsbuildinfo");
// A packed CLI has no build info (Infinity): its bundle is always the one it was packed with.
const fresh = bundled !== Infinity && built.every((path) => mtime(path) === Infinity || mtime(path) <= bundled);
if (fresh) createRequire(import.meta.url)("../dist-bundle/run.cjs").run();
else import("../dist/main.js");
