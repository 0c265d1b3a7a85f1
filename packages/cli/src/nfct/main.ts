// tsnfct entry point: nfct 1.4.7's command line (command-line.ts), then the subsystem's command.
// The netlink stack is loaded only for commands that talk to the kernel.

import { lazyProtocolDatabase } from "../io/system-files.js";
import { reportFailure } from "../io/failure.js";
import { writeAll, writeStderr } from "../io/output.js";
import { parseNfctCommandLine } from "./command-line.js";
import { NFCT_PROGRAM, NFCT_VERSION } from "./identity.js";

async function main(args: readonly string[]): Promise<number> {
  const parsed = parseNfctCommandLine(args);
  if (parsed.kind === "exit") {
    if (parsed.stderr !== "") writeStderr(parsed.stderr);
    if (parsed.stdout !== "") writeAll(1, Buffer.from(parsed.stdout, "utf8"));
    return parsed.status;
  }
  const [{ NfctRun }, { openNfct }] = await Promise.all([import("./run.js"), import("./session.js")]);
  const run = new NfctRun(parsed.argv, parsed.extensions, () => openNfct(parsed.extensions), writeStderr);
  let status;
  let prints: boolean;
  try {
    if (parsed.subsystem === "timeout") {
      const { runTimeoutCommand, TIMEOUT_PRINTS } = await import("./timeout-commands.js");
      status = runTimeoutCommand(run, parsed.command, lazyProtocolDatabase());
      prints = TIMEOUT_PRINTS.has(parsed.command);
    } else {
      const { runHelperCommand, HELPER_PRINTS } = await import("./helper-commands.js");
      status = runHelperCommand(run, parsed.command);
      prints = HELPER_PRINTS.has(parsed.command);
    }
  } finally {
    run.close();
  }
  const stdout = run.output(prints, status);
  if (stdout !== "") writeAll(1, Buffer.from(stdout, "utf8"));
  return "exit" in status ? status.exit : status.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  async (error: unknown) => {
    process.exitCode = await reportFailure(error, `${NFCT_PROGRAM} v${NFCT_VERSION}: `);
  },
);
