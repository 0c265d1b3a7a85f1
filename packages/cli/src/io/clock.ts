// "Now" for time-dependent output (delta-time, <deltatime>, <when>, -o timestamp). TSCONNTRACK_NOW
// (seconds since the epoch, optionally ".MICROSECONDS") pins it, so a replayed capture prints what it
// printed when recorded.

import type { TimeVal } from "../format/types.js";

export function nowMillis(env: NodeJS.ProcessEnv = process.env): number {
  const pinned = env["TSCONNTRACK_NOW"];
  if (pinned !== undefined && pinned !== "" && Number.isFinite(Number(pinned))) return Number(pinned) * 1000;
  return Date.now();
}

export function nowSeconds(): number {
  return Math.floor(nowMillis() / 1000);
}

/**
 * gettimeofday(): a pinned "SECONDS.MICROSECONDS" is taken digit for digit (as a float, .001053 would
 * print as .001052), else the wall clock to the millisecond.
 */
export function nowTimeVal(env: NodeJS.ProcessEnv = process.env): TimeVal {
  const pinned = /^(\d+)(?:\.(\d{1,6})\d*)?$/.exec((env["TSCONNTRACK_NOW"] ?? "").trim());
  if (pinned !== null) return { sec: Number(pinned[1]), usec: pinned[2] === undefined ? 0 : Number(pinned[2].padEnd(6, "0")) };
  const ms = nowMillis(env);
  const sec = Math.floor(ms / 1000);
  return { sec, usec: Math.floor((ms - sec * 1000) * 1000) };
}
