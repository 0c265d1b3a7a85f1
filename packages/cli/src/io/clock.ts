// "Now" for time-dependent output (delta-time, <deltatime>, <when>, -o timestamp). TSCONNTRACK_NOW
// (seconds since the epoch) pins it, so a replayed capture prints what it printed when recorded.

export function nowMillis(env: NodeJS.ProcessEnv = process.env): number {
  const pinned = env["TSCONNTRACK_NOW"];
  if (pinned !== undefined && pinned !== "" && Number.isFinite(Number(pinned))) return Number(pinned) * 1000;
  return Date.now();
}

export function nowSeconds(): number {
  return Math.floor(nowMillis() / 1000);
}
