// Counts by 32-bit key (IPv4 addresses) in an open-addressing table of typed arrays: at 100k distinct
// addresses per scrape a Map spends most of its time boxing and hashing keys above 2^30.

export class U32Counter {
  private keys = new Uint32Array(1024);
  private counts = new Uint32Array(1024);
  private used = 0;

  get size(): number {
    return this.used;
  }

  add(key: number): void {
    if (this.used * 2 >= this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    let slot = Math.imul(key, 0x9e3779b1) >>> 0 & mask;
    for (;;) {
      const count = this.counts[slot]!;
      if (count === 0) {
        this.keys[slot] = key;
        this.counts[slot] = 1;
        this.used++;
        return;
      }
      if (this.keys[slot] === key >>> 0) {
        this.counts[slot] = count + 1;
        return;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Every key with its count, in no particular order. */
  *entries(): IterableIterator<[number, number]> {
    for (let slot = 0; slot < this.keys.length; slot++) if (this.counts[slot] !== 0) yield [this.keys[slot]!, this.counts[slot]!];
  }

  private grow(): void {
    const keys = this.keys;
    const counts = this.counts;
    this.keys = new Uint32Array(keys.length * 2);
    this.counts = new Uint32Array(keys.length * 2);
    const mask = this.keys.length - 1;
    for (let old = 0; old < keys.length; old++) {
      const count = counts[old]!;
      if (count === 0) continue;
      let slot = Math.imul(keys[old]!, 0x9e3779b1) >>> 0 & mask;
      while (this.counts[slot] !== 0) slot = (slot + 1) & mask;
      this.keys[slot] = keys[old]!;
      this.counts[slot] = count;
    }
  }
}
