// Every golden fixture replays byte for byte: `tsconntrack $(cat NAME.cmd) --replay NAME.pcap` prints
// NAME.out, and NAME.err (our program name in the message prefix) with exit status NAME.status. Run
// unprivileged (as nobody when we are root): a replay must not need the kernel.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, runCli } from "./run-cli.js";

const FIXTURES = join(REPO, "fixtures");

/**
 * Captures of 1.4.7 behaviour we deliberately do not reproduce (packages/cli/DEVIATIONS.md): our
 * requests differ from the recorded ones, so the capture holds no answer for them.
 */
const DELIBERATE_DEVIATIONS: Readonly<Record<string, string>> = {
  "varied2-R":
    "1.4.7 -R leaks the last line's options into earlier lines, so its -U line updated nothing; we parse each line on its own (DEVIATIONS.md #12) and send an update the capture cannot answer",
};

/** Fixtures whose stdout we reproduce but whose stderr or exit status we deliberately do not. */
const STDOUT_ONLY: Readonly<Record<string, string>> = {
  "varied-U-zones": "1.4.7 updates without the zone and reports the kernel's ENOENT; we skip entries gone meanwhile (README: -U uses each entry's zone)",
  "varied2-U-label-nofamily": "1.4.7 updates with AF_UNSPEC (EOPNOTSUPP, DEVIATIONS.md #7); our per-family update has no answer in the capture",
  "varied2-D-expect": "1.4.7 prints '0 expectations have been shown.' and exits 1 on success (DEVIATIONS.md E3)",
};

/** conntrack's message prefix in place of ours, so stderr compares byte for byte. */
function asConntrackStderr(text: string): string {
  return text.replace(/^tsconntrack v[^ ]+ \(conntrack-tools\): /gm, "conntrack v1.4.7 (conntrack-tools): ").replaceAll("tsconntrack(8) manpage", "conntrack(8) manpage");
}

function findFixtures(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    // fixtures/nfct holds nfct's captures, replayed through tsnfct by test/nfct/fixtures.test.ts.
    if (statSync(path).isDirectory()) {
      if (path !== join(FIXTURES, "nfct")) found.push(...findFixtures(path));
    }
    else if (name.endsWith(".cmd")) {
      const base = path.slice(0, -4);
      if (existsSync(`${base}.pcap`) && existsSync(`${base}.out`)) found.push(base);
    }
  }
  return found;
}

const fixtures = findFixtures(FIXTURES);
const built = existsSync(join(REPO, "packages/cli/dist/main.js"));

describe("golden fixtures replay byte for byte", () => {
  if (!built) {
    it.skip("packages/cli/dist/main.js is missing: run `pnpm build` first", () => {});
    return;
  }
  if (fixtures.length === 0) {
    it.skip("no fixtures/*.cmd with .pcap and .out next to them yet", () => {});
    return;
  }
  for (const base of fixtures) {
    const name = base.slice(FIXTURES.length + 1);
    const deviation = DELIBERATE_DEVIATIONS[name];
    if (deviation !== undefined) {
      it.skip(`${name}: ${deviation}`, () => {});
      continue;
    }
    it(name, () => {
      const words = readFileSync(`${base}.cmd`, "utf8").trim().split(/\s+/).filter((word) => word !== "");
      // A .cmd may name the program; what follows are the arguments.
      const args = words[0] === "conntrack" || words[0] === "tsconntrack" ? words.slice(1) : words;
      // The captures ran with time() pinned to NAME.time, TZ=UTC and LC_ALL=C.
      // NAME.timeofday (SECONDS.MICROSECONDS, same seconds) is what gettimeofday() returned for -o timestamp.
      const clockFile = [`${base}.timeofday`, `${base}.time`].find((file) => existsSync(file));
      const now = clockFile === undefined ? undefined : readFileSync(clockFile, "utf8").trim();
      // NAME.labelmap names the label map the capture ran with (a path from the repository root).
      const labelMap = existsSync(`${base}.labelmap`) ? ["--labelmap", join(REPO, readFileSync(`${base}.labelmap`, "utf8").trim())] : [];
      const result = runCli([...args, ...labelMap, "--replay", `${base}.pcap`], {
        unprivileged: true,
        env: { TSCONNTRACK_NOW: now, TZ: "UTC", LC_ALL: "C" },
      });
      expect(result.stdout).toBe(readFileSync(`${base}.out`, "utf8"));
      if (STDOUT_ONLY[name] !== undefined) return;
      if (existsSync(`${base}.err`)) expect(asConntrackStderr(result.stderr)).toBe(readFileSync(`${base}.err`, "utf8"));
      if (existsSync(`${base}.status`)) expect(result.status).toBe(Number(readFileSync(`${base}.status`, "utf8").trim()));
    });
  }
});
