// A namespace whose table has live, counted traffic (live-traffic.py behind an nft ruleset that makes
// loopback traffic tracked, nf_conntrack_acct on) plus a few static entries made with conntrack -I.

import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { canRunKernelTests, createNetns, destroyNetns, exec, execOk, hasCommand, spawnInNetns } from "../support/netns.js";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = `${REPO}bin/tsconntrack`;
const TRAFFIC = `${REPO}test/support/live-traffic.py`;

/** Any rule with a ct expression registers conntrack's hooks, so loopback packets are tracked. */
const RULESET = "table inet live {\n chain out {\n  type filter hook output priority 0; policy accept;\n  ct state new counter\n }\n}\n";

/** Why the live-view tests cannot run here, or undefined. */
export function liveSkipReason(tools: readonly string[] = []): string | undefined {
  const kernel = canRunKernelTests();
  if (!kernel.ok) return kernel.reason;
  if (!existsSync(`${REPO}packages/cli/dist/main.js`)) return "packages/cli/dist is missing: run `pnpm build`";
  for (const tool of ["nft", "python3", ...tools]) if (!hasCommand(tool)) return `\`${tool}\` is not installed`;
  return undefined;
}

export interface LiveNetns {
  readonly ns: string;
  readonly traffic: ChildProcess;
  close(): void;
}

/** Static entries the tests count on (long timeouts, so they stay for the whole test). */
export const STATIC_ENTRIES: readonly string[] = [
  "-I -p tcp -s 10.20.0.1 -d 10.20.0.2 --sport 1001 --dport 443 --state ESTABLISHED -t 3600 -u SEEN_REPLY,ASSURED",
  "-I -p tcp -s 10.20.0.1 -d 10.20.0.2 --sport 1002 --dport 443 --state ESTABLISHED -t 3600 -u SEEN_REPLY,ASSURED",
  "-I -p tcp -s 10.20.0.3 -d 10.20.0.2 --sport 1003 --dport 22 --state TIME_WAIT -t 3600",
  "-I -p udp -s 10.20.0.1 -d 10.20.0.9 --sport 53000 --dport 53 -t 3600 -w 5",
  "-I -p udp -s 10.20.0.4 -d 10.20.0.9 --sport 53001 --dport 53 -t 3600 -w 5 -m 3",
  "-I -p tcp -s 2001:db8::1 -d 2001:db8::2 --sport 1004 --dport 443 --state ESTABLISHED -t 3600",
];

export async function liveNetns(prefix: string, options: { traffic?: boolean; staticEntries?: boolean } = {}): Promise<LiveNetns> {
  const ns = createNetns(prefix, { acct: true });
  try {
    if (options.staticEntries ?? true) {
      for (const line of STATIC_ENTRIES) execOk(ns, "conntrack", line.split(" "));
    }
    let traffic: ChildProcess | undefined;
    if (options.traffic ?? true) {
      execOk(ns, "nft", ["-f", "-"], { input: RULESET });
      traffic = await spawnInNetns(ns, "python3", [TRAFFIC, "--udp", "3", "--tcp", "1", "--rate", "20", "--size", "500"], { readyLine: "ready" });
    }
    return { ns, traffic: traffic!, close: () => destroyNetns(ns) };
  } catch (error) {
    destroyNetns(ns);
    throw error;
  }
}

/** `conntrack -L ARGS | wc -l` in the namespace (Debian's conntrack 1.4.7). */
export function conntrackListCount(ns: string, args: readonly string[]): number {
  const run = exec(ns, "conntrack", ["-L", ...args]);
  if (run.status !== 0) throw new Error(`conntrack -L ${args.join(" ")}: ${run.stderr}`);
  return run.stdout.split("\n").filter((line) => line !== "").length;
}
