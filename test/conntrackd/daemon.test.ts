/**
 * One daemon in one namespace: stats mode (flow log, -i, -s) against conntrackd 1.4.7, the lock
 * file that keeps a second instance out, and -d (background start, -k stop, lock removed).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createNetns, destroyNetns, exec, execHost, spawnInNetns } from "../support/netns.js";
import { pairUnsupported, sleep, type Impl } from "./pair.js";

const BIN = join(__dirname, "../../bin/tsconntrackd");
const reason = pairUnsupported();
if (reason) console.log(`skipping conntrackd daemon tests: ${reason}`);

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function setup(config: (dir: string) => string): { ns: string; dir: string; conf: string } {
  const ns = createNetns("ctdS");
  const dir = mkdtempSync(join(tmpdir(), "ctd-one-"));
  cleanups.push(() => {
    // Background (-d) daemons are not our children: end whatever still runs in our namespace.
    for (const pid of execHost("ip", ["netns", "pids", ns]).stdout.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // Gone already.
      }
    }
    destroyNetns(ns);
    rmSync(dir, { recursive: true, force: true });
  });
  const conf = join(dir, "conntrackd.conf");
  writeFileSync(conf, config(dir));
  return { ns, dir, conf };
}

const command = (impl: Impl, args: string[]): [string, string[]] =>
  impl === "conntrackd" ? ["conntrackd", args] : [BIN, args];

async function waitReady(ns: string, impl: Impl, conf: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    const [cmd, args] = command(impl, ["-C", conf, "-s"]);
    if (exec(ns, cmd, args).status === 0) return;
    await sleep(100);
  }
  throw new Error(`${impl} did not come up`);
}

const statsConfig = (dir: string): string => `General {
\tHashSize 8192
\tHashLimit 65535
\tLockFile ${dir}/lock
\tUNIX { Path ${dir}/ctl }
\tNetlinkBufferSize 262142
\tNetlinkBufferSizeMaxGrowth 655355
\tFilter {
\t\tProtocol Accept { TCP UDP }
\t\tAddress Ignore { IPv4_address 127.0.0.1 }
\t}
}
Stats {
\tLogFile ${dir}/stats.log
}
`;

interface StatsSeen {
  cache: string;
  stats: string;
  log: string[];
}

async function statsSession(impl: Impl): Promise<StatsSeen> {
  const { ns, dir, conf } = setup(statsConfig);
  const [cmd, args] = command(impl, ["-C", conf]);
  await spawnInNetns(ns, cmd, args);
  await waitReady(ns, impl, conf);
  const ct = (a: string[]): void => {
    expect(exec(ns, "conntrack", a).status).toBe(0);
  };
  ct(["-I", "-p", "tcp", "-s", "1.1.1.1", "-d", "2.2.2.2", "--sport", "1000", "--dport", "80", "--state", "ESTABLISHED", "-t", "300", "-m", "7"]);
  ct(["-I", "-p", "udp", "-s", "1.1.1.3", "-d", "2.2.2.4", "--sport", "53", "--dport", "53", "-t", "30"]);
  ct(["-I", "-p", "icmp", "-s", "1.1.1.3", "-d", "2.2.2.4", "--icmp-type", "8", "--icmp-code", "0", "--icmp-id", "1", "-t", "30"]); // filtered out
  ct(["-I", "-p", "tcp", "-s", "127.0.0.1", "-d", "127.0.0.2", "--sport", "1", "--dport", "2", "--state", "ESTABLISHED", "-t", "30"]); // filtered out
  await sleep(500);
  const [c1, a1] = command(impl, ["-C", conf, "-i"]);
  const cache = exec(ns, c1, a1).stdout.replace(/ \[active since \d+s\]/g, "");
  ct(["-D", "-p", "udp"]);
  ct(["-D", "-p", "tcp", "-s", "1.1.1.1"]);
  await sleep(500);
  const [c2, a2] = command(impl, ["-C", conf, "-s"]);
  const stats = exec(ns, c2, a2).stdout;
  const [c3, a3] = command(impl, ["-C", conf, "-k"]);
  exec(ns, c3, a3);
  await sleep(300);
  const text = existsSync(join(dir, "stats.log")) ? readFileSync(join(dir, "stats.log"), "utf8") : "";
  // ctime, a tab, the flow.
  expect(text).toMatch(/^(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\t.*\n)+$/);
  return { cache, stats, log: text.split("\n").filter((l) => l).map((l) => l.split("\t").slice(1).join("\t")) };
}

describe.skipIf(reason !== undefined)("stats mode", () => {
  let reference: StatsSeen;
  it("conntrackd 1.4.7 logs each flow that ends", async () => {
    reference = await statsSession("conntrackd");
    expect(reference.log).toHaveLength(2);
  }, 60_000);
  it("tsconntrackd logs, lists and counts the same", async () => {
    const got = await statsSession("tsconntrackd");
    expect(got.log).toEqual(reference.log);
    expect(got.cache).toEqual(reference.cache);
    expect(got.stats).toEqual(reference.stats);
  }, 60_000);
});

const syncConfig = (dir: string): string => `Sync {
\tMode NOTRACK { }
\tUDP { IPv4_address 127.0.0.1 IPv4_Destination_Address 127.0.0.1 Port 3799 Interface lo }
}
General {
\tLockFile ${dir}/lock
\tLogFile ${dir}/log
\tUNIX { Path ${dir}/ctl }
}
`;

describe.skipIf(reason !== undefined)("lock file and -d", () => {
  for (const impl of ["conntrackd", "tsconntrackd"] as const) {
    it(`${impl}: a second instance is refused while the lock file exists`, async () => {
      const { ns, dir, conf } = setup(syncConfig);
      const [cmd, args] = command(impl, ["-C", conf]);
      await spawnInNetns(ns, cmd, args);
      await waitReady(ns, impl, conf);
      const second = exec(ns, cmd, args, { timeoutMs: 15_000 });
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(new RegExp(`\\[ERROR\\] lockfile \`${dir}/lock' exists, perhaps conntrackd already running\\?\\n$`));
      // The first one still answers.
      const [c, a] = command(impl, ["-C", conf, "-s", "queue"]);
      expect(exec(ns, c, a).stdout).toMatch(/^allocated queue nodes:/);
    }, 60_000);

    it(`${impl}: -d returns once the daemon runs in the background; -k stops it and removes the lock`, async () => {
      const { ns, dir, conf } = setup(syncConfig);
      const [cmd, args] = command(impl, ["-C", conf, "-d"]);
      const started = exec(ns, cmd, args, { timeoutMs: 20_000 });
      expect(started.status).toBe(0);
      expect(started.stdout).toBe("");
      expect(existsSync(join(dir, "lock"))).toBe(true);
      await waitReady(ns, impl, conf);
      const [c, a] = command(impl, ["-C", conf, "-k"]);
      expect(exec(ns, c, a).status).toBe(0);
      for (let i = 0; i < 50 && existsSync(join(dir, "lock")); i++) await sleep(100);
      expect(existsSync(join(dir, "lock"))).toBe(false);
      expect(readFileSync(join(dir, "log"), "utf8")).toMatch(/\[notice\] -- starting in daemon mode --\n(.*\n)*.*\[notice\] ---- shutdown received ----\n$/);
    }, 60_000);
  }
});
