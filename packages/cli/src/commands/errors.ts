// conntrack's err2str(): the text after "Operation failed: " for a kernel errno, per command.

import { strerror } from "@tsconntrack/codec";
import { isNetlinkSocketError } from "@tsconntrack/socket";
import type { ParsedCommand } from "../args/types.js";
import { operationFailed } from "../io/identity.js";
import { writeStderr } from "../io/output.js";
import type { Cli } from "./cli.js";

const EPERM = 1;
const ENOENT = 2;
const ENOMEM = 12;
const EEXIST = 17;
const EINVAL = 22;
const ETIME = 62;
const EAFNOSUPPORT = 97;
const ENOTSUPP = 524;

type Op = "list" | "create" | "add" | "get" | "delete" | "update" | "flush" | "event" | "count" | "stats";

function opOf(cmd: ParsedCommand): { op: Op; expect: boolean } {
  const op = cmd.command === "load-file" || cmd.command === "version" || cmd.command === "help" || cmd.command === "usage" ? "list" : cmd.command;
  return { op, expect: cmd.table === "expect" };
}

/** The message conntrack prints for `errno` while running `cmd`. */
export function err2str(errno: number, cmd: ParsedCommand): string {
  const { op, expect } = opOf(cmd);
  switch (errno) {
    case EPERM:
      return "sorry, you must be root or get CAP_NET_ADMIN capability to do this";
    case ENOENT:
      if (!expect && (op === "create" || op === "get" || op === "delete" || op === "add")) return "such conntrack doesn't exist";
      if (expect && op === "create") return "master conntrack not found";
      break;
    case EEXIST:
      if (!expect && op === "create") return "Such conntrack exists, try -U to update";
      break;
    case EINVAL:
      // Every command below bit 16 of conntrack's command list (all but -C expect, -S, -A).
      if (!(expect && op === "count") && op !== "stats" && op !== "add") return "invalid parameters";
      break;
    case ENOMEM:
      if (!expect && (op === "create" || op === "get" || op === "add")) return "not enough memory";
      break;
    case EAFNOSUPPORT:
      if (!expect && op === "get") return "protocol not supported";
      break;
    case ETIME:
      if (!expect && (op === "create" || op === "add")) return "conntrack has expired";
      break;
    case ENOTSUPP:
      if (!expect && op === "list") return "function not implemented";
      break;
  }
  return strerror(errno);
}

/** The kernel errno carried by an error from the socket layer, or undefined. */
export function kernelErrno(error: unknown): number | undefined {
  return isNetlinkSocketError(error) ? error.errno : undefined;
}

/** The stderr text conntrack's exit_error(OTHER_PROBLEM, "Operation failed: %s") prints. */
export function operationFailedText(errno: number, cmd: ParsedCommand): string {
  return operationFailed(err2str(errno, cmd));
}

/** Where a failure's text goes: the command's output (stdout so far, then the text, ordered as conntrack's
 * stdio orders them), or straight to stderr for the commands that print nothing on stdout before it. */
export type FailureSink = Cli | "stderr";

/**
 * conntrack's exit_error(OTHER_PROBLEM, "Operation failed: ...") for `errno` while running `cmd`, after
 * `stderrBefore` (warnings or lines printed before the failure). Returns the exit status, 1.
 */
export function failOperation(errno: number, cmd: ParsedCommand, sink: FailureSink, stderrBefore = ""): number {
  const text = stderrBefore + operationFailedText(errno, cmd);
  if (sink === "stderr") writeStderr(text);
  else sink.out.finish(text, sink.stdoutIsTty);
  return 1;
}

/**
 * The same for a thrown error when the kernel refused the request; any other error is not a
 * command's to report and goes on to the top-level handler (reportFailure).
 */
export function failOnKernelError(error: unknown, cmd: ParsedCommand, sink: FailureSink, stderrBefore = ""): number {
  const errno = kernelErrno(error);
  if (errno === undefined) throw error;
  return failOperation(errno, cmd, sink, stderrBefore);
}
