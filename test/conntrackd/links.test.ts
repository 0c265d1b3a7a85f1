/**
 * Two dedicated links: when the active one goes down, the sender takes the other (`device `X'
 * becomes dedicated link`) and flows keep arriving; the receiver answers on the link the peer
 * uses. For every pairing of conntrackd 1.4.7 and tsconntrackd.
 */
import { describe, expect, it } from "vitest";
import { Pair, pairUnsupported, type Impl } from "./pair.js";

const reason = pairUnsupported();
if (reason) console.log(`skipping the two-link test: ${reason}`);

const flow = (i: number): string[] => ["-I", "-p", "tcp", "-s", `10.200.0.${i}`, "-d", "10.201.0.1", "--sport", String(10000 + i), "--dport", "80", "--state", "ESTABLISHED", "-t", "600"];
const count = (text: string): number => text.split("\n").filter((l) => l.includes("src=10.200.0.")).length;

describe.skipIf(reason !== undefined)("link failover between two dedicated links", () => {
  const pairs: [Impl, Impl][] = [["conntrackd", "conntrackd"], ["conntrackd", "tsconntrackd"], ["tsconntrackd", "conntrackd"], ["tsconntrackd", "tsconntrackd"]];
  for (const [a, b] of pairs) {
    it(`${a} → ${b}`, async () => {
      const pair = await Pair.start(a, b, { mode: "Mode FTFW { }", secondLink: true });
      try {
        expect(pair.ctl("A", ["-s", "link"]).stdout).toMatch(/device=va status=RUNNING role=ACTIVE:(.*\n)+.*device=va2 status=RUNNING role=BACKUP:/);
        expect(pair.conntrack("A", flow(1)).status).toBe(0);
        await pair.until("the first flow on B", () => (count(pair.ctl("B", ["-e"]).stdout) === 1 ? true : undefined));
        expect(pair.run("A", "ip", ["link", "set", "va", "down"]).status).toBe(0);
        await pair.until("A to switch links", () => (/device `va2' becomes dedicated link/.test(pair.log("A")) ? true : undefined), 10_000);
        expect(pair.ctl("A", ["-s", "link"]).stdout).toMatch(/device=va status=DOWN role=BACKUP:(.*\n)+.*device=va2 status=RUNNING role=ACTIVE:/);
        for (let i = 2; i <= 4; i++) expect(pair.conntrack("A", flow(i)).status).toBe(0);
        await pair.until("the later flows on B", () => (count(pair.ctl("B", ["-e"]).stdout) === 4 ? true : undefined));
        // B heard A on the second link and now uses it too.
        expect(pair.ctl("B", ["-s", "link"]).stdout).toMatch(/device=vb2 status=RUNNING role=ACTIVE:/);
      } finally {
        pair.stop();
      }
    }, 60_000);
  }
});
