import { NLA_F_NESTED, NLA_HDRLEN, NLA_TYPE_MASK } from "./constants.js";
import { HOST_LITTLE_ENDIAN } from "./host-order.js";
import type { Endian } from "./attr-reader.js";

function littleEndian(order: Endian): boolean {
  return order === "host" ? HOST_LITTLE_ENDIAN : order === "little";
}

const utf8 = new TextEncoder();

/**
 * Builds a run of attributes in a growable buffer. Attribute methods take the type number (flags
 * other than NLA_F_NESTED may be or-ed in); numbers are written modulo their width. `beginAttr` /
 * `put*` / `endAttr` write a payload piecewise; `nested` back-patches the nest length.
 */
export class AttrWriter {
  #buf: Uint8Array;
  #dv: DataView;
  #pos = 0;

  constructor(initialSize = 256) {
    this.#buf = new Uint8Array(Math.max(16, initialSize));
    this.#dv = new DataView(this.#buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#pos;
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }

  /** Forget everything written, keeping the buffer. */
  reset(): void {
    this.#pos = 0;
  }

  /** Start an attribute; returns its offset, to be given to endAttr. */
  beginAttr(type: number): number {
    this.#ensure(NLA_HDRLEN);
    const start = this.#pos;
    this.#dv.setUint16(start + 2, type & 0xffff, HOST_LITTLE_ENDIAN);
    this.#pos += NLA_HDRLEN;
    return start;
  }

  /** Finish an attribute started at `start`: write nla_len and pad with zeros to 4 bytes. */
  endAttr(start: number): void {
    const len = this.#pos - start;
    if (len > 0xffff) throw new RangeError(`attribute of ${len} bytes exceeds nla_len's 65535`);
    this.#dv.setUint16(start, len, HOST_LITTLE_ENDIAN);
    const pad = (4 - (len & 3)) & 3;
    if (pad !== 0) {
      this.#ensure(pad);
      for (let i = 0; i < pad; i++) this.#buf[this.#pos++] = 0;
    }
  }

  putU8(v: number): void {
    this.#ensure(1);
    this.#dv.setUint8(this.#pos, v);
    this.#pos += 1;
  }
  putU16(v: number, order: Endian = "host"): void {
    this.#ensure(2);
    this.#dv.setUint16(this.#pos, v, littleEndian(order));
    this.#pos += 2;
  }
  putU32(v: number, order: Endian = "host"): void {
    this.#ensure(4);
    this.#dv.setUint32(this.#pos, v, littleEndian(order));
    this.#pos += 4;
  }
  putU64(v: bigint | number, order: Endian = "host"): void {
    this.#ensure(8);
    this.#dv.setBigUint64(this.#pos, BigInt.asUintN(64, BigInt(v)), littleEndian(order));
    this.#pos += 8;
  }
  putBytes(data: Uint8Array): void {
    this.#ensure(data.length);
    this.#buf.set(data, this.#pos);
    this.#pos += data.length;
  }
  /** `n` zero bytes. */
  putZeros(n: number): void {
    this.#ensure(n);
    this.#buf.fill(0, this.#pos, this.#pos + n);
    this.#pos += n;
  }

  u8(type: number, v: number): this {
    const s = this.beginAttr(type);
    this.putU8(v);
    this.endAttr(s);
    return this;
  }
  s8(type: number, v: number): this {
    return this.u8(type, v);
  }
  u16(type: number, v: number, order: Endian = "host"): this {
    const s = this.beginAttr(type);
    this.putU16(v, order);
    this.endAttr(s);
    return this;
  }
  s16(type: number, v: number, order: Endian = "host"): this {
    return this.u16(type, v, order);
  }
  u32(type: number, v: number, order: Endian = "host"): this {
    const s = this.beginAttr(type);
    this.putU32(v, order);
    this.endAttr(s);
    return this;
  }
  s32(type: number, v: number, order: Endian = "host"): this {
    return this.u32(type, v, order);
  }
  u64(type: number, v: bigint | number, order: Endian = "host"): this {
    const s = this.beginAttr(type);
    this.putU64(v, order);
    this.endAttr(s);
    return this;
  }
  s64(type: number, v: bigint | number, order: Endian = "host"): this {
    return this.u64(type, v, order);
  }
  /** UTF-8 text plus a terminating NUL. */
  string(type: number, s: string): this {
    const st = this.beginAttr(type);
    this.putBytes(utf8.encode(s));
    this.putU8(0);
    this.endAttr(st);
    return this;
  }
  bytes(type: number, data: Uint8Array): this {
    const s = this.beginAttr(type);
    this.putBytes(data);
    this.endAttr(s);
    return this;
  }
  /** An attribute with an empty payload. */
  flag(type: number): this {
    this.endAttr(this.beginAttr(type));
    return this;
  }
  /** A nest (NLA_F_NESTED set) whose children `fill` writes. */
  nested(type: number, fill: (w: this) => void): this {
    const s = this.beginAttr((type & NLA_TYPE_MASK) | NLA_F_NESTED);
    fill(this);
    this.endAttr(s);
    return this;
  }

  #ensure(n: number): void {
    const need = this.#pos + n;
    if (need <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buf.subarray(0, this.#pos));
    this.#buf = grown;
    this.#dv = new DataView(grown.buffer);
  }
}
