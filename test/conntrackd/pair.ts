/**
 * Two firewalls for sync tests: namespaces A and B joined by a veth pair (10.77.0.0/24 carries the
 * sync traffic, 10.78.0.0/24 test traffic), one daemon in each — Debian's conntrackd 1.4.7 or
 * tsconntrackd — with configurations, control sockets, lock and log files in a private temp
 * directory. `stop()` ends the daemons and deletes the namespaces, also after a failure.
 */
import { type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createNetns, destroyNetns, exec, execHost, hasCommand, spawnInNetns, type ExecResult } from "../support/netns.js";

export type Impl = "conntrackd" | "tsconntrackd";
export type Side = "A" | "B";

const BIN = fileURLToPath(new URL("../../bin/tsconntrackd", import.meta.url));

export interface PairOptions {
  /** The Mode block, e.g. `Mode FTFW { ACKWindowSize 20 }`. */
  mode: string;
  channel?: "udp" | "mcast" | "tcp";
  /** Extra General clauses. */
  general?: string;
  /** Extra Sync clauses (Options { } …). */
  sync?: string;
  /** Sync traffic port (default 3780). */
  port?: number;
  /** The sync link over IPv6 (fd77::1 and fd77::2) instead of 10.77.0.1 and 10.77.0.2. */
  ipv6?: boolean;
  /** `Checksum off` on the links. */
  checksumOff?: boolean;
  /** A second UDP link (va2/vb2, 10.79.0.0/24, port + 1); the first one is then `Default`. */
  secondLink?: boolean;
}

