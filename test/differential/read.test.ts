// conntrack 1.4.7 and tsconntrack, back to back on the same table in one private namespace: every
// read-only argument list must print the same stdout and stderr and exit the same way.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNetns, destroyNetns } from "../support/netns.js";
import { caseKey, caseTitle, type DiffCase } from "./case.js";
import { ARGS_CASES } from "./cases-args.js";
import { READ_CASES } from "./cases-read.js";
import { KNOWN_DIFFERENCES } from "./known-differences.js";
import { differences } from "./normalise.js";
import { mapLimited, removeOutputFiles, runTool } from "./run.js";
import { asConntrackRun, caseArgs, openSession, type Session, skipReason, viewFor } from "./session.js";
import { buildReadTable } from "./tables.js";

const reason = skipReason();
if (reason !== null) console.log(`skipping the differential read suite: ${reason}`);

/** Ours, then the parser's cases whose argument list is not among ours. */
const OWN_LISTS = new Set(READ_CASES.map((testCase) => JSON.stringify(testCase.args)));
const CASES: readonly DiffCase[] = [
  ...READ_CASES,
  ...ARGS_CASES.filter((testCase) => !OWN_LISTS.has(JSON.stringify(testCase.args))),
];

describe.skipIf(reason !== null)("tsconntrack vs conntrack 1.4.7, same table (read-only argument lists)", () => {
  let ns = "";
  let session: Session | undefined;
  let expectation = false;
  const outcomes = new Map<string, string[]>();

  beforeAll(async () => {
    ns = createNetns("diff-r");
    session = await openSession(ns);
    expectation = (await buildReadTable(session.labelled, ns)).expectation;
    const live = session;
    // Three at a time (one per core, plus one waiting on a process start): the tools run back to
    // back per case, and no case changes the table.
    const results = await mapLimited(CASES, 3, async (testCase) => {
      const { ours, theirs } = await caseArgs(live, ns, testCase);
      const view = viewFor(live, testCase);
      const options = { ...(testCase.tz ? { tz: testCase.tz } : {}), stdoutFile: testCase.stdoutFile ?? false, merged: testCase.merged ?? false };
      const started = Date.now();
      const conntrackRun = await runTool(view, ns, "conntrack", theirs, options);
      const real = testCase.expected ? testCase.expected(conntrackRun) : conntrackRun;
      const mine = await runTool(view, ns, "tsconntrack", ours, options);
      // Timers tick between the two dumps: one second, or more when a loaded machine slows the runs.
      const timerTolerance = Math.max(1, Math.ceil((Date.now() - started) / 1000));
      return differences(real, asConntrackRun(live, mine), { timerTolerance });
    });
    CASES.forEach((testCase, i) => outcomes.set(caseKey(testCase), results[i]!));
  }, 600_000);

  afterAll(() => {
    removeOutputFiles();
    session?.close();
    if (ns) destroyNetns(ns);
  });

  it(`runs at least 100 argument lists (${CASES.length}) on a table with an expectation`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(100);
    expect(expectation).toBe(true);
  });

  for (const testCase of CASES) {
    const known = KNOWN_DIFFERENCES[caseKey(testCase)];
    const test = known === undefined ? it : it.fails;
    test(known === undefined ? caseTitle(testCase) : `${caseTitle(testCase)} [known difference: ${known}]`, () => {
      expect(outcomes.get(caseKey(testCase))?.join("\n") ?? "not run").toBe("");
    });
  }
});
