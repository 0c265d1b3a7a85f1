// `tsconntrack metrics`: the table's size and limits, per-CPU statistics, flows by protocol/state and
// zone, optional top sources/destinations (capped) and, while serving, event and overrun counts, in
// the Prometheus / OpenMetrics text format (prom-client). `--once` prints one exposition; `--listen
// ADDR:PORT` serves /metrics and reads the kernel at every scrape (concurrent scrapes share one reading).

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Conntrack, FlowFilter } from "@tsconntrack/conntrack";
import type { ParsedCommand, ParseResult } from "../args/types.js";
import { flowFilterFor } from "../commands/flow-filter.js";
import type { Cli } from "../commands/cli.js";
import { kernelErrno, failOnKernelError } from "../commands/errors.js";
import { MESSAGE_PREFIX, PROGRAM_NAME } from "../io/identity.js";
import { openConntrack } from "../io/session.js";
import { writeStderr } from "../io/output.js";
import { capturesNeedOnce, integerOption, startSubcommand, usageFailure, type OwnOption } from "./subcommand-args.js";
import { MetricSet, type EventCounts, type ExpositionFormat, type PromClient } from "./metrics-registry.js";
import { takeSnapshot, TOP_LABEL_CAP } from "./metrics-snapshot.js";
import { parseListenAddress, type ListenAddress } from "./listen-address.js";

const OWN_OPTIONS: readonly OwnOption[] = [
  { name: "listen", value: true },
  { name: "once", value: false },
  { name: "top", value: true },
  { name: "openmetrics", value: false },
  { name: "no-events", value: false },
];

export const METRICS_USAGE = `Usage: ${PROGRAM_NAME} metrics (--listen ADDR:PORT | --once) [options] [-L filters]
Prometheus/OpenMetrics exposition of the conntrack table.
  --listen ADDR:PORT   serve /metrics (127.0.0.1:9466, [::1]:9466, :9466 for every address; port 0 picks one)
  --once               print one exposition on stdout and exit
  --openmetrics        with --once: OpenMetrics 1.0 text instead of Prometheus text 0.0.4
  --top N              flows of the N busiest sources and destinations (0..${TOP_LABEL_CAP}, default 0: off)
  --no-events          do not count events (conntrack_events_total, conntrack_event_overruns_total)
  --netns NAME         the table of another network namespace
  -L's filters (-p tcp --dport 443, -m 3, -s 10.0.0.0/8, -w 5, ...) narrow the flow metrics.
`;

export async function runSubcommand(args: readonly string[], cli: Cli, parse: (args: readonly string[]) => ParseResult): Promise<number> {
  const started = startSubcommand("metrics", args, OWN_OPTIONS, parse, METRICS_USAGE, cli);
  if (typeof started === "number") return started;
  const { cmd, own } = started;
  const once = own.has("once");
  const listenText = own.get("listen");
  if (once === (listenText !== undefined)) return usageFailure("metrics", "give either --listen ADDR:PORT or --once");
  if (cmd.output.json || cmd.output.ndjson) return usageFailure("metrics", "-o is not an option of metrics");
  const top = integerOption(String(own.get("top") ?? "0"), 0, TOP_LABEL_CAP);
  if (top === undefined) return usageFailure("metrics", `--top takes a number from 0 to ${TOP_LABEL_CAP}`);
  let listen: ListenAddress | undefined;
  if (listenText !== undefined) {
    listen = parseListenAddress(String(listenText));
    if (listen === undefined) return usageFailure("metrics", `--listen wants ADDR:PORT, not \`${String(listenText)}'`);
  }
  // Serving would answer the second scrape from nothing.
  if (capturesNeedOnce(cmd, once)) return usageFailure("metrics", "--record and --replay work with --once only");
  const prom = await import("prom-client");
  const ct = openConntrack(cmd);
  const filter = flowFilterFor(cmd, "list");
  try {
    if (once) return await printOnce(prom, ct, filter, top, own.has("openmetrics") ? "openmetrics" : "prometheus", cli, cmd);
    // One reading before serving: a refusal (no CAP_NET_ADMIN) is reported now, not at the first scrape.
    await takeSnapshot(ct, filter, top);
    return await serve(prom, ct, filter, top, !own.has("no-events"), listen!);
  } catch (error) {
    return failOnKernelError(error, cmd, "stderr");
  } finally {
    ct.close();
  }
}

