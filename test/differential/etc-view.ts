// Both tools read /etc/xtables/connlabel.conf (a fixed path in conntrack 1.4.7). Instead of creating
// that file on the machine, where other tests would see it, each view is a private mount namespace
// whose /etc is a read-only overlay: the real /etc plus our label map (or an empty /etc/xtables).
// Commands enter it with nsenter, together with the test's network namespace.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The label map both tools load in the labelled view (bit 7, set by a test rule, has no name). */
export const LABEL_MAP = "0 eth0-in\n1 eth0-out\n2 ppp-in\n5 bulk\n127 last\n";

export interface EtcView {
  /** `/proc/PID/ns/mnt` of the process holding the mount namespace. */
  readonly mountNamespace: string;
  close(): void;
}

const open = new Set<EtcView>();
let exitHookInstalled = false;

/**
 * Opens a view of /etc with `labelMap` as /etc/xtables/connlabel.conf, or with no label map at all
 * (null: an empty tmpfs hides whatever the machine has).
 */
export async function openEtcView(labelMap: string | null): Promise<EtcView> {
  const layer = mkdtempSync(join(tmpdir(), "diff-etc-"));
  mkdirSync(join(layer, "xtables"));
  if (labelMap !== null) writeFileSync(join(layer, "xtables", "connlabel.conf"), labelMap);
  const script =
    `mount -t overlay diff-etc -o lowerdir=${layer}:/etc /etc && ` +
    (labelMap === null ? "mount -t tmpfs diff-xtables /etc/xtables && " : "") +
    "echo ready && exec sleep 100000";
  const holder = spawn("unshare", ["--mount", "--propagation", "private", "sh", "-c", script], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    await waitForReady(holder);
  } catch (error) {
    stop(holder);
    rmSync(layer, { recursive: true, force: true });
    throw error;
  }
  const view: EtcView = {
    mountNamespace: `/proc/${holder.pid}/ns/mnt`,
    close() {
      open.delete(view);
      stop(holder);
      rmSync(layer, { recursive: true, force: true });
    },
  };
  open.add(view);
  installExitHook();
  return view;
}

function waitForReady(holder: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let err = "";
    holder.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
    holder.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) resolve();
    });
    holder.on("exit", (code) => reject(new Error(`cannot set up the /etc overlay (exit ${code}): ${err.trim()}`)));
    holder.on("error", reject);
  });
}

/** Ends the holder by its pid (the exec'd sleep keeps the unshare'd pid). */
function stop(holder: ChildProcess): void {
  if (holder.exitCode === null && holder.signalCode === null) holder.kill("SIGKILL");
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const view of [...open]) view.close();
  });
}
