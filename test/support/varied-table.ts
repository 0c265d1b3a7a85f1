import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { exec, execOk, hasCommand } from "./exec.js";
import { setSysctl, spawnInNetns } from "./netns.js";

/**
 * `conntrack -R` lines for entries that traffic cannot easily make: every protocol the tool
 * knows plus unknown ones, zones in each direction, marks, NAT (reply tuple differs), IPv6, and
 * each TCP state. Addresses are documentation-style and never routed.
 */
export const VARIED_CREATE_LINES: readonly string[] = [
  "-I -p tcp -s 10.0.0.1 -d 10.0.0.2 --sport 12345 --dport 80 --state ESTABLISHED -t 3600 -u SEEN_REPLY,ASSURED -m 42",
  "-I -p tcp -s 10.0.0.1 -d 10.0.0.2 --sport 12346 --dport 80 --state SYN_SENT -t 120",
  "-I -p tcp -s 10.0.0.1 -d 10.0.0.2 --sport 12347 --dport 80 --state SYN_RECV -t 60 -u SEEN_REPLY",
  "-I -p tcp -s 10.0.0.1 -d 10.0.0.2 --sport 12348 --dport 80 --state FIN_WAIT -t 120 -u SEEN_REPLY,ASSURED",
  "-I -p tcp -s 10.0.0.1 -d 10.0.0.2 --sport 12349 --dport 80 --state CLOSE_WAIT -t 60 -u SEEN_REPLY,ASSURED",
  "-I -p tcp -s 10.0.0.1 -d 10.0.0.2 --sport 12350 --dport 80 --state LAST_ACK -t 30 -u SEEN_REPLY,ASSURED",
  "-I -p tcp -s 10.0.0.1 -d 10.0.0.2 --sport 12351 --dport 80 --state TIME_WAIT -t 120 -u SEEN_REPLY,ASSURED",
  "-I -p tcp -s 10.0.0.1 -d 10.0.0.2 --sport 12352 --dport 80 --state CLOSE -t 10 -u SEEN_REPLY",
  "-I -p tcp -s 10.0.0.1 -d 10.0.0.2 --sport 12353 --dport 80 --state LISTEN -t 50",
  "-I -p udp -s 10.0.0.1 -d 10.0.0.3 --sport 5353 --dport 53 -t 30 -m 16",
  "-I -p udplite -s 10.0.0.1 -d 10.0.0.3 --sport 5 --dport 6 -t 50",
  "-I -p icmp -s 10.0.0.1 -d 10.0.0.4 --icmp-type 8 --icmp-code 0 --icmp-id 1226 -t 30",
  "-I -p icmpv6 -s 2001:db8::1 -d 2001:db8::3 --icmpv6-type 128 --icmpv6-code 0 --icmpv6-id 77 -t 30",
  "-I -p tcp -s 2001:db8::1 -d 2001:db8::2 --sport 1000 --dport 443 --state ESTABLISHED -t 300 -u SEEN_REPLY,ASSURED",
  "-I -p udp -s fd00::1 -d ff02::fb --sport 5353 --dport 5353 -t 30",
  "-I -p sctp -s 10.0.0.1 -d 10.0.0.2 --sport 5 --dport 6 --state ESTABLISHED --orig-vtag 1 --reply-vtag 2 -t 50",
  "-I -p gre -s 10.0.0.1 -d 10.0.0.2 --srckey 0x1234 --dstkey 0x5678 -t 50",
  "-I -p 200 -s 10.0.0.1 -d 10.0.0.2 -t 50",
  "-I -p 2 -s 10.0.0.1 -d 224.0.0.22 -t 50",
  "-I -p tcp -s 10.0.0.5 -d 10.0.0.6 --sport 1 --dport 2 --state ESTABLISHED -t 99 -w 7",
  "-I -p tcp -s 10.0.0.5 -d 10.0.0.6 --sport 3 --dport 4 --state ESTABLISHED -t 99 --orig-zone 8",
  "-I -p tcp -s 10.0.0.5 -d 10.0.0.6 --sport 5 --dport 6 --state ESTABLISHED -t 99 --reply-zone 9",
  "-I -p tcp -s 1.1.1.1 -d 2.2.2.2 --sport 10 --dport 20 --state ESTABLISHED -t 50 -u SEEN_REPLY --dst-nat 3.3.3.3:8080",
  "-I -p udp -s 1.1.1.1 -d 2.2.2.2 --sport 10 --dport 20 -t 50 --src-nat 4.4.4.4",
  "-I -p tcp -s 2001:db8::1 -d 2001:db8::9 --sport 97 --dport 98 --state ESTABLISHED -t 50 --dst-nat [2001:db8::3]:80",
];

