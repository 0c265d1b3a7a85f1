/** ALARM over UDP: the differential replication scenario (refresh timers and cache expiry aside). */
import { differentialSuite } from "./scenario.js";

differentialSuite("ALARM over UDP: conntrackd 1.4.7 and tsconntrackd, both directions", { mode: "Mode ALARM { RefreshTime 5 CacheTimeout 20 }" }, {
  countersVary: "refreshes come at random moments within RefreshTime",
});

import { describe, expect, it } from "vitest";
import { Pair, pairUnsupported, sleep } from "./pair.js";

/** B's "expires in" seconds for the flow every 100 ms for `ms` (undefined while it is missing). */
async function watchExpiry(pair: Pair, ms: number): Promise<(number | undefined)[]> {
  const out: (number | undefined)[] = [];
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) {
    const m = /sport=1000 .* \[expires in (\d+)s\]/.exec(pair.ctl("B", ["-e"]).stdout);
    out.push(m ? Number(m[1]) : undefined);
  }
  return out;
}

const reason = pairUnsupported();
describe.skipIf(reason !== undefined)("ALARM: refreshed flows stay, unrefreshed ones expire after CacheTimeout", () => {
  for (const [a, b] of [["tsconntrackd", "conntrackd"], ["conntrackd", "tsconntrackd"], ["tsconntrackd", "tsconntrackd"]] as const) {
    it(`${a} → ${b}`, async () => {
      const pair = await Pair.start(a, b, { mode: "Mode ALARM { RefreshTime 2 CacheTimeout 8 }" });
      try {
        expect(pair.conntrack("A", ["-I", "-p", "tcp", "-s", "1.1.1.1", "-d", "2.2.2.2", "--sport", "1000", "--dport", "80", "--state", "ESTABLISHED", "-t", "300"]).status).toBe(0);
        await pair.until("the flow on B", () => (pair.ctl("B", ["-e"]).stdout.includes("sport=1000") ? true : undefined));
        const line = pair.ctl("B", ["-e"]).stdout;
        expect(line).toMatch(/ \[expires in [0-8]s\] \[active since \d+s\]\n$/);
        // For longer than CacheTimeout the flow never leaves B, and B sees the refreshes (every 1.2
        // to 3 s) re-arm its expiry: every sample, not one look after a sleep.
        const expiries = await watchExpiry(pair, 10_000);
        expect(expiries.every((e) => e !== undefined)).toBe(true);
        expect(expiries.filter((e, i) => i > 0 && e! > expiries[i - 1]!).length).toBeGreaterThanOrEqual(2);
        await pair.stopDaemon("A");
        await pair.until("the flow to expire on B", () => (pair.ctl("B", ["-e"]).stdout.includes("sport=1000") ? undefined : true), 15_000);
      } finally {
        pair.stop();
      }
    }, 60_000);
  }
});
