import { closeSync, openSync } from "node:fs";
import { CLONE_NEWNET } from "./constants.js";
import { NetlinkSocketError } from "./errors.js";
import type { Syscalls } from "./syscalls.js";

/** `ip netns` names live under /run/netns; anything containing a slash is taken as a path. */
export function netnsPath(nameOrPath: string): string {
  return nameOrPath.includes("/") ? nameOrPath : `/run/netns/${nameOrPath}`;
}

function openNamespace(path: string): number {
  try {
    return openSync(path, "r");
  } catch (error) {
    const errno = typeof (error as NodeJS.ErrnoException).errno === "number" ? (error as NodeJS.ErrnoException).errno! : 2;
    throw new NetlinkSocketError("open-netns", errno, { detail: path, cause: error });
  }
}

function enter(sys: Syscalls, fd: number, path: string): void {
  const rc = sys.setns(fd, CLONE_NEWNET);
  if (rc < 0) throw new NetlinkSocketError("setns", -rc, { detail: path });
}

/**
 * Runs `fn` with the calling thread inside the network namespace `nameOrPath`, then moves the
 * thread back. Sockets keep the namespace they were created in, so a socket made inside `fn`
 * talks to that namespace's conntrack table for its whole life.
 */
export function withNetns<T>(sys: Syscalls, nameOrPath: string, fn: () => T): T {
  const target = openNamespace(netnsPath(nameOrPath));
  let home: number | undefined;
  try {
    // thread-self, not self: setns moves one thread, and Node runs us on the main thread.
    home = openNamespace("/proc/thread-self/ns/net");
    enter(sys, target, netnsPath(nameOrPath));
    try {
      return fn();
    } finally {
      enter(sys, home, "/proc/thread-self/ns/net");
    }
  } finally {
    closeSync(target);
    if (home !== undefined) closeSync(home);
  }
}
