/**
 * Stats mode (`Stats { }`, src/stats-mode.c): no peer; a cache of this node's flows from a dump
 * plus events, and one line in the stats LogFile for every flow that ends, in conntrackd's
 * format: ctime(3), a tab, the flow as `conntrack -L` prints it (no timeout).
 */
import { appendFileSync } from "node:fs";
import type { Socket } from "node:net";
import { Conntrack, type ConntrackAttrs } from "@tsconntrack/conntrack";
import { formatConntrackText, formatConntrackXml } from "tsconntrack/format";
import { FlowCache, nowSeconds } from "./cache.js";
import type { DaemonConfig } from "./config/types.js";
import { REQ } from "./control/commands.js";
import { ControlServer } from "./control/server.js";
import { cacheStatsExtendedText, cacheStatsText, runtimeStatsText, trafficText, type RuntimeStats } from "./control/text.js";
import { compileFlowFilter } from "./filter.js";
import { ctimeNow, type Logger } from "./log.js";
import { flowToNta, ntaKey } from "./wire/flow.js";
import { cached, familyOf } from "./flow-view.js";

const NTA_OPTIONS = { tcpWindowTracking: false, commitTimeout: false };


export class StatsDaemon {
  readonly cache: FlowCache<ConntrackAttrs>;
  private readonly control: ControlServer;
  private readonly ct: Conntrack;
  private events: ReturnType<Conntrack["events"]> | undefined;
  private readonly filter: (flow: ConntrackAttrs) => boolean;
  private readonly runtime: RuntimeStats;
  private traffic = { bytes: 0n, packets: 0n };
  private stopped = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly config: DaemonConfig;
  private readonly log: Logger;
  private readonly onKill: () => void;

  constructor(config: DaemonConfig, log: Logger, onKill: () => void) {
    this.config = config;
    this.log = log;
    this.onKill = onKill;
    const g = config.general;
    this.cache = new FlowCache({ name: "stats", hashSize: g.hashSize, hashLimit: g.hashLimit });
    this.control = new ControlServer(g.unixPath);
    this.ct = Conntrack.open();
    this.filter = compileFlowFilter(g.filter);
    this.runtime = {
      startTime: nowSeconds(), eventsReceived: 0, eventsFiltered: 0, eventsUnknownType: 0, catchEventFailed: 0,
      dumpUnknownType: 0, overrun: 0, kernelTableFlush: 0, kernelTableResync: 0, bufferSize: g.netlinkBufferSize,
      childFailed: 0, childSegfault: 0, childTermsig: 0, selectFailed: 0, waitFailed: 0, localReadFailed: 0,
      localUnknownRequest: 0,
    };
  }

  async start(): Promise<void> {
    await this.control.listen((request, socket) => this.handle(request, socket));
    const g = this.config.general;
    const sized = g.netlinkBufferSize !== 0 && g.netlinkBufferSize <= g.netlinkBufferSizeMaxGrowth;
    if (g.pollSecs === 0) {
      this.events = this.ct.events(sized ? { receiveBufferSize: g.netlinkBufferSize } : {});
      if (g.filter !== undefined) this.log.notice(g.filter.fromKernelspace ? "using kernel-space event filtering" : "using user-space event filtering");
      this.runtime.bufferSize = sized ? g.netlinkBufferSize : this.events.receiveBufferSize;
      this.log.notice(`netlink event socket buffer size has been set to ${this.runtime.bufferSize} bytes`);
    } else this.log.notice("running in polling mode");
    this.populate();
    if (this.events) void this.loop();
    else {
      this.pollTimer = setInterval(() => this.poll(), g.pollSecs * 1000);
      this.pollTimer.unref();
    }
  }

  private populate(): void {
    this.ct.listSync({}, (flow) => {
      if (!this.filter(flow)) return;
      const value = cached(flow, true);
      this.cache.updateForce(value, flowToNta(value, NTA_OPTIONS), (old, v) => ({ ...old, ...v }));
    });
  }

  /** stats_purge + stats_resync: flows gone from the kernel are logged, the rest refreshed. */
  private poll(): void {
    if (this.stopped) return;
    const seen = new Set<string>();
    const flows: ConntrackAttrs[] = [];
    this.ct.listSync({}, (flow) => {
      if (!this.filter(flow)) return;
      const value = cached(flow, true);
      seen.add(ntaKey(flowToNta(value, NTA_OPTIONS)));
      flows.push(value);
    });
    for (const obj of [...this.cache.objects()]) {
      if (seen.has(obj.key)) continue;
      this.cache.del(obj);
      this.logFlow(obj.value);
    }
    for (const value of flows) this.cache.updateForce(value, flowToNta(value, NTA_OPTIONS), (old, v) => ({ ...old, ...v }));
  }

