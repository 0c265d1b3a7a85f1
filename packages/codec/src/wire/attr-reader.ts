import { NetlinkDecodeError } from "../errors.js";
import { NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_HDRLEN, NLA_TYPE_MASK } from "./constants.js";
import { HOST_LITTLE_ENDIAN, dataViewOf } from "./host-order.js";

export type Endian = "big" | "little" | "host";

function littleEndian(order: Endian): boolean {
  return order === "host" ? HOST_LITTLE_ENDIAN : order === "little";
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A cursor over the attributes of `buf[start, end)`. Call next() until it returns false (or iterate
 * it: the iterator yields the reader itself, positioned on each attribute in turn). Every length is
 * checked against the parent range; a bad one throws NetlinkDecodeError with the offset in `buf`.
 */
export class AttrReader implements Iterable<AttrReader> {
  readonly buf: Uint8Array;
  readonly start: number;
  readonly end: number;
  /** Offset in `buf` of the current attribute's header. */
  offset = -1;
  /** nla_type & NLA_TYPE_MASK. */
  type = 0;
  /** The NLA_F_NESTED | NLA_F_NET_BYTEORDER bits of nla_type. */
  flags = 0;
  /** Payload range in `buf`. */
  dataStart = 0;
  dataEnd = 0;
  #next: number;
  readonly #dv: DataView;
  readonly #base: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    if (start < 0 || end > buf.length || start > end) {
      throw new NetlinkDecodeError("bad-length", start, `attribute range [${start}, ${end}) outside a ${buf.length}-byte buffer`);
    }
    this.buf = buf;
    this.start = start;
    this.end = end;
    this.#next = start;
    this.#dv = dataViewOf(buf);
    this.#base = buf.byteOffset;
  }

  get nested(): boolean {
    return (this.flags & NLA_F_NESTED) !== 0;
  }

  get netByteOrder(): boolean {
    return (this.flags & NLA_F_NET_BYTEORDER) !== 0;
  }

  /** Payload length (nla_len minus the header). */
  get length(): number {
    return this.dataEnd - this.dataStart;
  }

  /** Move to the next attribute; false when the range is exhausted. */
  next(): boolean {
    const p = this.#next;
    const left = this.end - p;
    if (left <= 0) return false;
    if (left < NLA_HDRLEN) throw new NetlinkDecodeError("truncated", p, `${left} bytes left, too short for an nlattr`);
    const len = this.#dv.getUint16(this.#base + p, HOST_LITTLE_ENDIAN);
    const rawType = this.#dv.getUint16(this.#base + p + 2, HOST_LITTLE_ENDIAN);
    if (len < NLA_HDRLEN) throw new NetlinkDecodeError("bad-length", p, `nla_len ${len} is smaller than the attribute header`);
    if (len > left) throw new NetlinkDecodeError("bad-length", p, `nla_len ${len} runs past the end of its parent (${left} bytes left)`);
    this.offset = p;
    this.type = rawType & NLA_TYPE_MASK;
    this.flags = rawType & ~NLA_TYPE_MASK;
    this.dataStart = p + NLA_HDRLEN;
    this.dataEnd = p + len;
    // The last attribute's padding may be cut off by its parent's end.
    this.#next = p + ((len + 3) & ~3);
    return true;
  }

  *[Symbol.iterator](): Iterator<AttrReader> {
    while (this.next()) yield this;
  }

  /** A reader over the current attribute's payload. */
  nestedReader(): AttrReader {
    return new AttrReader(this.buf, this.dataStart, this.dataEnd);
  }

  /** A view of the payload (not a copy). */
  payload(): Uint8Array {
    return this.buf.subarray(this.dataStart, this.dataEnd);
  }

  /** A copy of the payload (a plain Uint8Array even when reading a Node Buffer, whose slice() is a view). */
  bytes(): Uint8Array {
    return Uint8Array.prototype.slice.call(this.buf, this.dataStart, this.dataEnd);
  }

  /** NUL-terminated string payload, without the NUL. */
  string(): string {
    const len = this.length;
    if (len === 0 || this.buf[this.dataEnd - 1] !== 0) {
      throw new NetlinkDecodeError("bad-value", this.offset, "string attribute without a terminating NUL");
    }
    try {
      return utf8.decode(this.buf.subarray(this.dataStart, this.dataEnd - 1));
    } catch {
      throw new NetlinkDecodeError("bad-value", this.offset, "string attribute is not valid UTF-8");
    }
  }

  u8(): number {
    this.#need(1);
    return this.buf[this.dataStart]!;
  }
  s8(): number {
    this.#need(1);
    return this.#dv.getInt8(this.#base + this.dataStart);
  }
  u16(order: Endian = "host"): number {
    this.#need(2);
    return this.#dv.getUint16(this.#base + this.dataStart, littleEndian(order));
  }
  s16(order: Endian = "host"): number {
    this.#need(2);
    return this.#dv.getInt16(this.#base + this.dataStart, littleEndian(order));
  }
  u32(order: Endian = "host"): number {
    this.#need(4);
    return this.#dv.getUint32(this.#base + this.dataStart, littleEndian(order));
  }
  s32(order: Endian = "host"): number {
    this.#need(4);
    return this.#dv.getInt32(this.#base + this.dataStart, littleEndian(order));
  }
  u64(order: Endian = "host"): bigint {
    this.#need(8);
    return this.#dv.getBigUint64(this.#base + this.dataStart, littleEndian(order));
  }
  s64(order: Endian = "host"): bigint {
    this.#need(8);
    return this.#dv.getBigInt64(this.#base + this.dataStart, littleEndian(order));
  }

  #need(size: number): void {
    if (this.offset < 0) throw new NetlinkDecodeError("truncated", this.start, "no current attribute: call next() first");
    if (this.length !== size) {
      throw new NetlinkDecodeError("bad-length", this.offset, `expected a ${size}-byte payload, got ${this.length}`);
    }
  }
}
