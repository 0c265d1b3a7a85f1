// The nfct testsuite reader against its harness's rules (tests/nfct/test.c), on small made-up files.

import { describe, expect, it } from "vitest";
import { nfctCommandFor, NfctSuiteFormatError, parseNfctSuite, stepPassed } from "./nfct-suite.js";

describe("parseNfctSuite", () => {
  it("reads checked lines, skipping comments and lines starting with a space", () => {
    expect(parseNfctSuite("# c\n nfct x ; OK\nnfct add timeout t inet tcp established 1 ; OK\nnfct get timeout t ; BAD\n", "f")).toEqual([
      { line: 3, command: "nfct add timeout t inet tcp established 1 ", expect: "OK" },
      { line: 4, command: "nfct get timeout t ", expect: "BAD" },
    ]);
  });

  it("reads the result two characters after the ';', as the harness does", () => {
    expect(parseNfctSuite("nfct l t ;OK\nnfct l t ; XBAD\n", "f").map((s) => s.expect)).toEqual(["neither", "neither"]);
  });

  it("stops at a line without ';'", () => {
    expect(() => parseNfctSuite("nfct list timeout OK\n", "f")).toThrow(NfctSuiteFormatError);
  });

  it("counts passes like the harness and swaps in the program under test", () => {
    const [ok, bad] = parseNfctSuite("nfct a ; OK\nnfct b ; BAD\n", "f");
    expect([stepPassed(ok!, 0), stepPassed(ok!, 1), stepPassed(bad!, 0), stepPassed(bad!, 255)]).toEqual([true, false, false, true]);
    expect(nfctCommandFor(ok!, "/x/tsnfct")).toBe("/x/tsnfct a ");
    expect(nfctCommandFor({ line: 1, command: "nfctx a", expect: "OK" }, "/x/tsnfct")).toBe("nfctx a");
  });
});
