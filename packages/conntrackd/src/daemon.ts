/**
 * The sync daemon: the internal cache (this node's flows, from a dump plus events), the external
 * cache (flows learned from peers), a dedicated link, a sync mode, and the control socket. The
 * behaviour follows conntrackd 1.4.7's src/sync-mode.c, src/ctnl.c, src/run.c and the caches'
 * files; the kernel is reached only through @tsconntrack/conntrack.
 */
import type { Socket } from "node:net";
import { Conntrack, type ConntrackAttrs, type ConntrackEvent } from "@tsconntrack/conntrack";
import { formatConntrackText, formatConntrackXml } from "tsconntrack/format";
import { FlowCache, nowSeconds, type CacheObject } from "./cache.js";
import type { DaemonConfig } from "./config/types.js";
import { Channel } from "./channel/channel.js";
import { linkStatus, type Link } from "./channel/link.js";
import { TcpChannel } from "./channel/tcp.js";
import { REQ } from "./control/commands.js";
import { ControlServer } from "./control/server.js";
import {
  cacheStatsExtendedText, cacheStatsText, linkStatsText, messageTrackingText, networkStatsText,
  newSyncErrors, queueStatsText, runtimeStatsText, trafficText, type RuntimeStats, type SyncErrors,
} from "./control/text.js";
import { compileFlowFilter, type FlowPredicate } from "./filter.js";
import { cached, familyOf } from "./flow-view.js";
import type { Logger } from "./log.js";
import { CtlNode, Queue } from "./queue.js";
import { FtfwMode } from "./sync/ftfw.js";
import { Alarm, SequenceTracker, type InternalObject, type SyncHost, type SyncMode } from "./sync/mode.js";
import { NotrackMode } from "./sync/notrack.js";
import { AlarmMode } from "./sync/alarm.js";
import { bypassStatsText, ExternalInject } from "./inject.js";
import { commitFlow, flowToNta, ntaKey, ntaToFlow, type BuildOptions } from "./wire/flow.js";
import {
  checkExpectMessage, decodeStateMessage, encodeStateMessage, NET_T, PROTOCOL_VERSION, splitDatagram,
  type MalformedReason,
} from "./wire/message.js";
import type { NtaAttrs } from "./wire/nta.js";


export interface DaemonOptions {
  /** Run inside this `ip netns` namespace (tests). */
  netns?: string;
  /** Called when `-k` asks the daemon to stop (after everything is closed). */
  onKill?: () => void;
}

export class SyncDaemon implements SyncHost {
  readonly internal: FlowCache<ConntrackAttrs>;
  readonly external: FlowCache<NtaAttrs>;
  readonly txQueue: Queue;
  readonly errorQueue: Queue;
  readonly errors: SyncErrors = newSyncErrors();
  readonly seq: SequenceTracker;
  readonly windowSize: number;
  readonly resendQueueSize: number;
  readonly runtime: RuntimeStats;
  private mode!: SyncMode;
  private channels: Link[] = [];
  private current: Link | undefined;
  private readonly control: ControlServer;
  private ct: Conntrack;
  /** Requests that change the kernel (commit, flush): their events are not sent back out. */
  private commitCt: Conntrack;
  private events: ReturnType<Conntrack["events"]> | undefined;
  private curSeq: number | undefined;
  private readonly buildOptions: BuildOptions;
  private readonly filter: FlowPredicate;
  private readonly resetAlarm: Alarm;
  private readonly overrunAlarm: Alarm;
  private commitInProgress = false;
  private linkWatch: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  /** `DisableInternalCache on` (NOTRACK): events go out as they come, nothing is cached. */
  readonly bypass: boolean;
  private readonly bypassStats = { new: 0, upd: 0, del: 0 };
  /** `DisableExternalCache on`: the peer's flows go straight into the kernel. */
  private readonly inject: ExternalInject | undefined;
  private readonly injectCt: Conntrack | undefined;
  /** Injections run one after another, in the order the messages came. */
  private injectChain: Promise<void> = Promise.resolve();
  private traffic = { bytes: 0n, packets: 0n };
  private xmitScheduled = false;
  private stopped = false;

