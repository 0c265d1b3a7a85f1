/** What a sync mode (NOTRACK, FTFW, ALARM) needs from the daemon, and the pieces they share. */
import type { ConntrackAttrs } from "@tsconntrack/conntrack";
import type { CacheObject, FlowCache } from "../cache.js";
import type { Logger } from "../log.js";
import type { Queue } from "../queue.js";
import type { SyncErrors } from "../control/text.js";
import { after, before, type AckHeader, type NetHeader } from "../wire/message.js";

export type InternalObject = CacheObject<ConntrackAttrs>;

/** MSG_DATA, MSG_CTL, MSG_DROP, MSG_BAD. */
export type RecvVerdict = "data" | "ctl" | "drop" | "bad";

export interface SyncHost {
  readonly log: Logger;
  readonly internal: FlowCache<ConntrackAttrs>;
  readonly txQueue: Queue;
  readonly errors: SyncErrors;
  readonly seq: SequenceTracker;
  readonly windowSize: number;
  readonly resendQueueSize: number;
  /** nethdr_set: the next sequence number of this node's messages. */
  nextSeq(): number;
  /** The state message for an object as it is now (type from its status), with a fresh sequence. */
  buildObjectMessage(obj: InternalObject): Uint8Array;
  /** Puts bytes on the dedicated link (buffered). */
  send(message: Uint8Array): void;
  /** With DisableInternalCache: a bulk send dumps the kernel table instead (kernel_resync). */
  readonly bypass: boolean;
  bypassBulk(): void;
}

export interface SyncMode {
  readonly name: "notrack" | "ftfw" | "alarm";
  /** Queues an object whose state changed (NEW/UPD/DEL). */
  enqueue(obj: InternalObject): void;
  /** Drains the transmit queue. */
  xmit(): void;
  /** Judges a received message before its payload is looked at. */
  recv(header: NetHeader | AckHeader): RecvVerdict;
  /** Requests of the control socket this mode answers (-n, -B, -s rsqueue); text to send back. */
  local(request: number): string | undefined;
  /** Queue statistics, newest queue first. */
  queues(): Queue[];
  /** What a cache feature adds to a `-i`/`-e` line before " [active since …]" (ALARM: " [expires in Ns]"). */
  dumpSuffix(obj: CacheObject<unknown>, now: number): string;
  stop(): void;
}

/** SEQ_* of include/network.h. */
export type SeqVerdict = "unset" | "in-sync" | "after" | "before" | "unknown";

/**
 * nethdr_track_seq / nethdr_track_update_seq (src/network.c): the last sequence received from the
 * peer. "Lost" counts `seq - last + 1` exactly as 1.4.7 does (one more than the gap).
 */
export class SequenceTracker {
  private set = false;
  lastSeqRecv = 0;
  private readonly errors: SyncErrors;
  constructor(errors: SyncErrors) {
    this.errors = errors;
  }

  get isSet(): boolean {
    return this.set;
  }

  /** Classifies `seq`; `expected` is last + 1. Counts lost and delayed messages. */
  track(seq: number): { verdict: SeqVerdict; expected: number } {
    const expected = (this.lastSeqRecv + 1) >>> 0;
    if (!this.set) return { verdict: "unset", expected };
    if (seq === expected) return { verdict: "in-sync", expected };
    if (after(seq, expected)) {
      this.errors.lost += ((seq - this.lastSeqRecv + 1) >>> 0);
      return { verdict: "after", expected };
    }
    if (before(seq, expected)) {
      this.errors.before++;
      return { verdict: "before", expected };
    }
    return { verdict: "unknown", expected };
  }

  update(seq: number): void {
    this.set = true;
    this.lastSeqRecv = seq >>> 0;
  }
}

/** A re-armable one-shot timer (alarm.c add_alarm/del_alarm), unref'd so it never holds the process. */
export class Alarm {
  private timer: NodeJS.Timeout | undefined;
  private readonly fire: () => void;
  constructor(fire: () => void) {
    this.fire = fire;
  }
  add(seconds: number): void {
    this.del();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fire();
    }, seconds * 1000);
    this.timer.unref();
  }
  del(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
  get pending(): boolean {
    return this.timer !== undefined;
  }
}
