// tsconntrack as a user runs it: in a pipe that closes early, piped output without colour, --netns.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canRunKernelTests, createNetns, destroyNetns, execOk } from "../support/netns.js";
import { BIN, REPO, runCli } from "./run-cli.js";

const CAPTURE = join(REPO, "packages/cli/test/commands/captures/list.pcap");
const built = existsSync(join(REPO, "packages/cli/dist/main.js"));

describe.skipIf(!built)("tsconntrack in pipes", () => {
  it("`| head -1` prints one line and no error or stack trace", () => {
    const result = spawnSync("sh", ["-c", `"${process.execPath}" "${BIN}" -L --replay "${CAPTURE}" | head -1`], { encoding: "utf8" });
    expect(result.stdout.split("\n").filter((line) => line !== "")).toHaveLength(1);
    expect(result.stderr).not.toMatch(/Error|at .*\.js/);
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