  readonly config: DaemonConfig;
  readonly log: Logger;
  private readonly options: DaemonOptions;

  constructor(config: DaemonConfig, log: Logger, options: DaemonOptions = {}) {
    this.config = config;
    this.log = log;
    this.options = options;
    this.control = new ControlServer(config.general.unixPath);
    const g = config.general;
    this.internal = new FlowCache({ name: "internal", hashSize: g.hashSize, hashLimit: g.hashLimit });
    this.external = new FlowCache({ name: "external", hashSize: g.hashSize, hashLimit: g.hashLimit });
    this.txQueue = new Queue("txqueue", 2147483647, () => this.scheduleXmit());
    this.errorQueue = new Queue("errorq", config.sync.channels.find((ch) => ch.type === "tcp")?.errorQueueLength ?? 128);
    this.seq = new SequenceTracker(this.errors);
    // An object leaving the cache leaves its queue too (cache_notrack_del, cache_ftfw_del).
    this.internal.onRemove = (obj) => obj.owner?.del(obj);
    this.windowSize = config.windowSize;
    this.resendQueueSize = config.resendQueueSize;
    this.buildOptions = { tcpWindowTracking: config.sync.tcpWindowTracking, commitTimeout: config.commitTimeout !== 0 };
    this.filter = compileFlowFilter(g.filter);
    const netns = options.netns === undefined ? {} : { netns: options.netns };
    this.ct = Conntrack.open(netns);
    this.commitCt = Conntrack.open(netns);
    this.bypass = config.sync.disableInternalCache;
    if (config.sync.disableExternalCache) {
      this.injectCt = Conntrack.open(netns);
      this.inject = new ExternalInject(this.injectCt, log, config.sync.tcpWindowTracking);
    }
    this.resetAlarm = new Alarm(() => void this.scheduledFlush());
    this.overrunAlarm = new Alarm(() => void this.resyncWithKernel(true));
    this.runtime = {
      startTime: nowSeconds(), eventsReceived: 0, eventsFiltered: 0, eventsUnknownType: 0, catchEventFailed: 0,
      dumpUnknownType: 0, overrun: 0, kernelTableFlush: 0, kernelTableResync: 0, bufferSize: g.netlinkBufferSize,
      childFailed: 0, childSegfault: 0, childTermsig: 0, selectFailed: 0, waitFailed: 0, localReadFailed: 0,
      localUnknownRequest: 0,
    };
  }

  // SyncHost.

  nextSeq(): number {
    // The first message is numbered with time(NULL), then one more per message (src/network.c).
    if (this.curSeq === undefined) this.curSeq = nowSeconds();
    const seq = this.curSeq >>> 0;
    this.curSeq = (this.curSeq + 1) >>> 0;
    return seq;
  }

  buildObjectMessage(obj: InternalObject): Uint8Array {
    const type = obj.status === "dead" ? NET_T.STATE_CT_DEL : obj.status === "alive" ? NET_T.STATE_CT_UPD : NET_T.STATE_CT_NEW;
    return encodeStateMessage(type, this.nextSeq(), flowToNta(obj.value, this.buildOptions));
  }

  send(message: Uint8Array): void {
    this.current?.send(message);
  }

  private scheduleXmit(): void {
    if (this.xmitScheduled) return;
    this.xmitScheduled = true;
    setImmediate(() => {
      this.xmitScheduled = false;
      if (this.stopped) return;
      this.mode.xmit();
      this.current?.flush();
    });
  }

  // Start and stop.

