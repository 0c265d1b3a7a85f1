/**
 * conntrack-tools 1.4.7's own conntrackd testsuite (tests/conntrackd/{scenarios,tests}.yaml, read
 * from ../shared/reference, never copied), run against tsconntrackd and against conntrackd 1.4.7.
 * Each test runs in a fresh namespace; the suite's /var/lock, /var/run, /tmp and `LogFile on`
 * paths are moved into a private directory, so nothing touches the host.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createNetns, destroyNetns, exec, execHost, hasCommand } from "../support/netns.js";
import { pairUnsupported } from "./pair.js";

const SUITE = join(__dirname, "../../../shared/reference/conntrack-tools-1.4.7/tests/conntrackd");
const BIN = join(__dirname, "../../bin/tsconntrackd");

interface Scenario { name: string; start: string[]; stop: string[] }
interface Test { name: string; scenario: string; test: string[] }

/** Tests that need what this machine or tsconntrackd does not have, with the reason printed when skipped. */
const NOT_APPLICABLE: Record<string, string> = hasCommand("ping") ? {} : { tcp_notrack_replicate_icmp: "`ping` (iputils-ping) is not installed" };

/** The suite's fixed namespace names (scenarios/basic/network-setup.sh), made unique per run. */
const SUITE_NETNS = /\b(nsr1|nsr2|ns1|ns2)\b/g;

const reason = pairUnsupported() ?? (existsSync(join(SUITE, "tests.yaml")) ? undefined : `${SUITE} is missing`);
if (reason) {
  if (process.env.TSCONNTRACK_REQUIRE_REFERENCE && reason.includes("missing")) throw new Error(reason);
  console.log(`skipping conntrackd's upstream tests: ${reason}`);
}

function load(): { scenarios: Map<string, Scenario>; tests: Test[] } {
  const scenarios = parse(readFileSync(join(SUITE, "scenarios.yaml"), "utf8")) as Scenario[];
  const tests = parse(readFileSync(join(SUITE, "tests.yaml"), "utf8")) as Test[];
  return { scenarios: new Map(scenarios.map((s) => [s.name, s])), tests };
}

/** The suite's commands with every host path moved into `dir`. */
function relocate(command: string, dir: string, prefix: string): string {
  const into: Record<string, string> = { "/var/lock/": "lock-", "/var/run/": "run-", "/tmp/": "tmp-" };
  return command
    .replace(SUITE_NETNS, (name) => `${prefix}${name}`)
    // The network set-up script runs as it is, with its namespace names made ours on the way.
    .replace(/(\S*network-setup\.sh) (start|stop)/g, (_m, script: string, verb: string) => `sed -E 's/\\b(nsr1|nsr2|ns1|ns2)\\b/${prefix}\\1/g' ${script} | bash -s ${verb}`)
    .replace(/\/var\/lock\/|\/var\/run\/|\/tmp\//g, (m) => `${dir}/${into[m]}`)
    .replace(/LogFile on/g, `LogFile ${dir}/conntrackd.log`)
    .replace(/Syslog on/g, "Syslog off");
}

const suite = reason ? { scenarios: new Map<string, Scenario>(), tests: [] as Test[] } : load();

for (const impl of ["tsconntrackd", "conntrackd"] as const) {
  describe.skipIf(reason !== undefined)(`conntrackd 1.4.7's testsuite against ${impl}`, () => {
    for (const test of suite.tests) {
      const skip = NOT_APPLICABLE[test.name];
      if (skip) console.log(`not applicable: ${test.name}: ${skip}`);
      it.skipIf(skip !== undefined)(test.name, () => {
        const ns = createNetns("ctdU");
        const dir = mkdtempSync(join(tmpdir(), "ctd-up-"));
        const env = { CONNTRACKD: impl === "conntrackd" ? "conntrackd" : BIN, CONNTRACK: "conntrack" };
        const prefix = `u${process.pid % 100000}${impl === "conntrackd" ? "c" : "t"}`;
        const ownNetns = suite.scenarios.get(test.scenario)!.start.some((c) => c.includes("network-setup.sh"));
        const run = (commands: string[]): { status: number | null; out: string } => {
          const script = `set -e\ncd ${SUITE}\n` + commands.map((c) => relocate(c, dir, prefix)).join("\n") + "\n";
          // A scenario that makes its own namespaces (network-setup.sh) runs from the host, so its
          // `ip netns add` mounts are seen by its later `ip netns exec`s; everything it runs is
          // inside those namespaces. Any other runs inside our fresh namespace.
          const r = ownNetns ? execHost("bash", ["-c", script], { env, timeoutMs: 60_000 }) : exec(ns, "bash", ["-c", script], { env, timeoutMs: 60_000 });
          return { status: r.status, out: r.stdout + r.stderr };
        };
        const scenario = suite.scenarios.get(test.scenario)!;
        try {
          const started = run(scenario.start);
          expect(started.status, started.out).toBe(0);
          try {
            const result = run(test.test);
            expect(result.status, result.out).toBe(0);
          } finally {
            run(scenario.stop);
          }
        } finally {
          // A daemon the suite started with -d and did not stop: end it by pid, in our namespace
          // and in the suite's own (renamed) ones, which are deleted too.
          const suiteNetns = ["ns1", "ns2", "nsr1", "nsr2"].map((n) => `${prefix}${n}`);
          for (const name of [ns, ...suiteNetns]) {
            for (const pid of execHost("ip", ["netns", "pids", name]).stdout.split(/\s+/).filter(Boolean)) {
              try {
                process.kill(Number(pid), "SIGKILL");
              } catch {
                // Gone.
              }
            }
          }
          for (const name of suiteNetns) {
            if (execHost("ip", ["netns", "pids", name]).status === 0) {
              exec(name, "conntrack", ["-F"]);
              execHost("ip", ["netns", "del", name]);
            }
          }
          destroyNetns(ns);
          rmSync(dir, { recursive: true, force: true });
        }
      }, 90_000);
    }
  });
}
