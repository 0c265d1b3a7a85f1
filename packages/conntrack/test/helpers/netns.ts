/** Private network namespaces (prefix ctapi-) for kernel tests, and the reason to skip when there can be none. */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export function kernelSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root (CAP_NET_ADMIN) to create a network namespace";
  try {
    execFileSync("ip", ["-V"], { stdio: "ignore" });
  } catch {
    return "the `ip` command is not installed";
  }
  if (!existsSync("/proc/sys/net/netfilter") && !existsSync("/sys/module/nf_conntrack")) {
    try {
      execFileSync("modprobe", ["nf_conntrack_netlink"], { stdio: "ignore" });
    } catch {
      return "nf_conntrack is not available in this kernel";
    }
  }
  return undefined;
}

export function createNetns(tag: string): string {
  const name = `ctapi-${tag}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  execFileSync("ip", ["netns", "add", name]);
  return name;
}

export function deleteNetns(name: string): void {
  try {
    execFileSync("ip", ["netns", "del", name], { stdio: "ignore" });
  } catch {
    // Already gone.
  }
}

/** Runs a command inside the namespace (ip netns exec). */
export function inNetns(name: string, command: string, args: string[]): string {
  return execFileSync("ip", ["netns", "exec", name, command, ...args], { encoding: "utf8" });
}
