import type { CpuStatsValue, ExpectCpuStatsValue, GlobalStatsValue } from "./types.js";

/** CTA_STATS_* in attribute-type order: conntrack prints by type, not by arrival order. */
export const CPU_STATS_FIELDS: readonly (readonly [key: keyof CpuStatsValue & string, name: string])[] = [
  ["searched", "searched"],
  ["found", "found"],
  ["new", "new"],
  ["invalid", "invalid"],
  ["ignore", "ignore"],
  ["delete", "delete"],
  ["deleteList", "delete_list"],
  ["insert", "insert"],
  ["insertFailed", "insert_failed"],
  ["drop", "drop"],
  ["earlyDrop", "early_drop"],
  ["error", "error"],
  ["searchRestart", "search_restart"],
  ["clashResolve", "clash_resolve"],
  ["chainToolong", "chaintoolong"],
];

/** CTA_STATS_MAX in conntrack 1.4.7; it shows 4 newer attributes as unknown1..unknown4. */
const CTA_STATS_MAX = 15;
const UNKNOWN_STATS = 4;

function cpuPrefix(cpu: number): string {
  return "cpu=" + String(cpu).padEnd(4, " ") + "\t";
}

function beU32(data: Uint8Array): number | undefined {
  if (data.length < 4) return undefined;
  return ((data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3]) >>> 0;
}

/** Attributes newer than the table, as conntrack names them (the last one of a type wins). */
export function unknownCpuStats(stats: CpuStatsValue): [name: string, value: number][] {
  const found = new Map<number, number>();
  for (const u of stats.$unknown ?? []) {
    const value = beU32(u.data);
    if (u.type > CTA_STATS_MAX && u.type <= CTA_STATS_MAX + UNKNOWN_STATS && value !== undefined) {
      found.set(u.type, value);
    }
  }
  return [...found.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => ["unknown" + (t - CTA_STATS_MAX), v]);
}

/** One `-S` line: "cpu=%-4u\t" then "name=%u " per attribute present, so it ends with a space. */
export function formatCpuStatsLine(cpu: number, stats: CpuStatsValue): string {
  let s = cpuPrefix(cpu);
  for (const [key, name] of CPU_STATS_FIELDS) {
    const v = stats[key];
    if (typeof v === "number") s += name + "=" + v + " ";
  }
  for (const [name, v] of unknownCpuStats(stats)) s += name + "=" + v + " ";
  return s;
}

/** One `-S expect` line. */
export function formatExpectCpuStatsLine(cpu: number, stats: ExpectCpuStatsValue): string {
  let s = cpuPrefix(cpu);
  if (stats.new !== undefined) s += "expect_new=" + stats.new + " ";
  if (stats.create !== undefined) s += "expect_create=" + stats.create + " ";
  if (stats.delete !== undefined) s += "expect_delete=" + stats.delete + " ";
  return s;
}

/**
 * One line of the /proc/net/stat/nf_conntrack fallback: names from the file's header, values
 * parsed as hex (the caller parses; values are unsigned 32-bit).
 */
export function formatProcStatsLine(cpu: number, names: readonly string[], values: readonly number[]): string {
  let s = cpuPrefix(cpu);
  for (let i = 0; i < names.length; i++) s += names[i] + "=" + ((values[i] ?? 0) >>> 0) + " ";
  return s;
}

/** `-C`: printf("%d\n") of the u32 entry count, so counts ≥ 2^31 print negative. */
export function formatCount(count: number): string {
  return String(count | 0);
}

/** `-C` from global stats: nothing is printed when the kernel sent no entry count. */
export function formatGlobalCount(stats: GlobalStatsValue): string | undefined {
  return stats.entries === undefined ? undefined : formatCount(stats.entries);
}