  /** init(): control socket, caches from a table dump, events, the dedicated link. Throws Error with 1.4.7's text. */
  async start(): Promise<void> {
    const c = this.config;
    const mode = c.sync.mode ?? "ftfw";
    if (c.sync.mode === undefined) this.log.warning("No synchronization mode specified. Defaulting to FT-FW mode.");
    if (this.bypass) this.log.notice("disabling internal cache");
    if (this.inject) this.log.notice("disabling external cache");
    this.mode = mode === "ftfw" ? new FtfwMode(this) : mode === "alarm" ? new AlarmMode(this, c, this.external) : new NotrackMode(this);

    await this.control.listen((request, socket) => this.handleRequest(request, socket));

    // Subscribe before the dump, so no event between the two is lost (1.4.7 dumps first).
    const g = c.general;
    const sized = g.netlinkBufferSize !== 0 && g.netlinkBufferSize <= g.netlinkBufferSizeMaxGrowth;
    // 1.4.7 asks for half (the kernel doubles it); we ask for the whole size, or the API's 64 MiB
    // default when the file gives none, because a bigger buffer only loses fewer events.
    if (g.pollSecs === 0) {
      this.events = this.ct.events(sized ? { receiveBufferSize: g.netlinkBufferSize } : {});
      if (g.filter !== undefined) this.log.notice(g.filter.fromKernelspace ? "using kernel-space event filtering" : "using user-space event filtering");
      if (!sized) {
        this.log.notice("NetlinkBufferSize is either not set or is greater than NetlinkBufferSizeMaxGrowth. Using current system buffer size");
      }
      const granted = sized ? g.netlinkBufferSize : this.events.receiveBufferSize;
      this.runtime.bufferSize = granted;
      this.log.notice(`netlink event socket buffer size has been set to ${granted} bytes`);
    } else this.log.notice("running in polling mode");
    if (!this.bypass) {
      try {
        this.dumpIntoInternal("populate");
      } catch {
        throw new Error("can't get kernel conntrack table");
      }
    }
    for (const config of c.sync.channels) {
      try {
        let link: Link | undefined;
        const onData = (data: Uint8Array): void => this.onDatagram(data, link);
        if (config.type === "tcp") link = await TcpChannel.open(config, this.errorQueue, onData);
        else {
          const udp = await Channel.open(config, onData);
          for (const warning of udp.warnings) this.log.warning(warning);
          link = udp;
        }
        this.channels.push(link);
      } catch (error) {
        throw new Error(`can't open channel socket: ${(error as Error).message}`);
      }
    }
    this.current = this.channels.find((ch) => ch.config.isDefault) ?? this.channels[0];
    if (this.current === undefined) throw new Error("can't open channel socket: No such device");
    if (this.events) void this.eventLoop();
    else {
      // do_polling_alarm: every PollSecs, flows gone from the kernel are sent as deleted and
      // every flow still there is sent again (NEW, or UPD once updated), as a resync does.
      this.pollTimer = setInterval(() => this.poll(), g.pollSecs * 1000);
      this.pollTimer.unref();
    }
    if (this.channels.length > 1) {
      // interface_handler: 1.4.7 hears link events; a once-a-second look at the link does as well.
      this.linkWatch = setInterval(() => this.checkLink(), 1000);
      this.linkWatch.unref();
    }
    if (c.sync.startupResync) {
      this.log.notice("resync requested");
      this.txQueue.add(new CtlNode(0x02, 0, 0));
    }
  }

  /** killer(): closes everything; the caller removes the lock file and exits. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.mode?.stop();
    this.resetAlarm.del();
    this.overrunAlarm.del();
    this.control.close();
    if (this.linkWatch !== undefined) clearInterval(this.linkWatch);
    if (this.pollTimer !== undefined) clearInterval(this.pollTimer);
    for (const ch of this.channels) ch.close();
    this.events?.close();
    this.ct.close();
    this.commitCt.close();
    this.injectCt?.close();
  }

  // The kernel side.

  /** nl_dump_conntrack_table into the internal cache: populate (start-up, -R) or resync (overrun). */
  private dumpIntoInternal(how: "populate" | "resync"): void {
    this.ct.listSync({}, (flow) => {
      if (!this.filter(flow)) return;
      const value = cached(flow, false);
      const obj = this.internal.updateForce(value, flowToNta(value, this.buildOptions), (old, v) => ({ ...old, ...v }));
      if (how === "resync" && obj) this.mode.enqueue(obj);
    });
  }

