/**
 * NOTRACK with `DisableInternalCache on` and `DisableExternalCache on` (the configuration of
 * conntrack-tools' own replication test): events go out as they come, and what the peer sends
 * goes straight into the kernel. Every pairing must leave B's kernel, A's `-i` (then the kernel
 * table) and both `-s` as conntrackd 1.4.7 → conntrackd leaves them.
 */
import { describe, expect, it } from "vitest";
import { normalizeList, Pair, pairUnsupported, sleep, type Impl } from "./pair.js";
import { FLOWS } from "./scenario.js";

const reason = pairUnsupported();
if (reason) console.log(`skipping the cache-less NOTRACK test: ${reason}`);

const OPTIONS = { mode: "Mode NOTRACK {\n\t\tDisableInternalCache on\n\t\tDisableExternalCache on\n\t}" };
const ours = (lines: string[]): string[] => lines.filter((l) => !l.includes("=10.77.0."));
/** `-s` without the link counters, which depend on timing. */
const stats = (text: string): string => text.replace(/^ +\d+ (Bytes|Pckts|Error) (sent|send) +\d+ (Bytes|Pckts|Error) recv$/gm, "COUNTERS");

interface Seen {
  kernelB: string[];
  afterUpdate: string[];
  afterDelete: string[];
  internalA: string[];
  externalB: string;
  statsA: string;
  statsB: string;
}

async function session(a: Impl, b: Impl): Promise<Seen> {
  const pair = await Pair.start(a, b, OPTIONS);
  try {
    for (const f of FLOWS) expect(pair.conntrack("A", f).status).toBe(0);
    const want = ours(normalizeList(pair.conntrack("A", ["-L"]).stdout)).length;
    const kernelB = await pair.until("the flows in B's kernel", () => {
      const lines = ours(normalizeList(pair.conntrack("B", ["-L"]).stdout));
      return lines.length >= want ? lines : undefined;
    });
    expect(pair.conntrack("A", ["-U", "-p", "tcp", "-s", "1.1.1.1", "-m", "9"]).status).toBe(0);
    const afterUpdate = await pair.until("the update in B's kernel", () => {
      const lines = ours(normalizeList(pair.conntrack("B", ["-L"]).stdout));
      return lines.some((l) => l.includes("mark=9")) ? lines : undefined;
    });
    expect(pair.conntrack("A", ["-D", "-p", "udp", "-s", "1.1.1.3"]).status).toBe(0);
    const afterDelete = await pair.until("the delete in B's kernel", () => {
      const lines = ours(normalizeList(pair.conntrack("B", ["-L"]).stdout));
      return lines.some((l) => l.includes("sport=53 ")) ? undefined : lines;
    });
    await sleep(200);
    return {
      kernelB, afterUpdate, afterDelete,
      internalA: ours(normalizeList(pair.ctl("A", ["-i"]).stdout)),
      externalB: pair.ctl("B", ["-e"]).stdout,
      statsA: stats(pair.ctl("A", ["-s"]).stdout),
      statsB: stats(pair.ctl("B", ["-s"]).stdout),
    };
  } finally {
    pair.stop();
  }
}

describe.skipIf(reason !== undefined)("NOTRACK without caches: conntrackd 1.4.7 and tsconntrackd, both directions", () => {
  let reference: Seen;
  it("conntrackd → conntrackd (the reference)", async () => {
    reference = await session("conntrackd", "conntrackd");
    expect(reference.kernelB.length).toBeGreaterThan(4);
    expect(reference.externalB).toBe("");
  }, 60_000);
  for (const [a, b] of [["conntrackd", "tsconntrackd"], ["tsconntrackd", "conntrackd"], ["tsconntrackd", "tsconntrackd"]] as const) {
    it(`${a} → ${b}`, async () => {
      const got = await session(a, b);
      expect(got.kernelB).toEqual(reference.kernelB);
      expect(got.afterUpdate).toEqual(reference.afterUpdate);
      expect(got.afterDelete).toEqual(reference.afterDelete);
      expect(got.internalA).toEqual(reference.internalA);
      expect(got.externalB).toBe("");
      expect(got.statsA).toEqual(reference.statsA);
      expect(got.statsB).toEqual(reference.statsB);
    }, 60_000);
  }
});
