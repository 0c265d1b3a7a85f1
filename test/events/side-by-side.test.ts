// conntrack -E and tsconntrack -E listen side by side (same namespace, same options) while a script of
// conntrack commands creates, updates and deletes entries; they receive the very same kernel messages,
// so their lines must match. The one legitimate difference: ` progname=X` of the [USERSPACE] tag.
// Both tools look the name up after the event arrives, racing with the exit of the `conntrack` process
// that caused it, so either may or may not find it; the tag is compared without it (portid stays).
// Timestamps are not compared because no -o timestamp is used.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canRunKernelTests, createNetns, destroyNetns, exec } from "../support/netns.js";
import { BUILT, Listener, scratchDir } from "./listener.js";

const support = canRunKernelTests();
const reason = !support.ok ? support.reason : !BUILT ? "packages/cli/dist is missing: run `pnpm build`" : undefined;
if (reason !== undefined) console.log(`skipping ev- side-by-side tests: ${reason}`);

/** Option sets run as pairs. */
const VARIANTS: readonly (readonly string[])[] = [
  [],
  ["-o", "extended,id"],
  ["-o", "xml"],
  ["-p", "tcp"],
  ["-s", "10.7.0.1"],
  ["-e", "NEW,DESTROY"],
];

const SCRIPT: readonly (readonly string[])[] = [
  ["-I", "-p", "tcp", "-s", "10.7.0.1", "-d", "10.7.0.2", "--sport", "33", "--dport", "44", "--state", "SYN_SENT", "-t", "100"],
  ["-U", "-s", "10.7.0.1", "-p", "tcp", "--sport", "33", "-m", "7"],
  ["-I", "-p", "udp", "-s", "10.7.0.1", "-d", "10.7.0.2", "--sport", "33", "--dport", "44", "-t", "100", "-m", "5"],
  ["-I", "-p", "tcp", "-s", "2001:db8::1", "-d", "2001:db8::2", "--sport", "1", "--dport", "2", "--state", "ESTABLISHED", "-t", "50", "-w", "3"],
  ["-I", "-p", "icmp", "-s", "10.8.0.1", "-d", "10.7.0.3", "--icmp-type", "8", "--icmp-code", "0", "--icmp-id", "77", "-t", "30"],
  ["-I", "-p", "gre", "-s", "10.7.0.1", "-d", "10.7.0.4", "--srckey", "4660", "--dstkey", "22136", "-t", "40"],
  ["-D", "-p", "udp", "-s", "10.7.0.1"],
  ["-U", "-p", "tcp", "-s", "2001:db8::1", "-m", "9"],
  ["-F"],
];

const PROBE = "10.99.0.1";

const normalise = (lines: readonly string[]) =>
  lines.filter((line) => !line.includes(PROBE) && !line.includes(`<src>${PROBE}</src>`)).map((line) => line.replace(/ progname=\S+$/, ""));

describe.skipIf(reason !== undefined)("ev- conntrack -E and tsconntrack -E side by side", () => {
  let ns = "";
  const pairs: { args: readonly string[]; theirs: Listener; ours: Listener }[] = [];

  beforeAll(async () => {
    ns = createNetns("ev-side");
    const dir = scratchDir();
    VARIANTS.forEach((args, i) => {
      pairs.push({ args, theirs: new Listener(ns, "conntrack", ["-E", ...args], dir, `c${i}`), ours: new Listener(ns, "tsconntrack", ["-E", ...args], dir, `t${i}`) });
    });
    // Ready when a probe entry (printed by the unfiltered pair) shows up in both outputs.
    const [first] = pairs;
    for (let port = 1; port < 200; port++) {
      exec(ns, "conntrack", ["-I", "-p", "tcp", "-s", PROBE, "-d", "10.7.0.2", "--sport", String(port), "--dport", "1", "--state", "SYN_SENT", "-t", "20"]);
      const seen = (listener: Listener) => listener.lines().some((line) => line.includes(PROBE));
      if (await first!.theirs.waitFor(() => seen(first!.theirs) && seen(first!.ours), 100)) break;
    }
    // The others started at the same time; give them the same head start.
    await new Promise((resolve) => setTimeout(resolve, 300));
    exec(ns, "conntrack", ["-D", "-s", PROBE]);
    for (const command of SCRIPT) {
      const result = exec(ns, "conntrack", command);
      expect(result.status, `conntrack ${command.join(" ")}: ${result.stderr}`).not.toBeNull();
    }
    await Promise.all(pairs.flatMap((pair) => [pair.theirs.settle(400, 5000), pair.ours.settle(400, 5000)]));
    await Promise.all(pairs.flatMap((pair) => [pair.theirs.stop(), pair.ours.stop()]));
  }, 60_000);

  afterAll(() => {
    for (const pair of pairs) {
      pair.theirs.child.kill("SIGKILL");
      pair.ours.child.kill("SIGKILL");
    }
    if (ns !== "") destroyNetns(ns);
  });

  for (const [i, args] of VARIANTS.entries()) {
    it(`-E ${args.join(" ")}`.trim(), () => {
      const { theirs, ours } = pairs[i]!;
      const expected = normalise(theirs.lines());
      expect(expected.length).toBeGreaterThan(0);
      expect(normalise(ours.lines())).toEqual(expected);
      expect(ours.child.exitCode).toBe(0);
      expect(theirs.child.exitCode).toBe(0);
      // The summary counts what was printed, probes included.
      const printed = ours.lines().filter((line) => !/^<\?xml|^<\/?conntrack>$/.test(line)).length;
      expect(ours.stderr).toBe(`tsconntrack v0.1.0 (conntrack-tools): ${printed} flow events have been shown.\n`);
    });
  }
});
