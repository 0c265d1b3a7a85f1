// The expectation table against conntrack 1.4.7, with expectations the kernel's FTP (IPv4 PASV, IPv6
// EPSV) and TFTP helpers made from real packets. Read-only commands run back to back in one namespace;
// commands that change the table run on twin namespaces (conntrack in one, tsconntrack in the other)
// and then both tables are compared. Deliberate differences (packages/cli/DEVIATIONS.md E1-E4) are
// asserted as such.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canRunKernelTests, destroyNetns, execOk } from "../support/netns.js";
import { REPO } from "../cli/run-cli.js";
import { createHelperNetns, EXPECTED_IPV4, EXPECTED_IPV6, helperScenarioMissing } from "./helper-netns.js";
import { listen, stop, untilAllSaw } from "./event-listeners.js";
import { expectSameRun, expectSameUpToTimeouts, runOurs, runReal } from "./run-both.js";

const PREFIX = "conntrack v1.4.7 (conntrack-tools): ";
const built = existsSync(join(REPO, "packages/cli/dist/main.js"));
const support = canRunKernelTests();
const missing = !support.ok ? support.reason : !built ? "packages/cli/dist is missing (run `pnpm build`)" : helperScenarioMissing();
if (missing !== undefined) console.log(`skipping expectation tests against conntrack 1.4.7: ${missing}`);

/** -G/-D expect name the expected tuple with -s/-d/--sport/--dport (and TCP/UDP insist on reply ports). */
function lookup(src: string, proto: string, dport: number): string[] {
  return ["-s", src, "-d", src, "-p", proto, "--sport", "0", "--dport", String(dport), "--reply-port-src", "0", "--reply-port-dst", "0"];
}
const FTP4 = lookup("127.0.0.1", "tcp", 50000);
const FTP6 = lookup("::1", "tcp", 50001);
const TFTP = lookup("127.0.0.1", "udp", 40069);
const ABSENT = lookup("127.0.0.1", "tcp", 50999);

/** -I expect of the master `src:sport -> dst:dport`: expect src to open `dst:dataPort`. */
function create(proto: string, src: string, sport: number, dport: number, dataPort: number, dst = src): string[] {
  const full = src.includes(":") ? "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" : "255.255.255.255";
  return [
    "-I", "expect", "-s", src, "-d", dst, "-p", proto, "--sport", String(sport), "--dport", String(dport),
    "--tuple-src", src, "--tuple-dst", dst, "--tuple-port-src", "0", "--tuple-port-dst", String(dataPort),
    "--mask-src", full, "--mask-dst", full, "--mask-port-src", "0", "--mask-port-dst", "65535", "-t", "100",
  ];
}

function lines(text: string): string[] {
  return text.split("\n").filter((line) => line !== "");
}

/** The lines in an order that does not depend on their timeouts (a dump's order is the kernel's hash order). */
function sortedLines(text: string): string {
  const key = (line: string): string => line.replace(/^\d+ /, "");
  return lines(text)
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
    .join("\n");
}

