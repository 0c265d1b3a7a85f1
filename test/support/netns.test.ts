import { describe, expect, it } from "vitest";
import { canRunKernelTests, exec, execHost, withNetns } from "./netns.js";
import { buildVariedTable } from "./varied-table.js";

const support = canRunKernelTests();
if (!support.ok) console.log(`skipping kernel harness tests: ${support.reason}`);

describe.skipIf(!support.ok)("netns harness (kernel)", () => {
  it("creates an isolated namespace with the requested sysctls and deletes it afterwards", async () => {
    let seen = "";
    await withNetns(
      "fx-t",
      (ns) => {
        seen = ns;
        expect(exec(ns, "sysctl", ["-n", "net.netfilter.nf_conntrack_acct"]).stdout.trim()).toBe("1");
        expect(exec(ns, "sysctl", ["-n", "net.netfilter.nf_conntrack_timestamp"]).stdout.trim()).toBe("1");
        expect(exec(ns, "conntrack", ["-L"]).stderr).toContain("0 flow entries have been shown.");
      },
      { acct: true, timestamp: true },
    );
    expect(execHost("ip", ["netns", "list"]).stdout).not.toContain(seen);
  });

  it("builds a varied table: every protocol, zones, marks, NAT, counters, timestamps, traffic", async () => {
    await withNetns("fx-t", async (ns) => {
      const table = await buildVariedTable(ns);
      for (const reason of table.skipped) console.log(`varied table: ${reason}`);
      const listed = exec(ns, "conntrack", ["-L", "-o", "extended"]);
      expect(listed.status).toBe(0);
      const out = listed.stdout;
      for (const needle of [
        "tcp      6 ",
        "udp      17 ",
        "udplite  136 ",
        "icmp     1 ",
        "icmpv6   58 ",
        "ipv6     10 ",
        "sctp     132 ",
        "gre      47 ",
        "unknown  200 ",
        "zone-orig=8",
        "zone-reply=9",
        "zone=7",
        "mark=42",
        "src=3.3.3.3 dst=1.1.1.1 sport=8080",
        "packets=0 bytes=0",
        "delta-time=",
        "SYN_SENT2",
        "TIME_WAIT",
      ]) {
        expect(out).toContain(needle);
      }
      if (table.traffic) {
        expect(out).toMatch(/src=127\.0\.0\.1 dst=127\.0\.0\.1 sport=\d+ dport=8080 packets=\d+/);
        expect(out).toContain("src=::1 dst=::1");
        expect(out).toContain("type=8 code=0 id=4242");
        expect(out).toContain("type=128 code=0 id=4343");
      }
      if (table.expectation) {
        expect(exec(ns, "conntrack", ["-L", "expect"]).stdout).toContain("dport=50000");
      }
    });
  });
});
