// -G/-D/-I expect. Not wired to the expectation API yet: say so plainly instead of doing something else.

import type { ParsedCommand } from "../args/types.js";
import { operationFailed } from "../io/identity.js";
import type { Cli } from "./cli.js";

function notYet(what: string, cli: Cli): number {
  cli.out.finish(operationFailed(`${what} on expectations is not supported by tsconntrack yet`), cli.stdoutIsTty);
  return 1;
}

export async function getExpectation(_cmd: ParsedCommand, cli: Cli): Promise<number> {
  return notYet("-G", cli);
}
export async function deleteExpectation(_cmd: ParsedCommand, cli: Cli): Promise<number> {
  return notYet("-D", cli);
}
export async function createExpectation(_cmd: ParsedCommand, cli: Cli): Promise<number> {
  return notYet("-I", cli);
}
