// Arguments of our subcommands (`tsconntrack top ...`, `tsconntrack metrics ...`): the subcommand's own
// long options (exact names only, `--name VALUE` or `--name=VALUE`), then everything else parsed by the
// conntrack parser as the options of `-L`, so the filters, --netns and -o mean what they mean there.
// The first word decides: conntrack's own command lines never reach this file.

import type { ParsedCommand, ParseResult } from "../args/types.js";
import type { Cli } from "../commands/cli.js";
import { PROGRAM_NAME } from "../io/identity.js";
import { writeStderr } from "../io/output.js";

export interface OwnOption {
  readonly name: string;
  /** Takes a value. */
  readonly value: boolean;
}

export type SubcommandArgs =
  | { readonly ok: true; readonly cmd: ParsedCommand; readonly own: ReadonlyMap<string, string | true> }
  | { readonly ok: false; readonly stderr: string; readonly exitCode: number }
  | { readonly ok: "help" };

/** A usage error of a subcommand: one line, then the pointer to its help (exit 2, like conntrack's). */
export function subcommandError(subcommand: string, message: string): { ok: false; stderr: string; exitCode: number } {
  return { ok: false, stderr: `${PROGRAM_NAME} ${subcommand}: ${message}\nTry \`${PROGRAM_NAME} ${subcommand} --help' for more information.\n`, exitCode: 2 };
}

export function parseSubcommandArgs(
  subcommand: string,
  args: readonly string[],
  ownOptions: readonly OwnOption[],
  parse: (args: readonly string[]) => ParseResult,
): SubcommandArgs {
  const own = new Map<string, string | true>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === "--") {
      rest.push(...args.slice(i));
      break;
    }
    if (word === "-h" || word === "--help") return { ok: "help" };
    if (!word.startsWith("--")) {
      rest.push(word);
      continue;
    }
    const equals = word.indexOf("=");
    const name = word.slice(2, equals < 0 ? undefined : equals);
    const option = ownOptions.find((candidate) => candidate.name === name);
    if (option === undefined) {
      rest.push(word);
      continue;
    }
    if (!option.value) {
      if (equals >= 0) return subcommandError(subcommand, `option \`--${name}' takes no argument`);
      own.set(name, true);
      continue;
    }
    const value = equals >= 0 ? word.slice(equals + 1) : args[++i];
    if (value === undefined) return subcommandError(subcommand, `option \`--${name}' requires an argument`);
    own.set(name, value);
  }
  const parsed = parse(["-L", ...rest]);
  if (!parsed.ok) {
    // conntrack's message as it is, but pointing at the subcommand's help.
    const pointer = `Try \`${PROGRAM_NAME} -h' or '${PROGRAM_NAME} --help' for more information.\n`;
    const stderr = parsed.stderr.endsWith(pointer) ? parsed.stderr.slice(0, -pointer.length) + `Try \`${PROGRAM_NAME} ${subcommand} --help' for more information.\n` : parsed.stderr;
    return { ...parsed, stderr };
  }
  const cmd = parsed;
  if (cmd.command !== "list" || cmd.table !== "conntrack") return subcommandError(subcommand, "takes -L's filters on the conntrack table only");
  if (cmd.zero) return subcommandError(subcommand, "-z (zero counters) is not allowed");
  const { json, ndjson, ...others } = cmd.output;
  if (Object.values(others).some(Boolean)) return subcommandError(subcommand, "-o takes json or ndjson only");
  void json, ndjson;
  return { ok: true, cmd, own };
}

/** A whole number in [min, max], or undefined. */
export function integerOption(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

/** Seconds as a decimal number in [min, max], or undefined. */
export function secondsOption(text: string, min: number, max: number): number | undefined {
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

/** Prints a usage error of `subcommand` (see subcommandError) and returns its exit status. */
export function usageFailure(subcommand: string, message: string): number {
  const error = subcommandError(subcommand, message);
  writeStderr(error.stderr);
  return error.exitCode;
}

/**
 * The arguments of a subcommand, or the exit status when there is nothing to run: `-h` has printed
 * `usage` (0), or a usage error has been printed (2).
 */
export function startSubcommand(
  subcommand: string,
  args: readonly string[],
  ownOptions: readonly OwnOption[],
  parse: (args: readonly string[]) => ParseResult,
  usage: string,
  cli: Cli,
): { readonly cmd: ParsedCommand; readonly own: ReadonlyMap<string, string | true> } | number {
  const parsed = parseSubcommandArgs(subcommand, args, ownOptions, parse);
  if (parsed.ok === "help") {
    cli.out.write(usage);
    cli.out.finish("", cli.stdoutIsTty);
    return 0;
  }
  if (!parsed.ok) {
    writeStderr(parsed.stderr);
    return parsed.exitCode;
  }
  return parsed;
}

/** A capture (--record, --replay) holds one reading, so a subcommand that keeps reading refuses it. */
export function capturesNeedOnce(cmd: ParsedCommand, once: boolean): boolean {
  return (cmd.extensions.record !== undefined || cmd.extensions.replay !== undefined) && !once;
}
