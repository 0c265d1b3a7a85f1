// The full-screen terminal for `top`, with plain escape sequences (no library: see the README): the
// alternate screen and a hidden cursor while it runs, keys from stdin in raw mode, redraws in one
// write, and the screen put back however it ends (q, Ctrl-C, SIGTERM, a closed terminal: SIGHUP, EOF, EIO).

import { writeSync } from "node:fs";

const ENTER = "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J";
const LEAVE = "\x1b[?25h\x1b[?1049l";
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

export type KeyHandler = (key: string) => void;

export class Terminal {
  private active = false;
  private readonly onData = (data: Buffer): void => {
    for (const key of data.toString("utf8")) this.keys(key);
  };
  private readonly onEnd = (): void => this.ended("end of input");
  private readonly onResize = (): void => this.resized();

  private readonly keys: KeyHandler;
  private readonly ended: (why: string) => void;
  private readonly resized: () => void;

  constructor(keys: KeyHandler, ended: (why: string) => void, resized: () => void) {
    this.keys = keys;
    this.ended = ended;
    this.resized = resized;
  }

  /** Both stdin and stdout are terminals. */
  static available(): boolean {
    return process.stdin.isTTY === true && process.stdout.isTTY === true;
  }

  get rows(): number {
    return process.stdout.rows || 24;
  }
  get columns(): number {
    return process.stdout.columns || 80;
  }

  start(): void {
    this.active = true;
    process.stdin.setRawMode(true);
    process.stdin.on("data", this.onData);
    process.stdin.on("end", this.onEnd);
    process.stdin.resume();
    process.stdout.on("resize", this.onResize);
    this.write(ENTER);
  }

  /** Replaces the screen with `lines` (cut to the terminal's width and height). */
  draw(lines: readonly string[]): void {
    const width = this.columns;
    const shown = lines.slice(0, this.rows).map((line) => (line.length > width ? line.slice(0, width) : line));
    this.write("\x1b[H" + shown.join("\x1b[K\r\n") + "\x1b[K\x1b[J");
  }

  /** Puts the terminal back; safe to call more than once and on a terminal that is gone. */
  stop(): void {
    if (!this.active) return;
    this.active = false;
    process.stdout.removeListener("resize", this.onResize);
    process.stdin.removeListener("data", this.onData);
    process.stdin.removeListener("end", this.onEnd);
    try {
      process.stdin.setRawMode(false);
    } catch {
      // The terminal is gone (SIGHUP): nothing to restore.
    }
    process.stdin.pause();
    this.write(LEAVE);
  }

  /**
   * Writes all of `text`. Node may have made the terminal non-blocking: on EAGAIN it waits a little and
   * goes on (for at most a second), so neither a frame nor the sequence that restores the screen is cut.
   */
  private write(text: string): void {
    let buffer = Buffer.from(text, "utf8");
    const deadline = Date.now() + 1000;
    while (buffer.length > 0) {
      try {
        buffer = buffer.subarray(writeSync(1, buffer));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EAGAIN" && Date.now() < deadline) {
          Atomics.wait(PAUSE, 0, 0, 5);
          continue;
        }
        // EIO/EPIPE: the terminal closed under us (or stopped reading for a second).
        if (this.active) {
          this.active = false;
          this.ended(code ?? "write error");
        }
        return;
      }
    }
  }
}
