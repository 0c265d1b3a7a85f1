"use strict";
// Builds the V8 code caches of the bundles beside this file (copied next to them as warm.cjs) for
// the Node that runs it: each warm run below replays a small capture through run.cjs with
// writeCache, adding the functions it compiled to the cache. scripts/bundle.ts runs it on the
// repository's fixtures; an installed CLI runs it at `npm install` (postinstall) on the captures
// shipped in dist-bundle/warm, and then never fails the install: without a cache the CLI only
// starts a little slower.
//
//   node warm.cjs [CAPTURES_DIR] [--strict]

const { spawnSync } = require("node:child_process");
const { existsSync, readFileSync } = require("node:fs");

/** Per program: fixtures (NAME.cmd and NAME.pcap under CAPTURES_DIR) or an argv of its own. */
const WARM_RUNS = {
  tsconntrack: [["--version"], "varied-L", "varied-G", "varied-D-mark", "varied2-D-tuple", "varied-C", "varied-I", "varied-U-mark", "varied-F"],
  tsnfct: [["list", "version"], "nfct/policies-list", "nfct/policies-get", "nfct/default-get-tcp", "nfct/policies-add", "nfct/default-set-tcp", "nfct/policies-flush"],
};

/** The captures the warm runs need (pack.ts copies them into the package). */
function captureNames() {
  return Object.values(WARM_RUNS).flat().filter((warm) => typeof warm === "string");
}

function warm(capturesDir, strict) {
  const runner = `${__dirname}/run.cjs`;
  const env = { ...process.env, TZ: "UTC", LC_ALL: "C" };
  delete env["NODE_OPTIONS"];
  for (const [program, runs] of Object.entries(WARM_RUNS)) {
    if (!existsSync(`${__dirname}/${program}.cjs`)) continue;
    for (const run of runs) {
      let argv = run;
      if (typeof run === "string") {
        const base = `${capturesDir}/${run}`;
        if (!existsSync(`${base}.cmd`) || !existsSync(`${base}.pcap`)) continue;
        argv = [...readFileSync(`${base}.cmd`, "utf8").trim().split(/\s+/), "--replay", `${base}.pcap`];
      }
      const code = `process.argv.splice(1, 0, ${JSON.stringify(program)}); require(${JSON.stringify(runner)}).run({ program: ${JSON.stringify(program)}, writeCache: true });`;
      const result = spawnSync(process.execPath, ["-e", code, "--", ...argv], { env, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", timeout: 30_000 });
      if (result.status !== 0) {
        const why = `${program} ${argv.join(" ")}: ${result.error?.message ?? result.signal ?? `exit ${result.status}`}\n${result.stderr}`;
        if (strict) throw new Error(`the bundle failed on ${why}`);
        process.stderr.write(`tsconntrack: no code cache (it only speeds up start-up): ${why}`);
        return;
      }
    }
  }
}

if (require.main === module) {
  const strict = process.argv.includes("--strict");
  const dir = process.argv.slice(2).find((arg) => !arg.startsWith("--")) ?? `${__dirname}/warm`;
  try {
    warm(dir, strict);
  } catch (error) {
    if (strict) {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    }
  }
}

module.exports = { captureNames };
