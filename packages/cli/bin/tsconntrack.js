#!/usr/bin/env node
// The esbuild bundle (scripts/bundle.ts, faster to start) when it was built after the last compile of
// every package (in the repository; a packed CLI has no bundle), else the tsc output.
import { statSync } from "node:fs";

const at = (path) => new URL(path, import.meta.url);
const mtime = (path) => statSync(at(path), { throwIfNoEntry: false })?.mtimeMs ?? Infinity;
const bundled = mtime("../dist-bundle/main.js");
const built = ["codec", "socket", "conntrack"].map((pkg) => `../../${pkg}/dist/.tsbuildinfo`).concat("../dist/.tsbuildinfo");
const fresh = bundled !== Infinity && built.every((path) => mtime(path) <= bundled);
import(fresh ? at("../dist-bundle/main.js").href : "../dist/main.js");
