/**
 * The life of a started daemon, sync or stats mode alike (1.4.7's init and signal handling): the
 * lock file, start-up (a failure is logged, the lock released and the parent of -d told), then
 * running until SIGINT/SIGTERM or the daemon's own end. A bug must not print a Node stack trace
 * nor leave the lock file behind: it is logged and the daemon stops.
 */
import type { DaemonConfig } from "./config/types.js";
import { holdLock, releaseLock } from "./lock.js";
import type { Logger } from "./log.js";

export interface RunnableDaemon {
  start(): Promise<void>;
  stop(): void;
}

export interface LifecycleOptions {
  /** Runs in the background (-d): logging goes to the log file only, after telling the parent. */
  readonly background: boolean;
  /** Tells the parent of -d that the start failed ("lock", "init") or, with no argument, succeeded. */
  readonly report: ((error?: string) => void) | undefined;
  /** The exit status after an internal error (stats mode exits 0, as it always has). */
  readonly fatalStatus: number;
  /** Ignore SIGPIPE (the sync daemon writes to peers that may go away). */
  readonly ignoreSigpipe: boolean;
}

/**
 * Makes the daemon (`finish(status)` ends it: stop, lock released, log closed, exit) and runs it.
 * Returns false when it could not start (all said and cleaned up); the caller exits 1.
 */
export async function runDaemonLifecycle(
  config: DaemonConfig,
  log: Logger,
  options: LifecycleOptions,
  create: (finish: (status: number) => void) => RunnableDaemon,
): Promise<boolean> {
  const lock = config.general.lockFile;
  if (!holdLock(lock, log)) {
    options.report?.("lock");
    return false;
  }
  let finished = false;
  const finish = (status: number): void => {
    if (finished) return;
    finished = true;
    daemon.stop();
    releaseLock(lock);
    log.close();
    process.exit(status);
  };
  const daemon = create(finish);
  try {
    await daemon.start();
  } catch (error) {
    log.error((error as Error).message);
    log.error("conntrackd cannot start, please review your configuration");
    daemon.stop();
    releaseLock(lock);
    options.report?.("init");
    return false;
  }
  log.notice("initialization completed");
  const shutdown = (): void => {
    log.notice("---- shutdown received ----");
    finish(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  if (options.ignoreSigpipe) process.on("SIGPIPE", () => {});
  const fatal = (error: unknown): void => {
    log.error(`internal error: ${(error as Error)?.message ?? String(error)}`);
    finish(options.fatalStatus);
  };
  process.on("uncaughtException", fatal);
  process.on("unhandledRejection", fatal);
  if (options.background) {
    log.daemon = true;
    options.report?.();
    log.notice("-- starting in daemon mode --");
  } else log.notice("-- starting in console mode --");
  return true;
}
