// conntrack's fallback when the -S / -S expect netlink dump fails: /proc/net/stat/nf_conntrack printed as
// "cpu=N\tname=value " lines (names from the header, values hex). It is read in the target namespace.

import { readFileSync } from "node:fs";
import { createLibcSyscalls, withNetns } from "@tsconntrack/socket";
import type { ParsedCommand } from "../args/types.js";
import { formatProcStatsLine } from "../format/stats.js";

/** The -S lines from /proc, or null when the file cannot be read or has no CPU line (conntrack: "Can't open /proc interface"). */
export function procStatsText(cmd: Pick<ParsedCommand, "extensions">): string | null {
  let text: string;
  try {
    const netns = cmd.extensions.netns;
    text =
      netns === undefined
        ? readFileSync("/proc/net/stat/nf_conntrack", "utf8")
        : withNetns(createLibcSyscalls(), netns, () => readFileSync("/proc/thread-self/net/stat/nf_conntrack", "utf8"));
  } catch {
    return null;
  }
  return formatProcStats(text);
}

/** Formats the file's text the way conntrack 1.4.7 does; null without a CPU line. */
export function formatProcStats(text: string): string | null {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const names = words(lines[0] ?? "");
  if (lines.length < 2) return null;
  let out = "";
  for (let cpu = 1; cpu < lines.length; cpu++) {
    // strtol(token, NULL, 16) of each word, kept as unsigned 32-bit.
    const values = words(lines[cpu]!).map((word) => Number.parseInt(word, 16) >>> 0);
    out += formatProcStatsLine(cpu - 1, names, values) + "\n";
  }
  return out;
}

function words(line: string): string[] {
  return line.split(" ").filter((word) => word !== "");
}
