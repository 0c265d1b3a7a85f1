// conntrack 1.4.7 and tsconntrack on a table far bigger than one output buffer (256 KiB) and one
// dump datagram: 20,000 entries, 5% IPv6 (test/bench/flows.ts). The read suite's table has a few
// dozen entries, so it never saw a line cut by a flush (a trailing space on one line in ~1,650)
// nor the family split's IPv6 probe abandoning a dump that had more to say.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BenchTable } from "../bench/table.js";
import { createNetns, destroyNetns, exec } from "../support/netns.js";
import { TSCONNTRACK_BIN } from "./run.js";
import { skipReason } from "./session.js";

const ENTRIES = 20_000;
const reason = skipReason();
if (reason !== null) console.log(`skipping the large-table differential test: ${reason}`);

/** Timers tick between the two dumps, and the programs name themselves. */
function normalised(text: string): string {
  return text
    .replace(/^((?:ipv[46] +\d+ +)?\w+ +\d+ )\d+ /gm, "$1T ")
    .replace(/<timeout>\d+<\/timeout>/g, "<timeout>T</timeout>")
    .replace(/ -t \d+ /g, " -t T ")
    .replace(/^\S+ v[\d.]+ \(conntrack-tools[^)]*\)/gm, "PROGRAM");
}

const CASES: readonly (readonly string[])[] = [
  ["-L"],
  ["-L", "-o", "extended"],
  ["-L", "-o", "save"],
  ["-L", "-o", "xml"],
  ["-L", "-f", "ipv6"],
  // No family: the IPv6 probe finds a match and the listing is the plain dump, filtered here.
  ["-L", "-p", "tcp", "--dport", "22"],
  // No IPv6 entry has this port: the probe walks to its end and the IPv4 filtered dump is the listing.
  ["-L", "-p", "tcp", "--dport", "443"],
];

describe.skipIf(reason !== null)(`tsconntrack vs conntrack 1.4.7 on ${ENTRIES.toLocaleString("en")} entries`, () => {
  let ns = "";
  let table: BenchTable | undefined;

  beforeAll(() => {
    ns = createNetns("diff-big");
    table = new BenchTable(ns);
    table.growTo(ENTRIES);
  }, 120_000);

  afterAll(() => {
    table?.close();
    if (ns) destroyNetns(ns);
  });

  for (const args of CASES) {
    it(args.join(" "), () => {
      const theirs = exec(ns, "conntrack", args, { timeoutMs: 60_000 });
      const ours = exec(ns, TSCONNTRACK_BIN, args, { timeoutMs: 60_000 });
      expect(ours.status).toBe(theirs.status);
      expect(normalised(ours.stderr)).toBe(normalised(theirs.stderr));
      // Compared whole, then line by line for a readable failure.
      const [a, b] = [normalised(ours.stdout), normalised(theirs.stdout)];
      if (a !== b) expect(a.split("\n")).toEqual(b.split("\n"));
      expect(a.length).toBeGreaterThan(0);
    }, 60_000);
  }
});
