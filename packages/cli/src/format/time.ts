import { localOffset } from "../time/local-zone.js";
import type { TimeVal } from "./types.js";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function two(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

/** The local wall-clock time of `epochSeconds`, read through a Date's UTC fields. */
function localDate(epochSeconds: number): Date {
  return new Date((epochSeconds + localOffset(epochSeconds)) * 1000);
}

/**
 * ctime(3) without its newline, in LOCAL time as glibc reads $TZ (../time/local-zone.ts):
 * "Sun Nov 22 22:28:52 2026", day padded with a space to width 2.
 */
export function ctimeText(epochSeconds: number): string {
  const d = localDate(epochSeconds);
  const day = d.getUTCDate();
  return (
    DAYS[d.getUTCDay()] + " " + MONTHS[d.getUTCMonth()] + (day < 10 ? "  " : " ") + day + " " +
    two(d.getUTCHours()) + ":" + two(d.getUTCMinutes()) + ":" + two(d.getUTCSeconds()) + " " + d.getUTCFullYear()
  );
}

/** Kernel nanosecond timestamp → whole seconds, truncated like `(time_t)(ns / NSEC_PER_SEC)`. */
export function nsToSeconds(ns: bigint): number {
  return Number(ns / 1_000_000_000n);
}

/** Conntrack event prefix `[%-.8ld.%-.6ld]\t`: zero-padded to at least 8 and 6 digits, then a TAB. */
export function eventTimePrefix(tv: TimeVal): string {
  return "[" + String(tv.sec).padStart(8, "0") + "." + String(tv.usec).padStart(6, "0") + "]\t";
}

/** Expectation prefix `[%-8ld.%-6ld]\t`: padded with spaces on the RIGHT to width 8 and 6. */
export function expectTimePrefix(tv: TimeVal): string {
  return "[" + String(tv.sec).padEnd(8, " ") + "." + String(tv.usec).padEnd(6, " ") + "]\t";
}

/** A TimeVal from epoch milliseconds (e.g. Date.now()), for callers without a microsecond clock. */
export function timeValFromMillis(ms: number): TimeVal {
  const sec = Math.floor(ms / 1000);
  return { sec, usec: Math.floor((ms - sec * 1000) * 1000) };
}

/** `<when>` body from the local time of `epochSeconds`: wday counts 1..7 from Sunday. */
export function whenXml(epochSeconds: number): string {
  const d = localDate(epochSeconds);
  return (
    "<when><hour>" + d.getUTCHours() + "</hour><min>" + two(d.getUTCMinutes()) + "</min><sec>" +
    two(d.getUTCSeconds()) + "</sec><wday>" + (d.getUTCDay() + 1) + "</wday><day>" + d.getUTCDate() +
    "</day><month>" + (d.getUTCMonth() + 1) + "</month><year>" + d.getUTCFullYear() + "</year></when>"
  );
}
