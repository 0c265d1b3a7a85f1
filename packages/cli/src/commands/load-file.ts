// -R FILE / --load-file FILE: run each line as its own command (-I/-A/-U/-D/-F only). No summary lines;
// the first failing line ends the run with its status (conntrack's exit_error).

import { readFileSync } from "node:fs";
import { parseArgs } from "../args/parse-args.js";
import { isArgsError, failure } from "../args/errors.js";
import { loadFileOpenMessage, loadFileRefusal, loadFileRefusalMessage, splitLoadFileLine } from "../args/load-file.js";
import type { ParsedCommand } from "../args/types.js";
import { PACKAGE_NAME, PROGRAM_NAME, PROGRAM_VERSION } from "../io/identity.js";
import { writeStderr } from "../io/output.js";
import { lazyProtocolDatabase, loadLabelMap } from "../io/system-files.js";
import type { Cli, CommandModule } from "./cli.js";

const identity = { programName: PROGRAM_NAME, version: PROGRAM_VERSION, packageName: PACKAGE_NAME };

const MODULES: Readonly<Record<string, string>> = {
  create: "./create.js",
  add: "./create.js",
  update: "./update.js",
  delete: "./delete.js",
  flush: "./flush.js",
};

/** A Cli whose summary lines are dropped (conntrack prints none for -R), stdout kept. */
function quietCli(cli: Cli): Cli {
  const out = cli.out;
  const quietOut = Object.create(out) as typeof out;
  quietOut.finish = (stderrText: string, lineBuffered: boolean): void => {
    // Keep error texts ("Operation failed"), drop the "N flow entries ..." summaries.
    const kept = stderrText.split(/(?<=\n)/).filter((line) => !/ flow entries have been | table has been emptied\./.test(line)).join("");
    out.finish(kept, lineBuffered);
  };
  return { ...cli, out: quietOut };
}

export async function run(cmd: ParsedCommand, cli: Cli): Promise<number> {
  const file = cmd.loadFile!;
  let text: string;
  try {
    text = readFileSync(file === "-" ? 0 : file, "latin1");
  } catch {
    writeStderr(failure(loadFileOpenMessage(file), 2, identity).stderr);
    return 2;
  }
  const protocols = lazyProtocolDatabase();
  const quiet = quietCli(cli);
  for (const line of text.split(/(?<=\n)/)) {
    let words: string[] | null;
    try {
      words = splitLoadFileLine(line);
    } catch (error) {
      if (!isArgsError(error)) throw error;
      writeStderr(failure(error.message, error.exitCode, identity).stderr);
      return error.exitCode;
    }
    if (words === null || words.length === 0) continue;
    const parsed = parseArgs(words, { ...identity, loadLabelMap: (path) => loadLabelMap(path ?? cmd.extensions.labelMap), protocols });
    if (!parsed.ok) {
      writeStderr(parsed.stderr);
      return parsed.exitCode;
    }
    const refusal = loadFileRefusal(parsed);
    if (refusal !== null) {
      writeStderr(failure(loadFileRefusalMessage(refusal), 2, identity).stderr);
      return 2;
    }
    const withOurs: ParsedCommand = { ...parsed, extensions: { ...parsed.extensions, ...cmd.extensions } };
    const module = (await import(MODULES[parsed.command]!)) as CommandModule;
    const status = await module.run(withOurs, quiet);
    // -D/-U with no match are not failures inside a batch file (conntrack only stops on exit_error).
    if (status !== 0 && !(parsed.command === "delete" || parsed.command === "update")) return status;
  }
  return 0;
}
