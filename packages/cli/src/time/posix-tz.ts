// POSIX TZ strings ("EST5EDT,M3.2.0,M11.1.0", "<+0330>-3:30"), read and applied the way glibc's
// tzset does, so `-o ktimestamp` prints what conntrack's ctime() prints for the same TZ.

/** When a DST change happens in a year: a day (Jn, n or Mm.w.d) and a local time in seconds. */
type ChangeDay =
  | { readonly kind: "julian-no-leap"; readonly day: number } // Jn: 1..365, Feb 29 never counted
  | { readonly kind: "julian"; readonly day: number } // n: 0..365
  | { readonly kind: "month-week-day"; readonly month: number; readonly week: number; readonly weekday: number }; // Mm.w.d

interface Change {
  readonly day: ChangeDay;
  /** Local time of day of the change, in seconds (glibc allows -167 h .. 167 h). */
  readonly time: number;
}

/** A zone from a POSIX TZ string. Offsets are seconds east of UTC (POSIX writes them west). */
export interface PosixZone {
  readonly stdOffset: number;
  readonly dst?: { readonly offset: number; readonly start: Change; readonly end: Change };
  /**
   * DST without (valid) rules: glibc takes the changes from the posixrules file (local-zone.ts);
   * `dst` then holds the US rules glibc falls back to when that file cannot be read.
   */
  readonly defaultRules?: true;
}

const DEFAULT_CHANGE_TIME = 2 * 3600;

/** A little cursor over the TZ text; every reader returns undefined and leaves `pos` alone on failure. */
class Cursor {
  pos = 0;
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string {
    return this.text[this.pos] ?? "";
  }
  eat(ch: string): boolean {
    if (this.peek() !== ch) return false;
    this.pos++;
    return true;
  }
  number(maxDigits: number): number | undefined {
    const start = this.pos;
    while (this.pos - start < maxDigits && /[0-9]/.test(this.peek())) this.pos++;
    return this.pos === start ? undefined : Number(this.text.slice(start, this.pos));
  }
}

/** A zone name: three or more letters, or `<...>` holding letters, digits, '+' and '-'. */
function readName(c: Cursor): boolean {
  const start = c.pos;
  if (c.eat("<")) {
    while (/[A-Za-z0-9+-]/.test(c.peek())) c.pos++;
    if (c.pos - start - 1 < 3 || !c.eat(">")) {
      c.pos = start;
      return false;
    }
    return true;
  }
  while (/[A-Za-z]/.test(c.peek())) c.pos++;
  if (c.pos - start < 3) {
    c.pos = start;
    return false;
  }
  return true;
}

/** [+-]hh[:mm[:ss]] as seconds, `maxHours` bounding hh. */
function readClock(c: Cursor, maxHours: number): number | undefined {
  const start = c.pos;
  const sign = c.eat("-") ? -1 : (c.eat("+"), 1);
  const hours = c.number(3);
  if (hours === undefined || hours > maxHours) {
    c.pos = start;
    return undefined;
  }
  let seconds = hours * 3600;
  if (c.eat(":")) {
    const minutes = c.number(2);
    if (minutes === undefined || minutes > 59) return (c.pos = start), undefined;
    seconds += minutes * 60;
    if (c.eat(":")) {
      const secs = c.number(2);
      if (secs === undefined || secs > 59) return (c.pos = start), undefined;
      seconds += secs;
    }
  }
  return sign * seconds;
}

/** glibc's default for a missing start or end rule: "M3.2.0" and "M11.1.0" at 02:00. */
const US_START: Change = { day: { kind: "month-week-day", month: 3, week: 2, weekday: 0 }, time: DEFAULT_CHANGE_TIME };
const US_END: Change = { day: { kind: "month-week-day", month: 11, week: 1, weekday: 0 }, time: DEFAULT_CHANGE_TIME };
/** What a rule glibc cannot read stays: its zeroed state, day 0 at 00:00. */
const ZEROED: Change = { day: { kind: "julian", day: 0 }, time: 0 };

/**
 * One rule ("," is optional, as in early POSIX texts); `missing` when nothing is left. `ok` is false
 * where glibc gives up: the rule keeps what was read before the fault (a bad day keeps the zeroed
 * day, a bad time the day at 02:00).
 */
