// Who tsconntrack says it is. Only the program name and version differ from conntrack's texts.

import { PROGRAM_PREFIX } from "../format/summary.js";

export const PROGRAM_NAME = "tsconntrack";
export const PROGRAM_VERSION = "0.1.0";
/** Kept as conntrack's, so every message differs from conntrack's only in the name and version. */
export const PACKAGE_NAME = "conntrack-tools";

/** What -V says: who we are and what we reproduce (messages keep conntrack's shape, see MESSAGE_PREFIX). */
export const VERSION_TEXT = `${PROGRAM_NAME} v${PROGRAM_VERSION} (conntrack-tools 1.4.7 compatible)`;

/** "tsconntrack v0.1.0 (conntrack-tools): " */
export const MESSAGE_PREFIX = `${PROGRAM_NAME} v${PROGRAM_VERSION} (${PACKAGE_NAME}): `;

/** A line the formatters built with conntrack's prefix, given ours. */
export function withOurPrefix(line: string): string {
  return line.startsWith(PROGRAM_PREFIX) ? MESSAGE_PREFIX + line.slice(PROGRAM_PREFIX.length) : line;
}

/** `Operation failed: TEXT` as exit_error(OTHER_PROBLEM) prints it. */
export function operationFailed(text: string): string {
  return `${MESSAGE_PREFIX}Operation failed: ${text}\n`;
}
