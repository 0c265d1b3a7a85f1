// -R FILE / --load-file FILE: run each line as its own command (-I/-A/-U/-D/-F only). No summary lines;
// every line is parsed and checked before any runs; the first failing line ends the run with its status
// (conntrack's exit_error).

import { parseArgs } from "../args/parse-args.js";
import { isArgsError, failure } from "../args/errors.js";
import { loadFileOpenMessage, loadFileRefusal, loadFileRefusalMessage, splitLoadFileLine } from "../args/load-file.js";
import type { ParsedCommand } from "../args/types.js";
import { PACKAGE_NAME, PROGRAM_NAME, PROGRAM_VERSION } from "../io/identity.js";
import { writeStderr } from "../io/output.js";
import { readWhole } from "../io/read-whole.js";
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

/**
 * A Cli whose summary lines are dropped (conntrack prints none for -R) and whose stdout stays buffered
 * across lines, as conntrack's stdio buffer does. Every other call reaches the real sink unchanged
 * (a prototype copy would keep its own position and lose the bytes written through it).
 */
function quietCli(cli: Cli): Cli {
  const out = cli.out;
  const finish = (stderrText: string, lineBuffered: boolean): void => {
    // Keep error texts ("Operation failed"), drop the "N flow entries ..." summaries.
    const kept = stderrText.split(/(?<=\n)/).filter((line) => !/ flow entries have been | table has been emptied\./.test(line)).join("");
    if (kept !== "" || lineBuffered) out.finish(kept, lineBuffered);
  };
  const quietOut = new Proxy(out, {
    get(target, key) {
      if (key === "finish") return finish;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { ...cli, out: quietOut };
}

/** One line's command, or the status conntrack exits with when the line is refused. */
type Checked = { ok: true; cmd: ParsedCommand } | { ok: false; status: number };

/** Parses and checks one non-empty line the way conntrack does before anything runs. */
function checkLine(words: string[], cmd: ParsedCommand, protocols: ReturnType<typeof lazyProtocolDatabase>): Checked {
  const parsed = parseArgs(words, { ...identity, loadLabelMap: (path) => loadLabelMap(path ?? cmd.extensions.labelMap), protocols });
  if (!parsed.ok) {
    writeStderr(parsed.stderr);
    return { ok: false, status: parsed.exitCode };
  }
  const refusal = loadFileRefusal(parsed);
  if (refusal !== null) {
    writeStderr(failure(loadFileRefusalMessage(refusal), 2, identity).stderr);
    return { ok: false, status: 2 };
  }
  return { ok: true, cmd: { ...parsed, extensions: { ...parsed.extensions, ...cmd.extensions } } };
}

export async function run(cmd: ParsedCommand, cli: Cli): Promise<number> {
  const file = cmd.loadFile!;
  let text: string;
  try {
    text = readWhole(file === "-" ? 0 : file).toString("latin1");
  } catch {
    writeStderr(failure(loadFileOpenMessage(file), 2, identity).stderr);
    return 2;
  }
  const protocols = lazyProtocolDatabase();
  // conntrack parses and checks every line first: one bad line anywhere and nothing runs.
  const commands: ParsedCommand[] = [];
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
    const checked = checkLine(words, cmd, protocols);
    if (!checked.ok) return checked.status;
    commands.push(checked.cmd);
  }
  const quiet = quietCli(cli);
  for (const lineCmd of commands) {
    const module = (await import(MODULES[lineCmd.command]!)) as CommandModule;
    const status = await module.run(lineCmd, quiet);
    // -D/-U with no match are not failures inside a batch file (conntrack only stops on exit_error).
    if (status !== 0 && !(lineCmd.command === "delete" || lineCmd.command === "update")) {
      cli.out.finish("", cli.stdoutIsTty);
      return status;
    }
  }
  cli.out.finish("", cli.stdoutIsTty);
  return 0;
}
