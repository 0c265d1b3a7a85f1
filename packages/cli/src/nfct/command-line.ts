// nfct.c's command line: `nfct COMMAND SUBSYSTEM [PARAMETERS]` or the old `nfct SUBSYSTEM COMMAND
// ...`, each word matched as a prefix in table order (so `nfct l t` is `list timeout`, and "help" is
// always "helper"). tsnfct's own options (--netns, --record, --replay, -o json) are taken out first,
// wherever they stand.

import { helpText, perror, usage, versionText } from "./identity.js";

export const COMMANDS = ["list", "add", "delete", "get", "flush", "disable", "default-set", "default-get"] as const;
export type NfctCommand = (typeof COMMANDS)[number];
export const SUBSYSTEMS = ["timeout", "helper", "version", "help"] as const;
export type NfctSubsystem = (typeof SUBSYSTEMS)[number];

export interface NfctExtensions {
  netns?: string;
  record?: string;
  replay?: string;
  json: boolean;
}

/** What main does next: print and exit, or run a subsystem's command with nfct's argv. */
export type NfctParse =
  | { kind: "exit"; stdout: string; stderr: string; status: number }
  | { kind: "run"; subsystem: "timeout" | "helper"; command: NfctCommand; argv: readonly string[]; extensions: NfctExtensions };

/** strncmp(table[i], word, strlen(word)) == 0: the first entry the word is a prefix of. */
function prefixMatch<T extends string>(table: readonly T[], word: string): T | undefined {
  return table.find((entry) => entry.startsWith(word));
}

const VALUE_OPTIONS = ["--netns", "--record", "--replay"] as const;

/** Takes tsnfct's options out of the arguments; an error text when one is malformed. */
export function extractExtensions(args: readonly string[]): { rest: string[]; extensions: NfctExtensions } | { error: string } {
  const rest: string[] = [];
  const extensions: NfctExtensions = { json: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      rest.push(...args.slice(i + 1));
      break;
    }
    const option = VALUE_OPTIONS.find((name) => arg === name || arg.startsWith(`${name}=`));
    if (option !== undefined) {
      const value = arg === option ? args[++i] : arg.slice(option.length + 1);
      if (value === undefined || value === "") return { error: perror(`option ${option} needs a value`) };
      extensions[option.slice(2) as "netns" | "record" | "replay"] = value;
      continue;
    }
    if (arg === "-o" || (arg.startsWith("-o") && arg.length > 2)) {
      const value = arg === "-o" ? args[++i] : arg.slice(2);
      if (value !== "json") return { error: perror(`-o: unknown output format \`${value ?? ""}' (json is the one tsnfct knows)`) };
      extensions.json = true;
      continue;
    }
    rest.push(arg);
  }
  if (extensions.replay !== undefined && (extensions.record !== undefined || extensions.netns !== undefined)) {
    return { error: perror("--replay answers from a capture: it cannot be combined with --record or --netns") };
  }
  return { rest, extensions };
}

/** nfct.c's main() up to the subsystem's parse_params. `args` excludes the program name. */
export function parseNfctCommandLine(args: readonly string[]): NfctParse {
  const extracted = extractExtensions(args);
  if ("error" in extracted) return { kind: "exit", stdout: "", stderr: extracted.error, status: 1 };
  const argv = ["nfct", ...extracted.rest];
  const fail = (stderr: string): NfctParse => ({ kind: "exit", stdout: "", stderr, status: 1 });
  if (argv.length < 3) return fail(usage());
  let command = prefixMatch(COMMANDS, argv[1]!);
  let subsystem: NfctSubsystem | undefined;
  if (command === undefined) {
    // The old order (subsystem first), kept by nfct for backward compatibility.
    subsystem = prefixMatch(SUBSYSTEMS, argv[1]!);
    if (subsystem === undefined) return fail(perror(`Unknown subsystem: ${argv[1]}`) + usage());
    command = prefixMatch(COMMANDS, argv[2]!);
    // nfct names argv[1] (the subsystem) here.
    if (command === undefined) return fail(perror(`Unknown command: ${argv[1]}`) + usage());
  } else {
    subsystem = prefixMatch(SUBSYSTEMS, argv[2]!);
    // And argv[1] (the command) here.
    if (subsystem === undefined) return fail(perror(`Unknown subsystem: ${argv[1]}`) + usage());
  }
  if (subsystem === "version" || subsystem === "help") {
    return { kind: "exit", stdout: subsystem === "version" ? versionText() : helpText(), stderr: "", status: 0 };
  }
  return { kind: "run", subsystem, command, argv, extensions: extracted.extensions };
}
