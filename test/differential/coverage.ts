// Which options an argument list exercises, so that trimming cases can be checked not to lose any.

import type { ParsedCommand } from "../../packages/cli/src/args/index.js";

/**
 * The options `parsed` was given, each as "COMMAND OPTION" (generic options by their flag name,
 * protocol options as "HANDLER:NAME"), plus the -o flags it turns on.
 */
export function optionKeys(parsed: ParsedCommand): string[] {
  const command = parsed.command;
  const keys = [...parsed.options].map((flag) => `${command} ${flag}`);
  const handler = parsed.proto?.handler ?? "none";
  for (const name of parsed.l4Options) keys.push(`${command} ${handler}:${name}`);
  for (const [flag, on] of Object.entries(parsed.output)) if (on) keys.push(`${command} -o ${flag}`);
  return keys;
}
