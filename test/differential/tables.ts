// The tables the differential tests run against. The read table is the fixtures engineer's varied table
// (every protocol, zones, marks, NAT, real loopback traffic, an FTP expectation) plus what the
// comparison also needs: a DCCP entry, named and unnamed labels, more marks and addresses for the
// filters, and longer timeouts so nothing expires while the suite runs. Twin tables hold only
// deterministic entries (conntrack -I lines and fixed-port traffic), so two namespaces can hold the same.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execOk, hasCommand, setSysctl, spawnInNetns } from "../support/netns.js";
import { VARIED_CREATE_LINES, VARIED_NFT_RULESET } from "../support/varied-table.js";
import type { EtcView } from "./etc-view.js";
import { runInOk } from "./run.js";

/** Entries the varied table lacks. Label names come from etc-view.ts's LABEL_MAP. */
export const EXTRA_CREATE_LINES: readonly string[] = [
  "-I -p dccp -s 10.0.0.1 -d 10.0.0.2 --sport 7 --dport 8 --state OPEN --role client -t 700",
  "-I -p tcp -s 10.9.0.1 -d 10.9.0.2 --sport 102 --dport 200 --state ESTABLISHED -t 900",
  "-I -p udp -s 10.1.2.3 -d 10.1.3.4 --sport 1000 --dport 2000 -t 800 -m 0x1234",
  "-I -p udp -s 10.1.2.4 -d 10.1.3.4 --sport 1000 --dport 2000 -t 800 -m 0x1200 -u SEEN_REPLY",
  "-I -p udp -s 10.1.2.5 -d 10.1.3.4 --sport 1000 --dport 2000 -t 800 -m 0xffffffff",
  "-I -p tcp -s 2001:db8:1::5 -d 2001:db8:2::6 --sport 40 --dport 22 --state TIME_WAIT -t 700 -m 7 -w 3",
  "-I -p sctp -s 10.0.0.7 -d 10.0.0.8 --sport 9 --dport 10 --state COOKIE_WAIT --orig-vtag 3 --reply-vtag 4 -t 700",
  "-I -p icmp -s 10.0.0.1 -d 10.0.0.9 --icmp-type 13 --icmp-code 0 --icmp-id 5 -t 700",
  "-I -p gre -s 10.0.0.1 -d 10.0.0.3 --srckey 0x1 --dstkey 0xffff -t 700 --orig-zone 4",
  "-I -p udp -s 1.1.1.1 -d 2.2.2.2 --sport 30 --dport 40 -t 700 --src-nat 5.5.5.5 --dst-nat 6.6.6.6:4000",
  "-I -p tcp -s 10.0.0.1 -d 10.0.0.2 --sport 12360 --dport 80 --state ESTABLISHED -t 700 -u SEEN_REPLY,ASSURED,FIXED_TIMEOUT",
];

/**
 * Labelled entries, created one `conntrack -I` each: conntrack 1.4.7 segfaults on a `--label-add`
 * line inside a `-R` file that has other lines before it.
 */
export const LABEL_CREATE_ARGS: readonly (readonly string[])[] = [
  "-I -p tcp -s 10.9.0.1 -d 10.9.0.2 --sport 100 --dport 200 --state ESTABLISHED -t 900 --label-add eth0-in,bulk",
  "-I -p tcp -s 10.9.0.1 -d 10.9.0.2 --sport 101 --dport 200 --state ESTABLISHED -t 900 --label-add ppp-in",
  // The highest label bit (127) beside a low one: -U --label-del of bit 127 (DEVIATIONS.md).
  "-I -p tcp -s 10.9.0.1 -d 10.9.0.2 --sport 103 --dport 200 --state ESTABLISHED -t 900 --label-add eth0-in,last",
].map((line) => line.split(" "));

/** The varied lines with 1000 s more, so short timeouts (10 s, 30 s) outlive the suite. */
export function longLived(lines: readonly string[]): string[] {
  return lines.map((line) => line.replace(/ -t (\d+)/, (_all, seconds: string) => ` -t ${Number(seconds) + 1000}`));
}

export const TABLE_LINES: readonly string[] = [...longLived(VARIED_CREATE_LINES), ...EXTRA_CREATE_LINES];

/** Our rules: conntrack hooks for the twins' traffic, and a label bit (7) that has no name in the map. */
export const DIFF_NFT_RULESET = `
table inet diff {
  chain out {
    type filter hook output priority 0; policy accept;
    udp dport 5002 ct label set 7
    udp dport 40011 ct mark set 77
  }
}
`;

