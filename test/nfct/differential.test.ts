// Differential suite: the same command lines through Debian's nfct 1.4.7 in one namespace and
// bin/tsnfct in its twin, in order (commands that write change both twins alike). Each line must give
// the same stdout, the same stderr (names aside) and the same exit status; after each group the
// twins must hold the same policies and defaults.

import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canRunKernelTests, createNetns, destroyNetns, hasCommand } from "../support/netns.js";
import { asNfct, NFCT_BIN } from "./run-nfct.js";

const kernel = canRunKernelTests();
const skip = !kernel.ok ? kernel.reason : !hasCommand("nfct") ? "`nfct` (conntrack-tools) is not installed" : undefined;
if (skip !== undefined) console.warn(`nfct differential suite skipped: ${skip}`);

interface Line {
  args: readonly string[];
  /** Run as nobody (uid 65534): the kernel's EPERM. */
  unprivileged?: boolean;
}

const l = (text: string, options: Omit<Line, "args"> = {}): Line => ({ args: text === "" ? [] : text.split(" "), ...options });

/** Groups of lines run in order in one pair of twins; each group starts from fresh twins. */
const GROUPS: Record<string, readonly Line[]> = {
  "command line": [
    l(""),
    l("list"),
    l("version"),
    l("list version"),
    l("l v"),
    l("version list"),
    l("version x"),
    l("help x"),
    l("list help"),
    l("list help x y"),
    l("h h"),
    l("x y"),
    l("list x"),
    l("xx timeout"),
    l("timeout xx"),
    l("timeout"),
    l("timeout list"),
    l("t l"),
    l("l t"),
    l("li tim"),
    l("disable timeout"),
    l("d t"),
    l("de t"),
    l("def t"),
    l("default t"),
    l("default-get timeout"),
    l("default-set helper"),
    { args: ["", ""] },
    { args: ["", "", ""] },
  ],
  "timeout arguments": [
    l("add timeout"),
    l("add timeout t3"),
    l("add timeout t3 inet"),
    l("add timeout t3 inet tcp"),
    l("add timeout t4 inet tcp established"),
    l("add timeout t4 inet tcp bogus 1"),
    l("add timeout t4 ipx tcp established 1"),
    l("add timeout t4 INET tcp established 1"),
    l("add timeout t4 inet bogus established 1"),
    l("add timeout t4 inet TCP established 1"),
    l("add timeout t4 inet ipv6 established 1"),
    l("add timeout t4 inet esp timeout 1"),
    l("add timeout t4 inet esp"),
    l("add timeout t4 inet mptcp established 1"),
    l("add timeout t4 inet tcp syn_sent 1 2"),
    l("add timeout t4 inet udp unreplied 1 replied"),
    l("add timeout t4 inet udp heartbeat_sent 1"),
    l("add timeout t4 inet sctp heartbeat_sent 1"),
    l("get timeout"),
    l("get timeout a b"),
    l("delete timeout"),
    l("delete timeout a b"),
    l("list timeout x"),
    l("flush timeout x"),
    l("default-set timeout"),
    l("default-set timeout inet"),
    l("default-set timeout inet udp"),
    l("default-set timeout inet udp unreplied"),
    l("default-set timeout inet udp bogus 1"),
    l("default-set timeout ipx udp unreplied 1"),
    l("default-get timeout inet"),
    l("default-get timeout inet x"),
    l("default-get timeout ipx udp"),
    l("default-get timeout inet udp extra words"),
  ],
  "timeout policies": [
    l("list timeout"),
    l("add timeout t1 inet udp unreplied 7 replied 9"),
    l("add timeout t1 inet udp unreplied 7"),
    l("add timeout t2 inet tcp established 100 syn_sent 5"),
    l("add timeout t3 inet6 tcp ESTABLISHED 10 Close 2 established 7 UNACKNOWLEDGED 3"),
    l("add timeout s inet sctp closed 1 cookie_wait 2 cookie_echoed 3 established 4 shutdown_sent 5 shutdown_recd 6 shutdown_ack_sent 7"),
    l("add timeout d inet dccp request 1"),
    l("add timeout g inet6 gre unreplied 1 replied 2"),
    l("add timeout ic inet icmp timeout 5"),
    l("add timeout ic6 inet ipv6-icmp timeout 5"),
    l("add timeout ic7 inet6 icmpv6 timeout 6"),
    l("add timeout gen inet generic timeout 5"),
    l("add timeout ul inet udplite unreplied 3 replied 4"),
    l("add timeout junk1 inet udp unreplied abc"),
    l("add timeout junk2 inet udp unreplied -1"),
    l("add timeout junk3 inet udp unreplied 99999999999"),
    l("add timeout junk4 inet udp unreplied 12x replied +7"),
    l("add timeout 0123456789012345678901234567890123456789 inet udp unreplied 3"),
    l("add timeout mp inet mptcp"),
    l("list timeout"),
    l("list timeout", { unprivileged: true }),
    l("add timeout x inet tcp established 1", { unprivileged: true }),
    l("get timeout t2"),
    l("get timeout s"),
    l("get timeout 0123456789012345678901234567890123456789"),
    l("get timeout nope"),
    l("timeout get t1"),
    l("delete timeout t2"),
    l("delete timeout t2"),
    l("delete timeout nope"),
    l("list timeout"),
    l("flush timeout"),
    l("list timeout"),
  ],
  "default timeouts": [
    l("default-get timeout inet tcp"),
    l("default-get timeout inet udp"),
    l("default-get timeout inet udplite"),
    l("default-get timeout inet icmp"),
    l("default-get timeout inet6 icmpv6"),
    l("default-get timeout inet6 ipv6-icmp"),
    l("default-get timeout inet sctp"),
    l("default-get timeout inet gre"),
    l("default-get timeout inet generic"),
    l("default-get timeout inet dccp"),
    l("default-get timeout inet esp"),
    l("default-get timeout inet mptcp"),
    l("default-set timeout inet udp unreplied 11"),
    l("default-get timeout inet udp"),
    l("default-set timeout inet6 udp unreplied 30 replied 90"),
    l("default-get timeout inet udp"),
    l("default-set timeout inet tcp established 3600 time_wait 60"),
    l("default-get timeout inet6 tcp"),
    l("default-set timeout inet dccp request 1"),
    l("default-set timeout inet udp unreplied 1", { unprivileged: true }),
    l("default-get timeout inet udp", { unprivileged: true }),
  ],
  // This kernel lacks CONFIG_NF_CT_NETLINK_HELPER: every request gets EINVAL, for both tools.
  helpers: [
    l("list helper"),
    l("l h"),
    l("helper list"),
    l("list helper x"),
    l("add helper"),
    l("add helper ftp inet"),
    l("add helper ftp inet tcp"),
    l("add helper ftp inet tcp extra"),
    l("add helper ftp inet sctp"),
    l("add helper ftp ipx tcp"),
    l("add helper bogus inet tcp"),
    l("add helper ftp inet udp"),
    l("add helper rpc inet6 udp"),
    l("add helper amanda inet udp"),
    l("add helper tns inet tcp"),
    l("get helper"),
    l("get helper ftp"),
    l("get helper ftp inet"),
    l("get helper ftp inet tcp"),
    l("get helper ftp inet tcp x"),
    l("get helper ftp ipx"),
    l("get helper ftp inet sctp"),
    l("delete helper"),
    l("delete helper ftp"),
    l("delete helper ftp inet6 udp"),
    l("delete helper ftp inet udp x"),
    l("flush helper"),
    l("flush helper x"),
    l("disable helper"),
    l("disable helper ftp inet tcp"),
    l("disable helper sane inet tcp"),
    l("disable helper bogus inet tcp"),
    l("default-get helper"),
    l("list helper", { unprivileged: true }),
  ],
};

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(ns: string, program: "nfct" | "tsnfct", line: Line): Outcome {
  const drop = line.unprivileged ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
  const command = program === "nfct" ? ["nfct"] : [NFCT_BIN];
  const result = spawnSync("ip", ["netns", "exec", ns, ...drop, ...command, ...line.args], {
    encoding: "utf8",
    timeout: 60_000,
    env: { PATH: process.env["PATH"], LC_ALL: "C" },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** What a twin holds afterwards: its policies and the defaults of every protocol. */
function state(ns: string): string {
  const parts = [run(ns, "nfct", l("list timeout")).stdout];
  for (const proto of ["tcp", "udp", "udplite", "icmp", "sctp", "gre", "generic"]) parts.push(run(ns, "nfct", l(`default-get timeout inet ${proto}`)).stdout);
  return parts.join("");
}

describe.skipIf(skip !== undefined)("tsnfct against nfct 1.4.7 (twin namespaces)", () => {
  let lines = 0;
  afterAll(() => console.log(`nfct differential suite: ${lines} command lines compared`));
  beforeAll(() => {
    // Sanity: the program under test is really ours.
    expect(spawnSync(NFCT_BIN, ["list", "version"], { encoding: "utf8" }).stdout).toMatch(/^tsnfct v/);
  });

  for (const [group, groupLines] of Object.entries(GROUPS)) {
    it(group, () => {
      const theirs = createNetns("nfct-diff-a");
      const ours = createNetns("nfct-diff-b");
      try {
        const failures: string[] = [];
        for (const line of groupLines) {
          lines++;
          const expected = run(theirs, "nfct", line);
          const actual = run(ours, "tsnfct", line);
          const where = `${line.unprivileged ? "[nobody] " : ""}nfct ${line.args.join(" ")}`;
          if (actual.status !== expected.status) failures.push(`${where}: status ${actual.status}, nfct ${expected.status} (${expected.stderr.trim()})`);
          if (asNfct(actual.stdout) !== expected.stdout) failures.push(`${where}: stdout\n${actual.stdout}---- nfct:\n${expected.stdout}`);
          if (asNfct(actual.stderr) !== expected.stderr) failures.push(`${where}: stderr ${JSON.stringify(actual.stderr)}, nfct ${JSON.stringify(expected.stderr)}`);
        }
        expect(failures).toEqual([]);
        expect(state(ours)).toBe(state(theirs));
      } finally {
        destroyNetns(theirs);
        destroyNetns(ours);
      }
    });
  }
});
