// -E --all-netns: one listener in namespace L hears namespaces A and B too (NETLINK_LISTEN_ALL_NSID)
// and says which one each event came from. The kernel delivers only events of namespaces that have an
// nsid in L (assigned here with `ip netns set`), and a namespace without a listener of its own makes
// events only with nf_conntrack_events=1 (the default 2 means "while someone listens here").

import { afterAll, describe, expect, it } from "vitest";
import { canRunKernelTests, createNetns, destroyNetns, exec, setSysctl } from "../support/netns.js";
import { BUILT, Listener, scratchDir } from "./listener.js";

const support = canRunKernelTests();
const reason = !support.ok ? support.reason : !BUILT ? "packages/cli/dist is missing: run `pnpm build`" : undefined;
if (reason !== undefined) console.log(`skipping ev- --all-netns test: ${reason}`);

const NSID_A = 41;
const NSID_B = 42;

describe.skipIf(reason !== undefined)("ev- -E --all-netns", () => {
  const namespaces: string[] = [];
  afterAll(() => {
    for (const ns of namespaces) destroyNetns(ns);
  });

  it("shows events of two peer namespaces with their ids, and the listener's own without one", async () => {
    const [home, a, b] = ["ev-alln-l", "ev-alln-a", "ev-alln-b"].map((prefix) => createNetns(prefix));
    namespaces.push(home!, a!, b!);
    for (const [peer, id] of [[a!, NSID_A], [b!, NSID_B]] as const) {
      setSysctl(peer, "net.netfilter.nf_conntrack_events", "1");
      const set = exec(home!, "ip", ["netns", "set", peer, String(id)]);
      expect(set.status, set.stderr).toBe(0);
    }
    const dir = scratchDir();
    const text = new Listener(home!, "tsconntrack", ["-E", "--all-netns", "-p", "udp"], dir, "text");
    const json = new Listener(home!, "tsconntrack", ["-E", "--all-netns", "-o", "json", "-p", "udp"], dir, "json");
    const create = (ns: string, sport: number) =>
      exec(ns, "conntrack", ["-I", "-p", "udp", "-s", "10.6.0.1", "-d", "10.6.0.2", "--sport", String(sport), "--dport", "53", "-t", "30"]);
    // Ready once an event of A reaches both listeners.
    let sport = 1000;
    for (; sport < 1100; sport++) {
      create(a!, sport);
      const seen = (l: Listener) => l.lines().some((line) => line.includes(`sport=${sport} `) || line.includes(`"sport":${sport},`));
      if (await text.waitFor(() => seen(text) && seen(json), 150)) break;
    }
    create(b!, 2000);
    create(home!, 3000);
    exec(a!, "conntrack", ["-I", "-p", "tcp", "-s", "10.6.0.1", "-d", "10.6.0.2", "--sport", "1", "--dport", "2", "--state", "SYN_SENT", "-t", "30"]);
    const done = (l: Listener) => l.lines().some((line) => line.includes("3000"));
    await text.waitFor(() => done(text) && done(json), 5000);
    await Promise.all([text.settle(300, 2000), json.settle(300, 2000)]);
    await Promise.all([text.stop(), json.stop()]);

    const lines = text.lines();
    const fromA = lines.find((line) => line.includes(`sport=${sport} `));
    const fromB = lines.find((line) => line.includes("sport=2000 "));
    const fromHome = lines.find((line) => line.includes("sport=3000 "));
    // ` netns=ID` follows the entry, before the [USERSPACE] tag.
    expect(fromA).toMatch(new RegExp(`^    \\[NEW\\] udp .* netns=${NSID_A} \\[USERSPACE\\] portid=\\d+$`));
    expect(fromB).toMatch(new RegExp(`^    \\[NEW\\] udp .* netns=${NSID_B} \\[USERSPACE\\] portid=\\d+$`));
    expect(fromHome).toMatch(/^    \[NEW\] udp .* mark=0 \[USERSPACE\] portid=\d+( progname=\S+)?$/);
    // -p udp holds across namespaces.
    expect(lines.some((line) => line.includes(" tcp "))).toBe(false);

    const objects = json.lines().map((line) => JSON.parse(line) as { orig: { sport: number }; netns?: number });
    expect(objects.find((o) => o.orig.sport === sport)?.netns).toBe(NSID_A);
    expect(objects.find((o) => o.orig.sport === 2000)?.netns).toBe(NSID_B);
    const own = objects.find((o) => o.orig.sport === 3000);
    expect(own).toBeDefined();
    expect(own!.netns).toBeUndefined();
    expect(text.child.exitCode).toBe(0);
  }, 60_000);
});
