// A namespace whose expectation table the kernel's own helpers filled: FTP over IPv4 (PASV) and IPv6
// (EPSV), and TFTP. Fixed ports, so two such namespaces hold the same expectations.

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createNetns, destroyNetns, exec, execOk, hasCommand, setSysctl, spawnInNetns } from "../support/netns.js";

export const HELPER_RULESET = `
table inet exp {
  ct helper ftp-std { type "ftp" protocol tcp; }
  ct helper tftp-std { type "tftp" protocol udp; }
  chain out {
    type filter hook output priority 0; policy accept;
    tcp dport 21 ct helper set "ftp-std"
    udp dport 69 ct helper set "tftp-std"
  }
}
`;

const TRAFFIC = fileURLToPath(new URL("./helper-traffic.py", import.meta.url));
/** The system interpreter: a version-manager shim on PATH can take a second per start. */
const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

/** Why the helper scenario cannot run here, or undefined when it can. */
export function helperScenarioMissing(): string | undefined {
  if (!hasCommand("nft")) return "nft is not installed (the helpers are attached with nft `ct helper`)";
  if (PYTHON === "python3" && !hasCommand("python3")) return "python3 is not installed (it makes the FTP and TFTP traffic)";
  return undefined;
}

/** What the helpers created, as `conntrack -L expect -f FAMILY` counts. */
export const EXPECTED_IPV4 = 2;
export const EXPECTED_IPV6 = 1;

function expectationCount(ns: string, family: "ipv4" | "ipv6"): number {
  const listed = exec(ns, "conntrack", ["-L", "expect", "-f", family]);
  return listed.stdout.split("\n").filter((line) => line.includes(" helper=")).length;
}

/** Creates the namespace (name prefix `exp-`), the helpers' ruleset and the traffic; destroyNetns ends it all. */
export async function createHelperNetns(): Promise<string> {
  const ns = createNetns("exp");
  try {
    // The TFTP master is an unreplied UDP entry (30 s by default); its expectation dies with it.
    setSysctl(ns, "net.netfilter.nf_conntrack_udp_timeout", "600");
    // Events for every master, not only those created while a listener existed (the default, 2 = auto).
    setSysctl(ns, "net.netfilter.nf_conntrack_events", "1");
    execOk(ns, "nft", ["-f", "-"], { input: HELPER_RULESET });
    await spawnInNetns(ns, PYTHON, [TRAFFIC], { readyLine: "ready", timeoutMs: 20_000 });
    const deadline = Date.now() + 5_000;
    while (expectationCount(ns, "ipv4") < EXPECTED_IPV4 || expectationCount(ns, "ipv6") < EXPECTED_IPV6) {
      if (Date.now() > deadline) throw new Error(`the helpers made no expectations in ${ns}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return ns;
  } catch (error) {
    destroyNetns(ns);
    throw error;
  }
}
