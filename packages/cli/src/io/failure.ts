// The last word when a command throws: a user sees one line in conntrack's style, never Node's error
// text or a stack trace (TSCONNTRACK_DEBUG=1 adds the stack for developers). A reader that closed our
// stdout ends the process by SIGPIPE, as it ends conntrack.

import { errnoNumber, isNetlinkDecodeError, strerror } from "@tsconntrack/codec";
import { type CaptureFileError, isCaptureFileError, isNetnsError, isPcapFormatError, type NetnsError } from "@tsconntrack/socket";
import { MESSAGE_PREFIX } from "./identity.js";
import { isBrokenPipeError, isOutputError, writeStderr } from "./output.js";

const SIGPIPE = 13;

/** What to say about a capture file that cannot be used. */
function captureFileText(error: CaptureFileError): string {
  switch (error.reason) {
    case "exists":
      return `${error.path} already exists; use --record-force ${error.path} to replace it`;
    case "symlink":
      return `${error.path} is a symbolic link; captures are never written through one`;
    case "not-regular":
      return `${error.path} is not a regular file with a single link; refusing to replace it`;
    case "io":
      return `${error.path}: ${error.code === undefined ? "cannot be used" : errnoText(error.code)}`;
  }
}

/** What to say about a --netns that cannot be entered. */
function netnsText(error: NetnsError): string {
  const where = error.path === error.netns ? error.netns : `${error.netns} (${error.path})`;
  switch (error.reason) {
    case "bad-name":
      return `--netns ${JSON.stringify(error.netns)}: give an ip netns name (no '/') or an absolute path`;
    case "open":
      return `network namespace ${where}: ${error.code === "ENOENT" ? "no such namespace" : errnoText(error.code ?? "EIO")}`;
    case "not-netns":
      return `network namespace ${where}: not a network namespace`;
    case "setns":
      return `network namespace ${where}: cannot enter it: ${errnoText(error.code ?? "EIO")}`;
  }
}

/** The one line a user sees for `error`. */
export function failureText(error: unknown, prefix = MESSAGE_PREFIX): string {
  if (isNetnsError(error)) return `${prefix}${netnsText(error)}\n`;
  if (isCaptureFileError(error)) return `${prefix}${captureFileText(error)}\n`;
  if (isPcapFormatError(error)) return `${prefix}not a netlink capture: ${error.message}\n`;
  if (isNetlinkDecodeError(error)) return `${prefix}malformed netlink message: ${error.message}\n`;
  if (isOutputError(error)) return `${prefix}write error on ${error.fd === 1 ? "standard output" : `fd ${error.fd}`}: ${errnoText(error.code)}\n`;
  const system = error as { code?: unknown; syscall?: unknown; path?: unknown };
  if (typeof system.code === "string" && typeof system.syscall === "string" && errnoNumber(system.code) !== undefined) {
    const where = typeof system.path === "string" ? ` ${system.path}` : "";
    return `${prefix}${system.syscall}${where}: ${errnoText(system.code)}\n`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `${prefix}internal error: ${message.split("\n")[0]} (TSCONNTRACK_DEBUG=1 shows where)\n`;
}

function errnoText(code: string): string {
  const errno = errnoNumber(code);
  return errno === undefined ? code : strerror(errno);
}

/**
 * Reports `error` (one line after `prefix`, the program's message prefix) and returns the exit
 * status; on a broken pipe, dies of SIGPIPE when it can.
 */
export async function reportFailure(error: unknown, prefix = MESSAGE_PREFIX): Promise<number> {
  if (isBrokenPipeError(error)) {
    const { dieOfSignal } = await import("@tsconntrack/socket");
    dieOfSignal(SIGPIPE);
    return 128 + SIGPIPE;
  }
  if (process.env["TSCONNTRACK_DEBUG"]) writeStderr(`${error instanceof Error ? error.stack : String(error)}\n`);
  writeStderr(failureText(error, prefix));
  return 1;
}
