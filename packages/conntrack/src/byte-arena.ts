/**
 * Many small byte copies in a few large chunks: a Uint8Array of its own per copy costs an
 * ArrayBuffer each (slow to make, slow to collect); a view of a shared chunk does not.
 */
export class ByteArena {
  private readonly chunkSize: number;
  private chunk: Uint8Array;
  private used = 0;

  constructor(chunkSize = 1 << 20) {
    this.chunkSize = chunkSize;
    this.chunk = new Uint8Array(chunkSize);
  }

  /** `length` zeroed bytes to fill, a view that stays valid (chunks are never reused). */
  allocate(length: number): Uint8Array {
    if (this.used + length > this.chunk.length) {
      this.chunk = new Uint8Array(Math.max(this.chunkSize, length));
      this.used = 0;
    }
    const view = this.chunk.subarray(this.used, this.used + length);
    this.used += (length + 7) & ~7;
    return view;
  }

  /** A copy of `source[start, end)`. */
  copy(source: Uint8Array, start: number, end: number): Uint8Array {
    const view = this.allocate(end - start);
    copyInto(view, 0, source, start, end);
    return view;
  }
}

/** Copies `source[start, end)` to `target[at]`: a plain loop beats set(subarray) for a few hundred bytes. */
export function copyInto(target: Uint8Array, at: number, source: Uint8Array, start: number, end: number): void {
  if (end - start > 1024) {
    target.set(source.subarray(start, end), at);
    return;
  }
  for (let i = start; i < end; i++) target[at++] = source[i]!;
}
