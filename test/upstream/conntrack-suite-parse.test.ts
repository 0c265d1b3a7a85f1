// The testsuite reader against the harness's rules (test-conntrack.c), on small made-up files.

import { describe, expect, it } from "vitest";
import { parseSuite, SuiteFormatError } from "./conntrack-suite.js";

describe("parseSuite", () => {
  it.each([
    { name: "checked lines", text: "-L ; OK\n-D -m 1 ; BAD\n", steps: [{ line: 1, command: "{PROG} -L ", expect: "OK" }, { line: 2, command: "{PROG} -D -m 1 ", expect: "BAD" }] },
    { name: "comments and lines starting with a space", text: "# c\n -L ; OK\n-F; OK\n", steps: [{ line: 3, command: "{PROG} -F", expect: "OK" }] },
    {
      name: "input lines piped into the next command",
      text: "-I a ;\n;\n\t;\n-R - ; OK\n",
      steps: [{ line: 4, command: 'echo "-I a \n\n\t" | {PROG} -R - ', expect: "OK" }],
    },
    {
      name: "output through sed into the next command",
      text: "-L -o save ; |s/a/b/g\n-R - ; OK\n",
      steps: [{ line: 2, command: '{PROG} -L -o save  | sed "s/a/b/g" | {PROG} -R - ', expect: "OK" }],
    },
    { name: "a bare pipe", text: "-L ; |\n-R - ; BAD\n", steps: [{ line: 2, command: "{PROG} -L  | {PROG} -R - ", expect: "BAD" }] },
    { name: "anything but O expects failure", text: "-L ; XYZ\n", steps: [{ line: 1, command: "{PROG} -L ", expect: "BAD" }] },
  ])("$name", ({ text, steps }) => {
    expect(parseSuite(text, "t")).toEqual(steps);
  });

  it("stops at a line without ';' as the harness does", () => {
    expect(() => parseSuite("-L OK\n", "t")).toThrow(SuiteFormatError);
  });
});
