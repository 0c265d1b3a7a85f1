// Buffered writes to a file descriptor: the listing path formats into one reused byte buffer and hands it
// to the kernel in large chunks (constant memory, few syscalls). EAGAIN (a non-blocking pipe that is full) is
// retried after a short sleep; EPIPE (the reader went away, e.g. `| head -1`) ends the process by
// SIGPIPE, as it ends conntrack (io/failure.ts); any other failed write is an OutputError, reported.

import { fstatSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { ByteWriter } from "./byte-writer.js";
import { errorGuard, ErrorWithFields } from "@tsconntrack/codec/error-class";

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function errnoCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null ? (error as { code?: string }).code : undefined;
}

/** Writes all of `bytes` to `fd`, waiting out EAGAIN. Throws BrokenPipeError on EPIPE. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      const code = errnoCode(error);
      if (code === "EAGAIN") {
        Atomics.wait(sleeper, 0, 0, 2);
        continue;
      }
      if (code === "EPIPE") throw new BrokenPipeError(fd);
      throw new OutputError(fd, code ?? "EIO");
    }
  }
}

/** The reader of our stdout (or stderr) closed its end. */
export class BrokenPipeError extends ErrorWithFields<BrokenPipeError> {
  override readonly name = "BrokenPipeError";
  declare readonly fd: number;
  constructor(fd: number) {
    super(`fd ${fd}: broken pipe`, { fd });
  }
}

export const isBrokenPipeError = errorGuard<BrokenPipeError>("BrokenPipeError");

/** A write to our output failed otherwise (ENOSPC on /dev/full, EIO, EBADF...): never ignored. */
export class OutputError extends ErrorWithFields<OutputError> {
  override readonly name = "OutputError";
  declare readonly fd: number;
  /** The errno name, e.g. "ENOSPC". */
  declare readonly code: string;
  constructor(fd: number, code: string) {
    super(`fd ${fd}: ${code}`, { fd, code });
  }
}

export const isOutputError = errorGuard<OutputError>("OutputError");

export interface OutputSinkOptions {
  /** Flush once this many bytes are pending (default 256 KiB). */
  readonly chunkBytes?: number;
}

/**
 * stdout as conntrack's stdio buffer would behave, but with big chunks. Formatters write bytes
 * straight into its buffer (it is a ByteWriter), text is encoded into the same buffer, and a
 * full buffer goes to the file descriptor in one write. `finish()` places the stderr summary
 * where glibc would have: a fully buffered stdout (not a tty) has written only whole 4 KiB blocks
 * when the summary goes out, so `2>&1 | cat` shows the summary first for small outputs, as
 * conntrack does.
 */
export class OutputSink extends ByteWriter {
  readonly fd: number;
  private written = 0;

  constructor(fd: number, options: OutputSinkOptions = {}) {
    super(options.chunkBytes ?? 256 * 1024);
    this.fd = fd;
  }

  write(text: string): void {
    this.text(text);
  }

  /**
   * A full buffer is written out, except a line still being written (ByteWriter.lineStart), which
   * moves to the front; only a line or a write larger than the buffer makes it grow.
   */
  protected override makeRoom(n: number): void {
    const line = this.lineStart;
    if (line < 0) {
      this.flush();
    } else if (line > 0) {
      writeAll(this.fd, this.buf.subarray(0, line));
      this.written += line;
      this.buf.copyWithin(0, line, this.pos);
      this.pos -= line;
      this.lineStart = 0;
    }
    if (this.pos + n > this.buf.length) super.makeRoom(n);
  }

  /** Writes everything pending now (events flush after each line, like conntrack's fflush). */
  flush(): void {
    this.lineStart = -1;
    if (this.pos === 0) return;
    const bytes = this.pos;
    this.pos = 0;
    writeAll(this.fd, this.buf.subarray(0, bytes));
    this.written += bytes;
  }

  /**
   * Ends the output: the pending text and the stderr text, ordered like conntrack's buffered stdout
   * and unbuffered stderr. `lineBuffered` (a tty) writes stdout first.
   */
  finish(stderrText: string, lineBuffered: boolean): void {
    if (lineBuffered || stderrText === "") {
      this.flush();
      if (stderrText !== "") writeAll(2, Buffer.from(stderrText, "utf8"));
      return;
    }
    const bytes = this.buf.subarray(0, this.pos);
    this.pos = 0;
    const total = this.written + bytes.length;
    // glibc writes a full block only when more data arrives, so an exact multiple stays buffered.
    const beforeSummary = total === 0 ? 0 : Math.max(0, Math.floor((total - 1) / 4096) * 4096 - this.written);
    writeAll(this.fd, bytes.subarray(0, beforeSummary));
    writeAll(2, Buffer.from(stderrText, "utf8"));
    writeAll(this.fd, bytes.subarray(beforeSummary));
    this.written = total;
  }
}

/**
 * isatty(fd) without loading node:tty (which loads node:net, a noticeable part of start-up) in the
 * usual cases: a file or pipe is not a character device, and /dev/null and friends (major 1) are
 * character devices that are never terminals. Anything else asks tty.isatty.
 */
export function isTerminal(fd: number): boolean {
  let stat;
  try {
    // bigint: the plain form leaves this fd's mode in the stat buffer Node shares with its module
    // loader, whose realpath walk then mistakes a pipe's S_IFIFO for the path it is resolving and
    // stops early (pnpm's symlinked packages then fail to resolve when stdout is a pipe).
    stat = fstatSync(fd, { bigint: true });
  } catch {
    return false;
  }
  if (!stat.isCharacterDevice()) return false;
  if (((stat.rdev >> 8n) & 0xfffn) === 1n) return false;
  const tty = createRequire(import.meta.url)("node:tty") as typeof import("node:tty");
  return tty.isatty(fd);
}

/** Writes text to stderr right away (stderr is unbuffered in C). */
export function writeStderr(text: string): void {
  if (text === "") return;
  try {
    writeAll(2, Buffer.from(text, "utf8"));
  } catch (error) {
    if (!isBrokenPipeError(error)) throw error;
  }
}
