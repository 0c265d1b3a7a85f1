// A compiled view of one message: a walk over its bytes records where each attribute lies, in
// typed arrays reused from message to message (no allocation per message). Readers address
// attributes by the generated slot constants (gen/*.ts, e.g. ConntrackAttrsSlot), never by number.
import { NetlinkDecodeError } from "../errors.js";
import { NLMSG_HDRLEN } from "../wire/constants.js";
import { HOST_LITTLE_ENDIAN as LE, dataViewOf, wholeBytes } from "../wire/host-order.js";
import { pathAt } from "./attr-path.js";
import { formatIPv4, formatIPv6 } from "./ip.js";
import { DecodeFault, decodeString, toDecodeError } from "./rules.js";
import type { SetInfo } from "./tables.js";
import type { RootWalker, WalkTarget, WalkerFactory } from "./walk-gen.js";

/** Everything a view of one attribute set needs from its family codec. */
export interface ViewPlan {
  readonly set: SetInfo;
  /** Slots of the set's subtree. */
  readonly size: number;
  /** Makes the walkers of a view; the plan's set is walked by the one at its index. */
  readonly walkers: WalkerFactory;
  /** Size of the family's fixed header (nfgenmsg: 4), 0 if none. */
  readonly fixedSize: number;
  /** Its struct name (for error paths). */
  readonly fixedName: string;
  /** Byte order of each slot's multi-byte payload (1 = little-endian), for the 64-bit readers. */
  readonly littleEndian: Uint8Array;
}

export class MessageView implements WalkTarget {
  readonly plan: ViewPlan;
  readonly pos: Int32Array;
  readonly len: Int32Array;
  readonly num: Float64Array;
  /** The whole ArrayBuffer of the walked bytes; pos offsets index it. Valid until the next walk. */
  u8: Uint8Array = new Uint8Array(0);
  /** Absolute offset of the message (its nlmsghdr) in u8; of the attributes for walkAttrs. */
  start = 0;
  /** Absolute end of the message (start + nlmsg_len). */
  end = 0;
  /** Absolute offset of the fixed header (nfgenmsg), -1 after walkAttrs. */
  fixed = -1;
  /** nlmsghdr fields of the walked message. */
  type = 0;
  flags = 0;
  seq = 0;
  portId = 0;
  /** Attributes no slot holds, three numbers each: header offset, the set's first slot, index in that set. */
  unknowns: Int32Array = new Int32Array(24);
  unknownCount = 0;

  private readonly walk: RootWalker;

  constructor(plan: ViewPlan) {
    this.plan = plan;
    this.pos = new Int32Array(plan.size).fill(-1);
    this.len = new Int32Array(plan.size);
    this.num = new Float64Array(plan.size);
    this.walk = plan.walkers(this)[plan.set.index]!;
  }

  /**
   * Walks the message at buf[offset, offset + nlmsg_len): header, fixed header, attributes.
   * Throws a NetlinkDecodeError (offset from the message start, attribute path) exactly where
   * the object decoder would.
   */
  walkMessage(buf: Uint8Array, offset = 0): this {
    const dv = dataViewOf(buf);
    const base = buf.byteOffset + offset;
    if (buf.length - offset < NLMSG_HDRLEN) {
      throw new NetlinkDecodeError("truncated", 0, `${buf.length - offset} bytes are too short for an nlmsghdr`, "nlmsghdr");
    }
    const length = dv.getUint32(base, LE);
    if (length < NLMSG_HDRLEN || offset + length > buf.length) {
      throw new NetlinkDecodeError("truncated", 0, `nlmsg_len ${length} does not fit the ${buf.length - offset} bytes given`, "nlmsghdr.len");
    }
    this.type = dv.getUint16(base + 4, LE);
    this.flags = dv.getUint16(base + 6, LE);
    this.seq = dv.getUint32(base + 8, LE);
    this.portId = dv.getUint32(base + 12, LE);
    const fixedSize = this.plan.fixedSize;
    if (length - NLMSG_HDRLEN < fixedSize) {
      throw new NetlinkDecodeError("truncated", NLMSG_HDRLEN, `message too short for its ${fixedSize}-byte ${this.plan.fixedName}`, this.plan.fixedName);
    }
    this.fixed = base + NLMSG_HDRLEN;
    this.run(buf, base, base + NLMSG_HDRLEN + fixedSize, base + length, offset);
    return this;
  }

  /** Walks bare attributes buf[start, end) of the view's set (no message header). */
  walkAttrs(buf: Uint8Array, start = 0, end = buf.length): this {
    const base = buf.byteOffset;
    this.fixed = -1;
    this.type = this.flags = this.seq = this.portId = 0;
    this.run(buf, base + start, base + start, base + end, start);
    return this;
  }

  private run(buf: Uint8Array, msgStart: number, attrStart: number, end: number, bufOffset: number): void {
    const u8 = wholeBytes(buf);
    this.u8 = u8;
    this.start = msgStart;
    this.end = end;
    this.pos.fill(-1);
    this.unknownCount = 0;
    try {
      this.walk(u8, attrStart, end);
    } catch (e) {
      if (!(e instanceof DecodeFault)) throw e;
      const bytes = buf.subarray(bufOffset, bufOffset + (end - msgStart));
      const attrOffset = attrStart - msgStart;
      throw toDecodeError(e, msgStart, (offset) => pathAt(this.plan.set, bytes, attrOffset, end - msgStart, offset));
    }
  }

  unknown(at: number, base: number, index: number): void {
    let list = this.unknowns;
    const n = this.unknownCount * 3;
    if (n + 3 > list.length) {
      const grown = new Int32Array(list.length * 2);
      grown.set(list);
      this.unknowns = list = grown;
    }
    list[n] = at;
    list[n + 1] = base;
    list[n + 2] = index;
    this.unknownCount++;
  }

  has(slot: number): boolean {
    return this.pos[slot]! >= 0;
  }

  /** A 64-bit integer slot exactly: a number while it is below 2^53, else a bigint. */
  int64(slot: number, signed = false): number | bigint {
    const n = this.num[slot]!;
    if (!Number.isNaN(n)) return n;
    const dv = dataViewOf(this.u8);
    const q = this.pos[slot]!;
    const le = this.plan.littleEndian[slot] === 1;
    return signed ? dv.getBigInt64(q, le) : dv.getBigUint64(q, le);
  }

  /** A string slot without its NUL. */
  string(slot: number): string {
    const q = this.pos[slot]!;
    return decodeString(this.u8, q, q + this.len[slot]!, q - 4);
  }

  /** A slot's payload bytes, a view into the walked buffer (copy it to keep it). */
  bytes(slot: number): Uint8Array {
    const q = this.pos[slot]!;
    return this.u8.subarray(q, q + this.len[slot]!);
  }

  /** An address slot (ipv4 u32, 4 or 16 bytes) as text. */
  address(slot: number): string {
    const q = this.pos[slot]!;
    return this.len[slot] === 16 ? formatIPv6(this.u8, q) : formatIPv4(this.num[slot]!);
  }
}
