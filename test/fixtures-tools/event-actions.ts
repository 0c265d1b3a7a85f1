/**
 * What happens in a namespace while a captured `conntrack -E` listens: the setup every event
 * capture shares, the ordinary mix of events, and an event storm that overruns the socket.
 */
import { fileURLToPath } from "node:url";
import { exec, execOk } from "../support/exec.js";
import { setSysctl, spawnInNetns } from "../support/netns.js";
import { loadCreateLines, VARIED_NFT_RULESET } from "../support/varied-table.js";
import { sleep } from "./capture.js";

const TRAFFIC_SCRIPT = fileURLToPath(new URL("../support/traffic.py", import.meta.url));

export async function setupEvents(ns: string): Promise<void> {
  setSysctl(ns, "net.netfilter.nf_conntrack_acct", "1");
  setSysctl(ns, "net.netfilter.nf_conntrack_timestamp", "1");
  // Short timeouts so expiry DESTROY events (no timeout, with counters and stop time) happen in seconds.
  setSysctl(ns, "net.netfilter.nf_conntrack_udp_timeout", "2");
  setSysctl(ns, "net.netfilter.nf_conntrack_udp_timeout_stream", "2");
  setSysctl(ns, "net.netfilter.nf_conntrack_icmp_timeout", "2");
  setSysctl(ns, "net.netfilter.nf_conntrack_icmpv6_timeout", "2");
  execOk(ns, "nft", ["-f", "-"], { input: VARIED_NFT_RULESET });
}

/** What happens while -E listens: userspace create/update/delete, then real traffic, then expiry. */
export async function eventActions(ns: string): Promise<void> {
  const tuple = ["-s", "10.7.0.1", "-d", "10.7.0.2", "--sport", "33", "--dport", "44"];
  execOk(ns, "conntrack", ["-I", "-p", "tcp", ...tuple, "--state", "SYN_SENT", "-t", "100"]);
  execOk(ns, "conntrack", ["-U", "-f", "ipv4", "-p", "tcp", "-s", "10.7.0.1", "-m", "7"]);
  execOk(ns, "conntrack", ["-I", "-p", "udp", ...tuple, "-t", "100", "-m", "5"]);
  execOk(ns, "conntrack", ["-D", "-p", "udp", "-s", "10.7.0.1"]);
  execOk(ns, "conntrack", ["-I", "-p", "tcp", "-s", "2001:db8::1", "-d", "2001:db8::2", "--sport", "1", "--dport", "2", "--state", "ESTABLISHED", "-t", "50", "-w", "3"]);
  const traffic = await spawnInNetns(ns, "python3", [TRAFFIC_SCRIPT, "--ftp"], { readyLine: "ready" });
  await sleep(200);
  traffic.kill("SIGTERM"); // closes the sockets: FIN/RST updates, the ftp master ends, its expectation goes
  await sleep(2_600); // udp/icmp entries (timeout 2 s) expire ...
  exec(ns, "conntrack", ["-L"]); // ... and a dump reaps them: expiry DESTROY events
  execOk(ns, "conntrack", ["-D", "-p", "tcp", "-s", "2001:db8::1"]);
}

/** Entries the storm creates: enough that -E (default receive buffer) overruns several times. */
export const STORM_ENTRIES = 3000;

/**
 * An event storm: one `conntrack -R` run creates STORM_ENTRIES entries in about 0.1 s, far faster
 * than -E prints them, so its event socket (default rmem) overruns and recvmsg fails with ENOBUFS.
 * The entries go with the namespace (destroyNetns flushes the table first).
 */
export async function stormActions(ns: string): Promise<void> {
  const lines: string[] = [];
  for (let i = 0; i < STORM_ENTRIES; i++) {
    lines.push(`-I -p udp -s 10.66.${i >> 8}.${i & 255} -d 10.67.0.1 --sport ${1000 + (i % 60000)} --dport 53 -t 60`);
  }
  loadCreateLines(ns, lines);
}
