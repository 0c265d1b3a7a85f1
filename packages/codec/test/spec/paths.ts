// Locations the spec tests read. The kernel's files live outside the repository, in
// <repo>/../shared/reference; tests that need them skip (with a printed reason) when absent.

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const CODEC_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const OUR_SPEC = join(CODEC_DIR, "spec", "conntrack.yaml");
/** Every spec we compile (conntrack first). */
export const OUR_SPECS = ["conntrack.yaml", "cttimeout.yaml", "cthelper.yaml"].map((name) => join(CODEC_DIR, "spec", name));
export const GENERATED = join(CODEC_DIR, "src", "gen", "conntrack.ts");
export const REFERENCE_DIR = join(CODEC_DIR, "..", "..", "..", "shared", "reference");

export const KERNEL_SPECS = {
  /** net-next f869aa4c, after the "conntrack: minor spec fixes" series. */
  newest: join(REFERENCE_DIR, "conntrack.yaml"),
  /** mainline a4a508df, before the fixes. */
  mainline: join(REFERENCE_DIR, "conntrack.torvalds-a4a508df.yaml"),
} as const;
export const NETLINK_RAW_SCHEMA = join(REFERENCE_DIR, "netlink-raw.yaml");

/** Returns a skip reason (and prints it once) when a reference file is missing. */
export function missingReference(path: string): string | undefined {
  if (existsSync(path)) return undefined;
  const reason = `reference file ${path} is absent; skipping (it lives outside the repository)`;
  console.warn(reason);
  return reason;
}