/** Counters and timestamps attach at creation, and the real traffic's timeouts must outlive the suite. */
export function prepareNamespace(ns: string): void {
  setSysctl(ns, "net.netfilter.nf_conntrack_acct", "1");
  setSysctl(ns, "net.netfilter.nf_conntrack_timestamp", "1");
  for (const key of ["udp_timeout", "udp_timeout_stream", "icmp_timeout", "icmpv6_timeout", "tcp_timeout_time_wait"]) {
    setSysctl(ns, `net.netfilter.nf_conntrack_${key}`, "900");
  }
}

/**
 * `conntrack -R FILE`, then the labelled entries, in the labelled view (the label names must resolve).
 * `flush` empties the table first, as the file's first line (one process fewer per twin fill).
 */
export async function loadTable(view: EtcView, ns: string, lines: readonly string[] = TABLE_LINES, flush = false): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "diff-load-"));
  try {
    const file = join(dir, "create.txt");
    writeFileSync(file, [...(flush ? ["-F"] : []), ...lines].join("\n") + "\n");
    await runInOk(view, ns, "conntrack", ["-R", file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const args of LABEL_CREATE_ARGS) await runInOk(view, ns, "conntrack", args);
}

/** Why the tables cannot be built here (nft and python3 are needed for traffic and labels), or null. */
export function tableToolsMissingReason(): string | null {
  if (!hasCommand("nft")) return "nft is not installed (needed for labels and tracked traffic)";
  if (!hasCommand("python3")) return "python3 is not installed (needed for real traffic)";
  if (!hasCommand("nsenter") || !hasCommand("unshare")) return "nsenter/unshare (util-linux) are not installed";
  return null;
}

/** The system interpreter: a version-manager shim on PATH can take a second per start. */
const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

const TRAFFIC_SCRIPT = fileURLToPath(new URL("../support/traffic.py", import.meta.url));

/** One unreplied UDP packet to port 5002, which the diff ruleset labels with the unnamed bit 7. */
const UNNAMED_LABEL_TRAFFIC =
  "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.bind(('127.0.0.1', 40002))\ns.sendto(b'x', ('127.0.0.1', 5002))\n";

export interface ReadTable {
  /** Whether the ftp helper made an expectation (the -L expect cases then list one). */
  readonly expectation: boolean;
}

/** Fills `ns` with the read table. The traffic process is stopped by destroyNetns. */
export async function buildReadTable(view: EtcView, ns: string): Promise<ReadTable> {
  prepareNamespace(ns);
  execOk(ns, "nft", ["-f", "-"], { input: VARIED_NFT_RULESET + DIFF_NFT_RULESET });
  await loadTable(view, ns);
  await spawnInNetns(ns, PYTHON, [TRAFFIC_SCRIPT, "--ftp"], { readyLine: "ready" });
  execOk(ns, PYTHON, ["-c", UNNAMED_LABEL_TRAFFIC]);
  const expect = await runInOk(view, ns, "conntrack", ["-L", "expect"]);
  return { expectation: expect.stdout.includes("helper=ftp") };
}

/** Fixed ports and sizes, so both twins count the same packets and bytes (3 out, 1 back). */
const TWIN_TRAFFIC = [
  "import socket",
  "srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); srv.bind(('127.0.0.1', 40011))",
  "cli = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); cli.bind(('127.0.0.1', 40010))",
  "for size in (10, 20, 30): cli.sendto(b'x' * size, ('127.0.0.1', 40011))",
  "for _ in range(3): data, peer = srv.recvfrom(64)",
  "srv.sendto(b'y' * 40, peer); cli.recvfrom(64)",
  "",
].join("\n");

/** Sets up one twin namespace (sysctls and rules); fillTwin then loads the entries. */
export function prepareTwin(ns: string): void {
  prepareNamespace(ns);
  execOk(ns, "nft", ["-f", "-"], { input: DIFF_NFT_RULESET });
}

/**
 * Empties a twin and loads the same entries again (new ids, fresh counters and timestamps); with
 * `traffic`, also a UDP flow whose counters are not zero (costs a Python start, so only on request).
 * `lines` replaces the table's -I lines (the labelled entries are always loaded).
 */
export async function fillTwin(view: EtcView, ns: string, traffic = false, lines: readonly string[] = TABLE_LINES): Promise<void> {
  await loadTable(view, ns, lines, true);
  if (traffic) execOk(ns, PYTHON, ["-c", TWIN_TRAFFIC]);
}
