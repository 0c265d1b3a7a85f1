/**
 * A dump's datagrams received ahead of the caller: recvmmsg calls on a helper thread fill a ring
 * of three batches while the caller handles earlier datagrams, so the kernel's dump work and the
 * caller's run at the same time.
 *
 * recvmmsg stores each datagram's length as soon as that datagram is in place, so on x86-64
 * (whose stores are seen in order) the caller reads datagrams while the call is still under way,
 * and starts the next call as soon as the current one is seen to be full, without waiting for the
 * event loop to deliver the call's result. Elsewhere a batch is read once its call has returned.
 */
import { EINTR } from "./constants.js";
import { NetlinkProtocolError, NetlinkSocketError } from "./errors.js";
import type { ReceiveBatch, Syscalls } from "./syscalls.js";
import type { DatagramRing } from "./transport.js";

const RING = 3;
const EAGER = process.arch === "x64";

interface Slot {
  batch: ReceiveBatch;
  /** Datagrams received, once the call has returned. */
  count: number | undefined;
  /** errno of a failed call (then count is 0). */
  errno: number;
  returned: Promise<void>;
}

type RingSyscalls = Required<Pick<Syscalls, "recvBatchAsync" | "createReceiveBatch">>;

export class ReceiveRing implements DatagramRing {
  private readonly slots: (Slot | undefined)[] = [];
  private readonly sys: RingSyscalls;
  private readonly fd: number;
  private readonly flags: number;
  private readonly slotCount: number;
  private readonly slotSize: number;
  /** Whether a datagram may be the last one of the dump: nothing is received after it. */
  private readonly mayEnd: (datagram: Uint8Array) => boolean;
  private issued = 0;
  /** The call whose datagrams are being read, and the next datagram of it. */
  private consumed = 0;
  private position = 0;
  private stopped = false;

  constructor(sys: RingSyscalls, fd: number, flags: number, slotCount: number, slotSize: number, mayEnd: (datagram: Uint8Array) => boolean) {
    this.sys = sys;
    this.fd = fd;
    this.flags = flags;
    this.slotCount = slotCount;
    this.slotSize = slotSize;
    this.mayEnd = mayEnd;
    this.issue();
  }

  /**
   * The next datagram (a view valid until the ring reuses its batch, two calls later), undefined
   * when it has not arrived yet (then `wait`), or null after the end. Throws a failed call's error.
   */
  poll(): Uint8Array | undefined | null {
    for (;;) {
      this.issueNext();
      if (this.consumed >= this.issued) return null;
      const slot = this.slots[this.consumed % RING]!;
      const ready = slot.count === undefined ? EAGER && this.position < this.slotCount && slot.batch.length(this.position) !== 0 : this.position < slot.count;
      if (ready) {
        const length = slot.batch.length(this.position);
        if (length > this.slotSize) throw truncated(length, this.slotSize);
        return slot.batch.slot(this.position++);
      }
      if (slot.count === undefined) return undefined;
      if (slot.errno !== 0) throw new NetlinkSocketError("recv", slot.errno);
      this.consumed++;
      this.position = 0;
    }
  }

  /** Waits until the call being read has returned. */
  async wait(): Promise<void> {
    if (this.consumed < this.issued) await this.slots[this.consumed % RING]!.returned;
  }

  /** Stops receiving ahead and waits for the calls under way (they own the socket until they return). */
  async settle(): Promise<void> {
    this.stopped = true;
    for (const slot of this.slots) await slot?.returned;
  }

  /** Starts the next call when the last one is complete, the ring has room and the dump may go on. */
  private issueNext(): void {
    if (this.stopped || this.issued - this.consumed >= RING) return;
    const last = this.slots[(this.issued - 1) % RING]!;
    let lastIndex: number;
    if (last.count !== undefined) {
      if (last.errno !== 0) return;
      lastIndex = last.count - 1;
    } else if (EAGER && last.batch.length(this.slotCount - 1) !== 0) {
      // Full: the call has read its last datagram and reads no more, even if it has not returned.
      lastIndex = this.slotCount - 1;
    } else return;
    if (lastIndex >= 0 && this.mayEnd(last.batch.slot(lastIndex))) {
      // A receive after the dump's end would wait for ever.
      this.stopped = true;
      return;
    }
    this.issue();
  }

  private issue(): void {
    const index = this.issued % RING;
    const slot = (this.slots[index] ??= { batch: this.sys.createReceiveBatch(this.slotCount, this.slotSize), count: undefined, errno: 0, returned: Promise.resolve() });
    slot.batch.clearLengths();
    slot.count = undefined;
    slot.errno = 0;
    slot.returned = this.sys.recvBatchAsync(this.fd, slot.batch, this.flags).then((n) => {
      // An interrupted call received nothing: the next one picks up where it stopped.
      if (n < 0 && n !== -EINTR) slot.errno = -n;
      slot.count = Math.max(n, 0);
    });
    this.issued++;
  }
}

export const truncated = (length: number, room: number): NetlinkProtocolError =>
  new NetlinkProtocolError(`recv: a ${length}-byte datagram did not fit the ${room}-byte read buffer and was truncated`, "truncated");
