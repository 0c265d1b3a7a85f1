// Output text written as bytes into one reused buffer: what every formatter writes into, so an
// entry goes from the message's bytes to the output without strings for numbers, addresses or
// names. OutputSink (output.ts) is a ByteWriter whose full buffer goes to a file descriptor; a
// plain ByteWriter grows, for text that is needed as a string (tests, events, prefixes).
import { formatIPv6 } from "@tsconntrack/codec/ip";
import type { MessageView } from "@tsconntrack/conntrack";

/** ASCII text as bytes, made once (constant parts of the formats). */
export function latin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** "00".."99", two bytes each. */
const PAIRS = latin1(Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0")).join(""));
/** Longest constant that lit copies byte by byte (see lit). */
const LOOP_COPY_MAX = 16;
const HEX = latin1("0123456789abcdef");
/** JSON escapes of the bytes that need one (control characters, quote, backslash), else undefined. */
const JSON_ESCAPES: (Uint8Array | undefined)[] = Array.from({ length: 128 }, (_, c) => {
  if (c >= 0x20 && c !== 0x22 && c !== 0x5c) return undefined;
  return latin1(JSON.stringify(String.fromCharCode(c)).slice(1, -1));
});

function decimalLength(n: number): number {
  if (n < 10_000) return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : 4;
  if (n < 1_000_000) return n < 100_000 ? 5 : 6;
  if (n < 100_000_000) return n < 10_000_000 ? 7 : 8;
  return n < 1_000_000_000 ? 9 : 10;
}

export class ByteWriter {
  buf: Buffer;
  /** Where the next byte goes. */
  pos = 0;
  /**
   * Where the line being written began (beginLine), or -1: an OutputSink that fills up writes
   * out only what comes before it, so the line's end can still be trimmed (trimLineEnd).
   */
  lineStart = -1;

  constructor(size = 4096) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Marks the start of a line whose end trimLineEnd may take back. */
  beginLine(): void {
    this.lineStart = this.pos;
  }

  /**
   * Ends the line begun by beginLine, dropping up to `max` spaces at its end (conntrack's lines
   * end each field in a space and drop the last one). Never reaches before the line's start.
   */
  trimLineEnd(max: number): void {
    const start = this.lineStart;
    this.lineStart = -1;
    for (let dropped = 0; dropped < max && this.pos > start && this.buf[this.pos - 1] === 0x20; dropped++) this.pos--;
  }

  /** Room for `n` more bytes (a flush for an OutputSink, growth otherwise). */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.makeRoom(n);
  }

  protected makeRoom(n: number): void {
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  /**
   * Constant ASCII bytes (see latin1). A copy by TypedArray.set costs about as much as a 16-byte
   * loop whatever its length, so longer constants (most of XML) go by set, short ones by the loop.
   */
  lit(bytes: Uint8Array): void {
    const n = bytes.length;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    if (n > LOOP_COPY_MAX) {
      buf.set(bytes, p);
      this.pos = p + n;
      return;
    }
    for (let i = 0; i < n; i++) buf[p++] = bytes[i]!;
    this.pos = p;
  }

  /** A JavaScript string as UTF-8. */
  text(s: string): void {
    this.ensure(s.length * 3);
    this.pos += this.buf.write(s, this.pos, "utf8");
  }

  /** One ASCII byte. */
  byte(c: number): void {
    this.ensure(1);
    this.buf[this.pos++] = c;
  }

  /** Raw bytes, e.g. a string attribute's UTF-8 without its NUL. */
  bytes(u8: Uint8Array, start: number, end: number): void {
    this.ensure(end - start);
    this.buf.set(u8.subarray(start, end), this.pos);
    this.pos += end - start;
  }

  /** A non-negative integer below 2^53 in decimal. */
  uint(n: number): void {
    if (n > 0xffffffff) {
      this.lit(latin1(String(n)));
      return;
    }
    this.ensure(10);
    const buf = this.buf;
    const end = this.pos + decimalLength(n);
    let p = end;
    while (n >= 100) {
      const q = (n / 100) >>> 0;
      const r = (n - q * 100) << 1;
      buf[--p] = PAIRS[r + 1]!;
      buf[--p] = PAIRS[r]!;
      n = q;
    }
    if (n >= 10) {
      buf[--p] = PAIRS[(n << 1) + 1]!;
      buf[--p] = PAIRS[n << 1]!;
    } else buf[--p] = 48 + n;
    this.pos = end;
  }

  /** A signed integer in decimal. */
  int(n: number): void {
    if (n < 0) {
      this.byte(0x2d);
      this.uint(-n);
    } else this.uint(n);
  }

  /** A bigint in decimal. */
  big(n: bigint): void {
    this.lit(latin1(n.toString()));
  }

  /** A 64-bit integer slot of a view, exactly (the bigint path only above 2^53). */
  u64(view: MessageView, slot: number): void {
    const n = view.num[slot]!;
    if (Number.isNaN(n)) this.big(view.int64(slot) as bigint);
    else this.uint(n);
  }

  /** Lower-case hexadecimal without a prefix. */
  hex(n: number): void {
    this.ensure(8);
    const buf = this.buf;
    let digits = 1;
    for (let t = n >>> 4; t !== 0; t >>>= 4) digits++;
    const end = this.pos + digits;
    for (let p = end; p > this.pos; n >>>= 4) buf[--p] = HEX[n & 15]!;
    this.pos = end;
  }

  /** A dotted quad from an address in network order as a u32. */
  ipv4(n: number): void {
    this.ensure(15);
    this.octet(n >>> 24);
    this.buf[this.pos++] = 0x2e;
    this.octet((n >>> 16) & 255);
    this.buf[this.pos++] = 0x2e;
    this.octet((n >>> 8) & 255);
    this.buf[this.pos++] = 0x2e;
    this.octet(n & 255);
  }

  /** 0..255 in decimal, without a loop: a quarter of an IPv4 entry's bytes are octets. */
  private octet(v: number): void {
    const buf = this.buf;
    let p = this.pos;
    if (v >= 100) {
      const hundreds = v >= 200 ? 2 : 1;
      buf[p++] = 48 + hundreds;
      v -= hundreds * 100;
      buf[p++] = PAIRS[v << 1]!;
      buf[p++] = PAIRS[(v << 1) + 1]!;
    } else if (v >= 10) {
      buf[p++] = PAIRS[v << 1]!;
      buf[p++] = PAIRS[(v << 1) + 1]!;
    } else buf[p++] = 48 + v;
    this.pos = p;
  }

  /** An IPv6 address (16 bytes at u8[at]) as inet_ntop writes it. */
  ipv6(u8: Uint8Array, at: number): void {
    this.lit(latin1(formatIPv6(u8, at)));
  }

  /** An address slot of a view: IPv4 (u32) or IPv6 (16 bytes). */
  address(view: MessageView, slot: number): void {
    if (view.len[slot] === 16) this.ipv6(view.u8, view.pos[slot]!);
    else this.ipv4(view.num[slot]!);
  }

  /** A string slot of a view, without its NUL (the walk checked it is UTF-8). */
  stringSlot(view: MessageView, slot: number): void {
    const q = view.pos[slot]!;
    this.bytes(view.u8, q, q + view.len[slot]! - 1);
  }

  /** A string slot as a JSON string literal, escaped as JSON.stringify escapes it. */
  jsonStringSlot(view: MessageView, slot: number): void {
    const q = view.pos[slot]!;
    this.jsonBytes(view.u8, q, q + view.len[slot]! - 1);
  }

  /** UTF-8 bytes as a JSON string literal (valid UTF-8 has no lone surrogates to escape). */
  jsonBytes(u8: Uint8Array, start: number, end: number): void {
    this.ensure((end - start) * 6 + 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 0x22;
    for (let i = start; i < end; i++) {
      const c = u8[i]!;
      const escape = c < 128 ? JSON_ESCAPES[c] : undefined;
      if (escape === undefined) buf[p++] = c;
      else for (let k = 0; k < escape.length; k++) buf[p++] = escape[k]!;
    }
    buf[p++] = 0x22;
    this.pos = p;
  }

  /** A JavaScript string as a JSON string literal. */
  jsonText(s: string): void {
    this.text(JSON.stringify(s));
  }

  /** `width - written` spaces after text that took `written` bytes (no-op when it is wider). */
  pad(written: number, width: number): void {
    for (let i = written; i < width; i++) this.byte(0x20);
  }

  /** What was written since `from`, as a string (for tests and text that is post-processed). */
  textFrom(from: number): string {
    return this.buf.toString("utf8", from, this.pos);
  }

  /** Everything written, as a string, and the writer emptied. */
  take(): string {
    const s = this.buf.toString("utf8", 0, this.pos);
    this.pos = 0;
    return s;
  }
}
