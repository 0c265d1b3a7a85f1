/**
 * The control socket and the command line, compared with conntrackd 1.4.7: the same requests to a
 * conntrackd pair and to a tsconntrackd pair in the same state must print the same bytes (clocks
 * and traffic counters aside), log the same notices, and count malformed sync messages the same.
 */
import { describe, expect, it } from "vitest";
import { execHost } from "../support/netns.js";
import { Pair, pairUnsupported, sleep, type Impl } from "./pair.js";

const BIN = `${__dirname}/../../bin/tsconntrackd`;
const reason = pairUnsupported();
if (reason) console.log(`skipping conntrackd control tests: ${reason}`);

/** Log lines without their `[date] (pid=N) ` prefix. */
const logText = (text: string): string[] => text.split("\n").filter((l) => l).map((l) => l.replace(/^\[[^\]]+\] \(pid=\d+\) /, ""));

/** Broken sync datagrams (hex), sent to B's sync port from A, each counted by B. */
const GARBAGE = [
  "1a10", // truncated
  "1a100000000000010000", // length 0: bad size
  "1a10ffff00000001", // length beyond the datagram: bad size
  "2a10000800000001", // version 2: wrong protocol version
  "10000010000000010008002100000000", // NTA 33: malformed payload
  "1000001000000001000600050000000000", // status of 2 bytes: malformed payload
  "30000008000000013a100008", // version 3, then a truncated second message
];
const SEND = `import socket,sys\ns=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.bind(('10.77.0.1', 45000))\nfor h in sys.argv[1:]: s.sendto(bytes.fromhex(h), ('10.77.0.2', 3780))\n`;

interface Seen {
  stats: Record<string, string>;
  logB: string[];
  logA: string[];
  afterFlushExternal: string;
  afterKernelFlushA: { kernelA: string; externalB: string };
  runtime: string;
  garbageWorked: boolean;
}

const STATS = ["network", "cache", "queue", "process", "expect", "rsqueue", "link", "runtime", "ct"];

function normalizeStats(which: string, text: string): string {
  let t = text.replace(/daemon uptime: .*\n/, "daemon uptime: X\n");
  // Link counters depend on ALIVE timing; the message counters are compared.
  t = t.replace(/^ +\d+ (Bytes|Pckts|Error) (sent|send) +\d+ (Bytes|Pckts|Error) recv$/gm, "COUNTERS");
  // Sequence numbers start at the clock, so the garbage's distance from them varies.
  if (which === "network") t = t.replace(/(Packets (lost|before):\t\t) +\d+/g, "$1N");
  if (which === "ct") t = t.replace(/ +\d+ Lost msgs/, " N Lost msgs");
  // The sync link's own flows are events too (then filtered), as many as the timing makes.
  if (which === "runtime") t = t.replace(/(events (received|filtered):\t) +\d+/g, "$1N");
  return t;
}

