// Local time as glibc computes it (conntrack's ctime() for -o ktimestamp), checked against glibc
// itself: Python's time.localtime() is glibc's localtime_r, so it answers for every TZ value here.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ctimeText } from "../../src/format/time.js";
import { zoneFor } from "../../src/time/local-zone.js";

const TZ_VALUES = [
  "EST5EDT,M3.2.0,M11.1.0",
  "<+0330>-3:30",
  "<-03>3",
  "IST-5:30",
  "CET-1CEST,M3.5.0,M10.5.0/3",
  "CET-1CEST,J60/2,J300/3",
  "NZST-12NZDT,M9.5.0,M4.1.0/3",
  "AEST-10AEDT-11,M10.1.0,M4.1.0/3",
  "WART4WARST,J1/0,J365/25",
  "XYZ5ABC",
  "XYZ5ABC4",
  "XYZ5ABC3",
  "XYZ6ABC5",
  "XYZ-1ABC",
  "XYZ-5:30ABC-7",
  "EST+5EDT,M3.2.0/2,M11.1.0/2",
  "EST5EDT,M3.2.0",
  "EST5EDT,garbage",
  "EST5EDT,M3.2.0,x",
  "EST5EDT,J60",
  "EST5EDTM3.2.0,M11.1.0",
  "EST5EDT,M3.2.0/x,M11.1.0",
  "EST5EDT,",
  "ABC",
  "AB5",
  "Foo",
  "",
  ":",
  "UTC0",
  "EST5EDT",
  "Europe/Paris",
  ":Europe/Paris",
  "/usr/share/zoneinfo/Asia/Tokyo",
  "America/Sao_Paulo",
  "Australia/Lord_Howe",
  "Europe/Nowhere",
];

/** Instants: every 13 days from 1969 to 2040, plus the hours around this century's US and EU changes. */
function instants(): number[] {
  const out: number[] = [];
  for (let t = -86400 * 400; t < 2_210_000_000; t += 86400 * 13 + 3607) out.push(t);
  for (const year of [2024, 2026, 2038]) {
    for (const [month, day] of [[2, 8], [2, 14], [2, 25], [2, 31], [9, 27], [9, 31], [10, 1], [10, 7]] as const) {
      const base = Date.UTC(year, month, day) / 1000;
      for (let h = -30; h <= 30; h++) out.push(base + h * 3600);
    }
  }
  return out;
}

const hasPython = existsSync("/usr/bin/python3");
if (!hasPython) console.warn("skipping the glibc comparison of local time: /usr/bin/python3 is missing");

function glibcOffsets(tz: string, times: readonly number[]): number[] {
  const script = "import json,os,sys,time\nd=json.load(sys.stdin)\nos.environ['TZ']=d['tz']\ntime.tzset()\nprint(json.dumps([time.localtime(t).tm_gmtoff for t in d['t']]))";
  const run = spawnSync("/usr/bin/python3", ["-c", script], { input: JSON.stringify({ tz, t: times }), encoding: "utf8", maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as number[];
}


describe.skipIf(!hasPython)("local time offsets match glibc", () => {
  it.each(TZ_VALUES)("TZ=%j", (tz) => {
    const times = instants();
    const offsetAt = zoneFor(tz);
    const ours = times.map((t) => offsetAt(t));
    const theirs = glibcOffsets(tz, times);
    const wrong = times.flatMap((t, i) => (ours[i] === theirs[i] ? [] : [`${new Date(t * 1000).toISOString()}: ${ours[i]} vs glibc ${theirs[i]}`]));
    expect(wrong.slice(0, 5)).toEqual([]);
  });
});

describe("ctimeText", () => {
  it("prints in the zone $TZ names, POSIX rules included", () => {
    const saved = process.env["TZ"];
    try {
      process.env["TZ"] = "EST5EDT,M3.2.0,M11.1.0";
      expect(ctimeText(1795386501)).toBe("Sun Nov 22 17:28:21 2026");
      process.env["TZ"] = "<+0330>-3:30";
      expect(ctimeText(1795386501)).toBe("Mon Nov 23 01:58:21 2026");
      process.env["TZ"] = "";
      expect(ctimeText(1795386501)).toBe("Sun Nov 22 22:28:21 2026");
    } finally {
      if (saved === undefined) delete process.env["TZ"];
      else process.env["TZ"] = saved;
    }
  });
});

describe("zoneFor on arbitrary TZ text", () => {
  it("never throws and always gives a whole offset within a day", () => {
    const alphabet = "ESTDUCM<>+-:,./J0123456789 abc";
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let i = 0; i < 20_000; i++) {
      let tz = "";
      for (let n = next() % 24; n > 0; n--) tz += alphabet[next() % alphabet.length];
      const offset = zoneFor(tz)(next() * 3);
      expect(Number.isInteger(offset) && Math.abs(offset) < 2 * 86400, tz).toBe(true);
    }
  });
});
