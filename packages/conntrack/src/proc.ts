/** Fallbacks through /proc/sys, read inside the target network namespace (sysctls are per namespace). */
import { readFileSync } from "node:fs";
import { withNetns, type Syscalls } from "@tsconntrack/socket";

export function readNetnsFile(path: string, netns: string | undefined, syscalls: (() => Syscalls) | undefined): string {
  if (netns === undefined || syscalls === undefined) return readFileSync(path, "utf8");
  return withNetns(syscalls(), netns, () => readFileSync(path, "utf8"));
}

/** /proc/sys/net/netfilter/nf_conntrack_count of the namespace. */
export function procConntrackCount(netns: string | undefined, syscalls: (() => Syscalls) | undefined): number {
  const text = readNetnsFile("/proc/sys/net/netfilter/nf_conntrack_count", netns, syscalls).trim();
  const value = Number(text);
  if (!Number.isInteger(value)) throw new Error(`unexpected nf_conntrack_count: ${JSON.stringify(text)}`);
  return value;
}

/**
 * A netfilter sysctl of the namespace (`/proc/sys/net/netfilter/NAME`, e.g. `nf_conntrack_acct`,
 * `nf_conntrack_max`), trimmed. Names are checked: only letters, digits and underscores.
 */
export function readNetfilterSysctl(name: string, netns: string | undefined, syscalls: (() => Syscalls) | undefined): string {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`not a netfilter sysctl name: ${JSON.stringify(name)}`);
  return readNetnsFile(`/proc/sys/net/netfilter/${name}`, netns, syscalls).trim();
}
