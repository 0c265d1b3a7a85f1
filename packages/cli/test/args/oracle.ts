// Running the real conntrack 1.4.7 — only ever inside a private network namespace we create, because some
// recorded argument lists (-D, -F, -I, -U) change the table.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { fileURLToPath } from "node:url";

export const ORACLE_FILE = fileURLToPath(new URL("./oracle-1.4.7.json", import.meta.url));
/** A -R run recorded besides the cases: its error comes from the caller (the file cannot be opened). */
export const LOAD_FILE_MISSING = ["-R", "/nonexistent/args-test"];

export interface OracleRun {
  readonly exitCode: number;
  readonly stderr: string;
  readonly stdout: string;
}

export const CONNTRACK_BINARY = "/usr/sbin/conntrack";

/** Why the real binary cannot be run here, or null when it can. */
export function oracleUnavailableReason(): string | null {
  if (process.getuid?.() !== 0) return "not root (needs CAP_SYS_ADMIN for ip netns)";
  if (!existsSync(CONNTRACK_BINARY)) return `${CONNTRACK_BINARY} is not installed`;
  if (spawnSync("ip", ["-V"]).status !== 0) return "iproute2 `ip` is not available";
  return null;
}

export function createNetns(prefix: string): string {
  const name = `${prefix}${process.pid}-${Math.floor(Math.random() * 1e6)}`;
  const made = spawnSync("ip", ["netns", "add", name], { encoding: "utf8" });
  if (made.status !== 0) throw new Error(`ip netns add ${name}: ${made.stderr}`);
  return name;
}

export function deleteNetns(name: string): void {
  spawnSync("ip", ["netns", "delete", name]);
}

export function runConntrack(netns: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): OracleRun {
  const run = spawnSync("ip", ["netns", "exec", netns, CONNTRACK_BINARY, ...args], {
    encoding: "utf8",
    timeout: 5000,
    env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C", ...env },
  });
  const signal = run.signal === null ? 0 : (constants.signals[run.signal] ?? 0);
  return { exitCode: run.status ?? 128 + signal, stderr: run.stderr, stdout: run.stdout };
}

/** /etc/protocols entries the cases use (Debian netbase), so the tests don't depend on the machine's file. */
export const PROTOCOLS_TEXT = "ip\t0\tIP\nicmp\t1\tICMP\nigmp\t2\tIGMP\ntcp\t6\tTCP\nudp\t17\tUDP\nipv6-icmp\t58\tIPv6-ICMP\n";
