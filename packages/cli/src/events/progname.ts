// `[USERSPACE] portid=N progname=X`: conntrack finds X by mapping the port to a socket inode through
// /proc/net/netlink and scanning /proc/*/fd for that socket. That scan per event would cap a storm
// of userspace-made events at a few hundred per second, so answers are cached per port for a short
// time (a port id names one socket for its life; the tag races with the process's exit in conntrack
// too). With --netns the netlink table is read inside that namespace.

import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createLibcSyscalls, withNetns } from "@tsconntrack/socket";

const NETLINK_NETFILTER = "12";
const CACHE_MS = 1000;

/** The socket inode of a NETLINK_NETFILTER port in /proc/net/netlink text. */
export function socketInodeOf(netlinkTable: string, portId: number): string | undefined {
  const lines = netlinkTable.split("\n");
  for (let i = 1; i < lines.length; i++) {
    // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
    const fields = lines[i]!.trim().split(/\s+/);
    if (fields.length >= 10 && fields[1] === NETLINK_NETFILTER && Number(fields[2]) >>> 0 === portId >>> 0) return fields[9];
  }
  return undefined;
}

function processHolding(inode: string): string | undefined {
  const target = `socket:[${inode}]`;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57);
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return readFileSync(`/proc/${pid}/comm`, "latin1").trim();
      } catch {
        // the process or the descriptor went away meanwhile
      }
    }
  }
  return undefined;
}

function netlinkTableReader(netns: string | undefined): () => string {
  if (netns === undefined) return () => readFileSync("/proc/net/netlink", "latin1");
  const sys = createLibcSyscalls();
  return () => withNetns(sys, netns, () => readFileSync("/proc/thread-self/net/netlink", "latin1"));
}

export class ProcessNames {
  private readonly cache = new Map<number, { name: string | undefined; until: number }>();
  private readonly readTable: () => string;

  constructor(netns: string | undefined) {
    this.readTable = netlinkTableReader(netns);
  }

  /** The command name of the process owning netlink port `portId`, if it can still be found. */
  lookup(portId: number, nowMs: number): string | undefined {
    const hit = this.cache.get(portId);
    if (hit !== undefined && hit.until > nowMs) return hit.name;
    let name: string | undefined;
    try {
      const inode = socketInodeOf(this.readTable(), portId);
      name = inode === undefined ? undefined : processHolding(inode);
    } catch {
      name = undefined;
    }
    if (this.cache.size > 1024) this.cache.clear();
    this.cache.set(portId, { name, until: nowMs + CACHE_MS });
    return name;
  }
}
