import type { CaptureSpec } from "./capture.js";

/** One group of captures that share a namespace setup. */
export interface Scenario {
  /** Namespace setup shared by the captures of this group. */
  setup: (ns: string) => Promise<void>;
  /** Captured in order, so mutating commands come after the ones that read. */
  captures: (CaptureSpec & { note: string })[];
  /** A fresh namespace per capture (events need one each so nothing else is going on). */
  freshEach?: boolean;
}
