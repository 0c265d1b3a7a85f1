// tsconntrack top against a namespace with live, counted traffic: the full-screen view under tmux (keys,
// the screen while it runs and after it ends: q, Ctrl-C, a closed terminal), and --once for scripts,
// whose counts are checked against Debian's conntrack -L with the same filters.

import { readFileSync } from "node:fs";
import AjvModule from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exec, hasCommand } from "../support/netns.js";
import { BIN, conntrackListCount, liveNetns, liveSkipReason, REPO, type LiveNetns } from "./live-netns.js";
import { TmuxPane } from "./tmux.js";

const reason = liveSkipReason(["tmux"]) ?? (hasCommand("tmux") ? undefined : "`tmux` is not installed");
if (reason !== undefined) console.log(`skipping the top tests: ${reason}`);

const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile(JSON.parse(readFileSync(`${REPO}packages/cli/schema/top.schema.json`, "utf8")));

interface Row {
  key: string;
  flows: number;
  bytes: number | null;
  packets: number | null;
  bytes_per_second: number | null;
  packets_per_second: number | null;
}

/** 20 datagrams of 500 bytes a second per UDP flow: 528 bytes each at the IP layer. */
const UDP_BYTES_PER_SECOND = 20 * 528;

describe.skipIf(reason !== undefined)("tsconntrack top", () => {
  let live: LiveNetns;

  beforeAll(async () => {
    live = await liveNetns("top");
  });
  afterAll(() => live?.close());

  const topOnce = (args: readonly string[]) => {
    const run = exec(live.ns, BIN, ["top", "--once", ...args]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    return run.stdout;
  };

  it("--once -o json: the rows by port, with rates from counter deltas, as conntrack -L counts them", () => {
    const document = JSON.parse(topOnce(["-o", "json", "--group", "port", "--limit", "0"]));
    expect(validate(document), ajv.errorsText(validate.errors)).toBe(true);
    expect(document).toMatchObject({ acct: true, group: "port", sort: "rate", interval: 1 });
    const rows = new Map<string, Row>(document.rows.map((row: Row) => [row.key, row]));
    for (const [key, args] of [
      ["udp/6000", ["-p", "udp", "--dport", "6000"]],
      ["tcp/7000", ["-p", "tcp", "--dport", "7000"]],
      ["tcp/443", ["-p", "tcp", "--dport", "443"]],
      ["udp/53", ["-p", "udp", "--dport", "53"]],
    ] as const) {
      expect(rows.get(key)?.flows, key).toBe(conntrackListCount(live.ns, args));
    }
    for (const port of [6000, 6001, 6002]) {
      const row = rows.get(`udp/${port}`)!;
      expect(row.bytes).toBeGreaterThan(0);
      // The sender keeps its pace by the clock; a loaded machine may still starve it for a while.
      expect(row.bytes_per_second).toBeGreaterThan(UDP_BYTES_PER_SECOND * 0.25);
      expect(row.bytes_per_second).toBeLessThan(UDP_BYTES_PER_SECOND * 2);
    }
    // Busiest first: the live flows come before the idle static entries.
    expect(document.rows[0].bytes_per_second).toBeGreaterThan(0);
    expect(document.rows.at(-1).bytes_per_second).toBe(0);
    expect(document.entries).toBe(conntrackListCount(live.ns, []));
  });

  it("--once -o ndjson with -L's filters: one row per line, grouped by source", () => {
    const lines = topOnce(["-o", "ndjson", "--group", "src", "--interval", "0", "-p", "tcp", "--dport", "443"]).trim().split("\n");
    const rows = lines.map((line) => JSON.parse(line) as Row);
    for (const row of rows) expect(validate(row), ajv.errorsText(validate.errors)).toBe(true);
    expect(Object.fromEntries(rows.map((row) => [row.key, row.flows]))).toEqual({
      "10.20.0.1": conntrackListCount(live.ns, ["-p", "tcp", "--dport", "443", "-s", "10.20.0.1"]),
      "2001:db8::1": conntrackListCount(live.ns, ["-p", "tcp", "--dport", "443", "-s", "2001:db8::1"]),
    });
    // --interval 0: one reading, so no rates.
    expect(rows.every((row) => row.bytes_per_second === null)).toBe(true);
  });

  it("--once as text: the header with the table's fill, then the rows", () => {
    const text = topOnce(["--group", "zone", "--sort", "flows"]);
    const entries = conntrackListCount(live.ns, []);
    expect(text).toMatch(new RegExp(`^tsconntrack top  ${entries}/\\d+ entries \\(`));
    expect(text).toMatch(/\ngroup zone  sort flows  every 1s \(refresh \d+ ms\)  2\/2 rows\n/);
    expect(text).toMatch(/\nZONE +FLOWS +PKTS +BYTES +PKT\/S +BYTES\/S +AGE\n0 +\d+ /);
    expect(text).toMatch(new RegExp(`\\n5 +${conntrackListCount(live.ns, ["-w", "5"])} `));
  });

  it("refuses to run live without a terminal, and rejects bad options", () => {
    const noTty = exec(live.ns, BIN, ["top"]);
    expect(noTty).toMatchObject({ status: 2, stdout: "" });
    expect(noTty.stderr).toBe("tsconntrack top: needs a terminal on stdin and stdout (or use --once)\nTry `tsconntrack top --help' for more information.\n");
    const badGroup = exec(live.ns, BIN, ["top", "--once", "--group", "colour"]);
    expect(badGroup.status).toBe(2);
    expect(badGroup.stderr).toMatch(/^tsconntrack top: --group takes one of flow, src, dst/);
    const conntrackError = exec(live.ns, BIN, ["top", "--once", "-p", "nosuchproto"]);
    expect(conntrackError.status).toBe(2);
    expect(conntrackError.stderr).toMatch(/^tsconntrack v[\d.]+ \(conntrack-tools\): `nosuchproto' unsupported protocol\nTry `tsconntrack top --help' for more information\.\n$/);
  });

  /**
   * top in a tmux pane: `BEFORE-TOP` is on the screen before it starts, `EXIT=N` after it ends. The shell
   * then waits (tmux redraws a dead pane's screen), until the test kills the tmux server.
   */
  const startPane = (extra = ""): TmuxPane =>
    new TmuxPane(`clear; echo BEFORE-TOP; ip netns exec ${live.ns} ${BIN} top --interval 0.5 ${extra}; echo EXIT=$?; sleep 60`);

  const expectRestored = async (pane: TmuxPane): Promise<void> => {
    const screen = await pane.waitFor((text) => text.includes("EXIT="), "top to exit");
    expect(screen).toMatch(/^BEFORE-TOP\nEXIT=0\n/);
    expect(screen).not.toContain("tsconntrack top");
    expect(pane.format("#{alternate_on} #{cursor_flag}")).toBe("0 1");
  };

  it("shows the live flows, changes grouping and sort with g and s, and q restores the screen", async () => {
    const pane = startPane();
    try {
      const first = await pane.waitFor((text) => /udp 127\.0\.0\.1:\d+ > 127\.0\.0\.1:6000 +1 +\d+ +[\d.]+K? +\d/.test(text) && /PKT\/S/.test(text), "live udp rows with rates");
      expect(first).toMatch(/^tsconntrack top  \d+\/\d+ entries \([\d.]+%\)  new [\d.]+\/s  destroy [\d.]+\/s  overruns 0\n/);
      expect(first).toMatch(/\ngroup flow  sort rate  every 0.5s \(refresh \d+ ms\)  \d+\/\d+ rows  g: group  s: sort  q: quit\n/);
      expect(pane.format("#{alternate_on} #{cursor_flag}")).toBe("1 0");
      pane.send("g");
      const bySource = await pane.waitFor((text) => text.includes("group src"), "the src grouping");
      expect(bySource).toMatch(/\nSRC +FLOWS/);
      expect(bySource).toMatch(/\n127\.0\.0\.1 +4 /);
      pane.send("s");
      await pane.waitFor((text) => text.includes("sort bytes"), "the bytes sort");
      pane.send("q");
      await expectRestored(pane);
    } finally {
      pane.kill();
    }
  });

  it("Ctrl-C ends it and restores the screen", async () => {
    const pane = startPane("--group proto");
    try {
      await pane.waitFor((text) => /\nudp +\d+ /.test(text), "the proto rows");
      pane.send("C-c");
      await expectRestored(pane);
    } finally {
      pane.kill();
    }
  });

  it("a closed terminal (SIGHUP) ends it", async () => {
    const pane = startPane();
    let pid: number | undefined;
    try {
      await pane.waitFor((text) => text.includes("tsconntrack top"), "the view");
      const shell = Number(pane.format("#{pane_pid}"));
      pid = Number(readFileSync(`/proc/${shell}/task/${shell}/children`, "utf8").trim().split(" ")[0]);
      expect(readFileSync(`/proc/${pid}/cmdline`, "utf8")).toContain("top");
    } finally {
      pane.kill();
    }
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && alive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive(pid)).toBe(false);
  });
});

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
