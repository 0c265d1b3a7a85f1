/**
 * ALARM (src/sync-alarm.c): no acknowledgements at all; every flow of the internal cache is sent
 * again at a random moment within RefreshTime after each change, and the receiver forgets a flow
 * CacheTimeout seconds after it last heard of it (the external cache's timer feature).
 */
import { CacheObject, type FlowCache } from "../cache.js";
import type { DaemonConfig } from "../config/types.js";
import { CtlNode, type Queue } from "../queue.js";
import type { NtaAttrs } from "../wire/nta.js";
import { encodeCtlMessage, type NetHeader } from "../wire/message.js";
import type { InternalObject, RecvVerdict, SyncHost, SyncMode } from "./mode.js";

export class AlarmMode implements SyncMode {
  readonly name = "alarm" as const;
  private readonly refreshers = new Map<InternalObject, NodeJS.Timeout>();
  private readonly expiries = new Map<CacheObject<NtaAttrs>, { timer: NodeJS.Timeout; at: number }>();

  private readonly host: SyncHost;
  private readonly config: DaemonConfig;
  private readonly external: FlowCache<NtaAttrs>;

  constructor(host: SyncHost, config: DaemonConfig, external: FlowCache<NtaAttrs>) {
    this.host = host;
    this.config = config;
    this.external = external;
    host.internal.onTouch = (obj) => this.armRefresher(obj);
    const previous = host.internal.onRemove;
    host.internal.onRemove = (obj) => {
      previous?.(obj);
      this.host.txQueue.del(obj);
      clearTimeout(this.refreshers.get(obj));
      this.refreshers.delete(obj);
    };
    external.onTouch = (obj) => this.armExpiry(obj);
    external.onRemove = (obj) => {
      const e = this.expiries.get(obj);
      if (e) clearTimeout(e.timer);
      this.expiries.delete(obj);
    };
  }

  /** random() % RefreshTime + 1 seconds and 200 ms steps, as cache_alarm_add arms it. */
  private armRefresher(obj: InternalObject): void {
    clearTimeout(this.refreshers.get(obj));
    const refresh = Math.max(1, this.config.refreshTime);
    const ms = (Math.floor(Math.random() * refresh) + 1) * 1000 + ((Math.floor(Math.random() * 5) + 1) * 200000 - 1) / 1000;
    const timer = setTimeout(() => {
      this.refreshers.delete(obj);
      this.armRefresher(obj);
      this.enqueue(obj);
    }, ms);
    timer.unref();
    this.refreshers.set(obj, timer);
  }

  private armExpiry(obj: CacheObject<NtaAttrs>): void {
    const old = this.expiries.get(obj);
    if (old) clearTimeout(old.timer);
    const at = Date.now() + this.config.cacheTimeout * 1000;
    const timer = setTimeout(() => {
      this.expiries.delete(obj);
      this.external.del(obj);
    }, this.config.cacheTimeout * 1000);
    timer.unref();
    this.expiries.set(obj, { timer, at });
  }

  enqueue(obj: InternalObject): void {
    if (this.host.txQueue.add(obj) > 0) this.host.internal.get(obj);
  }

  xmit(): void {
    const host = this.host;
    host.txQueue.iterate((node) => {
      host.txQueue.del(node);
      if (node instanceof CtlNode) {
        host.send(encodeCtlMessage(node.flags, host.nextSeq()));
        node.free();
      } else if (node instanceof CacheObject) {
        const obj = node as InternalObject;
        host.send(host.buildObjectMessage(obj));
        host.internal.put(obj);
      }
    });
  }

  /** alarm_recv: anything with flags is control; sequences are only tracked, never updated. */
  recv(header: NetHeader): RecvVerdict {
    if (header.flags) return "ctl";
    this.host.seq.track(header.seq);
    return "data";
  }

  local(): string | undefined {
    return undefined;
  }

  dumpSuffix(obj: CacheObject<unknown>): string {
    const e = this.expiries.get(obj as CacheObject<NtaAttrs>);
    if (!e) return "";
    return ` [expires in ${Math.trunc((e.at - Date.now()) / 1000)}s]`;
  }

  queues(): Queue[] {
    return [];
  }

  stop(): void {
    for (const t of this.refreshers.values()) clearTimeout(t);
    for (const e of this.expiries.values()) clearTimeout(e.timer);
    this.refreshers.clear();
    this.expiries.clear();
  }
}
