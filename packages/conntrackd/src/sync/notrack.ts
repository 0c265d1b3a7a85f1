/** NOTRACK (src/sync-notrack.c): best effort, no acknowledgements; ALIVE after a second of silence. */
import { REQ } from "../control/commands.js";
import { CtlNode, type Queue } from "../queue.js";
import { encodeCtlMessage, isAlive, isData, isResync, NET_F, type NetHeader } from "../wire/message.js";
import { Alarm, type InternalObject, type RecvVerdict, type SyncHost, type SyncMode } from "./mode.js";
import { CacheObject } from "../cache.js";

/** ALIVE_INT. */
const ALIVE_INTERVAL = 1;

export class NotrackMode implements SyncMode {
  readonly name = "notrack" as const;
  private readonly alive: Alarm;

  private readonly host: SyncHost;

  constructor(host: SyncHost) {
    this.host = host;
    this.alive = new Alarm(() => {
      this.host.txQueue.add(new CtlNode(NET_F.ALIVE));
      this.alive.add(ALIVE_INTERVAL);
    });
    this.alive.add(ALIVE_INTERVAL);
  }

  enqueue(obj: InternalObject): void {
    if (this.host.txQueue.add(obj) > 0) this.host.internal.get(obj);
  }

  /** resync_send: every object of the internal cache goes out again. */
  private bulk(): void {
    if (this.host.bypass) {
      this.host.bypassBulk();
      return;
    }
    this.host.log.notice("sending bulk update");
    for (const obj of this.host.internal.objects()) this.enqueue(obj);
  }

  xmit(): void {
    const host = this.host;
    host.txQueue.iterate((node) => {
      host.txQueue.del(node);
      if (node instanceof CtlNode) {
        host.send(encodeCtlMessage(node.flags, host.nextSeq(), { from: node.from, to: node.to }));
        node.free();
      } else if (node instanceof CacheObject) {
        const obj = node as InternalObject;
        host.send(host.buildObjectMessage(obj));
        host.internal.put(obj);
      }
    });
    this.alive.add(ALIVE_INTERVAL);
  }

  recv(header: NetHeader): RecvVerdict {
    this.host.seq.track(header.seq);
    let verdict: RecvVerdict = "bad";
    if (isData(header)) verdict = "data";
    else if (isResync(header)) {
      this.host.log.notice("resync requested by other node");
      this.bulk();
      verdict = "ctl";
    } else if (isAlive(header)) verdict = "ctl";
    if (verdict !== "bad") this.host.seq.update(header.seq);
    return verdict;
  }

  local(request: number): string | undefined {
    if (request === REQ.REQUEST_DUMP) {
      this.host.log.notice("resync requested");
      this.host.txQueue.add(new CtlNode(NET_F.RESYNC, 0, 0));
      return "";
    }
    if (request === REQ.SEND_BULK) {
      this.bulk();
      return "";
    }
    return undefined;
  }

  dumpSuffix(): string {
    return "";
  }

  queues(): Queue[] {
    return [];
  }

  stop(): void {
    this.alive.del();
  }
}
