// -E -b N: the value goes to the kernel as conntrack's does (a C int, clamped by the kernel), never as
// a Node RangeError. The NOTICE line tells the size granted (1.4.7 prints garbage in the upper bits
// for values outside 0..2^32: DEVIATIONS.md).

import { describe, expect, it } from "vitest";
import { BIN } from "../cli/run-cli.js";
import { canRunKernelTests, exec, withNetns } from "../support/netns.js";

const support = canRunKernelTests();
if (!support.ok) console.log(`skipping -E -b: ${support.reason}`);

describe.skipIf(!support.ok)("-E -b", () => {
  it.each([
    ["2147483648", 2304],
    ["-5", 2304],
    ["99999999999999999999", 2304],
    ["abc", 2304],
    ["1000000", 2_000_000],
  ])("-b %s asks the kernel for what conntrack asks and reports %i bytes", async (value, granted) => {
    await withNetns("ev-b", (ns) => {
      const ours = exec(ns, "timeout", ["--preserve-status", "-s", "INT", "1", BIN, "-E", "-b", value]);
      expect(ours.stderr.split("\n")[0]).toBe(`NOTICE: Netlink socket buffer size has been set to ${granted} bytes.`);
      expect(ours.stderr).not.toMatch(/Range|Error|value/);
      const theirs = exec(ns, "timeout", ["--preserve-status", "-s", "INT", "1", "conntrack", "-E", "-b", value]);
      expect(ours.status).toBe(theirs.status);
      // 1.4.7's getsockopt fills 4 bytes of an 8-byte size_t: its low 32 bits are the size granted.
      const printed = BigInt(/set to (\d+) bytes/.exec(theirs.stderr)?.[1] ?? "-1");
      expect(Number(printed & 0xffffffffn)).toBe(granted);
    });
  });
});
