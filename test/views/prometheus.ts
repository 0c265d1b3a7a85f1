// A real Prometheus (Debian's package) for the tests: started by the test inside a namespace of its own
// choosing, on that namespace's loopback, with its data in a temporary directory; stopped by pid. Its
// HTTP API is asked from inside the namespace with curl (the test runs in another namespace).

import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exec, spawnInNetns } from "../support/netns.js";
import { BIN } from "./live-netns.js";

export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

export class Prometheus {
  private readonly dir: string;
  private child: ChildProcess | undefined;
  private readonly ns: string;
  private readonly port: number;
  private log = "";

  private constructor(ns: string, port: number) {
    this.ns = ns;
    this.port = port;
    this.dir = mkdtempSync(join(tmpdir(), "tsct-prometheus-"));
  }

  /** Starts Prometheus in `ns` with `config` (prometheus.yml text) and waits until it is ready. */
  static async start(ns: string, config: string, port = 9090): Promise<Prometheus> {
    const prometheus = new Prometheus(ns, port);
    try {
      const file = join(prometheus.dir, "prometheus.yml");
      writeFileSync(file, config);
      const child = await spawnInNetns(ns, "prometheus", [
        `--config.file=${file}`,
        `--storage.tsdb.path=${join(prometheus.dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=warn",
      ]);
      prometheus.child = child;
      child.stderr?.on("data", (chunk: Buffer) => (prometheus.log += chunk.toString()));
      await prometheus.until(() => exec(ns, "curl", ["-sf", `http://127.0.0.1:${port}/-/ready`]).status === 0, "Prometheus to be ready", 30_000);
      return prometheus;
    } catch (error) {
      prometheus.stop();
      throw error;
    }
  }

  /** An instant query through the HTTP API. */
  query(expression: string): Sample[] {
    const run = exec(this.ns, "curl", ["-sf", "--data-urlencode", `query=${expression}`, `http://127.0.0.1:${this.port}/api/v1/query`]);
    if (run.status !== 0) throw new Error(`query ${expression}: curl exited ${run.status}: ${run.stderr}\n${this.log}`);
    const body = JSON.parse(run.stdout) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== "success") throw new Error(`query ${expression}: ${run.stdout}`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** The targets' health as Prometheus sees it. */
  targets(): { scrapeUrl: string; health: string; lastError: string }[] {
    const run = exec(this.ns, "curl", ["-sf", `http://127.0.0.1:${this.port}/api/v1/targets`]);
    return (JSON.parse(run.stdout) as { data: { activeTargets: { scrapeUrl: string; health: string; lastError: string }[] } }).data.activeTargets;
  }

  async until(test: () => boolean, what: string, timeoutMs = 40_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${this.log}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  stop(): void {
    const child = this.child;
    if (child?.pid !== undefined && child.exitCode === null) child.kill("SIGTERM");
    this.child = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface Exporter {
  readonly port: number;
  readonly child: ChildProcess;
  stop(): void;
}

/** `tsconntrack metrics --listen 127.0.0.1:0 ARGS` in `ns`; resolves with the port it serves. */
export async function startExporter(ns: string, args: readonly string[]): Promise<Exporter> {
  const child = await spawnInNetns(ns, BIN, ["metrics", "--listen", "127.0.0.1:0", ...args]);
  const port = await new Promise<number>((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`metrics did not start: ${err}`)), 15_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      const match = /serving http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(err);
      if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`metrics exited ${code}: ${err}`));
    });
  });
  return { port, child, stop: () => void (child.exitCode === null && child.kill("SIGTERM")) };
}

/** A scrape config for one job of static targets, scraped every second. */
export function scrapeConfig(targets: readonly string[]): string {
  return `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: conntrack\n    static_configs:\n      - targets: [${targets.map((t) => `"${t}"`).join(", ")}]\n`;
}
