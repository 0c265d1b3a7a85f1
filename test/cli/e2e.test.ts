// tsconntrack as a user runs it: in a pipe that closes early, piped output without colour, --netns.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canRunKernelTests, createNetns, destroyNetns, execOk } from "../support/netns.js";
import { BIN, REPO, runCli } from "./run-cli.js";

const CAPTURE = join(REPO, "packages/cli/test/commands/captures/list.pcap");
const built = existsSync(join(REPO, "packages/cli/dist/main.js"));
let scratch: string | undefined;
const scratchDir = (): string => (scratch ??= mkdtempSync(join(tmpdir(), "e2e-")));
afterAll(() => {
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
});

describe.skipIf(!built)("tsconntrack in pipes", () => {
  it("`| head -1` prints one line and no error or stack trace", () => {
    const result = spawnSync("sh", ["-c", `"${BIN}" -L --replay "${CAPTURE}" | head -1`], { encoding: "utf8" });
    expect(result.stdout.split("\n").filter((line) => line !== "")).toHaveLength(1);
    expect(result.stderr).not.toMatch(/Error|at .*\.js/);
  });

  it("dies of SIGPIPE when the reader closes the pipe, as conntrack does", async () => {
    // More than a pipe holds (the 100k-entry bench capture), so the writer meets the closed pipe.
    const capture = join(scratchDir(), "dump-100k.pcap");
    writeFileSync(capture, gunzipSync(readFileSync(join(REPO, "fixtures/bench/dump-100k.pcap.gz"))));
    const child = spawn(BIN, ["-L", "--replay", capture], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.stdout.once("data", () => child.stdout.destroy());
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("close", (c, s) => resolve([c, s])));
    expect({ code, signal, stderr }).toEqual({ code: null, signal: "SIGPIPE", stderr: "" });
  });

  it("reports a failed write (/dev/full) in one line and exits 1 (1.4.7 exits 0 and loses the output)", () => {
    const result = spawnSync("sh", ["-c", `"${BIN}" -L --replay "${CAPTURE}" > /dev/full`], { encoding: "utf8" });
    expect(result.status).toBe(1);
    // The summary goes out where conntrack's buffered stdout would put it, before the last write.
    expect(result.stderr).toBe(
      "tsconntrack v0.1.0 (conntrack-tools): 5 flow entries have been shown.\n" +
        "tsconntrack v0.1.0 (conntrack-tools): write error on standard output: No space left on device\n",
    );
  });

  it("never colours piped output, even with FORCE_COLOR", () => {
    const result = runCli(["-L", "--replay", CAPTURE], { env: { FORCE_COLOR: "3", NO_COLOR: undefined } });
    expect(result.stdout).not.toContain("\u001b[");
  });

  it("argument errors print conntrack's text under our name, without a stack trace", () => {
    const result = runCli(["-L", "--sport", "1"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      "tsconntrack v0.1.0 (conntrack-tools): unknown option `--sport'\nTry `tsconntrack -h' or 'tsconntrack --help' for more information.\n",
    );
  });
});

const support = canRunKernelTests();
if (!support.ok) console.log(`skipping tsconntrack --netns tests: ${support.reason}`);

describe.skipIf(!support.ok || !built)("--netns", () => {
  let ns = "";
  beforeAll(() => {
    ns = createNetns("cli");
    execOk(ns, "conntrack", ["-I", "-s", "10.1.0.1", "-d", "10.1.0.2", "-p", "udp", "--sport", "7", "--dport", "8", "-t", "100", "-m", "5"]);
  });
  afterAll(() => destroyNetns(ns));

  it("lists the namespace's table without ip netns exec, like conntrack -L there", () => {
    const ours = runCli(["-L", "--netns", ns, "-o", "save"]);
    const theirs = execOk(ns, "conntrack", ["-L", "-o", "save"]);
    expect(ours.status).toBe(0);
    expect(ours.stdout.replace(/-t \d+/g, "-t T")).toBe(theirs.stdout.replace(/-t \d+/g, "-t T"));
    expect(ours.stderr).toBe("tsconntrack v0.1.0 (conntrack-tools): 1 flow entries have been shown.\n");
  });

  it("deletes by mark (kernel mark filter + batched delete) and exits 1 when nothing matched", () => {
    const first = runCli(["-D", "-m", "5", "--netns", ns]);
    expect(first.status).toBe(0);
    expect(first.stderr).toContain("1 flow entries have been deleted.");
    const again = runCli(["-D", "-m", "5", "--netns", ns]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain("0 flow entries have been deleted.");
  });
});
