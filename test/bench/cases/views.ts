/**
 * The views on a 100k-entry table of their own (filled with the shared ctfill.py when it is there, for
 * its realistic mix, else with the bench's own creates):
 * - `metrics --listen` (and with `--top 10`), scraped every 15 s (curl, as Prometheus asks: OpenMetrics) for a few scrapes:
 *   the exporter's CPU time (user + system, all threads, from /proc) over the wall time, under 5% of one core;
 * - `top`: the refresh (reading the table, building the rows) that `top --once -o json` reports for its
 *   second reading, grouped by flow (100k rows sorted) and by source, within 1 s.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { BenchContext } from "../context.js";
import { inNetns } from "../command.js";
import { formatCount, skippedRow, type Row } from "../report.js";
import type { BenchTable } from "../table.js";
import type { BenchCase } from "./case.js";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const CPU_LIMIT = 0.05;
const REFRESH_LIMIT_SECONDS = 1;
const SCRAPE_INTERVAL_SECONDS = 15;

/** ctfill.py: $TSCONNTRACK_CTFILL, or shared/tools beside the repository (the workplace's layout). */
function ctfillPath(): string | undefined {
  const candidates = [process.env["TSCONNTRACK_CTFILL"], `${REPO}../shared/tools/ctfill.py`, "/work/shared/tools/ctfill.py"];
  return candidates.find((path): path is string => path !== undefined && path !== "" && existsSync(path));
}

function fill(ctx: BenchContext, table: BenchTable, size: number): void {
  const started = performance.now();
  const ctfill = ctfillPath();
  if (ctfill === undefined) {
    table.growTo(size);
  } else {
    const argv = inNetns(table.netns, ["python3", ctfill, String(size)]);
    const run = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`ctfill.py ${size}: ${run.stderr}`);
  }
  const seconds = (performance.now() - started) / 1000;
  ctx.log(`  table ${table.netns}: ${formatCount(table.count())} entries in ${seconds.toFixed(1)} s (${ctfill === undefined ? "bench creates" : "ctfill.py"})`);
}

const sh = (netns: string, command: readonly string[]) => {
  const argv = inNetns(netns, command);
  return spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
};

/** utime + stime of a process (all its threads), in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function startExporter(netns: string, command: readonly string[], extra: readonly string[]): Promise<{ child: ChildProcess; port: number }> {
  const argv = inNetns(netns, [...command, "metrics", "--listen", "127.0.0.1:0", ...extra]);
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      const match = /serving http:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.on("exit", (code) => reject(new Error(`metrics exited ${code}: ${err}`)));
  });
}

async function metricsRow(ctx: BenchContext, table: BenchTable, size: number, scrapes: number, extra: readonly string[]): Promise<Row> {
  const name = `\`metrics${extra.length > 0 ? " " + extra.join(" ") : ""}\`, a scrape every ${SCRAPE_INTERVAL_SECONDS} s`;
  const target = "< 5% of one core";
  const { candidate, candidateSkip } = ctx.tools;
  if (candidateSkip !== undefined) return skippedRow(name, formatCount(size), candidateSkip, target);
  sh(table.netns, ["ip", "link", "set", "lo", "up"]);
  const { child, port } = await startExporter(table.netns, candidate, extra);
  try {
    const pid = child.pid!;
    ctx.log(`  metrics ${extra.join(" ")}: ${scrapes} scrapes, one every ${SCRAPE_INTERVAL_SECONDS} s`);
    const scrape = (): number => {
      const run = sh(table.netns, ["curl", "-sf", "-H", "Accept: application/openmetrics-text;version=1.0.0", "-o", "/dev/null", "-w", "%{time_total}", `http://127.0.0.1:${port}/metrics`]);
      if (run.status !== 0) throw new Error(`scrape failed: curl exited ${run.status}`);
      return Number(run.stdout);
    };
    const startCpu = cpuSeconds(pid);
    const started = performance.now();
    const times: number[] = [];
    for (let i = 0; i < scrapes; i++) {
      const due = started + i * SCRAPE_INTERVAL_SECONDS * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
      times.push(scrape());
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + scrapes * SCRAPE_INTERVAL_SECONDS * 1000 - performance.now())));
    const cpu = cpuSeconds(pid) - startCpu;
    const wall = (performance.now() - started) / 1000;
    const share = cpu / wall;
    const scrapeMs = times.map((t) => Math.round(t * 1000));
    ctx.log(`  metrics: ${cpu.toFixed(2)} s of CPU in ${wall.toFixed(0)} s; scrapes took ${scrapeMs.join(", ")} ms`);
    return {
      name,
      entries: formatCount(size),
      ours: `${(100 * share).toFixed(2)}% of a core (${scrapes} scrapes of ${Math.min(...scrapeMs)}–${Math.max(...scrapeMs)} ms)`,
      theirs: "—",
      ratio: "—",
      target,
      verdict: share < CPU_LIMIT ? "PASS" : "FAIL",
      rss: "—",
    };
  } finally {
    child.kill("SIGTERM");
  }
}

function topRow(ctx: BenchContext, table: BenchTable, size: number, runs: number): Row {
  const name = "`top` refresh (`--group flow` / `src`)";
  const target = "≤ 1 s";
  const { candidate, candidateSkip } = ctx.tools;
  if (candidateSkip !== undefined) return skippedRow(name, formatCount(size), candidateSkip, target);
  const refreshes: Record<string, number[]> = { flow: [], src: [] };
  for (let i = 0; i < runs; i++) {
    for (const group of ["flow", "src"]) {
      const run = sh(table.netns, [...candidate, "top", "--once", "-o", "json", "--interval", "1", "--limit", "20", "--group", group]);
      if (run.status !== 0) throw new Error(`top --once failed: ${run.stderr}`);
      const document = JSON.parse(run.stdout) as { refresh_seconds: number; entries: number };
      refreshes[group]!.push(document.refresh_seconds);
    }
  }
  const worst = Math.max(...refreshes["flow"]!, ...refreshes["src"]!);
  const ms = (list: number[]) => list.map((s) => Math.round(s * 1000)).join(", ");
  ctx.log(`  top refresh: flow ${ms(refreshes["flow"]!)} ms, src ${ms(refreshes["src"]!)} ms`);
  return {
    name,
    entries: formatCount(size),
    ours: `${Math.round(Math.max(...refreshes["flow"]!) * 1000)} / ${Math.round(Math.max(...refreshes["src"]!) * 1000)} ms (worst of ${runs})`,
    theirs: "—",
    ratio: "—",
    target,
    verdict: worst <= REFRESH_LIMIT_SECONDS ? "PASS" : "FAIL",
    rss: "—",
  };
}

export const viewsCase: BenchCase = {
  name: "views",
  steps: (options) => [
    {
      size: 0,
      run: (ctx) =>
        ctx.ownTable("views", options.viewSize, async (table) => {
          fill(ctx, table, options.viewSize);
          const rows = [topRow(ctx, table, options.viewSize, options.quick ? 1 : 3)];
          // The default, and with the top-N metrics (a map of every source and destination per scrape).
          rows.push(await metricsRow(ctx, table, options.viewSize, options.scrapes, []));
          rows.push(await metricsRow(ctx, table, options.viewSize, options.scrapes, ["--top", "10"]));
          return rows;
        }),
    },
  ],
};
