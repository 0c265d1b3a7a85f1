// Reads conntrack-tools' tests/nfct testsuite files the way their harness (tests/nfct/test.c) does:
// lines starting with '#' or ' ' are skipped; anything else is `COMMAND; RESULT`, where COMMAND
// (everything before the ';') goes to system() and RESULT is read two characters after the ';'.
// A command that exits 0 passes only if RESULT starts with "OK"; one that fails only if it starts
// with "BAD".

export interface NfctSuiteStep {
  /** 1-based line number in its file. */
  line: number;
  /** The shell command as written, starting with the program name `nfct`. */
  command: string;
  expect: "OK" | "BAD" | "neither";
}

export class NfctSuiteFormatError extends Error {
  override readonly name = "NfctSuiteFormatError";
}

export function parseNfctSuite(text: string, fileName: string): NfctSuiteStep[] {
  const steps: NfctSuiteStep[] = [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  lines.forEach((line, index) => {
    if (line[0] === "#" || line[0] === " ") return;
    const semicolon = line.indexOf(";");
    if (semicolon < 0) throw new NfctSuiteFormatError(`malformed file ${fileName} at line ${index + 1}`);
    const result = line.slice(semicolon + 2);
    steps.push({
      line: index + 1,
      command: line.slice(0, semicolon),
      expect: result.startsWith("OK") ? "OK" : result.startsWith("BAD") ? "BAD" : "neither",
    });
  });
  return steps;
}

/** Whether a step passed, as the harness counts it. */
export function stepPassed(step: NfctSuiteStep, status: number | null): boolean {
  return status === 0 ? step.expect === "OK" : step.expect === "BAD";
}

/** The command with the program under test in place of the leading `nfct`. */
export function nfctCommandFor(step: NfctSuiteStep, program: string): string {
  return step.command.replace(/^nfct(?=[ \t]|$)/, program);
}