async function session(impl: Impl): Promise<Seen> {
  const pair = await Pair.start(impl, impl, { mode: "Mode NOTRACK { }" });
  try {
    expect(pair.conntrack("A", ["-I", "-p", "tcp", "-s", "1.1.1.1", "-d", "2.2.2.2", "--sport", "1000", "--dport", "80", "--state", "ESTABLISHED", "-t", "300", "-m", "7"]).status).toBe(0);
    await pair.until("the flow on B", () => (pair.ctl("B", ["-e"]).stdout.includes("mark=7") ? true : undefined));
    // Broken datagrams: counted and dropped; the daemon goes on.
    expect(pair.run("A", "python3", ["-c", SEND, ...GARBAGE]).status).toBe(0);
    await sleep(300);
    expect(pair.conntrack("A", ["-I", "-p", "udp", "-s", "1.1.1.3", "-d", "2.2.2.4", "--sport", "53", "--dport", "53", "-t", "30"]).status).toBe(0);
    const garbageWorked = await pair.until("B to take a flow after the garbage", () => (pair.ctl("B", ["-e"]).stdout.includes("sport=53") ? true : undefined)).catch(() => false);
    const stats: Record<string, string> = {};
    for (const s of STATS) {
      const r = pair.ctl("B", ["-s", s]);
      expect(r.status).toBe(0);
      stats[s] = normalizeStats(s, r.stdout);
    }
    // Requests that print nothing and log what they do.
    for (const args of [["-B"], ["-n"], ["-t"], ["-R"], ["-f", "internal"]]) expect(pair.ctl("A", args).stdout).toBe("");
    expect(pair.ctl("B", ["-f", "external"]).stdout).toBe("");
    const afterFlushExternal = pair.ctl("B", ["-e"]).stdout;
    // -F empties A's kernel table; 1.4.7 does not send those deletes to the peer.
    await sleep(300);
    expect(pair.conntrack("A", ["-I", "-p", "tcp", "-s", "5.5.5.5", "-d", "6.6.6.6", "--sport", "1", "--dport", "2", "--state", "ESTABLISHED", "-t", "300"]).status).toBe(0);
    await pair.until("the new flow on B", () => (pair.ctl("B", ["-e"]).stdout.includes("5.5.5.5") ? true : undefined));
    expect(pair.ctl("A", ["-F"]).stdout).toBe("");
    await sleep(1000);
    const afterKernelFlushA = {
      kernelA: pair.conntrack("A", ["-L"]).stdout.split("\n").filter((l) => l && !l.includes("10.77.0.")).join("\n"),
      externalB: pair.ctl("B", ["-e"]).stdout.replace(/ \[active since \d+s\]/g, ""),
    };
    const runtime = normalizeStats("runtime", pair.ctl("A", ["-s", "runtime"]).stdout);
    // -k: the daemon goes away and its socket with it.
    expect(pair.ctl("B", ["-k"]).status).toBe(0);
    await sleep(500);
    const gone = pair.ctl("B", ["-s"]);
    expect(gone.status).toBe(1);
    expect(gone.stderr).toMatch(/\[ERROR\] can't connect: is conntrackd running\? appropriate permissions\?\n$/);
    const keep = (l: string): boolean => !/netlink event socket buffer size|Committed|commit has taken|starting in|initialization completed/.test(l);
    return {
      stats, runtime, afterFlushExternal, afterKernelFlushA, garbageWorked,
      logA: logText(pair.log("A")).filter(keep),
      logB: logText(pair.log("B")).filter(keep),
    };
  } finally {
    pair.stop();
  }
}

describe.skipIf(reason !== undefined)("control requests: tsconntrackd prints and does what conntrackd 1.4.7 does", () => {
  let reference: Seen;
  it("conntrackd 1.4.7", async () => {
    reference = await session("conntrackd");
    expect(reference.garbageWorked).toBe(true);
    expect(reference.stats.network).toMatch(/Malformed messages:\t +[1-9]/);
  }, 60_000);
  it("tsconntrackd", async () => {
    const got = await session("tsconntrackd");
    expect(got.garbageWorked).toBe(true);
    for (const s of STATS) expect({ [s]: got.stats[s] }).toEqual({ [s]: reference.stats[s] });
    expect(got.runtime).toBe(reference.runtime);
    expect(got.afterFlushExternal).toBe(reference.afterFlushExternal);
    expect(got.afterKernelFlushA).toEqual(reference.afterKernelFlushA);
    expect(got.logA).toEqual(reference.logA);
    expect(got.logB).toEqual(reference.logB);
  }, 60_000);
});

describe.skipIf(reason !== undefined)("the command line", () => {
  const run = (impl: Impl, args: string[]): { out: string; err: string; status: number | null } => {
    const [cmd, pre] = impl === "conntrackd" ? ["conntrackd", []] : [BIN, []];
    // Only argument errors and a missing file: nothing here starts a daemon or touches conntrack.
    const r = execHost(cmd, [...pre, ...args]);
    const norm = (t: string): string => t.replace(/^\[[^\]]+\] \(pid=\d+\) /gm, "").replace(/daemon v[\d.]+/g, "daemon vX").replace(/Usage: \S+ /g, "Usage: P ");
    return { out: norm(r.stdout), err: norm(r.stderr), status: r.status };
  };
  const cases: string[][] = [
    ["-h"], ["-x"], ["-z"], ["--help"], ["-s", "foo", "-C", "/nonexistent"], ["-f", "bogus"], ["-c", "-d"],
    ["-C", "/nonexistent", "-s"],
  ];
  it("-v has conntrackd's shape with tsconntrackd's version and licence", () => {
    const r = run("tsconntrackd", ["-v"]);
    expect(r).toEqual({ out: "Connection tracking userspace daemon vX Licensed under MIT.\n(C) tsconntrack authors, a TypeScript clone of conntrackd 1.4.7\n", err: "", status: 0 });
  });
  it("the usage names the program as it was run, not the script behind bin/tsconntrackd", () => {
    expect(execHost(BIN, ["-h"]).stdout).toContain("\nUsage: tsconntrackd [commands] [options]\n");
  });
  for (const args of cases) {
    it(args.join(" "), () => {
      expect(run("tsconntrackd", args)).toEqual(run("conntrackd", args));
    });
  }
});
