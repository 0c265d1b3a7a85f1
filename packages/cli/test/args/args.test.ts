import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, loadFileOpenMessage, parseArgs, parseEtcProtocols, CONNTRACK_IDENTITY, type ParseEnv, type ParseResult } from "../../src/args/index.js";
import { CASES, type ArgCase } from "./cases.js";
import {
  CONNTRACK_BINARY, createNetns, deleteNetns, LOAD_FILE_MISSING, ORACLE_FILE, oracleUnavailableReason, PROTOCOLS_TEXT, runConntrack, type OracleRun,
} from "./oracle.js";

// argv0 as the oracle runs it, since conntrack prints argv[0] in "Usage:" and in some errors.
const ENV: ParseEnv = { protocols: parseEtcProtocols(PROTOCOLS_TEXT), argv0: CONNTRACK_BINARY };
const RECORDED: Record<string, OracleRun> = JSON.parse(readFileSync(ORACLE_FILE, "utf8"));
const STDOUT_COMMANDS = new Set(["help", "usage", "version"]);

const title = (testCase: ArgCase): string => `conntrack ${testCase.args.map((arg) => JSON.stringify(arg)).join(" ")}`;

/** Our result must be what conntrack 1.4.7 did (`real`), unless the case is a documented deviation. */
function expectSameAsConntrack(testCase: ArgCase, ours: ParseResult, real: OracleRun): void {
  if (testCase.deviation !== undefined) return;
  if (!ours.ok) {
    expect({ stderr: ours.stderr, exitCode: ours.exitCode }).toEqual({ stderr: real.stderr, exitCode: real.exitCode });
    return;
  }
  // Accepted: conntrack went on to run the command, so no parameter error (2) and no crash.
  expect(real.exitCode, real.stderr).toBeLessThan(2);
  expect(real.stderr.startsWith(ours.stderr), real.stderr).toBe(true);
  if (STDOUT_COMMANDS.has(ours.command)) expect(ours.stdout).toBe(real.stdout);
}

describe("parseArgs against recorded conntrack 1.4.7 results", () => {
  it("has at least 100 cases, each recorded or marked noRun", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(100);
    for (const testCase of CASES) if (!testCase.noRun) expect(RECORDED[JSON.stringify(testCase.args)], title(testCase)).toBeDefined();
  });

  for (const testCase of CASES) {
    it(title(testCase), () => {
      const ours = parseArgs(testCase.args, ENV);
      if (testCase.parsed !== undefined) {
        expect(ours.ok, ours.ok ? "" : ours.stderr).toBe(true);
        expect(ours).toMatchObject(testCase.parsed);
      } else {
        expect(ours.ok).toBe(false);
      }
      const real = RECORDED[JSON.stringify(testCase.args)];
      if (real !== undefined) expectSameAsConntrack(testCase, ours, real);
    });
  }

  it("reports a missing -R file as conntrack does", () => {
    const ours = parseArgs(LOAD_FILE_MISSING, ENV);
    expect(ours).toMatchObject({ ok: true, command: "load-file", loadFile: LOAD_FILE_MISSING[1] });
    const real = RECORDED[JSON.stringify(LOAD_FILE_MISSING)]!;
    expect(failure(loadFileOpenMessage(LOAD_FILE_MISSING[1]!), 2, CONNTRACK_IDENTITY)).toEqual({
      ok: false, stderr: real.stderr, exitCode: real.exitCode,
    });
  });
});

const unavailable = oracleUnavailableReason();
if (unavailable !== null) console.log(`skipping the live differential run of conntrack: ${unavailable}`);

describe.skipIf(unavailable !== null)("parseArgs against the live conntrack binary (private netns)", () => {
  let netns = "";
  beforeAll(() => void (netns = createNetns("args-")));
  afterAll(() => deleteNetns(netns));

  it("matches conntrack on every runnable case", () => {
    const mismatches: string[] = [];
    for (const testCase of CASES) {
      if (testCase.noRun) continue;
      const real = runConntrack(netns, testCase.args);
      try {
        expectSameAsConntrack(testCase, parseArgs(testCase.args, ENV), real);
      } catch (error) {
        mismatches.push(`${title(testCase)}: ${(error as Error).message}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
