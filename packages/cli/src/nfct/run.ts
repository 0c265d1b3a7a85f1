// What every subsystem command shares: nfct's argv, where its output goes, the lazily opened API,
// and how errors from the socket layer become nfct's messages.

import { strerror } from "@tsconntrack/codec";
import { isNetlinkDecodeError } from "@tsconntrack/codec";
import { isNetlinkProtocolError, isNetlinkSocketError } from "@tsconntrack/socket";
import type { Nfct } from "@tsconntrack/nfct";
import type { NfctExtensions } from "./command-line.js";
import { jsonDocument } from "./format.js";
import { perror, perrorWith } from "./identity.js";

/** A command's result: nfct's return value (negative: failure) or main's own exit status. */
export type CommandStatus = { ok: boolean } | { exit: number };

export class NfctRun {
  readonly argv: readonly string[];
  readonly extensions: NfctExtensions;
  /** stdout: nfct's printf goes to a buffer flushed at exit (it never prints more than a few KiB before stderr). */
  private stdout = "";
  private readonly json: string[] = [];
  private readonly writeErr: (text: string) => void;
  private readonly open: () => Nfct;
  private api: Nfct | undefined;

  constructor(argv: readonly string[], extensions: NfctExtensions, open: () => Nfct, writeErr: (text: string) => void) {
    this.argv = argv;
    this.extensions = extensions;
    this.open = open;
    this.writeErr = writeErr;
  }

  get argc(): number {
    return this.argv.length;
  }

  nfct(): Nfct {
    return (this.api ??= this.open());
  }

  close(): void {
    this.api?.close();
  }

  error(message: string): void {
    this.writeErr(perror(message));
  }

  stderr(text: string): void {
    this.writeErr(text);
  }

  /** Prints one object: nfct's text, or a member of the JSON document. */
  print(text: string, json: string): void {
    if (this.extensions.json) this.json.push(json);
    else this.stdout += text;
  }

  /** What goes to stdout at exit; the JSON document only for commands that print objects. */
  output(printsObjects: boolean, status: CommandStatus): string {
    const ok = "ok" in status && status.ok;
    if (this.extensions.json) return printsObjects && ok ? jsonDocument(this.json) : "";
    return this.stdout;
  }

  /**
   * Runs the netlink part of a command as nfct_mnl_talk() would end: a kernel error is
   * "netlink error: TEXT" (failure), a socket that cannot be opened is "cannot open netlink: TEXT"
   * (nfct's main returns -1: exit status 255).
   */
  talk(work: () => void): CommandStatus {
    try {
      work();
      return { ok: true };
    } catch (error) {
      if (isNetlinkSocketError(error)) {
        if (error.op === "request" || error.op === "dump" || error.op === "send" || error.op === "recv") {
          this.writeErr(perrorWith("netlink error", strerror(error.errno)));
          return { ok: false };
        }
        this.writeErr(perrorWith("cannot open netlink", strerror(error.errno)));
        return { exit: 255 };
      }
      if (isNetlinkProtocolError(error)) {
        this.writeErr(perror(`${error.reason === "replay-mismatch" || error.reason === "replay-exhausted" ? "replay" : "netlink error"}: ${error.message}`));
        return { ok: false };
      }
      const system = systemError(error);
      if (system !== undefined) {
        // A capture that cannot be read or written (--replay, --record): the path and glibc's text.
        this.writeErr(perrorWith(system.path ?? system.syscall, strerror(system.errno)));
        return { ok: false };
      }
      if (isNetlinkDecodeError(error)) {
        this.writeErr(perror(`cannot decode the kernel's answer: ${error.message}`));
        return { ok: false };
      }
      throw error;
    }
  }
}

interface SystemError {
  errno: number;
  syscall: string;
  path?: string;
}

/** A Node file-system error (errno, syscall, maybe path), told apart without Node's message text. */
function systemError(error: unknown): SystemError | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as Partial<SystemError> & { code?: unknown };
  if (typeof e.errno !== "number" || typeof e.syscall !== "string" || typeof e.code !== "string") return undefined;
  return { errno: Math.abs(e.errno), syscall: e.syscall, ...(typeof e.path === "string" ? { path: e.path } : {}) };
}
