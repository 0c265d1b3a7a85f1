// What a user without CAP_NET_ADMIN sees: the kernel refuses every request with EPERM, and 1.4.7 still
// prints what /proc tells anyone (-C: nf_conntrack_count, -S: the per-CPU counters) before the error.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canRunKernelTests, createNetns, destroyNetns, exec, execOk } from "../support/netns.js";
import { BIN } from "./run-cli.js";

const support = canRunKernelTests();
if (!support.ok) console.log(`skipping the unprivileged comparison: ${support.reason}`);

const NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
const OUR_PREFIX = "tsconntrack v0.1.0 (conntrack-tools): ";
const THEIR_PREFIX = "conntrack v1.4.7 (conntrack-tools): ";

describe.skipIf(!support.ok)("as an unprivileged user, like conntrack 1.4.7", () => {
  let ns = "";
  beforeAll(() => {
    ns = createNetns("noadmin");
    for (const port of ["1", "2", "3"]) execOk(ns, "conntrack", ["-I", "-s", "10.3.0.1", "-d", "10.3.0.2", "-p", "udp", "--sport", port, "--dport", "9", "-t", "100"]);
  });
  afterAll(() => destroyNetns(ns));

  it.each([["-C"], ["-C", "expect"], ["-L"], ["-L", "-p", "udp"], ["-D", "-p", "udp"], ["-F"], ["-G", "-s", "10.3.0.1", "-d", "10.3.0.2", "-p", "udp", "--sport", "1", "--dport", "9"]])("%s", (...args) => {
    const theirs = exec(ns, NOBODY[0]!, [...NOBODY.slice(1), "conntrack", ...args]);
    const ours = exec(ns, NOBODY[0]!, [...NOBODY.slice(1), BIN, ...args]);
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.stderr.replaceAll(OUR_PREFIX, THEIR_PREFIX)).toBe(theirs.stderr);
    expect(ours.status).toBe(theirs.status);
    if (args[0] === "-C" && args.length === 1) expect(ours.stdout).toBe("3\n");
  });

  // Filtered -C (our extension) fails as -L with the same filters does in 1.4.7; so do top and metrics.
  it.each([
    [["-C", "-p", "udp"], ["-L", "-p", "udp"]],
    [["-C", "-m", "3"], ["-L", "-m", "3"]],
    [["top", "--once"], ["-L"]],
    [["metrics", "--once"], ["-L"]],
    [["metrics", "--listen", "127.0.0.1:0"], ["-L"]],
  ])("%s fails like conntrack %s", (args, like) => {
    const theirs = exec(ns, NOBODY[0]!, [...NOBODY.slice(1), "conntrack", ...like]);
    const ours = exec(ns, NOBODY[0]!, [...NOBODY.slice(1), BIN, ...args], { timeoutMs: 10_000 });
    expect(ours.stdout).toBe("");
    expect(ours.stderr.replaceAll(OUR_PREFIX, THEIR_PREFIX)).toBe(theirs.stderr);
    expect(ours.status).toBe(theirs.status);
  });
});
