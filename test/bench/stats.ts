/** Small statistics over timing samples; pure, so the harness test can check them. */

export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function max(samples: readonly number[]): number {
  return samples.length === 0 ? Number.NaN : Math.max(...samples);
}

/** `ours / theirs`, NaN when either side is missing or zero. */
export function ratio(ours: number | undefined, theirs: number | undefined): number {
  if (ours === undefined || theirs === undefined || !(theirs > 0) || !Number.isFinite(ours)) return Number.NaN;
  return ours / theirs;
}

/** PASS when the ratio is finite and at most the limit. */
export function verdictFor(value: number, limit: number): "PASS" | "FAIL" {
  return Number.isFinite(value) && value <= limit ? "PASS" : "FAIL";
}
