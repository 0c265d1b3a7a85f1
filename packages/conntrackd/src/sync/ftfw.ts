/**
 * FT-FW (src/sync-ftfw.c): reliable replication. Every message has a sequence number; the
 * receiver acknowledges each window of ACKWindowSize messages (or, after a second, what it has),
 * asks for gaps with a NACK, and the sender keeps what it sent in a resend queue until it is
 * acknowledged. HELLO / HELLO_BACK tell a restarted peer to forget the old window.
 */
import { REQ } from "../control/commands.js";
import { CacheObject } from "../cache.js";
import { CtlNode, Queue, type QueueNode } from "../queue.js";
import {
  after, before, encodeCtlMessage, hasRange, isAck, isAlive, isData, isHello, isHelloBack, isNack, isResync, NET_F,
  restamp, type AckHeader, type NetHeader,
} from "../wire/message.js";
import { Alarm, type InternalObject, type RecvVerdict, type SyncHost, type SyncMode } from "./mode.js";

const ALIVE_INTERVAL = 1;
/** How often a gap is NACKed (once a second) before it is given up. */
const RENACK_TRIES = 10;

type HelloState = "init" | "say" | "done";

export class FtfwMode implements SyncMode {
  readonly name = "ftfw" as const;
  readonly rsQueue: Queue;
  private window: number;
  private ackFrom = 0;
  private ackFromSet = false;
  private hello: HelloState = "init";
  private sayHelloBack = false;
  private readonly alive: Alarm;
  private readonly renack: Alarm;
  /** Gaps NACKed, to be NACKed again (see the file comment). */
  private gaps: { from: number; to: number; tries: number }[] = [];

  private readonly host: SyncHost;

  constructor(host: SyncHost) {
    this.host = host;
    this.rsQueue = new Queue("rsqueue", host.resendQueueSize);
    this.window = host.windowSize;
    this.alive = new Alarm(() => {
      if (this.ackFromSet && this.host.seq.isSet) {
        this.ctl(NET_F.ACK, this.ackFrom, this.host.seq.lastSeqRecv);
        this.ackFromSet = false;
      } else this.ctl(NET_F.ALIVE);
      this.alive.add(ALIVE_INTERVAL);
    });
    this.alive.add(ALIVE_INTERVAL);
    this.renack = new Alarm(() => {
      for (const gap of this.gaps) {
        this.ctl(NET_F.NACK, gap.from, gap.to);
        gap.tries++;
      }
      this.gaps = this.gaps.filter((g) => g.tries < RENACK_TRIES);
      if (this.gaps.length) this.renack.add(ALIVE_INTERVAL);
    });
  }

  /** tx_queue_add_ctlmsg / tx_queue_add_ctlmsg2. */
  private ctl(flags: number, from = 0, to = 0): void {
    const node = new CtlNode(flags, from, to);
    if (this.host.txQueue.add(node) < 0) node.free();
  }

  /** ftfw_enqueue and do_cache_to_tx: a queued-for-resend object is sent again at once. */
  enqueue(obj: InternalObject): void {
    if (obj.owner === this.rsQueue) {
      this.rsQueue.del(obj);
      this.host.txQueue.add(obj);
    } else if (this.host.txQueue.add(obj) > 0) this.host.internal.get(obj);
  }

  private bulk(): void {
    this.host.log.notice("sending bulk update");
    for (const obj of this.host.internal.objects()) this.enqueue(obj);
  }

  /** nethdr_set_hello: HELLO until the peer answers, HELLO_BACK once after a peer's HELLO. */
  private helloFlags(flags: number): number {
    if (this.hello === "init") this.hello = "say";
    if (this.hello === "say") flags |= NET_F.HELLO;
    if (this.sayHelloBack) {
      flags |= NET_F.HELLO_BACK;
      this.sayHelloBack = false;
    }
    return flags;
  }

  /** Drops the oldest entry of a full resend queue. */
  private purgeFull(): void {
    const node = this.rsQueue.delHead();
    this.release(node);
  }

  private release(node: QueueNode | undefined): void {
    if (node instanceof CtlNode) node.free();
    else if (node instanceof CacheObject) this.host.internal.put(node as InternalObject);
  }

  private toResend(node: QueueNode): void {
    if (this.rsQueue.add(node) < 0) {
      this.purgeFull();
      this.rsQueue.add(node);
    }
  }

  xmit(): void {
    const host = this.host;
    host.txQueue.iterate((node) => {
      host.txQueue.del(node);
      if (node instanceof CtlNode) {
        const flags = this.helloFlags(node.flags);
        const seq = host.nextSeq();
        const header = { version: 1, type: 10, flags, len: 0, seq };
        host.send(encodeCtlMessage(flags, seq, { from: node.from, to: node.to }));
        if (hasRange(header)) {
          node.flags = flags;
          node.seq = seq;
          this.toResend(node);
        } else node.free();
      } else if (node instanceof CacheObject) {
        const obj = node as InternalObject;
        const message = host.buildObjectMessage(obj);
        const seq = new DataView(message.buffer, message.byteOffset).getUint32(4);
        restamp(message, this.helloFlags(message[1]!), seq);
        host.send(message);
        obj.seq = seq;
        this.toResend(obj);
      }
    });
    this.alive.add(ALIVE_INTERVAL);
  }

