/**
 * Differential check of the formatters against the real conntrack 1.4.7: entries are created in a
 * private network namespace, dumped once over raw netlink (ct-dump.py, independent of our codec)
 * and once by `conntrack -L` in each output format, and the two renderings are compared with the
 * values that tick (timeouts, delta-time) masked. Needs root and /usr/sbin/conntrack; skips otherwise.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatConntrackSave, formatConntrackText, formatConntrackXml, type ConntrackValue } from "./render.js";

const CONNTRACK = "/usr/sbin/conntrack";
const skipReason =
  process.getuid?.() !== 0 ? "not root" : !existsSync(CONNTRACK) ? "no /usr/sbin/conntrack" : undefined;
if (skipReason) console.log(`format differential test skipped: ${skipReason}`);

const ns = `fmt-diff-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
const dumper = fileURLToPath(new URL("./ct-dump.py", import.meta.url));

function inNs(cmd: string, args: string[]): string {
  return execFileSync("ip", ["netns", "exec", ns, cmd, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

const CREATE: string[][] = [
  ["-s", "10.0.0.1", "-d", "10.0.0.2", "-p", "tcp", "--sport", "12345", "--dport", "80", "--state", "ESTABLISHED", "-t", "3600", "-u", "SEEN_REPLY,ASSURED", "-m", "42"],
  ["-s", "10.0.0.1", "-d", "10.0.0.3", "-p", "udp", "--sport", "5353", "--dport", "53", "-t", "30"],
  ["-s", "2001:db8::1", "-d", "2001:db8::3", "-p", "icmpv6", "--icmpv6-type", "128", "--icmpv6-code", "0", "--icmpv6-id", "77", "-t", "30"],
  ["-s", "10.0.0.1", "-d", "10.0.0.4", "-p", "icmp", "--icmp-type", "8", "--icmp-code", "0", "--icmp-id", "1226", "-t", "30"],
  ["-s", "1.1.1.1", "-d", "2.2.2.2", "-p", "tcp", "--sport", "10", "--dport", "20", "--state", "ESTABLISHED", "-t", "50", "-u", "SEEN_REPLY", "--dst-nat", "3.3.3.3:8080"],
  ["-s", "1.1.1.1", "-d", "2.2.2.2", "-p", "udp", "--sport", "10", "--dport", "20", "-t", "50", "--src-nat", "4.4.4.4"],
  ["-s", "1.1.1.1", "-d", "2.2.2.2", "-p", "200", "-t", "50"],
  ["-s", "1.1.1.1", "-d", "2.2.2.2", "-p", "udplite", "--sport", "5", "--dport", "6", "-t", "50"],
  ["-s", "1.1.1.1", "-d", "2.2.2.2", "-p", "gre", "--srckey", "0x1234", "--dstkey", "0x5678", "-t", "50"],
  ["-s", "1.1.1.1", "-d", "2.2.2.2", "-p", "sctp", "--sport", "5", "--dport", "6", "--state", "ESTABLISHED", "--orig-vtag", "1", "--reply-vtag", "2", "-t", "50"],
  ["-s", "10.0.0.5", "-d", "10.0.0.6", "-p", "tcp", "--sport", "1", "--dport", "2", "--state", "ESTABLISHED", "-t", "100", "-w", "7"],
  ["-s", "10.0.0.5", "-d", "10.0.0.6", "-p", "tcp", "--sport", "3", "--dport", "4", "--state", "ESTABLISHED", "-t", "100", "--orig-zone", "8"],
  ["-s", "10.0.0.5", "-d", "10.0.0.6", "-p", "tcp", "--sport", "5", "--dport", "6", "--state", "ESTABLISHED", "-t", "100", "--reply-zone", "9"],
  ["-s", "1.1.1.1", "-d", "2.2.2.2", "-p", "tcp", "--sport", "10", "--dport", "21", "--state", "LISTEN", "-t", "50"],
];
// Created after accounting and timestamps are switched on: counters and delta-time appear.
const CREATE_ACCT: string[][] = [
  ["-s", "2001:db8::1", "-d", "::ffff:1.2.3.4", "-p", "tcp", "--sport", "1000", "--dport", "443", "--state", "SYN_SENT", "-t", "120"],
  ["-s", "192.168.77.1", "-d", "192.168.77.2", "-p", "udp", "--sport", "40004", "--dport", "5353", "-t", "30", "-m", "7"],
];

interface Dumped {
  family: number;
  value: ConntrackValue;
}

function revive(_key: string, v: unknown): unknown {
  if (v !== null && typeof v === "object") {
    if ("$big" in v) return BigInt((v as { $big: string }).$big);
    if ("$bytes" in v) return Uint8Array.from((v as { $bytes: number[] }).$bytes);
  }
  return v;
}

function maskText(line: string): string {
  return line
    .replace(/^((?:ipv4|ipv6|unknown)\s+\d+ )?(\S+\s+\d+ )\d+ /, "$1$2T ")
    .replace(/delta-time=\d+/, "delta-time=D");
}
const maskSave = (l: string) => l.replace(/^(-[AUD]) -t \d+/, "$1 -t T");
const maskXml = (l: string) => l.replace(/<timeout>\d+<\/timeout>/, "<timeout>T</timeout>").replace(/<deltatime>\d+<\/deltatime>/, "<deltatime>D</deltatime>");
const lines = (s: string) => s.split("\n").filter((l) => l !== "");

describe.skipIf(skipReason !== undefined)("formatters vs conntrack 1.4.7 in a private netns", () => {
  let dumped: Dumped[] = [];

  beforeAll(() => {
    execFileSync("ip", ["netns", "add", ns]);
    for (const args of CREATE) inNs(CONNTRACK, ["-I", ...args]);
    inNs("sysctl", ["-qw", "net.netfilter.nf_conntrack_acct=1", "net.netfilter.nf_conntrack_timestamp=1"]);
    for (const args of CREATE_ACCT) inNs(CONNTRACK, ["-I", ...args]);
    dumped = lines(inNs("python3", [dumper])).map((l) => JSON.parse(l, revive) as Dumped);
  });
  afterAll(() => {
    try {
      execFileSync("ip", ["netns", "del", ns]);
    } catch {
      // the namespace was never created
    }
  });

  it("dumped every entry", () => {
    expect(dumped).toHaveLength(CREATE.length + CREATE_ACCT.length);
  });

  const now = () => Math.floor(Date.now() / 1000);

  it.each([
    ["default", [] as string[], {}],
    ["extended,id", ["-o", "extended,id"], { extended: true, id: true }],
    ["ktimestamp", ["-o", "ktimestamp"], { ktimestamp: true }],
  ] as const)("-L %s", (_name, args, opts) => {
    const real = lines(inNs(CONNTRACK, ["-L", ...args])).map(maskText).sort();
    const ours = dumped.map((d) => maskText(formatConntrackText(d.value, { family: d.family }, { ...opts, nowSec: now() }))).sort();
    expect(ours).toEqual(real);
  });

  it("-L -o save", () => {
    const real = lines(inNs(CONNTRACK, ["-L", "-o", "save"])).map(maskSave).sort();
    const ours = dumped.map((d) => maskSave(formatConntrackSave(d.value, { family: d.family }, "dump").line)).sort();
    expect(ours).toEqual(real);
  });

  it("-L -o xml (,ktimestamp)", () => {
    for (const [flag, ktimestamp] of [["xml", false], ["xml,ktimestamp", true]] as const) {
      const out = lines(inNs(CONNTRACK, ["-L", "-o", flag]));
      expect(out[0]).toBe('<?xml version="1.0" encoding="utf-8"?>');
      expect(out[1]).toBe("<conntrack>");
      expect(out[out.length - 1]).toBe("</conntrack>");
      const real = out.slice(2, -1).map(maskXml).sort();
      const ours = dumped.map((d) => maskXml(formatConntrackXml(d.value, { family: d.family }, { ktimestamp, nowSec: now() }))).sort();
      expect(ours).toEqual(real);
    }
  });
});
