"use strict";
// Runs the tsconntrackd built in this repository (packages/conntrackd/dist, from `pnpm build`);
// bin/tsconntrackd starts it on the project's Node. CommonJS (bin/package.json), no TypeScript loader.
import(require("node:url").pathToFileURL(`${__dirname}/../packages/conntrackd/dist/main.js`).href);
