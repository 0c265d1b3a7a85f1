// The time an event was received, to the microsecond (conntrack prints gettimeofday() for -o timestamp).
// TSCONNTRACK_NOW pins it for replays; "SECONDS.MICROSECONDS" is taken digit for digit, since a
// float round trip would turn .001053 into .001052.

import type { TimeVal } from "../format/types.js";

function pinnedTimeVal(text: string): TimeVal | undefined {
  const match = /^(\d+)(?:\.(\d{1,6})\d*)?$/.exec(text.trim());
  if (match === null) return undefined;
  return { sec: Number(match[1]), usec: match[2] === undefined ? 0 : Number(match[2].padEnd(6, "0")) };
}

/**
 * A clock for one -E run: the pinned time if TSCONNTRACK_NOW is set, else the time the event was
 * received when its transport knows it (a replay: when the firewall captured it), else the wall clock.
 */
export function eventClock(env: NodeJS.ProcessEnv = process.env): (receivedAt?: { seconds: number; nanoseconds: number }) => TimeVal {
  const raw = env["TSCONNTRACK_NOW"];
  const pinned = raw === undefined || raw === "" ? undefined : pinnedTimeVal(raw);
  if (pinned !== undefined) return () => pinned;
  return (receivedAt) => {
    if (receivedAt !== undefined) return { sec: receivedAt.seconds, usec: Math.floor(receivedAt.nanoseconds / 1000) };
    // Date.now() has whole milliseconds; performance.now() adds the microseconds within one.
    const ms = Date.now();
    const sec = Math.floor(ms / 1000);
    const micro = Math.floor((performance.now() % 1) * 1000);
    return { sec, usec: (ms - sec * 1000) * 1000 + micro };
  };
}
