/** The lock file (src/main.c): created with O_CREAT|O_EXCL, removed on a clean exit. */
import { closeSync, openSync, unlinkSync } from "node:fs";
import type { Logger } from "./log.js";

/** False (after logging 1.4.7's error) when the file exists: another daemon runs, or one crashed. */
export function holdLock(path: string, log: Logger): boolean {
  try {
    closeSync(openSync(path, "wx", 0o600));
    return true;
  } catch {
    log.error(`lockfile \`${path}' exists, perhaps conntrackd already running?`);
    return false;
  }
}

export function releaseLock(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already removed.
  }
}