  private async resyncWithKernel(overrun: boolean): Promise<void> {
    if (overrun) this.runtime.kernelTableResync++;
    try {
      this.dumpIntoInternal("resync");
    } catch {
      this.log.error("can't dump kernel table");
    }
  }

  private async eventLoop(): Promise<void> {
    const events = this.events!;
    const commitPort = (): number => this.commitCt.transport.portId;
    try {
      for await (const event of events) {
        if (this.stopped) return;
        this.onEvent(event, commitPort);
      }
    } catch (error) {
      if (!this.stopped) this.log.error(`netlink event socket failed: ${(error as Error).message}`);
    }
  }

  private onEvent(event: ConntrackEvent, commitPort: () => number): void {
    if (event.kind === "overrun") {
      this.runtime.overrun++;
      const resync = this.config.general.netlinkOverrunResync;
      if (resync > 0 && !this.overrunAlarm.pending) this.overrunAlarm.add(resync);
      return;
    }
    if (event.kind !== "new" && event.kind !== "update" && event.kind !== "destroy") {
      this.runtime.eventsUnknownType++;
      return;
    }
    this.runtime.eventsReceived++;
    const flow = event.flow;
    if (!this.filter(flow)) {
      this.runtime.eventsFiltered++;
      return;
    }
    const pid = event.header.pid;
    // Injected flows (origin INJECT) are neither cached nor sent.
    if (pid !== 0 && this.injectCt !== undefined && pid === this.injectCt.transport.portId) return;
    // Our own commits and flushes (origin COMMIT/FLUSH) update the cache but are not sent.
    const mine = pid !== 0 && pid === commitPort();
    if (this.bypass) {
      if (mine) return;
      const type = event.kind === "new" ? NET_T.STATE_CT_NEW : event.kind === "update" ? NET_T.STATE_CT_UPD : NET_T.STATE_CT_DEL;
      this.sendNow(type, flow);
      if (event.kind === "new") this.bypassStats.new++;
      else if (event.kind === "update") this.bypassStats.upd++;
      else this.bypassStats.del++;
      return;
    }
    const value = cached(flow, false);
    const nta = flowToNta(value, this.buildOptions);
    if (event.kind === "new") {
      const old = this.internal.find(nta);
      if (old) this.internal.del(old);
      const obj = this.internal.add(value, nta);
      if (obj && !mine) this.mode.enqueue(obj);
    } else if (event.kind === "update") {
      const obj = this.internal.updateForce(value, nta, (old, v) => ({ ...old, ...v }));
      if (obj && !mine) this.mode.enqueue(obj);
    } else {
      const obj = this.internal.find(nta);
      if (!obj) return;
      if (obj.status !== "dead") {
        // 1.4.7 sends the DEL with what it cached (the destroy event is not merged in).
        this.internal.setDead(obj);
        if (!mine) this.mode.enqueue(obj);
        this.internal.put(obj);
      }
      // update_traffic_stats: the low 32 bits of each counter, as nfct_get_attr_u32 reads them.
      const low = (v: bigint | undefined): bigint => BigInt.asUintN(32, v ?? 0n);
      this.traffic.bytes += low(flow.countersOrig?.bytes) + low(flow.countersReply?.bytes);
      this.traffic.packets += low(flow.countersOrig?.packets) + low(flow.countersReply?.packets);
    }
  }

