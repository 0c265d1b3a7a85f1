/** What the running kernel can do, from its release string and from what it refused. */
import { release } from "node:os";

/** [major, minor] of a release like "6.18.44-fc-v769"; [0, 0] when unreadable. */
export function parseRelease(text: string): [number, number] {
  const match = /^(\d+)\.(\d+)/.exec(text);
  return match ? [Number(match[1]), Number(match[2])] : [0, 0];
}

export function releaseAtLeast(text: string, major: number, minor: number): boolean {
  const [a, b] = parseRelease(text);
  return a > major || (a === major && b >= minor);
}

export function kernelRelease(): string {
  return release();
}

/** Facts learned at run time; undefined = not known yet. */
export interface KernelCapabilities {
  /** The kernel accepted a dump with CTA_FILTER (false after an EOPNOTSUPP/EINVAL fallback). */
  tupleFilter?: boolean;
  /** The kernel accepted CTA_STATUS/CTA_ZONE dump filters. */
  statusZoneFilter?: boolean;
  /** Mark and family filters in dumps. */
  markFilter?: boolean;
  /**
   * A flush with nfgenmsg.version 1 removes only that family. Linux 5.0 added the family to the
   * flush (and 5.2, backported to the stable trees, made it depend on version ≠ 0); older kernels
   * flush everything, so a family flush there is done as a dump plus batched deletes.
   */
  familyFlush: boolean;
  /**
   * The kernel's filters are known to be exact for kernel-side fields since these releases (mark
   * and family: 4.0, conservatively; CTA_FILTER: 5.8), so the user-space predicate can be skipped
   * when a filter has nothing else (see FILTERS.md).
   */
  exactMark?: boolean;
  exactTuple?: boolean;
}