  private async loop(): Promise<void> {
    try {
      for await (const event of this.events!) {
        if (this.stopped) return;
        if (event.kind === "overrun") {
          this.runtime.overrun++;
          continue;
        }
        if (event.kind !== "new" && event.kind !== "update" && event.kind !== "destroy") continue;
        this.runtime.eventsReceived++;
        if (!this.filter(event.flow)) {
          this.runtime.eventsFiltered++;
          continue;
        }
        const { timeout: _t, ...flow } = event.flow;
        const nta = flowToNta(flow, NTA_OPTIONS);
        if (event.kind === "new") {
          if (!this.cache.find(nta)) this.cache.add(flow, nta);
        } else if (event.kind === "update") {
          this.cache.updateForce(flow, nta, (old, v) => ({ ...old, ...v }));
        } else {
          const obj = this.cache.find(nta);
          if (!obj) continue;
          this.cache.del(obj);
          this.logFlow(flow);
          const low = (v: bigint | undefined): bigint => BigInt.asUintN(32, v ?? 0n);
          this.traffic.bytes += low(flow.countersOrig?.bytes) + low(flow.countersReply?.bytes);
          this.traffic.packets += low(flow.countersOrig?.packets) + low(flow.countersReply?.packets);
        }
      }
    } catch (error) {
      if (!this.stopped) this.log.error(`netlink event socket failed: ${(error as Error).message}`);
    }
  }

  /** dlog_ct(STATE(stats_log), ct, NFCT_O_PLAIN). */
  private logFlow(flow: ConntrackAttrs): void {
    const path = this.config.stats.logFile;
    if (path === "") return;
    const line = formatConntrackText(flow, { family: familyOf(flow) }, { nowSec: nowSeconds() });
    try {
      appendFileSync(path, `${ctimeNow()}\t${line}\n`);
    } catch (error) {
      this.log.error(`can't write the stats log: ${(error as Error).message}`);
    }
  }

  private async handle(request: number, socket: Socket): Promise<void> {
    const reply = (text: string): void => {
      if (text) socket.write(text);
    };
    const now = nowSeconds();
    switch (request) {
      case REQ.KILL:
        this.log.notice("---- shutdown received ----");
        this.stop();
        this.onKill();
        return;
      case REQ.STATS_RUNTIME:
        this.runtime.localReadFailed = this.control.readFailed;
        reply(runtimeStatsText(this.runtime, now));
        break;
      case REQ.CT_FLUSH_MASTER:
      case REQ.ALL_FLUSH_MASTER:
        this.runtime.kernelTableFlush++;
        this.log.notice("flushing kernel conntrack table");
        await this.ct.deleteMatching({ predicate: (f) => this.filter(f) }).catch((e: Error) => this.log.error(e.message));
        break;
      case REQ.CT_RESYNC_MASTER:
      case REQ.ALL_RESYNC_MASTER:
        this.runtime.kernelTableResync++;
        this.log.notice("resync with master conntrack table");
        this.populate();
        break;
      case REQ.CT_DUMP_INTERNAL:
      case REQ.CT_DUMP_INT_XML: {
        let out = "";
        for (const obj of this.cache.objects()) {
          const ctx = { family: familyOf(obj.value) };
          out += request === REQ.CT_DUMP_INT_XML
            ? formatConntrackXml(obj.value, ctx, { nowSec: now }) + "\n"
            : formatConntrackText(obj.value, ctx, { nowSec: now }) + ` [active since ${now - obj.lifetime}s]\n`;
        }
        reply(out);
        break;
      }
      case REQ.CT_FLUSH_CACHE:
      case REQ.CT_FLUSH_INT_CACHE:
        this.log.notice("flushing caches");
        this.cache.flush();
        break;
      case REQ.STATS:
        reply(cacheStatsText("stats", this.cache.stats) + trafficText(this.traffic.bytes, this.traffic.packets));
        break;
      case REQ.STATS_CACHE:
        reply(cacheStatsExtendedText("stats", this.cache.stats, this.cache.size));
        break;
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.control.close();
    if (this.pollTimer !== undefined) clearInterval(this.pollTimer);
    this.events?.close();
    this.ct.close();
  }
}

/** Starts stats mode for main(): lock file, daemon, signals, as the sync daemon does. */
export async function runStats(config: DaemonConfig, log: Logger, background: boolean, report?: (error?: string) => void): Promise<void> {
  const { runDaemonLifecycle } = await import("./lifecycle.js");
  // Stats mode ends with status 0 however it ends (the daemon's own end, a signal, an internal error).
  const options = { background, report, fatalStatus: 0, ignoreSigpipe: false };
  const started = await runDaemonLifecycle(config, log, options, (finish) => new StatsDaemon(config, log, () => finish(0)));
  if (!started) throw new StatsExit(1);
}

/** Exit status for main(). */
export class StatsExit extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`exit ${code}`);
    this.code = code;
  }
}
