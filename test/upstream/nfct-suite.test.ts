// conntrack-tools' nfct testsuite (tests/nfct/timeout, 72 checked lines in 1.4.7) against
// bin/tsnfct and Debian's nfct 1.4.7, each file in a fresh namespace per program. Every line must
// give tsnfct the status nfct gets, and the same stdout and stderr (names aside). A line that fails
// for nfct too shows what this kernel lacks (DCCP, gone since Linux 6.16): it is reported as skipped,
// and tsnfct must fail it the same way.

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { canRunKernelTests, createNetns, destroyNetns, hasCommand } from "../support/netns.js";
import { asNfct, NFCT_BIN } from "../nfct/run-nfct.js";
import { nfctCommandFor, parseNfctSuite, stepPassed, type NfctSuiteStep } from "./nfct-suite.js";
import { referencePath } from "./reference.js";

const suite = referencePath("tests/nfct/timeout");
const kernel = canRunKernelTests();
const skip = "skip" in suite ? suite.skip : !kernel.ok ? kernel.reason : !hasCommand("nfct") ? "`nfct` (conntrack-tools) is not installed" : undefined;
if (skip !== undefined) console.warn(`upstream nfct testsuite skipped: ${skip}`);

const suiteDir = "path" in suite ? suite.path : "";
const files = suiteDir !== "" ? readdirSync(suiteDir).filter((name) => !name.startsWith(".")).sort() : [];
const totals = { lines: 0, ok: 0, bad: 0, skipped: 0, reference: { ok: 0, bad: 0 } };

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The harness's PATH (it sets /usr/sbin); bin/tsnfct finds the project's Node itself. */
const PATH = "/usr/sbin:/usr/bin:/bin";

function runSteps(steps: readonly NfctSuiteStep[], program: string): Outcome[] {
  const ns = createNetns("upstream-nfct");
  try {
    return steps.map((step) => {
      const run = spawnSync("ip", ["netns", "exec", ns, "sh", "-c", nfctCommandFor(step, program)], {
        encoding: "utf8",
        timeout: 60_000,
        env: { PATH, LC_ALL: "C" },
      });
      return { status: run.status, stdout: run.stdout, stderr: run.stderr };
    });
  } finally {
    destroyNetns(ns);
  }
}

describe.skipIf(skip !== undefined)("conntrack-tools 1.4.7 testsuite (tests/nfct/timeout)", () => {
  afterAll(() => {
    console.log(
      `upstream nfct testsuite: ran ${totals.lines} lines of ${files.length} files; ` +
        `tsnfct OK ${totals.ok} BAD ${totals.bad}, skipped ${totals.skipped} (failing for nfct 1.4.7 too); ` +
        `nfct 1.4.7 OK ${totals.reference.ok} BAD ${totals.reference.bad}`,
    );
  });

  it("has the testsuite's 72 lines", () => {
    const lines = files.reduce((n, file) => n + parseNfctSuite(readFileSync(join(suiteDir, file), "latin1"), file).length, 0);
    expect(lines).toBe(72);
  });

  for (const file of files) {
    it(file, () => {
      const steps = parseNfctSuite(readFileSync(join(suiteDir, file), "latin1"), file);
      const reference = runSteps(steps, "nfct");
      const ours = runSteps(steps, NFCT_BIN);
      const failures: string[] = [];
      steps.forEach((step, i) => {
        totals.lines++;
        const theirs = reference[i]!;
        const mine = ours[i]!;
        const where = `${file}:${step.line} (${step.command.trim()})`;
        if (stepPassed(step, theirs.status)) totals.reference.ok++;
        else totals.reference.bad++;
        if (!stepPassed(step, theirs.status)) {
          totals.skipped++;
          console.warn(`${where} skipped: nfct 1.4.7 fails it too on this kernel (status ${theirs.status}: ${theirs.stderr.trim()})`);
        } else if (stepPassed(step, mine.status)) totals.ok++;
        else totals.bad++;
        // Line by line, tsnfct does what nfct does, passing or failing.
        if (mine.status !== theirs.status) failures.push(`${where}: status ${mine.status}, nfct ${theirs.status}`);
        if (asNfct(mine.stdout) !== theirs.stdout) failures.push(`${where}: stdout differs\n${mine.stdout}---- nfct:\n${theirs.stdout}`);
        if (asNfct(mine.stderr) !== theirs.stderr) failures.push(`${where}: stderr ${JSON.stringify(mine.stderr)}, nfct ${JSON.stringify(theirs.stderr)}`);
      });
      expect(failures).toEqual([]);
    });
  }
});
