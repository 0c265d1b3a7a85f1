/**
 * A keepalived failover played with packages/conntrackd/scripts/tsconntrackd-failover.sh: the
 * primary (A) dies, B becomes primary (`primary`: its kernel gets the flows), then A comes back
 * as backup (`backup`: a stale lock file is cleared, the daemon started with -d, and a resync
 * brings B's flows into A's external cache), then `fault`.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { normalizeList, Pair, pairUnsupported, type Impl, type Side } from "./pair.js";

const SCRIPT = join(__dirname, "../../packages/conntrackd/scripts/tsconntrackd-failover.sh");
const BIN = join(__dirname, "../../bin/tsconntrackd");
const reason = pairUnsupported();
if (reason) console.log(`skipping the failover test: ${reason}`);

const FLOWS = [1, 2, 3].map((i) => ["-I", "-p", "tcp", "-s", `10.1.0.${i}`, "-d", "10.2.0.1", "--sport", String(2000 + i), "--dport", "443", "--state", "ESTABLISHED", "-t", "3000", "-m", String(i)]);
const ours = (lines: string[]): string[] => lines.filter((l) => l.includes("10.1.0."));

function transition(pair: Pair, side: Side, state: string): { status: number | null; stderr: string } {
  const impl = pair.impl[side];
  const r = pair.run(side, "sh", [SCRIPT, state], {
    TSCONNTRACKD: impl === "conntrackd" ? "conntrackd" : BIN,
    TSCONNTRACKD_CONFIG: pair.conf(side),
    TSCONNTRACKD_LOCK: join(pair.dir, `${side}.lock`),
  });
  return { status: r.status, stderr: r.stderr };
}

describe.skipIf(reason !== undefined)("failover with the keepalived script", () => {
  const cases: [Impl, Impl][] = [["tsconntrackd", "tsconntrackd"], ["conntrackd", "tsconntrackd"], ["tsconntrackd", "conntrackd"]];
  for (const [a, b] of cases) {
    it(`primary ${a} fails, backup ${b} takes over, ${a} comes back as backup`, async () => {
      const pair = await Pair.start(a, b, { mode: "Mode FTFW { }" });
      try {
        for (const f of FLOWS) expect(pair.conntrack("A", f).status).toBe(0);
        const expected = ours(normalizeList(pair.conntrack("A", ["-L"]).stdout));
        expect(expected).toHaveLength(3);
        await pair.until("B to learn the flows", () => (ours(pair.ctl("B", ["-e"]).stdout.split("\n")).length === 3 ? true : undefined));
        expect(ours(normalizeList(pair.conntrack("B", ["-L"]).stdout))).toEqual([]);

        // A dies; keepalived makes B primary.
        await pair.stopDaemon("A");
        const primary = transition(pair, "B", "primary");
        expect(primary).toEqual({ status: 0, stderr: "" });
        expect(ours(normalizeList(pair.conntrack("B", ["-L"]).stdout))).toEqual(expected);
        // -f and -R: B's internal cache now holds the committed flows, its external cache is empty.
        expect(ours(pair.ctl("B", ["-i"]).stdout.split("\n"))).toHaveLength(3);
        if (b === "conntrackd") {
          // 1.4.7 never clears its "commit in progress" mark after a commit that took one step,
          // so it refuses every later -f (tsconntrackd flushes; see DEVIATIONS.md).
          expect(pair.log("B")).toMatch(/\[ERROR\] ignoring flush command, commit still in progress\n/);
          expect(ours(pair.ctl("B", ["-e"]).stdout.split("\n"))).toHaveLength(3);
        } else expect(ours(pair.ctl("B", ["-e"]).stdout.split("\n"))).toEqual([]);

        // A comes back as backup; it had crashed, so its lock file is still there.
        writeFileSync(join(pair.dir, "A.lock"), "");
        const backup = transition(pair, "A", "backup");
        expect(backup.status).toBe(0);
        await pair.until("A to get B's flows back", () => (ours(pair.ctl("A", ["-e"]).stdout.split("\n")).length === 3 ? true : undefined));
        expect(pair.log("A")).toMatch(/\[notice\] flushing conntrack table in 60 secs\n/);
        expect(pair.log("A")).toMatch(/\[notice\] resync requested\n/);
        expect(pair.log("B")).toMatch(/\[notice\] resync requested by other node\n(.*\n)*.*\[notice\] sending bulk update\n/);

        expect(transition(pair, "A", "fault")).toEqual({ status: 0, stderr: "" });
        expect(transition(pair, "A", "bogus").status).toBe(1);
      } finally {
        pair.stop();
      }
    }, 90_000);
  }
});