describe.skipIf(missing !== undefined)("expectation table vs conntrack 1.4.7", () => {
  let real = "";
  let ours = "";

  beforeAll(async () => {
    [real, ours] = await Promise.all([createHelperNetns(), createHelperNetns()]);
  });
  afterAll(() => {
    if (real) destroyNetns(real);
    if (ours) destroyNetns(ours);
  });

  describe("read-only commands, back to back in one namespace", () => {
    const same: [string, string[]][] = [
      ["-L expect -f ipv4", ["-L", "expect", "-f", "ipv4"]],
      ["-L expect -f ipv6", ["-L", "expect", "-f", "ipv6"]],
      ["-L expect -f ipv4 -o xml", ["-L", "expect", "-f", "ipv4", "-o", "xml"]],
      ["-L expect -f ipv6 -o xml,extended", ["-L", "expect", "-f", "ipv6", "-o", "xml,extended"]],
      ["-G expect (FTP, IPv4)", ["-G", "expect", ...FTP4]],
      ["-G expect (FTP, IPv6 EPSV)", ["-G", "expect", ...FTP6]],
      ["-G expect (TFTP)", ["-G", "expect", ...TFTP]],
      ["-G expect, any --sport (the mask ignores it)", ["-G", "expect", ...FTP4.map((word, i) => (i > 0 && FTP4[i - 1] === "--sport" ? "777" : word))]],
      ["-G expect, not found", ["-G", "expect", ...ABSENT]],
      ["-S expect", ["-S", "expect"]],
      ["-G expect -o xml (illegal: no XML for -G expect)", ["-G", "expect", ...FTP4, "-o", "xml"]],
    ];
    for (const [name, args] of same) {
      it(name, () => expectSameRun(runOurs(real, args), runReal(real, args)));
    }

    it("-L expect -o timestamp: the space-padded [sec.usec] prefix, then the same lines", () => {
      const args = ["-L", "expect", "-f", "ipv4", "-o", "timestamp"];
      const mine = runOurs(real, args);
      const theirs = runReal(real, args);
      const prefix = /^\[\d+\.[\d ]{6,}\]\t/gm;
      for (const line of lines(mine.stdout)) expect(line).toMatch(/^\[\d+\.\d+ *\]\t\d+ proto=/);
      expectSameUpToTimeouts(mine.stdout.replace(prefix, "[T]\t"), theirs.stdout.replace(prefix, "[T]\t"));
      expect(mine.stderr).toBe(theirs.stderr);
    });

    it("-L expect without -f shows every family (1.4.7 shows IPv4 only: E1)", () => {
      const theirs = runReal(real, ["-L", "expect"]);
      expect(lines(theirs.stdout)).toHaveLength(EXPECTED_IPV4);
      expect(theirs.stderr).toBe(`${PREFIX}${EXPECTED_IPV4} expectations have been shown.\n`);
      const union = runReal(real, ["-L", "expect", "-f", "ipv4"]).stdout + runReal(real, ["-L", "expect", "-f", "ipv6"]).stdout;
      const mine = runOurs(real, ["-L", "expect"]);
      expect(mine.status).toBe(0);
      expectSameUpToTimeouts(sortedLines(mine.stdout), sortedLines(union));
      expect(mine.stderr).toBe(`${PREFIX}${EXPECTED_IPV4 + EXPECTED_IPV6} expectations have been shown.\n`);
    });

    it("-C expect counts every family (1.4.7 counts IPv4 only: E2)", () => {
      expect(runReal(real, ["-C", "expect"]).stdout).toBe(`${EXPECTED_IPV4}\n`);
      const mine = runOurs(real, ["-C", "expect"]);
      expect(mine).toEqual({ stdout: `${EXPECTED_IPV4 + EXPECTED_IPV6}\n`, stderr: "", status: 0 });
    });

    describe("without CAP_NET_ADMIN", () => {
      const cases: [string, string[]][] = [
        ["-C expect (prints 0, then fails)", ["-C", "expect"]],
        ["-S expect (falls back to /proc, then fails)", ["-S", "expect"]],
        ["-D expect", ["-D", "expect", ...FTP4]],
        ["-F expect (the success line first)", ["-F", "expect"]],
      ];
      for (const [name, args] of cases) {
        it(name, () => expectSameRun(runOurs(real, args, { nobody: true }), runReal(real, args, { nobody: true })));
      }
    });
  });

  describe("changes, on twin namespaces (conntrack in one, tsconntrack in the other)", () => {
    /** Runs `args` with each tool in its own namespace. */
    function both(args: readonly string[]): { theirs: ReturnType<typeof runReal>; mine: ReturnType<typeof runOurs> } {
      return { theirs: runReal(real, args), mine: runOurs(ours, args) };
    }
    function expectSameTables(families: readonly string[] = ["ipv4", "ipv6"]): void {
      for (const family of families) {
        const args = ["-L", "expect", "-f", family];
        const theirs = runReal(real, args);
        const mine = runReal(ours, args);
        expectSameUpToTimeouts(sortedLines(mine.stdout), sortedLines(theirs.stdout));
      }
    }

    it("the twins start alike", () => expectSameTables());

    it("-I expect on the TFTP master (UDP: 1.4.7 builds the same request)", () => {
      const { theirs, mine } = both(create("udp", "127.0.0.1", 40069, 69, 40070));
      expectSameRun(mine, theirs);
      expect(mine.status).toBe(0);
      expectSameTables();
      const get = ["-G", "expect", ...lookup("127.0.0.1", "udp", 40070)];
      expectSameRun(runOurs(ours, get), runReal(real, get));
    });

    it("-I expect of an existing expectation: File exists", () => {
      const { theirs, mine } = both(create("udp", "127.0.0.1", 40069, 69, 40070));
      expectSameRun(mine, theirs);
      expect(mine.stderr).toBe(`${PREFIX}Operation failed: File exists\n`);
    });

    it("-I expect without a master: master conntrack not found", () => {
      const { theirs, mine } = both(create("udp", "127.0.0.1", 40069, 70, 40071));
      expectSameRun(mine, theirs);
      expect(mine.stderr).toBe(`${PREFIX}Operation failed: master conntrack not found\n`);
    });

    it("-I expect on a master without a helper: Operation not supported", () => {
      for (const ns of [real, ours]) {
        execOk(ns, "conntrack", ["-I", "-p", "tcp", "-s", "10.9.0.1", "-d", "10.9.0.2", "--sport", "1", "--dport", "2", "--state", "ESTABLISHED", "-t", "100"]);
      }
      const { theirs, mine } = both(create("tcp", "10.9.0.1", 1, 2, 50002, "10.9.0.2"));
      expectSameRun(mine, theirs);
      expect(mine.stderr).toBe(`${PREFIX}Operation failed: Operation not supported\n`);
    });

    it("-I expect -p tcp --tuple-port-*: the expected tuple keeps TCP and its ports (1.4.7: proto=195, E4)", () => {
      const { theirs, mine } = both(create("tcp", "127.0.0.1", 40021, 21, 50002));
      expectSameRun(mine, theirs);
      const master = "master-src=127.0.0.1 master-dst=127.0.0.1 sport=40021 dport=21 class=0 helper=ftp";
      const mask = "mask-src=255.255.255.255 mask-dst=255.255.255.255";
      // The ftp helper keeps one expectation per master: the new one replaced the PASV one.
      const theirsNow = lines(runReal(real, ["-L", "expect", "-f", "ipv4"]).stdout).filter((line) => line.includes("helper=ftp"));
      const mineNow = lines(runReal(ours, ["-L", "expect", "-f", "ipv4"]).stdout).filter((line) => line.includes("helper=ftp"));
      expect(theirsNow.map((line) => line.replace(/^\d+ /, ""))).toEqual([`proto=195 src=127.0.0.1 dst=127.0.0.1 ${mask} ${master}`]);
      expect(mineNow.map((line) => line.replace(/^\d+ /, ""))).toEqual([
        `proto=6 src=127.0.0.1 dst=127.0.0.1 sport=0 dport=50002 ${mask} sport=0 dport=65535 ${master}`,
      ]);
      // Only ours can be found again by its tuple.
      const get = ["-G", "expect", ...lookup("127.0.0.1", "tcp", 50002)];
      expect(runOurs(ours, get).status).toBe(0);
      expect(runReal(real, get).stderr).toBe(`${PREFIX}Operation failed: No such file or directory\n`);
    });

    it("-D expect deletes and says so, exit 0 (1.4.7: '0 expectations have been shown.', exit 1: E3)", () => {
      const { theirs, mine } = both(["-D", "expect", ...FTP6]);
      expect(theirs).toEqual({ stdout: "", stderr: `${PREFIX}0 expectations have been shown.\n`, status: 1 });
      expect(mine).toEqual({ stdout: "", stderr: `${PREFIX}1 expectations have been deleted.\n`, status: 0 });
      expect(lines(runReal(ours, ["-L", "expect", "-f", "ipv6"]).stdout)).toEqual([]);
      expectSameTables(["ipv6"]);
    });

    it("-D expect of a missing expectation: No such file or directory, exit 1", () => {
      const { theirs, mine } = both(["-D", "expect", ...FTP6]);
      expectSameRun(mine, theirs);
      expect(mine.stderr).toBe(`${PREFIX}Operation failed: No such file or directory\n`);
    });

    it("-F expect empties every family", () => {
      const { theirs, mine } = both(["-F", "expect"]);
      expectSameRun(mine, theirs);
      for (const ns of [real, ours]) {
        expect(runReal(ns, ["-L", "expect", "-f", "ipv4"]).stdout).toBe("");
        expect(runReal(ns, ["-L", "expect", "-f", "ipv6"]).stdout).toBe("");
      }
      expectSameRun(runOurs(ours, ["-C", "expect"]), runReal(real, ["-C", "expect"]));
    });
  });

  describe("-E expect, both listening in one namespace (the events code is tested in depth elsewhere)", () => {
    const seen = { mine: "", theirs: "" };
    const USERSPACE_TAG = / \[USERSPACE\] portid=\d+( progname=\S+)?$/gm;

    it("prints the NEW and DESTROY events of IPv4 and IPv6 expectations like conntrack", async () => {
      const listeners = [listen(real, "conntrack", ["-E", "expect"]), listen(real, "tsconntrack", ["-E", "expect"])];
      try {
        // Until both print a probe's events, one of them may still be starting.
        await untilAllSaw(listeners, "[DESTROY]", () => {
          runReal(real, create("udp", "127.0.0.1", 40069, 69, 40072));
          runReal(real, ["-D", "expect", ...lookup("127.0.0.1", "udp", 40072)]);
        });
        const from = listeners.map((l) => l.stdout.length);
        runReal(real, create("udp", "127.0.0.1", 40069, 69, 40070));
        runReal(real, create("tcp", "::1", 41036, 21, 50003));
        runReal(real, ["-F", "expect"]);
        const deadline = Date.now() + 10_000;
        while (listeners.some((l, i) => lines(l.stdout.slice(from[i])).length < 4) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const [theirs, mine] = await Promise.all(listeners.map((l) => stop(l)));
        seen.theirs = theirs!.stdout.slice(from[0]);
        seen.mine = mine!.stdout.slice(from[1]);
        expect(lines(seen.theirs)).toHaveLength(4);
        expect(seen.theirs).toContain("src=::1");
        expectSameUpToTimeouts(sortedLines(seen.mine.replace(USERSPACE_TAG, "")), sortedLines(seen.theirs));
        for (const run of [theirs!, mine!]) {
          expect(run.status).toBe(0);
          expect(run.stderr).toMatch(/^conntrack v1\.4\.7 \(conntrack-tools\): \d+ expectation events have been shown\.\n$/);
        }
      } finally {
        for (const l of listeners) if (l.child.exitCode === null) l.child.kill("SIGKILL");
      }
    });

    // 1.4.7's expectation event callback never adds the `[USERSPACE] portid=N` tag (only flow events do).
    it("expectation events caused by a program carry no [USERSPACE] tag", () => {
      expect(seen.mine).not.toBe("");
      expect(seen.mine).not.toMatch(USERSPACE_TAG);
    });
  });
});