  /** internal_cache_ct_purge + nl_send_resync, from one dump of the kernel table. */
  private poll(): void {
    if (this.stopped) return;
    const seen = new Set<string>();
    const flows: ConntrackAttrs[] = [];
    try {
      this.ct.listSync({}, (flow) => {
        if (!this.filter(flow)) return;
        const value = cached(flow, false);
        seen.add(ntaKey(flowToNta(value, this.buildOptions)));
        flows.push(value);
      });
    } catch (error) {
      this.log.error(`can't dump kernel table: ${(error as Error).message}`);
      return;
    }
    for (const obj of [...this.internal.objects()]) {
      if (obj.status === "dead" || seen.has(obj.key)) continue;
      this.internal.setDead(obj);
      this.mode.enqueue(obj);
      this.internal.put(obj);
    }
    for (const value of flows) {
      const obj = this.internal.updateForce(value, flowToNta(value, this.buildOptions), (old, v) => ({ ...old, ...v }));
      if (obj) this.mode.enqueue(obj);
    }
  }

  /** interface_handler / interface_candidate: when the active link goes down, take another. */
  private checkLink(): void {
    const current = this.current;
    if (current === undefined || linkStatus(current.ifname) === "RUNNING") {
      this.noLinkLogged = false;
      return;
    }
    for (const ch of this.channels) {
      if (ch.ifname === current.ifname) continue;
      // 1.4.7 takes the first with IFF_RUNNING or IFF_UP set.
      if (linkStatus(ch.ifname) !== "DOWN") {
        this.current = ch;
        this.log.notice(`device \`${ch.ifname}' becomes dedicated link`);
        return;
      }
    }
    // 1.4.7 says so at each link event; once per outage here.
    if (!this.noLinkLogged) this.log.error("no dedicated links available!");
    this.noLinkLogged = true;
  }
  private noLinkLogged = false;

