/** How the caches keep and print kernel flows (both modes share it). */
import type { ConntrackAttrs } from "@tsconntrack/conntrack";

/** The address family of a flow (AF_INET6 when its original tuple has IPv6 addresses). */
export function familyOf(flow: ConntrackAttrs): number {
  return flow.tupleOrig?.tupleIp?.ipV6Src !== undefined ? 10 : 2;
}

/**
 * A flow as the caches keep it: without counters and the use count (1.4.7 unsets them), and
 * without the timeout where `dropTimeout` (stats mode; every `-i`/`-e` dump drops it too).
 */
export function cached(flow: ConntrackAttrs, dropTimeout: boolean): ConntrackAttrs {
  const { countersOrig: _co, countersReply: _cr, use: _u, ...rest } = flow;
  if (!dropTimeout) return rest;
  const { timeout: _t, ...noTimeout } = rest;
  return noTimeout;
}
