// tsconntrack entry point. Parses argv with the conntrack-compatible parser, prints what the parser
// decided (usage, version, errors) and loads the command's module only when it has work to do, so
// `--version`, `-h` and argument errors never load the netlink stack.

import { parseArgs } from "./args/parse-args.js";
import type { ParsedCommand, ParseResult } from "./args/types.js";
import { colorWanted } from "./io/color.js";
import { PACKAGE_NAME, PROGRAM_NAME, PROGRAM_VERSION, VERSION_TEXT } from "./io/identity.js";
import { catchInterrupts } from "./io/interrupt.js";
import { OutputSink, isTerminal, writeAll, writeStderr } from "./io/output.js";
import { lazyProtocolDatabase, loadLabelMap } from "./io/system-files.js";
import type { CommandModule, Cli } from "./commands/cli.js";

/**
 * Which module runs which parsed command. Literal import() calls, so the bundler (scripts/bundle.ts)
 * can place each command's code in the bundle and still run it only when asked.
 */
const MODULES: Readonly<Partial<Record<ParsedCommand["command"], () => Promise<CommandModule>>>> = {
  list: () => import("./commands/list.js"),
  get: () => import("./commands/get.js"),
  delete: () => import("./commands/delete.js"),
  create: () => import("./commands/create.js"),
  add: () => import("./commands/create.js"),
  update: () => import("./commands/update.js"),
  flush: () => import("./commands/flush.js"),
  count: () => import("./commands/count.js"),
  stats: () => import("./commands/stats.js"),
  event: () => import("./commands/event.js"),
  "load-file": () => import("./commands/load-file.js"),
};

/**
 * Our subcommands, chosen by the first word only (1.4.7 ignores a stray first word, so `conntrack top`
 * just prints its usage); every other command line goes to the conntrack parser untouched. Their
 * libraries (prom-client) load with them, never on the conntrack-compatible paths.
 */
interface SubcommandModule {
  runSubcommand(args: readonly string[], cli: Cli, parse: (args: readonly string[]) => ParseResult): Promise<number>;
}
const SUBCOMMANDS: Readonly<Record<string, () => Promise<SubcommandModule>>> = {
  top: () => import("./views/top.js"),
  metrics: () => import("./views/metrics.js"),
};

function parse(argv: readonly string[]): ParseResult {
  return parseArgs(argv, {
    programName: PROGRAM_NAME,
    version: PROGRAM_VERSION,
    packageName: PACKAGE_NAME,
    versionLine: VERSION_TEXT,
    loadLabelMap: (path) => loadLabelMap(path),
    protocols: lazyProtocolDatabase(),
    posixlyCorrect: process.env["POSIXLY_CORRECT"] !== undefined,
  });
}

function cliIo(): Cli {
  return { out: new OutputSink(1), stdoutIsTty: isTerminal(1), color: colorWanted() };
}

async function main(argv: readonly string[]): Promise<number> {
  // Ours alone (conntrack would call it an unknown option), so it is looked for before parsing.
  if (argv.includes("--help-extensions")) {
    writeAll(1, Buffer.from((await import("./gen/help-extensions.js")).HELP_EXTENSIONS, "utf8"));
    return 0;
  }
  const subcommand = argv.length > 0 && Object.hasOwn(SUBCOMMANDS, argv[0]!) ? SUBCOMMANDS[argv[0]!] : undefined;
  if (subcommand !== undefined) return (await subcommand()).runSubcommand(argv.slice(1), cliIo(), parse);
  const parsed = parse(argv);
  if (!parsed.ok) {
    writeStderr(parsed.stderr);
    return parsed.exitCode;
  }
  writeStderr(parsed.stderr);
  let stdout = parsed.stdout;
  // conntrack's help text stays byte-exact for scripts; a person at a terminal also learns ours.
  if (parsed.command === "help" && isTerminal(1)) stdout += "\n" + (await import("./gen/help-extensions.js")).HELP_EXTENSIONS;
  if (stdout !== "") writeAll(1, Buffer.from(stdout, "utf8"));
  const load = MODULES[parsed.command];
  if (load === undefined) return 0;
  if (parsed.command === "event") catchInterrupts();
  if (parsed.extensions.allNetns && parsed.command !== "event") {
    // Parsed for -L/-C/-S too, but only -E implements it so far: never ignore it silently.
    writeStderr(`${PROGRAM_NAME}: --all-netns is only implemented for -E\n`);
    return 1;
  }
  const module = await load();
  return module.run(parsed, cliIo());
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  async (error: unknown) => {
    // Loaded on failure only: its error types bring in the socket package, which --version never needs.
    process.exitCode = await import("./io/failure.js").then(
      ({ reportFailure }) => reportFailure(error),
      () => {
        writeStderr(`${PROGRAM_NAME}: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
        return 1;
      },
    );
  },
);
