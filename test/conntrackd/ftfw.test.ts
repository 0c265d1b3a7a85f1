/**
 * FT-FW: the differential replication scenario, then convergence under loss: a share of the sync
 * datagrams is dropped in both directions while flows are created, updated and deleted, and the
 * NACK/resend machinery must leave B's external cache identical to A's table, nothing lost.
 *
 * Linux's netem qdisc (`tc qdisc … netem loss`) is used where the kernel has it; this project's
 * CI kernel is built without CONFIG_NET_SCH_NETEM, so the same random loss is otherwise made with
 * an nftables `numgen random` drop rule on each side's input.
 */
import { describe, expect, it } from "vitest";
import { Pair, pairUnsupported, sleep, type Impl, type Side } from "./pair.js";
import { differentialSuite } from "./scenario.js";

differentialSuite("FTFW over UDP: conntrackd 1.4.7 and tsconntrackd, both directions", { mode: "Mode FTFW { }" });

const LOSS_PERCENT = 30;
const FLOWS = 200;

function addLoss(pair: Pair, side: Side): string {
  const ifname = side === "A" ? "va" : "vb";
  const netem = pair.run(side, "tc", ["qdisc", "add", "dev", ifname, "root", "netem", "loss", `${LOSS_PERCENT}%`]);
  if (netem.status === 0) return "netem";
  const rules = `table inet loss {\n  chain in {\n    type filter hook input priority -10;\n    udp dport 3780 numgen random mod 100 < ${LOSS_PERCENT} counter drop\n  }\n}\n`;
  const nft = pair.run(side, "sh", ["-c", `printf '%s' '${rules}' | nft -f -`]);
  if (nft.status !== 0) throw new Error(`cannot make loss: ${netem.stderr} ${nft.stderr}`);
  return "nftables";
}

function dropped(pair: Pair, side: Side): number {
  const out = pair.run(side, "nft", ["list", "table", "inet", "loss"]).stdout;
  return Number(/packets (\d+)/.exec(out)?.[1] ?? 0);
}

/** `proto src dst sport dport mark` of the test's flows, from a -e/-i dump or a conntrack -L. */
function keys(text: string): string[] {
  return text.split("\n").filter((l) => l.includes("src=10.200.")).map((l) => {
    const f = /^(\w+).*?src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+).*?mark=(\d+)/.exec(l);
    return f ? f.slice(1).join(" ") : l;
  }).sort();
}

async function lossy(a: Impl, b: Impl): Promise<void> {
  const pair = await Pair.start(a, b, { mode: "Mode FTFW { ACKWindowSize 20 }" });
  try {
    // FT-FW is unreliable by design until both sides have said HELLO and heard HELLO_BACK (a
    // HELLO empties the resend queue and skips sequence tracking): let that finish first.
    await sleep(3000);
    const how = [addLoss(pair, "A"), addLoss(pair, "B")];
    // Creates, then updates of every third flow, then deletes of every fifth, in one shell each.
    const create = Array.from({ length: FLOWS }, (_, i) =>
      `conntrack -I -p tcp -s 10.200.${i >> 8}.${i & 255} -d 10.201.0.1 --sport ${10000 + i} --dport 80 --state ESTABLISHED -t 600 -m 1`).join(" 2>/dev/null; ");
    expect(pair.run("A", "sh", ["-c", create]).status).toBe(0);
    const update = Array.from({ length: FLOWS }, (_, i) => i).filter((i) => i % 3 === 0).map((i) =>
      `conntrack -U -p tcp -s 10.200.${i >> 8}.${i & 255} --sport ${10000 + i} -m 2`).join(" >/dev/null 2>&1; ");
    expect(pair.run("A", "sh", ["-c", update]).status).toBe(0);
    const remove = Array.from({ length: FLOWS }, (_, i) => i).filter((i) => i % 5 === 0).map((i) =>
      `conntrack -D -p tcp -s 10.200.${i >> 8}.${i & 255} --sport ${10000 + i}`).join(" >/dev/null 2>&1; ");
    expect(pair.run("A", "sh", ["-c", remove]).status).toBe(0);
    const truth = keys(pair.conntrack("A", ["-L"]).stdout);
    expect(truth).toHaveLength(FLOWS - FLOWS / 5);
    let last: string[] = [];
    try {
      await pair.until("B's external cache to converge", () => {
        last = keys(pair.ctl("B", ["-e"]).stdout);
        return JSON.stringify(last) === JSON.stringify(truth) ? true : undefined;
      }, 60_000);
    } catch (error) {
      console.log(`${a} → ${b} under loss (${how.join("/")}): B has ${last.length} of ${truth.length}; missing ${truth.filter((k) => !last.includes(k)).slice(0, 5).join(", ")}; extra ${last.filter((k) => !truth.includes(k)).slice(0, 5).join(", ")}`);
      console.log(pair.ctl("B", ["-s", "network"]).stdout.split("\n").filter((l) => /lost|before|Malformed messages/.test(l)).join("\n"));
      console.log("A resend queue:", pair.ctl("A", ["-s", "rsqueue"]).stdout.split("\n").slice(0, 8).join(" | "));
      console.log("B resend queue:", pair.ctl("B", ["-s", "rsqueue"]).stdout.split("\n").slice(0, 8).join(" | "));
      if (process.env.CTD_DEBUG) console.log(pair.log("A").slice(-3000), pair.log("B").slice(-3000));
      throw error;
    }
    expect(last).toEqual(truth);
    // The loss was real.
    if (how[0] === "nftables") expect(dropped(pair, "B") + dropped(pair, "A")).toBeGreaterThan(0);
    const network = pair.ctl("B", ["-s", "network"]).stdout;
    expect(Number(/Packets lost:\s+(\d+)/.exec(network)?.[1])).toBeGreaterThan(0);
    await sleep(10);
  } finally {
    pair.stop();
  }
}

