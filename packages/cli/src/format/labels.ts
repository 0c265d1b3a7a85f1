import type { LabelMap } from "./types.js";

/**
 * Set bits of a CTA_LABELS bitmap in ascending order. The kernel sends an array of host-order
 * words; on the little-endian hosts we run on, bit i sits in byte i >> 3 at position i & 7.
 */
export function labelBits(labels: Uint8Array): number[] {
  const bits: number[] = [];
  for (let byte = 0; byte < labels.length; byte++) {
    const v = labels[byte];
    if (v === 0) continue;
    for (let bit = 0; bit < 8; bit++) if (v & (1 << bit)) bits.push(byte * 8 + bit);
  }
  return bits;
}

/** Names of the set bits that the map names (unnamed or empty-named bits are skipped). */
export function labelNames(labels: Uint8Array, map: LabelMap): string[] {
  const names: string[] = [];
  for (const bit of labelBits(labels)) {
    const name = map.get(bit);
    if (name !== undefined && name !== "") names.push(name);
  }
  return names;
}
