// What every command module gets and returns.

import type { ParsedCommand } from "../args/types.js";
import type { OutputSink } from "../io/output.js";

export interface Cli {
  /** Buffered stdout. */
  readonly out: OutputSink;
  /** stdout is a terminal: conntrack's stdout is then line-buffered (entries before the summary). */
  readonly stdoutIsTty: boolean;
  /** Colour wanted (tty and NO_COLOR unset). */
  readonly color: boolean;
}

/** A command module: runs the command and returns the exit status. */
export interface CommandModule {
  run(cmd: ParsedCommand, cli: Cli): Promise<number>;
}
