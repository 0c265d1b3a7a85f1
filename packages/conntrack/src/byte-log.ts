/**
 * Copies `source[start, end)` to `target[at]`. set(subarray) costs a view and ~45 ns whatever the
 * length; a byte loop ~1.3 ns a byte once optimized (more before), so it wins only for short runs.
 */
export function copyInto(target: Uint8Array, at: number, source: Uint8Array, start: number, end: number): void {
  if (end - start > 40) {
    target.set(source.subarray(start, end), at);
    return;
  }
  for (let i = start; i < end; i++) target[at++] = source[i]!;
}

/**
 * Byte records appended one after another to a single growing buffer and addressed by index, with
 * a small tag each (no object per record); `clear` forgets them all and reuses the memory.
 */
export class ByteLog {
  /** The records' bytes; record `i` is `bytes[start(i), end(i))`. Replaced when it grows. */
  bytes: Uint8Array;
  private ends: Int32Array;
  private tags: Uint8Array;
  private count = 0;

  constructor(initialBytes = 1 << 16, initialRecords = 256) {
    this.bytes = new Uint8Array(initialBytes);
    this.ends = new Int32Array(initialRecords);
    this.tags = new Uint8Array(initialRecords);
  }

  get length(): number {
    return this.count;
  }

  /** Appends a copy of `source[start, end)` tagged `tag` (0-255). */
  append(source: Uint8Array, start: number, end: number, tag: number): void {
    const at = this.count === 0 ? 0 : this.ends[this.count - 1]!;
    const need = at + end - start;
    if (need > this.bytes.length) this.bytes = grown(this.bytes, need, at);
    if (this.count === this.ends.length) {
      const ends = new Int32Array(this.count * 2);
      ends.set(this.ends);
      this.ends = ends;
      const tags = new Uint8Array(this.count * 2);
      tags.set(this.tags);
      this.tags = tags;
    }
    copyInto(this.bytes, at, source, start, end);
    this.ends[this.count] = need;
    this.tags[this.count++] = tag;
  }

  start(index: number): number {
    return index === 0 ? 0 : this.ends[index - 1]!;
  }

  end(index: number): number {
    return this.ends[index]!;
  }

  tag(index: number): number {
    return this.tags[index]!;
  }

  clear(): void {
    this.count = 0;
  }
}

/** A buffer of at least `need` bytes (doubling) holding `bytes[0, used)`. */
function grown(bytes: Uint8Array, need: number, used: number): Uint8Array {
  let size = bytes.length * 2;
  while (size < need) size *= 2;
  const out = new Uint8Array(size);
  out.set(bytes.subarray(0, used));
  return out;
}
