// `-R FILE` support: the line tokenizer conntrack uses for batch files, and which commands a file may hold.

import { ArgsError } from "./errors.js";
import type { ParsedCommand } from "./types.js";

/** conntrack copies each argument into a 1024-byte buffer and gives up at 1023 characters. */
const MAX_PARAMETER_CHARS = 1023;
/** conntrack's argv store holds 255 slots, one of them the program name and one the final NULL. */
const MAX_ARGUMENTS = 253;

/**
 * Splits one line of a -R file into arguments (without the program name), or returns null for a line that
 * is skipped (empty after leading blanks, or a '#' comment). Words are separated by spaces, tabs and
 * newlines; double quotes group, and inside them a backslash takes the next character literally.
 * Throws ArgsError like conntrack ("Parameter too long!", "too many arguments").
 */
export function splitLoadFileLine(line: string): string[] | null {
  let pos = 0;
  while (line[pos] === " " || line[pos] === "\t") pos++;
  if (line[pos] === "\n" || line[pos] === "#") return null;
  const words: string[] = [];
  let word = "";
  let quoteOpen = false;
  let escaped = false;
  const add = (ch: string): void => {
    word += ch;
    if (word.length > MAX_PARAMETER_CHARS) throw new ArgsError("Parameter too long!", 2);
  };
  const push = (): void => {
    if (words.length >= MAX_ARGUMENTS) throw new ArgsError("too many arguments", 2);
    words.push(word);
    word = "";
  };
  for (; pos < line.length; pos++) {
    const ch = line[pos]!;
    if (quoteOpen) {
      if (escaped) {
        add(ch);
        escaped = false;
        continue;
      }
      if (ch === "\\") {
        escaped = true;
        continue;
      }
      if (ch !== '"') {
        add(ch);
        continue;
      }
      // The closing quote ends the word, even an empty one.
      quoteOpen = false;
      push();
      continue;
    }
    if (ch === '"') {
      quoteOpen = true;
      continue;
    }
    if (ch === " " || ch === "\t" || ch === "\n") {
      if (word.length > 0) push();
      continue;
    }
    add(ch);
  }
  if (word.length > 0) push();
  return words;
}

const FILE_COMMANDS = new Set(["create", "add", "update", "delete", "flush"]);

/** The name conntrack prints in "Cannot use command `%s' with --load-file" for a command it refuses. */
export function loadFileRefusal(parsed: ParsedCommand): string | null {
  if (parsed.table !== "expect" && FILE_COMMANDS.has(parsed.command)) return null;
  const expect = parsed.table === "expect";
  switch (parsed.command) {
    case "list": return expect ? "-L expect" : "-L";
    case "get": return expect ? "-G expect" : "-G";
    case "event": return expect ? "-E expect" : "-E";
    case "version": return "-V";
    case "help": return "-h";
    case "create": return "-C expect"; // sic: 1.4.7 labels expectation creation "-C expect"
    case "delete": return "-D expect";
    case "flush": return "-F expect";
    case "count": return expect ? "-C expect" : "-C";
    case "stats": return expect ? "-S expect" : "-S";
    default: return "unknown";
  }
}

/** "Cannot use command `-L' with --load-file" (exit 2). */
export function loadFileRefusalMessage(name: string): string {
  return `Cannot use command \`${name}' with --load-file`;
}

/** "Failed to open file %s for reading" (exit 2); "-" means standard input. */
export function loadFileOpenMessage(fileName: string): string {
  return `Failed to open file ${fileName === "-" ? "/dev/stdin" : fileName} for reading`;
}
