// -G/-D/-I expect: one request each, on the expectation table.
//  -G expect: the expectation whose expected tuple matches -s/-d/-p/--sport/--dport (under its mask);
//             printed like -L expect, no summary line. Not found: strerror(ENOENT).
//  -D expect: deletes that expectation. 1.4.7 then says "0 expectations have been shown." and exits 1
//             even on success; we say "1 expectations have been deleted." and exit 0 (DEVIATIONS.md).
//  -I expect: creates an expectation of the master -s/-d/--sport/--dport (which needs a helper),
//             expected --tuple-*, mask --mask-*, -t timeout. No summary line.

import type { ExpectAttrs } from "@tsconntrack/codec/conntrack";
import type { ParsedCommand } from "../args/types.js";
import { writeExpectText } from "../format/expect-text.js";
import { writeExpectJson } from "../format/json.js";
import { PROGRAM_PREFIX } from "../format/summary.js";
import { expectTimePrefix } from "../format/time.js";
import { nowTimeVal } from "../io/clock.js";
import { withOurPrefix } from "../io/identity.js";
import { openConntrack } from "../io/session.js";
import type { Cli } from "./cli.js";
import { failOperation, failOnKernelError } from "./errors.js";
import { expectationFromCommand, origTuple } from "./expect-tuples.js";
import { familyNumber } from "./filter.js";

/** Our -D expect summary (1.4.7 printed the -L expect text with a counter it never incremented). */
export function expectDeletedLine(count: number): string {
  return withOurPrefix(PROGRAM_PREFIX + count + " expectations have been deleted.");
}

/** The expected tuple -G/-D expect look up. The parser requires -s, -d and -p for both. */
function lookupKey(cmd: ParsedCommand): ExpectAttrs {
  const expected = origTuple(cmd);
  if (expected === undefined) throw new Error("-G/-D expect need --src and --dst");
  return { expectTuple: expected };
}

export async function getExpectation(cmd: ParsedCommand, cli: Cli): Promise<number> {
  const family = familyNumber(cmd.family);
  const key = lookupKey(cmd);
  const ct = openConntrack(cmd);
  try {
    const view = ct.getExpectViewSync(key, family);
    const ctx = { family };
    if (cmd.output.json || cmd.output.ndjson) writeExpectJson(cli.out, view, ctx);
    else {
      if (cmd.output.timestamp) cli.out.text(expectTimePrefix(nowTimeVal()));
      writeExpectText(cli.out, view, ctx);
    }
    cli.out.byte(0x0a);
  } catch (error) {
    return failOnKernelError(error, cmd, cli);
  } finally {
    ct.close();
  }
  cli.out.finish("", cli.stdoutIsTty);
  return 0;
}

export async function deleteExpectation(cmd: ParsedCommand, cli: Cli): Promise<number> {
  const key = lookupKey(cmd);
  return singleRequest(cmd, cli, (ct) => ct.deleteExpectSync([key])[0], expectDeletedLine(1) + "\n");
}

export async function createExpectation(cmd: ParsedCommand, cli: Cli): Promise<number> {
  const expect = expectationFromCommand(cmd);
  return singleRequest(cmd, cli, (ct) => ct.createExpectSync([expect])[0], "");
}

/** One expectation request; `stdout` is printed when the kernel accepted it. */
function singleRequest(
  cmd: ParsedCommand,
  cli: Cli,
  send: (ct: ReturnType<typeof openConntrack>) => { error?: { errno: number } } | undefined,
  stdout: string,
): number {
  const ct = openConntrack(cmd);
  try {
    const result = send(ct);
    if (result?.error !== undefined) return failOperation(result.error.errno, cmd, cli);
  } catch (error) {
    return failOnKernelError(error, cmd, cli);
  } finally {
    ct.close();
  }
  cli.out.finish(stdout, cli.stdoutIsTty);
  return 0;
}

