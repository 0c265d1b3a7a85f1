/** Stats mode (`Stats { }`): see README; filled in below. */
import type { DaemonConfig } from "./config/types.js";
import type { Logger } from "./log.js";

export async function runStats(_config: DaemonConfig, log: Logger, _background: boolean, report?: (error?: string) => void): Promise<void> {
  log.error("stats mode is not implemented yet");
  report?.("init");
  throw new Error("stats mode is not implemented yet");
}
