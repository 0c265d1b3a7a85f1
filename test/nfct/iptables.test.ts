// A timeout policy at work: tsnfct creates it, iptables' CT target attaches it to new UDP flows to
// port 9999, one datagram makes such a flow, and tsconntrack lists it with the policy's 7-second
// UNREPLIED timeout instead of the kernel's 30. Then the policy is in use: delete is EBUSY, as for nfct.

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runCli } from "../cli/run-cli.js";
import { canRunKernelTests, exec, hasCommand, withNetns } from "../support/netns.js";
import { runNfct } from "./run-nfct.js";

const kernel = canRunKernelTests();
const skip = !kernel.ok
  ? kernel.reason
  : !hasCommand("iptables")
    ? "`iptables` is not installed"
    : !hasCommand("python3")
      ? "`python3` is not installed (it sends the datagram)"
      : undefined;
if (skip !== undefined) console.warn(`tsnfct + iptables integration test skipped: ${skip}`);

function sendDatagram(ns: string, port: number): void {
  const sent = exec(ns, "python3", ["-c", `import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", ${port}))`]);
  expect(sent.status, sent.stderr).toBe(0);
}

/** The remaining timeout of the one UDP flow to `port`, from `tsconntrack -L -p udp`. */
function flowTimeout(ns: string, port: number): number {
  const listed = runCli(["-L", "-p", "udp", "--dport", String(port), "--netns", ns]);
  expect(listed.status, listed.stderr).toBe(0);
  const lines = listed.stdout.split("\n").filter((line) => line !== "");
  expect(lines).toHaveLength(1);
  const match = /^udp +17 (\d+) src=127\.0\.0\.1 dst=127\.0\.0\.1 sport=\d+ dport=(\d+) \[UNREPLIED\] /.exec(lines[0]!);
  expect(match, lines[0]).not.toBeNull();
  expect(Number(match![2])).toBe(port);
  return Number(match![1]);
}

describe.skipIf(skip !== undefined)("tsnfct timeout policy attached by iptables -j CT --timeout", () => {
  it("gives the flow the policy's 7-second UNREPLIED timeout", async () => {
    await withNetns("nfct-ipt", (ns) => {
      const added = runNfct(["--netns", ns, "add", "timeout", "t1", "inet", "udp", "unreplied", "7", "replied", "9"]);
      expect(added, added.stderr).toMatchObject({ status: 0, stdout: "", stderr: "" });
      const rule = exec(ns, "iptables", ["-t", "raw", "-I", "OUTPUT", "-p", "udp", "--dport", "9999", "-j", "CT", "--timeout", "t1"]);
      expect(rule.status, rule.stderr).toBe(0);

      sendDatagram(ns, 9999);
      sendDatagram(ns, 9998); // no rule: the kernel's default UDP timeout (30 s)
      const timeout = flowTimeout(ns, 9999);
      // The kernel reports whole seconds left: 7, or 6 once a fraction of a second has passed.
      expect(timeout).toBeGreaterThanOrEqual(5);
      expect(timeout).toBeLessThanOrEqual(7);
      expect(flowTimeout(ns, 9998)).toBeGreaterThan(20);

      // The rule holds a reference: the policy's use is 2, and it cannot be deleted (nfct: the same).
      const listed = runNfct(["--netns", ns, "list", "timeout", "-o", "json"]);
      expect(JSON.parse(listed.stdout)).toEqual([{ name: "t1", l3proto: 2, l4proto: 17, use: 2, policy: { unreplied: 7, replied: 9 } }]);
      const ours = runNfct(["--netns", ns, "delete", "timeout", "t1"]);
      const theirs = spawnSync("ip", ["netns", "exec", ns, "nfct", "delete", "timeout", "t1"], { encoding: "utf8" });
      expect(ours.status).toBe(1);
      expect(theirs.status).toBe(1);
      expect(ours.stderr).toBe("tsnfct v0.1.0: netlink error: Device or resource busy\n");
      expect(theirs.stderr).toBe("nfct v1.4.7: netlink error: Device or resource busy\n");
    });
  });
});