async function printOnce(prom: PromClient, ct: Conntrack, filter: FlowFilter, top: number, format: ExpositionFormat, cli: Cli, cmd: ParsedCommand): Promise<number> {
  const set = new MetricSet(prom, format, false);
  try {
    set.apply(await takeSnapshot(ct, filter, top), undefined);
  } catch (error) {
    return failOnKernelError(error, cmd, cli);
  }
  cli.out.write(await set.text());
  cli.out.finish("", cli.stdoutIsTty);
  return 0;
}

/** Counts flow events on the API's event stream until closed. */
function countEvents(ct: Conntrack, filter: FlowFilter, counts: { new: number; update: number; destroy: number; overruns: number }): () => void {
  const events = ct.events({ filter });
  let closed = false;
  void (async () => {
    try {
      for await (const event of events) {
        if (event.kind === "new" || event.kind === "update" || event.kind === "destroy") counts[event.kind]++;
        else if (event.kind === "overrun") counts.overruns++;
      }
    } catch (error) {
      if (!closed) writeStderr(`${MESSAGE_PREFIX}metrics: the event stream failed (${describe(error)}); event counters stop\n`);
    }
  })();
  return () => {
    closed = true;
    events.close();
  };
}

function describe(error: unknown): string {
  const errno = kernelErrno(error);
  if (errno !== undefined) return (error as { code?: string }).code ?? `errno ${errno}`;
  return error instanceof Error ? error.message : String(error);
}

async function serve(prom: PromClient, ct: Conntrack, filter: FlowFilter, top: number, withEvents: boolean, listen: ListenAddress): Promise<number> {
  const sets = { prometheus: new MetricSet(prom, "prometheus", withEvents), openmetrics: new MetricSet(prom, "openmetrics", withEvents) };
  const counts = { new: 0, update: 0, destroy: 0, overruns: 0 };
  const stopEvents = withEvents ? countEvents(ct, filter, counts) : () => {};
  // Scrapes that arrive while the kernel is being read share that reading.
  let reading: Promise<void> | undefined;
  const read = (): Promise<void> =>
    (reading ??= (async () => {
      // A macrotask first, so the event loop drains the event socket and the counts are current.
      await new Promise((resolve) => setImmediate(resolve));
      const snapshot = await takeSnapshot(ct, filter, top);
      const events: EventCounts | undefined = withEvents ? { ...counts } : undefined;
      sets.prometheus.apply(snapshot, events);
      sets.openmetrics.apply(snapshot, events);
    })().finally(() => (reading = undefined)));
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET" && request.method !== "HEAD") return reply(response, 405, "text/plain", "method not allowed\n");
    if (path === "/") return reply(response, 200, "text/html", '<html><body><a href="/metrics">/metrics</a></body></html>\n');
    if (path !== "/metrics") return reply(response, 404, "text/plain", "not found: try /metrics\n");
    const set = (request.headers.accept ?? "").includes("application/openmetrics-text") ? sets.openmetrics : sets.prometheus;
    try {
      await read();
      reply(response, 200, set.contentType, request.method === "HEAD" ? "" : await set.text());
    } catch (error) {
      writeStderr(`${MESSAGE_PREFIX}metrics: scrape failed: ${describe(error)}\n`);
      reply(response, 500, "text/plain", `scrape failed: ${describe(error)}\n`);
    }
  };
  const server = createServer((request, response) => void handle(request, response));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(listen.port, listen.host, () => resolve());
    });
  } catch (error) {
    stopEvents();
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    writeStderr(`${MESSAGE_PREFIX}metrics: cannot listen on ${listen.text}: ${code}\n`);
    return 1;
  }
  const address = server.address();
  const bound = typeof address === "object" && address !== null ? (address.family === "IPv6" ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`) : listen.text;
  writeStderr(`${PROGRAM_NAME} metrics: serving http://${bound}/metrics\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.removeListener("SIGINT", stop);
      process.removeListener("SIGTERM", stop);
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  stopEvents();
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return 0;
}

function reply(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
  response.end(body);
}
