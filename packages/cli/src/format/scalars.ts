/** CTA_SECMARK as a number, whether decoded as a u32 or kept as its raw big-endian bytes. */
export function secmarkNumber(v: number | Uint8Array): number {
  if (typeof v === "number") return v;
  if (v.length < 4) return 0;
  return ((v[0] << 24) | (v[1] << 16) | (v[2] << 8) | v[3]) >>> 0;
}
