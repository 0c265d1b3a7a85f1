// The differential cases were trimmed for speed: this checks, without a kernel, that no option the
// parser's accepted -L/-G lists use went missing, and that the suite still runs enough argument lists.

import { describe, expect, it } from "vitest";
import { ARGS_CASES, KEPT_PARSER_LISTS, PARSER_FILTERING_LISTS, parseForCoverage } from "./cases-args.js";
import { READ_CASES } from "./cases-read.js";
import { WRITE_CASES } from "./cases-write.js";
import { optionKeys } from "./coverage.js";

/** Placeholders stand for an entry id or a file name; any value parses the same way. */
const concrete = (args: readonly string[]): string[] =>
  args.map((arg) => arg.replace(/\{ID:[^}]*\}/, "1").replace(/\{FILE:[^}]*\}/, "/dev/null"));

const keysOf = (lists: readonly (readonly string[])[]): Set<string> =>
  new Set(lists.flatMap((args) => {
    const parsed = parseForCoverage(concrete(args));
    return parsed === null ? [] : optionKeys(parsed);
  }));

describe("differential case coverage", () => {
  const runLists = [...READ_CASES, ...ARGS_CASES, ...WRITE_CASES].map((testCase) => testCase.args);

  it("keeps parser forms that still exist in the parser's cases", () => {
    const present = new Set(PARSER_FILTERING_LISTS.map((args) => JSON.stringify(args)));
    expect(KEPT_PARSER_LISTS.filter((args) => !present.has(JSON.stringify(args)))).toEqual([]);
    expect(ARGS_CASES.length).toBe(KEPT_PARSER_LISTS.length);
  });

  it("runs every option that the parser's accepted -L/-G lists use", () => {
    const covered = keysOf(runLists);
    const wanted = keysOf(PARSER_FILTERING_LISTS);
    expect([...wanted].filter((key) => !covered.has(key)).sort()).toEqual([]);
  });

  it(`runs at least 150 argument lists (${runLists.length})`, () => {
    expect(runLists.length).toBeGreaterThanOrEqual(150);
  });
});
