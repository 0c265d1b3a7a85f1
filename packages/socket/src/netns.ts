import { closeSync, constants, openSync } from "node:fs";
import { CLONE_NEWNET } from "./constants.js";
import { errnoCode } from "./errno.js";
import { NetnsError } from "./errors.js";
import type { Syscalls } from "./syscalls.js";

const EINVAL = 22;

/**
 * The file of a namespace: an `ip netns` name (no slash) lives under /run/netns; anything else
 * must be an absolute path (/proc/PID/ns/net, a bind mount), never one relative to the working
 * directory. Throws NetnsError "bad-name" otherwise.
 */
export function netnsPath(nameOrPath: string): string {
  if (nameOrPath !== "" && !nameOrPath.includes("/") && nameOrPath !== "." && nameOrPath !== "..") return `/run/netns/${nameOrPath}`;
  if (nameOrPath.startsWith("/")) return nameOrPath;
  throw new NetnsError(nameOrPath, nameOrPath, "bad-name");
}

/** O_NONBLOCK: a FIFO (or a device that blocks) at the path fails at setns instead of hanging open(). */
function openNamespace(netns: string, path: string): number {
  try {
    return openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new NetnsError(netns, path, "open", (error as NodeJS.ErrnoException).code ?? "EIO");
  }
}

function enter(sys: Syscalls, fd: number, netns: string, path: string): void {
  const rc = sys.setns(fd, CLONE_NEWNET);
  if (rc === -EINVAL) throw new NetnsError(netns, path, "not-netns");
  if (rc < 0) throw new NetnsError(netns, path, "setns", errnoCode(-rc));
}

/**
 * Runs `fn` with the calling thread inside the network namespace `nameOrPath`, then moves the
 * thread back. Sockets keep the namespace they were created in, so a socket made inside `fn`
 * talks to that namespace's conntrack table for its whole life.
 */
export function withNetns<T>(sys: Syscalls, nameOrPath: string, fn: () => T): T {
  const path = netnsPath(nameOrPath);
  const target = openNamespace(nameOrPath, path);
  let home: number | undefined;
  try {
    // thread-self, not self: setns moves one thread, and Node runs us on the main thread.
    home = openNamespace("(our own)", "/proc/thread-self/ns/net");
    enter(sys, target, nameOrPath, path);
    try {
      return fn();
    } finally {
      enter(sys, home, "(our own)", "/proc/thread-self/ns/net");
    }
  } finally {
    closeSync(target);
    if (home !== undefined) closeSync(home);
  }
}
