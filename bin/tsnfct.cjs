"use strict";
// Runs the tsnfct built in this repository; bin/tsnfct starts it on the project's Node. The bundle (packages/cli/scripts/bundle.ts: one script
// and its V8 code cache) starts fastest; it is used only when no package was compiled after it (a
// bare `tsc -b` leaves it stale), else the tsc output in packages/cli/dist. CommonJS
// (bin/package.json) and no TypeScript loader, so start-up stays near bare node.
const { statSync } = require("node:fs");

const at = (path) => `${__dirname}/../packages/${path}`;
const mtime = (path) => statSync(at(path), { throwIfNoEntry: false })?.mtimeMs ?? Infinity;
const bundled = mtime("cli/dist-bundle/tsnfct.cjs");
const fresh = bundled !== Infinity && ["codec", "socket", "nfct", "cli"].every((pkg) => mtime(`${pkg}/dist/.tsbuildinfo`) <= bundled);
if (fresh) require(at("cli/dist-bundle/run.cjs")).run({ program: "tsnfct" });
else import(require("node:url").pathToFileURL(at("cli/dist/nfct/main.js")).href);
