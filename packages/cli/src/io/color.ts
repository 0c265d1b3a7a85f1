// Colour only for a person at a terminal: stdout must be a tty and NO_COLOR unset. Pipes and files get
// conntrack's exact bytes. chalk is loaded only when colour is on.

import { isTerminal } from "./output.js";

export interface Painter {
  readonly enabled: boolean;
  /** Event prefixes: [NEW] green, [UPDATE] yellow, [DESTROY] red. */
  event(kind: "new" | "update" | "destroy", text: string): string;
  /** A JSON key (with its quotes). */
  key(text: string): string;
}

const PLAIN: Painter = { enabled: false, event: (_kind, text) => text, key: (text) => text };

export function colorWanted(env: NodeJS.ProcessEnv = process.env, fd = 1): boolean {
  const noColor = env["NO_COLOR"];
  if (noColor !== undefined && noColor !== "") return false;
  return isTerminal(fd);
}

export async function createPainter(enabled: boolean): Promise<Painter> {
  if (!enabled) return PLAIN;
  const { Chalk } = await import("chalk");
  const chalk = new Chalk({ level: 1 });
  const byKind = { new: chalk.green, update: chalk.yellow, destroy: chalk.red };
  return {
    enabled: true,
    event: (kind, text) => byKind[kind](text),
    key: (text) => chalk.cyan(text),
  };
}