  /** multichannel_send outside the transmit queue (bypass mode), flushed once this turn ends. */
  private sendNow(type: number, flow: ConntrackAttrs): void {
    this.send(encodeStateMessage(type, this.nextSeq(), flowToNta(flow, this.buildOptions)));
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.current?.flush();
      });
    }
  }
  private flushScheduled = false;

  /** kernel_resync (bypass mode's -B and resync requests): every kernel flow as NEW. */
  bypassBulk(): void {
    this.ct.listSync({}, (flow) => {
      if (this.filter(flow)) this.sendNow(NET_T.STATE_CT_NEW, flow);
    });
  }

  // The network side.

  private malformed(reason: MalformedReason): void {
    this.errors.malformed++;
    switch (reason) {
      case "truncated": this.errors.truncated++; break;
      case "bad-size": this.errors.badSize++; break;
      case "bad-version": this.errors.badVersion++; break;
      case "bad-header": this.errors.badHeader++; break;
      case "bad-payload": this.errors.badPayload++; break;
      case "bad-type": this.errors.badType++; break;
    }
  }

  /** channel_handler_routine + do_channel_handler_step. */
  onDatagram(datagram: Uint8Array, link?: Link): void {
    if (this.stopped) return;
    try {
      this.handleDatagram(datagram, link);
    } catch (error) {
      // Nothing a peer sends may stop the daemon: count it and go on.
      this.malformed("bad-payload");
      this.log.error(`dropped a sync datagram: ${(error as Error).message}`);
    }
  }

  private handleDatagram(datagram: Uint8Array, link: Link | undefined): void {
    for (const item of splitDatagram(datagram)) {
      if (item.kind === "malformed") {
        this.malformed(item.reason);
        continue;
      }
      const h = item.header;
      if (h.version !== PROTOCOL_VERSION) {
        this.malformed("bad-version");
        continue;
      }
      const verdict = this.mode.recv(h);
      // multichannel_change_current_channel: answer on the link the peer uses.
      if ((verdict === "data" || verdict === "ctl") && link !== undefined) this.current = link;
      if (verdict === "ctl" || verdict === "drop") continue;
      if (verdict === "bad") {
        this.malformed("bad-header");
        continue;
      }
      if (h.type > NET_T.STATE_MAX) {
        this.malformed("bad-type");
        continue;
      }
      if (h.type >= NET_T.STATE_EXP_NEW) {
        // Expectations are not kept (no ExpectationSync); a broken one is still counted.
        if (!checkExpectMessage(item.bytes)) this.malformed("bad-payload");
        continue;
      }
      const decoded = decodeStateMessage(item.bytes);
      if (!decoded.ok) {
        this.malformed("bad-payload");
        continue;
      }
      this.onStateMessage(h.type, decoded.attrs);
    }
  }

  /** external_cache_ct_new / _upd / _del. */
  private onStateMessage(type: number, nta: NtaAttrs): void {
    const inject = this.inject;
    if (inject !== undefined) {
      const op = type === NET_T.STATE_CT_NEW ? () => inject.create(nta) : type === NET_T.STATE_CT_UPD ? () => inject.update(nta) : () => inject.remove(nta);
      this.injectChain = this.injectChain.then(op).catch((error: Error) => this.log.error(`inject: ${error.message}`));
      return;
    }
    const ext = this.external;
    if (type === NET_T.STATE_CT_NEW) {
      const old = ext.find(nta);
      if (old) ext.del(old);
      ext.add(nta, nta);
    } else if (type === NET_T.STATE_CT_UPD) {
      ext.updateForce(nta, nta, (old, v) => ({ ...old, ...v }));
    } else {
      const old = ext.find(nta);
      if (old) ext.del(old);
    }
  }

  // Commit.

  /** cache_ct_commit: masters first, then related flows; EEXIST is retried once after a delete. */
  async commit(): Promise<void> {
    // external_inject_ct_commit: nothing is cached, so nothing to commit.
    if (this.inject) return;
    const started = process.hrtime.bigint();
    const ok0 = this.external.stats.commitOk;
    const fail0 = this.external.stats.commitFail;
    const objects = [...this.external.objects()];
    const related = (o: CacheObject<NtaAttrs>): boolean => o.value.masterIpv4 !== undefined || o.value.masterIpv6 !== undefined;
    const ordered = [...objects.filter((o) => !related(o)), ...objects.filter(related)];
    const now = nowSeconds();
    const requests = ordered.map((obj) => {
      let timeout = this.config.commitTimeout;
      if (!timeout) {
        let elapsed = now - obj.lastUpdate;
        if (elapsed < 0) elapsed = 60;
        timeout = (obj.value.timeout ?? 0) - elapsed;
        if (timeout < 0) timeout = 60;
      }
      return commitFlow(obj.value, timeout, this.config.sync.tcpWindowTracking);
    });
    const results = requests.length ? await this.commitCt.create(requests) : [];
    const retry: ConntrackAttrs[] = [];
    results.forEach((r, i) => {
      if (r.ok) this.external.stats.commitOk++;
      else if (r.error?.code === "EEXIST") retry.push(requests[i]!);
      else {
        this.external.stats.commitFail++;
        this.log.error(`commit-create: ${r.error?.message ?? "failed"}`);
      }
    });
    if (retry.length) {
      const deleted = await this.commitCt.delete(retry.map((f) => ({ tupleOrig: f.tupleOrig!, ...(f.zone !== undefined ? { zone: f.zone } : {}) })));
      const again = retry.filter((_, i) => deleted[i]!.ok || deleted[i]!.error?.code === "ENOENT");
      deleted.forEach((d) => {
        if (!(d.ok || d.error?.code === "ENOENT")) {
          this.external.stats.commitFail++;
          this.log.error(`commit-destroy: ${d.error?.message ?? "failed"}`);
        }
      });
      const second = again.length ? await this.commitCt.create(again) : [];
      for (const r of second) {
        if (r.ok) this.external.stats.commitOk++;
        else {
          this.external.stats.commitFail++;
          this.log.error(`commit-create: ${r.error?.message ?? "failed"}`);
        }
      }
    }
    const ns = process.hrtime.bigint() - started;
    const sec = ns / 1_000_000_000n;
    const usec = (ns % 1_000_000_000n) / 1000n;
    const committed = this.external.stats.commitOk - ok0;
    const failed = this.external.stats.commitFail - fail0;
    this.log.notice(`Committed ${committed} new entries`);
    if (failed) this.log.notice(`${failed} entries can't be committed`);
    this.log.notice(`commit has taken ${sec}.${String(usec).padStart(6, "0")} seconds`);
  }

  /** nl_flush_conntrack_table_selective: deletes every kernel flow the filter keeps. */
  private async flushKernel(): Promise<void> {
    try {
      await this.commitCt.deleteMatching({ predicate: (flow) => this.filter(flow) });
    } catch (error) {
      this.log.error(`cannot flush kernel table: ${(error as Error).message}`);
    }
  }

  /** internal_bypass_ct_flush flushes the kernel table itself; the cache otherwise. */
  private async flushInternal(): Promise<void> {
    if (this.bypass) await this.flushKernel();
    else this.internal.flush();
  }

  private internalStats(extended: boolean): string {
    if (this.bypass) return bypassStatsText(this.bypassStats);
    return extended ? cacheStatsExtendedText("internal", this.internal.stats, this.internal.size) : cacheStatsText("internal", this.internal.stats);
  }

  private externalStats(extended: boolean): string {
    if (this.inject) return this.inject.statsText();
    return extended ? cacheStatsExtendedText("external", this.external.stats, this.external.size) : cacheStatsText("external", this.external.stats);
  }

  private async scheduledFlush(): Promise<void> {
    this.runtime.kernelTableFlush++;
    this.log.notice("flushing kernel conntrack table (scheduled)");
    await this.flushKernel();
    await this.flushInternal();
  }

  // Control socket.

  private dump(cache: "internal" | "external", xml: boolean): string {
    const now = nowSeconds();
    if (cache === "external" && this.inject) return "";
    if (cache === "internal" && this.bypass) {
      // internal_bypass_ct_dump: the kernel's table as conntrack -L prints it.
      let text = "";
      this.ct.listSync({}, (flow) => {
        if (!this.filter(flow)) return;
        const ctx = { family: familyOf(flow) };
        text += (xml ? formatConntrackXml(flow, ctx, { nowSec: now }) : formatConntrackText(flow, ctx, { nowSec: now })) + "\n";
      });
      return text;
    }
    // 1.4.7 writes the flows only, one per line, without an XML declaration or a root element.
    let out = "";
    const ftfw = this.mode.name === "ftfw";
    const objects = cache === "internal"
      ? [...this.internal.objects()].map((o) => ({ flow: o.value, obj: o as CacheObject<unknown> }))
      : [...this.external.objects()].map((o) => ({ flow: ntaToFlow(o.value), obj: o as CacheObject<unknown> }));
    for (const { flow, obj } of objects) {
      if (ftfw && obj.status === "dead") continue;
      const ct = cached(flow, true);
      const ctx = { family: familyOf(ct) };
      if (xml) out += formatConntrackXml(ct, ctx, { nowSec: now }) + "\n";
      else out += formatConntrackText(ct, ctx, { nowSec: now }) + this.mode.dumpSuffix(obj, now) + ` [active since ${now - obj.lifetime}s]\n`;
    }
    return out;
  }

  private linkText(): string {
    const ch = this.current;
    return ch ? linkStatsText(ch.statsTitle(), ch.linkStats()) : "";
  }

  /** local_handler (run.c) → ctnl_local (ctnl.c) → local_handler_sync (sync-mode.c) → the mode's. */
  async handleRequest(request: number, socket: Socket): Promise<void> {
    const reply = (text: string): void => {
      if (text) socket.write(text);
    };
    try {
      switch (request) {
        case REQ.KILL:
          socket.end();
          this.kill();
          return;
        case REQ.STATS_RUNTIME:
          this.runtime.localReadFailed = this.control.readFailed;
          reply(runtimeStatsText(this.runtime, nowSeconds()));
          break;
        case REQ.STATS_PROCESS:
          break;
      }
      // ctnl_local.
      switch (request) {
        case REQ.CT_FLUSH_MASTER:
        case REQ.ALL_FLUSH_MASTER:
          this.runtime.kernelTableFlush++;
          this.log.notice("flushing kernel conntrack table");
          await this.flushKernel();
          break;
        case REQ.CT_RESYNC_MASTER:
        case REQ.ALL_RESYNC_MASTER:
          if (this.bypass) {
            this.log.notice("resync is unsupported in this mode");
            break;
          }
          this.runtime.kernelTableResync++;
          this.log.notice("resync with master conntrack table");
          try {
            this.dumpIntoInternal("populate");
          } catch {
            this.log.error("can't dump kernel table");
          }
          break;
      }
      // local_handler_sync.
      switch (request) {
        case REQ.CT_DUMP_INTERNAL: reply(this.dump("internal", false)); break;
        case REQ.CT_DUMP_EXTERNAL: reply(this.dump("external", false)); break;
        case REQ.CT_DUMP_INT_XML: reply(this.dump("internal", true)); break;
        case REQ.CT_DUMP_EXT_XML: reply(this.dump("external", true)); break;
        case REQ.CT_COMMIT:
        case REQ.ALL_COMMIT:
          this.log.notice(request === REQ.CT_COMMIT ? "committing conntrack cache" : "committing all external caches");
          this.resetAlarm.del();
          if (this.commitInProgress) {
            this.log.notice("commit already in progress, skipping");
            break;
          }
          this.commitInProgress = true;
          try {
            await this.commit();
          } finally {
            this.commitInProgress = false;
          }
          break;
        case REQ.RESET_TIMERS:
          if (!this.resetAlarm.pending) {
            this.log.notice(`flushing conntrack table in ${this.config.purgeTimeout} secs`);
            this.resetAlarm.add(this.config.purgeTimeout);
          }
          break;
        case REQ.CT_FLUSH_CACHE:
        case REQ.ALL_FLUSH_CACHE:
          if (this.commitInProgress) {
            this.log.error("ignoring flush command, commit still in progress");
            break;
          }
          this.resetAlarm.del();
          this.log.notice("flushing caches");
          await this.flushInternal();
          this.external.flush();
          break;
        case REQ.CT_FLUSH_INT_CACHE:
          this.resetAlarm.del();
          this.log.notice("flushing internal cache");
          await this.flushInternal();
          break;
        case REQ.CT_FLUSH_EXT_CACHE:
          if (this.commitInProgress) {
            this.log.error("ignoring flush command, commit still in progress");
            break;
          }
          this.log.notice("flushing external cache");
          this.external.flush();
          break;
        case REQ.STATS:
          reply(
            this.internalStats(false) + this.externalStats(false) +
            trafficText(this.traffic.bytes, this.traffic.packets) + this.linkText() + messageTrackingText(this.errors),
          );
          break;
        case REQ.STATS_NETWORK:
          reply(networkStatsText(this.errors) + this.linkText());
          break;
        case REQ.STATS_CACHE:
          reply(
            this.internalStats(true) + this.externalStats(true),
          );
          break;
        case REQ.STATS_LINK:
          reply(this.channels.map((ch) => linkStatsText(ch.statsTitleExtended(ch === this.current), ch.linkStats())).join(""));
          break;
        case REQ.STATS_QUEUE: {
          // 1.4.7 lists the newest queue first: the transmit queue, the error queue, then the mode's.
          const ordered = [this.txQueue, this.errorQueue, ...this.mode.queues()];
          reply(queueStatsText(CtlNode.allocated, ordered.map((q) => ({ name: q.name, length: q.length, max: q.max, enospc: q.enospc }))));
          break;
        }
        default: {
          const text = this.mode.local(request);
          if (text) reply(text);
        }
      }
    } catch (error) {
      this.log.error(`request ${request} failed: ${(error as Error).message}`);
    }
  }

  private kill(): void {
    this.log.notice("---- shutdown received ----");
    this.stop();
    this.options.onKill?.();
  }
}

export type { Socket };