/** The sync daemons' own link addresses are ignored, as the sample configurations do. */
function configFor(side: Side, dir: string, o: PairOptions): string {
  const v = o.ipv6 ? "6" : "4";
  const [a, b] = o.ipv6 ? ["fd77::1", "fd77::2"] : ["10.77.0.1", "10.77.0.2"];
  const me = side === "A" ? a : b;
  const peer = side === "A" ? b : a;
  const ifname = side === "A" ? "va" : "vb";
  const port = o.port ?? 3780;
  const group = o.ipv6 ? "IPv6_address ff15::cafe" : `IPv4_address 225.0.0.50\n\t\tIPv4_interface ${me}`;
  const link = o.channel === "mcast"
    ? `Multicast {\n\t\t${group}\n\t\tGroup ${port}\n\t\tInterface ${ifname}\n\t\tSndSocketBuffer 1249280\n\t\tRcvSocketBuffer 1249280\n\t\tChecksum on\n\t}`
    : `${o.channel === "tcp" ? "TCP" : "UDP"} {\n\t\tIPv${v}_address ${me}\n\t\tIPv${v}_Destination_Address ${peer}\n\t\tPort ${port}\n\t\tInterface ${ifname}\n\t\tChecksum ${o.checksumOff ? "off" : "on"}\n\t}`;
  const me2 = side === "A" ? "10.79.0.1" : "10.79.0.2";
  const peer2 = side === "A" ? "10.79.0.2" : "10.79.0.1";
  const second = o.secondLink
    ? `UDP {\n\t\tIPv4_address ${me2}\n\t\tIPv4_Destination_Address ${peer2}\n\t\tPort ${port + 1}\n\t\tInterface ${ifname}2\n\t}`
    : "";
  const first = o.secondLink ? link.replace(/^UDP \{/, "UDP Default {") : link;
  return `Sync {\n\t${o.mode}\n\t${first}\n\t${second}\n\t${o.sync ?? ""}\n}\n` +
    `General {\n\tHashSize 8192\n\tHashLimit 262144\n\tLogFile ${dir}/${side}.log\n\tLockFile ${dir}/${side}.lock\n` +
    `\tUNIX { Path ${dir}/${side}.ctl }\n\tNetlinkBufferSize 2097152\n\tNetlinkBufferSizeMaxGrowth 8388608\n` +
    `\tFilter From Userspace {\n\t\tAddress Ignore {\n\t\t\tIPv4_address 10.77.0.1\n\t\t\tIPv4_address 10.77.0.2\n\t\t\tIPv6_address fd77::1\n\t\t\tIPv6_address fd77::2\n\t\t\tIPv4_address 10.79.0.1\n\t\t\tIPv4_address 10.79.0.2\n\t\t}\n\t}\n` +
    `\t${o.general ?? ""}\n}\n`;
}

const RULESET = `table inet ctd {
  chain out {
    type filter hook output priority 0;
    ct state new counter
  }
  chain in {
    type filter hook input priority 0;
    ct state new counter
  }
}
`;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Why sync tests cannot run here, or undefined when they can. */
export function pairUnsupported(): string | undefined {
  if (process.getuid?.() !== 0) return "not running as root";
  for (const tool of ["ip", "conntrack", "conntrackd", "nft"]) if (!hasCommand(tool)) return `\`${tool}\` is not installed`;
  return undefined;
}

export class Pair {
  readonly dir: string;
  readonly ns: Record<Side, string>;
  readonly impl: Record<Side, Impl>;
  private readonly daemons: Partial<Record<Side, ChildProcess>> = {};
  private readonly options: PairOptions;

  private constructor(a: Impl, b: Impl, options: PairOptions) {
    this.impl = { A: a, B: b };
    this.options = options;
    this.dir = mkdtempSync(join(tmpdir(), "ctd-pair-"));
    this.ns = { A: "", B: "" };
  }

  /** Namespaces, link, a conntrack-enabling ruleset on both sides, then both daemons, ready. */
  static async start(a: Impl, b: Impl, options: PairOptions): Promise<Pair> {
    const pair = new Pair(a, b, options);
    try {
      pair.ns.A = createNetns("ctdA");
      pair.ns.B = createNetns("ctdB");
      const link = execHost("ip", ["link", "add", "va", "netns", pair.ns.A, "type", "veth", "peer", "name", "vb", "netns", pair.ns.B]);
      if (link.status !== 0) throw new Error(`veth: ${link.stderr}`);
      if (options.secondLink) {
        const link2 = execHost("ip", ["link", "add", "va2", "netns", pair.ns.A, "type", "veth", "peer", "name", "vb2", "netns", pair.ns.B]);
        if (link2.status !== 0) throw new Error(`veth: ${link2.stderr}`);
        for (const [side, ifname, n] of [["A", "va2", 1], ["B", "vb2", 2]] as const) {
          for (const args of [["addr", "add", `10.79.0.${n}/24`, "dev", ifname], ["link", "set", ifname, "up"]]) {
            const r = exec(pair.ns[side], "ip", args);
            if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr}`);
          }
        }
      }
      for (const [side, ifname, n] of [["A", "va", 1], ["B", "vb", 2]] as const) {
        const ns = pair.ns[side];
        for (const args of [["addr", "add", `10.77.0.${n}/24`, "dev", ifname], ["addr", "add", `10.78.0.${n}/24`, "dev", ifname], ["addr", "add", `fd77::${n}/64`, "dev", ifname, "nodad"], ["link", "set", ifname, "up"]]) {
          const r = exec(ns, "ip", args);
          if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr}`);
        }
        // Conntrack only tracks a namespace's traffic once a rule needs it.
        const nft = exec(ns, "nft", ["-f", "-"], { input: RULESET });
        if (nft.status !== 0) throw new Error(`nft: ${nft.stderr}`);
        writeFileSync(pair.conf(side), configFor(side, pair.dir, options));
      }
      // veth carrier comes up a little after the link (linkwatch): conntrackd reads the link state
      // once at start (`-s link` says NO-CARRIER until an event), so wait for it first.
      const links = options.secondLink ? ([["A", "va"], ["B", "vb"], ["A", "va2"], ["B", "vb2"]] as const) : ([["A", "va"], ["B", "vb"]] as const);
      for (const [side, ifname] of links) {
        await pair.until(`carrier on ${ifname}`, () => (pair.run(side, "cat", [`/sys/class/net/${ifname}/carrier`]).stdout.trim() === "1" ? true : undefined), 5000);
      }
      await pair.startDaemon("A");
      await pair.startDaemon("B");
      return pair;
    } catch (error) {
      pair.stop();
      throw error;
    }
  }

  conf(side: Side): string {
    return join(this.dir, `${side}.conf`);
  }

  log(side: Side): string {
    try {
      return readFileSync(join(this.dir, `${side}.log`), "utf8");
    } catch {
      return "";
    }
  }

  async startDaemon(side: Side): Promise<void> {
    const impl = this.impl[side];
    const [cmd, args] = impl === "conntrackd" ? ["conntrackd", ["-C", this.conf(side)]] : [BIN, ["-C", this.conf(side)]];
    const child = await spawnInNetns(this.ns[side], cmd, args);
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout?.resume();
    this.daemons[side] = child;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${impl} in ${side} exited ${child.exitCode}: ${stderr}`);
      if (this.ctl(side, ["-s"]).status === 0) return;
      await sleep(100);
    }
    throw new Error(`${impl} in ${side} did not answer on its control socket: ${stderr}`);
  }

  /** Stops a daemon (SIGTERM) and waits for it. */
  async stopDaemon(side: Side): Promise<void> {
    const child = this.daemons[side];
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([exited, sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    delete this.daemons[side];
  }

  /** A control request with the side's own program (`-s`, `-e`, `-c` …), run in its namespace. */
  ctl(side: Side, args: readonly string[], impl: Impl = this.impl[side]): ExecResult {
    const [cmd, pre] = impl === "conntrackd" ? ["conntrackd", []] : [BIN, []];
    return exec(this.ns[side], cmd, [...pre, "-C", this.conf(side), ...args], { timeoutMs: 30_000 });
  }

  /** Any command in the side's namespace. */
  run(side: Side, command: string, args: readonly string[], env?: Record<string, string>): ExecResult {
    return exec(this.ns[side], command, args, env === undefined ? {} : { env, timeoutMs: 60_000 });
  }

  conntrack(side: Side, args: readonly string[], input?: string): ExecResult {
    return exec(this.ns[side], "conntrack", args, input === undefined ? {} : { input });
  }

  /** Polls until `check` returns a value other than undefined. */
  async until<T>(what: string, check: () => T | undefined, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  }

  stop(): void {
    for (const side of ["A", "B"] as const) {
      const child = this.daemons[side];
      if (child && child.exitCode === null) child.kill("SIGTERM");
    }
    for (const side of ["A", "B"] as const) {
      if (!this.ns[side]) continue;
      // Daemons started with -d (the failover script) are not our children: end them by pid.
      for (const pid of execHost("ip", ["netns", "pids", this.ns[side]]).stdout.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // Gone already.
        }
      }
      destroyNetns(this.ns[side]);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A cache dump without the parts that depend on timing: ages, expiry times and ICMP ids of real traffic. */
export function normalizeDump(text: string): string[] {
  return text.split("\n").filter((l) => l !== "").map((l) => l.replace(/ \[active since \d+s\]/, "").replace(/ \[expires in \d+s\]/, ""));
}

/** A kernel listing without the timeout column, the use count and the sync link's own flows. */
export function normalizeList(text: string): string[] {
  return text.split("\n").filter((l) => l !== "" && !l.includes("=10.77.0.") && !l.includes("=fd77::") && !l.includes("=10.79.0.")).map((l) => l.replace(/^(\S+\s+\d+ )\d+ /, "$1").replace(/ use=\d+$/, "")).sort();
}
