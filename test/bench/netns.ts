/**
 * Private network namespaces for the benchmark (prefix `bench-`), and the global conntrack limits
 * a big table needs. Nothing here touches the root namespace's table.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { guardNetns, guardSysctl, releaseNetns, releaseSysctl } from "./guard.js";

const MAX_PATH = "/proc/sys/net/netfilter/nf_conntrack_max";
const HASHSIZE_PATH = "/sys/module/nf_conntrack/parameters/hashsize";

/** Why the benchmark cannot run here, or undefined. */
export function kernelSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root (CAP_NET_ADMIN) to create a network namespace";
  for (const tool of ["ip", "nsenter", "conntrack"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    } catch {
      return `the \`${tool}\` command is not installed`;
    }
  }
  if (!existsSync(MAX_PATH)) {
    try {
      execFileSync("modprobe", ["nf_conntrack_netlink"], { stdio: "ignore" });
    } catch {
      return "nf_conntrack is not available in this kernel";
    }
  }
  return undefined;
}

export function createNetns(label: string): string {
  const name = `bench-${label}-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
  guardNetns(name);
  execFileSync("ip", ["netns", "add", name]);
  return name;
}

export function deleteNetns(name: string): void {
  try {
    execFileSync("ip", ["netns", "del", name], { stdio: "ignore" });
  } catch {
    // Already gone.
  }
  releaseNetns(name);
}

const readNumber = (path: string) => Number(readFileSync(path, "utf8").trim());

export function conntrackLimits(): { max: number; hashsize: number | undefined } {
  return { max: readNumber(MAX_PATH), hashsize: existsSync(HASHSIZE_PATH) ? readNumber(HASHSIZE_PATH) : undefined };
}

/**
 * nf_conntrack_max is global on recent kernels (read-only inside a namespace) and bounds each
 * namespace's count. Raises it to fit `entries` plus headroom; the returned function restores
 * the old value unless someone else changed it meanwhile.
 */
export function raiseConntrackMax(entries: number): () => void {
  const before = readNumber(MAX_PATH);
  const wanted = Math.ceil((entries * 1.05 + 1000) / 1024) * 1024;
  if (before >= wanted) return () => {};
  guardSysctl(MAX_PATH, before, wanted);
  writeFileSync(MAX_PATH, String(wanted));
  return () => {
    if (readNumber(MAX_PATH) === wanted) writeFileSync(MAX_PATH, String(before));
    releaseSysctl(MAX_PATH, before, wanted);
  };
}