/** Rules that make traffic tracked at all (hooks register only for rulesets that need them), label it and attach the ftp helper. */
export const VARIED_NFT_RULESET = `
table inet fx {
  ct helper ftp-std { type "ftp" protocol tcp; }
  chain out {
    type filter hook output priority 0; policy accept;
    tcp dport 21 ct helper set "ftp-std"
    udp dport 5001 ct label set 1
    udp dport 5001 ct label set 5
    tcp dport 8080 ct mark set 42
  }
}
`;

export interface VariedTable {
  /** Number of entries created with `conntrack -I`. */
  created: number;
  /** Whether real traffic was made (needs python3 and nft: without a ruleset nothing is tracked). */
  traffic: boolean;
  /** Whether the ftp expectation and the labelled udp entry exist (need nft). */
  labels: boolean;
  expectation: boolean;
  /** Why parts were skipped, for the test log. */
  skipped: string[];
  /** Holds the open sockets that keep ESTABLISHED entries and the expectation; destroyNetns ends it. */
  trafficProcess?: ChildProcess;
}

export interface VariedTableOptions {
  /** Turn on counters and timestamps first (default true); they only attach to new entries. */
  acctAndTimestamps?: boolean;
  /** Make the FTP expectation (default true). */
  ftp?: boolean;
  /** Fixed source port of the FTP client, so the expectation's master tuple is the same on every run. */
  ftpClientPort?: number;
  /** Also make an IPv6 FTP session (EPSV) and its expectation, from this fixed client port (default none). */
  ftp6ClientPort?: number;
  /** Make real traffic (default true). */
  traffic?: boolean;
}

/**
 * Creates entries with one `conntrack -R FILE` run (much faster than one process per entry).
 * A file, because Node's stdin pipes are sockets and conntrack cannot open /dev/stdin on them.
 */
export function loadCreateLines(ns: string, lines: readonly string[]): void {
  const dir = mkdtempSync(join(tmpdir(), "fx-load-"));
  try {
    const file = join(dir, "create.txt");
    writeFileSync(file, lines.join("\n") + "\n");
    execOk(ns, "conntrack", ["-R", file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const TRAFFIC_SCRIPT = fileURLToPath(new URL("./traffic.py", import.meta.url));

/**
 * Fills a namespace's conntrack table with a bit of everything: `conntrack -I` entries of every
 * protocol, zone, mark and NAT kind, plus (when nft and python3 exist) real loopback traffic,
 * labels and an FTP-helper expectation. Takes about a second.
 */
export async function buildVariedTable(ns: string, options: VariedTableOptions = {}): Promise<VariedTable> {
  const skipped: string[] = [];
  if (options.acctAndTimestamps ?? true) {
    setSysctl(ns, "net.netfilter.nf_conntrack_acct", "1");
    setSysctl(ns, "net.netfilter.nf_conntrack_timestamp", "1");
  }
  loadCreateLines(ns, VARIED_CREATE_LINES);

  const table: VariedTable = {
    created: VARIED_CREATE_LINES.length,
    traffic: false,
    labels: false,
    expectation: false,
    skipped,
  };
  if (!(options.traffic ?? true)) return table;
  if (!hasCommand("nft")) {
    skipped.push("nft is not installed: no traffic is tracked, so no traffic, labels or expectation");
    return table;
  }
  if (!hasCommand("python3")) {
    skipped.push("python3 is not installed: no real traffic");
    return table;
  }
  execOk(ns, "nft", ["-f", "-"], { input: VARIED_NFT_RULESET });
  const ftp = options.ftp ?? true;
  const ftpArgs = ftp ? ["--ftp", ...(options.ftpClientPort ? ["--ftp-sport", String(options.ftpClientPort)] : [])] : [];
  const ftp6Args = options.ftp6ClientPort ? ["--ftp6", "--ftp6-sport", String(options.ftp6ClientPort)] : [];
  table.trafficProcess = await spawnInNetns(ns, "python3", [TRAFFIC_SCRIPT, ...ftpArgs, ...ftp6Args], {
    readyLine: "ready",
  });
  table.traffic = true;
  table.labels = true;
  table.expectation = ftp && exec(ns, "conntrack", ["-L", "expect"]).stdout.includes("helper=ftp");
  if (ftp && !table.expectation) skipped.push("the ftp helper created no expectation");
  return table;
}