function readChange(c: Cursor, missing: Change): { rule: Change; ok: boolean } {
  c.eat(",");
  if (c.done) return { rule: missing, ok: true };
  const failed = { rule: ZEROED, ok: false };
  let day: ChangeDay;
  if (c.eat("J")) {
    const n = c.number(3);
    if (n === undefined || n < 1 || n > 365) return failed;
    day = { kind: "julian-no-leap", day: n };
  } else if (c.eat("M")) {
    const month = c.number(2);
    const week = c.eat(".") ? c.number(1) : undefined;
    const weekday = c.eat(".") ? c.number(1) : undefined;
    if (month === undefined || month < 1 || month > 12 || week === undefined || week < 1 || week > 5 || weekday === undefined || weekday > 6) return failed;
    day = { kind: "month-week-day", month, week, weekday };
  } else {
    const n = c.number(3);
    if (n === undefined || n > 365) return failed;
    day = { kind: "julian", day: n };
  }
  let time = DEFAULT_CHANGE_TIME;
  if (c.eat("/")) {
    const t = readClock(c, 167);
    if (t === undefined) return { rule: { day, time }, ok: false };
    time = t;
  }
  return { rule: { day, time }, ok: true };
}

/**
 * The zone `text` describes, or undefined where glibc falls back to UTC (no valid standard name and
 * offset). As in glibc, a missing start or end rule is the US one, and a rule that cannot be read
 * (and the end rule after it) keeps the zeroed state: day 0 at 00:00.
 */
export function parsePosixTz(text: string): PosixZone | undefined {
  const c = new Cursor(text);
  if (!readName(c)) return undefined;
  const west = readClock(c, 24);
  if (west === undefined) return undefined;
  const stdOffset = -west;
  if (c.done || !readName(c)) return { stdOffset };
  const dstWest = c.peek() === "," || c.done ? undefined : readClock(c, 24);
  const offset = dstWest === undefined ? stdOffset + 3600 : -dstWest;
  if (c.done || c.text.slice(c.pos) === ",") return { stdOffset, dst: { offset, start: US_START, end: US_END }, defaultRules: true };
  const start = readChange(c, US_START);
  const end = start.ok ? readChange(c, US_END).rule : ZEROED;
  return { stdOffset, dst: { offset, start: start.rule, end } };
}

const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Day of the year (0-based) on which `day` falls in `year`. */
function dayOfYear(day: ChangeDay, year: number): number {
  switch (day.kind) {
    case "julian-no-leap":
      return day.day - 1 + (isLeap(year) && day.day >= 60 ? 1 : 0);
    case "julian":
      return day.day;
    case "month-week-day": {
      let first = 0;
      for (let m = 0; m < day.month - 1; m++) first += DAYS_IN_MONTH[m]! + (m === 1 && isLeap(year) ? 1 : 0);
      const monthDays = DAYS_IN_MONTH[day.month - 1]! + (day.month === 2 && isLeap(year) ? 1 : 0);
      const firstWeekday = new Date(Date.UTC(year, day.month - 1, 1)).getUTCDay();
      let d = ((day.weekday - firstWeekday + 7) % 7) + (day.week - 1) * 7;
      while (d >= monthDays) d -= 7;
      return first + d;
    }
  }
}

/** The UTC instant of `change` in `year`, its local time read with `offset`. */
function changeAt(change: Change, year: number, offset: number): number {
  // glibc counts the days from 1970-01-01 for every year up to 1970.
  const yearStart = year > 1970 ? Date.UTC(year, 0, 1) / 1000 : 0;
  return yearStart + dayOfYear(change.day, year) * 86400 + change.time - offset;
}

/** Seconds east of UTC at `epochSeconds`. The year of the change is the instant's UTC year, as in glibc. */
export function posixOffsetAt(zone: PosixZone, epochSeconds: number): number {
  const dst = zone.dst;
  if (dst === undefined) return zone.stdOffset;
  const year = new Date(epochSeconds * 1000).getUTCFullYear();
  const start = changeAt(dst.start, year, zone.stdOffset);
  const end = changeAt(dst.end, year, dst.offset);
  // Southern hemisphere: DST spans the new year.
  const inDst = start > end ? epochSeconds < end || epochSeconds >= start : epochSeconds >= start && epochSeconds < end;
  return inDst ? dst.offset : zone.stdOffset;
}
