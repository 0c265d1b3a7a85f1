// tsconntrack entry point. Parses argv with the conntrack-compatible parser, prints what the parser
// decided (usage, version, errors) and loads the command's module only when it has work to do, so
// `--version`, `-h` and argument errors never load the netlink stack.

import { parseArgs } from "./args/parse-args.js";
import type { ParsedCommand } from "./args/types.js";
import { colorWanted } from "./io/color.js";
import { PACKAGE_NAME, PROGRAM_NAME, PROGRAM_VERSION } from "./io/identity.js";
import { EXIT_BROKEN_PIPE, OutputSink, isBrokenPipeError, isTerminal, writeAll, writeStderr } from "./io/output.js";
import { lazyProtocolDatabase, loadLabelMap } from "./io/system-files.js";
import type { CommandModule, Cli } from "./commands/cli.js";

/** Which module runs which parsed command. */
const MODULES: Readonly<Partial<Record<ParsedCommand["command"], string>>> = {
  list: "./commands/list.js",
  get: "./commands/get.js",
  delete: "./commands/delete.js",
  create: "./commands/create.js",
  add: "./commands/create.js",
  update: "./commands/update.js",
  flush: "./commands/flush.js",
  count: "./commands/count.js",
  stats: "./commands/stats.js",
  event: "./commands/event.js",
  "load-file": "./commands/load-file.js",
};

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseArgs(argv, {
    programName: PROGRAM_NAME,
    version: PROGRAM_VERSION,
    packageName: PACKAGE_NAME,
    loadLabelMap: (path) => loadLabelMap(path),
    protocols: lazyProtocolDatabase(),
    posixlyCorrect: process.env["POSIXLY_CORRECT"] !== undefined,
  });
  if (!parsed.ok) {
    writeStderr(parsed.stderr);
    return parsed.exitCode;
  }
  writeStderr(parsed.stderr);
  if (parsed.stdout !== "") writeAll(1, Buffer.from(parsed.stdout, "utf8"));
  const modulePath = MODULES[parsed.command];
  if (modulePath === undefined) return 0;
  if (parsed.extensions.allNetns && parsed.command !== "event") {
    // Parsed for -L/-C/-S too, but only -E implements it so far: never ignore it silently.
    writeStderr(`${PROGRAM_NAME}: --all-netns is only implemented for -E\n`);
    return 1;
  }
  const module = (await import(modulePath)) as CommandModule;
  const cli: Cli = {
    out: new OutputSink(1),
    stdoutIsTty: isTerminal(1),
    color: colorWanted(),
  };
  return module.run(parsed, cli);
}

function reportCrash(error: unknown): void {
  // A user never sees a stack trace; TSCONNTRACK_DEBUG=1 shows it to developers.
  if (process.env["TSCONNTRACK_DEBUG"]) writeStderr(`${error instanceof Error ? error.stack : String(error)}\n`);
  const message = error instanceof Error ? error.message : String(error);
  writeStderr(`${PROGRAM_NAME}: ${message}\n`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (isBrokenPipeError(error)) {
      process.exit(EXIT_BROKEN_PIPE);
    }
    reportCrash(error);
    process.exitCode = 1;
  },
);
