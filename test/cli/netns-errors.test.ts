// --netns that cannot be entered: the message names the namespace and says why, in one line, and
// nothing hangs (a FIFO at the path) or resolves against the working directory.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { canRunKernelTests, createNetns, destroyNetns } from "../support/netns.js";
import { runCli } from "./run-cli.js";

const PREFIX = "tsconntrack v0.1.0 (conntrack-tools): ";
const scratch = mkdtempSync(join(tmpdir(), "netns-errors-"));
const fifo = join(scratch, "fifo");
execFileSync("mkfifo", [fifo]);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("--netns errors", () => {
  it.each([
    [["-L", "--netns", "no-such-ns-here"], "network namespace no-such-ns-here (/run/netns/no-such-ns-here): no such namespace"],
    [["-C", "--netns", "no-such-ns-here"], "network namespace no-such-ns-here (/run/netns/no-such-ns-here): no such namespace"],
    [["-L", "--netns", "a/b"], `--netns "a/b": give an ip netns name (no '/') or an absolute path`],
    [["-L", "--netns", "./fifo"], `--netns "./fifo": give an ip netns name (no '/') or an absolute path`],
    [["-L", "--netns", "/etc/passwd"], "network namespace /etc/passwd: not a network namespace"],
    [["-L", "--netns", fifo], `network namespace ${fifo}: not a network namespace`],
  ])("%j", (args, message) => {
    const run = runCli(args, {});
    expect(run.stderr).toBe(`${PREFIX}${message}\n`);
    expect(run.stdout).toBe("");
    expect(run.status).toBe(1);
  });

  const kernel = canRunKernelTests();
  it.skipIf(!kernel.ok)("says it may not enter a namespace without the privilege", () => {
    const ns = createNetns("netns-err");
    try {
      const run = runCli(["-L", "--netns", ns], { unprivileged: true });
      expect(run.stderr).toBe(`${PREFIX}network namespace ${ns} (/run/netns/${ns}): cannot enter it: Operation not permitted\n`);
      expect(run.status).toBe(1);
    } finally {
      destroyNetns(ns);
    }
  });
});
