/**
 * conntrackd's log lines (src/log.c): `[ctime] (pid=N) [prio] text`. On the console (foreground,
 * or before the log is set up) notices go to stdout and warnings/errors to stderr; once the log is
 * open every line also goes to LogFile. Syslog is not written (see the README).
 */
import { appendFileSync, openSync, closeSync, writeSync } from "node:fs";

export type Priority = "info" | "notice" | "warning" | "ERROR";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** ctime(3) without the newline, in local time: `Wed Dec  2 04:38:32 2026`. */
export function ctimeNow(date = new Date()): string {
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${DAYS[date.getDay()]} ${MONTHS[date.getMonth()]} ${String(date.getDate()).padStart(2, " ")} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${date.getFullYear()}`;
}

export function logLine(priority: Priority, text: string): string {
  return `[${ctimeNow()}] (pid=${process.pid}) [${priority}] ${text}\n`;
}

export class Logger {
  private fd: number | undefined;
  private initialised = false;
  /** True once daemonized: nothing more goes to the console. */
  daemon = false;

  /** init_log: opens LogFile for appending (a failure is reported by the caller). */
  open(path: string): void {
    if (path !== "") this.fd = openSync(path, "a");
    this.initialised = true;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  log(priority: Priority, text: string): void {
    const line = logLine(priority, text);
    if (!this.daemon || !this.initialised) {
      const fd = priority === "info" || priority === "notice" ? 1 : 2;
      try {
        writeSync(fd, line);
      } catch {
        // A closed console (daemon mode, a gone terminal) must not stop the daemon.
      }
    }
    if (this.initialised && this.fd !== undefined) writeSync(this.fd, line);
  }

  notice(text: string): void {
    this.log("notice", text);
  }
  warning(text: string): void {
    this.log("warning", text);
  }
  error(text: string): void {
    this.log("ERROR", text);
  }
}

/** Appends one line to a file (the stats-mode flow log). */
export function appendLine(path: string, line: string): void {
  appendFileSync(path, line);
}