const ALL = [["conntrackd", "tsconntrackd"], ["tsconntrackd", "conntrackd"], ["tsconntrackd", "tsconntrackd"]] as const;
const PAIRS = process.env.CTD_PAIRS ? [...ALL, ["conntrackd", "conntrackd"] as const].filter(([a, b]) => `${a}:${b}` === process.env.CTD_PAIRS) : ALL;
const reason = pairUnsupported();
describe.skipIf(reason !== undefined)(`FTFW under ${LOSS_PERCENT}% loss: NACK and resend converge, nothing lost`, () => {
  for (const [a, b] of PAIRS) {
    it(`${a} → ${b}`, () => lossy(a, b), 150_000);
  }
});

describe.skipIf(reason !== undefined)("FTFW: a restarted peer (HELLO) is back in sync, and -n brings the old flows", () => {
  for (const [a, b] of ALL) {
    it(`${a} → ${b}, ${b} restarted`, async () => {
      const pair = await Pair.start(a, b, { mode: "Mode FTFW { }" });
      const flow = (i: number): string[] => ["-I", "-p", "tcp", "-s", `10.200.0.${i}`, "-d", "10.201.0.1", "--sport", String(10000 + i), "--dport", "80", "--state", "ESTABLISHED", "-t", "600", "-m", "1"];
      try {
        for (let i = 1; i <= 3; i++) expect(pair.conntrack("A", flow(i)).status).toBe(0);
        await pair.until("B to learn 3 flows", () => (keys(pair.ctl("B", ["-e"]).stdout).length === 3 ? true : undefined));
        await pair.stopDaemon("B");
        await pair.startDaemon("B");
        expect(keys(pair.ctl("B", ["-e"]).stdout)).toEqual([]);
        // New flows after the restart arrive (the sequence is taken afresh after HELLO) …
        for (let i = 4; i <= 5; i++) expect(pair.conntrack("A", flow(i)).status).toBe(0);
        await pair.until("B to learn the new flows", () => (keys(pair.ctl("B", ["-e"]).stdout).length === 2 ? true : undefined));
        // … and a resync request brings the rest.
        expect(pair.ctl("B", ["-n"]).status).toBe(0);
        await pair.until("B to hold all 5", () => (keys(pair.ctl("B", ["-e"]).stdout).length === 5 ? true : undefined));
        expect(keys(pair.ctl("B", ["-e"]).stdout)).toEqual(keys(pair.conntrack("A", ["-L"]).stdout));
      } finally {
        pair.stop();
      }
    }, 60_000);
  }
});
