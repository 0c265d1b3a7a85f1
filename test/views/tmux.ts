// A private tmux server (its own socket, so no one else's sessions are touched) to run a terminal
// program the way a person does: send keys, read the screen.

import { randomBytes } from "node:crypto";
import { execHost } from "../support/exec.js";

export class TmuxPane {
  private readonly socket = `tsct-${process.pid}-${randomBytes(3).toString("hex")}`;
  private readonly session = "view";

  /** Starts `command` (a shell line) in a detached session of the given size. */
  constructor(command: string, width = 120, height = 30) {
    this.tmux(["new-session", "-d", "-s", this.session, "-x", String(width), "-y", String(height), "sh", "-c", command]);
  }

  private tmux(args: readonly string[]): string {
    const run = execHost("tmux", ["-L", this.socket, "-f", "/dev/null", ...args]);
    if (run.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${run.stderr.trim()}`);
    return run.stdout;
  }

  /** The visible screen. */
  capture(): string {
    return this.tmux(["capture-pane", "-p", "-t", this.session]);
  }

  /** A tmux format of the pane, e.g. `#{pane_dead}`, `#{alternate_on}`, `#{cursor_flag}`. */
  format(text: string): string {
    return this.tmux(["display-message", "-p", "-t", this.session, text]).trim();
  }

  send(...keys: string[]): void {
    this.tmux(["send-keys", "-t", this.session, ...keys]);
  }

  /** Waits until `test(screen)` holds; returns the screen, or throws with the last one. */
  async waitFor(test: (screen: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = "";
    while (Date.now() < deadline) {
      screen = this.capture();
      if (test(screen)) return screen;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}; screen:\n${screen}`);
  }

  /** Closes the terminal: the program gets SIGHUP. */
  kill(): void {
    execHost("tmux", ["-L", this.socket, "kill-server"]);
  }
}
