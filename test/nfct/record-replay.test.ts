// tsnfct --record keeps the netlink traffic of a live run as a pcap; --replay answers the same
// command from it without root, printing the same bytes.

import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canRunKernelTests, withNetns } from "../support/netns.js";
import { runNfct } from "./run-nfct.js";

const kernel = canRunKernelTests();
if (!kernel.ok) console.warn(`tsnfct --record test skipped: ${kernel.reason}`);

describe.skipIf(!kernel.ok)("tsnfct --record / --replay", () => {
  it.each([
    [["add", "timeout", "r1", "inet", "tcp", "established", "50"]],
    [["list", "timeout"]],
    [["get", "timeout", "r1", "-o", "json"]],
    [["default-get", "timeout", "inet6", "icmpv6"]],
    [["get", "timeout", "nope"]],
    [["add", "helper", "ftp", "inet", "tcp"]],
  ])("%j replays as recorded", async (args) => {
    const dir = mkdtempSync(join(tmpdir(), "tsnfct-rec-"));
    chmodSync(dir, 0o755); // the replay runs as nobody
    try {
      await withNetns("nfct-rec", (ns) => {
        runNfct(["--netns", ns, "add", "timeout", "r1", "inet", "udp", "unreplied", "3"]);
        const path = join(dir, "run.pcap");
        const live = runNfct(["--netns", ns, "--record", path, ...args]);
        // Captures are created 0600 (they hold the table); sharing one is a deliberate act.
        chmodSync(path, 0o644);
        const replayed = runNfct([...args, "--replay", path], { unprivileged: true });
        expect(replayed).toEqual(live);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
