// Reads conntrack-tools' tests/conntrack/testsuite files the way their harness (test-conntrack.c)
// does, and turns each checked line into the shell command it runs:
//
//   ARGS ; OK            run `PROG ARGS`, expect exit 0 (BAD: expect non-zero)
//   ARGS ;               (nothing after ';') an input line: consecutive ones become
//                        `echo "LINE\nLINE..." | ` in front of the next checked command
//   ARGS ; |EXPR         `PROG ARGS | sed "EXPR" | ` (or just ` | ` without EXPR) in front of the next
//
// Lines starting with '#' or ' ' are skipped; ARGS keeps its spacing as written, up to the ';'.

/** One checked line: the shell command to run and the status it must have. */
export interface SuiteStep {
  /** 1-based line number of the checked line in its file. */
  line: number;
  /** The `sh -c` command line, with `{PROG}` where the program under test goes. */
  command: string;
  expect: "OK" | "BAD";
}

export const PROG = "{PROG}";

export class SuiteFormatError extends Error {
  override readonly name = "SuiteFormatError";
}

/** The steps of one testsuite file. Throws SuiteFormatError where the harness would stop ("malformed file"). */
export function parseSuite(text: string, fileName: string): SuiteStep[] {
  const steps: SuiteStep[] = [];
  let command = "";
  let inputOpen = false;
  const lines = text.split(/(?<=\n)/);
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    if (raw[0] === "#" || raw[0] === " ") continue;
    const semicolon = raw.indexOf(";");
    if (semicolon < 0) throw new SuiteFormatError(`malformed file ${fileName} at line ${index + 1}`);
    const args = raw.slice(0, semicolon);
    const rest = raw.slice(semicolon + 1).replace(/^[ \t]*/, "");
    // The harness reads the character after the blanks: 'O', 'B', '|', or the newline of "ARGS ;".
    const kind = rest === "" ? "\0" : rest[0]!;
    const option = rest.slice(1).replace(/^[ \t]*/, "").split("\n")[0]!;
    if (inputOpen && kind !== "\n") {
      command += '" | ';
      inputOpen = false;
    }
    if (kind === "\n") {
      command += inputOpen ? "\n" : 'echo "';
      inputOpen = true;
      command += args;
      continue;
    }
    command += `${PROG} ${args}`;
    if (kind === "|") {
      command += " | ";
      if (option !== "") command += `sed "${option}" | `;
      continue;
    }
    // Any other character is a checked line: 'O' expects success, anything else failure.
    steps.push({ line: index + 1, command, expect: kind === "O" ? "OK" : "BAD" });
    command = "";
  }
  return steps;
}

/** The step's command with the program under test in place. */
export function commandFor(step: SuiteStep, program: string): string {
  return step.command.replaceAll(PROG, program);
}
