// How a rejected command line is reported: conntrack's exit_error() text and status.

import type { ParseFailure } from "./types.js";
import { errorGuard, ErrorWithFields } from "@tsconntrack/codec/error-class";

/** Thrown inside the parser at the point where conntrack would call exit_error(); never escapes parseArgs. */
export class ArgsError extends ErrorWithFields<ArgsError> {
  override readonly name = "ArgsError";
  /** 2 = PARAMETER_PROBLEM, 1 = OTHER_PROBLEM. */
  declare readonly exitCode: 1 | 2;
  constructor(message: string, exitCode: 1 | 2) {
    super(message, { exitCode });
  }
}

export const isArgsError = errorGuard<ArgsError>("ArgsError");

/** Who the messages say they come from (conntrack hard-codes "conntrack v1.4.7 (conntrack-tools)"). */
export interface Identity {
  readonly programName: string;
  readonly version: string;
  readonly packageName: string;
}

export const CONNTRACK_IDENTITY: Identity = { programName: "conntrack", version: "1.4.7", packageName: "conntrack-tools" };

/** The stderr prefix of conntrack's messages: "conntrack v1.4.7 (conntrack-tools): ". */
export function messagePrefix(identity: Identity): string {
  return `${identity.programName} v${identity.version} (${identity.packageName}): `;
}

/** exit_error(): the message, then for parameter problems the "Try ... -h" line. */
export function failure(message: string, exitCode: 1 | 2, identity: Identity, earlierStderr = ""): ParseFailure {
  let stderr = `${earlierStderr}${messagePrefix(identity)}${message}\n`;
  if (exitCode === 2) {
    const name = identity.programName;
    stderr += `Try \`${name} -h' or '${name} --help' for more information.\n`;
  }
  return { ok: false, stderr, exitCode };
}