  /** rs_queue_empty over [from, to] (everything when no range): acknowledged, forget it. */
  private emptyResend(range: { from: number; to: number } | undefined): void {
    this.rsQueue.iterate((node) => {
      const seq = node instanceof CtlNode ? node.seq : (node as InternalObject).seq;
      if (range) {
        if (before(seq, range.from)) return false;
        if (after(seq, range.to)) return true;
      }
      this.rsQueue.del(node);
      this.release(node);
      return false;
    });
  }

  /** Flows sent before an acknowledged range and still unacknowledged were lost: send them again. */
  private resendSkipped(from: number): void {
    this.rsQueue.iterate((node) => {
      const seq = node instanceof CtlNode ? node.seq : (node as InternalObject).seq;
      if (!before(seq, from)) return true;
      this.rsQueue.del(node);
      if (node instanceof CtlNode) node.free(); // a stale ACK or NACK of ours
      else this.host.txQueue.add(node);
      return false;
    });
  }

  /** rs_queue_to_tx over [from, to]: the peer lost these, send them again. */
  private resend(range: { from: number; to: number }): void {
    this.rsQueue.iterate((node) => {
      const seq = node instanceof CtlNode ? node.seq : (node as InternalObject).seq;
      if (before(seq, range.from)) return false;
      if (after(seq, range.to)) return true;
      this.rsQueue.del(node);
      this.host.txQueue.add(node);
      return false;
    });
  }

  private digest(h: NetHeader | AckHeader): RecvVerdict {
    if (isData(h)) return "data";
    if (isAck(h)) {
      const a = h as AckHeader;
      if (before(a.to, a.from)) return "bad";
      this.emptyResend(a);
      this.resendSkipped(a.from);
      return "ctl";
    }
    if (isNack(h)) {
      const a = h as AckHeader;
      if (before(a.to, a.from)) return "bad";
      this.resend(a);
      return "ctl";
    }
    if (isResync(h)) {
      this.host.log.notice("resync requested by other node");
      this.bulk();
      return "ctl";
    }
    if (isAlive(h)) return "ctl";
    return "bad";
  }

  recv(h: NetHeader | AckHeader): RecvVerdict {
    const W = this.host.windowSize;
    let verdict: RecvVerdict;
    let helloed = false;
    if (isHello(h)) {
      this.sayHelloBack = true;
      helloed = true;
    }
    if (isHelloBack(h) && this.hello === "say") this.hello = "done";
    const inWindow = (): RecvVerdict => {
      const v = this.digest(h);
      if (v === "bad") return v;
      if (!this.ackFromSet) {
        this.ackFromSet = true;
        this.ackFrom = h.seq;
      }
      if (--this.window <= 0) {
        this.ctl(NET_F.ACK, this.ackFrom, h.seq);
        this.window = W;
        this.ackFromSet = false;
      }
      return v;
    };
    if (helloed) {
      // The peer restarted: its old window means nothing, and neither does our resend queue.
      if (this.ackFromSet && before(h.seq, this.ackFrom)) {
        this.window = W - 1;
        this.ackFrom = h.seq;
      }
      this.emptyResend(undefined);
      verdict = inWindow();
    } else {
      const { verdict: seqVerdict, expected } = this.host.seq.track(h.seq);
      switch (seqVerdict) {
        case "after":
          verdict = this.digest(h);
          if (verdict === "bad") break;
          if (this.ackFromSet) {
            this.ctl(NET_F.ACK, this.ackFrom, (expected - 1) >>> 0);
            this.ackFromSet = false;
          }
          this.ctl(NET_F.NACK, expected, (h.seq - 1) >>> 0);
          this.gaps.push({ from: expected, to: (h.seq - 1) >>> 0, tries: 1 });
          if (!this.renack.pending) this.renack.add(ALIVE_INTERVAL);
          this.window = W - 1;
          this.ackFrom = h.seq;
          this.ackFromSet = true;
          break;
        case "before":
          verdict = "drop";
          break;
        case "unset":
        case "in-sync":
          verdict = inWindow();
          break;
        default:
          verdict = "data";
      }
    }
    if (verdict === "data" || verdict === "ctl") this.host.seq.update(h.seq);
    return verdict;
  }

  local(request: number): string | undefined {
    switch (request) {
      case REQ.REQUEST_DUMP:
        this.host.log.notice("resync requested");
        this.ctl(NET_F.RESYNC, 0, 0);
        return "";
      case REQ.SEND_BULK:
        this.bulk();
        return "";
      case REQ.STATS_RSQUEUE: {
        let s = `resent queue (len=${this.rsQueue.length})\n`;
        this.rsQueue.iterate((node) => {
          if (node instanceof CtlNode) s += `control -> seq:${node.seq} flags:${node.flags}\n`;
          else s += `object -> seq:${(node as InternalObject).seq}\n`;
        });
        return s;
      }
    }
    return undefined;
  }

  dumpSuffix(): string {
    return "";
  }

  queues(): Queue[] {
    return [this.rsQueue];
  }

  stop(): void {
    this.alive.del();
    this.renack.del();
  }
}
