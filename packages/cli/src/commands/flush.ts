// -F [expect]: the success line comes first (conntrack prints it before checking the answer). -F -f ipv6
// flushes only IPv6 (1.4.7 flushed every family).

import type { ParsedCommand } from "../args/types.js";
import { FLUSH_CONNTRACK_LINE, FLUSH_EXPECT_LINE } from "../format/summary.js";
import { withOurPrefix } from "../io/identity.js";
import { writeStderr } from "../io/output.js";
import { openConntrack } from "../io/session.js";
import type { Cli } from "./cli.js";
import { failOnKernelError } from "./errors.js";
import { familyNumber } from "./filter.js";

export async function run(cmd: ParsedCommand, cli: Cli): Promise<number> {
  const expect = cmd.table === "expect";
  const ct = openConntrack(cmd);
  try {
    if (expect) ct.flushExpectSync({});
    else ct.flushSync(cmd.familyGiven ? { family: familyNumber(cmd.family) } : {});
    writeStderr(withOurPrefix(expect ? FLUSH_EXPECT_LINE : FLUSH_CONNTRACK_LINE) + "\n");
    return 0;
  } catch (error) {
    return failOnKernelError(error, cmd, "stderr", withOurPrefix(expect ? FLUSH_EXPECT_LINE : FLUSH_CONNTRACK_LINE) + "\n");
  } finally {
    ct.close();
    cli.out.flush();
  }
}
